package functions

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"math/bits"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// encode/decode, the SHA-2 digests, bit_count, num_nulls/num_nonnulls,
// ^@ and OVERLAPS, as PostgreSQL 15 defines them.

// encodeBytes is encode(bytes, format): base64 in lines of 76
// characters, hex, or escape (NUL, high-bit bytes as \ooo, a backslash
// doubled, everything else as is).
func encodeBytes(b []byte, format string) (string, error) {
	switch strings.ToLower(format) {
	case "base64":
		s := base64.StdEncoding.EncodeToString(b)
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76])
			out.WriteByte('\n')
			s = s[76:]
		}
		out.WriteString(s)
		return out.String(), nil
	case "hex":
		return hex.EncodeToString(b), nil
	case "escape":
		var out strings.Builder
		for _, c := range b {
			switch {
			case c == 0 || c >= 0x80:
				out.WriteByte('\\')
				out.WriteByte('0' + c>>6)
				out.WriteByte('0' + c>>3&7)
				out.WriteByte('0' + c&7)
			case c == '\\':
				out.WriteString(`\\`)
			default:
				out.WriteByte(c)
			}
		}
		return out.String(), nil
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", format)
}

// decodeBytes is decode(text, format).
func decodeBytes(s, format string) ([]byte, error) {
	switch strings.ToLower(format) {
	case "base64":
		return decodeBase64(s)
	case "hex":
		return decodeHex(s)
	case "escape":
		return decodeEscape(s)
	}
	return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unrecognized encoding: \"%s\"", format)
}

// decodeBase64 is PostgreSQL's pg_base64_decode: whitespace skipped, '='
// padding only at the end.
func decodeBase64(s string) ([]byte, error) {
	var out []byte
	var buf uint32
	end, pos := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			continue
		}
		var v int
		switch {
		case c == '=':
			if end == 0 {
				switch pos {
				case 2:
					end = 1
				case 3:
					end = 2
				default:
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unexpected \"=\" while decoding base64 sequence")
				}
			}
			v = 0
		case c >= 'A' && c <= 'Z':
			v = int(c - 'A')
		case c >= 'a' && c <= 'z':
			v = int(c-'a') + 26
		case c >= '0' && c <= '9':
			v = int(c-'0') + 52
		case c == '+':
			v = 62
		case c == '/':
			v = 63
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid symbol \"%c\" found while decoding base64 sequence", r)
		}
		buf = buf<<6 | uint32(v)
		pos++
		if pos == 4 {
			out = append(out, byte(buf>>16))
			if end == 0 || end > 1 {
				out = append(out, byte(buf>>8))
			}
			if end == 0 {
				out = append(out, byte(buf))
			}
			buf, pos = 0, 0
		}
	}
	if pos != 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid base64 end sequence").
			WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// decodeHex is hex_decode: pairs of hex digits, whitespace between them.
func decodeHex(s string) ([]byte, error) {
	out := []byte{}
	digit := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		hi, ok := digit(c)
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal digit: \"%c\"", c)
		}
		if i+1 >= len(s) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
		}
		lo, ok := digit(s[i+1])
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal digit: \"%c\"", s[i+1])
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	return out, nil
}

// decodeEscape is esc_decode: \\ for a backslash, \ooo for a byte.
func decodeEscape(s string) ([]byte, error) {
	out := []byte{}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '\\' {
			out = append(out, '\\')
			i++
			continue
		}
		if i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && s[i+2] >= '0' && s[i+2] <= '7' && s[i+3] >= '0' && s[i+3] <= '7' {
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
			continue
		}
		return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type %s", "bytea")
	}
	return out, nil
}

