package parser

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// Redshift's COPY shares its first words with PostgreSQL's (COPY t
// [(cols)] FROM 'source'), so which grammar a COPY follows is decided
// here: a statement PostgreSQL's grammar accepts is PostgreSQL's COPY
// unless its source is an s3:// URL without PostgreSQL's parenthesized
// option list (PostgreSQL cannot read S3; such a COPY is Redshift's);
// one PostgreSQL rejects is Redshift's (IGNOREHEADER, MAXERROR, GZIP,
// FORMAT AS … are not PostgreSQL grammar).
func isRedshiftCopy(s string) bool {
	w := leadingWords(s, 1)
	if len(w) == 0 || w[0] != "COPY" {
		return false
	}
	if src, ok := copySource(s); ok && strings.HasPrefix(strings.ToLower(src), "s3://") && !pgOptionList(s) {
		return true
	}
	if _, err := pg.Parse(s); err == nil {
		return false
	}
	// only COPY … FROM: a COPY TO that PostgreSQL rejects gets its error
	_, ok := copySource(s)
	return ok
}

// pgOptionList reports whether COPY … FROM 'source' goes on with
// PostgreSQL's [WITH] (option, …) list.
func pgOptionList(s string) bool {
	p := &lakeParser{lx: &lexer{src: s}, sql: s}
	p.advance()
	p.accept("COPY")
	p.qualified()
	if p.punct("(") {
		p.nameList()
		p.expectPunct(")")
	}
	if p.lx.err != nil || !p.accept("FROM") {
		return false
	}
	p.advance() // the source
	p.accept("WITH")
	return p.tok.kind == tPunct && p.tok.text == "("
}

// copySource is the quoted source of COPY … FROM 'source', if the
// statement has that shape.
func copySource(s string) (string, bool) {
	p := &lakeParser{lx: &lexer{src: s}, sql: s}
	p.advance()
	if !p.accept("COPY") {
		return "", false
	}
	p.qualified()
	if p.punct("(") {
		p.nameList()
		p.expectPunct(")")
	}
	if p.lx.err != nil || !p.accept("FROM") {
		return "", false
	}
	if p.accept("STDIN") {
		return "", true
	}
	if p.tok.kind != tString {
		return "", false
	}
	return p.tok.text, true
}

// redshiftCopy reads the rest of COPY after the COPY keyword, Redshift's
// form: table [(cols)] FROM {'source' | STDIN} [WITH] option …. Options
// are kept as written; the engine checks their values and combinations.
func (p *lakeParser) redshiftCopy() ast.Stmt {
	x := &ast.Copy{From: true, Redshift: true, Format: "text", Table: p.qualified()}
	if p.punct("(") {
		x.Columns = p.nameList()
		p.expectPunct(")")
	}
	p.expect("FROM")
	if !p.accept("STDIN") {
		x.File = p.str()
	}
	p.accept("WITH")
	opt := func(name, val string) { x.Options = append(x.Options, ast.Option{Name: name, Value: val}) }
	// optional [AS] 'string' (or a number) after an option's keyword
	optValue := func() (string, bool) {
		p.accept("AS")
		if p.tok.kind == tString || p.tok.kind == tNumber {
			v := p.tok.text
			p.advance()
			return v, true
		}
		return "", false
	}
	needValue := func(name string) {
		v, ok := optValue()
		if !ok && p.lx.err == nil {
			p.failf("%s: %s needs a value", p.near(), name)
		}
		opt(name, v)
	}
	format := func(f string) {
		opt("FORMAT", f)
		switch f {
		case "CSV":
			if p.accept("QUOTE") {
				needValue("QUOTE")
			}
		case "JSON", "AVRO":
			if v, ok := optValue(); ok {
				opt(f, v)
			}
		case "PARQUET":
			// lakeq's: columns by name (the default) or by position
			if p.accept("BY") {
				if p.accept("POSITION") {
					opt("PARQUET", "POSITION")
				} else {
					p.expect("NAME")
					opt("PARQUET", "NAME")
				}
			}
		}
	}
	p.optionWords("COPY", func(kw string) bool {
		switch kw {
		case "MANIFEST", "GZIP", "BZIP2", "ZSTD", "LZOP", "EMPTYASNULL", "BLANKSASNULL",
			"TRUNCATECOLUMNS", "FILLRECORD", "TRIMBLANKS", "REMOVEQUOTES", "ESCAPE",
			"IGNOREBLANKLINES", "NOLOAD", "ROUNDEC", "EXPLICIT_IDS", "ACCEPTANYDATE", "READRATIO":
			opt(kw, "")
		case "CSV", "PARQUET", "ORC", "JSON", "AVRO", "SHAPEFILE":
			format(kw)
		case "FORMAT":
			p.accept("AS")
			if p.tok.kind != tIdent {
				p.failf("%s: FORMAT needs CSV, PARQUET, JSON …", p.near())
				break
			}
			f := strings.ToUpper(p.tok.text)
			p.advance()
			format(f)
		case "FIXEDWIDTH", "DELIMITER", "NULL", "QUOTE", "DATEFORMAT", "TIMEFORMAT", "CREDENTIALS",
			"ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION", "IGNOREHEADER", "MAXERROR", "COMPROWS":
			needValue(kw)
		case "IAM_ROLE":
			if p.accept("DEFAULT") {
				opt(kw, "default")
			} else {
				needValue(kw)
			}
		case "ACCEPTINVCHARS":
			v, ok := optValue()
			if !ok {
				v = "?"
			}
			opt(kw, v)
		case "ENCODING":
			p.accept("AS")
			opt(kw, strings.ToUpper(p.ident()))
		case "COMPUPDATE", "STATUPDATE":
			v := "ON"
			if p.tok.kind == tIdent {
				switch u := strings.ToUpper(p.tok.text); u {
				case "ON", "OFF", "TRUE", "FALSE", "PRESET":
					v = u
					p.advance()
				}
			}
			opt(kw, v)
		default:
			return false
		}
		return true
	})
	return x
}

