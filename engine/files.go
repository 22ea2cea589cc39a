package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/csv"
	jsonl "github.com/lakeq/lakeq/storage/json"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// FileTable implements planner.Catalog for read_parquet(...), FROM 'path'.
func (c *catAdapter) FileTable(ctx context.Context, fn string, args []types.Value, named map[string]types.Value) (*planner.Table, error) {
	if schema, ok := strings.CutSuffix(fn, ".query"); ok {
		return c.s.passthrough(ctx, schema, args, named)
	}
	// once per statement: the files listed and footers read for one
	// reference serve the others (their sources are safe to share: a
	// dataset serves every worker of a scan already)
	key := fmt.Sprintf("%s\x00%#v", fn, args)
	names := make([]string, 0, len(named))
	for k := range named {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		key += fmt.Sprintf("\x00%s=%#v", k, named[k])
	}
	t, ok := c.files[key]
	if !ok {
		var err error
		if t, err = c.fileTable(ctx, fn, args, named); err != nil {
			return nil, err
		}
		if c.files == nil {
			c.files = map[string]*planner.Table{}
		}
		c.files[key] = t
	}
	cp := *t
	cp.Columns = append([]planner.TableColumn(nil), t.Columns...)
	return &cp, nil
}

// fileTable resolves a file-reading table function.
func (c *catAdapter) fileTable(ctx context.Context, fn string, args []types.Value, named map[string]types.Value) (*planner.Table, error) {
	if len(args) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "%s needs a path", fn)
	}
	var patterns []string
	switch v := args[0].(type) {
	case string:
		patterns = []string{v}
	case []any:
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: paths must be text", fn)
			}
			patterns = append(patterns, s)
		}
	default:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: the path must be text or a text array", fn)
	}
	fsys := c.s.fs()
	var files []storage.FileInfo
	for _, p := range patterns {
		got, err := storage.Glob(ctx, storage.CountedFS(fsys, c.s.scan), p)
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "no files found that match the pattern \"%s\"", p)
		}
		files = append(files, got...)
	}
	format := fn
	if fn == "read_auto" {
		format = formatByName(files[0].Path)
	}
	switch format {
	case "read_parquet", "parquet_scan", "parquet":
		opt := parquet.Options{Footers: c.s.eng.footers, Stats: c.s.scan}
		for k, v := range named {
			b, ok := v.(bool)
			switch k {
			case "hive_partitioning":
				opt.HivePartitioning = b
			case "union_by_name":
				opt.UnionByName = b
			case "binary_as_string", "filename":
				// off is what lakeq does; on is not implemented: refused,
				// never ignored
				if !ok {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: %s must be a boolean", fn, k)
				}
				if b {
					return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: option %s => true is not supported", fn, k)
				}
				continue
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: unknown option \"%s\"", fn, k)
			}
			if !ok {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: %s must be a boolean", fn, k)
			}
		}
		ds, err := parquet.Open(ctx, fsys, files, opt)
		if err != nil {
			return nil, err
		}
		src := &fileSource{list: func(ctx context.Context, cols []int, preds []storage.Pred, st *storage.ScanStats) ([]fileMorsel, error) {
			ms, err := ds.Morsels(ctx, cols, preds, st)
			return asMorsels(ms), err
		}}
		t := &planner.Table{Name: tableNameOf(patterns[0]), Kind: "FILE", Rows: ds.EstimateRows(ctx)}
		ranges := ds.ColumnRanges(ctx)
		for i, col := range ds.Columns {
			t.Columns = append(t.Columns, planner.TableColumn{Name: col.Name, Type: col.Type, Stats: footerStats(ranges[i])})
		}
		bindConnector(t, lakeConnector{c.s}, src)
		return t, nil
	case "read_json", "read_json_auto":
		var opt jsonl.Options
		for k, v := range named {
			switch k {
			case "compression":
				opt.Compression, _ = v.(string)
			case "ignore_errors":
				opt.IgnoreErrors, _ = v.(bool)
			case "columns":
				cols, err := parseColumns(v)
				if err != nil {
					return nil, err
				}
				for _, c := range cols {
					opt.Columns = append(opt.Columns, jsonl.Column{Name: c.Name, Type: c.Type})
				}
			case "format":
				// lakeq reads newline-delimited objects (one JSON object a line)
				f, _ := v.(string)
				switch strings.ToLower(f) {
				case "auto", "newline_delimited", "nd":
				default:
					return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: format => '%s' is not supported (newline_delimited is)", fn, f)
				}
			case "records":
				switch x := v.(type) {
				case bool:
					if !x {
						return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: records => false is not supported (each line must be an object)", fn)
					}
				case string:
					if r := strings.ToLower(x); r != "auto" && r != "true" {
						return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: records => '%s' is not supported (each line must be an object)", fn, x)
					}
				default:
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: records must be a boolean or 'auto'", fn)
				}
			case "auto_detect":
				b, ok := v.(bool)
				if !ok {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: auto_detect must be a boolean", fn)
				}
				if !b && named["columns"] == nil {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: auto_detect => false needs columns => {…}", fn)
				}
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: unknown option \"%s\"", fn, k)
			}
		}
		ds, err := jsonl.Open(ctx, fsys, files, opt)
		if err != nil {
			return nil, err
		}
		src := &fileSource{list: func(ctx context.Context, cols []int, _ []storage.Pred, st *storage.ScanStats) ([]fileMorsel, error) {
			ms, err := ds.Morsels(ctx, cols, st)
			return asMorsels(ms), err
		}}
		t := &planner.Table{Name: tableNameOf(patterns[0]), Kind: "FILE", Rows: totalSize(files) / 200}
		for _, col := range ds.Columns {
			t.Columns = append(t.Columns, planner.TableColumn{Name: col.Name, Type: col.Type})
		}
		bindConnector(t, lakeConnector{c.s}, src)
		return t, nil
	case "read_csv", "read_csv_auto", "read_tsv":
		opt, err := csvOptions(format, named)
		if err != nil {
			return nil, err
		}
		ds, err := csv.Open(ctx, fsys, files, opt)
		if err != nil {
			return nil, err
		}
		src := &fileSource{list: func(ctx context.Context, cols []int, _ []storage.Pred, st *storage.ScanStats) ([]fileMorsel, error) {
			ms, err := ds.Morsels(ctx, cols, st)
			return asMorsels(ms), err
		}}
		t := &planner.Table{Name: tableNameOf(patterns[0]), Kind: "FILE", Rows: totalSize(files) / 100}
		for _, col := range ds.Columns {
			t.Columns = append(t.Columns, planner.TableColumn{Name: col.Name, Type: col.Type})
		}
		bindConnector(t, lakeConnector{c.s}, src)
		return t, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "reading %s files is not supported yet (\"%s\")", strings.TrimPrefix(format, "read_"), files[0].Path)
}

