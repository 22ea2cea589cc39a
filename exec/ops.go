package exec

import (
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// ---- sources ----

// RecordsSource hands out a fixed list of batches, one per morsel.
// Batches come from Fetch, called once at Init.
type RecordsSource struct {
	Label  string
	Fetch  func(ctx *Ctx) ([]arrow.Record, error)
	Serial bool // preserve order: one worker
	// Project picks columns of each fetched batch (nil = all).
	Project []int

	recs []arrow.Record
	next atomic.Int64
}

func (s *RecordsSource) Name() string { return s.Label }
func (s *RecordsSource) Init(ctx *Ctx) error {
	recs, err := s.Fetch(ctx)
	if err != nil {
		return err
	}
	s.recs = recs
	s.next.Store(0)
	return nil
}
func (s *RecordsSource) Parallelism() int {
	if s.Serial {
		return 1
	}
	return max(1, len(s.recs))
}
func (s *RecordsSource) NewLocal() any { return nil }
func (s *RecordsSource) Next(_ *Ctx, _ any) (arrow.Record, error) {
	i := s.next.Add(1) - 1
	if i >= int64(len(s.recs)) {
		return nil, nil
	}
	r := s.recs[i]
	if s.Project != nil {
		cols := make([]arrow.Array, len(s.Project))
		fields := make([]arrow.Field, len(s.Project))
		for j, c := range s.Project {
			cols[j] = r.Column(c)
			fields[j] = r.Schema().Field(c)
		}
		return array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()), nil
	}
	return r, nil
}

// ---- operators ----

// Filter keeps rows where Cond is true.
type Filter struct {
	Cond  expr.Expr
	Label string
	// Mask: the filter passes a batch whose rows it mostly keeps on whole,
	// with a mask column (mask.go), and compacts the others (their mask
	// all true)
	Mask bool
}

func (f *Filter) Name() string  { return f.Label }
func (f *Filter) NewLocal() any { return nil }
func (f *Filter) Execute(ctx *Ctx, _ any, in arrow.Record, emit Emit) error {
	n := int(in.NumRows())
	and, ok := f.Cond.(*expr.And)
	if !ok {
		m, err := f.Cond.Eval(ctx.Expr, in)
		if err != nil {
			return err
		}
		bits, count := maskBits(m, n)
		return f.emit(in, bits, count, emit)
	}
	// Conjuncts run one after another. After a selective one the batch is
	// compacted so later conjuncts touch only surviving rows; after an
	// unselective one the masks are ANDed instead, since compacting every
	// column would cost more than evaluating the next conjunct on all rows.
	rec := in
	var acc []byte // AND of the masks evaluated on rec so far
	accCount := 0
	for i, c := range and.Args {
		if acc != nil && accCount < int(rec.NumRows()) && !expr.CannotFail(c) {
			// a conjunct that may fail sees only the rows the ones before
			// it kept (expr.CannotFail)
			rec = selectBits(rec, acc, accCount)
			acc = nil
		}
		m, err := c.Eval(ctx.Expr, rec)
		if err != nil {
			return err
		}
		bits, count := maskBits(m, int(rec.NumRows()))
		if acc != nil {
			for j := range bits {
				bits[j] &= acc[j]
			}
			count = bitutil.CountSetBits(bits, 0, int(rec.NumRows()))
		}
		if count == 0 {
			return nil
		}
		if i == len(and.Args)-1 {
			return f.emit(rec, bits, count, emit)
		}
		if count*2 < int(rec.NumRows()) {
			rec = selectBits(rec, bits, count)
			acc = nil
			continue
		}
		acc, accCount = bits, count
	}
	return emit(rec)
}

// emit passes on the count rows of rec whose bit is set.
func (f *Filter) emit(rec arrow.Record, bits []byte, count int, emit Emit) error {
	if count == 0 {
		return nil
	}
	if !f.Mask {
		return emit(selectBits(rec, bits, count))
	}
	n := int(rec.NumRows())
	sch := arrow.NewSchema(append(rec.Schema().Fields(), MaskField), nil)
	if count == n {
		return emit(withMask(sch, rec, allTrueBits(n)))
	}
	if float64(count) >= maskShare*float64(n) {
		return emit(withMask(sch, rec, bits))
	}
	return emit(withMask(sch, selectBits(rec, bits, count), allTrueBits(count)))
}

// FilterRecord keeps the rows of in where mask is true (not NULL),
// scanning the bitmaps a byte at a time.
func FilterRecord(in arrow.Record, mask arrow.Array) arrow.Record {
	bits, count := maskBits(mask, int(in.NumRows()))
	return selectBits(in, bits, count)
}

