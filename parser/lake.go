package parser

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// The lake front: a small recursive-descent parser for the Athena/Hive
// statements PostgreSQL's grammar lacks (CREATE EXTERNAL TABLE, MSCK,
// SHOW TABLES, DESCRIBE, ALTER TABLE … PARTITION, ANALYZE … COMPUTE
// STATISTICS). Everything else still goes to pg_query.

// piece is one statement's text and its byte offset in the whole input.
type piece struct {
	text string
	off  int
}

// splitStatements cuts sql at top-level semicolons, honouring quotes,
// dollar quotes and comments.
func splitStatements(sql string) []piece {
	var out []piece
	start := 0
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := i + 1
			for j < len(sql) {
				if sql[j] == '\\' && c == '\'' && j+1 < len(sql) {
					j += 2
					continue
				}
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				i = len(sql)
			} else {
				i += j + 4
			}
		case c == '$':
			j := i + 1
			for j < len(sql) && (isIdentChar(sql[j]) && sql[j] != '$') {
				j++
			}
			if j < len(sql) && sql[j] == '$' && (j == i+1 || !(sql[i+1] >= '0' && sql[i+1] <= '9')) {
				tag := sql[i : j+1]
				k := strings.Index(sql[j+1:], tag)
				if k < 0 {
					i = len(sql)
				} else {
					i = j + 1 + k + len(tag)
				}
			} else {
				i++
			}
		case c == ';':
			out = append(out, piece{sql[start:i], start})
			i++
			start = i
		default:
			i++
		}
	}
	out = append(out, piece{sql[start:], start})
	return out
}

// leadingWords returns the first n words of a statement in upper case,
// skipping whitespace and comments.
func leadingWords(s string, n int) []string {
	lx := &lexer{src: s}
	var out []string
	for len(out) < n {
		t := lx.next()
		if t.kind != tIdent {
			break
		}
		out = append(out, strings.ToUpper(t.text))
	}
	return out
}

// isLakeStatement reports whether a statement belongs to the lake front.
func isLakeStatement(s string) bool {
	w := leadingWords(s, 3)
	if len(w) == 0 {
		return false
	}
	at := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch w[0] {
	case "MSCK", "DESCRIBE", "DESC", "ANALYZE", "CALL", "UNLOAD":
		return true
	case "COPY":
		return isRedshiftCopy(s)
	case "INSERT":
		return at(1) == "OVERWRITE" || at(1) == "INTO" && at(2) == "TABLE"
	case "CREATE":
		return at(1) == "EXTERNAL" || at(1) == "DATABASE"
	case "DROP":
		return at(1) == "DATABASE"
	case "ALTER":
		return at(1) == "TABLE" && !pgColumnAlter(s)
	case "SHOW":
		switch at(1) {
		case "DATABASES", "SCHEMAS", "TABLES", "VIEWS", "PARTITIONS", "COLUMNS", "TBLPROPERTIES":
			return true
		case "CREATE":
			return at(2) == "TABLE" || at(2) == "VIEW"
		}
	}
	return false
}

// ---- lexer ----

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuoted // "x" or `x`: an identifier kept as written
	tString
	tNumber
	tPunct
)

type token struct {
	kind tokKind
	text string // identifiers as written; strings unescaped
	pos  int    // byte offset in the statement
}

type lexer struct {
	src string
	pos int
	err error
}

func (l *lexer) fail(pos int, format string, args ...any) {
	if l.err == nil {
		e := sqlerr.New(sqlerr.SyntaxError, format, args...)
		e.Position = pos
		l.err = e
	}
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.pos++
		case c == '-' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '-':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == '/' && l.pos+1 < len(l.src) && l.src[l.pos+1] == '*':
			j := strings.Index(l.src[l.pos+2:], "*/")
			if j < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += j + 4
			}
		default:
			return
		}
	}
}

