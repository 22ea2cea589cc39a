package parquet

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/parquet/compress"
)

// Writer is lakeq's own Parquet writer for flat records of the types a
// lakeq table holds (see writable): one pass over each column's Arrow
// buffers per row group, dictionaries built in an open-addressing table
// keyed by the values' bytes, levels and indices RLE/bit-packed straight
// into the page. arrow-go's writer, which it replaces on these schemas,
// spent most of an UNLOAD in per-value memo hashing and allocation. The
// files are what pqarrow wrote for the same schema (physical, logical and
// converted types, the ARROW:schema key, statistics), so every reader —
// lakeq's, DuckDB's, Athena's — reads them as before.
//
// Records are buffered into row groups of RowGroupRows rows; a row
// group's column chunks are encoded and written when it fills. Not safe
// for concurrent use; one Writer per file.
type Writer struct {
	out   io.Writer
	pos   int64
	arrow *arrow.Schema // as stored in ARROW:schema
	cols  []*column
	codec compress.Compression
	enc   compress.Codec // nil: uncompressed
	level int
	rgs   []rowGroupMeta
	rows  int // buffered in the current row group
	total int64
	t     thriftWriter
	page  []byte // a page's uncompressed body
	zbuf  []byte // its compressed form
	idx   []uint32
	done  bool
}

// Parquet's enums, as the format's Thrift definition numbers them.
const (
	ptBoolean   = 0
	ptInt32     = 1
	ptInt64     = 2
	ptFloat     = 4
	ptDouble    = 5
	ptByteArray = 6

	encPlain    = 0
	encRLE      = 3
	encRLEDict  = 8
	pageData    = 0
	pageDict    = 2
	repRequired = 0
	repOptional = 1

	ctUTF8            = 0
	ctDecimal         = 5
	ctDate            = 6
	ctTimestampMicros = 10
	ctUint32          = 13
	ctInt16           = 16
	ctInt32           = 17
	ctInt64           = 18
)

// pageSize is the plain-encoded size at which a data page is cut, and
// dictLimit the dictionary size past which a column chunk is written
// plain instead: arrow-go's defaults (1 MiB both).
const (
	pageSize  = 1 << 20
	dictLimit = 1 << 20
)

// maxStatSize is the longest min or max written as a statistic (longer
// values leave the chunk without min/max, as arrow-go does).
const maxStatSize = 4096

// writable reports whether lakeq's Writer writes every column of s; the
// others (nested types, extension types, wide decimals, intervals) go
// through pqarrow.
func writable(s *arrow.Schema) bool {
	for _, f := range s.Fields() {
		if _, err := newColumn(f, false); err != nil {
			return false
		}
	}
	return true
}

// NewWriter starts a Parquet file of sch on out (Close finishes it and
// does not close out); codec and level as for WriterPropertiesWith.
// Whether a column is dictionary-encoded is decided per column chunk
// from the dictionary built for it (see writeChunk), not from a sample:
// a first batch of a few thousand rows holds nearly every value once
// and made dates and foreign keys look unique.
func NewWriter(out io.Writer, sch *arrow.Schema, codec compress.Compression, level int) (*Writer, error) {
	w := &Writer{out: out, arrow: FileSchema(sch), codec: codec, level: level}
	if codec != compress.Codecs.Uncompressed {
		c, err := compress.GetCodec(codec)
		if err != nil {
			return nil, err
		}
		w.enc = c
		if level == 0 {
			w.level = compress.DefaultCompressionLevel
			if codec == compress.Codecs.Zstd {
				w.level = ZstdLevel
			}
		}
	}
	for _, f := range sch.Fields() {
		c, err := newColumn(f, true)
		if err != nil {
			return nil, err
		}
		w.cols = append(w.cols, c)
	}
	if err := w.write([]byte("PAR1")); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) write(b []byte) error {
	n, err := w.out.Write(b)
	w.pos += int64(n)
	return err
}

