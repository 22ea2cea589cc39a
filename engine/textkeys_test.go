package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/slt"
)

// TestTextKeysEveryLayout runs the text-key GROUP BY, DISTINCT, ORDER BY
// and window PARTITION BY that once crashed or hung on Parquet's sliced
// string arrays, over the TPC-H sample read from Parquet directly and from
// the managed, Parquet, CSV and JSON layouts, on 1, 2 and 8 workers; the
// answers are DuckDB 1.5's on the same file.
func TestTextKeysEveryLayout(t *testing.T) {
	requireShared(t, tpchDir)
	dir, _ := filepath.Abs(tpchDir + "/sf0.1")
	cust := fmt.Sprintf("read_parquet('%s/customer.parquet')", dir)
	queries := []struct{ sql, want string }{
		{"SELECT c_mktsegment, count(*) FROM %s GROUP BY 1 ORDER BY 1",
			"AUTOMOBILE 3013|BUILDING 3111|FURNITURE 2888|HOUSEHOLD 3009|MACHINERY 2979"},
		{"SELECT DISTINCT c_mktsegment FROM %s ORDER BY 1",
			"AUTOMOBILE|BUILDING|FURNITURE|HOUSEHOLD|MACHINERY"},
		{"SELECT c_mktsegment, min(c_name), max(c_phone), count(DISTINCT c_nationkey) FROM %s GROUP BY 1 ORDER BY 1",
			"AUTOMOBILE Customer#000000002 34-996-904-3634 25|BUILDING Customer#000000001 34-997-244-3200 25|FURNITURE Customer#000000009 34-978-717-1959 25|HOUSEHOLD Customer#000000005 34-999-121-7718 25|MACHINERY Customer#000000004 34-992-932-3501 25"},
		{"SELECT c_mktsegment, c_name FROM (SELECT c_mktsegment, c_name, row_number() OVER (PARTITION BY c_mktsegment ORDER BY c_name DESC) rn FROM %s) s WHERE rn = 1 ORDER BY 1",
			"AUTOMOBILE Customer#000014999|BUILDING Customer#000014984|FURNITURE Customer#000014995|HOUSEHOLD Customer#000014997|MACHINERY Customer#000015000"},
		{"SELECT c_name FROM %s ORDER BY c_mktsegment DESC, c_name LIMIT 2",
			"Customer#000000004|Customer#000000021"},
	}
	ctx := context.Background()
	for _, w := range []int{1, 2, 8} {
		for _, layout := range append([]string{"file"}, slt.Storages...) {
			t.Run(fmt.Sprintf("%s/w%d", layout, w), func(t *testing.T) {
				data := t.TempDir()
				eng, err := engine.Open(ctx, engine.Config{DataDir: data, Workers: w, HistoryRetention: -1})
				if err != nil {
					t.Fatal(err)
				}
				defer eng.Close()
				s := eng.NewSession()
				from := cust
				if layout != "file" {
					if _, err := s.Exec(ctx, "CREATE TABLE customer AS SELECT * FROM "+cust); err != nil {
						t.Fatal(err)
					}
					from = "customer"
					if layout != slt.StorageManaged {
						l, err := slt.NewLayout(layout, data, eng)
						if err != nil {
							t.Fatal(err)
						}
						s.ReadAs = l.ReadAs
					}
				}
				for _, q := range queries {
					sql := fmt.Sprintf(q.sql, from)
					res, err := s.Query(ctx, sql)
					if err != nil {
						t.Fatalf("%s: %v", sql, err)
					}
					var got []string
					for _, row := range rows(res) {
						got = append(got, strings.Join(row, " "))
					}
					if g := strings.Join(got, "|"); g != q.want {
						t.Errorf("%s:\n got %s\nwant %s", sql, g, q.want)
					}
				}
			})
		}
	}
}
