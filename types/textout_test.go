package types

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestTextAppender checks every typed appender against FormatTextIn on
// random values and the edges (negative decimals, MinInt64, dates BC and
// past 9999, wide decimals).
func TestTextAppender(t *testing.T) {
	mem := memory.DefaultAllocator
	r := rand.New(rand.NewPCG(1, 2))
	check := func(name string, typ T, arr arrow.Array) {
		t.Helper()
		app := NewTextAppender(typ, arr, nil)
		for i := 0; i < arr.Len(); i++ {
			if arr.IsNull(i) {
				continue
			}
			want := FormatTextIn(typ, GetValue(typ, arr, i), nil)
			if got := string(app(nil, i)); got != want {
				t.Fatalf("%s row %d: %q, want %q", name, i, got, want)
			}
		}
	}
	ints := []int64{0, 1, -1, 9, 10, -10, 99, 100, math.MaxInt64, math.MinInt64, math.MaxInt32, math.MinInt32}
	for i := 0; i < 500; i++ {
		ints = append(ints, r.Int64()>>r.IntN(64))
		ints = append(ints, -(r.Int64() >> r.IntN(64)))
	}
	b64 := array.NewInt64Builder(mem)
	b64.AppendValues(ints, nil)
	check("int8", Int8T, b64.NewArray())
	b32 := array.NewInt32Builder(mem)
	b16 := array.NewInt16Builder(mem)
	for _, v := range ints {
		b32.Append(int32(v))
		b16.Append(int16(v))
	}
	check("int4", Int4T, b32.NewArray())
	check("int2", Int2T, b16.NewArray())
	for _, scale := range []int32{0, 1, 2, 4, 9, 18} {
		typ := NumericOf(18, scale)
		d64 := array.NewDecimal64Builder(mem, &arrow.Decimal64Type{Precision: 18, Scale: scale})
		d128 := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 38, Scale: scale})
		for _, v := range ints {
			d64.Append(decimal.Decimal64(v))
			d128.Append(decimal128.FromI64(v))
		}
		// past int64 in a decimal128
		d128.Append(decimal128.New(1, 5))
		d128.Append(decimal128.New(-2, 7))
		check("decimal64", typ, d64.NewArray())
		check("decimal128", NumericOf(38, scale), d128.NewArray())
	}
	bd := array.NewDate32Builder(mem)
	for _, d := range []int32{0, -1, 1, 59, 60, -719162, -719163, -719528, 2932896, 2932897, 11016, 10957, -25567, 730000} {
		bd.Append(arrow.Date32(d))
	}
	for i := 0; i < 2000; i++ {
		bd.Append(arrow.Date32(r.Int32N(6_000_000) - 3_000_000))
	}
	check("date", DateT, bd.NewArray())
	bs := array.NewStringBuilder(mem)
	bs.AppendValues([]string{"", "a", "héllo", "x\ny"}, nil)
	bs.AppendNull()
	check("text", TextT, bs.NewArray())
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false}, nil)
	check("bool", BoolT, bb.NewArray())
	bf := array.NewFloat64Builder(mem)
	bf.AppendValues([]float64{0, 1.5, math.Inf(1), math.NaN(), 1e300, -2.5e-7}, nil)
	check("float8 (the general path)", Float8T, bf.NewArray())
}

// Decimal.String's int64 path and parseCanonical's wide path against
// arrow's big-number ToString and ParseDecimal, at every scale.
func TestDecimalStringAndCanonical(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var nums []decimal128.Num
	for _, v := range []int64{0, 1, -1, 10, -10, math.MaxInt64, math.MinInt64} {
		nums = append(nums, decimal128.FromI64(v))
	}
	for i := 0; i < 2000; i++ {
		nums = append(nums, decimal128.FromI64(r.Int64()>>r.IntN(63)), decimal128.FromI64(-(r.Int64() >> r.IntN(63))))
		nums = append(nums, decimal128.New(int64(r.IntN(1<<20))-1<<19, r.Uint64())) // past int64
	}
	for _, n := range nums {
		for _, sc := range []int32{0, 1, 2, 4, 12, 16, 18, 20, 30} {
			d := Decimal{V: n, Scale: sc}
			want := n.ToString(sc)
			if got := d.String(); got != want {
				t.Fatalf("String %v scale %d: %q, want %q", n, sc, got, want)
			}
			p, ok := parseCanonical(want)
			if !ok {
				q, err := ParseDecimal(want)
				if err == nil && q.V.Abs().Greater(decimal128.FromI64(0)) && len(q.V.BigInt().String()) <= 38 {
					t.Fatalf("parseCanonical %q: refused a value of at most 38 digits", want)
				}
				continue
			}
			if p.V != n || p.Scale != sc {
				t.Fatalf("parseCanonical %q: %v scale %d", want, p.V, p.Scale)
			}
		}
	}
}
