package exec

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// A hash aggregate past the memory limit spills (DESIGN.md, Memory). A
// worker whose table cannot grow stops adding groups: rows of groups it
// has still fold in, rows of other groups are written, as they came, to
// one of aggParts partition files by the hash of their key. At Finalize
// each partition is aggregated on its own — its spilled rows, then the
// in-memory groups of that partition merged in — and its groups are the
// result, one partition after the other, so the memory held is the
// in-memory table and one partition's groups (which may pass the limit
// by that partition's share of the spilled groups). A group's rows are in
// memory or in its partition, so no group comes out twice.
//
// Grouping sets: a row a set's table (or, for a set derived from a finer
// one, its root's table) does not hold goes to that set's own partition
// files, by that set's keys; at Finalize the derived sets' in-memory
// groups are made from their roots' as usual, and each set's partitions
// come out one after the other. DISTINCT and ordered aggregates keep
// every row of a group, so once such an aggregate spills every row goes
// to the files, and a group's rows are merged with its in-memory buffer
// when its partition is aggregated. A global aggregate (no keys) has one
// group and does not spill.
const aggParts = 32

// aggLocal is a worker's state: its tables and, once it spills, its
// partition files.
type aggLocal struct {
	tables []*aggTable
	held   int64 // the memory reserved for the tables' groups
	spill  bool
	// aggregation by morsel (agg_morsel.go): the source's answer, and the
	// rows of shared keys kept for Combine
	bmAsked bool
	bm      disjointKeys
	edge    []arrow.Record
	parts   [][aggParts]partBuffer // per grouping set
}

// aggSpill is the aggregate's spilled rows and, at Finalize, the
// partitions' progress.
type aggSpill struct {
	mu   sync.Mutex
	runs [][aggParts][]*SpillRun // per grouping set
	seed maphash.Seed

	next    int       // the next (set·aggParts + partition) to aggregate
	gpart   [][]uint8 // per set, each in-memory group's partition
	pending []arrow.Record
	held    int64 // memory of the partition being emitted
}

func (h *HashAgg) spillState() *aggSpill {
	h.spillOnce.Do(func() {
		h.spill = &aggSpill{seed: maphash.MakeSeed(), runs: make([][aggParts][]*SpillRun, len(h.sets()))}
	})
	return h.spill
}

// keepsRows reports whether an aggregate's state is its rows (DISTINCT
// or ordered calls, array_agg, string_agg), so that folding a row into a
// group held in memory grows it.
func (h *HashAgg) keepsRows() bool {
	h.keepsOnce.Do(func() {
		for i := range h.Aggs {
			_, grows := h.Aggs[i].newAcc().(functions.Grower)
			h.keeps = h.keeps || grows
		}
	})
	return h.keeps
}

// rootOf is the set whose table set s's groups are made from: s itself,
// or the end of its chain of finer sets.
func (h *HashAgg) rootOf(s int) int {
	from := h.deriveFrom()
	for from[s] >= 0 {
		s = from[s]
	}
	return s
}

// canSpill reports whether the aggregate can spill its rows.
func (h *HashAgg) canSpill(ctx *Ctx) bool {
	return ctx.Spill != nil && len(h.Keys) > 0
}

// grow reserves n bytes for new groups; past the limit a worker that can
// spill keeps them (they are made) and spills from its next batch on.
func (h *HashAgg) grow(ctx *Ctx, l *aggLocal, n int64) error {
	if ctx.TryGrow(h.Label, n) {
		l.held += n
		return nil
	}
	if !h.canSpill(ctx) {
		if err := ctx.Grow(h.Label, n); err != nil {
			return err
		}
		l.held += n
		return nil
	}
	ctx.Mem.Force(n)
	l.held += n
	l.spill = true
	return nil
}

// partitionKeys returns the partition of each of n rows by the keys of
// a grouping set (keyCols: every key's column, those outside the set
// unread), from the keys' values, so that rows and in-memory groups
// agree whatever the arrays' encodings.
func (h *HashAgg) partitionKeys(st *aggSpill, set []int, keyCols []arrow.Array, n int) []uint8 {
	canon := make([]arrow.Array, len(set))
	ts := make([]types.T, len(set))
	for i, k := range set {
		vals := make([]types.Value, n)
		for r := 0; r < n; r++ {
			vals[r] = types.GetValue(h.KeyT[k], keyCols[k], r)
		}
		canon[i], ts[i] = types.BuildArray(h.KeyT[k], vals), h.KeyT[k]
	}
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(canon, ts, n, keys, nulls)
	out := make([]uint8, n)
	for i, k := range keys {
		out[i] = uint8(maphash.Bytes(st.seed, k) % aggParts)
	}
	return out
}

