package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/internal/testpg"
)

// startServe runs `lakeq serve` (TLS with a self-signed certificate,
// plain connections allowed) on a free 127.0.0.1 port over dataDir.
func startServe(t *testing.T, dataDir string) int {
	t.Helper()
	bin := lakeqBinary(t)
	port, err := testpg.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--data-dir", dataDir, "--tls-self-signed")
	var log bytes.Buffer // the server's log, shown when the test fails
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("lakeq serve's log:\n%s", log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			t.Fatalf("lakeq serve did not listen: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// isolatePG keeps the user's libpq settings out of a test.
func isolatePG(t *testing.T) {
	for _, v := range []string{"PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSSLMODE", "PGSERVICE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	t.Setenv("PGPASSFILE", filepath.Join(t.TempDir(), "no-pgpass"))
}

// Remote mode against lakeq serve: the same output as the embedded
// engine (the golden query in every format), the backslash commands,
// \copy, --dry-run, errors with their position, and TLS as sslmode asks.
func TestRemoteLakeq(t *testing.T) {
	isolatePG(t)
	data := demoLake(t)
	port := startServe(t, data)
	p := strconv.Itoa(port)
	remote := []string{"--host", "127.0.0.1", "--port", p, "--user", "lakeq", "--dbname", "lakeq"}
	for _, f := range []string{"table", "csv", "json", "markdown"} {
		_, local, _ := runCLI(t, "", "--data-dir", t.TempDir(), "--format", f, "-c", goldenQuery)
		rc, got, errb := runCLI(t, "", append(remote, "--format", f, "-c", goldenQuery)...)
		if rc != 0 || got != local {
			t.Errorf("%s: rc %d %s\nremote:\n%s\nlocal:\n%s", f, rc, errb, got, local)
		}
	}
	rc, out, errb := runCLI(t, "", append(remote, "-c", `\dt tpch.*`, "-c", `\d tpch.nation`, "-c", `\dn`, "-c", `\l`, "-c", `\conninfo`)...)
	for _, want := range []string{" tpch   | lineitem | table", " n_regionkey | integer ", " demo   |", " lakeq |", `on host "127.0.0.1" at port "` + p + `"`} {
		if !strings.Contains(out, want) {
			t.Errorf("catalog commands lack %q: rc %d\n%s\n%s", want, rc, out, errb)
		}
	}
	// the footer: what the statement scanned, from the server's history,
	// priced at the session's price (set on the server by the flag)
	rc, out, errb = runCLI(t, "", append(remote, "--price-per-tb", "6.25", "-c", "SELECT sum(n_nationkey) FROM tpch.nation", "-c", "EXPLAIN (COST) SELECT 1")...)
	if rc != 0 || !strings.Contains(out, "(1 file) · Cost: $0.0000596\n") || !strings.Contains(out, "at $6.25 per TB") {
		t.Fatalf("remote footer: rc %d\n%s\n%s", rc, out, errb)
	}
	// a postgres:// URL, TLS required
	url := "postgres://lakeq@127.0.0.1:" + p + "/lakeq?sslmode=require"
	rc, out, errb = runCLI(t, "", url, "--format", "csv", "-c", "SELECT count(*) AS n FROM tpch.nation")
	if rc != 0 || out != "n\n25\n" {
		t.Fatalf("URL with sslmode=require: rc %d %q %s", rc, out, errb)
	}
	rc, out, _ = runCLI(t, "", url, "--format", "csv", "-c", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
	if rc == 0 && out != "ssl\nt\n" {
		t.Errorf("pg_stat_ssl over sslmode=require: %q", out)
	}
	// --dry-run prices through the server's EXPLAIN (COST)
	rc, out, errb = runCLI(t, "", append(remote, "--dry-run", "-c", "SELECT sum(l_quantity) FROM tpch.lineitem")...)
	if rc != 0 || !strings.Contains(out, "Data to scan: ") || !strings.Contains(out, "Cost: $0.0000477") {
		t.Fatalf("remote dry run: rc %d\n%s\n%s", rc, out, errb)
	}
	// errors: the server's message and position
	rc, _, errb = runCLI(t, "", append(remote, "-c", "SELECT * FROM nosuch_table")...)
	if rc != 1 || !strings.Contains(errb, `ERROR:  relation "nosuch_table" does not exist`) || !strings.Contains(errb, "LINE 1: SELECT * FROM nosuch_table\n                      ^") {
		t.Fatalf("remote error: rc %d %q", rc, errb)
	}
	// \copy to and from the shell's files
	dir := t.TempDir()
	out1 := filepath.Join(dir, "r.csv")
	rc, out, errb = runCLI(t, "", append(remote,
		"-c", `\copy (SELECT r_regionkey, r_name FROM tpch.region ORDER BY 1) TO '`+out1+`' WITH (FORMAT csv)`,
		"-c", "CREATE TABLE public.rcopy (k int, name text)",
		"-c", `\copy public.rcopy FROM '`+out1+`' WITH (FORMAT csv)`,
		"-c", "SELECT count(*) AS n, max(name) AS mx FROM public.rcopy",
		"-c", "DROP TABLE public.rcopy")...)
	if rc != 0 || !strings.Contains(out, "COPY 5\nCREATE TABLE\nCOPY 5\n") || !strings.Contains(out, " 5 | MIDDLE EAST") {
		t.Fatalf("remote \\copy: rc %d\n%s\n%s", rc, out, errb)
	}
}

// Remote mode against a real PostgreSQL 15: results, catalog commands,
// \copy, and libpq's ways to give a password (PGPASSWORD, a pgpass file,
// none at all: a clear failure), sslmode against a server without TLS,
// and a server that refuses the connection.
func TestRemotePostgres(t *testing.T) {
	isolatePG(t)
	pg := testpg.Start(t)
	pg.PasswordUser(t, "pwuser", "s3kret")
	p := strconv.Itoa(pg.Port)
	base := []string{"--host", "127.0.0.1", "--port", p, "--user", pg.User, "--dbname", "postgres"}
	// the golden query answers as lakeq's own does
	for _, f := range []string{"csv", "jsonl"} {
		_, local, _ := runCLI(t, "", "--data-dir", t.TempDir(), "--format", f, "-c", goldenQuery)
		rc, got, errb := runCLI(t, "", append(base, "--format", f, "-c", goldenQuery)...)
		if rc != 0 || got != local {
			t.Errorf("%s: rc %d %s\npostgres:\n%s\nlakeq:\n%s", f, rc, errb, got, local)
		}
	}
	dir := t.TempDir()
	csvIn := filepath.Join(dir, "in.csv")
	os.WriteFile(csvIn, []byte("1,ann\n2,bob\n3,\n"), 0o644)
	rc, out, errb := runCLI(t, "", append(base,
		"-c", "CREATE TABLE people (id int PRIMARY KEY, name text)",
		"-c", `\copy people FROM '`+csvIn+`' WITH (FORMAT csv)`,
		"-c", `\dt`, "-c", `\d people`, "-c", `\l`,
		"-c", "SELECT id, name FROM people ORDER BY id")...)
	for _, want := range []string{"COPY 3", " public | people | table", " id     | integer | not null", " postgres ", "  3 | NULL\n(3 rows)"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q: rc %d\n%s\n%s", want, rc, out, errb)
		}
	}
	// a script's inline COPY data goes to the server over COPY FROM STDIN
	rc, out, errb = runCLI(t, "CREATE TABLE inl (a int);\nCOPY inl FROM STDIN;\n1\n2\n\\.\nSELECT sum(a) AS s FROM inl;\n", append(base, "--format", "csv")...)
	if rc != 0 || !strings.HasSuffix(out, "COPY 2\ns\n3\n") {
		t.Fatalf("inline COPY on postgres: rc %d %q %s", rc, out, errb)
	}
	rc, _, errb = runCLI(t, "", append(base, "-c", "SELECT 1/0")...)
	if rc != 1 || !strings.Contains(errb, "ERROR:  division by zero") {
		t.Fatalf("postgres error: rc %d %q", rc, errb)
	}

	pw := []string{"--host", "127.0.0.1", "--port", p, "--user", "pwuser", "--dbname", "postgres", "--format", "csv", "-c", "SELECT current_user AS u"}
	// no password and no terminal to ask on
	rc, _, errb = runCLI(t, "", pw...)
	if rc != 1 || !strings.Contains(errb, "connection to server failed") || !strings.Contains(errb, "password") {
		t.Fatalf("no password: rc %d %q", rc, errb)
	}
	t.Setenv("PGPASSWORD", "s3kret")
	if rc, out, errb := runCLI(t, "", pw...); rc != 0 || out != "u\npwuser\n" {
		t.Fatalf("PGPASSWORD: rc %d %q %s", rc, out, errb)
	}
	os.Unsetenv("PGPASSWORD")
	pass := filepath.Join(dir, "pgpass")
	os.WriteFile(pass, []byte("127.0.0.1:"+p+":*:pwuser:s3kret\n"), 0o600)
	t.Setenv("PGPASSFILE", pass)
	if rc, out, errb := runCLI(t, "", pw...); rc != 0 || out != "u\npwuser\n" {
		t.Fatalf("pgpass: rc %d %q %s", rc, out, errb)
	}
	// sslmode=require against a server without TLS
	rc, _, errb = runCLI(t, "", "postgres://"+pg.User+"@127.0.0.1:"+p+"/postgres?sslmode=require", "-c", "SELECT 1")
	if rc != 1 || !strings.Contains(errb, "server refused TLS connection") {
		t.Fatalf("sslmode=require: rc %d %q", rc, errb)
	}
	// nothing listening
	free, _ := testpg.FreePort()
	rc, _, errb = runCLI(t, "", "--host", "127.0.0.1", "--port", strconv.Itoa(free), "--user", "x", "-c", "SELECT 1")
	if rc != 1 || !strings.Contains(errb, "connection to server failed") || !strings.Contains(errb, "refused") {
		t.Fatalf("refused: rc %d %q", rc, errb)
	}
	// tried with TLS and without, it says so once
	if strings.Count(errb, "refused") != 1 {
		t.Fatalf("refused: the reason repeated: %q", errb)
	}
}

// The password prompt, in a real terminal: lakeq asks when the server
// wants a password none was given for, then runs the shell.
func TestRemotePasswordPrompt(t *testing.T) {
	pg := testpg.Start(t)
	pg.PasswordUser(t, "pwuser", "s3kret")
	bin := lakeqBinary(t)
	home := t.TempDir()
	tm := startTerminal(t, 120, 30, []string{"HOME=" + home, "PGPASSFILE=" + filepath.Join(home, "none")}, bin,
		"--host", "127.0.0.1", "--port", strconv.Itoa(pg.Port), "--user", "pwuser", "--dbname", "postgres")
	tm.waitFor("Password: ", waitLong)
	tm.typeLine("s3kret")
	tm.waitFor("postgres=> ", waitLong)
	if strings.Contains(tm.screen(), "s3kret") {
		t.Fatal("the password was echoed")
	}
	tm.typeLine("SELECT current_user AS who,")
	tm.typeLine("  version() LIKE 'PostgreSQL 15%' AS pg15;")
	s := tm.waitFor("(1 row)", waitLong)
	if !strings.Contains(s, " pwuser | t") {
		t.Fatalf("query on PostgreSQL:\n%s", s)
	}
	// Ctrl-C sends the server a cancel request; the connection stays
	tm.typeLine("SELECT pg_sleep(60);")
	time.Sleep(500 * time.Millisecond)
	tm.keys("C-c")
	tm.waitFor("ERROR:  canceling statement due to user request", waitLong)
	tm.typeLine("SELECT 6 * 7 AS answer;")
	tm.waitFor("     42", waitLong)
	tm.keys("C-d")
	if st := tm.exitStatus(waitLong); st != 0 {
		t.Fatalf("exit status %d", st)
	}
}
