package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/csv"
	jsonl "github.com/lakeq/lakeq/storage/json"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// Pseudo columns every external table has, after its partition keys.
var pseudoColumns = []storage.Column{
	{Name: "$path", Type: types.TextT},
	{Name: "$file_size", Type: types.Int8T},
	{Name: "$file_modified_time", Type: types.TimestampTZT},
}

// extSource scans an external table: it prunes partitions (registered
// or projected) with the query's filters on partition keys before
// listing anything, lists only the surviving partitions' folders,
// prunes files on "$path"-style filters, and reads the rest with the
// table's format. Safe for concurrent use; immutable after planning.
type extSource struct {
	eng    *Engine
	t      *catalog.Table
	data   []storage.Column // declared data columns
	keys   []storage.Column // partition keys
	format *tableFormat
	proj   *catalog.Projection
	fs     storage.FileSystem

	// opened keeps the Parquet datasets (footers read, schemas resolved)
	// this plan has opened, by file list: a correlated subquery scans the
	// table once per outer row, and reading every footer again each time
	// was most of its cost. The plan lives for one query.
	// fixed, for a managed table, is its snapshot's files (nothing is
	// listed); managed tables have no partition keys or pseudo columns
	fixed   []storage.FileInfo
	managed bool
	delta   []arrow.Record // a managed table's delta rows (all columns)

	openedMu sync.Mutex
	opened   map[string]*parquet.Dataset
	scans    scanCache // what this plan's scans have read, for re-runs
}

// parquetDataset opens files, or returns the dataset this plan already
// opened for exactly these files (same paths, sizes and times).
func (x *extSource) parquetDataset(ctx context.Context, files []storage.FileInfo) (*parquet.Dataset, error) {
	var kb strings.Builder
	for _, f := range files {
		fmt.Fprintf(&kb, "%s\x00%d\x00%d\x00", f.Path, f.Size, f.ModTime.UnixNano())
	}
	key := kb.String()
	x.openedMu.Lock()
	defer x.openedMu.Unlock()
	if ds, ok := x.opened[key]; ok {
		return ds, nil
	}
	ds, err := parquet.Open(ctx, x.fs, files, parquet.Options{UnionByName: true, Footers: x.eng.footers})
	if err != nil {
		return nil, err
	}
	if x.opened == nil {
		x.opened = map[string]*parquet.Dataset{}
	}
	if len(x.opened) < 1024 {
		x.opened[key] = ds
	}
	return ds, nil
}

func (s *Session) planExternal(ctx context.Context, t *catalog.Table, pt *planner.Table) error {
	x := &extSource{eng: s.eng, t: t, fs: s.fs()}
	for _, c := range pt.Columns {
		x.data = append(x.data, storage.Column{Name: c.Name, Type: c.Type})
	}
	for _, k := range t.PartitionKeys {
		kt, err := types.Parse(k.Type)
		if err != nil {
			return sqlerr.Wrap(err, sqlerr.DataCorrupted, "partition key %s of %s", k.Name, t.Name)
		}
		x.keys = append(x.keys, storage.Column{Name: k.Name, Type: kt})
		pt.Columns = append(pt.Columns, planner.TableColumn{Name: k.Name, Type: kt})
	}
	for _, p := range pseudoColumns {
		pt.Columns = append(pt.Columns, planner.TableColumn{Name: p.Name, Type: p.Type, Pseudo: true})
	}
	f, err := formatOf(t)
	if err != nil {
		return err
	}
	x.format = f
	proj, err := catalog.ParseProjection(t.Parameters, keyNames(t))
	if err != nil {
		return err
	}
	x.proj = proj
	pt.Rows = s.eng.tableRows(ctx, t)
	bindConnector(pt, lakeConnector{s}, x)
	return nil
}

func keyNames(t *catalog.Table) []string {
	out := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		out[i] = k.Name
	}
	return out
}

// PruneColumns are the table columns known before reading data: the
// partition keys and the pseudo columns.
func (x *extSource) PruneColumns() []int {
	if x.managed {
		return nil
	}
	out := make([]int, 0, len(x.keys)+len(pseudoColumns))
	for i := 0; i < len(x.keys)+len(pseudoColumns); i++ {
		out = append(out, len(x.data)+i)
	}
	return out
}

