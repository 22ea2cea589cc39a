package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTPCDSPlans checks the plan of each TPC-DS query against
// testdata/plans/tpcds/qNN.golden, so that a change to the optimizer —
// join order above all — shows in review as the plans it changes.
// LAKEQ_REWRITE_PLANS=1 rewrites the files.
func TestTPCDSPlans(t *testing.T) {
	s := sharedViews(t, tpcdsDir, tpcdsTables)
	rewrite := os.Getenv("LAKEQ_REWRITE_PLANS") == "1"
	dir := "../testdata/plans/tpcds"
	if rewrite {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for q := 1; q <= 99; q++ {
		sql, err := os.ReadFile(fmt.Sprintf("%s/queries/%02d.sql", tpcdsDir, q))
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Query(context.Background(), "EXPLAIN "+string(sql))
		if err != nil {
			t.Fatalf("q%02d: %v", q, err)
		}
		var b strings.Builder
		for i := 0; i < int(r.NumRows()); i++ {
			b.WriteString(r.Value(i, 0).(string) + "\n")
		}
		golden := filepath.Join(dir, fmt.Sprintf("q%02d.golden", q))
		if rewrite {
			if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (LAKEQ_REWRITE_PLANS=1 go test ./engine -run TestTPCDSPlans)", err)
		}
		if string(want) != b.String() {
			t.Errorf("q%02d: plan differs from %s:\n--- got\n%s\n--- want\n%s", q, golden, b.String(), want)
		}
	}
}
