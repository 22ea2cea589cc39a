package engine

import (
	"bufio"
	"bytes"
	"encoding/binary"
	jsonl "github.com/lakeq/lakeq/storage/json"
	"io"
	"math/bits"
	"unsafe"
)

// recReader cuts a unit's bytes into records: a line, or several when a
// newline is escaped (ESCAPE, PostgreSQL's text format) or inside a CSV
// quote. It counts the physical lines it consumed. Memory: one buffer
// plus the longest record.
type recReader struct {
	r     *bufio.Reader
	o     *loadOpts
	lines int64 // lines consumed so far
	pos   int64 // bytes consumed so far
	limit int64 // stop before a record starting at or past this (-1: none)
	acc   []byte
	// PostgreSQL's formats (loadpg.go): bytes read but not yet returned
	// (in pbuf), whether the input has ended, the line end style
	pend, pbuf []byte
	eof        bool
	eol        int
	ended      bool // the end-of-copy marker was read
	stdin      bool // the data is the client's (the marker ends it)
	errAt      int  // where in pend pgCut met the error it returned
	noEOL      bool // the record returned last ended the data without a line end
}

func newRecReader(r io.Reader, o *loadOpts, limit int64) *recReader {
	return &recReader{r: bufio.NewReaderSize(r, 1<<20), o: o, limit: limit}
}

// next returns the next record without its line end, and the line it
// starts on (1-based within the unit); ok is false at the end.
func (rr *recReader) next() (rec []byte, line int64, ok bool, err error) {
	if rr.o.pg() {
		return rr.pgNext()
	}
	if rr.limit >= 0 && rr.pos >= rr.limit {
		return nil, 0, false, nil
	}
	line = rr.lines + 1
	rr.acc = rr.acc[:0]
	for {
		chunk, err := rr.r.ReadSlice('\n')
		rr.pos += int64(len(chunk))
		if err == bufio.ErrBufferFull {
			rr.acc = append(rr.acc, chunk...)
			continue
		}
		if err != nil && err != io.EOF {
			return nil, 0, false, err
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			rr.lines++
		}
		var cur []byte
		if len(rr.acc) == 0 && err == nil {
			cur = chunk // the common case: no copy
		} else {
			rr.acc = append(rr.acc, chunk...)
			cur = rr.acc
		}
		if len(cur) == 0 && err == io.EOF {
			return nil, 0, false, nil
		}
		if err == nil && rr.continues(cur) {
			if len(rr.acc) == 0 {
				rr.acc = append(rr.acc, chunk...)
			}
			continue
		}
		if err == io.EOF && len(cur) > 0 && cur[len(cur)-1] != '\n' {
			rr.lines++ // a last line without its newline
			rr.noEOL = true
		}
		cur = bytes.TrimSuffix(cur, []byte{'\n'})
		cur = bytes.TrimSuffix(cur, []byte{'\r'})
		return cur, line, true, nil
	}
}

// continues reports whether the newline ending rec is data: escaped by
// an odd run of backslashes, or inside an open CSV quote.
func (rr *recReader) continues(rec []byte) bool {
	o := rr.o
	if o.json != "" {
		return jsonOpen(rec)
	}
	if o.csv {
		return quoteOpen(rec, o.quote, o.escape)
	}
	if !o.bsEscape && !o.pgText {
		return false
	}
	n := 0
	for i := len(rec) - 2; i >= 0 && rec[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// quoteOpen reports whether a CSV text ends inside a quoted field.
func quoteOpen(b []byte, quote, escape byte) bool {
	open := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case open && c == escape && escape != quote && i+1 < len(b) && (b[i+1] == quote || b[i+1] == escape):
			i++
		case c == quote:
			open = !open // a doubled quote toggles twice
		}
	}
	return open
}

// splitFields cuts a record into fields (nulls[i]: the NULL marker
// matched). Fields may point into rec or into scratch.
type fieldSplitter struct {
	o       *loadOpts
	d       copyDialect
	fields  [][]byte
	nulls   []bool
	offsets []int // each field's byte offset in the record
	scratch []byte
	quoted  []bool // PostgreSQL's CSV: the field had a quote (for FORCE_NULL)
	spans   [][2]int
	jp      *jsonl.FieldParser // FORMAT JSON 'auto' [ignorecase]
}

