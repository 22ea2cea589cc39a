package exec

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/sqlerr"
)

// Spill is a query's temporary files: an operator whose state would pass
// the memory limit writes part of it here, as compressed Arrow IPC
// streams, and reads it back later (DESIGN.md, Memory). The files of one
// query hold at most limit bytes (0: unbounded); past it a write fails
// with 53200, a full disk with 53100. Close removes every file. Safe for
// concurrent use.
type Spill struct {
	dir   string
	limit int64
	used  atomic.Int64
	mu    sync.Mutex
	files map[string]bool
	seq   int
}

// NewSpill returns the spill space of one query under dir (created on
// first use).
func NewSpill(dir string, limit int64) *Spill {
	return &Spill{dir: dir, limit: limit, files: map[string]bool{}}
}

// Used is the bytes the query's spill files hold now.
func (s *Spill) Used() int64 {
	if s == nil {
		return 0
	}
	return s.used.Load()
}

// Close removes the query's spill files.
func (s *Spill) Close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for p := range s.files {
		os.Remove(p)
	}
	os.Remove(s.dir) // the query's own folder, when it made one
	s.files = map[string]bool{}
	s.used.Store(0)
}

// SpillWriter writes one run of batches to a spill file.
type SpillWriter struct {
	s      *Spill
	f      *os.File
	bw     *bufio.Writer // IPC writes many small buffers per batch
	w      *ipc.Writer
	cw     *countingWriter
	schema *arrow.Schema
	rows   int64
}

type countingWriter struct {
	w     io.Writer
	s     *Spill
	n     int64
	label string
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.s.limit > 0 && c.s.used.Load()+int64(len(p)) > c.s.limit {
		return 0, sqlerr.New(sqlerr.OutOfMemory, "out of memory: %s needs more than max_temp_directory_size (%d MB) of temporary files", c.label, c.s.limit>>20).
			WithHint("Raise memory_limit or max_temp_directory_size, or make the query need less (a filter, fewer groups).")
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.s.used.Add(int64(n))
	if err != nil {
		return n, c.fail(err)
	}
	return n, nil
}

func (c *countingWriter) fail(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return sqlerr.Wrap(err, sqlerr.DiskFull, "could not write temporary file for %s: disk full", c.label)
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "writing temporary file for %s", c.label)
}

// Create starts a spill file for the operator label, of batches with
// schema.
func (s *Spill) Create(label string, schema *arrow.Schema) (*SpillWriter, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating the temporary folder %s", s.dir)
	}
	s.mu.Lock()
	s.seq++
	f, err := os.CreateTemp(s.dir, fmt.Sprintf("spill-%d-*.arrows", s.seq))
	if err == nil {
		s.files[f.Name()] = true
	}
	s.mu.Unlock()
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating a temporary file for %s", label)
	}
	name, _, _ := strings.Cut(label, "#") // "Sort#3": the operator
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: bw, s: s, label: name}
	return &SpillWriter{s: s, f: f, bw: bw, cw: cw, schema: schema, w: ipc.NewWriter(cw, ipc.WithSchema(storageSchema(schema)), ipc.WithLZ4())}, nil
}

// Write appends a batch to the run.
func (w *SpillWriter) Write(rec arrow.Record) error {
	if !rec.Schema().Equal(w.schema) && int(rec.NumCols()) == w.schema.NumFields() {
		// the same columns under other names or nullability: the run's
		rec = array.NewRecord(w.schema, rec.Columns(), rec.NumRows())
	}
	if err := w.w.Write(toStorage(rec)); err != nil {
		return asSpillErr(err, w.cw.label)
	}
	w.rows += rec.NumRows()
	return nil
}

func asSpillErr(err error, label string) error {
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "writing temporary file for %s", label)
}

// Finish ends the run; it is read back with Open.
func (w *SpillWriter) Finish() (*SpillRun, error) {
	err := w.w.Close()
	if err == nil {
		if err = w.bw.Flush(); err != nil {
			err = (&countingWriter{s: w.s, label: w.cw.label}).fail(err)
		}
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, asSpillErr(err, w.cw.label)
	}
	return &SpillRun{s: w.s, path: w.f.Name(), schema: w.schema, Rows: w.rows, Bytes: w.cw.n}, nil
}

// SpillRun is a finished spill file.
type SpillRun struct {
	s      *Spill
	path   string
	schema *arrow.Schema
	Rows   int64
	Bytes  int64
}

