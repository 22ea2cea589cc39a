// Package managed stores the warehouse side's managed tables under the
// data directory's warehouse/ folder: Parquet files listed by an
// atomically replaced manifest, plus an append-only insert log so that
// thousands of single-row INSERTs stay cheap. The log is compacted into
// Parquet once it grows past CompactRows.
//
// Layout of one table directory:
//
//	manifest.json        {version, files, log, log_offset}; replaced by rename
//	part-<id>.parquet    data files named by the manifest
//	log-<id>.jsonl       inserted rows not yet compacted, one JSON array each
//	_staging/            files being written; never read
package managed

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// CompactRows is the insert-log size at which the log is folded into Parquet.
const CompactRows = 50000

// BatchRows is the size of record batches handed to scans.
const BatchRows = 8192

// Manifest lists a table's committed state.
type Manifest struct {
	Version   int64    `json:"version"`
	Files     []string `json:"files"`
	Log       string   `json:"log"`        // current insert log file name
	LogOffset int64    `json:"log_offset"` // bytes of Log already folded into Files
	LogEnd    int64    `json:"log_end"`    // committed bytes of Log (a crash may leave a torn tail past it)
}

// Table is one managed table's storage. Methods are safe for concurrent
// use; writes are serialised by a mutex and published atomically.
type Table struct {
	dir   string
	cols  []types.T
	names []string

	mu       sync.Mutex
	man      Manifest
	cache    []arrow.Record // all rows, when loaded
	loaded   bool
	logRows  int
	manStamp time.Time
}

// Store opens managed tables under a root directory and shares them
// across sessions of one process.
type Store struct {
	root   string
	mu     sync.Mutex
	tables map[string]*Table
}

// NewStore returns a store rooted at dir (the warehouse/ folder).
func NewStore(dir string) *Store { return &Store{root: dir, tables: map[string]*Table{}} }

// Dir is the directory of a table.
func (s *Store) Dir(db, name string) string { return filepath.Join(s.root, db, name) }

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%d-%s", time.Now().UnixNano(), hex.EncodeToString(b[:]))
}

// Create makes the directory and an empty manifest for a new table.
func (s *Store) Create(db, name string, names []string, cols []types.T) (*Table, error) {
	dir := s.Dir(db, name)
	_ = os.RemoveAll(dir) // leftovers of a table dropped by a crashed process
	if err := os.MkdirAll(filepath.Join(dir, "_staging"), 0o755); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating table directory %s", dir)
	}
	t := &Table{dir: dir, cols: cols, names: names}
	t.man = Manifest{Version: 1, Log: "log-" + newID() + ".jsonl"}
	if err := t.writeManifest(t.man); err != nil {
		return nil, err
	}
	t.loaded = true
	s.mu.Lock()
	s.tables[db+"."+name] = t
	s.mu.Unlock()
	return t, nil
}

// Open returns the table's storage, loading its manifest.
func (s *Store) Open(db, name string, names []string, cols []types.T) (*Table, error) {
	key := db + "." + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tables[key]; ok && sameTypes(t.cols, cols) {
		if err := t.refresh(); err != nil {
			return nil, err
		}
		return t, nil
	}
	t := &Table{dir: s.Dir(db, name), cols: cols, names: names}
	if err := t.refresh(); err != nil {
		return nil, err
	}
	s.tables[key] = t
	return t, nil
}

// Forget drops a table from the process cache (after DROP or ALTER).
func (s *Store) Forget(db, name string) {
	s.mu.Lock()
	delete(s.tables, db+"."+name)
	s.mu.Unlock()
}

// Drop removes a table's files.
func (s *Store) Drop(db, name string) error {
	s.Forget(db, name)
	if err := os.RemoveAll(s.Dir(db, name)); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "removing table files of %s.%s", db, name)
	}
	return nil
}

