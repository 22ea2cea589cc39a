package parquet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"

	"github.com/lakeq/lakeq/storage"
)

// A small file's dictionary-encoded columns give their distinct counts
// (the largest dictionary of their row groups); plain-encoded columns,
// and large files, give none.
func TestDictionaryDistinct(t *testing.T) {
	ctx := context.Background()
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}, {Name: "p", Type: arrow.PrimitiveTypes.Int64},
	}, nil))
	for i := 0; i < 3000; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i % 7))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("v%d", i%13))
		b.Field(2).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecord()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "d.parquet")
	props := pq.NewWriterProperties(pq.WithMaxRowGroupLength(1000), pq.WithStats(true), pq.WithDictionaryFor("p", false))
	if err := os.WriteFile(path, arrowFile(t, rec, props), 0o644); err != nil {
		t.Fatal(err)
	}
	distinct := func(path string) map[string]int64 {
		info, err := storage.Local{}.Stat(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(ctx, storage.Local{}, []storage.FileInfo{info}, Options{Footers: NewFooters(1 << 20)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for i, r := range d.ColumnRanges(ctx) {
			out[d.Columns[i].Name] = r.Distinct
		}
		return out
	}
	if got := distinct(path); got["k"] != 7 || got["s"] != 13 || got["p"] != 0 {
		t.Fatalf("arrow-go file: %v", got)
	}
	// DuckDB writes no page encoding statistics: its encodings tell
	dd, _ := filepath.Abs("../../../shared/tpcds/sf0.1/date_dim.parquet")
	if _, err := os.Stat(dd); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("../shared/tpcds is missing")
		}
		t.Skip("../shared/tpcds not present")
	}
	if got := distinct(dd); got["d_quarter_name"] != 801 || got["d_moy"] != 12 || got["d_date_sk"] != 0 {
		t.Fatalf("DuckDB file: d_quarter_name %d, d_moy %d, d_date_sk %d", got["d_quarter_name"], got["d_moy"], got["d_date_sk"])
	}
	// a large file (store_sales, 292k rows) has its first and last row
	// groups' dictionaries read, and keeps only small domains: the exact
	// counts (DuckDB's count(DISTINCT …)) of its stores, quantities and
	// promotions; items (18k) and customers are left unknown
	got := distinct(filepath.Join(filepath.Dir(dd), "store_sales.parquet"))
	if got["ss_store_sk"] != 6 || got["ss_quantity"] != 100 || got["ss_promo_sk"] != 300 || got["ss_item_sk"] != 0 || got["ss_customer_sk"] != 0 {
		t.Fatalf("large file: %v", got)
	}
}
