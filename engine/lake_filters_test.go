package engine

import (
	"fmt"
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

func TestOrPreds(t *testing.T) {
	ms := &expr.Col{Idx: 0, T: types.TextT, Name: "ms"}
	es := &expr.Col{Idx: 1, T: types.TextT, Name: "es"}
	n := &expr.Col{Idx: 2, T: types.Int8T, Name: "n"}
	str := func(s string) expr.Expr { return &expr.Const{V: s, T: types.TextT} }
	num := func(v int64) expr.Expr { return &expr.Const{V: v, T: types.Int8T} }
	cmp := func(op string, a, b expr.Expr) expr.Expr {
		return &expr.Call{Name: op, Args: []expr.Expr{a, b}, T: types.BoolT}
	}
	and := func(a ...expr.Expr) expr.Expr { return &expr.And{Args: a} }
	or := func(a ...expr.Expr) expr.Expr { return &expr.Or{Args: a} }
	show := func(ps []storage.Pred) string {
		s := ""
		for _, p := range ps {
			s += fmt.Sprintf("[%d %s %v]", p.Col, p.Op, p.Vals)
		}
		return s
	}
	for _, c := range []struct {
		name string
		e    expr.Expr
		want string
	}{
		{"sets per column", or(and(cmp("=", ms, str("M")), cmp("=", es, str("x"))), and(cmp("=", ms, str("D")), cmp("=", es, str("y"))), and(cmp("=", ms, str("M")), cmp("=", es, str("z")))),
			"[0 in [D M]][1 in [x y z]]"},
		{"range hull", or(and(cmp(">=", n, num(100)), cmp("<=", n, num(150))), and(cmp(">", n, num(50)), cmp("<", n, num(100)))),
			"[2 >= [50]][2 <= [150]]"},
		{"a set within a branch's range", or(and(&expr.InList{X: n, List: []expr.Expr{num(3), num(9)}}, cmp(">", n, num(5))), cmp("=", n, num(1))),
			"[2 in [1 3 9]]"},
		{"a branch without an upper bound", or(cmp(">", n, num(5)), cmp("=", n, num(3))),
			"[2 >= [3]]"},
		{"a branch not on the column", or(cmp("=", ms, str("M")), cmp("=", es, str("x"))),
			""},
		{"a branch of IS NULL", or(cmp("=", n, num(1)), &expr.IsNull{X: n}),
			""},
		{"constant first", or(cmp("<", num(7), n), cmp("=", n, num(2))),
			"[2 >= [2]]"},
	} {
		if got := show(predsOf([]expr.Expr{c.e})); got != c.want {
			t.Errorf("%s: %s: got %s, want %s", c.name, c.e, got, c.want)
		}
	}
}
