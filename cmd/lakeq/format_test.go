package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/engine"
)

var rewriteGolden = os.Getenv("LAKEQ_REWRITE_GOLDEN") != ""

// goldenQuery has what output formats must get right: numbers (aligned
// right, JSON numbers), text with the formats' delimiters and quotes,
// non-ASCII text of double width, booleans, dates and NULLs.
const goldenQuery = `SELECT * FROM (VALUES
  (1, 'plain', 2.50::numeric(4,2), true, DATE '2024-01-02'),
  (22, 'a|b "q", c', NULL, false, NULL),
  (NULL, 'ünïcode 日本', -1.00, NULL, DATE '1999-12-31'),
  (333, 'two
lines', 0.50, true, DATE '2000-02-29')) AS t(n, s, d, b, dt) ORDER BY n NULLS LAST`

var timeRE = regexp.MustCompile(`Time: [0-9.]+ ms`)

// normalizeTimes replaces elapsed times, which vary, in CLI output.
func normalizeTimes(s string) string { return timeRE.ReplaceAllString(s, "Time: X ms") }

// checkGolden compares got with testdata/<name>, or rewrites it.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if rewriteGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (LAKEQ_REWRITE_GOLDEN=1 writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s:\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

// Every output format, golden-tested through the CLI as a script runs it.
func TestOutputFormatsGolden(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		args []string
	}{
		{"table", []string{"--format", "table"}},
		{"csv", []string{"--format", "csv"}},
		{"tsv", []string{"--format", "tsv"}},
		{"json", []string{"--format", "json"}},
		{"jsonl", []string{"--format", "jsonl"}},
		{"markdown", []string{"--format", "markdown"}},
		{"expanded", []string{"-x", "on"}},
		{"pset", []string{"-c", `\pset null (null)`, "-c", `\pset format markdown`}},
	} {
		var out, errb bytes.Buffer
		args := append([]string{"--data-dir", dir}, c.args...)
		if rc := run(append(args, "-c", goldenQuery), strings.NewReader(""), &out, &errb); rc != 0 {
			t.Fatalf("%s: rc %d: %s", c.name, rc, errb.String())
		}
		checkGolden(t, "formats/"+c.name+".golden", out.String())
	}
	// an empty result
	var out, errb bytes.Buffer
	if rc := run([]string{"--data-dir", dir, "--format", "json", "-c", "SELECT 1 AS a WHERE false", "-c", "SELECT 1 AS a WHERE false"}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	if out.String() != "[]\n[]\n" {
		t.Errorf("empty json: %q", out.String())
	}
}

// On a terminal, table rows are cut to its width (long values end in …)
// and \x auto turns to one line per column when a row would not fit.
func TestOutputFitsTerminal(t *testing.T) {
	rows := rowBatch{
		rows:  [][]string{{"1", "a rather long text value that will not fit", "x"}, {"22", "short", ""}},
		nulls: [][]bool{{false, false, false}, {false, false, true}},
	}
	cols := []column{{name: "n", numeric: true}, {name: "description"}, {name: "tag"}}
	for _, c := range []struct {
		name     string
		width    int
		expanded string
	}{{"width30", 30, "off"}, {"width30_auto", 30, "auto"}, {"width80_auto", 80, "auto"}} {
		var out bytes.Buffer
		p := &printer{format: "table", expanded: c.expanded, null: "NULL", width: c.width}
		if _, err := p.print(&out, &fixedResult{cols: cols, batches: []rowBatch{rows}}, func(int) {}); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if w := len([]rune(l)); w > c.width {
				t.Errorf("%s: line %q is %d wide", c.name, l, w)
			}
		}
		checkGolden(t, "formats/"+c.name+".golden", out.String())
	}
}

// fixedResult is a result of given rows, for the printer's unit tests.
type fixedResult struct {
	cols    []column
	batches []rowBatch
}

func (f *fixedResult) Columns() []column { return f.cols }
func (f *fixedResult) Next() (rowBatch, error) {
	if len(f.batches) == 0 {
		return rowBatch{}, nil
	}
	b := f.batches[0]
	f.batches = f.batches[1:]
	return b, nil
}
func (f *fixedResult) Tag() string       { return "SELECT" }
func (f *fixedResult) Notices() []string { return nil }
func (f *fixedResult) Scanned() (s engine.Scanned, ok bool) {
	return s, false
}
func (f *fixedResult) Close() {}
