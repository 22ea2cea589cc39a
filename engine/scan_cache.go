package engine

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/storage"
)

// scanCacheBytes bounds what one external table's plan keeps of the
// batches it has read.
const scanCacheBytes = 256 << 20

// scanCache keeps, for one plan of an external table (one query), the
// batches of each distinct scan it has read in full. A correlated
// subquery the planner could not turn into a join runs its plan once per
// outer row; reading and decoding the same files each time made it cost
// the table's size per row. Batches are immutable, so every run may hand
// out the same ones. Safe for concurrent use.
type scanCache struct {
	mu      sync.Mutex
	entries map[string]*cachedScan
	bytes   atomic.Int64
}

// cachedScan is one scan's batches per morsel, complete when every
// morsel has been read once to the end.
type cachedScan struct {
	recs   [][]arrow.Record
	filled []atomic.Bool
	left   atomic.Int64
	// bounded: the morsels skip rows past a top-N's bound (SetDynamic),
	// so what they read is not the scan's batches and is not kept
	bounded atomic.Bool
}

func (c *cachedScan) complete() bool { return c.left.Load() == 0 }

// scanKey identifies a scan by what decides its batches: the columns,
// the pushed predicates, the filters and the files. It is "" (no
// caching) when a filter reads outer values or parameters: those can
// differ between runs while their text does not.
func scanKey(cols []int, preds []storage.Pred, filters []expr.Expr, files string) string {
	for _, f := range filters {
		outer := false
		expr.Walk(f, func(e expr.Expr) bool {
			switch e.(type) {
			case *expr.OuterRef, *expr.Param, *expr.Subquery:
				outer = true
			}
			return !outer
		})
		if outer {
			return ""
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v|%+v|", cols, preds)
	for _, f := range filters {
		b.WriteString(expr.Key(f))
		b.WriteByte(';')
	}
	b.WriteString(files)
	return b.String()
}

// lookup returns the complete entry for key, or a fresh entry for n
// morsels whose reads should fill it (nil when the cache is full).
func (c *scanCache) lookup(key string, n int) (done, fill *cachedScan) {
	if key == "" {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		if e.complete() {
			return e, nil
		}
		return nil, nil // a run is filling it (or stopped early): read as usual
	}
	if c.bytes.Load() > scanCacheBytes || len(c.entries) > 4096 {
		return nil, nil
	}
	e := &cachedScan{recs: make([][]arrow.Record, n), filled: make([]atomic.Bool, n)}
	e.left.Store(int64(n))
	if c.entries == nil {
		c.entries = map[string]*cachedScan{}
	}
	c.entries[key] = e
	return nil, e
}

// cachedMorsel hands out a read morsel's batches again.
type cachedMorsel struct{ recs []arrow.Record }

func (m cachedMorsel) Read(*exec.Ctx) ([]arrow.Record, error) { return m.recs, nil }

// fillingMorsel reads its morsel and keeps the batches in the entry.
type fillingMorsel struct {
	inner exec.Morsel
	entry *cachedScan
	i     int
	cache *scanCache
}

// Bytes implements exec.Sized.
func (m fillingMorsel) Bytes() int64 { return morselBytes(m.inner) }

// Prefetch implements exec.Prefetcher.
func (m fillingMorsel) Prefetch(ctx *exec.Ctx) int64 {
	if p, ok := m.inner.(exec.Prefetcher); ok {
		return p.Prefetch(ctx)
	}
	return 0
}

// KeyRange implements exec.KeyRanger.
func (m fillingMorsel) KeyRange(col int) (lo, hi int64, ok bool) {
	if kr, is := m.inner.(exec.KeyRanger); is {
		return kr.KeyRange(col)
	}
	return 0, 0, false
}

// SetDynamic implements planner.DynamicMorsel: the inner morsel applies
// the bounds, and the entry is never completed from what it reads.
func (m fillingMorsel) SetDynamic(bs []*storage.DynBound) {
	if d, ok := m.inner.(dynamicMorsel); ok {
		m.entry.bounded.Store(true)
		d.SetDynamic(bs)
	}
}

func (m fillingMorsel) Read(ctx *exec.Ctx) ([]arrow.Record, error) {
	recs, err := m.inner.Read(ctx)
	if err == nil && !m.entry.bounded.Load() && !m.entry.filled[m.i].Swap(true) {
		var n int64
		for _, r := range recs {
			n += exec.RecordSize(r)
		}
		m.cache.bytes.Add(n)
		m.entry.recs[m.i] = recs
		m.entry.left.Add(-1)
	}
	return recs, err
}

// wrap returns the morsels of a scan through the cache.
func (c *scanCache) wrap(key string, list func() ([]exec.Morsel, error)) ([]exec.Morsel, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if key != "" && ok && e.complete() {
		out := make([]exec.Morsel, len(e.recs))
		for i, r := range e.recs {
			out[i] = cachedMorsel{r}
		}
		return out, nil
	}
	ms, err := list()
	if err != nil || key == "" {
		return ms, err
	}
	_, fill := c.lookup(key, len(ms))
	if fill == nil {
		return ms, nil
	}
	out := make([]exec.Morsel, len(ms))
	for i, m := range ms {
		out[i] = fillingMorsel{inner: m, entry: fill, i: i, cache: c}
	}
	return out, nil
}
