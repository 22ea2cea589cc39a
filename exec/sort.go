package exec

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// SortKey is one ORDER BY key.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// Sort materializes its input and emits it ordered by Keys. With Limit
// >= 0 only the first Limit rows are kept (top-N): each worker keeps at
// most about 2×Limit rows, cutting its rows down to its own top Limit as
// they arrive. Past the query's memory limit a worker sorts the rows it
// holds into a run in a spill file; Finalize then merges the runs and
// what stayed in memory, and the result streams from the merge.
type Sort struct {
	Label string
	Keys  []SortKey
	Limit int64
	// Bound, for a top-N whose first key a scan below reads as it is,
	// is tightened to a worker's N-th kept key each time it cuts its
	// rows down (the scan skips what sorts after it; nil: none)
	Bound *storage.DynBound

	mu    sync.Mutex
	recs  []arrow.Record
	keys  [][]arrow.Array
	held  int64 // bytes reserved for recs and keys
	runs  []*SpillRun
	out   []arrow.Record
	merge *runMerge
}

type sortLocal struct {
	recs  []arrow.Record
	keys  [][]arrow.Array
	rows  int64
	bytes int64 // reserved in the query's memory
}

func (s *Sort) Name() string  { return s.Label }
func (s *Sort) NewLocal() any { return &sortLocal{} }
func (s *Sort) Consume(ctx *Ctx, local any, in arrow.Record) error {
	l := local.(*sortLocal)
	ks := make([]arrow.Array, len(s.Keys))
	size := RecordSize(in)
	for i, k := range s.Keys {
		c, err := k.Expr.Eval(ctx.Expr, in)
		if err != nil {
			return err
		}
		ks[i] = c
		size += arraySize(c)
	}
	l.recs = append(l.recs, in)
	l.keys = append(l.keys, ks)
	l.rows += in.NumRows()
	// with a bound to tighten, as soon as a batch is in: the sooner the
	// bound is the N-th key of more rows, the less the scan decodes
	if s.Limit >= 0 && (l.rows > max(2*s.Limit, 4*BatchSize) || s.Bound != nil && l.rows > 2*s.Limit) {
		// top-N: only this worker's best Limit rows can make the result
		if err := s.compact(ctx, l); err != nil {
			return err
		}
		size = 0
	}
	if ctx.TryGrow(s.Label, size) {
		l.bytes += size
		return nil
	}
	if ctx.Spill == nil {
		return ctx.Grow(s.Label, size)
	}
	return s.spill(ctx, l)
}

// compact cuts a worker's rows down to its top Limit.
func (s *Sort) compact(ctx *Ctx, l *sortLocal) error {
	rec, krec, idx, err := s.order(l.recs, l.keys, s.Limit, 1)
	if err != nil {
		return err
	}
	kept, keptKeys := expr.SubRecord(rec, idx), expr.SubRecord(krec, idx)
	l.recs, l.keys, l.rows = []arrow.Record{kept}, [][]arrow.Array{keptKeys.Columns()}, kept.NumRows()
	if s.Bound != nil && kept.NumRows() >= s.Limit && s.Limit > 0 {
		// no row sorting after this worker's N-th can be in the result
		s.Bound.Tighten(types.GetValue(s.Bound.ColT, keptKeys.Column(0), int(s.Limit)-1))
	}
	ctx.Shrink(s.Label, l.bytes)
	l.bytes = RecordSize(kept) + RecordSize(keptKeys)
	return ctx.Grow(s.Label, l.bytes)
}

// spill writes a worker's rows, sorted, to a spill file as one run, with
// their key columns after the row's own, and frees their memory.
func (s *Sort) spill(ctx *Ctx, l *sortLocal) error {
	rec, krec, idx, err := s.order(l.recs, l.keys, s.Limit, 1)
	if err != nil {
		return err
	}
	both := withKeys(rec, krec)
	w, err := ctx.Spill.Create(s.Label, both.Schema())
	if err != nil {
		return err
	}
	for start := 0; start < len(idx); start += BatchSize {
		if err := w.Write(expr.SubRecord(both, idx[start:min(start+BatchSize, len(idx))])); err != nil {
			return err
		}
	}
	run, err := w.Finish()
	if err != nil {
		return err
	}
	ctx.Spilled(s.Label, run.Bytes)
	s.mu.Lock()
	s.runs = append(s.runs, run)
	s.mu.Unlock()
	ctx.Shrink(s.Label, l.bytes)
	*l = sortLocal{}
	return nil
}

