package exec

import (
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// UnionSource streams UNION ALL: its input pipelines (each ending in a
// Send to Ch) run one after the other in the background while the
// workers of the pipeline it feeds take their batches, so the union's
// rows are never held whole (they were collected in memory, and a large
// UNION ALL failed past memory_limit). The channel bounds what is in
// flight. When the reading pipeline ends early (a LIMIT), the inputs are
// stopped and awaited before it finishes. Rows come in no set order.
type UnionSource struct {
	Label  string
	Inputs []*Pipeline
	Ch     chan arrow.Record
	Stop   chan struct{}

	done    chan struct{} // closed when the inputs have ended
	err     error         // the inputs' failure, read after done
	active  atomic.Int64
	workers int
	once    sync.Once
}

// NewUnionSource makes the source and the channel its inputs' Send
// sinks write to (with Stop as their Stop).
func NewUnionSource(label string, depth int) *UnionSource {
	return &UnionSource{Label: label, Ch: make(chan arrow.Record, depth), Stop: make(chan struct{})}
}

func (u *UnionSource) Name() string { return u.Label }

// Init starts the inputs.
func (u *UnionSource) Init(ctx *Ctx) error {
	u.workers = max(1, ctx.Workers)
	u.active.Store(int64(u.workers))
	u.done = make(chan struct{})
	go func() {
		defer close(u.done)
		defer close(u.Ch)
		defer func() {
			if r := recover(); r != nil {
				u.err = guard(u.Label, func() error { panic(r) })
				ctx.Fail(u.err)
			}
		}()
		for _, p := range u.Inputs {
			select {
			case <-u.Stop:
				return
			default:
			}
			if err := p.Run(ctx); err != nil {
				u.err = err
				ctx.Fail(err)
				return
			}
		}
	}()
	return nil
}

// Parallelism is every worker: the batches may go to any.
func (u *UnionSource) Parallelism() int { return u.workers }
func (u *UnionSource) NewLocal() any    { return nil }

// Next hands over the inputs' next batch; nil once they have all ended.
func (u *UnionSource) Next(ctx *Ctx, _ any) (arrow.Record, error) {
	select {
	case rec, ok := <-u.Ch:
		if ok {
			return rec, nil
		}
		<-u.done
		return nil, u.err
	case <-ctx.Context().Done():
		return nil, ctx.Err()
	}
}

// CloseLocal is a reading worker's end: after the last, the inputs are
// stopped (they may be blocked on a full channel) and awaited.
func (u *UnionSource) CloseLocal(any) {
	if u.active.Add(-1) > 0 {
		return
	}
	u.once.Do(func() { close(u.Stop) })
	if u.done != nil {
		<-u.done
	}
}

// Pipelines are the inputs, for walks of the pipeline tree (Prelist).
func (u *UnionSource) Pipelines() []*Pipeline { return u.Inputs }
