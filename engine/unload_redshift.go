package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// rsUnload is Redshift's UNLOAD ('query') TO 'prefix' options.
type rsUnload struct {
	format                    string // TEXT, CSV, PARQUET, JSON
	delim                     byte
	null                      string
	header, addQuotes, escape bool
	allowOverwrite, cleanPath bool
	parallel                  bool
	codec                     string // GZIP, BZIP2, ZSTD, ""
	maxFile                   int64
	manifest, verbose         bool
	ext                       string
	parts                     []string
	include                   bool
}

func parseRSUnload(opts []ast.Option) (rsUnload, error) {
	u := rsUnload{format: "TEXT", delim: '|', parallel: true, maxFile: 6200 << 20}
	delimSet := false
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.Name] {
			return u, sqlerr.New(sqlerr.SyntaxError, "UNLOAD option %s given twice", o.Name)
		}
		seen[o.Name] = true
		switch o.Name {
		case "FORMAT":
			switch o.Value {
			case "CSV", "PARQUET", "JSON":
				u.format = o.Value
			default:
				return u, sqlerr.New(sqlerr.FeatureNotSupported, "UNLOAD FORMAT %s is not supported (CSV, PARQUET, JSON or delimited text)", o.Value)
			}
		case "DELIMITER":
			c, ok := redshiftChar(o.Value)
			if !ok {
				return u, sqlerr.New(sqlerr.InvalidParameterValue, "UNLOAD DELIMITER must be a single one-byte character")
			}
			u.delim, delimSet = c, true
		case "NULL":
			u.null = o.Value
		case "HEADER":
			u.header = true
		case "ADDQUOTES":
			u.addQuotes = true
		case "ESCAPE":
			u.escape = true
		case "ALLOWOVERWRITE":
			u.allowOverwrite = true
		case "CLEANPATH":
			u.cleanPath = true
		case "GZIP", "BZIP2", "ZSTD":
			if u.codec != "" {
				return u, sqlerr.New(sqlerr.SyntaxError, "UNLOAD takes one compression option")
			}
			u.codec = o.Name
		case "PARALLEL":
			u.parallel = o.Value == "ON"
		case "MAXFILESIZE":
			f := strings.Fields(o.Value)
			n, err := strconv.ParseFloat(f[0], 64)
			mult := float64(1 << 20)
			if f[1] == "GB" {
				mult = 1 << 30
			}
			if err != nil || n*mult < 5<<20 || n*mult > 6.2*(1<<30) {
				return u, sqlerr.New(sqlerr.InvalidParameterValue, "UNLOAD MAXFILESIZE must be between 5 MB and 6.2 GB, not %s", o.Value)
			}
			u.maxFile = int64(n * mult)
		case "MANIFEST":
			u.manifest, u.verbose = true, o.Value == "VERBOSE"
		case "EXTENSION":
			u.ext = strings.TrimPrefix(o.Value, ".")
		case "PARTITION":
			u.parts = strings.Split(o.Value, ",")
		case "INCLUDE":
			u.include = true
		case "IAM_ROLE", "CREDENTIALS", "REGION", "KMS_KEY_ID", "ENCRYPTED":
			return u, sqlerr.New(sqlerr.FeatureNotSupported, "UNLOAD option %s is not supported: lakeq writes S3 with its own credentials (the AWS chain, --s3-* flags or SET s3_…)", o.Name)
		default:
			return u, sqlerr.New(sqlerr.FeatureNotSupported, "UNLOAD option %s is not supported", o.Name)
		}
	}
	if u.format == "CSV" && !delimSet {
		u.delim = ','
	}
	conflict := func(a, b string) error {
		return sqlerr.New(sqlerr.SyntaxError, "UNLOAD options %s and %s are not compatible", a, b)
	}
	switch u.format {
	case "PARQUET", "JSON":
		for _, k := range []string{"DELIMITER", "HEADER", "ADDQUOTES", "ESCAPE", "NULL", "FIXEDWIDTH"} {
			if seen[k] {
				return u, conflict(u.format, k)
			}
		}
		if u.format == "PARQUET" && u.codec != "" {
			return u, conflict("PARQUET", u.codec)
		}
	case "CSV":
		for _, k := range []string{"ADDQUOTES", "ESCAPE"} {
			if seen[k] {
				return u, conflict("CSV", k)
			}
		}
	}
	if u.include && len(u.parts) == 0 {
		return u, sqlerr.New(sqlerr.SyntaxError, "UNLOAD INCLUDE needs PARTITION BY")
	}
	if len(u.parts) > 0 && !u.parallel {
		// Redshift writes a partitioned unload in parallel only
		return u, conflict("PARTITION BY", "PARALLEL OFF")
	}
	return u, nil
}