func formatByName(path string) string {
	p := strings.ToLower(path)
	for _, ext := range []string{".gz", ".bz2", ".zst", ".snappy", ".lz4", ".deflate"} {
		p = strings.TrimSuffix(p, ext)
	}
	switch {
	case strings.HasSuffix(p, ".parquet"), strings.HasSuffix(p, ".pq"):
		return "parquet"
	case strings.HasSuffix(p, ".csv"), strings.HasSuffix(p, ".tsv"), strings.HasSuffix(p, ".txt"), strings.HasSuffix(p, ".tbl"):
		return "read_csv"
	case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".jsonl"), strings.HasSuffix(p, ".ndjson"):
		return "read_json"
	}
	return "parquet"
}

func tableNameOf(pattern string) string {
	base := filepath.Base(pattern)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" || strings.ContainsAny(base, "*?[{") {
		return "files"
	}
	return base
}

// csvOptions reads read_csv's named arguments.
func csvOptions(fn string, named map[string]types.Value) (csv.Options, error) {
	var o csv.Options
	if fn == "read_tsv" {
		o.Delim = '\t'
	}
	char := func(k string, v types.Value) (byte, error) {
		s, ok := v.(string)
		if !ok || len(s) > 1 {
			return 0, sqlerr.New(sqlerr.InvalidParameterValue, "%s: %s must be a single character", fn, k)
		}
		if s == "" {
			return 0, nil
		}
		return s[0], nil
	}
	for k, v := range named {
		var err error
		switch k {
		case "delim", "sep", "delimiter":
			o.Delim, err = char(k, v)
		case "quote":
			o.Quote, err = char(k, v)
			if o.Quote == 0 {
				o.Quote = csv.NoQuote
			}
		case "escape":
			o.Escape, err = char(k, v)
		case "header":
			b, ok := v.(bool)
			if !ok {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "%s: header must be a boolean", fn)
			}
			o.Header, o.HeaderSet = b, true
		case "skip":
			n, ok := v.(int64)
			if !ok || n < 0 {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "%s: skip must be a non-negative integer", fn)
			}
			o.Skip = int(n)
		case "nullstr", "null":
			s, ok := v.(string)
			if !ok {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "%s: nullstr must be text", fn)
			}
			o.NullStr, o.NullSet = s, true
		case "compression":
			s, _ := v.(string)
			o.Compression = s
		case "ignore_errors":
			b, _ := v.(bool)
			o.IgnoreErrors = b
		case "columns":
			cols, err := parseColumns(v)
			if err != nil {
				return o, err
			}
			o.Columns = cols
		case "auto_detect":
		default:
			return o, sqlerr.New(sqlerr.InvalidParameterValue, "%s: unknown option \"%s\"", fn, k)
		}
		if err != nil {
			return o, err
		}
	}
	return o, nil
}

