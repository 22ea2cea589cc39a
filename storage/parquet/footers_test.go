package parquet

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	pq "github.com/apache/arrow-go/v18/parquet"

	"github.com/lakeq/lakeq/storage"
)

// ColumnRanges answers the same from a cold footer cache, from the
// folded statistics kept with a cached footer, and without a cache; the
// folded statistics are kept once per footer and signature.
func TestColumnRangesCached(t *testing.T) {
	ctx := context.Background()
	rec := pageTestRecord(3000)
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "r.parquet")
	props := pq.NewWriterProperties(pq.WithMaxRowGroupLength(700), pq.WithStats(true))
	if err := os.WriteFile(path, arrowFile(t, rec, props), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := storage.Local{}.Stat(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ranges := func(opts ...Options) []ColumnRange {
		d, err := Open(ctx, storage.Local{}, []storage.FileInfo{info}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return d.ColumnRanges(ctx)
	}
	want := ranges()
	some := false
	for _, r := range want {
		some = some || r.HasMinMax
	}
	if !some {
		t.Fatalf("no column has a range: %+v", want)
	}
	fc := NewFooters(1 << 20)
	for i := 0; i < 3; i++ {
		if got := ranges(Options{Footers: fc}); !reflect.DeepEqual(got, want) {
			t.Fatalf("pass %d: %+v, want %+v", i, got, want)
		}
	}
	if len(fc.byKey) != 1 {
		t.Fatalf("%d footers cached", len(fc.byKey))
	}
	for _, el := range fc.byKey {
		if n := len(el.Value.(*footerEntry).ranges); n != 1 {
			t.Fatalf("%d folded statistics kept", n)
		}
	}
}
