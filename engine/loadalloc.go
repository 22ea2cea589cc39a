package engine

import (
	"math/bits"
	"sync"
)

// bufPool is an arrow memory.Allocator whose freed buffers go back to
// pools by size class for the next batch's builders. A load builds the
// same columns batch after batch, and every batch's buffers were fresh:
// 2.25 GB allocated for SF 1 lineitem, the collector running every 70
// ms and competing with the slices for the cores. Buffers come back
// zeroed, as Go's allocator gives them (builders set validity bits and
// never clear them). A buffer must not be used after its array's last
// Release. Safe for concurrent use.
type bufPool struct {
	pools [bufClasses]sync.Pool // of *[]byte, cap 1<<class
}

// bufClasses: buffers up to 1<<(bufClasses-1) bytes are pooled.
const bufClasses = 31

func bufClass(size int) int { return bits.Len(uint(size - 1)) }

// Allocate implements memory.Allocator.
func (p *bufPool) Allocate(size int) []byte {
	if size <= 0 {
		return []byte{}
	}
	c := bufClass(size)
	if c >= bufClasses {
		return make([]byte, size)
	}
	if b, ok := p.pools[c].Get().(*[]byte); ok {
		buf := (*b)[:cap(*b)]
		clear(buf)
		return buf[:size]
	}
	return make([]byte, size, 1<<c)
}

// Reallocate implements memory.Allocator: the bytes beyond b's length
// up to its capacity are zero (Allocate cleared them), as a builder
// growing in place expects.
func (p *bufPool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free implements memory.Allocator; buffers not made here are left to
// the collector.
func (p *bufPool) Free(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	k := bufClass(c)
	if k >= bufClasses {
		return
	}
	b = b[:0]
	p.pools[k].Put(&b)
}
