package exec

import (
	"cmp"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/types"
)

// Aggregation by morsel. Lake files are often written in the order of a
// key (orders and lineitem by order key, events by time), so each row
// group's range of that key is apart from every other's. When a group
// key is such a column, every group's rows lie in one row group, which
// one worker reads whole: its groups are complete when the morsel ends.
// The worker then emits them and empties its table, instead of keeping
// them until every worker has merged its groups into one table — TPC-H
// q18 groups lineitem by order key, which held every order's group
// twice (the workers' and the merged tables) until the end.

// KeyRanger is a Morsel that knows, from its file's statistics, the range
// of an integer (or date) column of its batches. ok is false when the
// statistics do not say, or when the column may hold NULLs (NULL keys of
// different morsels would be one group).
type KeyRanger interface {
	KeyRange(col int) (lo, hi int64, ok bool)
}

// MorselEnder is a Source whose batches come in morsels; MorselEnded
// reports whether the worker with local has passed on the last batch of
// the morsel it read.
type MorselEnder interface {
	MorselEnded(local any) bool
}

// MorselSink is a Sink told when a worker's morsel ends (after the last
// of its batches went through the operators before the sink).
type MorselSink interface {
	EndMorsel(ctx *Ctx, local any) error
}

func (s *MorselSource) MorselEnded(local any) bool {
	l := local.(*morselLocal)
	return len(l.pending) == 0 && l.rest == nil
}

// Disjoint reports whether every morsel of the run knows its range of
// column col and no two ranges overlap but at their ends; shared lists,
// ascending, the values where one range ends and another begins (a key
// cut by a row group's end: its rows lie in two morsels or more).
func (s *MorselSource) Disjoint(col int) (ok bool, shared []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, done := s.disjoint[col]; done {
		return v.ok, v.shared
	}
	type span struct{ lo, hi int64 }
	spans := make([]span, 0, len(s.morsels))
	ok = true
	for _, m := range s.morsels {
		kr, is := m.(KeyRanger)
		if !is {
			ok = false
			break
		}
		lo, hi, known := kr.KeyRange(col)
		if !known {
			ok = false
			break
		}
		spans = append(spans, span{lo, hi})
	}
	if ok {
		slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
		for i := 1; i < len(spans) && ok; i++ {
			top := spans[i-1].hi
			switch {
			case spans[i].lo < top:
				ok = false
			case spans[i].lo == top:
				if n := len(shared); n == 0 || shared[n-1] != top {
					shared = append(shared, top)
				}
			}
			spans[i].hi = max(spans[i].hi, top)
		}
	}
	if !ok {
		shared = nil
	}
	if s.disjoint == nil {
		s.disjoint = map[int]disjointKeys{}
	}
	s.disjoint[col] = disjointKeys{ok, shared}
	return ok, shared
}

type disjointKeys struct {
	ok     bool
	shared []int64
}

// ByMorsel names the scan column a HashAgg's groups follow: the source's
// column Col is group key Key, reaching the aggregate unchanged through
// Filters and Projects only.
type ByMorsel struct {
	Src *MorselSource
	Col int
	Key int
}

// morselFlushGroups is the fewest groups a worker emits at a morsel's
// end; fewer wait for the next morsel's (they are complete either way),
// so that a key with few values per morsel does not make tiny batches.
const morselFlushGroups = 8192

// EndMorsel emits the worker's groups when the morsels are apart in the
// aggregate's key column. Rows of a key shared by two morsels never
// entered the table (edges, below), so every group in it is complete.
func (h *HashAgg) EndMorsel(ctx *Ctx, local any) error {
	l := local.(*aggLocal)
	if h.ByMorsel == nil || l.spill || len(l.tables) != 1 || !l.morselKeys(h).ok {
		return nil
	}
	t := l.tables[0]
	ng := t.ngroups()
	if ng < morselFlushGroups {
		return nil
	}
	recs, err := h.tableOutput(ctx, t, ng, ng)
	if err != nil {
		return err
	}
	// the table's memory goes with it; the rows wait for the next pipeline
	var out int64
	for _, r := range recs {
		out += RecordSize(r)
	}
	ctx.Shrink(h.Label, l.held)
	ctx.Mem.Force(out)
	l.held = 0
	l.tables = h.newTables()
	h.mu.Lock()
	h.early = append(h.early, recs...)
	h.mu.Unlock()
	return nil
}

// morselKeys is the source's Disjoint answer for the key, asked once per
// worker.
func (l *aggLocal) morselKeys(h *HashAgg) disjointKeys {
	if !l.bmAsked {
		l.bmAsked = true
		l.bm.ok, l.bm.shared = h.ByMorsel.Src.Disjoint(h.ByMorsel.Col)
	}
	return l.bm
}

// edges returns the rows of in whose key is shared by two morsels (nil:
// none). They stay out of the worker's table — its groups can then be
// emitted whole at a morsel's end — and are aggregated into the merged
// table at Combine. A batch lies in one morsel, so at most a few shared
// values fall in its range: the batch's range is found first, and rows
// are compared only with those.
func (h *HashAgg) edges(ctx *Ctx, l *aggLocal, in arrow.Record) ([]int32, error) {
	bm := l.morselKeys(h)
	if !bm.ok || len(bm.shared) == 0 {
		return nil, nil
	}
	c, err := h.Keys[h.ByMorsel.Key].Eval(ctx.Expr, in)
	if err != nil {
		return nil, err
	}
	var vals []int64
	switch a := c.(type) {
	case *array.Int64:
		vals = a.Int64Values()
	case *array.Int32:
		vals = widen(a.Int32Values())
	case *array.Int16:
		vals = widen(a.Int16Values())
	case *array.Date32:
		vals = widen(types.Values[arrow.Date32](a))
	default:
		return nil, nil
	}
	if len(vals) == 0 {
		return nil, nil
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	i, _ := slices.BinarySearch(bm.shared, lo)
	j, _ := slices.BinarySearch(bm.shared, hi+1)
	if i >= j {
		return nil, nil
	}
	in_ := bm.shared[i:j]
	var idx []int32
	for r, v := range vals {
		if v == in_[0] || slices.Contains(in_, v) {
			idx = append(idx, int32(r))
		}
	}
	return idx, nil
}

func widen[E int16 | int32 | arrow.Date32](xs []E) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = int64(x)
	}
	return out
}