// maskBits returns mask's true-and-not-NULL rows as a bitmap and their
// number; a mask that is not boolean selects nothing.
func maskBits(mask arrow.Array, n int) ([]byte, int) {
	nb := (n + 7) / 8
	bits := make([]byte, nb)
	b, ok := mask.(*array.Boolean)
	if !ok {
		return bits, 0
	}
	d := b.Data()
	bitutil.CopyBitmap(d.Buffers()[1].Bytes(), d.Offset(), n, bits, 0)
	if b.NullN() > 0 {
		valid := make([]byte, nb)
		bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), n, valid, 0)
		for i := range bits {
			bits[i] &= valid[i]
		}
	}
	return bits, bitutil.CountSetBits(bits, 0, n)
}

// selectBits keeps the count rows of in whose bit is set.
func selectBits(in arrow.Record, bits []byte, count int) arrow.Record {
	if count == int(in.NumRows()) {
		return in
	}
	idx := make([]int32, 0, count)
	for i, by := range bits {
		for by != 0 {
			idx = append(idx, int32(i*8+bitsTrailingZeros(by)))
			by &= by - 1
		}
	}
	return expr.SubRecord(in, idx)
}

func bitsTrailingZeros(b byte) int { return bits.TrailingZeros8(b) }

// Project computes output columns.
type Project struct {
	Exprs  []expr.Expr
	Schema *arrow.Schema
	Label  string
	// Mask: the input is masked (mask.go) and the output passes the mask
	// on as its last column (Schema's last field, after Exprs')
	Mask bool
}

func (p *Project) Name() string  { return p.Label }
func (p *Project) NewLocal() any { return nil }
func (p *Project) Execute(ctx *Ctx, _ any, in arrow.Record, emit Emit) error {
	cols, err := p.eval(ctx, in)
	if err != nil && p.Mask {
		// perhaps on a row the mask rejects: only the others count
		if in2 := unmask(in); in2 != in {
			in = in2
			cols, err = p.eval(ctx, in)
		}
	}
	if err != nil {
		return err
	}
	if p.Mask {
		cols = append(cols, in.Column(int(in.NumCols())-1))
	}
	return emit(array.NewRecord(p.Schema, cols, in.NumRows()))
}

func (p *Project) eval(ctx *Ctx, in arrow.Record) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(p.Exprs))
	for i, e := range p.Exprs {
		c, err := e.Eval(ctx.Expr, in)
		if err != nil {
			return nil, err
		}
		if !arrow.TypeEqual(c.DataType(), p.Schema.Field(i).Type) {
			c, err = expr.CastArray(ctx.Expr, c, mustFromArrow(c.DataType()), e.Type())
			if err != nil {
				return nil, err
			}
		}
		cols[i] = c
	}
	return cols, nil
}

func mustFromArrow(dt arrow.DataType) types.T {
	t, err := types.FromArrow(dt)
	if err != nil {
		return types.TextT
	}
	return t
}

// Limit passes through at most Count rows after skipping Offset, across
// all workers; it stops the pipeline once Count rows have passed.
type Limit struct {
	Count  int64 // -1 = no limit
	Offset int64
	Label  string
	seen   atomic.Int64
}

func (l *Limit) Name() string  { return l.Label }
func (l *Limit) NewLocal() any { return nil }
func (l *Limit) Execute(_ *Ctx, _ any, in arrow.Record, emit Emit) error {
	n := in.NumRows()
	end := l.seen.Add(n)
	start := end - n
	lo := max(l.Offset-start, 0)
	hi := n
	if l.Count >= 0 {
		hi = min(n, l.Offset+l.Count-start)
	}
	if lo < hi {
		if err := emit(in.NewSlice(lo, hi)); err != nil {
			return err
		}
	}
	if l.Count >= 0 && end >= l.Offset+l.Count {
		return errStop
	}
	return nil
}

// ---- sinks ----

// Collect materializes its input; afterwards Records() (or AsSource)
// hands the batches on. With Ordered, one worker's arrival order is kept.
type Collect struct {
	Label string
	// Discard counts the rows and keeps none (EXPLAIN ANALYZE)
	Discard bool
	// Kept: the rows count against the memory limit without failing at
	// it — a subquery's result, which its caller holds as values anyway,
	// and which an operator below that spilled (its reservation past the
	// limit while it emits) would otherwise fail at its first batch
	Kept bool
	mu   sync.Mutex
	recs []arrow.Record
	rows int64
}

type collectLocal struct {
	recs []arrow.Record
	rows int64
}

