// Package csv reads delimited text (CSV, TSV, Hive TEXTFILE) with
// OpenCSVSerde-style options, schema sniffing, streaming decompression
// and parallel byte-range morsels for large uncompressed files.
package csv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column is a column of a delimited file.
type Column = storage.Column

// Options are the reader options (read_csv's named arguments).
type Options struct {
	Delim        byte // 0 = sniff
	Quote        byte // 0: '"' (none for tab-separated files); NoQuote: none
	Escape       byte // 0 = a doubled quote escapes a quote
	Header       bool
	HeaderSet    bool // Header was given (else sniffed)
	Skip         int  // lines skipped before the header
	NullStr      string
	NullSet      bool
	Columns      []Column // explicit schema (no sniffing)
	Compression  string   // "auto" (by extension), "none", "gzip", ...
	IgnoreErrors bool     // skip malformed rows, counting them
	MorselBytes  int64    // byte-range size for parallel reads
	// EscapeCRLF (Hive's serialization.escape.crlf): with Escape, an
	// escaped n or r is a line feed or carriage return
	EscapeCRLF bool
	// Hive reads as Hive's text SerDes do (catalog tables): missing
	// trailing fields are NULL, extra fields are ignored, and a value
	// that does not convert to its column's type reads as NULL.
	Hive bool
}

// Dataset is a set of delimited files read with one schema.
type Dataset struct {
	FS       storage.FileSystem
	Files    []storage.FileInfo
	Opt      Options
	Columns  []Column
	Rejected atomic.Int64 // rows skipped by IgnoreErrors
}

// errNotUTF8 marks a text field that is not valid UTF-8.
var errNotUTF8 = errors.New("not valid UTF-8")

// NoQuote as Options.Quote turns quoting off: Hive's LazySimpleSerDe
// reads a double quote as any other character (Athena: "does not support
// quoted values").
const NoQuote = 0xff

func badRow(path string, line int64, format string, args ...any) error {
	loc := fmt.Sprintf("\"%s\"", path)
	if line > 0 {
		loc += fmt.Sprintf(" line %d", line)
	}
	return sqlerr.New("22P04", "malformed row in file %s: %s", loc, fmt.Sprintf(format, args...))
}

// Open sniffs the dialect and schema from the first file (options that
// were given are kept).
//
// NoQuote as Options.Quote turns quoting off: Hive's LazySimpleSerDe
// reads a double quote as any other character.
func Open(ctx context.Context, fs storage.FileSystem, files []storage.FileInfo, opt Options) (*Dataset, error) {
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "no files to read")
	}
	if opt.MorselBytes == 0 {
		opt.MorselBytes = 16 << 20
	}
	switch {
	case opt.Quote == NoQuote:
		opt.Quote = 0
	case opt.Quote == 0 && opt.Delim != '\t':
		opt.Quote = '"'
	}
	d := &Dataset{FS: fs, Files: files, Opt: opt}
	sample, err := d.sample(ctx, files[0], 1<<20)
	if err != nil {
		return nil, err
	}
	if err := d.sniff(files[0].Path, sample); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *Dataset) codec(path string) (storage.Compression, error) {
	return storage.ParseCompression(d.Opt.Compression, path)
}

// sample reads up to n decompressed bytes from the start of a file.
func (d *Dataset) sample(ctx context.Context, fi storage.FileInfo, n int64) ([]byte, error) {
	raw, err := storage.OpenInfo(ctx, d.FS, fi)
	if err != nil {
		return nil, err
	}
	// one request for the sample, not a window past it
	f := storage.SequentialUntil(raw, n, n)
	defer f.Close()
	c, err := d.codec(fi.Path)
	if err != nil {
		return nil, err
	}
	rc, err := storage.Decompress(c, io.NewSectionReader(f, 0, f.Size()), fi.Path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf, err := io.ReadAll(io.LimitReader(rc, n))
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", fi.Path)
	}
	return storage.TrimBOM(buf), nil
}

// splitter parses records of one dialect.
type splitter struct {
	delim, quote, escape byte
	crlf                 bool // escaped n and r are line ends (EscapeCRLF)
	// rawNull is the NULL token matched before unescaping (Hive's
	// LazySimpleSerDe with ESCAPED BY: `\N` is NULL while an escaped
	// `\\N` is the text \N); a NULL field is then nil and every other
	// field non-nil. Set only with an escape character and a NULL token.
	rawNull []byte
	// need is the fields a reader uses (0: all): past them, a line with
	// no quote, escape or carriage return is not split but its
	// delimiters counted (extra, per record), which keeps the field
	// count checked at a fraction of the cost
	need  int
	extra int
}

