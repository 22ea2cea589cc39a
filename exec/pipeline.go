// Package exec runs physical plans: pipelines of a Source, Operators and
// a Sink (DuckDB's split), each pipeline on N workers pulling morsels.
//
// Batches are arrow.Records of at most BatchSize rows. A batch handed to
// an Operator or Sink stays valid for as long as the receiver keeps a
// reference; batches are immutable once emitted.
package exec

import (
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// BatchSize is the target number of rows per batch.
const BatchSize = 8192

// Ctx is the per-query execution context shared by all workers.
type Ctx struct {
	Expr    *expr.Ctx
	Scan    *storage.ScanStats // bytes, files and row groups read (may be nil)
	Mem     *MemTracker
	Workers int
	Stats   *Stats
	Analyze bool // collect per-operator statistics (EXPLAIN ANALYZE)
	// ListAhead lists every scan's morsels before the query runs (Prelist)
	ListAhead bool
	// Spill is where operators past the memory limit write (nil: they
	// cannot, and the limit is a 53200 error)
	Spill    *Spill
	cancelMu sync.Mutex

	sharedMu sync.Mutex
	shared   map[any]*sharedValue
	parent   *Ctx // the query a subquery's context belongs to

	// failure is the first error of any worker of the query: once set,
	// every worker of every pipeline of the query (subqueries included)
	// stops at its next batch, and Run reports it.
	failure atomic.Pointer[error]
}

// Fail records err as the query's failure (the first one wins) so that
// all its workers stop. Safe for concurrent use.
func (c *Ctx) Fail(err error) {
	root := c.root()
	root.failure.CompareAndSwap(nil, &err)
}

func (c *Ctx) root() *Ctx {
	for c.parent != nil {
		c = c.parent
	}
	return c
}

// Sub returns the context a subquery of this query runs in: its own
// expression context (outer values), the query's scan counters, memory
// and per-query shared state, and the given number of workers.
func (c *Ctx) Sub(e *expr.Ctx, workers int) *Ctx {
	sub := &Ctx{Expr: e, Scan: c.Scan, Mem: c.Mem, Spill: c.Spill, Workers: workers, parent: c}
	e.Query = sub
	return sub
}

type sharedValue struct {
	once sync.Once
	v    any
	err  error
}

// Shared returns the value compute produces for key, computing it once
// per query however many operators ask (a WITH query several scans
// read). Concurrent callers wait for the first.
func (c *Ctx) Shared(key any, compute func() (any, error)) (any, error) {
	for c.parent != nil {
		c = c.parent
	}
	return c.shareHere(key, compute)
}

// SharedLocal is Shared for a value that depends on the outer values of
// this context (a WITH-style plan inside a correlated subquery or a
// LATERAL side): computed once per run of the subquery, not once per
// query, and dropped with the context.
func (c *Ctx) SharedLocal(key any, compute func() (any, error)) (any, error) {
	return c.shareHere(key, compute)
}

func (c *Ctx) shareHere(key any, compute func() (any, error)) (any, error) {
	c.sharedMu.Lock()
	if c.shared == nil {
		c.shared = map[any]*sharedValue{}
	}
	sv := c.shared[key]
	if sv == nil {
		sv = &sharedValue{}
		c.shared[key] = sv
	}
	c.sharedMu.Unlock()
	sv.once.Do(func() {
		// a panic must not leave the value computed-but-empty for the
		// callers that come after it (sync.Once counts it as done)
		defer func() {
			if r := recover(); r != nil {
				sv.err = sqlerr.Panic("a shared subplan", r, debug.Stack())
			}
		}()
		sv.v, sv.err = compute()
	})
	return sv.v, sv.err
}

// Context returns the query's context.Context.
func (c *Ctx) Context() context.Context { return c.Expr.Context }

// Err reports the query's failure in another worker, or cancellation as
// a 57014 error.
func (c *Ctx) Err() error {
	if f := c.root().failure.Load(); f != nil {
		return *f
	}
	if err := c.Expr.Context.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout")
		}
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	return nil
}

// Grow reserves n bytes held by the operator label: accounted to the
// query (53200 past its limit) and, under EXPLAIN ANALYZE, to the operator.
func (c *Ctx) Grow(label string, n int64) error {
	if c.Analyze && c.Stats != nil {
		c.Stats.addMem(label, n)
	}
	return c.Mem.Grow(n)
}

