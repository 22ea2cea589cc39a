package engine

import (
	"bytes"
	"encoding/binary"
	"github.com/apache/arrow-go/v18/arrow"
	"strconv"
	"strings"
	"sync"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// copyDialect is COPY's text or CSV layout.
type copyDialect struct {
	csv    bool
	delim  byte
	null   string
	quote  byte
	escape byte
	header bool
}

// dialectOf resolves PostgreSQL's COPY options, refusing the
// combinations PostgreSQL refuses, with its SQLSTATEs and messages.
func dialectOf(x *ast.Copy) (copyDialect, error) {
	d := copyDialect{csv: x.Format == "csv", delim: '\t', null: `\N`, quote: '"', escape: '"', header: x.Header}
	if d.csv {
		d.delim, d.null = ',', ""
	}
	one := func(name, v string) (byte, error) {
		if len(v) != 1 {
			return 0, sqlerr.New(sqlerr.FeatureNotSupported, "COPY %s must be a single one-byte character", name)
		}
		return v[0], nil
	}
	var err error
	if x.Delimiter != "" {
		if d.delim, err = one("delimiter", x.Delimiter); err != nil {
			return d, err
		}
	}
	if x.Null != nil {
		d.null = *x.Null
	}
	if d.delim == '\n' || d.delim == '\r' {
		return d, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if strings.ContainsAny(d.null, "\r\n") {
		return d, sqlerr.New(sqlerr.InvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	// in the text format these would read as escapes or data
	if !d.csv && strings.IndexByte(`\.abcdefghijklmnopqrstuvwxyz0123456789`, d.delim) >= 0 {
		return d, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter cannot be \"%c\"", d.delim)
	}
	if x.Quote != "" {
		if !d.csv {
			return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY quote available only in CSV mode")
		}
		if d.quote, err = one("quote", x.Quote); err != nil {
			return d, err
		}
		d.escape = d.quote
	}
	if d.csv && d.delim == d.quote {
		return d, sqlerr.New(sqlerr.InvalidParameterValue, "COPY delimiter and quote must be different")
	}
	if x.Escape != "" {
		if !d.csv {
			return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY escape available only in CSV mode")
		}
		if d.escape, err = one("escape", x.Escape); err != nil {
			return d, err
		}
	}
	switch {
	case !d.csv && (x.ForceQuoteAll || len(x.ForceQuote) > 0):
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force quote available only in CSV mode")
	case (x.ForceQuoteAll || len(x.ForceQuote) > 0) && x.From:
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force quote only available using COPY TO")
	case !d.csv && len(x.ForceNotNull) > 0:
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force not null available only in CSV mode")
	case len(x.ForceNotNull) > 0 && !x.From:
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force not null only available using COPY FROM")
	case !d.csv && len(x.ForceNull) > 0:
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force null available only in CSV mode")
	case len(x.ForceNull) > 0 && !x.From:
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY force null only available using COPY FROM")
	}
	if strings.IndexByte(d.null, d.delim) >= 0 {
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "COPY delimiter must not appear in the NULL specification")
	}
	if d.csv && strings.IndexByte(d.null, d.quote) >= 0 {
		return d, sqlerr.New(sqlerr.FeatureNotSupported, "CSV quote character must not appear in the NULL specification")
	}
	return d, nil
}

// textRecord reads one line of COPY's text format: backslash escapes,
// the NULL marker as a whole field.
func (d copyDialect) textRecord(data []byte) ([]*string, int) {
	end := bytes.IndexByte(data, '\n')
	n := end + 1
	if end < 0 {
		end, n = len(data), len(data)
	}
	l := data[:end]
	if len(l) > 0 && l[len(l)-1] == '\r' {
		l = l[:len(l)-1]
	}
	var out []*string
	var b strings.Builder
	raw := 0 // start of the current field in l, to compare with the NULL marker
	flush := func(i int) {
		if string(l[raw:i]) == d.null {
			out = append(out, nil)
		} else {
			s := b.String()
			out = append(out, &s)
		}
		b.Reset()
		raw = i + 1
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == d.delim:
			flush(i)
		case c == '\\' && i+1 < len(l):
			i++
			switch e := l[i]; e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'v':
				b.WriteByte('\v')
			case 'x':
				j := i + 1
				for j < len(l) && j < i+3 && isHex(l[j]) {
					j++
				}
				v, _ := strconv.ParseUint(string(l[i+1:j]), 16, 8)
				b.WriteByte(byte(v))
				i = j - 1
			case '0', '1', '2', '3', '4', '5', '6', '7':
				j := i
				for j < len(l) && j < i+3 && l[j] >= '0' && l[j] <= '7' {
					j++
				}
				v, _ := strconv.ParseUint(string(l[i:j]), 8, 8)
				b.WriteByte(byte(v))
				i = j - 1
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	flush(len(l))
	return out, n
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// csvRecord reads one CSV record: quoted fields may hold delimiters and
// newlines; an unquoted field equal to the NULL string is NULL, a quoted
// one never is.
func (d copyDialect) csvRecord(data []byte) ([]*string, int, error) {
	var out []*string
	i := 0
	for {
		var b strings.Builder
		quoted := false
		start := i
		for i < len(data) {
			c := data[i]
			if c == d.quote && !quoted && i == start {
				quoted = true
				i++
				for {
					if i >= len(data) {
						return nil, 0, sqlerr.New("22P04", "unterminated CSV quoted field")
					}
					c := data[i]
					if c == d.escape && i+1 < len(data) && (data[i+1] == d.quote || (d.escape != d.quote && data[i+1] == d.escape)) {
						b.WriteByte(data[i+1])
						i += 2
						continue
					}
					if c == d.quote {
						i++
						break
					}
					b.WriteByte(c)
					i++
				}
				continue
			}
			if c == d.delim || c == '\n' || c == '\r' {
				break
			}
			b.WriteByte(c)
			i++
		}
		s := b.String()
		if !quoted && s == d.null {
			out = append(out, nil)
		} else {
			out = append(out, &s)
		}
		if i < len(data) && data[i] == d.delim {
			i++
			continue
		}
		if i < len(data) && data[i] == '\r' {
			i++
		}
		if i < len(data) && data[i] == '\n' {
			i++
		}
		return out, i, nil
	}
}

// needsTextEscape reports whether v has a byte the text format escapes:
// a control character, a backslash or the delimiter. Eight bytes at a
// time: most values have none.
func needsTextEscape(v []byte, delim byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	bs, dl := uint64('\\')*ones, uint64(delim)*ones
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		a, c := x^bs, x^dl
		// a zero byte of a or c, or a byte of x below 0x20 (high bit clear)
		if ((a-ones)&^a|(c-ones)&^c|(x-0x2020202020202020)&^x)&highs != 0 {
			return true
		}
	}
	for ; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c == '\\' || c == delim {
			return true
		}
	}
	return false
}

// appendCopyRow formats one row (nil = NULL) in the dialect, as
// PostgreSQL's CopyAttributeOutText and CopyAttributeOutCSV do; force
// (FORCE_QUOTE, may be nil) quotes a column's non-NULL values.
func (d copyDialect) appendCopyRow(b []byte, vals [][]byte, force []bool) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, d.delim)
		}
		if v == nil {
			b = append(b, d.null...)
			continue
		}
		if d.csv {
			quote := i < len(force) && force[i] || string(v) == d.null ||
				len(vals) == 1 && string(v) == `\.` || // not the end-of-data marker
				bytes.IndexByte(v, d.delim) >= 0 || bytes.IndexByte(v, d.quote) >= 0 || bytes.IndexByte(v, '\n') >= 0 || bytes.IndexByte(v, '\r') >= 0
			if !quote {
				b = append(b, v...)
				continue
			}
			b = append(b, d.quote)
			for _, c := range v {
				if c == d.quote || c == d.escape {
					b = append(b, d.escape)
				}
				b = append(b, c)
			}
			b = append(b, d.quote)
			continue
		}
		if !needsTextEscape(v, d.delim) {
			b = append(b, v...)
			continue
		}
		for _, c := range v {
			if c < 0x20 {
				switch c {
				case '\b':
					b = append(b, '\\', 'b')
					continue
				case '\f':
					b = append(b, '\\', 'f')
					continue
				case '\n':
					b = append(b, '\\', 'n')
					continue
				case '\r':
					b = append(b, '\\', 'r')
					continue
				case '\t':
					b = append(b, '\\', 't')
					continue
				case '\v':
					b = append(b, '\\', 'v')
					continue
				}
			}
			if c == '\\' || c == d.delim {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return append(b, '\n')
}

// resultText renders a result's rows as text fields for COPY TO: each
// row's fields (nil: NULL), valid until each returns.
func resultText(res *Result, each func([][]byte) error) error {
	tr := newTextRows(res)
	for {
		rec, err := res.Next()
		if err != nil {
			return err
		}
		if rec == nil {
			return nil
		}
		if err := tr.batch(rec, each); err != nil {
			return err
		}
	}
}

// textRows renders a batch's rows as text fields; one per goroutine.
type textRows struct {
	res          *Result
	row          [][]byte
	apps         []types.TextAppender
	buf          []byte
	starts, ends []int
}

func newTextRows(res *Result) *textRows {
	n := len(res.Columns)
	return &textRows{res: res, row: make([][]byte, n), apps: make([]types.TextAppender, n),
		buf:    make([]byte, 0, 256), // never nil: an empty value is not NULL
		starts: make([]int, n), ends: make([]int, n)}
}

// batch calls each with every row of rec, its fields valid until each
// returns.
func (tr *textRows) batch(rec arrow.Record, each func([][]byte) error) error {
	for j, c := range tr.res.Columns {
		tr.apps[j] = types.NewTextAppender(c.Type, rec.Column(j), tr.res.Loc)
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		tr.buf = tr.buf[:0]
		for j := range tr.res.Columns {
			tr.starts[j] = -1
			if !rec.Column(j).IsNull(r) {
				tr.starts[j] = len(tr.buf)
				tr.buf = tr.apps[j](tr.buf, r)
				tr.ends[j] = len(tr.buf)
			}
		}
		for j := range tr.res.Columns {
			tr.row[j] = nil
			if s := tr.starts[j]; s >= 0 {
				tr.row[j] = tr.buf[s:tr.ends[j]:tr.ends[j]]
			}
		}
		if err := each(tr.row); err != nil {
			return err
		}
	}
	return nil
}

// copyRows formats a result's rows in the dialect on up to workers
// goroutines, a batch each, and hands them to emit one row at a time in
// the result's order (a client reads one CopyData per row). It returns
// the rows emitted.
func copyRows(res *Result, d copyDialect, force []bool, workers int, emit func([]byte) error) (int64, error) {
	var n int64
	if workers <= 1 {
		var buf []byte
		err := resultText(res, func(row [][]byte) error {
			n++
			buf = d.appendCopyRow(buf[:0], row, force)
			return emit(buf)
		})
		return n, err
	}
	// a batch formatted: its text and where each row ends
	type chunk struct {
		text []byte
		ends []int
		err  error
	}
	type slot struct {
		rec  arrow.Record
		done chan chunk
	}
	work := make(chan slot, workers)
	order := make(chan slot, 2*workers) // bounds the batches in flight
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(work)
		defer close(order)
		for {
			rec, err := res.Next()
			if err != nil || rec == nil {
				readErr = err
				return
			}
			select {
			case <-stop:
				return
			default:
			}
			rec.Retain()
			sl := slot{rec: rec, done: make(chan chunk, 1)}
			select {
			case order <- sl:
			case <-stop:
				rec.Release()
				return
			}
			work <- sl
		}
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := newTextRows(res)
			for sl := range work {
				var c chunk
				c.err = tr.batch(sl.rec, func(row [][]byte) error {
					c.text = d.appendCopyRow(c.text, row, force)
					c.ends = append(c.ends, len(c.text))
					return nil
				})
				sl.rec.Release()
				sl.done <- c
			}
		}()
	}
	var err error
	for sl := range order {
		c := <-sl.done
		if err == nil {
			err = c.err
		}
		start := 0
		for _, end := range c.ends {
			if err != nil {
				break
			}
			n++
			err = emit(c.text[start:end])
			start = end
		}
		if err != nil {
			close(stop)
			for sl := range order { // let the reader and workers finish
				<-sl.done
			}
			break
		}
	}
	wg.Wait()
	if err == nil {
		err = readErr
	}
	return n, err
}
