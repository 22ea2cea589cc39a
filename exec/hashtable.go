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
	// dense, in a table made by newDenseInt64Table and while every key
	// is small and not negative, holds value+1 by key (0: absent) in
	// place of slots: an aggregate's dictionary codes or small integers
	// index an array instead of probing a table four times their size
	// (GROUP BY a 100,000-value text column: a cache miss a row)
	dense   []int32
	isDense bool
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

// newDenseInt64Table is a table that indexes an array by key while the
// keys allow (denseFits), and hashes from the first key that does not.
func newDenseInt64Table() *int64Table {
	return &int64Table{isDense: true}
}

// denseMax bounds the keys a dense table indexes (256 MiB of values).
const denseMax = 1 << 26

// denseFits reports whether key k may extend the dense array: any key
// below 65,536, a larger one while the array stays at most 8 slots per
// key held.
func (t *int64Table) denseFits(k int64) bool {
	return k >= 0 && k < denseMax && (k < 1<<16 || k < 8*int64(t.n+1))
}

// putDense stores v+1 at k, growing the array to hold it.
func (t *int64Table) putDense(k int64, v int32) {
	if int(k) >= len(t.dense) {
		size := max(int(k)+1, 2*len(t.dense), 1024)
		t.dense = append(t.dense, make([]int32, size-len(t.dense))...)
	}
	t.dense[k] = v + 1
	t.n++
}

// undense moves the entries to hashed slots.
func (t *int64Table) undense() {
	old := t.dense
	t.dense, t.isDense = nil, false
	t.alloc(max(16, t.n*2))
	t.n = 0
	for k, g := range old {
		if g != 0 {
			s, _ := t.claim(int64(k))
			s.val = g - 1
		}
	}
}

// slot is Fibonacci hashing: the multiply mixes every key bit into the
// high bits, so dense and strided keys alike spread over the table.
func (t *int64Table) slot(k int64) int {
	return int((uint64(k) * 0x9E3779B97F4A7C15) >> t.shift)
}

// Get returns the value stored for k.
func (t *int64Table) Get(k int64) (int32, bool) {
	if t.isDense {
		if uint64(k) < uint64(len(t.dense)) {
			g := t.dense[k]
			return g - 1, g != 0
		}
		return 0, false
	}
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
	if t.isDense {
		if uint64(k) < uint64(len(t.dense)) && t.dense[k] != 0 {
			old := t.dense[k] - 1
			t.dense[k] = v + 1
			return old
		}
		if uint64(k) < uint64(len(t.dense)) || t.denseFits(k) {
			t.putDense(k, v)
			return -1
		}
		t.undense()
	}
	s, found := t.claim(k)
	old := int32(-1)
	if found {
		old = s.val
	}
	s.val = v
	return old
}

// GetOrPut returns k's value, storing v first if k is absent (added
// reports that).
func (t *int64Table) GetOrPut(k int64, v int32) (got int32, added bool) {
	if t.isDense {
		if uint64(k) < uint64(len(t.dense)) {
			if g := t.dense[k]; g != 0 {
				return g - 1, false
			}
			t.dense[k] = v + 1
			t.n++
			return v, true
		}
		if t.denseFits(k) {
			t.putDense(k, v)
			return v, true
		}
		t.undense()
	}
	s, found := t.claim(k)
	if found {
		return s.val, false
	}
	s.val = v
	return v, true
}

// claim returns k's slot and whether k was there; a new slot holds k and
// counts as an entry, and the caller sets its value (≥ 0). Hashed tables
// only.
func (t *int64Table) claim(k int64) (*slot64, bool) {
	if (t.n+1)*2 > len(t.slots) {
		t.grow()
	}
	slots := t.slots
	mask := len(slots) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		s := &slots[i]
		if s.val < 0 {
			s.key = k
			t.n++
			return s, false
		}
		if s.key == k {
			return s, true
		}
	}
}

// Len is the number of keys.
func (t *int64Table) Len() int { return t.n }

// Each calls f for every entry, in no particular order.
func (t *int64Table) Each(f func(k int64, v int32)) {
	for k, g := range t.dense {
		if g != 0 {
			f(int64(k), g-1)
		}
	}
	for _, s := range t.slots {
		if s.val >= 0 {
			f(s.key, s.val)
		}
	}
}

// Bytes is the table's memory, for accounting.
func (t *int64Table) Bytes() int64 { return int64(len(t.slots))*16 + int64(len(t.dense))*4 }

// reserve makes room for n keys in all without growing on the way.
// Merging another table walks its slots in hash order; inserted into a
// smaller table that order piles keys into ever longer runs (q13's
// partial aggregates took 0.56 s to merge 300,000 groups), into one at
// least as large it does not.
func (t *int64Table) reserve(n int) {
	if t.isDense || n*2 <= len(t.slots) {
		return
	}
	old := t.slots
	t.alloc(n * 2)
	t.n = 0
	for _, s := range old {
		if s.val >= 0 {
			t.Put(s.key, s.val)
		}
	}
}

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

