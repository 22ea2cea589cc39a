package engine

import (
	"context"
	"strings"
	"testing"
)

// explainAnalyze is the text of EXPLAIN ANALYZE sql.
func explainAnalyze(t *testing.T, s *Session, sql string) string {
	t.Helper()
	r := mustExec(t, s, "EXPLAIN ANALYZE "+sql)
	var lines []string
	for i := 0; i < int(r.NumRows()); i++ {
		lines = append(lines, r.Value(i, 0).(string))
	}
	return strings.Join(lines, "\n")
}

// An inner join tells the scan on its probe side the range (or the few
// values) of its build keys, and the scan skips the row groups that hold
// none of them; with no build row the scan reads nothing. The answers
// are the join's; a LEFT JOIN, whose probe rows all stay, reads all.
func TestJoinFiltersPruneProbeScans(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustExec(t, s, "CREATE TABLE jf_big AS SELECT g AS id, g % 97 AS v FROM generate_series(1, 400000) g")
	mustExec(t, s, "CREATE TABLE jf_few (k int, tag text)")
	mustExec(t, s, "INSERT INTO jf_few VALUES (17, 'a'), (20000, 'b'), (NULL, 'n')")
	mustExec(t, s, "CREATE TABLE jf_range AS SELECT g + 350000 AS k FROM generate_series(1, 100) g")
	mustExec(t, s, "CREATE TABLE jf_none (k int)")
	all := mustExec(t, s, "SELECT sum(id), sum(v) FROM jf_big")
	if all.Scanned.Bytes == 0 {
		t.Fatal("the whole table scanned no bytes")
	}
	for _, c := range []struct {
		name, sql string
		want      any
		pruned    bool // reads well under the whole table
	}{
		{"few keys", "SELECT sum(b.v + b.id) FROM jf_big b JOIN jf_few f ON b.id = f.k", int64(17 + 17%97 + 20000 + 20000%97), true},
		{"a range of keys", "SELECT count(*) FROM jf_big b JOIN jf_range r ON b.id = r.k", int64(100), true},
		{"IN subquery", "SELECT count(*) FROM jf_big WHERE id IN (SELECT k FROM jf_few)", int64(2), true},
		{"no build rows", "SELECT count(*) FROM jf_big b JOIN jf_none n ON b.id = n.k", int64(0), true},
		{"left join keeps its rows", "SELECT count(*) FROM jf_big b LEFT JOIN jf_few f ON b.id = f.k", int64(400000), false},
		{"anti join keeps its rows", "SELECT count(*) FROM jf_big WHERE id NOT IN (SELECT k FROM jf_range)", int64(399900), false},
		{"a computed key", "SELECT count(*) FROM jf_big b JOIN jf_few f ON b.id + 1 = f.k + 1", int64(2), false},
	} {
		r := mustExec(t, s, c.sql)
		if got := r.Value(0, 0); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		small := r.Scanned.Bytes*3 < all.Scanned.Bytes
		if small != c.pruned {
			t.Errorf("%s: scanned %d bytes of the table's %d (pruning expected: %v)", c.name, r.Scanned.Bytes, all.Scanned.Bytes, c.pruned)
		}
	}
	// more than 32 keys spread over the table: the scan gets them as a
	// bitmap and returns only the rows holding one (late
	// materialization), not the whole range between them
	mustExec(t, s, "CREATE TABLE jf_sparse AS SELECT g * 3989 AS k FROM generate_series(1, 60) g")
	sparse := "SELECT count(*), sum(b.v) FROM jf_big b JOIN jf_sparse k ON b.id = k.k"
	r := mustExec(t, s, sparse)
	var wantSum int64
	for g := int64(1); g <= 60; g++ {
		wantSum += g * 3989 % 97
	}
	if r.Value(0, 0) != int64(60) || r.Value(0, 1) != wantSum {
		t.Errorf("sparse keys: %v %v, want 60 %d", r.Value(0, 0), r.Value(0, 1), wantSum)
	}
	plan := explainAnalyze(t, s, sparse)
	if !strings.Contains(plan, "Scan jf_big rows=60 ") {
		t.Errorf("the probe scan returned more than the 60 rows with a key:\n%s", plan)
	}
	// a dry run prices the probe side whole (its filter comes from a build
	// that does not run); a run listed ahead for progress still waits for
	// the filter before listing the probe side's scan
	few := "SELECT sum(b.v + b.id) FROM jf_big b JOIN jf_few f ON b.id = f.k"
	run := mustExec(t, s, few)
	if planned := costBytes(t, s, few); planned < 2*run.Scanned.Bytes {
		t.Errorf("EXPLAIN (COST) priced %d bytes, a run read %d", planned, run.Scanned.Bytes)
	}
	s.ListAhead = true
	ahead := mustExec(t, s, few)
	s.ListAhead = false
	if ahead.Scanned.Bytes > run.Scanned.Bytes {
		t.Errorf("listed ahead, the join read %d bytes; without, %d", ahead.Scanned.Bytes, run.Scanned.Bytes)
	}
}
