package engine

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// smallDisk mounts a tmpfs of size bytes for the test: a real file
// system that fills up. It needs root (CAP_SYS_ADMIN), which the test
// machines and CI have; elsewhere the test is skipped, in CI it fails.
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("cannot mount a small tmpfs (needs root): %v %s", err, out)
		}
		t.Fatalf("cannot mount a small tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// A disk that fills up mid-write fails the statement with PostgreSQL's
// disk_full (53100) naming the file, leaves the table as it was and no
// staged file behind, and the session goes on: the next write that fits
// succeeds. For COPY, CTAS, INSERT … SELECT and UNLOAD into the data
// directory's warehouse.
func TestDiskFullLosesNothing(t *testing.T) {
	data := smallDisk(t, 12<<20)
	// random hex rows: about 20 MB of text that compression can only halve
	input := filepath.Join(t.TempDir(), "rows.txt")
	{
		f, err := os.Create(input)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		buf := make([]byte, 32)
		for i := 1; i <= 300_000; i++ {
			rand.Read(buf)
			fmt.Fprintf(w, "%d|%s\n", i, hex.EncodeToString(buf))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	e, err := Open(context.Background(), Config{DataDir: data, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE t (id int, s text)")
	mustExec(t, s, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 10) g")
	files := localFiles(filepath.Join(data, "warehouse"))
	before := files()
	big := "SELECT g AS id, md5(g::text) || md5((g + 1)::text) AS s FROM generate_series(1, 400000) g"
	for _, stmt := range []string{
		"COPY t FROM '" + input + "' MAXERROR 0",
		"INSERT INTO t " + big,
		"CREATE TABLE full_ctas AS " + big,
		"UNLOAD (" + big + ") TO '" + filepath.Join(data, "warehouse", "unl") + "' WITH (format = 'TEXTFILE')",
	} {
		_, err := s.Query(context.Background(), stmt)
		if sqlerr.Code(err) != sqlerr.DiskFull || !strings.Contains(err.Error(), "No space left on device") || !strings.Contains(err.Error(), data) {
			t.Fatalf("%.40s…: got %v, want 53100 naming a file under %s", stmt, err, data)
		}
		if n := count(t, s, "SELECT count(*) FROM t"); n != 10 {
			t.Fatalf("%.40s…: t has %d rows after the failed write, want 10", stmt, n)
		}
		if after := files(); !slices.Equal(after, before) {
			t.Fatalf("%.40s…: files left by the failed write:\nbefore %v\nafter  %v", stmt, before, after)
		}
	}
	if _, err := s.Query(context.Background(), "SELECT count(*) FROM full_ctas"); sqlerr.Code(err) != sqlerr.UndefinedTable {
		t.Fatalf("the failed CTAS's table: %v", err)
	}
	// the session and the disk are usable again
	mustExec(t, s, "INSERT INTO t SELECT g, 'more' FROM generate_series(11, 20) g")
	if n := count(t, s, "SELECT count(*) FROM t"); n != 20 {
		t.Fatalf("t has %d rows after a write that fits, want 20", n)
	}
}