// intIndex maps integer join keys to the first build row holding each
// (rows chain on through next). Keys that cover a dense range — the
// usual surrogate keys: customers, parts, orders — index an array
// directly, as DuckDB's perfect hash join does: no hashing, no probing
// loop, and for small dimensions an array that stays in cache. Keys
// spread thinner over a range that is still bounded (a filtered
// dimension: a year of orders among all of them) are ranked: a bitmap of
// the keys present and, per 64-bit word, the number of keys before it
// give each key its position among the distinct keys, which indexes the
// heads — about 3 bits per key of range plus 4 bytes per key, where a
// hash table at load ½ takes 32 bytes per key (TPC-H SF 10 q05's year of
// orders: 24 MB instead of 136 MB, and no probing loop). Other keys go to
// an int64Table.
type intIndex struct {
	base  int64
	heads []int32 // heads[k-base], or heads[rank] when ranked; -1 = no row
	// ranked mode: bit k-base set for every key, and ranks[w] the keys
	// in the words before word w
	present []uint64
	ranks   []uint32
	hash    *int64Table
}

// rankedMax bounds the range a ranked index covers (its bitmap and ranks
// take 3/16 of a byte per value of the range: 24 MiB at this bound).
const rankedMax = 1 << 27

// buildIntIndex indexes keys (NULL where nulls[i]); next[i] receives the
// following row with the same key, or -1.
func buildIntIndex(keys []int64, nulls []bool, next []int32) *intIndex {
	n := len(keys)
	lo, hi, seen := int64(0), int64(0), false
	for i, k := range keys {
		if nulls != nil && nulls[i] {
			continue
		}
		if !seen || k < lo {
			lo = k
		}
		if !seen || k > hi {
			hi = k
		}
		seen = true
	}
	x := &intIndex{}
	span := uint64(hi - lo)
	// direct when the range is at most 4 slots per row (and sane)
	if seen && hi >= lo && span < 1<<26 && span < uint64(4*n+1024) {
		x.base = lo
		x.heads = make([]int32, span+1)
		for i := range x.heads {
			x.heads[i] = -1
		}
		x.chain(keys, nulls, next, func(k int64) uint64 { return uint64(k - lo) })
		return x
	}
	// ranked when the bitmap and ranks cost less than the hash table's
	// 32 bytes per row (rows, not keys: duplicates only make it cheaper)
	if seen && hi >= lo && span < rankedMax && span/16*3 <= uint64(32*n) {
		x.base = lo
		x.present = make([]uint64, span/64+1)
		for i, k := range keys {
			if nulls == nil || !nulls[i] {
				d := uint64(k - lo)
				x.present[d>>6] |= 1 << (d & 63)
			}
		}
		x.ranks = make([]uint32, len(x.present))
		r := uint32(0)
		for w, b := range x.present {
			x.ranks[w] = r
			r += uint32(bits.OnesCount64(b))
		}
		x.heads = make([]int32, r)
		for i := range x.heads {
			x.heads[i] = -1
		}
		x.chain(keys, nulls, next, x.rank)
		return x
	}
	// sized for a quarter of the rows: build keys repeat (lineitem by
	// order), and the table grows when they do not
	x.hash = newInt64Table(n / 4)
	for i := n - 1; i >= 0; i-- {
		if nulls != nil && nulls[i] {
			next[i] = -1
			continue
		}
		next[i] = x.hash.Put(keys[i], int32(i))
	}
	return x
}

// chain links the rows of each key through next, in row order, with the
// first in heads[at(key)].
func (x *intIndex) chain(keys []int64, nulls []bool, next []int32, at func(int64) uint64) {
	for i := len(keys) - 1; i >= 0; i-- {
		if nulls != nil && nulls[i] {
			next[i] = -1
			continue
		}
		d := at(keys[i])
		next[i] = x.heads[d]
		x.heads[d] = int32(i)
	}
}

// rank is the position of present key k among the distinct keys.
func (x *intIndex) rank(k int64) uint64 {
	d := uint64(k - x.base)
	w := d >> 6
	below := x.present[w] & (1<<(d&63) - 1)
	return uint64(x.ranks[w]) + uint64(bits.OnesCount64(below))
}

// Get returns the first row with key k.
func (x *intIndex) Get(k int64) (int32, bool) {
	if x.hash != nil {
		return x.hash.Get(k)
	}
	d := uint64(k - x.base)
	if x.present == nil {
		if d < uint64(len(x.heads)) {
			h := x.heads[d]
			return h, h >= 0
		}
		return 0, false
	}
	w := d >> 6
	if w >= uint64(len(x.present)) {
		return 0, false
	}
	b := x.present[w]
	if b&(1<<(d&63)) == 0 {
		return 0, false
	}
	return x.heads[uint64(x.ranks[w])+uint64(bits.OnesCount64(b&(1<<(d&63)-1)))], true
}

// Bytes is the index's memory, for accounting.
func (x *intIndex) Bytes() int64 {
	if x.hash != nil {
		return x.hash.Bytes()
	}
	return int64(len(x.heads))*4 + int64(len(x.present))*12
}

func anyTrue(bs []bool) bool {
	for _, b := range bs {
		if b {
			return true
		}
	}
	return false
}
