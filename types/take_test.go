package types

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestTakeRuns checks that taking runs equals taking their positions one
// by one, for fixed-width and string columns with NULLs, from a slice
// (offset) of an array.
func TestTakeRuns(t *testing.T) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < 300; i++ {
		if i%7 == 3 {
			ib.AppendNull()
			sb.AppendNull()
			continue
		}
		ib.Append(int64(i * 3))
		sb.Append(string(rune('a'+i%26)) + "xyz"[:i%4])
	}
	ints := array.NewSlice(ib.NewArray(), 5, 290)
	strs := array.NewSlice(sb.NewArray(), 5, 290)
	runs := []Run{{0, 10}, {10, 11}, {40, 90}, {90, 91}, {100, 284}, {284, 285}}
	var idx []int32
	for _, r := range runs {
		for i := r.Start; i < r.End; i++ {
			idx = append(idx, i)
		}
	}
	for _, c := range []struct {
		t T
		a arrow.Array
	}{{Int8T, ints}, {TextT, strs}} {
		got := TakeRuns(c.t, c.a, runs, len(idx))
		want := Take(c.t, c.a, idx)
		if !array.Equal(got, want) {
			t.Fatalf("%s: TakeRuns = %v\nwant %v", c.t, got, want)
		}
	}
}
