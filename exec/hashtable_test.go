package exec

import (
	"math/rand"
	"testing"
)

func TestInt64Table(t *testing.T) {
	tab := newInt64Table(0)
	ref := map[int64]int32{}
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 100000; i++ {
		var k int64
		switch i % 3 {
		case 0:
			k = int64(i) // dense
		case 1:
			k = rng.Int63() - rng.Int63() // anywhere, negatives too
		default:
			k = int64(i%977) << 32 // only high bits differ
		}
		v := int32(rng.Intn(1 << 30))
		old := tab.Put(k, v)
		if want, ok := ref[k]; ok != (old >= 0) || (ok && want != old) {
			t.Fatalf("Put(%d) replaced %d, want %d (present %v)", k, old, want, ok)
		}
		ref[k] = v
	}
	if tab.Len() != len(ref) {
		t.Fatalf("Len %d, want %d", tab.Len(), len(ref))
	}
	for k, v := range ref {
		if got, ok := tab.Get(k); !ok || got != v {
			t.Fatalf("Get(%d) = %d,%v want %d", k, got, ok, v)
		}
	}
	for i := 0; i < 1000; i++ {
		k := rng.Int63()
		if _, in := ref[k]; !in {
			if _, ok := tab.Get(k); ok {
				t.Fatalf("Get(%d) found a key never put", k)
			}
		}
	}
	seen := 0
	tab.Each(func(k int64, v int32) {
		if ref[k] != v {
			t.Fatalf("Each: %d→%d, want %d", k, v, ref[k])
		}
		seen++
	})
	if seen != len(ref) {
		t.Fatalf("Each saw %d entries, want %d", seen, len(ref))
	}
	if g, added := tab.GetOrPut(3, 7); added || g != ref[3] {
		t.Fatalf("GetOrPut existing = %d,%v", g, added)
	}
	if g, added := tab.GetOrPut(-12345678901, 9); !added || g != 9 {
		t.Fatalf("GetOrPut new = %d,%v", g, added)
	}
}
