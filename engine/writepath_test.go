package engine

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/internal/tests3"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/s3"
)

// Two engines on one data directory (one SQLite catalog), as two lakeq
// processes would be. Each writes through the same write path.
func twoEngines(t *testing.T) (string, *Engine, *Engine) {
	t.Helper()
	dir := t.TempDir()
	var es [2]*Engine
	for i := range es {
		e, err := Open(context.Background(), Config{DataDir: dir, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		es[i] = e
	}
	return dir, es[0], es[1]
}

func count(t *testing.T, s *Session, sql string) int64 {
	t.Helper()
	v := mustExec(t, s, sql).Value(0, 0)
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("%s: %v (%T)", sql, v, v)
	}
	return n
}

// Of 100 single-row INSERTs and 100 1,000-row INSERTs from two engines
// at once, every acknowledged row is kept (was 55 of 100, and 64,000 of
// 100,000, with a corrupt insert log in some runs).
func TestConcurrentInsertsKeepEveryRow(t *testing.T) {
	_, e1, e2 := twoEngines(t)
	mustExec(t, e1.NewSession(), "CREATE TABLE ins (w int, k int)")
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for w, e := range []*Engine{e1, e2, e1, e2} {
		wg.Add(1)
		go func(w int, s *Session) {
			defer wg.Done()
			for k := 0; k < 25; k++ {
				if _, err := s.Query(context.Background(), "INSERT INTO ins VALUES ($1, $2)", int64(w), int64(k)); err != nil {
					errs <- err
				}
				if _, err := s.Query(context.Background(), fmt.Sprintf("INSERT INTO ins SELECT %d, g FROM generate_series(1000, 1999) g", w)); err != nil {
					errs <- err
				}
			}
		}(w, e.NewSession())
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("INSERT: %v", err)
	}
	for _, e := range []*Engine{e1, e2} {
		s := e.NewSession()
		if n := count(t, s, "SELECT count(*) FROM ins"); n != 100+100*1000 {
			t.Fatalf("rows: %d, want %d", n, 100+100*1000)
		}
		if n := count(t, s, "SELECT count(*) FROM ins WHERE k < 1000"); n != 100 {
			t.Fatalf("single-row inserts kept: %d, want 100", n)
		}
	}
	// the small files were folded together along the way (in the
	// background: wait for it)
	e1.bg.Wait()
	e2.bg.Wait()
	s := e1.NewSession()
	tab, err := e1.store.GetTable(context.Background(), "public", "ins")
	if err != nil || tab == nil {
		t.Fatal(tab, err)
	}
	_, snap, err := e1.snapshotOf(context.Background(), tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Files) >= 200 {
		t.Errorf("%d data files after 200 inserts: small files were not compacted", len(snap.Files))
	}
	if n := count(t, s, "SELECT count(DISTINCT w * 10000 + k) FROM ins WHERE k < 1000"); n != 100 {
		t.Fatalf("distinct single rows: %d", n)
	}
}

// Eight sessions in two engines race CREATE TABLE … AS for one name:
// one wins, the others get 42P07, and the winner's table is whole (the
// loser's cleanup removed the winner's files before).
func TestCTASRaceOneWinner(t *testing.T) {
	dir, e1, e2 := twoEngines(t)
	for round := 0; round < 5; round++ {
		name := fmt.Sprintf("race%d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, dups := 0, 0
		for i := 0; i < 8; i++ {
			e := []*Engine{e1, e2}[i%2]
			wg.Add(1)
			go func(i int, s *Session) {
				defer wg.Done()
				_, err := s.Query(context.Background(), fmt.Sprintf("CREATE TABLE %s AS SELECT %d AS who, g FROM generate_series(1, 20000) g", name, i))
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case sqlerr.Code(err) == sqlerr.DuplicateTable:
					dups++
				default:
					t.Errorf("round %d: %v", round, err)
				}
			}(i, e.NewSession())
		}
		wg.Wait()
		if wins != 1 || dups != 7 {
			t.Fatalf("round %d: %d winners, %d duplicates", round, wins, dups)
		}
		s := e2.NewSession()
		if n := count(t, s, "SELECT count(*) FROM "+name); n != 20000 {
			t.Fatalf("round %d: %d rows", round, n)
		}
		if n := count(t, s, "SELECT count(DISTINCT who) FROM "+name); n != 1 {
			t.Fatalf("round %d: rows of %d writers", round, n)
		}
		// only the winner's folder is left
		folders, _ := filepath.Glob(filepath.Join(dir, "warehouse", "public", name+"-*"))
		if len(folders) != 1 {
			t.Fatalf("round %d: folders %v", round, folders)
		}
	}
	// IF NOT EXISTS: all succeed, one table
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int, s *Session) {
			defer wg.Done()
			if _, err := s.Query(context.Background(), fmt.Sprintf("CREATE TABLE IF NOT EXISTS quiet AS SELECT %d AS who FROM generate_series(1, 100)", i)); err != nil {
				t.Error(err)
			}
		}(i, []*Engine{e1, e2}[i%2].NewSession())
	}
	wg.Wait()
	if n := count(t, e1.NewSession(), "SELECT count(*) FROM quiet"); n != 100 {
		t.Fatalf("IF NOT EXISTS: %d rows", n)
	}
}