// Write appends rec, whose schema is the writer's.
func (w *Writer) Write(rec arrow.Record) error {
	if w.done {
		return fmt.Errorf("parquet writer is closed")
	}
	n := int(rec.NumRows())
	for off := 0; off < n; {
		k := min(n-off, RowGroupRows-w.rows)
		for i, c := range w.cols {
			a := rec.Column(i)
			if off != 0 || k != n {
				a = array.NewSlice(a, int64(off), int64(off+k))
				c.append(a)
				a.Release()
				continue
			}
			c.append(a)
		}
		w.rows += k
		off += k
		if w.rows == RowGroupRows {
			if err := w.flushRowGroup(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close writes the last row group and the footer.
func (w *Writer) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.rows > 0 {
		if err := w.flushRowGroup(); err != nil {
			return err
		}
	}
	meta, err := w.footer()
	if err != nil {
		return err
	}
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], uint32(len(meta)))
	copy(tail[4:], "PAR1")
	if err := w.write(meta); err != nil {
		return err
	}
	return w.write(tail[:])
}

// rowGroupMeta and chunkMeta are what the footer says of the row groups
// written.
type rowGroupMeta struct {
	chunks       []chunkMeta
	rows         int64
	offset       int64
	uncompressed int64
	compressed   int64
}

type chunkMeta struct {
	dict           bool
	values         int64
	uncompressed   int64
	compressed     int64
	dataOffset     int64
	dictOffset     int64
	nulls          int64
	min, max       []byte
	hasMinMax      bool
	legacyMinMax   bool // also write the deprecated min/max (signed orders)
	statsAvailable bool
}

func (w *Writer) flushRowGroup() error {
	rg := rowGroupMeta{rows: int64(w.rows), offset: w.pos}
	for _, c := range w.cols {
		m, err := w.writeChunk(c)
		if err != nil {
			return err
		}
		rg.chunks = append(rg.chunks, m)
		rg.uncompressed += m.uncompressed
		rg.compressed += m.compressed
		c.reset()
	}
	w.rgs = append(w.rgs, rg)
	w.total += int64(w.rows)
	w.rows = 0
	return nil
}

// writeChunk writes column c's buffered rows as one column chunk: a
// dictionary page and one page of indices when the dictionary is worth
// it and fits, else plain pages of about pageSize.
func (w *Writer) writeChunk(c *column) (chunkMeta, error) {
	m := chunkMeta{values: int64(c.rows), nulls: int64(c.nulls), dictOffset: -1, statsAvailable: true}
	m.legacyMinMax = c.signed
	stats := func(fromDict bool) {
		m.min, m.max, m.hasMinMax = c.vals.minMax(fromDict)
		if len(m.min) > maxStatSize || len(m.max) > maxStatSize {
			m.min, m.max, m.hasMinMax = nil, nil, false
		}
	}
	if c.dict {
		var dictPage []byte
		var n int
		var ok bool
		dictPage, n, w.idx, ok = c.vals.dictionary(w.page[:0], w.idx[:0])
		width := 1
		for n-1 >= 1<<width {
			width++
		}
		// worth it only if the dictionary and its indices come to at
		// most 60% of the plain values: nearer, the plain pages end up
		// as small once compressed (a sorted key compresses five times
		// better plain, its bit-packed indices hardly at all), cost the
		// compressor less and a reader no indirection. A column that
		// fails once is written plain for the rest of the file, so a
		// near-unique one is hashed for one row group only.
		if ok && 5*(len(dictPage)+(len(w.idx)*width+7)/8) > 3*c.vals.plainSize() {
			ok = false
		}
		if !ok {
			c.dict = false
		} else {
			stats(true)
			m.dict = true
			m.dictOffset = w.pos
			w.page = dictPage
			if err := w.writePage(&m, pageDict, n, encPlain); err != nil {
				return m, err
			}
			m.dataOffset = w.pos
			body := w.levels(w.page[:0], c, 0, c.rows)
			body = append(body, byte(width))
			body = appendHybrid(body, w.idx, width)
			w.page = body
			return m, w.writePage(&m, pageData, c.rows, encRLEDict)
		}
	}
	stats(false)
	m.dataOffset = w.pos
	r0, v0 := 0, 0
	nv := c.vals.len()
	for r0 < c.rows {
		v1 := nv
		if v0 < nv {
			v1 = c.vals.cut(v0, pageSize)
		}
		r1 := c.rows
		if c.defs != nil && v1 < nv {
			// the page ends before the row of value v1
			seen := 0
			r1 = r0
			for ; r1 < c.rows; r1++ {
				if c.defs[r1] == 1 {
					if seen == v1-v0 {
						break
					}
					seen++
				}
			}
		} else if c.defs == nil {
			r1 = r0 + (v1 - v0)
		}
		body := w.levels(w.page[:0], c, r0, r1)
		body = c.vals.plain(body, v0, v1)
		w.page = body
		if err := w.writePage(&m, pageData, r1-r0, encPlain); err != nil {
			return m, err
		}
		r0, v0 = r1, v1
	}
	return m, nil
}

// levels appends the definition levels of rows [r0, r1) of c (nothing
// for a required column): a 4-byte length, then one RLE run when the
// rows hold no NULL.
func (w *Writer) levels(dst []byte, c *column, r0, r1 int) []byte {
	if c.required {
		return dst
	}
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	if c.defs == nil {
		dst = appendRun(dst, 1, r1-r0, 1)
	} else {
		dst = appendHybrid(dst, c.defs[r0:r1], 1)
	}
	binary.LittleEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst
}

// writePage compresses w.page and writes it with its header.
func (w *Writer) writePage(m *chunkMeta, typ, values, enc int) error {
	body := w.page
	if w.enc != nil {
		need := int(w.enc.CompressBound(int64(max(len(body), 1))))
		if cap(w.zbuf) < need {
			w.zbuf = make([]byte, need)
		}
		w.zbuf = w.enc.EncodeLevel(w.zbuf[:need], body, w.level)
		body = w.zbuf
	}
	t := &w.t
	t.b = t.b[:0]
	t.begin()
	t.i32(1, int32(typ))
	t.i32(2, int32(len(w.page)))
	t.i32(3, int32(len(body)))
	if typ == pageDict {
		t.structField(7)
		t.i32(1, int32(values))
		t.i32(2, encPlain)
		t.end()
	} else {
		t.structField(5)
		t.i32(1, int32(values))
		t.i32(2, int32(enc))
		t.i32(3, encRLE)
		t.i32(4, encRLE)
		t.end()
	}
	t.end()
	m.uncompressed += int64(len(t.b) + len(w.page))
	m.compressed += int64(len(t.b) + len(body))
	if err := w.write(t.b); err != nil {
		return err
	}
	return w.write(body)
}

// footer encodes the FileMetaData.
func (w *Writer) footer() ([]byte, error) {
	var ipcBuf bytes.Buffer
	iw := ipc.NewWriter(&ipcBuf, ipc.WithSchema(w.arrow))
	if err := iw.Close(); err != nil {
		return nil, fmt.Errorf("encoding the Arrow schema: %w", err)
	}
	t := &w.t
	t.b = t.b[:0]
	t.begin()
	t.i32(1, 2)
	t.list(2, ctStruct, len(w.cols)+1)
	t.begin()
	t.i32(3, repRequired)
	t.str(4, "schema")
	t.i32(5, int32(len(w.cols)))
	t.end()
	for _, c := range w.cols {
		c.schemaElement(t)
	}
	t.i64(3, w.total)
	t.list(4, ctStruct, len(w.rgs))
	for i, rg := range w.rgs {
		t.begin()
		t.list(1, ctStruct, len(rg.chunks))
		for j, m := range rg.chunks {
			c := w.cols[j]
			t.begin()
			start := m.dataOffset
			if m.dict {
				start = m.dictOffset
			}
			t.i64(2, start)
			t.structField(3)
			t.i32(1, c.phys)
			if m.dict {
				t.list(2, ctI32, 3)
				t.listI32(encPlain)
				t.listI32(encRLE)
				t.listI32(encRLEDict)
			} else {
				t.list(2, ctI32, 2)
				t.listI32(encPlain)
				t.listI32(encRLE)
			}
			t.list(3, ctBinary, 1)
			t.listStr(c.name)
			t.i32(4, codecID(w.codec))
			t.i64(5, m.values)
			t.i64(6, m.uncompressed)
			t.i64(7, m.compressed)
			t.i64(9, m.dataOffset)
			if m.dict {
				t.i64(11, m.dictOffset)
			}
			t.structField(12)
			if m.hasMinMax && m.legacyMinMax {
				t.binary(1, m.max)
				t.binary(2, m.min)
			}
			t.i64(3, m.nulls)
			if m.hasMinMax {
				t.binary(5, m.max)
				t.binary(6, m.min)
			}
			t.end()
			t.end() // ColumnMetaData
			t.end() // ColumnChunk
		}
		t.i64(2, rg.uncompressed)
		t.i64(3, rg.rows)
		t.i64(5, rg.offset)
		t.i64(6, rg.compressed)
		t.field(7, ctI16)
		t.uvarint(zigzag(int64(i)))
		t.end()
	}
	t.list(5, ctStruct, 1)
	t.begin()
	t.str(1, "ARROW:schema")
	t.str(2, base64.StdEncoding.EncodeToString(ipcBuf.Bytes()))
	t.end()
	t.str(6, "lakeq version 1.0.0 (build lakeq)")
	t.list(7, ctStruct, len(w.cols))
	for range w.cols {
		t.begin()
		t.structField(1) // TYPE_ORDER
		t.end()
		t.end()
	}
	t.end()
	return t.b, nil
}

func codecID(c compress.Compression) int32 {
	switch c {
	case compress.Codecs.Snappy:
		return 1
	case compress.Codecs.Gzip:
		return 2
	case compress.Codecs.Brotli:
		return 4
	case compress.Codecs.Lz4:
		return 5
	case compress.Codecs.Zstd:
		return 6
	case compress.Codecs.Lz4Raw:
		return 7
	}
	return 0
}

// column is one leaf column's type and the current row group's rows.
type column struct {
	name      string
	required  bool
	phys      int32
	converted int32 // -1: none
	scale     int32
	precision int32
	logical   func(t *thriftWriter) // writes the LogicalType union's member; nil: none
	signed    bool                  // statistics in signed order (the deprecated min/max apply)
	dict      bool
	vals      values

	rows  int
	nulls int
	defs  []uint8 // one definition level per row; nil while the group has no NULL
}

func (c *column) append(a arrow.Array) {
	n := a.Len()
	if nn := a.NullN(); nn > 0 {
		if c.defs == nil {
			c.defs = make([]uint8, c.rows, RowGroupRows)
			for i := range c.defs {
				c.defs[i] = 1
			}
		}
		for i := 0; i < n; i++ {
			var d uint8
			if a.IsValid(i) {
				d = 1
			}
			c.defs = append(c.defs, d)
		}
		c.nulls += nn
	} else if c.defs != nil {
		for i := 0; i < n; i++ {
			c.defs = append(c.defs, 1)
		}
	}
	c.rows += n
	c.vals.add(a)
}

func (c *column) reset() {
	c.rows, c.nulls, c.defs = 0, 0, nil
	c.vals.reset()
}

func (c *column) schemaElement(t *thriftWriter) {
	t.begin()
	t.i32(1, c.phys)
	rep := int32(repOptional)
	if c.required {
		rep = repRequired
	}
	t.i32(3, rep)
	t.str(4, c.name)
	if c.converted >= 0 {
		t.i32(6, c.converted)
	}
	if c.converted == ctDecimal {
		t.i32(7, c.scale)
		t.i32(8, c.precision)
	}
	if c.logical != nil {
		t.structField(10)
		c.logical(t)
		t.end()
	}
	t.end()
}

func emptyMember(id int16) func(t *thriftWriter) {
	return func(t *thriftWriter) {
		t.structField(id)
		t.end()
	}
}

func intLogical(bits int8, signed bool) func(t *thriftWriter) {
	return func(t *thriftWriter) {
		t.structField(10)
		t.i8(1, bits)
		t.boolean(2, signed)
		t.end()
	}
}

// timeLogical writes TIME (7) or TIMESTAMP (8) in microseconds.
func timeLogical(id int16, utc bool) func(t *thriftWriter) {
	return func(t *thriftWriter) {
		t.structField(id)
		t.boolean(1, utc)
		t.structField(2) // unit
		t.structField(2) // MICROS
		t.end()
		t.end()
		t.end()
	}
}

func decimalLogical(scale, prec int32) func(t *thriftWriter) {
	return func(t *thriftWriter) {
		t.structField(5)
		t.i32(1, scale)
		t.i32(2, prec)
		t.end()
	}
}

// newColumn maps an Arrow field to its Parquet column, as pqarrow maps
// it; an error for the types Writer does not write.
func newColumn(f arrow.Field, dict bool) (*column, error) {
	c := &column{name: f.Name, required: !f.Nullable, converted: -1, dict: dict, signed: true}
	switch dt := f.Type.(type) {
	case *arrow.BooleanType:
		c.phys, c.vals, c.dict = ptBoolean, &boolValues{}, false
	case *arrow.Int16Type:
		c.phys, c.converted, c.logical = ptInt32, ctInt16, intLogical(16, true)
		c.vals = &fixedValues[uint32]{kind: statInt32, conv: appendInt16}
	case *arrow.Int32Type:
		c.phys, c.converted, c.logical = ptInt32, ctInt32, intLogical(32, true)
		c.vals = &fixedValues[uint32]{kind: statInt32, conv: appendSame[uint32]}
	case *arrow.Uint32Type:
		c.phys, c.converted, c.logical, c.signed = ptInt32, ctUint32, intLogical(32, false), false
		c.vals = &fixedValues[uint32]{kind: statUint32, conv: appendSame[uint32]}
	case *arrow.Int64Type:
		c.phys, c.converted, c.logical = ptInt64, ctInt64, intLogical(64, true)
		c.vals = &fixedValues[uint64]{kind: statInt64, conv: appendSame[uint64]}
	case *arrow.Float32Type:
		c.phys = ptFloat
		c.vals = &fixedValues[uint32]{kind: statFloat32, conv: appendSame[uint32]}
	case *arrow.Float64Type:
		c.phys = ptDouble
		c.vals = &fixedValues[uint64]{kind: statFloat64, conv: appendSame[uint64]}
	case *arrow.Date32Type:
		c.phys, c.converted, c.logical = ptInt32, ctDate, emptyMember(6)
		c.vals = &fixedValues[uint32]{kind: statInt32, conv: appendSame[uint32]}
	case *arrow.Time64Type:
		if dt.Unit != arrow.Microsecond {
			return nil, fmt.Errorf("parquet writer: time unit %s", dt.Unit)
		}
		c.phys, c.logical = ptInt64, timeLogical(7, false)
		c.vals = &fixedValues[uint64]{kind: statInt64, conv: appendSame[uint64]}
	case *arrow.TimestampType:
		if dt.Unit != arrow.Microsecond || (dt.TimeZone != "" && dt.TimeZone != "UTC") {
			return nil, fmt.Errorf("parquet writer: timestamp %s", dt)
		}
		utc := dt.TimeZone != ""
		c.phys, c.logical = ptInt64, timeLogical(8, utc)
		if utc {
			c.converted = ctTimestampMicros
		}
		c.vals = &fixedValues[uint64]{kind: statInt64, conv: appendSame[uint64]}
	case *arrow.Decimal64Type:
		if err := c.decimal(dt.Precision, dt.Scale, false); err != nil {
			return nil, err
		}
	case *arrow.Decimal128Type:
		if err := c.decimal(dt.Precision, dt.Scale, true); err != nil {
			return nil, err
		}
	case *arrow.StringType:
		c.phys, c.converted, c.logical, c.signed = ptByteArray, ctUTF8, emptyMember(1), false
		c.vals = &byteValues{}
	case *arrow.BinaryType:
		c.phys, c.signed = ptByteArray, false
		c.vals = &byteValues{}
	default:
		return nil, fmt.Errorf("parquet writer: type %s", f.Type)
	}
	return c, nil
}

// decimal makes c a decimal of precision ≤ 18 stored as INT32 (≤ 9) or
// INT64, as pqarrow's WithStoreDecimalAsInteger stores it.
func (c *column) decimal(prec, scale int32, wide bool) error {
	if prec > 18 || prec < 1 {
		return fmt.Errorf("parquet writer: decimal precision %d", prec)
	}
	c.converted, c.scale, c.precision = ctDecimal, scale, prec
	c.logical = decimalLogical(scale, prec)
	switch {
	case prec <= 9 && wide:
		c.phys, c.vals = ptInt32, &fixedValues[uint32]{kind: statInt32, conv: lowWords[uint32](2)}
	case prec <= 9:
		c.phys, c.vals = ptInt32, &fixedValues[uint32]{kind: statInt32, conv: lowWords[uint32](1)}
	case wide:
		c.phys, c.vals = ptInt64, &fixedValues[uint64]{kind: statInt64, conv: lowWords[uint64](2)}
	default:
		c.phys, c.vals = ptInt64, &fixedValues[uint64]{kind: statInt64, conv: appendSame[uint64]}
	}
	return nil
}

// values are a column's non-NULL values of the current row group.
type values interface {
	add(a arrow.Array)
	len() int
	// plain appends values [from, to) PLAIN-encoded
	plain(dst []byte, from, to int) []byte
	// cut is the end of the page that starts at value from: as many
	// values as fit in limit bytes of PLAIN encoding, at least one
	cut(from, limit int) int
	// dictionary appends the PLAIN-encoded dictionary to dst and each
	// value's index to idx; ok is false (and nothing is kept) when the
	// dictionary would pass dictLimit
	dictionary(dst []byte, idx []uint32) (page []byte, n int, out []uint32, ok bool)
	// minMax are the statistics, PLAIN-encoded (without a length for
	// byte arrays); ok is false when there are none. fromDict takes
	// them from the distinct values of the last successful dictionary
	// call, fewer to compare than the values.
	minMax(fromDict bool) (lo, hi []byte, ok bool)
	// plainSize is the size of all values PLAIN-encoded
	plainSize() int
	reset()
}

// fixed-width values are kept as their bit patterns: U is uint32 for
// the 4-byte physical types, uint64 for the 8-byte ones.
type fixedValues[U uint32 | uint64] struct {
	v    []U
	kind statKind
	conv func(dst []U, a arrow.Array) []U // appends a's non-NULL values
	tab  hashTable[U]
}

type statKind uint8

const (
	statInt32 statKind = iota
	statUint32
	statInt64
	statFloat32
	statFloat64
)

func (f *fixedValues[U]) add(a arrow.Array) { f.v = f.conv(f.v, a) }

func (f *fixedValues[U]) len() int { return len(f.v) }

func (f *fixedValues[U]) reset() { f.v = f.v[:0] }

func (f *fixedValues[U]) plain(dst []byte, from, to int) []byte {
	return append(dst, asBytes(f.v[from:to])...)
}

func (f *fixedValues[U]) cut(from, limit int) int {
	var u U
	per := max(limit/int(unsafe.Sizeof(u)), 1)
	return min(from+per, len(f.v))
}

func (f *fixedValues[U]) dictionary(dst []byte, idx []uint32) ([]byte, int, []uint32, bool) {
	var u U
	maxEntries := dictLimit / int(unsafe.Sizeof(u))
	f.tab.reset()
	var dict []U
	for _, x := range f.v {
		k, added := f.tab.insert(x)
		if added {
			if len(f.tab.keys) > maxEntries {
				return dst, 0, idx, false
			}
		}
		idx = append(idx, k)
	}
	dict = f.tab.keys
	return append(dst, asBytes(dict)...), len(dict), idx, true
}

func (f *fixedValues[U]) plainSize() int {
	var u U
	return len(f.v) * int(unsafe.Sizeof(u))
}

func (f *fixedValues[U]) minMax(fromDict bool) ([]byte, []byte, bool) {
	v := f.v
	if fromDict {
		v = f.tab.keys
	}
	if len(v) == 0 {
		return nil, nil, false
	}
	switch f.kind {
	case statInt32:
		lo, hi := ordMinMax(reinterpret[U, int32](v))
		return le32(uint32(lo)), le32(uint32(hi)), true
	case statUint32:
		lo, hi := ordMinMax(reinterpret[U, uint32](v))
		return le32(lo), le32(hi), true
	case statInt64:
		lo, hi := ordMinMax(reinterpret[U, int64](v))
		return le64(uint64(lo)), le64(uint64(hi)), true
	case statFloat32:
		lo, hi, ok := floatMinMax(reinterpret[U, float32](v))
		if !ok {
			return nil, nil, false
		}
		return le32(math.Float32bits(lo)), le32(math.Float32bits(hi)), true
	default:
		lo, hi, ok := floatMinMax(reinterpret[U, float64](v))
		if !ok {
			return nil, nil, false
		}
		return le64(math.Float64bits(lo)), le64(math.Float64bits(hi)), true
	}
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func ordMinMax[T int32 | uint32 | int64](v []T) (T, T) {
	lo, hi := v[0], v[0]
	for _, x := range v[1:] {
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
	}
	return lo, hi
}

// floatMinMax skips NaNs and writes a zero bound as -0 (min) and +0
// (max), as the format asks, so readers comparing either zero prune
// nothing they should keep.
func floatMinMax[T float32 | float64](v []T) (lo, hi T, ok bool) {
	for _, x := range v {
		if x != x {
			continue
		}
		if !ok {
			lo, hi, ok = x, x, true
			continue
		}
		if x < lo {
			lo = x
		}
		if x > hi {
			hi = x
		}
	}
	if ok {
		if lo == 0 {
			lo = T(math.Copysign(0, -1))
		}
		if hi == 0 {
			hi = 0
		}
	}
	return lo, hi, ok
}

// reinterpret views a slice of one 4- or 8-byte type as another of the
// same width.
func reinterpret[U uint32 | uint64, T int32 | uint32 | int64 | float32 | float64](v []U) []T {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// asBytes is v's memory: PLAIN encoding is little-endian, as this
// machine's order is (lakeq builds for little-endian targets only).
func asBytes[U uint32 | uint64 | fixedValue](v []U) []byte {
	if len(v) == 0 {
		return nil
	}
	var u U
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(u)))
}

// fixedWords is a's values buffer as words of U (offset applied).
func fixedWords[U uint32 | uint64](a arrow.Array, per int) []U {
	d := a.Data()
	buf := d.Buffers()[1]
	if buf == nil || d.Len() == 0 {
		return nil
	}
	b := buf.Bytes()
	var u U
	w := int(unsafe.Sizeof(u))
	b = b[d.Offset()*per*w : (d.Offset()+d.Len())*per*w]
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/w)
}

