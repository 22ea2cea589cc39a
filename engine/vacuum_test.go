package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/lakeq/lakeq/storage/managed"
)

// VACUUM folds a managed table's small files and delta rows into one
// file; the rows stay the same, and a table with nothing to fold is
// left as it is.
func TestVacuumFoldsSmallFilesAndDelta(t *testing.T) {
	_, e1, _ := twoEngines(t)
	s := e1.NewSession()
	mustExec(t, s, "CREATE TABLE vt (k int, v text)")
	for i := 0; i < 10; i++ {
		// over the delta's size: a small file each
		mustExec(t, s, fmt.Sprintf("INSERT INTO vt SELECT g, 'f%d' FROM generate_series(1, 1500) g", i))
	}
	for i := 0; i < 5; i++ {
		mustExec(t, s, fmt.Sprintf("INSERT INTO vt VALUES (%d, 'delta')", -i))
	}
	state := func() (files int, delta bool) {
		tab, _ := e1.store.GetTable(context.Background(), "public", "vt")
		_, snap, err := e1.snapshotOf(context.Background(), tab)
		if err != nil {
			t.Fatal(err)
		}
		return len(snap.Files), tab.Parameters[managed.DeltaKey] != ""
	}
	if files, delta := state(); files != 10 || !delta {
		t.Fatalf("before VACUUM: %d files, delta %v", files, delta)
	}
	sum := count(t, s, "SELECT sum(k) FROM vt")
	mustExec(t, s, "VACUUM vt")
	if files, delta := state(); files != 1 || delta {
		t.Fatalf("after VACUUM: %d files, delta %v", files, delta)
	}
	if n := count(t, s, "SELECT count(*) FROM vt"); n != 15005 {
		t.Fatalf("after VACUUM: %d rows", n)
	}
	if n := count(t, s, "SELECT sum(k) FROM vt"); n != sum {
		t.Fatalf("after VACUUM: sum %d, was %d", n, sum)
	}
	if n := count(t, s, "SELECT count(*) FROM vt WHERE v = 'delta'"); n != 5 {
		t.Fatalf("after VACUUM: %d delta rows", n)
	}
	mustExec(t, s, "VACUUM (FULL, ANALYZE)")
	if files, _ := state(); files != 1 {
		t.Fatalf("after a second VACUUM: %d files", files)
	}
	res := mustExec(t, s, "VACUUM ANALYZE vt")
	_ = res
	if n, ok := s.tableRowCount(context.Background(), "public", "vt"); !ok || n != 15005 {
		t.Fatalf("VACUUM ANALYZE: row count %d (%v)", n, ok)
	}
}
