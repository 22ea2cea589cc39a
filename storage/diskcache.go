package storage

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// DiskCache keeps ranges of objects on local disk so that a query
// reading an S3 object again reads the disk instead: beyond Athena,
// which reads S3 anew for every query. Each object is one sparse file of
// its size, filled in 1 MiB blocks as they are fetched (a read of cached
// ranges is one pread), beside an index of the blocks present. Objects
// are keyed by path and ETag, so a replaced object (another ETag) is
// never served stale; an object without an ETag is not cached. The cache
// is bounded by the bytes it holds, the least recently used objects
// removed first, and it survives restarts. Safe for concurrent use
// within one process.
type DiskCache struct {
	dir   string
	max   int64
	block int64

	mu   sync.Mutex
	used int64
	objs map[string]*cacheObj
	lru  *list.List // of *cacheObj, most recent first

	Hits, Misses atomic.Int64 // blocks served from disk / fetched
}

type cacheObj struct {
	id      string
	size    int64
	present map[int64]bool // guarded by DiskCache.mu
	bytes   int64          // of the present blocks
	el      *list.Element
	gone    bool // evicted: its files are removed
}

// DefaultCacheBlock is the unit the cache fetches and keeps.
const DefaultCacheBlock = 1 << 20

// OpenDiskCache opens (or creates) a cache in dir of at most maxBytes.
func OpenDiskCache(dir string, maxBytes int64) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache folder %s: %w", dir, err)
	}
	c := &DiskCache{dir: dir, max: maxBytes, block: DefaultCacheBlock, objs: map[string]*cacheObj{}, lru: list.New()}
	idx, _ := filepath.Glob(filepath.Join(dir, "*", "*.idx"))
	type found struct {
		o   *cacheObj
		mod int64
	}
	var all []found
	for _, p := range idx {
		id := strings.TrimSuffix(filepath.Base(p), ".idx")
		st, err := os.Stat(c.dataPath(id))
		raw, rerr := os.ReadFile(p)
		ist, ierr := os.Stat(p)
		if err != nil || rerr != nil || ierr != nil {
			c.removeFiles(id)
			continue
		}
		o := &cacheObj{id: id, size: st.Size(), present: map[int64]bool{}}
		for i := 0; i+8 <= len(raw); i += 8 { // a torn last entry is dropped
			b := int64(binary.LittleEndian.Uint64(raw[i:]))
			if b >= 0 && b*c.block < o.size && !o.present[b] {
				o.present[b] = true
				o.bytes += c.blockLen(o.size, b)
			}
		}
		all = append(all, found{o, ist.ModTime().UnixNano()})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod > all[j].mod })
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range all {
		f.o.el = c.lru.PushBack(f.o)
		c.objs[f.o.id] = f.o
		c.used += f.o.bytes
	}
	c.evictLocked(nil)
	return c, nil
}

func (c *DiskCache) blockLen(size, b int64) int64 { return min(c.block, size-b*c.block) }

func (c *DiskCache) dataPath(id string) string { return filepath.Join(c.dir, id[:2], id+".data") }
func (c *DiskCache) idxPath(id string) string  { return filepath.Join(c.dir, id[:2], id+".idx") }

func (c *DiskCache) removeFiles(id string) {
	os.Remove(c.dataPath(id))
	os.Remove(c.idxPath(id))
}

// Wrap returns f reading through the cache (f itself when it has no ETag).
func (c *DiskCache) Wrap(f File) File {
	info := f.Info()
	if c == nil || info.ETag == "" || info.Size <= 0 {
		return f
	}
	h := sha256.Sum256([]byte(info.Path + "\x00" + info.ETag))
	return &cachedFile{File: f, c: c, id: hex.EncodeToString(h[:12])}
}

