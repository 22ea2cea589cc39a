package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs lakeq in-process and returns its status, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	rc := run(args, strings.NewReader(stdin), &out, &errb)
	return rc, out.String(), errb.String()
}

// Scripts: exit status 0, 1 on an SQL error, 2 on bad usage; --on-error
// stop (the default) or continue; statements from stdin; -o, \o and \i;
// psql's meta-commands in a script.
func TestScriptStatusAndErrors(t *testing.T) {
	dir := t.TempDir()
	dd := []string{"--data-dir", dir, "--format", "csv"}

	rc, out, errb := runCLI(t, "", append(dd, "-c", "SELECT 1 AS a; SELECT nosuch; SELECT 2 AS b")...)
	if rc != 1 || out != "a\n1\n" || !strings.Contains(errb, `ERROR:  column "nosuch" does not exist`) {
		t.Fatalf("stop: rc %d out %q err %q", rc, out, errb)
	}
	rc, out, _ = runCLI(t, "", append(dd, "--on-error", "continue", "-c", "SELECT 1 AS a; SELECT nosuch; SELECT 2 AS b")...)
	if rc != 1 || out != "a\n1\nb\n2\n" {
		t.Fatalf("continue: rc %d out %q", rc, out)
	}
	// statements from stdin when it is not a terminal, the last without ';'
	rc, out, errb = runCLI(t, "SELECT 1 AS a;\nSELECT 'x;y' AS b\n", dd...)
	if rc != 0 || out != "a\n1\nb\nx;y\n" {
		t.Fatalf("stdin: rc %d out %q err %q", rc, out, errb)
	}
	// an unterminated string at the end of input is the parser's error
	rc, _, errb = runCLI(t, "", append(dd, "-c", "SELECT 'abc")...)
	if rc != 1 || !strings.Contains(errb, "unterminated quoted string") {
		t.Fatalf("unterminated: rc %d err %q", rc, errb)
	}
	// a missing -f file
	rc, _, errb = runCLI(t, "", append(dd, "-f", filepath.Join(dir, "nope.sql"))...)
	if rc != 1 || !strings.Contains(errb, "nope.sql: no such file or directory") {
		t.Fatalf("missing file: rc %d err %q", rc, errb)
	}
	// bad usage
	for _, args := range [][]string{
		{"--format", "xml", "-c", "SELECT 1"},
		{"--on-error", "maybe", "-c", "SELECT 1"},
		{"--no-such-flag"},
		{"SELECT 1"},
		{"-x", "sideways", "-c", "SELECT 1"},
	} {
		if rc, _, errb := runCLI(t, "", append([]string{"--data-dir", dir}, args...)...); rc != 2 || errb == "" {
			t.Errorf("%v: rc %d err %q", args, rc, errb)
		}
	}
	// an unknown backslash command fails the script
	rc, _, errb = runCLI(t, "", append(dd, "-c", `\frobnicate`)...)
	if rc != 1 || !strings.Contains(errb, `invalid command \frobnicate`) {
		t.Fatalf("unknown command: rc %d err %q", rc, errb)
	}

	// -o FILE, \o FILE and \i FILE
	outFile := filepath.Join(dir, "out.csv")
	rc, out, _ = runCLI(t, "", append(dd, "-o", outFile, "-c", "SELECT 7 AS seven")...)
	if got, _ := os.ReadFile(outFile); rc != 0 || out != "" || string(got) != "seven\n7\n" {
		t.Fatalf("-o: rc %d stdout %q file %q", rc, out, got)
	}
	inc := filepath.Join(dir, "inc.sql")
	os.WriteFile(inc, []byte("SELECT 'included' AS i;\n"), 0o644)
	o2 := filepath.Join(dir, "o2.csv")
	script := "\\o " + o2 + "\nSELECT 1 AS to_file;\n\\o\n\\i " + inc + "\n"
	rc, out, errb = runCLI(t, script, dd...)
	if got, _ := os.ReadFile(o2); rc != 0 || string(got) != "to_file\n1\n" || out != "i\nincluded\n" {
		t.Fatalf("\\o/\\i: rc %d stdout %q file %q err %q", rc, out, got, errb)
	}
	rc, _, errb = runCLI(t, "", append(dd, "-c", `\i `+filepath.Join(dir, "gone.sql"))...)
	if rc != 1 || !strings.Contains(errb, "no such file or directory") {
		t.Fatalf("\\i missing: rc %d err %q", rc, errb)
	}

	// the table format's footer: rows, and for a statement that read
	// storage its time, data scanned and Athena's price
	rc, out, _ = runCLI(t, "", "--data-dir", dir, "-c", "CREATE TABLE t AS SELECT g AS a FROM generate_series(1, 100) g", "-c", "SELECT sum(a) FROM t", "-c", `\timing on`, "-c", "SELECT 1 AS one")
	want := "SELECT 100\n sum  \n------\n 5050\n(1 row)\nTime: X ms · Data scanned: "
	if rc != 0 || !strings.HasPrefix(normalizeTimes(out), want) || !strings.Contains(out, "(1 file) · Cost: $0.0000477\n") ||
		!strings.Contains(normalizeTimes(out), "Timing is on.\n one \n-----\n   1\n(1 row)\nTime: X ms\n") {
		t.Fatalf("footer: rc %d\n%s", rc, out)
	}
	// --quiet prints results only
	rc, out, _ = runCLI(t, "", "--data-dir", dir, "--quiet", "-c", "SELECT sum(a) FROM t")
	if rc != 0 || out != " sum  \n------\n 5050\n(1 row)\n" {
		t.Fatalf("quiet: rc %d %q", rc, out)
	}
}

