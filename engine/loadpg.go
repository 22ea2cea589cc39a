package engine

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// PostgreSQL's COPY FROM reads lines as its CopyReadLineText does: the
// first line end of the data (\n, \r or \r\n) is the style every later
// one must have, a line end of another style is an error rather than
// data, a backslash (text) or an open quote (CSV) makes the next line
// end data, and the end-of-copy marker \. ends the data.

const (
	eolUnknown = iota
	eolNL
	eolCR
	eolCRNL
)

// pgNext is next for PostgreSQL's text and CSV formats.
func (rr *recReader) pgNext() (rec []byte, line int64, ok bool, err error) {
	if rr.limit >= 0 && rr.pos >= rr.limit {
		return nil, 0, false, nil
	}
	line = rr.lines + 1
	for {
		end, n, found, err := rr.pgCut(rr.pend, rr.eof)
		if err != nil {
			// PostgreSQL reports a bad byte where its reader meets it:
			// before an error later in the same line
			if e := checkUTF8(rr.pend[:rr.errAt]); e != nil {
				return nil, 0, false, e
			}
			return nil, 0, false, sqlerr.New(sqlerr.BadCopyFileFormat, "%s", err.Error())
		}
		if found {
			rec = rr.pend[:end]
			rr.pend = rr.pend[n:]
			rr.pos += int64(n)
			rr.lines += 1 + int64(bytes.Count(rec, []byte{'\n'}))
			if rr.eol == eolCR {
				rr.lines += int64(bytes.Count(rec, []byte{'\r'}))
			}
			return rec, line, true, checkUTF8(rec)
		}
		if rr.eof || rr.ended {
			if len(rr.pend) == 0 || rr.ended {
				return nil, 0, false, nil
			}
			// the last line, without its line end
			rec, rr.pend = rr.pend, nil
			rr.pos += int64(len(rec))
			rr.lines++
			rr.noEOL = true
			return rec, line, true, checkUTF8(rec)
		}
		chunk, rerr := rr.r.ReadSlice('\n')
		if rerr != nil && rerr != bufio.ErrBufferFull && rerr != io.EOF {
			return nil, 0, false, rerr
		}
		if len(rr.pend) == 0 {
			rr.pend = rr.pbuf[:0] // the buffer again, once its lines are read
		}
		rr.pend = append(rr.pend, chunk...)
		if cap(rr.pend) > cap(rr.pbuf) {
			rr.pbuf = rr.pend[:0]
		}
		rr.eof = rerr == io.EOF
	}
}

// pgCut finds the end of the first line of buf: the line's length and
// the bytes it takes with its line end. found is false when buf holds no
// whole line (atEOF: no more bytes will come).
func (rr *recReader) pgCut(buf []byte, atEOF bool) (end, n int, found bool, err error) {
	o := rr.o
	if !o.csv {
		// the common line: no backslash, no carriage return
		if nl := bytes.IndexByte(buf, '\n'); nl >= 0 && rr.eol != eolCR && rr.eol != eolCRNL &&
			bytes.IndexByte(buf[:nl], '\\') < 0 && bytes.IndexByte(buf[:nl], '\r') < 0 {
			rr.eol = eolNL
			return nl, nl + 1, true, nil
		}
	} else if nl := bytes.IndexByte(buf, '\n'); nl >= 0 && rr.eol != eolCR && rr.eol != eolCRNL &&
		bytes.IndexByte(buf[:nl], o.quote) < 0 && bytes.IndexByte(buf[:nl], '\r') < 0 {
		rr.eol = eolNL
		return nl, nl + 1, true, nil
	}
	quote, escape := o.quote, o.escape
	if escape == quote {
		escape = 0 // PostgreSQL: an escape that is the quote is no escape
	}
	inQuote, lastWasEsc := false, false
	crMsg, nlMsg := "literal carriage return found in data", "literal newline found in data"
	if o.csv {
		crMsg, nlMsg = "unquoted carriage return found in data", "unquoted newline found in data"
	}
	for i := 0; i < len(buf); i++ {
		c := buf[i]
		if o.csv {
			if inQuote && c == escape {
				lastWasEsc = !lastWasEsc
			}
			if c == quote && !lastWasEsc {
				inQuote = !inQuote
			}
			if c != escape {
				lastWasEsc = false
			}
			if inQuote {
				continue
			}
		} else if c == '\\' {
			if i+1 >= len(buf) && !atEOF {
				return 0, 0, false, nil
			}
			if i+1 < len(buf) && buf[i+1] == '.' {
				// the end-of-copy marker, anywhere in a line: what came
				// before it on the line is the last line
				if i+2 >= len(buf) && !atEOF {
					return 0, 0, false, nil
				}
				if i+2 < len(buf) {
					next := buf[i+2]
					if next != '\n' && next != '\r' {
						rr.errAt = i
						return 0, 0, false, sqlerrText("end-of-copy marker corrupt")
					}
					if rr.eol == eolNL && next != '\n' || rr.eol == eolCR && next != '\r' || rr.eol == eolCRNL && (next != '\r' || i+3 >= len(buf) || buf[i+3] != '\n') {
						rr.errAt = i
						return 0, 0, false, sqlerrText("end-of-copy marker does not match previous newline style")
					}
				}
				// PostgreSQL stops at the marker when the data comes
				// from the client; from a file it ends the line there
				// and reads on
				n := len(buf)
				if i+2 < len(buf) {
					n = i + 3
					if buf[i+2] == '\r' && i+3 < len(buf) && buf[i+3] == '\n' {
						n++
					}
				}
				if i == 0 {
					return 2, n, true, nil // the marker alone: the caller stops
				}
				rr.ended = rr.stdin
				return i, n, true, nil
			}
			i++ // the escaped byte is data, even a line end
			continue
		}
		switch c {
		case '\n':
			if rr.eol == eolCR || rr.eol == eolCRNL {
				rr.errAt = i
				return 0, 0, false, sqlerrText(nlMsg)
			}
			rr.eol = eolNL
			return i, i + 1, true, nil
		case '\r':
			if rr.eol == eolNL {
				rr.errAt = i
				return 0, 0, false, sqlerrText(crMsg)
			}
			if i+1 >= len(buf) && !atEOF {
				return 0, 0, false, nil
			}
			next := byte(0)
			if i+1 < len(buf) {
				next = buf[i+1]
			}
			if rr.eol == eolUnknown {
				rr.eol = eolCR
				if next == '\n' {
					rr.eol = eolCRNL
				}
			}
			if rr.eol == eolCRNL {
				if next != '\n' {
					rr.errAt = i
					return 0, 0, false, sqlerrText(crMsg)
				}
				return i, i + 2, true, nil
			}
			return i, i + 1, true, nil
		}
	}
	return 0, 0, false, nil
}

