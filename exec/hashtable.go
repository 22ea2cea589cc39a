package exec

import "math/bits"

// int64Table maps int64 keys to non-negative int32 values (a row or a
// group number) with open addressing and linear probing over two flat
// slices. Against Go's map it saves the per-entry indirection and hashes
// with one multiply, which matters on the hot path of every integer-keyed
// join and aggregation. Not safe for concurrent writes; concurrent reads
// of a table no one writes are safe (join probes share the build table).
type int64Table struct {
	// a key and its value share a slot, so a probe touches one cache
	// line, not one in each of two arrays
	slots []slot64
	shift uint // 64 - log2(len(slots))
	n     int
}

type slot64 struct {
	key int64
	val int32 // -1 = empty
}

// newInt64Table sizes the table for about hint entries at load ≤ 1/2.
func newInt64Table(hint int) *int64Table {
	t := &int64Table{}
	t.alloc(max(16, hint*2))
	return t
}

func (t *int64Table) alloc(slots int) {
	lg := bits.Len(uint(slots - 1))
	size := 1 << lg
	t.slots = make([]slot64, size)
	for i := range t.slots {
		t.slots[i].val = -1
	}
	t.shift = uint(64 - lg)
}

// slot is Fibonacci hashing: the multiply mixes every key bit into the
// high bits, so dense and strided keys alike spread over the table.
func (t *int64Table) slot(k int64) int {
	return int((uint64(k) * 0x9E3779B97F4A7C15) >> t.shift)
}

// Get returns the value stored for k.
func (t *int64Table) Get(k int64) (int32, bool) {
	slots := t.slots
	mask := len(slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &slots[i]
		if s.val < 0 {
			return 0, false
		}
		if s.key == k {
			return s.val, true
		}
	}
}

// Put stores v for k and returns the value it replaced (-1 if none).
func (t *int64Table) Put(k int64, v int32) int32 {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	slots := t.slots
	mask := len(slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &slots[i]
		old := s.val
		if old < 0 {
			s.key, s.val = k, v
			t.n++
			return -1
		}
		if s.key == k {
			s.val = v
			return old
		}
	}
}

// GetOrPut returns k's value, storing v first if k is absent (added
// reports that).
func (t *int64Table) GetOrPut(k int64, v int32) (got int32, added bool) {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	slots := t.slots
	mask := len(slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &slots[i]
		if s.val < 0 {
			s.key, s.val = k, v
			t.n++
			return v, true
		}
		if s.key == k {
			return s.val, false
		}
	}
}

// Len is the number of keys.
func (t *int64Table) Len() int { return t.n }

// Each calls f for every entry, in no particular order.
func (t *int64Table) Each(f func(k int64, v int32)) {
	for _, s := range t.slots {
		if s.val >= 0 {
			f(s.key, s.val)
		}
	}
}

// Bytes is the table's memory, for accounting.
func (t *int64Table) Bytes() int64 { return int64(len(t.slots)) * 16 }

func (t *int64Table) grow() {
	old := t.slots
	t.alloc(len(old) * 2)
	t.n = 0
	for _, s := range old {
		if s.val >= 0 {
			t.Put(s.key, s.val)
		}
	}
}
