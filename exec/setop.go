package exec

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// SetOp computes INTERSECT [ALL] / EXCEPT [ALL]. Left and right inputs
// arrive through SideSink(0) and SideSink(1) in separate pipelines.
type SetOp struct {
	Label     string
	Intersect bool
	All       bool
	Types     []types.T
	OutSchema *arrow.Schema

	mu    sync.Mutex
	order []string
	rows  map[string]*setRow
	out   []arrow.Record
}

type setRow struct {
	vals   []types.Value
	counts [2]int64
}

type setSide struct {
	op   *SetOp
	side int
}

// SideSink returns the sink for one input side.
func (s *SetOp) SideSink(side int) Sink { return &setSide{op: s, side: side} }

func (s *setSide) Name() string  { return s.op.Label }
func (s *setSide) NewLocal() any { return nil }
func (s *setSide) Consume(ctx *Ctx, _ any, in arrow.Record) error {
	n := int(in.NumRows())
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(in.Columns(), s.op.Types, n, keys, nulls)
	s.op.mu.Lock()
	defer s.op.mu.Unlock()
	if s.op.rows == nil {
		s.op.rows = map[string]*setRow{}
	}
	for i := 0; i < n; i++ {
		k := string(keys[i])
		r, ok := s.op.rows[k]
		if !ok {
			vals := make([]types.Value, len(s.op.Types))
			for c, t := range s.op.Types {
				vals[c] = types.GetValue(t, in.Column(c), i)
			}
			r = &setRow{vals: vals}
			s.op.rows[k] = r
			s.op.order = append(s.op.order, k)
			if err := ctx.Grow(s.op.Label, int64(len(k)+64)); err != nil {
				return err
			}
		}
		r.counts[s.side]++
	}
	return nil
}
func (s *setSide) Combine(*Ctx, any) error { return nil }
func (s *setSide) Finalize(ctx *Ctx) error {
	if s.side == 1 {
		return s.op.finalize()
	}
	return nil
}

func (s *SetOp) finalize() error {
	var rows [][]types.Value
	for _, k := range s.order {
		r := s.rows[k]
		var copies int64
		l, rr := r.counts[0], r.counts[1]
		switch {
		case s.Intersect && s.All:
			copies = min(l, rr)
		case s.Intersect:
			if l > 0 && rr > 0 {
				copies = 1
			}
		case s.All:
			copies = max(l-rr, 0)
		default:
			if l > 0 && rr == 0 {
				copies = 1
			}
		}
		for c := int64(0); c < copies; c++ {
			rows = append(rows, r.vals)
		}
	}
	s.out = rowsToRecords(s.OutSchema, s.Types, rows)
	return nil
}

// AsSource emits the result.
func (s *SetOp) AsSource() Source {
	return &RecordsSource{Label: s.Label + " result", Fetch: func(*Ctx) ([]arrow.Record, error) { return s.out, nil }}
}

func rowsToRecords(sch *arrow.Schema, ts []types.T, rows [][]types.Value) []arrow.Record {
	var out []arrow.Record
	for start := 0; start < len(rows); start += BatchSize {
		end := min(start+BatchSize, len(rows))
		cols := make([]arrow.Array, len(ts))
		for c, t := range ts {
			vals := make([]types.Value, end-start)
			for r := start; r < end; r++ {
				vals[r-start] = rows[r][c]
			}
			cols[c] = types.BuildArray(t, vals)
		}
		out = append(out, array.NewRecord(sch, cols, int64(end-start)))
	}
	return out
}

// DistinctOn keeps the first row of each key in arrival order (its input
// is sorted and read by one worker).
type DistinctOn struct {
	Label string
	Keys  []expr.Expr
	KeyT  []types.T
	seen  map[string]struct{}
	mu    sync.Mutex
}

func (d *DistinctOn) Name() string  { return d.Label }
func (d *DistinctOn) NewLocal() any { return nil }
func (d *DistinctOn) Execute(ctx *Ctx, _ any, in arrow.Record, emit Emit) error {
	n := int(in.NumRows())
	cols, err := evalAll(ctx, d.Keys, in)
	if err != nil {
		return err
	}
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(cols, d.KeyT, n, keys, nulls)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]struct{}{}
	}
	var keep []int32
	for i := 0; i < n; i++ {
		if _, ok := d.seen[string(keys[i])]; !ok {
			d.seen[string(keys[i])] = struct{}{}
			keep = append(keep, int32(i))
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return emit(expr.SubRecord(in, keep))
}
