package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/types"
)

// decoder appends one non-NULL value, as PostgreSQL sent it, to b.
type decoder func(b array.Builder, raw []byte) error

// Days and microseconds between PostgreSQL's epoch (2000-01-01) and
// Arrow's (1970-01-01).
const (
	pgEpochDays   = 10957
	pgEpochMicros = pgEpochDays * 86400 * 1_000_000
)

// decoderFor picks a column's result format and decoder: PostgreSQL's
// binary format, read straight into the column's Arrow builder without
// boxing, for booleans, integers, floats, text, bytea, dates and
// timestamps (most of what a bulk read moves); its text format, parsed by
// lakeq's input functions, for the rest (numeric, time, interval, uuid,
// json, arrays, char(n)).
func decoderFor(t types.T) (int16, decoder) {
	fixed := func(n int, f decoder) decoder {
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
