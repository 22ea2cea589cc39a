package functions

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// nbaseWeight64 (arithmetic) against the string form's answer, over
// values above and below 1, at every scale it takes, and the edges.
func TestNbaseWeight64(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vals := []int64{0, 1, -1, 9, 10, 9999, 10000, 10001, 99999999, 100000000, math.MaxInt64, math.MinInt64 + 1, -123456789}
	for i := 0; i < 3000; i++ {
		vals = append(vals, r.Int64()>>r.IntN(63), -(r.Int64() >> r.IntN(63)))
	}
	for _, v := range vals {
		for sc := int32(0); sc <= 18; sc++ {
			d := types.Decimal{V: decimal128.FromI64(v), Scale: sc}
			w, lead, ok := nbaseWeight64(d)
			if !ok {
				t.Fatalf("%s: not taken", d)
			}
			// the string form, as nbaseWeight computes it for wide values
			wide := types.Decimal{V: d.V, Scale: sc}
			ws, leads := nbaseWeightText(wide.V.ToString(sc))
			if w != ws || lead != leads {
				t.Fatalf("%s: weight %d lead %d, want %d %d", d, w, lead, ws, leads)
			}
		}
	}
}
