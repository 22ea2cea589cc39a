package types

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Helpers over Arrow arrays used by kernels and operators. They read and
// write value buffers directly; arrays they return own Go-allocated
// buffers (the GC frees them), so Release on them is optional.

// Fixed is the set of fixed-width Go types kernels loop over.
type Fixed interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

// Values returns the typed value slice of a fixed-width array (offset applied).
func Values[E arrow.FixedWidthType](a arrow.Array) []E {
	d := a.Data()
	buf := d.Buffers()[1]
	if buf == nil {
		return make([]E, a.Len())
	}
	all := arrow.GetData[E](buf.Bytes())
	return all[d.Offset() : d.Offset()+d.Len()]
}

// NewFixedArray wraps vals (taken over, not copied) as an array of dt.
func NewFixedArray[E arrow.FixedWidthType](dt arrow.DataType, vals []E, validity []byte, nulls int) arrow.Array {
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nulls = 0
	}
	d := array.NewData(dt, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(arrow.GetBytes(vals))}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// NewBoolArray packs bools into a Boolean array.
func NewBoolArray(vals []bool, validity []byte, nulls int) arrow.Array {
	bits := make([]byte, bitutil.BytesForBits(int64(len(vals))))
	for i, v := range vals {
		if v {
			bits[i>>3] |= 1 << (uint(i) & 7)
		}
	}
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nulls = 0
	}
	d := array.NewData(arrow.FixedWidthTypes.Boolean, len(vals), []*memory.Buffer{vb, memory.NewBufferBytes(bits)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// ValidityBits returns a fresh offset-0 validity bitmap for a, or nil when
// a has no nulls.
func ValidityBits(a arrow.Array) []byte {
	if a.NullN() == 0 {
		return nil
	}
	if _, ok := a.(*array.Null); ok {
		return make([]byte, bitutil.BytesForBits(int64(a.Len())))
	}
	d := a.Data()
	out := make([]byte, bitutil.BytesForBits(int64(a.Len())))
	bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), a.Len(), out, 0)
	return out
}

// AndValidity intersects the validity of arrays of length n: the result
// bitmap (nil when no nulls) and its null count.
func AndValidity(n int, arrs ...arrow.Array) ([]byte, int) {
	var out []byte
	for _, a := range arrs {
		if a.NullN() == 0 {
			continue
		}
		if out == nil {
			out = ValidityBits(a)
			continue
		}
		if _, ok := a.(*array.Null); ok {
			for i := range out {
				out[i] = 0
			}
			continue
		}
		d := a.Data()
		bitutil.BitmapAnd(out, d.Buffers()[0].Bytes(), 0, int64(d.Offset()), out, 0, int64(n))
	}
	if out == nil {
		return nil, 0
	}
	return out, n - bitutil.CountSetBits(out, 0, n)
}

// BoolValues unpacks a Boolean array into []bool (NULL reads as false).
func BoolValues(a arrow.Array) []bool {
	out := make([]bool, a.Len())
	switch b := a.(type) {
	case *array.Boolean:
		for i := range out {
			out[i] = b.Value(i) && b.IsValid(i)
		}
	}
	return out
}

