package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// Athena's CTAS: CREATE TABLE t WITH (format = …, external_location = …,
// partitioned_by = ARRAY[…], write_compression = …, field_delimiter = …)
// AS SELECT … makes an external table: the query's rows written as files
// of that format under the location (partition columns, the select's
// last ones, as k=v/ folders), then the partitions and the table
// registered. The location must hold nothing yet, so no reader knows of
// the files until the catalog entry that names them exists: creating it
// is the publish step, and a CTAS that fails before removes its files
// (a killed one's are removed at the next start, managed.Staging).

// ctasOptions are the parsed WITH options.
type ctasOptions struct {
	format    string // PARQUET, TEXTFILE, CSV, TSV, JSON
	location  string
	parts     []string
	codec     string // SNAPPY, ZSTD, GZIP, NONE
	delim     string
	delimSet  bool
	formatSet bool
	bucketBy  []string // bucketed_by: data columns
	buckets   int      // bucket_count
	serial    bool     // one file per partition (Spectrum's write.parallel off)
	level     int      // compression_level (ZSTD); 0: lakeq's default
	props     map[string]string
	// TEXTFILE and TSV: escape is the escape character (escape.delim; 0:
	// none) written before a delimiter or itself in a value, and
	// escapeCRLF writes line ends as \n and \r (serialization.escape.crlf)
	escape     byte
	escapeCRLF bool
	raw        bool // UNLOAD: values written as they are, as Athena does
}

// external reports whether the options ask for more than a managed table.
func (o ctasOptions) external() bool {
	return o.location != "" || o.format != "PARQUET" || len(o.parts) > 0 || o.codec != "" || o.delimSet || len(o.bucketBy) > 0 || o.buckets > 0
}

func parseCTASOptions(opts []ast.Option) (ctasOptions, error) {
	o := ctasOptions{format: "PARQUET"}
	for _, op := range opts {
		v := op.Value
		switch op.Name {
		case "format":
			o.format, o.formatSet = strings.ToUpper(v), true
			switch o.format {
			case "PARQUET", "TEXTFILE", "CSV", "TSV", "JSON":
			default:
				return o, sqlerr.New(sqlerr.FeatureNotSupported, "CTAS format '%s' is not supported (PARQUET, TEXTFILE, CSV, TSV, JSON)", v)
			}
		case "external_location":
			o.location = strings.TrimSuffix(v, "/")
		case "partitioned_by":
			for _, c := range strings.Split(v, ",") {
				if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
					o.parts = append(o.parts, c)
				}
			}
		case "bucketed_by":
			for _, c := range strings.Split(v, ",") {
				if c = strings.ToLower(strings.TrimSpace(c)); c != "" {
					o.bucketBy = append(o.bucketBy, c)
				}
			}
		case "bucket_count":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "bucket_count must be an integer, got '%s'", v)
			}
			o.buckets = n
		case "write_compression", "parquet_compression":
			o.codec = strings.ToUpper(v)
		case "field_delimiter":
			o.delim, o.delimSet = v, true
		case "compression_level":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 22 {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "compression_level must be an integer from 1 to 22, got '%s'", v)
			}
			o.level = n
		default:
			return o, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE TABLE option %s = '%s' is not supported yet", op.Name, v)
		}
	}
	switch o.codec {
	case "", "NONE", "UNCOMPRESSED", "GZIP", "ZSTD":
	case "SNAPPY":
		if o.format != "PARQUET" {
			return o, sqlerr.New(sqlerr.FeatureNotSupported, "write_compression SNAPPY is for PARQUET; text formats take GZIP, ZSTD or NONE")
		}
	default:
		return o, sqlerr.New(sqlerr.FeatureNotSupported, "write_compression '%s' is not supported (SNAPPY, ZSTD, GZIP, NONE)", o.codec)
	}
	if o.level != 0 && o.codec != "ZSTD" {
		return o, sqlerr.New(sqlerr.InvalidParameterValue, "compression_level is for ZSTD compression")
	}
	if o.delimSet {
		if o.format != "TEXTFILE" && o.format != "TSV" && o.format != "CSV" {
			return o, sqlerr.New(sqlerr.InvalidParameterValue, "field_delimiter is for TEXTFILE, TSV and CSV, not %s", o.format)
		}
		if len(o.delim) != 1 {
			return o, sqlerr.New(sqlerr.InvalidParameterValue, "field_delimiter must be one character, got '%s'", o.delim)
		}
	}
	return o, nil
}

