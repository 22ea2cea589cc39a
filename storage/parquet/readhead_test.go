package parquet

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// rowsText renders batches row by row, for comparing two reads.
func rowsText(recs []arrow.Record) []string {
	var out []string
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			var sb strings.Builder
			for c := 0; c < int(r.NumCols()); c++ {
				col := r.Column(c)
				if col.IsNull(i) {
					sb.WriteString("NULL|")
					continue
				}
				sb.WriteString(types.FormatText(types.TextT, types.GetValue(types.TextT, col, i)))
				sb.WriteByte('|')
			}
			out = append(out, sb.String())
		}
	}
	return out
}

// TestReadHead reads every row group whole and as a head and its rest,
// over files with dictionaries and without, several pages per chunk and
// NULL runs: the same rows in the same order, the file's bytes counted
// once either way, and row groups too small to split read whole.
func TestReadHead(t *testing.T) {
	rec := pageTestRecord(20000)
	defer rec.Release()
	ctx := context.Background()
	for _, dict := range []bool{true, false} {
		props := pq.NewWriterProperties(pq.WithDictionaryDefault(dict), pq.WithCompression(compress.Codecs.Snappy),
			pq.WithDataPageSize(4096), pq.WithMaxRowGroupLength(7000), pq.WithStoreDecimalAsInteger(true))
		path := filepath.Join(t.TempDir(), "h.parquet")
		if err := os.WriteFile(path, arrowFile(t, rec, props), 0o644); err != nil {
			t.Fatal(err)
		}
		info, err := storage.Local{}.Stat(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Open(ctx, storage.Local{}, []storage.FileInfo{info})
		if err != nil {
			t.Fatal(err)
		}
		cols := make([]int, len(d.Columns))
		for i := range cols {
			cols[i] = i
		}
		ms, err := d.Morsels(ctx, cols, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 3 {
			t.Fatalf("%d row groups, want 3", len(ms))
		}
		for _, head := range []int{1, 1000, 3000, 4000} {
			for i, m := range ms {
				var whole, split storage.ScanStats
				want, err := m.Read(ctx, &whole)
				if err != nil {
					t.Fatal(err)
				}
				got, rest, err := m.ReadHead(ctx, &split, head)
				if err != nil {
					t.Fatal(err)
				}
				headRows := len(rowsText(got))
				// 7000, 7000 and 6000 rows: a head of more than half is no split
				if canSplit := m.rows >= 2*int64(head); (rest != nil) != canSplit {
					t.Fatalf("dict=%v head %d row group %d: split %v, want %v", dict, head, i, rest != nil, canSplit)
				}
				if rest != nil {
					if headRows != head {
						t.Fatalf("dict=%v: head of %d rows, want %d", dict, headRows, head)
					}
					more, err := rest.Read()
					rest.Close()
					rest.Close() // again: no effect
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, more...)
				}
				a, b := rowsText(want), rowsText(got)
				if strings.Join(a, "\n") != strings.Join(b, "\n") {
					t.Fatalf("dict=%v head %d row group %d: %d rows split, %d whole, or values differ", dict, head, i, len(b), len(a))
				}
				if whole.BytesRead.Load() != split.BytesRead.Load() {
					t.Fatalf("dict=%v head %d: %d bytes read split, %d whole", dict, head, split.BytesRead.Load(), whole.BytesRead.Load())
				}
			}
		}
		// a rest never read releases its file on Close
		_, rest, err := ms[0].ReadHead(ctx, nil, 100)
		if err != nil || rest == nil {
			t.Fatalf("split: %v %v", rest, err)
		}
		rest.Close()
	}
}
