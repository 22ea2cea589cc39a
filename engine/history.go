package engine

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// DefaultHistoryRetention is how long the query history keeps entries
// (Athena keeps 45 days).
const DefaultHistoryRetention = 45 * 24 * time.Hour

// history writes query records to the catalog store in batches from one
// goroutine, so that recording never sits on a statement's path (the
// sqllogictest corpus issues ~10,000 INSERTs per file). Flush makes
// everything recorded so far visible, in this process and to every other
// process sharing the catalog.
type history struct {
	store     catalog.Store
	retention time.Duration

	mu      sync.Mutex
	pending []catalog.QueryRecord
	kick    chan struct{}
	done    chan struct{}
	closed  bool
	flushMu sync.Mutex // one writer at a time
}

func newHistory(store catalog.Store, retention time.Duration) *history {
	h := &history{store: store, retention: retention, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go h.loop()
	return h
}

func (h *history) loop() {
	defer close(h.done)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	purged := time.Time{}
	for {
		select {
		case _, ok := <-h.kick:
			if !ok {
				h.Flush(context.Background())
				return
			}
		case <-tick.C:
		}
		h.Flush(context.Background())
		if h.retention > 0 && time.Since(purged) > time.Hour {
			purged = time.Now()
			h.store.PurgeQueries(context.Background(), time.Now().Add(-h.retention))
		}
	}
}

// Record queues one entry.
func (h *history) Record(r catalog.QueryRecord) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.pending = append(h.pending, r)
	if len(h.pending) >= 1000 {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
}

// Flush writes the queued entries.
func (h *history) Flush(ctx context.Context) error {
	h.flushMu.Lock()
	defer h.flushMu.Unlock()
	h.mu.Lock()
	batch := h.pending
	h.pending = nil
	h.mu.Unlock()
	for len(batch) > 0 {
		n := min(len(batch), 500)
		if err := h.store.RecordQueries(ctx, batch[:n]); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// Close flushes and stops the writer.
func (h *history) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.mu.Unlock()
	close(h.kick)
	<-h.done
}

// record files one statement's outcome in the history.
func (s *Session) record(sql, qid string, sc *storage.ScanStats, start time.Time, res *Result, err error) {
	if s.eng.hist == nil {
		return
	}
	r := catalog.QueryRecord{QueryID: qid, User: s.User, Query: strings.TrimSpace(redactSQL(sql)), State: "SUCCEEDED",
		StartedAt: start, ElapsedMs: time.Since(start).Milliseconds()}
	if err != nil {
		r.State = "FAILED"
		if sqlerr.Code(err) == sqlerr.QueryCanceled || errors.Is(err, context.Canceled) {
			r.State = "CANCELLED"
		}
		r.Error = err.Error()
	}
	if res != nil {
		r.Rows = res.Rows
	}
	if sc != nil {
		r.Bytes, r.Files, r.Partitions = sc.BytesRead.Load(), sc.FilesRead.Load(), sc.PartitionsRead.Load()
	}
	s.eng.hist.Record(r)
}
