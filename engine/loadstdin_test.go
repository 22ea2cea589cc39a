package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// stdinRows writes n rows "i<TAB>v<i>" ending lines with eol, with the
// line bad (if > 0) replaced by a row whose first field is not a number.
func stdinRows(n, bad int, eol string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i == bad {
			fmt.Fprintf(&b, "x%d\tv\\n%d%s", i, i, eol)
			continue
		}
		fmt.Fprintf(&b, "%d\tv\\n%d%s", i, i, eol)
	}
	return b.String()
}

// A COPY FROM STDIN of many chunks loads on every slice: every row once,
// line numbers of errors counted from the start of the stream, the
// earliest bad row reported, and a stream error after it loses to it.
func TestCopyFromStdinOnSlices(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Config{DataDir: t.TempDir(), Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE st (id int, v text)")
	const n = 600_000 // ~9 MB: three chunks or more
	for _, eol := range []string{"\n", "\r\n"} {
		x := mustParseCopy(t, "COPY st FROM STDIN")
		res, err := s.CopyFrom(ctx, x, strings.NewReader(stdinRows(n, 0, eol)))
		if err != nil || res.Tag != fmt.Sprintf("COPY %d", n) {
			t.Fatalf("eol %q: %v %v", eol, res, err)
		}
	}
	if got := count(t, s, "SELECT count(DISTINCT id) FROM st"); got != n {
		t.Fatalf("%d distinct ids, want %d", got, n)
	}
	if got := count(t, s, "SELECT count(*) FROM st WHERE v = 'v' || chr(10) || id"); got != 2*n {
		t.Fatalf("%d rows read back whole, want %d", got, 2*n)
	}
	// a bad row late in the stream: its line is the stream's
	x := mustParseCopy(t, "COPY st FROM STDIN")
	_, err = s.CopyFrom(ctx, x, strings.NewReader(stdinRows(n, 555_555, "\n")))
	if sqlerr.Code(err) != sqlerr.InvalidTextRepr || !strings.Contains(err.Error(), "line 555555,") {
		t.Fatalf("bad row: %v", err)
	}
	// two bad rows in different chunks, and a line end of the wrong
	// style after both: the first bad row is the error
	data := stdinRows(n, 400_000, "\n") + "1\tx\r\n"
	data = strings.Replace(data, "\n150000\t", "\nbad\t", 1)
	_, err = s.CopyFrom(ctx, x, strings.NewReader(data))
	if sqlerr.Code(err) != sqlerr.InvalidTextRepr || !strings.Contains(err.Error(), "line 150000,") {
		t.Fatalf("two bad rows: %v", err)
	}
	// the wrong line end alone: the stream's error, and nothing loaded
	_, err = s.CopyFrom(ctx, x, strings.NewReader(stdinRows(n, 0, "\n")+"1\tx\r\n"))
	if sqlerr.Code(err) != sqlerr.BadCopyFileFormat || !strings.Contains(err.Error(), "carriage return") {
		t.Fatalf("line end: %v", err)
	}
	if got := count(t, s, "SELECT count(*) FROM st"); got != 2*n {
		t.Fatalf("%d rows after the failed loads, want %d", got, 2*n)
	}
	// CSV with a header and quoted line ends, cut into chunks
	mustExec(t, s, "CREATE TABLE sc (id int, v text)")
	var b strings.Builder
	b.WriteString("id,v\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,\"a\nb,%d\"\n", i, i)
	}
	x = mustParseCopy(t, "COPY sc FROM STDIN WITH (FORMAT csv, HEADER match)")
	if res, err := s.CopyFrom(ctx, x, strings.NewReader(b.String())); err != nil || res.Tag != fmt.Sprintf("COPY %d", n) {
		t.Fatalf("csv: %v %v", res, err)
	}
	if got := count(t, s, "SELECT count(*) FROM sc WHERE v = 'a' || chr(10) || 'b,' || id"); got != n {
		t.Fatalf("csv: %d rows read back whole, want %d", got, n)
	}
}
