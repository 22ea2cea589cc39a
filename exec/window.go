package exec

import (
	"cmp"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// FrameSpec is a window frame. Offsets are constants (-1 = unbounded).
type FrameSpec struct {
	Mode        string // "rows", "range", "groups"
	StartKind   string // "unbounded preceding", "preceding", "current row", "following"
	StartOffset types.Value
	EndKind     string
	EndOffset   types.Value
	Exclude     string
}

// WindowFunc is one function computed by a Window sink.
type WindowFunc struct {
	Win  *functions.Window // ranking/navigation function, or nil for an aggregate
	Agg  *AggSpec          // aggregate over the frame
	Args []expr.Expr
	ArgT []types.T
	Ret  types.T
}

// Window computes window functions sharing one PARTITION BY / ORDER BY.
// Output: input columns (in window order) followed by one column per function.
type Window struct {
	Label     string
	Partition []SortKey
	Order     []SortKey
	Frame     FrameSpec
	Funcs     []WindowFunc
	OutSchema *arrow.Schema
	// RankLimit > 0: only rows ranked within it in their partition are
	// wanted (a Filter above drops the rest), so rows ordered after the
	// RankLimit-th of their partition (and its peers) are dropped before
	// the sort. Every function must depend only on the rows ordered up
	// to a row's peers (row_number, rank, dense_rank).
	RankLimit int64

	col Collect
	out []arrow.Record
	mu  sync.Mutex

	// past the memory limit the input goes to partition files by the
	// hash of its PARTITION BY keys (window_spill.go)
	spilling  atomic.Bool
	spillOnce sync.Once
	spill     *windowSpill
	// or, without PARTITION BY, to a sort (window_stream.go)
	stream *windowStream
	rows   atomic.Int64 // rows consumed, for the streamed ranks
}

func (w *Window) Name() string  { return w.Label }
func (w *Window) NewLocal() any { return w.col.NewLocal() }
func (w *Window) Consume(ctx *Ctx, l any, in arrow.Record) error {
	if w.canStream(ctx) {
		return w.consumeStream(ctx, l.(*collectLocal), in)
	}
	if w.canSpill(ctx) {
		return w.consumeSpillable(ctx, l.(*collectLocal), in)
	}
	return w.col.Consume(ctx, l, in)
}
func (w *Window) Combine(ctx *Ctx, l any) error {
	if w.spilling.Load() && w.stream != nil {
		w.stream.mu.Lock()
		defer w.stream.mu.Unlock()
		return w.streamHeld(ctx, l.(*collectLocal))
	}
	if w.spilling.Load() {
		w.spill.mu.Lock()
		defer w.spill.mu.Unlock()
		return w.spillHeld(ctx, l.(*collectLocal))
	}
	return w.col.Combine(ctx, l)
}

// AsSource emits the result in window order (each spilled partition
// file's rows in window order, one file after another).
func (w *Window) AsSource() Source {
	return &windowSource{w: w}
}

func evalAll(ctx *Ctx, es []expr.Expr, rec arrow.Record) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(es))
	for i, e := range es {
		c, err := e.Eval(ctx.Expr, rec)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func (w *Window) Finalize(ctx *Ctx) error {
	w.out = nil
	if w.spilling.Load() && w.stream != nil {
		return w.finishStream(ctx)
	}
	if w.spilling.Load() {
		return w.finishSpill(ctx)
	}
	rec, err := concatRecords(w.col.Records())
	if err != nil || rec == nil {
		return err
	}
	w.out, err = w.compute(ctx, rec)
	return err
}

// compute runs the window over rows that hold whole partitions: all the
// input, or one spilled partition file's.
func (w *Window) compute(ctx *Ctx, rec arrow.Record) ([]arrow.Record, error) {
	n := int(rec.NumRows())
	if n == 0 {
		return nil, nil
	}
	keys := append(append([]SortKey{}, w.Partition...), w.Order...)
	kexprs := make([]expr.Expr, len(keys))
	for i, k := range keys {
		kexprs[i] = k.Expr
	}
	kcols, err := evalAll(ctx, kexprs, rec)
	if err != nil {
		return nil, err
	}
	var idx []int32
	if w.RankLimit > 0 && w.RankLimit < int64(n) {
		np := len(w.Partition)
		idx = rankCandidates(kcols[:np], keyTypes(keys[:np]), sortComparer(keys[np:], kcols[np:]), n, int(w.RankLimit))
		n = len(idx)
	} else {
		idx = make([]int32, n)
		for i := range idx {
			idx[i] = int32(i)
		}
	}
	workers := max(1, ctx.Workers)
	if w.RankLimit > 0 && w.RankLimit < int64(rec.NumRows()) {
		sortIndex(idx, sortComparer(keys, kcols), workers) // candidates: not every row
	} else {
		sortRows(idx, keys, kcols, workers)
	}
	// the rows and their keys in window order, a column per goroutine
	inCols := rec.Columns()
	all := append(append([]arrow.Array{}, inCols...), kcols...)
	taken := make([]arrow.Array, len(all))
	parallelFor(len(all), workers, func(c int) {
		t, err := types.FromArrow(all[c].DataType())
		if c >= len(inCols) {
			t, err = keys[c-len(inCols)].Expr.Type(), nil
		}
		if err != nil {
			t = types.TextT
		}
		taken[c] = types.Take(t, all[c], idx)
	})
	sorted := array.NewRecord(rec.Schema(), taken[:len(inCols)], int64(n))
	kcolsS := taken[len(inCols):]
	np := len(w.Partition)
	cmpPart := RowComparer(keys[:np], kcolsS[:np])
	cmpOrder := RowComparer(keys[np:], kcolsS[np:])
	results := make([][]types.Value, len(w.Funcs))
	for f := range results {
		results[f] = make([]types.Value, n)
	}
	argCols := make([][]arrow.Array, len(w.Funcs))
	for f, fn := range w.Funcs {
		if argCols[f], err = evalAll(ctx, fn.Args, sorted); err != nil {
			return nil, err
		}
	}
	// FILTER: the rows (in window order) an aggregate does not read
	skip := make([][]bool, len(w.Funcs))
	for f, fn := range w.Funcs {
		if fn.Agg == nil || fn.Agg.Filter == nil {
			continue
		}
		m, err := fn.Agg.Filter.Eval(ctx.Expr, sorted)
		if err != nil {
			return nil, err
		}
		b, ok := m.(*array.Boolean)
		if !ok {
			return nil, sqlerr.New(sqlerr.Internal, "window FILTER gave %s, not boolean", m.DataType())
		}
		skip[f] = make([]bool, n)
		for i := range n {
			skip[f][i] = b.IsNull(i) || !b.Value(i)
		}
	}
	// partitions are independent: contiguous runs of them, of about
	// equal rows, computed concurrently into disjoint parts of results
	var bounds []int
	for start := 0; start < n; {
		bounds = append(bounds, start)
		end := start + 1
		if np > 0 {
			for end < n && cmpPart(start, end) == 0 {
				end++
			}
		} else {
			end = n
		}
		start = end
	}
	bounds = append(bounds, n)
	parts := len(bounds) - 1
	// an aggregate over the whole partition: one accumulator for all
	// of them, a group per partition, instead of one accumulator and
	// one finalized array per partition (TPC-DS q47's avg over 30,000
	// small partitions)
	done := make([]bool, len(w.Funcs))
	if w.wholePartitionFrame() {
		var groups []int32
		for f, fn := range w.Funcs {
			if fn.Agg == nil {
				continue
			}
			if groups == nil {
				groups = make([]int32, n)
				for p := range parts {
					for i := bounds[p]; i < bounds[p+1]; i++ {
						groups[i] = int32(p)
					}
				}
			}
			g := groups
			if skip[f] != nil {
				g = slices.Clone(groups)
				for i, sk := range skip[f] {
					if sk {
						g[i] = -1
					}
				}
			}
			acc := fn.Agg.newAcc()
			if err := acc.Update(g, parts, argCols[f]); err != nil {
				return nil, err
			}
			r, err := acc.Finalize(parts)
			if err != nil {
				return nil, err
			}
			for p := range parts {
				v := types.GetValue(fn.Ret, r, p)
				for i := bounds[p]; i < bounds[p+1]; i++ {
					results[f][i] = v
				}
			}
			done[f] = true
		}
	}
	if !slices.Contains(done, false) {
		parts = 0
	}
	shares := min(workers, parts)
	if n < sortChunkRows {
		shares = 1
	}
	errs := make([]error, shares)
	cut := func(sh int) int { // the first partition of share sh
		return sort.Search(parts, func(p int) bool { return bounds[p] >= sh*n/shares })
	}
	parallelFor(shares, shares, func(sh int) {
		for p := cut(sh); p < cut(sh+1); p++ {
			if err := w.partition(ctx, sorted, argCols, skip, done, kcolsS[np:], cmpOrder, bounds[p], bounds[p+1], results); err != nil {
				errs[sh] = err
				return
			}
			if err := ctx.Err(); err != nil {
				errs[sh] = err
				return
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	cols := append([]arrow.Array{}, sorted.Columns()...)
	for f, fn := range w.Funcs {
		cols = append(cols, types.BuildArray(fn.Ret, results[f]))
	}
	out := array.NewRecord(w.OutSchema, cols, int64(n))
	var batches []arrow.Record
	for s := int64(0); s < out.NumRows(); s += BatchSize {
		batches = append(batches, out.NewSlice(s, min(s+BatchSize, out.NumRows())))
	}
	return batches, nil
}

func (w *Window) partition(ctx *Ctx, sorted arrow.Record, argCols [][]arrow.Array, skip [][]bool, done []bool, orderCols []arrow.Array, cmpOrder func(i, j int) int, start, end int, results [][]types.Value) error {
	pn := end - start
	p := &functions.WindowPartition{N: pn, PeerStart: make([]int, pn), PeerEnd: make([]int, pn), FrameStart: make([]int, pn), FrameEnd: make([]int, pn)}
	for i := 0; i < pn; {
		j := i + 1
		for j < pn && cmpOrder(start+i, start+j) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			p.PeerStart[k], p.PeerEnd[k] = i, j
		}
		i = j
	}
	var loc *time.Location
	if ctx != nil && ctx.Expr != nil && ctx.Expr.F != nil {
		loc = ctx.Expr.F.Loc
	}
	if err := w.frames(p, orderCols, start, loc); err != nil {
		return err
	}
	for f, fn := range w.Funcs {
		if done[f] {
			continue
		}
		out := results[f][start:end]
		if fn.Win != nil {
			p.Args = make([][]types.Value, len(argCols[f]))
			for a, c := range argCols[f] {
				vals := make([]types.Value, pn)
				for i := 0; i < pn; i++ {
					vals[i] = types.GetValue(fn.ArgT[a], c, start+i)
				}
				p.Args[a] = vals
			}
			if !fn.Win.UsesFrame {
				// ranking functions see the whole partition
			}
			if err := fn.Win.Eval(p, out); err != nil {
				return err
			}
			continue
		}
		if err := w.aggregate(ctx, fn, argCols[f], skip[f], p, start, out); err != nil {
			return err
		}
	}
	return nil
}

func offsetInt(v types.Value, isStart bool) (int, error) {
	which := "ending"
	if isStart {
		which = "starting"
	}
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, sqlerr.New(sqlerr.InvalidPrecedingOrFollowingSize, "frame %s offset must not be negative", which)
		}
		return int(x), nil
	case nil:
		return 0, sqlerr.New(sqlerr.NullValueNotAllowed, "frame %s offset must not be null", which)
	}
	return 0, sqlerr.New(sqlerr.FeatureNotSupported, "frame offset must be an integer")
}

// frames computes [FrameStart, FrameEnd) for each row of the partition.
func (w *Window) frames(p *functions.WindowPartition, orderCols []arrow.Array, base int, loc *time.Location) error {
	fr := w.Frame
	n := p.N
	if fr.Mode == "" {
		// default: RANGE UNBOUNDED PRECEDING .. CURRENT ROW (peers); whole partition without ORDER BY
		for i := 0; i < n; i++ {
			p.FrameStart[i] = 0
			if len(w.Order) == 0 {
				p.FrameEnd[i] = n
			} else {
				p.FrameEnd[i] = p.PeerEnd[i]
			}
		}
		return nil
	}
	// group index for GROUPS mode
	grp := make([]int, n)
	var groupStarts []int
	for i := 0; i < n; i++ {
		if p.PeerStart[i] == i {
			groupStarts = append(groupStarts, i)
		}
		grp[i] = len(groupStarts) - 1
	}
	var rk *rangeKeys
	rangeBound := func(i int, kind string, off types.Value, isStart bool) (int, error) {
		if len(w.Order) != 1 {
			return 0, sqlerr.New(sqlerr.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
		}
		if rk == nil {
			rk = newRangeKeys(w.Order[0].Expr.Type(), orderCols[0], base, n)
		}
		return rk.bound(i, kind == "preceding", w.Order[0].Desc, off, isStart, loc, p)
	}
	bound := func(i int, kind string, off types.Value, isStart bool) (int, error) {
		switch kind {
		case "unbounded preceding":
			return 0, nil
		case "unbounded following":
			return n, nil
		case "current row":
			switch fr.Mode {
			case "rows":
				if isStart {
					return i, nil
				}
				return i + 1, nil
			default:
				if isStart {
					return p.PeerStart[i], nil
				}
				return p.PeerEnd[i], nil
			}
		case "preceding", "following":
			if fr.Mode == "range" {
				return rangeBound(i, kind, off, isStart)
			}
			k, err := offsetInt(off, isStart)
			if err != nil {
				return 0, err
			}
			if kind == "preceding" {
				k = -k
			}
			if fr.Mode == "rows" {
				if isStart {
					return min(max(i+k, 0), n), nil
				}
				return min(max(i+k+1, 0), n), nil
			}
			g := grp[i] + k
			if isStart {
				if g < 0 {
					return 0, nil
				}
				if g >= len(groupStarts) {
					return n, nil
				}
				return groupStarts[g], nil
			}
			if g < 0 {
				return 0, nil
			}
			if g+1 >= len(groupStarts) {
				return n, nil
			}
			return groupStarts[g+1], nil
		}
		return 0, sqlerr.New(sqlerr.WindowingError, "unsupported frame bound %s", kind)
	}
	for i := 0; i < n; i++ {
		s, err := bound(i, fr.StartKind, fr.StartOffset, true)
		if err != nil {
			return err
		}
		e, err := bound(i, fr.EndKind, fr.EndOffset, false)
		if err != nil {
			return err
		}
		p.FrameStart[i], p.FrameEnd[i] = s, max(e, s)
	}
	return nil
}

// aggregate computes an aggregate over each row's frame. Frames that
// start at the partition start grow monotonically and are computed
// incrementally; others are recomputed per row.
func (w *Window) aggregate(ctx *Ctx, fn WindowFunc, args []arrow.Array, skip []bool, p *functions.WindowPartition, base int, out []types.Value) error {
	// rows FILTER leaves out are in no group
	mask := func(groups []int32, from int) {
		if skip == nil {
			return
		}
		for k := range groups {
			if skip[base+from+k] {
				groups[k] = -1
			}
		}
	}
	n := p.N
	slice := func(from, to int) []arrow.Array {
		cols := make([]arrow.Array, len(args))
		for i, a := range args {
			cols[i] = array.NewSlice(a, int64(base+from), int64(base+to))
		}
		return cols
	}
	monotone := true
	for i := 1; i < n; i++ {
		if p.FrameStart[i] != p.FrameStart[0] || p.FrameEnd[i] < p.FrameEnd[i-1] {
			monotone = false
			break
		}
	}
	if monotone && n > 0 && p.FrameStart[0] == 0 && w.Frame.Exclude == "" {
		if r := newRunning(fn, args, base); r != nil {
			// a running sum, count, min or max: folded row by row in its
			// own type, no accumulator finalized per row
			fed, lastEnd := 0, -1
			var last types.Value
			for i := 0; i < n; i++ {
				e := p.FrameEnd[i]
				if e != lastEnd {
					for ; fed < e; fed++ {
						if !r.fold(fed) {
							goto general // overflow: the accumulator's exact path says what happens
						}
					}
					last, lastEnd = r.value(), e
				}
				out[i] = last
			}
			return nil
		}
	general:
		acc := fn.Agg.newAcc()
		fed := 0
		var last types.Value
		lastEnd := -1
		for i := 0; i < n; i++ {
			e := p.FrameEnd[i]
			if e == lastEnd {
				out[i] = last
				continue
			}
			if e > fed {
				groups := make([]int32, e-fed)
				mask(groups, fed)
				if err := acc.Update(groups, 1, slice(fed, e)); err != nil {
					return err
				}
				fed = e
			}
			r, err := acc.Finalize(1)
			if err != nil {
				return err
			}
			last = types.GetValue(fn.Ret, r, 0)
			lastEnd = e
			out[i] = last
		}
		return nil
	}
	for i := 0; i < n; i++ {
		s, e := p.FrameStart[i], p.FrameEnd[i]
		acc := fn.Agg.newAcc()
		if e > s {
			groups := make([]int32, e-s)
			if w.Frame.Exclude != "" {
				for j := s; j < e; j++ {
					ex := false
					switch w.Frame.Exclude {
					case "current row":
						ex = j == i
					case "group":
						ex = j >= p.PeerStart[i] && j < p.PeerEnd[i]
					case "ties":
						ex = j != i && j >= p.PeerStart[i] && j < p.PeerEnd[i]
					}
					if ex {
						groups[j-s] = -1
					}
				}
			}
			mask(groups, s)
			if err := acc.Update(groups, 1, slice(s, e)); err != nil {
				return err
			}
		}
		r, err := acc.Finalize(1)
		if err != nil {
			return err
		}
		out[i] = types.GetValue(fn.Ret, r, 0)
	}
	return nil
}

// SetCollectLabel names the window's input buffer for memory accounting.
func (w *Window) SetCollectLabel(l string) { w.col.Label = l }

// running is an aggregate over frames that all start at the partition's
// first row and only grow (ROWS/RANGE UNBOUNDED PRECEDING … CURRENT ROW):
// fold takes the next row in (false: it cannot, say on overflow), value
// is the aggregate so far.
type running interface {
	fold(j int) bool
	value() types.Value
}

// newRunning returns a running form of fn over args (rows from base),
// or nil when fn is not one of the simple aggregates over a type it
// handles exactly as the accumulator does.
func newRunning(fn WindowFunc, args []arrow.Array, base int) running {
	s := fn.Agg
	if s == nil || s.Distinct || s.Filter != nil || len(s.OrderBy) > 0 {
		return nil
	}
	if s.Name == "count" && fn.Ret.Kind == types.Int8 {
		if len(args) == 0 {
			return &runCount{base: base}
		}
		if len(args) == 1 {
			return &runCount{arg: args[0], base: base}
		}
		return nil
	}
	if len(args) != 1 {
		return nil
	}
	a := args[0]
	switch s.Name {
	case "sum":
		switch x := a.(type) {
		case *array.Decimal128, *array.Decimal64:
			if fn.Ret.Kind == types.Numeric && !fn.Ret.Dyn && types.DecimalScale(a.DataType()) == fn.Ret.Scale {
				return &runDecSum{arg: types.Decimal128Of(x), base: base, scale: fn.Ret.Scale}
			}
		case *array.Int64, *array.Int32, *array.Int16:
			if fn.Ret.Kind == types.Int8 {
				return &runIntSum{arg: a, base: base}
			}
		}
	case "min", "max":
		if fn.Ret.Kind != fn.ArgT[0].Kind {
			return nil
		}
		r := &runMinMax{arg: a, base: base, t: fn.Ret, idx: -1, max: s.Name == "max"}
		switch x := a.(type) {
		case *array.Int64, *array.Int32, *array.Int16, *array.Date32, *array.Timestamp:
			r.less = intLess(a)
		case *array.Decimal128, *array.Decimal64:
			d := types.Decimal128Of(x).Values()
			r.less = func(i, j int) bool { return d[i].Less(d[j]) }
		default:
			return nil // floats (NaN's order), text (collation), …: the accumulator's
		}
		return r
	}
	return nil
}

// intLess orders an integer-valued array's rows.
func intLess(a arrow.Array) func(i, j int) bool {
	switch x := a.(type) {
	case *array.Int64:
		return lessOf(x.Int64Values())
	case *array.Int32:
		return lessOf(x.Int32Values())
	case *array.Int16:
		return lessOf(x.Int16Values())
	case *array.Date32:
		return lessOf(x.Date32Values())
	case *array.Timestamp:
		return lessOf(x.TimestampValues())
	}
	return nil
}

func lessOf[E cmp.Ordered](v []E) func(i, j int) bool {
	return func(i, j int) bool { return v[i] < v[j] }
}

type runCount struct {
	arg  arrow.Array // nil: count(*)
	base int
	n    int64
}

func (r *runCount) fold(j int) bool {
	if r.arg == nil || r.arg.IsValid(r.base+j) {
		r.n++
	}
	return true
}
func (r *runCount) value() types.Value { return r.n }

type runIntSum struct {
	arg  arrow.Array
	base int
	sum  int64
	any  bool
}

func (r *runIntSum) fold(j int) bool {
	i := r.base + j
	if !r.arg.IsValid(i) {
		return true
	}
	var v int64
	switch x := r.arg.(type) {
	case *array.Int64:
		v = x.Value(i)
	case *array.Int32:
		v = int64(x.Value(i))
	case *array.Int16:
		v = int64(x.Value(i))
	}
	s := r.sum + v
	if (r.sum^s)&(v^s) < 0 {
		return false // past int64: the accumulator reports it
	}
	r.sum, r.any = s, true
	return true
}

func (r *runIntSum) value() types.Value {
	if !r.any {
		return nil
	}
	return r.sum
}

type runDecSum struct {
	arg   *array.Decimal128
	base  int
	scale int32
	sum   decimal128.Num
	any   bool
}

// maxDecimal is numeric's largest unscaled value here, as the sum
// accumulator's.
var maxDecimal = decimal128.GetMaxValue(38)

func (r *runDecSum) fold(j int) bool {
	i := r.base + j
	if !r.arg.IsValid(i) {
		return true
	}
	v := r.arg.Value(i)
	s := r.sum.Add(v)
	// the sum of two values below 10^38 cannot wrap 128 bits, so the
	// range check finds every overflow
	if s.Greater(maxDecimal) || s.Less(maxDecimal.Negate()) {
		return false
	}
	r.sum, r.any = s, true
	return true
}

func (r *runDecSum) value() types.Value {
	if !r.any {
		return nil
	}
	return types.Decimal{V: r.sum, Scale: r.scale}
}

type runMinMax struct {
	arg  arrow.Array
	base int
	t    types.T
	less func(i, j int) bool
	max  bool
	idx  int // the row holding the extreme so far, -1 before any
}

func (r *runMinMax) fold(j int) bool {
	i := r.base + j
	if !r.arg.IsValid(i) {
		return true
	}
	if r.idx < 0 || (!r.max && r.less(i, r.idx)) || (r.max && r.less(r.idx, i)) {
		r.idx = i
	}
	return true
}

func (r *runMinMax) value() types.Value {
	if r.idx < 0 {
		return nil
	}
	return types.GetValue(r.t, r.arg, r.idx)
}

func keyTypes(keys []SortKey) []types.T {
	ts := make([]types.T, len(keys))
	for i, k := range keys {
		ts[i] = k.Expr.Type()
	}
	return ts
}

// rankCandidates returns, in input order, the rows of each partition that
// are ordered no later than the partition's limit-th row, its peers
// included: a bounded max-heap per partition finds that row in one pass
// (n log limit comparisons instead of a sort's n log n), a second pass
// keeps what does not come after it.
func rankCandidates(pcols []arrow.Array, pts []types.T, cmpOrder func(i, j int) int, n, limit int) []int32 {
	group := make([]int32, n)
	if len(pcols) > 0 {
		keys := make([][]byte, n)
		encodeKeys(pcols, pts, n, keys, make([]bool, n))
		ids := map[string]int32{}
		for i, k := range keys {
			g, ok := ids[string(k)]
			if !ok {
				g = int32(len(ids))
				ids[string(k)] = g
			}
			group[i] = g
		}
	}
	// later before earlier: a tie keeps the earlier row, as the stable
	// sort that follows numbers them
	after := func(a, b int32) bool {
		if c := cmpOrder(int(a), int(b)); c != 0 {
			return c > 0
		}
		return a > b
	}
	var heaps [][]int32
	for i := range n {
		g := group[i]
		for int(g) >= len(heaps) {
			heaps = append(heaps, nil)
		}
		h := heaps[g]
		r := int32(i)
		switch {
		case len(h) < limit:
			h = append(h, r)
			for c := len(h) - 1; c > 0; {
				p := (c - 1) / 2
				if !after(h[c], h[p]) {
					break
				}
				h[c], h[p] = h[p], h[c]
				c = p
			}
			heaps[g] = h
		case after(h[0], r):
			h[0] = r
			for p := 0; ; {
				c := 2*p + 1
				if c >= len(h) {
					break
				}
				if c+1 < len(h) && after(h[c+1], h[c]) {
					c++
				}
				if !after(h[c], h[p]) {
					break
				}
				h[c], h[p] = h[p], h[c]
				p = c
			}
		}
	}
	keep := make([]int32, 0, min(n, len(heaps)*limit*2))
	for i := range n {
		h := heaps[group[i]]
		if len(h) < limit || cmpOrder(i, int(h[0])) <= 0 {
			keep = append(keep, int32(i))
		}
	}
	return keep
}

// wholePartitionFrame reports a frame that is every row of the
// partition for every row: no ORDER BY under the default frame, or
// UNBOUNDED PRECEDING to UNBOUNDED FOLLOWING excluding nothing.
func (w *Window) wholePartitionFrame() bool {
	fr := w.Frame
	if fr.Mode == "" {
		return len(w.Order) == 0
	}
	return fr.StartKind == "unbounded preceding" && fr.EndKind == "unbounded following" && fr.Exclude == ""
}

// parallelFor runs f(0) … f(n-1) on up to workers goroutines.
func parallelFor(n, workers int, f func(i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