// part is one partition to read.
type part struct {
	values   []string      // key values as text
	typed    []types.Value // key values in the keys' types
	location string
}

// PrunedMorsels lists the morsels of the partitions and files that
// survive pruning: filters (over PruneColumns, by position there) prune
// partitions and files, preds prune buckets, files and row groups.
func (x *extSource) PrunedMorsels(ec *exec.Ctx, cols []int, preds []storage.Pred, filters []expr.Expr) ([]exec.Morsel, error) {
	ctx := ec.Context()
	nk := len(x.keys)
	var partFilters, fileFilters []expr.Expr
	for _, f := range filters {
		onlyKeys := true
		expr.Walk(f, func(e expr.Expr) bool {
			if c, ok := e.(*expr.Col); ok && c.Idx >= nk {
				onlyKeys = false
			}
			return onlyKeys
		})
		if onlyKeys {
			partFilters = append(partFilters, f)
		} else {
			fileFilters = append(fileFilters, f)
		}
	}
	parts, err := x.partitions(ec, partFilters)
	if err != nil {
		return nil, err
	}
	// List the surviving partitions' folders, then prune files.
	type partFiles struct {
		p     part
		files []storage.FileInfo
	}
	var listed []partFiles
	for _, p := range parts {
		if ec.Scan != nil {
			ec.Scan.PrefixesListed.Add(1)
		}
		files, err := x.listFiles(ctx, p.location, ec.Scan)
		if err != nil {
			return nil, err
		}
		if keep := x.bucketFiles(files, preds); len(keep) < len(files) {
			if ec.Scan != nil {
				ec.Scan.FilesPruned.Add(int64(len(files) - len(keep)))
			}
			files = keep
		}
		if len(fileFilters) > 0 && len(files) > 0 {
			keep, err := x.pruneFiles(ec, p, files, fileFilters)
			if err != nil {
				return nil, err
			}
			files = keep
		}
		if len(files) > 0 {
			listed = append(listed, partFiles{p, files})
		}
	}
	var fk strings.Builder
	for _, pf := range listed {
		for _, f := range pf.files {
			fmt.Fprintf(&fk, "%s\x00%d\x00%d\x00", f.Path, f.Size, f.ModTime.UnixNano())
		}
	}
	ms, err := x.scans.wrap(scanKey(cols, preds, filters, fk.String()), func() ([]exec.Morsel, error) {
		var out []exec.Morsel
		for _, pf := range listed {
			ms, err := x.partMorsels(ec, pf.p, pf.files, cols, preds)
			if err != nil {
				return nil, err
			}
			out = append(out, ms...)
		}
		return out, nil
	})
	if err == nil && len(x.delta) > 0 {
		ms = append(append([]exec.Morsel(nil), ms...), deltaMorsel{recs: x.delta, cols: cols})
	}
	return ms, err
}

// deltaMorsel serves a managed table's delta rows, projected to cols.
type deltaMorsel struct {
	recs []arrow.Record
	cols []int
}

func (d deltaMorsel) Read(*exec.Ctx) ([]arrow.Record, error) {
	out := make([]arrow.Record, len(d.recs))
	for i, r := range d.recs {
		arrs := make([]arrow.Array, len(d.cols))
		fields := make([]arrow.Field, len(d.cols))
		for j, c := range d.cols {
			arrs[j] = r.Column(c)
			fields[j] = r.Schema().Field(c)
		}
		out[i] = array.NewRecord(arrow.NewSchema(fields, nil), arrs, r.NumRows())
	}
	return out, nil
}

// listFiles lists the data files under a partition's folder; a folder
// that does not exist is an empty partition (as in Athena).
func (x *extSource) listFiles(ctx context.Context, loc string, st *storage.ScanStats) ([]storage.FileInfo, error) {
	if x.managed {
		return x.fixed, nil
	}
	return storage.ListFolder(ctx, storage.CountedFS(x.fs, st), loc)
}

