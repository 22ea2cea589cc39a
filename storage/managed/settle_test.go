package managed

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// memFS is an object store of names only: enough to see which objects
// Recover and Settle delete.
type memFS struct {
	mu   sync.Mutex
	objs map[string]bool
}

func (m *memFS) Stat(_ context.Context, p string) (storage.ObjectInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.objs[p] {
		return storage.ObjectInfo{}, sqlerr.New(sqlerr.UndefinedFile, "no object %s", p)
	}
	return storage.ObjectInfo{Path: p}, nil
}

func (m *memFS) Open(context.Context, string) (storage.File, error) {
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "memFS reads nothing")
}

func (m *memFS) Create(context.Context, string) (storage.Writer, error) {
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "memFS writes nothing")
}

func (m *memFS) List(_ context.Context, prefix, _ string, page func(storage.ListPage) error) error {
	m.mu.Lock()
	var pg storage.ListPage
	for p := range m.objs {
		if strings.HasPrefix(p, prefix) {
			pg.Objects = append(pg.Objects, storage.ObjectInfo{Path: p})
		}
	}
	m.mu.Unlock()
	sort.Slice(pg.Objects, func(i, j int) bool { return pg.Objects[i].Path < pg.Objects[j].Path })
	return page(pg)
}

func (m *memFS) Delete(_ context.Context, paths ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range paths {
		delete(m.objs, p)
	}
	return nil
}

func (m *memFS) names() []string {
	var out []string
	_ = m.List(context.Background(), "", "", func(pg storage.ListPage) error {
		for _, o := range pg.Objects {
			out = append(out, o.Path)
		}
		return nil
	})
	return out
}

// A PUT a dead writer had sent can land in an object store after the
// next start deleted its files: Settle deletes it again, and a process
// that stops before its Settle leaves the check to the next start.
func TestSettleDeletesLateObjects(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "staging")
	const loc = "s3://b/t"
	fsys := &memFS{objs: map[string]bool{loc + "/data/kept.parquet": true, loc + "/data/lost.parquet": true}}
	dead, err := OpenStaging(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := dead.Begin("q1").Add(loc, "data/lost.parquet"); err != nil {
		t.Fatal(err)
	}
	dead.lock.Close() // the writer dies
	dead.lock = nil
	none := func(context.Context, string) (func(string) bool, bool, error) {
		return func(rel string) bool { return rel == "data/kept.parquet" }, true, nil
	}

	next, err := OpenStaging(dir)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := next.Recover(ctx, fsys, none); err != nil || n != 1 {
		t.Fatalf("Recover removed %d files (%v), want 1", n, err)
	}
	if !next.Settling() {
		t.Fatal("no second check recorded for an object-store write")
	}
	fsys.objs[loc+"/data/lost.parquet"] = true // the dead writer's PUT lands now
	if err := next.Close(); err != nil {       // stops before its Settle
		t.Fatal(err)
	}

	last, err := OpenStaging(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer last.Close()
	if n, err := last.Recover(ctx, fsys, none); err != nil || n != 1 {
		t.Fatalf("the next start removed %d files (%v), want the landed one", n, err)
	}
	fsys.objs[loc+"/data/lost.parquet"] = true
	if n, err := last.Settle(ctx, fsys); err != nil || n != 1 {
		t.Fatalf("Settle removed %d files (%v), want 1", n, err)
	}
	if got := fsys.names(); len(got) != 1 || got[0] != loc+"/data/kept.parquet" {
		t.Fatalf("left %v", got)
	}
	if last.Settling() {
		t.Error("the checked record remains")
	}
}
