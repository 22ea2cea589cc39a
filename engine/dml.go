package engine

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// resolveWritable finds a managed table for DML.
func (s *Session) resolveWritable(ctx context.Context, q ast.QualifiedName) (*catalog.Table, *planner.Table, error) {
	t, err := s.lookupTable(ctx, q.Schema, q.Name)
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		if q.Schema == "sys" && s.sysTable(ctx, q.Name) != nil || s.systemTable(ctx, q.Schema, q.Name) != nil {
			return nil, nil, sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied for table %s: it is a system catalog", q.Name)
		}
		return nil, nil, s.missingRelation(ctx, q)
	}
	if t.Type != catalog.ManagedTable {
		return nil, nil, sqlerr.New(sqlerr.WrongObjectType, "cannot change relation \"%s\": it is a %s", t.Name, map[string]string{catalog.VirtualView: "view", catalog.ExternalTable: "external table"}[t.Type])
	}
	pt, err := s.planTable(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	return t, pt, nil
}

// conformRecords casts batches to the stored column types.
func conformRecords(ec *exec.Ctx, recs []arrow.Record, ts []types.T) ([]arrow.Record, error) {
	out := make([]arrow.Record, 0, len(recs))
	for _, r := range recs {
		cols := make([]arrow.Array, len(ts))
		fields := make([]arrow.Field, len(ts))
		for i, t := range ts {
			c := r.Column(i)
			if !arrow.TypeEqual(c.DataType(), t.Arrow()) {
				from, err := types.FromArrow(c.DataType())
				if err != nil {
					return nil, err
				}
				if c, err = expr.CastArray(ec.Expr, c, from, t); err != nil {
					return nil, err
				}
			}
			cols[i] = c
			fields[i] = arrow.Field{Name: r.Schema().Field(i).Name, Type: t.Arrow(), Nullable: true}
		}
		out = append(out, array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()))
	}
	return out, nil
}

