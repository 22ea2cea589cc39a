package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// Shared null and row handling, so a function author writes only the
// per-value logic (DuckDB's UnaryExecutor / BinaryExecutor).

// valid reports whether row i is valid under an offset-0 validity bitmap.
func valid(validity []byte, i int) bool {
	return validity == nil || validity[i>>3]&(1<<(uint(i)&7)) != 0
}

// RowFunc is per-row logic over scalar values.
type RowFunc func(ctx *Ctx, args []types.Value) (types.Value, error)

// RowWise lifts per-row logic into a kernel. When strict, a NULL argument
// yields NULL without calling f. Used for functions whose cost is
// dominated by the per-value work (string formatting, regexes, dates).
func RowWise(ret func([]types.T) types.T, strict bool, f RowFunc) Kernel {
	return rowWiseTyped(ret, nil, strict, f)
}

func rowWiseTyped(ret func([]types.T) types.T, argTypes []types.T, strict bool, f RowFunc) Kernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		ats := argTypes
		if ats == nil {
			ats = make([]types.T, len(args))
			for i, a := range args {
				t, err := types.FromArrow(a.DataType())
				if err != nil {
					t = types.TextT
				}
				ats[i] = t
			}
		}
		rt := ret(ats)
		b := array.NewBuilder(memory.DefaultAllocator, rt.Arrow())
		defer b.Release()
		b.Reserve(n)
		vals := make([]types.Value, len(args))
	rows:
		for i := 0; i < n; i++ {
			for j, a := range args {
				vals[j] = types.GetValue(ats[j], a, i)
				if strict && vals[j] == nil {
					b.AppendNull()
					continue rows
				}
			}
			v, err := f(ctx, vals)
			if err != nil {
				return nil, err
			}
			types.AppendValue(b, v)
		}
		return b.NewArray(), nil
	}
}

// mapFixed applies f to each valid element of a fixed-width array.
func mapFixed[I, O arrow.FixedWidthType](dt arrow.DataType, a arrow.Array, f func(I) (O, error)) (arrow.Array, error) {
	in := types.Values[I](a)
	validity := types.ValidityBits(a)
	out := types.NoZero[O](len(in))
	var zero O
	for i, x := range in {
		if !valid(validity, i) {
			out[i] = zero // a NULL's value is 0, not what the memory held
			continue
		}
		r, err := f(x)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return types.NewFixedArray(dt, out, validity, a.NullN()), nil
}

// zipFixed applies f to each pair of valid elements of two fixed-width arrays.
func zipFixed[A, B, O arrow.FixedWidthType](dt arrow.DataType, a, b arrow.Array, n int, f func(A, B) (O, error)) (arrow.Array, error) {
	av, bv := types.Values[A](a), types.Values[B](b)
	validity, nulls := types.AndValidity(n, a, b)
	out := types.NoZero[O](n)
	var zero O
	_ = av[n-1]
	_ = bv[n-1]
	for i := 0; i < n; i++ {
		if !valid(validity, i) {
			out[i] = zero // a NULL's value is 0, not what the memory held
			continue
		}
		r, err := f(av[i], bv[i])
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return types.NewFixedArray(dt, out, validity, nulls), nil
}

// zipBool applies a predicate to valid pairs, producing a Boolean array.
func zipBool[A, B arrow.FixedWidthType](a, b arrow.Array, n int, f func(A, B) bool) arrow.Array {
	av, bv := types.Values[A](a), types.Values[B](b)
	validity, nulls := types.AndValidity(n, a, b)
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	_ = av[n-1]
	_ = bv[n-1]
	for i := 0; i < n; i++ {
		if f(av[i], bv[i]) {
			bits[i>>3] |= 1 << (uint(i) & 7)
		}
	}
	return boolFromBits(bits, n, validity, nulls)
}

func boolFromBits(bits []byte, n int, validity []byte, nulls int) arrow.Array {
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(validity)
	} else {
		nulls = 0
	}
	d := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, memory.NewBufferBytes(bits)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// strings returns the string values of a String array; invalid rows read "".
func stringAt(a *array.String, i int) string { return a.Value(i) }

// mapString applies f to each valid string.
func mapString(a arrow.Array, f func(string) (string, error)) (arrow.Array, error) {
	s := a.(*array.String)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(s.Len())
	for i := 0; i < s.Len(); i++ {
		if s.IsNull(i) {
			b.AppendNull()
			continue
		}
		r, err := f(s.Value(i))
		if err != nil {
			return nil, err
		}
		b.Append(r)
	}
	return b.NewArray(), nil
}
