package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDiskCache(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := make([]byte, 3*DefaultCacheBlock+12345)
	rand.Read(data)
	obj := filepath.Join(dir, "obj.bin")
	if err := os.WriteFile(obj, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cdir := filepath.Join(dir, "cache")
	c, err := OpenDiskCache(cdir, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	read := func(c *DiskCache, off, n int64) (got []byte, fetched int64) {
		var st ScanStats
		f, err := Local{}.Open(ctx, obj)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cf := c.Wrap(Counted(f, &st))
		got = make([]byte, n)
		if m, err := cf.ReadAt(got, off); int64(m) != min(n, int64(len(data))-off) || (err != nil && m == int(n)) {
			t.Fatalf("ReadAt(%d, %d) = %d, %v", off, n, m, err)
		}
		return got, st.BytesRead.Load()
	}
	off, n := int64(DefaultCacheBlock-100), int64(DefaultCacheBlock+500) // spans blocks 0..2
	got, fetched := read(c, off, n)
	if !bytes.Equal(got, data[off:off+n]) || fetched != 3*DefaultCacheBlock {
		t.Fatalf("first read: fetched %d, equal %v", fetched, bytes.Equal(got, data[off:off+n]))
	}
	got, fetched = read(c, off+10, n-20)
	if !bytes.Equal(got, data[off+10:off+n-10]) || fetched != 0 {
		t.Fatalf("second read fetched %d bytes", fetched)
	}
	// the tail block is short; a read past the end returns what there is
	got, _ = read(c, int64(len(data))-10, 100)
	if !bytes.Equal(got[:10], data[len(data)-10:]) {
		t.Fatal("tail read")
	}
	// a restart keeps the blocks
	c2, err := OpenDiskCache(cdir, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, fetched := read(c2, off, n); fetched != 0 || c2.Used() != c.Used() {
		t.Fatalf("after reopening: fetched %d, used %d vs %d", fetched, c2.Used(), c.Used())
	}
	// a replaced object has another ETag: never served stale
	time.Sleep(10 * time.Millisecond)
	data2 := bytes.Repeat([]byte{7}, len(data))
	if err := os.WriteFile(obj, data2, 0o644); err != nil {
		t.Fatal(err)
	}
	got, fetched = read(c2, off, n)
	if !bytes.Equal(got, data2[off:off+n]) || fetched == 0 {
		t.Fatalf("replaced object: fetched %d, stale %v", fetched, bytes.Equal(got, data[off:off+n]))
	}
	// the bound: a small cache keeps at most its size
	small, err := OpenDiskCache(filepath.Join(dir, "small"), 2*DefaultCacheBlock)
	if err != nil {
		t.Fatal(err)
	}
	read(small, 0, int64(len(data)))
	if small.Used() > 2*DefaultCacheBlock {
		t.Fatalf("cache holds %d bytes over its bound", small.Used())
	}
}

// memFile is an object in memory under an s3:// name, counting reads.
type memFile struct {
	data  []byte
	reads int
}

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	m.reads++
	return bytes.NewReader(m.data).ReadAt(p, off)
}
func (m *memFile) Close() error { return nil }
func (m *memFile) Size() int64  { return int64(len(m.data)) }
func (m *memFile) Info() ObjectInfo {
	return ObjectInfo{Path: "s3://b/k", Size: int64(len(m.data)), ETag: "e"}
}

// Sequential reads of an object cost one request per window, and a
// reader that stops near its limit fetches little past it.
func TestSequential(t *testing.T) {
	data := make([]byte, 10<<20)
	rand.Read(data)
	m := &memFile{data: data}
	f := SequentialUntil(m, 4<<20, 6<<20)
	var got []byte
	buf := make([]byte, 1<<20)
	for off := int64(0); off < 7<<20; off += int64(len(buf)) {
		n, err := f.ReadAt(buf, off)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, data[:7<<20]) {
		t.Fatal("wrong bytes")
	}
	// windows [0,4) and [4,6) MiB, then 1 MiB reads past the limit
	if m.reads != 3 {
		t.Fatalf("%d reads", m.reads)
	}
	if l := Sequential(&memFile{data: data[:10]}, 4); l == nil {
		t.Fatal("nil")
	}
}

// A cached file keeps its cache file open across reads; Holds tells a
// reader which ranges are on disk; an eviction between two reads of one
// open file neither serves the evicted file's holes nor fails the read.
func TestDiskCacheHoldsAndEviction(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bs := int64(DefaultCacheBlock)
	mk := func(name string, n int64) ([]byte, string) {
		data := make([]byte, n)
		rand.Read(data)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return data, p
	}
	a, pa := mk("a.bin", 3*bs)
	b, pb := mk("b.bin", 3*bs)
	c, err := OpenDiskCache(filepath.Join(dir, "cache"), 3*bs) // room for one object
	if err != nil {
		t.Fatal(err)
	}
	open := func(p string) File {
		f, err := Local{}.Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return c.Wrap(f)
	}
	fa := open(pa)
	defer fa.Close()
	h, ok := fa.(RangeHolder)
	if !ok {
		t.Fatal("a cached file is not a RangeHolder")
	}
	first, rest := []Range{{Off: 10, Len: bs}}, []Range{{Off: 2 * bs, Len: 10}}
	if h.Holds(first) {
		t.Fatal("Holds before any read")
	}
	lender, ok := fa.(ByteLender)
	if !ok {
		t.Fatal("a cached file is not a ByteLender")
	}
	if _, ok := lender.Bytes(10, bs); ok {
		t.Fatal("Bytes lent a range never fetched")
	}
	buf := make([]byte, bs)
	if _, err := fa.ReadAt(buf, 10); err != nil || !bytes.Equal(buf, a[10:10+bs]) {
		t.Fatalf("read a: %v", err)
	}
	if !h.Holds(first) || h.Holds(rest) {
		t.Fatalf("Holds(read) = %v, Holds(unread) = %v", h.Holds(first), h.Holds(rest))
	}
	// a held range is lent from the mapped cache file, an unheld one is not
	lent, ok := lender.Bytes(10, bs)
	if !ok || !bytes.Equal(lent, a[10:10+bs]) {
		t.Fatalf("Bytes of a held range: ok %v, equal %v", ok, ok && bytes.Equal(lent, a[10:10+bs]))
	}
	if _, ok := lender.Bytes(2*bs, 10); ok {
		t.Fatal("Bytes lent a range not held")
	}
	// b fills the cache and evicts a while fa stays open
	fb := open(pb)
	if _, err := fb.ReadAt(make([]byte, 3*bs), 0); err != nil {
		t.Fatal(err)
	}
	fb.Close()
	if h.Holds(first) {
		t.Fatal("Holds after eviction")
	}
	// bytes lent before the eviction keep their content (the evicted
	// file is unlinked, not truncated); nothing is lent from it after
	if !bytes.Equal(lent, a[10:10+bs]) {
		t.Fatal("bytes lent before an eviction changed")
	}
	if _, ok := lender.Bytes(10, 100); ok {
		t.Fatal("Bytes lent from an evicted entry")
	}
	for _, off := range []int64{10, 2 * bs} {
		if _, err := fa.ReadAt(buf[:100], off); err != nil || !bytes.Equal(buf[:100], a[off:off+100]) {
			t.Fatalf("read a at %d after eviction: %v", off, err)
		}
	}
	if _, err := open(pb).ReadAt(buf[:100], bs); err != nil || !bytes.Equal(buf[:100], b[bs:bs+100]) {
		t.Fatalf("read b: %v", err)
	}
}
