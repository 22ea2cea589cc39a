package parquet

import (
	"math/rand"
	"testing"
)

// TestUnpack checks unpack against a bit-by-bit reference for every
// width, run lengths that end inside and past the last group, and both
// output types.
func TestUnpack(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for width := 0; width <= 32; width++ {
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 127, 129, 1000, 1021, 5003} {
			run := make([]byte, (n*width+7)/8+rng.Intn(3))
			rng.Read(run)
			mask := uint64(1)<<width - 1
			want := make([]uint32, n)
			for j := range want {
				var v uint64
				for b := 0; b < width; b++ {
					bit := j*width + b
					if run[bit/8]>>(bit%8)&1 == 1 {
						v |= 1 << b
					}
				}
				want[j] = uint32(v)
			}
			got := make([]uint32, n)
			unpack(run, width, mask, got)
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("width %d, %d values: value %d is %d, want %d", width, n, j, got[j], want[j])
				}
			}
			if width <= 8 {
				got8 := make([]uint8, n)
				unpack(run, width, mask, got8)
				for j := range want {
					if uint32(got8[j]) != want[j] {
						t.Fatalf("width %d, %d values (uint8): value %d is %d, want %d", width, n, j, got8[j], want[j])
					}
				}
			}
		}
	}
}
