package types

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

// PostgreSQL's binary wire formats (the "send"/"recv" functions of each
// type), used by the wire server for results and parameters.

// pgEpochDays is 2000-01-01 in days since 1970-01-01 (PostgreSQL's epoch).
const pgEpochDays = 10957

const pgEpochMicros = int64(pgEpochDays) * 86400 * 1_000_000

// AppendBinary appends v (non-NULL) in t's binary format.
func AppendBinary(b []byte, t T, v Value) ([]byte, error) {
	switch t.Kind {
	case Bool:
		if v.(bool) {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case Int2:
		return binary.BigEndian.AppendUint16(b, uint16(int16(v.(int64)))), nil
	case Int4:
		return binary.BigEndian.AppendUint32(b, uint32(int32(v.(int64)))), nil
	case Int8:
		return binary.BigEndian.AppendUint64(b, uint64(v.(int64))), nil
	case Oid:
		return binary.BigEndian.AppendUint32(b, uint32(v.(int64))), nil
	case Float4:
		return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(v.(float64)))), nil
	case Float8:
		return binary.BigEndian.AppendUint64(b, math.Float64bits(v.(float64))), nil
	case Numeric:
		return appendNumeric(b, v.(Decimal)), nil
	case Text, Varchar, Char, JSON, Unknown:
		return append(b, v.(string)...), nil
	case JSONB:
		return append(append(b, 1), v.(string)...), nil
	case Bytea:
		return append(b, v.([]byte)...), nil
	case Date:
		return binary.BigEndian.AppendUint32(b, uint32(int32(v.(DateVal))-pgEpochDays)), nil
	case Time:
		return binary.BigEndian.AppendUint64(b, uint64(v.(TimeVal))), nil
	case Timestamp, TimestampTZ:
		return binary.BigEndian.AppendUint64(b, uint64(int64(v.(TimestampVal))-pgEpochMicros)), nil
	case Interval:
		iv := v.(IntervalVal)
		b = binary.BigEndian.AppendUint64(b, uint64(iv.Micros))
		b = binary.BigEndian.AppendUint32(b, uint32(iv.Days))
		return binary.BigEndian.AppendUint32(b, uint32(iv.Months)), nil
	case UUID:
		u, err := hex.DecodeString(strings.ReplaceAll(v.(string), "-", ""))
		if err != nil || len(u) != 16 {
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid uuid %q", v)
		}
		return append(b, u...), nil
	case Array:
		return appendArray(b, *t.Elem, v.([]any))
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "no binary format for type %s", t)
}

func appendArray(b []byte, et T, vals []any) ([]byte, error) {
	hasNull := int32(0)
	for _, v := range vals {
		if v == nil {
			hasNull = 1
		}
	}
	ndim := int32(1)
	if len(vals) == 0 {
		ndim = 0
	}
	b = binary.BigEndian.AppendUint32(b, uint32(ndim))
	b = binary.BigEndian.AppendUint32(b, uint32(hasNull))
	b = binary.BigEndian.AppendUint32(b, et.OID())
	if ndim == 0 {
		return b, nil
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(vals)))
	b = binary.BigEndian.AppendUint32(b, 1)
	for _, v := range vals {
		if v == nil {
			b = binary.BigEndian.AppendUint32(b, math.MaxUint32)
			continue
		}
		at := len(b)
		b = append(b, 0, 0, 0, 0)
		var err error
		if b, err = AppendBinary(b, et, v); err != nil {
			return nil, err
		}
		binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	}
	return b, nil
}

