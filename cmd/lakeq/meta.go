package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

const helpText = `General
  \q                     quit lakeq (also Ctrl-D)
  \? 	                 this help
  \conninfo              what the shell is connected to
  \timing [on|off]       show every statement's time (queries that scan show it anyway)

Query
  \explain [analyze|cost] QUERY
                         the plan of QUERY; analyze runs it and shows what each
                         operator did, cost shows the bytes it would scan and
                         their price without running it (EXPLAIN (COST))
  \i FILE                run the statements in FILE
  \copy ...              COPY with a file on this machine: \copy t FROM 'f.csv' (FORMAT csv)
                         or \copy (SELECT ...) TO 'out.csv' WITH (FORMAT csv, HEADER)

Output
  \x [on|off|auto]       one line per column (auto: when a row is wider than the terminal)
  \pset format F         table, csv, tsv, json, jsonl or markdown
  \pset null S           how NULL shows in table output (default NULL)
  \o [FILE]              send results to FILE (no FILE: back to the terminal)

Catalog
  \l                     databases
  \dn                    schemas
  \dt [PATTERN]          tables (PATTERN as psql's: sales*, lake.*)
  \d [NAME]              the columns of table NAME (no NAME: \dt)

Settings (SET name = value): scan_price_per_tb (default 5), memory_limit,
statement_timeout, search_path, s3_region, s3_endpoint, ...
`

// meta runs a backslash command; false when it failed.
func (s *shell) meta(ctx context.Context, line string) bool {
	cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case `\q`, `\quit`:
		s.quit = true
		return true
	case `\?`, `\h`, `\help`:
		fmt.Fprint(s.out, helpText)
		return true
	case `\conninfo`:
		fmt.Fprintf(s.out, "You are connected to %s.\n", s.conn.Describe())
		return true
	case `\timing`:
		on, ok := toggle(arg, s.timing)
		if !ok {
			return s.metaErr(`\timing: unrecognized value "%s": on or off`, arg)
		}
		s.timing = on
		s.info("Timing is %s.", onOff(on))
		return true
	case `\x`:
		switch strings.ToLower(arg) {
		case "":
			if s.pr.expanded == "on" {
				s.pr.expanded = "off"
			} else {
				s.pr.expanded = "on"
			}
		case "on", "off", "auto":
			s.pr.expanded = strings.ToLower(arg)
		default:
			return s.metaErr(`\x: unrecognized value "%s": on, off or auto`, arg)
		}
		if s.pr.expanded == "auto" {
			s.info("Expanded display is used automatically.")
		} else {
			s.info("Expanded display is %s.", s.pr.expanded)
		}
		return true
	case `\pset`:
		return s.pset(arg)
	case `\o`, `\out`:
		return s.setOutput(arg)
	case `\i`, `\include`:
		if arg == "" {
			return s.metaErr(`\i: missing required argument`)
		}
		data, err := os.ReadFile(unquote(arg))
		if err != nil {
			return s.metaErr("%s: %v", arg, pathErr(err))
		}
		return s.runText(ctx, string(data))
	case `\echo`:
		fmt.Fprintln(s.out, arg)
		return true
	case `\explain`:
		if arg == "" {
			return s.metaErr(`\explain: missing the query`)
		}
		word, rest, _ := strings.Cut(arg, " ")
		sql := "EXPLAIN " + arg
		switch strings.ToLower(word) {
		case "analyze":
			sql = "EXPLAIN ANALYZE " + rest
		case "cost":
			sql = "EXPLAIN (COST) " + rest
		}
		return s.statement(ctx, strings.TrimSuffix(strings.TrimSpace(sql), ";"))
	case `\l`, `\list`:
		return s.statement(ctx, `SELECT datname AS "Name", pg_catalog.pg_get_userbyid(datdba) AS "Owner", pg_catalog.pg_encoding_to_char(encoding) AS "Encoding" FROM pg_catalog.pg_database ORDER BY 1`)
	case `\dn`:
		return s.statement(ctx, `SELECT schema_name AS "Name", schema_owner AS "Owner" FROM information_schema.schemata WHERE schema_name NOT LIKE 'pg\_%' AND schema_name <> 'information_schema' ORDER BY 1`)
	case `\dt`, `\d`:
		if cmd == `\d` && arg != "" {
			return s.describe(ctx, arg)
		}
		where := "table_schema NOT IN ('pg_catalog', 'information_schema', 'sys') AND table_schema NOT LIKE 'pg\\_%'"
		if arg != "" {
			where = patternWhere(arg, "table_schema", "table_name")
		}
		return s.statement(ctx, `SELECT table_schema AS "Schema", table_name AS "Name", CASE table_type WHEN 'BASE TABLE' THEN 'table' WHEN 'VIEW' THEN 'view' WHEN 'FOREIGN' THEN 'foreign table' ELSE lower(table_type) END AS "Type" FROM information_schema.tables WHERE `+where+` ORDER BY 1, 2`)
	case `\copy`:
		return s.copy(ctx, arg)
	}
	return s.metaErr("invalid command %s\nTry \\? for help.", cmd)
}