// checkConstraints enforces NOT NULL and character lengths.
func checkConstraints(t *catalog.Table, pt *planner.Table, recs []arrow.Record) error {
	for _, r := range recs {
		for i, c := range pt.Columns {
			col := r.Column(i)
			if c.NotNull && col.NullN() > 0 {
				return sqlerr.New(sqlerr.NotNullViolation, "null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, t.Name)
			}
			if (c.Type.Kind == types.Varchar || c.Type.Kind == types.Char) && c.Type.Width > 0 {
				sa, ok := col.(*array.String)
				if !ok {
					continue
				}
				for j := 0; j < sa.Len(); j++ {
					if sa.IsValid(j) && int32(utf8.RuneCountInString(sa.Value(j))) > c.Type.Width {
						kind := "character varying"
						if c.Type.Kind == types.Char {
							kind = "character"
						}
						return sqlerr.New(sqlerr.StringDataRightTrunc, "value too long for type %s(%d)", kind, c.Type.Width)
					}
				}
			}
		}
	}
	return nil
}

func (s *Session) insert(ctx context.Context, x *ast.Insert, sql string, params []types.Value) (*Result, error) {
	if x.Overwrite || len(x.Partition) > 0 {
		return s.insertHive(ctx, x, sql, params)
	}
	if t, err := s.lookupTable(ctx, x.Table.Schema, x.Table.Name); err == nil && t != nil && t.Type == catalog.ExternalTable {
		return s.insertExternal(ctx, x, t, sql, params)
	}
	return s.insertManaged(ctx, x, sql, params, false)
}

// insertManaged adds the query's rows to a managed table (replace: they
// become its whole content, as INSERT OVERWRITE).
func (s *Session) insertManaged(ctx context.Context, x *ast.Insert, sql string, params []types.Value, replace bool) (*Result, error) {
	t, pt, err := s.resolveWritable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if err := checkIdentityInsert(t, x.Columns, x.Query, x.OverridingSystem); err != nil {
		return nil, err
	}
	b := s.binder(ctx, sql)
	n, err := b.BindInsert(pt, x.Columns, x.Query)
	if err != nil {
		return nil, err
	}
	if len(x.Returning) == 0 {
		return s.insertStreamed(ctx, t, pt, b, n, params, replace)
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return nil, err
	}
	if recs, err = conformRecords(s.execCtx(ctx, nil), recs, columnTypes(pt)); err != nil {
		return nil, err
	}
	if err := checkConstraints(t, pt, recs); err != nil {
		return nil, err
	}
	// appends need no lock: a lost race rebases on the winner's snapshot
	if replace {
		lock := s.eng.tableLock(t.Database, t.Name)
		lock.Lock()
		defer lock.Unlock()
	}
	rows := countRows(recs)
	res := &Result{Tag: fmt.Sprintf("INSERT 0 %d", rows), Rows: rows}
	if len(x.Returning) > 0 {
		// before the write: a RETURNING that fails writes nothing
		if res.Columns, res.Records, err = s.returning(ctx, pt, x.Alias, x.Returning, recs, sql, params); err != nil {
			return nil, err
		}
		res.Loc = s.Loc
	}
	if err := s.writeManaged(ctx, t, recs, replace); err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Session) update(ctx context.Context, x *ast.Update, sql string, params []types.Value) (*Result, error) {
	if len(x.From) > 0 || len(x.Returning) > 0 {
		return s.joinedDML(ctx, "UPDATE", x.Table, x.Alias, x.From, x.Where, ast.MergeWhen{Action: "update", Set: x.Set}, x.Returning, sql, params)
	}
	t, pt, err := s.resolveWritable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if err := checkIdentitySet(t, x.Set); err != nil {
		return nil, err
	}
	lock := s.eng.tableLock(t.Database, t.Name)
	lock.Lock()
	defer lock.Unlock()
	b := s.binder(ctx, sql)
	n, err := b.BindUpdate(pt, x.Alias, x.Set, x.Where)
	if err != nil {
		return nil, err
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return nil, err
	}
	ncol := len(pt.Columns)
	var updated int64
	var kept []arrow.Record
	for _, r := range recs {
		flag := r.Column(ncol).(*array.Boolean)
		for i := 0; i < flag.Len(); i++ {
			if flag.IsValid(i) && flag.Value(i) {
				updated++
			}
		}
		cols := r.Columns()[:ncol]
		fields := r.Schema().Fields()[:ncol]
		kept = append(kept, array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()))
	}
	if kept, err = conformRecords(s.execCtx(ctx, nil), kept, columnTypes(pt)); err != nil {
		return nil, err
	}
	if err := checkConstraints(t, pt, kept); err != nil {
		return nil, err
	}
	if updated > 0 {
		if err := s.writeManaged(ctx, t, kept, true); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: fmt.Sprintf("UPDATE %d", updated), Rows: updated}, nil
}

func (s *Session) delete(ctx context.Context, x *ast.Delete, sql string, params []types.Value) (*Result, error) {
	if len(x.Using) > 0 || len(x.Returning) > 0 {
		return s.joinedDML(ctx, "DELETE", x.Table, x.Alias, x.Using, x.Where, ast.MergeWhen{Action: "delete"}, x.Returning, sql, params)
	}
	t, pt, err := s.resolveWritable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	lock := s.eng.tableLock(t.Database, t.Name)
	lock.Lock()
	defer lock.Unlock()
	before, err := s.eng.rowsOf(ctx, t)
	if err != nil {
		return nil, err
	}
	b := s.binder(ctx, sql)
	n, err := b.BindDelete(pt, x.Alias, x.Where)
	if err != nil {
		return nil, err
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return nil, err
	}
	deleted := before - countRows(recs)
	if deleted > 0 {
		if err := s.writeManaged(ctx, t, recs, true); err != nil {
			return nil, err
		}
	}
	return &Result{Tag: fmt.Sprintf("DELETE %d", deleted), Rows: deleted}, nil
}

