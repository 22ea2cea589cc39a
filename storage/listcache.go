package storage

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ListCache is a FileSystem that remembers listings for a while: an
// object store charges per LIST and answers in tens of milliseconds, and
// a dashboard asks for the same partitions again and again. A listing is
// served from the cache until its TTL passes; a Create or Delete through
// the cache drops every listing whose prefix covers the path, so lakeq's
// own writes are seen at once (another process's only after the TTL).
// Safe for concurrent use.
type ListCache struct {
	FileSystem
	ttl        time.Duration
	maxEntries int

	mu      sync.Mutex
	entries map[listKey]*listEntry

	Hits, Misses atomic.Int64
}

type listKey struct{ prefix, delimiter string }

type listEntry struct {
	at    time.Time
	pages []ListPage
}

// NewListCache caches fsys's listings for ttl (at most 4,096 listings).
func NewListCache(fsys FileSystem, ttl time.Duration) *ListCache {
	return &ListCache{FileSystem: fsys, ttl: ttl, maxEntries: 4096, entries: map[listKey]*listEntry{}}
}

// List implements FileSystem.
func (c *ListCache) List(ctx context.Context, prefix, delimiter string, page func(ListPage) error) error {
	k := listKey{prefix, delimiter}
	c.mu.Lock()
	e := c.entries[k]
	if e != nil && time.Since(e.at) > c.ttl {
		delete(c.entries, k)
		e = nil
	}
	c.mu.Unlock()
	if e != nil {
		c.Hits.Add(1)
		for _, pg := range e.pages {
			if err := page(pg); err != nil {
				return err
			}
		}
		return nil
	}
	c.Misses.Add(1)
	start := time.Now()
	var pages []ListPage
	err := c.FileSystem.List(ctx, prefix, delimiter, func(pg ListPage) error {
		// the page's slices are the caller's only during the call: keep copies
		cp := ListPage{Objects: append([]ObjectInfo(nil), pg.Objects...), Prefixes: append([]string(nil), pg.Prefixes...)}
		pages = append(pages, cp)
		return page(cp)
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.maxEntries {
		for k2, e2 := range c.entries { // drop the stale, else any one
			if time.Since(e2.at) > c.ttl || len(c.entries) >= c.maxEntries {
				delete(c.entries, k2)
			}
			if len(c.entries) < c.maxEntries/2 {
				break
			}
		}
	}
	c.entries[k] = &listEntry{at: start, pages: pages}
	return nil
}

// invalidate drops the listings that may hold path.
func (c *ListCache) invalidate(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if strings.HasPrefix(path, k.prefix) {
			delete(c.entries, k)
		}
	}
}

// Create implements FileSystem; the object's listings are dropped when it
// is published.
func (c *ListCache) Create(ctx context.Context, path string) (Writer, error) {
	w, err := c.FileSystem.Create(ctx, path)
	if err != nil {
		return nil, err
	}
	return &invalidatingWriter{Writer: w, done: func() { c.invalidate(path) }}, nil
}

// Delete implements FileSystem.
func (c *ListCache) Delete(ctx context.Context, paths ...string) error {
	err := c.FileSystem.Delete(ctx, paths...)
	for _, p := range paths {
		c.invalidate(p)
	}
	return err
}

// OpenInfo passes InfoOpener through.
func (c *ListCache) OpenInfo(ctx context.Context, info ObjectInfo) (File, error) {
	return OpenInfo(ctx, c.FileSystem, info)
}

type invalidatingWriter struct {
	Writer
	done func()
}

func (w *invalidatingWriter) Close() error {
	err := w.Writer.Close()
	w.done()
	return err
}

// Close closes the FileSystem under the cache if it has a Close.
func (c *ListCache) Close() error {
	return closeFS(c.FileSystem)
}

// closeFS closes a FileSystem that has a Close (an S3 client's idle
// connections); the wrappers pass their Close through it.
func closeFS(fs FileSystem) error {
	if cl, ok := fs.(interface{ Close() error }); ok {
		return cl.Close()
	}
	return nil
}