// TryGrow reserves n bytes for the operator label if that stays within
// the query's memory limit; false means the operator should spill.
func (c *Ctx) TryGrow(label string, n int64) bool {
	if !c.Mem.TryGrow(n) {
		return false
	}
	if c.Analyze && c.Stats != nil {
		c.Stats.addMem(label, n)
	}
	return true
}

// Shrink releases n bytes the operator label held.
func (c *Ctx) Shrink(label string, n int64) {
	c.Mem.Shrink(n)
	if c.Analyze && c.Stats != nil {
		c.Stats.addMem(label, -n)
	}
}

// MemTracker accounts memory held by sinks for one query.
type MemTracker struct {
	limit int64
	used  atomic.Int64
	peak  atomic.Int64
}

// NewMemTracker returns a tracker with a byte limit (0 = unlimited).
func NewMemTracker(limit int64) *MemTracker { return &MemTracker{limit: limit} }

// Grow reserves n bytes, failing with 53200 past the limit.
func (m *MemTracker) Grow(n int64) error {
	if m == nil {
		return nil
	}
	u := m.used.Add(n)
	for {
		p := m.peak.Load()
		if u <= p || m.peak.CompareAndSwap(p, u) {
			break
		}
	}
	if m.limit > 0 && u > m.limit {
		return sqlerr.New(sqlerr.OutOfMemory, "out of memory: query needs more than %d MB", m.limit>>20)
	}
	return nil
}

// TryGrow reserves n bytes if that stays within the limit, and reports
// whether it did: an operator that can spill asks first.
func (m *MemTracker) TryGrow(n int64) bool {
	if m == nil || m.limit <= 0 {
		m.Grow(n)
		return true
	}
	for {
		u := m.used.Load()
		if u+n > m.limit {
			return false
		}
		if m.used.CompareAndSwap(u, u+n) {
			for {
				p := m.peak.Load()
				if u+n <= p || m.peak.CompareAndSwap(p, u+n) {
					return true
				}
			}
		}
	}
}

// Force reserves n bytes whatever the limit (memory already taken).
func (m *MemTracker) Force(n int64) {
	if m != nil {
		m.Grow(n)
	}
}

// Used is the bytes reserved now.
func (m *MemTracker) Used() int64 {
	if m == nil {
		return 0
	}
	return m.used.Load()
}

// Limit is the tracker's byte limit (0: none).
func (m *MemTracker) Limit() int64 {
	if m == nil {
		return 0
	}
	return m.limit
}

// Shrink releases n bytes.
func (m *MemTracker) Shrink(n int64) {
	if m != nil {
		m.used.Add(-n)
	}
}

// Peak is the high-water mark in bytes.
func (m *MemTracker) Peak() int64 {
	if m == nil {
		return 0
	}
	return m.peak.Load()
}

// RecordSize approximates the memory held by a batch.
func RecordSize(r arrow.Record) int64 {
	var n int64
	for _, c := range r.Columns() {
		n += dataSize(c.Data())
	}
	return n
}

// dataSize is the bytes an array's rows take. A slice (a batch cut from
// a larger array, as aggregates and sorts emit) counts its own rows'
// share, not its parent's whole buffers: counted whole, 16 batches of a
// 129,000-row aggregate result weighed 16 times its size.
func dataSize(d arrow.ArrayData) int64 {
	bufs := d.Buffers()
	whole := int64(0)
	for _, b := range bufs {
		if b != nil {
			whole += int64(b.Len())
		}
	}
	n, off := int64(d.Len()), int64(d.Offset())
	switch t := d.DataType().(type) {
	case *arrow.StringType, *arrow.BinaryType:
		size := (n+7)/8 + (n+1)*4
		if len(bufs) > 1 && bufs[1] != nil {
			offs := arrow.Int32Traits.CastFromBytes(bufs[1].Bytes())
			if int(off+n) < len(offs) {
				size += int64(offs[off+n] - offs[off])
			}
		}
		return min(size, whole)
	case arrow.FixedWidthDataType:
		return min((n+7)/8+(n*int64(t.BitWidth())+7)/8, whole)
	}
	for _, c := range d.Children() {
		whole += dataSize(c)
	}
	if d.DataType().ID() == arrow.DICTIONARY {
		if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
			whole += dataSize(dict)
		}
	}
	return whole
}

// Emit passes a batch downstream.
type Emit func(arrow.Record) error

// Source produces batches. Next may be called concurrently by up to
// Parallelism() workers, each with its own local state from NewLocal;
// it returns nil at the end. Init runs once before any Next.
type Source interface {
	Init(ctx *Ctx) error
	Parallelism() int
	NewLocal() any
	Next(ctx *Ctx, local any) (arrow.Record, error)
	Name() string
}

