// Package json reads JSON Lines files with Hive JSON SerDe behaviour:
// keys match columns case-insensitively, missing keys read as NULL,
// arrays of scalars become list columns and nested objects jsonb.
package json

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column is a column of a JSON dataset.
type Column = storage.Column

// Options are read_json's options.
type Options struct {
	Columns      []Column
	Compression  string
	IgnoreErrors bool // skip lines that are not JSON objects
	// Keys maps a column name to the JSON key it reads (the JSON SerDes'
	// mapping.<column> = key); matching is case-insensitive.
	Keys map[string]string
	// CaseSensitive matches keys to columns exactly (the JSON SerDes'
	// case.insensitive = false); by default case is ignored, as Hive does.
	CaseSensitive bool
	// MorselBytes is the byte range of a large uncompressed file read as
	// one morsel (0: DefaultMorselBytes)
	MorselBytes int64
}

// Dataset is a set of JSON Lines files.
type Dataset struct {
	FS      storage.FileSystem
	Files   []storage.FileInfo
	Opt     Options
	Columns []Column
	index   map[string]int // lower-case key → column
}

func decodeLine(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return obj, nil
}

// Open infers the columns from the union of keys of a sample.
func Open(ctx context.Context, fs storage.FileSystem, files []storage.FileInfo, opt Options) (*Dataset, error) {
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "no files to read")
	}
	d := &Dataset{FS: fs, Files: files, Opt: opt}
	if len(opt.Columns) > 0 {
		d.Columns = opt.Columns
	} else {
		order := []string{}
		kinds := map[string]types.T{}
		names := map[string]string{}
		seenKind := map[string]bool{}
		rc, closer, err := d.open(ctx, files[0], nil)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 64<<10), 64<<20) // grows to the longest line
		for n := 0; n < 2048 && sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			obj, err := decodeLine(line)
			if err != nil {
				if opt.IgnoreErrors {
					continue
				}
				closer()
				return nil, sqlerr.New("22P04", "malformed JSON in file \"%s\" line %d: %v", files[0].Path, n+1, err)
			}
			for _, k := range objectKeys(line) {
				v, ok := obj[k]
				if !ok {
					continue
				}
				lk := strings.ToLower(k)
				if _, ok := names[lk]; !ok {
					names[lk] = lk // Hive lower-cases column names
					order = append(order, lk)
				}
				if v == nil {
					continue
				}
				t := typeOf(v)
				if !seenKind[lk] {
					kinds[lk], seenKind[lk] = t, true
				} else {
					kinds[lk] = unify(kinds[lk], t)
				}
			}
		}
		closer()
		if err := sc.Err(); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", files[0].Path)
		}
		if len(order) == 0 {
			return nil, sqlerr.New(sqlerr.DataCorrupted, "could not detect the columns of \"%s\": no JSON objects", files[0].Path)
		}
		for _, lk := range order {
			t, ok := kinds[lk]
			if !ok {
				t = types.TextT
			}
			d.Columns = append(d.Columns, Column{Name: names[lk], Type: t})
		}
	}
	d.index = map[string]int{}
	for i, c := range d.Columns {
		key := c.Name
		if k, ok := opt.Keys[c.Name]; ok {
			key = k
		}
		d.index[d.fold(key)] = i
	}
	return d, nil
}

func typeOf(v any) types.T {
	switch x := v.(type) {
	case bool:
		return types.BoolT
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return types.Int8T
		}
		return types.Float8T
	case string:
		if len(x) == 10 && x[4] == '-' && x[7] == '-' {
			if _, err := types.ParseDate(x); err == nil {
				return types.DateT
			}
		}
		if len(x) >= 19 && x[4] == '-' && x[10] != ' ' || len(x) >= 19 && x[4] == '-' {
			if _, err := types.ParseTimestamp(x, false, nil); err == nil && !strings.ContainsAny(x[10:], "Zz+") && !strings.Contains(x[10:], "-") {
				return types.TimestampT
			}
			if _, err := types.ParseTimestamp(x, true, time.UTC); err == nil {
				return types.TimestampTZT
			}
		}
		return types.TextT
	case []any:
		var et *types.T
		for _, e := range x {
			if e == nil {
				continue
			}
			t := typeOf(e)
			if t.Kind == types.Array || t.Kind == types.JSONB {
				return types.JSONBT
			}
			if et == nil {
				et = &t
			} else {
				u := unify(*et, t)
				et = &u
			}
		}
		if et == nil {
			return types.ArrayOf(types.TextT)
		}
		return types.ArrayOf(*et)
	case map[string]any:
		return types.JSONBT
	}
	return types.TextT
}

