package planner

import (
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// DISTINCT calls over one argument become a grouping by it under the
// original grouping; mixed arguments, a plain call beside them or FILTER
// leave the aggregate as it is.
func TestSingleDistinct(t *testing.T) {
	rc, x, y, agg, call := distinctFixture()
	// a global count of integers is rewritten; a grouped one is not
	global := agg(call("count", true, x))
	global.Keys, global.KeyCols = nil, nil
	if out := mustRule(t, rc, global); out == Node(global) {
		t.Errorf("global count(DISTINCT x): not rewritten")
	}
	out, err := singleDistinct(rc, agg(call("count", true, x), call("sum", true, x)))
	if err != nil {
		t.Fatal(err)
	}
	outer, ok := out.(*Aggregate)
	if !ok {
		t.Fatalf("got %T", out)
	}
	inner, ok := outer.Input.(*Aggregate)
	if !ok || len(inner.Keys) != 2 || len(inner.Aggs) != 0 || exprKey(inner.Keys[1]) != exprKey(colRef(x)) {
		t.Fatalf("inner grouping: %s", describe(outer.Input))
	}
	if outer.KeyCols[0].ID != 10 || outer.AggCols[1].ID != 21 {
		t.Fatalf("the outer aggregate must keep the original output columns")
	}
	for _, c := range outer.Aggs {
		if c.Distinct || exprKey(c.Args[0]) != exprKey(colRef(inner.KeyCols[1])) {
			t.Fatalf("outer call %s: distinct %v over %s", c.Name, c.Distinct, c.Args[0])
		}
	}

	for name, a := range map[string]*Aggregate{
		"two arguments":             agg(call("count", true, x), call("count", true, y)),
		"a plain avg too":           agg(call("count", true, x), call("avg", false, y)),
		"string_agg":                agg(call("string_agg", true, x)),
		"no DISTINCT":               agg(call("count", false, x)),
		"grouped count of integers": agg(call("count", true, x)),
	} {
		out, err := singleDistinct(rc, a)
		if err != nil {
			t.Fatal(err)
		}
		if out != Node(a) {
			t.Errorf("%s: rewritten to %s", name, describe(out))
		}
	}
	// plain calls beside them are computed in parts and finished above;
	// a global count of no rows stays 0
	mixed := agg(call("count", false, y), call("sum", true, x), call("max", false, y))
	mixed.Keys, mixed.KeyCols = nil, nil
	p, ok := mustRule(t, rc, mixed).(*Project)
	if !ok {
		t.Fatalf("global count(y), sum(DISTINCT x), max(y): %s", describe(mustRule(t, rc, mixed)))
	}
	outer = p.Input.(*Aggregate)
	inner = outer.Input.(*Aggregate)
	if len(inner.Aggs) != 2 || outer.Aggs[0].Name != "sum" || outer.Aggs[2].Name != "max" || outer.Aggs[1].Distinct {
		t.Fatalf("parts: inner %v, outer %v", inner.Aggs, outer.Aggs)
	}
	if p.Cols[0].ID != 20 || p.Cols[2].ID != 22 {
		t.Fatalf("the Project must give the original columns: %v", p.Cols)
	}
	if _, ok := p.Exprs[0].(*expr.Coalesce); !ok {
		t.Fatalf("count of no rows: %s, want coalesce(…, 0)", p.Exprs[0])
	}

	f := call("count", true, x)
	f.Filter = &expr.Const{V: true, T: types.BoolT}
	if a := agg(f); mustRule(t, rc, a) != Node(a) {
		t.Errorf("FILTER: rewritten")
	}
}

func mustRule(t *testing.T, rc *RuleCtx, a *Aggregate) Node {
	out, err := singleDistinct(rc, a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func describe(n Node) string {
	if d, ok := n.(interface{ Describe() string }); ok {
		return d.Describe()
	}
	return "?"
}

// distinctFixture is the DISTINCT rules' tests' setting: a rule context,
// integer columns k (the key), x and y, an aggregate of calls grouped by
// k (output columns 20, 21, …), and a call of one argument.
func distinctFixture() (*RuleCtx, Column, Column, func(...AggCall) *Aggregate, func(string, bool, Column) AggCall) {
	rc := &RuleCtx{b: &Binder{nextID: 100, Reg: functions.Default()}}
	k := Column{ID: 1, Name: "k", Type: types.Int4T}
	x := Column{ID: 2, Name: "x", Type: types.Int4T}
	y := Column{ID: 3, Name: "y", Type: types.Int4T}
	agg := func(calls ...AggCall) *Aggregate {
		a := &Aggregate{Input: &Values{Cols: []Column{k, x, y}}, Keys: []expr.Expr{colRef(k)}, KeyCols: []Column{{ID: 10, Name: "k", Type: types.Int4T}}}
		for i, c := range calls {
			a.Aggs = append(a.Aggs, c)
			a.AggCols = append(a.AggCols, Column{ID: ColumnID(20 + i), Name: c.Name, Type: types.Int8T})
		}
		return a
	}
	call := func(name string, distinct bool, arg Column) AggCall {
		return AggCall{Name: name, Distinct: distinct, Args: []expr.Expr{colRef(arg)}, Ret: types.Int8T}
	}
	return rc, x, y, agg, call
}
