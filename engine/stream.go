package engine

import (
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
)

// streamDepth is how many batches a streaming result holds beyond the
// one each worker is handing over: enough to keep a client's socket busy
// while the next batch is computed.
const streamDepth = 2

// headRows is how many rows of its first morsel each worker of a
// streamed scan decodes ahead of the rest: one batch.
const headRows = 8192

// resultStream is a query running in the background whose batches a
// Result hands out as they arrive (DESIGN.md, Results stream).
type resultStream struct {
	ch   chan arrow.Record
	err  error // the query's outcome; read after ch is closed
	stop func()
	rows int64
	// atEnd runs once when the stream ends (drained, failed or closed),
	// before end: the query's own last words (notices).
	atEnd func(r *Result)
	// end is the statement's end (history, activity, cancel), which
	// StreamStmt hands over to the stream.
	end  func(r *Result, err error)
	once sync.Once
}

// startPlan runs a logical plan in the background, its result batches
// flowing into the returned stream as the consumer takes them. stop
// cancels the query (ec's context).
func startPlan(ec *exec.Ctx, n planner.Node, stop func()) (*resultStream, error) {
	phys, err := planner.BuildPhysical(n)
	if err != nil {
		return nil, err
	}
	ch := make(chan arrow.Record, streamDepth)
	phys.Root.Sink = &exec.Send{Label: phys.Result.Label, Ch: ch}
	if ms, ok := phys.Root.Source.(*exec.MorselSource); ok {
		// the scan's batches go to the client as they come: its first
		// row waits for a batch's rows, not a whole row group's
		ms.Head = headRows
	}
	st := &resultStream{ch: ch, stop: stop}
	go func() {
		defer close(ch) // after err is set: the consumer reads it then
		defer func() {
			if r := recover(); r != nil {
				st.err = sqlerr.Panic("query", r, debug.Stack())
			}
		}()
		if ec.ListAhead {
			if st.err = exec.Prelist(ec, phys.Root, false); st.err != nil {
				return
			}
		}
		st.err = runPipelines(ec, phys.Root)
	}()
	return st, nil
}

// Next returns the result's next batch, nil at the end: a streamed
// query's batches as the query produces them, else those in Records.
// The error of a query that fails midway comes from Next, after the
// batches sent before it. Once Next returned nil (or an error), Tag,
// Rows and Scanned are final.
func (r *Result) Next() (arrow.Record, error) {
	if r.next < len(r.Records) {
		r.next++
		return r.Records[r.next-1], nil
	}
	st := r.stream
	if st == nil {
		return nil, nil
	}
	if rec, ok := <-st.ch; ok {
		st.rows += rec.NumRows()
		return rec, nil
	}
	err := st.err
	r.finish(err)
	return nil, err
}

// Close stops a streaming result that was not read to the end (the
// query is canceled and its statement ends); a no-op otherwise.
func (r *Result) Close() error {
	st := r.stream
	if st == nil {
		return nil
	}
	st.stop()
	for range st.ch { // let the workers see the cancel and end
	}
	r.finish(nil)
	return nil
}

// Collect reads a streaming result to its end into Records.
func (r *Result) Collect() error {
	if r.stream == nil {
		return nil
	}
	for {
		rec, err := r.Next()
		if err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		r.Records = append(r.Records, rec)
		r.next = len(r.Records)
	}
}

// Streaming reports whether the result is a query still running.
func (r *Result) Streaming() bool { return r.stream != nil }

func (r *Result) finish(err error) {
	st := r.stream
	st.once.Do(func() {
		r.stream = nil
		r.Rows += st.rows
		r.Tag = "SELECT " + strconv.FormatInt(r.Rows, 10)
		if st.atEnd != nil {
			st.atEnd(r)
		}
		if st.end != nil {
			st.end(r, err)
		}
	})
}
