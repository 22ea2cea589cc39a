package slt

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// Storage layouts. In every mode but managed, each table a script
// creates and fills is written out, before a query reads it, as files of
// that layout, and the query reads those files as an external table in
// place of the managed table (engine.Session.ReadAs): the same records
// then run over the lake readers, with sliced batches, several files,
// dictionaries and text parsing.
const (
	StorageManaged = "managed"
	StorageParquet = "parquet"
	StorageCSV     = "csv"
	StorageJSON    = "json"
)

// Storages lists the layouts, managed first.
var Storages = []string{StorageManaged, StorageParquet, StorageCSV, StorageJSON}

// layout keeps the file copies of a script's managed tables. Copies are
// made lazily, when a query first reads a table after a statement that
// may have changed it; each copy has a folder of its own, so no reader
// ever sees a half-written one.
type layout struct {
	mode   string
	dir    string // where copies go: a local folder or an s3:// prefix
	fs     storage.FileSystem
	eng    *engine.Engine
	export *engine.Session // reads the managed rows (no ReadAs)
	gen    int             // bumped by every statement that may write
	copies map[string]layoutCopy
	kept   int // reads left on the managed table (a type the layout cannot hold)
}

type layoutCopy struct {
	gen   int
	table *catalog.Table
}

// NewLayout returns the layout mode ("parquet", "csv" or "json") for the
// managed tables of eng, writing its copies under dir; set its ReadAs as
// a session's ReadAs for the statements that only read, and call Touch
// after every statement that may write. Not safe for concurrent use.
func NewLayout(mode, dir string, eng *engine.Engine) (*Layout, error) {
	return newLayout(mode, dir, eng)
}

// Layout is a storage layout's copies of a script's tables.
type Layout = layout

// ReadAs is engine.Session.ReadAs for reads from the layout's copies.
func (l *layout) ReadAs(ctx context.Context, t *catalog.Table) (*catalog.Table, error) {
	return l.readAs(ctx, t)
}

// Touch marks every copy stale.
func (l *layout) Touch() { l.touch() }

func newLayout(mode, dir string, eng *engine.Engine) (*layout, error) {
	switch mode {
	case StorageParquet, StorageCSV, StorageJSON:
	default:
		return nil, fmt.Errorf("unknown storage layout %q (managed, parquet, csv or json)", mode)
	}
	root := dir
	if !storage.IsURL(dir) {
		root = filepath.Join(dir, "layout")
	}
	return &layout{mode: mode, dir: root, fs: eng.FS(), eng: eng, export: eng.NewSession(), copies: map[string]layoutCopy{}}, nil
}

// touch marks every copy stale: the statement that just ran may have
// written any table.
func (l *layout) touch() { l.gen++ }

var writeWords = regexp.MustCompile(`(?i)\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|CREATE|DROP|ALTER|CALL)\b`)

// readOnly reports whether a query record only reads, so that it may
// read the copies (a DML statement's target is always the managed
// table). EXPLAIN is left to the managed tables: a plan names how its
// scans read, which differs by layout by design.
func readOnly(sql string) bool {
	if f := strings.Fields(sql); len(f) > 0 && strings.EqualFold(f[0], "EXPLAIN") {
		return false
	}
	return !writeWords.MatchString(sql)
}