// unify merges the types of one key seen in different lines.
func unify(a, b types.T) types.T { return types.Widen(a, b) }

func (d *Dataset) open(ctx context.Context, fi storage.FileInfo, st *storage.ScanStats) (io.Reader, func(), error) {
	c, err := storage.ParseCompression(d.Opt.Compression, fi.Path)
	if err != nil {
		return nil, nil, err
	}
	r, _, done, err := storage.OpenLineRange(ctx, d.FS, fi, st, c, 0, -1)
	if err != nil {
		return nil, nil, err
	}
	return storage.SkipBOM(r), done, nil
}

// Morsel is a byte range of one file (the whole file when compressed).
type Morsel struct {
	d          *Dataset
	file       storage.FileInfo
	start, end int64 // byte range of line starts; end < 0 = to the end
	cols       []int
}

// Morsels splits uncompressed files into byte ranges read in parallel
// (a JSON Lines record never spans a newline: one inside a string is
// escaped).
func (d *Dataset) Morsels(_ context.Context, cols []int, st *storage.ScanStats) ([]*Morsel, error) {
	var out []*Morsel
	for _, f := range d.Files {
		if st != nil {
			st.FilesRead.Add(1)
		}
		c, err := storage.ParseCompression(d.Opt.Compression, f.Path)
		if err != nil {
			return nil, err
		}
		size := d.Opt.MorselBytes
		if size <= 0 {
			size = DefaultMorselBytes
		}
		if c != storage.NoCompression || f.Size <= size {
			out = append(out, &Morsel{d: d, file: f, end: -1, cols: cols})
			continue
		}
		for s := int64(0); s < f.Size; s += size {
			e := s + size
			if e >= f.Size {
				e = -1
			}
			out = append(out, &Morsel{d: d, file: f, start: s, end: e, cols: cols})
		}
	}
	return out, nil
}

// DefaultMorselBytes is the byte range a worker reads of a large file.
const DefaultMorselBytes = 16 << 20

