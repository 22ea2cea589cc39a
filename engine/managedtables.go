package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// The one write path of managed tables (DESIGN.md, Writes): a statement
// writes its data files under its own id in the table's location, makes
// them durable, writes the snapshot that follows the catalog's current
// one, and publishes it by one catalog update checked against the table
// version it read (catalog.Store.UpdateTable is a compare-and-swap on
// Version). Of two writers exactly one wins. An append that loses rebases
// on the winner's snapshot and tries again (appends commute, as
// Iceberg's do); a statement that read the table (UPDATE, DELETE,
// TRUNCATE) gets 40001 and leaves nothing behind.

// retryConflicts runs f on t, and again (at most retries times) on the
// catalog's current version of t while f loses a race (40001): for a
// statement that read the table and may start over, as ALTER TABLE's
// rewrite and VACUUM may. A table dropped meanwhile ends it with f's
// last error.
func (e *Engine) retryConflicts(ctx context.Context, t *catalog.Table, retries int, f func(t *catalog.Table) error) error {
	for attempt := 0; ; attempt++ {
		err := f(t)
		if sqlerr.Code(err) != sqlerr.SerializationFailure || attempt >= retries {
			return err
		}
		cur, gerr := e.store.GetTable(ctx, t.Database, t.Name)
		if gerr != nil || cur == nil {
			return err
		}
		t = cur
	}
}

// errColumnsChanged is a write that lost to an ALTER TABLE of the
// table's columns.
func errColumnsChanged(table string) error {
	return sqlerr.New(sqlerr.SerializationFailure, "could not write table \"%s\": its columns changed concurrently", table)
}

// appendRetries bounds how often an append rebases after losing a race.
const appendRetries = 100

// newLocation is where a new managed table's files go: a fresh folder
// per table, so a table dropped and created again, or a CTAS that lost
// a race for the name, never shares files with another.
func (e *Engine) newLocation(db, name string) string {
	return storage.Join(e.warehouse, db, name+"-"+managed.NewID()[:8])
}

// managedStorage is the storage of a managed table.
func (e *Engine) managedStorage(t *catalog.Table) (*managed.Table, error) {
	names, ts, err := tableTypes(t)
	if err != nil {
		return nil, err
	}
	if t.Storage.Location == "" {
		return nil, sqlerr.New(sqlerr.DataCorrupted, "managed table \"%s\" has no location", t.Name)
	}
	for i, c := range t.Columns {
		names[i] = c.InFiles()
	}
	return managed.New(e.fs, t.Storage.Location, names, ts), nil
}

// adoptLegacy takes over a managed table an earlier lakeq wrote (no
// location in the catalog; a manifest and insert log in
// <warehouse>/<schema>/<name>/): its files stay, a snapshot names them,
// and the catalog gets the location, snapshot and delta in one update.
// On success t is the new catalog version.
func (e *Engine) adoptLegacy(ctx context.Context, t *catalog.Table) error {
	if t.Type != catalog.ManagedTable || t.Storage.Location != "" {
		return nil
	}
	names, ts, err := tableTypes(t)
	if err != nil {
		return err
	}
	loc := storage.Join(e.warehouse, t.Database, t.Name)
	mt := managed.New(e.fs, loc, names, ts)
	name, delta, found, err := mt.UpgradeLegacy(ctx, managed.NewID())
	if err != nil {
		return err
	}
	if !found {
		return sqlerr.New(sqlerr.DataCorrupted, "managed table \"%s\" has no location and no files at %s", t.Name, loc)
	}
	upd := *t
	upd.Parameters = map[string]string{}
	for k, v := range t.Parameters {
		upd.Parameters[k] = v
	}
	upd.Storage.Location = loc
	upd.Parameters[managed.SnapshotKey] = name
	if delta != "" {
		upd.Parameters[managed.DeltaKey] = delta
	}
	if err := e.store.UpdateTable(ctx, upd); err != nil {
		mt.Collect(ctx, []string{"_lakeq/" + name})
		if sqlerr.Code(err) != sqlerr.SerializationFailure {
			return err
		}
		// another session adopted it first
		cur, err := e.store.GetTable(ctx, t.Database, t.Name)
		if err != nil || cur == nil {
			return err
		}
		*t = *cur
		return nil
	}
	*t = upd
	t.Version++
	return nil
}

// rowsOf is a managed table's row count: its files' and its delta's.
func (e *Engine) rowsOf(ctx context.Context, t *catalog.Table) (int64, error) {
	mt, snap, err := e.snapshotOf(ctx, t)
	if err != nil {
		return 0, err
	}
	_, n, err := mt.DecodeDelta(t.Parameters[managed.DeltaKey])
	return snap.Rows() + n, err
}

