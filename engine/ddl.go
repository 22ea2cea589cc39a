package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// targetSchema is the schema a new object goes to; temp asks for the
// session's temporary schema. A relation created in pg_temp is
// temporary however it was asked for (isTemp), as in PostgreSQL.
func (s *Session) targetSchema(ctx context.Context, q ast.QualifiedName, temp bool) (db string, isTemp bool, err error) {
	if q.Schema != "" {
		_, inTemp, err := s.tempName(q.Schema)
		if err != nil {
			return "", false, err
		}
		if temp && !inTemp {
			return "", false, sqlerr.New(sqlerr.InvalidTableDefinition, "cannot create temporary relation in non-temporary schema")
		}
		temp = temp || inTemp
	}
	if temp {
		ts, err := s.tempSchemaFor(ctx)
		if err != nil {
			return "", false, err
		}
		return ts.name, true, nil
	}
	db, err = s.plainSchema(ctx, q)
	return db, false, err
}

// plainSchema is the schema of the search path (or named) a new
// relation goes to.
func (s *Session) plainSchema(ctx context.Context, q ast.QualifiedName) (string, error) {
	db := q.Schema
	if db == "" {
		if len(s.SearchPath) == 0 {
			return "", sqlerr.New(sqlerr.InvalidSchemaName, "no schema has been selected to create in")
		}
		db = s.SearchPath[0]
	}
	d, err := s.eng.store.GetDatabase(ctx, db)
	if err != nil {
		return "", err
	}
	if d == nil {
		return "", sqlerr.New(sqlerr.InvalidSchemaName, "schema \"%s\" does not exist", db)
	}
	return db, nil
}

// columnStorageType fixes types a table column cannot keep as they are:
// NUMERIC without precision keeps each value's own scale, as in
// PostgreSQL (types.NumericDynT), whatever static scale the expression
// that made it had.
func columnStorageType(t types.T) types.T {
	switch t.Kind {
	case types.Numeric:
		if t.Prec == 0 {
			return types.NumericDynT
		}
	case types.Unknown:
		return types.TextT
	case types.Array:
		e := columnStorageType(*t.Elem)
		return types.ArrayOf(e)
	}
	return t
}

func (s *Session) createTable(ctx context.Context, x *ast.CreateTable, sql string, params []types.Value) (*Result, error) {
	opts, err := parseCTASOptions(x.Options)
	if err != nil {
		return nil, err
	}
	return s.createTableWith(ctx, x, sql, params, opts)
}