// convert turns a decoded JSON value into a scalar of type t.
func convert(v any, t types.T) (types.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch t.Kind {
	case types.JSONB, types.JSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return types.NormalizeJSONB(string(b))
	case types.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("expected an array")
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			c, err := convert(e, *t.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case bool:
		text = fmt.Sprint(x)
	default:
		b, _ := json.Marshal(x)
		text = string(b)
	}
	if t.IsString() {
		return text, nil
	}
	return types.ParseText(t, text, time.UTC)
}

// maxLine bounds a line: past it a file is taken for something else
// than JSON Lines rather than read whole into memory.
const maxLine = 64 << 20

// Read parses the morsel's lines into batches.
func (m *Morsel) Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error) {
	d := m.d
	c, err := storage.ParseCompression(d.Opt.Compression, m.file.Path)
	if err != nil {
		return nil, err
	}
	r, start, done, err := storage.OpenLineRange(ctx, d.FS, m.file, st, c, m.start, m.end)
	if err != nil {
		return nil, err
	}
	defer done()
	fields := make([]arrow.Field, len(m.cols))
	writers := make([]colWriter, len(m.cols))
	for i, col := range m.cols {
		t := d.Columns[col].Type
		fields[i] = arrow.Field{Name: d.Columns[col].Name, Type: t.Arrow(), Nullable: true}
		writers[i] = newColWriter(t)
	}
	schema := arrow.NewSchema(fields, nil)
	var out []arrow.Record
	rows := 0
	flush := func() {
		if rows == 0 {
			return
		}
		arrs := make([]arrow.Array, len(writers))
		for i := range writers {
			arrs[i] = writers[i].b.NewArray()
		}
		out = append(out, array.NewRecord(schema, arrs, int64(rows)))
		rows = 0
	}
	p := newLineParser(d, m.cols)
	lines := int64(0) // lines read in this morsel
	// lineNo numbers a line for a message: counted from the file's start
	// when the morsel does not begin there (error path only)
	lineNo := func(at int64) int64 {
		if m.start == 0 {
			return lines
		}
		return storage.LineAt(ctx, d.FS, m.file.Path, at)
	}
	reject := func() {
		if st != nil {
			st.RowsRejected.Add(1)
		}
	}
	// one line: false when the morsel's range ends before it
	line := func(b []byte, at int64) (bool, error) {
		if m.end >= 0 && c == storage.NoCompression && at >= m.end {
			return false, nil
		}
		lines++
		if lines%4096 == 0 && ctx.Err() != nil {
			return false, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			return true, nil
		}
		// Go's decoder would turn invalid UTF-8 into U+FFFD silently
		if !types.ValidUTF8(b) {
			if d.Opt.IgnoreErrors {
				reject()
				return true, nil
			}
			return false, types.InvalidUTF8(b, fmt.Sprintf("file \"%s\" line %d", m.file.Path, lineNo(at)))
		}
		if err := p.parse(b); err != nil {
			if d.Opt.IgnoreErrors {
				reject()
				return true, nil
			}
			return false, sqlerr.New("22P04", "malformed JSON in file \"%s\" line %d: %v", m.file.Path, lineNo(at), err)
		}
		for i := range writers {
			if err := writers[i].append(p, p.slots[i]); err != nil {
				if !d.Opt.IgnoreErrors {
					col := d.Columns[m.cols[i]]
					return false, sqlerr.New(sqlerr.InvalidTextRepr, "invalid value for column %s in file \"%s\" line %d: %v", col.Name, m.file.Path, lineNo(at), err)
				}
				writers[i].b.AppendNull()
			}
		}
		rows++
		if rows >= 8192 {
			flush()
		}
		return true, nil
	}
	// buf holds whole lines from the file's offset off, then a partial one
	bufSize := int64(1 << 20)
	if span := m.file.Size - m.start; m.end < 0 && span >= 0 && span+1 < bufSize {
		bufSize = span + 1
	} else if m.end >= 0 && m.end-m.start+64<<10 < bufSize {
		bufSize = m.end - m.start + 64<<10
	}
	buf := make([]byte, 0, max(bufSize, 4096))
	off := start
	for eof := false; ; {
		if !eof {
			if len(buf) == cap(buf) {
				if len(buf) >= maxLine {
					return nil, sqlerr.New(sqlerr.DataCorrupted, "could not read \"%s\": a line longer than %d MB (JSON Lines holds one object a line)", m.file.Path, maxLine>>20)
				}
				buf = append(buf[:cap(buf)], 0)[:len(buf)]
			}
			want := cap(buf) - len(buf)
			if c == storage.NoCompression {
				want = storage.ReadSize(off+int64(len(buf)), m.end, want)
			}
			n, err := r.Read(buf[len(buf) : len(buf)+want])
			buf = buf[:len(buf)+n]
			if off == 0 && c == storage.NoCompression && (len(buf) >= 3 || err != nil) {
				// a byte order mark opening the file is not data
				if k := storage.BOMLen(buf); k > 0 {
					buf = buf[:copy(buf, buf[k:])]
					off = int64(k)
				}
			}
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", m.file.Path)
			}
		}
		i := 0
		for i < len(buf) {
			nl := bytes.IndexByte(buf[i:], '\n')
			if nl < 0 {
				if !eof {
					break
				}
				nl = len(buf) - i // the last line, without a newline
			}
			more, err := line(buf[i:i+nl], off+int64(i))
			if err != nil {
				return nil, err
			}
			if !more {
				flush()
				return out, nil
			}
			i += min(nl+1, len(buf)-i)
		}
		if eof {
			break
		}
		buf = buf[:copy(buf, buf[i:])]
		off += int64(i)
	}
	flush()
	return out, nil
}

