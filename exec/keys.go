package exec

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// encodeKeys appends a byte encoding of each row's key columns to keys[i].
// Equal SQL values of the same type encode equally (integers by value,
// -0 as 0, one NaN). hasNull[i] is set when any key of row i is NULL.
func encodeKeys(cols []arrow.Array, ts []types.T, n int, keys [][]byte, hasNull []bool) {
	presize(cols, n, keys)
	for c, col := range cols {
		t := ts[c]
		nulls := col.NullN() > 0
		mark := func(i int) bool {
			if nulls && col.IsNull(i) {
				keys[i] = append(keys[i], 0)
				hasNull[i] = true
				return true
			}
			keys[i] = append(keys[i], 1)
			return false
		}
		switch a := col.(type) {
		case *array.Int16:
			for i, v := range a.Int16Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], uint64(v))
				}
			}
		case *array.Int32:
			for i, v := range a.Int32Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], uint64(v))
				}
			}
		case *array.Int64:
			for i, v := range a.Int64Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], uint64(v))
				}
			}
		case *array.Float64:
			for i, v := range a.Float64Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], floatKey(v))
				}
			}
		case *array.Float32:
			for i, v := range a.Float32Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], floatKey(float64(v)))
				}
			}
		case *array.Date32:
			for i, v := range a.Date32Values()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint32(keys[i], uint32(v))
				}
			}
		case *array.Timestamp:
			for i, v := range a.TimestampValues()[:n] {
				if !mark(i) {
					keys[i] = binary.LittleEndian.AppendUint64(keys[i], uint64(v))
				}
			}
		case *array.Decimal64:
			// same encoding as 128-bit decimals: equal values, equal keys
			sc := a.DataType().(*arrow.Decimal64Type).Scale
			vals := types.Values[int64](a)
			for i := 0; i < n; i++ {
				if !mark(i) {
					keys[i] = appendDecimal64Key(keys[i], vals[i], sc)
				}
			}
		case *array.Decimal128:
			// normalise scale so 1.0 and 1.00 group together
			sc := a.DataType().(*arrow.Decimal128Type).Scale
			for i := 0; i < n; i++ {
				if !mark(i) {
					keys[i] = appendDecimalKey(keys[i], types.Decimal{V: a.Value(i), Scale: sc})
				}
			}
		case *types.DynNumericArray:
			// per-value scales: 1.5 and 1.50 are one key, as for decimals
			txt := types.DynText(a)
			for i := 0; i < n; i++ {
				if !mark(i) {
					keys[i] = appendDecimalKey(keys[i], types.DynValue(txt, i))
				}
			}
		case *array.String:
			for i := 0; i < n; i++ {
				if !mark(i) {
					s := a.Value(i)
					keys[i] = binary.LittleEndian.AppendUint32(keys[i], uint32(len(s)))
					keys[i] = append(keys[i], s...)
				}
			}
		case *array.Boolean:
			for i := 0; i < n; i++ {
				if !mark(i) {
					if a.Value(i) {
						keys[i] = append(keys[i], 1)
					} else {
						keys[i] = append(keys[i], 0)
					}
				}
			}
		default:
			for i := 0; i < n; i++ {
				if !mark(i) {
					s := types.FormatText(t, types.GetValue(t, col, i))
					keys[i] = binary.LittleEndian.AppendUint32(keys[i], uint32(len(s)))
					keys[i] = append(keys[i], s...)
				}
			}
		}
	}
}

// presize points each empty keys[i] into one shared buffer, with room
// for its whole encoding, so that encoding appends in place instead of
// allocating and growing a slice per row. Sizes are exact for fixed-width
// and string keys; other types get a guess, and a row that outgrows it
// reallocates on its own (append past capacity never touches a neighbour).
func presize(cols []arrow.Array, n int, keys [][]byte) {
	sizes := make([]int, n)
	for _, col := range cols {
		switch a := col.(type) {
		case *array.String:
			offs := a.ValueOffsets()
			for i := range sizes {
				sizes[i] += 5 + int(offs[i+1]-offs[i])
			}
			continue
		case *array.Boolean:
			for i := range sizes {
				sizes[i] += 2
			}
			continue
		case *array.Date32:
			for i := range sizes {
				sizes[i] += 5
			}
			continue
		case *array.Int16, *array.Int32, *array.Int64, *array.Float32, *array.Float64, *array.Timestamp:
			for i := range sizes {
				sizes[i] += 9
			}
			continue
		}
		for i := range sizes {
			sizes[i] += 24
		}
	}
	total := 0
	for _, sz := range sizes {
		total += sz
	}
	buf := make([]byte, total)
	off := 0
	for i := range sizes {
		if len(keys[i]) == 0 {
			keys[i] = buf[off : off : off+sizes[i]]
		}
		off += sizes[i]
	}
}

func floatKey(v float64) uint64 {
	if v == 0 {
		return 0
	}
	if math.IsNaN(v) {
		return 0x7ff8000000000001
	}
	return math.Float64bits(v)
}

// appendDecimalKey encodes a numeric key so that equal values of any
// scale encode alike (1.5 = 1.50): the unscaled value with its trailing
// decimal zeros stripped, as 16 bytes, then the scale left. Values that
// fit 64 bits take appendDecimal64Key's integer path.
func appendDecimalKey(k []byte, d types.Decimal) []byte {
	v, sc := d.V, d.Scale
	if hi, lo := v.HighBits(), v.LowBits(); (hi == 0 && lo>>63 == 0) || (hi == -1 && lo>>63 == 1) {
		return appendDecimal64Key(k, int64(lo), sc)
	}
	ten := decimal128.FromI64(10)
	for sc > 0 {
		q, r := v.Div(ten)
		if r != (decimal128.Num{}) {
			break
		}
		v, sc = q, sc-1
	}
	return appendDecimalBits(k, v.HighBits(), v.LowBits(), sc)
}

// appendDecimal64Key is appendDecimalKey for an unscaled int64.
func appendDecimal64Key(k []byte, v int64, sc int32) []byte {
	for sc > 0 && v%10 == 0 {
		if v == 0 {
			sc = 0
			break
		}
		v /= 10
		sc--
	}
	hi := int64(0)
	if v < 0 {
		hi = -1
	}
	return appendDecimalBits(k, hi, uint64(v), sc)
}

func appendDecimalBits(k []byte, hi int64, lo uint64, sc int32) []byte {
	k = binary.LittleEndian.AppendUint64(k, lo)
	k = binary.LittleEndian.AppendUint64(k, uint64(hi))
	return binary.LittleEndian.AppendUint32(k, uint32(sc))
}

// EncodeRows returns one key string per row over all columns of r.
func EncodeRows(r arrow.Record, ts []types.T) []string {
	n := int(r.NumRows())
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(r.Columns(), ts, n, keys, nulls)
	out := make([]string, n)
	for i, k := range keys {
		out[i] = string(k)
	}
	return out
}