// skipRest counts the fields of the record from the delimiter at
// buf[i] to its line's end, when that part can hold nothing but
// delimiters and text; ok is false when it must be parsed.
func (s *splitter) skipRest(buf []byte, i int) (consumed, fields int, ok bool) {
	end := bytes.IndexByte(buf[i:], '\n')
	if end < 0 {
		return 0, 0, false
	}
	rest := buf[i : i+end]
	if k := len(rest); k > 0 && rest[k-1] == '\r' {
		rest = rest[:k-1]
	}
	if s.quote != 0 && bytes.IndexByte(rest, s.quote) >= 0 ||
		s.escape != 0 && bytes.IndexByte(rest, s.escape) >= 0 ||
		bytes.IndexByte(rest, '\r') >= 0 {
		return 0, 0, false
	}
	return i + end + 1, bytes.Count(rest, []byte{s.delim}), true
}

// next parses one record from buf; it returns the fields, the bytes
// consumed, and whether the record was complete (ended by a newline or,
// when final, by the end of the data).
func (s *splitter) next(buf []byte, final bool, fields [][]byte) ([][]byte, int, bool, error) {
	fields = fields[:0]
	s.extra = 0
	i := 0
	n := len(buf)
	for {
		// one field
		if i < n && s.quote != 0 && buf[i] == s.quote {
			i++
			var val []byte
			start := i
			copied := false
			for {
				if i >= n {
					if final {
						return nil, 0, false, fmt.Errorf("unterminated quoted field")
					}
					return nil, 0, false, nil
				}
				c := buf[i]
				if s.escape != 0 && s.escape != s.quote && c == s.escape && i+1 < n {
					if !copied {
						val = append(val, buf[start:i]...)
						copied = true
					}
					val = append(val, buf[i+1])
					i += 2
					continue
				}
				if c == s.quote {
					if i+1 < n && buf[i+1] == s.quote && (s.escape == 0 || s.escape == s.quote) {
						if !copied {
							val = append(val, buf[start:i]...)
							copied = true
						}
						val = append(val, s.quote)
						i += 2
						continue
					}
					if i+1 >= n && !final {
						return nil, 0, false, nil
					}
					break
				}
				if copied {
					val = append(val, c)
				}
				i++
			}
			if !copied {
				val = buf[start:i]
			}
			i++ // closing quote
			// a quoted field: never the NULL token; mark with a non-nil empty slice
			if val == nil {
				val = []byte{}
			}
			fields = append(fields, val)
			// a quoted field ends at a delimiter or the end of the line:
			// anything else after its closing quote is an error, never
			// dropped (DuckDB refuses it too; a file written with another
			// escape character than the one declared ends up here)
			if i < n && buf[i] != s.delim && buf[i] != '\n' && buf[i] != '\r' {
				return nil, 0, false, fmt.Errorf("unexpected %q after the closing quote of field %d (is the escape character %q right?)", buf[i], len(fields), s.escapeOrQuote())
			}
		} else {
			start := i
			if s.escape != 0 && s.escape != s.quote {
				var val []byte
				copied := false
				for i < n && buf[i] != s.delim && buf[i] != '\n' && buf[i] != '\r' {
					if buf[i] == s.escape && i+1 < n {
						if !copied {
							val = append(val, buf[start:i]...)
							copied = true
						}
						c := buf[i+1]
						if s.crlf && c == 'n' {
							c = '\n'
						} else if s.crlf && c == 'r' {
							c = '\r'
						}
						val = append(val, c)
						i += 2
						continue
					}
					if copied {
						val = append(val, buf[i])
					}
					i++
				}
				if !copied {
					val = buf[start:i]
				}
				switch {
				case s.rawNull == nil:
					fields = append(fields, unquoted(val))
				case bytes.Equal(buf[start:i], s.rawNull):
					fields = append(fields, nil)
				case val == nil:
					fields = append(fields, []byte{})
				default:
					fields = append(fields, val)
				}
			} else {
				// fields are short: a byte loop beats any search call
				// (bytes.IndexAny built its byte set on every field: 70%
				// of a CSV scan's time)
				d := s.delim
				for i < n {
					if c := buf[i]; c == d || c == '\n' || c == '\r' {
						break
					}
					i++
				}
				fields = append(fields, unquoted(buf[start:i]))
			}
		}
		if i >= n {
			if !final {
				return nil, 0, false, nil
			}
			return fields, i, true, nil
		}
		switch buf[i] {
		case s.delim:
			if s.need > 0 && len(fields) >= s.need {
				if consumed, extra, ok := s.skipRest(buf, i); ok {
					s.extra = extra
					return fields, consumed, true, nil
				}
			}
			i++
			continue
		case '\r':
			if i+1 < n && buf[i+1] == '\n' {
				return fields, i + 2, true, nil
			}
			if i+1 >= n && !final {
				return nil, 0, false, nil
			}
			return fields, i + 1, true, nil
		case '\n':
			return fields, i + 1, true, nil
		}
	}
}

