package functions

import (
	"encoding/json"
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// SQL/JSON path language, as PostgreSQL 15 reads and runs it
// (jsonpath_gram.y, jsonpath_exec.c): lax (the default) and strict
// modes, accessors (.key, .*, [*], [i, j to k, last], .**{m to n}),
// filters ?(…) with comparisons, &&, ||, !, exists, like_regex,
// starts with and is unknown, arithmetic over numerics, the item
// methods .type() .size() .double() .abs() .floor() .ceiling(), and
// $variables from a jsonb object. In lax mode arrays are unwrapped
// where an accessor wants an object or a scalar, scalars wrapped where
// it wants an array, and structural errors (a missing key) yield
// nothing; strict mode raises them. Errors are thrown or, with silent
// (and under @? and @@), suppressed where PostgreSQL suppresses them.
// .keyvalue() and .datetime() are 0A000. Paths are text: lakeq has no
// jsonpath type.

type jpKind uint8

const (
	jpNull jpKind = iota
	jpBool
	jpNumeric
	jpString
	jpVariable
	jpRoot
	jpCurrent
	jpLast
	jpKey
	jpAnyKey
	jpAnyArray
	jpIndexArray
	jpAny
	jpFilter
	jpMethod
	jpAdd
	jpSub
	jpMul
	jpDiv
	jpMod
	jpPlus
	jpMinus
	jpAnd
	jpOr
	jpNot
	jpIsUnknown
	jpEqual
	jpNotEqual
	jpLess
	jpGreater
	jpLessOrEqual
	jpGreaterOrEqual
	jpExists
	jpStartsWith
	jpLikeRegex
)

// jpNode is one path item; next is the accessor applied to its result.
type jpNode struct {
	kind        jpKind
	str         string // key, string literal, variable name, method name
	b           bool
	left, right *jpNode
	subs        [][2]*jpNode // index array: from, to (nil when not a range)
	first, last int          // .** levels; -1 is last
	re          *regexp.Regexp
	next        *jpNode
}

type jpPath struct {
	lax  bool
	expr *jpNode
}

func (k jpKind) isBool() bool { return k >= jpAnd }

// pred reports whether n is a predicate: a boolean item with no accessor
// after it ((p).type() is a value).
func (n *jpNode) pred() bool { return n.kind.isBool() && n.next == nil }

func jpOpName(k jpKind) string {
	return map[jpKind]string{jpAdd: "+", jpSub: "-", jpMul: "*", jpDiv: "/", jpMod: "%", jpPlus: "+", jpMinus: "-"}[k]
}

// ---- lexer ----

type jpTok struct {
	kind string // "op", "str", "num", "int", "ident", "var", "eof"
	text string
	pos  int
}

func jpSyntax(format string, args ...any) error {
	return sqlerr.New(sqlerr.SyntaxError, format, args...)
}

func jpLex(s string) ([]jpTok, error) {
	var out []jpTok
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '"':
			str, n, err := jpQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			out = append(out, jpTok{"str", str, i})
			i += n
		case c == '$':
			j := i + 1
			if j < len(s) && s[j] == '"' {
				str, n, err := jpQuoted(s[j:])
				if err != nil {
					return nil, err
				}
				out = append(out, jpTok{"var", str, i})
				i = j + n
				continue
			}
			for j < len(s) && jpIdentByte(s[j]) {
				j++
			}
			if j == i+1 {
				out = append(out, jpTok{"op", "$", i})
			} else {
				out = append(out, jpTok{"var", s[i+1 : j], i})
			}
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' && !jpAfterAccessorBase(out):
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			isInt := true
			if j < len(s) && s[j] == '.' && (j+1 >= len(s) || s[j+1] >= '0' && s[j+1] <= '9' || !jpIdentByte(s[j+1]) && s[j+1] != '*' && s[j+1] != '"') {
				isInt = false
				j++
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					j++
				}
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					isInt = false
					j = k
				}
			}
			if j < len(s) && jpIdentByte(s[j]) && s[j] != '_' && !(s[j] >= '0' && s[j] <= '9') {
				return nil, jpSyntax("trailing junk after numeric literal at or near \"%s\" of jsonpath input", s[i:j+1])
			}
			kind := "num"
			if isInt {
				kind = "int"
			}
			out = append(out, jpTok{kind, s[i:j], i})
			i = j
		case jpIdentByte(c):
			j := i
			for j < len(s) && jpIdentByte(s[j]) {
				j++
			}
			out = append(out, jpTok{"ident", s[i:j], i})
			i = j
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			switch two {
			case "==", "!=", "<>", "<=", ">=", "&&", "||", "**":
				out = append(out, jpTok{"op", two, i})
				i += 2
				continue
			}
			if strings.IndexByte("()[]{}.,?@<>!+-*/%", c) < 0 {
				return nil, jpSyntax("syntax error at or near \"%c\" of jsonpath input", c)
			}
			out = append(out, jpTok{"op", string(c), i})
			i++
		}
	}
	return append(out, jpTok{"eof", "", len(s)}), nil
}

// jpAfterAccessorBase reports whether a '.' here follows something an
// accessor applies to (so '.5' after ')' is not a number).
func jpAfterAccessorBase(toks []jpTok) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	return t.kind == "ident" || t.kind == "var" || t.kind == "str" || t.kind == "op" && strings.Contains("$@)]", t.text)
}

func jpIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// jpQuoted reads a double-quoted string with jsonpath's escapes; n is
// the bytes it took.
func jpQuoted(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) {
				return "", 0, jpSyntax("unexpected end of input in jsonpath string")
			}
			e := s[i+1]
			i += 2
			switch e {
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
				if i+2 > len(s) {
					return "", 0, jpSyntax("invalid hexadecimal character sequence in jsonpath string")
				}
				v, err := strconv.ParseUint(s[i:i+2], 16, 8)
				if err != nil || v == 0 {
					return "", 0, jpSyntax("invalid hexadecimal character sequence in jsonpath string")
				}
				b.WriteRune(rune(v))
				i += 2
			case 'u':
				r, n, err := jpUnicode(s[i:])
				if err != nil {
					return "", 0, err
				}
				if r >= 0xD800 && r <= 0xDBFF && strings.HasPrefix(s[i+n:], `\u`) {
					if r2, n2, err := jpUnicode(s[i+n+2:]); err == nil && r2 >= 0xDC00 && r2 <= 0xDFFF {
						r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
						n += 2 + n2
					}
				}
				if r == 0 || r >= 0xD800 && r <= 0xDFFF {
					return "", 0, sqlerr.New("22P05", "unsupported Unicode escape sequence")
				}
				b.WriteRune(r)
				i += n
			default:
				b.WriteByte(e) // \" \\ \/ and any other character itself
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, jpSyntax("unexpected end of input in jsonpath string")
}

