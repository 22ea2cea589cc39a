package json

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A line is parsed in one pass without building a map: each top-level
// key is matched to a column, the values of the columns a morsel reads
// are kept as byte spans (strings unescaped into a scratch buffer), and
// every other value is only checked. Decoding the line into
// map[string]any (encoding/json) allocated per key and per value and was
// most of a JSON scan's time. The rules are those of the map-based
// reader before it, which the tests keep as the reference: when keys
// fold to one column the greatest key in byte order wins (the last of
// equal ones), values keep their JSON text, lone surrogates in \u
// escapes become U+FFFD.

// Kinds of values a slot holds.
const (
	kindMissing byte = iota
	kindNull
	kindString
	kindNumber
	kindTrue
	kindFalse
	kindNested // an object or array, kept as its JSON text
)

// span is a part of the line, or of the scratch buffer when esc.
type span struct {
	start, end int32
	esc        bool
}

// slot is the value a line gave one column the morsel reads.
type slot struct {
	kind byte
	val  span // a string's text, a number's digits
	raw  span // the value's JSON text in the line
	key  span // the key it came under, to settle keys that fold alike
}

// stopsString marks the bytes a string's scan stops at: its end, an
// escape, a control character (not allowed in a JSON string).
var stopsString = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// maxDepth is how deeply arrays and objects may nest (encoding/json's bound).
const maxDepth = 10000

// lineParser parses JSON Lines into slots. It is used by one goroutine.
type lineParser struct {
	d *Dataset
	// want maps a column to its position among the morsel's columns, or -1
	want  []int
	slots []slot
	line  []byte
	// scratch holds unescaped strings and folded keys of the current line
	scratch []byte
	pos     int
	depth   int
	// hints are the keys the last line had, by position, and the
	// columns they named: lines of one file mostly repeat their keys in
	// one order, and comparing the line's bytes with the quoted key
	// costs less than scanning the key and looking it up
	hints []keyHint
}

// keyHint is a key as it was written (quoted, unescaped) and its column.
type keyHint struct {
	quoted []byte
	col    int
	ok     bool
}

func newLineParser(d *Dataset, cols []int) *lineParser {
	p := &lineParser{d: d, want: make([]int, len(d.Columns)), slots: make([]slot, len(cols))}
	for i := range p.want {
		p.want[i] = -1
	}
	for i, c := range cols {
		p.want[c] = i
	}
	return p
}

// bytesOf is a span's bytes (valid until the next line).
func (p *lineParser) bytesOf(s span) []byte {
	if s.esc {
		return p.scratch[s.start:s.end]
	}
	return p.line[s.start:s.end]
}

// syntaxError is a line that is not one JSON object.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

func (p *lineParser) errAt(what string) error {
	if p.pos >= len(p.line) {
		return &syntaxError{"unexpected end of JSON input"}
	}
	return &syntaxError{fmt.Sprintf("invalid character %s %s", quoteChar(p.line[p.pos]), what)}
}

func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c < 0x20 || c >= 0x80:
		return fmt.Sprintf("%q", rune(c))
	}
	return "'" + string(c) + "'"
}

