// Package sqlfuzz is lakeq's differential query fuzzer: it makes tables
// of awkward data (NULLs, empty and long strings, unicode, skewed and
// unique keys, decimals, dates), generates random queries from the
// grammar lakeq and PostgreSQL share, and checks each one three ways:
// against PostgreSQL on the same rows, across lakeq's storage layouts and
// worker counts, and against itself with SQLancer's oracles (TLP, NoREC).
// A mismatch is minimized (rows removed while it persists) and written as
// a sqllogictest regression record.
package sqlfuzz

import (
	"fmt"
	"math/rand"
	"strings"
)

// column kinds of the generated tables
type colKind int

const (
	kInt colKind = iota
	kText
	kNum
	kFloat
	kDate
	kBool
	kTs
	kTz
	kBig
	kReal
	kJSON
)

type column struct {
	name string
	kind colKind
	typ  string // SQL type when not the kind's
}

// Table is a generated table: its columns and rows as SQL literals.
type Table struct {
	Name string
	cols []column
	Rows [][]string
}

// every table has the same shape, so set operations and joins line up:
// k a skewed key with NULLs, u unique, s text, n numeric(10,2), f float,
// d date, b boolean, m plain numeric whose values have scales 0 to 4
// (PostgreSQL keeps each value's), ts timestamp and tz timestamptz with
// fractional seconds and (tz) offsets other than UTC's, g bigint
// reaching both its limits and int4's, r real (float4's rounding), j
// jsonb (objects, arrays, scalars, JSON nulls inside)
var shape = []column{{"k", kInt, ""}, {"u", kInt, ""}, {"s", kText, ""}, {"n", kNum, ""}, {"f", kFloat, ""}, {"d", kDate, ""}, {"b", kBool, ""}, {"m", kNum, "numeric"},
	{"ts", kTs, ""}, {"tz", kTz, ""}, {"g", kBig, ""}, {"r", kReal, ""}, {"j", kJSON, ""}}

var sqlType = map[colKind]string{kInt: "integer", kText: "text", kNum: "numeric(10,2)", kFloat: "double precision", kDate: "date", kBool: "boolean",
	kTs: "timestamp", kTz: "timestamptz", kBig: "bigint", kReal: "real", kJSON: "jsonb"}

// CreateSQL is the table's CREATE TABLE statement.
func (t *Table) CreateSQL() string {
	var parts []string
	for _, c := range t.cols {
		typ := sqlType[c.kind]
		if c.typ != "" {
			typ = c.typ
		}
		parts = append(parts, c.name+" "+typ)
	}
	return fmt.Sprintf("CREATE TABLE %s (%s)", t.Name, strings.Join(parts, ", "))
}

// InsertSQL inserts rows (nil: no statement).
func (t *Table) InsertSQL(rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	var vals []string
	for _, r := range rows {
		vals = append(vals, "("+strings.Join(r, ", ")+")")
	}
	return fmt.Sprintf("INSERT INTO %s VALUES %s", t.Name, strings.Join(vals, ", "))
}

var texts = []string{"''", "'a'", "'A'", "'b'", "'abc'", "'a%b'", "'a_b'", "' lead'", "'trail '", "'ünï'", "'日本'", "'x''y'",
	"'" + strings.Repeat("long", 40) + "'", "'B'", "'zz'", "'10'", "'9'"}