// Take gathers elements of a at the given row indices; a negative index yields NULL.
func Take(t T, a arrow.Array, idx []int32) arrow.Array {
	if d, ok := a.(*DynNumericArray); ok {
		s := Take(TextT, DynText(d), idx)
		defer s.Release()
		return WrapDyn(s.(*array.String))
	}
	n := len(idx)
	var validity []byte
	nulls := 0
	needValid := a.NullN() > 0
	for _, i := range idx {
		if i < 0 {
			needValid = true
			break
		}
	}
	if needValid {
		validity = make([]byte, bitutil.BytesForBits(int64(n)))
		for j, i := range idx {
			if i >= 0 && a.IsValid(int(i)) {
				validity[j>>3] |= 1 << (uint(j) & 7)
			} else {
				nulls++
			}
		}
	}
	switch arr := a.(type) {
	case *array.Int16:
		return takeFixed(a.DataType(), Values[int16](arr), idx, validity, nulls)
	case *array.Int32:
		return takeFixed(a.DataType(), Values[int32](arr), idx, validity, nulls)
	case *array.Int64:
		return takeFixed(a.DataType(), Values[int64](arr), idx, validity, nulls)
	case *array.Uint32:
		return takeFixed(a.DataType(), Values[uint32](arr), idx, validity, nulls)
	case *array.Float32:
		return takeFixed(a.DataType(), Values[float32](arr), idx, validity, nulls)
	case *array.Float64:
		return takeFixed(a.DataType(), Values[float64](arr), idx, validity, nulls)
	case *array.Date32:
		return takeFixed(a.DataType(), Values[arrow.Date32](arr), idx, validity, nulls)
	case *array.Time64:
		return takeFixed(a.DataType(), Values[arrow.Time64](arr), idx, validity, nulls)
	case *array.Timestamp:
		return takeFixed(a.DataType(), Values[arrow.Timestamp](arr), idx, validity, nulls)
	case *array.Decimal128:
		return takeFixed(a.DataType(), Values[decimal128.Num](arr), idx, validity, nulls)
	case *array.Decimal64:
		return takeFixed(a.DataType(), Values[int64](arr), idx, validity, nulls)
	case *array.MonthDayNanoInterval:
		return takeFixed(a.DataType(), Values[arrow.MonthDayNanoInterval](arr), idx, validity, nulls)
	case *array.Boolean:
		vals := make([]bool, n)
		for j, i := range idx {
			if i >= 0 {
				vals[j] = arr.Value(int(i))
			}
		}
		return NewBoolArray(vals, validity, nulls)
	case *array.String:
		size := 0
		for _, i := range idx {
			if i >= 0 {
				size += arr.ValueLen(int(i))
			}
		}
		offsets := NoZero[int32](n + 1)
		offsets[0] = 0
		data := NoZero[byte](size)[:0]
		offs, src := StringWindow(arr)
		for j, i := range idx {
			if i >= 0 {
				data = append(data, src[offs[i]:offs[i+1]]...)
			}
			offsets[j+1] = int32(len(data))
		}
		return NewStringArray(offsets, data, validity, nulls)
	}
	b := array.NewBuilder(memory.DefaultAllocator, a.DataType())
	defer b.Release()
	b.Reserve(n)
	for _, i := range idx {
		if i < 0 {
			b.AppendNull()
		} else {
			AppendValue(b, GetValue(t, a, int(i)))
		}
	}
	return b.NewArray()
}

// Run is a range [Start, End) of row positions.
type Run struct{ Start, End int32 }

// TakeRuns is Take for positions given as ascending runs totalling n rows:
// a filter that keeps most rows selects long runs, and copying a run is a
// memmove rather than a gather. Types without a run path take row by row.
func TakeRuns(t T, a arrow.Array, runs []Run, n int) arrow.Array {
	if d, ok := a.(*DynNumericArray); ok {
		s := TakeRuns(TextT, DynText(d), runs, n)
		defer s.Release()
		return WrapDyn(s.(*array.String))
	}
	var validity []byte
	nulls := 0
	if a.NullN() > 0 {
		validity = make([]byte, bitutil.BytesForBits(int64(n)))
		j := 0
		for _, r := range runs {
			for i := r.Start; i < r.End; i++ {
				if a.IsValid(int(i)) {
					validity[j>>3] |= 1 << (uint(j) & 7)
				} else {
					nulls++
				}
				j++
			}
		}
	}
	switch arr := a.(type) {
	case *array.Int16:
		return NewFixedArray(a.DataType(), copyRuns(Values[int16](arr), runs, n), validity, nulls)
	case *array.Int32:
		return NewFixedArray(a.DataType(), copyRuns(Values[int32](arr), runs, n), validity, nulls)
	case *array.Int64:
		return NewFixedArray(a.DataType(), copyRuns(Values[int64](arr), runs, n), validity, nulls)
	case *array.Float64:
		return NewFixedArray(a.DataType(), copyRuns(Values[float64](arr), runs, n), validity, nulls)
	case *array.Date32:
		return NewFixedArray(a.DataType(), copyRuns(Values[arrow.Date32](arr), runs, n), validity, nulls)
	case *array.Timestamp:
		return NewFixedArray(a.DataType(), copyRuns(Values[arrow.Timestamp](arr), runs, n), validity, nulls)
	case *array.Decimal128:
		return NewFixedArray(a.DataType(), copyRuns(Values[decimal128.Num](arr), runs, n), validity, nulls)
	case *array.Decimal64:
		return NewFixedArray(a.DataType(), copyRuns(Values[int64](arr), runs, n), validity, nulls)
	case *array.String:
		offs, src := StringWindow(arr)
		size := 0
		for _, r := range runs {
			size += int(offs[r.End] - offs[r.Start])
		}
		offsets := NoZero[int32](n + 1)
		offsets[0] = 0
		data := NoZero[byte](size)[:0]
		j := 0
		for _, r := range runs {
			shift := int32(len(data)) - offs[r.Start]
			for i := r.Start; i < r.End; i++ {
				offsets[j+1] = offs[i+1] + shift
				j++
			}
			data = append(data, src[offs[r.Start]:offs[r.End]]...)
		}
		return NewStringArray(offsets, data, validity, nulls)
	}
	idx := make([]int32, 0, n)
	for _, r := range runs {
		for i := r.Start; i < r.End; i++ {
			idx = append(idx, i)
		}
	}
	return Take(t, a, idx)
}