func jpUnicode(s string) (rune, int, error) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 2 || end > 7 {
			return 0, 0, jpSyntax("invalid Unicode escape sequence in jsonpath string")
		}
		v, err := strconv.ParseUint(s[1:end], 16, 32)
		if err != nil {
			return 0, 0, jpSyntax("invalid Unicode escape sequence in jsonpath string")
		}
		return rune(v), end + 1, nil
	}
	if len(s) < 4 {
		return 0, 0, jpSyntax("invalid Unicode escape sequence in jsonpath string")
	}
	v, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return 0, 0, jpSyntax("invalid Unicode escape sequence in jsonpath string")
	}
	return rune(v), 4, nil
}

// ---- parser ----

type jpParser struct {
	toks     []jpTok
	i        int
	src      string
	inFilter int
	inSubscr int
}

func (p *jpParser) peek() jpTok { return p.toks[p.i] }
func (p *jpParser) is(kind, text string) bool {
	t := p.toks[p.i]
	return t.kind == kind && t.text == text
}
func (p *jpParser) op(text string) bool { return p.is("op", text) }
func (p *jpParser) word(text string) bool {
	return p.is("ident", text)
}

func (p *jpParser) fail() error {
	t := p.peek()
	if t.kind == "eof" {
		return jpSyntax("syntax error at end of jsonpath input")
	}
	near := t.text
	if t.kind == "str" {
		near = strconv.Quote(t.text)
	}
	return jpSyntax("syntax error at or near \"%s\" of jsonpath input", near)
}

func (p *jpParser) expect(text string) error {
	if !p.op(text) {
		return p.fail()
	}
	p.i++
	return nil
}

// parseJSONPath reads a path's text.
func parseJSONPath(s string) (*jpPath, error) {
	toks, err := jpLex(s)
	if err != nil {
		return nil, err
	}
	p := &jpParser{toks: toks, src: s}
	jp := &jpPath{lax: true}
	if p.word("strict") {
		jp.lax = false
		p.i++
	} else if p.word("lax") {
		p.i++
	}
	if p.peek().kind == "eof" {
		return nil, p.fail()
	}
	if jp.expr, err = p.orExpr(); err != nil {
		return nil, err
	}
	if p.peek().kind != "eof" {
		return nil, p.fail()
	}
	return jp, nil
}

// Predicates and expressions share one precedence climb: || over &&
// over ! over comparisons over + - over * / % over unary signs.
func (p *jpParser) orExpr() (*jpNode, error) {
	l, err := p.andExpr()
	if err != nil {
		return nil, err
	}
	for p.op("||") {
		p.i++
		r, err := p.andExpr()
		if err != nil {
			return nil, err
		}
		if !l.pred() || !r.pred() {
			return nil, jpSyntax("syntax error at or near \"||\" of jsonpath input")
		}
		l = &jpNode{kind: jpOr, left: l, right: r}
	}
	return l, nil
}

func (p *jpParser) andExpr() (*jpNode, error) {
	l, err := p.notExpr()
	if err != nil {
		return nil, err
	}
	for p.op("&&") {
		p.i++
		r, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		if !l.pred() || !r.pred() {
			return nil, jpSyntax("syntax error at or near \"&&\" of jsonpath input")
		}
		l = &jpNode{kind: jpAnd, left: l, right: r}
	}
	return l, nil
}

func (p *jpParser) notExpr() (*jpNode, error) {
	if p.op("!") {
		p.i++
		// ! takes a delimited predicate: (pred) or exists (…)
		if !p.op("(") && !p.word("exists") {
			return nil, p.fail()
		}
		a, err := p.notExpr()
		if err != nil {
			return nil, err
		}
		if !a.pred() {
			return nil, p.fail()
		}
		return &jpNode{kind: jpNot, left: a}, nil
	}
	return p.cmpExpr()
}

func (p *jpParser) cmpExpr() (*jpNode, error) {
	l, err := p.addExpr()
	if err != nil {
		return nil, err
	}
	ops := map[string]jpKind{"==": jpEqual, "!=": jpNotEqual, "<>": jpNotEqual, "<": jpLess, ">": jpGreater, "<=": jpLessOrEqual, ">=": jpGreaterOrEqual}
	t := p.peek()
	switch {
	case t.kind == "op" && ops[t.text] != 0:
		p.i++
		r, err := p.addExpr()
		if err != nil {
			return nil, err
		}
		if l.pred() || r.pred() {
			return nil, jpSyntax("syntax error at or near \"%s\" of jsonpath input", t.text)
		}
		return &jpNode{kind: ops[t.text], left: l, right: r}, nil
	case p.word("starts"):
		p.i++
		if !p.word("with") {
			return nil, p.fail()
		}
		p.i++
		var r *jpNode
		switch t := p.peek(); t.kind {
		case "str":
			r = &jpNode{kind: jpString, str: t.text}
		case "var":
			r = &jpNode{kind: jpVariable, str: t.text}
		default:
			return nil, p.fail()
		}
		p.i++
		return &jpNode{kind: jpStartsWith, left: l, right: r}, nil
	case p.word("like_regex"):
		p.i++
		if p.peek().kind != "str" {
			return nil, p.fail()
		}
		pat := p.peek().text
		p.i++
		flags := ""
		if p.word("flag") {
			p.i++
			if p.peek().kind != "str" {
				return nil, p.fail()
			}
			flags = p.peek().text
			p.i++
		}
		re, err := jpCompileRegex(pat, flags)
		if err != nil {
			return nil, err
		}
		return &jpNode{kind: jpLikeRegex, left: l, re: re}, nil
	case p.word("is"):
		// (predicate) is unknown
		p.i++
		if !p.word("unknown") || !l.pred() {
			return nil, p.fail()
		}
		p.i++
		return &jpNode{kind: jpIsUnknown, left: l}, nil
	}
	return l, nil
}

