package exec

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec/expr"
)

// headMorsel is a morsel of batches that splits after its first batch.
type headMorsel struct {
	recs            []arrow.Record
	heads, closed   *atomic.Int64
	readWhole, rest *atomic.Int64
}

func (m headMorsel) Read(*Ctx) ([]arrow.Record, error) {
	m.readWhole.Add(1)
	return m.recs, nil
}

func (m headMorsel) ReadHead(_ *Ctx, rows int) ([]arrow.Record, MorselRest, error) {
	m.heads.Add(1)
	return m.recs[:1], &headRest{m: m}, nil
}

type headRest struct{ m headMorsel }

func (r *headRest) Read(*Ctx) ([]arrow.Record, error) {
	r.m.rest.Add(1)
	return r.m.recs[1:], nil
}
func (r *headRest) Close() { r.m.closed.Add(1) }

// A MorselSource with Head reads the first morsel of each worker as a
// head and its rest, every other morsel whole, passes every row once, and
// closes a rest whether it was read or the run stopped before it (a
// LIMIT reached).
func TestMorselSourceHead(t *testing.T) {
	for _, workers := range []int{1, 2, 4} {
		for _, limit := range []int64{-1, 5} {
			var heads, closed, whole, rests atomic.Int64
			recs := intBatches(40, 10)
			var ms []Morsel
			for i := 0; i < 10; i++ {
				ms = append(ms, headMorsel{recs: recs[i*4 : i*4+4], heads: &heads, closed: &closed, readWhole: &whole, rest: &rests})
			}
			src := &MorselSource{Label: "Scan h", Head: 10, List: func(*Ctx) ([]Morsel, error) { return ms, nil }}
			sink := &Collect{Label: "Collect"}
			p := &Pipeline{Source: src, Ops: []Operator{&Limit{Count: limit, Label: "Limit"}}, Sink: sink}
			ctx := &Ctx{Expr: &expr.Ctx{Context: context.Background()}, Workers: workers}
			if err := p.Run(ctx); err != nil {
				t.Fatal(err)
			}
			var rows int64
			seen := map[int64]bool{}
			for _, r := range sink.Records() {
				rows += r.NumRows()
				for _, v := range r.Column(0).(interface{ Int64Values() []int64 }).Int64Values() {
					if seen[v] {
						t.Fatalf("workers=%d: row %d twice", workers, v)
					}
					seen[v] = true
				}
			}
			if limit < 0 && rows != 400 {
				t.Fatalf("workers=%d: %d rows, want 400", workers, rows)
			}
			if limit > 0 && rows != limit {
				t.Fatalf("workers=%d: %d rows, want %d", workers, rows, limit)
			}
			if heads.Load() == 0 || heads.Load() > int64(workers) {
				t.Fatalf("workers=%d: %d heads read, want 1 to %d", workers, heads.Load(), workers)
			}
			if closed.Load() != heads.Load() {
				t.Fatalf("workers=%d limit=%d: %d rests closed of %d", workers, limit, closed.Load(), heads.Load())
			}
			if limit < 0 && (rests.Load() != heads.Load() || whole.Load()+heads.Load() != 10) {
				t.Fatalf("workers=%d: %d rests read of %d heads, %d morsels whole", workers, rests.Load(), heads.Load(), whole.Load())
			}
		}
	}
}
