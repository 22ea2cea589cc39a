package parquet

import (
	"math/rand/v2"
	"testing"
)

// The page reader's kernels: RLE / bit-packed index decoding and the
// dictionary gather (go test -bench . ./storage/parquet).

func BenchmarkDecodeHybrid(b *testing.B) {
	for _, width := range []int{1, 4, 12, 20} {
		b.Run("width="+string(rune('0'+width/10))+string(rune('0'+width%10)), func(b *testing.B) {
			const n = 1 << 16
			vals := make([]uint32, n)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range vals {
				vals[i] = uint32(r.IntN(1 << width))
			}
			enc := appendHybrid(nil, vals, width)
			out := make([]uint32, n)
			b.SetBytes(n * 4)
			b.ResetTimer()
			for range b.N {
				if err := decodeHybrid(enc, width, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGather(b *testing.B) {
	const n = 1 << 16
	dict := make([]int64, 1<<12)
	idx := make([]uint32, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range idx {
		idx[i] = uint32(r.IntN(len(dict)))
	}
	dst := make([]int64, n)
	b.SetBytes(n * 8)
	for range b.N {
		if err := gather(dst, dict, idx); err != nil {
			b.Fatal(err)
		}
	}
}