// partitions returns the partitions that survive the filters on keys.
func (x *extSource) partitions(ec *exec.Ctx, filters []expr.Expr) ([]part, error) {
	if len(x.keys) == 0 {
		return []part{{location: x.t.Storage.Location}}, nil
	}
	var cand [][]string
	var locs []string
	if x.proj != nil {
		var err error
		cand, err = x.projected(ec, filters)
		if err != nil {
			return nil, err
		}
	} else {
		ps, err := x.registered(ec, filters)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if len(p.Values) != len(x.keys) {
				return nil, sqlerr.New(sqlerr.DataCorrupted, "partition %v of %s has %d values for %d keys", p.Values, x.t.Name, len(p.Values), len(x.keys))
			}
			cand = append(cand, p.Values)
			locs = append(locs, p.Location)
		}
	}
	keep, typed, err := x.evalOnKeys(ec, cand, filters)
	if err != nil {
		return nil, err
	}
	var out []part
	for i, v := range cand {
		if !keep[i] {
			continue
		}
		loc := ""
		if locs != nil {
			loc = locs[i]
		} else {
			loc = x.proj.Location(x.t.Storage.Location, keyNames(x.t), v)
		}
		out = append(out, part{values: v, typed: typed[i], location: loc})
	}
	if ec.Scan != nil {
		ec.Scan.PartitionsRead.Add(int64(len(out)))
		ec.Scan.PartitionsPruned.Add(int64(len(cand) - len(out)))
	}
	return out, nil
}

// maxLookups bounds the catalog lookups one scan makes for partitions
// pinned by equality filters; past it the whole list is read.
const maxLookups = 256

// registered reads the catalog's partitions that may pass the filters.
// When the leading keys are pinned by equalities (dt = …, year = … AND
// month IN (…)), only partitions with those leading values are fetched,
// so a one-day query on 10,000 partitions reads one catalog row.
func (x *extSource) registered(ec *exec.Ctx, filters []expr.Expr) ([]catalog.Partition, error) {
	ctx := ec.Context()
	eqs := equalityValues(ec, filters, true)
	prefixes := [][]string{{}}
	for k, key := range x.keys {
		vals, ok := eqs[k]
		if !ok || len(prefixes)*len(vals) > maxLookups {
			break
		}
		var next [][]string
		for _, p := range prefixes {
			for _, v := range vals {
				c, err := canonicalValue(key.Type, v)
				if err != nil {
					continue // no partition holds a value of another type
				}
				next = append(next, append(append([]string(nil), p...), c))
			}
		}
		prefixes = next
	}
	if len(prefixes) == 1 && len(prefixes[0]) == 0 {
		return x.eng.store.ListPartitions(ctx, x.t.Database, x.t.Name)
	}
	var out []catalog.Partition
	for _, p := range prefixes {
		ps, err := x.eng.store.LookupPartitions(ctx, x.t.Database, x.t.Name, p)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	if ec.Scan != nil {
		// what the lookups excluded is pruned too
		if n, err := x.eng.store.CountPartitions(ctx, x.t.Database, x.t.Name); err == nil {
			ec.Scan.PartitionsPruned.Add(n - int64(len(out)))
		}
	}
	return out, nil
}

// keyRecord builds a batch of the key columns (typed) from text values,
// plus extra trailing columns.
func (x *extSource) keyRecord(ec *exec.Ctx, rows [][]string, extra []arrow.Array) (arrow.Record, error) {
	n := len(rows)
	arrs := make([]arrow.Array, 0, len(x.keys)+len(extra))
	fields := make([]arrow.Field, 0, cap(arrs))
	for k, key := range x.keys {
		vals := make([]types.Value, n)
		for i, r := range rows {
			if r[k] != hiveDefaultPartition { // Hive's folder for a NULL key
				vals[i] = r[k]
			}
		}
		txt := types.BuildArray(types.TextT, vals)
		a, err := expr.CastArray(ec.Expr, txt, types.TextT, key.Type)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.InvalidTextRepr, "partition key %s of %s", key.Name, x.t.Name)
		}
		arrs = append(arrs, a)
		fields = append(fields, arrow.Field{Name: key.Name, Type: a.DataType(), Nullable: true})
	}
	for i, a := range extra {
		arrs = append(arrs, a)
		fields = append(fields, arrow.Field{Name: pseudoColumns[i].Name, Type: a.DataType(), Nullable: true})
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n)), nil
}

