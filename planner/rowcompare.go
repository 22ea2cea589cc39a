package planner

import (
	"strings"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// Row comparisons, as PostgreSQL evaluates them: (a, b) = (c, d) is
// a = c AND b = d; <> (and IS DISTINCT FROM) any pair differing; <, <=,
// >, >= compare left to right and decide at the first pair that is
// unequal or NULL — (a, b) < (c, d) is a < c OR (a = c AND b < d), which
// is NULL exactly where PostgreSQL's is. (x, y) IN ((1, 'a'), …) is the
// OR of the row equalities, NOT IN the AND of the inequalities. lakeq
// has no row values: these are rewritten before binding.

// rowArgs is e's elements when it is a row constructor of other than one
// element.
func rowArgs(e ast.Expr) ([]ast.Expr, bool) {
	if r, ok := e.(*ast.Row); ok && len(r.Args) != 1 {
		return r.Args, true
	}
	return nil, false
}

// expandRowCompare rewrites a comparison of two rows; ok is false when
// neither side is a row.
func expandRowCompare(op string, l, r ast.Expr, loc int) (ast.Expr, bool, error) {
	la, lok := rowArgs(l)
	ra, rok := rowArgs(r)
	if !lok && !rok {
		return nil, false, nil
	}
	if !lok || !rok {
		return nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "comparing a row with a value that is not a row constructor is not supported")
	}
	if len(la) != len(ra) {
		return nil, true, sqlerr.New(sqlerr.SyntaxError, "unequal number of entries in row expressions")
	}
	if len(la) == 0 {
		return nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "cannot compare rows of zero length")
	}
	pair := func(o string, i int) ast.Expr { return &ast.BinaryOp{Op: o, L: la[i], R: ra[i], Location: loc} }
	all := func(o, join string) ast.Expr {
		args := make([]ast.Expr, len(la))
		for i := range la {
			args[i] = pair(o, i)
		}
		return &ast.BoolExpr{Op: join, Args: args}
	}
	switch op := strings.ToLower(op); op {
	case "=":
		return all("=", "and"), true, nil
	case "<>", "!=":
		return all("<>", "or"), true, nil
	case "is not distinct from":
		return all(op, "and"), true, nil
	case "is distinct from":
		return all(op, "or"), true, nil
	case "<", "<=", ">", ">=":
		strict := op[:1]
		var lex func(i int) ast.Expr
		lex = func(i int) ast.Expr {
			if i == len(la)-1 {
				return pair(op, i)
			}
			return &ast.BoolExpr{Op: "or", Args: []ast.Expr{pair(strict, i),
				&ast.BoolExpr{Op: "and", Args: []ast.Expr{pair("=", i), lex(i + 1)}}}}
		}
		return lex(0), true, nil
	}
	return nil, true, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s is not supported for row comparisons", op)
}

// expandRowIn rewrites (x, y) [NOT] IN ((…), …); ok is false when the
// tested value is not a row.
func expandRowIn(x *ast.In) (ast.Expr, bool, error) {
	if _, ok := rowArgs(x.X); !ok {
		return nil, false, nil
	}
	op, join := "=", "or"
	if x.Not {
		op, join = "<>", "and"
	}
	args := make([]ast.Expr, len(x.List))
	for i, item := range x.List {
		e, _, err := expandRowCompare(op, x.X, item, x.Location)
		if err != nil {
			return nil, true, err
		}
		args[i] = e
	}
	return &ast.BoolExpr{Op: join, Args: args}, true, nil
}
