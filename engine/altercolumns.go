package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// PostgreSQL's ALTER TABLE column actions. On a managed table most are a
// change of the catalog entry alone, as in PostgreSQL: ADD COLUMN (with
// no default, or on an empty table), DROP COLUMN, RENAME COLUMN, SET /
// DROP DEFAULT, SET / DROP NOT NULL (SET NOT NULL checks the rows
// first). The data files are found by each column's name in them
// (catalog.Column.FileName): a renamed column keeps its files' name, an
// added one takes a name no older file holds, so a column dropped and
// added again never shows the old values. ALTER COLUMN … TYPE, and ADD
// COLUMN with a default on a table that has rows (existing rows take the
// default, as in PostgreSQL), rewrite the table on the one write path:
// the new files and the new columns are published by one catalog update,
// checked against the version they were made from. An external table
// takes ADD COLUMN only (its files are not lakeq's to rewrite).

// columnChange is ALTER TABLE's actions worked out against one version
// of a table.
type columnChange struct {
	cols []catalog.Column
	// origin is each new column's index among the old ones, -1 when added
	origin []int
	// exprs are the rewrite's expressions over the old table (by new
	// column; "" for a column read as it is)
	exprs   []string
	rewrite bool
	// emptyOnly: the change holds only while the table has no rows (an
	// added column's default or NOT NULL, with no rewrite)
	emptyOnly bool
	// checkNull names old columns (by their old name) that became NOT NULL
	checkNull []string
	// stale are old column names whose statistics no longer hold
	stale   []string
	notices []string
}

