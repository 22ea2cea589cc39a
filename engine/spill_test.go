package engine

import (
	"context"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// tempFiles lists the spill files under the data directory.
func tempFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(filepath.Join(dataDir, "tmp"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// A sort past memory_limit spills (EXPLAIN ANALYZE says how much); its
// files are gone when the query ends — finished, failed on a full disk
// (53100), or stopped by statement_timeout (57014) — and the session
// goes on.
func TestSpillEndsClean(t *testing.T) {
	data := smallDisk(t, 16<<20)
	e, err := Open(context.Background(), Config{DataDir: data, Warehouse: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE r AS SELECT g, md5(g::text) || md5((g + 1)::text) AS h FROM generate_series(1, 400000) g")
	mustExec(t, s, "SET memory_limit = '4MB'")

	plan := planText(t, s, "EXPLAIN ANALYZE SELECT g, h FROM r WHERE g <= 60000 ORDER BY h")
	if !strings.Contains(plan, "spilled=") {
		t.Fatalf("no spill under a 4MB limit:\n%s", plan)
	}
	if left := tempFiles(t, data); len(left) > 0 {
		t.Fatalf("spill files left after the query: %v", left)
	}
	// the default bound (90% of the free space) stops a spill before the
	// disk fills; past a bound larger than the disk, the disk fills
	if _, err := s.Query(context.Background(), "SELECT g, h FROM r ORDER BY h"); sqlerr.Code(err) != sqlerr.OutOfMemory {
		t.Fatalf("a spill past max_temp_directory_size: %v, want 53200", err)
	}
	mustExec(t, s, "SET max_temp_directory_size = '1GB'")
	if _, err := s.Query(context.Background(), "SELECT g, h FROM r ORDER BY h"); sqlerr.Code(err) != sqlerr.DiskFull {
		t.Fatalf("a spill that fills the disk: %v, want 53100", err)
	}
	if left := tempFiles(t, data); len(left) > 0 {
		t.Fatalf("spill files left after a full disk: %v", left)
	}
	mustExec(t, s, "SET statement_timeout = '150ms'")
	if _, err := s.Query(context.Background(), "SELECT a, b FROM generate_series(1, 3000) a, generate_series(1, 3000) b ORDER BY b, a"); sqlerr.Code(err) != sqlerr.QueryCanceled {
		t.Fatalf("a spilling sort past statement_timeout: %v, want 57014", err)
	}
	if left := tempFiles(t, data); len(left) > 0 {
		t.Fatalf("spill files left after a cancel: %v", left)
	}
	mustExec(t, s, "RESET statement_timeout")
	if n := count(t, s, "SELECT count(*) FROM (SELECT g FROM r WHERE g <= 50000 ORDER BY h) x"); n != 50000 {
		t.Fatalf("after the failures: %d rows", n)
	}
}

// A window past memory_limit spills by its PARTITION BY keys, or without
// them streams over a spilling sort (EXPLAIN ANALYZE says how much),
// answers as in memory, and leaves no file.
func TestWindowSpills(t *testing.T) {
	data := t.TempDir()
	e, err := Open(context.Background(), Config{DataDir: data, Warehouse: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE w AS SELECT g, g % 101 AS k, md5(g::text) AS h FROM generate_series(1, 200000) g")
	q := "SELECT sum(rn * k) || '/' || count(DISTINCT f) FROM (SELECT k, row_number() OVER (PARTITION BY k ORDER BY h) AS rn, first_value(h) OVER (PARTITION BY k ORDER BY h) AS f FROM w) x"
	want := planText(t, s, q)
	mustExec(t, s, "SET memory_limit = '4MB'")
	plan := planText(t, s, "EXPLAIN ANALYZE "+q)
	if !regexp.MustCompile(`Window[^\n]*spilled=`).MatchString(plan) {
		t.Fatalf("no window spill under a 4MB limit:\n%s", plan)
	}
	if got := planText(t, s, q); got != want {
		t.Fatalf("spilled window: %q, in memory %q", got, want)
	}
	if left := tempFiles(t, data); len(left) > 0 {
		t.Fatalf("spill files left after the query: %v", left)
	}
	// without PARTITION BY: a spilling sort, then the stream (and a
	// second pass for the whole-partition sum)
	mustExec(t, s, "RESET memory_limit")
	q = "SELECT sum(rn * k) || '/' || sum(lg) || '/' || max(tot - g) FROM (SELECT k, g, row_number() OVER (ORDER BY h) AS rn, lag(g, 2, 0) OVER (ORDER BY h) AS lg, sum(g) OVER () AS tot FROM w) x"
	want = planText(t, s, q)
	mustExec(t, s, "SET memory_limit = '4MB'")
	plan = planText(t, s, "EXPLAIN ANALYZE "+q)
	if !regexp.MustCompile(`Window partition=\[\][^\n]*spilled=`).MatchString(plan) {
		t.Fatalf("no streamed window under a 4MB limit:\n%s", plan)
	}
	if got := planText(t, s, q); got != want {
		t.Fatalf("streamed window: %q, in memory %q", got, want)
	}
	if left := tempFiles(t, data); len(left) > 0 {
		t.Fatalf("spill files left after the streamed window: %v", left)
	}
}
