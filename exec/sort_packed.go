package exec

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Sorting by a packed key. When every sort key is an integer-like column
// (integers, dates, timestamps, times, 64-bit decimals, booleans, or text
// of few distinct values by its ranks) and their ranges together fit 64
// bits, each row's keys are packed, in order, into one uint64 whose
// integer order is the rows' order — direction, and where NULLs go,
// folded in — and the rows are radix-sorted on it: a few passes over the
// rows instead of n log n calls through a comparator per key (DuckDB
// sorts normalized keys too). The radix sort is stable, so rows that tie
// keep their input order, as sortIndex breaks ties.

// packedSortKeys returns each row's packed key, or false when a key
// column is of another kind or the ranges need more than 64 bits.
func packedSortKeys(keys []SortKey, cols []arrow.Array) ([]uint64, int, bool) {
	if len(cols) == 0 {
		return nil, 0, false
	}
	n := cols[0].Len()
	if n < rankMinRows {
		return nil, 0, false
	}
	type field struct {
		vals  []int64
		ranks []int32
		bools *array.Boolean
		min   int64
		span  uint64 // max - min
		nulls bool
		bits  int
	}
	fs := make([]field, len(cols))
	total := 0
	for k, c := range cols {
		f := &fs[k]
		switch x := c.(type) {
		case *array.Int16, *array.Int32, *array.Int64, *array.Date32, *array.Timestamp, *array.Time64, *array.Decimal64:
			f.vals = sortInts(x)
		case *array.Boolean:
			f.bools = x
		case *array.String:
			r, ok := stringRanks(x)
			if !ok {
				return nil, 0, false
			}
			f.ranks = r
		default:
			return nil, 0, false
		}
		f.nulls = c.NullN() > 0
		lo, hi, seen := int64(0), int64(0), false
		get := func(i int) int64 {
			switch {
			case f.vals != nil:
				return f.vals[i]
			case f.ranks != nil:
				return int64(f.ranks[i])
			}
			if f.bools.Value(i) {
				return 1
			}
			return 0
		}
		for i := 0; i < n; i++ {
			if f.nulls && c.IsNull(i) {
				continue
			}
			v := get(i)
			if !seen || v < lo {
				lo = v
			}
			if !seen || v > hi {
				hi = v
			}
			seen = true
		}
		f.min, f.span = lo, uint64(hi)-uint64(lo)
		need := f.span
		if f.nulls {
			if need == ^uint64(0) {
				return nil, 0, false
			}
			need++
		}
		f.bits = bits.Len64(need)
		total += f.bits
		if total > 64 {
			return nil, 0, false
		}
	}
	out := make([]uint64, n)
	for k, c := range cols {
		f := &fs[k]
		if f.bits == 0 {
			continue // one value everywhere: no bits to add
		}
		desc, nullsFirst := keys[k].Desc, keys[k].NullsFirst
		for i := range out {
			var o uint64
			switch {
			case f.nulls && c.IsNull(i):
				if !nullsFirst {
					o = f.span + 1
				}
			default:
				var v int64
				switch {
				case f.vals != nil:
					v = f.vals[i]
				case f.ranks != nil:
					v = int64(f.ranks[i])
				case f.bools.Value(i):
					v = 1
				}
				o = uint64(v) - uint64(f.min)
				if desc {
					o = f.span - o
				}
				if f.nulls && nullsFirst {
					o++
				}
			}
			out[i] = out[i]<<f.bits | o
		}
	}
	return out, total, true
}

// sortInts reads an integer-like column as int64s.
func sortInts(a arrow.Array) []int64 {
	n := a.Len()
	out := make([]int64, n)
	switch x := a.(type) {
	case *array.Int16:
		for i, v := range x.Int16Values() {
			out[i] = int64(v)
		}
	case *array.Int32:
		for i, v := range x.Int32Values() {
			out[i] = int64(v)
		}
	case *array.Int64:
		copy(out, x.Int64Values())
	case *array.Date32:
		for i, v := range x.Date32Values() {
			out[i] = int64(v)
		}
	case *array.Timestamp:
		for i, v := range x.TimestampValues() {
			out[i] = int64(v)
		}
	case *array.Time64:
		for i, v := range x.Time64Values() {
			out[i] = int64(v)
		}
	case *array.Decimal64:
		for i, v := range x.Values() {
			out[i] = int64(v)
		}
	}
	return out
}

// radixOrder sorts idx (row numbers into keys) by keys, stably, a byte of
// the used bits per pass (a pass every row agrees on is skipped).
func radixOrder(idx []int32, keys []uint64, used int) {
	n := len(idx)
	k := make([]uint64, n)
	for i, r := range idx {
		k[i] = keys[r]
	}
	k2, idx2 := make([]uint64, n), make([]int32, n)
	src, dst := idx, idx2
	for shift := 0; shift < used; shift += 8 {
		var count [257]int
		for _, x := range k {
			count[(x>>shift)&0xff+1]++
		}
		if count[(k[0]>>shift)&0xff+1] == n {
			continue
		}
		for b := 1; b < 257; b++ {
			count[b] += count[b-1]
		}
		for i, x := range k {
			b := (x >> shift) & 0xff
			p := count[b]
			count[b]++
			k2[p], dst[p] = x, src[i]
		}
		k, k2 = k2, k
		src, dst = dst, src
	}
	if &src[0] != &idx[0] {
		copy(idx, src)
	}
}

// sortRows orders idx, the identity 0..n-1, by keys over cols: by packed
// keys when they apply, else by the comparator.
func sortRows(idx []int32, keys []SortKey, cols []arrow.Array, workers int) {
	if pk, used, ok := packedSortKeys(keys, cols); ok && len(idx) > 0 {
		radixOrder(idx, pk, used)
		return
	}
	sortIndex(idx, sortComparer(keys, cols), workers)
}