func (s *Sort) Combine(_ *Ctx, local any) error {
	l := local.(*sortLocal)
	s.mu.Lock()
	s.recs = append(s.recs, l.recs...)
	s.keys = append(s.keys, l.keys...)
	s.held += l.bytes
	s.mu.Unlock()
	return nil
}

// withKeys is rec's columns followed by krec's.
func withKeys(rec, krec arrow.Record) arrow.Record {
	fields := append(append([]arrow.Field(nil), rec.Schema().Fields()...), krec.Schema().Fields()...)
	cols := append(append([]arrow.Array(nil), rec.Columns()...), krec.Columns()...)
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
}

func arraySize(a arrow.Array) int64 {
	var n int64
	for _, b := range a.Data().Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	return n
}

// compareFunc orders rows i and j of one key column (non-NULL rows).
type compareFunc func(i, j int) int

func cmpOf[E int16 | int32 | int64 | float32 | float64 | arrow.Date32 | arrow.Timestamp | arrow.Time64](vals []E) compareFunc {
	return func(i, j int) int {
		a, b := vals[i], vals[j]
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		if a != a || b != b { // NaN sorts last
			if a != a && b != b {
				return 0
			}
			if a != a {
				return 1
			}
			return -1
		}
		return 0
	}
}

// ColumnComparer returns a comparator for one column of type t.
func ColumnComparer(t types.T, a arrow.Array) compareFunc {
	switch x := a.(type) {
	case *array.Int16:
		return cmpOf(x.Int16Values())
	case *array.Int32:
		return cmpOf(x.Int32Values())
	case *array.Int64:
		return cmpOf(x.Int64Values())
	case *array.Float32:
		return cmpOf(x.Float32Values())
	case *array.Float64:
		return cmpOf(x.Float64Values())
	case *array.Date32:
		return cmpOf(x.Date32Values())
	case *array.Timestamp:
		return cmpOf(x.TimestampValues())
	case *array.Time64:
		return cmpOf(x.Time64Values())
	case *array.String:
		// strings.Compare: the []byte conversions copied both values
		return func(i, j int) int { return strings.Compare(x.Value(i), x.Value(j)) }
	case *array.Boolean:
		return func(i, j int) int {
			a, b := x.Value(i), x.Value(j)
			switch {
			case a == b:
				return 0
			case !a:
				return -1
			}
			return 1
		}
	case *types.DynNumericArray:
		ds := types.DynDecimals(x) // read each value once, not per comparison
		return func(i, j int) int { return types.CompareDecimal(ds[i], ds[j]) }
	case *array.Decimal128:
		return func(i, j int) int { return x.Value(i).Cmp(x.Value(j)) }
	case *array.Decimal64:
		vals := types.Values[int64](x)
		return func(i, j int) int { return cmp.Compare(vals[i], vals[j]) }
	}
	return func(i, j int) int { return types.Compare(types.GetValue(t, a, i), types.GetValue(t, a, j)) }
}

// RowComparer builds a multi-key comparator over parallel key columns.
func RowComparer(keys []SortKey, cols []arrow.Array) func(i, j int) int {
	cmps := make([]compareFunc, len(cols))
	for k, c := range cols {
		cmps[k] = ColumnComparer(keys[k].Expr.Type(), c)
	}
	return rowComparer(keys, cols, cmps)
}

// sortComparer is RowComparer for a sort of the columns' rows: a text
// key of few distinct values (a window's partition by category, an
// ORDER BY on a flag) is compared by its values' ranks, found once,
// instead of by the strings at each of the n log n comparisons (a
// window over 137,602 groups spent a tenth of TPC-DS q67 comparing
// strings).
func sortComparer(keys []SortKey, cols []arrow.Array) func(i, j int) int {
	cmps := make([]compareFunc, len(cols))
	for k, c := range cols {
		if s, ok := c.(*array.String); ok {
			if ranks, ok := stringRanks(s); ok {
				cmps[k] = cmpOf(ranks)
				continue
			}
		}
		cmps[k] = ColumnComparer(keys[k].Expr.Type(), c)
	}
	return rowComparer(keys, cols, cmps)
}

// rankMinRows and rankMaxShare bound stringRanks: columns shorter than
// the one are compared directly, and ranking stops once distinct values
// pass the other share of the rows (the ranks would cost a sort of their
// own).
const (
	rankMinRows  = 4096
	rankMaxShare = 8 // at most n/8 distinct values
)