// snapshotOf reads a managed table's current snapshot.
func (e *Engine) snapshotOf(ctx context.Context, t *catalog.Table) (*managed.Table, managed.Snapshot, error) {
	if err := e.adoptLegacy(ctx, t); err != nil {
		return nil, managed.Snapshot{}, err
	}
	mt, err := e.managedStorage(t)
	if err != nil {
		return nil, managed.Snapshot{}, err
	}
	snap, err := mt.Snapshot(ctx, t.Parameters[managed.SnapshotKey])
	return mt, snap, err
}

// writeManaged adds recs to a managed table (replace: recs become its
// whole content). On success t is the catalog's new version.
func (s *Session) writeManaged(ctx context.Context, t *catalog.Table, recs []arrow.Record, replace bool) error {
	if err := s.eng.adoptLegacy(ctx, t); err != nil {
		return err
	}
	mt, err := s.eng.managedStorage(t)
	if err != nil {
		return err
	}
	if !replace && countRows(recs) <= managed.DeltaMaxRows {
		if rows := managed.EncodeDelta(mt.Types(), recs); len(rows) <= managed.DeltaBytes {
			return s.eng.appendDelta(ctx, t, mt, rows, recs)
		}
	}
	qid := managed.NewID()
	w := mt.NewWriter(qid, s.eng.staging.Begin(qid))
	w.Parallel = s.eng.cfg.Workers
	if err := w.Write(ctx, recs); err != nil {
		w.Abort(ctx)
		return err
	}
	next, err := s.eng.publish(ctx, t, mt, w, replace, nil)
	if err != nil {
		return err
	}
	if !replace {
		s.eng.compactLater(t, mt, next)
	}
	return nil
}

// insertStreamed runs an INSERT's plan into the table (replace: its rows
// become the whole content, as INSERT OVERWRITE): few rows go to the
// delta as writeManaged writes them, more stream into data files while
// the query runs (insertSink), published at its end.
func (s *Session) insertStreamed(ctx context.Context, t *catalog.Table, pt *planner.Table, b *planner.Binder, n planner.Node, params []types.Value, replace bool) (*Result, error) {
	n, err := planner.Optimize(n, b)
	if err != nil {
		return nil, err
	}
	if params, err = s.convertParams(b, params); err != nil {
		return nil, err
	}
	if err := s.eng.adoptLegacy(ctx, t); err != nil {
		return nil, err
	}
	mt, err := s.eng.managedStorage(t)
	if err != nil {
		return nil, err
	}
	qid := managed.NewID()
	w := mt.NewWriter(qid, s.eng.staging.Begin(qid))
	sink := &insertSink{
		files: &fileSink{ts: columnTypes(pt), perFile: managed.FileRows, open: streamFiles(w)},
		check: func(r arrow.Record) error { return checkConstraints(t, pt, []arrow.Record{r}) },
	}
	if err := s.runInto(ctx, n, params, sink); err != nil {
		sink.files.abort()
		w.Abort(ctx)
		return nil, err
	}
	// appends need no lock: a lost race rebases on the winner's snapshot
	if replace {
		lock := s.eng.tableLock(t.Database, t.Name)
		lock.Lock()
		defer lock.Unlock()
	}
	if !sink.streaming {
		w.Abort(ctx)
		rows := countRows(sink.kept)
		if err := s.writeManaged(ctx, t, sink.kept, replace); err != nil {
			return nil, err
		}
		return &Result{Tag: fmt.Sprintf("INSERT 0 %d", rows), Rows: rows}, nil
	}
	next, err := s.eng.publish(ctx, t, mt, w, replace, nil)
	if err != nil {
		return nil, err
	}
	if !replace {
		s.eng.compactLater(t, mt, next)
	}
	rows := sink.files.rows
	return &Result{Tag: fmt.Sprintf("INSERT 0 %d", rows), Rows: rows}, nil
}

// publish makes w's files the table's (see the top of this file); drop
// names files to remove, which must all still be there (compaction).
func (e *Engine) publish(ctx context.Context, t *catalog.Table, mt *managed.Table, w *managed.Writer, replace bool, drop []string) (managed.Snapshot, error) {
	return e.publishAltering(ctx, t, mt, w, replace, drop, nil)
}