// describe is \d NAME: the table's columns, or an error when there is
// no such table.
func (s *shell) describe(ctx context.Context, name string) bool {
	schema, table := splitName(name)
	where := "table_name = " + quoteLit(table)
	if schema != "" {
		where += " AND table_schema = " + quoteLit(schema)
	} else {
		where += " AND table_schema = (SELECT table_schema FROM information_schema.tables WHERE table_name = " + quoteLit(table) + " ORDER BY table_schema = current_schema() DESC, table_schema LIMIT 1)"
	}
	res, err := s.conn.Run(ctx, "SELECT count(*) FROM information_schema.columns WHERE "+where)
	if err != nil {
		s.fail("", err)
		return false
	}
	b, err := res.Next()
	res.Close()
	if err != nil {
		s.fail("", err)
		return false
	}
	if len(b.rows) == 0 || b.rows[0][0] == "0" {
		return s.metaErr("Did not find any relation named \"%s\".", name)
	}
	return s.statement(ctx, `SELECT column_name AS "Column", CASE WHEN data_type = 'numeric' AND numeric_precision IS NOT NULL THEN 'numeric(' || numeric_precision || ',' || numeric_scale || ')' WHEN character_maximum_length IS NOT NULL THEN data_type || '(' || character_maximum_length || ')' ELSE data_type END AS "Type", CASE is_nullable WHEN 'NO' THEN 'not null' ELSE '' END AS "Nullable" FROM information_schema.columns WHERE `+where+` ORDER BY ordinal_position`)
}

// splitName cuts schema.table, folding unquoted parts to lower case.
func splitName(name string) (schema, table string) {
	parts := strings.SplitN(name, ".", 2)
	fold := func(p string) string {
		if strings.HasPrefix(p, `"`) && strings.HasSuffix(p, `"`) && len(p) > 1 {
			return strings.ReplaceAll(p[1:len(p)-1], `""`, `"`)
		}
		return strings.ToLower(p)
	}
	if len(parts) == 2 {
		return fold(parts[0]), fold(parts[1])
	}
	return "", fold(parts[0])
}

// patternWhere turns a psql pattern (* and ? wildcards, schema.name) into
// a condition on the schema and name columns.
func patternWhere(pattern, schemaCol, nameCol string) string {
	schema, name := splitName(pattern)
	like := func(p string) string {
		var sb strings.Builder
		for _, r := range p {
			switch r {
			case '*':
				sb.WriteByte('%')
			case '?':
				sb.WriteByte('_')
			case '%', '_', '\\':
				sb.WriteByte('\\')
				sb.WriteRune(r)
			default:
				sb.WriteRune(r)
			}
		}
		return quoteLit(sb.String())
	}
	w := nameCol + " LIKE " + like(name)
	if schema != "" {
		w += " AND " + schemaCol + " LIKE " + like(schema)
	} else {
		w += " AND " + schemaCol + " NOT IN ('pg_catalog', 'information_schema')"
	}
	return w
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return strings.ReplaceAll(s[1:len(s)-1], string(s[0])+string(s[0]), string(s[0]))
	}
	return s
}

func (s *shell) pset(arg string) bool {
	name, val, _ := strings.Cut(arg, " ")
	val = unquote(val)
	switch name {
	case "format":
		if val == "aligned" {
			val = "table"
		}
		if !formats[val] {
			return s.metaErr(`\pset: allowed formats are table, csv, tsv, json, jsonl, markdown`)
		}
		s.pr.format = val
		s.info("Output format is %s.", val)
	case "null":
		s.pr.null = val
		s.info("Null display is \"%s\".", val)
	case "expanded":
		return s.meta(context.Background(), `\x `+val)
	case "":
		fmt.Fprintf(s.out, "format %s\nnull '%s'\nexpanded %s\n", s.pr.format, s.pr.null, s.pr.expanded)
	default:
		return s.metaErr(`\pset: unknown option: %s (format, null, expanded)`, name)
	}
	return true
}

// setOutput is \o: results to a file, or back to stdout.
func (s *shell) setOutput(arg string) bool {
	if s.outFile != nil {
		s.outFile.Close()
		s.outFile = nil
	}
	s.out = s.stdout
	if arg == "" {
		return true
	}
	f, err := os.Create(unquote(arg))
	if err != nil {
		return s.metaErr("%s: %v", arg, pathErr(err))
	}
	s.outFile, s.out = f, f
	return true
}

