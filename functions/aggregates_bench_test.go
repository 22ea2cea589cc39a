package functions

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// BenchmarkDecSum: sum over a 64-bit decimal column, 8,192 rows a batch,
// into few groups (q01: four, one of them half the rows) and into many.
func BenchmarkDecSum(b *testing.B) {
	const n = 8192
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]int64, n)
	for i := range vals {
		vals[i] = int64(90000 + r.IntN(10_400_000))
	}
	arr := types.NewFixedArray(&arrow.Decimal64Type{Precision: 15, Scale: 2}, vals, nil, 0)
	for _, c := range []struct {
		name    string
		nGroups int
	}{{"groups=4", 4}, {"groups=100000", 100000}} {
		groups := make([]int32, n)
		for i := range groups {
			if c.nGroups == 4 && r.IntN(2) == 0 {
				continue // group 0: half the rows
			}
			groups[i] = int32(r.IntN(c.nGroups))
		}
		b.Run(c.name, func(b *testing.B) {
			acc := &decSumAcc{ret: types.NumericOf(38, 2)}
			b.SetBytes(n * 8)
			for range b.N {
				if err := acc.Update(groups, c.nGroups, []arrow.Array{arr}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