func genValue(r *rand.Rand, c column, row int) string {
	if c.name != "u" && r.Intn(6) == 0 {
		return "NULL"
	}
	switch c.kind {
	case kInt:
		if c.name == "u" {
			return fmt.Sprint(row*7%101 - 20) // unique within a table
		}
		if r.Intn(3) == 0 {
			return fmt.Sprint(r.Intn(40) - 10)
		}
		return fmt.Sprint(r.Intn(4)) // skewed
	case kText:
		return texts[r.Intn(len(texts))]
	case kNum:
		if c.name == "m" {
			switch r.Intn(5) {
			case 0:
				return fmt.Sprint(r.Intn(200) - 100)
			case 1:
				return fmt.Sprintf("%d.%d", r.Intn(200)-100, r.Intn(10))
			case 2:
				return fmt.Sprintf("%d.%02d", r.Intn(20)-10, r.Intn(100))
			case 3:
				return fmt.Sprintf("-0.%03d", r.Intn(1000))
			}
			return fmt.Sprintf("%d.%04d", r.Intn(4), r.Intn(10000))
		}
		return fmt.Sprintf("%d.%02d", r.Intn(2000)-1000, r.Intn(100))
	case kFloat:
		return fmt.Sprintf("%d.%d", r.Intn(200)-100, r.Intn(10))
	case kDate:
		return fmt.Sprintf("DATE '2024-%02d-%02d'", 1+r.Intn(12), 1+r.Intn(28))
	case kBool:
		return []string{"true", "false"}[r.Intn(2)]
	case kBig:
		switch r.Intn(8) {
		case 0:
			return []string{"9223372036854775807", "-9223372036854775808", "4611686018427387904", "-4611686018427387905"}[r.Intn(4)]
		case 1:
			return []string{"2147483647", "-2147483648", "2147483648", "-2147483649", "32767", "-32769"}[r.Intn(6)]
		}
		return fmt.Sprint(r.Intn(40) - 10)
	case kJSON:
		// no JSON null document: a JSON Lines file's null member is SQL
		// NULL, so the json layout cannot hold one
		return []string{`'{"a": 1, "b": [1, 2]}'`, `'{"a": "x", "c": null}'`, `'[1, "a", null]'`, `'"a"'`, `'2.50'`, `'{}'`, `'{"a": {"b": true}, "aa": 1.0}'`}[r.Intn(7)]
	case kReal:
		return []string{"1.1", "0.1", "-2.5", "123456.789", "1e19", "1e-10", "0", "16777217", "-0.30000001", "7"}[r.Intn(10)]
	case kTs, kTz:
		var v string
		switch r.Intn(6) {
		case 0: // midnight: equal to a date
			v = fmt.Sprintf("2024-%02d-%02d 00:00:00", 1+r.Intn(12), 1+r.Intn(28))
		case 1: // edges of a day, a leap day, a year
			v = []string{"2024-02-29 23:59:59.999999", "2023-12-31 23:59:59", "2024-01-01 00:00:00.5", "2024-03-10 02:30:00"}[r.Intn(4)]
		default:
			frac := []string{"", "", ".5", ".123456", ".01"}[r.Intn(5)]
			v = fmt.Sprintf("2024-%02d-%02d %02d:%02d:%02d%s", 1+r.Intn(12), 1+r.Intn(28), r.Intn(24), r.Intn(60), r.Intn(60), frac)
		}
		if c.kind == kTz {
			return "TIMESTAMPTZ '" + v + []string{"+00", "+00", "+05:30", "-08", "+01"}[r.Intn(5)] + "'"
		}
		return "TIMESTAMP '" + v + "'"
	}
	return "NULL"
}

// GenTables makes n tables t0… of up to maxRows rows (some empty).
func GenTables(r *rand.Rand, n, maxRows int) []*Table {
	var out []*Table
	for i := 0; i < n; i++ {
		t := &Table{Name: fmt.Sprintf("t%d", i), cols: shape}
		rows := r.Intn(maxRows + 1)
		if r.Intn(8) == 0 {
			rows = 0
		}
		for j := 0; j < rows; j++ {
			var row []string
			for _, c := range shape {
				row = append(row, genValue(r, c, j))
			}
			t.Rows = append(t.Rows, row)
		}
		out = append(out, t)
	}
	return out
}

// gen builds one query over tables.
type gen struct {
	r      *rand.Rand
	tables []*Table
	depth  int
}

