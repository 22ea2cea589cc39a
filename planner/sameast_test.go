package planner

import (
	"testing"

	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
)

// sameAST: alike wherever written (positions ignored), different as soon
// as a name, constant, operator or subquery differs.
func TestSameAST(t *testing.T) {
	first := func(sql string) ast.Expr {
		st, err := parser.Parse(sql)
		if err != nil {
			t.Fatal(err)
		}
		return st[0].AST.(*ast.Select).Targets[0].Expr
	}
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"SELECT a + (SELECT max(b) FROM t)", "SELECT    a+(SELECT max(b)   FROM t)", true},
		{"SELECT a + (SELECT max(b) FROM t)", "SELECT a + (SELECT min(b) FROM t)", false},
		{"SELECT a + (SELECT max(b) FROM t)", "SELECT a - (SELECT max(b) FROM t)", false},
		{"SELECT (SELECT x FROM t WHERE t.k = 1)", "SELECT (SELECT x FROM t WHERE t.k = 2)", false},
		{"SELECT EXISTS (SELECT 1 FROM t)", "SELECT EXISTS (SELECT 1 FROM u)", false},
		{"SELECT a", "SELECT a", true},
	} {
		if got := sameAST(first(c.a), first(c.b)); got != c.same {
			t.Errorf("sameAST(%q, %q) = %v", c.a, c.b, got)
		}
	}
}
