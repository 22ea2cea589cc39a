package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// MERGE, as PostgreSQL runs it: the target's rows full-joined with the
// source's on the condition, and for each joined row the first WHEN
// clause of its kind (MATCHED; NOT MATCHED [BY TARGET] for a source row
// without a target row; NOT MATCHED BY SOURCE for a target row without
// a source row) whose AND condition holds decides what happens: UPDATE,
// DELETE, INSERT or DO NOTHING; a row no clause takes stays as it is.
//
// BindMerge makes the plan of the joined rows as the table's columns
// after the clause (a target row's old values where it stays, an
// inserted row's values), then the clause's action (MergeKind) and the
// target row's number (NULL for a source row without one). The caller
// keeps one row per target row, raises PostgreSQL's 21000 when two
// source rows update or delete one target row, drops deleted rows and
// unmatched source rows no INSERT took, and writes the rest as the
// table's new content.

// MergeKind codes a joined row's action in the plan's next-to-last
// column.
const (
	MergeNone   = 0 // no clause took the row (or DO NOTHING)
	MergeUpdate = 1
	MergeDelete = 2
	MergeInsert = 3
)

const (
	mergeTargetMark = "__lakeq_merge_t"
	mergeTargetID   = "__lakeq_merge_tid"
	mergeSourceMark = "__lakeq_merge_s"
)