// jpCompileRegex maps like_regex's XQuery flags onto PostgreSQL's regex
// options: by default . and [^…] stop at newlines; s lets them cross, m
// anchors ^ and $ at newlines, i ignores case, q reads the pattern
// literally; x is not implemented (0A000), as in PostgreSQL.
func jpCompileRegex(pat, flags string) (*regexp.Regexp, error) {
	var dotall, mline, icase, quote bool
	for _, f := range flags {
		switch f {
		case 'i':
			icase = true
		case 's':
			dotall = true
		case 'm':
			mline = true
		case 'q':
			quote = true
		case 'x':
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "XQuery \"x\" flag (expanded regular expressions) is not implemented")
		default:
			return nil, sqlerr.New(sqlerr.SyntaxError, "invalid input syntax for type jsonpath").WithDetail("Unrecognized flag character \"" + string(f) + "\" in LIKE_REGEX predicate.")
		}
	}
	opts := ""
	switch {
	case quote:
		opts = "q"
	case dotall && mline:
		opts = "w"
	case dotall:
		opts = "s"
	case mline:
		opts = "n"
	default:
		opts = "p"
	}
	if icase {
		opts += "i"
	}
	return compileRegex(pat, opts)
}

func (p *jpParser) addExpr() (*jpNode, error) {
	l, err := p.mulExpr()
	if err != nil {
		return nil, err
	}
	for p.op("+") || p.op("-") {
		k := jpAdd
		if p.op("-") {
			k = jpSub
		}
		p.i++
		r, err := p.mulExpr()
		if err != nil {
			return nil, err
		}
		if l.pred() || r.pred() {
			return nil, p.fail()
		}
		l = &jpNode{kind: k, left: l, right: r}
	}
	return l, nil
}

func (p *jpParser) mulExpr() (*jpNode, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.op("*") || p.op("/") || p.op("%") {
		k := map[string]jpKind{"*": jpMul, "/": jpDiv, "%": jpMod}[p.peek().text]
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		if l.pred() || r.pred() {
			return nil, p.fail()
		}
		l = &jpNode{kind: k, left: l, right: r}
	}
	return l, nil
}

func (p *jpParser) unary() (*jpNode, error) {
	if p.op("+") || p.op("-") {
		k := jpPlus
		if p.op("-") {
			k = jpMinus
		}
		p.i++
		a, err := p.unary()
		if err != nil {
			return nil, err
		}
		if a.pred() {
			return nil, p.fail()
		}
		// a sign folds into a numeric literal, as PostgreSQL's grammar does
		if a.kind == jpNumeric && a.next == nil {
			if k == jpMinus {
				a.str = jpNegate(a.str)
			}
			return a, nil
		}
		return &jpNode{kind: k, left: a}, nil
	}
	return p.accessorExpr()
}

func jpNegate(s string) string {
	if strings.HasPrefix(s, "-") {
		return s[1:]
	}
	return "-" + s
}

