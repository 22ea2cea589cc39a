package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	demoOnce sync.Once
	demoDir  string
	demoErr  error
)

// demoLake builds a small demo lake once (TPC-H at SF 0.01 and the
// events table) for the shell tests, which copy nothing and only read it.
func demoLake(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		demoDir, demoErr = os.MkdirTemp("", "lakeq-demo-")
		if demoErr == nil {
			demoErr = buildDemo(context.Background(), demoDir, 0.01, io.Discard)
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoDir
}

const waitLong = 30 * time.Second

// TestShellInTerminal drives the interactive shell in a real terminal:
// a multi-line statement, the cost footer, tab completion, history,
// Ctrl-C at the prompt and during a long query (with its progress line),
// an unknown backslash command, Ctrl-D; then history across sessions.
func TestShellInTerminal(t *testing.T) {
	bin := lakeqBinary(t)
	data := demoLake(t)
	home := t.TempDir()
	env := []string{"HOME=" + home}
	tm := startTerminal(t, 160, 50, env, bin, "--data-dir", data, "--threads", "2")
	tm.waitFor("lakeq=> ", waitLong)

	// a statement over two lines, then its rows and Athena's footer
	tm.typeLine("SELECT count(*) AS nations")
	tm.waitFor("lakeq-> ", waitLong)
	tm.typeLine("FROM tpch.nation;")
	s := tm.waitFor("(1 row)", waitLong)
	if !strings.Contains(s, "      25") || !strings.Contains(s, "Data scanned: ") || !strings.Contains(s, "Cost: $0.0000477") || !strings.Contains(s, "Time: ") {
		t.Fatalf("rows and footer:\n%s", s)
	}

	// tab completion: a column, then a schema-qualified table
	tm.typeText("SELECT n_nam")
	tm.keys("Tab")
	tm.waitFor("SELECT n_name", waitLong)
	tm.typeText(" FROM tpch.nat")
	tm.keys("Tab")
	tm.waitFor("SELECT n_name FROM tpch.nation", waitLong)
	tm.typeLine(" WHERE n_nationkey < 2;")
	tm.waitFor("(2 rows)", waitLong)
	// a schema
	tm.typeText("SELECT count(*) FROM dem")
	tm.keys("Tab")
	tm.waitFor("SELECT count(*) FROM demo", waitLong)
	tm.typeLine(".events;")
	tm.waitFor("200000", waitLong)
	// keywords complete in the case typed
	tm.typeText("sel")
	tm.keys("Tab")
	tm.waitFor("lakeq=> select", waitLong)
	// Ctrl-C at the prompt drops the line and the statement being typed
	tm.keys("C-c")
	tm.typeLine("SELECT 'after ctrl-c' AS x;")
	tm.waitFor("after ctrl-c", waitLong)

	// history: Up recalls the last statement
	tm.keys("Up")
	tm.waitFor("lakeq=> SELECT 'after ctrl-c' AS x;", waitLong)
	tm.keys("C-c")

	// a long query shows a progress line after a second; Ctrl-C cancels it
	// and the shell goes on
	tm.typeLine("SELECT count(*) FROM tpch.lineitem a, tpch.lineitem b WHERE a.l_partkey + b.l_orderkey = -1;")
	s = tm.waitFor(" rows · ", waitLong)
	line := lastLineWith(s, "[")
	if !strings.Contains(line, "scanned") || !strings.Contains(line, " s") {
		t.Fatalf("progress line %q:\n%s", line, s)
	}
	tm.keys("C-c")
	s = tm.waitFor("ERROR:  canceling statement due to user request", waitLong)
	if strings.Contains(s[strings.LastIndex(s, "ERROR:"):], " rows · ") {
		t.Fatalf("the progress line stayed:\n%s", s)
	}
	tm.typeLine("SELECT 40 + 2 AS answer;")
	tm.waitFor("     42", waitLong)

	// bad input keeps the shell usable
	tm.typeLine(`\nosuch`)
	tm.waitFor(`invalid command \nosuch`, waitLong)
	tm.typeLine("SELECT nosuch_column FROM tpch.nation;")
	tm.waitFor(`ERROR:  column "nosuch_column" does not exist`, waitLong)
	tm.typeLine(`\dt tpch.n*`)
	tm.waitFor(" tpch   | nation | table", waitLong)
	tm.keys("C-d")
	if st := tm.exitStatus(waitLong); st != 0 {
		t.Fatalf("exit status %d after Ctrl-D", st)
	}
	hist, err := os.ReadFile(filepath.Join(home, ".lakeq_history"))
	if err != nil || !strings.Contains(string(hist), "SELECT count(*) AS nations FROM tpch.nation;") || !strings.Contains(string(hist), `\dt tpch.n*`) {
		t.Fatalf("history file: %v\n%s", err, hist)
	}

	// a new shell remembers the last session's statements
	tm2 := startTerminal(t, 120, 30, env, bin, "--data-dir", data)
	tm2.waitFor("lakeq=> ", waitLong)
	tm2.keys("Up")
	tm2.waitFor(`lakeq=> \dt tpch.n*`, waitLong)
	tm2.keys("C-c")
	tm2.typeLine(`\q`)
	if st := tm2.exitStatus(waitLong); st != 0 {
		t.Fatalf("exit status %d after \\q", st)
	}
}

// In a terminal too narrow for a table, rows are cut to its width; with
// \x auto such a result turns to one line per column.
func TestShellNarrowTerminal(t *testing.T) {
	bin := lakeqBinary(t)
	data := demoLake(t)
	tm := startTerminal(t, 50, 60, []string{"HOME=" + t.TempDir()}, bin, "--data-dir", data)
	tm.waitFor("lakeq=> ", waitLong)
	tm.typeLine("SELECT * FROM tpch.customer ORDER BY c_custkey LIMIT 3;")
	s := tm.waitFor("(3 rows)", waitLong)
	s = s[strings.Index(s, "lakeq=> "):]
	for _, l := range strings.Split(s, "\n") {
		if n := utf8.RuneCountInString(l); n > 50 {
			t.Fatalf("line of %d characters in a 50-wide terminal: %q", n, l)
		}
	}
	if !strings.Contains(s, "…") || !strings.Contains(s, "Customer#0000000") {
		t.Fatalf("truncated table:\n%s", s)
	}
	tm.typeLine(`\x auto`)
	tm.typeLine("SELECT * FROM tpch.customer ORDER BY c_custkey LIMIT 1;")
	s = tm.waitFor("(1 row)", waitLong)
	if !strings.Contains(s, "-[ RECORD 1 ]") || !strings.Contains(s, "c_name       | Customer#000000001") {
		t.Fatalf("expanded:\n%s", s)
	}
	tm.typeLine(`\q`)
	tm.exitStatus(waitLong)
}

// The progress line is for a terminal: absent with --quiet and when
// stderr is not one.
func TestNoProgressWhenQuietOrRedirected(t *testing.T) {
	bin := lakeqBinary(t)
	data := demoLake(t)
	long := "SELECT count(*) FROM tpch.lineitem a, tpch.lineitem b WHERE a.l_partkey + b.l_orderkey = -1"
	for name, argv := range map[string][]string{
		"quiet":      {bin, "--data-dir", data, "--quiet", "-c", long},
		"redirected": {"sh", "-c", bin + " --data-dir " + data + " -c '" + long + "' 2>/dev/null"},
	} {
		tm := startTerminal(t, 120, 20, []string{"HOME=" + t.TempDir()}, argv...)
		time.Sleep(2500 * time.Millisecond) // past the progress line's delay
		if s := tm.screen(); strings.Contains(s, " rows · ") {
			t.Errorf("%s: a progress line:\n%s", name, s)
		}
		tm.keys("C-c")
		tm.exitStatus(waitLong)
	}
}
