package exec

import (
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Materialize is a Sink that keeps a plan's result for several readers
// (a CTE that the query scans more than once): in memory while the
// query's memory limit allows, and past it in one spill file (DESIGN.md,
// Memory), so that a large CTE is read back from disk rather than
// failing with 53200. Each reader takes its own Source; the file goes
// when the query's spill space is closed.
type Materialize struct {
	Label string

	mu       sync.Mutex
	recs     []arrow.Record
	w        *SpillWriter
	run      *SpillRun
	spilling atomic.Bool
}

type materializeLocal struct{ recs []arrow.Record }

func (m *Materialize) Name() string  { return m.Label }
func (m *Materialize) NewLocal() any { return &materializeLocal{} }

func (m *Materialize) Consume(ctx *Ctx, local any, in arrow.Record) error {
	if in.NumRows() == 0 {
		return nil
	}
	l := local.(*materializeLocal)
	if !m.spilling.Load() {
		if ctx.Spill == nil {
			if err := ctx.Grow(m.Label, RecordSize(in)); err != nil {
				return err
			}
			l.recs = append(l.recs, in)
			return nil
		}
		if ctx.TryGrow(m.Label, RecordSize(in)) {
			l.recs = append(l.recs, in)
			return nil
		}
		m.spilling.Store(true)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.w == nil {
		w, err := ctx.Spill.Create(m.Label, in.Schema())
		if err != nil {
			return err
		}
		m.w = w
	}
	return m.w.Write(in)
}

func (m *Materialize) Combine(_ *Ctx, local any) error {
	l := local.(*materializeLocal)
	m.mu.Lock()
	m.recs = append(m.recs, l.recs...)
	m.mu.Unlock()
	return nil
}

func (m *Materialize) Finalize(ctx *Ctx) error {
	if m.w == nil {
		return nil
	}
	run, err := m.w.Finish()
	m.w = nil
	if err != nil {
		return err
	}
	ctx.Spilled(m.Label, run.Bytes)
	m.run = run
	return nil
}

// Source reads the result, each batch relabelled with sch: the batches
// in memory (any worker), then the file's (read in turn).
func (m *Materialize) Source(label string, sch *arrow.Schema) Source {
	return &materializedSource{m: m, label: label, sch: sch}
}

type materializedSource struct {
	m     *Materialize
	label string
	sch   *arrow.Schema
	next  atomic.Int64
	mu    sync.Mutex
	r     *SpillReader
}

func (s *materializedSource) Name() string  { return s.label }
func (s *materializedSource) NewLocal() any { return nil }
func (s *materializedSource) Init(*Ctx) error {
	s.next.Store(0)
	s.r = nil
	if s.m.run != nil {
		r, err := s.m.run.Open()
		if err != nil {
			return err
		}
		s.r = r
	}
	return nil
}

func (s *materializedSource) Parallelism() int {
	if s.m.run != nil {
		return 1 << 10 // the file's batches: as many as the workers
	}
	return max(1, len(s.m.recs))
}

func (s *materializedSource) Next(ctx *Ctx, _ any) (arrow.Record, error) {
	if i := s.next.Add(1) - 1; i < int64(len(s.m.recs)) {
		r := s.m.recs[i]
		return array.NewRecord(s.sch, r.Columns(), r.NumRows()), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.r.Next()
	if err != nil || r == nil {
		s.r.Close()
		s.r = nil
		return nil, err
	}
	return array.NewRecord(s.sch, r.Columns(), r.NumRows()), nil
}
