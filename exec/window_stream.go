package exec

import (
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// A window without PARTITION BY is one partition: past the memory limit
// it cannot be cut into files by key as window_spill.go does. When its
// functions need no more than a bounded look around each row, its rows
// go instead to a Sort by its ORDER BY — which spills sorted runs and
// merges them as they are read — and the window is computed over the
// sorted stream a chunk at a time (DESIGN.md, Memory):
//
//   - ranks (row_number, rank, dense_rank, percent_rank, cume_dist,
//     ntile) from each row's place in the whole stream, whose length is
//     counted as the rows come;
//   - lag and lead with a constant offset of at most BatchSize, from the
//     chunk with the previous chunk's last rows and the next chunk's
//     first ones around it;
//   - aggregates, first_value and last_value over a frame from the first
//     row to the current one (ROWS, RANGE or GROUPS), with one
//     accumulator carried from chunk to chunk;
//   - aggregates, first_value and last_value over the whole partition,
//     in two passes: the sorted rows are folded and written to a spill
//     file, then read again with the answers;
//   - aggregates, first_value, last_value and nth_value over a sliding
//     frame — ROWS, RANGE or GROUPS with both ends offsets from the
//     current row (a moving average, the last hour's sum) — over the
//     chunk with the rows before it that its first frame reaches and as
//     many chunks after it as its last frame does.
//
// A chunk ends at a peer group's end, so that a row's peers are in its
// chunk; a single peer group is held whole, and so are the rows one frame
// spans. Other windows without PARTITION BY (a frame from the first row
// to an offset, EXCLUDE) fail with 53200 past the limit.

// windowStream is a streaming window's state from its first spill on.
type windowStream struct {
	mu   sync.Mutex
	sort *Sort
	sl   *sortLocal // the sort's one local: workers feed it under mu
}

// canStream reports whether the window, past the memory limit, goes to
// a sort and streams.
func (w *Window) canStream(ctx *Ctx) bool {
	return ctx.Spill != nil && len(w.Partition) == 0 && w.streamable()
}

// streamable reports whether the window can be computed over its sorted
// rows chunk by chunk.
func (w *Window) streamable() bool {
	if len(w.Partition) > 0 || w.Frame.Exclude != "" {
		return false
	}
	whole, running := w.wholePartitionFrame(), w.runningFrame()
	bounded, open := w.slidingFrame(), w.openStartFrame()
	for _, fn := range w.Funcs {
		if fn.Agg != nil {
			if !whole && !running && !bounded && !open {
				return false
			}
			continue
		}
		switch fn.Win.Name {
		case "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile":
		case "lag", "lead":
			if navOffset(fn) < 0 {
				return false
			}
		case "first_value":
			if !whole && !running && !bounded && !open {
				return false
			}
		case "last_value":
			if !whole && !running && !bounded {
				return false
			}
		case "nth_value":
			if !bounded {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// slidingFrame reports a frame whose both ends are offsets from the
// current row (or the row itself), in ROWS, RANGE or GROUPS: as the rows
// go on in window order, its start and its end only move forward, so the
// rows before a chunk that a frame can still reach are those from the
// chunk's first frame start on.
func (w *Window) slidingFrame() bool {
	fr := w.Frame
	if fr.Mode == "" || fr.Exclude != "" || len(w.Order) == 0 && fr.Mode != "rows" {
		return false
	}
	near := func(kind string) bool {
		return kind == "preceding" || kind == "current row" || kind == "following"
	}
	return near(fr.StartKind) && near(fr.EndKind)
}

// openStartFrame reports a frame from the first row to an offset before
// or after the current row (ROWS, RANGE or GROUPS): a running aggregate
// whose end may lie in an earlier or a later chunk.
func (w *Window) openStartFrame() bool {
	fr := w.Frame
	if fr.Mode == "" || fr.Exclude != "" || len(w.Order) == 0 && fr.Mode != "rows" {
		return false
	}
	return fr.StartKind == "unbounded preceding" && (fr.EndKind == "preceding" || fr.EndKind == "following")
}

// runningFrame reports whether every row's frame runs from the first row
// to the current one (or its last peer).
func (w *Window) runningFrame() bool {
	fr := w.Frame
	if len(w.Order) == 0 {
		return false
	}
	return fr.Mode == "" || fr.StartKind == "unbounded preceding" && fr.EndKind == "current row" && fr.Exclude == ""
}

// navOffset is lag's or lead's constant offset, or -1 when it is not a
// constant of at most BatchSize.
func navOffset(fn WindowFunc) int {
	if len(fn.Args) < 2 {
		return 1
	}
	c, ok := fn.Args[1].(*expr.Const)
	if !ok {
		return -1
	}
	switch v := c.V.(type) {
	case nil:
		return 0 // every answer is NULL
	case int64:
		if v >= 0 && v <= BatchSize {
			return int(v)
		}
	}
	return -1
}

// consumeStream keeps a batch in memory while the limit allows, and
// otherwise moves the rows into the sort.
func (w *Window) consumeStream(ctx *Ctx, l *collectLocal, in arrow.Record) error {
	w.rows.Add(in.NumRows())
	if !w.spilling.Load() {
		if ctx.TryGrow(w.col.Label, RecordSize(in)) {
			l.recs = append(l.recs, in)
			l.rows += in.NumRows()
			return nil
		}
		w.startStream()
	}
	st := w.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := w.streamHeld(ctx, l); err != nil {
		return err
	}
	return st.sort.Consume(ctx, st.sl, in)
}

func (w *Window) startStream() {
	w.spillOnce.Do(func() {
		w.stream = &windowStream{sort: &Sort{Label: w.Label, Keys: w.Order, Limit: -1}, sl: &sortLocal{}}
		w.spilling.Store(true)
	})
}

// streamHeld moves the rows a worker holds into the sort. The caller
// holds stream.mu.
func (w *Window) streamHeld(ctx *Ctx, l *collectLocal) error {
	st := w.stream
	for _, r := range l.recs {
		ctx.Shrink(w.col.Label, RecordSize(r))
		if err := st.sort.Consume(ctx, st.sl, r); err != nil {
			return err
		}
	}
	l.recs, l.rows = nil, 0
	return nil
}

// finishStream moves the rows still in memory into the sort and sorts.
func (w *Window) finishStream(ctx *Ctx) error {
	st := w.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	held := &collectLocal{recs: w.col.Records()}
	w.col.Reset()
	if err := w.streamHeld(ctx, held); err != nil {
		return err
	}
	if err := st.sort.Combine(ctx, st.sl); err != nil {
		return err
	}
	return st.sort.Finalize(ctx)
}

// streamEval computes a streamed window over its sorted rows: Next
// returns the result batches in window order.
type streamEval struct {
	w     *Window
	next  func() (arrow.Record, error) // the sorted rows
	total int64                        // rows in all
	nav   int                          // the largest lag/lead offset

	pending []arrow.Record // sorted rows not yet in a chunk
	eof     bool
	prev    arrow.Record   // the chunk before cur (its tail is lag's context)
	cur     arrow.Record   // the chunk being computed
	ahead   []arrow.Record // chunks read after cur (lead's and frames' context)
	noMore  bool           // every chunk is read
	back    arrow.Record   // rows before cur that sliding frames reach
	pos     int64          // the stream position of cur's first row
	dense   int64          // peer groups before cur
	accs    []functions.Accumulator
	fedTo   []int64       // the stream position each open-start accumulator has taken rows up to
	first   []types.Value // first_value: the first row's argument
	whole   []types.Value // whole-partition answers (pass one)
	wholeOK bool
	rerun   *SpillRun // pass two's input
	reader  *SpillReader
}

func newStreamEval(w *Window, next func() (arrow.Record, error), total int64) *streamEval {
	e := &streamEval{w: w, next: next, total: total}
	for _, fn := range w.Funcs {
		if fn.Win != nil && (fn.Win.Name == "lag" || fn.Win.Name == "lead") {
			e.nav = max(e.nav, navOffset(fn))
		}
	}
	e.accs = make([]functions.Accumulator, len(w.Funcs))
	e.fedTo = make([]int64, len(w.Funcs))
	e.first = make([]types.Value, len(w.Funcs))
	return e
}

// needsWhole reports whether a function's answer is the whole
// partition's (a first pass computes it).
func (e *streamEval) needsWhole(fn WindowFunc) bool {
	if !e.w.wholePartitionFrame() {
		return false
	}
	return fn.Agg != nil || fn.Win.Name == "first_value" || fn.Win.Name == "last_value"
}

// passOne folds the whole-partition aggregates over the sorted rows and
// writes them to a spill file that pass two reads.
func (e *streamEval) passOne(ctx *Ctx) error {
	e.wholeOK = true
	need := false
	for _, fn := range e.w.Funcs {
		need = need || e.needsWhole(fn)
	}
	if !need {
		return nil
	}
	e.whole = make([]types.Value, len(e.w.Funcs))
	accs := make([]functions.Accumulator, len(e.w.Funcs))
	var wr *SpillWriter
	seen := false
	for {
		rec, err := e.next()
		if err != nil {
			return err
		}
		if rec == nil {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int(rec.NumRows())
		if n == 0 {
			continue
		}
		if wr == nil {
			if wr, err = ctx.Spill.Create(e.w.Label, rec.Schema()); err != nil {
				return err
			}
		}
		if err := wr.Write(rec); err != nil {
			return err
		}
		for f, fn := range e.w.Funcs {
			if !e.needsWhole(fn) {
				continue
			}
			args, err := evalAll(ctx, fn.Args, rec)
			if err != nil {
				return err
			}
			if fn.Agg == nil {
				if fn.Win.Name == "first_value" && !seen || fn.Win.Name == "last_value" {
					at := 0
					if fn.Win.Name == "last_value" {
						at = n - 1
					}
					e.whole[f] = types.GetValue(fn.ArgT[0], args[0], at)
				}
				continue
			}
			if accs[f] == nil {
				accs[f] = fn.Agg.newAcc()
			}
			groups := make([]int32, n)
			if err := maskFilter(ctx, fn, rec, groups); err != nil {
				return err
			}
			if err := accs[f].Update(groups, 1, args); err != nil {
				return err
			}
		}
		seen = true
	}
	for f, fn := range e.w.Funcs {
		if fn.Agg == nil || !e.needsWhole(fn) {
			continue
		}
		if accs[f] == nil {
			accs[f] = fn.Agg.newAcc()
		}
		r, err := accs[f].Finalize(1)
		if err != nil {
			return err
		}
		e.whole[f] = types.GetValue(fn.Ret, r, 0)
	}
	if wr == nil {
		e.next = func() (arrow.Record, error) { return nil, nil }
		return nil
	}
	run, err := wr.Finish()
	if err != nil {
		return err
	}
	ctx.Spilled(e.w.Label, run.Bytes)
	e.rerun = run
	if e.reader, err = run.Open(); err != nil {
		return err
	}
	e.next = e.reader.Next
	return nil
}

// close removes pass two's file.
func (e *streamEval) close() {
	if e.reader != nil {
		e.reader.Close()
		e.reader = nil
	}
	if e.rerun != nil {
		e.rerun.Remove()
		e.rerun = nil
	}
}

// maskFilter sets to -1 the groups of the rows an aggregate's FILTER
// leaves out.
func maskFilter(ctx *Ctx, fn WindowFunc, rec arrow.Record, groups []int32) error {
	if fn.Agg == nil || fn.Agg.Filter == nil {
		return nil
	}
	m, err := fn.Agg.Filter.Eval(ctx.Expr, rec)
	if err != nil {
		return err
	}
	b, ok := m.(*array.Boolean)
	if !ok {
		return sqlerr.New(sqlerr.Internal, "window FILTER gave %s, not boolean", m.DataType())
	}
	for i := range groups {
		if b.IsNull(i) || !b.Value(i) {
			groups[i] = -1
		}
	}
	return nil
}

// chunk reads sorted rows up to at least BatchSize and returns them up to
// the last peer group's start (the whole rest at the end), nil at the
// end.
func (e *streamEval) chunk(ctx *Ctx) (arrow.Record, error) {
	for {
		rows := int64(0)
		for _, r := range e.pending {
			rows += r.NumRows()
		}
		for !e.eof && rows < BatchSize {
			rec, err := e.next()
			if err != nil {
				return nil, err
			}
			if rec == nil {
				e.eof = true
				break
			}
			if rec.NumRows() > 0 {
				e.pending = append(e.pending, rec)
				rows += rec.NumRows()
			}
		}
		if rows == 0 {
			return nil, nil
		}
		all, err := concatRecords(e.pending)
		if err != nil {
			return nil, err
		}
		e.pending = nil
		if e.eof || len(e.w.Order) == 0 {
			return all, nil // without ORDER BY every row is a peer of every other
		}
		kcols, err := evalAll(ctx, sortExprs(e.w.Order), all)
		if err != nil {
			return nil, err
		}
		cmp := RowComparer(e.w.Order, kcols)
		n := int(all.NumRows())
		cut := n - 1
		for cut > 0 && cmp(cut-1, cut) == 0 {
			cut--
		}
		if cut == 0 {
			// one peer group so far: it is held whole
			e.pending = []arrow.Record{all}
			if err := e.readMore(); err != nil {
				return nil, err
			}
			continue
		}
		e.pending = []arrow.Record{all.NewSlice(int64(cut), int64(n))}
		return all.NewSlice(0, int64(cut)), nil
	}
}

// readMore reads one more sorted batch into pending.
func (e *streamEval) readMore() error {
	rec, err := e.next()
	if err != nil {
		return err
	}
	if rec == nil {
		e.eof = true
	} else {
		e.pending = append(e.pending, rec)
	}
	return nil
}

func sortExprs(keys []SortKey) []expr.Expr {
	out := make([]expr.Expr, len(keys))
	for i, k := range keys {
		out[i] = k.Expr
	}
	return out
}

// Next returns the next result batch, nil at the end.
func (e *streamEval) Next(ctx *Ctx) (arrow.Record, error) {
	if !e.wholeOK {
		if err := e.passOne(ctx); err != nil {
			return nil, err
		}
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if e.cur == nil {
			c, err := e.chunk(ctx)
			if err != nil {
				return nil, err
			}
			if c == nil {
				e.close()
				return nil, nil
			}
			e.cur = c
			continue
		}
		if len(e.ahead) == 0 && !e.noMore {
			c, err := e.chunk(ctx)
			if err != nil {
				return nil, err
			}
			if c == nil {
				e.noMore = true
			} else {
				e.ahead = append(e.ahead, c)
			}
		}
		var next arrow.Record
		if len(e.ahead) > 0 {
			next = e.ahead[0]
		}
		out, err := e.compute(ctx, e.prev, e.cur, next)
		if err != nil {
			return nil, err
		}
		e.pos += e.cur.NumRows()
		e.prev, e.cur = e.cur, nil
		if len(e.ahead) > 0 {
			e.cur, e.ahead = e.ahead[0], e.ahead[1:]
		}
		if e.cur == nil && e.noMore {
			e.close()
		}
		return out, nil
	}
}

// compute is the window's answer for the rows of cur, with the chunks
// around it (nil at the ends) as lag's and lead's context.
func (e *streamEval) compute(ctx *Ctx, prev, cur, next arrow.Record) (arrow.Record, error) {
	w := e.w
	n := int(cur.NumRows())
	kcols, err := evalAll(ctx, sortExprs(w.Order), cur)
	if err != nil {
		return nil, err
	}
	cmp := RowComparer(w.Order, kcols)
	peerStart, peerEnd := make([]int, n), make([]int, n)
	groups := 0
	for i := 0; i < n; {
		j := i + 1
		for j < n && cmp(i, j) == 0 {
			j++
		}
		for k := i; k < j; k++ {
			peerStart[k], peerEnd[k] = i, j
		}
		groups++
		i = j
	}
	if len(w.Order) == 0 {
		// one peer group, the whole stream
		for i := range peerStart {
			peerStart[i], peerEnd[i] = int(-e.pos), int(e.total-e.pos)
		}
		groups = 0
		if e.pos == 0 {
			groups = 1
		}
	}
	// the frame's end for running frames: the row itself (ROWS) or its
	// last peer
	frameEnd := peerEnd
	if w.Frame.Mode == "rows" {
		frameEnd = make([]int, n)
		for i := range frameEnd {
			frameEnd[i] = i + 1
		}
	}
	var sliding *slide
	open := w.openStartFrame()
	if w.slidingFrame() || open {
		if sliding, err = e.slideOver(ctx, cur, open); err != nil {
			return nil, err
		}
	}
	cols := append([]arrow.Array{}, cur.Columns()...)
	N := e.total
	for f, fn := range w.Funcs {
		out := make([]types.Value, n)
		switch {
		case open && (fn.Agg != nil || fn.Win.UsesFrame):
			if err := e.openRunning(ctx, f, fn, sliding, n, out); err != nil {
				return nil, err
			}
		case sliding != nil && (fn.Agg != nil || fn.Win.UsesFrame):
			if err := e.framed(ctx, fn, sliding, n, out); err != nil {
				return nil, err
			}
		case e.needsWhole(fn):
			for i := range out {
				out[i] = e.whole[f]
			}
		case fn.Agg != nil:
			if err := e.running(ctx, f, fn, cur, frameEnd, out); err != nil {
				return nil, err
			}
		default:
			if err := e.ranking(ctx, f, fn, prev, cur, next, peerStart, peerEnd, frameEnd, N, out); err != nil {
				return nil, err
			}
		}
		cols = append(cols, types.BuildArray(fn.Ret, out))
	}
	e.dense += int64(groups)
	return array.NewRecord(w.OutSchema, cols, int64(n)), nil
}

// running folds cur's rows into function f's carried accumulator and
// gives each row the aggregate up to its frame's end.
func (e *streamEval) running(ctx *Ctx, f int, fn WindowFunc, cur arrow.Record, frameEnd []int, out []types.Value) error {
	if e.accs[f] == nil {
		e.accs[f] = fn.Agg.newAcc()
	}
	acc := e.accs[f]
	args, err := evalAll(ctx, fn.Args, cur)
	if err != nil {
		return err
	}
	groups := make([]int32, cur.NumRows())
	if err := maskFilter(ctx, fn, cur, groups); err != nil {
		return err
	}
	_, err = foldUpTo(acc, fn.Ret, args, groups, 0, frameEnd, out)
	return err
}

// foldUpTo gives out[i] the aggregate acc holds once it has taken the
// rows of args up to ends[i] (positions in args, never decreasing),
// having taken those before fed already; it returns how far it took them.
func foldUpTo(acc functions.Accumulator, ret types.T, args []arrow.Array, groups []int32, fed int, ends []int, out []types.Value) (int, error) {
	lastEnd := -1
	var last types.Value
	for i := range out {
		end := ends[i]
		if end != lastEnd {
			if end > fed {
				slice := make([]arrow.Array, len(args))
				for a, c := range args {
					slice[a] = array.NewSlice(c, int64(fed), int64(end))
				}
				if err := acc.Update(groups[fed:end], 1, slice); err != nil {
					return 0, err
				}
				fed = end
			}
			r, err := acc.Finalize(1)
			if err != nil {
				return 0, err
			}
			last, lastEnd = types.GetValue(ret, r, 0), end
		}
		out[i] = last
	}
	return fed, nil
}

// ranking computes a rank, navigation or first/last value function for
// cur's rows from their place in the stream.
func (e *streamEval) ranking(ctx *Ctx, f int, fn WindowFunc, prev, cur, next arrow.Record, peerStart, peerEnd, frameEnd []int, N int64, out []types.Value) error {
	n := len(out)
	switch fn.Win.Name {
	case "row_number":
		for i := range out {
			out[i] = e.pos + int64(i) + 1
		}
	case "rank":
		for i := range out {
			out[i] = e.pos + int64(peerStart[i]) + 1
		}
	case "dense_rank":
		d := e.dense
		for i := range out {
			if peerStart[i] == i || len(e.w.Order) == 0 && d == 0 {
				d++
			}
			out[i] = d
		}
	case "percent_rank":
		for i := range out {
			if N <= 1 {
				out[i] = 0.0
			} else {
				out[i] = float64(e.pos+int64(peerStart[i])) / float64(N-1)
			}
		}
	case "cume_dist":
		for i := range out {
			out[i] = float64(e.pos+int64(peerEnd[i])) / float64(N)
		}
	case "ntile":
		args, err := evalAll(ctx, fn.Args, cur)
		if err != nil {
			return err
		}
		for i := range out {
			nb, ok := types.GetValue(fn.ArgT[0], args[0], i).(int64)
			if !ok {
				continue
			}
			if nb <= 0 {
				return sqlerr.New(sqlerr.InvalidArgument, "argument of ntile must be greater than zero")
			}
			per, extra := N/nb, N%nb
			r := e.pos + int64(i)
			if r < extra*(per+1) {
				out[i] = r/(per+1) + 1
			} else {
				out[i] = extra + (r-extra*(per+1))/max(per, 1) + 1
			}
		}
	case "first_value", "last_value":
		args, err := evalAll(ctx, fn.Args[:1], cur)
		if err != nil {
			return err
		}
		if e.pos == 0 && n > 0 {
			e.first[f] = types.GetValue(fn.ArgT[0], args[0], 0)
		}
		for i := range out {
			if fn.Win.Name == "first_value" {
				out[i] = e.first[f]
			} else {
				out[i] = types.GetValue(fn.ArgT[0], args[0], frameEnd[i]-1)
			}
		}
	case "lag", "lead":
		around, before, err := e.around(prev, cur, next)
		if err != nil {
			return err
		}
		p, err := e.partitionOver(ctx, fn, around)
		if err != nil {
			return err
		}
		all := make([]types.Value, p.N)
		if err := fn.Win.Eval(p, all); err != nil {
			return err
		}
		copy(out, all[before:before+n])
	default:
		return sqlerr.New(sqlerr.Internal, "window function %s does not stream", fn.Win.Name)
	}
	return nil
}

// around is the chunk cur with up to nav rows of its neighbours on
// either side, and how many rows come before cur's.
func (e *streamEval) around(prev, cur, next arrow.Record) (arrow.Record, int, error) {
	var parts []arrow.Record
	before := 0
	if prev != nil && e.nav > 0 {
		before = min(e.nav, int(prev.NumRows()))
		parts = append(parts, prev.NewSlice(prev.NumRows()-int64(before), prev.NumRows()))
	}
	parts = append(parts, cur)
	if next != nil && e.nav > 0 {
		parts = append(parts, next.NewSlice(0, min(int64(e.nav), next.NumRows())))
	}
	rec, err := concatRecords(parts)
	return rec, before, err
}

// partitionOver is rows as a window partition of their own, with fn's
// arguments.
func (e *streamEval) partitionOver(ctx *Ctx, fn WindowFunc, rows arrow.Record) (*functions.WindowPartition, error) {
	args, err := evalAll(ctx, fn.Args, rows)
	if err != nil {
		return nil, err
	}
	m := int(rows.NumRows())
	p := &functions.WindowPartition{N: m, Args: make([][]types.Value, len(args)),
		PeerStart: make([]int, m), PeerEnd: make([]int, m), FrameStart: make([]int, m), FrameEnd: make([]int, m)}
	for a, c := range args {
		vals := make([]types.Value, m)
		for i := range vals {
			vals[i] = types.GetValue(fn.ArgT[a], c, i)
		}
		p.Args[a] = vals
	}
	return p, nil
}

// slide is a chunk's rows with those around it that its frames reach,
// as one window partition with its frames.
type slide struct {
	rows   arrow.Record
	before int // rows ahead of the chunk's
	p      *functions.WindowPartition
}

// slideOver gathers the rows that cur's sliding frames reach: the rows
// kept from earlier chunks (from the last frame start on), cur, and as
// many chunks ahead as its last row's frame end needs. It then keeps the
// rows the next chunk's frames may reach.
//
// open: the frames start at the first row (openStartFrame), so the rows
// kept are those from the last frame end on, which the carried
// accumulators have not taken yet.
func (e *streamEval) slideOver(ctx *Ctx, cur arrow.Record, open bool) (*slide, error) {
	w := e.w
	n := int(cur.NumRows())
	var loc *time.Location
	if ctx != nil && ctx.Expr != nil && ctx.Expr.F != nil {
		loc = ctx.Expr.F.Loc
	}
	for {
		parts := []arrow.Record{}
		before := 0
		if e.back != nil {
			parts = append(parts, e.back)
			before = int(e.back.NumRows())
		}
		parts = append(parts, cur)
		parts = append(parts, e.ahead...)
		rows, err := concatRecords(parts)
		if err != nil {
			return nil, err
		}
		m := int(rows.NumRows())
		kcols, err := evalAll(ctx, sortExprs(w.Order), rows)
		if err != nil {
			return nil, err
		}
		cmp := RowComparer(w.Order, kcols)
		p := &functions.WindowPartition{N: m, PeerStart: make([]int, m), PeerEnd: make([]int, m), FrameStart: make([]int, m), FrameEnd: make([]int, m)}
		for i := 0; i < m; {
			j := i + 1
			for j < m && cmp(i, j) == 0 {
				j++
			}
			for k := i; k < j; k++ {
				p.PeerStart[k], p.PeerEnd[k] = i, j
			}
			i = j
		}
		if err := w.frames(p, kcols, 0, loc); err != nil {
			return nil, err
		}
		last := before + n - 1
		if p.FrameEnd[last] >= m && !e.noMore {
			// the last row's frame may go on past what is read
			next, err := e.chunk(ctx)
			if err != nil {
				return nil, err
			}
			if next == nil {
				e.noMore = true
			} else {
				e.ahead = append(e.ahead, next)
			}
			continue
		}
		// frame starts only move forward: the next chunk's frames start
		// at the last row's or later
		keep := min(p.FrameStart[last], before+n)
		if open {
			keep = min(p.FrameEnd[last], before+n)
		}
		e.back = nil
		if keep < before+n {
			e.back = rows.NewSlice(int64(keep), int64(before+n))
		}
		return &slide{rows: rows, before: before, p: p}, nil
	}
}

// framed computes an aggregate or a frame-reading function over a
// sliding frame for the chunk's n rows: a partition of the chunk's rows
// alone whose frames index the rows around them.
func (e *streamEval) framed(ctx *Ctx, fn WindowFunc, sl *slide, n int, out []types.Value) error {
	fp, err := e.partitionOver(ctx, fn, sl.rows)
	if err != nil {
		return err
	}
	b := sl.before
	p := &functions.WindowPartition{N: n, Args: fp.Args,
		PeerStart: sl.p.PeerStart[b : b+n], PeerEnd: sl.p.PeerEnd[b : b+n],
		FrameStart: sl.p.FrameStart[b : b+n], FrameEnd: sl.p.FrameEnd[b : b+n]}
	if fn.Win != nil {
		return fn.Win.Eval(p, out)
	}
	args, err := evalAll(ctx, fn.Args, sl.rows)
	if err != nil {
		return err
	}
	var skip []bool
	if fn.Agg.Filter != nil {
		groups := make([]int32, sl.p.N)
		if err := maskFilter(ctx, fn, sl.rows, groups); err != nil {
			return err
		}
		skip = make([]bool, sl.p.N)
		for i, g := range groups {
			skip[i] = g < 0
		}
	}
	return e.w.aggregate(ctx, fn, args, skip, p, 0, out)
}

// openRunning computes an aggregate or first_value over frames from the
// first row to an offset for the chunk's n rows: the carried accumulator
// takes the rows up to each row's frame end, which the rows around the
// chunk (sl) hold from the last end on.
func (e *streamEval) openRunning(ctx *Ctx, f int, fn WindowFunc, sl *slide, n int, out []types.Value) error {
	start := e.pos - int64(sl.before) // the stream position of sl.rows' first row
	args, err := evalAll(ctx, fn.Args, sl.rows)
	if err != nil {
		return err
	}
	if fn.Win != nil { // first_value: the stream's first row, once a frame holds it
		if start == 0 && sl.p.N > 0 {
			e.first[f] = types.GetValue(fn.ArgT[0], args[0], 0)
		}
		for i := range out {
			if start+int64(sl.p.FrameEnd[sl.before+i]) > 0 {
				out[i] = e.first[f]
			}
		}
		return nil
	}
	if e.accs[f] == nil {
		e.accs[f] = fn.Agg.newAcc()
	}
	acc := e.accs[f]
	groups := make([]int32, sl.p.N)
	if err := maskFilter(ctx, fn, sl.rows, groups); err != nil {
		return err
	}
	fed := int(e.fedTo[f] - start)
	if fed < 0 {
		return sqlerr.New(sqlerr.Internal, "window frame end before the rows kept")
	}
	fed, err = foldUpTo(acc, fn.Ret, args, groups, fed, sl.p.FrameEnd[sl.before:sl.before+n], out)
	if err != nil {
		return err
	}
	e.fedTo[f] = start + int64(fed)
	return nil
}
