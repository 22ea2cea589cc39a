package exec

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/types"
)

// keyPack packs a join's several integer keys into one int64, each key
// as its offset from the build side's minimum in a field as wide as the
// build side's range, so that a composite key (a ticket and an item
// number) hashes as one integer instead of an encoded byte string. A
// probe value outside the build side's range cannot match and is a
// miss. Built once by JoinBuild.index; read-only after.
type keyPack struct {
	min, max []int64
	shift    []uint
}

// intColumn widens an integer or date array to int64 values.
func intColumn(a arrow.Array, n int) ([]int64, bool) {
	out := types.NoZero[int64](n) // every case writes all n
	switch x := a.(type) {
	case *array.Int16:
		for i, v := range x.Int16Values()[:n] {
			out[i] = int64(v)
		}
	case *array.Int32:
		for i, v := range x.Int32Values()[:n] {
			out[i] = int64(v)
		}
	case *array.Int64:
		copy(out, x.Int64Values()[:n])
	case *array.Date32:
		for i, v := range x.Date32Values()[:n] {
			out[i] = int64(v)
		}
	default:
		return nil, false
	}
	return out, true
}

// newKeyPack lays out fields for the build side's key columns, or nil
// when a key is not an integer or the ranges need more than 63 bits.
func newKeyPack(cols []arrow.Array, n int) *keyPack {
	if len(cols) < 2 {
		return nil
	}
	p := &keyPack{min: make([]int64, len(cols)), max: make([]int64, len(cols)), shift: make([]uint, len(cols))}
	var used uint
	for k, c := range cols {
		vals, ok := intColumn(c, n)
		if !ok {
			return nil
		}
		lo, hi, seen := int64(0), int64(0), false
		for i, v := range vals {
			if c.NullN() > 0 && c.IsNull(i) {
				continue
			}
			if !seen || v < lo {
				lo = v
			}
			if !seen || v > hi {
				hi = v
			}
			seen = true
		}
		if hi-lo < 0 { // the range overflows int64
			return nil
		}
		p.min[k], p.max[k], p.shift[k] = lo, hi, used
		used += uint(bits.Len64(uint64(hi - lo)))
		if used > 63 {
			return nil
		}
	}
	return p
}

// pack packs each row's keys. nulls marks rows with a NULL key, miss
// rows with a key outside the build side's range (nil when none).
func (p *keyPack) pack(cols []arrow.Array, n int) (keys []int64, nulls, miss []bool) {
	keys = make([]int64, n)
	for k, c := range cols {
		vals, ok := intColumn(c, n)
		if !ok {
			// a probe key of another type than the build's: nothing can
			// be proven to match, so treat every row as unmatched
			miss = make([]bool, n)
			for i := range miss {
				miss[i] = true
			}
			return keys, make([]bool, n), miss
		}
		lo, hi, sh := p.min[k], p.max[k], p.shift[k]
		hasNull := c.NullN() > 0
		for i, v := range vals {
			if hasNull && c.IsNull(i) {
				if nulls == nil {
					nulls = make([]bool, n)
				}
				nulls[i] = true
				continue
			}
			if v < lo || v > hi {
				if miss == nil {
					miss = make([]bool, n)
				}
				miss[i] = true
				continue
			}
			keys[i] |= (v - lo) << sh
		}
	}
	return keys, nulls, miss
}