// delimAt is the position of the first d in rec at or after i, or
// len(rec): a word at a time while eight bytes remain, then byte by byte.
func delimAt(rec []byte, i int, d byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	pat := uint64(d) * ones
	for ; i+8 <= len(rec); i += 8 {
		x := binary.LittleEndian.Uint64(rec[i:]) ^ pat // a zero byte where d was
		if m := (x - ones) &^ x & highs; m != 0 {
			// the lowest flagged byte is the first zero one (flags above
			// it may be false, borrows of it)
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(rec) && rec[i] != d {
		i++
	}
	return i
}

func (fs *fieldSplitter) split(rec []byte) ([][]byte, []bool, error) {
	fs.fields, fs.nulls, fs.offsets = fs.fields[:0], fs.nulls[:0], fs.offsets[:0]
	o := fs.o
	switch {
	case o.pg() && o.csv:
		return fs.pgCSV(rec)
	case o.pg():
		return fs.pgText(rec)
	case o.csv || o.pgText:
		var vals []*string
		var err error
		if o.csv {
			vals, _, err = fs.d.csvRecord(rec)
		} else {
			vals, _ = fs.d.textRecord(rec)
		}
		if err != nil {
			return nil, nil, err
		}
		off := 0
		for _, v := range vals {
			fs.offsets = append(fs.offsets, off)
			if v == nil {
				fs.fields, fs.nulls = append(fs.fields, nil), append(fs.nulls, true)
				off += len(fs.d.null) + 1
				continue
			}
			fs.fields = append(fs.fields, unsafe.Slice(unsafe.StringData(*v), len(*v)))
			fs.nulls = append(fs.nulls, false)
			off += len(*v) + 1
		}
		return fs.fields, fs.nulls, nil
	case !o.bsEscape && !o.removeQuotes:
		// Redshift's plain delimited text: fields are slices of the record.
		// Fields are short: eight bytes at a time (a word compared with
		// the delimiter in every byte) find their ends sooner than
		// IndexByte's call per field, and than a byte loop (a tenth of a
		// COPY of lineitem was that loop)
		start, d := 0, o.delim
		for {
			end := delimAt(rec, start, d)
			f := rec[start:end]
			fs.offsets = append(fs.offsets, start)
			fs.fields = append(fs.fields, f)
			fs.nulls = append(fs.nulls, string(f) == o.null)
			if end == len(rec) {
				return fs.fields, fs.nulls, nil
			}
			start = end + 1
		}
	}
	// ESCAPE and/or REMOVEQUOTES: unescape into scratch
	fs.scratch = fs.scratch[:0]
	type span struct{ a, b int }
	var spans []span
	var rawNull []bool
	i := 0
	for {
		fs.offsets = append(fs.offsets, i)
		a := len(fs.scratch)
		rawStart := i
		quoted := false
		if o.removeQuotes && i < len(rec) && rec[i] == '"' {
			quoted = true
			i++
		}
		for i < len(rec) {
			c := rec[i]
			if o.bsEscape && c == '\\' && i+1 < len(rec) {
				fs.scratch = append(fs.scratch, rec[i+1])
				i += 2
				continue
			}
			if quoted && c == '"' {
				quoted = false
				i++
				continue
			}
			if !quoted && c == o.delim {
				break
			}
			fs.scratch = append(fs.scratch, c)
			i++
		}
		spans = append(spans, span{a, len(fs.scratch)})
		rawNull = append(rawNull, string(rec[rawStart:i]) == o.null)
		if i >= len(rec) {
			break
		}
		i++ // the delimiter
	}
	for k, sp := range spans {
		fs.fields = append(fs.fields, fs.scratch[sp.a:sp.b])
		fs.nulls = append(fs.nulls, rawNull[k])
	}
	return fs.fields, fs.nulls, nil
}
