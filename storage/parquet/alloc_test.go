package parquet

import (
	"testing"
	"unsafe"
)

func TestPageAllocAligned(t *testing.T) {
	var a pageAlloc
	for _, n := range []int{1, 63, 64, 4097, 1 << 20} {
		b := a.Allocate(n)
		if len(b) != n || cap(b) != n {
			t.Fatalf("Allocate(%d): len %d cap %d", n, len(b), cap(b))
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b))); p%pageAlign != 0 {
			t.Fatalf("Allocate(%d) at %#x, not %d-byte aligned", n, p, pageAlign)
		}
		for i := range b {
			b[i] = byte(i)
		}
		g := a.Reallocate(2*n+1, b)
		if len(g) != 2*n+1 {
			t.Fatalf("Reallocate: len %d", len(g))
		}
		for i := 0; i < n; i++ {
			if g[i] != byte(i) {
				t.Fatalf("Reallocate lost byte %d", i)
			}
		}
		if s := a.Reallocate(n/2+1, g); len(s) != n/2+1 || &s[0] != &g[0] {
			t.Fatalf("shrinking Reallocate moved or mis-sized the buffer")
		}
	}
}