// UPDATEs from two engines at once: each either applies on the latest
// version or fails with 40001; none is lost.
func TestConcurrentUpdatesSerialize(t *testing.T) {
	_, e1, e2 := twoEngines(t)
	mustExec(t, e1.NewSession(), "CREATE TABLE ctr (id int, n int)")
	mustExec(t, e1.NewSession(), "INSERT INTO ctr VALUES (1, 0)")
	var wg sync.WaitGroup
	var mu sync.Mutex
	applied := 0
	for _, e := range []*Engine{e1, e2} {
		wg.Add(1)
		go func(s *Session) {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				_, err := s.Query(context.Background(), "UPDATE ctr SET n = n + 1")
				switch {
				case err == nil:
					mu.Lock()
					applied++
					mu.Unlock()
				case sqlerr.Code(err) == sqlerr.SerializationFailure:
				default:
					t.Error(err)
				}
			}
		}(e.NewSession())
	}
	wg.Wait()
	if applied == 0 {
		t.Fatal("no update applied")
	}
	if n := count(t, e2.NewSession(), "SELECT n::bigint FROM ctr"); n != int64(applied) {
		t.Fatalf("counter %d after %d applied updates", n, applied)
	}
}

// A table reads like lake files: row groups as morsels, min/max pruning,
// and the bytes read counted.
func TestManagedReadsLikeLakeFiles(t *testing.T) {
	_, e1, _ := twoEngines(t)
	s := e1.NewSession()
	mustExec(t, s, "CREATE TABLE lk AS SELECT g AS id, g % 10 AS m FROM generate_series(1, 300000) g")
	r := mustExec(t, s, "EXPLAIN ANALYZE SELECT count(*) FROM lk WHERE id > 299000")
	var text strings.Builder
	for i := 0; i < int(r.NumRows()); i++ {
		fmt.Fprintln(&text, r.Value(i, 0))
	}
	if !strings.Contains(text.String(), "pruned") {
		t.Fatalf("no row-group pruning in:\n%s", text.String())
	}
	q := mustExec(t, s, "SELECT count(*) FROM lk WHERE id > 299000")
	if n := q.Value(0, 0); n != int64(1000) {
		t.Fatalf("count %v", n)
	}
	all := mustExec(t, s, "SELECT sum(id) FROM lk")
	if q.Scanned.Bytes == 0 || q.Scanned.Bytes*4 >= all.Scanned.Bytes {
		t.Fatalf("bytes scanned: pruned query %+v, whole table %+v", q.Scanned, all.Scanned)
	}
}