// publishAltering is publish with a change of the catalog entry made in
// the same update (ALTER TABLE's rewrite: the new columns with the files
// that hold them); alter sees the current entry and may refuse it.
func (e *Engine) publishAltering(ctx context.Context, t *catalog.Table, mt *managed.Table, w *managed.Writer, replace bool, drop []string, alter func(upd *catalog.Table) error) (managed.Snapshot, error) {
	for attempt := 0; ; attempt++ {
		cur, err := e.store.GetTable(ctx, t.Database, t.Name)
		if err != nil {
			w.Abort(ctx)
			return managed.Snapshot{}, err
		}
		if cur == nil || cur.Storage.Location != t.Storage.Location {
			w.Abort(ctx)
			return managed.Snapshot{}, sqlerr.New(sqlerr.SerializationFailure, "could not write table \"%s\": it was dropped or replaced concurrently", t.Name)
		}
		if !slices.Equal(cur.Columns, t.Columns) {
			// the files were written for the columns this write read
			w.Abort(ctx)
			return managed.Snapshot{}, errColumnsChanged(t.Name)
		}
		// a statement that read the table conflicts with a change of its
		// rows, not with compaction or an ALTER (contentKey counts changes)
		if replace && cur.Parameters[contentKey] != t.Parameters[contentKey] {
			w.Abort(ctx)
			return managed.Snapshot{}, sqlerr.New(sqlerr.SerializationFailure, "could not serialize access to table \"%s\" due to a concurrent update", t.Name)
		}
		base, err := mt.Snapshot(ctx, cur.Parameters[managed.SnapshotKey])
		if err != nil {
			w.Abort(ctx)
			return managed.Snapshot{}, err
		}
		if drop != nil && !hasAll(base, drop) {
			w.Abort(ctx) // another compaction folded them first
			return managed.Snapshot{}, sqlerr.New(sqlerr.SerializationFailure, "files of table \"%s\" were rewritten concurrently", t.Name)
		}
		name, next, expired, err := w.Publish(ctx, base, cur.Parameters[managed.SnapshotKey], replace, drop)
		if err != nil {
			w.Abort(ctx)
			return managed.Snapshot{}, err
		}
		upd := *cur
		upd.Parameters = map[string]string{}
		for k, v := range cur.Parameters {
			upd.Parameters[k] = v
		}
		upd.Parameters[managed.SnapshotKey] = name
		if drop == nil {
			bumpContent(upd.Parameters)
		}
		if replace {
			delete(upd.Parameters, managed.DeltaKey) // the written rows are all of it
		}
		if alter != nil {
			if err := alter(&upd); err != nil {
				w.Abort(ctx)
				return managed.Snapshot{}, err
			}
		}
		err = e.store.UpdateTable(ctx, upd)
		if sqlerr.Code(err) == sqlerr.SerializationFailure && !replace && attempt < appendRetries {
			w.Unpublish(ctx, name)
			// another writer won this round: rebase on its snapshot
			time.Sleep(time.Duration(rand.IntN(2000)+200*min(attempt, 10)) * time.Microsecond)
			continue
		}
		if err != nil {
			w.Abort(ctx)
			return managed.Snapshot{}, err
		}
		w.Done()
		mt.Collect(ctx, expired)
		*t = upd
		t.Version = cur.Version + 1
		e.invalidate(t.Storage.Location)
		return next, nil
	}
}

