package exec

import (
	"math/rand"
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
	if a.TakeAdded() == 0 || a.TakeAdded() != 0 {
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

// TestPairSetWidens checks the set against a map through its narrow
// form, the move to wide slots at the first value past 32 bits, growth
// in both forms, and negative values.
func TestPairSetWidens(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	var s pairSet
	want := map[[2]int64]bool{}
	for i := 0; i < 20000; i++ {
		g := int32(rng.Intn(300))
		v := int64(rng.Intn(2000)) - 1000
		if i == 15000 {
			v = 1 << 40 // widens
		}
		if i > 15000 && i%7 == 0 {
			v = -(1 << 35) - int64(rng.Intn(50))
		}
		k := [2]int64{int64(g), v}
		if got := s.add(g, v); got == want[k] {
			t.Fatalf("add(%d, %d) new=%v, seen before %v", g, v, got, want[k])
		}
		want[k] = true
		if i == 14999 && s.wide {
			t.Fatal("wide before any wide value")
		}
	}
	if !s.wide {
		t.Fatal("still narrow after a 41-bit value")
	}
	n := 0
	s.each(func(g int32, v int64) {
		if !want[[2]int64{int64(g), v}] {
			t.Fatalf("each gave (%d, %d), never added", g, v)
		}
		n++
	})
	if n != len(want) || s.n != len(want) {
		t.Fatalf("%d pairs (n %d), want %d", n, s.n, len(want))
	}
}
