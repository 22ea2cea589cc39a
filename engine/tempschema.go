package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
)

// Temporary tables and views (CREATE TEMP TABLE, SELECT … INTO TEMP,
// CREATE TEMP VIEW) belong to one session, as in PostgreSQL: they live
// in the session's own schema, pg_temp_<pid>, which no other session or
// process sees, and go when the session ends. Their catalog entries are
// kept in a SQLite catalog of the session's own and their files in the
// process's temp folder (Engine.tempDir), never in the shared catalog
// or the warehouse: a process that dies leaves nothing in the catalog,
// and its temp folder is removed by the next start (cleanTemp). Apart
// from where they live they are managed tables, on the one write path.

// catalogRouter is the engine's catalog store: every call about a
// session's temporary schema goes to that session's store, everything
// else to the shared one. Listing databases lists only the shared ones;
// a session adds its own temporary schema to what it sees.
//
// It is safe for concurrent use; sessions add and remove their schemas
// while others read.
type catalogRouter struct {
	catalog.Store
	mu   sync.RWMutex
	temp map[string]catalog.Store // by schema name
}

func (r *catalogRouter) pick(db string) catalog.Store {
	if !strings.HasPrefix(db, "pg_temp_") {
		return r.Store
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if t := r.temp[db]; t != nil {
		return t
	}
	return r.Store
}

// isTemp reports whether db is a live temporary schema of this process.
func (r *catalogRouter) isTemp(db string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.temp[db] != nil
}

func (r *catalogRouter) add(db string, s catalog.Store) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.temp == nil {
		r.temp = map[string]catalog.Store{}
	}
	r.temp[db] = s
}

func (r *catalogRouter) remove(db string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.temp, db)
}

// Close closes the temporary schemas' stores left open and the shared one.
func (r *catalogRouter) Close() error {
	r.mu.Lock()
	for db, s := range r.temp {
		s.Close()
		delete(r.temp, db)
	}
	r.mu.Unlock()
	return r.Store.Close()
}

func (r *catalogRouter) GetDatabase(ctx context.Context, name string) (*catalog.Database, error) {
	return r.pick(name).GetDatabase(ctx, name)
}

func (r *catalogRouter) CreateDatabase(ctx context.Context, db catalog.Database) error {
	if strings.HasPrefix(db.Name, "pg_temp") {
		return sqlerr.New(sqlerr.ReservedName, "unacceptable schema name \"%s\"", db.Name).
			WithDetail("The prefix \"pg_\" is reserved for system schemas.")
	}
	return r.Store.CreateDatabase(ctx, db)
}

func (r *catalogRouter) DropDatabase(ctx context.Context, name string) error {
	return r.pick(name).DropDatabase(ctx, name)
}

func (r *catalogRouter) ListTables(ctx context.Context, db string) ([]catalog.Table, error) {
	return r.pick(db).ListTables(ctx, db)
}

func (r *catalogRouter) GetTable(ctx context.Context, db, name string) (*catalog.Table, error) {
	return r.pick(db).GetTable(ctx, db, name)
}

func (r *catalogRouter) CreateTable(ctx context.Context, t catalog.Table) error {
	return r.pick(t.Database).CreateTable(ctx, t)
}

func (r *catalogRouter) UpdateTable(ctx context.Context, t catalog.Table) error {
	return r.pick(t.Database).UpdateTable(ctx, t)
}

func (r *catalogRouter) CreateTableWithPartitions(ctx context.Context, t catalog.Table, ps []catalog.Partition) error {
	return r.pick(t.Database).CreateTableWithPartitions(ctx, t, ps)
}

func (r *catalogRouter) RenameTable(ctx context.Context, db, name, newName string) error {
	return r.pick(db).RenameTable(ctx, db, name, newName)
}

func (r *catalogRouter) DropTable(ctx context.Context, db, name string) error {
	return r.pick(db).DropTable(ctx, db, name)
}

func (r *catalogRouter) AddPartitions(ctx context.Context, db, table string, ps []catalog.Partition) (int, error) {
	return r.pick(db).AddPartitions(ctx, db, table, ps)
}

func (r *catalogRouter) ReplacePartitions(ctx context.Context, db, table string, swaps []catalog.PartitionSwap) error {
	return r.pick(db).ReplacePartitions(ctx, db, table, swaps)
}

func (r *catalogRouter) DropPartitions(ctx context.Context, db, table string, values [][]string) (int, error) {
	return r.pick(db).DropPartitions(ctx, db, table, values)
}

func (r *catalogRouter) ListPartitions(ctx context.Context, db, table string) ([]catalog.Partition, error) {
	return r.pick(db).ListPartitions(ctx, db, table)
}

func (r *catalogRouter) LookupPartitions(ctx context.Context, db, table string, prefix []string) ([]catalog.Partition, error) {
	return r.pick(db).LookupPartitions(ctx, db, table, prefix)
}

func (r *catalogRouter) CountPartitions(ctx context.Context, db, table string) (int64, error) {
	return r.pick(db).CountPartitions(ctx, db, table)
}

func (r *catalogRouter) PutStats(ctx context.Context, db, table string, st []catalog.ColumnStats) error {
	return r.pick(db).PutStats(ctx, db, table, st)
}

func (r *catalogRouter) GetStats(ctx context.Context, db, table string) ([]catalog.ColumnStats, error) {
	return r.pick(db).GetStats(ctx, db, table)
}

// sessionCatalog is the catalog as one session lists it: the shared
// databases and, after them, its own temporary schema.
type sessionCatalog struct {
	catalog.Store
	temp string
}

