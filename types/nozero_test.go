package types

import (
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

func TestNoZero(t *testing.T) {
	for _, n := range []int{0, 1, 100, noZeroMin, 1 << 20} {
		s := NoZero[int64](n)
		if len(s) != n || cap(s) < n {
			t.Fatalf("NoZero(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i := range s {
			s[i] = int64(i)
		}
		for i, v := range s {
			if v != int64(i) {
				t.Fatalf("NoZero(%d)[%d] = %d after writing %d", n, i, v, i)
			}
		}
	}
	// small buffers come from make: zeroed
	for _, v := range NoZero[int32](16) {
		if v != 0 {
			t.Fatalf("a small NoZero buffer is not zeroed: %d", v)
		}
	}
	// the memory stays valid across collections (noscan, referenced)
	keep := make([][]decimal128.Num, 0, 64)
	for i := 0; i < 64; i++ {
		s := NoZero[decimal128.Num](8192)
		for j := range s {
			s[j] = decimal128.FromI64(int64(i*8192 + j))
		}
		keep = append(keep, s)
		if i%16 == 0 {
			runtime.GC()
		}
	}
	runtime.GC()
	for i, s := range keep {
		for j, v := range s {
			if v != decimal128.FromI64(int64(i*8192+j)) {
				t.Fatalf("buffer %d value %d changed after GC", i, j)
			}
		}
	}
}
