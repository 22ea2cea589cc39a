package exec

import (
	"hash/maphash"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// A window whose input passes the memory limit (DESIGN.md, Memory) sends
// its rows to windowParts partition files by the hash of their
// PARTITION BY keys — the rows it holds and those still coming — and
// computes the window one file at a time: every window partition lies
// whole in one file, so each file's answer is the answer for its rows.
// The result comes file after file, each in window order. A window
// without PARTITION BY is one partition: it streams over a sort where
// it can (window_stream.go) and otherwise fails with 53200 past the
// limit; one file larger than the limit is read whole.
const windowParts = 32

type windowSpill struct {
	mu    sync.Mutex
	seed  maphash.Seed
	parts [windowParts]partBuffer
	runs  [windowParts]*SpillRun
}

func (w *Window) canSpill(ctx *Ctx) bool {
	return ctx.Spill != nil && len(w.Partition) > 0
}

// consumeSpillable keeps a batch in memory while the limit allows, and
// otherwise starts (or goes on) spilling.
func (w *Window) consumeSpillable(ctx *Ctx, l *collectLocal, in arrow.Record) error {
	if !w.spilling.Load() {
		if ctx.TryGrow(w.col.Label, RecordSize(in)) {
			l.recs = append(l.recs, in)
			l.rows += in.NumRows()
			return nil
		}
		w.spillOnce.Do(func() {
			w.spill = &windowSpill{seed: maphash.MakeSeed()}
			w.spilling.Store(true)
		})
	}
	w.spill.mu.Lock()
	defer w.spill.mu.Unlock()
	if err := w.spillHeld(ctx, l); err != nil {
		return err
	}
	return w.spillRows(ctx, in)
}

// spillHeld writes the rows a worker holds to the partition files and
// releases their memory. The caller holds spill.mu.
func (w *Window) spillHeld(ctx *Ctx, l *collectLocal) error {
	for _, r := range l.recs {
		if err := w.spillRows(ctx, r); err != nil {
			return err
		}
		ctx.Shrink(w.col.Label, RecordSize(r))
	}
	l.recs, l.rows = nil, 0
	return nil
}

// spillRows writes a batch's rows to the files of their partition keys.
// The caller holds spill.mu.
func (w *Window) spillRows(ctx *Ctx, in arrow.Record) error {
	n := int(in.NumRows())
	if n == 0 {
		return nil
	}
	cols := make([]arrow.Array, len(w.Partition))
	ts := make([]types.T, len(w.Partition))
	for i, k := range w.Partition {
		c, err := k.Expr.Eval(ctx.Expr, in)
		if err != nil {
			return err
		}
		cols[i], ts[i] = c, k.Expr.Type()
	}
	keys := make([][]byte, n)
	encodeKeys(cols, ts, n, keys, make([]bool, n))
	var byPart [windowParts][]int32
	for i, k := range keys {
		p := maphash.Bytes(w.spill.seed, k) % windowParts
		byPart[p] = append(byPart[p], int32(i))
	}
	return eachPart(in, byPart[:], func(p int, part arrow.Record) error {
		return w.spill.parts[p].add(ctx, w.col.Label, part)
	})
}

// finishSpill moves the rows still in memory (workers that combined
// before the spill began) to their files and closes the files.
func (w *Window) finishSpill(ctx *Ctx) error {
	st := w.spill
	st.mu.Lock()
	defer st.mu.Unlock()
	held := &collectLocal{recs: w.col.Records()}
	w.col.Reset()
	if err := w.spillHeld(ctx, held); err != nil {
		return err
	}
	for p := range st.parts {
		run, err := st.parts[p].finish()
		if err != nil {
			return err
		}
		if run != nil {
			ctx.Spilled(w.Label, run.Bytes)
			st.runs[p] = run
		}
	}
	return nil
}

// windowSource emits the window's result: the batches computed in
// memory, or the spilled files' answers, one file computed at a time as
// the batches before it are taken. One worker.
type windowSource struct {
	w       *Window
	eval    *streamEval // a streamed window's (window_stream.go)
	next    int         // batch of pending, or of w.out
	part    int         // next spilled file
	pending []arrow.Record
	held    int64 // memory of the file being emitted
}

func (s *windowSource) Name() string     { return s.w.Label + " result" }
func (s *windowSource) Parallelism() int { return 1 }
func (s *windowSource) NewLocal() any    { return nil }
func (s *windowSource) Init(*Ctx) error {
	s.next, s.part, s.pending, s.eval = 0, 0, nil, nil
	return nil
}

func (s *windowSource) Next(ctx *Ctx, _ any) (arrow.Record, error) {
	w := s.w
	if !w.spilling.Load() {
		if s.next >= len(w.out) {
			return nil, nil
		}
		s.next++
		return w.out[s.next-1], nil
	}
	if w.stream != nil {
		if s.eval == nil {
			src := w.stream.sort.AsSource()
			s.eval = newStreamEval(w, func() (arrow.Record, error) { return src.Next(ctx, nil) }, w.rows.Load())
		}
		return s.eval.Next(ctx)
	}
	for s.next >= len(s.pending) {
		ctx.Mem.Shrink(s.held)
		s.held, s.pending, s.next = 0, nil, 0
		if s.part >= windowParts {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		run := w.spill.runs[s.part]
		s.part++
		if run == nil {
			continue
		}
		recs, err := readRun(run)
		run.Remove()
		if err != nil {
			return nil, err
		}
		rec, err := concatRecords(recs)
		if err != nil || rec == nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		s.held = RecordSize(rec)
		ctx.Mem.Force(s.held)
		if s.pending, err = w.compute(ctx, rec); err != nil {
			return nil, err
		}
	}
	s.next++
	return s.pending[s.next-1], nil
}