// readAs is the session's ReadAs hook: the external table over the
// current copy of t, written first if t changed since the last one.
func (l *layout) readAs(ctx context.Context, t *catalog.Table) (*catalog.Table, error) {
	key := t.Database + "." + t.Name
	if strings.HasPrefix(t.Database, "pg_temp_") {
		// a temporary table is the script session's own: the exporting
		// session cannot read it, and it stays managed
		l.kept++
		return nil, nil
	}
	if c, ok := l.copies[key]; ok && c.gen == l.gen {
		return c.table, nil
	}
	res, err := l.export.Query(ctx, fmt.Sprintf("SELECT * FROM %s.%s", quoteIdent(t.Database), quoteIdent(t.Name)))
	if err != nil {
		return nil, fmt.Errorf("layout %s: reading %s: %w", l.mode, key, err)
	}
	for _, c := range res.Columns {
		if l.mode == StorageParquet && c.Type.Kind == types.Interval {
			// Parquet's INTERVAL is months, days and milliseconds: it
			// cannot hold PostgreSQL's microseconds, so lakeq's own files
			// never use it and this table stays managed
			l.kept++
			return nil, nil
		}
	}
	if len(res.Columns) != len(t.Columns) {
		return nil, fmt.Errorf("layout %s: %s has %d columns, its rows %d", l.mode, key, len(t.Columns), len(res.Columns))
	}
	loc := storage.Join(l.dir, strconv.Itoa(l.gen), key)
	ext := *t
	ext.Type = catalog.ExternalTable
	ext.Parameters = map[string]string{}
	switch l.mode {
	case StorageParquet:
		err = writeParquetCopy(ctx, l.fs, loc, res.Records)
		ext.Storage = catalog.StorageDescriptor{Location: loc, SerDe: catalog.SerDeParquet, InputFormat: catalog.InputParquet}
	case StorageCSV:
		err = writeTextCopy(ctx, l.fs, loc, res)
		ext.Storage = catalog.StorageDescriptor{Location: loc, SerDe: catalog.SerDeLazySimple, InputFormat: catalog.InputText,
			SerDeParams: map[string]string{"field.delim": ",", "escape.delim": `\`, "serialization.null.format": `\N`}}
	case StorageJSON:
		err = writeJSONCopy(ctx, l.fs, loc, res)
		ext.Storage = catalog.StorageDescriptor{Location: loc, SerDe: catalog.SerDeHiveJSON, InputFormat: catalog.InputText}
	}
	if err != nil {
		return nil, fmt.Errorf("layout %s: writing %s: %w", l.mode, key, err)
	}
	if old, ok := l.copies[key]; ok {
		if files, err := storage.ListFolder(ctx, l.fs, old.table.Storage.Location); err == nil {
			var paths []string
			for _, f := range files {
				paths = append(paths, f.Path)
			}
			l.fs.Delete(ctx, paths...)
		}
	}
	l.copies[key] = layoutCopy{gen: l.gen, table: &ext}
	return &ext, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// splitRows cuts n rows into up to three files of contiguous rows, so
// that a table of more than a couple of rows is always read from several.
func splitRows(n int64) [][2]int64 {
	k := int64(3)
	if n < k {
		k = max(n, 1)
	}
	var out [][2]int64
	for i := int64(0); i < k; i++ {
		out = append(out, [2]int64{n * i / k, n * (i + 1) / k})
	}
	return out
}

// rowSlices returns the rows [lo, hi) of recs as slices of the batches:
// writers then see arrays with offsets, as they will from any scan.
func rowSlices(recs []arrow.Record, lo, hi int64) []arrow.Record {
	var out []arrow.Record
	var base int64
	for _, r := range recs {
		n := r.NumRows()
		a, b := max(lo, base), min(hi, base+n)
		if a < b {
			out = append(out, r.NewSlice(a-base, b-base))
		}
		base += n
	}
	return out
}

func totalRows(recs []arrow.Record) int64 {
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}

// writeParquetCopy writes recs as Parquet files with small row groups
// (about a third of a file's rows, at most 1,000), pages of 64 values,
// and dictionary encoding on for alternating columns, shifted per file
// so that each column is read both ways.
func writeParquetCopy(ctx context.Context, fsys storage.FileSystem, dir string, recs []arrow.Record) error {
	n := totalRows(recs)
	var sch *arrow.Schema
	if len(recs) > 0 {
		sch = lqparquet.FileSchema(recs[0].Schema())
	}
	if sch == nil {
		return nil // no batches: an empty folder is an empty table
	}
	for fi, span := range splitRows(n) {
		rows := span[1] - span[0]
		rg := min(max((rows+2)/3, 1), 1000)
		opts := []parquet.WriterProperty{
			parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithMaxRowGroupLength(rg),
			parquet.WithStats(true),
			parquet.WithStoreDecimalAsInteger(true),
			parquet.WithBatchSize(64),
			parquet.WithDataPageSize(512),
			parquet.WithDictionaryDefault(false),
		}
		for ci, f := range sch.Fields() {
			if (ci+fi)%2 == 0 {
				opts = append(opts, parquet.WithDictionaryFor(f.Name, true))
			}
		}
		f, err := fsys.Create(ctx, storage.Join(dir, fmt.Sprintf("part-%d.parquet", fi)))
		if err != nil {
			return err
		}
		w, err := pqarrow.NewFileWriter(sch, f, parquet.NewWriterProperties(opts...), pqarrow.DefaultWriterProps())
		if err != nil {
			f.Abort()
			return err
		}
		for _, r := range rowSlices(recs, span[0], span[1]) {
			if err := w.Write(lqparquet.ToFile(r)); err != nil {
				f.Abort()
				return err
			}
		}
		if err := w.Close(); err != nil {
			f.Abort()
			return err
		}
		if err := f.Close(); err != nil { // a no-op if the Parquet writer committed it
			return err
		}
	}
	return nil
}

// writeTextCopy writes Hive LazySimpleSerDe text: comma-separated, `\N`
// for NULL, backslash escaping the delimiter, newlines and itself.
func writeTextCopy(ctx context.Context, fsys storage.FileSystem, dir string, res *engine.Result) error {
	esc := strings.NewReplacer(`\`, `\\`, ",", `\,`, "\n", "\\\n", "\r", "\\\r")
	return writeLines(ctx, fsys, dir, "csv", res, func(w *bufio.Writer, vals []types.Value) {
		for c, v := range vals {
			if c > 0 {
				w.WriteByte(',')
			}
			if v == nil {
				w.WriteString(`\N`)
				continue
			}
			w.WriteString(esc.Replace(types.FormatTextIn(res.Columns[c].Type, v, res.Loc)))
		}
	})
}

// writeJSONCopy writes JSON Lines, one object per row: integers and
// booleans as JSON values, everything else as its PostgreSQL text.
func writeJSONCopy(ctx context.Context, fsys storage.FileSystem, dir string, res *engine.Result) error {
	return writeLines(ctx, fsys, dir, "json", res, func(w *bufio.Writer, vals []types.Value) {
		w.WriteByte('{')
		for c, v := range vals {
			if c > 0 {
				w.WriteByte(',')
			}
			name, _ := json.Marshal(res.Columns[c].Name)
			w.Write(name)
			w.WriteByte(':')
			writeJSONValue(w, res.Columns[c].Type, v, res)
		}
		w.WriteString("}\n")
	})
}

// writeJSONValue writes v as the JSON SerDe reads it back: booleans and
// integers as JSON values, json as itself, arrays as JSON arrays, the
// rest as their PostgreSQL text in a string.
func writeJSONValue(w *bufio.Writer, t types.T, v types.Value, res *engine.Result) {
	switch {
	case v == nil:
		w.WriteString("null")
	case t.Kind == types.Bool:
		w.WriteString(strconv.FormatBool(v.(bool)))
	case t.IsInteger():
		w.WriteString(types.FormatText(t, v))
	case t.Kind == types.JSON || t.Kind == types.JSONB:
		w.WriteString(types.FormatText(t, v))
	case t.Kind == types.Array:
		w.WriteByte('[')
		for i, e := range v.([]any) {
			if i > 0 {
				w.WriteByte(',')
			}
			writeJSONValue(w, *t.Elem, e, res)
		}
		w.WriteByte(']')
	default:
		s, _ := json.Marshal(types.FormatTextIn(t, v, res.Loc))
		w.Write(s)
	}
}

func writeLines(ctx context.Context, fsys storage.FileSystem, dir, ext string, res *engine.Result, row func(*bufio.Writer, []types.Value)) error {
	n := totalRows(res.Records)
	for fi, span := range splitRows(n) {
		f, err := fsys.Create(ctx, storage.Join(dir, fmt.Sprintf("part-%d.%s", fi, ext)))
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		vals := make([]types.Value, len(res.Columns))
		for _, r := range rowSlices(res.Records, span[0], span[1]) {
			for i := 0; i < int(r.NumRows()); i++ {
				for c := range vals {
					vals[c] = types.GetValue(res.Columns[c].Type, r.Column(c), i)
				}
				row(w, vals)
				if ext == "csv" {
					w.WriteByte('\n')
				}
			}
		}
		if err := w.Flush(); err != nil {
			f.Abort()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