// overlaps is PostgreSQL's overlaps_timestamp over comparable endpoints:
// each period's endpoints put in order (a NULL one taken as the other),
// then the SQL standard's test, NULL where a NULL endpoint decides it.
func overlaps(ts1, te1, ts2, te2 types.Value) types.Value {
	gt := func(a, b types.Value) bool { return types.Compare(a, b) > 0 }
	lt := func(a, b types.Value) bool { return types.Compare(a, b) < 0 }
	order := func(s, e types.Value) (types.Value, types.Value, bool) {
		if s == nil {
			if e == nil {
				return nil, nil, false
			}
			return e, nil, true
		}
		if e != nil && gt(s, e) {
			return e, s, true
		}
		return s, e, true
	}
	ts1, te1, ok1 := order(ts1, te1)
	ts2, te2, ok2 := order(ts2, te2)
	if !ok1 || !ok2 {
		return nil
	}
	switch {
	case gt(ts1, ts2):
		if te2 == nil {
			return nil
		}
		if lt(ts1, te2) {
			return true
		}
		if te1 == nil {
			return nil
		}
		return false
	case lt(ts1, ts2):
		if te1 == nil {
			return nil
		}
		if lt(ts2, te1) {
			return true
		}
		if te2 == nil {
			return nil
		}
		return false
	}
	if te1 == nil || te2 == nil {
		return nil
	}
	return true
}

func bytesMiscScalars() []*Scalar {
	digest := func(name string, sum func([]byte) []byte) *Scalar {
		return &Scalar{Name: name, Description: name + " digest of the bytes", Overloads: []Overload{
			row([]Arg{aBytea}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) { return sum(a[0].([]byte)), nil }),
		}}
	}
	countNulls := func(wantNull bool) func(*Ctx, []types.Value) (types.Value, error) {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			n := int64(0)
			for _, v := range a {
				if (v == nil) == wantNull {
					n++
				}
			}
			return n, nil
		}
	}
	variadicAny := func(f RowFunc) []Overload {
		return []Overload{{Args: []Arg{aAny}, Variadic: true, Ret: fixed(types.Int4T), Kernel: RowWise(fixed(types.Int4T), false, f)}}
	}
	// overlapsOf makes the overloads of one endpoint type; with interval
	// lengths the end is the start plus the length
	overlapsOf := func(t Arg, plus func(ctx *Ctx, s types.Value, iv types.IntervalVal) types.Value) []Overload {
		end := func(ctx *Ctx, s, e types.Value) types.Value {
			if iv, ok := e.(types.IntervalVal); ok {
				if s == nil {
					return nil
				}
				return plus(ctx, s, iv)
			}
			return e
		}
		f := func(ctx *Ctx, a []types.Value) (types.Value, error) {
			return overlaps(a[0], end(ctx, a[0], a[1]), a[2], end(ctx, a[2], a[3])), nil
		}
		mk := func(args ...Arg) Overload {
			return Overload{Args: args, Ret: fixed(types.BoolT), Kernel: RowWise(fixed(types.BoolT), false, f)}
		}
		out := []Overload{mk(t, t, t, t)}
		if plus != nil {
			out = append(out, mk(t, aIntv, t, aIntv), mk(t, t, t, aIntv), mk(t, aIntv, t, t))
		}
		return out
	}
	tsPlus := func(zoned bool) func(ctx *Ctx, s types.Value, iv types.IntervalVal) types.Value {
		return func(ctx *Ctx, s types.Value, iv types.IntervalVal) types.Value {
			var l *time.Location
			if zoned {
				l = loc(ctx)
			}
			return types.TimestampVal(addInterval(int64(s.(types.TimestampVal)), iv, l))
		}
	}
	timePlus := func(_ *Ctx, s types.Value, iv types.IntervalVal) types.Value {
		const day = 86_400_000_000
		return types.TimeVal(((int64(s.(types.TimeVal))+iv.Micros)%day + day) % day)
	}
	var ov []Overload
	ov = append(ov, overlapsOf(aTS, tsPlus(false))...)
	ov = append(ov, overlapsOf(aTSTZ, tsPlus(true))...)
	ov = append(ov, overlapsOf(aTime, timePlus)...)
	return []*Scalar{
		{Name: "encode", Description: "the bytes as text: base64, hex or escape", Overloads: []Overload{
			row([]Arg{aBytea, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return encodeBytes(a[0].([]byte), a[1].(string))
			}),
		}},
		{Name: "decode", Description: "bytes from text in base64, hex or escape", Overloads: []Overload{
			row([]Arg{aText, aText}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return decodeBytes(a[0].(string), a[1].(string))
			}),
		}},
		{Name: "md5", Description: "MD5 digest as hex text", Overloads: []Overload{
			row([]Arg{aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				s := md5.Sum([]byte(a[0].(string)))
				return hex.EncodeToString(s[:]), nil
			}),
			row([]Arg{aBytea}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				s := md5.Sum(a[0].([]byte))
				return hex.EncodeToString(s[:]), nil
			}),
		}},
		digest("sha224", func(b []byte) []byte { s := sha256.Sum224(b); return s[:] }),
		digest("sha256", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }),
		digest("sha384", func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }),
		digest("sha512", func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }),
		{Name: "bit_count", Description: "number of bits set", Overloads: []Overload{
			row([]Arg{aBytea}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				n := 0
				for _, c := range a[0].([]byte) {
					n += bits.OnesCount8(c)
				}
				return int64(n), nil
			}),
		}},
		{Name: "num_nulls", Description: "number of NULL arguments", Overloads: variadicAny(countNulls(true))},
		{Name: "num_nonnulls", Description: "number of non-NULL arguments", Overloads: variadicAny(countNulls(false))},
		{Name: "^@", Description: "starts with", Overloads: []Overload{
			row([]Arg{aText, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return strings.HasPrefix(a[0].(string), a[1].(string)), nil
			}),
		}},
		{Name: "overlaps", Description: "whether two periods overlap (SQL's OVERLAPS)", Overloads: ov},
	}
}

