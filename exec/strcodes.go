package exec

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
)

// strCodes is one worker's cache of a strDict's codes: string → code, an
// open-addressing table that keeps strings of up to 16 bytes packed in
// the slot itself and longer ones in an arena, so a lookup that hits
// costs one probe of a flat table and no lock. The shared dictionary is
// consulted only for strings this worker has not seen (GROUP BY or
// COUNT(DISTINCT …) of a 100,000-value text column spent most of its
// time in the shared map's probes and its mutex: about 400 ns a row).
//
// Not safe for concurrent use: each aggregate table owns its own.
type strCodes struct {
	slots []strSlot
	shift uint
	n     int
	arena []byte
	seed  maphash.Seed
}

// strSlot holds a string of up to 16 bytes as its bytes (a, b zero
// padded; n = length+1), a longer one as its hash and arena position
// (a = hash, b = offset<<32 | length; n = longSlot); n = 0 is empty.
type strSlot struct {
	a, b uint64
	code int32
	n    uint8
}

const longSlot = 255

// maxStrCodes bounds the entries a cache takes: past it, strings it does
// not hold go to the shared dictionary every time. A text key of millions
// of distinct values gains nothing from a second copy of them per worker.
const maxStrCodes = 1 << 18

func newStrCodes() *strCodes {
	c := &strCodes{seed: maphash.MakeSeed()}
	c.alloc(64)
	return c
}

func (c *strCodes) alloc(slots int) {
	lg := bits.Len(uint(slots - 1))
	c.slots = make([]strSlot, 1<<lg)
	c.shift = uint(64 - lg)
}

// pack16 packs a string of at most 16 bytes into two words (zero padded;
// the length tells "a" from "a\x00"). A value sliced from a batch's
// buffer with 16 bytes of capacity is read with two loads and masked:
// copying a short string into a zeroed buffer and loading it back stalls
// on the store (GROUP BY a 4-byte text key spent 15% of its time there).
func pack16(v []byte) (uint64, uint64) {
	n := len(v)
	if cap(v) >= 16 {
		w := v[:16]
		a, b := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:])
		switch {
		case n < 8:
			a &= 1<<(8*n) - 1
			b = 0
		case n < 16:
			b &= 1<<(8*(n-8)) - 1
		}
		return a, b
	}
	var buf [16]byte
	copy(buf[:], v)
	return binary.LittleEndian.Uint64(buf[:8]), binary.LittleEndian.Uint64(buf[8:])
}

func mixShort(a, b uint64, n int) uint64 {
	h := a*0x9E3779B97F4A7C15 ^ bits.RotateLeft64(b*0xC2B2AE3D27D4EB4F, 31) ^ uint64(n)*0x165667B19E3779F9
	return h ^ h>>29
}

// find returns v's code, or -1 when the cache does not hold it.
func (c *strCodes) find(v []byte) int32 {
	mask := len(c.slots) - 1
	if len(v) <= 16 {
		a, b := pack16(v)
		n := uint8(len(v) + 1)
		for i := int((mixShort(a, b, len(v)) * 0x9E3779B97F4A7C15) >> c.shift); ; i = (i + 1) & mask {
			s := &c.slots[i]
			if s.n == 0 {
				return -1
			}
			if s.a == a && s.b == b && s.n == n {
				return s.code
			}
		}
	}
	h := maphash.Bytes(c.seed, v)
	for i := int((h * 0x9E3779B97F4A7C15) >> c.shift); ; i = (i + 1) & mask {
		s := &c.slots[i]
		if s.n == 0 {
			return -1
		}
		if s.n == longSlot && s.a == h && int(uint32(s.b)) == len(v) {
			off := int(s.b >> 32)
			if bytes.Equal(c.arena[off:off+len(v)], v) {
				return s.code
			}
		}
	}
}

// put records v's code; v must not be in the cache. Past maxStrCodes
// entries, or an arena offset past 32 bits, it does nothing.
func (c *strCodes) put(v []byte, code int32) {
	if c.n >= maxStrCodes {
		return
	}
	var s strSlot
	var h uint64
	if len(v) <= 16 {
		s.a, s.b = pack16(v)
		s.n = uint8(len(v) + 1)
		h = mixShort(s.a, s.b, len(v))
	} else {
		if len(c.arena)+len(v) > 1<<32-1 {
			return
		}
		h = maphash.Bytes(c.seed, v)
		s.a, s.b, s.n = h, uint64(len(c.arena))<<32|uint64(len(v)), longSlot
		c.arena = append(c.arena, v...)
	}
	s.code = code
	// filled to 7/8 before it doubles: at load ½ a table of 100,000
	// strings took 6 MB and a lookup twice the time (a cache and TLB miss
	// a row); linear probing still finds a held string in ~4 slots, two
	// cache lines
	if (c.n+1)*8 > len(c.slots)*7 {
		c.grow()
	}
	c.insert(s, h)
	c.n++
}

func (c *strCodes) insert(s strSlot, h uint64) {
	mask := len(c.slots) - 1
	i := int((h * 0x9E3779B97F4A7C15) >> c.shift)
	for c.slots[i].n != 0 {
		i = (i + 1) & mask
	}
	c.slots[i] = s
}

func (c *strCodes) grow() {
	old := c.slots
	c.alloc(len(old) * 2)
	for _, s := range old {
		switch s.n {
		case 0:
		case longSlot:
			c.insert(s, s.a)
		default:
			c.insert(s, mixShort(s.a, s.b, int(s.n)-1))
		}
	}
}

// Bytes is the cache's memory, for accounting.
func (c *strCodes) Bytes() int64 {
	return int64(len(c.slots))*24 + int64(cap(c.arena))
}