func appendSame[U uint32 | uint64](dst []U, a arrow.Array) []U {
	src := fixedWords[U](a, 1)
	if a.NullN() == 0 {
		return append(dst, src...)
	}
	for i, x := range src {
		if a.IsValid(i) {
			dst = append(dst, x)
		}
	}
	return dst
}

func appendInt16(dst []uint32, a arrow.Array) []uint32 {
	src := a.(*array.Int16).Int16Values()
	nulls := a.NullN() > 0
	for i, x := range src {
		if !nulls || a.IsValid(i) {
			dst = append(dst, uint32(int32(x)))
		}
	}
	return dst
}

// lowWords appends the low word of each value of a, a decimal of
// precision ≤ 18 stored in stride 64-bit words per value (1 for
// Decimal64, 2 for Decimal128, whose low word comes first), narrowed to
// U (INT32 for precision ≤ 9).
func lowWords[U uint32 | uint64](stride int) func(dst []U, a arrow.Array) []U {
	return func(dst []U, a arrow.Array) []U {
		src := fixedWords[uint64](a, stride)
		nulls := a.NullN() > 0
		for i := 0; i < len(src)/stride; i++ {
			if !nulls || a.IsValid(i) {
				dst = append(dst, U(src[stride*i]))
			}
		}
		return dst
	}
}