func copyRuns[E arrow.FixedWidthType](vals []E, runs []Run, n int) []E {
	out := NoZero[E](n)[:0] // the runs fill it
	for _, r := range runs {
		out = append(out, vals[r.Start:r.End]...)
	}
	return out
}

func takeFixed[E arrow.FixedWidthType](dt arrow.DataType, vals []E, idx []int32, validity []byte, nulls int) arrow.Array {
	out := NoZero[E](len(idx))
	var zero E
	for j, i := range idx {
		if i >= 0 {
			out[j] = vals[i]
		} else {
			out[j] = zero
		}
	}
	return NewFixedArray(dt, out, validity, nulls)
}

// ConstArray makes an array of n copies of v.
func ConstArray(t T, v Value, n int) arrow.Array {
	dt := t.Arrow()
	if v == nil {
		validity := make([]byte, bitutil.BytesForBits(int64(n)))
		switch t.Kind {
		case Int2:
			return NewFixedArray(dt, make([]int16, n), validity, n)
		case Int4:
			return NewFixedArray(dt, make([]int32, n), validity, n)
		case Int8:
			return NewFixedArray(dt, make([]int64, n), validity, n)
		case Float8:
			return NewFixedArray(dt, make([]float64, n), validity, n)
		case Bool:
			return NewBoolArray(make([]bool, n), validity, n)
		}
	} else {
		switch t.Kind {
		case Int2:
			return NewFixedArray(dt, fill(int16(v.(int64)), n), nil, 0)
		case Int4:
			return NewFixedArray(dt, fill(int32(v.(int64)), n), nil, 0)
		case Int8:
			return NewFixedArray(dt, fill(v.(int64), n), nil, 0)
		case Float8:
			return NewFixedArray(dt, fill(v.(float64), n), nil, 0)
		case Bool:
			return NewBoolArray(fill(v.(bool), n), nil, 0)
		case Date:
			return NewFixedArray(dt, fill(arrow.Date32(v.(DateVal)), n), nil, 0)
		case Timestamp, TimestampTZ:
			return NewFixedArray(dt, fill(arrow.Timestamp(v.(TimestampVal)), n), nil, 0)
		case Time:
			return NewFixedArray(dt, fill(arrow.Time64(v.(TimeVal)), n), nil, 0)
		case Float4:
			return NewFixedArray(dt, fill(float32(v.(float64)), n), nil, 0)
		case Numeric:
			if t.Dyn {
				break // the builder writes each value's text
			}
			d := v.(Decimal)
			if want := DecimalScale(dt); d.Scale != want {
				d, _ = d.Rescale(want)
			}
			if t.Small() {
				return NewFixedArray(dt, fill(int64(d.V.LowBits()), n), nil, 0)
			}
			return NewFixedArray(dt, fill(d.V, n), nil, 0)
		case Text, Varchar, Char, Unknown, JSON, JSONB, UUID:
			s := v.(string)
			offsets := make([]int32, n+1)
			data := make([]byte, 0, len(s)*n)
			for i := 0; i < n; i++ {
				data = append(data, s...)
				offsets[i+1] = int32(len(data))
			}
			d := array.NewData(dt, n, []*memory.Buffer{nil, memory.NewBufferBytes(arrow.GetBytes(offsets)), memory.NewBufferBytes(data)}, nil, 0, 0)
			defer d.Release()
			return array.MakeFromData(d)
		}
	}
	b := array.NewBuilder(memory.DefaultAllocator, dt)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		AppendValue(b, v)
	}
	return b.NewArray()
}