func (s *Session) alterColumns(ctx context.Context, x *ast.AlterColumns) (*Result, error) {
	t, err := s.lookupTable(ctx, x.Table.Schema, x.Table.Name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		if x.IfExists {
			return &Result{Tag: "ALTER TABLE", Notices: []string{fmt.Sprintf("relation \"%s\" does not exist, skipping", x.Table.Name)}}, nil
		}
		return nil, s.missingRelation(ctx, x.Table)
	}
	switch t.Type {
	case catalog.ExternalTable:
		return s.alterExternalColumns(ctx, t, x)
	case catalog.ManagedTable:
	default:
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a table", t.Name)
	}
	lock := s.eng.tableLock(t.Database, t.Name)
	lock.Lock()
	defer lock.Unlock()
	var ch *columnChange
	// rows written meanwhile: a rewrite starts again from them
	err = s.eng.retryConflicts(ctx, t, alterRetries, func(t *catalog.Table) (err error) {
		ch, err = s.alterColumnsOnce(ctx, t, x)
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &Result{Tag: "ALTER TABLE", Notices: ch.notices}
	if len(ch.stale) > 0 {
		var st []catalog.ColumnStats
		for _, c := range ch.stale {
			st = append(st, catalog.ColumnStats{Column: c}) // no rows: not used
		}
		_ = s.eng.store.PutStats(ctx, t.Database, t.Name, st)
	}
	return res, nil
}

// alterRetries bounds how often an ALTER that lost a race to writers of
// rows starts again (the rows it read changed; nothing of it was kept).
const alterRetries = 5

// alterColumnsOnce makes the change against t, as the catalog has it.
func (s *Session) alterColumnsOnce(ctx context.Context, t *catalog.Table, x *ast.AlterColumns) (*columnChange, error) {
	if err := s.eng.adoptLegacy(ctx, t); err != nil {
		return nil, err
	}
	rows, err := s.eng.rowsOf(ctx, t)
	if err != nil {
		return nil, err
	}
	ch, err := planColumnChange(t, x.Cmds, rows)
	if err != nil {
		return nil, err
	}
	if ch.rewrite {
		return ch, s.rewriteColumns(ctx, t, ch)
	}
	return ch, s.updateTable(ctx, t.Database, t.Name, func(cur *catalog.Table) error {
		if !slices.Equal(cur.Columns, t.Columns) {
			return errColumnsChanged(t.Name)
		}
		if ch.emptyOnly && cur.Parameters[contentKey] != t.Parameters[contentKey] {
			return sqlerr.New(sqlerr.SerializationFailure, "could not alter table \"%s\": rows were written concurrently", t.Name)
		}
		for _, c := range ch.checkNull {
			if err := s.checkNoNulls(ctx, cur, c); err != nil {
				return err
			}
		}
		return s.changeColumnsInPlace(cur, ch)
	})
}

// planColumnChange applies cmds, in order, to t's columns (rows: how
// many t has).
func planColumnChange(t *catalog.Table, cmds []ast.ColumnCmd, rows int64) (*columnChange, error) {
	ch := &columnChange{cols: slices.Clone(t.Columns)}
	for i := range t.Columns {
		ch.origin = append(ch.origin, i)
		ch.exprs = append(ch.exprs, "")
	}
	find := func(name string) int {
		for i, c := range ch.cols {
			if c.Name == name {
				return i
			}
		}
		return -1
	}
	missing := func(name string) error {
		return sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
	}
	for _, cmd := range cmds {
		i := find(cmd.Column)
		if cmd.Action != "add" && i < 0 {
			if cmd.Action == "drop" && cmd.IfExists {
				ch.notices = append(ch.notices, fmt.Sprintf("column \"%s\" of relation \"%s\" does not exist, skipping", cmd.Column, t.Name))
				continue
			}
			return nil, missing(cmd.Column)
		}
		switch cmd.Action {
		case "add":
			if i >= 0 {
				if cmd.IfNotExists {
					ch.notices = append(ch.notices, fmt.Sprintf("column \"%s\" of relation \"%s\" already exists, skipping", cmd.Column, t.Name))
					continue
				}
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cmd.Column, t.Name)
			}
			if cmd.Def.Serial {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ALTER TABLE … ADD COLUMN of a serial or identity column is not supported")
			}
			ct, err := types.FromName(cmd.Def.Type.Names, cmd.Def.Type.Mods, cmd.Def.Type.ArrayDims)
			if err != nil {
				return nil, err
			}
			c := catalog.Column{Name: cmd.Column, Type: columnStorageType(ct).String(), NotNull: cmd.Def.NotNull,
				Default: cmd.Def.DefaultSQL, Comment: cmd.Def.Comment, FileName: cmd.Column + "__" + managed.NewID()[:8]}
			hasDefault := cmd.Def.DefaultSQL != "" && !strings.EqualFold(cmd.Def.DefaultSQL, "NULL")
			if rows > 0 && c.NotNull && !hasDefault {
				return nil, sqlerr.New(sqlerr.NotNullViolation, "column \"%s\" of relation \"%s\" contains null values", c.Name, t.Name)
			}
			if rows == 0 && (hasDefault || c.NotNull) {
				ch.emptyOnly = true
			}
			expr := "NULL"
			if hasDefault {
				expr = cmd.Def.DefaultSQL
				ch.rewrite = ch.rewrite || rows > 0 // existing rows take the default
			}
			ch.cols = append(ch.cols, c)
			ch.origin = append(ch.origin, -1)
			ch.exprs = append(ch.exprs, expr)
		case "drop":
			if len(ch.cols) == 1 {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot drop column \"%s\": it is the last column of \"%s\" (lakeq's tables keep at least one)", cmd.Column, t.Name)
			}
			if o := ch.origin[i]; o >= 0 {
				ch.stale = append(ch.stale, t.Columns[o].Name)
			}
			ch.cols = slices.Delete(ch.cols, i, i+1)
			ch.origin = slices.Delete(ch.origin, i, i+1)
			ch.exprs = slices.Delete(ch.exprs, i, i+1)
		case "rename":
			if find(cmd.NewName) >= 0 {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cmd.NewName, t.Name)
			}
			if o := ch.origin[i]; o >= 0 {
				ch.stale = append(ch.stale, t.Columns[o].Name)
			}
			ch.cols[i].FileName = ch.cols[i].InFiles()
			ch.cols[i].Name = cmd.NewName
		case "type":
			ct, err := types.FromName(cmd.Type.Names, cmd.Type.Mods, cmd.Type.ArrayDims)
			if err != nil {
				return nil, err
			}
			ct = columnStorageType(ct)
			o := ch.origin[i]
			if o < 0 {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ALTER TABLE cannot add column \"%s\" and change its type at once", cmd.Column)
			}
			from, err := types.Parse(t.Columns[o].Type)
			if err != nil {
				return nil, err
			}
			e := sqlIdent(t.Columns[o].Name)
			if cmd.Using != "" {
				e = cmd.Using
			} else if !planner.Assignable(from, ct) {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" cannot be cast automatically to type %s", cmd.Column, ct.String()).
					WithHint(fmt.Sprintf("You might need to specify \"USING %s::%s\".", quoteIdent(cmd.Column), ct.String()))
			}
			ch.cols[i].Type = ct.String()
			ch.exprs[i] = e
			ch.stale = append(ch.stale, t.Columns[o].Name)
			ch.rewrite = true
		case "set default":
			ch.cols[i].Default = cmd.DefaultSQL
		case "drop default":
			ch.cols[i].Default = ""
		case "set not null":
			if !ch.cols[i].NotNull && ch.origin[i] >= 0 {
				ch.checkNull = append(ch.checkNull, t.Columns[ch.origin[i]].Name)
			}
			ch.cols[i].NotNull = true
		case "drop not null":
			ch.cols[i].NotNull = false
		default:
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ALTER TABLE action %s is not supported", cmd.Action)
		}
	}
	return ch, nil
}

