package exec

import "math/bits"

// int64Table maps int64 keys to non-negative int32 values (a row or a
// group number) with open addressing and linear probing over two flat
// slices. Against Go's map it saves the per-entry indirection and hashes
// with one multiply, which matters on the hot path of every integer-keyed
// join and aggregation. Not safe for concurrent writes; concurrent reads
// of a table no one writes are safe (join probes share the build table).
type int64Table struct {
	keys  []int64
	vals  []int32 // -1 = empty slot
	shift uint    // 64 - log2(len(keys))
	n     int
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
	t.keys = make([]int64, size)
	t.vals = make([]int32, size)
	for i := range t.vals {
		t.vals[i] = -1
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
	mask := len(t.keys) - 1
	keys, vals := t.keys, t.vals[:len(t.keys)]
	for i := t.slot(k); ; i = (i + 1) & mask {
		v := vals[i]
		if v < 0 {
			return 0, false
		}
		if keys[i] == k {
			return v, true
		}
	}
}

// Put stores v for k and returns the value it replaced (-1 if none).
func (t *int64Table) Put(k int64, v int32) int32 {
	if (t.n+1)*2 > len(t.keys) {
		t.grow()
	}
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		old := t.vals[i]
		if old < 0 {
			t.keys[i], t.vals[i] = k, v
			t.n++
			return -1
		}
		if t.keys[i] == k {
			t.vals[i] = v
			return old
		}
	}
}

// GetOrPut returns k's value, storing v first if k is absent (added
// reports that).
func (t *int64Table) GetOrPut(k int64, v int32) (got int32, added bool) {
	if (t.n+1)*2 > len(t.keys) {
		t.grow()
	}
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		old := t.vals[i]
		if old < 0 {
			t.keys[i], t.vals[i] = k, v
			t.n++
			return v, true
		}
		if t.keys[i] == k {
			return old, false
		}
	}
}

// Len is the number of keys.
func (t *int64Table) Len() int { return t.n }

// Each calls f for every entry, in no particular order.
func (t *int64Table) Each(f func(k int64, v int32)) {
	for i, v := range t.vals {
		if v >= 0 {
			f(t.keys[i], v)
		}
	}
}

// Bytes is the table's memory, for accounting.
func (t *int64Table) Bytes() int64 { return int64(len(t.keys)) * 12 }

func (t *int64Table) grow() {
	keys, vals := t.keys, t.vals
	t.alloc(len(keys) * 2)
	t.n = 0
	for i, v := range vals {
		if v >= 0 {
			t.Put(keys[i], v)
		}
	}
}
