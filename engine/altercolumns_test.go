package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Files written before and after ADD, DROP and RENAME COLUMN hold
// different columns; reads and the compaction that folds them into one
// file take each column by its name in the files: an added column is
// NULL in the older files, a dropped one is gone, and one dropped and
// added again under the same name never shows the old values.
func TestCompactionAcrossColumnChanges(t *testing.T) {
	_, e1, _ := twoEngines(t)
	s := e1.NewSession()
	mustExec(t, s, "CREATE TABLE cc (k int, v int, gone text)")
	insert := func(i int, sql string) {
		// each over the delta's size, so each is a file
		mustExec(t, s, fmt.Sprintf(sql, i))
	}
	for i := 0; i < 30; i++ {
		insert(i, "INSERT INTO cc SELECT g, %d, 'old' FROM generate_series(1, 1500) g")
	}
	mustExec(t, s, "ALTER TABLE cc ADD COLUMN extra int")
	mustExec(t, s, "ALTER TABLE cc RENAME COLUMN v TO val")
	mustExec(t, s, "ALTER TABLE cc DROP COLUMN gone")
	mustExec(t, s, "ALTER TABLE cc ADD COLUMN gone text")
	for i := 30; i < 70; i++ {
		insert(i, "INSERT INTO cc SELECT g, %d, g, 'new' FROM generate_series(1, 1500) g")
	}
	e1.bg.Wait() // the compaction the 64th small file started
	tab, _ := e1.store.GetTable(context.Background(), "public", "cc")
	_, snap, _ := e1.snapshotOf(context.Background(), tab)
	if len(snap.Files) > 10 {
		t.Fatalf("%d files: not compacted", len(snap.Files))
	}
	check := func(sql string, want int64) {
		t.Helper()
		if n := count(t, s, sql); n != want {
			t.Fatalf("%s: %d, want %d", sql, n, want)
		}
	}
	check("SELECT count(*) FROM cc", 70*1500)
	check("SELECT count(extra) FROM cc", 40*1500)
	check("SELECT sum(extra) FROM cc", 40*(1500*1501/2))
	check("SELECT count(*) FROM cc WHERE gone = 'old'", 0)
	check("SELECT count(*) FROM cc WHERE gone = 'new'", 40*1500)
	check("SELECT sum(val) FROM cc", 1500*(69*70/2))
}

// An ALTER TABLE that rewrites the table (ALTER COLUMN … TYPE) and
// INSERTs from another process at the same time: every acknowledged row
// is kept and has the new type; a writer that lost to the ALTER gets
// 40001 and leaves nothing, and an ALTER that lost to a writer starts
// again.
func TestAlterColumnTypeWithConcurrentInserts(t *testing.T) {
	_, e1, e2 := twoEngines(t)
	s1 := e1.NewSession()
	mustExec(t, s1, "CREATE TABLE ct (k int, v int)")
	mustExec(t, s1, "INSERT INTO ct SELECT g, g FROM generate_series(1, 20000) g")
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := int64(20000)
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		s2 := e2.NewSession()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			sql := "INSERT INTO ct VALUES (-1, 1)"
			n := int64(1)
			if i%2 == 1 {
				sql, n = "INSERT INTO ct SELECT -1, 1 FROM generate_series(1, 3000)", 3000
			}
			time.Sleep(15 * time.Millisecond)
			_, err := s2.Query(context.Background(), sql)
			switch {
			case err == nil:
				mu.Lock()
				acked += n
				mu.Unlock()
			case sqlerr.Code(err) != sqlerr.SerializationFailure:
				t.Errorf("%s: %v", sql, err)
				return
			}
		}
	}()
	var altered int
	for i := 0; i < 16; i++ {
		typ := []string{"bigint", "numeric(20,0)", "bigint", "int"}[i%4]
		_, err := s1.Query(context.Background(), "ALTER TABLE ct ALTER COLUMN v TYPE "+typ)
		switch {
		case err == nil:
			altered++
		case sqlerr.Code(err) != sqlerr.SerializationFailure:
			t.Fatalf("ALTER … TYPE %s: %v", typ, err)
		}
	}
	close(stop)
	wg.Wait()
	if altered == 0 {
		t.Fatal("no ALTER won against the inserts, so nothing was tested")
	}
	mu.Lock()
	defer mu.Unlock()
	if acked == 20000 {
		t.Fatal("no INSERT ran beside the ALTERs, so nothing was tested")
	}
	t.Logf("%d of 16 ALTERs won; %d rows inserted beside them", altered, acked-20000)
	for _, s := range []*Session{s1, e2.NewSession()} {
		if n := count(t, s, "SELECT count(*) FROM ct"); n != acked {
			t.Fatalf("%d rows, %d acknowledged", n, acked)
		}
		if n := count(t, s, "SELECT sum(v)::bigint FROM ct WHERE k > 0"); n != 20000*20001/2 {
			t.Fatalf("sum(v) %d after the rewrites", n)
		}
	}
}
