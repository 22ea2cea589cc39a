package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// Hive's INSERT forms: INSERT INTO TABLE t [PARTITION (…)] query and
// INSERT OVERWRITE [TABLE] t [PARTITION (…)] query. PARTITION names every
// key of the table: a static key with its value (k = 'v'), a dynamic one
// bare (k), its values the query's last columns in the clause's order;
// as in Hive, no static key may follow a dynamic one.
//
// OVERWRITE replaces, in one atomic step, the partitions it writes: all
// of them static names exactly one partition (emptied when the query has
// no rows); with dynamic keys, those the rows fall in, others kept. An
// unpartitioned table is replaced whole. The new files go to a fresh
// hidden folder of the partition (<k=v folder>/.v-<query id>, which no
// reader of the old location sees), and one catalog transaction points
// the partitions at their new folders, each checked against the location
// it replaces: of two writers of one partition one wins and the other
// gets 40001 and leaves nothing. The old folders' files are deleted by
// a later overwrite, after a grace period (carryReplaced). A managed table is replaced like TRUNCATE then
// INSERT, in one snapshot.

// overwriteFolder is the prefix of an INSERT OVERWRITE's folder.
const overwriteFolder = ".v-"

// replacedKey is the partition (or table) parameter listing the folders
// overwrites replaced, kept for a grace period so that queries which
// found the old folder before the publish can still read it, as a
// managed table keeps the files an older snapshot names. The overwrite
// after the grace deletes them.
const replacedKey = "lakeq.replaced"

type replacedFolder struct {
	Folder string `json:"folder"`
	Since  int64  `json:"since"` // unix seconds
}

// carryReplaced returns params with old added to the replaced folders,
// and the folders whose grace has passed (to delete after the publish).
func (e *Engine) carryReplaced(params map[string]string, old string) (map[string]string, []string) {
	grace := e.cfg.replacedGrace
	if grace == 0 {
		grace = managed.GarbageGrace
	}
	var list, keep []replacedFolder
	_ = json.Unmarshal([]byte(params[replacedKey]), &list)
	var expired []string
	now := time.Now()
	for _, r := range list {
		if time.Unix(r.Since, 0).Add(grace).Before(now) {
			expired = append(expired, r.Folder)
		} else {
			keep = append(keep, r)
		}
	}
	if old != "" {
		keep = append(keep, replacedFolder{Folder: old, Since: now.Unix()})
	}
	next := map[string]string{}
	for k, v := range params {
		next[k] = v
	}
	delete(next, replacedKey)
	if len(keep) > 0 {
		b, _ := json.Marshal(keep)
		next[replacedKey] = string(b)
	}
	return next, expired
}

func (s *Session) insertHive(ctx context.Context, x *ast.Insert, sql string, params []types.Value) (*Result, error) {
	t, err := s.lookupTable(ctx, x.Table.Schema, x.Table.Name)
	if err != nil {
		return nil, err
	}
	if t == nil || t.Type != catalog.ExternalTable {
		if len(x.Partition) > 0 {
			if t == nil {
				return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", x.Table.Name)
			}
			return nil, sqlerr.New(invalidTableDefinition, "table \"%s\" is not partitioned: INSERT … PARTITION is for partitioned tables", t.Name)
		}
		if !x.Overwrite {
			plain := *x
			return s.insert(ctx, &plain, sql, params)
		}
		return s.insertManaged(ctx, x, sql, params, true)
	}
	keys := t.PartitionKeys
	if len(keys) == 0 && len(x.Partition) > 0 {
		return nil, sqlerr.New(invalidTableDefinition, "table \"%s\" is not partitioned: INSERT … PARTITION is for partitioned tables", t.Name)
	}
	if len(keys) > 0 && len(x.Partition) == 0 && x.Overwrite {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT OVERWRITE of partitioned table \"%s\" needs PARTITION (…): name the partitions it replaces (a bare key, PARTITION (%s), replaces those the rows fall in)", t.Name, keys[0].Name)
	}
	// the clause, in the table's key order: static values, dynamic keys
	static := make([]*string, len(keys))
	if len(x.Partition) > 0 {
		if len(x.Partition) != len(keys) {
			return nil, sqlerr.New(sqlerr.SyntaxError, "PARTITION names %d keys; table \"%s\" has %d (%s): name each, with a value or bare", len(x.Partition), t.Name, len(keys), strings.Join(keyNames(t), ", "))
		}
		seen := map[string]bool{}
		for _, k := range x.Partition {
			name := strings.ToLower(k.Name)
			i := -1
			for j, tk := range keys {
				if tk.Name == name {
					i = j
				}
			}
			if i < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "\"%s\" is not a partition key of \"%s\" (%s)", k.Name, t.Name, strings.Join(keyNames(t), ", "))
			}
			if seen[name] {
				return nil, sqlerr.New(sqlerr.SyntaxError, "partition key \"%s\" is named twice", name)
			}
			seen[name] = true
			if !k.Dynamic {
				v := k.Value
				static[i] = &v
			}
		}
		for i := 1; i < len(keys); i++ {
			if static[i] != nil && static[i-1] == nil {
				return nil, sqlerr.New(sqlerr.SyntaxError, "static partition key \"%s\" follows dynamic key \"%s\": static keys come first", keys[i].Name, keys[i-1].Name)
			}
		}
	}
	o, full, err := s.externalTarget(ctx, t, "INSERT")
	if err != nil {
		return nil, err
	}
	// the query fills the data columns and the dynamic keys
	nd := len(t.Columns)
	target := *full
	target.Columns = append([]planner.TableColumn(nil), full.Columns[:nd]...)
	staticVals := make([]types.Value, len(keys))
	for i := range keys {
		kc := full.Columns[nd+i]
		if static[i] == nil {
			target.Columns = append(target.Columns, kc)
			continue
		}
		v, err := types.ParseText(kc.Type, *static[i], s.Loc)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.Code(err), "partition value '%s' of key \"%s\"", *static[i], kc.Name)
		}
		staticVals[i] = v
	}
	b := s.binder(ctx, sql)
	n, err := b.BindInsert(&target, x.Columns, x.Query)
	if err != nil {
		return nil, err
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(full.Columns))
	ts := make([]types.T, len(full.Columns))
	for i, c := range full.Columns {
		names[i], ts[i] = c.Name, c.Type
	}
	tts := make([]types.T, len(target.Columns))
	for i, c := range target.Columns {
		tts[i] = c.Type
	}
	if recs, err = conformRecords(s.execCtx(ctx, nil), recs, tts); err != nil {
		return nil, err
	}
	// put the static keys' columns in: data, then keys in table order
	for r, rec := range recs {
		cols := append([]arrow.Array(nil), rec.Columns()[:nd]...)
		fields := append([]arrow.Field(nil), rec.Schema().Fields()[:nd]...)
		dyn := nd
		for i := range keys {
			var a arrow.Array
			if static[i] != nil {
				a = types.ConstArray(ts[nd+i], staticVals[i], int(rec.NumRows()))
			} else {
				a = rec.Column(dyn)
				dyn++
			}
			cols = append(cols, a)
			fields = append(fields, arrow.Field{Name: names[nd+i], Type: a.DataType(), Nullable: true})
		}
		recs[r] = array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	}
	var rows int64
	if !x.Overwrite {
		rows, err = s.writeExternal(ctx, t, o, names, ts, recs)
	} else {
		var whole []string // a fully static clause: the one partition
		if len(keys) > 0 && static[len(keys)-1] != nil {
			for i := range keys {
				whole = append(whole, types.FormatText(ts[nd+i], staticVals[i]))
			}
		}
		rows, err = s.overwriteExternal(ctx, t, o, names, ts, recs, whole)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Tag: fmt.Sprintf("INSERT 0 %d", rows), Rows: rows}, nil
}

