package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/types"
)

// Days and microseconds between PostgreSQL's epoch (2000-01-01) and
// Arrow's (1970-01-01).
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// decoderFor picks a column's result format and connectors.Decoder: PostgreSQL's
// binary format, read straight into the column's Arrow builder without
// boxing, for booleans, integers, floats, text, bytea, dates and
// timestamps (most of what a bulk read moves); its text format, parsed by
// lakeq's input functions, for the rest (numeric, time, interval, uuid,
// json, arrays, char(n)).
func decoderFor(t types.T) (int16, connectors.Decoder) {
	fixed := func(n int, f connectors.Decoder) connectors.Decoder {
		return func(b array.Builder, raw []byte) error {
			if len(raw) != n {
				return fmt.Errorf("%d bytes for a %s", len(raw), t)
			}
			return f(b, raw)
		}
	}
	switch t.Kind {
	case types.Bool:
		return pgx.BinaryFormatCode, fixed(1, func(b array.Builder, raw []byte) error {
			b.(*array.BooleanBuilder).Append(raw[0] != 0)
			return nil
		})
	case types.Int2:
		return pgx.BinaryFormatCode, fixed(2, func(b array.Builder, raw []byte) error {
			b.(*array.Int16Builder).Append(int16(binary.BigEndian.Uint16(raw)))
			return nil
		})
	case types.Int4:
		return pgx.BinaryFormatCode, fixed(4, func(b array.Builder, raw []byte) error {
			b.(*array.Int32Builder).Append(int32(binary.BigEndian.Uint32(raw)))
			return nil
		})
	case types.Int8:
		return pgx.BinaryFormatCode, fixed(8, func(b array.Builder, raw []byte) error {
			b.(*array.Int64Builder).Append(int64(binary.BigEndian.Uint64(raw)))
			return nil
		})
	case types.Float4:
		return pgx.BinaryFormatCode, fixed(4, func(b array.Builder, raw []byte) error {
			b.(*array.Float32Builder).Append(math.Float32frombits(binary.BigEndian.Uint32(raw)))
			return nil
		})
	case types.Float8:
		return pgx.BinaryFormatCode, fixed(8, func(b array.Builder, raw []byte) error {
			b.(*array.Float64Builder).Append(math.Float64frombits(binary.BigEndian.Uint64(raw)))
			return nil
		})
	case types.Text, types.Varchar, types.JSON:
		// text's binary form is its bytes (varchar(n) never exceeds n)
		return pgx.BinaryFormatCode, func(b array.Builder, raw []byte) error {
			b.(*array.StringBuilder).BinaryBuilder.Append(raw)
			return nil
		}
	case types.Bytea:
		return pgx.BinaryFormatCode, func(b array.Builder, raw []byte) error {
			b.(*array.BinaryBuilder).Append(raw)
			return nil
		}
	case types.Numeric:
		if t.Dyn || t.Prec == 0 {
			break // each value keeps its own scale: the text form says it
		}
		small := t.Small()
		return pgx.BinaryFormatCode, func(b array.Builder, raw []byte) error {
			n, err := pgNumeric(raw, t.Scale)
			if err != nil {
				return err
			}
			if small {
				b.(*array.Decimal64Builder).Append(decimal.Decimal64(int64(n.LowBits())))
			} else {
				b.(*array.Decimal128Builder).Append(n)
			}
			return nil
		}
	case types.Date:
		return pgx.BinaryFormatCode, fixed(4, func(b array.Builder, raw []byte) error {
			d := int32(binary.BigEndian.Uint32(raw))
			if d == math.MaxInt32 || d == math.MinInt32 {
				return fmt.Errorf("date out of range: infinity")
			}
			b.(*array.Date32Builder).Append(arrow.Date32(d + pgEpochDays))
			return nil
		})
	case types.Timestamp, types.TimestampTZ:
		return pgx.BinaryFormatCode, fixed(8, func(b array.Builder, raw []byte) error {
			us := int64(binary.BigEndian.Uint64(raw))
			if us == math.MaxInt64 || us == math.MinInt64 {
				return fmt.Errorf("timestamp out of range: infinity")
			}
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(us + pgEpochMicros))
			return nil
		})
	}
	return pgx.TextFormatCode, func(b array.Builder, raw []byte) error {
		v, err := types.ParseText(t, string(raw), time.UTC)
		if err != nil {
			return err
		}
		types.AppendValue(b, v)
		return nil
	}
}

// pgNumeric decodes PostgreSQL's binary numeric — ndigits, weight, sign
// and dscale, then base-10000 digits, the first worth 10000^weight — into
// the unscaled integer of a value at scale (a numeric(p,s) column's
// values never have more fraction digits than s).
func pgNumeric(raw []byte, scale int32) (decimal128.Num, error) {
	if len(raw) < 8 {
		return decimal128.Num{}, fmt.Errorf("numeric of %d bytes", len(raw))
	}
	nd := int(binary.BigEndian.Uint16(raw))
	weight := int(int16(binary.BigEndian.Uint16(raw[2:])))
	sign := binary.BigEndian.Uint16(raw[4:])
	if len(raw) != 8+2*nd {
		return decimal128.Num{}, fmt.Errorf("numeric of %d bytes for %d digits", len(raw), nd)
	}
	switch sign {
	case 0x0000, 0x4000:
	case 0xC000:
		return decimal128.Num{}, fmt.Errorf("NaN is not a value of numeric(p,s) in lakeq")
	default:
		return decimal128.Num{}, fmt.Errorf("infinity is not a value of numeric(p,s) in lakeq")
	}
	if v, ok := smallNumeric(raw[8:], nd, weight, scale); ok {
		if sign == 0x4000 {
			v = -v
		}
		return decimal128.FromI64(v), nil
	}
	acc := decimal128.Num{}
	base := decimal128.FromU64(10000)
	for i := 0; i < nd; i++ {
		d := binary.BigEndian.Uint16(raw[8+2*i:])
		acc = acc.Mul(base).Add(decimal128.FromU64(uint64(d)))
	}
	if nd > 0 {
		// acc is the value times 10^exp
		exp := 4 * (nd - 1 - weight)
		shift := int(scale) - exp
		if shift > 38 || shift < -38 {
			return decimal128.Num{}, fmt.Errorf("numeric value out of range")
		}
		switch {
		case shift > 0:
			acc = acc.Mul(decimal128.GetScaleMultiplier(shift))
		case shift < 0:
			acc, _ = acc.Div(decimal128.GetScaleMultiplier(-shift))
		}
	}
	if sign == 0x4000 {
		acc = acc.Negate()
	}
	return acc, nil
}

var pow10u64 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// smallNumeric is pgNumeric's common case in 64-bit integers: at most four
// base-10000 digits whose scaled value fits an int64 (false otherwise).
func smallNumeric(digits []byte, nd, weight int, scale int32) (int64, bool) {
	if nd > 4 {
		return 0, false
	}
	var acc uint64
	for i := 0; i < nd; i++ {
		acc = acc*10000 + uint64(binary.BigEndian.Uint16(digits[2*i:]))
	}
	if nd == 0 {
		return 0, true
	}
	shift := int(scale) - 4*(nd-1-weight)
	switch {
	case shift > 0:
		if shift >= len(pow10u64) {
			return 0, false
		}
		hi, lo := bits.Mul64(acc, pow10u64[shift])
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		acc = lo
	case shift < 0:
		if -shift >= len(pow10u64) {
			return 0, false
		}
		acc /= pow10u64[-shift]
	}
	if acc > math.MaxInt64 {
		return 0, false
	}
	return int64(acc), true
}
