package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestAggPack checks the planner-given key layout: values inside their
// fields pack and unpack to themselves, distinct tuples pack apart, and
// NULLs and values outside a field are left to the encoded path.
func TestAggPack(t *testing.T) {
	p := newAggPack([]PackField{{Min: 1999, Bits: 4}, {Min: -300, Bits: 11}, {Min: 0, Bits: 40}})
	if p == nil {
		t.Fatal("55 bits refused")
	}
	if newAggPack([]PackField{{Bits: 40}, {Bits: 30}}) != nil {
		t.Fatal("70 bits accepted")
	}
	b1 := array.NewInt32Builder(memory.DefaultAllocator)
	b2 := array.NewInt64Builder(memory.DefaultAllocator)
	b3 := array.NewInt64Builder(memory.DefaultAllocator)
	rows := [][3]int64{{1999, -300, 0}, {2014, 1747, 1<<40 - 1}, {2001, 5, 7}, {2001, 7, 5}, {2015, 0, 0}, {2001, -301, 0}, {2001, 5, 1 << 40}}
	for _, r := range rows {
		b1.Append(int32(r[0]))
		b2.Append(r[1])
		b3.Append(r[2])
	}
	b1.AppendNull()
	b2.Append(0)
	b3.Append(0)
	cols := []arrow.Array{b1.NewArray(), b2.NewArray(), b3.NewArray()}
	keys, slow, ok := p.pack(cols, []int{0, 1, 2}, len(rows)+1)
	if !ok {
		t.Fatal("integer columns not packed")
	}
	wantSlow := []bool{false, false, false, false, true, true, true, true}
	seen := map[int64]int{}
	for i := range wantSlow {
		if slow[i] != wantSlow[i] {
			t.Errorf("row %d: slow %v, want %v", i, slow[i], wantSlow[i])
		}
		if wantSlow[i] {
			continue
		}
		for k := 0; k < 3; k++ {
			if got := p.unpack(keys[i], k); got != rows[i][k] {
				t.Errorf("row %d key %d: unpacked %d, want %d", i, k, got, rows[i][k])
			}
		}
		if j, dup := seen[keys[i]]; dup {
			t.Errorf("rows %d and %d pack alike", j, i)
		}
		seen[keys[i]] = i
	}
}
