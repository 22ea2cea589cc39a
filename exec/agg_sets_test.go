package exec

import (
	"reflect"
	"testing"
)

// TestDeriveFrom checks which set each grouping set is derived from: the
// smallest strict superset (the first of equals), -1 for sets built from
// the rows.
func TestDeriveFrom(t *testing.T) {
	for _, c := range []struct {
		name string
		sets [][]int
		want []int
	}{
		{"rollup", [][]int{{0, 1, 2}, {0, 1}, {0}, {}}, []int{-1, 0, 1, 2}},
		{"cube", [][]int{{0, 1}, {0}, {1}, {}}, []int{-1, 0, 0, 1}},
		{"disjoint sets", [][]int{{0}, {1}}, []int{-1, -1}},
		{"a set twice, in two orders", [][]int{{0, 1}, {1, 0}, {1}}, []int{-1, -1, 0}},
		{"coarse listed first", [][]int{{}, {2}, {0, 2}, {0, 1, 2}}, []int{1, 2, 3, -1}},
		{"one set", [][]int{{0, 1}}, []int{-1}},
	} {
		h := &HashAgg{Sets: c.sets}
		if got := h.deriveFrom(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