// appendDelta adds a small INSERT's rows (encoded as rows) to the
// table's delta in its catalog entry: one catalog update, no files. The
// INSERT that would make the delta too large writes it, with its own
// rows, as a data file and clears it.
func (e *Engine) appendDelta(ctx context.Context, t *catalog.Table, mt *managed.Table, rows string, recs []arrow.Record) error {
	for attempt := 0; ; attempt++ {
		cur, err := e.store.GetTable(ctx, t.Database, t.Name)
		if err != nil {
			return err
		}
		if cur == nil || cur.Storage.Location != t.Storage.Location {
			return sqlerr.New(sqlerr.SerializationFailure, "could not write table \"%s\": it was dropped or replaced concurrently", t.Name)
		}
		if !slices.Equal(cur.Columns, t.Columns) {
			return errColumnsChanged(t.Name) // the rows are encoded by position
		}
		upd := *cur
		upd.Parameters = map[string]string{}
		for k, v := range cur.Parameters {
			upd.Parameters[k] = v
		}
		old := cur.Parameters[managed.DeltaKey]
		var w *managed.Writer
		var expired []string
		var next managed.Snapshot
		if len(old)+len(rows) <= managed.DeltaBytes {
			upd.Parameters[managed.DeltaKey] = old + rows
		} else {
			// fold the delta and these rows into a data file
			oldRecs, _, err := mt.DecodeDelta(old)
			if err != nil {
				return err
			}
			base, err := mt.Snapshot(ctx, cur.Parameters[managed.SnapshotKey])
			if err != nil {
				return err
			}
			qid := managed.NewID()
			w = mt.NewWriter(qid, e.staging.Begin(qid))
			w.Parallel = e.cfg.Workers
			if err := w.Write(ctx, append(oldRecs, recs...)); err != nil {
				w.Abort(ctx)
				return err
			}
			var name string
			if name, next, expired, err = w.Publish(ctx, base, cur.Parameters[managed.SnapshotKey], false, nil); err != nil {
				w.Abort(ctx)
				return err
			}
			upd.Parameters[managed.SnapshotKey] = name
			delete(upd.Parameters, managed.DeltaKey)
		}
		bumpContent(upd.Parameters)
		err = e.store.UpdateTable(ctx, upd)
		if err != nil && w != nil {
			w.Abort(ctx) // its file held the delta it read: write it again
		}
		if sqlerr.Code(err) == sqlerr.SerializationFailure && attempt < appendRetries {
			time.Sleep(time.Duration(rand.IntN(2000)+200*min(attempt, 10)) * time.Microsecond)
			continue
		}
		if err != nil {
			return err
		}
		*t = upd
		t.Version = cur.Version + 1
		if w != nil {
			w.Done()
			mt.Collect(ctx, expired)
			e.invalidate(t.Storage.Location)
			e.compactLater(t, mt, next)
		}
		return nil
	}
}

// contentKey counts the changes of a managed table's rows (compaction
// rewrites files without one).
const contentKey = "lakeq.changes"

func bumpContent(p map[string]string) {
	n, _ := strconv.ParseInt(p[contentKey], 10, 64)
	p[contentKey] = strconv.FormatInt(n+1, 10)
}

func hasAll(s managed.Snapshot, paths []string) bool {
	have := map[string]bool{}
	for _, f := range s.Files {
		have[f.Path] = true
	}
	for _, p := range paths {
		if !have[p] {
			return false
		}
	}
	return true
}

// compactLater runs compact in the background, once per table at a
// time; Engine.Close waits for it.
func (e *Engine) compactLater(t *catalog.Table, mt *managed.Table, snap managed.Snapshot) {
	if managed.SmallFiles(snap) == nil {
		return
	}
	loc := t.Storage.Location
	if _, busy := e.compacting.LoadOrStore(loc, true); busy {
		return
	}
	cur := *t
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		defer e.compacting.Delete(loc)
		e.compact(context.Background(), &cur, mt, snap)
	}()
}

// compact folds a table's small files (many single-row INSERTs) into one
// once there are managed.CompactFiles of them. It runs after the write
// that crossed the threshold committed: a failure only leaves the small
// files in place, and losing a race to another compaction is harmless.
func (e *Engine) compact(ctx context.Context, t *catalog.Table, mt *managed.Table, snap managed.Snapshot) {
	small := managed.SmallFiles(snap)
	if small == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	recs, err := mt.Read(ctx, small)
	if err != nil {
		e.logf("compacting %s.%s: %v", t.Database, t.Name, err)
		return
	}
	qid := managed.NewID()
	w := mt.NewWriter(qid, e.staging.Begin(qid))
	w.Parallel = e.cfg.Workers
	if err := w.Write(ctx, recs); err != nil {
		w.Abort(ctx)
		e.logf("compacting %s.%s: %v", t.Database, t.Name, err)
		return
	}
	drop := make([]string, len(small))
	for i, f := range small {
		drop[i] = f.Path
	}
	cur := *t
	if _, err := e.publish(ctx, &cur, mt, w, false, drop); err != nil && sqlerr.Code(err) != sqlerr.SerializationFailure {
		e.logf("compacting %s.%s: %v", t.Database, t.Name, err)
	}
}

func (e *Engine) logf(format string, args ...any) {
	if e.cfg.Log != nil {
		e.cfg.Log.Printf(format, args...)
	}
}

// invalidate drops cached listings of a location lakeq just wrote.
func (e *Engine) invalidate(loc string) {
	if inv, ok := e.fs.S3.(interface{ Invalidate(prefix string) }); ok {
		inv.Invalidate(loc)
	}
}