// colWriter appends one column's values to its builder, typed where
// lines hold such values most (numbers into bigint and double
// precision, strings into text, booleans), through PostgreSQL's input
// functions otherwise.
type colWriter struct {
	t   types.T
	b   array.Builder
	i64 *array.Int64Builder
	f64 *array.Float64Builder
	str *array.StringBuilder
	bl  *array.BooleanBuilder
}

func newColWriter(t types.T) colWriter {
	w := colWriter{t: t, b: array.NewBuilder(memory.DefaultAllocator, t.Arrow())}
	w.i64, _ = w.b.(*array.Int64Builder)
	w.f64, _ = w.b.(*array.Float64Builder)
	w.bl, _ = w.b.(*array.BooleanBuilder)
	if t.Kind == types.Text {
		w.str, _ = w.b.(*array.StringBuilder)
	}
	return w
}

var (
	trueText  = []byte("true")
	falseText = []byte("false")
)

func (w *colWriter) append(p *lineParser, s slot) error {
	switch s.kind {
	case kindMissing, kindNull:
		w.b.AppendNull()
		return nil
	case kindNested:
		return w.appendDecoded(p, s)
	}
	switch w.t.Kind {
	case types.JSON, types.JSONB, types.Array:
		return w.appendDecoded(p, s)
	}
	var text []byte
	switch s.kind {
	case kindTrue:
		if w.bl != nil {
			w.bl.Append(true)
			return nil
		}
		text = trueText
	case kindFalse:
		if w.bl != nil {
			w.bl.Append(false)
			return nil
		}
		text = falseText
	default:
		text = p.bytesOf(s.val)
	}
	switch {
	case w.str != nil:
		w.str.BinaryBuilder.Append(text)
		return nil
	case w.i64 != nil && s.kind == kindNumber:
		if v, ok := plainInt(text); ok {
			w.i64.Append(v)
			return nil
		}
	case w.f64 != nil && s.kind == kindNumber && len(text) <= 24 && bytes.IndexAny(text, "eE") < 0:
		// no exponent and few digits: neither out of range nor
		// underflowing, where PostgreSQL's input function errs
		if v, err := strconv.ParseFloat(unsafeString(text), 64); err == nil {
			w.f64.Append(v)
			return nil
		}
	}
	if w.t.IsString() {
		types.AppendValue(w.b, string(text))
		return nil
	}
	in := string(text)
	if transient(w.t) {
		in = unsafeString(text)
	}
	v, err := types.ParseText(w.t, in, time.UTC)
	if err != nil {
		return err
	}
	types.AppendValue(w.b, v)
	return nil
}

// appendDecoded appends a value as encoding/json decodes it: nested
// values and whatever goes into json, jsonb and array columns.
func (w *colWriter) appendDecoded(p *lineParser, s slot) error {
	dec := json.NewDecoder(bytes.NewReader(p.line[s.raw.start:s.raw.end]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	c, err := convert(v, w.t)
	if err != nil {
		return err
	}
	types.AppendValue(w.b, c)
	return nil
}

// transient reports types whose input function keeps no part of its
// text, so the text may alias the read buffer.
func transient(t types.T) bool {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Float4, types.Float8,
		types.Date, types.Time, types.Timestamp, types.TimestampTZ:
		return true
	}
	return false
}

func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// plainInt parses an optional minus and at most 18 digits (that cannot
// overflow); anything else is left to the input function.
func plainInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// objectKeys lists a JSON object's top-level keys in document order.
func objectKeys(line []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, ok := t.(string)
		if !ok {
			return keys
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// File is the path of the file the morsel reads.
func (m *Morsel) File() string { return m.file.Path }

// fold is the form keys are matched in.
func (d *Dataset) fold(k string) string {
	if d.Opt.CaseSensitive {
		return k
	}
	return strings.ToLower(k)
}

// Bytes is the size of the morsel's file: what reading it fetches.
func (m *Morsel) Bytes() int64 { return m.file.Size }
