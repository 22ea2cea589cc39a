package engine

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/internal/testmysql"
	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/sqlerr"
)

// text renders a one-row result as a|b|c.
func textRow(t *testing.T, s *Session, q string) string {
	t.Helper()
	r := mustExec(t, s, q)
	if r.NumRows() != 1 {
		t.Fatalf("%s: %d rows", q, r.NumRows())
	}
	var parts []string
	for c := range r.Columns {
		v, _ := r.Text(c, r.Value(0, c))
		parts = append(parts, v)
	}
	return strings.Join(parts, "|")
}

// A PostgreSQL 15 database mounted with Redshift's CREATE EXTERNAL SCHEMA:
// its tables are queried and joined with lake tables on one and two
// workers with PostgreSQL's answers; the password is sealed in the
// catalog and appears in no history, view or error; a server that is
// down is 08001 and leaves the mount; DROP SCHEMA unmounts.
func TestMountPostgres(t *testing.T) {
	srv := testpg.Start(t)
	db := openDB(t, "pgx", srv.CreateDB(t, "shop"))
	for _, q := range []string{
		`CREATE TABLE orders (id int8 PRIMARY KEY, cust int4 NOT NULL, amount numeric(12,2), status text, day date)`,
		`INSERT INTO orders SELECT g, g % 50, g * 0.5, CASE WHEN g % 3 = 0 THEN 'open' ELSE 'done' END, date '2024-01-01' + g % 90 FROM generate_series(1, 30000) g`,
		`ANALYZE orders`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	remote := func(q string) string {
		var out string
		if err := db.QueryRow(q).Scan(&out); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return out
	}
	dir := t.TempDir()
	const pw = "Sup3r-secret-pw"
	for _, workers := range []int{1, 2} {
		e, err := Open(context.Background(), Config{DataDir: dir, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		s := e.NewSession()
		if workers == 1 {
			mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'shop' URI '127.0.0.1' PORT %d USER '%s' PASSWORD '%s'`, srv.Port, srv.User, pw))
			r := mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL SCHEMA IF NOT EXISTS pg FROM POSTGRES DATABASE 'shop' URI '127.0.0.1' PORT %d USER 'x' PASSWORD 'y'`, srv.Port))
			if len(r.Notices) != 1 {
				t.Fatalf("IF NOT EXISTS on a mount: %v", r.Notices)
			}
			mustExec(t, s, "CREATE TABLE customers AS SELECT g AS id, 'customer ' || g AS name FROM generate_series(0, 49) g")
		}
		for q, want := range map[string]string{
			"SELECT count(*), sum(amount), min(day) FROM pg.orders":                                                               remote("SELECT concat_ws('|', count(*), sum(amount), min(day)) FROM orders"),
			"SELECT count(*), sum(amount) FROM pg.orders WHERE cust = 7 AND status = 'open'":                                      remote("SELECT concat_ws('|', count(*), sum(amount)) FROM orders WHERE cust = 7 AND status = 'open'"),
			"SELECT count(*) FROM pg.orders WHERE day >= '2024-03-01' AND id IN (3, 6, 9, 100000)":                                remote("SELECT count(*)::text FROM orders WHERE day >= '2024-03-01' AND id IN (3, 6, 9, 100000)"),
			"SELECT count(*) FROM pg.orders o JOIN customers c ON c.id = o.cust WHERE c.name LIKE '%9'":                           remote("SELECT count(*)::text FROM orders WHERE cust % 10 = 9"),
			"SELECT max(name) FROM customers c WHERE EXISTS (SELECT 1 FROM pg.orders o WHERE o.cust = c.id AND o.amount > 14990)": remote("SELECT max('customer ' || cust) FROM orders WHERE amount > 14990"),
		} {
			if got := textRow(t, s, q); got != want {
				t.Fatalf("workers=%d: %s\n got %s\nwant %s", workers, q, got, want)
			}
		}
		// the filters ran remotely: the scan produced only the matching rows
		plan := planText(t, s, "EXPLAIN ANALYZE SELECT id, amount FROM pg.orders WHERE cust = 7 AND status = 'open'")
		if n := remote("SELECT count(*)::text FROM orders WHERE cust = 7 AND status = 'open'"); !strings.Contains(plan, "; Scan orders rows="+n+" ") {
			t.Fatalf("workers=%d: the scan did not produce only the %s matching rows:\n%s", workers, n, plan)
		}
		// LIKE, OR and NOT run remotely too, and EXPLAIN shows the SQL
		q := "SELECT id FROM pg.orders WHERE (status LIKE 'op%' OR cust IN (1, 2)) AND NOT (amount < 100) AND day IS NOT NULL"
		plan = planText(t, s, "EXPLAIN "+q)
		if p := plan; !strings.Contains(p, `remote=[postgres: SELECT "id", "cust", "amount", "status", "day" FROM "public"."orders" WHERE (("status" LIKE $1::text) OR ("cust" IN ($2::int8, $3::int8))) AND (NOT ("amount" < $4::numeric)) AND ("day" IS NOT NULL)]`) {
			t.Fatalf("EXPLAIN does not show the remote SQL:\n%s", p)
		}
		want := remote("SELECT count(*)::text FROM orders WHERE (status LIKE 'op%' OR cust IN (1, 2)) AND NOT (amount < 100) AND day IS NOT NULL")
		if got := fmt.Sprint(mustExec(t, s, q).NumRows()); got != want {
			t.Fatalf("%s: %s rows, want %s", q, got, want)
		}
		plan = planText(t, s, "EXPLAIN ANALYZE "+q)
		if !strings.Contains(plan, "; Scan orders rows="+want+" ") {
			t.Fatalf("the scan did not produce only the %s matching rows:\n%s", want, plan)
		}
		// a grouped aggregation runs at the source: only the groups leave it
		q = "SELECT cust, count(*), sum(amount), min(status), max(day), count(DISTINCT status) FROM pg.orders WHERE day > '2024-02-01' GROUP BY cust ORDER BY cust"
		r := mustExec(t, s, q)
		var gotRows []string
		for i := 0; i < int(r.NumRows()); i++ {
			var parts []string
			for c := range r.Columns {
				v, _ := r.Text(c, r.Value(i, c))
				parts = append(parts, v)
			}
			gotRows = append(gotRows, strings.Join(parts, "|"))
		}
		want = remote("SELECT string_agg(concat_ws('|', cust, n, s, mi, ma, d), ',' ORDER BY cust) FROM (SELECT cust, count(*) n, sum(amount) s, min(status) mi, max(day) ma, count(DISTINCT status) d FROM orders WHERE day > '2024-02-01' GROUP BY cust) g")
		if got := strings.Join(gotRows, ","); got != want {
			t.Fatalf("workers=%d: %s\n got %s\nwant %s", workers, q, got, want)
		}
		plan = planText(t, s, "EXPLAIN ANALYZE "+q)
		if p := plan; !strings.Contains(p, "; Scan orders rows=50 ") || !strings.Contains(p, `count(DISTINCT "status" COLLATE "C") FROM "public"."orders" WHERE ("day" > $1::date) GROUP BY 1]`) || strings.Contains(p, "HashAggregate") {
			t.Fatalf("workers=%d: the aggregation did not run at the source:\n%s", workers, p)
		}
		// ORDER BY … LIMIT stops at the source: 7 rows leave it
		q = "SELECT id, amount FROM pg.orders WHERE status = 'open' ORDER BY amount DESC, id LIMIT 5 OFFSET 2"
		r = mustExec(t, s, q)
		gotRows = gotRows[:0]
		for i := 0; i < int(r.NumRows()); i++ {
			a, _ := r.Text(0, r.Value(i, 0))
			b, _ := r.Text(1, r.Value(i, 1))
			gotRows = append(gotRows, a+"|"+b)
		}
		want = remote("SELECT string_agg(id || '|' || amount, ',' ORDER BY amount DESC, id) FROM (SELECT id, amount FROM orders WHERE status = 'open' ORDER BY amount DESC, id LIMIT 5 OFFSET 2) x")
		if got := strings.Join(gotRows, ","); got != want {
			t.Fatalf("top-N: %s, want %s", got, want)
		}
		for q, rows := range map[string]string{q: "7", "SELECT id FROM pg.orders LIMIT 3": "3"} {
			plan = planText(t, s, "EXPLAIN ANALYZE "+q)
			if p := plan; !strings.Contains(p, "; Scan orders rows="+rows+" ") || !strings.Contains(p, " LIMIT "+rows+"]") {
				t.Fatalf("workers=%d: %s did not stop at the source after %s rows:\n%s", workers, q, rows, p)
			}
		}
		// one it cannot take (avg) runs in lakeq, with the same answer
		if got, want := textRow(t, s, "SELECT round(avg(amount), 6) FROM pg.orders WHERE cust = 3"), remote("SELECT round(avg(amount), 6)::text FROM orders WHERE cust = 3"); got != want {
			t.Fatalf("avg: %s, want %s", got, want)
		}
		// unqualified, through the search path
		mustExec(t, s, "SET search_path = pg, public")
		if got := textRow(t, s, "SELECT count(*) FROM orders WHERE status IS NULL"); got != "0" {
			t.Fatalf("through the search path: %s", got)
		}
		mustExec(t, s, "SET search_path = public")
		if _, err := s.Query(context.Background(), "SELECT * FROM pg.nope"); sqlerr.Code(err) != sqlerr.UndefinedTable {
			t.Fatalf("a table the source lacks: %v", err)
		}
		e.Close()
	}

	// the password: sealed in the catalog, redacted from the history
	s := scratchSession(t, Config{DataDir: dir})
	for _, q := range []string{"SELECT query_text FROM sys.query_history", "SELECT * FROM information_schema.schemata", "SHOW SCHEMAS"} {
		r := mustExec(t, s, q)
		for i := 0; i < int(r.NumRows()); i++ {
			for c := range r.Columns {
				if v, _ := r.Text(c, r.Value(i, c)); strings.Contains(v, pw) {
					t.Fatalf("%s shows the password: %s", q, v)
				}
			}
		}
	}
	if got := textRow(t, s, "SELECT count(*) FROM sys.query_history WHERE query_text LIKE 'CREATE EXTERNAL SCHEMA %pg FROM %PASSWORD ''********''%'"); got != "2" {
		t.Fatalf("the mounts in the history, password redacted: %s", got)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "catalog.db*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(pw)) {
			t.Fatalf("%s holds the password in clear", f)
		}
	}
	if got := textRow(t, s, "SELECT count(*) FROM pg.orders"); got != "30000" {
		t.Fatalf("after a restart: %s", got)
	}
	// another key cannot open it
	e2, err := Open(context.Background(), Config{DataDir: dir, SecretKey: "another key"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e2.NewSession().Query(context.Background(), "SELECT count(*) FROM pg.orders"); sqlerr.Code(err) != sqlerr.InvalidAuthorization || strings.Contains(err.Error(), pw) {
		t.Fatalf("another key: %v", err)
	}
	e2.Close()

	// a mount's tables are read-only
	for _, q := range []string{"INSERT INTO pg.orders VALUES (0, 1, 1, 'x', '2024-01-01')", "DELETE FROM pg.orders", "UPDATE pg.orders SET cust = 1"} {
		if _, err := s.Query(context.Background(), q); sqlerr.Code(err) != sqlerr.FeatureNotSupported || !strings.Contains(err.Error(), "read-only") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// a server that is down: 08001, the mount stays, other queries go on
	port, err := testpg.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL SCHEMA down FROM POSTGRES DATABASE 'x' URI '127.0.0.1' PORT %d USER 'u' PASSWORD '%s'`, port, pw))
	if _, err := s.Query(context.Background(), "SELECT * FROM down.t"); sqlerr.Code(err) != "08001" || strings.Contains(err.Error(), pw) {
		t.Fatalf("a server that is down: %v", err)
	}
	if got := textRow(t, s, "SELECT count(*) FROM customers"); got != "50" {
		t.Fatal(got)
	}
	// the catalog views list a mount's tables and columns (psql's \dt pg.*
	// reads pg_class), and a mount whose server is down lists none
	if got := textRow(t, s, "SELECT string_agg(table_schema || '.' || table_name, ',') FROM information_schema.tables WHERE table_schema IN ('pg', 'down')"); got != "pg.orders" {
		t.Fatalf("information_schema.tables: %s", got)
	}
	if got := textRow(t, s, "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'pg' AND table_name = 'orders'"); got != "id bigint, cust integer, amount numeric, status text, day date" {
		t.Fatalf("information_schema.columns: %s", got)
	}
	if got := textRow(t, s, "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg' AND c.relkind = 'r'"); got != "1" {
		t.Fatalf("pg_class: %s", got)
	}
	// DROP SCHEMA unmounts
	mustExec(t, s, "DROP SCHEMA down")
	mustExec(t, s, "DROP SCHEMA pg")
	if _, err := s.Query(context.Background(), "SELECT * FROM pg.orders"); err == nil {
		t.Fatal("pg.orders after DROP SCHEMA pg")
	}
}

// SELECT * FROM mount.query('…') runs a query in the source's own SQL,
// for PostgreSQL and MySQL; a data-changing statement is refused by the
// source, and filters on the result still run remotely.
func TestMountPassthrough(t *testing.T) {
	pg := testpg.Start(t)
	pdb := openDB(t, "pgx", pg.CreateDB(t, "shop"))
	if _, err := pdb.Exec(`CREATE TABLE t (k int, v numeric(10,2), tags text[]); INSERT INTO t SELECT g % 10, g, ARRAY['a', g::text] FROM generate_series(1, 1000) g`); err != nil {
		t.Fatal(err)
	}
	my := testmysql.Start(t)
	mdb := openDB(t, "mysql", my.CreateDB(t, "crm"))
	if _, err := mdb.Exec("CREATE TABLE c (id INT PRIMARY KEY, name VARCHAR(20), score DECIMAL(6,1))"); err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.Exec("INSERT INTO c VALUES (1, 'Ann', 1.5), (2, 'bob', 2.5), (3, 'Cy', NULL), (4, 'ann', 1), (5, 'ANN', 2)"); err != nil {
		t.Fatal(err)
	}
	s := scratchSession(t, Config{DataDir: t.TempDir()})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'shop' URI '127.0.0.1' PORT %d USER '%s' PASSWORD 'x'", pg.Port, pg.User))
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA my FROM MYSQL DATABASE 'crm' URI '127.0.0.1' PORT %d USER '%s' PASSWORD '%s'", my.Port, my.User, my.Password))
	for q, want := range map[string]string{
		// PostgreSQL's own dialect: DISTINCT ON, ::casts, array functions
		`SELECT count(*), sum(v), max(n) FROM pg.query('SELECT DISTINCT ON (k) k, v, array_length(tags, 1)::int8 AS n FROM t ORDER BY k, v DESC') WHERE k >= 5`: "5|4985.00|2",
		// MySQL's own: backticks, IFNULL, CONCAT
		"SELECT string_agg(label, ',' ORDER BY label) FROM my.query('SELECT CONCAT(`name`, \":\", IFNULL(score, 0)) AS label FROM c WHERE id < 4')": "Ann:1.5,Cy:0.0,bob:2.5",
		// aggregates pushed to MySQL group and compare as bytes, as lakeq does
		// (MySQL's own collation would see one 'ann' and min 'Ann')
		"SELECT count(DISTINCT name), min(name), max(name), sum(score), count(*) FROM my.c WHERE name < 'b'": "4|ANN|ann|4.5|4",
		"SELECT count(*) FROM (SELECT name, count(*) FROM my.c GROUP BY name) g":                             "5",
	} {
		if got := textRow(t, s, q); got != want {
			t.Fatalf("%s: %s, want %s", q, got, want)
		}
	}
	ex := mustExec(t, s, "EXPLAIN SELECT count(DISTINCT name), min(name), max(name), sum(score), count(*) FROM my.c WHERE name < 'b'")
	if plan, _ := ex.Text(0, ex.Value(int(ex.NumRows())-1, 0)); !strings.Contains(plan, "remote=[mysql: SELECT count(DISTINCT CAST(`name` AS BINARY)), min(CAST(`name` AS BINARY)), max(CAST(`name` AS BINARY)), sum(`score`), count(*) FROM `crm`.`c` WHERE (BINARY `name` < ?)]") {
		t.Fatalf("the aggregation was not MySQL's: %s", plan)
	}
	ex = mustExec(t, s, `EXPLAIN SELECT * FROM pg.query('SELECT k, v FROM t') WHERE k = 3`)
	plan, _ := ex.Text(0, ex.Value(int(ex.NumRows())-1, 0))
	if !strings.Contains(plan, `FROM (SELECT k, v FROM t) AS lakeq_query WHERE ("k" = $1::int8)`) {
		t.Fatalf("a filter on a passthrough query: %s", plan)
	}
	for q, code := range map[string]string{
		"SELECT * FROM pg.query('DELETE FROM t RETURNING k')": sqlerr.SyntaxError,
		"SELECT * FROM pg.query('SELECT * FROM nope')":        sqlerr.UndefinedTable,
		"SELECT * FROM public.query('SELECT 1')":              sqlerr.UndefinedFunction,
		"SELECT * FROM pg.query(1, 2)":                        sqlerr.UndefinedFunction,
	} {
		if _, err := s.Query(context.Background(), q); sqlerr.Code(err) != code {
			t.Fatalf("%s: %v, want %s", q, err, code)
		}
	}
	if got := textRow(t, s, "SELECT count(*) FROM pg.t"); got != "1000" {
		t.Fatalf("the DELETE ran: %s rows left", got)
	}
}

// A remote query that stalls ends at statement_timeout (57014) and the
// mount serves the next query; cancelling from the client does too.
func TestMountStallHonoursStatementTimeout(t *testing.T) {
	pg := testpg.Start(t)
	db := openDB(t, "pgx", pg.CreateDB(t, "slow"))
	if _, err := db.Exec(`CREATE VIEW stalls AS SELECT 1 AS x FROM pg_sleep(30)`); err != nil {
		t.Fatal(err)
	}
	s := scratchSession(t, Config{DataDir: t.TempDir()})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'slow' URI '127.0.0.1' PORT %d USER '%s' PASSWORD 'x'", pg.Port, pg.User))
	mustExec(t, s, "SET statement_timeout = '500ms'")
	for _, q := range []string{"SELECT * FROM pg.stalls", "SELECT * FROM pg.query('SELECT 1 AS x FROM pg_sleep(30)')"} {
		start := time.Now()
		_, err := s.Query(context.Background(), q)
		if sqlerr.Code(err) != sqlerr.QueryCanceled {
			t.Fatalf("%s: %v, want 57014", q, err)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Fatalf("%s ran %v past a 500 ms statement_timeout", q, el)
		}
	}
	mustExec(t, s, "SET statement_timeout = 0")
	// the server is told to stop too: its backend is idle again
	deadline := time.Now().Add(5 * time.Second)
	for {
		var active int
		if err := db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = 'slow' AND query LIKE '%pg_sleep%' AND state = 'active' AND pid <> pg_backend_pid()`).Scan(&active); err != nil {
			t.Fatal(err)
		}
		if active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d remote queries still run after lakeq gave up on them", active)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := textRow(t, s, "SELECT count(*) FROM pg.query('SELECT 1')"); got != "1" {
		t.Fatalf("the mount after a timeout: %s", got)
	}
}

// The sealed password is the one sent: a PostgreSQL role that must
// authenticate reads through the mount; a wrong password is 28P01, named
// neither in the error nor anywhere else.
func TestMountPostgresPassword(t *testing.T) {
	pg := testpg.Start(t)
	pg.PasswordUser(t, "reporter", "s3cr3t-Pw")
	db := openDB(t, "pgx", pg.CreateDB(t, "auth"))
	if _, err := db.Exec("CREATE TABLE t AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	s := scratchSession(t, Config{DataDir: t.TempDir()})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA good FROM POSTGRES DATABASE 'auth' URI '127.0.0.1' PORT %d USER 'reporter' PASSWORD 's3cr3t-Pw'", pg.Port))
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA bad FROM POSTGRES DATABASE 'auth' URI '127.0.0.1' PORT %d USER 'reporter' PASSWORD 'wr0ng-Pw'", pg.Port))
	if got := textRow(t, s, "SELECT count(*) FROM good.t"); got != "1" {
		t.Fatalf("with the right password: %s", got)
	}
	_, err := s.Query(context.Background(), "SELECT * FROM bad.t")
	if sqlerr.Code(err) != "28P01" || strings.Contains(err.Error(), "wr0ng-Pw") || !strings.Contains(err.Error(), "reporter") {
		t.Fatalf("a wrong password: %v", err)
	}
}