// recoverStaging removes what writes of crashed lakeq processes left
// (managed.Staging): files their intents name that no current snapshot
// does.
func (e *Engine) recoverStaging(ctx context.Context) error {
	var byLoc map[string]*catalog.Table
	ref := func(ctx context.Context, loc string) (func(string) bool, bool, error) {
		if byLoc == nil {
			byLoc = map[string]*catalog.Table{}
			dbs, err := e.store.ListDatabases(ctx)
			if err != nil {
				return nil, false, err
			}
			for _, d := range dbs {
				ts, err := e.store.ListTables(ctx, d.Name)
				if err != nil {
					return nil, false, err
				}
				for i := range ts {
					if ts[i].Storage.Location != "" && ts[i].Type != catalog.VirtualView {
						byLoc[strings.TrimSuffix(ts[i].Storage.Location, "/")] = &ts[i]
					}
				}
			}
		}
		t, ok := byLoc[loc]
		if !ok {
			return nil, false, nil
		}
		if t.Type == catalog.ExternalTable {
			return e.externalPublished(ctx, t, loc)
		}
		_, snap, err := e.snapshotOf(ctx, t)
		if err != nil {
			return nil, false, err
		}
		keep := map[string]bool{"_lakeq/" + t.Parameters[managed.SnapshotKey]: true}
		for _, f := range snap.Files {
			keep[f.Path] = true
		}
		for _, g := range snap.Garbage {
			keep[g.Path] = true
		}
		return func(rel string) bool { return keep[rel] }, true, nil
	}
	n, err := e.staging.Recover(ctx, e.fs, ref)
	if n > 0 {
		e.logf("removed %d files left by interrupted writes", n)
	}
	return err
}

// settleLater deletes again, after a while, the object-store files
// recoverStaging removed: a PUT the crashed process had sent may land
// after it died. Close cancels the wait; the records then stay for the
// next start.
func (e *Engine) settleLater() {
	wait := e.cfg.settle
	if wait <= 0 {
		wait = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.stopSettle = cancel
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		defer close(e.settled)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		n, err := e.staging.Settle(ctx, e.fs)
		if n > 0 {
			e.logf("removed %d files that landed after their writer died", n)
		}
		if err != nil {
			e.logf("checking the files of interrupted writes again: %v", err)
		}
	}()
}

// externalPublished is which files of an interrupted write under an
// external table's location were published: a file whose name is not
// hidden ('.'-prefixed: renamed at the publish), unless it lies in a
// hidden folder — an INSERT OVERWRITE's (.v-<id>), published only if the
// catalog now names that folder as the table's or a partition's.
func (e *Engine) externalPublished(ctx context.Context, t *catalog.Table, loc string) (func(string) bool, bool, error) {
	live := map[string]bool{strings.TrimSuffix(t.Storage.Location, "/"): true}
	if len(t.PartitionKeys) > 0 {
		ps, err := e.store.ListPartitions(ctx, t.Database, t.Name)
		if err != nil {
			return nil, false, err
		}
		for _, p := range ps {
			live[strings.TrimSuffix(p.Location, "/")] = true
		}
	}
	return func(rel string) bool {
		dir, base := storage.Dir(rel), storage.Base(rel)
		if strings.HasPrefix(base, ".") {
			return false
		}
		if dir == "." || dir == "" || !strings.Contains("/"+dir, "/.") {
			return true
		}
		return live[loc+"/"+dir]
	}, true, nil
}

// planManaged reads a managed table like a lake table: its snapshot's
// Parquet files, as row-group morsels over every worker, with column and
// min/max pruning and the bytes counted.
func (s *Session) planManaged(ctx context.Context, t *catalog.Table, pt *planner.Table) error {
	mt, snap, err := s.eng.snapshotOf(ctx, t)
	if err != nil {
		return err
	}
	delta, n, err := mt.DecodeDelta(t.Parameters[managed.DeltaKey])
	if err != nil {
		return err
	}
	x := &extSource{eng: s.eng, t: t, fs: s.eng.fs, format: &tableFormat{kind: "parquet"}, fixed: mt.Infos(snap), managed: true, delta: delta}
	for i, c := range pt.Columns {
		x.data = append(x.data, storage.Column{Name: t.Columns[i].InFiles(), Type: c.Type})
	}
	pt.Rows = snap.Rows() + n
	bindConnector(pt, lakeConnector{s}, x)
	return nil
}

// dropFiles removes a dropped managed table's files.
func (e *Engine) dropFiles(ctx context.Context, t *catalog.Table) error {
	if t.Storage.Location == "" && t.Type == catalog.ManagedTable {
		legacy := *t
		legacy.Storage.Location = storage.Join(e.warehouse, t.Database, t.Name)
		t = &legacy
	}
	mt, err := e.managedStorage(t)
	if err != nil {
		return nil // nothing of ours to remove
	}
	defer e.invalidate(t.Storage.Location)
	return mt.RemoveAll(ctx)
}