// evalOnKeys evaluates filters over one row per candidate and returns
// which pass, with each candidate's typed key values.
func (x *extSource) evalOnKeys(ec *exec.Ctx, cand [][]string, filters []expr.Expr) ([]bool, [][]types.Value, error) {
	keep := make([]bool, len(cand))
	typed := make([][]types.Value, len(cand))
	if len(cand) == 0 {
		return keep, typed, nil
	}
	rec, err := x.keyRecord(ec, cand, nil)
	if err != nil {
		return nil, nil, err
	}
	for i := range keep {
		keep[i] = true
		typed[i] = make([]types.Value, len(x.keys))
		for k, key := range x.keys {
			typed[i][k] = types.GetValue(key.Type, rec.Column(k), i)
		}
	}
	return keep, typed, applyFilters(ec, rec, filters, keep)
}

// applyFilters clears keep[i] for rows of rec a filter does not accept.
func applyFilters(ec *exec.Ctx, rec arrow.Record, filters []expr.Expr, keep []bool) error {
	for _, f := range filters {
		a, err := f.Eval(ec.Expr, rec)
		if err != nil {
			return err
		}
		for i := range keep {
			if keep[i] && (a.IsNull(i) || !types.GetValue(types.BoolT, a, i).(bool)) {
				keep[i] = false
			}
		}
	}
	return nil
}

// projected enumerates the projected partitions that may pass the
// filters: each key's domain (injected keys from equality filters) is
// first reduced by the filters on that key alone, then crossed.
func (x *extSource) projected(ec *exec.Ctx, filters []expr.Expr) ([][]string, error) {
	now := time.Now().UTC()
	eqs := equalityValues(ec, filters, false)
	cand := [][]string{{}}
	whole := int64(1) // partitions the projection covers, for the pruned count
	for k, pk := range x.proj.Keys {
		dom, err := pk.Domain(now, eqs[k])
		if err != nil {
			return nil, err
		}
		whole *= int64(len(dom))
		// Filters on this key alone, evaluated over its domain (the other
		// key columns hold a placeholder the filters never read).
		var own []expr.Expr
		for _, f := range filters {
			only := true
			expr.Walk(f, func(e expr.Expr) bool {
				if c, ok := e.(*expr.Col); ok && c.Idx != k {
					only = false
				}
				return only
			})
			if only {
				own = append(own, f)
			}
		}
		if len(own) > 0 && len(dom) > 0 {
			rows := make([][]string, len(dom))
			for i, v := range dom {
				r := make([]string, len(x.keys))
				for j := range r {
					r[j] = placeholder(x.keys[j].Type)
				}
				r[k] = v
				rows[i] = r
			}
			rec, err := x.keyRecord(ec, rows, nil)
			if err != nil {
				return nil, err
			}
			keep := make([]bool, len(dom))
			for i := range keep {
				keep[i] = true
			}
			if err := applyFilters(ec, rec, own, keep); err != nil {
				return nil, err
			}
			var kept []string
			for i, v := range dom {
				if keep[i] {
					kept = append(kept, v)
				}
			}
			dom = kept
		}
		if len(cand)*len(dom) > catalog.MaxProjected {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "partition projection of %s would produce more than %d partitions; filter the partition keys", x.t.Name, catalog.MaxProjected)
		}
		next := make([][]string, 0, len(cand)*len(dom))
		for _, c := range cand {
			for _, v := range dom {
				r := make([]string, len(c)+1)
				copy(r, c)
				r[len(c)] = v
				next = append(next, r)
			}
		}
		cand = next
	}
	if ec.Scan != nil {
		ec.Scan.PartitionsPruned.Add(whole - int64(len(cand)))
	}
	return cand, nil
}

// placeholder is a value of type t that casts cleanly from text.
func placeholder(t types.T) string {
	switch t.Kind {
	case types.Date:
		return "2000-01-01"
	case types.Timestamp, types.TimestampTZ:
		return "2000-01-01 00:00:00"
	case types.Bool:
		return "false"
	case types.Text, types.Varchar, types.Char:
		return ""
	}
	return "0"
}

