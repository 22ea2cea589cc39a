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
					d := types.Decimal{V: decimal128.FromI64(vals[i]), Scale: sc}
					keys[i] = append(keys[i], []byte(normDecimal(d))...)
					keys[i] = append(keys[i], 0)
				}
			}
		case *array.Decimal128:
			// normalise scale so 1.0 and 1.00 group together
			sc := a.DataType().(*arrow.Decimal128Type).Scale
			for i := 0; i < n; i++ {
				if !mark(i) {
					d := types.Decimal{V: a.Value(i), Scale: sc}
					keys[i] = append(keys[i], []byte(normDecimal(d))...)
					keys[i] = append(keys[i], 0)
				}
			}
		case *types.DynNumericArray:
			// per-value scales: 1.5 and 1.50 are one key, as for decimals
			txt := types.DynText(a)
			for i := 0; i < n; i++ {
				if !mark(i) {
					keys[i] = append(keys[i], []byte(normDecimal(types.DynValue(txt, i)))...)
					keys[i] = append(keys[i], 0)
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

func normDecimal(d types.Decimal) string {
	s := d.String()
	if d.Scale > 0 {
		for len(s) > 0 && s[len(s)-1] == '0' {
			s = s[:len(s)-1]
		}
		if len(s) > 0 && s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
	}
	if s == "-0" {
		s = "0"
	}
	return s
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