// --dry-run prices each query instead of running it, and refuses what
// is not a query; the price per TB is a flag and a setting.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	if rc, _, errb := runCLI(t, "", "--data-dir", dir, "-c", "CREATE TABLE t AS SELECT g AS a, 'x' || g AS b FROM generate_series(1, 50000) g"); rc != 0 {
		t.Fatal(errb)
	}
	rc, out, errb := runCLI(t, "", "--data-dir", dir, "--dry-run", "--price-per-tb", "6.25", "-c", "SELECT sum(a) FROM t", "-c", "SELECT count(*) FROM sys.query_history WHERE query_text LIKE 'SELECT sum(a)%'")
	if rc != 0 || !strings.Contains(out, "Data to scan: ") || !strings.Contains(out, "Cost: $0.0000596 at $6.25 per TB") {
		t.Fatalf("dry run: rc %d\n%s\n%s", rc, out, errb)
	}
	rc, _, errb = runCLI(t, "", "--data-dir", dir, "--dry-run", "-c", "INSERT INTO t VALUES (1, 'y')")
	if rc != 1 || !strings.Contains(errb, "--dry-run prices queries only") {
		t.Fatalf("dry run of an INSERT: rc %d %s", rc, errb)
	}
	rc, out, _ = runCLI(t, "", "--data-dir", dir, "--format", "csv", "-c", "SELECT count(*) FROM t")
	if rc != 0 || out != "count\n50000\n" {
		t.Fatalf("the dry run changed the table: %q", out)
	}
	if rc, _, errb := runCLI(t, "", "--data-dir", dir, "--price-per-tb", "free", "-c", "SELECT 1"); rc != 2 || !strings.Contains(errb, "scan_price_per_tb") {
		t.Fatalf("bad price: rc %d %s", rc, errb)
	}
}

// \copy reads and writes files on the shell's machine over COPY
// FROM STDIN / TO STDOUT.
func TestBackslashCopy(t *testing.T) {
	dir := t.TempDir()
	csvIn := filepath.Join(dir, "in.csv")
	os.WriteFile(csvIn, []byte("id,name\n1,ann\n2,bob's\n"), 0o644)
	csvOut := filepath.Join(dir, "out.csv")
	rc, out, errb := runCLI(t, "", "--data-dir", dir,
		"-c", "CREATE TABLE p (id int, name text)",
		"-c", `\copy p FROM '`+csvIn+`' WITH (FORMAT csv, HEADER)`,
		"-c", `\copy (SELECT * FROM p ORDER BY id) TO '`+csvOut+`' WITH (FORMAT csv, HEADER)`,
		"-c", `\copy p (id, name) from `+csvOut+` with (format csv, header)`)
	if rc != 0 || !strings.Contains(out, "COPY 2\nCOPY 2\nCOPY 2\n") {
		t.Fatalf("\\copy: rc %d\n%s\n%s", rc, out, errb)
	}
	if got, _ := os.ReadFile(csvOut); string(got) != "id,name\n1,ann\n2,bob's\n" {
		t.Fatalf("written: %q", got)
	}
	for _, bad := range []string{`\copy p`, `\copy p FROM PROGRAM 'cat x'`, `\copy p FROM '` + dir + `/none.csv'`} {
		if rc, _, errb := runCLI(t, "", "--data-dir", dir, "-c", bad); rc != 1 || errb == "" {
			t.Errorf("%s: rc %d %q", bad, rc, errb)
		}
	}
}

func TestCopyCommand(t *testing.T) {
	for _, c := range []struct{ in, sql, file string }{
		{`t FROM 'a b.csv' WITH (FORMAT csv)`, `COPY t FROM STDIN WITH (FORMAT csv)`, "a b.csv"},
		{`t (a, b) from x.csv`, `COPY t (a, b) FROM STDIN`, "x.csv"},
		{`(SELECT 'from' AS x FROM t) TO 'o''k.csv' (FORMAT csv, HEADER)`, `COPY (SELECT 'from' AS x FROM t) TO STDOUT (FORMAT csv, HEADER)`, "o'k.csv"},
		{`t TO stdout`, `COPY t TO STDOUT`, ""},
	} {
		sql, file, _, err := copyCommand(c.in)
		if err != nil || sql != c.sql || file != c.file {
			t.Errorf("copyCommand(%q) = %q, %q, %v", c.in, sql, file, err)
		}
	}
}

