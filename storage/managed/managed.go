// Package managed stores lakeq's managed tables as lake files: Parquet
// files under the table's location, listed by immutable snapshots. The
// catalog names a table's current snapshot; a write publishes a new one
// by swapping that name in one catalog update checked against the
// version it read (the engine does the swap), so of two writers exactly
// one wins and the other's files are never referenced.
//
// Layout under a table's location (a local folder or an s3:// prefix):
//
//	data/<query id>-<n>.parquet   data files, written once, never changed
//	_lakeq/snap-<seq>-<query id>.json  snapshots: the files of one version
//
// Every file is written through storage.FileSystem.Create, so it is
// durable (fsynced, or a completed upload) before a snapshot names it,
// and a snapshot is durable before the catalog names it. Names starting
// with '_' are skipped by lake readers, so a snapshot never reads as data.
//
// Concurrency: a Table value is immutable and safe for concurrent use; a
// Writer belongs to one statement.
package managed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// SnapshotKey is the catalog table parameter naming the current snapshot
// (a file name under _lakeq/; absent or empty: the table is empty).
const SnapshotKey = "lakeq.snapshot"

// FileRows is the most rows one data file holds; a large write is split.
const FileRows = 1 << 20

// SmallFile is the size under which data files are folded together by
// compaction once there are CompactFiles of them.
const (
	SmallFile    = 4 << 20
	CompactFiles = 64
)

// GarbageGrace is how long a file a snapshot no longer names is kept, so
// queries that started on an older snapshot can finish reading it.
const GarbageGrace = 5 * time.Minute

// File is one data file of a snapshot, its path relative to the table's
// location, with what readers need to open it without a request.
type File struct {
	Path    string    `json:"path"`
	Rows    int64     `json:"rows"`
	Size    int64     `json:"size"`
	ETag    string    `json:"etag,omitempty"`
	ModTime time.Time `json:"mtime"`
}

// Garbage is a file a snapshot dropped, kept until Since + GarbageGrace.
type Garbage struct {
	Path  string    `json:"path"`
	Since time.Time `json:"since"`
}

// Snapshot is one version of a table: its data files.
type Snapshot struct {
	Seq     int64     `json:"seq"`
	Files   []File    `json:"files"`
	Garbage []Garbage `json:"garbage,omitempty"`
}

// Rows is the table's row count.
func (s Snapshot) Rows() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Rows
	}
	return n
}

// Bytes is the size of the table's data files.
func (s Snapshot) Bytes() int64 {
	var n int64
	for _, f := range s.Files {
		n += f.Size
	}
	return n
}

// Table is a managed table's storage: where it lives and its columns.
type Table struct {
	fs    storage.FileSystem
	loc   string // no trailing slash
	names []string
	cols  []types.T
}

// New returns the table at loc (a path or URL fs understands).
func New(fs storage.FileSystem, loc string, names []string, cols []types.T) *Table {
	return &Table{fs: fs, loc: strings.TrimSuffix(loc, "/"), names: names, cols: cols}
}

// Location is the table's folder.
func (t *Table) Location() string { return t.loc }

func (t *Table) abs(rel string) string { return t.loc + "/" + rel }

// NewID returns a fresh identifier for a write (16 hex digits).
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Snapshot reads the snapshot named name ("" is the empty table).
func (t *Table) Snapshot(ctx context.Context, name string) (Snapshot, error) {
	if name == "" {
		return Snapshot{}, nil
	}
	p := t.abs("_lakeq/" + name)
	f, err := t.fs.Open(ctx, p)
	if err != nil {
		return Snapshot{}, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading snapshot %s of table at %s", name, t.loc)
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return Snapshot{}, sqlerr.Wrap(err, sqlerr.IOError, "reading snapshot %s", p)
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return Snapshot{}, sqlerr.New(sqlerr.DataCorrupted, "snapshot %s is corrupt: %v", p, err)
	}
	return s, nil
}

// Infos are the snapshot's data files as readers open them.
func (t *Table) Infos(s Snapshot) []storage.FileInfo {
	out := make([]storage.FileInfo, len(s.Files))
	for i, f := range s.Files {
		out[i] = storage.FileInfo{Path: t.abs(f.Path), Size: f.Size, ModTime: f.ModTime, ETag: f.ETag}
	}
	return out
}