// stringRanks gives each row of a its value's rank among the distinct
// values in byte order (NULL rows: 0, never compared); false when a is
// short or has too many distinct values.
func stringRanks(a *array.String) ([]int32, bool) {
	n := a.Len()
	if n < rankMinRows {
		return nil, false
	}
	ids := make([]int32, n)
	seen := map[string]int32{}
	var vals []string
	for i := range ids {
		if a.IsNull(i) {
			continue
		}
		v := a.Value(i) // the array's bytes, for the map's life here only
		id, ok := seen[v]
		if !ok {
			if len(vals) >= n/rankMaxShare {
				return nil, false
			}
			id = int32(len(vals))
			seen[v] = id
			vals = append(vals, v)
		}
		ids[i] = id
	}
	order := make([]int32, len(vals))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(vals[x], vals[y]) })
	rank := make([]int32, len(vals))
	for r, id := range order {
		rank[id] = int32(r)
	}
	for i, id := range ids {
		if len(rank) > 0 { // all NULL: no value to rank
			ids[i] = rank[id]
		}
	}
	return ids, true
}

func rowComparer(keys []SortKey, cols []arrow.Array, cmps []compareFunc) func(i, j int) int {
	// a column without NULLs skips the two IsNull calls per comparison
	// (a quarter of a window's sort in TPC-DS q67)
	nulls := make([]bool, len(cols))
	for k, c := range cols {
		nulls[k] = c.NullN() > 0
	}
	return func(i, j int) int {
		for k, c := range cols {
			if !nulls[k] {
				if r := cmps[k](i, j); r != 0 {
					if keys[k].Desc {
						return -r
					}
					return r
				}
				continue
			}
			ni, nj := c.IsNull(i), c.IsNull(j)
			if ni || nj {
				if ni && nj {
					continue
				}
				// NULL position is independent of direction
				if ni == keys[k].NullsFirst {
					return -1
				}
				return 1
			}
			r := cmps[k](i, j)
			if r != 0 {
				if keys[k].Desc {
					return -r
				}
				return r
			}
		}
		return 0
	}
}

// order concatenates batches and their key columns and returns the
// row order (only the first limit rows when limit >= 0; input order
// breaks ties).
func (s *Sort) order(recs []arrow.Record, keys [][]arrow.Array, limit int64, workers int) (arrow.Record, arrow.Record, []int32, error) {
	rec, err := concatRecords(recs)
	if err != nil {
		return nil, nil, nil, err
	}
	keyCols := make([]arrow.Array, len(s.Keys))
	fields := make([]arrow.Field, len(s.Keys))
	for k := range s.Keys {
		parts := make([]arrow.Record, len(keys))
		for i, ks := range keys {
			parts[i] = array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "k", Type: ks[k].DataType(), Nullable: true}}, nil), []arrow.Array{ks[k]}, int64(ks[k].Len()))
		}
		kr, err := concatRecords(parts)
		if err != nil {
			return nil, nil, nil, err
		}
		keyCols[k] = kr.Column(0)
		fields[k] = arrow.Field{Name: fmt.Sprintf("sort_key_%d", k), Type: keyCols[k].DataType(), Nullable: true}
	}
	n := int(rec.NumRows())
	krec := array.NewRecord(arrow.NewSchema(fields, nil), keyCols, int64(n))
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	cmp := sortComparer(s.Keys, keyCols)
	less := func(a, b int32) bool {
		if c := cmp(int(a), int(b)); c != 0 {
			return c < 0
		}
		return a < b // stable: input order breaks ties
	}
	if limit >= 0 && limit < int64(n)/4 {
		idx = topN(idx, int(limit), less)
	} else {
		sortRows(idx, s.Keys, keyCols, workers)
		if limit >= 0 && int64(len(idx)) > limit {
			idx = idx[:limit]
		}
	}
	return rec, krec, idx, nil
}