// createTableWith runs CREATE TABLE [AS] with its WITH options parsed.
func (s *Session) createTableWith(ctx context.Context, x *ast.CreateTable, sql string, params []types.Value, opts ctasOptions) (*Result, error) {
	if x.Temp && opts.external() {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a temporary table cannot have WITH property %s: it is a managed table of the session's own", x.Options[0].Name)
	}
	db, temp, err := s.targetSchema(ctx, x.Name, x.Temp)
	if err != nil {
		return nil, err
	}
	if temp && opts.external() {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a temporary table cannot have WITH property %s: it is a managed table of the session's own", x.Options[0].Name)
	}
	existing, err := s.eng.store.GetTable(ctx, db, x.Name.Name)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if x.IfNotExists {
			tag := "CREATE TABLE"
			if x.Query != nil {
				tag = "SELECT 0"
			}
			return &Result{Tag: tag, Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", x.Name.Name)}}, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", x.Name.Name)
	}
	var stream planner.Node // CTAS into a managed table: the query, run into its files
	var streamParams []types.Value
	var streamed int64
	if x.Query == nil && opts.external() {
		// Athena's properties make CTAS an external table; a plain CREATE
		// TABLE is managed, Parquet in the warehouse
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE option %s = '%s' is not supported (WITH properties other than format = 'PARQUET' are for CREATE TABLE … AS)", x.Options[0].Name, x.Options[0].Value)
	}
	t := catalog.Table{Database: db, Name: x.Name.Name, Type: catalog.ManagedTable, Owner: s.User, Parameters: map[string]string{}}
	var recs []arrow.Record
	if x.Query != nil {
		n, b, err := s.plan(ctx, x.Query, sql, params)
		if err != nil {
			return nil, err
		}
		if params, err = s.convertParams(b, params); err != nil {
			return nil, err
		}
		cols := n.Columns()
		if len(x.ColNames) > len(cols) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "too many column names were specified")
		}
		seen := map[string]bool{}
		for i, c := range cols {
			name := c.Name
			if i < len(x.ColNames) {
				name = x.ColNames[i]
			}
			if seen[name] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", name)
			}
			seen[name] = true
			t.Columns = append(t.Columns, catalog.Column{Name: name, Type: columnStorageType(c.Type).String()})
		}
		if x.WithData && opts.external() {
			if recs, err = s.runPlan(ctx, n, params); err != nil {
				return nil, err
			}
		} else if x.WithData {
			// a managed table's files are written as the query runs
			stream, streamParams = n, params
		}
		// conform results to the stored types
		_, ts, err := tableTypes(&t)
		if err != nil {
			return nil, err
		}
		if recs, err = conformRecords(s.execCtx(ctx, nil), recs, ts); err != nil {
			return nil, err
		}
	} else {
		seen := map[string]bool{}
		for _, c := range x.Columns {
			ct, err := types.FromName(c.Type.Names, c.Type.Mods, c.Type.ArrayDims)
			if err != nil {
				return nil, err
			}
			if seen[c.Name] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c.Name)
			}
			seen[c.Name] = true
			if c.Serial && c.DefaultSQL != "" {
				return nil, sqlerr.New(sqlerr.SyntaxError, "multiple default values specified for column \"%s\" of table \"%s\"", c.Name, x.Name.Name)
			}
			t.Columns = append(t.Columns, catalog.Column{Name: c.Name, Type: columnStorageType(ct).String(), NotNull: c.NotNull, Default: c.DefaultSQL, Comment: c.Comment})
		}
	}
	// serial columns: a sequence each, dropped again if the table is not made
	var serials []string
	defer func() {
		for _, name := range serials {
			_ = s.eng.store.DropTable(context.WithoutCancel(ctx), db, name)
		}
	}()
	for i, c := range x.Columns {
		if !c.Serial {
			continue
		}
		if opts.external() {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "serial columns are not supported in an external table")
		}
		def, seq, err := s.serialSequence(ctx, db, x.Name.Name, c.Name, c.Type.Names[len(c.Type.Names)-1], c.SeqOptions)
		if err != nil {
			return nil, err
		}
		serials = append(serials, seq)
		t.Columns[i].Default, t.Columns[i].Identity = def, c.Identity
		s.freshView() // the default names the new sequence
	}
	if opts.external() {
		return s.createExternalAs(ctx, x, opts, t, recs)
	}
	names, ts, err := tableTypes(&t)
	if err != nil {
		return nil, err
	}
	// validate defaults now rather than at the first INSERT
	if x.Query == nil {
		pt, err := s.planTableDefaults(ctx, &t)
		if err != nil {
			return nil, err
		}
		_ = pt
	}
	// The rows go to a folder of this table's own, and the catalog entry
	// that names them is the publish step: of two CTAS of one name, the
	// loser's CreateTable fails and it removes its own folder.
	if temp {
		t.Storage.Location = s.temp.location(t.Name)
	} else {
		t.Storage.Location = s.eng.newLocation(db, t.Name)
	}
	t.Parameters[managed.SnapshotKey] = ""
	mt := managed.New(s.eng.fs, t.Storage.Location, names, ts)
	var w *managed.Writer
	if len(recs) > 0 || stream != nil {
		qid := managed.NewID()
		w = mt.NewWriter(qid, s.eng.staging.Begin(qid))
		w.Parallel = s.eng.cfg.Workers
		if stream != nil {
			sink := &fileSink{ts: ts, perFile: managed.FileRows, open: streamFiles(w)}
			if err := s.runInto(ctx, stream, streamParams, sink); err != nil {
				w.Abort(ctx)
				return nil, err
			}
			streamed = sink.rows
		} else if err := w.Write(ctx, recs); err != nil {
			w.Abort(ctx)
			return nil, err
		}
		name, _, _, err := w.Publish(ctx, managed.Snapshot{}, "", false, nil)
		if err != nil {
			w.Abort(ctx)
			return nil, err
		}
		t.Parameters[managed.SnapshotKey] = name
	}
	if err := s.eng.store.CreateTable(ctx, t); err != nil {
		if w != nil {
			w.Abort(ctx)
		}
		_ = mt.RemoveAll(ctx)
		if sqlerr.Code(err) == sqlerr.DuplicateTable && x.IfNotExists {
			// another session created it meanwhile
			tag := "CREATE TABLE"
			if x.Query != nil {
				tag = "SELECT 0"
			}
			return &Result{Tag: tag, Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", x.Name.Name)}}, nil
		}
		return nil, err
	}
	if w != nil {
		w.Done()
	}
	serials = nil // the table owns them now
	if temp && x.OnCommit != "" {
		a := &commitAction{action: x.OnCommit, version: 1} // a new table is version 1 (empty, unless CTAS)
		if x.Query != nil {
			a.version = -1
		}
		s.temp.onCommit[t.Name] = a
	}
	if x.Query != nil {
		n := countRows(recs) + streamed
		return &Result{Tag: fmt.Sprintf("SELECT %d", n), Rows: n}, nil
	}
	return &Result{Tag: "CREATE TABLE"}, nil
}

