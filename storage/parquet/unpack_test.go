package parquet

import (
	"encoding/binary"
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

// hybridRuns encodes vals in Parquet's RLE / bit-packed hybrid form at
// width bits, alternating RLE runs (of a repeated value) and bit-packed
// runs as vals allows, after the width byte.
func hybridRuns(vals []uint32, width int) []byte {
	out := []byte{byte(width)}
	vb := (width + 7) / 8
	for i := 0; i < len(vals); {
		j := i
		for j < len(vals) && vals[j] == vals[i] {
			j++
		}
		if j-i >= 8 || len(vals)-i < 8 {
			// an RLE run (also the tail shorter than a group)
			out = binary.AppendUvarint(out, uint64(j-i)<<1)
			for b := 0; b < vb; b++ {
				out = append(out, byte(vals[i]>>(8*b)))
			}
			i = j
			continue
		}
		g := min((len(vals)-i)/8, 3) // up to three groups bit-packed
		out = binary.AppendUvarint(out, uint64(g)<<1|1)
		packed := make([]byte, g*width)
		for k := 0; k < g*8; k++ {
			for b := 0; b < width; b++ {
				if vals[i+k]>>b&1 == 1 {
					bit := k*width + b
					packed[bit/8] |= 1 << (bit % 8)
				}
			}
		}
		out = append(out, packed...)
		i += g * 8
	}
	return out
}

// pickHybridRows picks the same values as decoding every index and
// picking from them, over RLE and bit-packed runs of every width, and
// fails cleanly on an index past the dictionary or data cut short.
func TestPickHybridRows(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for width := 0; width <= 20; width++ {
		nd := 1 << width
		dict := make([]int64, nd)
		for i := range dict {
			dict[i] = rng.Int63()
		}
		for _, n := range []int{1, 8, 100, 1001} {
			vals := make([]uint32, n)
			for i := range vals {
				if i > 0 && rng.Intn(3) == 0 {
					vals[i] = vals[i-1] // repeats make RLE runs
				} else {
					vals[i] = uint32(rng.Intn(nd))
				}
			}
			data := hybridRuns(vals, width)
			dec := make([]uint32, n)
			if _, err := indicesInto(data, dec); err != nil {
				t.Fatal(err)
			}
			for i := range vals {
				if dec[i] != vals[i] {
					t.Fatalf("width %d: encoder and decoder disagree at %d", width, i)
				}
			}
			const base = 1000
			var rows []int32
			for r := 0; r < n; r++ {
				if rng.Intn(5) == 0 || r == n-1 {
					rows = append(rows, int32(base+r))
				}
			}
			out := make([]int64, len(rows)+3)
			val := validity{rows: int64(len(out))}
			put, err := pickHybridRows(data, n, rows, base, 3, dict, out, &val)
			if err != nil || put != int64(3+len(rows)) {
				t.Fatalf("width %d, %d values: put %d, %v", width, n, put, err)
			}
			for k, r := range rows {
				if want := dict[vals[int(r)-base]]; out[3+k] != want {
					t.Fatalf("width %d, %d values: row %d is %d, want %d", width, n, r, out[3+k], want)
				}
			}
			if _, err := pickHybridRows(data[:len(data)/2], n, rows, base, 0, dict, out, &val); err == nil && len(data) > 4 {
				t.Errorf("width %d, %d values: data cut short read without an error", width, n)
			}
			if width > 0 {
				if _, err := pickHybridRows(data, n, rows, base, 0, dict[:nd/2], out, &val); err == nil {
					// some picked index may lie below nd/2 only by chance
					for _, r := range rows {
						if int(vals[int(r)-base]) >= nd/2 {
							t.Fatalf("width %d: index past the dictionary read without an error", width)
						}
					}
				}
			}
		}
	}
}