// Operator maps one batch to zero or more. Execute runs concurrently on
// different workers with distinct local state.
type Operator interface {
	NewLocal() any
	Execute(ctx *Ctx, local any, in arrow.Record, emit Emit) error
	Name() string
}

// Finisher is an Operator with output after all input is consumed (the
// unmatched build rows of a right/full join). FinalEmit runs once,
// single-threaded, after every worker has finished.
type Finisher interface {
	FinalEmit(ctx *Ctx, emit Emit) error
}

// Sink consumes batches: Consume per worker (concurrently, own local),
// Combine once per worker local, then Finalize once single-threaded.
type Sink interface {
	NewLocal() any
	Consume(ctx *Ctx, local any, in arrow.Record) error
	Combine(ctx *Ctx, local any) error
	Finalize(ctx *Ctx) error
	Name() string
}

// errStop ends a pipeline early (LIMIT reached); it is not a failure.
var errStop = errors.New("pipeline stop")

// Pipeline is Source → Operators → Sink.
type Pipeline struct {
	Source Source
	Ops    []Operator
	Sink   Sink
	Deps   []*Pipeline
	done   bool
}

// Stats are per-operator figures for EXPLAIN ANALYZE.
type Stats struct {
	mu  sync.Mutex
	ops map[string]*OpStats
}

// OpStats is one operator's figures.
type OpStats struct {
	Rows    int64
	Batches int64
	Time    time.Duration
	Mem     int64 // bytes the operator holds (sinks)
	Spilled int64 // bytes it wrote to spill files
}

func (s *Stats) addMem(name string, n int64) {
	s.mu.Lock()
	if s.ops == nil {
		s.ops = map[string]*OpStats{}
	}
	o := s.ops[name]
	if o == nil {
		o = &OpStats{}
		s.ops[name] = o
	}
	o.Mem += n
	s.mu.Unlock()
}

// Spilled records n bytes the operator label wrote to spill files.
func (c *Ctx) Spilled(label string, n int64) {
	if c.Analyze && c.Stats != nil {
		c.Stats.mu.Lock()
		if c.Stats.ops == nil {
			c.Stats.ops = map[string]*OpStats{}
		}
		o := c.Stats.ops[label]
		if o == nil {
			o = &OpStats{}
			c.Stats.ops[label] = o
		}
		o.Spilled += n
		c.Stats.mu.Unlock()
	}
}

func (s *Stats) add(name string, rows int64, d time.Duration) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ops == nil {
		s.ops = map[string]*OpStats{}
	}
	o := s.ops[name]
	if o == nil {
		o = &OpStats{}
		s.ops[name] = o
	}
	o.Rows += rows
	o.Batches++
	o.Time += d
	s.mu.Unlock()
}

// Get returns the figures recorded for an operator name.
func (s *Stats) Get(name string) *OpStats {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[name]
}