func (l *lexer) next() token {
	l.skipSpace()
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: l.pos}
	}
	start := l.pos
	c := l.src[l.pos]
	switch {
	case isIdentStart(c) || c >= 0x80:
		for l.pos < len(l.src) && (isIdentChar(l.src[l.pos]) || l.src[l.pos] >= 0x80) {
			l.pos++
		}
		return token{kind: tIdent, text: l.src[start:l.pos], pos: start}
	case c >= '0' && c <= '9' || (c == '-' && l.pos+1 < len(l.src) && l.src[l.pos+1] >= '0' && l.src[l.pos+1] <= '9'):
		l.pos++
		for l.pos < len(l.src) && (l.src[l.pos] >= '0' && l.src[l.pos] <= '9' || l.src[l.pos] == '.') {
			l.pos++
		}
		return token{kind: tNumber, text: l.src[start:l.pos], pos: start}
	case c == '"' || c == '`':
		var b strings.Builder
		l.pos++
		for {
			if l.pos >= len(l.src) {
				l.fail(start+1, "unterminated quoted identifier")
				return token{kind: tEOF, pos: start}
			}
			if l.src[l.pos] == c {
				if l.pos+1 < len(l.src) && l.src[l.pos+1] == c {
					b.WriteByte(c)
					l.pos += 2
					continue
				}
				l.pos++
				return token{kind: tQuoted, text: b.String(), pos: start}
			}
			b.WriteByte(l.src[l.pos])
			l.pos++
		}
	case c == '\'':
		s, ok := l.stringLit()
		if !ok {
			l.fail(start+1, "unterminated quoted string")
			return token{kind: tEOF, pos: start}
		}
		return token{kind: tString, text: s, pos: start}
	}
	l.pos++
	return token{kind: tPunct, text: string(c), pos: start}
}

