package exec

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// TestSortComparerRanks checks that comparing text keys by their ranks
// orders rows exactly as comparing the strings does — with NULLs first
// and last, ascending and descending, a second key breaking ties — for
// columns of few distinct values (ranked), of many (not ranked) and
// short ones.
func TestSortComparerRanks(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, c := range []struct {
		rows, distinct int
		wantRanked     bool
	}{{10000, 7, true}, {10000, 3000, false}, {100, 3, false}, {rankMinRows, 1, true}} {
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		ib := array.NewInt64Builder(memory.DefaultAllocator)
		for i := 0; i < c.rows; i++ {
			if rng.Intn(20) == 0 {
				sb.AppendNull()
			} else {
				// values sharing prefixes, the empty string, bytes past ASCII
				sb.Append([]string{"", "a", "ab", "b", "\xff", "é"}[rng.Intn(6)] + fmt.Sprint(rng.Intn(c.distinct)))
			}
			ib.Append(int64(rng.Intn(5)))
		}
		cols := []arrow.Array{sb.NewArray(), ib.NewArray()}
		_, ranked := stringRanks(cols[0].(*array.String))
		if ranked != c.wantRanked {
			t.Fatalf("%d rows, %d distinct: ranked %v, want %v", c.rows, c.distinct, ranked, c.wantRanked)
		}
		for _, desc := range []bool{false, true} {
			for _, nullsFirst := range []bool{false, true} {
				keys := []SortKey{
					{Expr: &expr.Col{T: types.TextT}, Desc: desc, NullsFirst: nullsFirst},
					{Expr: &expr.Col{T: types.Int8T}},
				}
				want, got := RowComparer(keys, cols), sortComparer(keys, cols)
				for k := 0; k < 20000; k++ {
					i, j := rng.Intn(c.rows), rng.Intn(c.rows)
					if w, g := want(i, j), got(i, j); sign(w) != sign(g) {
						t.Fatalf("%d rows, %d distinct, desc %v, nulls first %v: rows %d (%q) and %d (%q) compare %d, want %d",
							c.rows, c.distinct, desc, nullsFirst, i, cols[0].ValueStr(i), j, cols[0].ValueStr(j), g, w)
					}
				}
			}
		}
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}
