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