// Run executes the pipeline and its dependencies.
func (p *Pipeline) Run(ctx *Ctx) error {
	if p.done {
		return nil
	}
	for _, d := range p.Deps {
		if err := d.Run(ctx); err != nil {
			return err
		}
	}
	if err := p.Source.Init(ctx); err != nil {
		return err
	}
	workers := p.Source.Parallelism()
	if workers > ctx.Workers {
		workers = ctx.Workers
	}
	if workers < 1 {
		workers = 1
	}
	var stopped atomic.Bool
	runWorker := func() (sinkLocal any, err error) {
		// A panic anywhere in this worker fails the whole query at once:
		// the other workers see it at their next batch (Ctx.Err) instead
		// of waiting on this one, and the error names the operator.
		defer func() {
			if r := recover(); r != nil {
				err = sqlerr.Panic(p.Source.Name(), r, debug.Stack())
			}
			if err != nil && !errors.Is(err, errStop) {
				ctx.Fail(err)
			}
		}()
		sinkLocal = p.Sink.NewLocal()
		srcLocal := p.Source.NewLocal()
		if lc, ok := p.Source.(LocalCloser); ok {
			defer lc.CloseLocal(srcLocal)
		}
		opLocals := make([]any, len(p.Ops))
		for i, op := range p.Ops {
			opLocals[i] = op.NewLocal()
		}
		push := p.chain(ctx, opLocals, sinkLocal, 0)
		endSrc, _ := p.Source.(MorselEnder)
		endSink, _ := p.Sink.(MorselSink)
		for !stopped.Load() {
			if err := ctx.Err(); err != nil {
				return sinkLocal, err
			}
			var t0 time.Time
			if ctx.Analyze {
				t0 = time.Now()
			}
			b, err := p.Source.Next(ctx, srcLocal)
			if err != nil {
				return sinkLocal, err
			}
			if b == nil {
				break
			}
			if ctx.Analyze {
				ctx.Stats.add(p.Source.Name(), b.NumRows(), time.Since(t0))
			}
			if b.NumRows() > 0 {
				if err := push(b); err != nil {
					if errors.Is(err, errStop) {
						stopped.Store(true)
						break
					}
					return sinkLocal, err
				}
			}
			if endSrc != nil && endSink != nil && endSrc.MorselEnded(srcLocal) {
				if err := endSink.EndMorsel(ctx, sinkLocal); err != nil {
					return sinkLocal, err
				}
			}
		}
		return sinkLocal, nil
	}
	var locals []any
	if workers == 1 {
		l, err := runWorker()
		if err != nil {
			return err
		}
		locals = append(locals, l)
	} else {
		var wg sync.WaitGroup
		errs := make([]error, workers)
		locals = make([]any, workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				l, err := runWorker()
				locals[w] = l
				if err != nil {
					errs[w] = err
					stopped.Store(true)
				}
			}(w)
		}
		wg.Wait()
		// the first failure, not the others' reaction to it
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, e := range errs {
			if e != nil {
				return e
			}
		}
	}
	return guard(p.Sink.Name(), func() error { return p.finish(ctx, locals, stopped.Load()) })
}

// guard runs f, turning a panic into an XX000 error naming where.
func guard(where string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = sqlerr.Panic(where, r, debug.Stack())
		}
	}()
	return f()
}

// PartedFinisher is a Finisher whose trailing output comes in parts
// that can be made independently (a spilled join's partitions): workers
// make them in parallel, each through its own chain of the operators
// after it. FinalParts prepares them and says how many there are (0: the
// plain FinalEmit runs instead); FinalEmitPart runs concurrently for
// different parts.
type PartedFinisher interface {
	Finisher
	FinalParts(ctx *Ctx) (int, error)
	FinalEmitPart(ctx *Ctx, part int, emit Emit) error
}