func (c *Collect) Name() string  { return c.Label }
func (c *Collect) NewLocal() any { return &collectLocal{} }
func (c *Collect) Consume(ctx *Ctx, local any, in arrow.Record) error {
	l := local.(*collectLocal)
	l.rows += in.NumRows()
	if c.Discard {
		return nil
	}
	l.recs = append(l.recs, in)
	if c.Kept {
		ctx.Mem.Force(RecordSize(in))
		return nil
	}
	return ctx.Grow(c.Label, RecordSize(in))
}
func (c *Collect) Combine(_ *Ctx, local any) error {
	l := local.(*collectLocal)
	c.mu.Lock()
	c.recs = append(c.recs, l.recs...)
	c.rows += l.rows
	c.mu.Unlock()
	return nil
}

// Rows counts the rows collected (or discarded).
func (c *Collect) Rows() int64         { return c.rows }
func (c *Collect) Finalize(*Ctx) error { return nil }

// Records returns the collected batches.
func (c *Collect) Records() []arrow.Record { return c.recs }

// Reset clears collected state so the sink can run again (subqueries).
func (c *Collect) Reset() { c.recs, c.rows = nil, 0 }

// AsSource reads the collected batches.
func (c *Collect) AsSource(serial bool) Source {
	return &RecordsSource{Label: c.Label + " scan", Serial: serial, Fetch: func(*Ctx) ([]arrow.Record, error) { return c.recs, nil }}
}

// Morsel is an independently readable piece of a table (a Parquet row
// group, a byte range of a text file). Read may run concurrently with
// other morsels' reads.
type Morsel interface {
	Read(ctx *Ctx) ([]arrow.Record, error)
}

// Prefetcher is a Morsel that can start fetching its input ahead of
// Read (an object store's ranges), so that I/O overlaps decoding.
// Prefetch returns the bytes it set in flight, held until Read (0 when
// it started nothing: local files, or a fetch already started). Safe for
// concurrent use with Read; a no-op when called again.
type Prefetcher interface {
	Prefetch(ctx *Ctx) int64
}

// Fetch-ahead bounds per scan: the bytes fetched but not yet decoded, and
// how far past the morsel a worker takes a fetch may start. On an object
// store a request's latency is several times a row group's decoding, so
// two morsels ahead left workers waiting a third of the time (TPC-H q06
// on S3); the byte bound is what keeps memory in check (a row group's
// chunks are at most 64 MiB, so one such morsel may go alone).
const (
	prefetchBytes = 64 << 20
	prefetchDepth = 16
)

// MorselSource lists morsels at Init and hands them to workers; each
// worker reads whole morsels and returns their batches one by one.
type MorselSource struct {
	Label string
	List  func(ctx *Ctx) ([]Morsel, error)
	// Defer, when it reports true, keeps Prelist from listing ahead: the
	// listing waits for something the run provides first (a join's
	// filter from its build side)
	Defer func() bool
	// Head, when above 0, has each worker read about this many rows of
	// its first morsel ahead of the rest (HeadReader): set when the
	// scan's batches go straight to a client, whose first row then
	// waits for those rows only
	Head int

	morsels []Morsel
	next    atomic.Int64

	mu       sync.Mutex
	ahead    int     // morsels below this were offered to Prefetch
	inflight int64   // bytes fetched ahead of morsels not yet taken
	fetched  []int64 // per morsel not yet taken, the bytes its Prefetch set in flight

	// prelisted holds morsels Prelist listed ahead of the run, which the
	// next Init takes instead of listing again
	prelisted []Morsel
	listed    bool

	// disjoint caches Disjoint's answers for the run (under mu)
	disjoint map[int]disjointKeys
}

// Sized is a Morsel that knows the bytes reading it fetches from storage
// (a row group's column chunks, a byte range). Its sum over a scan is
// the bytes the plan expects to scan: progress and dry-run pricing.
type Sized interface {
	Bytes() int64
}

// MorselBytes is what reading ms is expected to fetch (morsels that do not
// know count 0: a database's rows, a cached scan).
func MorselBytes(ms []Morsel) int64 {
	var n int64
	for _, m := range ms {
		if s, ok := m.(Sized); ok {
			n += s.Bytes()
		}
	}
	return n
}

// HeadReader is a Morsel that can hand out its first rows before the
// rest are decoded, so a result streamed to a client shows its first row
// once a few thousand rows are decoded rather than a whole row group.
// ReadHead returns the batches of about the first rows rows and the rest
// of the morsel, or nil when it read the morsel whole.
type HeadReader interface {
	ReadHead(ctx *Ctx, rows int) ([]arrow.Record, MorselRest, error)
}

