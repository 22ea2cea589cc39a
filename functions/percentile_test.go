package functions

import (
	"math"
	"math/rand"
	"slices"
	"testing"

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