func sameTypes(a, b []types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// refresh reloads the manifest when another process changed it.
func (t *Table) refresh() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := filepath.Join(t.dir, "manifest.json")
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return sqlerr.New(sqlerr.DataCorrupted, "manifest of managed table at %s is missing", t.dir)
		}
		return sqlerr.Wrap(err, sqlerr.IOError, "reading manifest of %s", t.dir)
	}
	if t.loaded && st.ModTime().Equal(t.manStamp) {
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "reading manifest of %s", t.dir)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return sqlerr.Wrap(err, sqlerr.DataCorrupted, "manifest of %s is corrupt", t.dir)
	}
	if t.loaded && m.Version == t.man.Version && m.LogEnd == t.man.LogEnd {
		t.manStamp = st.ModTime()
		return nil
	}
	t.man = m
	t.manStamp = st.ModTime()
	t.loaded = false
	t.cache = nil
	return nil
}

func (t *Table) writeManifest(m Manifest) error {
	b, _ := json.MarshalIndent(m, "", "  ")
	tmp := filepath.Join(t.dir, "_staging", "manifest-"+newID()+".json")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "writing manifest of %s", t.dir)
	}
	if err := os.Rename(tmp, filepath.Join(t.dir, "manifest.json")); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "publishing manifest of %s", t.dir)
	}
	if st, err := os.Stat(filepath.Join(t.dir, "manifest.json")); err == nil {
		t.manStamp = st.ModTime()
	}
	return nil
}

func (t *Table) schema() *arrow.Schema {
	fields := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		fields[i] = arrow.Field{Name: t.names[i], Type: c.Arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// StoredBytes is the size of the table's committed data: its Parquet
// files and the unfolded part of its insert log (what a scan of every
// column stands for).
func (t *Table) StoredBytes() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n int64
	for _, f := range t.man.Files {
		if st, err := os.Stat(filepath.Join(t.dir, f)); err == nil {
			n += st.Size()
		}
	}
	return n + max(t.man.LogEnd-t.man.LogOffset, 0)
}

// Scan returns all committed rows as record batches. The records are
// shared and immutable; callers must not release them.
func (t *Table) Scan(ctx context.Context) ([]arrow.Record, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return nil, err
	}
	return t.cache, nil
}

func (t *Table) load(ctx context.Context) error {
	if t.loaded {
		return nil
	}
	var recs []arrow.Record
	for _, f := range t.man.Files {
		rs, err := readParquet(ctx, filepath.Join(t.dir, f), t.cols)
		if err != nil {
			return err
		}
		for _, r := range rs {
			c, err := lqparquet.FromFile(r, t.schema())
			if err != nil {
				return sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", f)
			}
			recs = append(recs, c)
		}
	}
	logRecs, n, err := t.readLog()
	if err != nil {
		return err
	}
	t.cache = append(recs, logRecs...)
	t.logRows = n
	t.loaded = true
	return nil
}

func readParquet(ctx context.Context, path string, cols []types.T) ([]arrow.Record, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", path)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: BatchRows}, memory.DefaultAllocator)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", path)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", path)
	}
	defer rr.Release()
	var out []arrow.Record
	for rr.Next() {
		r := rr.Record()
		if rec, ok := wrapDyn(r, cols); ok {
			out = append(out, rec)
			continue
		}
		r.Retain()
		out = append(out, r)
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "reading table file %s", path)
	}
	return out, nil
}

// wrapDyn gives the text columns that hold per-value-scale numerics
// (the file stores their text) their SQL type back; ok is false when r
// has none.
func wrapDyn(r arrow.Record, cols []types.T) (arrow.Record, bool) {
	var arrs []arrow.Array
	for i, t := range cols {
		s, isText := r.Column(i).(*array.String)
		if !t.Dyn || !isText || i >= int(r.NumCols()) {
			continue
		}
		if arrs == nil {
			arrs = append([]arrow.Array(nil), r.Columns()...)
		}
		arrs[i] = types.WrapDyn(s)
	}
	if arrs == nil {
		return nil, false
	}
	fields := make([]arrow.Field, len(arrs))
	for i, a := range arrs {
		fields[i] = arrow.Field{Name: r.ColumnName(i), Type: a.DataType(), Nullable: true}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), arrs, r.NumRows()), true
}