// byteaOverloads are bytea's forms of substring, position and the trims
// beside text's, and get_byte/set_byte.
func byteaOverloads() map[string][]Overload {
	sub := func(_ *Ctx, a []types.Value) (types.Value, error) {
		b := a[0].([]byte)
		from := a[1].(int64)
		end := int64(len(b)) + 1
		if len(a) > 2 {
			n := a[2].(int64)
			if n < 0 {
				return nil, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
			}
			end = from + n
		}
		lo, hi := max(from, 1), min(end, int64(len(b))+1)
		if lo >= hi {
			return []byte{}, nil
		}
		return append([]byte{}, b[lo-1:hi-1]...), nil
	}
	trim := func(left, right bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			b, set := a[0].([]byte), a[1].([]byte)
			in := func(c byte) bool { return bytes.IndexByte(set, c) >= 0 }
			lo, hi := 0, len(b)
			for left && lo < hi && in(b[lo]) {
				lo++
			}
			for right && hi > lo && in(b[hi-1]) {
				hi--
			}
			return append([]byte{}, b[lo:hi]...), nil
		}
	}
	return map[string][]Overload{
		"substring": {row([]Arg{aBytea, aInt4}, types.ByteaT, sub), row([]Arg{aBytea, aInt4, aInt4}, types.ByteaT, sub)},
		"position": {row([]Arg{aBytea, aBytea}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return int64(bytes.Index(a[0].([]byte), a[1].([]byte)) + 1), nil
		})},
		"btrim": {row([]Arg{aBytea, aBytea}, types.ByteaT, trim(true, true))},
		"ltrim": {row([]Arg{aBytea, aBytea}, types.ByteaT, trim(true, false))},
		"rtrim": {row([]Arg{aBytea, aBytea}, types.ByteaT, trim(false, true))},
		"get_byte": {row([]Arg{aBytea, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			b, i := a[0].([]byte), a[1].(int64)
			if i < 0 || i >= int64(len(b)) {
				return nil, sqlerr.New(sqlerr.ArraySubscriptError, "index %d out of valid range, 0..%d", i, len(b)-1)
			}
			return int64(b[i]), nil
		})},
		"set_byte": {row([]Arg{aBytea, aInt4, aInt4}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			b, i := append([]byte{}, a[0].([]byte)...), a[1].(int64)
			if i < 0 || i >= int64(len(b)) {
				return nil, sqlerr.New(sqlerr.ArraySubscriptError, "index %d out of valid range, 0..%d", i, len(b)-1)
			}
			b[i] = byte(a[2].(int64))
			return b, nil
		})},
	}
}
