package parquet

import (
	"bytes"
	"hash/maphash"
)

// The writer's dictionaries are open-addressing tables with linear
// probing over slots holding entry index + 1 (0 is empty), grown at half
// load. Entries stay in insertion order: they are the dictionary page,
// and an entry's position is its index. A Go map costs several times as
// much per lookup, and arrow-go's memo tables were the largest single
// cost of writing a string column.

const firstSlots = 1 << 10

// hashTable is a dictionary of 4- or 8-byte bit patterns.
type hashTable[U uint32 | uint64] struct {
	slots []uint32
	keys  []U
	shift uint // 64 - log2(len(slots))
}

func (h *hashTable[U]) reset() {
	h.keys = h.keys[:0]
	if h.slots == nil {
		h.slots, h.shift = make([]uint32, firstSlots), 64-10
		return
	}
	clear(h.slots)
}

// fibonacci hashing: the multiply spreads sequential keys, the top bits
// pick the slot
func (h *hashTable[U]) slot(x U) uint64 { return (uint64(x) * 0x9E3779B97F4A7C15) >> h.shift }

// insert returns x's index, and whether x is new.
func (h *hashTable[U]) insert(x U) (uint32, bool) {
	mask := uint64(len(h.slots) - 1)
	i := h.slot(x)
	for {
		s := h.slots[i]
		if s == 0 {
			break
		}
		if h.keys[s-1] == x {
			return s - 1, false
		}
		i = (i + 1) & mask
	}
	h.keys = append(h.keys, x)
	k := uint32(len(h.keys))
	h.slots[i] = k
	if 2*len(h.keys) > len(h.slots) {
		h.grow()
	}
	return k - 1, true
}

func (h *hashTable[U]) grow() {
	h.slots = make([]uint32, 2*len(h.slots))
	h.shift--
	mask := uint64(len(h.slots) - 1)
	for k, x := range h.keys {
		i := h.slot(x)
		for h.slots[i] != 0 {
			i = (i + 1) & mask
		}
		h.slots[i] = uint32(k + 1)
	}
}

// bytesTable is a dictionary of byte strings. Its entries are views of
// the caller's bytes, valid while those are.
type bytesTable struct {
	seed   maphash.Seed
	slots  []uint32
	vals   [][]byte
	hashes []uint64
}

func (h *bytesTable) reset() {
	h.vals, h.hashes = h.vals[:0], h.hashes[:0]
	if h.slots == nil {
		h.seed = maphash.MakeSeed()
		h.slots = make([]uint32, firstSlots)
		return
	}
	clear(h.slots)
}

func (h *bytesTable) insert(v []byte) (uint32, bool) {
	hv := maphash.Bytes(h.seed, v)
	mask := uint64(len(h.slots) - 1)
	i := hv & mask
	for {
		s := h.slots[i]
		if s == 0 {
			break
		}
		if h.hashes[s-1] == hv && bytes.Equal(h.vals[s-1], v) {
			return s - 1, false
		}
		i = (i + 1) & mask
	}
	h.vals = append(h.vals, v)
	h.hashes = append(h.hashes, hv)
	k := uint32(len(h.vals))
	h.slots[i] = k
	if 2*len(h.vals) > len(h.slots) {
		h.slots = make([]uint32, 2*len(h.slots))
		mask = uint64(len(h.slots) - 1)
		for k, hv := range h.hashes {
			i := hv & mask
			for h.slots[i] != 0 {
				i = (i + 1) & mask
			}
			h.slots[i] = uint32(k + 1)
		}
	}
	return k - 1, true
}