// readLog decodes the uncompacted insert log rows into batches.
func (t *Table) readLog() ([]arrow.Record, int, error) {
	if t.man.Log == "" || t.man.LogEnd <= t.man.LogOffset {
		return nil, 0, nil
	}
	f, err := os.Open(filepath.Join(t.dir, t.man.Log))
	if err != nil {
		return nil, 0, sqlerr.Wrap(err, sqlerr.IOError, "reading insert log of %s", t.dir)
	}
	defer f.Close()
	sr := io.NewSectionReader(f, t.man.LogOffset, t.man.LogEnd-t.man.LogOffset)
	sc := bufio.NewScanner(sr)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	var rows [][]types.Value
	for sc.Scan() {
		var raw []*string
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil || len(raw) != len(t.cols) {
			return nil, 0, sqlerr.New(sqlerr.DataCorrupted, "insert log of %s is corrupt", t.dir)
		}
		row := make([]types.Value, len(raw))
		for i, s := range raw {
			if s == nil {
				continue
			}
			v, err := types.ParseText(t.cols[i], *s, time.UTC)
			if err != nil {
				return nil, 0, sqlerr.Wrap(err, sqlerr.DataCorrupted, "insert log of %s", t.dir)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, sqlerr.Wrap(err, sqlerr.IOError, "reading insert log of %s", t.dir)
	}
	return t.rowsToRecords(rows), len(rows), nil
}

func (t *Table) rowsToRecords(rows [][]types.Value) []arrow.Record {
	var out []arrow.Record
	sch := t.schema()
	for start := 0; start < len(rows); start += BatchRows {
		end := min(start+BatchRows, len(rows))
		cols := make([]arrow.Array, len(t.cols))
		for c := range t.cols {
			vals := make([]types.Value, end-start)
			for r := start; r < end; r++ {
				vals[r-start] = rows[r][c]
			}
			cols[c] = types.BuildArray(t.cols[c], vals)
		}
		out = append(out, array.NewRecord(sch, cols, int64(end-start)))
	}
	return out
}

func (t *Table) conform(rec arrow.Record) arrow.Record {
	return array.NewRecord(t.schema(), rec.Columns(), rec.NumRows())
}

// Append commits rows. Small appends go to the insert log (one write and
// a manifest swap); large ones become a new Parquet file.
func (t *Table) Append(ctx context.Context, recs []arrow.Record) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return err
	}
	total := 0
	for _, r := range recs {
		total += int(r.NumRows())
	}
	if total == 0 {
		return nil
	}
	if total >= 1000 {
		name := "part-" + newID() + ".parquet"
		if err := t.writeParquet(ctx, name, recs); err != nil {
			return err
		}
		m := t.man
		m.Version++
		m.Files = append(append([]string(nil), m.Files...), name)
		if err := t.writeManifest(m); err != nil {
			_ = os.Remove(filepath.Join(t.dir, name))
			return err
		}
		t.man = m
		for _, r := range recs {
			t.cache = append(t.cache, t.conform(r))
		}
		return nil
	}
	var buf bytes.Buffer
	var rows [][]types.Value
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			raw := make([]*string, len(t.cols))
			row := make([]types.Value, len(t.cols))
			for c := range t.cols {
				v := types.GetValue(t.cols[c], r.Column(c), i)
				row[c] = v
				if v != nil {
					s := types.FormatText(t.cols[c], v)
					if t.cols[c].Kind == types.TimestampTZ {
						s = types.FormatTimestampTZ(int64(v.(types.TimestampVal)), time.UTC)
					}
					raw[c] = &s
				}
			}
			b, _ := json.Marshal(raw)
			buf.Write(b)
			buf.WriteByte('\n')
			rows = append(rows, row)
		}
	}
	lp := filepath.Join(t.dir, t.man.Log)
	f, err := os.OpenFile(lp, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "writing insert log of %s", t.dir)
	}
	// Write at the committed end: a torn tail from a failed write is overwritten.
	if _, err := f.WriteAt(buf.Bytes(), t.man.LogEnd); err != nil {
		f.Close()
		return sqlerr.Wrap(err, sqlerr.IOError, "writing insert log of %s", t.dir)
	}
	if err := f.Close(); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "writing insert log of %s", t.dir)
	}
	m := t.man
	m.LogEnd += int64(buf.Len())
	if err := t.writeManifest(m); err != nil {
		return err
	}
	t.man = m
	t.logRows += len(rows)
	t.cache = append(t.cache, t.rowsToRecords(rows)...)
	if t.logRows >= CompactRows {
		return t.compactLocked(ctx)
	}
	return nil
}