// BindMerge binds MERGE into t (a managed table, alias its MERGE alias)
// from the FROM items sources (one for MERGE; UPDATE … FROM and DELETE
// … USING may name several, which join as a FROM list does).
func (b *Binder) BindMerge(t *Table, target ast.QualifiedName, alias string, sources []ast.TableExpr, on ast.Expr, whens []ast.MergeWhen) (Node, error) {
	talias := alias
	if talias == "" {
		talias = t.Name
	}
	star := ast.Target{Expr: &ast.ColumnRef{Star: true}}
	mark := func(name string) ast.Target {
		return ast.Target{Expr: &ast.Const{Kind: "bool", Val: "true"}, Alias: name}
	}
	tq := &ast.Select{
		Targets: []ast.Target{star, mark(mergeTargetMark),
			{Expr: &ast.FuncCall{Name: []string{"row_number"}, Over: &ast.WindowDef{}}, Alias: mergeTargetID}},
		From: []ast.TableExpr{&ast.TableName{Name: target}},
	}
	// the source side: the items cross-joined with a one-row table whose
	// column tells a joined row that has a source row from one that
	// has none (the items keep their own names for the conditions)
	const salias = "__lakeq_merge_src"
	var right ast.TableExpr = &ast.SubqueryTable{Query: &ast.Select{Targets: []ast.Target{mark(mergeSourceMark)}}, Alias: &ast.Alias{Name: salias}}
	for i := len(sources) - 1; i >= 0; i-- {
		right = &ast.Join{Type: "cross", Left: sources[i], Right: right}
	}
	join := &ast.Join{Type: "full", On: on,
		Left:  &ast.SubqueryTable{Query: tq, Alias: &ast.Alias{Name: talias}},
		Right: right}
	n, cols, err := b.bindJoin(join, &scope{})
	if err != nil {
		return nil, err
	}
	sc := &scope{}
	if err := checkDupAliases(sc, cols); err != nil {
		return nil, err
	}
	sc.cols = cols
	find := func(qual, name string) (Column, bool) {
		for _, c := range cols {
			if c.qual == qual && c.Name == name {
				return c.Column, true
			}
		}
		return Column{}, false
	}
	tMark, _ := find(talias, mergeTargetMark)
	tID, _ := find(talias, mergeTargetID)
	sMark, _ := find(salias, mergeSourceMark)
	old := make([]expr.Expr, len(t.Columns))
	for i, c := range t.Columns {
		col, ok := find(talias, c.Name)
		if !ok {
			return nil, sqlerr.New(sqlerr.Internal, "MERGE target column %s not found", c.Name)
		}
		old[i] = colRef(col)
	}
	present := func(c Column) expr.Expr { return &expr.IsNull{X: colRef(c), Not: true} }
	absent := func(c Column) expr.Expr { return &expr.IsNull{X: colRef(c)} }
	kindCond := map[string]expr.Expr{
		"matched":               &expr.And{Args: []expr.Expr{present(tMark), present(sMark)}},
		"not matched":           absent(tMark),
		"not matched by source": absent(sMark),
	}
	var kindWhens []expr.When
	colWhens := make([][]expr.When, len(t.Columns))
	sc.noAgg, sc.noWindow = "MERGE", "MERGE"
	for _, w := range whens {
		guard := kindCond[w.Kind]
		if guard == nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "MERGE WHEN %s is not supported", w.Kind)
		}
		if w.Cond != nil {
			c, err := b.bindCond(w.Cond, sc, "WHEN")
			if err != nil {
				return nil, err
			}
			guard = &expr.And{Args: []expr.Expr{guard, &expr.BoolTest{X: c, Kind: "true"}}}
		}
		vals := make([]expr.Expr, len(t.Columns))
		code := MergeNone
		switch w.Action {
		case "update":
			code = MergeUpdate
			copy(vals, old)
			seen := map[int]bool{}
			for _, s := range w.Set {
				idx := t.columnIndex(s.Column)
				if idx < 0 {
					return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", s.Column, t.Name)
				}
				if seen[idx] {
					return nil, sqlerr.New(sqlerr.DuplicateColumn, "multiple assignments to same column \"%s\"", s.Column)
				}
				seen[idx] = true
				if vals[idx], err = b.mergeValue(t.Columns[idx], s.Value, sc); err != nil {
					return nil, err
				}
			}
		case "insert":
			code = MergeInsert
			names := w.Columns
			if names == nil {
				for _, c := range t.Columns {
					names = append(names, c.Name)
				}
			}
			if w.Values != nil && len(w.Values) != len(names) {
				if len(w.Values) > len(names) {
					return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
				}
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			set := map[int]bool{}
			for j, name := range names {
				idx := t.columnIndex(name)
				if idx < 0 {
					return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
				}
				if set[idx] {
					return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", name)
				}
				set[idx] = true
				var v ast.Expr
				if w.Values != nil {
					v = w.Values[j]
				}
				if vals[idx], err = b.mergeValue(t.Columns[idx], v, sc); err != nil {
					return nil, err
				}
			}
			for i, c := range t.Columns {
				if !set[i] {
					if vals[i], err = b.defaultExpr(c); err != nil {
						return nil, err
					}
				}
			}
		case "delete":
			code = MergeDelete
			copy(vals, old)
		case "nothing":
			copy(vals, old)
		}
		kindWhens = append(kindWhens, expr.When{Cond: guard, Then: &expr.Const{V: int64(code), T: types.Int4T}})
		for i := range t.Columns {
			colWhens[i] = append(colWhens[i], expr.When{Cond: guard, Then: vals[i]})
		}
	}
	var exprs []expr.Expr
	var outCols []Column
	for i, c := range t.Columns {
		exprs = append(exprs, &expr.Case{Whens: colWhens[i], Else: old[i], T: c.Type})
		outCols = append(outCols, b.newCol(c.Name, c.Type, ""))
	}
	exprs = append(exprs, &expr.Case{Whens: kindWhens, Else: &expr.Const{V: int64(MergeNone), T: types.Int4T}, T: types.Int4T}, colRef(tID))
	outCols = append(outCols, b.newCol("?merge_kind?", types.Int4T, ""), b.newCol("?merge_tid?", tID.Type, ""))
	return &Project{Input: n, Exprs: exprs, Cols: outCols}, nil
}

// mergeValue binds an assigned value (nil: DEFAULT) for column c.
func (b *Binder) mergeValue(c TableColumn, v ast.Expr, sc *scope) (expr.Expr, error) {
	if v == nil {
		return b.defaultExpr(c)
	}
	e, err := b.bindExpr(v, sc)
	if err != nil {
		return nil, err
	}
	return b.assign(e, c.Type, c.Name)
}

func (t *Table) columnIndex(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}
