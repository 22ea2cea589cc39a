package functions

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/types"
)

// textCase is one text kernel beside the row-wise function it replaced.
type textCase struct {
	name  string
	nText int
	nInt  int
	typed textRowFunc
	rowf  RowFunc
}

var textCases = []textCase{
	{"concat", 2, 0, textConcat, func(_ *Ctx, a []types.Value) (types.Value, error) { return a[0].(string) + a[1].(string), nil }},
	{"substring2", 1, 1, textSubstring(false), func(_ *Ctx, a []types.Value) (types.Value, error) {
		return substr(a[0].(string), a[1].(int64), math.MaxInt32, false)
	}},
	{"substring3", 1, 2, textSubstring(true), func(_ *Ctx, a []types.Value) (types.Value, error) {
		return substr(a[0].(string), a[1].(int64), a[2].(int64), true)
	}},
	{"left", 1, 1, textLeft, func(_ *Ctx, a []types.Value) (types.Value, error) {
		r, n := []rune(a[0].(string)), int(a[1].(int64))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[:min(n, len(r))]), nil
	}},
	{"right", 1, 1, textRight, func(_ *Ctx, a []types.Value) (types.Value, error) {
		r, n := []rune(a[0].(string)), int(a[1].(int64))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[len(r)-min(n, len(r)):]), nil
	}},
	{"split_part", 2, 1, textSplitPart, splitPartRow},
	{"repeat", 1, 1, textRepeat, repeatRow},
	{"replace", 3, 0, textReplace, func(_ *Ctx, a []types.Value) (types.Value, error) {
		if a[1].(string) == "" {
			return a[0], nil
		}
		return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
	}},
}

// textArgs makes n rows of arguments: strings mixing ASCII and
// multi-byte text and NULLs, integers around the strings' lengths
// (negative, zero, past the end), each column sliced off a longer one so
// that offsets are not zero.
func textArgs(r *rand.Rand, n, nText, nInt int, nulls, lastNonNeg, noZero bool) []arrow.Array {
	words := []string{"", "a", "abc", "Thomas", "héllo wörld", "日本語テキスト", "aaaa", "ab", "xyzzy plugh"}
	var args []arrow.Array
	for j := 0; j < nText+nInt; j++ {
		vals := make([]types.Value, n+3)
		for i := range vals {
			switch {
			case nulls && r.IntN(9) == 0:
			case j < nText:
				vals[i] = words[r.IntN(len(words))]
			case lastNonNeg && j == nText+nInt-1:
				vals[i] = int64(r.IntN(12))
			case noZero:
				vals[i] = int64(r.IntN(6) + 1)
				if r.IntN(2) == 0 {
					vals[i] = -vals[i].(int64)
				}
			default:
				vals[i] = int64(r.IntN(15) - 4)
			}
		}
		t := types.TextT
		if j >= nText {
			t = types.Int4T
		}
		args = append(args, sliceOf(types.BuildArray(t, vals), 3, n))
	}
	return args
}

func sliceOf(a arrow.Array, off, n int) arrow.Array {
	return array.NewSlice(a, int64(off), int64(off+n))
}

// Each text kernel returns what the row-wise function it replaced
// returns, row for row, NULLs included.
func TestTextKernelsMatchRowWise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range textCases {
		for _, nulls := range []bool{false, true} {
			args := textArgs(r, 2000, c.nText, c.nInt, nulls, c.name == "substring3", c.name == "split_part")
			want, err := RowWise(fixed(types.TextT), true, c.rowf)(nil, args, 2000)
			if err != nil {
				t.Fatal(err)
			}
			got, err := textKernel(c.nText, c.typed, nil)(nil, args, 2000)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			for i := 0; i < 2000; i++ {
				w, g := types.GetValue(types.TextT, want, i), types.GetValue(types.TextT, got, i)
				if w != g {
					vals := make([]string, len(args))
					for j, a := range args {
						vals[j] = types.FormatText(types.TextT, types.GetValue(types.TextT, a, i))
					}
					t.Fatalf("%s(%q) row %d: typed %v, row-wise %v", c.name, vals, i, g, w)
				}
			}
		}
	}
	// a negative substring length is the row-wise function's error
	args := []arrow.Array{types.BuildArray(types.TextT, []types.Value{"abc"}), types.BuildArray(types.Int4T, []types.Value{int64(1)}), types.BuildArray(types.Int4T, []types.Value{int64(-1)})}
	if _, err := textKernel(1, textSubstring(true), nil)(nil, args, 1); err == nil || !strings.Contains(err.Error(), "negative substring length") {
		t.Fatalf("negative length: %v", err)
	}
}

// BenchmarkTextKernels compares each text kernel with the row-wise
// function it replaced, over 8192-row batches (go test -bench Text).
func BenchmarkTextKernels(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range textCases {
		args := textArgs(r, 8192, c.nText, c.nInt, true, c.name == "substring3", c.name == "split_part")
		for _, k := range []struct {
			name string
			k    Kernel
		}{{"typed", textKernel(c.nText, c.typed, nil)}, {"rowwise", RowWise(fixed(types.TextT), true, c.rowf)}} {
			b.Run(c.name+"/"+k.name, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					if _, err := k.k(nil, args, 8192); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