// checkUTF8 refuses a line that is not UTF-8, or holds a NUL byte, as
// PostgreSQL checks its input before reading fields from it.
func checkUTF8(rec []byte) error {
	z := bytes.IndexByte(rec, 0)
	if z < 0 && utf8.Valid(rec) {
		return nil
	}
	bad := 0
	for bad < len(rec) && bad != z {
		r, size := utf8.DecodeRune(rec[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	if bad == z {
		return sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": 0x00")
	}
	return types.InvalidUTF8(rec[bad:], "")
}

type sqlerrText string

func (e sqlerrText) Error() string { return string(e) }

// plainFields cuts a record with no quotes or escapes at the delimiter.
func (fs *fieldSplitter) plainFields(rec []byte) ([][]byte, []bool, error) {
	start, d := 0, fs.o.delim
	for {
		end := delimAt(rec, start, d)
		f := rec[start:end]
		fs.offsets = append(fs.offsets, start)
		fs.fields = append(fs.fields, f)
		fs.nulls = append(fs.nulls, string(f) == fs.o.null)
		fs.quoted = append(fs.quoted, false)
		if end == len(rec) {
			return fs.fields, fs.nulls, nil
		}
		start = end + 1
	}
}

// pgCSV cuts a record as PostgreSQL's CopyReadAttributesCSV does: a
// quote anywhere in a field opens a quoted part (`a"b,c"d` is one field,
// ab,cd), the escape inside quotes escapes a quote or itself, and a
// field is NULL when it had no quote and its raw text is the NULL marker.
func (fs *fieldSplitter) pgCSV(rec []byte) ([][]byte, []bool, error) {
	fs.fields, fs.nulls, fs.offsets, fs.quoted = fs.fields[:0], fs.nulls[:0], fs.offsets[:0], fs.quoted[:0]
	o := fs.o
	if bytes.IndexByte(rec, o.quote) < 0 {
		return fs.plainFields(rec)
	}
	fs.scratch, fs.spans = fs.scratch[:0], fs.spans[:0]
	quote, escape, delim := o.quote, o.escape, o.delim
	i := 0
	for {
		start, a := i, len(fs.scratch)
		sawQuote, foundDelim := false, false
	field:
		for {
			// the unquoted part
			for {
				if i >= len(rec) {
					break field
				}
				c := rec[i]
				i++
				if c == delim {
					foundDelim = true
					break field
				}
				if c == quote {
					sawQuote = true
					break
				}
				fs.scratch = append(fs.scratch, c)
			}
			// the quoted part
			for {
				if i >= len(rec) {
					return nil, nil, sqlerr.New(sqlerr.BadCopyFileFormat, "unterminated CSV quoted field")
				}
				c := rec[i]
				i++
				if c == escape && i < len(rec) && (rec[i] == escape || rec[i] == quote) {
					fs.scratch = append(fs.scratch, rec[i])
					i++
					continue
				}
				if c == quote {
					break
				}
				fs.scratch = append(fs.scratch, c)
			}
		}
		end := i
		if foundDelim {
			end--
		}
		fs.offsets = append(fs.offsets, start)
		fs.spans = append(fs.spans, [2]int{a, len(fs.scratch)})
		fs.nulls = append(fs.nulls, !sawQuote && string(rec[start:end]) == o.null)
		fs.quoted = append(fs.quoted, sawQuote)
		if !foundDelim {
			break
		}
	}
	return fs.spanFields()
}

// pgText cuts a record as PostgreSQL's CopyReadAttributesText does:
// backslash escapes (octal, \x hex, \b \f \n \r \t \v, any other byte as
// itself), a field NULL when its raw text is the NULL marker, and bytes
// an escape made checked to be UTF-8.
func (fs *fieldSplitter) pgText(rec []byte) ([][]byte, []bool, error) {
	fs.fields, fs.nulls, fs.offsets, fs.quoted = fs.fields[:0], fs.nulls[:0], fs.offsets[:0], fs.quoted[:0]
	o := fs.o
	if bytes.IndexByte(rec, '\\') < 0 {
		return fs.plainFields(rec)
	}
	fs.scratch, fs.spans = fs.scratch[:0], fs.spans[:0]
	i := 0
	for {
		start, a := i, len(fs.scratch)
		foundDelim, nonASCII := false, false
		for i < len(rec) {
			c := rec[i]
			i++
			if c == o.delim {
				foundDelim = true
				break
			}
			if c != '\\' {
				fs.scratch = append(fs.scratch, c)
				continue
			}
			if i >= len(rec) {
				break // a backslash ending the data is dropped
			}
			c = rec[i]
			i++
			switch c {
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(c - '0')
				for k := 0; k < 2 && i < len(rec) && rec[i] >= '0' && rec[i] <= '7'; k++ {
					v = v*8 + int(rec[i]-'0')
					i++
				}
				c = byte(v)
				nonASCII = nonASCII || c == 0 || c >= 0x80
			case 'x':
				if i < len(rec) && isHex(rec[i]) {
					v := hexVal(rec[i])
					i++
					if i < len(rec) && isHex(rec[i]) {
						v = v*16 + hexVal(rec[i])
						i++
					}
					c = byte(v)
					nonASCII = nonASCII || c == 0 || c >= 0x80
				}
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'v':
				c = '\v'
			}
			fs.scratch = append(fs.scratch, c)
		}
		end := i
		if foundDelim {
			end--
		}
		null := string(rec[start:end]) == o.null
		if !null && nonASCII {
			if f := fs.scratch[a:]; bytes.IndexByte(f, 0) >= 0 || !utf8.Valid(f) {
				return nil, nil, sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
			}
		}
		fs.offsets = append(fs.offsets, start)
		fs.spans = append(fs.spans, [2]int{a, len(fs.scratch)})
		fs.nulls = append(fs.nulls, null)
		fs.quoted = append(fs.quoted, false)
		if !foundDelim {
			break
		}
	}
	return fs.spanFields()
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// force applies FORCE_NOT_NULL (the NULL marker read as a string) and
// FORCE_NULL (a quoted NULL marker read as NULL) to a record's fields.
func (fs *fieldSplitter) force(fields [][]byte, nulls []bool) {
	o := fs.o
	for j := range fields {
		switch {
		case j < len(o.forceNotNull) && o.forceNotNull[j] && nulls[j]:
			fields[j], nulls[j] = []byte(o.null), false
		case j < len(o.forceNull) && o.forceNull[j] && !nulls[j] && string(fields[j]) == o.null:
			nulls[j] = true
		}
	}
}

// matchHeader checks HEADER MATCH's header record names the loaded
// columns, in order, as PostgreSQL does.
func (fs *fieldSplitter) matchHeader(rec []byte, names []string) error {
	fields, nulls, err := fs.split(rec)
	if err != nil {
		return err
	}
	if len(fields) != len(names) {
		return sqlerr.New(sqlerr.BadCopyFileFormat, "wrong number of fields in header line: got %d, expected %d", len(fields), len(names))
	}
	for i, f := range fields {
		if nulls[i] {
			return sqlerr.New(sqlerr.BadCopyFileFormat, "column name mismatch in header line field %d: got null value (\"%s\"), expected \"%s\"", i+1, fs.o.null, names[i])
		}
		if string(f) != names[i] {
			return sqlerr.New(sqlerr.BadCopyFileFormat, "column name mismatch in header line field %d: got \"%s\", expected \"%s\"", i+1, f, names[i])
		}
	}
	return nil
}

// spanFields makes the fields of the spans unescaped into scratch (they
// are sliced once scratch stops growing).
func (fs *fieldSplitter) spanFields() ([][]byte, []bool, error) {
	for _, sp := range fs.spans {
		fs.fields = append(fs.fields, fs.scratch[sp[0]:sp[1]])
	}
	return fs.fields, fs.nulls, nil
}