// appendNumeric writes PostgreSQL's numeric: ndigits, weight, sign,
// dscale, then base-10000 digits.
func appendNumeric(b []byte, d Decimal) []byte {
	s := d.String()
	sign := uint16(0)
	if strings.HasPrefix(s, "-") {
		sign, s = 0x4000, s[1:]
	}
	ip, fp, _ := strings.Cut(s, ".")
	dscale := len(fp)
	for len(ip)%4 != 0 {
		ip = "0" + ip
	}
	for len(fp)%4 != 0 {
		fp += "0"
	}
	var groups []uint16
	for i := 0; i < len(ip); i += 4 {
		groups = append(groups, group4(ip[i:i+4]))
	}
	weight := len(groups) - 1
	for i := 0; i < len(fp); i += 4 {
		groups = append(groups, group4(fp[i:i+4]))
	}
	for len(groups) > 0 && groups[0] == 0 {
		groups = groups[1:]
		weight--
	}
	for len(groups) > 0 && groups[len(groups)-1] == 0 {
		groups = groups[:len(groups)-1]
	}
	if len(groups) == 0 {
		weight, sign = 0, 0
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(groups)))
	b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
	b = binary.BigEndian.AppendUint16(b, sign)
	b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	for _, g := range groups {
		b = binary.BigEndian.AppendUint16(b, g)
	}
	return b
}

func group4(s string) uint16 {
	return uint16((s[0]-'0'))*1000 + uint16(s[1]-'0')*100 + uint16(s[2]-'0')*10 + uint16(s[3]-'0')
}

func badBinary(t T) error {
	return sqlerr.New("22P03", "incorrect binary data format for type %s", t)
}

// DecodeBinary reads a value of type t in its binary format.
func DecodeBinary(t T, b []byte) (Value, error) {
	need := func(n int) error {
		if len(b) != n {
			return badBinary(t)
		}
		return nil
	}
	switch t.Kind {
	case Bool:
		if err := need(1); err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case Int2:
		if err := need(2); err != nil {
			return nil, err
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case Int4:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case Oid:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case Int8:
		if err := need(8); err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case Float4:
		if err := need(4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case Float8:
		if err := need(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case Numeric:
		return decodeNumeric(t, b)
	case Text, Varchar, Char, JSON, Unknown:
		return string(b), nil
	case JSONB:
		if len(b) < 1 || b[0] != 1 {
			return nil, badBinary(t)
		}
		return string(b[1:]), nil
	case Bytea:
		return append([]byte(nil), b...), nil
	case Date:
		if err := need(4); err != nil {
			return nil, err
		}
		return DateVal(int32(binary.BigEndian.Uint32(b)) + pgEpochDays), nil
	case Time:
		if err := need(8); err != nil {
			return nil, err
		}
		return TimeVal(int64(binary.BigEndian.Uint64(b))), nil
	case Timestamp, TimestampTZ:
		if err := need(8); err != nil {
			return nil, err
		}
		return TimestampVal(int64(binary.BigEndian.Uint64(b)) + pgEpochMicros), nil
	case Interval:
		if err := need(16); err != nil {
			return nil, err
		}
		return IntervalVal{Micros: int64(binary.BigEndian.Uint64(b)), Days: int32(binary.BigEndian.Uint32(b[8:])), Months: int32(binary.BigEndian.Uint32(b[12:]))}, nil
	case UUID:
		if err := need(16); err != nil {
			return nil, err
		}
		h := hex.EncodeToString(b)
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	case Array:
		return decodeArray(*t.Elem, b)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "no binary format for type %s", t)
}

func decodeNumeric(t T, b []byte) (Value, error) {
	if len(b) < 8 {
		return nil, badBinary(t)
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*n {
		return nil, badBinary(t)
	}
	if sign == 0xC000 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "numeric NaN is not supported")
	}
	var ip, fp strings.Builder
	for i := 0; i <= weight; i++ {
		g := 0
		if i < n {
			g = int(binary.BigEndian.Uint16(b[8+2*i:]))
		}
		ip.WriteString(pad4(g))
	}
	for i := weight + 1; i < n; i++ {
		if i < 0 {
			continue
		}
		fp.WriteString(pad4(int(binary.BigEndian.Uint16(b[8+2*i:]))))
	}
	frac := strings.Repeat("0000", max(0, -weight-1)) + fp.String()
	for len(frac) < dscale {
		frac += "0"
	}
	frac = frac[:dscale]
	s := strings.TrimLeft(ip.String(), "0")
	if s == "" {
		s = "0"
	}
	if dscale > 0 {
		s += "." + frac
	}
	if sign == 0x4000 {
		s = "-" + s
	}
	return ParseDecimal(s)
}

func pad4(g int) string {
	s := []byte{'0', '0', '0', '0'}
	for i := 3; i >= 0; i-- {
		s[i] = byte('0' + g%10)
		g /= 10
	}
	return string(s)
}

func decodeArray(et T, b []byte) (Value, error) {
	t := ArrayOf(et)
	if len(b) < 12 {
		return nil, badBinary(t)
	}
	ndim := int(binary.BigEndian.Uint32(b))
	if ndim == 0 {
		return []any{}, nil
	}
	if ndim != 1 || len(b) < 20 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "only one-dimensional arrays are supported")
	}
	n := int(int32(binary.BigEndian.Uint32(b[12:])))
	p := 20
	out := make([]any, 0, n)
	for i := 0; i < n; i++ {
		if p+4 > len(b) {
			return nil, badBinary(t)
		}
		l := int32(binary.BigEndian.Uint32(b[p:]))
		p += 4
		if l < 0 {
			out = append(out, nil)
			continue
		}
		if p+int(l) > len(b) {
			return nil, badBinary(t)
		}
		v, err := DecodeBinary(et, b[p:p+int(l)])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p += int(l)
	}
	return out, nil
}