func (g *gen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

// scalar expressions of a kind over the visible aliases
func (g *gen) expr(k colKind, aliases []string) string {
	a := aliases[g.r.Intn(len(aliases))]
	col := func(kind colKind) string {
		var names []string
		for _, c := range shape {
			if c.kind == kind {
				names = append(names, c.name)
			}
		}
		return a + "." + names[g.r.Intn(len(names))]
	}
	if g.depth > 2 || g.r.Intn(3) == 0 {
		switch k {
		case kInt:
			return g.pick(col(kInt), col(kInt), fmt.Sprint(g.r.Intn(5)), "NULL::integer")
		case kText:
			return g.pick(col(kText), col(kText), texts[g.r.Intn(len(texts))])
		case kNum:
			return g.pick(col(kNum), "1.50")
		case kBool:
			return g.pred(aliases)
		case kDate:
			return col(kDate)
		case kFloat:
			return col(kFloat)
		case kTs:
			return g.pick(col(kTs), col(kTs), "TIMESTAMP '2024-06-15 12:00:00'")
		case kTz:
			return col(kTz)
		case kBig:
			return col(kBig)
		case kReal:
			return col(kReal)
		}
	}
	g.depth++
	defer func() { g.depth-- }()
	switch k {
	case kInt:
		return g.intExpr(aliases, col)
	case kText:
		return g.textExpr(aliases, col)
	case kNum:
		return g.numExpr(aliases, col)
	case kFloat:
		return g.floatExpr(aliases, col)
	case kDate:
		return g.dateExpr(aliases, col)
	case kTs:
		return g.tsExpr(aliases, col)
	case kTz:
		return g.tzExpr(aliases, col)
	case kBig:
		return g.bigExpr(aliases, col)
	case kReal:
		return g.realExpr(aliases, col)
	}
	return g.expr(k, aliases)
}

func (g *gen) pred(aliases []string) string {
	if g.depth > 2 {
		return g.pick(aliases[0]+".b", aliases[0]+".k IS NULL", aliases[0]+".u > 10")
	}
	g.depth++
	defer func() { g.depth-- }()
	switch g.r.Intn(31) {
	case 28:
		k := g.pickKind(kDate, kTs)
		e := func() string { return g.expr(k, aliases) }
		return "(" + e() + ", " + g.pick(e(), "INTERVAL '3 days'", "NULL::"+map[colKind]string{kDate: "date", kTs: "timestamp"}[k]) + ") OVERLAPS (" + e() + ", " + e() + ")"
	case 29:
		return g.expr(kText, aliases) + " ^@ " + g.pick("'a'", "''", g.expr(kText, aliases))
	case 30:
		return "ARRAY[" + g.expr(kInt, aliases) + ", " + g.expr(kInt, aliases) + "] " + g.pick("&&", "@>", "<@") + " ARRAY[" + g.expr(kInt, aliases) + ", 3]"
	case 26:
		return aliases[0] + ".j " + g.pick("? 'a'", "?| ARRAY['b', 'c']", "?& ARRAY['a', 'b']", `@> '{"a": 1}'`, "@> '[1]'", "<@ '{\"a\": 1, \"b\": [1, 2, 3]}'", "@> '\"a\"'",
			"@? '$.b[*] ? (@ >= 2)'", "@? 'strict $.a'", "@@ '$.a == 1'", "@@ 'exists($.** ? (@ == \"a\"))'")
	case 27:
		return g.pick("jsonb_typeof("+aliases[0]+".j) = 'object'", "("+aliases[0]+".j ->> 'a') = '1'", "("+aliases[0]+".j #>> '{b,0}') IS NOT NULL", aliases[0]+".j IS NULL")
	case 24:
		return g.expr(kBig, aliases) + " " + g.pick("=", "<", ">=", "<>") + " " + g.pick(g.expr(kBig, aliases), g.expr(kInt, aliases), "2147483647", "0")
	case 25:
		return g.expr(kReal, aliases) + " " + g.pick("=", "<", ">") + " " + g.pick(g.expr(kReal, aliases), g.expr(kFloat, aliases), "1.1", "0.1")
	case 20:
		return g.expr(kTs, aliases) + " " + g.pick("=", "<", ">=", "<>") + " " + g.pick(g.expr(kTs, aliases), "TIMESTAMP '2024-06-15 12:00:00'", g.expr(kDate, aliases))
	case 21:
		return g.expr(kTz, aliases) + " " + g.pick("=", "<", ">=") + " " + g.pick(g.expr(kTz, aliases), "TIMESTAMPTZ '2024-06-15 12:00:00+02'", g.expr(kTs, aliases))
	case 22:
		return "(" + g.expr(kTs, aliases) + " - " + g.expr(kTs, aliases) + ") " + g.pick("<", ">=") + " interval '" + g.pick("1 day", "36 hours", "0", "-2 days 3 hours") + "'"
	case 23:
		return g.expr(kTs, aliases) + g.pick(" BETWEEN ", " NOT BETWEEN ") + g.expr(kDate, aliases) + " AND " + g.pick("DATE '2024-07-01'", g.expr(kTs, aliases))
	case 12:
		return g.expr(kText, aliases) + g.pick(" ~ '^a'", " ~* 'B$'", " !~ '[0-9]'", " SIMILAR TO '(a|b)%'", " IN ('a', 'B', '')", " NOT IN ('zz', NULL)")
	case 13:
		return g.pick("starts_with(", "") + g.expr(kText, aliases) + g.pick(", 'a')", " LIKE 'a\\%b' ESCAPE '\\'", " LIKE '%ü%'")
	case 14:
		return g.expr(kDate, aliases) + " " + g.pick("=", "<", ">=", "<>") + " " + g.expr(kDate, aliases)
	case 15:
		return g.expr(kFloat, aliases) + " " + g.pick("<", ">=", "=") + " " + g.pick(g.expr(kFloat, aliases), "0", "2.5")
	case 16:
		return g.expr(kInt, aliases) + " IS " + g.pick("", "NOT ") + "DISTINCT FROM " + g.expr(kInt, aliases)
	case 17:
		// not = ANY(ARRAY[]::integer[]): PostgreSQL 15 takes it for strict
		// and turns a LEFT JOIN below it into an inner join (a wrong
		// answer of PostgreSQL's, found by this fuzzer)
		return g.expr(kInt, aliases) + g.pick(" = ANY(ARRAY[1, 2])", " <> ALL(ARRAY[0, NULL])", " = ANY(ARRAY[3])")
	case 18:
		return g.expr(kNum, aliases) + g.pick(" BETWEEN -10 AND 10.5", " NOT BETWEEN SYMMETRIC 5 AND -5", " > 0", " = 1.5")
	case 19:
		// COLLATE "C" in comparisons only: upper/lower under it map ASCII
		// alone in PostgreSQL, which lakeq does not copy
		return g.expr(kText, aliases) + " " + g.pick("=", "<", ">=", "<>") + " " + g.expr(kText, aliases) + g.pick("", " COLLATE \"C\"")
	case 0:
		return g.expr(kInt, aliases) + " " + g.pick("=", "<>", "<", "<=", ">", ">=") + " " + g.expr(kInt, aliases)
	case 1:
		return g.expr(kText, aliases) + " " + g.pick("=", "<", ">=", "<>") + " " + g.expr(kText, aliases)
	case 2:
		return g.expr(kText, aliases) + g.pick(" LIKE 'a%'", " LIKE '%b'", " NOT LIKE '_'", " ILIKE 'A%'")
	case 3:
		return g.expr(kInt, aliases) + g.pick(" IS NULL", " IS NOT NULL")
	case 4:
		return "(" + g.pred(aliases) + " " + g.pick("AND", "OR") + " " + g.pred(aliases) + ")"
	case 5:
		return "NOT (" + g.pred(aliases) + ")"
	case 6:
		return g.expr(kInt, aliases) + g.pick(" IN (0, 1, NULL)", " NOT IN (1, 2)", " BETWEEN 0 AND 2")
	case 7:
		return aliases[0] + ".d " + g.pick("<", ">=") + " DATE '2024-06-15'"
	case 8:
		return aliases[0] + ".n " + g.pick("<", ">") + " " + g.pick("0", "100.5", aliases[0]+".f")
	case 9:
		if g.depth < 2 {
			t := g.tables[g.r.Intn(len(g.tables))].Name
			inner := "x" + fmt.Sprint(g.depth)
			switch g.r.Intn(3) {
			case 0:
				return g.expr(kInt, aliases) + g.pick(" IN", " NOT IN") + " (SELECT " + inner + ".k FROM " + t + " " + inner + " WHERE " + g.pred([]string{inner}) + ")"
			case 1:
				return g.pick("", "NOT ") + "EXISTS (SELECT 1 FROM " + t + " " + inner + " WHERE " + inner + ".k = " + aliases[0] + ".k AND " + g.pred([]string{inner}) + ")"
			default:
				return g.expr(kInt, aliases) + " " + g.pick("<", ">=", "=") + " (SELECT " + g.pick("max", "min", "count") + "(" + inner + ".u) FROM " + t + " " + inner + " WHERE " + inner + ".s = " + aliases[0] + ".s)"
			}
		}
		return aliases[0] + ".b IS " + g.pick("TRUE", "NOT TRUE", "UNKNOWN")
	case 10:
		return aliases[g.r.Intn(len(aliases))] + ".b"
	default:
		return "COALESCE(" + aliases[0] + ".b, false) = " + g.pick("true", "false")
	}
}

// Query is one generated query: its text and whether its row order is
// defined (ORDER BY over every output column).
type Query struct {
	SQL     string
	Ordered bool
	// base and pred, for the TLP oracle (base has no WHERE of its own)
	From, Pred string
}

// from picks one table or a join of two, returning the FROM clause and
// its aliases.
func (g *gen) from() (string, []string) {
	t0 := g.tables[g.r.Intn(len(g.tables))].Name
	if g.r.Intn(2) == 0 {
		return t0 + " a", []string{"a"}
	}
	t1 := g.tables[g.r.Intn(len(g.tables))].Name
	switch g.r.Intn(5) {
	case 0:
		return t0 + " a CROSS JOIN " + t1 + " c", []string{"a", "c"}
	case 1:
		return t0 + " a LEFT JOIN " + t1 + " c ON a.k = c.k", []string{"a", "c"}
	case 2:
		return t0 + " a FULL JOIN " + t1 + " c ON a.k = c.k AND " + g.pred([]string{"a", "c"}), []string{"a", "c"}
	case 3:
		return t0 + " a RIGHT JOIN " + t1 + " c ON a.s = c.s", []string{"a", "c"}
	}
	return t0 + " a JOIN " + t1 + " c ON a.k = c.k", []string{"a", "c"}
}

// Next generates a query.
func (g *gen) Next() Query {
	from, aliases := g.from()
	pred := g.pred(aliases)
	switch g.r.Intn(10) {
	case 7, 8, 9:
		return g.shaped(from, aliases, pred)
	case 0, 1: // plain select
		items := []string{g.expr(kInt, aliases), g.expr(kText, aliases), g.expr(kNum, aliases), g.expr(kDate, aliases), g.expr(kFloat, aliases),
			g.expr(kTs, aliases), g.expr(kTz, aliases), g.interval(aliases), g.expr(kBig, aliases), g.expr(kReal, aliases),
			g.pick(aliases[0]+".j", aliases[0]+".j -> 'a'", aliases[0]+".j #> '{b}'", "jsonb_strip_nulls("+aliases[0]+".j)", "jsonb_extract_path("+aliases[0]+".j, 'a', 'b')")}
		g.r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
		q := "SELECT " + g.pick("", "DISTINCT ") + strings.Join(items[:1+g.r.Intn(3)], ", ") + " FROM " + from + " WHERE " + pred
		return Query{SQL: q, From: from, Pred: pred}
	case 2: // group by with aggregates
		key := g.expr(g.pickKind(kInt, kText, kInt, kText, kDate, kNum, kTs, kTz, kBig, kReal), aliases)
		aggs := []string{"count(*)", "count(" + g.expr(kInt, aliases) + ")", "sum(" + g.expr(kInt, aliases) + ")",
			"max(" + g.expr(kText, aliases) + ")", "min(" + g.expr(kDate, aliases) + ")", "sum(" + g.expr(kNum, aliases) + ")",
			"count(DISTINCT " + g.expr(kText, aliases) + ")", "count(*) FILTER (WHERE " + g.pred(aliases) + ")",
			"bool_or(" + aliases[0] + ".b)", "avg(" + g.pick(aliases[0]+".u", g.expr(kNum, aliases), g.expr(kInt, aliases)) + ")",
			g.stringAgg(aliases),
			g.pick("stddev_samp(", "var_pop(", "stddev(", "variance(") + g.pick(g.expr(kNum, aliases), g.expr(kInt, aliases)) + ")",
			g.pick("bit_and(", "bit_or(") + g.expr(kInt, aliases) + ")", g.pick("every(", "bool_and(") + g.pred(aliases) + ")",
			"sum(DISTINCT " + g.expr(kInt, aliases) + ")", "max(" + g.expr(kNum, aliases) + ")", "min(" + g.expr(kFloat, aliases) + ")",
			"avg(" + g.expr(kFloat, aliases) + ")", "count(DISTINCT " + g.expr(kDate, aliases) + ")",
			g.pick("max(", "min(") + g.expr(g.pickKind(kTs, kTz), aliases) + ")", "count(DISTINCT date_trunc('" + g.pick("day", "hour") + "', " + g.expr(kTs, aliases) + "))",
			g.pick("sum(", "avg(", "max(") + g.interval(aliases) + ")",
			g.pick("sum(", "avg(", "max(", "min(", "stddev_pop(", "bit_or(") + g.expr(kBig, aliases) + ")", g.pick("sum(", "avg(", "max(") + g.expr(kReal, aliases) + ")",
			g.pick("corr(", "covar_pop(", "covar_samp(", "regr_slope(", "regr_intercept(", "regr_r2(", "regr_count(", "regr_avgx(", "regr_sxx(") + g.expr(kFloat, aliases) + ", " + g.expr(kInt, aliases) + ")",
			g.jsonAgg(aliases)}
		g.r.Shuffle(len(aggs), func(i, j int) { aggs[i], aggs[j] = aggs[j], aggs[i] })
		group := key
		keys := key
		switch g.r.Intn(8) {
		case 0:
			group = "ROLLUP(" + key + ")"
		case 1, 2:
			// two keys: sets derived from sets derived in turn (ROLLUP),
			// and from either of two supersets (CUBE)
			key2 := g.expr(g.pickKind(kInt, kText), aliases)
			keys = key + ", " + key2
			group = g.pick("ROLLUP", "CUBE") + "(" + keys + ")"
		}
		q := "SELECT " + keys + ", " + strings.Join(aggs[:1+g.r.Intn(3)], ", ") + " FROM " + from + " WHERE " + pred + " GROUP BY " + group
		if g.r.Intn(3) == 0 {
			q += " HAVING count(*) " + g.pick(">", "<=") + " 1"
		}
		return Query{SQL: q}
	case 3: // a global aggregate
		q := "SELECT count(*), sum(" + g.expr(kInt, aliases) + "), max(" + g.expr(kText, aliases) + ") FROM " + from + " WHERE " + pred
		return Query{SQL: q, From: from, Pred: pred}
	case 4: // set operation
		t := g.tables[g.r.Intn(len(g.tables))].Name
		q := "SELECT a.k, a.s FROM " + from + " WHERE " + pred + " " + g.pick("UNION", "UNION ALL", "INTERSECT", "EXCEPT", "EXCEPT ALL", "INTERSECT ALL") +
			" SELECT b.k, b.s FROM " + t + " b WHERE " + g.pred([]string{"b"})
		return Query{SQL: q}
	case 5: // window function over one table (deterministic: unique order key)
		t := g.tables[g.r.Intn(len(g.tables))].Name
		w := g.pick("row_number() OVER (PARTITION BY a.k ORDER BY a.u)", "rank() OVER (ORDER BY a.k)", "sum(a.u) OVER (PARTITION BY a.s ORDER BY a.u)",
			"count(*) OVER (PARTITION BY a.b)", "lag(a.u) OVER (ORDER BY a.u)", "dense_rank() OVER (PARTITION BY a.k ORDER BY a.s)",
			"sum(a.n) OVER (ORDER BY a.u ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING)",
			"ntile(3) OVER (ORDER BY a.u)", "first_value(a.s) OVER (PARTITION BY a.k ORDER BY a.u)",
			"last_value(a.s) OVER (ORDER BY a.u ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
			"lead(a.u, 2, 0) OVER (PARTITION BY a.b ORDER BY a.u)", "percent_rank() OVER (ORDER BY a.k, a.u)",
			"cume_dist() OVER (PARTITION BY a.b ORDER BY a.k)", "avg(a.n) OVER (PARTITION BY a.k)",
			"min(a.s) OVER (ORDER BY a.u ROWS UNBOUNDED PRECEDING)", "count(a.k) OVER (ORDER BY a.k RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
			"sum(a.u) OVER (ORDER BY a.u RANGE BETWEEN 5 PRECEDING AND 5 FOLLOWING)", "max(a.d) OVER (PARTITION BY a.k ORDER BY a.u ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
			"nth_value(a.u, 2) OVER (ORDER BY a.u)", "sum(a.m) OVER (PARTITION BY a.b ORDER BY a.u GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW)",
			"string_agg(a.s, '|') OVER (PARTITION BY a.k ORDER BY a.u)", "count(*) OVER ()",
			"lag(a.ts) OVER (ORDER BY a.u)", "max(a.tz) OVER (PARTITION BY a.k)", "row_number() OVER (ORDER BY a.ts, a.u)",
			"min(a.ts) OVER (ORDER BY a.u ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)",
			"count(*) OVER (ORDER BY a.ts RANGE BETWEEN interval '1 day' PRECEDING AND CURRENT ROW)",
			"first_value(a.tz) OVER (PARTITION BY a.b ORDER BY a.u)", "(a.ts - lag(a.ts) OVER (ORDER BY a.u))")
		q := "SELECT a.u, " + w + " FROM " + t + " a WHERE " + g.pred([]string{"a"})
		return Query{SQL: q}
	default: // ORDER BY … LIMIT over every output column
		a, b := g.expr(kInt, aliases), g.expr(kText, aliases)
		dir := g.pick("", " DESC", " NULLS FIRST", " DESC NULLS LAST")
		q := "SELECT " + a + " AS x, " + b + " AS y FROM " + from + " WHERE " + pred + " ORDER BY 1" + dir + ", 2" + g.pick("", " DESC") + " LIMIT " + fmt.Sprint(1+g.r.Intn(8))
		return Query{SQL: q, Ordered: true}
	}
}

func (g *gen) pickKind(ks ...colKind) colKind { return ks[g.r.Intn(len(ks))] }

// stringAgg concatenates in the order of the concatenated values (ORDER
// BY 1 would order by the constant 1, leaving the order open).
func (g *gen) stringAgg(aliases []string) string {
	e := g.expr(kText, aliases)
	return "string_agg(" + e + ", " + g.pick("','", "''") + " ORDER BY " + e + g.pick("", " DESC") + ")"
}

// jsonAgg is json_agg/jsonb_agg ordered by its own argument: rows that
// tie give equal elements, so the array is one whatever their order
// (ordering by other columns tied across a join's rows).
func (g *gen) jsonAgg(aliases []string) string {
	e := g.expr(g.pickKind(kInt, kText, kDate), aliases)
	if g.r.Intn(2) == 0 {
		e = "CAST(" + e + " AS text)"
	}
	return g.pick("jsonb_agg(", "json_agg(") + e + " ORDER BY " + e + g.pick("", " DESC NULLS LAST") + ")"
}
