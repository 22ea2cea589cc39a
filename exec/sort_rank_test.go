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

// TestSortRowsPacked checks that sorting by packed keys gives the order
// the comparator gives, ties by input order: integers of several widths
// with negative values and the int64 extremes, dates, booleans, ranked
// text, NULLs first and last, both directions, a key of one value, and
// ranges too wide to pack beside another key (the comparator then).
func TestSortRowsPacked(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	n := 6000
	i32 := array.NewInt32Builder(memory.DefaultAllocator)
	i64 := array.NewInt64Builder(memory.DefaultAllocator)
	wide := array.NewInt64Builder(memory.DefaultAllocator)
	dt := array.NewDate32Builder(memory.DefaultAllocator)
	bl := array.NewBooleanBuilder(memory.DefaultAllocator)
	st := array.NewStringBuilder(memory.DefaultAllocator)
	one := array.NewInt32Builder(memory.DefaultAllocator)
	for i := 0; i < n; i++ {
		if rng.Intn(15) == 0 {
			i32.AppendNull()
		} else {
			i32.Append(int32(rng.Intn(200) - 100))
		}
		i64.Append(int64(rng.Intn(50))*1_000_003 - 7)
		switch rng.Intn(40) {
		case 0:
			wide.Append(-1 << 63)
		case 1:
			wide.Append(1<<63 - 1)
		default:
			wide.Append(rng.Int63n(1000))
		}
		dt.Append(arrow.Date32(rng.Intn(3000) - 1000))
		if rng.Intn(10) == 0 {
			bl.AppendNull()
		} else {
			bl.Append(rng.Intn(2) == 0)
		}
		if rng.Intn(12) == 0 {
			st.AppendNull()
		} else {
			st.Append([]string{"", "a", "ab", "b", "é"}[rng.Intn(5)])
		}
		one.Append(7)
	}
	cols := map[string]arrow.Array{"i32": i32.NewArray(), "i64": i64.NewArray(), "wide": wide.NewArray(), "date": dt.NewArray(), "bool": bl.NewArray(), "text": st.NewArray(), "one": one.NewArray()}
	typ := map[string]types.T{"i32": types.Int4T, "i64": types.Int8T, "wide": types.Int8T, "date": types.DateT, "bool": types.BoolT, "text": types.TextT, "one": types.Int4T}
	for _, names := range [][]string{{"i32"}, {"text", "i32"}, {"bool", "date", "i32"}, {"one", "i64", "text"}, {"wide"}, {"i32", "wide"}, {"date", "bool", "text", "i32"}} {
		for trial := 0; trial < 4; trial++ {
			var keys []SortKey
			var kc []arrow.Array
			for _, nm := range names {
				keys = append(keys, SortKey{Expr: &expr.Col{T: typ[nm]}, Desc: rng.Intn(2) == 0, NullsFirst: rng.Intn(2) == 0})
				kc = append(kc, cols[nm])
			}
			want := make([]int32, n)
			got := make([]int32, n)
			for i := range want {
				want[i], got[i] = int32(i), int32(i)
			}
			sortIndex(want, RowComparer(keys, kc), 2)
			sortRows(got, keys, kc, 2)
			for i := range want {
				if want[i] != got[i] {
					t.Fatalf("%v %+v: position %d holds row %d, want %d", names, keys, i, got[i], want[i])
				}
			}
		}
	}
	if _, _, ok := packedSortKeys([]SortKey{{Expr: &expr.Col{T: types.Int4T}}, {Expr: &expr.Col{T: types.Int8T}}}, []arrow.Array{cols["i32"], cols["wide"]}); ok {
		t.Fatal("a 64-bit range and another key packed")
	}
}
