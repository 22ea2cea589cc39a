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
// place of collecting them: each worker streams its batches (cast to the
// target's column types) into a file of its own, which it closes at
// perFile rows to start the next, so writes overlap the scan, use every
// worker and hold one row group per worker in memory. Workers once
// gathered a whole file's rows and wrote them at once; the last file
// then kept one core busy alone for up to a third of an UNLOAD.
type fileSink struct {
	ts      []types.T
	perFile int64
	// open starts a file; called from several workers at once
	open func(ctx context.Context) (rowFile, error)

	mu      sync.Mutex
	rows    int64
	pending []*fileSinkLocal
	live    map[*fileSinkLocal]struct{} // workers with a file open
}

type fileSinkLocal struct {
	f    rowFile // nil: none open
	rows int64   // in f
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
	if l.f == nil {
		rf, err := f.open(ctx.Context())
		if err != nil {
			return err
		}
		f.mu.Lock()
		if f.live == nil {
			f.live = map[*fileSinkLocal]struct{}{}
		}
		l.f = rf
		f.live[l] = struct{}{}
		f.mu.Unlock()
	}
	for _, r := range recs {
		if err := l.f.Write(ctx.Context(), r); err != nil {
			return err
		}
	}
	l.rows += in.NumRows()
	if l.rows >= f.perFile {
		return f.close(ctx.Context(), l)
	}
	return nil
}

// close commits l's file.
func (f *fileSink) close(ctx context.Context, l *fileSinkLocal) error {
	rf, rows := l.f, l.rows
	f.mu.Lock()
	delete(f.live, l)
	f.mu.Unlock()
	l.f, l.rows = nil, 0
	if err := rf.Close(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	f.rows += rows
	f.mu.Unlock()
	return nil
}

// abort abandons the files still open: a failed query's workers leave
// them behind.
func (f *fileSink) abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for l := range f.live {
		l.f.Abort()
		l.f = nil
	}
	f.live = nil
}

// Combine keeps each worker's open file: the pipeline combines serially,
// so Finalize closes them all at once instead of one after another.
func (f *fileSink) Combine(_ *exec.Ctx, local any) error {
	if l := local.(*fileSinkLocal); l.f != nil {
		f.pending = append(f.pending, l)
	}
	return nil
}

// Finalize closes the workers' last files, together.
func (f *fileSink) Finalize(ctx *exec.Ctx) error {
	return managed.Parallel(ctx.Context(), max(len(f.pending), 1), len(f.pending), func(c context.Context, i int) error {
		return f.close(c, f.pending[i])
	})
}

// streamFiles opens the data files of a managed table's writer.
func streamFiles(w *managed.Writer) func(ctx context.Context) (rowFile, error) {
	return func(ctx context.Context) (rowFile, error) {
		fs, err := w.Stream(ctx)
		if err != nil {
			return nil, err
		}
		return managedFile{fs}, nil
	}
}

type managedFile struct{ f *managed.FileStream }

func (m managedFile) Write(_ context.Context, rec arrow.Record) error { return m.f.Write(rec) }
func (m managedFile) Close(context.Context) error                     { return m.f.Close() }
func (m managedFile) Abort()                                          { m.f.Abort() }

// runInto runs a bound plan with its rows going to sink.
func (s *Session) runInto(ctx context.Context, n planner.Node, params []types.Value, sink exec.Sink) error {
	phys, err := planner.BuildPhysical(n)
	if err != nil {
		return err
	}
	phys.Root.Sink = sink
	err = runPipelines(s.execCtx(ctx, params), phys.Root)
	if fs, ok := sink.(*fileSink); ok && err != nil {
		fs.abort()
	}
	return err
}

// insertSink takes an INSERT's rows: it keeps them while they are few
// enough for the table's delta, and past that streams them, and every
// row after, into data files of a writer (fileSink), so that an INSERT …
// SELECT of any size holds one row group per worker rather than all its
// rows. Each batch is conformed to the table's types and checked against
// its constraints as it comes.
type insertSink struct {
	files *fileSink
	check func(arrow.Record) error

	mu        sync.Mutex
	kept      []arrow.Record
	keptRows  int64
	streaming bool
}

type insertSinkLocal struct{ files any }

func (s *insertSink) Name() string  { return "Insert" }
func (s *insertSink) NewLocal() any { return &insertSinkLocal{files: s.files.NewLocal()} }

func (s *insertSink) Consume(ctx *exec.Ctx, local any, in arrow.Record) error {
	if in.NumRows() == 0 {
		return nil
	}
	recs, err := conformRecords(ctx, []arrow.Record{in}, s.files.ts)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := s.check(r); err != nil {
			return err
		}
	}
	l := local.(*insertSinkLocal)
	s.mu.Lock()
	if !s.streaming {
		if s.keptRows+in.NumRows() <= managed.DeltaMaxRows {
			s.kept = append(s.kept, recs...)
			s.keptRows += in.NumRows()
			s.mu.Unlock()
			return nil
		}
		// too many for the delta: what was kept goes to this worker's file
		s.streaming = true
		recs = append(s.kept, recs...)
		s.kept, s.keptRows = nil, 0
	}
	s.mu.Unlock()
	for _, r := range recs {
		if err := s.files.Consume(ctx, l.files, r); err != nil {
			return err
		}
	}
	return nil
}

func (s *insertSink) Combine(ctx *exec.Ctx, local any) error {
	return s.files.Combine(ctx, local.(*insertSinkLocal).files)
}

func (s *insertSink) Finalize(ctx *exec.Ctx) error { return s.files.Finalize(ctx) }
