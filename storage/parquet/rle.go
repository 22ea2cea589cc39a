package parquet

import "encoding/binary"

// maxLiteralGroups caps one bit-packed run at 63 groups of 8 values (a
// one-byte header), as parquet-mr writes them: some readers size their
// buffers by it.
const maxLiteralGroups = 63

// appendHybrid appends vals in Parquet's RLE / bit-packed hybrid
// encoding at width bits per value (definition levels, dictionary
// indices). A value repeated at least 8 times becomes an RLE run; the
// rest is bit-packed in groups of 8. Only the last bit-packed run is
// padded (with zeros): a reader knows how many values the page holds.
func appendHybrid[T uint8 | uint32](dst []byte, vals []T, width int) []byte {
	n := len(vals)
	lit, i := 0, 0
	for i < n {
		v := vals[i]
		j := i + 1
		for j < n && vals[j] == v {
			j++
		}
		if run := j - i; run >= 8 {
			// a bit-packed run holds a multiple of 8 values: the pending
			// literals borrow the first values of the run to fill their
			// last group
			if r := (i - lit) % 8; r != 0 {
				i += 8 - r
				run -= 8 - r
			}
			if run >= 8 {
				dst = appendPacked(dst, vals[lit:i], width)
				dst = appendRun(dst, uint32(v), run, width)
				lit = j
			}
		}
		i = j
	}
	return appendPacked(dst, vals[lit:n], width)
}

// appendRun appends one RLE run: count copies of v.
func appendRun(dst []byte, v uint32, count, width int) []byte {
	dst = binary.AppendUvarint(dst, uint64(count)<<1)
	for b := 0; b < (width+7)/8; b++ {
		dst = append(dst, byte(v>>(8*b)))
	}
	return dst
}

// appendPacked appends vals as bit-packed runs of at most
// maxLiteralGroups groups, the last padded to a whole group.
func appendPacked[T uint8 | uint32](dst []byte, vals []T, width int) []byte {
	for len(vals) > 0 {
		k := min(len(vals), maxLiteralGroups*8)
		groups := (k + 7) / 8
		dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
		var acc uint64
		bits := 0
		chunk := vals[:k]
		for _, v := range chunk {
			acc |= uint64(v) << bits
			bits += width
			for bits >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				bits -= 8
			}
		}
		// padding values are zeros: only their bits remain to flush
		for pad := groups*8 - k; pad > 0; pad-- {
			bits += width
			for bits >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				bits -= 8
			}
		}
		vals = vals[k:]
	}
	return dst
}
