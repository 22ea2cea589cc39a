package exec

import (
	"hash/maphash"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
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
// Only a plain GROUP BY spills: grouping sets (several tables) and
// DISTINCT or ordered aggregates (whose state is every row) fail with
// 53200 past the limit, as before.
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
	parts   [aggParts]partBuffer
}

// aggSpill is the aggregate's spilled rows and, at Finalize, the
// partitions' progress.
type aggSpill struct {
	mu   sync.Mutex
	runs [aggParts][]*SpillRun
	seed maphash.Seed

	next    int     // the next partition to aggregate
	gpart   []uint8 // each in-memory group's partition
	pending []arrow.Record
	held    int64 // memory of the partition being emitted
}

func (h *HashAgg) spillState() *aggSpill {
	h.spillOnce.Do(func() { h.spill = &aggSpill{seed: maphash.MakeSeed()} })
	return h.spill
}

// canSpill reports whether the aggregate can spill its rows.
func (h *HashAgg) canSpill(ctx *Ctx) bool {
	if ctx.Spill == nil || len(h.Keys) == 0 || len(h.sets()) != 1 {
		return false
	}
	for i := range h.Aggs {
		if h.Aggs[i].Distinct || len(h.Aggs[i].OrderBy) > 0 {
			return false
		}
	}
	return true
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

// partitionKeys returns the partition of each of n rows of key columns,
// from the keys' values (so that rows and in-memory groups agree
// whatever the arrays' encodings).
func (h *HashAgg) partitionKeys(st *aggSpill, cols []arrow.Array, n int) []uint8 {
	canon := make([]arrow.Array, len(cols))
	for k, c := range cols {
		vals := make([]types.Value, n)
		for i := 0; i < n; i++ {
			vals[i] = types.GetValue(h.KeyT[k], c, i)
		}
		canon[k] = types.BuildArray(h.KeyT[k], vals)
	}
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(canon, h.KeyT, n, keys, nulls)
	out := make([]uint8, n)
	for i, k := range keys {
		out[i] = uint8(maphash.Bytes(st.seed, k) % aggParts)
	}
	return out
}

// consumeSpilling folds in the rows of groups the worker has and writes
// the others to their partitions.
func (h *HashAgg) consumeSpilling(ctx *Ctx, l *aggLocal, in arrow.Record) error {
	t := l.tables[0]
	n := int(in.NumRows())
	keyCols, err := h.evalKeys(ctx, in)
	if err != nil {
		return err
	}
	// which rows' groups are here, as consume would find them
	cols, ts := h.setKeys(t, keyCols)
	found := make([]bool, n)
	ik, inulls, intOK := h.groupInts(t, cols, n)
	var keys [][]byte
	for i := 0; i < n; i++ {
		if intOK && (inulls == nil || !inulls[i]) {
			if t.ints != nil {
				_, found[i] = t.ints.Get(ik[i])
			}
			continue
		}
		if keys == nil {
			keys = make([][]byte, n)
			encodeKeys(cols, ts, n, keys, make([]bool, n))
		}
		_, found[i] = t.groups[string(keys[i])]
	}
	var hits, misses []int32
	for i, ok := range found {
		if ok {
			hits = append(hits, int32(i))
		} else {
			misses = append(misses, int32(i))
		}
	}
	if len(hits) > 0 {
		sub := in
		if len(misses) > 0 {
			sub = expr.SubRecord(in, hits)
		}
		if err := h.consume(ctx, l.tables, sub, func(n int64) error { ctx.Mem.Force(n); return nil }, nil); err != nil {
			return err
		}
	}
	if len(misses) == 0 {
		return nil
	}
	st := h.spillState()
	mk := make([]arrow.Array, len(keyCols))
	for k, c := range keyCols {
		mk[k] = expr.SubRecord(array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "k", Type: c.DataType(), Nullable: true}}, nil), []arrow.Array{c}, int64(n)), misses).Column(0)
	}
	parts := h.partitionKeys(st, mk, len(misses))
	var byPart [aggParts][]int32
	for j, p := range parts {
		byPart[p] = append(byPart[p], misses[j])
	}
	for p, rows := range byPart {
		if len(rows) == 0 {
			continue
		}
		if err := l.parts[p].add(ctx, h.Label, expr.SubRecord(in, rows)); err != nil {
			return err
		}
	}
	return nil
}

// finishParts closes a worker's partition files (Combine).
func (h *HashAgg) finishParts(ctx *Ctx, l *aggLocal) error {
	for p := range l.parts {
		run, err := l.parts[p].finish()
		if err != nil {
			return err
		}
		if run == nil {
			continue
		}
		ctx.Spilled(h.Label, run.Bytes)
		st := h.spillState()
		st.mu.Lock()
		st.runs[p] = append(st.runs[p], run)
		st.mu.Unlock()
	}
	return nil
}

func (h *HashAgg) spilledRuns() bool {
	if h.spill == nil {
		return false
	}
	for _, rs := range h.spill.runs {
		if len(rs) > 0 {
			return true
		}
	}
	return false
}

// startPartitions prepares the partition-by-partition result: the
// partition of each in-memory group.
func (h *HashAgg) startPartitions(ctx *Ctx) error {
	st := h.spill
	g := h.global[0]
	ng := g.ngroups()
	cols := make([]arrow.Array, len(h.Keys))
	for k := range h.Keys {
		vals := make([]types.Value, ng)
		for i := 0; i < ng; i++ {
			vals[i] = g.keyValue(h, i, k)
		}
		cols[k] = types.BuildArray(h.KeyT[k], vals)
	}
	st.gpart = h.partitionKeys(st, cols, ng)
	st.next = 0
	return nil
}

// nextPartition aggregates the next partition that has groups and
// returns its result batches (nil when every partition is done).
func (h *HashAgg) nextPartition(ctx *Ctx) ([]arrow.Record, error) {
	st := h.spill
	if st.held > 0 {
		ctx.Shrink(h.Label, st.held)
		st.held = 0
	}
	for ; st.next < aggParts; st.next++ {
		p := st.next
		before := ctx.Mem.Used()
		t := h.newTables()[0]
		for _, run := range st.runs[p] {
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
		st.runs[p] = nil
		// the in-memory groups of this partition join the spilled ones;
		// the others are merged into one discarded group past the end
		gt := h.global[0]
		mapping := make([]int32, gt.ngroups())
		for k, g := range gt.groups {
			if st.gpart[g] != uint8(p) {
				continue
			}
			gg, ok := t.groups[k]
			if !ok {
				gg = t.addGroup(gt.group(g))
				t.groups[k] = gg
			}
			mapping[g] = gg
		}
		if gt.ints != nil {
			gt.ints.Each(func(k int64, g int32) {
				if st.gpart[g] != uint8(p) {
					return
				}
				if t.ints == nil {
					t.ints = newInt64Table(0)
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
			if st.gpart[g] != uint8(p) {
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