// createExternalAs runs an Athena CTAS (see above). t holds the table's
// name, schema and columns (of the whole select); recs its rows.
func (s *Session) createExternalAs(ctx context.Context, x *ast.CreateTable, o ctasOptions, t catalog.Table, recs []arrow.Record) (*Result, error) {
	if o.location != "" {
		if err := s.requireServerFiles(ctx, true, "create a table at a location"); err != nil {
			return nil, err
		}
		if err := s.checkScheme(o.location); err != nil {
			return nil, err
		}
	} else {
		o.location = s.eng.newLocation(t.Database, t.Name)
	}
	names, ts, err := tableTypes(&t)
	if err != nil {
		return nil, err
	}
	// partition columns are the select's last ones, in partitioned_by's order
	nd := len(t.Columns) - len(o.parts)
	if len(o.parts) > 0 {
		if nd < 1 {
			return nil, sqlerr.New(invalidTableDefinition, "partitioned_by names every column of %s: a table needs a data column", t.Name)
		}
		for i, p := range o.parts {
			if names[nd+i] != p {
				return nil, sqlerr.New(invalidTableDefinition, "partitioned_by columns must be the query's last columns, in order: expected \"%s\" as column %d, found \"%s\"", p, nd+i+1, names[nd+i])
			}
		}
	}
	if _, err := checkBuckets(t.Name, o.bucketBy, o.buckets, names[:nd], ts[:nd]); err != nil {
		return nil, err
	}
	fsys := s.eng.fs
	if s.fs() != nil {
		fsys = s.fs()
	}
	// a location that holds data is someone's table already
	if err := requireEmpty(ctx, fsys, o.location, "CTAS"); err != nil {
		return nil, err
	}
	if o.format == "TEXTFILE" || o.format == "TSV" {
		// a table's values holding the delimiter or a line end are
		// escaped: the table says so (escape.delim and
		// serialization.escape.crlf, below), as Hive reads it
		o.escape, o.escapeCRLF = '\\', true
	}
	qid := managed.NewID()
	lw := &lakeWrite{fsys: fsys, loc: o.location, qid: qid, intent: s.eng.staging.Begin(qid), o: o, parallel: s.eng.cfg.Workers}
	if o.serial {
		lw.parallel = 1
	}
	rows, parts, err := lw.write(ctx, names, ts, nd, recs)
	if err != nil {
		lw.abort()
		return nil, err
	}
	ext := catalog.Table{Database: t.Database, Name: t.Name, Type: catalog.ExternalTable, Owner: t.Owner, Parameters: map[string]string{"EXTERNAL": "TRUE"}}
	ext.Columns = t.Columns[:nd]
	ext.PartitionKeys = t.Columns[nd:]
	d := storedAs[o.format]
	ext.Storage = catalog.StorageDescriptor{Location: o.location, InputFormat: d[0], OutputFormat: d[1], SerDe: d[2], BucketColumns: o.bucketBy, NumBuckets: o.buckets}
	switch o.format {
	case "TEXTFILE", "TSV":
		delim := "\x01"
		if o.format == "TSV" {
			delim = "\t"
		}
		if o.delimSet {
			delim = o.delim
		}
		// values holding the delimiter or a line end are escaped, as
		// Hive's LazySimpleSerDe reads them back with these properties
		ext.Storage.SerDeParams = map[string]string{"field.delim": delim, "escape.delim": `\`, "serialization.escape.crlf": "true"}
	case "CSV":
		if o.delimSet {
			ext.Storage.SerDeParams = map[string]string{"separatorChar": o.delim}
		}
	}
	for k, v := range o.props {
		ext.Parameters[k] = v
	}
	ext.Parameters["classification"] = classificationOf(ext.Storage)
	// the table and its partitions in one catalog transaction: the publish
	if err := s.eng.store.CreateTableWithPartitions(ctx, ext, parts); err != nil {
		lw.abort()
		if sqlerr.Code(err) == sqlerr.DuplicateTable && x.IfNotExists {
			return &Result{Tag: "SELECT 0", Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", t.Name)}}, nil
		}
		return nil, err
	}
	lw.done()
	s.eng.invalidate(o.location)
	return &Result{Tag: fmt.Sprintf("SELECT %d", rows), Rows: rows}, nil
}

// requireEmpty refuses a location that holds any object.
func requireEmpty(ctx context.Context, fsys storage.FileSystem, loc, what string) error {
	full := false
	err := fsys.List(ctx, strings.TrimSuffix(loc, "/")+"/", "", func(pg storage.ListPage) error {
		if len(pg.Objects) > 0 {
			full = true
			return io.EOF
		}
		return nil
	})
	if err != nil && err != io.EOF {
		return err
	}
	if full {
		return sqlerr.New(sqlerr.DuplicateObject, "location %s already holds data; %s writes only to an empty location", loc, what)
	}
	return nil
}

// lakeWrite writes one statement's rows as lake files under loc, each
// recorded in intent before it is created (managed.Staging).
type lakeWrite struct {
	fsys    storage.FileSystem
	loc     string
	qid     string
	intent  *managed.Intent
	o       ctasOptions
	written []string
	// partDir, when set, names the folder of a partition already
	// registered (found false: a new one, under loc)
	partDir func(values []string) (dir string, found bool, err error)
	// hidden: write files under hidden names ('.'-prefixed, which lake
	// readers skip), renamed to their names by publish
	hidden   bool
	renames  [][2]string
	parallel int // files written at once
}

// write writes recs (columns from nd on are o.parts, as k=v/ folders)
// and returns the rows written and the partitions made.
func (lw *lakeWrite) write(ctx context.Context, names []string, ts []types.T, nd int, recs []arrow.Record) (int64, []catalog.Partition, error) {
	var parts []catalog.Partition
	var rows int64
	for _, g := range partitionRows(recs, ts, nd) {
		if len(g.recs) == 0 {
			continue // no rows: no file
		}
		dir := lw.loc
		rel := ""
		for i, v := range g.values {
			seg := lw.o.parts[i] + "=" + escapePartValue(v)
			dir += "/" + seg
			rel += seg + "/"
		}
		isNew := true
		if lw.partDir != nil && len(g.values) > 0 {
			d, found, err := lw.partDir(g.values)
			if err != nil {
				return 0, nil, err
			}
			if found {
				dir, isNew = strings.TrimSuffix(d, "/"), false
				if r, err := storage.Rel(lw.loc, dir); err == nil && !strings.HasPrefix(r, "..") {
					rel = r + "/"
				} else {
					rel = "" // a partition elsewhere: recorded by its own folder
				}
			}
		}
		var total int64
		for _, r := range g.recs {
			total += r.NumRows()
		}
		chunks, fileNames, err := lw.chunks(g.recs, total, names[:nd], ts[:nd])
		if err != nil {
			return 0, nil, err
		}
		targets := make([]string, len(chunks))
		for i := range chunks {
			name := fileNames[i]
			final := dir + "/" + name
			if lw.hidden {
				name = "." + name
			}
			if lw.intent != nil {
				loc := lw.loc
				if rel == "" && dir != lw.loc {
					loc = dir
				}
				if err := lw.intent.Add(loc, rel+name); err != nil {
					return 0, nil, err
				}
			}
			p := dir + "/" + name
			targets[i] = p
			lw.written = append(lw.written, p)
			if lw.hidden {
				lw.renames = append(lw.renames, [2]string{p, final})
			}
		}
		err = managed.Parallel(ctx, max(lw.parallel, 1), len(chunks), func(ctx context.Context, i int) error {
			return writeLakeFile(ctx, lw.fsys, targets[i], names[:nd], ts[:nd], chunks[i], lw.o)
		})
		if err != nil {
			return 0, nil, err
		}
		rows += total
		if len(lw.o.parts) > 0 && isNew {
			parts = append(parts, catalog.Partition{Values: g.values, Location: dir})
		}
	}
	return rows, parts, nil
}

// chunks splits one partition's rows (total of them) into the files to
// write, and names them: one file per bucket of a bucketed table, else
// a large group in as many files as are written at once.
func (lw *lakeWrite) chunks(recs []arrow.Record, total int64, names []string, ts []types.T) ([][]arrow.Record, []string, error) {
	ext := fileExt(lw.o)
	if len(lw.o.bucketBy) > 0 {
		at, err := checkBuckets(storage.Base(lw.loc), lw.o.bucketBy, lw.o.buckets, names, ts)
		if err != nil {
			return nil, nil, err
		}
		var chunks [][]arrow.Record
		var fileNames []string
		for b, rs := range splitBuckets(recs, ts, at, lw.o.buckets) {
			if len(rs) > 0 {
				chunks = append(chunks, rs)
				fileNames = append(fileNames, bucketFileName(b, lw.qid, ext))
			}
		}
		return chunks, fileNames, nil
	}
	per := total
	if p := int64(max(lw.parallel, 1)); p > 1 {
		per = max((total+p-1)/p, 128<<10)
	}
	var chunks [][]arrow.Record
	var cur []arrow.Record
	var n int64
	for _, r := range recs {
		cur, n = append(cur, r), n+r.NumRows()
		if n >= per {
			chunks, cur, n = append(chunks, cur), nil, 0
		}
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	fileNames := make([]string, len(chunks))
	for i := range chunks {
		fileNames[i] = fmt.Sprintf("%s-%04d%s", lw.qid, i, ext)
	}
	return chunks, fileNames, nil
}

// fileWriter is a fileSink's write for an unpartitioned target: each
// call writes one more file, <qid>-<n>, under loc.
func (lw *lakeWrite) fileWriter(names []string, ts []types.T) func(ctx context.Context) (rowFile, error) {
	var mu sync.Mutex
	n := 0
	return func(ctx context.Context) (rowFile, error) {
		mu.Lock()
		name := fmt.Sprintf("%s-%04d%s", lw.qid, n, fileExt(lw.o))
		n++
		p := lw.loc + "/" + name
		lw.written = append(lw.written, p)
		var err error
		if lw.intent != nil {
			err = lw.intent.Add(lw.loc, name)
		}
		mu.Unlock()
		if err != nil {
			return nil, err
		}
		return createLakeFile(ctx, lw.fsys, p, names, ts, lw.o)
	}
}

// abort deletes what was written.
func (lw *lakeWrite) abort() {
	if len(lw.written) > 0 {
		_ = lw.fsys.Delete(context.Background(), lw.written...)
	}
	lw.done()
}

func (lw *lakeWrite) done() {
	if lw.intent != nil {
		lw.intent.Remove()
		lw.intent = nil
	}
}

// partGroup is the rows of one partition (values as text).
type partGroup struct {
	values []string
	recs   []arrow.Record
}

// partitionRows splits recs by the values of their columns from nd on
// (none: one group of every row), keeping the data columns.
func partitionRows(recs []arrow.Record, ts []types.T, nd int) []partGroup {
	if nd == len(ts) {
		var keep []arrow.Record
		for _, r := range recs {
			if r.NumRows() > 0 {
				keep = append(keep, r)
			}
		}
		return []partGroup{{recs: keep}}
	}
	byKey := map[string]*partGroup{}
	var order []string
	for _, r := range recs {
		idx := map[string][]int32{}
		var keys []string
		for i := 0; i < int(r.NumRows()); i++ {
			vals := make([]string, len(ts)-nd)
			for k := nd; k < len(ts); k++ {
				v := types.GetValue(ts[k], r.Column(k), i)
				if v == nil {
					vals[k-nd] = hiveDefaultPartition
				} else {
					vals[k-nd] = types.FormatText(ts[k], v)
				}
			}
			key := strings.Join(vals, "\x00")
			if _, ok := idx[key]; !ok {
				keys = append(keys, key)
				if _, seen := byKey[key]; !seen {
					byKey[key] = &partGroup{values: vals}
					order = append(order, key)
				}
			}
			idx[key] = append(idx[key], int32(i))
		}
		for _, key := range keys {
			cols := make([]arrow.Array, nd)
			fields := make([]arrow.Field, nd)
			for c := 0; c < nd; c++ {
				cols[c] = types.Take(ts[c], r.Column(c), idx[key])
				fields[c] = r.Schema().Field(c)
				fields[c].Type = cols[c].DataType()
			}
			g := byKey[key]
			g.recs = append(g.recs, array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(len(idx[key]))))
		}
	}
	sort.Strings(order)
	out := make([]partGroup, len(order))
	for i, k := range order {
		out[i] = *byKey[k]
	}
	return out
}

// hiveDefaultPartition is Hive's folder value for a NULL key.
const hiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// escapePartValue escapes what a k=v folder name cannot hold, as Hive's
// FileUtils.escapePathName does.
func escapePartValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func fileExt(o ctasOptions) string {
	ext := map[string]string{"PARQUET": ".parquet", "TEXTFILE": ".txt", "CSV": ".csv", "TSV": ".tsv", "JSON": ".json"}[o.format]
	if o.format != "PARQUET" {
		switch o.codec {
		case "GZIP":
			ext += ".gz"
		case "ZSTD":
			ext += ".zst"
		}
	}
	return ext
}

// writeLakeFile writes recs as one file of o's format at p.
func writeLakeFile(ctx context.Context, fsys storage.FileSystem, p string, names []string, ts []types.T, recs []arrow.Record, o ctasOptions) error {
	f, err := createLakeFile(ctx, fsys, p, names, ts, o)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := f.Write(ctx, r); err != nil {
			f.Abort()
			return err
		}
	}
	return f.Close(ctx)
}

// rowFile is one output file written batch by batch, published on Close
// and abandoned on Abort. Not safe for concurrent use.
type rowFile interface {
	Write(ctx context.Context, rec arrow.Record) error
	Close(ctx context.Context) error
	Abort()
}

// createLakeFile starts a file of o's format at p.
func createLakeFile(ctx context.Context, fsys storage.FileSystem, p string, names []string, ts []types.T, o ctasOptions) (rowFile, error) {
	if o.format == "PARQUET" {
		codec := compress.Codecs.Snappy
		switch o.codec {
		case "ZSTD":
			codec = compress.Codecs.Zstd
		case "GZIP":
			codec = compress.Codecs.Gzip
		case "NONE", "UNCOMPRESSED":
			codec = compress.Codecs.Uncompressed
		}
		f, err := managed.New(fsys, storage.Dir(p), names, ts).CreateParquet(ctx, p, codec, o.level)
		if err != nil {
			return nil, err
		}
		return parquetFile{f}, nil
	}
	out, err := fsys.Create(ctx, p)
	if err != nil {
		return nil, err
	}
	f := &textFile{out: out, w: out, p: p, names: names, ts: ts, o: o}
	switch o.codec {
	case "GZIP":
		gz := gzip.NewWriter(out)
		f.w, f.closer = gz, gz
	case "ZSTD":
		level := o.level
		if level == 0 {
			level = lqparquet.ZstdLevel
		}
		zw, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(level)))
		if err != nil {
			_ = out.Abort()
			return nil, err
		}
		f.w, f.closer = zw, zw
	}
	return f, nil
}

type parquetFile struct{ f *managed.ParquetFile }

func (p parquetFile) Write(_ context.Context, rec arrow.Record) error { return p.f.Write(rec) }
func (p parquetFile) Close(context.Context) error {
	_, err := p.f.Close()
	return err
}
func (p parquetFile) Abort() { p.f.Abort() }

// textFile is a TEXTFILE, CSV, TSV or JSON file, compressed or not.
type textFile struct {
	out    storage.Writer
	w      io.Writer // out, or the compressor writing to it
	closer io.Closer // the compressor; nil: none
	p      string
	names  []string
	ts     []types.T
	o      ctasOptions
}

func (f *textFile) Write(ctx context.Context, rec arrow.Record) error {
	return writeTextRows(ctx, f.w, f.names, f.ts, []arrow.Record{rec}, f.o)
}

func (f *textFile) Close(context.Context) error {
	if f.closer != nil {
		if err := f.closer.Close(); err != nil {
			_ = f.out.Abort()
			return sqlerr.Wrap(err, sqlerr.IOError, "writing %s", f.p)
		}
	}
	return f.out.Close()
}

func (f *textFile) Abort() { _ = f.out.Abort() }

// writeTextRows renders rows as the format's text: TEXTFILE and TSV as
// LazySimpleSerDe reads them (\N for NULL), CSV as OpenCSVSerde reads
// them (every value quoted, NULL an empty field), JSON as one object per
// line keyed by column name.
func writeTextRows(ctx context.Context, w io.Writer, names []string, ts []types.T, recs []arrow.Record, o ctasOptions) error {
	if o.format == "JSON" {
		return writeJSONRows(ctx, w, names, ts, recs)
	}
	delim := byte(1)
	switch o.format {
	case "TSV":
		delim = '\t'
	case "CSV":
		delim = ','
	}
	if o.delimSet {
		delim = o.delim[0]
	}
	var line, field []byte
	apps := make([]types.TextAppender, len(ts))
	for _, r := range recs {
		if ctx.Err() != nil {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		for c, t := range ts {
			apps[c] = types.NewTextAppender(t, r.Column(c), nil)
		}
		line = line[:0]
		for i := 0; i < int(r.NumRows()); i++ {
			for c := range ts {
				if c > 0 {
					line = append(line, delim)
				}
				null := r.Column(c).IsNull(i)
				switch {
				case o.format == "CSV":
					if !null {
						field = apps[c](field[:0], i)
						line = append(line, '"')
						for _, ch := range field {
							if ch == '\\' || ch == '"' {
								line = append(line, '\\')
							}
							line = append(line, ch)
						}
						line = append(line, '"')
					}
				case null:
					line = append(line, `\N`...)
				default:
					at := len(line)
					line = apps[c](line, i)
					if v := line[at:]; o.escape != 0 || !o.raw && needsLazyEscape(v, delim) {
						var err error
						if line, err = escapeLazy(line, at, delim, o, names[c]); err != nil {
							return err
						}
					}
				}
			}
			line = append(line, '\n')
			if len(line) >= 64<<10 {
				if _, err := w.Write(line); err != nil {
					return sqlerr.Wrap(err, sqlerr.IOError, "writing a table file")
				}
				line = line[:0]
			}
		}
		if _, err := w.Write(line); err != nil {
			return sqlerr.Wrap(err, sqlerr.IOError, "writing a table file")
		}
	}
	return nil
}

// needsLazyEscape reports whether a value cannot be written as it is
// in a LazySimpleSerDe line: it holds the delimiter or a line end, or
// is the NULL token.
func needsLazyEscape(v []byte, delim byte) bool {
	return bytes.IndexByte(v, delim) >= 0 || bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0 || string(v) == `\N`
}

// escapeLazy rewrites the value at line[at:] with o's escape character
// before the delimiter, itself and (escapeCRLF) line ends written as
// \n and \r. Without an escape character such a value is an error: it
// would read back as other rows or fields, or as NULL.
func escapeLazy(line []byte, at int, delim byte, o ctasOptions, column string) ([]byte, error) {
	v := line[at:]
	e := o.escape
	if e == 0 || !o.escapeCRLF && (bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0) {
		return nil, sqlerr.New(sqlerr.DataException, "a value of column \"%s\" holds the field delimiter, a line end or \\N, which this text table (no escape.delim and serialization.escape.crlf) cannot hold", column)
	}
	if bytes.IndexByte(v, e) < 0 && bytes.IndexByte(v, delim) < 0 && bytes.IndexByte(v, '\n') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return line, nil
	}
	val := append([]byte(nil), v...)
	line = line[:at]
	for _, c := range val {
		switch {
		case c == '\n':
			line = append(line, e, 'n')
		case c == '\r':
			line = append(line, e, 'r')
		case c == e || c == delim:
			line = append(line, e, c)
		default:
			line = append(line, c)
		}
	}
	return line, nil
}

// writeJSONRows writes rows as one JSON object per line.
func writeJSONRows(ctx context.Context, w io.Writer, names []string, ts []types.T, recs []arrow.Record) error {
	var line strings.Builder
	keys := make([][]byte, len(names))
	for c, n := range names {
		keys[c], _ = json.Marshal(n)
	}
	for _, r := range recs {
		if ctx.Err() != nil {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		for i := 0; i < int(r.NumRows()); i++ {
			line.Reset()
			line.WriteByte('{')
			for c, t := range ts {
				if c > 0 {
					line.WriteByte(',')
				}
				line.Write(keys[c])
				line.WriteByte(':')
				functions.AppendJSON(&line, t, types.GetValue(t, r.Column(c), i))
			}
			line.WriteString("}\n")
			if _, err := io.WriteString(w, line.String()); err != nil {
				return sqlerr.Wrap(err, sqlerr.IOError, "writing a table file")
			}
		}
	}
	return nil
}

// unload runs Athena's UNLOAD (SELECT …) TO 'location' WITH (format,
// compression, field_delimiter, partitioned_by): the rows as files of
// that format under an empty location, and no table. On local disk the
// files are written into a hidden folder beside the location, which is
// renamed into place at the end: readers see all of it or none. S3 has
// no rename; there each file appears whole as it is uploaded, and what a
// killed UNLOAD wrote is removed at the next start.
func (s *Session) unload(ctx context.Context, x *ast.Unload, params []types.Value) (*Result, error) {
	if x.Redshift {
		return s.unloadRedshift(ctx, x, params)
	}
	var opts []ast.Option
	for _, o := range x.Options {
		if o.Name == "compression" {
			o.Name = "write_compression"
		}
		if o.Name == "external_location" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "UNLOAD option %s is not supported", o.Name)
		}
		opts = append(opts, o)
	}
	o, err := parseCTASOptions(opts)
	if err != nil {
		return nil, err
	}
	o.raw = true // UNLOAD's text is Athena's: values as they are
	loc := strings.TrimSuffix(x.To, "/")
	if err := s.requireServerFiles(ctx, true, "UNLOAD to a location"); err != nil {
		return nil, err
	}
	if err := s.checkScheme(loc); err != nil {
		return nil, err
	}
	n, params, names, ts, err := s.planUnload(ctx, x, params)
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	nd := len(cols) - len(o.parts)
	for i, p := range o.parts {
		if nd < 1 || names[nd+i] != p {
			return nil, sqlerr.New(invalidTableDefinition, "partitioned_by columns must be the query's last columns, in order, after at least one other: \"%s\" is not column %d", p, nd+i+1)
		}
	}
	if _, err := checkBuckets("the UNLOAD", o.bucketBy, o.buckets, names[:nd], ts[:nd]); err != nil {
		return nil, err
	}
	fsys := s.fs()
	if err := requireEmpty(ctx, fsys, loc, "UNLOAD"); err != nil {
		return nil, err
	}
	qid := managed.NewID()
	target := loc
	renamer, local := storage.FolderRenamerOf(fsys, loc)
	if local {
		target = storage.Dir(loc) + "/." + storage.Base(loc) + ".lakeq-" + qid
	}
	lw := &lakeWrite{fsys: fsys, loc: target, qid: qid, intent: s.eng.staging.Begin(qid), o: o, parallel: s.eng.cfg.Workers}
	var rows int64
	if len(o.parts) == 0 && len(o.bucketBy) == 0 {
		// files written as the query runs, by every worker
		sink := &fileSink{ts: ts, perFile: managed.FileRows, open: lw.fileWriter(names, ts)}
		if err := s.runInto(ctx, n, params, sink); err != nil {
			lw.abort()
			return nil, err
		}
		rows = sink.rows
	} else {
		recs, err := s.runPlan(ctx, n, params)
		if err != nil {
			lw.abort()
			return nil, err
		}
		if recs, err = conformRecords(s.execCtx(ctx, nil), recs, ts); err != nil {
			lw.abort()
			return nil, err
		}
		if rows, _, err = lw.write(ctx, names, ts, nd, recs); err != nil {
			lw.abort()
			return nil, err
		}
	}
	if local && len(lw.written) > 0 {
		if err := renamer.RenameFolder(target, loc); err != nil {
			lw.abort()
			return nil, err
		}
	}
	lw.done()
	s.eng.invalidate(loc)
	return &Result{Tag: "UNLOAD", Rows: rows, Notices: []string{fmt.Sprintf("UNLOAD completed, %d record(s) unloaded successfully.", rows)}}, nil
}

// planUnload plans an UNLOAD's query: the plan, its parameters, and
// the columns' names and types (an unknown literal is text).
func (s *Session) planUnload(ctx context.Context, x *ast.Unload, params []types.Value) (planner.Node, []types.Value, []string, []types.T, error) {
	n, b, err := s.plan(ctx, x.Query, x.QuerySQL, params)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if params, err = s.convertParams(b, params); err != nil {
		return nil, nil, nil, nil, err
	}
	cols := n.Columns()
	names := make([]string, len(cols))
	ts := make([]types.T, len(cols))
	for i, c := range cols {
		names[i], ts[i] = c.Name, c.Type
		if ts[i].Kind == types.Unknown {
			ts[i] = types.TextT
		}
	}
	return n, params, names, ts, nil
}

// writeOptionsOf is how files of an external table are written, from its
// storage descriptor; what lakeq cannot write as the table reads it is
// 0A000.
func writeOptionsOf(t *catalog.Table) (ctasOptions, error) {
	sd := t.Storage
	o := ctasOptions{}
	refuse := func(what string) (ctasOptions, error) {
		return o, sqlerr.New(sqlerr.FeatureNotSupported, "INSERT into external table \"%s\": %s is not supported", t.Name, what)
	}
	switch sd.SerDe {
	case catalog.SerDeParquet:
		o.format = "PARQUET"
	case catalog.SerDeHiveJSON, catalog.SerDeOpenXJSON:
		o.format = "JSON"
		for k := range sd.SerDeParams {
			if strings.HasPrefix(k, "mapping.") {
				return refuse("a JSON SerDe with key mappings")
			}
		}
	case catalog.SerDeOpenCSV:
		o.format = "CSV"
		if d, ok := sd.SerDeParams["separatorChar"]; ok {
			o.delim, o.delimSet = d, true
		}
		for _, k := range []string{"quoteChar", "escapeChar"} {
			if v, ok := sd.SerDeParams[k]; ok && v != map[string]string{"quoteChar": `"`, "escapeChar": `\`}[k] {
				return refuse("OpenCSVSerde with " + k + " " + v)
			}
		}
	case catalog.SerDeLazySimple:
		o.format = "TEXTFILE"
		d, ok := sd.SerDeParams["field.delim"]
		if !ok {
			d = "\x01"
		}
		if len(d) != 1 {
			return refuse("field.delim " + d)
		}
		o.delim, o.delimSet = d, true
		if e, ok := sd.SerDeParams["escape.delim"]; ok {
			if len(e) != 1 {
				return refuse("escape.delim " + e)
			}
			o.escape = e[0]
			o.escapeCRLF = strings.EqualFold(sd.SerDeParams["serialization.escape.crlf"], "true")
		}
		if _, ok := sd.SerDeParams["serialization.null.format"]; ok {
			return refuse("serialization.null.format")
		}
	default:
		return refuse("SerDe " + sd.SerDe)
	}
	if _, ok := t.Parameters["skip.header.line.count"]; ok {
		return refuse("skip.header.line.count")
	}
	if c, ok := t.Parameters["compressionType"]; ok && !strings.EqualFold(c, "none") {
		return refuse("compressionType " + c)
	}
	if len(sd.BucketColumns) > 0 && !hiveBucketingV1(t.Parameters) {
		return refuse("bucketing_version " + t.Parameters["bucketing_version"] + " (lakeq writes Hive's version 1 hash)")
	}
	o.bucketBy, o.buckets = sd.BucketColumns, sd.NumBuckets
	return o, nil
}

