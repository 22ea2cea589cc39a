package storage

import (
	"sync"
	"testing"

	"github.com/lakeq/lakeq/types"
)

// A bound only tightens, in its direction, whichever worker reports
// first; its views on other columns share it; its predicate keeps NULLs
// when they sort first.
func TestDynBound(t *testing.T) {
	desc := NewDynBound(2, types.Int8T, true, true)
	if _, ok := desc.Pred(); ok {
		t.Fatal("a bound before any key")
	}
	var wg sync.WaitGroup
	for w := int64(0); w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := int64(0); v < 100; v++ {
				desc.Tighten((v*7 + w*13) % 100)
			}
		}()
	}
	wg.Wait()
	desc.Tighten(nil)
	p, ok := desc.Pred()
	if !ok || p.Op != ">=" || p.Vals[0] != int64(99) || p.Col != 2 || !p.KeepNulls {
		t.Fatalf("descending bound: %+v", p)
	}
	asc := NewDynBound(0, types.Int8T, false, false)
	other := asc.OnColumn(5)
	asc.Tighten(int64(40))
	other.Tighten(int64(10))
	asc.Tighten(int64(30))
	if p, _ := asc.Pred(); p.Op != "<=" || p.Vals[0] != int64(10) || p.KeepNulls || p.Col != 0 {
		t.Fatalf("ascending bound: %+v", p)
	}
	if p, _ := other.Pred(); p.Col != 5 || p.Vals[0] != int64(10) {
		t.Fatalf("the view on column 5: %+v", p)
	}
}

// A predicate that keeps NULLs may match any chunk that may hold one.
func TestMayMatchKeepNulls(t *testing.T) {
	p := Pred{Op: ">=", Vals: []types.Value{int64(50)}, ColT: types.Int8T}
	if p.MayMatch(int64(1), int64(10), 3, 100, true) {
		t.Error("a chunk below the bound may match")
	}
	p.KeepNulls = true
	if !p.MayMatch(int64(1), int64(10), 3, 100, true) || !p.MayMatch(int64(1), int64(10), 0, 100, false) {
		t.Error("a chunk that may hold NULLs was ruled out")
	}
	if p.MayMatch(int64(1), int64(10), 0, 100, true) {
		t.Error("a chunk without NULLs below the bound may match")
	}
}
