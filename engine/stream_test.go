package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/parser"
)

// endless is a query whose result could never be held whole (10^10
// rows): a test that reads from it passes only if rows stream.
const endless = "SELECT a, b FROM generate_series(1, 100000) a, generate_series(1, 100000) b"

// A streamed query hands out its first batches while it runs; Close
// stops it, its statement ends (history, activity) and the session goes
// on.
func TestQueryStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, s := open(t, t.TempDir())
	stmt := func(sql string) parser.Statement {
		sts, err := parser.Parse(sql)
		if err != nil || len(sts) != 1 {
			t.Fatalf("%s: %v", sql, err)
		}
		return sts[0]
	}
	res, err := s.StreamStmt(ctx, stmt(endless), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Streaming() {
		t.Fatal("a query's result does not stream")
	}
	var rows int64
	for rows < 100_000 {
		rec, err := res.Next()
		if err != nil || rec == nil {
			t.Fatalf("after %d rows: %v, %v", rows, rec, err)
		}
		rows += rec.NumRows()
	}
	if a := s.eng.Activities(); len(a) != 1 || a[0].State != "active" {
		t.Fatalf("while streaming the session is %+v, want active", a)
	}
	if err := res.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Streaming() || !strings.HasPrefix(res.Tag, "SELECT ") || res.Rows < rows {
		t.Fatalf("after Close: streaming %v, tag %q, rows %d (read %d)", res.Streaming(), res.Tag, res.Rows, rows)
	}
	if a := s.eng.Activities(); a[0].State != "idle" {
		t.Fatalf("after Close the session is %s", a[0].State)
	}
	if n := count(t, s, "SELECT count(*) FROM sys.query_history WHERE query_text LIKE 'SELECT a, b FROM%'"); n != 1 {
		t.Fatalf("the closed query is in the history %d times", n)
	}
	// a query failing midway fails from Next, after its first rows
	res, err = s.StreamStmt(ctx, stmt("SELECT 10 / (20000 - g) FROM generate_series(1, 30000) g"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := res.Next()
		if err != nil {
			if !strings.Contains(err.Error(), "division by zero") {
				t.Fatalf("midway: %v", err)
			}
			break
		}
		if rec == nil {
			t.Fatal("the division by zero was never reported")
		}
	}
}

// A cursor pulls only the rows FETCH asks for.
func TestCursorStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	_, s := open(t, t.TempDir())
	for _, q := range []string{"BEGIN", "DECLARE c CURSOR FOR " + endless} {
		if _, err := s.Query(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i := 0; i < 3; i++ {
		r, err := s.Query(ctx, "FETCH 5 FROM c")
		if err != nil {
			t.Fatal(err)
		}
		if r.NumRows() != 5 || r.Tag != "FETCH 5" {
			t.Fatalf("FETCH 5: %d rows, %s", r.NumRows(), r.Tag)
		}
	}
	r, err := s.Query(ctx, "MOVE 10000 IN c")
	if err != nil || r.Tag != "MOVE 10000" {
		t.Fatalf("MOVE: %v %v", r, err)
	}
	for _, q := range []string{"CLOSE c", "COMMIT"} {
		if _, err := s.Query(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// a cursor over a small result ends
	mustExec(t, s, "BEGIN")
	mustExec(t, s, "DECLARE d CURSOR FOR SELECT g FROM generate_series(1, 7) g")
	if r := mustExec(t, s, "FETCH 5 FROM d"); r.NumRows() != 5 {
		t.Fatalf("first FETCH: %d rows", r.NumRows())
	}
	if r := mustExec(t, s, "FETCH ALL FROM d"); r.NumRows() != 2 || r.Value(1, 0) != int64(7) {
		t.Fatalf("FETCH ALL: %d rows", r.NumRows())
	}
	if r := mustExec(t, s, "FETCH 5 FROM d"); r.NumRows() != 0 || r.Tag != "FETCH 0" {
		t.Fatalf("after the end: %d rows, %s", r.NumRows(), r.Tag)
	}
	mustExec(t, s, "COMMIT")
}