// externalTarget is how an INSERT or COPY writes external table t: its
// write options, and its columns without the pseudo ones ($path …).
func (s *Session) externalTarget(ctx context.Context, t *catalog.Table, what string) (ctasOptions, *planner.Table, error) {
	o, err := writeOptionsOf(t)
	if err != nil {
		return o, nil, err
	}
	if proj, err := catalog.ParseProjection(t.Parameters, keyNames(t)); err != nil {
		return o, nil, err
	} else if proj != nil {
		return o, nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s into external table \"%s\": a table with partition projection is not supported", what, t.Name)
	}
	pt, err := s.planTable(ctx, t)
	if err != nil {
		return o, nil, err
	}
	target := *pt
	target.Columns = nil
	for _, c := range pt.Columns {
		if !c.Pseudo {
			target.Columns = append(target.Columns, c)
		}
	}
	return o, &target, nil
}

// insertExternal runs INSERT INTO an external table: the rows as new
// files in the table's format, under its location or its partitions'
// folders, with new partitions registered. Files are written under
// hidden names and renamed at the end on local disk; on S3 each appears
// whole as it is uploaded. A killed INSERT's hidden files are removed at
// the next start.
func (s *Session) insertExternal(ctx context.Context, x *ast.Insert, t *catalog.Table, sql string, params []types.Value) (*Result, error) {
	if len(x.Returning) > 0 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "INSERT ... RETURNING is not supported")
	}
	o, target, err := s.externalTarget(ctx, t, "INSERT")
	if err != nil {
		return nil, err
	}
	b := s.binder(ctx, sql)
	n, err := b.BindInsert(target, x.Columns, x.Query)
	if err != nil {
		return nil, err
	}
	recs, err := s.runBound(ctx, b, n, params)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(target.Columns))
	ts := make([]types.T, len(target.Columns))
	for i, c := range target.Columns {
		names[i], ts[i] = c.Name, c.Type
	}
	if recs, err = conformRecords(s.execCtx(ctx, nil), recs, ts); err != nil {
		return nil, err
	}
	rows, err := s.writeExternal(ctx, t, o, names, ts, recs)
	if err != nil {
		return nil, err
	}
	return &Result{Tag: fmt.Sprintf("INSERT 0 %d", rows), Rows: rows}, nil
}