// merge runs MERGE into a managed table (planner.BindMerge): of the
// joined rows it keeps one per target row — the one a clause updated or
// deleted, else the row as it was — fails when two source rows update or
// delete one target row (PostgreSQL's 21000), drops deleted rows and
// source rows no INSERT took, and writes the rest as the table's new
// version, as UPDATE does.
func (s *Session) merge(ctx context.Context, x *ast.Merge, sql string, params []types.Value) (*Result, error) {
	n, err := s.mergeInto(ctx, x, sql, params, false, nil)
	if err != nil {
		return nil, err
	}
	return &Result{Tag: fmt.Sprintf("MERGE %d", n), Rows: n}, nil
}

// mergeInto runs x and returns how many rows it changed. before, when
// set, sees those rows (updated and inserted ones as written, deleted
// ones as they were) ahead of the write, which its error prevents:
// RETURNING. anyMatch is UPDATE … FROM's and DELETE … USING's rule: a
// target row several source rows match is changed once (by one of
// them), where MERGE fails.
func (s *Session) mergeInto(ctx context.Context, x *ast.Merge, sql string, params []types.Value, anyMatch bool, before func(changed []arrow.Record) error) (int64, error) {
	t, pt, err := s.resolveWritable(ctx, x.Table)
	if err != nil {
		return 0, err
	}
	for _, w := range x.Whens {
		if err := checkIdentitySet(t, w.Set); err != nil {
			return 0, err
		}
		if w.Action == "insert" {
			vals := &ast.Select{Values: [][]ast.Expr{make([]ast.Expr, len(w.Values))}}
			for i, v := range w.Values {
				vals.Values[0][i] = v
				if v == nil {
					vals.Values[0][i] = &ast.Default{}
				}
			}
			if w.Values == nil {
				vals = nil
			}
			if err := checkIdentityInsert(t, w.Columns, vals, false); err != nil {
				return 0, err
			}
		}
	}
	lock := s.eng.tableLock(t.Database, t.Name)
	lock.Lock()
	defer lock.Unlock()
	b := s.binder(ctx, sql)
	n, err := b.BindMerge(pt, x.Table, x.Alias, x.Sources, x.On, x.Whens)
	if err != nil {
		return 0, err
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return 0, err
	}
	ncol := len(pt.Columns)
	type pick struct {
		rec, row int
		acted    bool
	}
	chosen := map[int64]pick{}
	for ri, r := range recs {
		kind := r.Column(ncol).(*array.Int32)
		tid := r.Column(ncol + 1).(*array.Int64)
		for i := 0; i < int(r.NumRows()); i++ {
			if tid.IsNull(i) {
				continue
			}
			id := tid.Value(i)
			acted := kind.Value(i) == planner.MergeUpdate || kind.Value(i) == planner.MergeDelete
			p, seen := chosen[id]
			switch {
			case !seen:
				chosen[id] = pick{ri, i, acted}
			case acted && p.acted && anyMatch:
			case acted && p.acted:
				return 0, sqlerr.New(sqlerr.CardinalityViolation, "MERGE command cannot affect row a second time").
					WithHint("Ensure that not more than one source row matches any one target row.")
			case acted:
				chosen[id] = pick{ri, i, true}
			}
		}
	}
	var affected int64
	var kept, acted []arrow.Record
	for ri, r := range recs {
		kind := r.Column(ncol).(*array.Int32)
		tid := r.Column(ncol + 1).(*array.Int64)
		mb := array.NewBooleanBuilder(memory.DefaultAllocator)
		ab := array.NewBooleanBuilder(memory.DefaultAllocator)
		for i := 0; i < int(r.NumRows()); i++ {
			k := kind.Value(i)
			keep, act := false, false
			if tid.IsNull(i) {
				keep = k == planner.MergeInsert
				act = keep
			} else if p := chosen[tid.Value(i)]; p.rec == ri && p.row == i {
				keep = k != planner.MergeDelete
				act = p.acted
			}
			if act {
				affected++
			}
			mb.Append(keep)
			ab.Append(act)
		}
		cut := func(mask arrow.Array) arrow.Record {
			f := exec.FilterRecord(r, mask)
			return array.NewRecord(arrow.NewSchema(f.Schema().Fields()[:ncol], nil), f.Columns()[:ncol], f.NumRows())
		}
		kept = append(kept, cut(mb.NewArray()))
		acted = append(acted, cut(ab.NewArray()))
	}
	if acted, err = conformRecords(s.execCtx(ctx, nil), acted, columnTypes(pt)); err != nil {
		return 0, err
	}
	if kept, err = conformRecords(s.execCtx(ctx, nil), kept, columnTypes(pt)); err != nil {
		return 0, err
	}
	if err := checkConstraints(t, pt, kept); err != nil {
		return 0, err
	}
	if before != nil {
		if err := before(acted); err != nil {
			return 0, err
		}
	}
	if affected > 0 {
		if err := s.writeManaged(ctx, t, kept, true); err != nil {
			return 0, err
		}
	}
	return affected, nil
}

