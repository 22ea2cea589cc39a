package functions

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/types"
)

// TestCompareBytesConst checks the constant-operand string comparison
// against the two-array kernel it stands in for: every operator, the
// constant on either side, NULLs, sliced arrays, empty and one-byte
// constants, strings that share prefixes.
func TestCompareBytesConst(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "M", "W", "MM", "Men", "Women", "Unknown", "Unknowm", "Unknown ", "Advanced Degree", "a", "é"}
	vals := make([]types.Value, 3000)
	for i := range vals {
		if rng.IntN(10) == 0 {
			continue // NULL
		}
		vals[i] = words[rng.IntN(len(words))]
	}
	whole := types.BuildArray(types.TextT, vals)
	arrays := map[string]arrow.Array{"whole": whole, "sliced": array.NewSlice(whole, 17, 2900)}
	for name, a := range arrays {
		n := a.Len()
		for _, c := range []string{"", "M", "Unknown", "Women", "zzz"} {
			ca := types.ConstArray(types.TextT, c, n)
			for _, op := range CompareOps {
				for _, left := range []bool{false, true} {
					args := []arrow.Array{a, ca}
					if left {
						args = []arrow.Array{ca, a}
					}
					want, err := cmpBytes(op)(nil, args, n)
					if err != nil {
						t.Fatal(err)
					}
					got, err := CompareBytesConst(op, []byte(c), left)(nil, args, n)
					if err != nil {
						t.Fatal(err)
					}
					if !array.Equal(want, got) {
						t.Errorf("%s: %q %s (const left %v): got %v, want %v", name, c, op, left, got, want)
					}
				}
			}
		}
	}
}

// BenchmarkCompareText compares a text column with a constant through
// the constant kernel and through the two-array kernel.
func BenchmarkCompareText(b *testing.B) {
	words := []string{"M", "S", "D", "W", "U", "Unknown", "Primary", "Secondary", "College", "Advanced Degree"}
	vals := make([]types.Value, 8192)
	for i := range vals {
		vals[i] = words[i%len(words)]
	}
	a := types.BuildArray(types.TextT, vals)
	for _, c := range []string{"M", "Unknown"} {
		ca := types.ConstArray(types.TextT, c, len(vals))
		args := []arrow.Array{a, ca}
		for _, k := range []struct {
			name string
			k    Kernel
		}{{"const", CompareBytesConst("=", []byte(c), false)}, {"arrays", cmpBytes("=")}} {
			b.Run(fmt.Sprintf("%s/%s", c, k.name), func(b *testing.B) {
				for b.Loop() {
					if _, err := k.k(nil, args, len(vals)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