// writeExternal writes rows (of names/ts, partition keys last) as new
// files of external table t, and registers new partitions.
func (s *Session) writeExternal(ctx context.Context, t *catalog.Table, o ctasOptions, names []string, ts []types.T, recs []arrow.Record) (int64, error) {
	o.parts = keyNames(t)
	fsys := s.fs()
	_, local := storage.FolderRenamerOf(fsys, t.Storage.Location)
	qid := managed.NewID()
	lw := &lakeWrite{fsys: fsys, loc: strings.TrimSuffix(t.Storage.Location, "/"), qid: qid, intent: s.eng.staging.Begin(qid), o: o, hidden: local, parallel: s.eng.cfg.Workers}
	var into []catalog.Partition // registered partitions written into
	lw.partDir = func(values []string) (string, bool, error) {
		ps, err := s.eng.store.LookupPartitions(ctx, t.Database, t.Name, values)
		if err != nil || len(ps) == 0 {
			return "", false, err
		}
		into = append(into, ps[0])
		return ps[0].Location, true, nil
	}
	rows, parts, err := lw.write(ctx, names, ts, len(t.Columns), recs)
	if err != nil {
		lw.abort()
		return 0, err
	}
	for i, r := range lw.renames {
		fr, _ := storage.FolderRenamerOf(fsys, r[0])
		if err := fr.RenameFolder(r[0], r[1]); err != nil {
			for _, done := range lw.renames[:i] {
				_ = fsys.Delete(ctx, done[1])
			}
			lw.abort()
			return 0, err
		}
	}
	// an INSERT OVERWRITE that replaced a partition meanwhile pointed it
	// elsewhere: these files would be lost in its old folder
	for _, p := range into {
		ps, err := s.eng.store.LookupPartitions(ctx, t.Database, t.Name, p.Values)
		if err == nil && (len(ps) == 0 || ps[0].Location != p.Location) {
			err = sqlerr.New(sqlerr.SerializationFailure, "could not insert into partition %s of \"%s\": it was replaced concurrently", strings.Join(p.Values, "/"), t.Name)
		}
		if err != nil {
			for _, r := range lw.renames {
				_ = fsys.Delete(ctx, r[1])
			}
			lw.abort()
			return 0, err
		}
	}
	if len(parts) > 0 {
		if _, err := s.eng.store.AddPartitions(ctx, t.Database, t.Name, parts); err != nil {
			lw.done() // the files are in place; MSCK REPAIR finds their partitions
			return 0, err
		}
	}
	lw.done()
	s.eng.invalidate(lw.loc)
	return rows, nil
}