// changeColumnsInPlace gives cur the new columns, and its delta rows
// (kept in the catalog entry, by position) the same shape.
func (s *Session) changeColumnsInPlace(cur *catalog.Table, ch *columnChange) error {
	old := cur.Columns
	cur.Columns = ch.cols
	if err := s.validDefaults(cur); err != nil {
		return err
	}
	delta := cur.Parameters[managed.DeltaKey]
	if delta == "" {
		return nil
	}
	oldT := *cur
	oldT.Columns = old
	mt, err := s.eng.managedStorage(&oldT)
	if err != nil {
		return err
	}
	recs, _, err := mt.DecodeDelta(delta)
	if err != nil {
		return err
	}
	_, ts, err := tableTypes(cur)
	if err != nil {
		return err
	}
	var out []arrow.Record
	for _, r := range recs {
		cols := make([]arrow.Array, len(ch.cols))
		fields := make([]arrow.Field, len(ch.cols))
		for i := range ch.cols {
			if o := ch.origin[i]; o >= 0 {
				cols[i] = r.Column(o)
			} else {
				cols[i] = types.ConstArray(ts[i], nil, int(r.NumRows()))
			}
			fields[i] = arrow.Field{Name: ch.cols[i].Name, Type: cols[i].DataType(), Nullable: true}
		}
		out = append(out, array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()))
	}
	params := make(map[string]string, len(cur.Parameters))
	for k, v := range cur.Parameters {
		params[k] = v
	}
	params[managed.DeltaKey] = managed.EncodeDelta(ts, out)
	cur.Parameters = params
	return nil
}

// validDefaults binds t's column defaults (a bad SET DEFAULT fails here,
// not at the next INSERT).
func (s *Session) validDefaults(t *catalog.Table) error {
	_, err := s.planTableDefaults(context.Background(), t)
	return err
}

// checkNoNulls fails with 23502 when column col of t holds a NULL.
func (s *Session) checkNoNulls(ctx context.Context, t *catalog.Table, col string) error {
	sql := fmt.Sprintf("SELECT count(*) FROM %s.%s WHERE %s IS NULL", sqlIdent(t.Database), sqlIdent(t.Name), sqlIdent(col))
	st, err := parser.ParseOne(sql)
	if err != nil {
		return err
	}
	n, _, err := s.plan(ctx, st.(*ast.Select), sql, nil)
	if err != nil {
		return err
	}
	recs, err := s.runPlan(ctx, n, nil)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.NumRows() > 0 && types.GetValue(types.Int8T, r.Column(0), 0).(int64) > 0 {
			return sqlerr.New(sqlerr.NotNullViolation, "column \"%s\" of relation \"%s\" contains null values", col, t.Name)
		}
	}
	return nil
}