// copyInput writes a file of n lines (1..n) for a killed COPY to load.
func copyInput(t *testing.T, n int) string {
	p := filepath.Join(t.TempDir(), "rows.txt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 1; i <= n; i++ {
		w.WriteString(strconv.Itoa(i))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// A lakeq process killed with SIGKILL in the middle of a CTAS, an
// INSERT … SELECT, a COPY and an UNLOAD (both forms) leaves no visible data, and the next start removes its
// files: on local disk, and with the warehouse on S3 (versitygw).
func TestKilledWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	killedWrites(t, dir, Config{DataDir: dir}, localFiles(filepath.Join(dir, "warehouse")),
		// an Athena CTAS of one large text file, killed while it is written
		"CREATE TABLE big WITH (format = 'TSV') AS SELECT g, g::text || 'abcdefghijklmnopqrstuvwxyz' AS s FROM generate_series(1, 3000000) g",
		"COPY keep FROM '"+copyInput(t, 20_000_000)+"' MAXERROR 0",
		"UNLOAD (SELECT g, g::text || 'abcdefghijklmnopqrstuvwxyz' AS s FROM generate_series(1, 6000000) g) TO '"+filepath.Join(dir, "warehouse", "unl", "athena")+"' WITH (format = 'TEXTFILE')",
		"UNLOAD ('SELECT g, g::text || ''abcdefghijklmnopqrstuvwxyz'' AS s FROM generate_series(1, 6000000) g') TO '"+filepath.Join(dir, "warehouse", "unl", "rs_")+"' PARALLEL OFF")
}

func TestKilledWriteOnS3LeavesNothing(t *testing.T) {
	srv := tests3.Start(t, "lake")
	dir := t.TempDir()
	cfg := Config{DataDir: dir, Warehouse: "s3://lake/wh", S3: s3.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.Secret},
		settle: 2 * time.Second}
	fsys, err := s3.New(context.Background(), cfg.S3)
	if err != nil {
		t.Fatal(err)
	}
	input := copyInput(t, 20_000_000)
	killedWrites(t, dir, cfg, func() []string {
		var out []string
		_ = fsys.List(context.Background(), "s3://lake/wh/", "", func(pg storage.ListPage) error {
			for _, o := range pg.Objects {
				out = append(out, o.Path)
			}
			return nil
		})
		// a file killed between its first part and its completion is an
		// unfinished upload: no listing shows it, the store keeps it
		ups, _ := fsys.Uploads(context.Background(), "s3://lake/wh/")
		for _, u := range ups {
			out = append(out, "unfinished upload of "+u.Path)
		}
		return out
	}, "COPY keep FROM '"+input+"' MAXERROR 0",
		"UNLOAD (SELECT g, g::text || 'abcdefghijklmnopqrstuvwxyz' AS s FROM generate_series(1, 6000000) g) TO 's3://lake/wh/unl/athena' WITH (format = 'TEXTFILE')",
		"UNLOAD ('SELECT g, g::text || ''abcdefghijklmnopqrstuvwxyz'' AS s FROM generate_series(1, 6000000) g') TO 's3://lake/wh/unl/rs_' PARALLEL OFF")
}

// localFiles lists the files under dir.
func localFiles(dir string) func() []string {
	return func() []string {
		var out []string
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
}

// killedWrites runs each statement in a child process (TestMain)
// on cfg, kills it with SIGKILL once its first data file is there, and
// checks the next start: keep's rows intact, big absent, and no file
// left but keep's data file and snapshot.
func killedWrites(t *testing.T, dir string, cfg Config, files func() []string, more ...string) {
	{
		e, err := Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, e.NewSession(), "CREATE TABLE keep AS SELECT g FROM generate_series(1, 1000) g")
		e.Close()
	}
	others := func() []string {
		var out []string
		for _, f := range files() {
			if !strings.Contains(f, "/keep-") || strings.Contains(f, ".tmp-") {
				out = append(out, f)
			}
		}
		return out
	}
	keepFiles := len(files())
	for _, stmt := range append([]string{
		"CREATE TABLE big AS SELECT g, g::text || 'abcdefghijklmnopqrstuvwxyz' AS s FROM generate_series(1, 6000000) g",
		"INSERT INTO keep SELECT g FROM generate_series(1, 20000000) g",
	}, more...) {
		killMidWrite(t, dir, stmt, cfg, func() bool {
			if strings.HasPrefix(stmt, "INSERT") || strings.HasPrefix(stmt, "COPY") {
				return len(files()) > keepFiles
			}
			return len(others()) > 0
		})
		if len(files()) == keepFiles {
			t.Fatalf("%s: killed with nothing written, so nothing is tested", stmt)
		}
		e, err := Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		s := e.NewSession()
		if n := count(t, s, "SELECT count(*) FROM keep"); n != 1000 {
			t.Fatalf("after a killed %q: keep has %d rows", stmt, n)
		}
		if _, err := s.Query(context.Background(), "SELECT count(*) FROM big"); sqlerr.Code(err) != sqlerr.UndefinedTable {
			t.Fatalf("big after its killed CTAS: %v", err)
		}
		select { // the second pass over a crashed writer's S3 files
		case <-e.settled:
		case <-time.After(cfg.settle + 30*time.Second):
			t.Fatal("the files of the killed write were never checked again")
		}
		if left := files(); len(left) != keepFiles {
			t.Fatalf("files of the killed write remain after the next start: %v", left)
		}
		e.Close()
	}
}