func (p *jpParser) accessorExpr() (*jpNode, error) {
	var head *jpNode
	t := p.peek()
	switch {
	case t.kind == "op" && t.text == "(":
		p.i++
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if e.pred() && !p.op(".") && !p.op("[") && !p.op("?") {
			// (pred) followed by "is unknown" (cmpExpr) or nothing
			return e, nil
		}
		head = e
	case p.word("exists"):
		p.i++
		if err := p.expect("("); err != nil {
			return nil, err
		}
		e, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		if e.pred() {
			return nil, p.fail()
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return &jpNode{kind: jpExists, left: e}, nil
	case t.kind == "op" && t.text == "$":
		p.i++
		head = &jpNode{kind: jpRoot}
	case t.kind == "op" && t.text == "@":
		if p.inFilter == 0 {
			return nil, jpSyntax("@ is not allowed in root expressions")
		}
		p.i++
		head = &jpNode{kind: jpCurrent}
	case t.kind == "var":
		p.i++
		head = &jpNode{kind: jpVariable, str: t.text}
	case t.kind == "str":
		p.i++
		head = &jpNode{kind: jpString, str: t.text}
	case t.kind == "num" || t.kind == "int":
		p.i++
		head = &jpNode{kind: jpNumeric, str: t.text}
	case p.word("true") || p.word("false"):
		p.i++
		head = &jpNode{kind: jpBool, b: t.text == "true"}
	case p.word("null"):
		p.i++
		head = &jpNode{kind: jpNull}
	case p.word("last"):
		if p.inSubscr == 0 {
			return nil, jpSyntax("LAST is allowed only in array subscripts")
		}
		p.i++
		head = &jpNode{kind: jpLast}
	default:
		return nil, p.fail()
	}
	tail := head
	for {
		acc, err := p.accessor()
		if err != nil {
			return nil, err
		}
		if acc == nil {
			return head, nil
		}
		tail.next = acc
		tail = acc
	}
}

var jpMethods = map[string]bool{"type": true, "size": true, "double": true, "abs": true, "floor": true, "ceiling": true, "keyvalue": true, "datetime": true}

// accessor reads one accessor after an item, nil when none follows.
func (p *jpParser) accessor() (*jpNode, error) {
	switch {
	case p.op("."):
		p.i++
		t := p.peek()
		switch {
		case t.kind == "op" && t.text == "*":
			p.i++
			return &jpNode{kind: jpAnyKey}, nil
		case t.kind == "op" && t.text == "**":
			p.i++
			n := &jpNode{kind: jpAny, first: 0, last: -1}
			if p.op("{") {
				p.i++
				f, err := p.level()
				if err != nil {
					return nil, err
				}
				n.first, n.last = f, f
				if p.word("to") {
					p.i++
					if n.last, err = p.level(); err != nil {
						return nil, err
					}
				}
				if err := p.expect("}"); err != nil {
					return nil, err
				}
			}
			return n, nil
		case t.kind == "str":
			p.i++
			return &jpNode{kind: jpKey, str: t.text}, nil
		case t.kind == "ident":
			p.i++
			if p.op("(") && jpMethods[t.text] {
				p.i++
				if t.text == "datetime" && p.peek().kind == "str" {
					p.i++
				}
				if err := p.expect(")"); err != nil {
					return nil, err
				}
				return &jpNode{kind: jpMethod, str: t.text}, nil
			}
			return &jpNode{kind: jpKey, str: t.text}, nil
		case t.kind == "var":
			// .$x is a key starting with $ in PostgreSQL's lexer
			p.i++
			return &jpNode{kind: jpKey, str: "$" + t.text}, nil
		}
		return nil, p.fail()
	case p.op("["):
		p.i++
		if p.op("*") && p.toks[p.i+1].kind == "op" && p.toks[p.i+1].text == "]" {
			p.i += 2
			return &jpNode{kind: jpAnyArray}, nil
		}
		n := &jpNode{kind: jpIndexArray}
		p.inSubscr++
		defer func() { p.inSubscr-- }()
		for {
			from, err := p.addExpr()
			if err != nil {
				return nil, err
			}
			var to *jpNode
			if p.word("to") {
				p.i++
				if to, err = p.addExpr(); err != nil {
					return nil, err
				}
			}
			n.subs = append(n.subs, [2]*jpNode{from, to})
			if p.op(",") {
				p.i++
				continue
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			return n, nil
		}
	case p.op("?"):
		p.i++
		if err := p.expect("("); err != nil {
			return nil, err
		}
		p.inFilter++
		e, err := p.orExpr()
		p.inFilter--
		if err != nil {
			return nil, err
		}
		if !e.pred() {
			return nil, p.fail()
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return &jpNode{kind: jpFilter, left: e}, nil
	}
	return nil, nil
}

func (p *jpParser) level() (int, error) {
	t := p.peek()
	if p.word("last") {
		p.i++
		return -1, nil
	}
	if t.kind != "int" {
		return 0, p.fail()
	}
	p.i++
	v, err := strconv.Atoi(t.text)
	if err != nil {
		return 0, p.fail()
	}
	return v, nil
}

// ---- numbers ----

// jpNum reads a JSON number's text as PostgreSQL's numeric_in does.
func jpNum(s string) (numVar, bool) {
	t := s
	neg := false
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		neg = t[0] == '-'
		t = t[1:]
	}
	exp := 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		e, err := strconv.Atoi(t[i+1:])
		if err != nil {
			return numVar{}, false
		}
		exp, t = e, t[:i]
	}
	ip, fp, _ := strings.Cut(t, ".")
	if ip == "" && fp == "" {
		return numVar{}, false
	}
	u, ok := new(big.Int).SetString("0"+ip+fp, 10)
	if !ok {
		return numVar{}, false
	}
	scale := len(fp) - exp
	if scale < 0 {
		u.Mul(u, pow10(-scale))
		scale = 0
	}
	if neg {
		u.Neg(u)
	}
	return numVar{u: u, scale: scale}, true
}

// jpText prints v as numeric_out does.
func jpText(v numVar) string {
	neg := v.u.Sign() < 0
	d := new(big.Int).Abs(v.u).String()
	if v.scale > 0 {
		if len(d) <= v.scale {
			d = strings.Repeat("0", v.scale-len(d)+1) + d
		}
		d = d[:len(d)-v.scale] + "." + d[len(d)-v.scale:]
	}
	if neg {
		return "-" + d
	}
	return d
}

func jpRescale(v numVar, s int) numVar {
	if s <= v.scale {
		return v
	}
	return numVar{u: new(big.Int).Mul(v.u, pow10(s-v.scale)), scale: s}
}

func jpArith(k jpKind, a, b numVar) (numVar, error) {
	switch k {
	case jpAdd, jpSub:
		s := max(a.scale, b.scale)
		x, y := jpRescale(a, s), jpRescale(b, s)
		if k == jpAdd {
			return numVar{u: new(big.Int).Add(x.u, y.u), scale: s}, nil
		}
		return numVar{u: new(big.Int).Sub(x.u, y.u), scale: s}, nil
	case jpMul:
		return numVar{u: new(big.Int).Mul(a.u, b.u), scale: a.scale + b.scale}, nil
	}
	if b.u.Sign() == 0 {
		return numVar{}, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	}
	if k == jpMod {
		s := max(a.scale, b.scale)
		x, y := jpRescale(a, s), jpRescale(b, s)
		return numVar{u: new(big.Int).Rem(x.u, y.u), scale: s}, nil
	}
	// numeric_div: select_div_scale's result scale, rounded half away
	// from zero
	w1, g1, ok1 := a.pgDigits()
	w2, g2, _ := b.pgDigits()
	var f1, f2 int64
	if ok1 {
		f1 = g1[0]
	} else {
		w1 = 0
	}
	f2 = g2[0]
	qw := w1 - w2
	if f1 <= f2 {
		qw--
	}
	rscale := clampScale(max(numMinSigDigits-qw*decDigits, a.scale, b.scale))
	r := new(big.Rat).SetFrac(new(big.Int).Mul(a.u, pow10(b.scale)), new(big.Int).Mul(b.u, pow10(a.scale)))
	n := new(big.Int).Mul(r.Num(), pow10(rscale))
	q, m := new(big.Int).QuoRem(n, r.Denom(), new(big.Int))
	if new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return numVar{u: q, scale: rscale}, nil
}

// ---- executor ----

type jpRes uint8

const (
	jpOk jpRes = iota
	jpNotFound
	jpError
)

type jpTri uint8

const (
	jpFalse jpTri = iota
	jpTrue
	jpUnknown
)

type jpCtx struct {
	lax, ignoreStructural, throw bool
	root, current                any
	vars                         map[string]any
	innermostArraySize           int
}

// fail is RETURN_ERROR: the error raised when errors are thrown, else
// jpError.
func (c *jpCtx) fail(err error) (jpRes, error) {
	if c.throw {
		return jpError, err
	}
	return jpError, nil
}

func jpTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}

// list collects found items; nil when only existence matters.
type jpList = *[]any

func (c *jpCtx) execNext(n *jpNode, v any, found jpList) (jpRes, error) {
	if n.next != nil {
		return c.exec(n.next, v, found)
	}
	if found != nil {
		*found = append(*found, v)
	}
	return jpOk, nil
}

func (c *jpCtx) exec(n *jpNode, v any, found jpList) (jpRes, error) {
	return c.execUnwrap(n, v, found, c.lax)
}

// execUnwrapArray runs n on each element of the array v.
func (c *jpCtx) execUnwrapArray(n *jpNode, v []any, found jpList) (jpRes, error) {
	return c.execAny(n, v, found, 1, 1, 1, false, false)
}

