package exec

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// rangedMorsel is a morsel whose column 0 spans [lo, hi] (known false:
// its statistics do not say).
type rangedMorsel struct {
	lo, hi int64
	known  bool
}

func (m rangedMorsel) Read(*Ctx) ([]arrow.Record, error) { return nil, nil }
func (m rangedMorsel) KeyRange(col int) (int64, int64, bool) {
	return m.lo, m.hi, m.known && col == 0
}

// TestMorselSourceDisjoint checks the ranges that let an aggregate emit
// groups by morsel: apart, touching (the shared values listed), in any
// order; overlapping, unknown or another column rule it out.
func TestMorselSourceDisjoint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ms     []rangedMorsel
		col    int
		ok     bool
		shared []int64
	}{
		{"apart", []rangedMorsel{{1, 10, true}, {11, 20, true}, {30, 30, true}}, 0, true, nil},
		{"touching, unordered", []rangedMorsel{{10, 20, true}, {1, 10, true}, {20, 25, true}}, 0, true, []int64{10, 20}},
		{"one key over three morsels", []rangedMorsel{{1, 5, true}, {5, 5, true}, {5, 9, true}}, 0, true, []int64{5}},
		{"overlap", []rangedMorsel{{1, 10, true}, {9, 20, true}}, 0, false, nil},
		{"inside another", []rangedMorsel{{1, 100, true}, {20, 30, true}, {40, 50, true}}, 0, false, nil},
		{"unknown", []rangedMorsel{{1, 10, true}, {11, 20, false}}, 0, false, nil},
		{"other column", []rangedMorsel{{1, 10, true}}, 1, false, nil},
	} {
		s := &MorselSource{}
		for _, m := range tc.ms {
			s.morsels = append(s.morsels, m)
		}
		ok, shared := s.Disjoint(tc.col)
		if ok != tc.ok || !slices.Equal(shared, tc.shared) {
			t.Errorf("%s: Disjoint = %v %v, want %v %v", tc.name, ok, shared, tc.ok, tc.shared)
		}
		// answered from the run's cache the second time
		if ok2, shared2 := s.Disjoint(tc.col); ok2 != ok || !slices.Equal(shared2, shared) {
			t.Errorf("%s: second answer %v %v", tc.name, ok2, shared2)
		}
	}
}
