package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A cached listing is served until its TTL passes; lakeq's own writes
// through the cache are seen at once.
func TestListCache(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeFiles(t, root, "t/a.csv")
	c := NewListCache(Local{}, 200*time.Millisecond)
	n := func() int {
		got, err := ListFolder(ctx, c, filepath.Join(root, "t"))
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	if n() != 1 || n() != 1 || c.Hits.Load() != 1 || c.Misses.Load() != 1 {
		t.Fatalf("hits %d misses %d", c.Hits.Load(), c.Misses.Load())
	}
	// another writer's file: unseen until the TTL passes
	if err := os.WriteFile(filepath.Join(root, "t", "b.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := n(); got != 1 {
		t.Fatalf("within the TTL: %d files", got)
	}
	time.Sleep(250 * time.Millisecond)
	if got := n(); got != 2 {
		t.Fatalf("after the TTL: %d files", got)
	}
	// our own write: seen at once
	w, err := c.Create(ctx, filepath.Join(root, "t", "c.csv"))
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("y"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := n(); got != 3 {
		t.Fatalf("after our write: %d files", got)
	}
	if err := c.Delete(ctx, filepath.Join(root, "t", "a.csv")); err != nil {
		t.Fatal(err)
	}
	if got := n(); got != 2 {
		t.Fatalf("after our delete: %d files", got)
	}
}