// optionWords reads keyword-led options up to the end of the statement:
// each keyword is upper-cased and handed to one, which reads its
// arguments and reports false for a keyword that is not an option of
// stmt (a syntax error pointing at it).
func (p *lakeParser) optionWords(stmt string, one func(kw string) bool) {
	for p.lx.err == nil && p.tok.kind != tEOF {
		if p.tok.kind != tIdent {
			p.failf("%s", p.near())
			return
		}
		at := p.tok
		kw := strings.ToUpper(at.text)
		p.advance()
		if !one(kw) {
			p.tok = at // point at the keyword, not past it
			p.failf("syntax error at or near \"%s\": not a%s %s option", kw, map[bool]string{true: "n"}[stmt == "UNLOAD"], stmt)
			return
		}
	}
}

// redshiftUnload reads Redshift's UNLOAD ('query') TO 'prefix' [option …]
// (the current token is the '(').
func (p *lakeParser) redshiftUnload() ast.Stmt {
	p.expectPunct("(")
	qpos := p.tok.pos
	q := p.str()
	p.expectPunct(")")
	p.expect("TO")
	x := &ast.Unload{Redshift: true, QuerySQL: strings.TrimSpace(q), To: p.str()}
	opt := func(name, val string) { x.Options = append(x.Options, ast.Option{Name: name, Value: val}) }
	value := func(name string) {
		p.accept("AS")
		if p.tok.kind == tString || p.tok.kind == tNumber {
			opt(name, p.tok.text)
			p.advance()
			return
		}
		if p.lx.err == nil {
			p.failf("%s: %s needs a value", p.near(), name)
		}
	}
	p.optionWords("UNLOAD", func(kw string) bool {
		switch kw {
		case "HEADER", "ADDQUOTES", "ESCAPE", "ALLOWOVERWRITE", "CLEANPATH", "GZIP", "BZIP2", "ZSTD", "ENCRYPTED", "FIXEDWIDTH":
			opt(kw, "")
		case "CSV", "PARQUET", "JSON":
			opt("FORMAT", kw)
		case "FORMAT":
			p.accept("AS")
			opt("FORMAT", strings.ToUpper(p.ident()))
		case "DELIMITER", "NULL", "EXTENSION", "REGION", "CREDENTIALS", "KMS_KEY_ID", "ROWGROUPSIZE":
			value(kw)
		case "IAM_ROLE":
			if p.accept("DEFAULT") {
				opt(kw, "default")
			} else {
				value(kw)
			}
		case "PARTITION":
			p.expect("BY")
			p.expectPunct("(")
			opt("PARTITION", strings.Join(p.nameList(), ","))
			p.expectPunct(")")
			if p.accept("INCLUDE") {
				opt("INCLUDE", "")
			}
		case "PARALLEL":
			v := "ON"
			if p.tok.kind == tIdent {
				switch u := strings.ToUpper(p.tok.text); u {
				case "ON", "OFF", "TRUE", "FALSE":
					v = map[string]string{"ON": "ON", "TRUE": "ON", "OFF": "OFF", "FALSE": "OFF"}[u]
					p.advance()
				}
			}
			opt(kw, v)
		case "MAXFILESIZE":
			p.accept("AS")
			if p.tok.kind != tNumber {
				p.failf("%s: MAXFILESIZE needs a size", p.near())
				break
			}
			n := p.tok.text
			p.advance()
			unit := "MB"
			if p.accept("GB") {
				unit = "GB"
			} else {
				p.accept("MB")
			}
			opt(kw, n+" "+unit)
		case "MANIFEST":
			v := ""
			if p.accept("VERBOSE") {
				v = "VERBOSE"
			}
			opt(kw, v)
		default:
			return false
		}
		return true
	})
	if p.lx.err != nil {
		return nil
	}
	ss, err := parsePG(x.QuerySQL)
	if err != nil {
		if e, ok := err.(*sqlerr.Error); ok && e.Position > 0 {
			e.Position += byteToCharPos(p.sql, qpos+1)
		}
		p.lx.err = err
		return nil
	}
	sel, ok := ss[0].AST.(*ast.Select)
	if len(ss) != 1 || !ok {
		p.failf("UNLOAD takes one SELECT query")
		return nil
	}
	x.Query = sel
	return x
}