// Compact folds the insert log into Parquet.
func (t *Table) Compact(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.load(ctx); err != nil {
		return err
	}
	return t.compactLocked(ctx)
}

func (t *Table) compactLocked(ctx context.Context) error {
	if t.logRows == 0 {
		return nil
	}
	// rewrite everything as one set of files: simple and keeps file count low
	return t.replaceLocked(ctx, t.cache)
}

// Replace atomically swaps the table's contents (UPDATE, DELETE,
// TRUNCATE, INSERT OVERWRITE). Old files are removed after the swap.
func (t *Table) Replace(ctx context.Context, recs []arrow.Record) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.replaceLocked(ctx, recs)
}

func (t *Table) replaceLocked(ctx context.Context, recs []arrow.Record) error {
	old := t.man
	m := Manifest{Version: old.Version + 1, Log: "log-" + newID() + ".jsonl"}
	total := 0
	for _, r := range recs {
		total += int(r.NumRows())
	}
	if total > 0 {
		name := "part-" + newID() + ".parquet"
		if err := t.writeParquet(ctx, name, recs); err != nil {
			return err
		}
		m.Files = []string{name}
	}
	if err := t.writeManifest(m); err != nil {
		for _, f := range m.Files {
			_ = os.Remove(filepath.Join(t.dir, f))
		}
		return err
	}
	t.man = m
	var cache []arrow.Record
	for _, r := range recs {
		if r.NumRows() > 0 {
			cache = append(cache, t.conform(r))
		}
	}
	t.cache = cache
	t.logRows = 0
	t.loaded = true
	for _, f := range old.Files {
		_ = os.Remove(filepath.Join(t.dir, f))
	}
	if old.Log != "" {
		_ = os.Remove(filepath.Join(t.dir, old.Log))
	}
	return nil
}

func (t *Table) writeParquet(ctx context.Context, name string, recs []arrow.Record) error {
	tmp := filepath.Join(t.dir, "_staging", name)
	f, err := os.Create(tmp)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", tmp)
	}
	var sample arrow.Record
	for _, r := range recs {
		if r.NumRows() > 0 {
			sample = t.conform(r)
			break
		}
	}
	w, err := pqarrow.NewFileWriter(lqparquet.FileSchema(t.schema()), f, lqparquet.WriterProperties(sample), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		f.Close()
		_ = os.Remove(tmp)
		return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", tmp)
	}
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			w.Close()
			_ = os.Remove(tmp)
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		if r.NumRows() == 0 {
			continue
		}
		if err := w.WriteBuffered(lqparquet.ToFile(t.conform(r))); err != nil {
			w.Close()
			_ = os.Remove(tmp)
			return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", tmp)
		}
	}
	if err := w.Close(); err != nil {
		_ = os.Remove(tmp)
		return sqlerr.Wrap(err, sqlerr.IOError, "writing table file %s", tmp)
	}
	if err := os.Rename(tmp, filepath.Join(t.dir, name)); err != nil {
		_ = os.Remove(tmp)
		return sqlerr.Wrap(err, sqlerr.IOError, "publishing table file %s", name)
	}
	return nil
}

// Rename moves a table's files to a new name (leftovers of a dropped
// table under the new name are removed first).
func (s *Store) Rename(db, name, newName string) error {
	s.Forget(db, name)
	s.Forget(db, newName)
	to := s.Dir(db, newName)
	_ = os.RemoveAll(to)
	if err := os.Rename(s.Dir(db, name), to); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "renaming table files of %s.%s", db, name)
	}
	return nil
}