// parseColumns reads columns => 'a int, b text' (or an array of 'name type').
func parseColumns(v types.Value) ([]csv.Column, error) {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = splitTopLevel(x)
	case []any:
		for _, p := range x {
			s, _ := p.(string)
			parts = append(parts, s)
		}
	}
	var out []csv.Column
	for _, p := range parts {
		f := strings.Fields(strings.TrimSpace(p))
		if len(f) < 2 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "columns: expected \"name type\", got \"%s\"", p)
		}
		t, err := types.Parse(strings.Join(f[1:], " "))
		if err != nil {
			return nil, err
		}
		out = append(out, csv.Column{Name: f[0], Type: t})
	}
	return out, nil
}

// splitTopLevel splits a column list at commas outside parentheses, so
// that numeric(10,2) stays one type.
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func totalSize(files []storage.FileInfo) int64 {
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n
}

// fileMorsel is a piece of a file dataset (row group, byte range, file).
type fileMorsel interface {
	Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error)
}

func asMorsels[M fileMorsel](ms []M) []fileMorsel {
	out := make([]fileMorsel, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// fileSource adapts a file dataset (Parquet, CSV, JSON) to the planner:
// morsels for parallel scans, or everything at once.
type fileSource struct {
	list func(ctx context.Context, cols []int, preds []storage.Pred, st *storage.ScanStats) ([]fileMorsel, error)
}

func (f *fileSource) Morsels(ctx *exec.Ctx, cols []int, preds []storage.Pred) ([]exec.Morsel, error) {
	ms, err := f.list(ctx.Context(), cols, preds, ctx.Scan)
	if err != nil {
		return nil, err
	}
	out := make([]exec.Morsel, len(ms))
	for i, m := range ms {
		out[i] = execMorsel{m}
	}
	return out, nil
}

type execMorsel struct{ m fileMorsel }

func (e execMorsel) Read(ctx *exec.Ctx) ([]arrow.Record, error) {
	return e.m.Read(ctx.Context(), ctx.Scan)
}

// Bytes implements exec.Sized.
func (e execMorsel) Bytes() int64 { return morselBytes(e.m) }

// dynamicMorsel is a file morsel that applies bounds tightened while
// the scan runs (Parquet's), on its dataset's columns.
type dynamicMorsel interface {
	SetDynamic([]*storage.DynBound)
}

// SetDynamic implements planner.DynamicMorsel: a file dataset's columns
// are the table's.
func (e execMorsel) SetDynamic(bs []*storage.DynBound) {
	if d, ok := e.m.(dynamicMorsel); ok {
		d.SetDynamic(bs)
	}
}

// ReadHead implements exec.HeadReader.
func (e execMorsel) ReadHead(ctx *exec.Ctx, rows int) ([]arrow.Record, exec.MorselRest, error) {
	return readHead(e.m, ctx, rows, nil)
}

// headMorsel is a file morsel that can decode its first rows ahead of
// the rest (Parquet's row group).
type headMorsel interface {
	ReadHead(ctx context.Context, st *storage.ScanStats, rows int) ([]arrow.Record, *parquet.Rest, error)
}

// readHead reads m's first rows and returns the rest to read next, or
// all of m when it cannot split; conv (nil: none) maps both parts'
// batches as the morsel's Read maps its own.
func readHead(m fileMorsel, ctx *exec.Ctx, rows int, conv func([]arrow.Record) ([]arrow.Record, error)) ([]arrow.Record, exec.MorselRest, error) {
	if conv == nil {
		conv = func(recs []arrow.Record) ([]arrow.Record, error) { return recs, nil }
	}
	hm, ok := m.(headMorsel)
	if !ok {
		recs, err := m.Read(ctx.Context(), ctx.Scan)
		if err != nil {
			return nil, nil, err
		}
		recs, err = conv(recs)
		return recs, nil, err
	}
	head, rest, err := hm.ReadHead(ctx.Context(), ctx.Scan, rows)
	if err != nil {
		return nil, nil, err
	}
	if head, err = conv(head); err != nil {
		if rest != nil {
			rest.Close()
		}
		return nil, nil, err
	}
	if rest == nil {
		return head, nil, nil
	}
	return head, restOf{rest, conv}, nil
}

// restOf is a Parquet morsel's rest as the executor reads it.
type restOf struct {
	r    *parquet.Rest
	conv func([]arrow.Record) ([]arrow.Record, error)
}

func (r restOf) Read(*exec.Ctx) ([]arrow.Record, error) {
	recs, err := r.r.Read()
	if err != nil {
		return nil, err
	}
	return r.conv(recs)
}

func (r restOf) Close() { r.r.Close() }

// morselBytes is what a file morsel expects to fetch (0 if it cannot say).
func morselBytes(m any) int64 {
	if s, ok := m.(exec.Sized); ok {
		return s.Bytes()
	}
	return 0
}

// Prefetch implements exec.Prefetcher for the formats that can.
func (e execMorsel) Prefetch(ctx *exec.Ctx) int64 { return prefetch(e.m, ctx) }

// prefetchingMorsel is a file morsel that can fetch ahead (Parquet's).
type prefetchingMorsel interface {
	Prefetch(ctx context.Context, st *storage.ScanStats) int64
}

func prefetch(m fileMorsel, ctx *exec.Ctx) int64 {
	if p, ok := m.(prefetchingMorsel); ok {
		return p.Prefetch(ctx.Context(), ctx.Scan)
	}
	return 0
}

// footerStats is what Parquet footers tell the planner of a column.
func footerStats(r parquet.ColumnRange) planner.ColStats {
	return planner.ColStats{Min: r.Min, Max: r.Max, HasMinMax: r.HasMinMax, NullFrac: r.NullFrac, HasNullFrac: r.HasNullFrac, Distinct: r.Distinct}
}

// KeyRange implements exec.KeyRanger for the formats that can say.
func (e execMorsel) KeyRange(col int) (lo, hi int64, ok bool) {
	if kr, is := e.m.(exec.KeyRanger); is {
		return kr.KeyRange(col)
	}
	return 0, 0, false
}