func (s *Session) planTableDefaults(ctx context.Context, t *catalog.Table) (any, error) {
	tt := *t
	tt.Type = catalog.VirtualView // skip storage
	tt.ViewSQL = "SELECT 1"
	pt, err := s.planTable(ctx, &tt)
	if err != nil {
		return nil, err
	}
	b := s.binder(ctx, "")
	for _, c := range pt.Columns {
		if c.Default != nil {
			if _, err := b.BindDefault(c); err != nil {
				return nil, err
			}
		}
	}
	return pt, nil
}

func (s *Session) createView(ctx context.Context, x *ast.CreateView, sql string) (*Result, error) {
	n, b, err := s.plan(ctx, x.Query, sql, nil)
	if err != nil {
		return nil, err
	}
	temp := x.Temp
	var notices []string
	if !temp && s.temp != nil && readsSchema(b, s.temp.name) {
		// a view over a temporary relation goes with it, as PostgreSQL's
		temp = true
		notices = append(notices, fmt.Sprintf("view \"%s\" will be a temporary view", x.Name.Name))
	}
	db, _, err := s.targetSchema(ctx, x.Name, temp)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	if len(x.Columns) > len(cols) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	t := catalog.Table{Database: db, Name: x.Name.Name, Type: catalog.VirtualView, ViewSQL: x.SQL, Owner: s.User}
	if deps := viewDepends(b); deps != "" {
		t.Parameters = map[string]string{dependsKey: deps}
	}
	for i, c := range cols {
		name := c.Name
		if i < len(x.Columns) {
			name = x.Columns[i]
		}
		ct := c.Type
		if ct.Kind == types.Unknown {
			ct = types.TextT
		}
		t.Columns = append(t.Columns, catalog.Column{Name: name, Type: ct.String()})
	}
	existing, err := s.eng.store.GetTable(ctx, db, t.Name)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		if !x.OrReplace {
			return nil, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", t.Name)
		}
		if existing.Type != catalog.VirtualView {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a view", t.Name)
		}
		t.Version = existing.Version
		if err := s.eng.store.UpdateTable(ctx, t); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE VIEW", Notices: notices}, nil
	}
	if err := s.eng.store.CreateTable(ctx, t); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE VIEW", Notices: notices}, nil
}

