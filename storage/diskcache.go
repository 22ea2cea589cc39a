package storage

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// DiskCache keeps ranges of objects on local disk, in blocks, so that a
// query reading an S3 object again reads the disk instead: beyond Athena,
// which reads S3 anew for every query. Blocks are keyed by the object's
// path and ETag, so a replaced object (another ETag) is never served
// stale; an object without an ETag is not cached. The cache is bounded
// by its bytes, the least recently used blocks removed first, and it
// survives restarts (the index is rebuilt from the folder at open).
// Safe for concurrent use, within one process.
type DiskCache struct {
	dir   string
	max   int64
	block int64

	mu    sync.Mutex
	used  int64
	lru   *list.List // of *cacheBlock, most recent first
	index map[string]*list.Element

	Hits, Misses atomic.Int64 // blocks served from disk / fetched
}

type cacheBlock struct {
	key  string // "<object hash>/<block index>"
	size int64
}

// DefaultCacheBlock is the unit the cache fetches and keeps.
const DefaultCacheBlock = 1 << 20

// OpenDiskCache opens (or creates) a cache in dir of at most maxBytes.
func OpenDiskCache(dir string, maxBytes int64) (*DiskCache, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cache folder %s: %w", dir, err)
	}
	c := &DiskCache{dir: dir, max: maxBytes, block: DefaultCacheBlock, lru: list.New(), index: map[string]*list.Element{}}
	type found struct {
		key  string
		size int64
		mod  int64
	}
	var blocks []found
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if filepath.Base(rel)[0] == '.' { // a block being written when the process stopped
			os.Remove(p)
			return nil
		}
		if info, err := d.Info(); err == nil {
			blocks = append(blocks, found{filepath.ToSlash(rel), info.Size(), info.ModTime().UnixNano()})
		}
		return nil
	})
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].mod > blocks[j].mod })
	for _, b := range blocks {
		c.index[b.key] = c.lru.PushBack(&cacheBlock{key: b.key, size: b.size})
		c.used += b.size
	}
	c.mu.Lock()
	c.evictLocked()
	c.mu.Unlock()
	return c, nil
}

// Wrap returns f reading through the cache (f itself when it has no ETag).
func (c *DiskCache) Wrap(f File) File {
	info := f.Info()
	if c == nil || info.ETag == "" {
		return f
	}
	h := sha256.Sum256([]byte(info.Path + "\x00" + info.ETag))
	id := hex.EncodeToString(h[:12])
	return &cachedFile{File: f, c: c, id: id[:2] + "/" + id}
}

func (c *DiskCache) path(key string) string { return filepath.Join(c.dir, filepath.FromSlash(key)) }

// get reads a block into buf if the cache has it.
func (c *DiskCache) get(key string, buf []byte) bool {
	c.mu.Lock()
	el, ok := c.index[key]
	if ok {
		c.lru.MoveToFront(el)
	}
	c.mu.Unlock()
	if !ok {
		return false
	}
	f, err := os.Open(c.path(key))
	if err != nil {
		c.drop(key)
		return false
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err != nil || n != len(buf) {
		c.drop(key) // short or damaged: fetch it again
		return false
	}
	return true
}

func (c *DiskCache) drop(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[key]; ok {
		c.used -= el.Value.(*cacheBlock).size
		c.lru.Remove(el)
		delete(c.index, key)
	}
	os.Remove(c.path(key))
}

// put stores a block (a failure to write only costs a later fetch).
func (c *DiskCache) put(key string, data []byte) {
	if int64(len(data)) > c.max {
		return
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".block-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(data)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
		os.Remove(tmp.Name())
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.index[key]; ok {
		return
	}
	c.index[key] = c.lru.PushFront(&cacheBlock{key: key, size: int64(len(data))})
	c.used += int64(len(data))
	c.evictLocked()
}

func (c *DiskCache) evictLocked() {
	for c.used > c.max && c.lru.Len() > 0 {
		el := c.lru.Back()
		b := el.Value.(*cacheBlock)
		c.lru.Remove(el)
		delete(c.index, b.key)
		c.used -= b.size
		os.Remove(c.path(b.key))
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
}

// ReadAt serves the blocks the cache has and fetches each run of missing
// blocks with one read of the object.
func (f *cachedFile) ReadAt(p []byte, off int64) (int, error) {
	size := f.Size()
	if off >= size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), size)
	bs := f.c.block
	first, last := off/bs, (end-1)/bs
	blocks := make([][]byte, last-first+1)
	blockLen := func(b int64) int64 { return min(bs, size-b*bs) }
	for b := first; b <= last; {
		buf := make([]byte, blockLen(b))
		if f.c.get(f.id+"/"+strconv.FormatInt(b, 10), buf) {
			f.c.Hits.Add(1)
			blocks[b-first] = buf
			b++
			continue
		}
		// a run of missing blocks: one read
		run := b
		for run+1 <= last && !f.has(run+1) {
			run++
		}
		start, stop := b*bs, min((run+1)*bs, size)
		data := make([]byte, stop-start)
		n, err := f.File.ReadAt(data, start)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == stop-start) {
			return 0, err
		}
		for k := b; k <= run; k++ {
			chunk := data[(k-b)*bs : (k-b)*bs+blockLen(k)]
			f.c.Misses.Add(1)
			f.c.put(f.id+"/"+strconv.FormatInt(k, 10), chunk)
			blocks[k-first] = chunk
		}
		b = run + 1
	}
	n := 0
	for i, blk := range blocks {
		bStart := (first + int64(i)) * bs
		lo := max(off, bStart) - bStart
		hi := min(end, bStart+int64(len(blk))) - bStart
		n += copy(p[n:], blk[lo:hi])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *cachedFile) has(b int64) bool {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	_, ok := f.c.index[f.id+"/"+strconv.FormatInt(b, 10)]
	return ok
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
	if cl, ok := c.FileSystem.(interface{ Close() error }); ok {
		return cl.Close()
	}
	return nil
}
