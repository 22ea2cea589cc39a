package planner

import (
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// A global aggregate's DISTINCT calls over two arguments become grouping
// sets, one per argument and one for the plain calls, under an aggregate
// that picks each set's rows by its GROUPING() id; keys, one argument, an
// ordered call, or a plain call no part computes leave it as it is.
func TestMultiDistinct(t *testing.T) {
	rc, x, y, agg, call := distinctFixture()
	star := AggCall{Name: "count", Star: true, Ret: types.Int8T}

	global := func(calls ...AggCall) *Aggregate {
		a := agg(calls...)
		a.Keys, a.KeyCols = nil, nil
		return a
	}
	p, ok := mustMulti(t, rc, global(call("count", true, x), star, call("count", true, y))).(*Project)
	if !ok {
		t.Fatalf("global: no Project for the counts of no rows")
	}
	outer, ok := p.Input.(*Aggregate)
	if !ok {
		t.Fatalf("got %s", describe(p.Input))
	}
	inner, ok := outer.Input.(*Aggregate)
	if !ok || inner.GIDCol == nil || len(inner.Keys) != 2 {
		t.Fatalf("inner: %s", describe(outer.Input))
	}
	// keys x, y: sets (x) id 0b01, (y) 0b10, () 0b11
	if len(inner.Sets) != 3 || len(inner.Sets[2]) != 0 || len(inner.Aggs) != 1 {
		t.Fatalf("sets %v, parts %v", inner.Sets, inner.Aggs)
	}
	want := []int64{1, 3, 2}
	for i, c := range outer.Aggs {
		f, ok := c.Filter.(*expr.Call)
		if !ok || c.Distinct {
			t.Fatalf("outer call %d: %+v", i, c)
		}
		if v := f.Args[1].(*expr.Const).V; v != want[i] {
			t.Errorf("outer call %d picks set %v, want %d", i, v, want[i])
		}
	}
	if outer.Aggs[1].Name != "sum" {
		t.Errorf("count(*) is finished by %s, want sum", outer.Aggs[1].Name)
	}
	for i := range p.Cols {
		if p.Cols[i].ID != ColumnID(20+i) {
			t.Fatalf("the plan must keep the original columns: %v", p.Cols)
		}
	}
	if _, ok := p.Exprs[1].(*expr.Coalesce); !ok {
		t.Errorf("count(*) of no rows: %s, want coalesce(…, 0)", p.Exprs[1])
	}

	ordered := call("count", true, y)
	ordered.OrderBy = []SortKey{{Expr: colRef(x)}}
	for name, a := range map[string]*Aggregate{
		"one argument": agg(call("count", true, x), call("sum", true, x)),
		"a plain avg":  agg(call("count", true, x), call("count", true, y), call("avg", false, x)),
		"string_agg":   agg(call("count", true, x), call("string_agg", true, y)),
		"ordered":      agg(call("count", true, x), ordered),
		"no DISTINCT":  agg(call("count", false, x)),
	} {
		if out := mustMulti(t, rc, a); out != Node(a) {
			t.Errorf("%s: rewritten to %s", name, describe(out))
		}
	}
}

func mustMulti(t *testing.T, rc *RuleCtx, a *Aggregate) Node {
	t.Helper()
	out, err := multiDistinct(rc, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
