package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// One session's temporary tables are its own: another session (of the
// same engine, or of another process on the same data directory) does
// not see them, cannot name them, and keeps its own of the same name.
func TestTempTablesAreSessionPrivate(t *testing.T) {
	_, e1, e2 := twoEngines(t)
	a, b, c := e1.NewSession(), e1.NewSession(), e2.NewSession()
	defer a.Close()
	defer b.Close()
	defer c.Close()
	mustExec(t, a, "CREATE TABLE shared (x int)")
	mustExec(t, a, "INSERT INTO shared VALUES (1)")
	mustExec(t, a, "CREATE TEMP TABLE tt AS SELECT g FROM generate_series(1, 1000) g")
	mustExec(t, a, "CREATE TEMP TABLE shared (x int)") // hides the shared table in a only
	mustExec(t, a, "INSERT INTO shared VALUES (10), (20)")
	schema := mustExec(t, a, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'pg_temp%'").Value(0, 0).(string)
	if !strings.HasPrefix(schema, "pg_temp_") {
		t.Fatalf("temporary schema %q", schema)
	}
	if n := count(t, a, "SELECT count(*) FROM tt"); n != 1000 {
		t.Fatalf("a reads %d rows of its own tt", n)
	}
	if n := count(t, a, "SELECT sum(x) FROM shared"); n != 30 {
		t.Fatalf("a's shared (its temporary table): sum %d", n)
	}
	for _, s := range []*Session{b, c} {
		if _, err := s.Query(context.Background(), "SELECT * FROM tt"); sqlerr.Code(err) != sqlerr.UndefinedTable {
			t.Fatalf("another session reads a's temporary table: %v", err)
		}
		if n := count(t, s, "SELECT sum(x) FROM shared"); n != 1 {
			t.Fatalf("another session's shared: sum %d", n)
		}
		if n := count(t, s, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tt' OR table_schema LIKE 'pg_temp%'"); n != 0 {
			t.Fatalf("another session lists %d of a's temporary tables", n)
		}
		if _, err := s.Query(context.Background(), "DROP TABLE IF EXISTS tt"); err != nil {
			t.Fatal(err)
		}
	}
	// naming a's schema from the same process is refused, as PostgreSQL's
	if _, err := b.Query(context.Background(), "SELECT * FROM "+schema+".tt"); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Fatalf("b reads %s.tt: %v", schema, err)
	}
	if _, err := b.Query(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Fatalf("b drops %s: %v", schema, err)
	}
	if _, err := b.Query(context.Background(), "CREATE SCHEMA pg_temp_99"); sqlerr.Code(err) != sqlerr.ReservedName {
		t.Fatalf("CREATE SCHEMA pg_temp_99: %v", err)
	}
	// b's own temporary table of the same name
	mustExec(t, b, "CREATE TEMP TABLE tt (g int)")
	mustExec(t, b, "INSERT INTO tt VALUES (7)")
	if n := count(t, b, "SELECT sum(g) FROM tt"); n != 7 {
		t.Fatalf("b's tt: sum %d", n)
	}
	if n := count(t, a, "SELECT count(*) FROM tt"); n != 1000 {
		t.Fatalf("a's tt after b made its own: %d rows", n)
	}
	// nothing went to the shared catalog
	ts, err := e1.store.ListTables(context.Background(), "public")
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range ts {
		if tb.Name != "shared" {
			t.Fatalf("the shared catalog holds %s", tb.Name)
		}
	}
}

// A session's temporary tables go with it: at Close and at DISCARD ALL
// (what connection poolers send between clients) their files and
// catalog are removed.
func TestTempSchemaRemovedAtClose(t *testing.T) {
	dir := t.TempDir()
	e, err := Open(context.Background(), Config{DataDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	tempFiles := func() int {
		return len(localFiles(e.tempDir())())
	}
	s := e.NewSession()
	mustExec(t, s, "CREATE TEMP TABLE t1 AS SELECT g FROM generate_series(1, 5000) g")
	if tempFiles() == 0 {
		t.Fatal("the temporary table has no files under the temp folder")
	}
	if n := len(localFiles(filepath.Join(dir, "warehouse"))()); n != 0 {
		t.Fatalf("a temporary table wrote %d files to the warehouse", n)
	}
	s.Close()
	if n := tempFiles(); n != 0 {
		t.Fatalf("%d files remain after the session closed", n)
	}
	s2 := e.NewSession()
	defer s2.Close()
	mustExec(t, s2, "CREATE TEMP TABLE t2 AS SELECT g FROM generate_series(1, 5000) g")
	mustExec(t, s2, "DISCARD ALL")
	if n := tempFiles(); n != 0 {
		t.Fatalf("%d files remain after DISCARD ALL", n)
	}
	if _, err := s2.Query(context.Background(), "SELECT * FROM t2"); sqlerr.Code(err) != sqlerr.UndefinedTable {
		t.Fatalf("t2 after DISCARD ALL: %v", err)
	}
	// the session goes on with a new temporary schema
	mustExec(t, s2, "CREATE TEMP TABLE t3 (a int)")
	mustExec(t, s2, "INSERT INTO t3 VALUES (1)")
	if n := count(t, s2, "SELECT count(*) FROM t3"); n != 1 {
		t.Fatalf("t3: %d rows", n)
	}
}

// A process killed while it writes a temporary table leaves nothing: its
// temporary schema was never in the shared catalog, and the next start
// removes its temp folder.
func TestKilledTempWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	tempFiles := func() []string {
		var out []string
		for _, f := range localFiles(filepath.Join(dir, "tmp"))() {
			if strings.Contains(f, "/pg_temp_") && !strings.HasSuffix(f, "catalog.db") && !strings.Contains(f, "catalog.db-") {
				out = append(out, f)
			}
		}
		return out
	}
	killMidWrite(t, dir, "CREATE TEMP TABLE big AS SELECT g, g::text || 'abcdefghijklmnopqrstuvwxyz' AS s FROM generate_series(1, 20000000) g",
		Config{DataDir: dir}, func() bool { return len(tempFiles()) > 0 })
	e, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if left := localFiles(filepath.Join(dir, "tmp"))(); len(left) != 0 {
		t.Fatalf("files of the killed session's temporary table remain: %v", left)
	}
	s := e.NewSession()
	if n := count(t, s, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'big' OR table_schema LIKE 'pg_temp%'"); n != 0 {
		t.Fatalf("the killed session's temporary table is listed (%d)", n)
	}
}