// SpillReader reads a run's batches back in order.
type SpillReader struct {
	f      *os.File
	r      *ipc.Reader
	schema *arrow.Schema
}

// Open starts reading the run.
func (r *SpillRun) Open() (*SpillReader, error) {
	f, err := os.Open(r.path)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading a temporary file")
	}
	rd, err := ipc.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		f.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading a temporary file")
	}
	return &SpillReader{f: f, r: rd, schema: r.schema}, nil
}

// Next returns the next batch, nil at the end.
func (r *SpillReader) Next() (arrow.Record, error) {
	if !r.r.Next() {
		if err := r.r.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading a temporary file")
		}
		return nil, nil
	}
	rec := r.r.Record()
	rec.Retain()
	return fromStorage(rec, r.schema), nil
}

// Close ends the read.
func (r *SpillReader) Close() {
	r.r.Release()
	r.f.Close()
}

// Remove deletes the run's file once it is read.
func (r *SpillRun) Remove() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if r.s.files[r.path] {
		delete(r.s.files, r.path)
		os.Remove(r.path)
		r.s.used.Add(-r.Bytes)
	}
}

// Extension types (lakeq's dynamic numeric) are written as their
// storage and restored on reading: the file never leaves the process.
func storageSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		if et, ok := f.Type.(arrow.ExtensionType); ok {
			f.Type = et.StorageType()
			f.Metadata = arrow.Metadata{}
		}
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil)
}

func toStorage(rec arrow.Record) arrow.Record {
	cols := rec.Columns()
	var out []arrow.Array
	for i, c := range cols {
		if ea, ok := c.(array.ExtensionArray); ok {
			if out == nil {
				out = append([]arrow.Array(nil), cols...)
			}
			out[i] = ea.Storage()
		}
	}
	if out == nil {
		return rec
	}
	return array.NewRecord(storageSchema(rec.Schema()), out, rec.NumRows())
}

func fromStorage(rec arrow.Record, schema *arrow.Schema) arrow.Record {
	cols := rec.Columns()
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		out[i] = c
		if et, ok := schema.Field(i).Type.(arrow.ExtensionType); ok {
			out[i] = array.NewExtensionArrayWithStorage(et, c)
		}
	}
	return array.NewRecord(schema, out, rec.NumRows())
}

// eachPart hands add each partition's rows of in (byPart: the rows of
// each partition; in itself when they all are one partition's).
func eachPart(in arrow.Record, byPart [][]int32, add func(p int, part arrow.Record) error) error {
	n := int(in.NumRows())
	for p, rows := range byPart {
		if len(rows) == 0 {
			continue
		}
		part := in
		if len(rows) < n {
			part = expr.SubRecord(in, rows)
		}
		if err := add(p, part); err != nil {
			return err
		}
	}
	return nil
}

// partBuffer gathers one partition's rows into batches of about
// BatchSize rows before they are written: rows split 32 ways arrive a
// few hundred at a time, and each IPC batch costs its own metadata.
type partBuffer struct {
	w       *SpillWriter
	pending []arrow.Record
	rows    int64
}

// add appends rows to the partition, writing when a batch is full.
func (b *partBuffer) add(ctx *Ctx, label string, rec arrow.Record) error {
	if b.w == nil {
		w, err := ctx.Spill.Create(label, rec.Schema())
		if err != nil {
			return err
		}
		b.w = w
	}
	b.pending = append(b.pending, rec)
	b.rows += rec.NumRows()
	if b.rows >= BatchSize {
		return b.flush()
	}
	return nil
}

func (b *partBuffer) flush() error {
	if len(b.pending) == 0 {
		return nil
	}
	rec, err := concatRecords(b.pending)
	if err != nil {
		return err
	}
	b.pending, b.rows = nil, 0
	return b.w.Write(rec)
}

// finish writes what is pending and ends the run (nil when the
// partition got no rows).
func (b *partBuffer) finish() (*SpillRun, error) {
	if b.w == nil {
		return nil, nil
	}
	if err := b.flush(); err != nil {
		return nil, err
	}
	run, err := b.w.Finish()
	b.w = nil
	return run, err
}

// Drain reads a stream of batches (a RecordReader's or a spill run's
// Next) to its end.
func Drain(next func() (arrow.Record, error)) ([]arrow.Record, error) {
	var out []arrow.Record
	for {
		rec, err := next()
		if err != nil || rec == nil {
			return out, err
		}
		out = append(out, rec)
	}
}