// object returns the cache entry of an object, made (with its sparse file)
// on first use, and marks it most recently used.
func (c *DiskCache) object(id string, size int64) (*cacheObj, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.objs[id]; ok && o.size == size {
		c.lru.MoveToFront(o.el)
		return o, nil
	}
	if err := os.MkdirAll(filepath.Dir(c.dataPath(id)), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(c.dataPath(id), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	err = f.Truncate(size)
	f.Close()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(c.idxPath(id), nil, 0o644); err != nil {
		return nil, err
	}
	o := &cacheObj{id: id, size: size, present: map[int64]bool{}}
	o.el = c.lru.PushFront(o)
	c.objs[id] = o
	return o, nil
}

// missing lists the blocks of [first, last] not in o.
func (c *DiskCache) missing(o *cacheObj, first, last int64) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int64
	for b := first; b <= last; b++ {
		if !o.present[b] {
			out = append(out, b)
		}
	}
	return out
}

// store writes fetched blocks [b0, b1] (data starts at block b0) into o.
func (c *DiskCache) store(o *cacheObj, b0, b1 int64, data []byte) {
	c.mu.Lock()
	tooBig := o.bytes+int64(len(data)) > c.max
	c.mu.Unlock()
	if tooBig {
		return // an object past the whole cache's bound is read through
	}
	f, err := os.OpenFile(c.dataPath(o.id), os.O_WRONLY, 0)
	if err != nil {
		return
	}
	_, werr := f.WriteAt(data, b0*c.block)
	f.Close()
	if werr != nil {
		return
	}
	idx := make([]byte, 0, 8*(b1-b0+1))
	for b := b0; b <= b1; b++ {
		idx = binary.LittleEndian.AppendUint64(idx, uint64(b))
	}
	xf, err := os.OpenFile(c.idxPath(o.id), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	_, werr = xf.Write(idx)
	xf.Close()
	if werr != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if o.gone {
		return
	}
	for b := b0; b <= b1; b++ {
		if !o.present[b] {
			o.present[b] = true
			n := c.blockLen(o.size, b)
			o.bytes += n
			c.used += n
		}
	}
	c.evictLocked(o)
}

// evictLocked removes least recently used objects (keep last) while the
// cache holds more than its bound.
func (c *DiskCache) evictLocked(keep *cacheObj) {
	for el := c.lru.Back(); c.used > c.max && el != nil; {
		prev := el.Prev()
		o := el.Value.(*cacheObj)
		if o != keep {
			c.lru.Remove(el)
			delete(c.objs, o.id)
			c.used -= o.bytes
			o.gone = true
			c.removeFiles(o.id)
		}
		el = prev
	}
}

// Used reports the bytes the cache holds.
func (c *DiskCache) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

type cachedFile struct {
	File
	c  *DiskCache
	id string

	// the entry's data file, kept open across reads (a Parquet column
	// chunk is read page by page); reopened when the entry changes
	mu  sync.Mutex
	df  *os.File
	dfO *cacheObj

	// the entry's data file mapped into memory by Bytes (mapO its entry);
	// mappings of entries replaced meanwhile stay until Close, as bytes
	// lent from them may still be in use
	mapO   *cacheObj
	mapped []byte
	maps   [][]byte
}

// Close closes the cache's data file, unmaps what Bytes mapped and
// closes the object.
func (f *cachedFile) Close() error {
	f.mu.Lock()
	if f.df != nil {
		f.df.Close()
		f.df, f.dfO = nil, nil
	}
	for _, m := range f.maps {
		syscall.Munmap(m)
	}
	f.maps, f.mapped, f.mapO = nil, nil, nil
	f.mu.Unlock()
	return f.File.Close()
}

// Bytes implements ByteLender: a range whose blocks are all on disk is
// lent from the cache file mapped into memory, as a local file's is, so a
// warm cache reads like local disk (a pread per page copied what the
// page cache already held). The bytes stay valid until Close: an entry
// evicted meanwhile has its file unlinked, never truncated, so the
// mapping keeps the blocks it had.
func (f *cachedFile) Bytes(off, n int64) ([]byte, bool) {
	size := f.Size()
	if off < 0 || n <= 0 || off+n > size || int64(int(size)) != size {
		return nil, false
	}
	first, last := off/f.c.block, (off+n-1)/f.c.block
	o := f.c.current(f.id, first, last)
	if o == nil {
		return nil, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mapO != o {
		df, err := os.Open(f.c.dataPath(f.id))
		if err != nil {
			return nil, false
		}
		st, err := df.Stat()
		if err != nil || st.Size() != size {
			df.Close()
			return nil, false
		}
		m, err := syscall.Mmap(int(df.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		df.Close()
		if err != nil {
			return nil, false
		}
		// o still current after the open: the file opened was o's (an
		// entry once evicted never becomes current again)
		if f.c.current(f.id, first, last) != o {
			syscall.Munmap(m)
			return nil, false
		}
		f.maps = append(f.maps, m)
		f.mapO, f.mapped = o, m
	}
	f.c.Hits.Add(last - first + 1)
	return f.mapped[off : off+n : off+n], true
}

// dataFile returns o's data file, open.
func (f *cachedFile) dataFile(o *cacheObj) (*os.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.df != nil && f.dfO == o {
		return f.df, nil
	}
	if f.df != nil {
		f.df.Close()
		f.df, f.dfO = nil, nil
	}
	df, err := os.Open(f.c.dataPath(f.id))
	if err != nil {
		return nil, err
	}
	f.df, f.dfO = df, o
	return df, nil
}

// Holds implements RangeHolder: every block of the ranges is on disk now
// (a hint: a read still checks after it has read).
func (f *cachedFile) Holds(ranges []Range) bool {
	size := f.Size()
	for _, r := range ranges {
		if r.Len <= 0 || r.Off >= size {
			continue
		}
		end := min(r.Off+r.Len, size)
		if !f.c.holds(f.id, nil, r.Off/f.c.block, (end-1)/f.c.block) {
			return false
		}
	}
	return true
}

// ReadAt fetches each run of missing blocks with one read of the object,
// stores it, and reads the range from the object's cache file.
func (f *cachedFile) ReadAt(p []byte, off int64) (int, error) {
	size := f.Size()
	if off >= size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), size)
	o, err := f.c.object(f.id, size)
	if err != nil {
		return f.File.ReadAt(p, off) // no cache today: read through
	}
	bs := f.c.block
	first, last := off/bs, (end-1)/bs
	miss := f.c.missing(o, first, last)
	f.c.Hits.Add(last - first + 1 - int64(len(miss)))
	for i := 0; i < len(miss); {
		j := i
		for j+1 < len(miss) && miss[j+1] == miss[j]+1 {
			j++
		}
		b0, b1 := miss[i], miss[j]
		start, stop := b0*bs, min((b1+1)*bs, size)
		data := make([]byte, stop-start)
		n, err := f.File.ReadAt(data, start)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == stop-start) {
			return 0, err
		}
		f.c.Misses.Add(b1 - b0 + 1)
		f.c.store(o, b0, b1, data)
		i = j + 1
	}
	if df, err := f.dataFile(o); err == nil {
		n, rerr := df.ReadAt(p[:end-off], off)
		// checked after the read, against the very entry whose file was
		// read: a read racing an eviction (its file removed, a new empty
		// one made for the same object) is never taken for data
		if (rerr == nil || (errors.Is(rerr, io.EOF) && int64(n) == end-off)) && f.c.holds(f.id, o, first, last) {
			if n < len(p) {
				return n, io.EOF
			}
			return n, nil
		}
	}
	return f.File.ReadAt(p, off) // not stored (too big), or evicted meanwhile: read through
}

// current returns the cache's entry for id when it has every block of
// [first, last] (nil otherwise).
func (c *DiskCache) current(id string, first, last int64) *cacheObj {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.objs[id]
	if !ok || cur.gone {
		return nil
	}
	for b := first; b <= last; b++ {
		if !cur.present[b] {
			return nil
		}
	}
	return cur
}

// holds reports whether the cache's current entry for id — o itself
// when o is not nil — has every block of [first, last].
func (c *DiskCache) holds(id string, o *cacheObj, first, last int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.objs[id]
	if !ok || cur.gone || (o != nil && cur != o) {
		return false
	}
	for b := first; b <= last; b++ {
		if !cur.present[b] {
			return false
		}
	}
	return true
}

// CachedFS reads fsys's objects through a disk cache. Listings, stats
// and writes go to fsys unchanged.
type CachedFS struct {
	FileSystem
	Cache *DiskCache
}

// Open implements FileSystem.
func (c *CachedFS) Open(ctx context.Context, path string) (File, error) {
	f, err := c.FileSystem.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return c.Cache.Wrap(f), nil
}

// OpenInfo implements InfoOpener.
func (c *CachedFS) OpenInfo(ctx context.Context, info ObjectInfo) (File, error) {
	f, err := OpenInfo(ctx, c.FileSystem, info)
	if err != nil {
		return nil, err
	}
	return c.Cache.Wrap(f), nil
}

// Close closes the FileSystem under the cache if it has a Close.
func (c *CachedFS) Close() error {
	return closeFS(c.FileSystem)
}