// copy is \copy: COPY whose file is on the shell's machine, read or
// written here and sent over COPY FROM STDIN / TO STDOUT.
func (s *shell) copy(ctx context.Context, arg string) bool {
	sql, file, from, err := copyCommand(arg)
	if err != nil {
		return s.metaErr(`\copy: %v`, err)
	}
	if from {
		switch file {
		case "":
			return s.runCopy(ctx, sql, s.copyData(), nil)
		case "-":
			return s.runCopy(ctx, sql, s.stdin, nil)
		}
		f, err := os.Open(file)
		if err != nil {
			return s.metaErr("%s: %v", file, pathErr(err))
		}
		defer f.Close()
		return s.runCopy(ctx, sql, f, nil)
	}
	switch file {
	case "":
		return s.runCopy(ctx, sql, nil, s.out)
	case "-":
		return s.runCopy(ctx, sql, nil, s.stdout)
	}
	f, err := os.Create(file)
	if err != nil {
		return s.metaErr("%s: %v", file, pathErr(err))
	}
	ok := s.runCopy(ctx, sql, nil, f)
	if err := f.Close(); err != nil {
		return s.metaErr("%s: %v", file, pathErr(err))
	}
	return ok
}

// copyCommand rewrites \copy's arguments into a COPY … FROM STDIN / TO
// STDOUT statement and the local file it reads or writes ("" for the
// shell's stdin or stdout).
func copyCommand(arg string) (sql, file string, from bool, err error) {
	// find FROM or TO outside parentheses and quotes
	depth, i := 0, 0
	kw := -1
	for i < len(arg) && kw < 0 {
		c := arg[i]
		switch {
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '\'' || c == '"':
			j := strings.IndexByte(arg[i+1:], c)
			if j < 0 {
				return "", "", false, fmt.Errorf("unterminated quoted string")
			}
			i += j + 1
		case depth == 0 && (i == 0 || arg[i-1] == ' ' || arg[i-1] == ')'):
			for _, w := range []string{"from", "to"} {
				if len(arg) > i+len(w) && strings.EqualFold(arg[i:i+len(w)], w) && (arg[i+len(w)] == ' ' || arg[i+len(w)] == '\t') {
					kw, from = i, w == "from"
				}
			}
		}
		i++
	}
	if kw < 0 {
		return "", "", false, fmt.Errorf("parse error: expected FROM or TO (\\copy table FROM 'file' or \\copy (query) TO 'file')")
	}
	target := strings.TrimSpace(arg[:kw])
	rest := strings.TrimSpace(arg[kw+2:])
	if from {
		rest = strings.TrimSpace(arg[kw+4:])
	}
	// the file: a quoted string or one word
	var opts string
	if strings.HasPrefix(rest, "'") {
		j := 1
		for ; j < len(rest); j++ {
			if rest[j] == '\'' {
				if j+1 < len(rest) && rest[j+1] == '\'' {
					j++
					continue
				}
				break
			}
		}
		if j >= len(rest) {
			return "", "", false, fmt.Errorf("unterminated quoted string")
		}
		file, opts = strings.ReplaceAll(rest[1:j], "''", "'"), rest[j+1:]
	} else {
		w, o, _ := strings.Cut(rest, " ")
		file, opts = w, o
	}
	switch strings.ToLower(file) {
	case "":
		return "", "", false, fmt.Errorf("missing the file")
	case "program":
		return "", "", false, sqlerr.New(sqlerr.FeatureNotSupported, "\\copy … PROGRAM is not supported")
	case "stdin", "stdout":
		file = "" // the shell's own input (the lines after the command) or output
	case "pstdin", "pstdout":
		file = "-" // the process's standard input or output
	}
	if from {
		sql = "COPY " + target + " FROM STDIN " + strings.TrimSpace(opts)
	} else {
		sql = "COPY " + target + " TO STDOUT " + strings.TrimSpace(opts)
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(sql), ";")), file, from, nil
}

func (s *shell) metaErr(format string, args ...any) bool {
	fmt.Fprintf(s.stderr, format+"\n", args...)
	return false
}

// info prints what a command did (not with --quiet).
func (s *shell) info(format string, args ...any) {
	if !s.quiet {
		fmt.Fprintf(s.out, format+"\n", args...)
	}
}

func toggle(arg string, cur bool) (bool, bool) {
	switch strings.ToLower(arg) {
	case "":
		return !cur, true
	case "on", "true", "1":
		return true, true
	case "off", "false", "0":
		return false, true
	}
	return false, false
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// pathErr is an os error without the path it repeats.
func pathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
