package planner

import (
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// Set-returning functions in a select list (SELECT unnest(a) FROM t)
// run as PostgreSQL 10+ runs them: evaluated per input row after WHERE,
// several of them side by side (the shorter padded with NULL), a row
// whose functions return nothing dropped. The binder moves each call
// into a lateral table function over the FROM list and leaves a column
// reference in its place.

var selectListSRFs = map[string]bool{"unnest": true, "generate_series": true, "generate_subscripts": true}

// srfTarget finds a set-returning call that is a select item, or the
// operand of a cast that is; rebuild puts a replacement in its place.
func srfTarget(e ast.Expr) (*ast.FuncCall, func(ast.Expr) ast.Expr) {
	switch x := e.(type) {
	case *ast.FuncCall:
		if x.Over == nil && selectListSRFs[strings.ToLower(x.Name[len(x.Name)-1])] {
			return x, func(r ast.Expr) ast.Expr { return r }
		}
	case *ast.Cast:
		if call, rebuild := srfTarget(x.X); call != nil {
			return call, func(r ast.Expr) ast.Expr { c := *x; c.X = rebuild(r); return &c }
		}
	}
	return nil, nil
}

// bindSelectSRFs rewrites the select list's set-returning calls; n is
// the FROM list (after WHERE), sc its scope.
func (b *Binder) bindSelectSRFs(n Node, sc *scope, targets []ast.Target, hasAgg bool) (Node, []ast.Target, error) {
	type found struct {
		i       int
		call    *ast.FuncCall
		rebuild func(ast.Expr) ast.Expr
	}
	var fs []found
	for i, t := range targets {
		if call, rebuild := srfTarget(t.Expr); call != nil {
			fs = append(fs, found{i, call, rebuild})
		}
	}
	if len(fs) == 0 {
		return n, targets, nil
	}
	if hasAgg {
		return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions in a select list with aggregates are not supported"), fs[0].call.Location)
	}
	const qual = "__srf"
	zip := &TableFunc{Name: "ROWS FROM"}
	var outer []Column
	seen := map[ColumnID]bool{}
	out := append([]ast.Target(nil), targets...)
	for k, f := range fs {
		m, _, err := b.bindTableFunc(&ast.FuncTable{Func: f.call, Alias: &ast.Alias{Name: qual}}, sc)
		if err != nil {
			return nil, nil, err
		}
		if lr, ok := m.(*lateralRef); ok {
			m = lr.Sub
			for _, c := range lr.Outer {
				if !seen[c.ID] {
					seen[c.ID] = true
					outer = append(outer, c)
				}
			}
		}
		tf, ok := m.(*TableFunc)
		if !ok || len(tf.Cols) != 1 {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "set-returning function %s is not supported in a select list", f.call.Name[len(f.call.Name)-1]), f.call.Location)
		}
		name := qual + strconv.Itoa(k)
		col := b.newCol(name, tf.Cols[0].Type, qual)
		tf.Cols = []Column{col}
		zip.Zip = append(zip.Zip, tf)
		zip.Cols = append(zip.Cols, col)
		sc.cols = append(sc.cols, scopeCol{Column: col, qual: qual, hidden: true})
		t := out[f.i]
		if t.Alias == "" {
			t.Alias = figureName(t.Expr)
		}
		t.Expr = f.rebuild(&ast.ColumnRef{Parts: []string{qual, name}, Location: f.call.Location})
		out[f.i] = t
	}
	var sub Node = zip
	if len(zip.Zip) == 1 {
		sub = zip.Zip[0]
	}
	if len(outer) > 0 {
		return &Apply{Input: n, Sub: sub, Outer: outer}, out, nil
	}
	return &Join{Type: JoinCross, Left: n, Right: sub}, out, nil
}
