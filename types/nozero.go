package types

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// mallocgc is the runtime's allocator. Its linkname is one the Go team
// keeps for outside packages (runtime/malloc.go, go.dev/issue/67401); it
// is the only way to allocate without zeroing.
//
//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer

// noZeroMin is the size below which zeroing costs less than it is worth
// avoiding.
const noZeroMin = 4 << 10

// NoZero returns a slice of n values whose memory is not zeroed: it may
// hold what an earlier, freed object left there. Only for buffers whose
// every element the caller writes before anything reads it (a decoder's
// output, a gather, a kernel's result); Go's zeroing of the fresh buffers
// of each batch was a tenth to a quarter of the executor's profiles. The
// element types hold no pointers, so the collector never scans the
// memory.
func NoZero[E arrow.FixedWidthType](n int) []E {
	var zero E
	size := uintptr(n) * unsafe.Sizeof(zero)
	if n <= 0 || size < noZeroMin {
		return make([]E, n)
	}
	p := mallocgc(size, nil, false)
	return unsafe.Slice((*E)(p), n)
}