// parse reads line (trimmed, valid UTF-8, not empty) into the slots.
func (p *lineParser) parse(line []byte) error {
	p.line, p.pos, p.depth = line, 0, 0
	p.scratch = p.scratch[:0]
	for i := range p.slots {
		p.slots[i].kind = kindMissing
	}
	p.skipSpace()
	if p.pos >= len(line) {
		return p.errAt("")
	}
	if line[p.pos] != '{' {
		// a value that is not an object: checked, then refused
		if err := p.skipValue(); err != nil {
			return err
		}
		return &syntaxError{"not a JSON object"}
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(line) && line[p.pos] == '}' {
		p.pos++
		return p.end()
	}
	for k := 0; ; k++ {
		p.skipSpace()
		if p.pos >= len(line) || line[p.pos] != '"' {
			return p.errAt("looking for beginning of object key string")
		}
		var key span
		var col int
		var ok bool
		if h := p.hint(k); h != nil && len(line)-p.pos > len(h.quoted) && string(line[p.pos:p.pos+len(h.quoted)]) == string(h.quoted) {
			key = span{start: int32(p.pos + 1), end: int32(p.pos + len(h.quoted) - 1)}
			p.pos += len(h.quoted)
			col, ok = h.col, h.ok
		} else {
			at := p.pos
			var err error
			if key, err = p.str(); err != nil {
				return err
			}
			col, ok = p.column(key)
			if !key.esc {
				p.remember(k, line[at:p.pos], col, ok)
			}
		}
		p.skipSpace()
		if p.pos >= len(line) || line[p.pos] != ':' {
			return p.errAt("after object key")
		}
		p.pos++
		p.skipSpace()
		pos := -1
		if ok {
			pos = p.want[col]
		}
		if pos < 0 {
			if err := p.skipValue(); err != nil {
				return err
			}
		} else if old := &p.slots[pos]; old.kind == kindMissing || string(p.bytesOf(key)) >= string(p.bytesOf(old.key)) {
			at := p.pos
			if err := p.value(old); err != nil {
				return err
			}
			old.raw = span{start: int32(at), end: int32(p.pos)}
			old.key = key
		} else if err := p.skipValue(); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(line) {
			return p.errAt("")
		}
		switch line[p.pos] {
		case ',':
			p.pos++
			continue
		case '}':
			p.pos++
			return p.end()
		}
		return p.errAt("after object key:value pair")
	}
}

// end checks nothing but spaces follow the object.
func (p *lineParser) end() error {
	p.skipSpace()
	if p.pos < len(p.line) {
		return p.errAt("after top-level value")
	}
	return nil
}

func (p *lineParser) hint(k int) *keyHint {
	if k < len(p.hints) && p.hints[k].quoted != nil {
		return &p.hints[k]
	}
	return nil
}

// remember keeps the k-th key of this line for the next one.
func (p *lineParser) remember(k int, quoted []byte, col int, ok bool) {
	if k > 256 {
		return // a line of many keys: no hints past these
	}
	for len(p.hints) <= k {
		p.hints = append(p.hints, keyHint{})
	}
	h := &p.hints[k]
	h.quoted = append(h.quoted[:0], quoted...)
	h.col, h.ok = col, ok
}

// column is the column a key names.
func (p *lineParser) column(key span) (int, bool) {
	k := p.bytesOf(key)
	if !p.d.Opt.CaseSensitive {
		for _, c := range k {
			if c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
				col, ok := p.d.index[strings.ToLower(string(k))]
				return col, ok
			}
		}
	}
	col, ok := p.d.index[string(k)]
	return col, ok
}

func (p *lineParser) skipSpace() { p.pos = skipSpace(p.line, p.pos) }

// skipSpace is the first offset from i that is not JSON white space.
func skipSpace(l []byte, i int) int {
	// most bytes are past ' ': one comparison decides
	for i < len(l) && l[i] <= ' ' && (l[i] == ' ' || l[i] == '\t' || l[i] == '\n' || l[i] == '\r') {
		i++
	}
	return i
}

// value reads the value at pos into s (its kind and val).
func (p *lineParser) value(s *slot) error {
	if p.pos >= len(p.line) {
		return p.errAt("")
	}
	start := p.pos
	switch c := p.line[p.pos]; {
	case c == '"':
		v, err := p.str()
		s.kind, s.val = kindString, v
		return err
	case c == '-' || c >= '0' && c <= '9':
		s.kind = kindNumber
		err := p.number()
		s.val = span{start: int32(start), end: int32(p.pos)}
		return err
	case c == '{' || c == '[':
		s.kind = kindNested
		return p.skipValue()
	case c == 't':
		s.kind = kindTrue
		return p.literal("true")
	case c == 'f':
		s.kind = kindFalse
		return p.literal("false")
	case c == 'n':
		s.kind = kindNull
		return p.literal("null")
	}
	return p.errAt("looking for beginning of value")
}

