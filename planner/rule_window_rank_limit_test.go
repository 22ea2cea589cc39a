package planner

import (
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// The rule bounds a window by the tightest rank conjunct of the Filter
// over it, and leaves windows alone whose functions look past a row's
// peers or whose filter is not on a row_number/rank column.
func TestWindowRankLimit(t *testing.T) {
	rk := Column{ID: 7, Name: "rank", Type: types.Int8T}
	sm := Column{ID: 8, Name: "sum", Type: types.Int8T}
	k := func(v int64) expr.Expr { return &expr.Const{V: v, T: types.Int4T} }
	cmp := func(op string, a, b expr.Expr) expr.Expr {
		return &expr.Call{Name: op, Args: []expr.Expr{a, b}, T: types.BoolT}
	}
	rank := WinCall{Name: "rank", Win: &functions.Window{}, Ret: types.Int8T}
	sum := WinCall{Name: "sum", Agg: &AggCall{}, Ret: types.Int8T}
	plan := func(cond expr.Expr, funcs []WinCall, cols []Column) Node {
		return &Filter{Cond: cond, Input: &Window{Input: &Values{}, Funcs: funcs, FuncCols: cols}}
	}
	limitOf := func(n Node) int64 {
		out, err := windowRankLimit(nil, n)
		if err != nil {
			t.Fatal(err)
		}
		return out.(*Filter).Input.(*Window).RankLimit
	}
	ref := colRef(rk)
	for _, c := range []struct {
		name string
		n    Node
		want int64
	}{
		{"rk <= 100", plan(cmp("<=", ref, k(100)), []WinCall{rank}, []Column{rk}), 100},
		{"rk < 100", plan(cmp("<", ref, k(100)), []WinCall{rank}, []Column{rk}), 99},
		{"5 >= rk", plan(cmp(">=", k(5), ref), []WinCall{rank}, []Column{rk}), 5},
		{"rk = 1", plan(cmp("=", ref, k(1)), []WinCall{rank}, []Column{rk}), 1},
		{"tightest of two", plan(&expr.And{Args: []expr.Expr{cmp("<=", ref, k(9)), cmp("<", ref, k(4))}}, []WinCall{rank}, []Column{rk}), 3},
		{"rk >= 3 bounds nothing", plan(cmp(">=", ref, k(3)), []WinCall{rank}, []Column{rk}), 0},
		{"rk <= 0 keeps nothing and is left to the filter", plan(cmp("<=", ref, k(0)), []WinCall{rank}, []Column{rk}), 0},
		{"a running sum looks past peers", plan(cmp("<=", ref, k(3)), []WinCall{sum, rank}, []Column{sm, rk}), 0},
		{"a filter on another column", plan(cmp("<=", colRef(sm), k(3)), []WinCall{rank}, []Column{rk}), 0},
	} {
		if got := limitOf(c.n); got != c.want {
			t.Errorf("%s: RankLimit %d, want %d", c.name, got, c.want)
		}
	}
}