// \? lists the commands; \explain shows plans (analyze runs the query,
// cost prices it).
func TestHelpAndExplainCommands(t *testing.T) {
	dir := t.TempDir()
	rc, out, errb := runCLI(t, "", "--data-dir", dir, "-c", `\?`,
		"-c", "CREATE TABLE e AS SELECT g AS a FROM generate_series(1, 10) g",
		"-c", `\explain SELECT count(*) FROM e`, "-c", `\explain analyze SELECT count(*) FROM e`, "-c", `\explain cost SELECT a FROM e`)
	for _, want := range []string{`\copy ...`, `\dt [PATTERN]`, "-> Scan public.e", "Execution time:", "Data to scan: ", "Cost: $0.0000477 at $5 per TB"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q: rc %d\n%s\n%s", want, rc, out, errb)
		}
	}
	if rc, _, errb := runCLI(t, "", "--data-dir", dir, "-c", `\explain`); rc != 1 || !strings.Contains(errb, "missing the query") {
		t.Fatalf("bare \\explain: rc %d %q", rc, errb)
	}
	if rc, _, errb := runCLI(t, "", "--data-dir", dir, "-c", `\d nosuch`); rc != 1 || !strings.Contains(errb, `Did not find any relation named "nosuch".`) {
		t.Fatalf("\\d nosuch: rc %d %q", rc, errb)
	}
}

// lakeq demo makes a sample lake whose suggested queries answer, and
// keeps it when run again.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	rc, out, errb := runCLI(t, "", "demo", "--data-dir", dir, "--sf", "0.01")
	if rc != 0 || !strings.Contains(out, "Created the demo lake") || !strings.Contains(out, "Try:") {
		t.Fatalf("demo: rc %d\n%s\n%s", rc, out, errb)
	}
	for _, q := range demoQueries {
		rc, out, errb := runCLI(t, "", "--data-dir", dir, "--format", "csv", "-c", q)
		if rc != 0 || strings.Count(out, "\n") < 3 {
			t.Errorf("%s: rc %d\n%s\n%s", q, rc, out, errb)
		}
	}
	// the events are partitioned by day: a day's query reads one folder
	rc, out, _ = runCLI(t, "", "--data-dir", dir, "-c", "SELECT count(*) FROM demo.events WHERE dt = DATE '2024-06-15'")
	if rc != 0 || !strings.Contains(out, "1 partitions read, 29 pruned") {
		t.Fatalf("partition pruning: %s", out)
	}
	rc, out, _ = runCLI(t, "", "demo", "--data-dir", dir)
	if rc != 0 || !strings.Contains(out, "already") {
		t.Fatalf("second demo: rc %d %s", rc, out)
	}
	if rc, _, _ := runCLI(t, "", "demo", "--sf", "-1"); rc != 2 {
		t.Fatalf("bad --sf: rc %d", rc)
	}
}

// COPY … FROM STDIN in a script takes the lines after it, up to "\.", as
// psql does (pg_dump's scripts load so); COPY … TO STDOUT prints; \copy
// from stdin reads the script too, from pstdin the process's input.
func TestCopyStdioInScripts(t *testing.T) {
	dir := t.TempDir()
	script := "CREATE TABLE cs (a int, b text);\n" +
		"COPY cs FROM STDIN;\n1\tone\n2\t\\N\n\\.\n" +
		"COPY cs (a, b) FROM stdin WITH (FORMAT csv);\n3,\"th,ree\"\n\\.\n" +
		"\\copy cs from stdin with (format csv)\n4,four\n\\.\n" +
		"COPY (SELECT * FROM cs ORDER BY a) TO STDOUT WITH (FORMAT csv, HEADER);\n"
	rc, out, errb := runCLI(t, script, "--data-dir", dir)
	want := "CREATE TABLE\nCOPY 2\nCOPY 1\nCOPY 1\na,b\n1,one\n2,\n3,\"th,ree\"\n4,four\nCOPY 4\n"
	if rc != 0 || out != want {
		t.Fatalf("rc %d\n%q\nwant %q\n%s", rc, out, want, errb)
	}
	// \copy … from pstdin: the process's input, here the second -f's
	rc, out, errb = runCLI(t, "5,five\n", "--data-dir", dir, "--format", "csv", "-c", `\copy cs from pstdin with (format csv)`, "-c", "SELECT count(*) FROM cs")
	if rc != 0 || out != "COPY 1\ncount\n5\n" {
		t.Fatalf("pstdin: rc %d %q %s", rc, out, errb)
	}
	// a bad row fails the COPY and the script
	rc, _, errb = runCLI(t, "COPY cs FROM STDIN;\nx\ty\n\\.\nSELECT 1;\n", "--data-dir", dir)
	if rc != 1 || !strings.Contains(errb, "invalid input syntax for type integer") {
		t.Fatalf("bad row: rc %d %q", rc, errb)
	}
}