// Writer writes one statement's data files and snapshot. Nothing it
// writes is visible until the engine's catalog update names the
// snapshot; Abort deletes it all.
type Writer struct {
	t      *Table
	qid    string
	mu     sync.Mutex // n and files, written by parallel file writers
	n      int
	files  []File
	snaps  []string
	intent *Intent
	// Parallel is how many files Write writes at once (0 or 1: one at a
	// time); a write of many rows is split so that each gets a share.
	Parallel int
}

// NewWriter starts a write under query id qid, recorded in intent (nil:
// not recorded) so that a crash's leftovers can be found.
func (t *Table) NewWriter(qid string, intent *Intent) *Writer {
	return &Writer{t: t, qid: qid, intent: intent}
}

// Files are the data files written so far.
func (w *Writer) Files() []File { return w.files }

func (w *Writer) note(rel string) error {
	if w.intent == nil {
		return nil
	}
	return w.intent.Add(w.t.loc, rel)
}

// Write writes recs (of the table's columns) as new data files, up to
// Parallel of them at once.
func (w *Writer) Write(ctx context.Context, recs []arrow.Record) error {
	var total int64
	for _, r := range recs {
		total += r.NumRows()
	}
	per := int64(FileRows)
	if p := int64(max(w.Parallel, 1)); p > 1 {
		// give every writer a share, but not files of a few rows
		per = min(per, max((total+p-1)/p, minParallelRows))
	}
	type chunk struct {
		recs []arrow.Record
		rows int64
	}
	var chunks []chunk
	var cur chunk
	for _, r := range recs {
		if r.NumRows() == 0 {
			continue
		}
		cur.recs = append(cur.recs, r)
		cur.rows += r.NumRows()
		if cur.rows >= per {
			chunks, cur = append(chunks, cur), chunk{}
		}
	}
	if cur.rows > 0 {
		chunks = append(chunks, cur)
	}
	return Parallel(ctx, max(w.Parallel, 1), len(chunks), func(ctx context.Context, i int) error {
		return w.writeFile(ctx, chunks[i].recs, chunks[i].rows)
	})
}

// minParallelRows is the fewest rows worth a file of their own.
const minParallelRows = 128 << 10

