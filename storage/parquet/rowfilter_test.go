package parquet

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// The reader's own evaluation of a scan's predicates keeps exactly the
// rows the predicate holds for (NULL never passes a comparison), and
// declines the constants it cannot compare exactly.
func TestSelectRows(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt32Builder(mem)
	ib.AppendValues([]int32{5, 1, 9, 3, 7}, []bool{true, true, false, true, true})
	ints := ib.NewArray()
	db := array.NewDecimal64Builder(mem, &arrow.Decimal64Type{Precision: 15, Scale: 2})
	for _, v := range []int64{100, 250, 1999, -5, 250} {
		db.Append(decimal.Decimal64(v))
	}
	decs := db.NewArray()
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"AIR", "MAIL", "", "SHIP", "AIR"}, []bool{true, true, true, false, true})
	strs := sb.NewArray()
	arrays := []arrow.Array{ints, decs, strs}
	dec := func(v int64, scale int32) types.Value {
		return types.Decimal{V: decimal128.FromI64(v), Scale: scale}
	}
	for _, c := range []struct {
		name  string
		preds []rowPred
		want  []int32 // nil: declined
	}{
		{"int >=", []rowPred{{0, storage.Pred{Op: ">=", Vals: []types.Value{int64(5)}}}}, []int32{0, 4}},
		{"int in", []rowPred{{0, storage.Pred{Op: "in", Vals: []types.Value{int64(1), int64(9), int64(7)}}}}, []int32{1, 4}},
		{"int in, constants far apart", []rowPred{{0, storage.Pred{Op: "in", Vals: []types.Value{int64(3), int64(1 << 40), int64(-1 << 40)}}}}, []int32{3}},
		{"int isnull", []rowPred{{0, storage.Pred{Op: "isnull"}}}, []int32{2}},
		{"int notnull and <", []rowPred{{0, storage.Pred{Op: "notnull"}}, {0, storage.Pred{Op: "<", Vals: []types.Value{int64(6)}}}}, []int32{0, 1, 3}},
		{"decimal = at a coarser scale", []rowPred{{1, storage.Pred{Op: "=", Vals: []types.Value{dec(25, 1)}}}}, []int32{1, 4}},
		{"decimal < at a finer scale, exact", []rowPred{{1, storage.Pred{Op: "<", Vals: []types.Value{dec(10000, 4)}}}}, []int32{3}},
		{"decimal at a finer scale, inexact: declined", []rowPred{{1, storage.Pred{Op: "<", Vals: []types.Value{dec(10001, 4)}}}}, nil},
		{"int column, exact decimal constant", []rowPred{{0, storage.Pred{Op: "=", Vals: []types.Value{dec(50, 1)}}}}, []int32{0}},
		{"int column, fractional constant: declined", []rowPred{{0, storage.Pred{Op: "<", Vals: []types.Value{dec(55, 1)}}}}, nil},
		{"text =", []rowPred{{2, storage.Pred{Op: "=", Vals: []types.Value{"AIR"}}}}, []int32{0, 4}},
		{"text > (byte order), NULL dropped", []rowPred{{2, storage.Pred{Op: ">", Vals: []types.Value{"B"}}}}, []int32{1}},
		{"text in with the empty string", []rowPred{{2, storage.Pred{Op: "in", Vals: []types.Value{"", "MAIL"}}}}, []int32{1, 2}},
		{"two columns", []rowPred{{0, storage.Pred{Op: ">", Vals: []types.Value{int64(2)}}}, {2, storage.Pred{Op: "=", Vals: []types.Value{"AIR"}}}}, []int32{0, 4}},
	} {
		sel, ok := selectRowsOf(c.preds, arrays, 5)
		if c.want == nil {
			if ok {
				t.Errorf("%s: evaluated (%v), want declined", c.name, sel)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(sel, c.want) {
			t.Errorf("%s: %v (ok %v), want %v", c.name, sel, ok, c.want)
		}
	}
}

// TestWithoutImplied checks that a key set drops the bounds it implies
// on its own column and keeps the others.
func TestWithoutImplied(t *testing.T) {
	keys := &types.KeyBits{Lo: 10, Bits: make([]uint64, 2)}
	for _, v := range []int64{12, 70} {
		keys.Bits[(v-10)/64] |= 1 << ((v - 10) % 64)
	}
	in := []rowPred{
		{0, storage.Pred{Op: ">=", Vals: []types.Value{int64(12)}}},
		{0, storage.Pred{Op: "<=", Vals: []types.Value{int64(70)}}},
		{0, storage.Pred{Op: "<", Vals: []types.Value{int64(70)}}},
		{0, storage.Pred{Op: ">", Vals: []types.Value{int64(5)}}},
		{1, storage.Pred{Op: ">=", Vals: []types.Value{int64(12)}}},
		{0, storage.Pred{Op: "keys", Keys: keys}},
	}
	var got []string
	for _, rp := range withoutImplied(in) {
		got = append(got, fmt.Sprintf("%d%s%v", rp.k, rp.Op, rp.Vals))
	}
	if want := "[0<[70] 1>=[12] 0keys[]]"; fmt.Sprint(got) != want {
		t.Fatalf("kept %v, want %s", got, want)
	}
}

// selection lists exactly the kept rows, in order, whatever the length
// (the eight-row steps and the tail) and density; keepFlags sets every
// flag, a pooled buffer included.
func TestSelection(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 1000, 4097} {
		for _, density := range []float64{0, 0.01, 0.15, 0.5, 0.97, 1} {
			keep := keepFlags(n)
			for i, k := range keep {
				if k != 1 {
					t.Fatalf("n=%d: keepFlags[%d] = %d", n, i, k)
				}
				if rng.Float64() >= density {
					keep[i] = 0
				}
			}
			var want []int32
			for i, k := range keep {
				if k == 1 {
					want = append(want, int32(i))
				}
			}
			got := selection(keep)
			if len(got) != len(want) || countKept(keep) != len(want) {
				t.Fatalf("n=%d density=%v: %d rows, count %d, want %d", n, density, len(got), countKept(keep), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("n=%d density=%v: row %d is %d, want %d", n, density, i, got[i], want[i])
				}
			}
			keepPool.Put(&keep)
		}
	}
}
