package exec

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// panicOp panics on its nth batch (counted over all workers); the other
// workers take a shared lock per batch, as the text-key dictionary does,
// so a panicking worker that held it would leave them waiting forever.
type panicOp struct {
	nth   int64
	seen  atomic.Int64
	mu    sync.Mutex
	slept atomic.Bool
}

func (p *panicOp) Name() string  { return "Boom" }
func (p *panicOp) NewLocal() any { return nil }
func (p *panicOp) Execute(_ *Ctx, _ any, in arrow.Record, emit Emit) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen.Add(1) == p.nth {
		panic("injected fault")
	}
	if !p.slept.Swap(true) {
		time.Sleep(5 * time.Millisecond) // let the others pile up on the lock
	}
	return emit(in)
}

func intBatches(n, rows int) []arrow.Record {
	sch := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	out := make([]arrow.Record, n)
	for b := range out {
		vals := make([]int64, rows)
		for i := range vals {
			vals[i] = int64(b*rows + i)
		}
		out[b] = array.NewRecord(sch, []arrow.Array{types.NewFixedArray(arrow.PrimitiveTypes.Int64, vals, nil, 0)}, int64(rows))
	}
	return out
}

func TestWorkerPanicFailsQuery(t *testing.T) {
	for _, workers := range []int{1, 2, 4, 8} {
		for _, nth := range []int64{1, 3, 50} {
			recs := intBatches(200, 64)
			op := &panicOp{nth: nth}
			sink := &Collect{Label: "Collect"}
			p := &Pipeline{
				Source: &RecordsSource{Label: "Scan t", Fetch: func(*Ctx) ([]arrow.Record, error) { return recs, nil }},
				Ops:    []Operator{op},
				Sink:   sink,
			}
			ctx := &Ctx{Expr: &expr.Ctx{Context: context.Background()}, Workers: workers}
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("workers=%d nth=%d: no error from a panicking operator", workers, nth)
				}
				var se *sqlerr.Error
				if !errors.As(err, &se) || se.Code != sqlerr.Internal {
					t.Fatalf("workers=%d: error %v, want XX000", workers, err)
				}
				if !strings.Contains(se.Message, "Boom") || !strings.Contains(se.Message, "injected fault") {
					t.Fatalf("workers=%d: message %q does not name the operator and the fault", workers, se.Message)
				}
				if !strings.Contains(se.Stack, "panicOp") {
					t.Fatalf("workers=%d: stack trace not kept: %q", workers, se.Stack)
				}
			case <-time.After(time.Second):
				t.Fatalf("workers=%d nth=%d: query still running 1 s after an operator panicked", workers, nth)
			}
		}
	}
}

// A panic inside a sink's Finalize or a source's Next is an error too.
// The source panics on returning its fifth batch: picked by the batch
// itself, not by the shared counter after the call (workers racing past
// it made the fault miss, and the test fail now and then under load).
type panicSource struct {
	RecordsSource
	bad arrow.Record
}

func (s *panicSource) Next(ctx *Ctx, l any) (arrow.Record, error) {
	r, err := s.RecordsSource.Next(ctx, l)
	if r != nil && r == s.bad {
		panic("source fault")
	}
	return r, err
}

func TestSourcePanicFailsQuery(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		recs := intBatches(50, 10)
		src := &panicSource{RecordsSource: RecordsSource{Label: "Scan bad", Fetch: func(*Ctx) ([]arrow.Record, error) { return recs, nil }}, bad: recs[4]}
		p := &Pipeline{Source: src, Sink: &Collect{Label: "Collect"}}
		ctx := &Ctx{Expr: &expr.Ctx{Context: context.Background()}, Workers: workers}
		err := p.Run(ctx)
		if err == nil || sqlerr.Code(err) != sqlerr.Internal || !strings.Contains(err.Error(), "Scan bad") {
			t.Fatalf("workers=%d: %v, want XX000 naming the scan", workers, err)
		}
	}
}
