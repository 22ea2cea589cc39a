package planner

import (
	"strconv"

	"github.com/lakeq/lakeq/parser/ast"
)

// (a, b) op ANY|ALL (SELECT x, y FROM …), IN and NOT IN among them:
// lakeq has no row values, so the test is rewritten into EXISTS over the
// subquery — a LATERAL derived table, which may read the outer query
// like any subquery — given the columns' count, cmp being the row
// comparison (a, b) op (x, y) pair by pair (rowcompare.go). As a conjunct
// of WHERE, where NULL and false both drop the row, ANY is
// EXISTS (… WHERE cmp) and ALL NOT EXISTS (… WHERE cmp IS NOT TRUE).
// Elsewhere they keep SQL's three values:
//
//	ANY: CASE WHEN EXISTS (… cmp) THEN true
//	          WHEN EXISTS (… (cmp) IS NULL) THEN NULL ELSE false END
//	ALL: CASE WHEN EXISTS (… NOT cmp) THEN false
//	          WHEN EXISTS (… (cmp) IS NULL) THEN NULL ELSE true END
//
// For IN the unknown case is written pair by pair (x = a OR x IS NULL OR
// a IS NULL), which reads the same.

// markWhereRowIns records the quantified sublinks that are conjuncts of
// a WHERE clause.
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
			if x.Kind == "any" || x.Kind == "all" {
				if b.whereRowIn == nil {
					b.whereRowIn = map[*ast.SubLink]bool{}
				}
				b.whereRowIn[x] = true
			}
		}
	}
	walk(where)
}

// rowQuantified builds the rewrite of x (its test a row of n elements).
func (b *Binder) rowQuantified(x *ast.SubLink, row *ast.Row) (ast.Expr, error) {
	const alias = "__rowin"
	names := make([]string, len(row.Args))
	cols := make([]ast.Expr, len(row.Args))
	for i := range names {
		names[i] = "c" + strconv.Itoa(i+1)
		cols[i] = &ast.ColumnRef{Parts: []string{alias, names[i]}, Location: x.Location}
	}
	exists := func(cond ast.Expr) ast.Expr {
		// the subquery is a derived table: its columns, renamed, cannot
		// capture the outer names the row reads (inlining its FROM could)
		q := &ast.Select{Targets: []ast.Target{{Expr: &ast.Const{Kind: "int", Val: "1"}}},
			From:  []ast.TableExpr{&ast.SubqueryTable{Query: x.Query, Alias: &ast.Alias{Name: alias, Columns: names}, Lateral: true}},
			Where: cond}
		return &ast.SubLink{Kind: "exists", Query: q, Location: x.Location}
	}
	where := b.whereRowIn[x]
	if x.Kind == "any" && x.Op == "=" {
		conds := make([]ast.Expr, len(cols))
		unknown := make([]ast.Expr, len(cols))
		for i := range cols {
			conds[i] = &ast.BinaryOp{Op: "=", L: cols[i], R: row.Args[i], Location: x.Location}
			unknown[i] = &ast.BoolExpr{Op: "or", Args: []ast.Expr{conds[i],
				&ast.NullTest{X: cols[i], Location: x.Location}, &ast.NullTest{X: row.Args[i], Location: x.Location}}}
		}
		equal := exists(&ast.BoolExpr{Op: "and", Args: conds})
		if where {
			return equal, nil
		}
		return threeValued(x, equal, exists(&ast.BoolExpr{Op: "and", Args: unknown}), true), nil
	}
	cmp, _, err := expandRowCompare(x.Op, row, &ast.Row{Args: cols}, x.Location)
	if err != nil {
		return nil, err
	}
	null := exists(&ast.NullTest{X: cmp, Location: x.Location})
	if x.Kind == "any" {
		if where {
			return exists(cmp), nil
		}
		return threeValued(x, exists(cmp), null, true), nil
	}
	if where {
		return &ast.BoolExpr{Op: "not", Args: []ast.Expr{exists(&ast.BoolTest{X: cmp, Kind: "true", Not: true, Location: x.Location})}}, nil
	}
	return threeValued(x, exists(&ast.BoolExpr{Op: "not", Args: []ast.Expr{cmp}}), null, false), nil
}

// threeValued is CASE WHEN decided THEN v WHEN unknown THEN NULL ELSE
// NOT v END.
func threeValued(x *ast.SubLink, decided, unknown ast.Expr, v bool) ast.Expr {
	lit := func(v bool) ast.Expr { return &ast.Const{Kind: "bool", Val: strconv.FormatBool(v)} }
	return &ast.Case{Whens: []ast.When{
		{Cond: decided, Result: lit(v)},
		{Cond: unknown, Result: &ast.Const{Kind: "null"}},
	}, Else: lit(!v), Location: x.Location}
}
