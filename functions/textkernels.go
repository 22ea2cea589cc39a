package functions

import (
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Text kernels run a string function over Arrow buffers, as DuckDB's
// executors do: text arguments are read in place (no copy, no boxing),
// integer arguments from plain int64 slices, and the result's bytes are
// appended straight to the output buffer. One helper serves every
// signature of text and integer arguments: f sees each row's values in
// s (the text arguments, in order) and iv (the integer ones) and appends
// its result to dst, or reports NULL. A row with a NULL argument is NULL
// (the functions are strict).
type textRowFunc func(dst []byte, s []string, iv []int64) (out []byte, null bool, err error)

// textKernel is a Kernel over nText text arguments followed by integer
// ones; arguments of other array types go to fallback.
func textKernel(nText int, f textRowFunc, fallback Kernel) Kernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		strs := make([]*array.String, nText)
		ints := make([][]int64, len(args)-nText)
		for j, a := range args {
			if j < nText {
				sa, ok := a.(*array.String)
				if !ok {
					return fallback(ctx, args, n)
				}
				strs[j] = sa
				continue
			}
			iv, ok := int64s(a)
			if !ok {
				return fallback(ctx, args, n)
			}
			ints[j-nText] = iv
		}
		// the rows with a NULL argument, from the validity bitmaps
		var rowNull []bool
		for _, a := range args {
			if a.NullN() == 0 {
				continue
			}
			if rowNull == nil {
				rowNull = make([]bool, n)
			}
			bits, off := a.NullBitmapBytes(), a.Data().Offset()
			for i := range rowNull {
				if !bitutil.BitIsSet(bits, off+i) {
					rowNull[i] = true
				}
			}
		}
		offs := make([]int32, n+1)
		est := 0
		if nText > 0 {
			est = len(strs[0].ValueBytes())
		}
		data := make([]byte, 0, est)
		var valid []byte
		nulls := 0
		s := make([]string, nText)
		iv := make([]int64, len(ints))
		for i := 0; i < n; i++ {
			if rowNull != nil && rowNull[i] {
				if valid == nil {
					valid = make([]byte, bitutil.BytesForBits(int64(n)))
					bitutil.SetBitsTo(valid, 0, int64(i), true)
				}
				nulls++
				offs[i+1] = int32(len(data))
				continue
			}
			for j, sa := range strs {
				s[j] = sa.Value(i)
			}
			for j, v := range ints {
				iv[j] = v[i]
			}
			out, null, err := f(data, s, iv)
			if err != nil {
				return nil, err
			}
			if null {
				if valid == nil {
					valid = make([]byte, bitutil.BytesForBits(int64(n)))
					bitutil.SetBitsTo(valid, 0, int64(i), true)
				}
				nulls++
			} else {
				data = out
				if valid != nil {
					bitutil.SetBit(valid, i)
				}
			}
			offs[i+1] = int32(len(data))
		}
		var vb *memory.Buffer
		if valid != nil {
			vb = memory.NewBufferBytes(valid)
		}
		d := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{vb, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offs)), memory.NewBufferBytes(data)}, nil, nulls, 0)
		return array.NewStringData(d), nil
	}
}

// int64s reads an integer column as int64s (a copy for narrower types).
func int64s(a arrow.Array) ([]int64, bool) {
	switch x := a.(type) {
	case *array.Int64:
		return x.Int64Values(), true
	case *array.Int32:
		out := make([]int64, x.Len())
		for i, v := range x.Int32Values() {
			out[i] = int64(v)
		}
		return out, true
	case *array.Int16:
		out := make([]int64, x.Len())
		for i, v := range x.Int16Values() {
			out[i] = int64(v)
		}
		return out, true
	}
	return nil, false
}

// isASCII reports a string of one byte per character.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// runeRange returns the byte offsets of characters [from, to) of s
// (0-based, clamped to the string), without decoding it into runes when
// it is ASCII.
func runeRange(s string, from, to int64) (int, int) {
	if from < 0 {
		from = 0
	}
	if to <= from {
		return 0, 0
	}
	if isASCII(s) {
		n := int64(len(s))
		return int(min(from, n)), int(min(to, n))
	}
	start, end := len(s), len(s)
	var k int64
	for i := range s {
		if k == from {
			start = i
		}
		if k == to {
			end = i
			break
		}
		k++
	}
	if start > end {
		start = end
	}
	return start, end
}