// unloadRedshift runs UNLOAD ('query') TO 'prefix': files named
// <prefix><slice>_part_<nn>[.ext] (PARALLEL ON: one or more per slice, as
// the query's workers produce rows) or <prefix><nnn> (PARALLEL OFF: one
// ordered stream, a new file past MAXFILESIZE), optionally a manifest
// <prefix>manifest. Existing objects under the prefix are an error unless
// ALLOWOVERWRITE or CLEANPATH. Files appear whole; on failure every file
// written is removed, and a killed UNLOAD's are removed at the next start.
func (s *Session) unloadRedshift(ctx context.Context, x *ast.Unload, params []types.Value) (*Result, error) {
	u, err := parseRSUnload(x.Options)
	if err != nil {
		return nil, err
	}
	if err := s.requireServerFiles(ctx, true, "UNLOAD to a location"); err != nil {
		return nil, err
	}
	if err := s.checkScheme(x.To); err != nil {
		return nil, err
	}
	n, params, names, ts, err := s.planUnload(ctx, x, params)
	if err != nil {
		return nil, err
	}
	partIdx := make([]int, len(u.parts))
	for i, p := range u.parts {
		partIdx[i] = -1
		for j, n := range names {
			if n == p {
				partIdx[i] = j
			}
		}
		if partIdx[i] < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "PARTITION BY column \"%s\" is not a column of the UNLOAD query", p)
		}
	}
	fsys := s.fs()
	var existing []string
	err = fsys.List(ctx, x.To, "", func(p storage.ListPage) error {
		for _, o := range p.Objects {
			existing = append(existing, o.Path)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 && !u.allowOverwrite && !u.cleanPath {
		return nil, sqlerr.New(sqlerr.DuplicateObject, "UNLOAD: \"%s\" already holds %d file(s), e.g. \"%s\"; use ALLOWOVERWRITE or CLEANPATH", x.To, len(existing), existing[0])
	}
	qid := managed.NewID()
	w := &rsWriter{s: s, fsys: fsys, u: u, prefix: x.To, names: names, ts: ts, intent: s.eng.staging.Begin(qid)}
	if len(u.parts) > 0 {
		err = w.writePartitioned(ctx, s, n, params, partIdx)
	} else if u.parallel {
		sink := &fileSink{ts: ts, perFile: managed.FileRows, open: w.sliceFiles}
		err = s.runInto(ctx, n, params, sink)
	} else {
		var recs []arrow.Record
		if recs, err = s.runPlan(ctx, n, params); err == nil {
			if recs, err = conformRecords(s.execCtx(ctx, nil), recs, ts); err == nil {
				err = w.writeSerial(ctx, recs)
			}
		}
	}
	if err == nil && u.cleanPath {
		// the old files go once the new ones are all there
		var old []string
		mine := map[string]bool{}
		for _, f := range w.files {
			mine[f.path] = true
		}
		for _, p := range existing {
			if !mine[p] {
				old = append(old, p)
			}
		}
		err = fsys.Delete(ctx, old...)
	}
	if err == nil && u.manifest {
		err = w.writeManifest(ctx)
	}
	if err != nil {
		w.abort()
		return nil, err
	}
	if w.intent != nil {
		w.intent.Remove()
	}
	s.eng.invalidate(storage.Dir(x.To))
	return &Result{Tag: "UNLOAD", Rows: w.rows, Notices: []string{fmt.Sprintf("UNLOAD completed, %d record(s) unloaded successfully.", w.rows)}}, nil
}

type rsFile struct {
	path       string
	size, rows int64
}

// rsWriter writes an UNLOAD's files; writeSlice is safe for concurrent use.
type rsWriter struct {
	s      *Session
	fsys   storage.FileSystem
	u      rsUnload
	prefix string
	names  []string
	ts     []types.T
	intent *managed.Intent

	mu    sync.Mutex
	slice int
	files []rsFile
	rows  int64
}

func (w *rsWriter) ext() string {
	if w.u.ext != "" {
		return "." + w.u.ext
	}
	e := map[string]string{"PARQUET": ".parquet"}[w.u.format]
	return e + map[string]string{"GZIP": ".gz", "BZIP2": ".bz2", "ZSTD": ".zst"}[w.u.codec]
}

func (w *rsWriter) note(p string) error {
	if w.intent == nil {
		return nil
	}
	return w.intent.Add(storage.Dir(p), storage.Base(p))
}

// sliceFiles opens, for each worker file of the fileSink, the next
// slice's files (<prefix><slice>_part_<nn>), written as the rows arrive.
func (w *rsWriter) sliceFiles(ctx context.Context) (rowFile, error) {
	w.mu.Lock()
	sl := w.slice
	w.slice++
	w.mu.Unlock()
	return w.rolling(func(part int) string { return fmt.Sprintf("%s%04d_part_%02d%s", w.prefix, sl, part, w.ext()) }), nil
}

// writeSerial writes the rows in order (PARALLEL OFF).
func (w *rsWriter) writeSerial(ctx context.Context, recs []arrow.Record) error {
	return w.writeRolling(ctx, recs, func(part int) string { return fmt.Sprintf("%s%03d%s", w.prefix, part, w.ext()) })
}

// writeRolling writes recs to name(0), name(1)… (see rsRolling).
func (w *rsWriter) writeRolling(ctx context.Context, recs []arrow.Record, name func(int) string) error {
	r := w.rolling(name)
	for _, rec := range recs {
		if err := r.Write(ctx, rec); err != nil {
			r.Abort()
			return err
		}
	}
	return r.Close(ctx)
}

func (w *rsWriter) rolling(name func(int) string) *rsRolling {
	return &rsRolling{w: w, name: name}
}

// rsRolling writes rows to name(0), name(1)… as they arrive, starting a
// new file once one passes MAXFILESIZE (text: by bytes written; Parquet:
// by the rows' estimated size). Not safe for concurrent use.
type rsRolling struct {
	w    *rsWriter
	name func(int) string
	part int
	cur  rsFile // the open file's
	open bool
	// Parquet
	pq      rowFile
	bytesIn int64
	// text
	out  storage.Writer
	cw   *countingWriter
	z    io.WriteCloser
	line []byte
}

func (r *rsRolling) start(ctx context.Context) error {
	w := r.w
	r.cur = rsFile{path: r.name(r.part)}
	r.part++
	if err := w.note(r.cur.path); err != nil {
		return err
	}
	if w.u.format == "PARQUET" {
		f, err := createLakeFile(ctx, w.fsys, r.cur.path, w.names, w.ts, ctasOptions{format: "PARQUET"})
		if err != nil {
			return err
		}
		r.pq, r.bytesIn, r.open = f, 0, true
		return nil
	}
	out, err := w.fsys.Create(ctx, r.cur.path)
	if err != nil {
		return err
	}
	r.out, r.open = out, true
	r.cw = &countingWriter{w: out}
	r.z = nopWriteCloser{r.cw}
	switch w.u.codec {
	case "GZIP":
		r.z = gzip.NewWriter(r.cw)
	case "ZSTD":
		if r.z, err = zstd.NewWriter(r.cw, zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(lqparquet.ZstdLevel))); err != nil {
			return err
		}
	case "BZIP2":
		return sqlerr.New(sqlerr.FeatureNotSupported, "UNLOAD BZIP2 is not supported (GZIP or ZSTD)")
	}
	if w.u.header {
		var line []byte
		for i, n := range w.names {
			if i > 0 {
				line = append(line, w.u.delim)
			}
			line = w.field(line, n, w.ts[i], false)
		}
		_, err = r.z.Write(append(line, '\n'))
	}
	return err
}

// finish commits the open file.
func (r *rsRolling) finish(ctx context.Context) error {
	if !r.open {
		return nil
	}
	r.open = false
	if r.pq != nil {
		pq := r.pq
		r.pq = nil
		if err := pq.Close(ctx); err != nil {
			return err
		}
		info, err := r.w.fsys.Stat(ctx, r.cur.path)
		if err != nil {
			return err
		}
		r.cur.size = info.Size
		r.w.done(r.cur)
		return nil
	}
	out := r.out
	r.out = nil
	if err := r.z.Close(); err != nil {
		_ = out.Abort()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	r.cur.size = r.cw.n
	r.w.done(r.cur)
	return nil
}

func (r *rsRolling) Write(ctx context.Context, rec arrow.Record) error {
	if ctx.Err() != nil {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	w := r.w
	if w.u.format == "PARQUET" {
		if rec.NumRows() == 0 {
			return nil
		}
		if !r.open {
			if err := r.start(ctx); err != nil {
				return err
			}
		}
		if err := r.pq.Write(ctx, rec); err != nil {
			return err
		}
		r.cur.rows += rec.NumRows()
		r.bytesIn += recordBytes(rec)
		if r.bytesIn >= w.u.maxFile {
			return r.finish(ctx)
		}
		return nil
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		if !r.open {
			if err := r.start(ctx); err != nil {
				return err
			}
		}
		r.line = w.row(r.line[:0], rec, i)
		if _, err := r.z.Write(r.line); err != nil {
			return sqlerr.Wrap(err, sqlerr.IOError, "writing \"%s\"", r.cur.path)
		}
		r.cur.rows++
		if r.cw.n >= w.u.maxFile {
			if err := r.finish(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *rsRolling) Close(ctx context.Context) error { return r.finish(ctx) }

// Abort abandons the open file; the ones committed are the rsWriter's to
// remove (abort).
func (r *rsRolling) Abort() {
	if !r.open {
		return
	}
	r.open = false
	if r.pq != nil {
		r.pq.Abort()
		r.pq = nil
		return
	}
	_ = r.out.Abort()
	r.out = nil
}

// writePartitioned runs the query and writes each partition's rows under
// <prefix><k>=<v>/…/ as <slice>_part_<nn> files; the partition columns
// stay in the files only with INCLUDE.
func (w *rsWriter) writePartitioned(ctx context.Context, s *Session, n planner.Node, params []types.Value, partIdx []int) error {
	recs, err := s.runPlan(ctx, n, params)
	if err != nil {
		return err
	}
	if recs, err = conformRecords(s.execCtx(ctx, nil), recs, w.ts); err != nil {
		return err
	}
	isPart := map[int]bool{}
	for _, i := range partIdx {
		isPart[i] = true
	}
	var order []int // data columns, then the partition columns
	for i := range w.ts {
		if w.u.include || !isPart[i] {
			order = append(order, i)
		}
	}
	nd := len(order)
	if nd == 0 {
		return sqlerr.New(sqlerr.InvalidParameterValue, "UNLOAD … PARTITION BY needs a column outside the partition columns, or INCLUDE")
	}
	order = append(order, partIdx...)
	names := make([]string, len(order))
	ts := make([]types.T, len(order))
	for k, i := range order {
		names[k], ts[k] = w.names[i], w.ts[i]
	}
	re := make([]arrow.Record, len(recs))
	for j, r := range recs {
		cols := make([]arrow.Array, len(order))
		fields := make([]arrow.Field, len(order))
		for k, i := range order {
			cols[k], fields[k] = r.Column(i), r.Schema().Field(i)
			fields[k].Name = names[k]
		}
		re[j] = array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows())
	}
	w.names, w.ts = names[:nd], ts[:nd]
	for _, g := range partitionRows(re, ts, nd) {
		dir := w.prefix
		for k, v := range g.values {
			dir += names[nd+k] + "=" + escapePartValue(v) + "/"
		}
		if err := w.writeRolling(ctx, g.recs, func(part int) string { return fmt.Sprintf("%s0000_part_%02d%s", dir, part, w.ext()) }); err != nil {
			return err
		}
	}
	return nil
}

func (w *rsWriter) done(f rsFile) {
	w.mu.Lock()
	w.files = append(w.files, f)
	w.rows += f.rows
	w.mu.Unlock()
}

// row renders one row in the UNLOAD's text format, with its newline.
func (w *rsWriter) row(line []byte, r arrow.Record, i int) []byte {
	if w.u.format == "JSON" {
		var b strings.Builder
		b.WriteByte('{')
		for c, t := range w.ts {
			if c > 0 {
				b.WriteByte(',')
			}
			key, _ := json.Marshal(w.names[c])
			b.Write(key)
			b.WriteByte(':')
			functions.AppendJSON(&b, t, types.GetValue(t, r.Column(c), i))
		}
		b.WriteString("}\n")
		return append(line, b.String()...)
	}
	for c, t := range w.ts {
		if c > 0 {
			line = append(line, w.u.delim)
		}
		v := types.GetValue(t, r.Column(c), i)
		if v == nil {
			line = append(line, w.u.null...)
			continue
		}
		line = w.field(line, types.FormatText(t, v), t, true)
	}
	return append(line, '\n')
}

// field renders one value: CSV quotes it when it must; text adds quotes
// with ADDQUOTES and backslashes with ESCAPE.
func (w *rsWriter) field(line []byte, s string, t types.T, _ bool) []byte {
	switch {
	case w.u.format == "CSV":
		if strings.ContainsAny(s, "\"\n\r"+string(w.u.delim)) || s == "" && w.u.null == "" {
			line = append(line, '"')
			line = append(line, strings.ReplaceAll(s, `"`, `""`)...)
			return append(line, '"')
		}
		return append(line, s...)
	case w.u.escape:
		if w.u.addQuotes {
			line = append(line, '"')
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c == w.u.delim || c == '\n' || c == '\r' || c == '\\' || w.u.addQuotes && c == '"' {
				line = append(line, '\\')
			}
			line = append(line, c)
		}
		if w.u.addQuotes {
			line = append(line, '"')
		}
		return line
	case w.u.addQuotes:
		line = append(line, '"')
		line = append(line, s...)
		return append(line, '"')
	}
	return append(line, s...)
}

// writeManifest writes <prefix>manifest, Redshift's: the files' URLs,
// and with VERBOSE their sizes and row counts, the columns and the author.
func (w *rsWriter) writeManifest(ctx context.Context) error {
	type meta struct {
		ContentLength int64 `json:"content_length"`
		RecordCount   int64 `json:"record_count"`
	}
	type entry struct {
		URL  string `json:"url"`
		Meta *meta  `json:"meta,omitempty"`
	}
	m := struct {
		Entries []entry `json:"entries"`
		Schema  any     `json:"schema,omitempty"`
		Author  any     `json:"author,omitempty"`
		Meta    *meta   `json:"meta,omitempty"`
	}{}
	var total meta
	for _, f := range w.files {
		e := entry{URL: f.path}
		if w.u.verbose {
			e.Meta = &meta{ContentLength: f.size, RecordCount: f.rows}
		}
		total.ContentLength += f.size
		total.RecordCount += f.rows
		m.Entries = append(m.Entries, e)
	}
	if m.Entries == nil {
		m.Entries = []entry{}
	}
	if w.u.verbose {
		type col struct {
			Name string `json:"name"`
			Type struct {
				Base string `json:"base"`
			} `json:"type"`
		}
		var elems []col
		for i, n := range w.names {
			c := col{Name: n}
			c.Type.Base = w.ts[i].String()
			elems = append(elems, c)
		}
		m.Schema = map[string]any{"elements": elems}
		m.Author = map[string]string{"name": "lakeq", "version": functions.ServerVersion}
		m.Meta = &total
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	p := w.prefix + "manifest"
	if err := w.note(p); err != nil {
		return err
	}
	out, err := w.fsys.Create(ctx, p)
	if err != nil {
		return err
	}
	if _, err := out.Write(append(b, '\n')); err != nil {
		_ = out.Abort()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	w.files = append(w.files, rsFile{path: p})
	return nil
}

// abort removes every file written.
func (w *rsWriter) abort() {
	var ps []string
	for _, f := range w.files {
		ps = append(ps, f.path)
	}
	_ = w.fsys.Delete(context.Background(), ps...)
	if w.intent != nil {
		w.intent.Remove()
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// recordBytes estimates a batch's in-memory size.
func recordBytes(r arrow.Record) int64 {
	var n int64
	for _, c := range r.Columns() {
		for _, b := range c.Data().Buffers() {
			if b != nil {
				n += int64(b.Len())
			}
		}
	}
	return n
}
