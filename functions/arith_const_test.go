package functions

import (
	"math"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// DecArithConst answers as decArith with the constant as an array: on
// 64- and 128-bit columns, NULLs, the constant on either side, scales
// that need rescaling, and values at the 64-bit boundaries (where it
// takes the exact path).
func TestDecArithConst(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	edges := []int64{0, 1, -1, 99, 1<<31 - 1, -1 << 31, math.MaxInt64 / 10, math.MinInt64 / 10, math.MaxInt64, math.MinInt64 + 1, 999999999999999999}
	for iter := 0; iter < 400; iter++ {
		n := 1 + rng.Intn(40)
		xs := int32(rng.Intn(4))
		wide := rng.Intn(2) == 0
		vals := make([]int64, n)
		valid := make([]bool, n)
		for i := range vals {
			switch rng.Intn(3) {
			case 0:
				vals[i] = edges[rng.Intn(len(edges))]
			default:
				vals[i] = rng.Int63n(2_000_000) - 1_000_000
			}
			valid[i] = rng.Intn(8) != 0
		}
		if !wide {
			for i := range vals {
				vals[i] %= 999999999999999999 // a Decimal64 holds 18 digits
			}
		}
		var dt arrow.DataType = &arrow.Decimal64Type{Precision: 18, Scale: xs}
		if wide {
			dt = &arrow.Decimal128Type{Precision: 38, Scale: xs}
		}
		b := array.NewBuilder(memory.DefaultAllocator, dt)
		for i, v := range vals {
			switch {
			case !valid[i]:
				b.AppendNull()
			case wide:
				b.(*array.Decimal128Builder).Append(decimal128.FromI64(v))
			default:
				b.(*array.Decimal64Builder).Append(decimal.Decimal64(v))
			}
		}
		x := b.NewArray()
		cs := int32(rng.Intn(4))
		cv := edges[rng.Intn(len(edges))]
		if rng.Intn(2) == 0 {
			cv = rng.Int63n(2000) - 1000
		}
		c := types.Decimal{V: decimal128.FromI64(cv), Scale: cs}
		ct := types.T{Kind: types.Numeric, Scale: cs}
		op := []string{"+", "-", "*"}[rng.Intn(3)]
		left := rng.Intn(2) == 0
		narrow := rng.Intn(2) == 0
		k := DecArithConst(op, c, ct, left, narrow)
		args := []arrow.Array{x, nil}
		full := []arrow.Array{x, types.ConstArray(ct, c, n)}
		if left {
			args = []arrow.Array{nil, x}
			full = []arrow.Array{full[1], x}
		}
		got, err := k(nil, args, n)
		want, werr := decArith(op)(nil, full, n)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%s with constant %v (left %v): error %v, decArith's %v", op, c, left, err, werr)
		}
		if err != nil {
			continue
		}
		if narrow {
			// narrowed where every result fits 64 bits: the same values
			if _, is := got.(*array.Decimal64); is {
				got = types.Decimal128Of(got)
			}
		}
		if !arrow.TypeEqual(got.DataType(), want.DataType()) || !array.Equal(got, want) {
			t.Fatalf("%s with constant %v (left %v, narrow %v) over %v:\n got %v\nwant %v", op, c, left, narrow, x, got, want)
		}
	}
}