func (c *jpCtx) execUnwrap(n *jpNode, v any, found jpList, unwrap bool) (jpRes, error) {
	arr, isArr := v.([]any)
	switch n.kind {
	case jpNull, jpBool, jpNumeric, jpString, jpVariable:
		var item any
		switch n.kind {
		case jpBool:
			item = n.b
		case jpNumeric:
			num, ok := jpNum(n.str)
			if !ok {
				return jpError, jpSyntax("invalid numeric literal in jsonpath")
			}
			item = json.Number(jpText(num))
		case jpString:
			item = n.str
		case jpVariable:
			var err error
			if item, err = c.variable(n.str); err != nil {
				return jpError, err
			}
		}
		return c.execNext(n, item, found)
	case jpAnd, jpOr, jpNot, jpIsUnknown, jpEqual, jpNotEqual, jpLess, jpGreater, jpLessOrEqual, jpGreaterOrEqual, jpExists, jpStartsWith, jpLikeRegex:
		st, err := c.execBool(n, v)
		if err != nil {
			return jpError, err
		}
		if found == nil && n.next == nil {
			return jpOk, nil
		}
		var item any
		if st != jpUnknown {
			item = st == jpTrue
		}
		return c.execNext(n, item, found)
	case jpAdd, jpSub, jpMul, jpDiv, jpMod:
		return c.execBinaryArith(n, v, found)
	case jpPlus, jpMinus:
		return c.execUnaryArith(n, v, found)
	case jpAnyArray:
		if isArr {
			return c.execAny(n.next, arr, found, 1, 1, 1, false, c.lax)
		}
		if c.lax {
			return c.execNext(n, v, found)
		}
		if !c.ignoreStructural {
			return c.fail(sqlerr.New("22039", "jsonpath wildcard array accessor can only be applied to an array"))
		}
		return jpNotFound, nil
	case jpAnyKey:
		if obj, ok := v.(map[string]any); ok {
			vals := make([]any, 0, len(obj))
			for _, k := range jsonbKeys(obj) {
				vals = append(vals, obj[k])
			}
			return c.execAny(n.next, vals, found, 1, 1, 1, false, c.lax)
		}
		if unwrap && isArr {
			return c.execUnwrapArray(n, arr, found)
		}
		if !c.ignoreStructural {
			return c.fail(sqlerr.New("2203C", "jsonpath wildcard member accessor can only be applied to an object"))
		}
		return jpNotFound, nil
	case jpIndexArray:
		return c.execIndexArray(n, v, found)
	case jpAny:
		res := jpNotFound
		if n.first == 0 {
			saved := c.ignoreStructural
			c.ignoreStructural = true
			r, err := c.execNext(n, v, found)
			c.ignoreStructural = saved
			if err != nil {
				return jpError, err
			}
			res = r
			if res == jpOk && found == nil {
				return res, nil
			}
		}
		var kids []any
		switch x := v.(type) {
		case []any:
			kids = x
		case map[string]any:
			for _, k := range jsonbKeys(x) {
				kids = append(kids, x[k])
			}
		default:
			return res, nil
		}
		return c.execAny(n.next, kids, found, 1, n.first, n.last, true, c.lax)
	case jpKey:
		if obj, ok := v.(map[string]any); ok {
			if e, ok := obj[n.str]; ok {
				return c.execNext(n, e, found)
			}
			if !c.ignoreStructural {
				if !c.throw {
					return jpError, nil
				}
				return jpError, sqlerr.New("2203A", "JSON object does not contain key \"%s\"", n.str)
			}
			return jpNotFound, nil
		}
		if unwrap && isArr {
			return c.execUnwrapArray(n, arr, found)
		}
		if !c.ignoreStructural {
			return c.fail(sqlerr.New("2203A", "jsonpath member accessor can only be applied to an object"))
		}
		return jpNotFound, nil
	case jpCurrent:
		return c.execNext(n, c.current, found)
	case jpRoot:
		return c.execNext(n, c.root, found)
	case jpFilter:
		if unwrap && isArr {
			return c.execUnwrapArray(n, arr, found)
		}
		prev := c.current
		c.current = v
		st, err := c.execBool(n.left, v)
		c.current = prev
		if err != nil {
			return jpError, err
		}
		if st != jpTrue {
			return jpNotFound, nil
		}
		return c.execNext(n, v, found)
	case jpLast:
		if c.innermostArraySize < 0 {
			return jpError, sqlerr.New(sqlerr.Internal, "evaluating jsonpath LAST outside of array subscript")
		}
		return c.execNext(n, json.Number(strconv.Itoa(c.innermostArraySize-1)), found)
	case jpMethod:
		return c.execMethod(n, v, found, unwrap)
	}
	return jpError, sqlerr.New(sqlerr.Internal, "unrecognized jsonpath item")
}

// execAny walks the items of a container's members: .*, [*], .** and
// the unwrapping of an array (level counts from 1 for the members).
func (c *jpCtx) execAny(n *jpNode, items []any, found jpList, level, first, last int, ignoreStructural, unwrapNext bool) (jpRes, error) {
	res := jpNotFound
	if last >= 0 && level > last {
		return res, nil
	}
	for _, v := range items {
		_, isArr := v.([]any)
		_, isObj := v.(map[string]any)
		container := isArr || isObj
		if level >= first && first >= 0 || first == -1 && last == -1 && !container {
			if n != nil {
				saved := c.ignoreStructural
				if ignoreStructural {
					c.ignoreStructural = true
				}
				r, err := c.execUnwrap(n, v, found, unwrapNext)
				c.ignoreStructural = saved
				if err != nil || r == jpError {
					return jpError, err
				}
				res = r
				if res == jpOk && found == nil {
					return res, nil
				}
			} else if found != nil {
				*found = append(*found, v)
				res = jpOk
			} else {
				return jpOk, nil
			}
		}
		if container && (last < 0 || level < last) {
			var kids []any
			if isArr {
				kids = v.([]any)
			} else {
				obj := v.(map[string]any)
				for _, k := range jsonbKeys(obj) {
					kids = append(kids, obj[k])
				}
			}
			r, err := c.execAny(n, kids, found, level+1, first, last, ignoreStructural, unwrapNext)
			if err != nil || r == jpError {
				return jpError, err
			}
			if r == jpOk {
				res = jpOk
				if found == nil {
					return res, nil
				}
			}
		}
	}
	return res, nil
}