// equalityValues finds, per key position, the values a conjunct pins it
// to: key = constant or key IN (constants); nil where there is none.
// With strict, the key must be compared as it is; otherwise casts of the
// key are looked through (Athena's injected columns take such filters).
func equalityValues(ec *exec.Ctx, filters []expr.Expr, strict bool) map[int][]string {
	out := map[int][]string{}
	keyOf := func(e expr.Expr) (int, bool) {
		for {
			switch x := e.(type) {
			case *expr.Col:
				return x.Idx, true
			case *expr.Cast:
				if strict {
					return 0, false
				}
				e = x.X
				continue
			}
			return 0, false
		}
	}
	text := func(e expr.Expr) (string, bool) {
		constant := true
		expr.Walk(e, func(x expr.Expr) bool {
			switch x.(type) {
			case *expr.Col, *expr.OuterRef, *expr.Subquery:
				constant = false
			}
			return constant
		})
		if !constant {
			return "", false
		}
		v, err := expr.EvalScalar(ec.Expr, e)
		if err != nil || v == nil {
			return "", false
		}
		return types.FormatText(e.Type(), v), true
	}
	for _, f := range filters {
		switch x := f.(type) {
		case *expr.Call:
			if x.Name != "=" || len(x.Args) != 2 {
				continue
			}
			for _, side := range [][2]expr.Expr{{x.Args[0], x.Args[1]}, {x.Args[1], x.Args[0]}} {
				if k, ok := keyOf(side[0]); ok {
					if v, ok := text(side[1]); ok {
						out[k] = intersect(out[k], []string{v})
					}
				}
			}
		case *expr.InList:
			if x.Not {
				continue
			}
			k, ok := keyOf(x.X)
			if !ok {
				continue
			}
			var vs []string
			for _, e := range x.List {
				v, ok := text(e)
				if !ok {
					vs = nil
					break
				}
				vs = append(vs, v)
			}
			if vs != nil {
				out[k] = intersect(out[k], vs)
			}
		}
	}
	return out
}

func intersect(a, b []string) []string {
	if a == nil {
		return b
	}
	in := map[string]bool{}
	for _, v := range b {
		in[v] = true
	}
	out := []string{}
	for _, v := range a {
		if in[v] {
			out = append(out, v)
		}
	}
	return out
}

// pruneFiles evaluates filters that read pseudo columns over one row per file.
func (x *extSource) pruneFiles(ec *exec.Ctx, p part, files []storage.FileInfo, filters []expr.Expr) ([]storage.FileInfo, error) {
	rows := make([][]string, len(files))
	paths := make([]types.Value, len(files))
	sizes := make([]types.Value, len(files))
	mods := make([]types.Value, len(files))
	for i, f := range files {
		rows[i] = p.values
		paths[i] = f.Path
		sizes[i] = f.Size
		mods[i] = types.TimestampVal(f.ModTime.UnixMicro())
	}
	if len(x.keys) == 0 {
		for i := range rows {
			rows[i] = nil
		}
	}
	rec, err := x.keyRecord(ec, rows, []arrow.Array{
		types.BuildArray(types.TextT, paths), types.BuildArray(types.Int8T, sizes), types.BuildArray(types.TimestampTZT, mods),
	})
	if err != nil {
		return nil, err
	}
	keep := make([]bool, len(files))
	for i := range keep {
		keep[i] = true
	}
	if err := applyFilters(ec, rec, filters, keep); err != nil {
		return nil, err
	}
	var out []storage.FileInfo
	for i, f := range files {
		if keep[i] {
			out = append(out, f)
		} else if ec.Scan != nil {
			ec.Scan.FilesPruned.Add(1)
		}
	}
	return out, nil
}

// outCol says where an output column of an external morsel comes from.
type outCol struct {
	read     int // index into the reader's returned columns; -1 = constant
	from, to types.T
	konst    types.Value
	pseudo   int // 0 none, 1 $path, 2 $file_size, 3 $file_modified_time
}

