package planner

import (
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// cycleTerms rewrites a recursive CTE with a CYCLE clause into plain
// terms, as PostgreSQL's rewriter does: the anchor adds the mark column
// (the DEFAULT value) and the path (an array of the cycle columns' row
// value); the recursive term reads only rows of the work table whose mark
// is not the TO value, marks a row whose cycle columns are already on its
// path, and appends them to the path. A marked row is still returned but
// never expanded, so a cyclic graph stops.
//
// lakeq has no row type: the path holds each row value as the text
// PostgreSQL's record_out gives it (__record_text), so it prints as
// PostgreSQL prints record[] and two rows are equal when their texts are
// (which, for values of one type, they are exactly when the values are,
// but for numerics of different scales, 1.5 and 1.50, and 0 and -0).
func (b *Binder) cycleTerms(def *cteDef, names []string, sel *ast.Select) (anchor, rec *ast.Select, err error) {
	cy := def.cycle
	at := func(e error) error { return b.errAt(e, cy.Pos) }
	seen := map[string]bool{}
	for _, c := range cy.Cols {
		if !contains(names, c) {
			return nil, nil, at(sqlerr.New(sqlerr.SyntaxError, "cycle column \"%s\" not in WITH query column list", c))
		}
		if seen[c] {
			return nil, nil, at(sqlerr.New(sqlerr.DuplicateColumn, "cycle column \"%s\" specified more than once", c))
		}
		seen[c] = true
	}
	if cy.Mark == cy.Path {
		return nil, nil, at(sqlerr.New(sqlerr.SyntaxError, "cycle mark column name and cycle path column name are the same"))
	}
	for _, n := range []string{cy.Mark, cy.Path} {
		if contains(names, n) {
			return nil, nil, sqlerr.New(sqlerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", n)
		}
	}
	r := sel.Right
	ref := ""
	if r != nil && r.Op == "" && r.Values == nil {
		ref = cteRefAlias(r.From, def.name)
	}
	if r != nil && r.Op != "" && refersTo(r.Left, def.name) && refersTo(r.Right, def.name) {
		return nil, nil, sqlerr.New(sqlerr.InvalidRecursion, "recursive reference to query \"%s\" must not appear more than once", def.name)
	}
	if ref == "" {
		return nil, nil, at(sqlerr.New(sqlerr.FeatureNotSupported, "CYCLE on WITH query \"%s\" needs a recursive term that is one SELECT reading \"%s\" in its FROM list", def.name, def.name))
	}

	col := func(q, n string) ast.Expr { return &ast.ColumnRef{Parts: []string{q, n}, Location: -1} }
	rowText := func(q string) ast.Expr {
		f := &ast.FuncCall{Name: []string{"__record_text"}, Location: -1}
		for _, c := range cy.Cols {
			f.Args = append(f.Args, col(q, c))
		}
		return f
	}
	mark := func(cond ast.Expr) ast.Expr {
		return &ast.Case{Whens: []ast.When{{Cond: cond, Result: cy.MarkTo}}, Else: cy.MarkDefault, Location: -1}
	}
	const a, s, p = "__lakeq_anchor", "__lakeq_step", "__lakeq_path"

	anchor = &ast.Select{From: []ast.TableExpr{&ast.SubqueryTable{Query: sel.Left, Alias: &ast.Alias{Name: a, Columns: names}}}}
	for _, n := range names {
		anchor.Targets = append(anchor.Targets, ast.Target{Expr: col(a, n), Alias: n, Pos: -1})
	}
	anchor.Targets = append(anchor.Targets,
		ast.Target{Expr: mark(&ast.Const{Kind: "bool", Val: "false", Location: -1}), Alias: cy.Mark, Pos: -1},
		ast.Target{Expr: &ast.Array{Elems: []ast.Expr{rowText(a)}, Location: -1}, Alias: cy.Path, Pos: -1})

	inner := *r
	inner.Targets = append(append([]ast.Target{}, r.Targets...), ast.Target{Expr: col(ref, cy.Path), Alias: p, Pos: -1})
	live := &ast.BinaryOp{Op: "<>", L: col(ref, cy.Mark), R: cy.MarkTo, Location: -1}
	if inner.Where == nil {
		inner.Where = live
	} else {
		inner.Where = &ast.BoolExpr{Op: "and", Args: []ast.Expr{inner.Where, live}, Location: -1}
	}
	rec = &ast.Select{From: []ast.TableExpr{&ast.SubqueryTable{Query: &inner, Alias: &ast.Alias{Name: s, Columns: append(append([]string{}, names...), p)}}}}
	for _, n := range names {
		rec.Targets = append(rec.Targets, ast.Target{Expr: col(s, n), Alias: n, Pos: -1})
	}
	onPath := &ast.FuncCall{Name: []string{"__array_any"}, Args: []ast.Expr{rowText(s), &ast.Const{Kind: "string", Val: "=", Location: -1}, col(s, p)}, Location: -1}
	rec.Targets = append(rec.Targets,
		ast.Target{Expr: mark(onPath), Alias: cy.Mark, Pos: -1},
		ast.Target{Expr: &ast.BinaryOp{Op: "||", L: col(s, p), R: &ast.Array{Elems: []ast.Expr{rowText(s)}, Location: -1}, Location: -1}, Alias: cy.Path, Pos: -1})
	return anchor, rec, nil
}

// cteRefAlias is the name the recursive term's FROM list (joins included,
// subqueries not) gives the reference to CTE name, "" when it has none.
func cteRefAlias(from []ast.TableExpr, name string) string {
	var walk func(t ast.TableExpr) string
	walk = func(t ast.TableExpr) string {
		switch x := t.(type) {
		case *ast.TableName:
			if x.Name.Schema == "" && x.Name.Name == name {
				if x.Alias != nil && x.Alias.Name != "" {
					return x.Alias.Name
				}
				return name
			}
		case *ast.Join:
			if a := walk(x.Left); a != "" {
				return a
			}
			return walk(x.Right)
		}
		return ""
	}
	for _, f := range from {
		if a := walk(f); a != "" {
			return a
		}
	}
	return ""
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