func (c *jpCtx) execIndexArray(n *jpNode, v any, found jpList) (jpRes, error) {
	arr, isArr := v.([]any)
	if !isArr && !c.lax {
		if !c.ignoreStructural {
			return c.fail(sqlerr.New("22039", "jsonpath array accessor can only be applied to an array"))
		}
		return jpNotFound, nil
	}
	size := len(arr)
	if !isArr {
		size = 1
	}
	saved := c.innermostArraySize
	c.innermostArraySize = size
	defer func() { c.innermostArraySize = saved }()
	res := jpNotFound
	for _, sub := range n.subs {
		from, r, err := c.arrayIndex(sub[0], v)
		if err != nil || r == jpError {
			return jpError, err
		}
		to := from
		if sub[1] != nil {
			if to, r, err = c.arrayIndex(sub[1], v); err != nil || r == jpError {
				return jpError, err
			}
		}
		if !c.ignoreStructural && (from < 0 || from > to || to >= size) {
			return c.fail(sqlerr.New("22033", "jsonpath array subscript is out of bounds"))
		}
		from = max(from, 0)
		to = min(to, size-1)
		res = jpNotFound
		for i := from; i <= to; i++ {
			var e any
			if isArr {
				e = arr[i]
			} else {
				e = v
			}
			if n.next == nil && found == nil {
				return jpOk, nil
			}
			r, err := c.execNext(n, e, found)
			if err != nil || r == jpError {
				return jpError, err
			}
			res = r
			if res == jpOk && found == nil {
				return res, nil
			}
		}
	}
	return res, nil
}

// arrayIndex evaluates a subscript: a single number, truncated.
func (c *jpCtx) arrayIndex(n *jpNode, v any) (int, jpRes, error) {
	var seq []any
	r, err := c.exec(n, v, &seq)
	if err != nil || r == jpError {
		return 0, jpError, err
	}
	var num json.Number
	ok := len(seq) == 1
	if ok {
		num, ok = seq[0].(json.Number)
	}
	if !ok {
		r, err := c.fail(sqlerr.New("22033", "jsonpath array subscript is not a single numeric value"))
		return 0, r, err
	}
	nv, _ := jpNum(string(num))
	q := new(big.Int).Quo(nv.u, pow10(nv.scale))
	if !q.IsInt64() || q.Int64() > 1<<31-1 || q.Int64() < -1<<31 {
		r, err := c.fail(sqlerr.New("22033", "jsonpath array subscript is out of integer range"))
		return 0, r, err
	}
	return int(q.Int64()), jpOk, nil
}

func (c *jpCtx) variable(name string) (any, error) {
	v, ok := c.vars[name]
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedObject, "could not find jsonpath variable \"%s\"", name)
	}
	return v, nil
}

// seq evaluates n, unwrapping arrays in the result in lax mode when
// unwrap is set; errors are suppressed when noThrow.
func (c *jpCtx) seq(n *jpNode, v any, unwrap, noThrow bool) ([]any, jpRes, error) {
	saved := c.throw
	if noThrow {
		c.throw = false
	}
	defer func() { c.throw = saved }()
	var items []any
	r, err := c.exec(n, v, &items)
	if err != nil || r == jpError {
		return nil, jpError, err
	}
	if !unwrap || !c.lax {
		return items, r, nil
	}
	var out []any
	for _, it := range items {
		if a, ok := it.([]any); ok {
			out = append(out, a...)
		} else {
			out = append(out, it)
		}
	}
	return out, r, nil
}

func (c *jpCtx) execBinaryArith(n *jpNode, v any, found jpList) (jpRes, error) {
	l, r, err := c.seq(n.left, v, true, false)
	if err != nil || r == jpError {
		return jpError, err
	}
	rs, r, err := c.seq(n.right, v, true, false)
	if err != nil || r == jpError {
		return jpError, err
	}
	ln, lok := jpSingleNum(l)
	if !lok {
		return c.fail(sqlerr.New("22038", "left operand of jsonpath operator %s is not a single numeric value", jpOpName(n.kind)))
	}
	rn, rok := jpSingleNum(rs)
	if !rok {
		return c.fail(sqlerr.New("22038", "right operand of jsonpath operator %s is not a single numeric value", jpOpName(n.kind)))
	}
	res, err := jpArith(n.kind, ln, rn)
	if err != nil {
		return c.fail(err)
	}
	if n.next == nil && found == nil {
		return jpOk, nil
	}
	return c.execNext(n, json.Number(jpText(res)), found)
}

func jpSingleNum(items []any) (numVar, bool) {
	if len(items) != 1 {
		return numVar{}, false
	}
	s, ok := items[0].(json.Number)
	if !ok {
		return numVar{}, false
	}
	return jpNum(string(s))
}

func (c *jpCtx) execUnaryArith(n *jpNode, v any, found jpList) (jpRes, error) {
	items, r, err := c.seq(n.left, v, true, false)
	if err != nil || r == jpError {
		return jpError, err
	}
	res := jpNotFound
	for _, it := range items {
		s, ok := it.(json.Number)
		if !ok {
			if found == nil && n.next == nil {
				continue
			}
			return c.fail(sqlerr.New("2203B", "operand of unary jsonpath operator %s is not a numeric value", jpOpName(n.kind)))
		}
		if found == nil && n.next == nil {
			return jpOk, nil
		}
		out := it
		if n.kind == jpMinus {
			num, _ := jpNum(string(s))
			out = json.Number(jpText(numVar{u: new(big.Int).Neg(num.u), scale: num.scale}))
		}
		r, err := c.execNext(n, out, found)
		if err != nil || r == jpError {
			return jpError, err
		}
		if r == jpOk {
			if found == nil {
				return jpOk, nil
			}
			res = jpOk
		}
	}
	return res, nil
}