// The same for MySQL: a remote query that stalls ends at
// statement_timeout (57014) and the mount serves the next query.
func TestMountMySQLStall(t *testing.T) {
	my := testmysql.Start(t)
	my.CreateDB(t, "slow")
	s := scratchSession(t, Config{DataDir: t.TempDir()})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA my FROM MYSQL DATABASE 'slow' URI '127.0.0.1' PORT %d USER '%s' PASSWORD '%s'", my.Port, my.User, my.Password))
	mustExec(t, s, "SET statement_timeout = '500ms'")
	start := time.Now()
	_, err := s.Query(context.Background(), "SELECT * FROM my.query('SELECT SLEEP(30) AS x')")
	if sqlerr.Code(err) != sqlerr.QueryCanceled {
		t.Fatalf("a stalled MySQL query: %v, want 57014", err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("ran %v past a 500 ms statement_timeout", el)
	}
	mustExec(t, s, "SET statement_timeout = 0")
	if got := textRow(t, s, "SELECT count(*) FROM my.query('SELECT 1 AS x')"); got != "1" {
		t.Fatalf("the mount after a timeout: %s", got)
	}
}

// planText is a statement's EXPLAIN output, one line per row.
func planText(t *testing.T, s *Session, q string) string {
	t.Helper()
	ex := mustExec(t, s, q)
	lines := make([]string, ex.NumRows())
	for i := range lines {
		lines[i], _ = ex.Text(0, ex.Value(i, 0))
	}
	return strings.Join(lines, "\n")
}

// openDB opens a database of a test server, closed when the test ends.
func openDB(t *testing.T, driver, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// scratchSession opens an engine on cfg, closed when the test ends, and
// a session of it.
func scratchSession(t *testing.T, cfg Config) *Session {
	t.Helper()
	e, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e.NewSession()
}
