package managed

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

func rec(vals ...int64) arrow.Record {
	col := make([]types.Value, len(vals))
	for i, v := range vals {
		col[i] = v
	}
	a := types.BuildArray(types.Int8T, col)
	sch := arrow.NewSchema([]arrow.Field{{Name: "n", Type: a.DataType(), Nullable: true}}, nil)
	return array.NewRecord(sch, []arrow.Array{a}, int64(len(vals)))
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// A write publishes a snapshot that lists base's files and its own;
// a replace turns base's into garbage; Abort leaves nothing.
func TestPublishAndAbort(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	loc := filepath.Join(dir, "t-1")
	tab := New(storage.Local{}, loc, []string{"n"}, []types.T{types.Int8T})
	w := tab.NewWriter("q1", nil)
	if err := w.Write(ctx, []arrow.Record{rec(1, 2, 3)}); err != nil {
		t.Fatal(err)
	}
	name, s1, _, err := w.Publish(ctx, Snapshot{}, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tab.Snapshot(ctx, name)
	if err != nil || got.Rows() != 3 || len(got.Files) != 1 || got.Seq != 1 || s1.Rows() != 3 {
		t.Fatalf("snapshot %+v %v", got, err)
	}
	recs, err := tab.Read(ctx, got.Files)
	if err != nil || len(recs) != 1 || recs[0].NumRows() != 3 {
		t.Fatalf("read back: %v %v", recs, err)
	}
	w2 := tab.NewWriter("q2", nil)
	if err := w2.Write(ctx, []arrow.Record{rec(9)}); err != nil {
		t.Fatal(err)
	}
	name2, s2, _, err := w2.Publish(ctx, got, name, true, nil)
	if err != nil || s2.Rows() != 1 || len(s2.Garbage) != 2 {
		t.Fatalf("replace: %+v %v", s2, err)
	}
	before := files(t, loc)
	w3 := tab.NewWriter("q3", nil)
	if err := w3.Write(ctx, []arrow.Record{rec(7, 8)}); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := w3.Publish(ctx, s2, name2, false, nil); err != nil {
		t.Fatal(err)
	}
	w3.Abort(ctx)
	if after := files(t, loc); len(after) != len(before) {
		t.Fatalf("abort left files: %v, before %v", after, before)
	}
	if err := tab.RemoveAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(loc); !os.IsNotExist(err) {
		t.Fatalf("RemoveAll left %s: %v", loc, err)
	}
}

// The next process removes what a dead one's writes left, except what
// the table's current snapshot names; a live process's writes stay.
func TestRecoverDeadWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	loc := filepath.Join(dir, "t-1")
	tab := New(storage.Local{}, loc, []string{"n"}, []types.T{types.Int8T})
	dead, err := OpenStaging(filepath.Join(dir, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	// a write that published, and one that did not
	w1 := tab.NewWriter("pub", dead.Begin("pub"))
	if err := w1.Write(ctx, []arrow.Record{rec(1)}); err != nil {
		t.Fatal(err)
	}
	name, snap, _, err := w1.Publish(ctx, Snapshot{}, "", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	w2 := tab.NewWriter("lost", dead.Begin("lost"))
	if err := w2.Write(ctx, []arrow.Record{rec(2)}); err != nil {
		t.Fatal(err)
	}
	live, err := OpenStaging(filepath.Join(dir, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	w3 := tab.NewWriter("running", live.Begin("running"))
	if err := w3.Write(ctx, []arrow.Record{rec(3)}); err != nil {
		t.Fatal(err)
	}
	dead.lock.Close() // the process dies: its lock is released, its intents stay
	dead.lock = nil
	next, err := OpenStaging(filepath.Join(dir, "staging"))
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	ref := func(_ context.Context, l string) (func(string) bool, bool, error) {
		keep := map[string]bool{"_lakeq/" + name: true}
		for _, f := range snap.Files {
			keep[f.Path] = true
		}
		return func(rel string) bool { return keep[rel] }, l == loc, nil
	}
	n, err := next.Recover(ctx, storage.Local{}, ref)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("removed %d files, want 1 (the lost write's)", n)
	}
	want := []string{"_lakeq/" + name, "data/pub-0000.parquet", "data/running-0000.parquet"}
	if got := files(t, loc); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("left %v, want %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "staging", dead.token)); !os.IsNotExist(err) {
		t.Errorf("the dead token's intents remain: %v", err)
	}
	w3.Done()
	live.Close()
}
