package parquet

import (
	"container/list"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakeq/lakeq/storage"
)

// Footers caches parsed Parquet footers across queries and sessions, by
// object identity (path, size and ETag, or modification time where there
// is no ETag): a replaced object has another key, so a stale footer is
// never used. Bounded by the footers' serialized size, least recently
// used out first. Safe for concurrent use; the footers it returns are
// shared and read-only.
type Footers struct {
	mu    sync.Mutex
	max   int64
	used  int64
	byKey map[string]*list.Element
	lru   *list.List // of *footerEntry, most recent first
}

type footerEntry struct {
	key  string
	md   *metadata.FileMetaData
	size int64
	// ranges are the footer's statistics folded per column for the
	// planner (ColumnRanges), by the reading dataset's rangeSig
	ranges map[string]fileRanges
}

// maxRangeSigs bounds the folded statistics kept per footer (one per
// way of reading the file: its columns' declared types).
const maxRangeSigs = 4

// NewFooters returns a cache of at most maxBytes of footers.
func NewFooters(maxBytes int64) *Footers {
	return &Footers{max: maxBytes, byKey: map[string]*list.Element{}, lru: list.New()}
}

func footerKey(info storage.ObjectInfo) string {
	v := info.ETag
	if v == "" {
		v = fmt.Sprint(info.ModTime.UnixNano())
	}
	return fmt.Sprintf("%s\x00%d\x00%s", info.Path, info.Size, v)
}

// cacheable reports whether info identifies one version of an object.
func cacheable(info storage.ObjectInfo) bool {
	return info.Size > 0 && (info.ETag != "" || !info.ModTime.IsZero())
}

func (c *Footers) get(info storage.ObjectInfo) *metadata.FileMetaData {
	if c == nil || !cacheable(info) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[footerKey(info)]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*footerEntry).md
}

func (c *Footers) put(info storage.ObjectInfo, md *metadata.FileMetaData) {
	if c == nil || md == nil || !cacheable(info) {
		return
	}
	size := int64(md.Size()) + 256
	if size > c.max/4 {
		return // one footer must not push out everything else
	}
	k := footerKey(info)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; ok {
		return
	}
	c.byKey[k] = c.lru.PushFront(&footerEntry{key: k, md: md, size: size})
	c.used += size
	c.evict()
}

// ranges returns fill's folding of the statistics of info's footer for
// a dataset of signature sig, kept with the footer while it is cached
// (fill runs outside the lock; two callers at once may both run it).
func (c *Footers) ranges(info storage.ObjectInfo, sig string, fill func() fileRanges) fileRanges {
	if c == nil || !cacheable(info) {
		return fill()
	}
	k := footerKey(info)
	c.mu.Lock()
	if el, ok := c.byKey[k]; ok {
		if r, ok := el.Value.(*footerEntry).ranges[sig]; ok {
			c.mu.Unlock()
			return r
		}
	}
	c.mu.Unlock()
	r := fill()
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[k]
	if !ok {
		return r
	}
	e := el.Value.(*footerEntry)
	if len(e.ranges) >= maxRangeSigs {
		return r
	}
	if e.ranges == nil {
		e.ranges = map[string]fileRanges{}
	}
	e.ranges[sig] = r
	extra := int64(len(sig)) + 96*int64(len(r.cols))
	e.size += extra
	c.used += extra
	c.evict()
	return r
}

// evict drops the least recently used footers until the cache fits its
// bound. c.mu is held.
func (c *Footers) evict() {
	for c.used > c.max {
		last := c.lru.Back()
		e := last.Value.(*footerEntry)
		c.lru.Remove(last)
		delete(c.byKey, e.key)
		c.used -= e.size
	}
}