// consumeSpilling folds in the rows of groups the worker's tables have
// and writes the others to their sets' partitions.
func (h *HashAgg) consumeSpilling(ctx *Ctx, l *aggLocal, in arrow.Record) error {
	n := int(in.NumRows())
	keyCols, err := h.evalKeys(ctx, in)
	if err != nil {
		return err
	}
	sets := h.sets()
	if l.parts == nil {
		l.parts = make([][aggParts]partBuffer, len(sets))
	}
	keeps := h.keepsRows()
	for ti, t := range l.tables {
		if t.derived {
			continue
		}
		var hits, misses []int32
		if keeps {
			misses = allRows(n)
		} else if len(t.set) == 0 {
			hits = allRows(n) // one group
		} else {
			hits, misses = h.heldRows(t, keyCols, n)
		}
		if len(hits) > 0 {
			sub := in
			if len(misses) > 0 {
				sub = expr.SubRecord(in, hits)
			}
			if err := h.consume(ctx, []*aggTable{t}, sub, func(n int64) error { ctx.Mem.Force(n); return nil }, nil); err != nil {
				return err
			}
		}
		if len(misses) == 0 {
			continue
		}
		sub, subKeys := in, keyCols
		if len(misses) < n {
			sub = expr.SubRecord(in, misses)
			subKeys = make([]arrow.Array, len(keyCols))
			for k, c := range keyCols {
				subKeys[k] = types.Take(h.KeyT[k], c, misses)
			}
		}
		for s := range sets {
			if h.rootOf(s) == ti {
				if err := h.spillSet(ctx, l, s, sub, subKeys); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// allRows is 0 … n-1.
func allRows(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}

// heldRows splits a batch's rows into those whose group t holds and the
// others, finding groups as consume would.
func (h *HashAgg) heldRows(t *aggTable, keyCols []arrow.Array, n int) (hits, misses []int32) {
	cols, ts := h.setKeys(t, keyCols)
	ik, inulls, intOK := h.groupInts(t, cols, n)
	var keys [][]byte
	for i := 0; i < n; i++ {
		found := false
		if intOK && (inulls == nil || !inulls[i]) {
			if t.ints != nil {
				_, found = t.ints.Get(ik[i])
			}
		} else {
			if keys == nil {
				keys = make([][]byte, n)
				encodeKeys(cols, ts, n, keys, make([]bool, n))
			}
			_, found = t.groups[string(keys[i])]
		}
		if found {
			hits = append(hits, int32(i))
		} else {
			misses = append(misses, int32(i))
		}
	}
	return hits, misses
}

// spillSet writes rows to grouping set s's partitions, by its keys.
func (h *HashAgg) spillSet(ctx *Ctx, l *aggLocal, s int, in arrow.Record, keyCols []arrow.Array) error {
	n := int(in.NumRows())
	parts := h.partitionKeys(h.spillState(), h.sets()[s], keyCols, n)
	var byPart [aggParts][]int32
	for i, p := range parts {
		byPart[p] = append(byPart[p], int32(i))
	}
	return eachPart(in, byPart[:], func(p int, part arrow.Record) error {
		return l.parts[s][p].add(ctx, h.Label, part)
	})
}

// finishParts closes a worker's partition files (Combine).
func (h *HashAgg) finishParts(ctx *Ctx, l *aggLocal) error {
	for s := range l.parts {
		for p := range l.parts[s] {
			run, err := l.parts[s][p].finish()
			if err != nil {
				return err
			}
			if run == nil {
				continue
			}
			ctx.Spilled(h.Label, run.Bytes)
			st := h.spillState()
			st.mu.Lock()
			st.runs[s][p] = append(st.runs[s][p], run)
			st.mu.Unlock()
		}
	}
	return nil
}

func (h *HashAgg) spilledRuns() bool {
	if h.spill == nil {
		return false
	}
	for s := range h.spill.runs {
		for _, rs := range h.spill.runs[s] {
			if len(rs) > 0 {
				return true
			}
		}
	}
	return false
}

// startPartitions prepares the partition-by-partition result: the
// partition of each in-memory group of each set.
func (h *HashAgg) startPartitions(ctx *Ctx) error {
	st := h.spill
	st.gpart = make([][]uint8, len(h.global))
	for s, g := range h.global {
		ng := g.ngroups()
		cols := make([]arrow.Array, len(h.Keys))
		for _, k := range g.set {
			vals := make([]types.Value, ng)
			for i := 0; i < ng; i++ {
				vals[i] = g.keyValue(h, i, k)
			}
			cols[k] = types.BuildArray(h.KeyT[k], vals)
		}
		st.gpart[s] = h.partitionKeys(st, g.set, cols, ng)
	}
	st.next = 0
	return nil
}

// nextPartition aggregates the next partition that has groups and
// returns its result batches (nil when every set's partitions are done).
func (h *HashAgg) nextPartition(ctx *Ctx) ([]arrow.Record, error) {
	st := h.spill
	if st.held > 0 {
		ctx.Shrink(h.Label, st.held)
		st.held = 0
	}
	for ; st.next < len(h.global)*aggParts; st.next++ {
		s, p := st.next/aggParts, st.next%aggParts
		before := ctx.Mem.Used()
		gt := h.global[s]
		t := h.newTable(gt.set)
		for _, run := range st.runs[s][p] {
			r, err := run.Open()
			if err != nil {
				return nil, err
			}
			for {
				rec, err := r.Next()
				if err != nil {
					r.Close()
					return nil, err
				}
				if rec == nil {
					break
				}
				// the partition's groups come on top of the in-memory
				// table: about 1/aggParts of those that spilled
				if err := h.consume(ctx, []*aggTable{t}, rec, func(n int64) error { ctx.Mem.Force(n); return nil }, nil); err != nil {
					r.Close()
					return nil, err
				}
			}
			r.Close()
			run.Remove()
		}
		st.runs[s][p] = nil
		// the in-memory groups of this partition join the spilled ones;
		// the others are merged into one discarded group past the end
		gpart := st.gpart[s]
		mapping := make([]int32, gt.ngroups())
		if gt.derived {
			h.mapDerived(t, gt, gpart, uint8(p), mapping)
		}
		for k, g := range gt.groups {
			if gt.derived || gpart[g] != uint8(p) {
				continue
			}
			gg, ok := t.groups[k]
			if !ok {
				gg = t.addGroup(gt.group(g))
				t.groups[k] = gg
			}
			mapping[g] = gg
		}
		if gt.ints != nil && !gt.derived {
			gt.ints.Each(func(k int64, g int32) {
				if gpart[g] != uint8(p) {
					return
				}
				if t.ints == nil {
					if gt.ints.isDense {
						t.ints = newDenseInt64Table()
					} else {
						t.ints = newInt64Table(0)
					}
				}
				gg, added := t.ints.GetOrPut(k, int32(t.ngroups()))
				if added {
					t.addGroup(nil, k)
				}
				mapping[g] = gg
			})
		}
		ng := t.ngroups()
		if ng == 0 {
			continue
		}
		for g := range mapping {
			if gpart[g] != uint8(p) {
				mapping[g] = int32(ng)
			}
		}
		for a := range t.accs {
			if t.follows[a] {
				continue
			}
			if err := t.accs[a].Merge(gt.accs[a], mapping, ng+1); err != nil {
				return nil, err
			}
		}
		out, err := h.tableOutput(ctx, t, ng, ng+1)
		if err != nil {
			return nil, err
		}
		st.held = ctx.Mem.Used() - before
		st.next++
		return out, nil
	}
	return nil, nil
}

// mapDerived maps the groups of a derived set's table (keyed as
// deriveTable keys them) that lie in partition p to t's groups of the
// same key values, adding those t lacks.
func (h *HashAgg) mapDerived(t, gt *aggTable, gpart []uint8, p uint8, mapping []int32) {
	key := func(x *aggTable, g int) string {
		var kb []byte
		for _, k := range x.set {
			kb = appendGroupKey(kb, x.keyValue(h, g, k))
		}
		return string(kb)
	}
	index := make(map[string]int32, t.ngroups())
	for g := 0; g < t.ngroups(); g++ {
		index[key(t, g)] = int32(g)
	}
	for g := range mapping {
		if gpart[g] != p {
			continue
		}
		k := key(gt, g)
		gg, ok := index[k]
		if !ok {
			gg = t.addGroup(gt.group(int32(g)))
			index[k] = gg
		}
		mapping[g] = gg
	}
}

// aggSource hands out an aggregate's result: its batches in memory (any
// worker), or, when it spilled, partition by partition (one worker).
type aggSource struct {
	h       *HashAgg
	next    atomic.Int64
	mu      sync.Mutex
	pending []arrow.Record
	early   bool // h.out (the groups emitted by morsel) taken into pending
}

func (s *aggSource) Name() string { return s.h.Label + " result" }
func (s *aggSource) Init(*Ctx) error {
	s.next.Store(0)
	s.pending, s.early = nil, false
	return nil
}
func (s *aggSource) Parallelism() int {
	if s.h.spill != nil && s.h.spill.gpart != nil {
		return 1
	}
	return max(1, len(s.h.out))
}
func (s *aggSource) NewLocal() any { return nil }
func (s *aggSource) Next(ctx *Ctx, _ any) (arrow.Record, error) {
	h := s.h
	if h.spill == nil || h.spill.gpart == nil {
		i := s.next.Add(1) - 1
		if i >= int64(len(h.out)) {
			return nil, nil
		}
		return h.out[i], nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.early {
		// groups emitted by morsel before the spill began come first
		s.early = true
		s.pending = append(s.pending, h.out...)
	}
	for len(s.pending) == 0 {
		recs, err := h.nextPartition(ctx)
		if err != nil {
			return nil, err
		}
		if recs == nil {
			return nil, nil
		}
		s.pending = recs
	}
	r := s.pending[0]
	s.pending = s.pending[1:]
	return r, nil
}