func (p *lineParser) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if p.pos >= len(p.line) || p.line[p.pos] != lit[i] {
			return p.errAt("in literal " + lit + " (expecting '" + lit[i:i+1] + "')")
		}
		p.pos++
	}
	return nil
}

// skipValue checks the value at pos and moves past it.
func (p *lineParser) skipValue() error {
	if p.pos >= len(p.line) {
		return p.errAt("")
	}
	switch p.line[p.pos] {
	case '{', '[':
		open, close := p.line[p.pos], byte('}')
		if open == '[' {
			close = ']'
		}
		p.depth++
		if p.depth > maxDepth {
			return &syntaxError{"exceeded max depth"}
		}
		p.pos++
		p.skipSpace()
		if p.pos < len(p.line) && p.line[p.pos] == close {
			p.pos++
			p.depth--
			return nil
		}
		for {
			p.skipSpace()
			if open == '{' {
				if p.pos >= len(p.line) || p.line[p.pos] != '"' {
					return p.errAt("looking for beginning of object key string")
				}
				if _, err := p.str(); err != nil {
					return err
				}
				p.skipSpace()
				if p.pos >= len(p.line) || p.line[p.pos] != ':' {
					return p.errAt("after object key")
				}
				p.pos++
				p.skipSpace()
			}
			if err := p.skipValue(); err != nil {
				return err
			}
			p.skipSpace()
			if p.pos >= len(p.line) {
				return p.errAt("")
			}
			switch c := p.line[p.pos]; {
			case c == ',':
				p.pos++
			case c == close:
				p.pos++
				p.depth--
				return nil
			case open == '{':
				return p.errAt("after object key:value pair")
			default:
				return p.errAt("after array element")
			}
		}
	}
	var scalar slot
	return p.value(&scalar)
}

// number moves past a number, checking JSON's grammar.
func (p *lineParser) number() error {
	l := p.line
	if p.pos < len(l) && l[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(l) && l[p.pos] == '0':
		p.pos++
	case p.pos < len(l) && l[p.pos] >= '1' && l[p.pos] <= '9':
		for p.pos < len(l) && l[p.pos] >= '0' && l[p.pos] <= '9' {
			p.pos++
		}
	default:
		return p.errAt("in numeric literal")
	}
	if p.pos < len(l) && l[p.pos] == '.' {
		p.pos++
		if p.pos >= len(l) || l[p.pos] < '0' || l[p.pos] > '9' {
			return p.errAt("after decimal point in numeric literal")
		}
		for p.pos < len(l) && l[p.pos] >= '0' && l[p.pos] <= '9' {
			p.pos++
		}
	}
	if p.pos < len(l) && (l[p.pos] == 'e' || l[p.pos] == 'E') {
		p.pos++
		if p.pos < len(l) && (l[p.pos] == '+' || l[p.pos] == '-') {
			p.pos++
		}
		if p.pos >= len(l) || l[p.pos] < '0' || l[p.pos] > '9' {
			return p.errAt("in exponent of numeric literal")
		}
		for p.pos < len(l) && l[p.pos] >= '0' && l[p.pos] <= '9' {
			p.pos++
		}
	}
	return nil
}

// str reads the string at pos (its opening quote): a span of the line
// when it holds no escapes, else its text unescaped into scratch.
func (p *lineParser) str() (span, error) {
	l := p.line
	p.pos++
	start := p.pos
	for p.pos < len(l) && !stopsString[l[p.pos]] {
		p.pos++
	}
	if p.pos >= len(l) {
		return span{}, p.errAt("")
	}
	switch l[p.pos] {
	case '"':
		p.pos++
		return span{start: int32(start), end: int32(p.pos - 1)}, nil
	case '\\':
		return p.unescape(start)
	}
	return span{}, p.errAt("in string literal")
}