// runeCount is the number of characters of s.
func runeCount(s string) int64 {
	if isASCII(s) {
		return int64(len(s))
	}
	return int64(utf8.RuneCountInString(s))
}

// textConcat is text || text.
func textConcat(dst []byte, s []string, _ []int64) ([]byte, bool, error) {
	return append(append(dst, s[0]...), s[1]...), false, nil
}

// textSubstring is substring(s from a [for b]): PostgreSQL's
// 1-based start, clamped, and a negative length an error.
func textSubstring(withCount bool) textRowFunc {
	return func(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
		from, to := iv[0]-1, int64(1)<<62
		if withCount {
			if iv[1] < 0 {
				_, err := substr("", 1, -1, true) // its error
				return nil, false, err
			}
			to = from + iv[1]
		}
		a, b := runeRange(s[0], from, to)
		return append(dst, s[0][a:b]...), false, nil
	}
}

// textLeft and textRight are left(s, n) and right(s, n): a negative n
// counts from the other end.
func textLeft(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
	n := iv[0]
	if n < 0 {
		n = max(runeCount(s[0])+n, 0)
	}
	a, b := runeRange(s[0], 0, n)
	return append(dst, s[0][a:b]...), false, nil
}

func textRight(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
	total := runeCount(s[0])
	n := iv[0]
	if n < 0 {
		n = max(total+n, 0)
	}
	a, b := runeRange(s[0], total-min(n, total), total)
	return append(dst, s[0][a:b]...), false, nil
}

// textOverlay is overlay(s placing r from p [for c]): the first p-1
// characters of s, r, and s from character p+c on (c defaults to r's
// length; a negative c repeats characters of s, as PostgreSQL's does).
func textOverlay(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
	str, repl, p := s[0], s[1], iv[0]
	c := int64(runeCount(repl))
	if len(iv) > 1 {
		c = iv[1]
	}
	if p < 1 {
		return nil, false, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
	}
	_, head := runeRange(str, 0, p-1)
	dst = append(dst, str[:head]...)
	dst = append(dst, repl...)
	rest := max(p+c-1, 0)
	if rest < int64(len(str))+1 {
		from, to := runeRange(str, rest, int64(len(str))+1)
		if from < to {
			dst = append(dst, str[from:to]...)
		}
	}
	return dst, false, nil
}

// textReplace is replace(s, from, to).
func textReplace(dst []byte, s []string, _ []int64) ([]byte, bool, error) {
	str, old, repl := s[0], s[1], s[2]
	if old == "" {
		return append(dst, str...), false, nil
	}
	for {
		i := strings.Index(str, old)
		if i < 0 {
			return append(dst, str...), false, nil
		}
		dst = append(append(dst, str[:i]...), repl...)
		str = str[i+len(old):]
	}
}

// textSplitPart is split_part(s, delimiter, n): the nth field (from the
// end when negative), found without splitting the whole string.
func textSplitPart(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
	str, d, n := s[0], s[1], iv[0]
	if n == 0 {
		_, err := splitPartRow(nil, []types.Value{"", "", int64(0)})
		return nil, false, err
	}
	fields := int64(1)
	if d != "" {
		fields += int64(strings.Count(str, d))
	}
	if n < 0 {
		n = fields + n + 1
	}
	if n < 1 || n > fields {
		return dst, false, nil
	}
	for k := int64(1); k < n; k++ {
		str = str[strings.Index(str, d)+len(d):]
	}
	if d != "" {
		if i := strings.Index(str, d); i >= 0 {
			str = str[:i]
		}
	}
	return append(dst, str...), false, nil
}

// textRepeat is repeat(s, n).
func textRepeat(dst []byte, s []string, iv []int64) ([]byte, bool, error) {
	n := iv[0]
	if n <= 0 {
		return dst, false, nil
	}
	if int64(len(s[0]))*n > 1<<28 {
		_, err := repeatRow(nil, []types.Value{s[0], n})
		return nil, false, err
	}
	for ; n > 0; n-- {
		dst = append(dst, s[0]...)
	}
	return dst, false, nil
}

// textKernelOf is a text kernel with the row-wise function it replaces
// as its fallback, for arguments in other array types.
func textKernelOf(args []Arg, nText int, f textRowFunc, rowf RowFunc) Overload {
	o := row(args, types.TextT, rowf)
	o.Kernel = textKernel(nText, f, o.Kernel)
	return o
}