func (c sessionCatalog) ListDatabases(ctx context.Context) ([]catalog.Database, error) {
	dbs, err := c.Store.ListDatabases(ctx)
	if err != nil {
		return nil, err
	}
	d, err := c.Store.GetDatabase(ctx, c.temp)
	if err != nil || d == nil {
		return dbs, err
	}
	return append(dbs, *d), nil
}

// tempSchema is a session's temporary schema; created by the session's
// first temporary relation. Only the session's goroutine uses it.
type tempSchema struct {
	name  string
	dir   string // its catalog and its tables' files
	store catalog.Store
	// onCommit is what each commit does to a table
	onCommit map[string]*commitAction
}

// commitAction is a temporary table's ON COMMIT.
type commitAction struct {
	action  string // "DELETE ROWS" or "DROP"
	version int64  // DELETE ROWS: the table's catalog version once emptied
}

// tempSchemaName is the session's temporary schema's name, "" if none.
func (s *Session) tempSchemaName() string {
	if s.temp == nil {
		return ""
	}
	return s.temp.name
}

// tempName resolves the schema names that mean the session's temporary
// schema: "pg_temp" and its own pg_temp_<pid>. ok is false for any other
// name; another session's temporary schema is 0A000, as PostgreSQL's.
func (s *Session) tempName(schema string) (name string, ok bool, err error) {
	if schema == "pg_temp" || (s.temp != nil && schema == s.temp.name) {
		if s.temp == nil {
			return "", true, nil // no temporary relation yet
		}
		return s.temp.name, true, nil
	}
	if strings.HasPrefix(schema, "pg_temp_") && s.eng.router.isTemp(schema) {
		return "", false, sqlerr.New(sqlerr.FeatureNotSupported, "cannot access temporary tables of other sessions")
	}
	return "", false, nil
}

// searchSchemas is where a name with an optional schema is looked up:
// the session's temporary schema first (PostgreSQL searches pg_temp
// before the search path for relations), then the search path.
func (s *Session) searchSchemas(schema string) ([]string, error) {
	if schema != "" {
		name, ok, err := s.tempName(schema)
		if err != nil {
			return nil, err
		}
		if ok {
			if name == "" {
				return nil, nil
			}
			return []string{name}, nil
		}
		return []string{schema}, nil
	}
	if s.temp == nil {
		return s.SearchPath, nil
	}
	return append([]string{s.temp.name}, s.SearchPath...), nil
}

// tempSchemaFor makes (once) and returns the session's temporary schema.
func (s *Session) tempSchemaFor(ctx context.Context) (*tempSchema, error) {
	if s.temp != nil {
		return s.temp, nil
	}
	pid := s.PID
	if pid == 0 {
		pid = s.eng.sessions.reserve()
	}
	name := fmt.Sprintf("pg_temp_%d", pid)
	dir := filepath.Join(s.eng.tempDir(), name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating temporary schema folder %s", dir)
	}
	st, err := catalog.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := st.CreateDatabase(ctx, catalog.Database{Name: name, Description: "temporary relations of session " + fmt.Sprint(pid)}); err != nil {
		st.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	s.eng.router.add(name, st)
	s.temp = &tempSchema{name: name, dir: dir, store: st, onCommit: map[string]*commitAction{}}
	return s.temp, nil
}

// externalSchema is the schema a new external table goes to: never the
// temporary one (an external table's files are not the session's).
func (s *Session) externalSchema(ctx context.Context, q ast.QualifiedName) (string, error) {
	if _, inTemp, err := s.tempName(q.Schema); err != nil || inTemp {
		if err == nil {
			err = sqlerr.New(sqlerr.FeatureNotSupported, "external tables cannot be temporary")
		}
		return "", err
	}
	return s.plainSchema(ctx, q)
}

// tempLocation is where a new temporary table's files go.
func (ts *tempSchema) location(table string) string {
	return storage.Join(ts.dir, table+"-"+managed.NewID()[:8])
}

// dropTemp removes the session's temporary schema and everything in it
// (session end, DISCARD TEMP / ALL). Background work still holding one
// of its tables (a compaction) fails and logs; nothing else sees them.
func (s *Session) dropTemp() {
	ts := s.temp
	if ts == nil {
		return
	}
	s.temp = nil
	s.eng.router.remove(ts.name)
	ts.store.Close()
	os.RemoveAll(ts.dir)
}

// endOfCommit runs the temporary tables' ON COMMIT actions. Every
// statement outside a transaction block commits on its own, so they run
// before the next statement (nothing else can see a temporary table in
// between) and at COMMIT or ROLLBACK of a block.
func (s *Session) endOfCommit(ctx context.Context) error {
	if s.temp == nil || len(s.temp.onCommit) == 0 {
		return nil
	}
	for name, a := range s.temp.onCommit {
		t, err := s.eng.store.GetTable(ctx, s.temp.name, name)
		if err != nil {
			return err
		}
		if t == nil {
			delete(s.temp.onCommit, name)
			continue
		}
		switch a.action {
		case "DROP":
			delete(s.temp.onCommit, name)
			if err := s.eng.store.DropTable(ctx, t.Database, t.Name); err != nil {
				return err
			}
			if t.Type == catalog.ManagedTable {
				_ = s.eng.dropFiles(ctx, t)
			}
		case "DELETE ROWS":
			if t.Version == a.version {
				continue // not written since it was emptied
			}
			if err := s.writeManaged(ctx, t, nil, true); err != nil {
				return err
			}
			a.version = t.Version
		}
	}
	return nil
}