// killMidWrite runs stmt on cfg in a child process (TestMain) and kills
// it with SIGKILL once started reports that it is writing.
func killMidWrite(t *testing.T, dir, stmt string, cfg Config, started func() bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0]) // TestMain's child mode
	cmd.Env = append(os.Environ(), "LAKEQ_KILL_HELPER="+dir, "LAKEQ_KILL_SQL="+stmt,
		"LAKEQ_KILL_WAREHOUSE="+cfg.Warehouse, "LAKEQ_KILL_S3="+cfg.S3.Endpoint+"|"+cfg.S3.AccessKey+"|"+cfg.S3.SecretKey)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !started() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the helper never started writing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// TestMain turns the test binary into the killed-write child process
// when LAKEQ_KILL_HELPER names a data directory (killedWrites starts it
// so, and kills it): it runs one statement and exits, running no test.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LAKEQ_KILL_HELPER"); dir != "" {
		cfg := Config{DataDir: dir, Warehouse: os.Getenv("LAKEQ_KILL_WAREHOUSE")}
		if p := strings.Split(os.Getenv("LAKEQ_KILL_S3"), "|"); len(p) == 3 {
			cfg.S3 = s3.Config{Endpoint: p[0], AccessKey: p[1], SecretKey: p[2]}
		}
		e, err := Open(context.Background(), cfg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		_, _ = e.NewSession().Query(context.Background(), os.Getenv("LAKEQ_KILL_SQL"))
		e.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A managed table an earlier lakeq wrote (no location in the catalog; a
// manifest and an insert log under warehouse/<schema>/<name>/) is
// adopted in place at its first use.
func TestLegacyManagedTableAdopted(t *testing.T) {
	dir := t.TempDir()
	e, s := open(t, dir)
	folder := filepath.Join(dir, "warehouse", "public", "old")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	log := "[\"1\",\"x\"]\n[\"2\",null]\n[\"3\",\"torn"
	if err := os.WriteFile(filepath.Join(folder, "log-1.jsonl"), []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	man := fmt.Sprintf(`{"version": 3, "files": [], "log": "log-1.jsonl", "log_offset": 0, "log_end": %d}`, strings.Index(log, "[\"3\""))
	if err := os.WriteFile(filepath.Join(folder, "manifest.json"), []byte(man), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateTable(context.Background(), catalog.Table{Database: "public", Name: "old", Type: catalog.ManagedTable,
		Columns: []catalog.Column{{Name: "a", Type: "integer"}, {Name: "b", Type: "text"}}}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT count(*) FROM old WHERE b IS NULL OR b = 'x'"); n != 2 {
		t.Fatalf("adopted rows: %d (the torn row past log_end must not count)", n)
	}
	mustExec(t, s, "INSERT INTO old VALUES (4, 'y')")
	if n := count(t, s, "SELECT sum(a)::bigint FROM old"); n != 7 {
		t.Fatalf("sum after insert: %d", n)
	}
	tab, _ := e.store.GetTable(context.Background(), "public", "old")
	if tab.Storage.Location != storage.Join(filepath.Join(dir, "warehouse"), "public", "old") {
		t.Fatalf("location %q", tab.Storage.Location)
	}
}

// Compaction (in the background after many small INSERTs) rewrites
// files, not rows: an UPDATE that read the table before it still
// commits.
func TestUpdateAfterCompaction(t *testing.T) {
	_, e1, _ := twoEngines(t)
	s := e1.NewSession()
	mustExec(t, s, "CREATE TABLE cu (k int, v int)")
	for i := 0; i < 70; i++ {
		// each over the delta's size, so each is a file
		mustExec(t, s, fmt.Sprintf("INSERT INTO cu SELECT g, %d FROM generate_series(1, 5000) g", i))
	}
	mustExec(t, s, "UPDATE cu SET v = -1 WHERE k = 1")
	e1.bg.Wait()
	mustExec(t, s, "UPDATE cu SET v = -2 WHERE k = 2")
	if n := count(t, s, "SELECT count(*) FROM cu WHERE v < 0"); n != 140 {
		t.Fatalf("updated rows %d, want 140", n)
	}
	tab, _ := e1.store.GetTable(context.Background(), "public", "cu")
	_, snap, _ := e1.snapshotOf(context.Background(), tab)
	if len(snap.Files) > 10 {
		t.Fatalf("%d files: not compacted", len(snap.Files))
	}
}

// A write whose query fails after its workers have streamed row groups
// into their open files leaves nothing: no file at the target, no
// table, no data file in the warehouse or in staging — on every form
// that writes while the query runs (Athena's UNLOAD in Parquet and
// text, CTAS to an external location and to a managed table, Redshift's
// UNLOAD).
func TestFailedStreamingWriteLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := Open(ctx, Config{DataDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	src := filepath.Join(t.TempDir(), "src")
	mustExec(t, s, "UNLOAD (SELECT g FROM generate_series(1, 600000) g) TO '"+src+"' WITH (format = 'PARQUET')")
	// fails at row 500,000, in the fifth row group: the others are
	// written by then
	read := "SELECT g, 1 / (g - 500000) AS x FROM read_parquet('" + src + "/*.parquet')"
	out := filepath.Join(dir, "out")
	for _, q := range []string{
		"UNLOAD (" + read + ") TO '" + out + "/athena' WITH (format = 'PARQUET', compression = 'ZSTD')",
		"UNLOAD (" + read + ") TO '" + out + "/text' WITH (format = 'TEXTFILE')",
		"CREATE TABLE ext WITH (format = 'PARQUET', external_location = '" + out + "/ext') AS " + read,
		"CREATE TABLE m AS " + read,
		"UNLOAD ('" + strings.ReplaceAll(read, "'", "''") + "') TO '" + out + "/rs_' FORMAT PARQUET",
	} {
		_, err := s.Query(ctx, q)
		if code := sqlerr.Code(err); code != sqlerr.DivisionByZero {
			t.Fatalf("%s: %v (%s), want division by zero", q, err, code)
		}
	}
	for _, name := range []string{"ext", "m"} {
		if _, err := s.Query(ctx, "SELECT count(*) FROM "+name); sqlerr.Code(err) != sqlerr.UndefinedTable {
			t.Errorf("table %s after a failed CTAS: %v", name, err)
		}
	}
	var left []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasPrefix(p, out) || strings.Contains(p, ".parquet") || strings.Contains(p, ".tmp")) {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("failed writes left %v", left)
	}
}

// An INSERT … SELECT streams its rows into data files as the query runs:
// 300,000 rows go in under a 4 MB memory_limit (they were collected whole
// first, and failed with 53200); one that fails part-way — a NULL in a NOT
// NULL column on its last row — writes nothing and leaves no file behind.
func TestInsertSelectStreams(t *testing.T) {
	dir, e1, _ := twoEngines(t)
	s := e1.NewSession()
	mustExec(t, s, "CREATE TABLE ins (id bigint NOT NULL, h text)")
	mustExec(t, s, "INSERT INTO ins VALUES (0, 'first')")
	mustExec(t, s, "SET memory_limit = '4MB'")
	r := mustExec(t, s, "INSERT INTO ins SELECT g, md5(g::text) FROM generate_series(1, 300000) g")
	if r.Tag != "INSERT 0 300000" {
		t.Fatalf("tag %q", r.Tag)
	}
	if n := count(t, s, "SELECT count(*) FROM ins"); n != 300001 {
		t.Fatalf("%d rows after the streamed insert", n)
	}
	files := func() int {
		n := 0
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
				n++
			}
			return nil
		})
		return n
	}
	before := files()
	_, err := s.Query(context.Background(), "INSERT INTO ins SELECT CASE WHEN g = 300000 THEN NULL ELSE g END, 'x' FROM generate_series(1, 300000) g")
	if sqlerr.Code(err) != sqlerr.NotNullViolation {
		t.Fatalf("a NULL id: %v, want 23502", err)
	}
	if n := count(t, s, "SELECT count(*) FROM ins"); n != 300001 {
		t.Fatalf("%d rows after the failed insert", n)
	}
	if after := files(); after != before {
		t.Fatalf("the failed insert left %d data files (%d before)", after-before, before)
	}
	// a few rows still go to the delta, as before
	mustExec(t, s, "INSERT INTO ins SELECT g, 'd' FROM generate_series(1, 10) g")
	if n := count(t, s, "SELECT count(*) FROM ins WHERE h = 'd'"); n != 10 {
		t.Fatalf("%d delta rows", n)
	}
}