// boolValues are booleans, PLAIN-encoded as bits (never dictionaries).
type boolValues struct{ v []bool }

func (b *boolValues) add(a arrow.Array) {
	x := a.(*array.Boolean)
	for i := 0; i < x.Len(); i++ {
		if x.IsValid(i) {
			b.v = append(b.v, x.Value(i))
		}
	}
}

func (b *boolValues) len() int { return len(b.v) }

func (b *boolValues) reset() { b.v = b.v[:0] }

func (b *boolValues) plain(dst []byte, from, to int) []byte {
	var acc byte
	n := 0
	for _, v := range b.v[from:to] {
		if v {
			acc |= 1 << n
		}
		n++
		if n == 8 {
			dst = append(dst, acc)
			acc, n = 0, 0
		}
	}
	if n > 0 {
		dst = append(dst, acc)
	}
	return dst
}

func (b *boolValues) cut(from, limit int) int { return min(from+limit*8, len(b.v)) }

func (b *boolValues) dictionary(dst []byte, idx []uint32) ([]byte, int, []uint32, bool) {
	return dst, 0, idx, false
}

func (b *boolValues) plainSize() int { return (len(b.v) + 7) / 8 }

func (b *boolValues) minMax(bool) ([]byte, []byte, bool) {
	if len(b.v) == 0 {
		return nil, nil, false
	}
	lo, hi := true, false
	for _, v := range b.v {
		lo = lo && v
		hi = hi || v
	}
	return []byte{boolByte(lo)}, []byte{boolByte(hi)}, true
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// byteValues are strings and binaries: their bytes end to end, and where
// each ends.
type byteValues struct {
	data []byte
	ends []uint32 // ends[i] is where value i ends in data
	tab  bytesTable
}

func (b *byteValues) value(i int) []byte {
	var start uint32
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.data[start:b.ends[i]]
}

func (b *byteValues) add(a arrow.Array) {
	d := a.Data()
	var offs []int32
	switch x := a.(type) {
	case *array.String:
		offs = x.ValueOffsets()
	case *array.Binary:
		offs = x.ValueOffsets()
	}
	var raw []byte
	if buf := d.Buffers()[2]; buf != nil {
		raw = buf.Bytes()
	}
	base := uint32(len(b.data))
	if a.NullN() == 0 && len(offs) > 0 {
		first := offs[0]
		b.data = append(b.data, raw[first:offs[len(offs)-1]]...)
		for _, o := range offs[1:] {
			b.ends = append(b.ends, base+uint32(o-first))
		}
		return
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsValid(i) {
			b.data = append(b.data, raw[offs[i]:offs[i+1]]...)
			b.ends = append(b.ends, uint32(len(b.data)))
		}
	}
}

func (b *byteValues) len() int { return len(b.ends) }

func (b *byteValues) reset() { b.data, b.ends = b.data[:0], b.ends[:0] }

func (b *byteValues) plain(dst []byte, from, to int) []byte {
	for i := from; i < to; i++ {
		v := b.value(i)
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	return dst
}

func (b *byteValues) cut(from, limit int) int {
	var start uint32
	if from > 0 {
		start = b.ends[from-1]
	}
	to := from + 1
	for to < len(b.ends) && int(b.ends[to]-start)+4*(to+1-from) <= limit {
		to++
	}
	return to
}

func (b *byteValues) dictionary(dst []byte, idx []uint32) ([]byte, int, []uint32, bool) {
	b.tab.reset()
	size := 0
	for i := range b.ends {
		v := b.value(i)
		k, added := b.tab.insert(v)
		if added {
			size += 4 + len(v)
			if size > dictLimit {
				return dst, 0, idx, false
			}
		}
		idx = append(idx, k)
	}
	for _, v := range b.tab.vals {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
		dst = append(dst, v...)
	}
	return dst, len(b.tab.vals), idx, true
}

func (b *byteValues) plainSize() int { return len(b.data) + 4*len(b.ends) }

func (b *byteValues) minMax(fromDict bool) ([]byte, []byte, bool) {
	if fromDict {
		return bytesMinMax(len(b.tab.vals), func(i int) []byte { return b.tab.vals[i] })
	}
	return bytesMinMax(len(b.ends), b.value)
}

// bytesMinMax are the least and greatest of the n values at returns, in
// bytewise order, copied.
func bytesMinMax(n int, at func(i int) []byte) ([]byte, []byte, bool) {
	if n == 0 {
		return nil, nil, false
	}
	lo, hi := at(0), at(0)
	// first bytes of lo and hi (-1: empty): a value whose first byte
	// lies strictly between them is neither, decided without a compare
	// (most values of a text column, once lo and hi have settled)
	first := func(v []byte) int {
		if len(v) == 0 {
			return -1
		}
		return int(v[0])
	}
	lo0, hi0 := first(lo), first(hi)
	for i := 1; i < n; i++ {
		v := at(i)
		if len(v) > 0 && int(v[0]) > lo0 && int(v[0]) < hi0 {
			continue
		}
		if bytes.Compare(v, lo) < 0 {
			lo, lo0 = v, first(v)
		} else if bytes.Compare(v, hi) > 0 {
			hi, hi0 = v, first(v)
		}
	}
	return bytes.Clone(lo), bytes.Clone(hi), true
}
