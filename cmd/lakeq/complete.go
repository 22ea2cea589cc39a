package main

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// catalogNames are the names tab completion offers, read from the
// connection's information_schema when first needed and again after a
// statement that may have changed them.
type catalogNames struct {
	stale   bool
	schemas []string
	tables  map[string][]string // per schema
	columns []string
}

// completionKeywords are the SQL words completion offers.
var completionKeywords = strings.Fields(`SELECT FROM WHERE GROUP BY ORDER HAVING LIMIT OFFSET JOIN LEFT RIGHT FULL
INNER OUTER CROSS ON USING AS AND OR NOT IN IS NULL LIKE ILIKE BETWEEN EXISTS CASE WHEN THEN ELSE END
DISTINCT UNION INTERSECT EXCEPT ALL WITH VALUES INSERT INTO UPDATE DELETE CREATE DROP ALTER TABLE VIEW
SCHEMA EXTERNAL LOCATION PARTITIONED STORED TBLPROPERTIES MSCK REPAIR PARTITION COPY UNLOAD EXPLAIN
ANALYZE SHOW SET RESET DESC ASC NULLS FIRST LAST OVER WINDOW ROWS RANGE CAST TRUE FALSE INTERVAL
DATE TIMESTAMP COUNT SUM AVG MIN MAX read_parquet read_csv read_json`)

// complete is the line editor's completer: the word before the cursor
// completed from SQL keywords and the catalog's schemas, tables and
// columns (schema.prefix: that schema's tables).
func (s *shell) complete(ctx context.Context, line string, pos int) (string, []string, string) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 {
		r := rune(line[start-1])
		if !(r == '_' || r == '.' || r == '"' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80) {
			break
		}
		start--
	}
	word := line[start:pos]
	if word == "" || strings.HasPrefix(strings.TrimSpace(line), `\`) && !strings.Contains(line[:start], " ") {
		return line[:start], nil, line[pos:]
	}
	s.loadNames(ctx)
	var cands []string
	if schema, prefix, ok := strings.Cut(word, "."); ok {
		for _, t := range s.cat.tables[strings.ToLower(schema)] {
			if hasPrefixFold(t, prefix) {
				cands = append(cands, schema+"."+t)
			}
		}
	} else {
		upper := unicode.IsUpper(rune(word[0]))
		for _, k := range completionKeywords {
			if hasPrefixFold(k, word) {
				if !upper && strings.ToUpper(k) == k {
					k = strings.ToLower(k)
				}
				cands = append(cands, k)
			}
		}
		for _, n := range s.cat.schemas {
			if hasPrefixFold(n, word) {
				cands = append(cands, n)
			}
		}
		for _, ts := range s.cat.tables {
			for _, t := range ts {
				if hasPrefixFold(t, word) {
					cands = append(cands, t)
				}
			}
		}
		for _, c := range s.cat.columns {
			if hasPrefixFold(c, word) {
				cands = append(cands, c)
			}
		}
	}
	sort.Strings(cands)
	cands = uniq(cands)
	return line[:start], cands, line[pos:]
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func uniq(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// completionLimit bounds the names read for completion.
const completionLimit = 20000

// loadNames reads the catalog's names when they are stale (errors leave
// completion to the keywords).
func (s *shell) loadNames(ctx context.Context) {
	if s.cat == nil || !s.cat.stale {
		return
	}
	s.cat.stale = false
	s.cat.schemas, s.cat.tables, s.cat.columns = nil, map[string][]string{}, nil
	rows := func(sql string) [][]string {
		res, err := s.conn.Run(ctx, sql)
		if err != nil {
			return nil
		}
		defer res.Close()
		var out [][]string
		for {
			b, err := res.Next()
			if err != nil || b.rows == nil {
				return out
			}
			out = append(out, b.rows...)
		}
	}
	sys := "NOT IN ('pg_catalog', 'information_schema')"
	for _, r := range rows("SELECT schema_name FROM information_schema.schemata WHERE schema_name " + sys) {
		s.cat.schemas = append(s.cat.schemas, r[0])
	}
	for _, r := range rows("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema " + sys + " LIMIT " + strconv.Itoa(completionLimit)) {
		s.cat.tables[r[0]] = append(s.cat.tables[r[0]], r[1])
	}
	for _, r := range rows("SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema " + sys + " LIMIT " + strconv.Itoa(completionLimit)) {
		s.cat.columns = append(s.cat.columns, r[0])
	}
}
