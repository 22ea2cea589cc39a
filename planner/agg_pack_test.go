package planner

import (
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// TestPackLayout checks which aggregates get a packed key layout: keys
// with known ranges that fit 63 bits, text keys by their distinct count;
// not a key without a range, nor two narrow keys (the executor's own).
func TestPackLayout(t *testing.T) {
	mm := func(lo, hi int64) ColStats { return ColStats{Min: lo, Max: hi, HasMinMax: true} }
	s, c := testScan("sales", 100_000, 1, map[string]ColStats{
		"year": mm(1998, 2003), "item": mm(1, 18_000), "cust": mm(1, 100_000), "ticket": {}})
	agg := func(keys ...string) *Aggregate {
		a := &Aggregate{Input: s}
		for _, k := range keys {
			a.Keys = append(a.Keys, colRef(c[k]))
		}
		return a
	}
	l := packLayout(agg("year", "item", "cust"))
	if len(l) != 3 || l[0].Min != 1998 || l[1].Min != 1 || l[0].Bits < 3 || l[2].Bits < 17 {
		t.Errorf("year, item, cust: layout %+v", l)
	}
	if l := packLayout(agg("year", "ticket")); l != nil {
		t.Errorf("a key without a range got layout %+v", l)
	}
	if l := packLayout(agg("item")); l != nil {
		t.Errorf("one key got layout %+v", l)
	}
	text := &Scan{Table: &Table{Name: "t", Rows: 1000, Columns: []TableColumn{
		{Name: "a", Type: types.TextT, Stats: ColStats{Distinct: 10}}, {Name: "b", Type: types.Int8T, Stats: mm(0, 9)}}},
		Cols: []Column{{ID: 50, Name: "a", Type: types.TextT}, {ID: 51, Name: "b", Type: types.Int8T}}, ColIdx: []int{0, 1}}
	tl := packLayout(&Aggregate{Input: text, Keys: []expr.Expr{colRef(text.Cols[0]), colRef(text.Cols[1])}})
	if len(tl) != 2 || tl[0].Bits < 5 {
		t.Errorf("text and bigint: layout %+v", tl)
	}
}
