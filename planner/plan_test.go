package planner_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/engine"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden plan files")

// TestPlans checks EXPLAIN output against testdata/plans/<rule>.golden:
// each .sql file holds setup statements, a "-- queries" line, then
// queries separated by blank lines. One file per optimizer rule.
func TestPlans(t *testing.T) {
	files, _ := filepath.Glob("../testdata/plans/*.sql")
	if len(files) == 0 {
		t.Fatal("no plan tests")
	}
	for _, f := range files {
		f := f
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			setup, queries, ok := strings.Cut(string(data), "-- queries\n")
			if !ok {
				t.Fatal("missing '-- queries' line")
			}
			eng, err := engine.Open(context.Background(), engine.Config{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			s := eng.NewSession()
			if _, err := s.Exec(context.Background(), setup); err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			for _, q := range strings.Split(strings.TrimSpace(queries), "\n\n") {
				q = strings.TrimSpace(q)
				r, err := s.Query(context.Background(), "EXPLAIN "+q)
				out.WriteString("-- " + strings.ReplaceAll(q, "\n", "\n-- ") + "\n")
				if err != nil {
					out.WriteString("ERROR: " + err.Error() + "\n\n")
					continue
				}
				for i := 0; i < int(r.NumRows()); i++ {
					out.WriteString(r.Value(i, 0).(string) + "\n")
				}
				out.WriteString("\n")
			}
			golden := strings.TrimSuffix(f, ".sql") + ".golden"
			if *rewrite {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./planner -run TestPlans -rewrite)", err)
			}
			if string(want) != out.String() {
				t.Errorf("plan differs from %s:\n--- got\n%s\n--- want\n%s", golden, out.String(), want)
			}
		})
	}
}