// unescape copies the string begun at start into scratch, resolving its
// escapes; pos is at its first backslash.
func (p *lineParser) unescape(start int) (span, error) {
	l := p.line
	from := len(p.scratch)
	p.scratch = append(p.scratch, l[start:p.pos]...)
	for p.pos < len(l) {
		c := l[p.pos]
		switch {
		case c == '"':
			p.pos++
			return span{start: int32(from), end: int32(len(p.scratch)), esc: true}, nil
		case c < 0x20:
			return span{}, p.errAt("in string literal")
		case c != '\\':
			p.scratch = append(p.scratch, c)
			p.pos++
			continue
		}
		p.pos++
		if p.pos >= len(l) {
			return span{}, p.errAt("")
		}
		e := l[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			p.scratch = append(p.scratch, e)
		case 'b':
			p.scratch = append(p.scratch, '\b')
		case 'f':
			p.scratch = append(p.scratch, '\f')
		case 'n':
			p.scratch = append(p.scratch, '\n')
		case 'r':
			p.scratch = append(p.scratch, '\r')
		case 't':
			p.scratch = append(p.scratch, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return span{}, p.errAt("in \\u hexadecimal character escape")
			}
			if utf16.IsSurrogate(r) {
				// a pair makes one rune; anything else is U+FFFD
				if p.pos+1 < len(l) && l[p.pos] == '\\' && l[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					if r2, ok := p.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							p.scratch = utf8.AppendRune(p.scratch, d)
							continue
						}
					}
					p.pos = save
				}
				r = utf8.RuneError
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
		default:
			p.pos--
			return span{}, p.errAt("in string escape code")
		}
	}
	return span{}, p.errAt("")
}

func (p *lineParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.line) {
		p.pos = len(p.line)
		return 0, false
	}
	var r rune
	for i := 0; i < 4; i++ {
		c := p.line[p.pos]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
		p.pos++
	}
	return r, true
}

// FieldParser reads JSON objects into the text of named fields, for
// loads that convert text (COPY … FORMAT JSON 'auto'): a string's value
// unescaped, any other value as written, NULL for null or a missing key.
// Keys match names exactly, or without case (the greatest key in byte
// order winning among those that fold alike). One goroutine uses it; the
// fields it returns are valid until its next Parse.
type FieldParser struct {
	p      *lineParser
	fields [][]byte
	nulls  []bool
}

// NewFieldParser parses objects into the fields names.
func NewFieldParser(names []string, ignoreCase bool) *FieldParser {
	d := &Dataset{Opt: Options{CaseSensitive: !ignoreCase}, index: map[string]int{}}
	cols := make([]int, len(names))
	for i, n := range names {
		d.Columns = append(d.Columns, Column{Name: n})
		if _, dup := d.index[d.fold(n)]; !dup {
			d.index[d.fold(n)] = i
		}
		cols[i] = i
	}
	return &FieldParser{p: newLineParser(d, cols), fields: make([][]byte, len(names)), nulls: make([]bool, len(names))}
}

// Parse reads one object (it may span lines).
func (f *FieldParser) Parse(rec []byte) ([][]byte, []bool, error) {
	rec = bytes.TrimSpace(rec)
	if len(rec) == 0 {
		return nil, nil, &syntaxError{"unexpected end of JSON input"}
	}
	if err := f.p.parse(rec); err != nil {
		return nil, nil, err
	}
	for i, s := range f.p.slots {
		f.nulls[i] = false
		switch s.kind {
		case kindMissing, kindNull:
			f.fields[i], f.nulls[i] = nil, true
		case kindTrue:
			f.fields[i] = trueText
		case kindFalse:
			f.fields[i] = falseText
		case kindNested:
			f.fields[i] = f.p.line[s.raw.start:s.raw.end]
		default:
			f.fields[i] = f.p.bytesOf(s.val)
		}
	}
	return f.fields, f.nulls, nil
}
