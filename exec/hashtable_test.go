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

// TestIntIndex checks the three modes (direct for a dense range, ranked
// for a bounded sparse one, hashed for keys spread over int64) against a
// map, with duplicate and NULL keys, and probes of absent keys inside and
// outside the range.
func TestIntIndex(t *testing.T) {
	for _, mode := range []string{"direct", "ranked", "hashed"} {
		rng := rand.New(rand.NewSource(5))
		n := 5000
		keys := make([]int64, n)
		nulls := make([]bool, n)
		for i := range keys {
			switch mode {
			case "direct":
				keys[i] = 1000 + rng.Int63n(3000)
			case "ranked":
				keys[i] = 1000 + rng.Int63n(400000)
			default:
				keys[i] = rng.Int63n(1<<40) - 1<<39
			}
			if mode != "direct" && i%3 == 0 {
				keys[i] = keys[i/2] // duplicates
			}
			nulls[i] = i%17 == 0
		}
		next := make([]int32, n)
		x := buildIntIndex(keys, nulls, next)
		got := "hashed"
		if x.hash == nil {
			got = "direct"
			if x.present != nil {
				got = "ranked"
			}
		}
		if got != mode {
			t.Fatalf("%s keys indexed in %s mode", mode, got)
		}
		want := map[int64][]int32{}
		for i, k := range keys {
			if !nulls[i] {
				want[k] = append(want[k], int32(i))
			}
		}
		for k, rows := range want {
			h, ok := x.Get(k)
			var got []int32
			for r := h; ok && r >= 0; r = next[r] {
				got = append(got, r)
			}
			if len(got) != len(rows) {
				t.Fatalf("%s key %d: rows %v, want %v", mode, k, got, rows)
			}
			for i := range got {
				if got[i] != rows[i] {
					t.Fatalf("%s key %d: rows %v, want %v (in row order)", mode, k, got, rows)
				}
			}
		}
		absent := []int64{-1 << 62, 999, 4000, 401001, 1 << 50}
		for i := 0; i < 2000; i++ {
			absent = append(absent, 1000+rng.Int63n(400000))
		}
		for _, k := range absent {
			if _, in := want[k]; !in {
				if _, ok := x.Get(k); ok {
					t.Fatalf("%s: Get(%d) found an absent key", mode, k)
				}
			}
		}
	}
}

func TestInt64TableReserveKeepsEntries(t *testing.T) {
	src := newInt64Table(0)
	for k := int64(0); k < 5000; k++ {
		src.Put(k*7, int32(k))
	}
	dst := newInt64Table(0)
	dst.Put(-1, 99)
	dst.reserve(dst.Len() + src.Len())
	slots := len(dst.slots)
	src.Each(func(k int64, v int32) { dst.Put(k, v) })
	if len(dst.slots) != slots {
		t.Errorf("grew after reserve: %d -> %d slots", slots, len(dst.slots))
	}
	if dst.Len() != 5001 {
		t.Fatalf("len %d", dst.Len())
	}
	for k := int64(0); k < 5000; k++ {
		if v, ok := dst.Get(k * 7); !ok || v != int32(k) {
			t.Fatalf("key %d: %d %v", k*7, v, ok)
		}
	}
	if v, ok := dst.Get(-1); !ok || v != 99 {
		t.Fatal("entry before reserve lost")
	}
}