// stringLit reads a '…' literal with Hive's backslash escapes (\t, \n,
// \001 octal, \u0001, \\ and \') as well as SQL's doubled quote, so that
// FIELDS TERMINATED BY '\t' or '\001' mean what Athena users mean.
func (l *lexer) stringLit() (string, bool) {
	var b strings.Builder
	l.pos++
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '\'':
			if l.pos+1 < len(l.src) && l.src[l.pos+1] == '\'' {
				b.WriteByte('\'')
				l.pos += 2
				continue
			}
			l.pos++
			return b.String(), true
		case c == '\\' && l.pos+1 < len(l.src):
			d := l.src[l.pos+1]
			l.pos += 2
			switch d {
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '0', '1', '2', '3':
				// \001-style octal (Hive's default field delimiter is \001)
				j := l.pos - 1
				k := j
				for k < len(l.src) && k < j+3 && l.src[k] >= '0' && l.src[k] <= '7' {
					k++
				}
				v, _ := strconv.ParseUint(l.src[j:k], 8, 8)
				b.WriteByte(byte(v))
				l.pos = k
			case 'u':
				if l.pos+4 <= len(l.src) {
					if v, err := strconv.ParseUint(l.src[l.pos:l.pos+4], 16, 32); err == nil {
						b.WriteRune(rune(v))
						l.pos += 4
						continue
					}
				}
				b.WriteByte('u')
			case '\\', '\'', '"':
				b.WriteByte(d)
			default:
				// Unknown escapes stay as written: '\N' is Hive's NULL token.
				b.WriteByte('\\')
				b.WriteByte(d)
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return "", false
}

// ---- parser ----

type lakeParser struct {
	lx   *lexer
	tok  token
	peek *token
	sql  string
}

func (p *lakeParser) advance() {
	if p.peek != nil {
		p.tok, p.peek = *p.peek, nil
		return
	}
	p.tok = p.lx.next()
}

func (p *lakeParser) lookahead() token {
	if p.peek == nil {
		t := p.lx.next()
		p.peek = &t
	}
	return *p.peek
}

func (p *lakeParser) failf(format string, args ...any) {
	p.lx.fail(byteToCharPos(p.sql, p.tok.pos)+1, format, args...)
}

// unsupported fails with 0A000 naming what lakeq does not implement.
func (p *lakeParser) unsupported(what string) {
	if p.lx.err == nil {
		e := sqlerr.New(sqlerr.FeatureNotSupported, "%s is not supported", what)
		e.Position = byteToCharPos(p.sql, p.tok.pos) + 1
		p.lx.err = e
	}
}

func (p *lakeParser) near() string {
	if p.tok.kind == tEOF {
		return "syntax error at end of input"
	}
	t := p.tok.text
	if p.tok.kind == tString {
		t = "'" + t + "'"
	}
	return "syntax error at or near \"" + t + "\""
}

// is reports whether the current token is the keyword kw.
func (p *lakeParser) is(kw string) bool {
	return p.tok.kind == tIdent && strings.EqualFold(p.tok.text, kw)
}

func (p *lakeParser) accept(kws ...string) bool {
	if !p.is(kws[0]) {
		return false
	}
	if len(kws) > 1 {
		la := p.lookahead()
		if !(la.kind == tIdent && strings.EqualFold(la.text, kws[1])) {
			return false
		}
		p.advance()
	}
	p.advance()
	if len(kws) > 2 {
		p.expect(kws[2:]...)
	}
	return true
}

func (p *lakeParser) expect(kws ...string) {
	for _, k := range kws {
		if p.lx.err != nil {
			return
		}
		if !p.is(k) {
			p.failf("%s", p.near())
			return
		}
		p.advance()
	}
}

func (p *lakeParser) punct(c string) bool {
	if p.tok.kind == tPunct && p.tok.text == c {
		p.advance()
		return true
	}
	return false
}

func (p *lakeParser) expectPunct(c string) {
	if !p.punct(c) && p.lx.err == nil {
		p.failf("%s", p.near())
	}
}

// ident reads an identifier: bare ones fold to lower case as PostgreSQL
// does, quoted ones keep their case.
func (p *lakeParser) ident() string {
	switch p.tok.kind {
	case tIdent:
		s := strings.ToLower(p.tok.text)
		p.advance()
		return s
	case tQuoted:
		s := p.tok.text
		p.advance()
		return s
	}
	if p.lx.err == nil {
		p.failf("%s", p.near())
	}
	return ""
}

func (p *lakeParser) qualified() ast.QualifiedName {
	loc := p.tok.pos
	a := p.ident()
	if p.punct(".") {
		b := p.ident()
		return ast.QualifiedName{Schema: a, Name: b, Pos: loc}
	}
	return ast.QualifiedName{Name: a, Pos: loc}
}

func (p *lakeParser) str() string {
	if p.tok.kind != tString {
		if p.lx.err == nil {
			p.failf("%s: expected a quoted string", p.near())
		}
		return ""
	}
	s := p.tok.text
	p.advance()
	return s
}

// createExternalSchema reads Redshift's federated mount after CREATE
// EXTERNAL SCHEMA. Its other sources (DATA CATALOG, HIVE METASTORE,
// REDSHIFT, KINESIS, MSK) and AWS credentials (IAM_ROLE, SECRET_ARN) are
// not lakeq's: 0A000 naming them.
func (p *lakeParser) createExternalSchema() ast.Stmt {
	x := &ast.CreateExternalSchema{}
	x.IfNotExists = p.accept("IF", "NOT", "EXISTS")
	x.Name = p.ident()
	p.expect("FROM")
	switch {
	case p.accept("POSTGRES"), p.accept("POSTGRESQL"):
		x.Source = "postgres"
	case p.accept("MYSQL"):
		x.Source = "mysql"
	case p.tok.kind == tIdent:
		src := strings.ToUpper(p.tok.text)
		if src == "DATA" || src == "HIVE" {
			src += " " + strings.ToUpper(p.lookahead().text)
		}
		p.unsupported(fmt.Sprintf("CREATE EXTERNAL SCHEMA … FROM %s (lakeq mounts POSTGRES and MYSQL; the lake's own tables are in its catalog)", src))
		return nil
	default:
		p.failf("%s: expected POSTGRES or MYSQL", p.near())
		return nil
	}
	seen := map[string]bool{}
	for p.lx.err == nil && p.tok.kind != tEOF {
		kw := strings.ToUpper(p.tok.text)
		if p.tok.kind != tIdent {
			// never echo a string here: it may be a password
			p.failf("syntax error: expected DATABASE, SCHEMA, URI, PORT, USER or PASSWORD")
			return nil
		}
		if seen[kw] {
			p.failf("%s is given twice", kw)
			return nil
		}
		seen[kw] = true
		p.advance()
		switch kw {
		case "DATABASE":
			x.Database = p.str()
		case "SCHEMA":
			if x.Source != "postgres" {
				p.failf("SCHEMA is an option of FROM POSTGRES only")
				return nil
			}
			x.Schema = p.str()
		case "URI":
			x.Host = p.str()
		case "PORT":
			if p.tok.kind != tNumber {
				p.failf("%s: expected a port number", p.near())
				return nil
			}
			n, err := strconv.Atoi(p.tok.text)
			if err != nil || n < 1 || n > 65535 {
				p.failf("invalid port %s", p.tok.text)
				return nil
			}
			x.Port = n
			p.advance()
		case "USER":
			x.User = p.str()
		case "PASSWORD":
			x.Password = p.str()
		case "IAM_ROLE", "SECRET_ARN":
			p.unsupported(kw + " (AWS credentials are not reachable here: give USER and PASSWORD)")
			return nil
		default:
			p.failf("syntax error at or near \"%s\"", strings.ToLower(kw))
			return nil
		}
	}
	for _, need := range []string{"DATABASE", "URI", "USER", "PASSWORD"} {
		if p.lx.err == nil && !seen[need] {
			p.failf("CREATE EXTERNAL SCHEMA … FROM %s needs %s", strings.ToUpper(x.Source), need)
		}
	}
	return x
}

// props reads ('k' = 'v', …).
func (p *lakeParser) props() map[string]string {
	m := map[string]string{}
	p.expectPunct("(")
	for p.lx.err == nil {
		k := p.str()
		p.expectPunct("=")
		m[k] = p.str()
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	return m
}

// typeText reads a column type up to the next top-level ',' or ')' or
// COMMENT, keeping its text (array<struct<a:int>>, decimal(10,2),
// double precision, varchar(20)[] …).
func (p *lakeParser) typeText() string {
	var b strings.Builder
	depth := 0
	for p.lx.err == nil {
		t := p.tok
		if t.kind == tEOF {
			break
		}
		if depth == 0 && (t.kind == tPunct && (t.text == "," || t.text == ")") || t.kind == tIdent && strings.EqualFold(t.text, "COMMENT")) {
			break
		}
		if t.kind == tPunct {
			switch t.text {
			case "(", "<":
				depth++
			case ")", ">":
				depth--
			}
		}
		if b.Len() > 0 && t.kind == tIdent && !strings.HasSuffix(b.String(), "<") && !strings.HasSuffix(b.String(), "(") && !strings.HasSuffix(b.String(), ":") && !strings.HasSuffix(b.String(), ",") {
			b.WriteByte(' ')
		}
		switch t.kind {
		case tQuoted:
			b.WriteString(t.text)
		default:
			b.WriteString(strings.ToLower(t.text))
		}
		p.advance()
	}
	if b.Len() == 0 && p.lx.err == nil {
		p.failf("%s: expected a type", p.near())
	}
	return b.String()
}

// columns reads (name type [COMMENT '…'], …).
func (p *lakeParser) columns() []ast.LakeColumn {
	var cols []ast.LakeColumn
	p.expectPunct("(")
	for p.lx.err == nil {
		c := ast.LakeColumn{Name: p.ident()}
		// a bare name (Spectrum's PARTITIONED BY (c, …) of CREATE
		// EXTERNAL TABLE … AS) has no type; the caller decides
		if !(p.tok.kind == tPunct && (p.tok.text == "," || p.tok.text == ")")) {
			c.Type = p.typeText()
		}
		if p.accept("COMMENT") {
			c.Comment = p.str()
		}
		cols = append(cols, c)
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	return cols
}

// partitionSpec reads PARTITION (k = v, …) [LOCATION '…'].
func (p *lakeParser) partitionSpec(withLocation bool) ast.PartitionSpec {
	var ps ast.PartitionSpec
	p.expect("PARTITION")
	p.expectPunct("(")
	for p.lx.err == nil {
		ps.Keys = append(ps.Keys, p.ident())
		p.expectPunct("=")
		switch p.tok.kind {
		case tString, tNumber:
			ps.Values = append(ps.Values, p.tok.text)
			p.advance()
		default:
			p.failf("%s: expected a partition value", p.near())
		}
		if !p.punct(",") {
			break
		}
	}
	p.expectPunct(")")
	if withLocation && p.accept("LOCATION") {
		ps.Location = p.str()
	}
	return ps
}

func (p *lakeParser) nameList() []string {
	var out []string
	for p.lx.err == nil {
		out = append(out, p.ident())
		if !p.punct(",") {
			break
		}
	}
	return out
}

// parseLake parses one lake statement.
func parseLake(sql string) (ast.Stmt, error) {
	p := &lakeParser{lx: &lexer{src: sql}, sql: sql}
	p.advance()
	st := p.statement()
	if p.lx.err == nil && p.tok.kind != tEOF {
		p.failf("%s", p.near())
	}
	if p.lx.err != nil {
		return nil, p.lx.err
	}
	return st, nil
}

func (p *lakeParser) statement() ast.Stmt {
	switch {
	case p.accept("CREATE", "EXTERNAL"):
		return p.createExternal()
	case p.accept("CREATE", "DATABASE"), p.accept("CREATE", "SCHEMA"):
		return p.createDatabase()
	case p.accept("DROP", "DATABASE"), p.accept("DROP", "SCHEMA"):
		x := &ast.DropDatabase{}
		x.IfExists = p.accept("IF", "EXISTS")
		x.Name = p.ident()
		if p.accept("CASCADE") {
			x.Cascade = true
		} else {
			p.accept("RESTRICT")
		}
		return x
	case p.accept("UNLOAD"):
		return p.unload()
	case p.accept("COPY"):
		return p.redshiftCopy()
	case p.accept("INSERT"):
		return p.hiveInsert()
	case p.accept("MSCK"):
		p.expect("REPAIR")
		p.accept("TABLE")
		return &ast.MsckRepair{Table: p.qualified()}
	case p.accept("SHOW"):
		return p.show()
	case p.accept("DESCRIBE"), p.accept("DESC"):
		x := &ast.Describe{}
		if p.accept("FORMATTED") || p.accept("EXTENDED") {
			x.Formatted = true
		}
		p.accept("TABLE")
		x.Table = p.qualified()
		if p.is("PARTITION") {
			ps := p.partitionSpec(false)
			x.Partition = &ps
		}
		return x
	case p.accept("ALTER"):
		p.expect("TABLE")
		return p.alterTable()
	case p.accept("ANALYZE"):
		p.accept("VERBOSE")
		p.accept("TABLE")
		if p.tok.kind == tEOF {
			return &ast.Analyze{} // every table on the search path
		}
		x := &ast.Analyze{Table: p.qualified()}
		if p.punct("(") {
			x.Columns = p.nameList()
			p.expectPunct(")")
			return x
		}
		if p.is("PARTITION") {
			ps := p.partitionSpec(false)
			x.Partition = &ps
		}
		if p.accept("COMPUTE") {
			p.expect("STATISTICS")
			if p.accept("FOR") {
				if p.accept("ALL") {
					p.expect("COLUMNS")
				} else {
					p.expect("COLUMNS")
					x.Columns = p.nameList()
				}
			} else {
				x.NoScan = p.accept("NOSCAN")
			}
		}
		return x
	case p.accept("CALL"):
		start := p.tok.pos
		e, err := ParseExpr(p.sql[start:])
		if err != nil {
			if se, ok := err.(*sqlerr.Error); ok && se.Position > 0 {
				// ParseExpr's position counts "SELECT "; map it back.
				se.Position = se.Position - len("SELECT ") + byteToCharPos(p.sql, start)
			}
			p.lx.err = err
			return nil
		}
		f, ok := e.(*ast.FuncCall)
		if !ok {
			p.failf("CALL needs a procedure call")
			return nil
		}
		p.tok = token{kind: tEOF, pos: len(p.sql)}
		p.peek = nil
		return &ast.Call{Func: f}
	}
	p.failf("%s", p.near())
	return nil
}

func (p *lakeParser) createDatabase() ast.Stmt {
	x := &ast.CreateDatabase{}
	x.IfNotExists = p.accept("IF", "NOT", "EXISTS")
	x.Name = p.ident()
	for p.lx.err == nil && p.tok.kind != tEOF {
		switch {
		case p.accept("COMMENT"):
			x.Comment = p.str()
		case p.accept("LOCATION"):
			x.Location = p.str()
		case p.accept("WITH", "DBPROPERTIES"):
			x.Props = p.props()
		default:
			p.failf("%s", p.near())
		}
	}
	return x
}

func (p *lakeParser) createExternal() ast.Stmt {
	if p.accept("SCHEMA") {
		return p.createExternalSchema()
	}
	x := &ast.CreateExternalTable{SerDeProps: map[string]string{}, TblProps: map[string]string{}}
	p.expect("TABLE")
	x.IfNotExists = p.accept("IF", "NOT", "EXISTS")
	x.Name = p.qualified()
	if p.tok.kind == tPunct && p.tok.text == "(" {
		x.Columns = p.columns()
	}
	for p.lx.err == nil && p.tok.kind != tEOF {
		switch {
		case p.accept("COMMENT"):
			x.Comment = p.str()
		case p.accept("PARTITIONED"):
			p.expect("BY")
			x.PartitionedBy = p.columns()
		case p.accept("CLUSTERED"):
			p.expect("BY")
			p.expectPunct("(")
			x.ClusteredBy = p.nameList()
			p.expectPunct(")")
			if p.accept("SORTED") {
				p.failf("CLUSTERED BY … SORTED BY is not supported")
				return nil
			}
			p.expect("INTO")
			if p.tok.kind != tNumber {
				p.failf("%s: expected the number of buckets", p.near())
				return nil
			}
			n, err := strconv.Atoi(p.tok.text)
			if err != nil || n < 1 {
				p.failf("%s: the number of buckets must be a positive integer", p.near())
				return nil
			}
			x.Buckets = n
			p.advance()
			p.expect("BUCKETS")
		case p.accept("ROW"):
			p.expect("FORMAT")
			switch {
			case p.accept("DELIMITED"):
				x.RowFormat = "DELIMITED"
				p.delimited(x.SerDeProps)
			case p.accept("SERDE"):
				x.RowFormat = "SERDE"
				x.SerDe = p.str()
				if p.accept("WITH", "SERDEPROPERTIES") {
					for k, v := range p.props() {
						x.SerDeProps[k] = v
					}
				}
			default:
				p.failf("%s: expected DELIMITED or SERDE", p.near())
			}
		case p.accept("WITH", "SERDEPROPERTIES"):
			for k, v := range p.props() {
				x.SerDeProps[k] = v
			}
		case p.accept("STORED"):
			p.expect("AS")
			if p.accept("INPUTFORMAT") {
				x.InputFormat = p.str()
				p.expect("OUTPUTFORMAT")
				x.OutputFormat = p.str()
			} else {
				x.StoredAs = strings.ToUpper(p.ident())
			}
		case p.accept("LOCATION"):
			x.Location = p.str()
		case p.accept("TBLPROPERTIES"), p.accept("TABLE", "PROPERTIES"):
			for k, v := range p.props() {
				x.TblProps[k] = v
			}
		case p.is("AS"):
			// Spectrum's CREATE EXTERNAL TABLE … AS query: the rest
			p.advance()
			x.QuerySQL = strings.TrimSpace(p.sql[p.tok.pos:])
			x.Query = p.restQuery("CREATE EXTERNAL TABLE … AS")
			return x
		default:
			p.failf("%s", p.near())
		}
	}
	return x
}

// hiveInsert reads Hive's INSERT OVERWRITE [TABLE] t | INSERT INTO TABLE
// t, then [PARTITION (k = 'v' | k, …)] [(columns)] query.
func (p *lakeParser) hiveInsert() ast.Stmt {
	x := &ast.Insert{}
	if x.Overwrite = p.accept("OVERWRITE"); !x.Overwrite {
		p.expect("INTO")
	}
	p.accept("TABLE")
	x.Table = p.qualified()
	if p.accept("PARTITION") {
		p.expectPunct("(")
		for p.lx.err == nil {
			k := ast.PartitionKey{Name: p.ident()}
			if p.punct("=") {
				switch p.tok.kind {
				case tString, tNumber:
					k.Value = p.tok.text
					p.advance()
				default:
					p.failf("%s: expected a partition value (a string or a number)", p.near())
					return nil
				}
			} else {
				k.Dynamic = true
			}
			x.Partition = append(x.Partition, k)
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	if p.tok.kind == tPunct && p.tok.text == "(" {
		if la := p.lookahead(); la.kind == tIdent && !strings.EqualFold(la.text, "SELECT") && !strings.EqualFold(la.text, "VALUES") && !strings.EqualFold(la.text, "WITH") && !strings.EqualFold(la.text, "TABLE") {
			p.advance()
			x.Columns = p.nameList()
			p.expectPunct(")")
		}
	}
	x.Query = p.restQuery("INSERT")
	return x
}

// restQuery parses the statement's text from the current token to its
// end as one SELECT (PostgreSQL's grammar).
func (p *lakeParser) restQuery(what string) *ast.Select {
	if p.lx.err != nil {
		return nil
	}
	start := p.tok.pos
	ss, err := parsePG(p.sql[start:])
	if err != nil {
		if e, ok := err.(*sqlerr.Error); ok && e.Position > 0 {
			e.Position += byteToCharPos(p.sql, start)
		}
		p.lx.err = err
		return nil
	}
	p.tok = token{kind: tEOF, pos: len(p.sql)}
	p.peek = nil
	if len(ss) != 1 {
		p.failf("%s takes one query", what)
		return nil
	}
	sel, ok := ss[0].AST.(*ast.Select)
	if !ok {
		p.failf("%s takes a SELECT query", what)
		return nil
	}
	return sel
}

// delimited reads ROW FORMAT DELIMITED's clauses into SerDe parameters.
func (p *lakeParser) delimited(m map[string]string) {
	for p.lx.err == nil {
		switch {
		case p.accept("FIELDS"):
			p.expect("TERMINATED", "BY")
			m["field.delim"] = p.str()
			if p.accept("ESCAPED") {
				p.expect("BY")
				m["escape.delim"] = p.str()
			}
		case p.accept("ESCAPED"):
			p.expect("BY")
			m["escape.delim"] = p.str()
		case p.accept("COLLECTION"):
			p.expect("ITEMS", "TERMINATED", "BY")
			m["collection.delim"] = p.str()
		case p.accept("MAP"):
			p.expect("KEYS", "TERMINATED", "BY")
			m["mapkey.delim"] = p.str()
		case p.accept("LINES"):
			p.expect("TERMINATED", "BY")
			m["line.delim"] = p.str()
		case p.accept("NULL"):
			p.expect("DEFINED", "AS")
			m["serialization.null.format"] = p.str()
		default:
			return
		}
	}
}

func (p *lakeParser) show() ast.Stmt {
	x := &ast.ShowLake{}
	switch {
	case p.accept("DATABASES"), p.accept("SCHEMAS"):
		x.What = "databases"
	case p.accept("TABLES"):
		x.What = "tables"
		if p.accept("IN") || p.accept("FROM") {
			x.In = p.ident()
		}
	case p.accept("VIEWS"):
		x.What = "views"
		if p.accept("IN") || p.accept("FROM") {
			x.In = p.ident()
		}
	case p.accept("PARTITIONS"):
		x.What = "partitions"
		x.Table = p.qualified()
		return x
	case p.accept("COLUMNS"):
		x.What = "columns"
		if !p.accept("IN") {
			p.expect("FROM")
		}
		x.Table = p.qualified()
		if p.accept("IN") || p.accept("FROM") {
			x.Table.Schema = p.ident()
		}
		return x
	case p.accept("TBLPROPERTIES"):
		x.What = "tblproperties"
		x.Table = p.qualified()
		return x
	case p.accept("CREATE"):
		if p.accept("VIEW") {
			x.What = "create view"
		} else {
			p.expect("TABLE")
			x.What = "create table"
		}
		x.Table = p.qualified()
		return x
	default:
		p.failf("%s", p.near())
		return nil
	}
	if p.accept("LIKE") {
		x.Like = p.str()
	} else if p.tok.kind == tString {
		x.Like = p.str()
	}
	return x
}

func (p *lakeParser) alterTable() ast.Stmt {
	x := &ast.AlterTableLake{Table: p.qualified()}
	switch {
	case p.accept("ADD"):
		switch {
		case p.accept("COLUMNS"), p.accept("COLUMN"):
			x.Action = "add columns"
			if p.tok.kind == tPunct && p.tok.text == "(" {
				x.Columns = p.columns()
			} else {
				c := ast.LakeColumn{Name: p.ident()}
				c.Type = p.typeText()
				if p.accept("COMMENT") {
					c.Comment = p.str()
				}
				x.Columns = []ast.LakeColumn{c}
			}
		case p.is("CONSTRAINT"), p.is("PRIMARY"), p.is("UNIQUE"), p.is("CHECK"), p.is("FOREIGN"), p.is("EXCLUDE"):
			p.unsupported("ALTER TABLE … ADD CONSTRAINT")
			return nil
		default:
			x.Action = "add partition"
			x.IfNotExists = p.accept("IF", "NOT", "EXISTS")
			for p.lx.err == nil && p.is("PARTITION") {
				x.Partitions = append(x.Partitions, p.partitionSpec(true))
			}
			if len(x.Partitions) == 0 {
				p.failf("%s: expected PARTITION", p.near())
			}
		}
	case p.accept("DROP"):
		x.Action = "drop partition"
		x.IfExists = p.accept("IF", "EXISTS")
		if !p.is("PARTITION") {
			// PostgreSQL's DROP [COLUMN] name, DROP CONSTRAINT …
			what := "COLUMN"
			if p.is("CONSTRAINT") {
				what = "CONSTRAINT"
			}
			p.unsupported("ALTER TABLE … DROP " + what)
			return nil
		}
		for p.lx.err == nil && p.is("PARTITION") {
			x.Partitions = append(x.Partitions, p.partitionSpec(false))
			if !p.punct(",") {
				break
			}
		}
		if len(x.Partitions) == 0 {
			p.failf("%s: expected PARTITION", p.near())
		}
	case p.accept("REPLACE"):
		p.expect("COLUMNS")
		x.Action = "replace columns"
		x.Columns = p.columns()
	case p.accept("RENAME"):
		if !p.is("TO") {
			// RENAME [COLUMN] a TO b, RENAME CONSTRAINT …
			what := "COLUMN"
			if p.is("CONSTRAINT") {
				what = "CONSTRAINT"
			}
			p.unsupported("ALTER TABLE … RENAME " + what)
			return nil
		}
		p.expect("TO")
		x.Action = "rename"
		x.NewName = p.qualified()
	case p.accept("SET"):
		switch {
		case p.accept("TBLPROPERTIES"):
			x.Action = "set tblproperties"
			x.Props = p.props()
		case p.accept("SERDEPROPERTIES"):
			x.Action = "set serdeproperties"
			x.Props = p.props()
		case p.accept("LOCATION"):
			x.Action = "set location"
			x.Location = p.str()
		default:
			p.failf("%s", p.near())
		}
	case p.accept("UNSET"):
		p.expect("TBLPROPERTIES")
		x.Action = "unset tblproperties"
		p.accept("IF", "EXISTS")
		p.expectPunct("(")
		for p.lx.err == nil {
			x.PropKeys = append(x.PropKeys, p.str())
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	case p.is("ALTER"), p.is("OWNER"), p.is("CLUSTER"), p.is("INHERIT"), p.is("NO"), p.is("ENABLE"), p.is("DISABLE"), p.is("VALIDATE"), p.is("ATTACH"), p.is("DETACH"), p.is("REPLICA"), p.is("FORCE"), p.is("OF"), p.is("NOT"):
		// PostgreSQL's other ALTER TABLE actions
		p.unsupported("ALTER TABLE … " + strings.ToUpper(p.tok.text))
		return nil
	default:
		p.failf("%s", p.near())
	}
	return x
}

// unload reads UNLOAD (query) TO 'location' [WITH (name = value, …)],
// Athena's form; the query is PostgreSQL grammar, parsed by pg_query.
func (p *lakeParser) unload() ast.Stmt {
	if p.tok.kind != tPunct || p.tok.text != "(" {
		p.failf("%s: expected ( after UNLOAD", p.near())
		return nil
	}
	if p.lookahead().kind == tString {
		return p.redshiftUnload()
	}
	start := p.tok.pos
	end := matchParen(p.sql, start)
	if end < 0 {
		p.failf("unterminated ( after UNLOAD")
		return nil
	}
	x := &ast.Unload{QuerySQL: strings.TrimSpace(p.sql[start+1 : end])}
	p.lx.pos, p.peek = end+1, nil
	p.advance()
	p.expect("TO")
	x.To = p.str()
	if p.accept("WITH") {
		p.expectPunct("(")
		for p.lx.err == nil {
			name := strings.ToLower(p.ident())
			p.expectPunct("=")
			var val string
			switch {
			case p.accept("ARRAY"):
				p.expectPunct("[")
				var items []string
				for p.lx.err == nil && !p.punct("]") {
					items = append(items, p.str())
					p.punct(",")
				}
				val = strings.Join(items, ",")
			case p.tok.kind == tString || p.tok.kind == tNumber:
				val = p.tok.text
				p.advance()
			default:
				val = p.ident()
			}
			x.Options = append(x.Options, ast.Option{Name: name, Value: val})
			if !p.punct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	if p.lx.err != nil {
		return nil
	}
	ss, err := parsePG(x.QuerySQL)
	if err != nil {
		if e, ok := err.(*sqlerr.Error); ok && e.Position > 0 {
			e.Position += byteToCharPos(p.sql, start+1)
		}
		p.lx.err = err
		return nil
	}
	if len(ss) != 1 {
		p.failf("UNLOAD takes one query")
		return nil
	}
	sel, ok := ss[0].AST.(*ast.Select)
	if !ok {
		p.failf("UNLOAD takes a SELECT query")
		return nil
	}
	x.Query = sel
	return x
}

// matchParen returns the offset of the ')' closing the '(' at open,
// skipping quoted strings, quoted identifiers and comments; -1 if none.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(s) && !(s[j] == c && (j+1 >= len(s) || s[j+1] != c)) {
				if s[j] == c { // a doubled quote
					j++
				}
				j++
			}
			i = j
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if k := strings.Index(s[i+2:], "*/"); k >= 0 {
				i += k + 3
			} else {
				return -1
			}
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}
