package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// count(DISTINCT x) over integers: NULLs and skipped rows not counted,
// duplicates within a batch, across batches and across merged workers
// counted once, groups with none 0.
func TestCountDistinctInts(t *testing.T) {
	ints := func(vals []int32, valid []bool) arrow.Array {
		b := array.NewInt32Builder(memory.DefaultAllocator)
		b.AppendValues(vals, valid)
		return b.NewArray()
	}
	a, b := &countDistinctInts{}, &countDistinctInts{}
	// a: group 0 sees 1, 2, 2, NULL; group 1 sees 5 and a skipped 6
	if err := a.Update([]int32{0, 0, 0, 0, 1, -1}, 2, []arrow.Array{ints([]int32{1, 2, 2, 9, 5, 6}, []bool{true, true, true, false, true, true})}); err != nil {
		t.Fatal(err)
	}
	if err := a.Update([]int32{0, 1}, 2, []arrow.Array{ints([]int32{1, 7}, nil)}); err != nil {
		t.Fatal(err)
	}
	// b: its group 0 is a's group 1 (5 again, and 8), its group 1 a's 0 (3)
	if err := b.Update([]int32{0, 0, 1}, 2, []arrow.Array{ints([]int32{5, 8, 3}, nil)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b, []int32{1, 0}, 3); err != nil {
		t.Fatal(err)
	}
	out, err := a.Finalize(3)
	if err != nil {
		t.Fatal(err)
	}
	got := out.(*array.Int64).Int64Values()
	if want := []int64{3, 3, 0}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("counts %v, want %v", got, want)
	}
	if a.takeAdded() == 0 || a.takeAdded() != 0 {
		t.Fatal("kept memory not reported once")
	}
}

// The pair set grows past its first size and keeps every pair once.
func TestCountDistinctIntsGrows(t *testing.T) {
	c := &countDistinctInts{}
	b := array.NewInt64Builder(memory.DefaultAllocator)
	groups := make([]int32, 0, 20000)
	for i := 0; i < 20000; i++ {
		b.Append(int64(i % 5000 * 7919))
		groups = append(groups, int32(i%2))
	}
	if err := c.Update(groups, 2, []arrow.Array{b.NewArray()}); err != nil {
		t.Fatal(err)
	}
	out, err := c.Finalize(2)
	if err != nil {
		t.Fatal(err)
	}
	// i%5000 and i%2 repeat together every 10000 rows: each group sees
	// its 2500 values of each parity class twice over
	if got := out.(*array.Int64).Int64Values(); got[0] != 2500 || got[1] != 2500 {
		t.Fatalf("counts %v, want [2500 2500]", got)
	}
}