func (s *Sort) Finalize(ctx *Ctx) error {
	s.out, s.merge = nil, nil
	if len(s.recs) == 0 && len(s.runs) == 0 {
		return nil
	}
	var rec, krec arrow.Record
	var idx []int32
	if len(s.recs) > 0 {
		var err error
		if rec, krec, idx, err = s.order(s.recs, s.keys, s.Limit, ctx.Workers); err != nil {
			return err
		}
	}
	if len(s.runs) == 0 {
		for start := 0; start < len(idx); start += BatchSize {
			part := idx[start:min(start+BatchSize, len(idx))]
			s.out = append(s.out, expr.SubRecord(rec, part))
		}
		s.recs, s.keys = nil, nil
		return nil
	}
	// the runs on disk and the rows still in memory, merged as read
	var inputs []runInput
	for _, r := range s.runs {
		inputs = append(inputs, &fileRun{run: r})
	}
	if len(idx) > 0 {
		both := withKeys(rec, krec)
		var sorted []arrow.Record
		for start := 0; start < len(idx); start += BatchSize {
			sorted = append(sorted, expr.SubRecord(both, idx[start:min(start+BatchSize, len(idx))]))
		}
		inputs = append(inputs, &memRun{recs: sorted})
	}
	s.recs, s.keys, s.runs = nil, nil, nil
	s.merge = &runMerge{keys: s.Keys, inputs: inputs, limit: s.Limit}
	return nil
}

// AsSource emits the sorted result in order (one worker): from memory,
// or merged from the spilled runs as it is read.
func (s *Sort) AsSource() Source { return &sortSource{s: s} }

type sortSource struct {
	s    *Sort
	next int
}

func (x *sortSource) Name() string     { return x.s.Label + " result" }
func (x *sortSource) Init(*Ctx) error  { x.next = 0; return nil }
func (x *sortSource) Parallelism() int { return 1 }
func (x *sortSource) NewLocal() any    { return nil }
func (x *sortSource) Next(ctx *Ctx, _ any) (arrow.Record, error) {
	if m := x.s.merge; m != nil {
		return m.next(ctx)
	}
	if x.next >= len(x.s.out) {
		return nil, nil
	}
	x.next++
	return x.s.out[x.next-1], nil
}

// topN returns the k smallest rows in order, keeping a max-heap of k.
func topN(idx []int32, k int, less func(a, b int32) bool) []int32 {
	if k == 0 {
		return nil
	}
	h := make([]int32, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(h[l], h[r]) {
				m = r
			}
			if !less(h[i], h[m]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for _, x := range idx {
		if len(h) < k {
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !less(h[p], h[i]) {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if less(x, h[0]) {
			h[0] = x
			down(0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return less(h[a], h[b]) })
	return h
}

// sortIndex sorts row numbers by cmp, input order breaking ties (a
// stable order from an unstable sort), on up to workers goroutines:
// chunks sorted concurrently, then merged pairwise, the merges of a
// round concurrent too. cmp must be safe for concurrent use (the
// comparers here only read their arrays).
func sortIndex(idx []int32, cmp func(i, j int) int, workers int) {
	order := func(a, b int32) int {
		if c := cmp(int(a), int(b)); c != 0 {
			return c
		}
		return int(a) - int(b)
	}
	n := len(idx)
	chunks := min(workers, n/sortChunkRows)
	if chunks <= 1 {
		slices.SortFunc(idx, order)
		return
	}
	runs := make([][2]int, chunks)
	for c := range runs {
		runs[c] = [2]int{c * n / chunks, (c + 1) * n / chunks}
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slices.SortFunc(idx[r[0]:r[1]], order)
		}()
	}
	wg.Wait()
	src, dst := idx, make([]int32, n)
	for len(runs) > 1 {
		var next [][2]int
		for p := 0; p < len(runs); p += 2 {
			if p+1 == len(runs) {
				copy(dst[runs[p][0]:runs[p][1]], src[runs[p][0]:runs[p][1]])
				next = append(next, runs[p])
				continue
			}
			a, b := runs[p], runs[p+1]
			wg.Add(1)
			go func() {
				defer wg.Done()
				mergeIndex(dst[a[0]:b[1]], src[a[0]:a[1]], src[b[0]:b[1]], order)
			}()
			next = append(next, [2]int{a[0], b[1]})
		}
		wg.Wait()
		runs, src, dst = next, dst, src
	}
	if &src[0] != &idx[0] {
		copy(idx, src)
	}
}

// sortChunkRows is the fewest rows worth a goroutine of a parallel sort.
const sortChunkRows = 8192

// mergeIndex merges two sorted runs into out (len(a)+len(b) long).
func mergeIndex(out, a, b []int32, order func(a, b int32) int) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if order(b[j], a[i]) < 0 {
			out[k] = b[j]
			j++
		} else {
			out[k] = a[i]
			i++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	copy(out[k:], b[j:])
}
