package planner

import (
	"math"
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// testScan is a scan of a table of rows with one column per stats entry.
func testScan(name string, rows int64, firstID ColumnID, cols map[string]ColStats) (*Scan, map[string]Column) {
	t := &Table{Name: name, Rows: rows}
	s := &Scan{Table: t}
	out := map[string]Column{}
	id := firstID
	for _, n := range sortedKeys(cols) {
		t.Columns = append(t.Columns, TableColumn{Name: n, Type: types.Int8T, Stats: cols[n]})
		c := Column{ID: id, Name: n, Type: types.Int8T}
		s.Cols = append(s.Cols, c)
		s.ColIdx = append(s.ColIdx, len(t.Columns)-1)
		out[n] = c
		id++
	}
	return s, out
}

func sortedKeys(m map[string]ColStats) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func cmp(op string, c Column, v int64) expr.Expr {
	return &expr.Call{Name: op, Args: []expr.Expr{colRef(c), &expr.Const{V: v, T: types.Int8T}}, T: types.BoolT}
}

func eq(a, b Column) expr.Expr {
	return &expr.Call{Name: "=", Args: []expr.Expr{colRef(a), colRef(b)}, T: types.BoolT}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if got < want/1.5 || got > want*1.5 {
		t.Errorf("%s: estimated %.0f rows, want about %.0f", what, got, want)
	}
}

// TestEstimates checks the cardinality estimator on the shapes join
// ordering depends on: filters by distinct counts and ranges, a BETWEEN
// as one range, foreign-key joins to whole and filtered dimensions with
// and without statistics, composite keys, semi joins and aggregates.
func TestEstimates(t *testing.T) {
	mm := func(lo, hi int64) ColStats { return ColStats{Min: lo, Max: hi, HasMinMax: true} }
	fact, f := testScan("fact", 1_000_000, 1, map[string]ColStats{
		"day": mm(1000, 1999), "item": {}, "store": mm(1, 10), "qty": mm(1, 100), "order": {}})
	days, d := testScan("days", 10_000, 100, map[string]ColStats{"d_id": mm(0, 9999), "d_year": mm(2000, 2027)})
	item, i := testScan("item", 20_000, 200, map[string]ColStats{"i_id": {}, "i_cat": {Distinct: 10}})
	store, s := testScan("store", 10, 300, map[string]ColStats{"s_id": mm(1, 10)})
	est := newEstimator()
	rows := func(n Node) float64 { return est.of(n).rows }

	near(t, "equality on a column of 10 values", rows(&Filter{Input: item, Cond: cmp("=", i["i_cat"], 3)}), 2000)
	near(t, "range on an integer column", rows(&Filter{Input: fact, Cond: cmp("<=", f["qty"], 10)}), 100_000)
	between := &Filter{Input: days, Cond: andOf([]expr.Expr{cmp(">=", d["d_year"], 2001), cmp("<=", d["d_year"], 2002)})}
	near(t, "BETWEEN as one range", rows(between), 10_000*2.0/28)
	near(t, "equality on an integer range", rows(&Filter{Input: days, Cond: cmp("=", d["d_year"], 2001)}), 10_000/28.0)

	// a fact table joined to a whole dimension keeps its rows
	near(t, "fact ⋈ store", rows(&Join{Type: JoinInner, Left: fact, Right: store, Cond: eq(f["store"], s["s_id"])}), 1_000_000)
	near(t, "fact ⋈ item (no statistics)", rows(&Join{Type: JoinInner, Left: fact, Right: item, Cond: eq(f["item"], i["i_id"])}), 1_000_000)
	// joined to a filtered dimension it keeps the share of the dimension
	// its values reach: fact days span 1,000 of the 10,000
	oneYear := &Filter{Input: days, Cond: cmp("=", d["d_year"], 2001)}
	near(t, "fact ⋈ one year of days", rows(&Join{Type: JoinInner, Left: fact, Right: oneYear, Cond: eq(f["day"], d["d_id"])}), 1_000_000*357.0/1000)
	cat := &Filter{Input: item, Cond: cmp("=", i["i_cat"], 3)}
	near(t, "fact ⋈ one category", rows(&Join{Type: JoinInner, Left: fact, Right: cat, Cond: eq(f["item"], i["i_id"])}), 100_000)
	near(t, "fact semi one category", rows(&Join{Type: JoinSemi, Left: fact, Right: cat, Cond: eq(f["item"], i["i_id"])}), 100_000)
	anti := rows(&Join{Type: JoinAnti, Left: fact, Right: cat, Cond: eq(f["item"], i["i_id"])})
	near(t, "fact anti one category", anti, 900_000)

	// a composite key identifies one row of the referenced side: each
	// fact row finds one (TPC-H lineitem ⋈ partsupp)
	ps, p := testScan("partsupp", 80_000, 400, map[string]ColStats{"ps_part": mm(1, 20_000), "ps_supp": mm(1, 1000)})
	li, l := testScan("lineitem", 600_000, 500, map[string]ColStats{"l_part": mm(1, 20_000), "l_supp": mm(1, 1000)})
	near(t, "lineitem ⋈ partsupp on two keys", rows(&Join{Type: JoinInner, Left: li, Right: ps,
		Cond: andOf([]expr.Expr{eq(l["l_part"], p["ps_part"]), eq(l["l_supp"], p["ps_supp"])})}), 600_000)

	agg := &Aggregate{Input: fact, Keys: []expr.Expr{colRef(f["store"])}, KeyCols: []Column{{ID: 900, Name: "store", Type: types.Int8T}}}
	near(t, "GROUP BY a column of 10 values", rows(agg), 10)
	if r := rows(&Filter{Input: fact, Cond: &expr.Const{V: false, T: types.BoolT}}); r != 1 {
		t.Errorf("WHERE false: estimated %.0f rows, want the floor of 1", r)
	}
	if math.IsNaN(rows(&Join{Type: JoinCross, Left: store, Right: store})) {
		t.Error("cross join estimate is NaN")
	}
}
