package engine

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// fileSink writes a query's rows as files while the query runs, in
// place of collecting them: each worker gathers batches (cast to the
// target's column types) up to perFile rows and writes them as one file,
// so writes overlap the scan, use every worker, and hold at most one
// file's rows per worker in memory.
type fileSink struct {
	ts      []types.T
	perFile int64
	// write writes one file; called from several workers at once
	write func(ctx context.Context, recs []arrow.Record, rows int64) error
	// parallel bounds the files Finalize writes at once
	parallel int
	mu       sync.Mutex
	rows     int64
	pending  []*fileSinkLocal
}

type fileSinkLocal struct {
	recs []arrow.Record
	rows int64
}

func (f *fileSink) Name() string  { return "Write" }
func (f *fileSink) NewLocal() any { return &fileSinkLocal{} }

func (f *fileSink) Consume(ctx *exec.Ctx, local any, in arrow.Record) error {
	if in.NumRows() == 0 {
		return nil
	}
	l := local.(*fileSinkLocal)
	recs, err := conformRecords(ctx, []arrow.Record{in}, f.ts)
	if err != nil {
		return err
	}
	l.recs = append(l.recs, recs...)
	l.rows += in.NumRows()
	if l.rows >= f.perFile {
		return f.flush(ctx, l)
	}
	return nil
}

func (f *fileSink) flush(ctx *exec.Ctx, l *fileSinkLocal) error {
	if l.rows == 0 {
		return nil
	}
	if err := f.write(ctx.Context(), l.recs, l.rows); err != nil {
		return err
	}
	f.mu.Lock()
	f.rows += l.rows
	f.mu.Unlock()
	l.recs, l.rows = nil, 0
	return nil
}

// Combine keeps each worker's last rows: the pipeline combines serially,
// so Finalize writes them all at once instead of one after another.
func (f *fileSink) Combine(_ *exec.Ctx, local any) error {
	if l := local.(*fileSinkLocal); l.rows > 0 {
		f.pending = append(f.pending, l)
	}
	return nil
}

func (f *fileSink) Finalize(ctx *exec.Ctx) error {
	return managed.Parallel(ctx.Context(), max(f.parallel, 1), len(f.pending), func(_ context.Context, i int) error {
		return f.flush(ctx, f.pending[i])
	})
}

// runInto runs a bound plan with its rows going to sink.
func (s *Session) runInto(ctx context.Context, n planner.Node, params []types.Value, sink exec.Sink) error {
	phys, err := planner.BuildPhysical(n)
	if err != nil {
		return err
	}
	phys.Root.Sink = sink
	return phys.Root.Run(s.execCtx(ctx, params))
}
