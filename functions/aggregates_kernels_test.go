package functions

import (
	"math"
	"math/big"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// selectNth must put at k what a sort puts there, on data with many
// ties, sorted and reversed runs, NaNs and every k of small inputs.
func TestSelectNth(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	fcmp := types.CompareFloat // NaN after every number, as PostgreSQL sorts
	for trial := 0; trial < 400; trial++ {
		n := 1 + r.Intn(300)
		xs := make([]float64, n)
		for i := range xs {
			switch trial % 4 {
			case 0:
				xs[i] = float64(r.Intn(5)) // ties
			case 1:
				xs[i] = float64(i) // sorted
			case 2:
				xs[i] = float64(n - i) // reversed
			default:
				xs[i] = r.NormFloat64()
				if r.Intn(20) == 0 {
					xs[i] = math.NaN()
				}
			}
		}
		want := slices.Clone(xs)
		slices.SortFunc(want, fcmp)
		for _, k := range []int{0, n - 1, n / 2, r.Intn(n)} {
			got := slices.Clone(xs)
			selectNth(got, k, fcmp)
			if fcmp(got[k], want[k]) != 0 {
				t.Fatalf("trial %d n %d k %d: got %v, want %v", trial, n, k, got[k], want[k])
			}
			for i := range got {
				if i < k && fcmp(got[i], got[k]) > 0 || i > k && fcmp(got[i], got[k]) < 0 {
					t.Fatalf("trial %d n %d k %d: %v at %d on the wrong side of %v", trial, n, k, got[i], i, got[k])
				}
			}
		}
	}
}

// The 128-bit partial moments must settle into exactly the sums of x
// and x² big integers give, through sign changes, values near 2^63
// (x² past 128 bits after two rows) and merges.
func TestFloatAccExactPartials(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	mk := func() *floatAcc { return &floatAcc{kind: "var_samp", ret: types.Float8T} }
	a, b := mk(), mk()
	wantX, wantXX := new(big.Int), new(big.Int)
	for batch := 0; batch < 6; batch++ {
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		var groups []int32
		for i := 0; i < 500; i++ {
			v := r.Int63() - r.Int63()
			switch i % 5 {
			case 0:
				v = math.MaxInt64 - int64(r.Intn(3))
			case 1:
				v = math.MinInt64 + int64(r.Intn(3))
			case 2:
				v = int64(r.Intn(1000)) - 500
			}
			bld.Append(v)
			groups = append(groups, 0)
			x := big.NewInt(v)
			wantX.Add(wantX, x)
			wantXX.Add(wantXX, new(big.Int).Mul(x, x))
		}
		acc := a
		if batch%2 == 1 {
			acc = b
		}
		if err := acc.Update(groups, 1, []arrow.Array{bld.NewArray()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Merge(b, []int32{0}, 1); err != nil {
		t.Fatal(err)
	}
	a.settle()
	if a.bx[0].Cmp(wantX) != 0 || a.bxx[0].Cmp(wantXX) != 0 {
		t.Fatalf("sums %v, %v; want %v, %v", a.bx[0], a.bxx[0], wantX, wantXX)
	}
}

// min and max of one group take whole batches without NULLs through
// UpdateOne and the rest through Update: the same answer either way,
// for 64-bit integers and decimals, across batches and after NULLs.
func TestMinMaxUpdateOne(t *testing.T) {
	mem := memory.DefaultAllocator
	i64 := func(vals []int64, valid []bool) arrow.Array {
		b := array.NewInt64Builder(mem)
		b.AppendValues(vals, valid)
		return b.NewArray()
	}
	d64 := func(vals []int64, valid []bool) arrow.Array {
		b := array.NewDecimal64Builder(mem, &arrow.Decimal64Type{Precision: 12, Scale: 2})
		for i, v := range vals {
			if valid != nil && !valid[i] {
				b.AppendNull()
				continue
			}
			b.Append(decimal.Decimal64(v))
		}
		return b.NewArray()
	}
	for _, c := range []struct {
		name string
		t    types.T
		mk   func([]int64, []bool) arrow.Array
		want [2]types.Value // min, max
	}{
		{"bigint", types.Int8T, i64, [2]types.Value{int64(-70), int64(900)}},
		{"numeric(12,2)", types.T{Kind: types.Numeric, Scale: 2}, d64,
			[2]types.Value{types.Decimal{V: decimal128.FromI64(-70), Scale: 2}, types.Decimal{V: decimal128.FromI64(900), Scale: 2}}},
	} {
		for k, kind := range []string{"min", "max"} {
			acc := &valueAcc{t: c.t, ret: c.t, kind: kind}
			batches := []arrow.Array{
				c.mk([]int64{5, -3, 12}, nil),
				c.mk([]int64{900, -70, 1}, []bool{true, false, true}), // a NULL: through Update
				c.mk([]int64{-70, 4}, nil),
				c.mk(nil, nil),
			}
			for _, b := range batches {
				if !acc.UpdateOne(b.Len(), []arrow.Array{b}) {
					if err := acc.Update(make([]int32, b.Len()), 1, []arrow.Array{b}); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := acc.Finalize(1)
			if err != nil {
				t.Fatal(err)
			}
			if v := types.GetValue(c.t, got, 0); types.Compare(v, c.want[k]) != 0 {
				t.Errorf("%s %s: %v, want %v", c.name, kind, v, c.want[k])
			}
		}
	}
}
