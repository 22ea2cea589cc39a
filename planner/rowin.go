package planner

import (
	"strconv"

	"github.com/lakeq/lakeq/parser/ast"
)

// (a, b) IN (SELECT x, y FROM …): lakeq has no row values, so the test
// is rewritten into EXISTS over the subquery, given the columns' count.
// As a conjunct of WHERE, where NULL and false both drop the row, it is
// EXISTS (… WHERE x = a AND y = b). Elsewhere it keeps SQL's three
// values: true if a row is equal, else NULL if a row is equal or unknown
// pair by pair (some pair NULL), else false:
//
//	CASE WHEN EXISTS (… x = a AND y = b) THEN true
//	     WHEN EXISTS (… (x = a OR x IS NULL OR a IS NULL) AND …) THEN NULL
//	     ELSE false END

// markWhereRowIns records the row-IN sublinks that are conjuncts of a
// WHERE clause.
func (b *Binder) markWhereRowIns(where ast.Expr) {
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.BoolExpr:
			if x.Op == "and" {
				for _, a := range x.Args {
					walk(a)
				}
			}
		case *ast.SubLink:
			if x.Kind == "any" && x.Op == "=" {
				if b.whereRowIn == nil {
					b.whereRowIn = map[*ast.SubLink]bool{}
				}
				b.whereRowIn[x] = true
			}
		}
	}
	walk(where)
}

// rowInExists builds the rewrite of x (its test a row of n elements).
func (b *Binder) rowInExists(x *ast.SubLink, row *ast.Row) ast.Expr {
	const alias = "__rowin"
	names := make([]string, len(row.Args))
	for i := range names {
		names[i] = "c" + strconv.Itoa(i+1)
	}
	col := func(i int) ast.Expr {
		return &ast.ColumnRef{Parts: []string{alias, names[i]}, Location: x.Location}
	}
	exists := func(cond func(i int) ast.Expr) ast.Expr {
		conds := make([]ast.Expr, 0, len(row.Args)+1)
		for i := range row.Args {
			conds = append(conds, cond(i))
		}
		// the subquery is a derived table: its columns, renamed, cannot
		// capture the outer names the row reads (inlining its FROM could)
		q := &ast.Select{Targets: []ast.Target{{Expr: &ast.Const{Kind: "int", Val: "1"}}},
			From:  []ast.TableExpr{&ast.SubqueryTable{Query: x.Query, Alias: &ast.Alias{Name: alias, Columns: names}}},
			Where: &ast.BoolExpr{Op: "and", Args: conds}}
		return &ast.SubLink{Kind: "exists", Query: q, Location: x.Location}
	}
	eq := func(i int) ast.Expr { return &ast.BinaryOp{Op: "=", L: col(i), R: row.Args[i], Location: x.Location} }
	equal := exists(eq)
	if b.whereRowIn[x] {
		return equal
	}
	unknown := exists(func(i int) ast.Expr {
		return &ast.BoolExpr{Op: "or", Args: []ast.Expr{eq(i),
			&ast.NullTest{X: col(i), Location: x.Location}, &ast.NullTest{X: row.Args[i], Location: x.Location}}}
	})
	return &ast.Case{Whens: []ast.When{
		{Cond: equal, Result: &ast.Const{Kind: "bool", Val: "true"}},
		{Cond: unknown, Result: &ast.Const{Kind: "null"}},
	}, Else: &ast.Const{Kind: "bool", Val: "false"}, Location: x.Location}
}
