package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/types"
)

// RETURNING: the list is a select over the rows the statement wrote (or
// deleted), read as the target table under its alias, so it sees the
// table's columns and nothing else, as in PostgreSQL.

// returningTable names the rows a RETURNING list reads.
const returningTable = "__lakeq_returning"

// recordsSource is a table of records held in memory, read as one morsel.
type recordsSource struct{ recs []arrow.Record }

func (r recordsSource) Morsels(_ *exec.Ctx, cols []int, _ []expr.Expr) ([]exec.Morsel, error) {
	return []exec.Morsel{recordsMorsel{recs: r.recs, cols: cols}}, nil
}

func (recordsSource) Remote([]int, []expr.Expr) string { return "" }

type recordsMorsel struct {
	recs []arrow.Record
	cols []int
}

func (m recordsMorsel) Read(*exec.Ctx) ([]arrow.Record, error) {
	out := make([]arrow.Record, 0, len(m.recs))
	for _, r := range m.recs {
		fields := make([]arrow.Field, len(m.cols))
		arrs := make([]arrow.Array, len(m.cols))
		for i, c := range m.cols {
			fields[i], arrs[i] = r.Schema().Field(c), r.Column(c)
		}
		out = append(out, array.NewRecord(arrow.NewSchema(fields, nil), arrs, r.NumRows()))
	}
	return out, nil
}

// returningCatalog resolves the returned rows' name, and the rest as the
// session's catalog does.
type returningCatalog struct {
	planner.Catalog
	t *planner.Table
}

func (c returningCatalog) Table(ctx context.Context, schema, name string) (*planner.Table, error) {
	if schema == "" && name == returningTable {
		return c.t, nil
	}
	return c.Catalog.Table(ctx, schema, name)
}

// returning evaluates a RETURNING list over recs, rows of pt.
func (s *Session) returning(ctx context.Context, pt *planner.Table, alias string, targets []ast.Target, recs []arrow.Record, sql string, params []types.Value) ([]Column, []arrow.Record, error) {
	b, sel := s.returningQuery(ctx, pt, alias, targets, recs, sql)
	b.ParamValues = params
	n, err := b.BindQuery(sel)
	if err != nil {
		return nil, nil, err
	}
	var cols []Column
	for _, c := range n.Columns() {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	out, err := s.runBound(ctx, b, n, params)
	return cols, out, err
}

// returningColumns describes a RETURNING list's columns (for Describe).
func (s *Session) returningColumns(ctx context.Context, table ast.QualifiedName, alias string, targets []ast.Target, sql string) ([]Column, error) {
	_, pt, err := s.resolveWritable(ctx, table)
	if err != nil {
		return nil, err
	}
	b, sel := s.returningQuery(ctx, pt, alias, targets, nil, sql)
	n, err := b.BindQuery(sel)
	if err != nil {
		return nil, err
	}
	var cols []Column
	for _, c := range n.Columns() {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	return cols, nil
}

func (s *Session) returningQuery(ctx context.Context, pt *planner.Table, alias string, targets []ast.Target, recs []arrow.Record, sql string) (*planner.Binder, *ast.Select) {
	b := s.binder(ctx, sql)
	t := &planner.Table{Schema: pt.Schema, Name: pt.Name, Kind: pt.Kind, Columns: pt.Columns, Source: recordsSource{recs: recs}}
	b.Cat = returningCatalog{Catalog: b.Cat, t: t}
	if alias == "" {
		alias = pt.Name
	}
	sel := &ast.Select{Targets: targets, From: []ast.TableExpr{&ast.TableName{Name: ast.QualifiedName{Name: returningTable}, Alias: &ast.Alias{Name: alias}}}}
	return b, sel
}
