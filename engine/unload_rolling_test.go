package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestUnloadRollsOverMaxFileSize: Redshift's UNLOAD starts a new file
// once one passes MAXFILESIZE, in text (by bytes written) and Parquet (by
// the rows' size), in parallel slices and in order (PARALLEL OFF); every
// row is in exactly one file, and no file passes the size by more than a
// row (text) or a batch (Parquet).
func TestUnloadRollsOverMaxFileSize(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, err := Open(ctx, Config{DataDir: dir, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	const rows = 150_000 // about 16 MB of text
	q := "SELECT g, repeat(''x'', 100) AS s FROM generate_series(1, 150000) g"
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		name, opts, glob string
		parts            func(names []string) bool
	}{
		{"text parallel", "MAXFILESIZE 5 MB", "txt_*", func(ns []string) bool {
			return strings.HasSuffix(ns[0], "_part_00") && strings.HasSuffix(ns[1], "_part_01")
		}},
		{"text serial", "MAXFILESIZE 5 MB PARALLEL OFF", "ser_*", func(ns []string) bool {
			return strings.HasSuffix(ns[0], "ser_000") && strings.HasSuffix(ns[1], "ser_001")
		}},
		{"parquet", "FORMAT PARQUET MAXFILESIZE 5 MB", "pq_*", func(ns []string) bool { return strings.HasSuffix(ns[0], "_part_00.parquet") }},
	} {
		prefix := filepath.Join(out, strings.TrimSuffix(c.glob, "*"))
		mustExec(t, s, "UNLOAD ('"+q+"') TO '"+prefix+"' "+c.opts)
		names, _ := filepath.Glob(filepath.Join(out, c.glob))
		sort.Strings(names)
		if len(names) < 3 || !c.parts(names) {
			t.Fatalf("%s: files %v, want three or more parts", c.name, names)
		}
		var got int64
		if strings.Contains(c.opts, "PARQUET") {
			got = count(t, s, "SELECT count(*) FROM read_parquet('"+prefix+"*.parquet')")
		} else {
			for _, n := range names {
				b, err := os.ReadFile(n)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > 5<<20+200 {
					t.Errorf("%s: %s is %d bytes, past MAXFILESIZE by more than a row", c.name, n, len(b))
				}
				got += int64(bytes.Count(b, []byte{'\n'}))
			}
		}
		if got != rows {
			t.Errorf("%s: %d rows in the files, want %d", c.name, got, rows)
		}
	}
}