// joinedDML is UPDATE … FROM item and DELETE … USING item as the MERGE
// they are: the target joined with the item on the WHERE condition, each
// target row with a match updated (or deleted) once.
// With no items it is plain UPDATE or DELETE, run so when RETURNING
// needs the rows it changed.
func (s *Session) joinedDML(ctx context.Context, verb string, table ast.QualifiedName, alias string, items []ast.TableExpr, where ast.Expr, w ast.MergeWhen, ret []ast.Target, sql string, params []types.Value) (*Result, error) {
	on := where
	if on == nil {
		on = &ast.Const{Kind: "bool", Val: "true"}
	}
	w.Kind = "matched"
	res := &Result{}
	var before func([]arrow.Record) error
	if len(ret) > 0 {
		_, pt, err := s.resolveWritable(ctx, table)
		if err != nil {
			return nil, err
		}
		before = func(rows []arrow.Record) error {
			var err error
			res.Columns, res.Records, err = s.returning(ctx, pt, alias, ret, rows, sql, params)
			res.Loc = s.Loc
			return err
		}
	}
	n, err := s.mergeInto(ctx, &ast.Merge{Table: table, Alias: alias, Sources: items, On: on, Whens: []ast.MergeWhen{w}}, sql, params, true, before)
	if err != nil {
		return nil, err
	}
	res.Tag, res.Rows = fmt.Sprintf("%s %d", verb, n), n
	return res, nil
}

func (s *Session) truncate(ctx context.Context, x *ast.Truncate) (*Result, error) {
	for _, q := range x.Tables {
		t, _, err := s.resolveWritable(ctx, q)
		if err != nil {
			return nil, err
		}
		lock := s.eng.tableLock(t.Database, t.Name)
		err = func() error {
			lock.Lock()
			defer lock.Unlock()
			return s.writeManaged(ctx, t, nil, true)
		}()
		if err != nil {
			return nil, err
		}
	}
	return &Result{Tag: "TRUNCATE TABLE"}, nil
}

// runBound optimizes a plan a binder produced, converts the statement's
// parameters to the types the binder inferred, and runs it.
func (s *Session) runBound(ctx context.Context, b *planner.Binder, n planner.Node, params []types.Value) ([]arrow.Record, error) {
	n, err := planner.Optimize(n, b)
	if err != nil {
		return nil, err
	}
	if params, err = s.convertParams(b, params); err != nil {
		return nil, err
	}
	return s.runPlan(ctx, n, params)
}

func countRows(recs []arrow.Record) int64 {
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}

func columnTypes(pt *planner.Table) []types.T {
	ts := make([]types.T, len(pt.Columns))
	for i, c := range pt.Columns {
		ts[i] = c.Type
	}
	return ts
}