// partMorsels opens one partition's files with the table's format and
// wraps their morsels so that partition keys and pseudo columns are
// appended and file types are converted to the declared ones.
func (x *extSource) partMorsels(ec *exec.Ctx, p part, files []storage.FileInfo, cols []int, preds []storage.Pred) ([]exec.Morsel, error) {
	ctx := ec.Context()
	nd, nk := len(x.data), len(x.keys)
	spec := make([]outCol, len(cols))
	var readCols []int // reader column indices
	readPos := map[int]int{}
	addRead := func(rc int) int {
		if i, ok := readPos[rc]; ok {
			return i
		}
		readPos[rc] = len(readCols)
		readCols = append(readCols, rc)
		return len(readCols) - 1
	}
	// dataIdx maps a declared data column to the reader's column, -1 when
	// the files lack it; readerT is the reader's type of it.
	dataIdx := make([]int, nd)
	readerT := make([]types.T, nd)
	var open func() ([]fileMorsel, error)
	switch x.format.kind {
	case "parquet":
		ds, err := x.parquetDataset(ctx, files)
		if err != nil {
			return nil, err
		}
		byName := map[string]int{}
		for i, c := range ds.Columns {
			byName[strings.ToLower(c.Name)] = i
		}
		for i, c := range x.data {
			dataIdx[i] = -1
			if j, ok := byName[strings.ToLower(c.Name)]; ok {
				dataIdx[i], readerT[i] = j, ds.Columns[j].Type
			}
		}
		// Statistics pruning only where the file's type is the declared one.
		var rp []storage.Pred
		for _, pr := range preds {
			if pr.Col < nd && dataIdx[pr.Col] >= 0 && readerT[pr.Col].Equal(x.data[pr.Col].Type) {
				pr.Col = dataIdx[pr.Col]
				rp = append(rp, pr)
			}
		}
		open = func() ([]fileMorsel, error) {
			ms, err := ds.Morsels(ctx, readCols, rp, ec.Scan)
			return asMorsels(ms), err
		}
	case "text", "json":
		// Text readers take the declared columns as they are.
		var lister interface {
			Morsels(context.Context, []int, *storage.ScanStats) ([]fileMorsel, error)
		}
		if x.format.kind == "text" {
			opt := x.format.csv
			opt.Columns = x.data
			ds, err := csv.Open(ctx, x.fs, files, opt)
			if err != nil {
				return nil, err
			}
			lister = textLister[*csv.Morsel]{ds.Morsels}
		} else {
			opt := x.format.json
			opt.Columns = x.data
			ds, err := jsonl.Open(ctx, x.fs, files, opt)
			if err != nil {
				return nil, err
			}
			lister = textLister[*jsonl.Morsel]{ds.Morsels}
		}
		for i, c := range x.data {
			dataIdx[i], readerT[i] = i, c.Type
		}
		open = func() ([]fileMorsel, error) { return lister.Morsels(ctx, readCols, ec.Scan) }
	}
	for i, c := range cols {
		switch {
		case c < nd:
			t := x.data[c].Type
			if dataIdx[c] < 0 {
				spec[i] = outCol{read: -1, to: t}
			} else {
				spec[i] = outCol{read: addRead(dataIdx[c]), from: readerT[c], to: t}
			}
		case c < nd+nk:
			spec[i] = outCol{read: -1, to: x.keys[c-nd].Type, konst: p.typed[c-nd]}
		default:
			spec[i] = outCol{read: -1, to: pseudoColumns[c-nd-nk].Type, pseudo: c - nd - nk + 1}
		}
	}
	ms, err := open()
	if err != nil {
		return nil, err
	}
	info := map[string]storage.FileInfo{}
	for _, f := range files {
		info[f.Path] = f
	}
	// a bound on a table column applies to the file's column where the
	// file holds it as the declared type (as statistics pruning does)
	fileCol := func(c int) (int, bool) {
		if x.format.kind == "parquet" && c < nd && dataIdx[c] >= 0 && readerT[c].Equal(x.data[c].Type) {
			return dataIdx[c], true
		}
		return 0, false
	}
	out := make([]exec.Morsel, len(ms))
	for i, m := range ms {
		out[i] = &extMorsel{m: m, spec: spec, file: info[m.(interface{ File() string }).File()], fileCol: fileCol}
	}
	return out, nil
}

