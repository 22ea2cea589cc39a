package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

func open(t *testing.T, dir string) (*Engine, *Session) {
	t.Helper()
	e, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, e.NewSession()
}

func mustExec(t *testing.T, s *Session, sql string, params ...types.Value) *Result {
	t.Helper()
	r, err := s.Query(context.Background(), sql, params...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return r
}

func TestDurableAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	e, s := open(t, dir)
	mustExec(t, s, "CREATE TABLE t (a integer, b text)")
	for i := 0; i < 100; i++ {
		mustExec(t, s, "INSERT INTO t VALUES ($1, 'x')", int64(i))
	}
	mustExec(t, s, "CREATE TABLE big AS SELECT g AS a FROM generate_series(1, 5000) g")
	mustExec(t, s, "CREATE VIEW v AS SELECT a * 2 AS d FROM t WHERE a < 10")
	mustExec(t, s, "UPDATE t SET b = 'y' WHERE a >= 50")
	mustExec(t, s, "DELETE FROM t WHERE a >= 90")
	e.Close()

	_, s2 := open(t, dir)
	r := mustExec(t, s2, "SELECT count(*), sum(a), count(*) FILTER (WHERE b = 'y') FROM t")
	if got := [3]any{r.Value(0, 0), r.Value(0, 1), r.Value(0, 2)}; got != [3]any{int64(90), int64(4005), int64(40)} {
		t.Fatalf("after restart: %v", got)
	}
	if v := mustExec(t, s2, "SELECT sum(d) FROM v").Value(0, 0); v != int64(90) {
		t.Fatalf("view after restart: %v", v)
	}
	if v := mustExec(t, s2, "SELECT count(*) FROM big").Value(0, 0); v != int64(5000) {
		t.Fatalf("ctas after restart: %v", v)
	}
}

func TestManySingleRowInserts(t *testing.T) {
	_, s := open(t, t.TempDir())
	mustExec(t, s, "CREATE TABLE t (a integer)")
	start := time.Now()
	for i := 0; i < 5000; i++ {
		mustExec(t, s, "INSERT INTO t VALUES (1)")
	}
	if v := mustExec(t, s, "SELECT count(*) FROM t").Value(0, 0); v != int64(5000) {
		t.Fatalf("count %v", v)
	}
	t.Logf("5000 single-row inserts: %v", time.Since(start))
}

func TestFailedStatementChangesNothing(t *testing.T) {
	_, s := open(t, t.TempDir())
	mustExec(t, s, "CREATE TABLE t (a integer NOT NULL)")
	mustExec(t, s, "INSERT INTO t VALUES (1), (2)")
	for _, q := range []string{
		"INSERT INTO t VALUES (3), (NULL)",
		"INSERT INTO t SELECT a / 0 FROM t",
		"UPDATE t SET a = a / (a - 2)",
		"UPDATE t SET a = NULL WHERE a = 2",
		"CREATE TABLE t2 AS SELECT 1 / 0 AS x",
	} {
		if _, err := s.Query(context.Background(), q); err == nil {
			t.Fatalf("%s: expected an error", q)
		}
	}
	r := mustExec(t, s, "SELECT count(*), sum(a) FROM t")
	if r.Value(0, 0) != int64(2) || r.Value(0, 1) != int64(3) {
		t.Fatalf("table changed: %v %v", r.Value(0, 0), r.Value(0, 1))
	}
	if _, err := s.Query(context.Background(), "SELECT * FROM t2"); sqlerr.Code(err) != sqlerr.UndefinedTable {
		t.Fatalf("failed CTAS left a table behind: %v", err)
	}
}

func TestParameters(t *testing.T) {
	_, s := open(t, t.TempDir())
	r := mustExec(t, s, "SELECT $1::int + 1, $2 || 'x', $3::date + 1", "41", "a", "2024-02-28")
	if r.Value(0, 0) != int64(42) || r.Value(0, 1) != "ax" || types.FormatText(types.DateT, r.Value(0, 2)) != "2024-02-29" {
		t.Fatalf("got %v %v %v", r.Value(0, 0), r.Value(0, 1), r.Value(0, 2))
	}
	cols, ptypes, err := s.Describe(context.Background(), "SELECT $1 + 1 AS n, upper($2)")
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || cols[0].Name != "n" || ptypes[0].Kind != types.Int4 || ptypes[1].Kind != types.Text {
		t.Fatalf("describe: %v %v", cols, ptypes)
	}
}

func TestCancel(t *testing.T) {
	_, s := open(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Query(ctx, "SELECT count(*) FROM generate_series(1, 3000) a, generate_series(1, 3000) b WHERE a.a + b.b = 0")
	if sqlerr.Code(err) != sqlerr.QueryCanceled {
		t.Fatalf("expected 57014, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v", d)
	}
	mustExec(t, s, "SET statement_timeout = '50ms'")
	_, err = s.Query(context.Background(), "SELECT count(*) FROM generate_series(1, 3000) a, generate_series(1, 3000) b WHERE a.a + b.b = 0")
	if sqlerr.Code(err) != sqlerr.QueryCanceled || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("statement_timeout: %v", err)
	}
}

