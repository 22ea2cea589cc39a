package types

import "math/bits"

// KeyBits is a set of integers as a bitmap over [Lo, Lo+64·len(Bits)):
// a join's build keys, as its join filter hands them to scans. Read-only
// once made; safe for concurrent use then.
type KeyBits struct {
	Lo   int64
	Bits []uint64
}

// Contains reports whether v is in the set.
func (k *KeyBits) Contains(v int64) bool {
	d := uint64(v) - uint64(k.Lo)
	if v < k.Lo || d/64 >= uint64(len(k.Bits)) {
		return false
	}
	return k.Bits[d/64]>>(d%64)&1 != 0
}

// AnyIn reports whether the set holds a value in [lo, hi] (true when
// the range is too wide to look at cheaply).
func (k *KeyBits) AnyIn(lo, hi int64) bool {
	end := k.Lo + int64(len(k.Bits))*64 - 1
	lo, hi = max(lo, k.Lo), min(hi, end)
	if lo > hi {
		return false
	}
	if uint64(hi)-uint64(lo) > 1<<16 {
		return true
	}
	for v := lo; v <= hi; {
		d := uint64(v - k.Lo)
		w := k.Bits[d/64] >> (d % 64)
		if w != 0 {
			return int64(bits.TrailingZeros64(w)) <= hi-v
		}
		v += 64 - int64(d%64)
	}
	return false
}

// Range is the smallest and largest value in the set; ok is false when
// it is empty.
func (k *KeyBits) Range() (lo, hi int64, ok bool) {
	first, last := -1, -1
	for i, w := range k.Bits {
		if w != 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return 0, 0, false
	}
	for i := len(k.Bits) - 1; i >= first; i-- {
		if k.Bits[i] != 0 {
			last = i
			break
		}
	}
	lo = k.Lo + int64(first)*64 + int64(bits.TrailingZeros64(k.Bits[first]))
	hi = k.Lo + int64(last)*64 + 63 - int64(bits.LeadingZeros64(k.Bits[last]))
	return lo, hi, true
}
