package exec

import (
	"math/rand/v2"
	"testing"
)

// A dense table answers like a hashed one whatever its keys: small and
// in order, sparse, negative, huge — switching to hashing at the first
// key it cannot index, and keeping every entry when it does.
func TestInt64TableDense(t *testing.T) {
	cases := map[string][]int64{
		"codes":    nil,
		"sparse":   nil,
		"negative": {3, 7, -1, 5},
		"huge":     {1, 2, 1 << 40, 3},
		"late":     nil,
	}
	for i := 0; i < 5000; i++ {
		cases["codes"] = append(cases["codes"], int64(i%700))
		cases["sparse"] = append(cases["sparse"], int64(rand.IntN(1<<20)))
		k := int64(i)
		if i == 4000 {
			k = 1 << 30
		}
		cases["late"] = append(cases["late"], k)
	}
	for name, keys := range cases {
		d, h := newDenseInt64Table(), newInt64Table(0)
		for i, k := range keys {
			g1, a1 := d.GetOrPut(k, int32(i))
			g2, a2 := h.GetOrPut(k, int32(i))
			if g1 != g2 || a1 != a2 {
				t.Fatalf("%s: key %d: dense (%d, %v), hashed (%d, %v)", name, k, g1, a1, g2, a2)
			}
		}
		if d.Len() != h.Len() {
			t.Fatalf("%s: %d entries, want %d", name, d.Len(), h.Len())
		}
		seen := 0
		d.Each(func(k int64, v int32) {
			seen++
			if w, ok := h.Get(k); !ok || w != v {
				t.Fatalf("%s: Each gave %d → %d, hashed has %d (%v)", name, k, v, w, ok)
			}
			if g, ok := d.Get(k); !ok || g != v {
				t.Fatalf("%s: Get(%d) = %d, %v", name, k, g, ok)
			}
		})
		if seen != h.Len() {
			t.Fatalf("%s: Each saw %d of %d", name, seen, h.Len())
		}
		if _, ok := d.Get(-5); ok {
			t.Fatalf("%s: an absent key found", name)
		}
		if old := d.Put(keys[0], 99); old < 0 {
			t.Fatalf("%s: Put over a held key returned %d", name, old)
		}
		if g, _ := d.Get(keys[0]); g != 99 {
			t.Fatalf("%s: Put did not replace: %d", name, g)
		}
	}
	if d := newDenseInt64Table(); true {
		d.GetOrPut(1<<40, 0)
		if d.isDense {
			t.Fatal("a key past the dense bound left the table dense")
		}
	}
}