func TestMemoryLimit(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir(), MemLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	// an aggregate and inner and full joins spill past the limit; the
	// values a global string_agg keeps do not
	if n := count(t, s, "SELECT count(*) FROM (SELECT g, count(*) FROM generate_series(1, 200000) g GROUP BY g) x"); n != 200000 {
		t.Fatalf("a spilled GROUP BY gave %d groups", n)
	}
	if n := count(t, s, "SELECT count(*) FROM generate_series(1, 200000) a JOIN generate_series(1, 200000) b ON a = b"); n != 200000 {
		t.Fatalf("a spilled join gave %d rows", n)
	}
	if n := count(t, s, "SELECT count(*) FROM generate_series(1, 200000) a FULL JOIN generate_series(2, 200001) b ON a = b"); n != 200001 {
		t.Fatalf("a spilled full join gave %d rows", n)
	}
	_, err = s.Query(context.Background(), "SELECT length(string_agg(a::text, ',')) FROM generate_series(1, 200000) a")
	if sqlerr.Code(err) != sqlerr.OutOfMemory {
		t.Fatalf("expected 53200, got %v", err)
	}
	if _, err := s.Query(context.Background(), "SELECT 1"); err != nil {
		t.Fatalf("session unusable after 53200: %v", err)
	}
}

func TestExplainAnalyze(t *testing.T) {
	_, s := open(t, t.TempDir())
	mustExec(t, s, "CREATE TABLE t AS SELECT g AS a, g % 3 AS b FROM generate_series(1, 3000) g")
	r := mustExec(t, s, "EXPLAIN ANALYZE SELECT b, count(*) FROM t WHERE a > 1000 GROUP BY b")
	var lines []string
	for i := 0; i < int(r.NumRows()); i++ {
		lines = append(lines, r.Value(i, 0).(string))
	}
	text := strings.Join(lines, "\n")
	// the scan evaluates a > 1000 as it reads (late materialization):
	// its 2000 rows are the ones that pass
	for _, want := range []string{"Filter rows=2000", "HashAggregate rows=3", "Scan t rows=2000", "Peak memory:", "Rows returned: 3"} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN ANALYZE lacks %q:\n%s", want, text)
		}
	}
}

func TestPanicBecomesInternalError(t *testing.T) {
	_, s := open(t, t.TempDir())
	// every statement runs under a recover; a healthy query after any error still works
	for _, q := range []string{"SELECT 1/0", "SELEC", "SELECT * FROM nosuch"} {
		if _, err := s.Query(context.Background(), q); err == nil {
			t.Fatalf("%s: expected an error", q)
		}
	}
	if v := mustExec(t, s, "SELECT 2").Value(0, 0); v != int64(2) {
		t.Fatal(v)
	}
}

// Reads of managed tables count as data scanned, as every read does: in
// the share of the columns read.
func TestManagedReadsCounted(t *testing.T) {
	_, s := open(t, t.TempDir())
	mustExec(t, s, "CREATE TABLE m AS SELECT i AS a, i * 2 AS b, 'x' || i AS c FROM generate_series(1, 20000) g(i)")
	all := mustExec(t, s, "SELECT count(*), max(a), max(b), max(c) FROM m").Scanned.Bytes
	one := mustExec(t, s, "SELECT max(a) FROM m").Scanned.Bytes
	if all == 0 || one == 0 || one >= all {
		t.Fatalf("managed reads counted %d bytes for every column, %d for one", all, one)
	}
}

// x = ANY(array) is an operator: its column is "?column?", as in
// PostgreSQL, not the internal function lakeq binds it to.
func TestQuantifiedColumnName(t *testing.T) {
	_, s := open(t, t.TempDir())
	if got := columnNames(mustExec(t, s, "SELECT 2 = ANY(ARRAY[1, 2]), 3 <> ALL(ARRAY[1]), coalesce(1, 2)")); got != "?column?,?column?,coalesce" {
		t.Fatalf("columns %v", got)
	}
}

// columnNames is a result's column names, comma-separated.
func columnNames(res *Result) string {
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}

// A cast names its column after its type unless what it casts has a
// stronger name: a column, a function (PostgreSQL's FigureColname).
// Another cast's type name and CASE are weaker.
func TestCastColumnNames(t *testing.T) {
	_, s := open(t, t.TempDir())
	got := columnNames(mustExec(t, s, "SELECT 12.5::numeric::text, DATE '2020-01-01'::text, (CASE WHEN true THEN 1 END)::text, coalesce(1,2)::text, (1+2)::text, x::int8::text, x::text, upper('a')::varchar::text FROM (VALUES (1)) t(x)"))
	// as PostgreSQL 15 names them
	if want := "text,text,text,coalesce,text,x,x,upper"; got != want {
		t.Fatalf("columns %v, want %s", got, want)
	}
}