// escapeOrQuote is the character that escapes a quote inside a quoted
// field: the escape, or a doubled quote.
func (s *splitter) escapeOrQuote() byte {
	if s.escape != 0 {
		return s.escape
	}
	return s.quote
}

// unquoted marks an unquoted field (nil-able when empty, for NULL tests).
func unquoted(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func (d *Dataset) isNull(f []byte) bool {
	if d.escapedNull() {
		return f == nil // the splitter matched the token before unescaping
	}
	if d.Opt.NullSet {
		return f != nil && string(f) == d.Opt.NullStr || (f == nil && d.Opt.NullStr == "")
	}
	return f == nil // an unquoted empty field
}

func (d *Dataset) escapedNull() bool {
	o := &d.Opt
	return o.Escape != 0 && o.Escape != o.Quote && o.NullSet && o.NullStr != ""
}

func (d *Dataset) newSplitter() *splitter {
	sp := &splitter{delim: d.Opt.Delim, quote: d.Opt.Quote, escape: d.Opt.Escape, crlf: d.Opt.EscapeCRLF}
	if d.escapedNull() {
		sp.rawNull = []byte(d.Opt.NullStr)
	}
	return sp
}

// sniff detects the delimiter, header and column types from a sample.
func (d *Dataset) sniff(path string, sample []byte) error {
	lines := bytes.Split(sample, []byte("\n"))
	if len(sample) == 1<<20 && len(lines) > 1 {
		lines = lines[:len(lines)-1] // last line may be cut
	}
	if d.Opt.Skip > 0 {
		if d.Opt.Skip >= len(lines) {
			lines = nil
		} else {
			lines = lines[d.Opt.Skip:]
		}
	}
	if d.Opt.Delim == 0 {
		if strings.HasSuffix(strings.TrimSuffix(strings.ToLower(path), "."+string(storage.CompressionOf(path))), ".tsv") {
			d.Opt.Delim = '\t'
		} else {
			best, bestScore := byte(','), -1
			for _, cand := range []byte{',', '|', '\t', ';'} {
				counts := map[int]int{}
				for i, l := range lines {
					if i >= 200 {
						break
					}
					if len(bytes.TrimSpace(l)) == 0 {
						continue
					}
					counts[bytes.Count(l, []byte{cand})]++
				}
				for c, k := range counts {
					if c > 0 && k*(c+1) > bestScore {
						best, bestScore = cand, k*(c+1)
					}
				}
			}
			d.Opt.Delim = best
		}
	}
	sp := d.newSplitter()
	var rows [][][]byte
	buf := bytes.Join(lines, []byte("\n"))
	var fields [][]byte
	for len(buf) > 0 && len(rows) < 2048 {
		f, n, ok, err := sp.next(buf, true, fields)
		if err != nil || !ok {
			break
		}
		row := make([][]byte, len(f))
		copy(row, f)
		rows = append(rows, row)
		buf = buf[n:]
	}
	// drop trailing empty lines
	for len(rows) > 0 && len(rows[len(rows)-1]) == 1 && len(rows[len(rows)-1][0]) == 0 {
		rows = rows[:len(rows)-1]
	}
	if len(d.Opt.Columns) > 0 {
		d.Columns = d.Opt.Columns
		if !d.Opt.HeaderSet {
			d.Opt.Header = false
		}
		return nil
	}
	if len(rows) == 0 {
		return sqlerr.New(sqlerr.DataCorrupted, "could not detect the columns of \"%s\": it is empty", path)
	}
	width := len(rows[0])
	body := rows
	if len(rows) > 1 {
		body = rows[1:]
	}
	colTypes := make([]types.T, width)
	for c := 0; c < width; c++ {
		colTypes[c] = d.inferType(body, c)
	}
	header := d.Opt.Header
	if !d.Opt.HeaderSet {
		header = false
		allText := true
		for c := 0; c < width; c++ {
			if colTypes[c].Kind != types.Text {
				allText = false
				if f := rows[0][c]; !d.isNull(f) && !parsesAs(f, colTypes[c]) {
					header = true
				}
			}
		}
		if allText && len(rows) > 1 {
			header = true
			seen := map[string]bool{}
			for _, f := range rows[0] {
				s := string(f)
				if s == "" || seen[s] || !looksLikeName(s) {
					header = false
				}
				seen[s] = true
			}
		}
		d.Opt.Header = header
	}
	if !header {
		for c := 0; c < width; c++ {
			colTypes[c] = d.inferType(rows, c)
		}
	}
	for c := 0; c < width; c++ {
		// DuckDB's names: column0.. or, from ten columns, column00..
		name := fmt.Sprintf("column%0*d", len(strconv.Itoa(width-1)), c)
		if header && c < len(rows[0]) && len(rows[0][c]) > 0 {
			name = string(rows[0][c])
		}
		d.Columns = append(d.Columns, Column{Name: name, Type: colTypes[c]})
	}
	return nil
}

func looksLikeName(s string) bool {
	for _, r := range s {
		if !(r == '_' || r == ' ' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return !(s[0] >= '0' && s[0] <= '9')
}

// inferType picks the narrowest of bigint, double, date, timestamp,
// boolean, text that every non-NULL sample value parses as.
func (d *Dataset) inferType(rows [][][]byte, c int) types.T {
	cands := []types.T{types.BoolT, types.Int8T, types.Float8T, types.DateT, types.TimestampT}
	ok := make([]bool, len(cands))
	for i := range ok {
		ok[i] = true
	}
	seen := false
	for _, r := range rows {
		if c >= len(r) || d.isNull(r[c]) {
			continue
		}
		seen = true
		for i, t := range cands {
			if ok[i] && !parsesAs(r[c], t) {
				ok[i] = false
			}
		}
	}
	if !seen {
		return types.TextT
	}
	for i, t := range cands {
		if ok[i] {
			return t
		}
	}
	return types.TextT
}

func parsesAs(f []byte, t types.T) bool {
	s := string(f)
	switch t.Kind {
	case types.Bool:
		switch strings.ToLower(s) {
		case "true", "false", "t", "f":
			return true
		}
		return false
	case types.Int8:
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	case types.Float8:
		if strings.ContainsAny(s, "xXpP_") {
			return false
		}
		_, err := strconv.ParseFloat(s, 64)
		return err == nil
	case types.Date:
		if len(s) != 10 || s[4] != '-' || s[7] != '-' {
			return false
		}
		_, err := types.ParseDate(s)
		return err == nil
	case types.Timestamp:
		if len(s) < 16 || s[4] != '-' {
			return false
		}
		_, err := types.ParseTimestamp(s, false, nil)
		return err == nil
	}
	_, err := types.ParseText(t, s, time.UTC)
	return err == nil
}

// Morsel is a byte range of one file (the whole file when compressed).
type Morsel struct {
	d          *Dataset
	file       storage.FileInfo
	start, end int64 // byte range of line starts; end < 0 = to the end
	cols       []int
}

// Morsels splits uncompressed files into byte ranges read in parallel.
func (d *Dataset) Morsels(ctx context.Context, cols []int, st *storage.ScanStats) ([]*Morsel, error) {
	var out []*Morsel
	for _, f := range d.Files {
		if st != nil {
			st.FilesRead.Add(1)
		}
		c, err := d.codec(f.Path)
		if err != nil {
			return nil, err
		}
		if c != storage.NoCompression || f.Size <= d.Opt.MorselBytes {
			out = append(out, &Morsel{d: d, file: f, start: 0, end: -1, cols: cols})
			continue
		}
		for s := int64(0); s < f.Size; s += d.Opt.MorselBytes {
			e := s + d.Opt.MorselBytes
			if e >= f.Size {
				e = -1
			}
			out = append(out, &Morsel{d: d, file: f, start: s, end: e, cols: cols})
		}
	}
	return out, nil
}

// columnBuilder accumulates one output column.
type columnBuilder struct {
	t    types.T
	b    array.Builder
	ints []int64
	flts []float64
	nul  []bool
}

func newBuilder(t types.T) *columnBuilder {
	cb := &columnBuilder{t: t}
	switch t.Kind {
	case types.Int8, types.Float8:
	default:
		cb.b = array.NewBuilder(memory.DefaultAllocator, t.Arrow())
	}
	return cb
}

func (cb *columnBuilder) appendNull() {
	switch cb.t.Kind {
	case types.Int8:
		cb.ints = append(cb.ints, 0)
		cb.nul = append(cb.nul, true)
	case types.Float8:
		cb.flts = append(cb.flts, 0)
		cb.nul = append(cb.nul, true)
	default:
		cb.b.AppendNull()
	}
}

func (cb *columnBuilder) appendValue(f []byte) error {
	switch cb.t.Kind {
	case types.Int8:
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return err
		}
		cb.ints = append(cb.ints, v)
		cb.nul = append(cb.nul, false)
	case types.Float8:
		v, err := strconv.ParseFloat(string(f), 64)
		if err != nil {
			return err
		}
		cb.flts = append(cb.flts, v)
		cb.nul = append(cb.nul, false)
	case types.Text, types.Varchar:
		if !types.ValidUTF8(f) {
			return errNotUTF8
		}
		cb.b.(*array.StringBuilder).BinaryBuilder.Append(f)
	default:
		v, err := types.ParseText(cb.t, string(f), time.UTC)
		if err != nil {
			return err
		}
		types.AppendValue(cb.b, v)
	}
	return nil
}

func (cb *columnBuilder) finish() arrow.Array {
	validity := func() ([]byte, int) {
		n := 0
		var bits []byte
		for i, isNull := range cb.nul {
			if isNull {
				if bits == nil {
					bits = make([]byte, (len(cb.nul)+7)/8)
					for j := range bits {
						bits[j] = 0xff
					}
				}
				bits[i>>3] &^= 1 << (uint(i) & 7)
				n++
			}
		}
		return bits, n
	}
	switch cb.t.Kind {
	case types.Int8:
		v, n := validity()
		a := types.NewFixedArray(arrow.PrimitiveTypes.Int64, cb.ints, v, n)
		cb.ints, cb.nul = nil, nil
		return a
	case types.Float8:
		v, n := validity()
		a := types.NewFixedArray(arrow.PrimitiveTypes.Float64, cb.flts, v, n)
		cb.flts, cb.nul = nil, nil
		return a
	}
	return cb.b.NewArray()
}

// Read parses the morsel's rows into batches.
func (m *Morsel) Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error) {
	d := m.d
	c, err := d.codec(m.file.Path)
	if err != nil {
		return nil, err
	}
	r, start, done, err := storage.OpenLineRange(ctx, d.FS, m.file, st, c, m.start, m.end)
	if err != nil {
		return nil, err
	}
	defer done()
	fields := make([]arrow.Field, len(m.cols))
	for i, col := range m.cols {
		fields[i] = arrow.Field{Name: d.Columns[col].Name, Type: d.Columns[col].Type.Arrow(), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	want := len(d.Columns)
	builders := make([]*columnBuilder, len(m.cols))
	for i, col := range m.cols {
		builders[i] = newBuilder(d.Columns[col].Type)
	}
	var out []arrow.Record
	rows := 0
	flush := func() {
		if rows == 0 {
			return
		}
		arrs := make([]arrow.Array, len(builders))
		for i, b := range builders {
			arrs[i] = b.finish()
		}
		out = append(out, array.NewRecord(schema, arrs, int64(rows)))
		rows = 0
	}
	sp := d.newSplitter()
	sp.need = 1 // the fields this morsel reads; the rest are counted
	for _, col := range m.cols {
		sp.need = max(sp.need, col+1)
	}
	skip := 0
	if m.start == 0 {
		skip = d.Opt.Skip
		if d.Opt.Header {
			skip++
		}
	}
	line := int64(0) // lines read in this morsel
	pos := start     // byte offset of the current record (uncompressed files)
	// 2 MiB of buffers for every morsel was most of the cost of reading
	// a small file: size them by what the morsel can hold
	bufSize := int64(1 << 20)
	if span := m.file.Size - m.start; m.end < 0 && span >= 0 && span+1 < bufSize {
		bufSize = span + 1
	} else if m.end >= 0 && m.end-m.start+64<<10 < bufSize {
		bufSize = m.end - m.start + 64<<10
	}
	if bufSize < 4096 {
		bufSize = 4096
	}
	buf := make([]byte, 0, bufSize)
	chunk := make([]byte, bufSize)
	eof := false
	var fieldsBuf [][]byte
	for {
		if err := ctx.Err(); err != nil {
			return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		if !eof {
			want := len(chunk)
			if c == storage.NoCompression {
				want = storage.ReadSize(pos+int64(len(buf)), m.end, want)
			}
			n, err := r.Read(chunk[:want])
			buf = append(buf, chunk[:n]...)
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", m.file.Path)
			}
			if pos == 0 && c == storage.NoCompression && (len(buf) >= 3 || eof) {
				// a byte order mark opening the file is not data
				if k := storage.BOMLen(buf); k > 0 {
					buf = append(buf[:0], buf[k:]...)
					pos = int64(k)
				}
			}
			if n == 0 && !eof {
				continue
			}
		}
		consumed := 0
		for consumed < len(buf) {
			if m.end >= 0 && c == storage.NoCompression && pos >= m.end {
				flush()
				return out, nil
			}
			fs, n, ok, err := sp.next(buf[consumed:], eof, fieldsBuf)
			fieldsBuf = fs
			if err != nil {
				if d.Opt.IgnoreErrors {
					d.reject(st)
					consumed = len(buf)
					break
				}
				return nil, badRow(m.file.Path, m.lineNo(ctx, line, pos), "%v", err)
			}
			if !ok {
				break
			}
			consumed += n
			pos += int64(n)
			line++
			if skip > 0 {
				skip--
				continue
			}
			if len(fs) == 1 && len(fs[0]) == 0 && sp.extra == 0 && want > 1 {
				continue // blank line
			}
			if got := len(fs) + sp.extra; got != want && !(d.Opt.Hive && len(fs) > 0) {
				if d.Opt.IgnoreErrors {
					d.reject(st)
					continue
				}
				return nil, badRow(m.file.Path, m.lineNo(ctx, line, pos-int64(n)), "expected %d fields, found %d", want, got)
			}
			for i, col := range m.cols {
				if col >= len(fs) {
					builders[i].appendNull() // Hive: a missing trailing field
					continue
				}
				fv := fs[col]
				if d.isNull(fv) {
					builders[i].appendNull()
					continue
				}
				if err := builders[i].appendValue(fv); err != nil {
					if err == errNotUTF8 && !d.Opt.IgnoreErrors {
						// never NULL, even in Hive mode: the file is not text
						return nil, types.InvalidUTF8(fv, fmt.Sprintf("file \"%s\" line %d column %s", m.file.Path, m.lineNo(ctx, line, pos-int64(n)), d.Columns[col].Name))
					}
					if d.Opt.Hive {
						builders[i].appendNull()
						continue
					}
					if d.Opt.IgnoreErrors {
						d.reject(st)
						// keep the columns aligned: this row becomes NULLs from here on
						for j := i; j < len(builders); j++ {
							builders[j].appendNull()
						}
						break
					}
					return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type %s: \"%s\" in file \"%s\" line %d column %s",
						d.Columns[col].Type.String(), string(fv), m.file.Path, m.lineNo(ctx, line, pos-int64(n)), d.Columns[col].Name)
				}
			}
			rows++
			if rows >= 8192 {
				flush()
			}
		}
		buf = append(buf[:0], buf[consumed:]...)
		if eof && len(buf) == 0 {
			break
		}
		if eof && consumed == 0 {
			break
		}
	}
	flush()
	return out, nil
}

// lineNo is the 1-based line number of the current record: counted from
// the file start when the morsel does not begin there (error path only).
func (m *Morsel) lineNo(ctx context.Context, linesInMorsel int64, pos int64) int64 {
	if m.start == 0 {
		return linesInMorsel
	}
	return storage.LineAt(ctx, m.d.FS, m.file.Path, pos)
}

func (d *Dataset) reject(st *storage.ScanStats) {
	d.Rejected.Add(1)
	if st != nil {
		st.RowsRejected.Add(1)
	}
}

// File is the path of the file the morsel reads.
func (m *Morsel) File() string { return m.file.Path }

// Bytes is the length of the morsel's byte range: what reading it fetches
// (a compressed file is one morsel of the whole file).
func (m *Morsel) Bytes() int64 {
	if m.end < 0 {
		return m.file.Size - m.start
	}
	return m.end - m.start
}
