package exec

import (
	"container/heap"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
)

// runInput is one sorted run of a merge: batches whose last columns are
// the sort keys.
type runInput interface {
	next() (arrow.Record, error) // nil at the end
	close()
}

// fileRun reads a spilled run, and removes its file once read.
type fileRun struct {
	run *SpillRun
	r   *SpillReader
}

func (f *fileRun) next() (arrow.Record, error) {
	if f.r == nil {
		r, err := f.run.Open()
		if err != nil {
			return nil, err
		}
		f.r = r
	}
	return f.r.Next()
}

func (f *fileRun) close() {
	if f.r != nil {
		f.r.Close()
		f.r = nil
	}
	f.run.Remove()
}

// memRun is a sorted run still in memory.
type memRun struct{ recs []arrow.Record }

func (m *memRun) next() (arrow.Record, error) {
	if len(m.recs) == 0 {
		return nil, nil
	}
	r := m.recs[0]
	m.recs = m.recs[1:]
	return r, nil
}

func (m *memRun) close() { m.recs = nil }

// runMerge merges sorted runs into batches of at most BatchSize rows,
// reading each run one batch at a time. The current batches of all runs
// are concatenated into one record (window) so that rows of different
// runs compare with the typed comparator; the window is rebuilt when a
// run's batch is used up. Ties go to the earlier run.
type runMerge struct {
	keys    []SortKey
	inputs  []runInput
	limit   int64 // rows to emit in all (-1: all)
	emitted int64

	started bool
	done    bool
	cur     []arrow.Record // each run's unread rows of its current batch (nil: run ended)
	window  arrow.Record   // cur's batches concatenated
	cmp     func(i, j int) int
	h       mergeHeap
}

// mergeCursor is a run's position in the window.
type mergeCursor struct {
	run        int
	start, pos int // the run's rows in the window: [start, end)
	end        int
}

type mergeHeap struct {
	c   []*mergeCursor
	cmp func(i, j int) int
}

func (h *mergeHeap) Len() int { return len(h.c) }
func (h *mergeHeap) Less(a, b int) bool {
	if r := h.cmp(h.c[a].pos, h.c[b].pos); r != 0 {
		return r < 0
	}
	return h.c[a].run < h.c[b].run
}
func (h *mergeHeap) Swap(a, b int) { h.c[a], h.c[b] = h.c[b], h.c[a] }
func (h *mergeHeap) Push(x any)    { h.c = append(h.c, x.(*mergeCursor)) }
func (h *mergeHeap) Pop() any {
	x := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return x
}

// fill rebuilds the window from each run's unread rows, reading the next
// batch of runs whose batch is used up.
func (m *runMerge) fill() error {
	var parts []arrow.Record
	m.h = mergeHeap{}
	off := 0
	for i, in := range m.inputs {
		for m.cur[i] != nil && m.cur[i].NumRows() == 0 {
			rec, err := in.next()
			if err != nil {
				return err
			}
			if rec == nil {
				in.close()
			}
			m.cur[i] = rec
		}
		if m.cur[i] == nil {
			continue
		}
		n := int(m.cur[i].NumRows())
		parts = append(parts, m.cur[i])
		m.h.c = append(m.h.c, &mergeCursor{run: i, start: off, pos: off, end: off + n})
		off += n
	}
	if len(parts) == 0 {
		m.window = nil
		return nil
	}
	w, err := concatRecords(parts)
	if err != nil {
		return err
	}
	m.window = w
	nk := len(m.keys)
	ncol := int(w.NumCols())
	m.cmp = RowComparer(m.keys, w.Columns()[ncol-nk:])
	m.h.cmp = m.cmp
	heap.Init(&m.h)
	return nil
}

func (m *runMerge) closeAll() {
	for i, in := range m.inputs {
		if m.cur == nil || m.cur[i] != nil {
			in.close()
		}
	}
	m.done = true
}

// next returns the next merged batch (without the key columns), nil at
// the end.
func (m *runMerge) next(ctx *Ctx) (arrow.Record, error) {
	if m.done {
		return nil, nil
	}
	if !m.started {
		m.started = true
		m.cur = make([]arrow.Record, len(m.inputs))
		for i := range m.cur {
			m.cur[i] = array.NewRecord(arrow.NewSchema(nil, nil), nil, 0) // empty: fill reads a batch
		}
		if err := m.fill(); err != nil {
			m.closeAll()
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		m.closeAll()
		return nil, err
	}
	if m.window == nil || m.limit >= 0 && m.emitted >= m.limit {
		m.closeAll()
		return nil, nil
	}
	want := int64(BatchSize)
	if m.limit >= 0 {
		want = min(want, m.limit-m.emitted)
	}
	idx := make([]int32, 0, want)
	exhausted := false
	for int64(len(idx)) < want && m.h.Len() > 0 {
		c := m.h.c[0]
		idx = append(idx, int32(c.pos))
		c.pos++
		if c.pos == c.end {
			heap.Pop(&m.h)
			exhausted = true // its run's next batch is needed to go on
			break
		}
		heap.Fix(&m.h, 0)
	}
	out := expr.SubRecord(m.window, idx)
	ncol := int(out.NumCols()) - len(m.keys)
	out = array.NewRecord(arrow.NewSchema(out.Schema().Fields()[:ncol], nil), out.Columns()[:ncol], out.NumRows())
	m.emitted += int64(len(idx))
	if exhausted {
		// keep each run's unread rows and rebuild the window
		consumed := make([]int, len(m.inputs))
		for i := range consumed {
			consumed[i] = -1
		}
		for _, c := range m.h.c {
			consumed[c.run] = c.pos - c.start
		}
		for i := range m.cur {
			if m.cur[i] == nil {
				continue
			}
			if consumed[i] < 0 { // the exhausted run
				m.cur[i] = m.cur[i].NewSlice(m.cur[i].NumRows(), m.cur[i].NumRows())
				continue
			}
			m.cur[i] = m.cur[i].NewSlice(int64(consumed[i]), m.cur[i].NumRows())
		}
		if err := m.fill(); err != nil {
			m.closeAll()
			return nil, err
		}
	}
	return out, nil
}