func (c *jpCtx) execMethod(n *jpNode, v any, found jpList, unwrap bool) (jpRes, error) {
	arr, isArr := v.([]any)
	switch n.str {
	case "type":
		return c.execNext(n, jpTypeName(v), found)
	case "size":
		size := len(arr)
		if !isArr {
			if !c.lax {
				if !c.ignoreStructural {
					return c.fail(sqlerr.New("22039", "jsonpath item method .size() can only be applied to an array"))
				}
				return jpNotFound, nil
			}
			size = 1
		}
		return c.execNext(n, json.Number(strconv.Itoa(size)), found)
	case "keyvalue", "datetime":
		return jpError, sqlerr.New(sqlerr.FeatureNotSupported, "jsonpath item method .%s() is not supported", n.str)
	}
	if unwrap && isArr {
		return c.execUnwrapArray(n, arr, found)
	}
	if n.str == "double" {
		var text string
		switch x := v.(type) {
		case json.Number:
			text = string(x)
		case string:
			text = x
		default:
			return c.fail(sqlerr.New("22036", "jsonpath item method .double() can only be applied to a string or numeric value"))
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil && !isRangeErr(err) {
			return c.fail(sqlerr.New("22036", "string argument of jsonpath item method .double() is not a valid representation of a double precision number"))
		}
		if isRangeErr(err) {
			return c.fail(sqlerr.New("22036", "numeric argument of jsonpath item method .double() is out of range for type double precision"))
		}
		if f != f || f > 1.7976931348623157e308 || f < -1.7976931348623157e308 {
			return c.fail(sqlerr.New("22036", "string argument of jsonpath item method .double() is not a valid representation of a double precision number"))
		}
		if _, isNum := v.(json.Number); isNum {
			return c.execNext(n, v, found) // checked, and kept as it was (PostgreSQL's)
		}
		num, _ := jpNum(strconv.FormatFloat(f, 'g', 15, 64))
		return c.execNext(n, json.Number(jpText(num)), found)
	}
	s, ok := v.(json.Number)
	if !ok {
		return c.fail(sqlerr.New("22036", "jsonpath item method .%s() can only be applied to a numeric value", n.str))
	}
	num, _ := jpNum(string(s))
	switch n.str {
	case "abs":
		num = numVar{u: new(big.Int).Abs(num.u), scale: num.scale}
	case "floor", "ceiling":
		d := pow10(num.scale)
		q, m := new(big.Int).QuoRem(num.u, d, new(big.Int))
		if m.Sign() < 0 && n.str == "floor" {
			q.Sub(q, big.NewInt(1))
		}
		if m.Sign() > 0 && n.str == "ceiling" {
			q.Add(q, big.NewInt(1))
		}
		num = numVar{u: q}
	}
	if n.next == nil && found == nil {
		return jpOk, nil
	}
	return c.execNext(n, json.Number(jpText(num)), found)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func (c *jpCtx) execBool(n *jpNode, v any) (jpTri, error) {
	switch n.kind {
	case jpAnd:
		l, err := c.execBool(n.left, v)
		if err != nil || l == jpFalse {
			return jpFalse, err
		}
		r, err := c.execBool(n.right, v)
		if err != nil {
			return jpFalse, err
		}
		if r == jpTrue {
			return l, nil
		}
		return r, nil
	case jpOr:
		l, err := c.execBool(n.left, v)
		if err != nil || l == jpTrue {
			return jpTrue, err
		}
		r, err := c.execBool(n.right, v)
		if err != nil {
			return jpFalse, err
		}
		if r == jpFalse {
			return l, nil
		}
		return r, nil
	case jpNot:
		a, err := c.execBool(n.left, v)
		if err != nil || a == jpUnknown {
			return jpUnknown, err
		}
		if a == jpTrue {
			return jpFalse, nil
		}
		return jpTrue, nil
	case jpIsUnknown:
		a, err := c.execBool(n.left, v)
		if err != nil {
			return jpFalse, err
		}
		if a == jpUnknown {
			return jpTrue, nil
		}
		return jpFalse, nil
	case jpEqual, jpNotEqual, jpLess, jpGreater, jpLessOrEqual, jpGreaterOrEqual:
		return c.predicate(n, v, true, func(l, r any) jpTri { return jpCompare(n.kind, l, r) })
	case jpStartsWith:
		return c.predicate(n, v, false, func(l, r any) jpTri {
			ls, ok1 := l.(string)
			rs, ok2 := r.(string)
			if !ok1 || !ok2 {
				return jpUnknown
			}
			if strings.HasPrefix(ls, rs) {
				return jpTrue
			}
			return jpFalse
		})
	case jpLikeRegex:
		return c.predicate(n, v, false, func(l, _ any) jpTri {
			s, ok := l.(string)
			if !ok {
				return jpUnknown
			}
			if n.re.MatchString(s) {
				return jpTrue
			}
			return jpFalse
		})
	case jpExists:
		if c.lax {
			// lax: the first item found answers (later items' errors
			// are never reached, as in PostgreSQL)
			saved := c.throw
			c.throw = false
			r, err := c.exec(n.left, v, nil)
			c.throw = saved
			switch {
			case err != nil:
				return jpUnknown, err
			case r == jpError:
				return jpUnknown, nil
			case r == jpOk:
				return jpTrue, nil
			}
			return jpFalse, nil
		}
		items, r, err := c.seq(n.left, v, false, true)
		if err != nil {
			return jpUnknown, err
		}
		if r == jpError {
			return jpUnknown, nil
		}
		if len(items) > 0 {
			return jpTrue, nil
		}
		return jpFalse, nil
	}
	return jpUnknown, sqlerr.New(sqlerr.Internal, "invalid boolean jsonpath item")
}

// predicate is executePredicate: true when a pair of the operands'
// items satisfies test (in strict mode only if no pair is an error),
// unknown on an error.
func (c *jpCtx) predicate(n *jpNode, v any, unwrapRight bool, test func(l, r any) jpTri) (jpTri, error) {
	ls, r, err := c.seq(n.left, v, true, true)
	if err != nil {
		return jpUnknown, err
	}
	if r == jpError {
		return jpUnknown, nil
	}
	rs := []any{nil}
	if n.right != nil {
		if rs, r, err = c.seq(n.right, v, unwrapRight, true); err != nil {
			return jpUnknown, err
		}
		if r == jpError {
			return jpUnknown, nil
		}
	}
	errSeen, found := false, false
	for _, l := range ls {
		for _, rv := range rs {
			switch test(l, rv) {
			case jpUnknown:
				if !c.lax {
					return jpUnknown, nil
				}
				errSeen = true
			case jpTrue:
				if c.lax {
					return jpTrue, nil
				}
				found = true
			}
		}
	}
	switch {
	case found:
		return jpTrue, nil
	case errSeen:
		return jpUnknown, nil
	}
	return jpFalse, nil
}

func jpCompare(op jpKind, a, b any) jpTri {
	ta, tb := jpTypeName(a), jpTypeName(b)
	if ta != tb {
		if a == nil || b == nil {
			if op == jpNotEqual {
				return jpTrue
			}
			return jpFalse
		}
		return jpUnknown
	}
	cmp := 0
	switch x := a.(type) {
	case nil:
	case bool:
		y := b.(bool)
		switch {
		case x == y:
		case x:
			cmp = 1
		default:
			cmp = -1
		}
	case json.Number:
		nx, _ := jpNum(string(x))
		ny, _ := jpNum(string(b.(json.Number)))
		cmp = nx.cmp(ny)
	case string:
		y := b.(string)
		if op == jpEqual {
			if x == y {
				return jpTrue
			}
			return jpFalse
		}
		cmp = strings.Compare(x, y)
	default:
		return jpUnknown // arrays and objects are not comparable
	}
	var ok bool
	switch op {
	case jpEqual:
		ok = cmp == 0
	case jpNotEqual:
		ok = cmp != 0
	case jpLess:
		ok = cmp < 0
	case jpGreater:
		ok = cmp > 0
	case jpLessOrEqual:
		ok = cmp <= 0
	case jpGreaterOrEqual:
		ok = cmp >= 0
	}
	if ok {
		return jpTrue
	}
	return jpFalse
}

// ---- the SQL functions ----

// jsonPathRun runs path over the jsonb document doc with vars (a jsonb
// object's text, "" for none); throw is !silent. It returns the items
// found and whether the run ended in a suppressed error.
func jsonPathRun(doc, path, vars string, throw bool, exists bool) ([]any, bool, error) {
	jp, err := parseJSONPath(path)
	if err != nil {
		return nil, false, err
	}
	root, err := decodeJSON(doc)
	if err != nil {
		return nil, false, err
	}
	c := &jpCtx{lax: jp.lax, ignoreStructural: jp.lax, throw: throw, root: root, current: root, innermostArraySize: -1}
	if vars != "" {
		vv, err := decodeJSON(vars)
		if err != nil {
			return nil, false, err
		}
		obj, ok := vv.(map[string]any)
		if !ok {
			return nil, false, sqlerr.New(sqlerr.InvalidParameterValue, "\"vars\" argument is not an object").
				WithDetail("Jsonpath parameters should be encoded as key-value pairs of \"vars\" object.")
		}
		c.vars = obj
	}
	var items []any
	var res jpRes
	if exists && c.lax {
		res, err = c.exec(jp.expr, root, nil)
		if res == jpOk {
			items = []any{true}
		}
	} else {
		res, err = c.exec(jp.expr, root, &items)
	}
	if err != nil {
		return nil, false, err
	}
	return items, res == jpError, nil
}

func jpItemText(v any) (string, error) {
	return encodeJSONB(v)
}

// JSONPathQuery is jsonb_path_query's rows.
func JSONPathQuery(doc, path, vars string, silent bool) ([]string, error) {
	items, _, err := jsonPathRun(doc, path, vars, !silent, false)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, it := range items {
		if out[i], err = jpItemText(it); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func jsonPathExists(doc, path, vars string, silent bool) (any, error) {
	items, failed, err := jsonPathRun(doc, path, vars, !silent, true)
	if err != nil {
		return nil, err
	}
	if failed {
		return nil, nil
	}
	return len(items) > 0, nil
}

func jsonPathMatch(doc, path, vars string, silent bool) (any, error) {
	items, _, err := jsonPathRun(doc, path, vars, !silent, false)
	if err != nil {
		return nil, err
	}
	if len(items) == 1 {
		switch x := items[0].(type) {
		case bool:
			return x, nil
		case nil:
			return nil, nil
		}
	}
	if !silent {
		return nil, sqlerr.New("22038", "single boolean result is expected")
	}
	return nil, nil
}

func jsonPathQueryArray(doc, path, vars string, silent bool) (any, error) {
	items, _, err := jsonPathRun(doc, path, vars, !silent, false)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []any{}
	}
	return jpItemText(items)
}

func jsonPathQueryFirst(doc, path, vars string, silent bool) (any, error) {
	items, _, err := jsonPathRun(doc, path, vars, !silent, false)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	return jpItemText(items[0])
}

// jsonPathScalars are the jsonpath functions and operators returning
// one value: jsonb_path_exists, _match, _query_array, _query_first (and
// their _tz forms, the same here: lakeq has no .datetime()), @? and @@.
func jsonPathScalars() []*Scalar {
	aJB := ex(types.JSONBT)
	params := []Param{{Name: "target"}, {Name: "path"}, {"vars", types.JSONBT, "{}"}, {"silent", types.BoolT, false}}
	mk := func(ret types.T, f func(doc, path, vars string, silent bool) (any, error)) []Overload {
		var out []Overload
		args := []Arg{aJB, aText, aJB, aBool}
		for n := 2; n <= 4; n++ {
			out = append(out, row(args[:n], ret, func(_ *Ctx, a []types.Value) (types.Value, error) {
				vars, silent := "", false
				if len(a) > 2 {
					vars = a[2].(string)
				}
				if len(a) > 3 {
					silent = a[3].(bool)
				}
				return f(a[0].(string), a[1].(string), vars, silent)
			}))
		}
		return out
	}
	var out []*Scalar
	for _, tz := range []string{"", "_tz"} {
		out = append(out,
			&Scalar{Name: "jsonb_path_exists" + tz, Description: "whether a jsonpath returns any item for the document", Params: params, Overloads: mk(types.BoolT, jsonPathExists)},
			&Scalar{Name: "jsonb_path_match" + tz, Description: "the result of a jsonpath predicate over the document", Params: params, Overloads: mk(types.BoolT, jsonPathMatch)},
			&Scalar{Name: "jsonb_path_query_array" + tz, Description: "the items a jsonpath returns, as a jsonb array", Params: params, Overloads: mk(types.JSONBT, jsonPathQueryArray)},
			&Scalar{Name: "jsonb_path_query_first" + tz, Description: "the first item a jsonpath returns", Params: params, Overloads: mk(types.JSONBT, jsonPathQueryFirst)},
		)
	}
	op := func(f func(doc, path, vars string, silent bool) (any, error)) []Overload {
		return []Overload{row([]Arg{aJB, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return f(a[0].(string), a[1].(string), "", true)
		})}
	}
	return append(out, &Scalar{Name: "@?", Overloads: op(jsonPathExists)}, &Scalar{Name: "@@", Overloads: op(jsonPathMatch)})
}