// MorselRest is what a HeadReader left to read: Read at most once, then
// Close (which alone releases what it holds when Read is never called).
type MorselRest interface {
	Read(ctx *Ctx) ([]arrow.Record, error)
	Close()
}

// LocalCloser is a Source whose worker locals hold resources: the
// pipeline closes each local when its worker ends, however it ends.
type LocalCloser interface {
	CloseLocal(local any)
}

type morselLocal struct {
	pending []arrow.Record
	rest    MorselRest // the morsel read after pending, when split
	started bool       // the worker took a morsel
}

func (s *MorselSource) Name() string { return s.Label }
func (s *MorselSource) Init(ctx *Ctx) error {
	ms := s.prelisted
	if s.listed {
		s.prelisted, s.listed = nil, false
	} else {
		var err error
		if ms, err = s.List(ctx); err != nil {
			return err
		}
		if ctx.Scan != nil {
			ctx.Scan.BytesPlanned.Add(MorselBytes(ms))
		}
	}
	s.morsels = ms
	s.next.Store(0)
	s.mu.Lock()
	s.ahead, s.inflight, s.fetched = 0, 0, make([]int64, len(ms))
	s.disjoint = nil
	s.mu.Unlock()
	return nil
}

// fetchAhead offers the morsels after taken to Prefetch while the bytes
// fetched ahead stay under prefetchBytes (so at most one morsel past it;
// one goes when none are ahead), and no further than prefetchDepth.
func (s *MorselSource) fetchAhead(ctx *Ctx, taken int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// the taken morsel is no longer ahead: its bytes are its reader's now
	s.inflight -= s.fetched[taken]
	s.fetched[taken] = 0
	s.ahead = max(s.ahead, taken+1)
	for s.ahead < len(s.morsels) && s.ahead <= taken+prefetchDepth {
		if s.inflight >= prefetchBytes {
			return
		}
		p, ok := s.morsels[s.ahead].(Prefetcher)
		if !ok {
			return
		}
		n := p.Prefetch(ctx)
		s.fetched[s.ahead] = n
		s.inflight += n
		s.ahead++
	}
}

// CloseLocal implements LocalCloser: the rest of a split morsel a
// worker stopped before reading.
func (s *MorselSource) CloseLocal(local any) {
	l := local.(*morselLocal)
	if l.rest != nil {
		l.rest.Close()
		l.rest = nil
	}
}

func (s *MorselSource) Parallelism() int { return max(1, len(s.morsels)) }
func (s *MorselSource) NewLocal() any    { return &morselLocal{} }
func (s *MorselSource) Next(ctx *Ctx, local any) (arrow.Record, error) {
	l := local.(*morselLocal)
	for len(l.pending) == 0 {
		if l.rest != nil {
			rest := l.rest
			l.rest = nil
			recs, err := rest.Read(ctx)
			rest.Close()
			if err != nil {
				return nil, err
			}
			l.pending = recs
			continue
		}
		i := s.next.Add(1) - 1
		if i >= int64(len(s.morsels)) {
			return nil, nil
		}
		s.fetchAhead(ctx, int(i))
		first := !l.started
		l.started = true
		if hr, ok := s.morsels[i].(HeadReader); ok && first && s.Head > 0 {
			recs, rest, err := hr.ReadHead(ctx, s.Head)
			if err != nil {
				return nil, err
			}
			l.pending, l.rest = recs, rest
			continue
		}
		recs, err := s.morsels[i].Read(ctx)
		if err != nil {
			return nil, err
		}
		l.pending = recs
	}
	r := l.pending[0]
	l.pending = l.pending[1:]
	return r, nil
}

// Send is the sink of a result that streams to its consumer (a client):
// each batch is handed over as it arrives. Consume blocks until the
// consumer takes it or the query ends, so a slow consumer slows the
// query instead of growing it: the batches in flight are the channel's
// and one per worker.
type Send struct {
	Label string
	Ch    chan<- arrow.Record
	// Stop, when closed, ends the pipeline as a LIMIT does (the consumer
	// wants no more: a union's reader that stopped); nil for none
	Stop <-chan struct{}
}

func (s *Send) Name() string  { return s.Label }
func (s *Send) NewLocal() any { return nil }
func (s *Send) Consume(ctx *Ctx, _ any, in arrow.Record) error {
	if in.NumRows() == 0 {
		return nil
	}
	select {
	case s.Ch <- in:
		return nil
	case <-s.Stop:
		return errStop
	case <-ctx.Context().Done():
		return ctx.Err()
	}
}
func (s *Send) Combine(*Ctx, any) error { return nil }
func (s *Send) Finalize(*Ctx) error     { return nil }