func fill[E any](v E, n int) []E {
	out := make([]E, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// BuildArray makes an array of type t from scalars.
func BuildArray(t T, vals []Value) arrow.Array {
	b := array.NewBuilder(memory.DefaultAllocator, t.Arrow())
	defer b.Release()
	b.Reserve(len(vals))
	if sb, ok := b.(*array.StringBuilder); ok && appendStrings(sb, vals) {
		return b.NewArray()
	}
	for _, v := range vals {
		AppendValue(b, v)
	}
	return b.NewArray()
}

// appendStrings appends vals to sb when every one is a string or NULL,
// their bytes reserved at once (an aggregate's text group keys grew the
// data buffer by doubling, value by value through AppendValue); false,
// with nothing appended, otherwise.
func appendStrings(sb *array.StringBuilder, vals []Value) bool {
	n := 0
	for _, v := range vals {
		switch s := v.(type) {
		case string:
			n += len(s)
		case nil:
		default:
			return false
		}
	}
	sb.ReserveData(n)
	for _, v := range vals {
		if v == nil {
			sb.AppendNull()
			continue
		}
		sb.Append(v.(string))
	}
	return true
}

// DecimalScale is the scale of a Decimal64 or Decimal128 Arrow type.
func DecimalScale(dt arrow.DataType) int32 {
	switch d := dt.(type) {
	case *arrow.Decimal64Type:
		return d.Scale
	case *arrow.Decimal128Type:
		return d.Scale
	case *arrow.Decimal32Type:
		return d.Scale
	}
	return 0
}

// Decimal128Of returns a decimal array as Decimal128 (widening a
// Decimal64 one; others as they are) — for paths without a 64-bit case.
func Decimal128Of(a arrow.Array) *array.Decimal128 {
	switch x := a.(type) {
	case *array.Decimal128:
		return x
	case *array.Decimal64:
		vals := Values[int64](x)
		out := make([]decimal128.Num, len(vals))
		for i, v := range vals {
			out[i] = decimal128.New(v>>63, uint64(v))
		}
		return NewFixedArray(&arrow.Decimal128Type{Precision: 38, Scale: x.DataType().(*arrow.Decimal64Type).Scale}, out, ValidityBits(x), x.NullN()).(*array.Decimal128)
	}
	return nil
}

// NewStringArray wraps offsets (n+1 of them) and data (taken over, not
// copied) as a String array; validity is ignored when nulls is 0.
func NewStringArray(offsets []int32, data []byte, validity []byte, nulls int) arrow.Array {
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(validity)
	}
	d := array.NewData(arrow.BinaryTypes.String, len(offsets)-1, []*memory.Buffer{vb, memory.NewBufferBytes(arrow.GetBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// StringWindow returns the visible window of a string array: offs has
// Len()+1 entries and value i is data[offs[i]:offs[i+1]]. Arrow's
// ValueOffsets are positions in the whole value buffer, while ValueBytes
// starts at the first visible value, so in a sliced array (Parquet hands
// these over) the two never index each other directly; kernels take both
// from here instead.
func StringWindow(a *array.String) (offs []int32, data []byte) {
	return a.ValueOffsets(), valueBuffer(a.Data())
}

// BinaryWindow is StringWindow for a binary array.
func BinaryWindow(a *array.Binary) (offs []int32, data []byte) {
	return a.ValueOffsets(), valueBuffer(a.Data())
}

func valueBuffer(d arrow.ArrayData) []byte {
	bufs := d.Buffers()
	if len(bufs) < 3 || bufs[2] == nil {
		return nil
	}
	return bufs[2].Bytes()
}
