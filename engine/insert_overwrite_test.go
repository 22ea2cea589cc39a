package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Two engines (as two processes on one catalog) overwrite one partition
// over and over while a third session reads it: every read sees exactly
// one overwrite's rows (never a mix, never none), every overwrite either
// wins or gets 40001, the replaced folders' files are deleted, and an
// append that starts after an overwrite was acknowledged is kept.
func TestOverwriteRacesAreAtomic(t *testing.T) {
	dir, e1, e2 := twoEngines(t)
	loc := filepath.Join(dir, "ext", "ow")
	mustExec(t, e1.NewSession(), "CREATE TABLE ow WITH (external_location = '"+loc+"', partitioned_by = ARRAY['k']) AS SELECT g AS v, 'init' AS tag, 1 AS k FROM generate_series(1, 50) g")
	const rounds = 15
	var wg sync.WaitGroup
	var won, lost atomic.Int64
	var stop atomic.Bool
	for w, e := range []*Engine{e1, e2} {
		wg.Add(1)
		go func(w int, s *Session) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				_, err := s.Query(context.Background(), fmt.Sprintf("INSERT OVERWRITE TABLE ow PARTITION (k = 1) SELECT g, 'w%d-%d' FROM generate_series(1, 50) g", w, r))
				switch {
				case err == nil:
					won.Add(1)
				case sqlerr.Code(err) == sqlerr.SerializationFailure:
					lost.Add(1)
				default:
					t.Error(err)
					return
				}
			}
		}(w, e.NewSession())
	}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		s := e1.NewSession()
		for !stop.Load() {
			r, err := s.Query(context.Background(), "SELECT count(*), count(DISTINCT tag) FROM ow WHERE k = 1")
			if err != nil {
				t.Error(err)
				return
			}
			if r.Value(0, 0) != int64(50) || r.Value(0, 1) != int64(1) {
				t.Errorf("a read saw %v rows of %v overwrites, want 50 of one", r.Value(0, 0), r.Value(0, 1))
				return
			}
		}
	}()
	wg.Wait()
	stop.Store(true)
	<-readerDone
	if won.Load() == 0 {
		t.Fatal("no overwrite won")
	}
	t.Logf("%d overwrites won, %d lost the race", won.Load(), lost.Load())
	files := func() []string {
		var left []string
		_ = filepath.Walk(loc, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				left = append(left, p)
			}
			return nil
		})
		return left
	}
	// the losers left nothing; the replaced folders are kept for the
	// grace period, for queries that found them before the publish
	if left := files(); len(left) != 1+int(won.Load()) {
		t.Fatalf("%d files left after %d winning overwrites: %v", len(left), won.Load(), left)
	}
	// past the grace, the next overwrite deletes them: its own and the
	// folder it just replaced remain
	e3, err := Open(context.Background(), Config{DataDir: dir, Workers: 2, replacedGrace: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	time.Sleep(1100 * time.Millisecond) // the grace is counted in seconds
	s := e3.NewSession()
	mustExec(t, s, "INSERT OVERWRITE TABLE ow PARTITION (k = 1) VALUES (1, 'last')")
	if left := files(); len(left) != 2 {
		t.Fatalf("files left after the grace: %v, want the new and the just-replaced", left)
	}
	// an append after an acknowledged overwrite is kept
	mustExec(t, e1.NewSession(), "INSERT INTO ow VALUES (2, 'append', 1)")
	if n := count(t, s, "SELECT count(*) FROM ow WHERE k = 1"); n != 2 {
		t.Fatalf("after an overwrite and an append: %d rows, want 2", n)
	}
	if !strings.Contains(fmt.Sprint(mustExec(t, s, "SELECT string_agg(tag, ',' ORDER BY v) FROM ow").Value(0, 0)), "last,append") {
		t.Fatal("the append is not after the overwrite's row")
	}
}

// An INSERT OVERWRITE killed with SIGKILL while it writes leaves the
// partition as it was, and its files (in the hidden .v-<id> folder) are
// removed at the next start.
func TestKilledOverwriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	loc := filepath.Join(dir, "ext", "ow")
	{
		e, err := Open(context.Background(), Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		mustExec(t, e.NewSession(), "CREATE TABLE ow WITH (external_location = '"+loc+"', partitioned_by = ARRAY['k']) AS SELECT g AS v, 1 AS k FROM generate_series(1, 1000) g")
		e.Close()
	}
	staged := func() []string {
		var out []string
		_ = filepath.Walk(loc, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() && strings.Contains(p, "/.v-") {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	cmd := exec.Command(os.Args[0]) // TestMain's child mode
	cmd.Env = append(os.Environ(), "LAKEQ_KILL_HELPER="+dir,
		"LAKEQ_KILL_SQL=INSERT OVERWRITE TABLE ow PARTITION (k = 1) SELECT g FROM generate_series(1, 8000000) g")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for len(staged()) == 0 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the helper never started writing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if len(staged()) == 0 {
		t.Fatal("killed with nothing written, so nothing is tested")
	}
	e, err := Open(context.Background(), Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if n := count(t, e.NewSession(), "SELECT count(*) FROM ow WHERE k = 1"); n != 1000 {
		t.Fatalf("after a killed overwrite the partition has %d rows, want its 1000", n)
	}
	if left := staged(); len(left) != 0 {
		t.Fatalf("the killed overwrite's files remain after the next start: %v", left)
	}
}
