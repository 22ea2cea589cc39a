package engine

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/managed"
)

// VACUUM is what Redshift's is for: a managed table after many small
// loads, folded into few files. Its small data files (under
// managed.SmallFile) and the rows of its delta are written again as
// Parquet files and published in place of them, without waiting for
// the background compaction's threshold. Rows do not change: a
// concurrent UPDATE or DELETE is not disturbed, and a concurrent INSERT
// into the delta makes VACUUM start again. VACUUM ANALYZE analyzes the
// tables after.

// vacuumRetries bounds how often VACUUM of one table starts again after
// losing a race to a writer.
const vacuumRetries = 5

func (s *Session) vacuum(ctx context.Context, x *ast.Vacuum) (*Result, error) {
	if s.InTransaction {
		return nil, sqlerr.New(sqlerr.ActiveSQLTransaction, "VACUUM cannot run inside a transaction block")
	}
	res := &Result{Tag: "VACUUM"}
	var tables []*catalog.Table
	if len(x.Tables) == 0 {
		schemas, err := s.searchSchemas("")
		if err != nil {
			return nil, err
		}
		for _, db := range schemas {
			d, err := s.eng.store.GetDatabase(ctx, db)
			if err != nil {
				return nil, err
			}
			if d == nil || isMount(d) {
				continue
			}
			ts, err := s.eng.store.ListTables(ctx, db)
			if err != nil {
				return nil, err
			}
			for i := range ts {
				if ts[i].Type == catalog.ManagedTable {
					tables = append(tables, &ts[i])
				}
			}
		}
	}
	for _, q := range x.Tables {
		t, err := s.resolveTable(ctx, q)
		if err != nil {
			return nil, err
		}
		if t.Type != catalog.ManagedTable {
			what := map[string]string{catalog.VirtualView: "it is a view", catalog.ExternalTable: "an external table's files are not lakeq's to rewrite"}[t.Type]
			res.Notices = append(res.Notices, fmt.Sprintf("skipping \"%s\" --- %s", t.Name, what))
			continue
		}
		tables = append(tables, t)
	}
	for _, t := range tables {
		if err := s.vacuumTable(ctx, t); err != nil {
			return nil, err
		}
		if x.Analyze {
			if _, err := s.analyze(ctx, &ast.Analyze{Table: ast.QualifiedName{Schema: t.Database, Name: t.Name}}, false); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// vacuumTable folds t's small files and delta rows into new files.
func (s *Session) vacuumTable(ctx context.Context, t *catalog.Table) error {
	lock := s.eng.tableLock(t.Database, t.Name)
	lock.Lock()
	defer lock.Unlock()
	return s.eng.retryConflicts(ctx, t, vacuumRetries, func(t *catalog.Table) error { return s.vacuumOnce(ctx, t) })
}

func (s *Session) vacuumOnce(ctx context.Context, t *catalog.Table) error {
	mt, snap, err := s.eng.snapshotOf(ctx, t)
	if err != nil {
		return err
	}
	delta := t.Parameters[managed.DeltaKey]
	drop := []string{} // not nil: no rows change (publish keeps the content version)
	var small []managed.File
	for _, f := range snap.Files {
		if f.Size < managed.SmallFile {
			small = append(small, f)
			drop = append(drop, f.Path)
		}
	}
	if len(small) < 2 && delta == "" {
		return nil // nothing to fold
	}
	recs, err := mt.Read(ctx, small)
	if err != nil {
		return err
	}
	drecs, _, err := mt.DecodeDelta(delta)
	if err != nil {
		return err
	}
	qid := managed.NewID()
	w := mt.NewWriter(qid, s.eng.staging.Begin(qid))
	w.Parallel = s.eng.cfg.Workers
	if err := w.Write(ctx, append(append([]arrow.Record(nil), recs...), drecs...)); err != nil {
		w.Abort(ctx)
		return err
	}
	_, err = s.eng.publishAltering(ctx, t, mt, w, false, drop, func(upd *catalog.Table) error {
		if upd.Parameters[managed.DeltaKey] != delta {
			return sqlerr.New(sqlerr.SerializationFailure, "could not vacuum table \"%s\": rows were inserted concurrently", t.Name)
		}
		delete(upd.Parameters, managed.DeltaKey)
		return nil
	})
	return err
}
