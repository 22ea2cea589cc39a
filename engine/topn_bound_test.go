package engine

import (
	"context"
	"regexp"
	"strconv"
	"testing"
)

// A top-N on a column tells the scan below the worst key it keeps, and
// the scan skips the row groups beyond it — but never one holding a
// NULL key when NULLs sort first; ties with the N-th key stay, and a
// cached scan (an external table's) is not filled from bounded reads.
func TestTopNBoundPrunesRowGroups(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	// the largest keys in the first rows, NULLs in the last ones
	mustExec(t, s, `CREATE TABLE tb_big AS SELECT g AS id, CASE WHEN g > 399990 THEN NULL WHEN g <= 1000 THEN 1000000 + g % 500 ELSE g % 1000 END AS v
		FROM generate_series(1, 400000) g`)
	pruned := regexp.MustCompile(`row groups read (\d+), pruned (\d+)`)
	groups := func(sql string) (read, skipped int) {
		m := pruned.FindStringSubmatch(explainAnalyze(t, s, sql))
		if m == nil {
			t.Fatalf("no row group counts in the plan of %s", sql)
		}
		read, _ = strconv.Atoi(m[1])
		skipped, _ = strconv.Atoi(m[2])
		return read, skipped
	}
	if r, p := groups("SELECT count(*) FROM (SELECT v FROM tb_big ORDER BY v LIMIT 400000) x"); p != 0 || r < 4 {
		t.Fatalf("a top-N of every row read %d row groups and skipped %d; want several and none", r, p)
	}
	for _, c := range []struct {
		name, sql string
		want      [][2]any
		skips     bool
	}{
		{"descending, NULLs last", "SELECT id, v FROM tb_big ORDER BY v DESC NULLS LAST, id LIMIT 3",
			[][2]any{{int64(499), int64(1000499)}, {int64(999), int64(1000499)}, {int64(498), int64(1000498)}}, true},
		// the row groups without NULLs and below the bound are skipped,
		// the last one, whose NULLs sort first, is read
		{"descending, NULLs first: the last row group's NULLs", "SELECT id, v FROM tb_big ORDER BY v DESC, id LIMIT 2",
			[][2]any{{int64(399991), nil}, {int64(399992), nil}}, true},
		{"ascending", "SELECT id, v FROM tb_big WHERE id > 1000 ORDER BY v, id LIMIT 2",
			[][2]any{{int64(2000), int64(0)}, {int64(3000), int64(0)}}, false},
	} {
		r := mustExec(t, s, c.sql)
		if int(r.NumRows()) != len(c.want) {
			t.Fatalf("%s: %d rows, want %d", c.name, r.NumRows(), len(c.want))
		}
		for i, w := range c.want {
			if r.Value(i, 0) != w[0] || r.Value(i, 1) != w[1] {
				t.Errorf("%s: row %d is (%v, %v), want (%v, %v)", c.name, i, r.Value(i, 0), r.Value(i, 1), w[0], w[1])
			}
		}
		if _, p := groups(c.sql); (p > 0) != c.skips {
			t.Errorf("%s: %d row groups skipped (skipping expected: %v)", c.name, p, c.skips)
		}
	}
}
