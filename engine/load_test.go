package engine

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// A file cut into many byte ranges and loaded on several slices gives
// the rows one unsplit slice gives — for Redshift's text with ESCAPE
// (escaped newlines inside records), CSV (quoted newlines) and JSON
// (objects over two lines, braces inside strings) — and
// rejected rows carry their line in the file, not in their range.
func TestLoadSplitsAtRecordBoundaries(t *testing.T) {
	dir := t.TempDir()
	var txt, csv, js bytes.Buffer
	for i := 1; i <= 5000; i++ {
		switch {
		case i%7 == 0:
			fmt.Fprintf(&txt, "%d|two\\\nlines %d\n", i, i)
			fmt.Fprintf(&csv, "%d,\"two\nlines, %d\"\n", i, i)
			fmt.Fprintf(&js, "{\"id\": %d,\n \"s\": \"two} lines %d\"}\n", i, i)
		case i == 4321:
			fmt.Fprintf(&txt, "oops|bad\n")
			fmt.Fprintf(&csv, "oops,bad\n")
			fmt.Fprintf(&js, "{\"id\": \"oops\", \"s\": \"bad\"}\n")
		default:
			fmt.Fprintf(&txt, "%d|row \\| %d\n", i, i)
			fmt.Fprintf(&csv, "%d,\"row \"\" %d\"\n", i, i)
			fmt.Fprintf(&js, "{\"id\": %d, \"s\": \"row { %d\"}\n", i, i)
		}
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	txtPath, csvPath, jsPath := write("in.txt", txt.Bytes()), write("in.csv", csv.Bytes()), write("in.json", js.Bytes())
	// the line of row 4321 in the file: rows before it, plus one more for
	// each earlier two-line row
	wantLine := 4321 + 4320/7

	load := func(split int64, slices int, copySQL string) (string, string) {
		e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: 2, loadSplit: split})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		s := e.NewSession()
		mustExec(t, s, "CREATE TABLE t (id int, s text)")
		mustExec(t, s, fmt.Sprintf("SET copy_slices = %d", slices))
		mustExec(t, s, copySQL)
		r := mustExec(t, s, "SELECT count(*), sum(id), sum(length(s)), string_agg(s, '/' ORDER BY id) FILTER (WHERE id < 30) FROM t")
		var parts []string
		for c := range r.Columns {
			txt, _ := r.Text(c, r.Value(0, c))
			parts = append(parts, txt)
		}
		er := mustExec(t, s, "SELECT line_number, slice FROM sys.load_errors")
		if er.NumRows() != 1 {
			t.Fatalf("%s: %d load errors, want 1", copySQL, er.NumRows())
		}
		line, _ := er.Text(0, er.Value(0, 0))
		return strings.Join(parts, " | "), line
	}
	for _, c := range []string{
		"COPY t FROM '" + txtPath + "' ESCAPE MAXERROR 1",
		"COPY t FROM '" + csvPath + "' CSV MAXERROR 1",
		"COPY t FROM '" + jsPath + "' JSON 'auto' MAXERROR 1",
	} {
		whole, wholeLine := load(0, 1, c)
		split, splitLine := load(401, 2, c) // ~400 ranges (a step that cuts JSON objects if it may)
		if whole != split {
			t.Fatalf("%s:\n whole: %s\n split: %s", c, whole, split)
		}
		if wholeLine != fmt.Sprint(wantLine) || splitLine != wholeLine {
			t.Fatalf("%s: error line %s unsplit, %s split; want %d", c, wholeLine, splitLine, wantLine)
		}
		if !strings.HasPrefix(whole, "4999 | ") {
			t.Fatalf("%s: %s", c, whole)
		}
	}
}

// COPY FROM STDIN streams: the loader reads as the data arrives, and a
// failed load publishes nothing.
func TestCopyFromReaderStreams(t *testing.T) {
	_, s := open(t, t.TempDir())
	mustExec(t, s, "CREATE TABLE r (a int, b text)")
	pr, pw := ioPipe()
	go func() {
		for i := 0; i < 200_000; i++ {
			fmt.Fprintf(pw, "%d\tv%d\n", i, i)
		}
		pw.Close()
	}()
	x := mustParseCopy(t, "COPY r FROM STDIN")
	res, err := s.CopyFrom(context.Background(), x, pr)
	if err != nil || res.Tag != "COPY 200000" {
		t.Fatalf("%v %v", res, err)
	}
	x = mustParseCopy(t, "COPY r FROM STDIN DELIMITER '\t' IGNOREHEADER 1 MAXERROR 0")
	if _, err := s.CopyFrom(context.Background(), x, strings.NewReader("a\tb\n1\tx\nnope\ty\n")); sqlerr.Code(err) != sqlerr.InvalidTextRepr {
		t.Fatalf("bad row: %v", err)
	}
	if n := count(t, s, "SELECT count(*) FROM r"); n != 200000 {
		t.Fatalf("rows after the failed load: %d", n)
	}
}

func ioPipe() (*io.PipeReader, *io.PipeWriter) { return io.Pipe() }

func mustParseCopy(t *testing.T, sql string) *ast.Copy {
	t.Helper()
	st, err := parser.ParseOne(sql)
	if err != nil {
		t.Fatal(err)
	}
	return st.(*ast.Copy)
}

// A JSON file is cut only between objects: cut after every few bytes,
// objects over two lines still load whole (a regression: cuts after any
// newline split them).
func TestLoadSplitsJSONBetweenObjects(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.json")
	if err := os.WriteFile(p, []byte("{\"id\": 1,\n \"s\": \"x\"}\n{\"id\": 2,\n \"s\": \"y\"}\n{\"id\": 3,\n \"s\": \"z\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: 2, loadSplit: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE t (id int, s text)")
	if r := mustExec(t, s, "COPY t FROM '"+p+"' JSON 'auto' MAXERROR 100"); r.Tag != "COPY 3" || len(r.Notices) != 0 {
		t.Fatalf("%s %v", r.Tag, r.Notices)
	}
	if n := count(t, s, "SELECT count(*) FROM sys.load_errors"); n != 0 {
		t.Fatalf("%d load errors", n)
	}
}
