package types

import "testing"

func TestKeyBits(t *testing.T) {
	k := &KeyBits{Lo: -70, Bits: make([]uint64, 4)} // [-70, 185]
	for _, v := range []int64{-70, -3, 63, 64, 185} {
		k.Bits[uint64(v+70)/64] |= 1 << (uint64(v+70) % 64)
	}
	for v := int64(-200); v <= 300; v++ {
		want := v == -70 || v == -3 || v == 63 || v == 64 || v == 185
		if k.Contains(v) != want {
			t.Fatalf("Contains(%d) = %v", v, !want)
		}
	}
	for _, c := range []struct {
		lo, hi int64
		want   bool
	}{
		{-100, -71, false}, {-100, -70, true}, {-69, -4, false}, {-4, -3, true},
		{-2, 62, false}, {65, 184, false}, {65, 185, true}, {186, 1000, false},
		{-1 << 40, 1 << 40, true}, {10, 5, false},
	} {
		if got := k.AnyIn(c.lo, c.hi); got != c.want {
			t.Errorf("AnyIn(%d, %d) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}

func TestKeyBitsRange(t *testing.T) {
	k := &KeyBits{Lo: -70, Bits: make([]uint64, 5)}
	if _, _, ok := k.Range(); ok {
		t.Fatal("empty set has a range")
	}
	for _, v := range []int64{-3, 100, 17, 181} {
		d := uint64(v - k.Lo)
		k.Bits[d/64] |= 1 << (d % 64)
	}
	if lo, hi, ok := k.Range(); !ok || lo != -3 || hi != 181 {
		t.Fatalf("Range = %d, %d, %v; want -3, 181", lo, hi, ok)
	}
}