// rewriteColumns writes t's rows again with the new columns and
// publishes the files and the columns in one catalog update.
func (s *Session) rewriteColumns(ctx context.Context, t *catalog.Table, ch *columnChange) error {
	newT := *t
	newT.Columns = slices.Clone(ch.cols)
	for i := range newT.Columns {
		newT.Columns[i].FileName = "" // every file is written anew
	}
	if err := s.validDefaults(&newT); err != nil {
		return err
	}
	var sel strings.Builder
	sel.WriteString("SELECT ")
	for i := range ch.cols {
		if i > 0 {
			sel.WriteString(", ")
		}
		e := ch.exprs[i]
		if e == "" {
			e = sqlIdent(t.Columns[ch.origin[i]].Name)
		}
		sel.WriteString("(" + e + ")")
	}
	fmt.Fprintf(&sel, " FROM %s.%s", sqlIdent(t.Database), sqlIdent(t.Name))
	st, err := parser.ParseOne(sel.String())
	if err != nil {
		return err
	}
	pv, err := s.planTableDefaults(ctx, &newT)
	if err != nil {
		return err
	}
	pt := pv.(*planner.Table)
	b := s.binder(ctx, sel.String())
	n, err := b.BindInsert(pt, nil, st.(*ast.Select))
	if err != nil {
		return err
	}
	if n, err = planner.Optimize(n, b); err != nil {
		return err
	}
	mt, err := s.eng.managedStorage(&newT)
	if err != nil {
		return err
	}
	qid := managed.NewID()
	w := mt.NewWriter(qid, s.eng.staging.Begin(qid))
	w.Parallel = s.eng.cfg.Workers
	sink := &insertSink{
		files: &fileSink{ts: columnTypes(pt), perFile: managed.FileRows, open: streamFiles(w)},
		check: func(r arrow.Record) error { return checkConstraints(&newT, pt, []arrow.Record{r}) },
	}
	if err := s.runInto(ctx, n, nil, sink); err != nil {
		sink.files.abort()
		w.Abort(ctx)
		return err
	}
	if !sink.streaming && len(sink.kept) > 0 {
		if err := w.Write(ctx, sink.kept); err != nil {
			w.Abort(ctx)
			return err
		}
	}
	_, err = s.eng.publishAltering(ctx, t, mt, w, true, nil, func(upd *catalog.Table) error {
		if !slices.Equal(upd.Columns, t.Columns) {
			return errColumnsChanged(t.Name)
		}
		upd.Columns = newT.Columns
		return nil
	})
	return err
}

// alterExternalColumns is ADD COLUMN on an external table: a column its
// files may have (files without it read NULL).
func (s *Session) alterExternalColumns(ctx context.Context, t *catalog.Table, x *ast.AlterColumns) (*Result, error) {
	res := &Result{Tag: "ALTER TABLE"}
	err := s.updateTable(ctx, t.Database, t.Name, func(cur *catalog.Table) error {
		res.Notices = nil
		seen := map[string]bool{}
		for _, c := range cur.Columns {
			seen[c.Name] = true
		}
		for _, c := range cur.PartitionKeys {
			seen[c.Name] = true
		}
		for _, c := range x.Cmds {
			if c.Action != "add" {
				return sqlerr.New(sqlerr.FeatureNotSupported, "ALTER TABLE … %s is not supported on external table \"%s\" (its files are not lakeq's to rewrite; ADD COLUMN and REPLACE COLUMNS are)", strings.ToUpper(c.Action), t.Name)
			}
			if c.Def.NotNull || c.Def.DefaultSQL != "" {
				return sqlerr.New(sqlerr.FeatureNotSupported, "a column of external table \"%s\" cannot have NOT NULL or a DEFAULT", t.Name)
			}
			if seen[c.Column] {
				if c.IfNotExists {
					res.Notices = append(res.Notices, fmt.Sprintf("column \"%s\" of relation \"%s\" already exists, skipping", c.Column, t.Name))
					continue
				}
				return sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" of relation \"%s\" already exists", c.Column, t.Name)
			}
			seen[c.Column] = true
			ct, err := types.FromName(c.Def.Type.Names, c.Def.Type.Mods, c.Def.Type.ArrayDims)
			if err != nil {
				return err
			}
			cur.Columns = append(cur.Columns, catalog.Column{Name: c.Column, Type: columnStorageType(ct).String(), Comment: c.Def.Comment})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sqlIdent quotes an identifier always (for SQL lakeq writes itself).
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