// FromOID is the type of a PostgreSQL type OID (false when lakeq has none).
func FromOID(oid uint32) (T, bool) {
	switch oid {
	case 0, 705:
		return UnknownT, true
	case 16:
		return BoolT, true
	case 21:
		return Int2T, true
	case 23:
		return Int4T, true
	case 20:
		return Int8T, true
	case 26:
		return OidT, true
	case 700:
		return Float4T, true
	case 701:
		return Float8T, true
	case 1700:
		return NumericT, true
	case 25, 19: // text, name
		return TextT, true
	case 1043:
		return T{Kind: Varchar}, true
	case 1042:
		return T{Kind: Char}, true
	case 17:
		return ByteaT, true
	case 1082:
		return DateT, true
	case 1083:
		return TimeT, true
	case 1114:
		return TimestampT, true
	case 1184:
		return TimestampTZT, true
	case 1186:
		return IntervalT, true
	case 2950:
		return UUIDT, true
	case 114:
		return JSONT, true
	case 3802:
		return JSONBT, true
	}
	for _, e := range []T{BoolT, Int2T, Int4T, Int8T, Float4T, Float8T, NumericT, TextT, {Kind: Varchar}, {Kind: Char}, ByteaT,
		DateT, TimeT, TimestampT, TimestampTZT, IntervalT, UUIDT, JSONT, JSONBT} {
		if a := ArrayOf(e); a.OID() == oid {
			return a, true
		}
	}
	return T{}, false
}

// WireSize is pg_type.typlen: the fixed size in bytes, or -1.
func (t T) WireSize() int16 {
	switch t.Kind {
	case Bool:
		return 1
	case Int2:
		return 2
	case Int4, Float4, Date, Oid:
		return 4
	case Int8, Float8, Time, Timestamp, TimestampTZ:
		return 8
	case Interval, UUID:
		return 16
	}
	return -1
}

// TypeMod is the PostgreSQL type modifier (atttypmod), -1 for none.
func (t T) TypeMod() int32 {
	switch t.Kind {
	case Numeric:
		if t.Prec > 0 {
			return (t.Prec<<16 | t.Scale) + 4
		}
	case Varchar, Char:
		if t.Width > 0 {
			return t.Width + 4
		}
	}
	return -1
}