// extMorsel reads one file morsel and assembles the table's columns.
type extMorsel struct {
	m       fileMorsel
	spec    []outCol
	file    storage.FileInfo
	fileCol func(tableCol int) (int, bool)
}

// SetDynamic implements planner.DynamicMorsel on the bounds whose
// columns the file holds as declared.
func (m *extMorsel) SetDynamic(bs []*storage.DynBound) {
	d, ok := m.m.(dynamicMorsel)
	if !ok {
		return
	}
	var on []*storage.DynBound
	for _, b := range bs {
		if c, ok := m.fileCol(b.Col); ok {
			on = append(on, b.OnColumn(c))
		}
	}
	d.SetDynamic(on)
}

// Bytes implements exec.Sized.
func (m *extMorsel) Bytes() int64 { return morselBytes(m.m) }

// Prefetch implements exec.Prefetcher.
func (m *extMorsel) Prefetch(ec *exec.Ctx) int64 { return prefetch(m.m, ec) }

// KeyRange implements exec.KeyRanger: a column read from the file as
// the type the table declares (no cast that could reorder it).
func (m *extMorsel) KeyRange(col int) (lo, hi int64, ok bool) {
	if col < 0 || col >= len(m.spec) || m.spec[col].read < 0 || m.spec[col].from.Kind != m.spec[col].to.Kind {
		return 0, 0, false
	}
	if kr, is := m.m.(exec.KeyRanger); is {
		return kr.KeyRange(m.spec[col].read)
	}
	return 0, 0, false
}

func (m *extMorsel) Read(ec *exec.Ctx) ([]arrow.Record, error) {
	recs, err := m.m.Read(ec.Context(), ec.Scan)
	if err != nil {
		return nil, err
	}
	return m.convert(ec, recs)
}

// ReadHead implements exec.HeadReader.
func (m *extMorsel) ReadHead(ec *exec.Ctx, rows int) ([]arrow.Record, exec.MorselRest, error) {
	return readHead(m.m, ec, rows, func(recs []arrow.Record) ([]arrow.Record, error) { return m.convert(ec, recs) })
}

// convert maps the file's batches to the table's columns.
func (m *extMorsel) convert(ec *exec.Ctx, recs []arrow.Record) ([]arrow.Record, error) {
	out := make([]arrow.Record, 0, len(recs))
	fields := make([]arrow.Field, len(m.spec))
	for i, sp := range m.spec {
		fields[i] = arrow.Field{Name: "c" + strconv.Itoa(i), Type: sp.to.Arrow(), Nullable: true}
	}
	sch := arrow.NewSchema(fields, nil)
	for _, r := range recs {
		n := int(r.NumRows())
		arrs := make([]arrow.Array, len(m.spec))
		for i, sp := range m.spec {
			switch {
			case sp.read >= 0:
				a, err := expr.CastArray(ec.Expr, r.Column(sp.read), sp.from, sp.to)
				if err != nil {
					return nil, sqlerr.Wrap(err, sqlerr.DatatypeMismatch, "column %d of file \"%s\"", i+1, m.file.Path)
				}
				arrs[i] = a
			case sp.pseudo == 1:
				arrs[i] = types.ConstArray(sp.to, m.file.Path, n)
			case sp.pseudo == 2:
				arrs[i] = types.ConstArray(sp.to, m.file.Size, n)
			case sp.pseudo == 3:
				arrs[i] = types.ConstArray(sp.to, types.TimestampVal(m.file.ModTime.UnixMicro()), n)
			default:
				arrs[i] = types.ConstArray(sp.to, sp.konst, n)
			}
		}
		out = append(out, array.NewRecord(sch, arrs, int64(n)))
	}
	return out, nil
}

// textLister adapts a text reader's Morsels to fileMorsels.
type textLister[M fileMorsel] struct {
	list func(context.Context, []int, *storage.ScanStats) ([]M, error)
}

func (t textLister[M]) Morsels(ctx context.Context, cols []int, st *storage.ScanStats) ([]fileMorsel, error) {
	ms, err := t.list(ctx, cols, st)
	return asMorsels(ms), err
}
