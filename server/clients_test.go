package server

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The real PostgreSQL clients, driven against `lakeq serve` on
// 127.0.0.1: psql, the PostgreSQL JDBC driver, psycopg2, SQLAlchemy and
// node-postgres. scripts/test.sh installs them (Debian's
// postgresql-client, libpostgresql-jdbc-java, python3-psycopg2,
// python3-sqlalchemy; pg from npm). A missing client fails the test
// under CI=true and skips it elsewhere, with a message naming it.

// requireClient finds the first existing path or program among
// candidates.
func requireClient(t *testing.T, what string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if strings.Contains(c, "/") {
			if _, err := os.Stat(c); err == nil {
				return c
			}
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("%s not found (tried %s; scripts/test.sh installs it)", what, strings.Join(candidates, ", "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runClient runs a client program with a deadline and returns its
// output; a non-zero exit fails the test unless wantFail.
func runClient(t *testing.T, dir string, env []string, wantFail bool, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil && !wantFail {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out.String())
	}
	if err == nil && wantFail {
		t.Fatalf("%s %s succeeded, want failure\n%s", filepath.Base(name), strings.Join(args, " "), out.String())
	}
	return out.String()
}

// clientServer starts a server with a small lake schema: a table with
// comments, a view, and a table for time series.
func clientServer(t *testing.T) (host, port string) {
	t.Helper()
	_, addr := testServer(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://lakeq@"+addr+"/lakeq?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	lakeDir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(lakeDir, "dt=2024-01-01"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lakeDir, "dt=2024-01-01", "part-0.csv"), []byte("1,10.5\n2,20.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE SCHEMA lake",
		"CREATE EXTERNAL TABLE lake.sales (id int, amount decimal(10,2)) PARTITIONED BY (dt date) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '" + lakeDir + "'",
		"MSCK REPAIR TABLE lake.sales",
		"CREATE TABLE lake.events (id int NOT NULL, name varchar(20), amount numeric(10,2), at timestamp)",
		"INSERT INTO lake.events VALUES (1, 'a', 1.25, TIMESTAMP '2024-01-01 00:10:00'), (2, 'b', 2.50, TIMESTAMP '2024-01-01 00:50:00'), (3, 'c', 3.75, TIMESTAMP '2024-01-01 01:20:00')",
		"COMMENT ON TABLE lake.events IS 'lake events'",
		"COMMENT ON COLUMN lake.events.id IS 'the event id'",
		"CREATE VIEW lake.recent AS SELECT * FROM lake.events WHERE id > 1",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	host, port, _ = net.SplitHostPort(addr)
	return host, port
}

func clientsDir(t *testing.T) string {
	d, err := filepath.Abs("testdata/clients")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPsql(t *testing.T) {
	psql := requireClient(t, "psql", "psql")
	host, port := clientServer(t)
	dir := t.TempDir()
	env := []string{"PGCONNECT_TIMEOUT=10", "PGHOST=" + host, "PGPORT=" + port, "PGUSER=lakeq", "PGDATABASE=lakeq", "PSQLRC=/dev/null"}
	psqlRun := func(wantFail bool, args ...string) string {
		return runClient(t, dir, env, wantFail, psql, append([]string{"-X", "-v", "ON_ERROR_STOP=1"}, args...)...)
	}
	checks := []struct {
		cmd  string
		want []string
	}{
		{`\l`, []string{"List of databases", "lakeq", "UTF8"}},
		{`\dn`, []string{"List of schemas", "lake", "public"}},
		{`\dt lake.*`, []string{"List of relations", "lake   | events | table | lakeq", "lake   | sales  | table | lakeq"}},
		{`\d lake.sales`, []string{`Table "lake.sales"`, "amount | numeric(10,2)", "dt     | date"}},
		{`\dv lake.*`, []string{"recent | view"}},
		{`\d lake.events`, []string{`Table "lake.events"`, "character varying(20)", "not null", "numeric(10,2)", "timestamp without time zone"}},
		{`\d+ lake.events`, []string{"the event id", "Access method: heap"}},
		{`\d+ lake.recent`, []string{`View "lake.recent"`, "View definition:", "lake.events"}},
		{`\du`, []string{"lakeq", "Superuser"}},
		{`\df lake.*`, []string{"List of functions"}},
	}
	for _, c := range checks {
		out := psqlRun(false, "-c", c.cmd)
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("psql %s: missing %q in\n%s", c.cmd, w, out)
			}
		}
	}
	out := psqlRun(false, "-c", `\x`, "-c", "SELECT id, name FROM lake.events WHERE id = 2")
	if !strings.Contains(out, "-[ RECORD 1 ]") || !strings.Contains(out, "name | b") {
		t.Errorf(`psql \x: %s`, out)
	}
	// \copy both ways: out of a table to a client file, into another table from it.
	file := filepath.Join(dir, "events.csv")
	out = psqlRun(false, "-c", `\copy lake.events TO '`+file+`' WITH (FORMAT csv, HEADER)`)
	if !strings.Contains(out, "COPY 3") {
		t.Errorf(`\copy to: %s`, out)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(data), "id,name,amount,at\n1,a,1.25,2024-01-01 00:10:00\n") {
		t.Errorf("copied file: %q %v", data, err)
	}
	psqlRun(false, "-c", "CREATE TABLE lake.events_copy (id int, name text, amount numeric(10,2), at timestamp)")
	out = psqlRun(false, "-c", `\copy lake.events_copy FROM '`+file+`' WITH (FORMAT csv, HEADER)`)
	if !strings.Contains(out, "COPY 3") {
		t.Errorf(`\copy from: %s`, out)
	}
	out = psqlRun(false, "-At", "-c", "SELECT count(*), sum(amount) FROM lake.events_copy")
	if strings.TrimSpace(out) != "3|7.50" {
		t.Errorf("after \\copy from: %q", out)
	}
	// An error: message, the position marker, exit status 1 under ON_ERROR_STOP.
	out = psqlRun(true, "-c", "SELECT name FROM lake.events WHERE nme = 1")
	for _, w := range []string{`column "nme" does not exist`, "LINE 1: SELECT name FROM lake.events WHERE nme = 1", "^"} {
		if !strings.Contains(out, w) {
			t.Errorf("psql error output missing %q:\n%s", w, out)
		}
	}
	caret := ""
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == "^" {
			caret = l
		}
	}
	if want := strings.Repeat(" ", len("LINE 1: SELECT name FROM lake.events WHERE ")) + "^"; caret != want {
		t.Errorf("caret line %q, want %q", caret, want)
	}
}

func TestJDBC(t *testing.T) {
	java := requireClient(t, "java", "java")
	jar := requireClient(t, "the PostgreSQL JDBC driver", "/usr/share/java/postgresql.jar")
	host, port := clientServer(t)
	url := fmt.Sprintf("jdbc:postgresql://%s:%s/lakeq", host, port)
	out := runClient(t, t.TempDir(), nil, false, java, "-cp", jar, filepath.Join(clientsDir(t), "JdbcClient.java"), url, "lakeq", "unused")
	t.Log(out)
	for _, w := range []string{"schemas information_schema,lake,pg_catalog,public,sys", "tables jdbc_t:TABLE", "primarykeys 0", "prepared 8 runs ok",
		"typed parameters ok", "generated keys ok", "fetchsize rows 1000 sum 500500", "error 42P01", "JDBC OK"} {
		if !strings.Contains(out, w) {
			t.Errorf("JDBC output missing %q", w)
		}
	}
}

func python3WithPsycopg2(t *testing.T) string {
	t.Helper()
	py := requireClient(t, "python3", "/usr/bin/python3", "python3")
	if err := exec.Command(py, "-c", "import psycopg2, sqlalchemy").Run(); err != nil {
		msg := py + " cannot import psycopg2 and sqlalchemy (apt-get install python3-psycopg2 python3-sqlalchemy)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return py
}

func TestPsycopg2(t *testing.T) {
	py := python3WithPsycopg2(t)
	host, port := clientServer(t)
	out := runClient(t, clientsDir(t), nil, false, py, "psycopg2_client.py", fmt.Sprintf("host=%s port=%s user=lakeq dbname=lakeq connect_timeout=10", host, port))
	for _, w := range []string{"param timestamptz ok", "param interval ok", "param text[] ok", "rows 12 61.50", "in failed block 25P02", "PSYCOPG2 OK"} {
		if !strings.Contains(out, w) {
			t.Errorf("psycopg2 output missing %q:\n%s", w, out)
		}
	}
}

func TestSQLAlchemyReflection(t *testing.T) {
	py := python3WithPsycopg2(t)
	host, port := clientServer(t)
	out := runClient(t, clientsDir(t), nil, false, py, "sqlalchemy_reflect.py", fmt.Sprintf("postgresql+psycopg2://lakeq@%s:%s/lakeq", host, port))
	for _, w := range []string{"'events'", "views ['recent']", "comment {'text': 'lake events'}", "SQLALCHEMY OK"} {
		if !strings.Contains(out, w) {
			t.Errorf("SQLAlchemy output missing %q:\n%s", w, out)
		}
	}
}

func TestNodePostgres(t *testing.T) {
	node := requireClient(t, "node", "node")
	dir := clientsDir(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "pg")); err != nil {
		npm := requireClient(t, "npm", "npm")
		runClient(t, dir, nil, false, npm, "ci", "--no-audit", "--no-fund")
	}
	host, port := clientServer(t)
	out := runClient(t, dir, nil, false, node, "node_client.mjs", fmt.Sprintf("postgres://lakeq@%s:%s/lakeq", host, port))
	for _, w := range []string{"typed parameters ok", "named statements ok", "transaction ok", "pool ok", "NODE OK"} {
		if !strings.Contains(out, w) {
			t.Errorf("node-postgres output missing %q:\n%s", w, out)
		}
	}
}

// TestConcurrentSessions runs 32 sessions at once, each with its own
// table, settings and prepared statement of the same name: every answer
// must be the session's own.
func TestConcurrentSessions(t *testing.T) {
	_, addr := testServer(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const sessions = 32
	errs := make(chan error, sessions)
	for i := 0; i < sessions; i++ {
		go func(i int) {
			errs <- func() error {
				conn, err := pgx.Connect(ctx, "postgres://lakeq@"+addr+"/lakeq?sslmode=disable&application_name=s"+fmt.Sprint(i))
				if err != nil {
					return err
				}
				defer conn.Close(ctx)
				tbl := fmt.Sprintf("conc_%d", i)
				if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT g AS v FROM generate_series(1, %d) g", tbl, 100+i)); err != nil {
					return err
				}
				if _, err := conn.Exec(ctx, fmt.Sprintf("SET application_name = 'session %d'", i)); err != nil {
					return err
				}
				if _, err := conn.Exec(ctx, fmt.Sprintf("PREPARE q AS SELECT count(*), sum(v), current_setting('application_name') FROM %s", tbl)); err != nil {
					return err
				}
				for round := 0; round < 10; round++ {
					var n, sum int64
					var app string
					if err := conn.QueryRow(ctx, "EXECUTE q").Scan(&n, &sum, &app); err != nil {
						return err
					}
					want := int64(100 + i)
					if n != want || sum != want*(want+1)/2 || app != fmt.Sprintf("session %d", i) {
						return fmt.Errorf("session %d round %d: got %d %d %q", i, round, n, sum, app)
					}
					var v int64
					if err := conn.QueryRow(ctx, "SELECT $1::bigint * 2", int64(i*1000+round)).Scan(&v); err != nil {
						return err
					}
					if v != int64(i*1000+round)*2 {
						return fmt.Errorf("session %d: parameter cross-talk: %d", i, v)
					}
				}
				return nil
			}()
		}(i)
	}
	for i := 0; i < sessions; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