func (s *Session) drop(ctx context.Context, x *ast.Drop) (*Result, error) {
	tag := map[string]string{"table": "DROP TABLE", "view": "DROP VIEW", "index": "DROP INDEX", "schema": "DROP SCHEMA", "sequence": "DROP SEQUENCE"}[x.Kind]
	res := &Result{Tag: tag}
	// the relations this statement drops: one may read another
	dropping := map[string]bool{}
	if x.Kind == "table" || x.Kind == "view" {
		for _, q := range x.Names {
			if t, err := s.lookupTable(ctx, q.Schema, q.Name); err == nil && t != nil {
				dropping[t.Database+"."+t.Name] = true
			}
		}
	}
	for _, q := range x.Names {
		switch x.Kind {
		case "index":
			continue // indexes are accepted and not stored
		case "schema":
			if err := s.dropSchema(ctx, q.Name, x.IfExists, x.Cascade, res); err != nil {
				return nil, err
			}
			continue
		}
		t, err := s.lookupTable(ctx, q.Schema, q.Name)
		if err != nil {
			return nil, err
		}
		if t == nil {
			if x.IfExists {
				res.Notices = append(res.Notices, fmt.Sprintf("%s \"%s\" does not exist, skipping", x.Kind, q.Name))
				continue
			}
			return nil, sqlerr.New(sqlerr.UndefinedTable, "%s \"%s\" does not exist", x.Kind, q.Name)
		}
		kind := map[string]string{catalog.VirtualView: "view", catalog.Sequence: "sequence"}[t.Type]
		if kind == "" {
			kind = "table"
		}
		if kind != x.Kind {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a %s", q.Name, x.Kind).WithHint(fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(kind), kind))
		}
		if err := s.dropDependents(ctx, t, x.Cascade, dropping, res); err != nil {
			return nil, err
		}
		if err := s.eng.store.DropTable(ctx, t.Database, t.Name); err != nil {
			return nil, err
		}
		if t.Type == catalog.ManagedTable {
			if err := s.eng.dropFiles(ctx, t); err != nil {
				res.Notices = append(res.Notices, err.Error())
			}
			// the sequences of its serial columns go with it
			seqs, err := s.ownedSequences(ctx, t.Database, t.Name)
			if err != nil {
				return nil, err
			}
			for _, q := range seqs {
				if err := s.eng.store.DropTable(ctx, q.Database, q.Name); err != nil {
					return nil, err
				}
			}
		}
	}
	return res, nil
}

func (s *Session) createSchema(ctx context.Context, x *ast.CreateSchema) (*Result, error) {
	d, err := s.eng.store.GetDatabase(ctx, x.Name)
	if err != nil {
		return nil, err
	}
	if d != nil {
		if x.IfNotExists {
			return &Result{Tag: "CREATE SCHEMA", Notices: []string{fmt.Sprintf("schema \"%s\" already exists, skipping", x.Name)}}, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateSchema, "schema \"%s\" already exists", x.Name)
	}
	if err := s.eng.store.CreateDatabase(ctx, catalog.Database{Name: x.Name}); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE SCHEMA"}, nil
}

func (s *Session) dropSchema(ctx context.Context, name string, ifExists, cascade bool, res *Result) error {
	if _, inTemp, err := s.tempName(name); err != nil || inTemp {
		if err == nil && name == "pg_temp" {
			err = sqlerr.New(sqlerr.InvalidSchemaName, "schema \"%s\" does not exist", name)
		} else if err == nil {
			err = sqlerr.New(sqlerr.FeatureNotSupported, "cannot drop the temporary schema \"%s\"", name).
				WithHint("DISCARD TEMP drops the session's temporary tables and views.")
		}
		return err
	}
	d, err := s.eng.store.GetDatabase(ctx, name)
	if err != nil {
		return err
	}
	if d == nil {
		if ifExists {
			res.Notices = append(res.Notices, fmt.Sprintf("schema \"%s\" does not exist, skipping", name))
			return nil
		}
		return sqlerr.New(sqlerr.InvalidSchemaName, "schema \"%s\" does not exist", name)
	}
	tables, err := s.eng.store.ListTables(ctx, name)
	if err != nil {
		return err
	}
	if len(tables) > 0 && !cascade {
		return sqlerr.New(sqlerr.DependentObjects, "cannot drop schema %s because other objects depend on it", name).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for _, t := range tables {
		if err := s.dropDependents(ctx, &t, true, nil, res); err != nil {
			return err
		}
		if err := s.eng.store.DropTable(ctx, name, t.Name); err != nil {
			if sqlerr.Code(err) == sqlerr.UndefinedTable {
				continue // a view an earlier table's cascade dropped
			}
			return err
		}
		if t.Type == catalog.ManagedTable {
			_ = s.eng.dropFiles(ctx, &t)
		}
	}
	if err := s.eng.store.DropDatabase(ctx, name); err != nil {
		return err
	}
	s.eng.mounts.forget(name)
	return nil
}