// finishParts runs a PartedFinisher's parts on up to ctx.Workers
// workers, returning the sink locals they filled.
func (p *Pipeline) finishParts(ctx *Ctx, i int, f PartedFinisher, parts int) ([]any, error) {
	workers := max(1, min(ctx.Workers, parts))
	var next atomic.Int64
	locals := make([]any, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		sinkLocal := p.Sink.NewLocal()
		opLocals := make([]any, len(p.Ops))
		for j, o := range p.Ops {
			opLocals[j] = o.NewLocal()
		}
		locals[w] = sinkLocal
		push := p.chain(ctx, opLocals, sinkLocal, i+1)
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = guard(p.Ops[i].Name(), func() error {
				for {
					part := int(next.Add(1) - 1)
					if part >= parts {
						return nil
					}
					if err := ctx.Err(); err != nil {
						return err
					}
					if err := f.FinalEmitPart(ctx, part, push); err != nil && !errors.Is(err, errStop) {
						ctx.Fail(err)
						return err
					}
				}
			})
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, e := range errs {
		if e != nil {
			return nil, e
		}
	}
	return locals, nil
}

// finish runs the operators' trailing output, then the sink's Combine and
// Finalize.
func (p *Pipeline) finish(ctx *Ctx, locals []any, stopped bool) error {
	// operators with trailing output (outer-join remainders)
	for i, op := range p.Ops {
		if pf, ok := op.(PartedFinisher); ok && !stopped {
			parts, err := pf.FinalParts(ctx)
			if err != nil {
				return err
			}
			if parts > 0 {
				more, err := p.finishParts(ctx, i, pf, parts)
				if err != nil {
					return err
				}
				locals = append(locals, more...)
				continue
			}
		}
		if f, ok := op.(Finisher); ok && !stopped {
			sinkLocal := p.Sink.NewLocal()
			opLocals := make([]any, len(p.Ops))
			for j, o := range p.Ops {
				opLocals[j] = o.NewLocal()
			}
			push := p.chain(ctx, opLocals, sinkLocal, i+1)
			if ctx.Analyze { // the trailing rows count as the operator's output
				name, downstream := op.Name(), push
				push = func(b arrow.Record) error {
					ctx.Stats.add(name, b.NumRows(), 0)
					return downstream(b)
				}
			}
			if err := f.FinalEmit(ctx, push); err != nil && !errors.Is(err, errStop) {
				return err
			}
			locals = append(locals, sinkLocal)
		}
	}
	for _, l := range locals {
		if err := p.Sink.Combine(ctx, l); err != nil {
			return err
		}
	}
	if err := p.Sink.Finalize(ctx); err != nil {
		return err
	}
	p.done = true
	return nil
}

// chain builds the push function through operators from index start.
func (p *Pipeline) chain(ctx *Ctx, opLocals []any, sinkLocal any, start int) Emit {
	// Every batch checks for cancellation: an operator that turns one
	// input batch into many (a cross join) must stop within one batch.
	var next Emit = func(b arrow.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if b.NumRows() == 0 {
			return nil
		}
		if ctx.Analyze {
			t0 := time.Now()
			err := p.Sink.Consume(ctx, sinkLocal, b)
			ctx.Stats.add(p.Sink.Name(), liveRows(b), time.Since(t0))
			return err
		}
		return p.Sink.Consume(ctx, sinkLocal, b)
	}
	sink := next
	next = func(b arrow.Record) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = sqlerr.Panic(p.Sink.Name(), r, debug.Stack())
			}
		}()
		return sink(b)
	}
	for i := len(p.Ops) - 1; i >= start; i-- {
		op, local, downstream := p.Ops[i], opLocals[i], next
		next = func(b arrow.Record) (err error) {
			// the innermost operator that panicked is the one named: a
			// downstream panic has already become an error here
			defer func() {
				if r := recover(); r != nil {
					err = sqlerr.Panic(op.Name(), r, debug.Stack())
				}
			}()
			if err := ctx.Err(); err != nil {
				return err
			}
			if b.NumRows() == 0 {
				return nil
			}
			if ctx.Analyze {
				t0 := time.Now()
				var rows int64
				err := op.Execute(ctx, local, b, func(o arrow.Record) error {
					rows += liveRows(o)
					return downstream(o)
				})
				ctx.Stats.add(op.Name(), rows, time.Since(t0))
				return err
			}
			return op.Execute(ctx, local, b, downstream)
		}
	}
	return next
}

// DefaultWorkers is the number of workers per pipeline (all cores).
func DefaultWorkers() int { return runtime.GOMAXPROCS(0) }

type ctxKey struct{}

// Carried is c.Context() carrying c, for code behind an interface that
// takes a plain context.Context (a connector's Splits and Read) and
// counts into the query's scan statistics.
func (c *Ctx) Carried() context.Context { return context.WithValue(c.Context(), ctxKey{}, c) }

// FromContext returns the query context ctx carries (Carried), or nil.
func FromContext(ctx context.Context) *Ctx {
	c, _ := ctx.Value(ctxKey{}).(*Ctx)
	return c
}

// Prelist lists the morsels of every scan of the pipeline tree before it
// runs, so that ctx.Scan.BytesPlanned holds the bytes the whole plan
// expects to read from its start (progress), or so that a dry run can
// price a query without reading any data. Each scan's next Init takes
// the listed morsels instead of listing again. Scans inside expressions
// (scalar subqueries) are listed when they run. With all false, a scan
// whose Defer reports true is left to list when it runs (a join filter
// will narrow it; progress then learns its bytes late); a dry run
// passes true and prices every scan whole.
func Prelist(ctx *Ctx, root *Pipeline, all bool) error {
	seen := map[*Pipeline]bool{}
	var walk func(p *Pipeline) error
	walk = func(p *Pipeline) error {
		if p == nil || seen[p] {
			return nil
		}
		seen[p] = true
		for _, d := range p.Deps {
			if err := walk(d); err != nil {
				return err
			}
		}
		if u, ok := p.Source.(*UnionSource); ok {
			for _, in := range u.Pipelines() {
				if err := walk(in); err != nil {
					return err
				}
			}
		}
		ms, ok := p.Source.(*MorselSource)
		if !ok || ms.listed || (!all && ms.Defer != nil && ms.Defer()) {
			return nil
		}
		list, err := ms.List(ctx)
		if err != nil {
			return err
		}
		ms.prelisted, ms.listed = list, true
		if ctx.Scan != nil {
			ctx.Scan.BytesPlanned.Add(MorselBytes(list))
		}
		return nil
	}
	return walk(root)
}