// Parallel runs f(0…n-1), at most limit at a time; the first error
// cancels the others' context and is returned once all have stopped.
func Parallel(ctx context.Context, limit, n int, f func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	if limit <= 1 || n == 1 {
		for i := 0; i < n; i++ {
			if err := f(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		if ctx.Err() != nil {
			<-sem
			break
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}(i)
	}
	wg.Wait()
	return first
}

func (t *Table) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		fields[i] = arrow.Field{Name: t.names[i], Type: c.Arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// textInFile reports column types a file holds as their text: Parquet's
// INTERVAL is months, days and milliseconds and cannot keep PostgreSQL's
// microseconds (readers cast the text back to the declared type).
func textInFile(c types.T) bool { return c.Kind == types.Interval }

// fileSchema is the schema of the table's data files.
func (t *Table) fileSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		dt := c.Arrow()
		if textInFile(c) {
			dt = arrow.BinaryTypes.String
		}
		fields[i] = arrow.Field{Name: t.names[i], Type: dt, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// conform gives rec the file's schema.
func (t *Table) conform(rec arrow.Record) arrow.Record {
	cols := append([]arrow.Array(nil), rec.Columns()...)
	for i, c := range t.cols {
		if !textInFile(c) {
			continue
		}
		a := cols[i]
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.Reserve(a.Len())
		for j := 0; j < a.Len(); j++ {
			if a.IsNull(j) {
				b.AppendNull()
				continue
			}
			b.Append(types.FormatText(c, types.GetValue(c, a, j)))
		}
		cols[i] = b.NewArray()
		defer cols[i].Release() // the record holds its own reference
		b.Release()
	}
	return array.NewRecord(t.fileSchema(), cols, rec.NumRows())
}

// WriteFile writes recs (rows in all) as one data file; safe to call
// from several goroutines at once (a query's workers).
func (w *Writer) WriteFile(ctx context.Context, recs []arrow.Record, rows int64) error {
	return w.writeFile(ctx, recs, rows)
}

func (w *Writer) writeFile(ctx context.Context, recs []arrow.Record, rows int64) error {
	w.mu.Lock()
	rel := fmt.Sprintf("data/%s-%04d.parquet", w.qid, w.n)
	w.n++
	w.mu.Unlock()
	if err := w.note(rel); err != nil {
		return err
	}
	info, err := w.t.WriteParquet(ctx, w.t.abs(rel), recs, compress.Codecs.Snappy, 0)
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.files = append(w.files, File{Path: rel, Rows: rows, Size: info.Size, ETag: info.ETag, ModTime: info.ModTime})
	w.mu.Unlock()
	return nil
}

// Publish writes the snapshot that follows base: base's files and the
// written ones (replace: the written ones alone, base's become garbage),
// and returns its name. expired lists files whose grace is over: the
// caller deletes them once the snapshot is in the catalog (Collect).
//
// baseName is base's file name ("" for none): it becomes garbage too.
func (w *Writer) Publish(ctx context.Context, base Snapshot, baseName string, replace bool, drop []string) (name string, next Snapshot, expired []string, err error) {
	now := time.Now()
	next = Snapshot{Seq: base.Seq + 1}
	if baseName != "" {
		next.Garbage = append(next.Garbage, Garbage{Path: "_lakeq/" + baseName, Since: now})
	}
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	for _, f := range base.Files {
		if replace || gone[f.Path] {
			next.Garbage = append(next.Garbage, Garbage{Path: f.Path, Since: now})
			continue
		}
		next.Files = append(next.Files, f)
	}
	for _, g := range base.Garbage {
		if now.Sub(g.Since) > GarbageGrace {
			expired = append(expired, g.Path)
			continue
		}
		next.Garbage = append(next.Garbage, g)
	}
	next.Files = append(next.Files, w.files...)
	name = fmt.Sprintf("snap-%010d-%s.json", next.Seq, w.qid)
	rel := "_lakeq/" + name
	if err := w.note(rel); err != nil {
		return "", next, nil, err
	}
	b, _ := json.Marshal(next)
	p := w.t.abs(rel)
	out, err := w.t.fs.Create(ctx, p)
	if err != nil {
		return "", next, nil, sqlerr.Wrap(err, sqlerr.IOError, "writing snapshot %s", p)
	}
	if _, err := out.Write(b); err != nil {
		_ = out.Abort()
		return "", next, nil, sqlerr.Wrap(err, sqlerr.IOError, "writing snapshot %s", p)
	}
	if err := out.Close(); err != nil {
		return "", next, nil, sqlerr.Wrap(err, sqlerr.IOError, "committing snapshot %s", p)
	}
	w.snaps = append(w.snaps, name)
	return name, next, expired, nil
}

// Unpublish deletes a snapshot the catalog refused (a lost race): the
// data files stay for the next attempt.
func (w *Writer) Unpublish(ctx context.Context, name string) {
	_ = w.t.fs.Delete(ctx, w.t.abs("_lakeq/"+name))
	for i, s := range w.snaps {
		if s == name {
			w.snaps = append(w.snaps[:i], w.snaps[i+1:]...)
			break
		}
	}
}

// Abort deletes everything the writer wrote.
func (w *Writer) Abort(ctx context.Context) {
	var paths []string
	for _, f := range w.files {
		paths = append(paths, w.t.abs(f.Path))
	}
	for _, s := range w.snaps {
		paths = append(paths, w.t.abs("_lakeq/"+s))
	}
	// the context may be the cancelled statement's: cleanup runs anyway
	if len(paths) > 0 {
		_ = w.t.fs.Delete(context.WithoutCancel(ctx), paths...)
	}
	w.files, w.snaps = nil, nil
	w.Done()
}

// Done ends the write: the intent is no longer needed.
func (w *Writer) Done() {
	if w.intent != nil {
		w.intent.Remove()
		w.intent = nil
	}
}

// Collect deletes files (relative paths) no snapshot needs any more.
func (t *Table) Collect(ctx context.Context, rel []string) {
	if len(rel) == 0 {
		return
	}
	paths := make([]string, len(rel))
	for i, r := range rel {
		paths[i] = t.abs(r)
	}
	_ = t.fs.Delete(context.WithoutCancel(ctx), paths...)
}

// RemoveAll deletes every file under the table's location (DROP TABLE).
func (t *Table) RemoveAll(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	var paths []string
	err := t.fs.List(ctx, t.loc+"/", "", func(pg storage.ListPage) error {
		for _, o := range pg.Objects {
			paths = append(paths, o.Path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(paths) > 0 {
		if err := t.fs.Delete(ctx, paths...); err != nil {
			return err
		}
	}
	if !storage.IsURL(t.loc) {
		_ = os.RemoveAll(strings.TrimPrefix(t.loc, "file://")) // the emptied folders
	}
	return nil
}

// SmallFiles are the snapshot's files compaction would fold together:
// those under SmallFile once there are at least CompactFiles of them.
func SmallFiles(s Snapshot) []File {
	var small []File
	for _, f := range s.Files {
		if f.Size < SmallFile {
			small = append(small, f)
		}
	}
	if len(small) < CompactFiles {
		return nil
	}
	sort.Slice(small, func(i, j int) bool { return small[i].Path < small[j].Path })
	return small
}

// Rel is the path of p relative to the table's location.
func (t *Table) Rel(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, t.loc), "/") }

// Read reads files whole (compaction), with the table's column types.
func (t *Table) Read(ctx context.Context, files []File) ([]arrow.Record, error) {
	var out []arrow.Record
	for _, f := range files {
		p := t.abs(f.Path)
		in, err := t.fs.Open(ctx, p)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading table file %s", p)
		}
		recs, err := t.readFile(ctx, in, p)
		in.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func (t *Table) readFile(ctx context.Context, in storage.File, p string) ([]arrow.Record, error) {
	pf, err := file.NewParquetReader(io.NewSectionReader(in, 0, in.Size()))
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", p)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", p)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", p)
	}
	defer rr.Release()
	// the table's columns by name in the file: a file written before a
	// column was added lacks it (NULL), and holds dropped ones (skipped)
	from := make([]int, len(t.cols))
	for i, name := range t.names {
		from[i] = -1
		if fs := rr.Schema().FieldIndices(name); len(fs) > 0 {
			from[i] = fs[0]
		}
	}
	var out []arrow.Record
	for rr.Next() {
		r := rr.Record()
		cols := make([]arrow.Array, len(t.cols))
		for i := range cols {
			if from[i] < 0 {
				cols[i] = types.ConstArray(t.cols[i], nil, int(r.NumRows()))
				continue
			}
			cols[i] = r.Column(from[i])
			s, isText := cols[i].(*array.String)
			switch {
			case isText && t.cols[i].Dyn:
				cols[i] = types.WrapDyn(s) // the file holds their text
			case isText && textInFile(t.cols[i]):
				a, err := parseTexts(t.cols[i], s)
				if err != nil {
					return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", p)
				}
				cols[i] = a
			default:
				cols[i].Retain()
			}
		}
		out = append(out, array.NewRecord(t.schema(), cols, r.NumRows()))
	}
	if err := rr.Err(); err != nil && err != io.EOF {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", p)
	}
	return out, nil
}

func parseTexts(t types.T, s *array.String) (arrow.Array, error) {
	vals := make([]types.Value, s.Len())
	for i := range vals {
		if s.IsValid(i) {
			v, err := types.ParseText(t, s.Value(i), time.UTC)
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
	}
	return types.BuildArray(t, vals), nil
}

// WriteParquet writes recs (of t's columns) as one Parquet file at p,
// committed on success and abandoned on failure, and returns what the
// storage reports of it.
func (t *Table) WriteParquet(ctx context.Context, p string, recs []arrow.Record, codec compress.Compression, level int) (storage.ObjectInfo, error) {
	f, err := t.CreateParquet(ctx, p, codec, level)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	for _, r := range recs {
		if err := f.Write(r); err != nil {
			f.Abort()
			return storage.ObjectInfo{}, err
		}
	}
	return f.Close()
}

// ParquetFile is one Parquet file of a table's columns at a path,
// written batch by batch: row groups go out as they fill, so a file of
// any size holds one row group in memory. Nothing is visible until
// Close; not safe for concurrent use (one per goroutine).
type ParquetFile struct {
	t     *Table
	ctx   context.Context
	p     string
	out   storage.Writer
	pw    lqparquet.FileWriter // made at the first batch, its sample
	codec compress.Compression
	level int
	rows  int64
}

// CreateParquet starts a Parquet file at p.
func (t *Table) CreateParquet(ctx context.Context, p string, codec compress.Compression, level int) (*ParquetFile, error) {
	out, err := t.fs.Create(ctx, p)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", p)
	}
	return &ParquetFile{t: t, ctx: ctx, p: p, out: out, codec: codec, level: level}, nil
}

// Rows is how many rows were written so far.
func (f *ParquetFile) Rows() int64 { return f.rows }

// Write appends a batch of the table's columns.
func (f *ParquetFile) Write(rec arrow.Record) error {
	if f.ctx.Err() != nil {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	if rec.NumRows() == 0 {
		return nil
	}
	// released after the write, so that the caller's release frees the
	// batch's buffers (a load's builders take them back)
	rec = f.t.conform(rec)
	defer rec.Release()
	if f.pw == nil {
		pw, err := lqparquet.NewFileWriter(f.out, f.t.fileSchema(), rec, f.codec, f.level)
		if err != nil {
			return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", f.p)
		}
		f.pw = pw
	}
	if err := f.pw.Write(rec); err != nil {
		if se, ok := err.(*sqlerr.Error); ok {
			return se
		}
		return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", f.p)
	}
	f.rows += rec.NumRows()
	return nil
}

// Close commits the file (a file of no rows holds the schema alone) and
// returns what the storage reports of it.
func (f *ParquetFile) Close() (storage.ObjectInfo, error) {
	if f.pw == nil {
		pw, err := lqparquet.NewFileWriter(f.out, f.t.fileSchema(), nil, f.codec, f.level)
		if err != nil {
			_ = f.out.Abort()
			return storage.ObjectInfo{}, sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", f.p)
		}
		f.pw = pw
	}
	// Close of a storage Writer is its commit (fsync and rename, or the
	// upload's completion)
	if err := f.pw.Close(); err != nil {
		_ = f.out.Abort()
		return storage.ObjectInfo{}, sqlerr.Wrap(err, sqlerr.IOError, "committing table file %s", f.p)
	}
	info, err := f.t.fs.Stat(f.ctx, f.p)
	if err != nil {
		return info, sqlerr.Wrap(err, sqlerr.IOError, "committing table file %s", f.p)
	}
	return info, nil
}

// Abort abandons the file.
func (f *ParquetFile) Abort() {
	if f.pw != nil {
		f.pw.Abort()
		return
	}
	_ = f.out.Abort()
}

// FileStream is one data file of a Writer written batch by batch (a
// load's slice, a CTAS worker's file), as a ParquetFile with Snappy; it
// joins the writer's files on Close.
type FileStream struct {
	w   *Writer
	rel string
	*ParquetFile
}

// Stream starts a new data file of the writer.
func (w *Writer) Stream(ctx context.Context) (*FileStream, error) {
	w.mu.Lock()
	rel := fmt.Sprintf("data/%s-%04d.parquet", w.qid, w.n)
	w.n++
	w.mu.Unlock()
	if err := w.note(rel); err != nil {
		return nil, err
	}
	f, err := w.t.CreateParquet(ctx, w.t.abs(rel), compress.Codecs.Snappy, 0)
	if err != nil {
		return nil, err
	}
	return &FileStream{w: w, rel: rel, ParquetFile: f}, nil
}

// Close commits the file and adds it to the writer's files; a file with
// no rows is abandoned instead.
func (f *FileStream) Close() error {
	if f.rows == 0 {
		f.Abort()
		return nil
	}
	info, err := f.ParquetFile.Close()
	if err != nil {
		return err
	}
	f.w.mu.Lock()
	f.w.files = append(f.w.files, File{Path: f.rel, Rows: f.rows, Size: info.Size, ETag: info.ETag, ModTime: info.ModTime})
	f.w.mu.Unlock()
	return nil
}