// overwriteExternal writes recs (data columns, then the keys) into fresh
// folders of the partitions they fall in (and of whole, a fully static
// partition, even with no rows), publishes them in one catalog step, and
// then deletes the files of the folders they replace.
func (s *Session) overwriteExternal(ctx context.Context, t *catalog.Table, o ctasOptions, names []string, ts []types.T, recs []arrow.Record, whole []string) (int64, error) {
	o.parts = keyNames(t)
	fsys := s.fs()
	loc := strings.TrimSuffix(t.Storage.Location, "/")
	qid := managed.NewID()
	lw := &lakeWrite{fsys: fsys, loc: loc, qid: qid, intent: s.eng.staging.Begin(qid), o: o, parallel: s.eng.cfg.Workers}
	var swaps []catalog.PartitionSwap
	var expired []string // replaced folders past their grace
	seen := map[string]bool{}
	lw.partDir = func(values []string) (string, bool, error) {
		ps, err := s.eng.store.LookupPartitions(ctx, t.Database, t.Name, values)
		if err != nil {
			return "", false, err
		}
		dir := loc
		for i, v := range values {
			dir += "/" + o.parts[i] + "=" + escapePartValue(v)
		}
		old := ""
		var params map[string]string
		if len(ps) > 0 {
			old = strings.TrimSuffix(ps[0].Location, "/")
			dir = versionBase(old)
			params = ps[0].Parameters
		}
		dir += "/" + overwriteFolder + qid
		if k := strings.Join(values, "\x00"); !seen[k] {
			seen[k] = true
			next, exp := s.eng.carryReplaced(params, old)
			expired = append(expired, exp...)
			swaps = append(swaps, catalog.PartitionSwap{Values: values, Old: old, New: dir, Parameters: next})
		}
		return dir, true, nil
	}
	if len(o.parts) == 0 {
		// the table's folder itself is replaced
		lw.loc = versionBase(loc) + "/" + overwriteFolder + qid
	}
	rows, _, err := lw.write(ctx, names, ts, len(t.Columns), recs)
	if err == nil && whole != nil && !seen[strings.Join(whole, "\x00")] {
		_, _, err = lw.partDir(whole) // no rows: the partition is emptied
	}
	if err != nil {
		lw.abort()
		return 0, err
	}
	if len(o.parts) == 0 {
		upd := *t
		upd.Storage.Location = lw.loc
		var exp []string
		upd.Parameters, exp = s.eng.carryReplaced(t.Parameters, loc)
		if err := s.eng.store.UpdateTable(ctx, upd); err != nil {
			lw.abort()
			return 0, err
		}
		expired = exp
	} else if err := s.eng.store.ReplacePartitions(ctx, t.Database, t.Name, swaps); err != nil {
		lw.abort()
		return 0, err
	}
	lw.done()
	// the files of folders replaced more than the grace ago; a failure
	// here leaves only files no catalog entry names
	for _, old := range expired {
		if files, err := storage.ListFolder(ctx, fsys, old); err == nil {
			var del []string
			for _, f := range files {
				if rel, err := storage.Rel(old, f.Path); err == nil && !strings.Contains(rel, "=") {
					del = append(del, f.Path) // not another partition's folder below
				}
			}
			if len(del) > 0 {
				_ = fsys.Delete(ctx, del...)
			}
		}
		s.eng.invalidate(old)
	}
	s.eng.invalidate(loc)
	return rows, nil
}

// versionBase is the folder an overwrite's folder lives in: loc itself,
// or its parent when loc is an earlier overwrite's.
func versionBase(loc string) string {
	if strings.HasPrefix(storage.Base(loc), overwriteFolder) {
		return storage.Dir(loc)
	}
	return loc
}
