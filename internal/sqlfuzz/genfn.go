package sqlfuzz

import "fmt"

// The function vocabulary of the generated expressions, one method per
// result kind. Each is PostgreSQL's own spelling with arguments that
// reach the awkward cases: NULLs, empty and non-ASCII strings, negative
// lengths, zero divisors (PostgreSQL's error must be lakeq's too), half
// values that round differently by type. col picks a column of a kind
// from one of the visible aliases.

func (g *gen) intExpr(aliases []string, col func(colKind) string) string {
	i := func() string { return g.expr(kInt, aliases) }
	t := func() string { return g.expr(kText, aliases) }
	switch g.r.Intn(29) {
	case 25:
		// array searches find NULLs (IS NOT DISTINCT FROM)
		return "COALESCE(array_position(ARRAY[" + i() + ", " + i() + ", NULL, 3], " + g.pick(i(), "NULL::integer", "3") + "), 0)"
	case 26:
		return "COALESCE(array_length(" + g.pick("array_remove(ARRAY["+i()+", "+i()+", 1, NULL], "+g.pick("1", "NULL::integer", i())+")",
			"array_replace(ARRAY["+i()+", NULL, 2], NULL, "+i()+")", "array_positions(ARRAY["+i()+", "+i()+", 1], 1)") + ", 1), 0)"
	case 27:
		return g.pick("num_nulls(", "num_nonnulls(") + i() + ", " + t() + ", " + col(kNum) + ")"
	case 28:
		return g.pick("gcd(", "lcm(") + i() + ", " + g.pick("6", "-4", "0", i()) + ")"
	case 22:
		return "CAST(extract(" + g.pick("hour", "minute", "dow", "doy", "isoyear", "week", "day", "month") + " FROM " + g.expr(g.pickKind(kTs, kTz), aliases) + ") AS integer)"
	case 23:
		return "(CAST(" + g.expr(g.pickKind(kTs, kTz), aliases) + " AS date) - " + col(kDate) + ")"
	case 24:
		return "CAST(date_part('" + g.pick("hour", "minute", "second") + "', " + g.expr(kTs, aliases) + ") AS integer)"
	case 0:
		return "(" + i() + " " + g.pick("+", "-", "*") + " " + i() + ")"
	case 1:
		return "length(" + t() + ")"
	case 2:
		return "COALESCE(" + i() + ", " + i() + ")"
	case 3:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + i() + " ELSE " + i() + " END"
	case 4:
		return "CAST(extract(" + g.pick("month", "day", "year", "dow", "doy", "quarter", "week", "isodow") + " FROM " + col(kDate) + ") AS integer)"
	case 5:
		return "abs(" + i() + ")"
	case 6:
		return "(" + i() + " " + g.pick("%", "/") + " " + g.pick("3", "-2", g.divisor(col(kInt))) + ")"
	case 7:
		return g.pick("position(", "strpos(") + t() + g.pick(" IN ", ", ") + g.pick("'a'", "'b'", "''", "'日'") + ")"
	case 8:
		return g.pick("char_length(", "octet_length(", "ascii(") + t() + ")"
	case 9:
		return "(" + col(kDate) + " - " + col(kDate) + ")"
	case 10:
		return g.pick("greatest(", "least(") + i() + ", " + i() + ")"
	case 11:
		return "NULLIF(" + i() + ", " + g.pick("0", "1", i()) + ")"
	case 12:
		return "sign(" + i() + ")"
	case 13:
		return "mod(" + i() + ", " + g.pick("4", "-3", g.divisor(col(kInt))) + ")"
	case 14:
		return "CAST(" + g.expr(kFloat, aliases) + " AS integer)"
	case 15:
		return "CAST(" + g.expr(kNum, aliases) + " AS integer)"
	case 16:
		// a text cast that fails on most strings, guarded as users guard it
		// (of the string it tests: a guard on one string and a cast of
		// another fails or not by which rows each engine evaluates)
		x := t()
		return "CAST(CASE WHEN " + x + " ~ '^[0-9]{1,6}$' THEN " + x + " END AS integer)"
	case 17:
		return "CAST(date_part('" + g.pick("month", "day", "dow") + "', " + col(kDate) + ") AS integer)"
	case 18:
		return "(-" + i() + ")"
	case 19:
		return "CASE " + i() + " WHEN 0 THEN 10 WHEN 1 THEN " + i() + " ELSE -1 END"
	case 20:
		return "(" + i() + " " + g.pick("&", "|", "#") + " " + i() + ")"
	default:
		return "CAST(" + g.pred(aliases) + " AS integer)"
	}
}

func (g *gen) textExpr(aliases []string, col func(colKind) string) string {
	t := func() string { return g.expr(kText, aliases) }
	i := func() string { return g.expr(kInt, aliases) }
	switch g.r.Intn(36) {
	case 31:
		return g.pick("format('%s|%-4s|%L', "+t()+", "+i()+", "+col(kNum)+")", "format('%2$s-%1$s', "+t()+", "+i()+")",
			"format('%I', COALESCE("+t()+", 'x'))", "format('[%5s]', "+t()+")", "quote_nullable("+t()+")")
	case 32:
		return "array_to_string(" + g.pick("array_remove(ARRAY["+t()+", "+t()+", 'a'], 'a')", "array_replace(ARRAY["+t()+", NULL, 'b'], NULL, "+t()+")",
			"(ARRAY["+t()+", "+t()+", 'z'])["+g.pick("2:3", ":2", "2:", "0:9")+"]", "trim_array(ARRAY["+t()+", "+t()+", 'z'], 1)",
			"string_to_array("+t()+", "+g.pick("'a'", "''", "NULL")+")") + ", ',', '*')"
	case 33:
		// jsonb subscripts and modifications (errors on the wrong shape of
		// document must be PostgreSQL's)
		a := aliases[g.r.Intn(len(aliases))]
		return "CAST(" + g.pick(a+".j['a']", a+".j[0]", a+".j['b'][-1]", a+".j - 'a'", a+".j || '{\"z\": 1}'", "jsonb_set("+a+".j, '{a}', to_jsonb("+i()+"))",
			a+".j #- '{b,0}'", "jsonb_insert("+a+".j, '{b,0}', '9')", "jsonb_pretty("+a+".j)",
			// SQL/JSON paths, lax and strict, errors thrown and suppressed
			"jsonb_path_query_array("+a+".j, "+g.pick("'$.a'", "'$.b[*] ? (@ > 1)'", "'strict $.a.b'", "'$.** ? (@.type() == \"number\")'", "'$[*].size()'", "'$.a + 1'", "'$ ? (exists (@.a) && @.b starts with \"a\")'")+g.pick("", ", '{}', true")+")",
			"jsonb_path_query_first("+a+".j, "+g.pick("'$.b[last]'", "'$.*'", "'$.a.double()'")+")") + " AS text)"
	case 34:
		return "encode(sha256(CAST(" + g.pick("md5(", "upper(") + t() + ") AS bytea)), " + g.pick("'base64'", "'hex'", "'escape'") + ")"
	case 35:
		return "CAST(" + g.pick("to_json(", "to_jsonb(") + g.pick(t(), g.expr(kTz, aliases), g.expr(kTs, aliases), col(kNum), col(kDate)) + ") AS text)"
	case 30:
		// PostgreSQL's regular expressions through RE2 (functions/pgregex.go)
		pat := g.pick("'[ab]+'", "'^.'", "'(a)(b)?'", "'o+'", "'.'", `'\w+'`, "'[^a ]+'", "'b*'", "''", "'(?:x|y)'")
		flags := g.pick("", ", 'i'", ", 'n'", ", 'x'")
		switch g.r.Intn(5) {
		case 0:
			return "array_to_string(regexp_match(" + t() + ", " + pat + flags + "), ',', '~')"
		case 1:
			return "array_to_string(regexp_split_to_array(" + t() + ", " + pat + flags + "), '|')"
		case 2:
			return "CAST(regexp_count(" + t() + ", " + pat + ") AS text)"
		case 3:
			return "CAST(regexp_like(" + t() + ", " + pat + flags + ") AS text)"
		}
		return "COALESCE(regexp_substr(" + t() + ", " + pat + ", 1, " + g.pick("1", "2") + "), '-')"
	case 26:
		return "to_char(" + g.expr(g.pickKind(kTs, kTz), aliases) + ", " + g.pick("'YYYY-MM-DD HH24:MI:SS'", "'HH12:MI:SS AM'", "'Dy DD Mon YYYY HH24:MI:SS.US'", "'YYYY-MM-DD\"T\"HH24:MI:SS.MS'", "'IYYY-IW-ID'", "'FMDD/FMMM/YY SSSS'", "'TZ OF'") + ")"
	case 27:
		return "CAST(" + g.pick(g.expr(kTs, aliases), g.expr(kTz, aliases), g.interval(aliases)) + " AS text)"
	case 28:
		return "CAST(" + g.pick("age(", "justify_hours(", "justify_days(", "justify_interval(") + g.expr(kTs, aliases) + g.pick(", ", " - ") + g.expr(kTs, aliases) + ") AS text)"
	case 29:
		if g.r.Intn(2) == 0 {
			a := aliases[g.r.Intn(len(aliases))]
			return g.pick("("+a+".j ->> 'a')", "("+a+".j #>> '{a,b}')", "jsonb_typeof("+a+".j)", "jsonb_extract_path_text("+a+".j, 'b', '1')", "CAST("+a+".j AS text)", "("+a+".j ->> 0)")
		}
		return "(" + t() + " || " + g.pick(g.expr(kTs, aliases), g.expr(kTz, aliases), g.expr(kBig, aliases), g.expr(kReal, aliases)) + ")"
	case 0:
		return g.pick("lower(", "upper(", "initcap(", "reverse(", "md5(") + t() + ")"
	case 1:
		return "(" + t() + " || " + g.pick(t(), i(), col(kNum), col(kDate)) + ")"
	case 2:
		return "substr(" + t() + ", " + g.pick("2", "0", "-1", i()) + g.pick("", ", 3", ", 0", ", abs("+i()+")") + ")"
	case 3:
		// numeric columns, not expressions: a CASE over numerics of two
		// scales prints at the wider one in lakeq, each value's own in
		// PostgreSQL (see the fuzz README)
		return "CAST(" + g.pick(i(), col(kNum), col(kDate), col(kBool), col(kFloat)) + " AS text)"
	case 4:
		return "COALESCE(" + t() + ", 'none')"
	case 5:
		return "replace(" + t() + ", " + g.pick("'a'", "'b'", "''", "'ü'") + ", " + g.pick("'xy'", "''", "'A'") + ")"
	case 6:
		return "split_part(" + t() + ", " + g.pick("'b'", "' '", "'a'") + ", " + g.pick("1", "2", "-1") + ")"
	case 7:
		return g.pick("trim(", "ltrim(", "rtrim(", "btrim(") + t() + g.pick("", ", 'a'", ", ' a'") + ")"
	case 8:
		return g.pick("left(", "right(") + t() + ", " + g.pick("2", "-1", "0", i()) + ")"
	case 9:
		return g.pick("lpad(", "rpad(") + t() + ", " + g.pick("5", "0", "2", i()) + g.pick("", ", '*'", ", 'xy'", ", ''") + ")"
	case 10:
		return "repeat(" + t() + ", " + g.pick("2", "0", "-1") + ")"
	case 11:
		return "concat(" + t() + ", " + g.pick(i(), "NULL", col(kNum)) + ", " + t() + ")"
	case 12:
		return "concat_ws(" + g.pick("'-'", "''", "NULL") + ", " + t() + ", " + i() + ", " + t() + ")"
	case 13:
		return "translate(" + t() + ", " + g.pick("'ab'", "'a'", "'üb'") + ", " + g.pick("'x'", "'XY'", "''") + ")"
	case 14:
		return "regexp_replace(" + t() + ", " + g.pick("'[ab]+'", "'^.'", "'(a)(b)?'", "'o+'", "'o*'", "'b*'") + ", " + g.pick("'X'", "''", "'<\\1>'", "'[\\&]&'") + g.pick("", ", 'g'", ", 'i'") + ")"
	case 15:
		return "substring(" + t() + " FROM " + g.pick("2", "1", i()) + g.pick("", " FOR 2", " FOR 0") + ")"
	case 16:
		return "to_char(" + col(kDate) + ", " + g.pick("'YYYY-MM-DD'", "'DD Mon YYYY'", "'Day'", "'YYYY\"Q\"Q'", "'FMMonth DD'", "'IYYY-IW'", "'DDD'") + ")"
	case 17:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + t() + g.pick("", " ELSE "+t()) + " END"
	case 18:
		return "NULLIF(" + t() + ", " + g.pick("'a'", "''", t()) + ")"
	case 19:
		return g.pick("greatest(", "least(") + t() + ", " + t() + ")"
	case 20:
		f := g.pick("'999D99'", "'FM9990.00'", "'S999'", "'000'", "'9G999MI'", "'99V9'", "'999.9PR'")
		if g.r.Intn(3) == 0 { // read back
			return "CAST(to_number(to_char(" + g.pick(col(kNum), i()) + ", " + f + "), " + f + ") AS text)"
		}
		return "to_char(" + g.pick(col(kNum), i()) + ", " + f + ")"
	case 21:
		return "chr(" + g.pick("65", "97", "252") + " + " + g.pick("0", "1", "abs("+i()+") % 20") + ")"
	case 22:
		return "overlay(" + t() + " placing " + g.pick("'Z'", "''") + " from " + g.pick("1", "2") + g.pick("", " for 1") + ")"
	case 23:
		return "quote_literal(" + t() + ")"
	case 24:
		return "CAST(" + t() + " AS varchar(3))"
	default:
		return "split_part(" + t() + ", 'a', 1)"
	}
}

func (g *gen) numExpr(aliases []string, col func(colKind) string) string {
	n := func() string { return g.expr(kNum, aliases) }
	i := func() string { return g.expr(kInt, aliases) }
	switch g.r.Intn(21) {
	case 17:
		return "sqrt(abs(" + n() + "))"
	case 18:
		return g.pick("ln(", "log(") + "abs(" + n() + ") + 1)"
	case 19:
		return "power(" + g.pick(col(kNum)+", 2", "abs("+col(kNum)+") + 1, 0.5", "1.5, "+g.pick("2", "-3", "0")) + ")"
	case 20:
		return "trim_scale(" + n() + ")"
	case 14:
		return "extract(" + g.pick("second", "epoch", "milliseconds", "julian") + " FROM " + g.expr(g.pickKind(kTs, kTz), aliases) + ")"
	case 15:
		return "extract(" + g.pick("epoch", "hour", "day", "minute") + " FROM " + g.interval(aliases) + ")"
	case 16:
		return "(" + col(kNum) + " " + g.pick("+", "*", "-") + " " + g.expr(kBig, aliases) + ")"
	case 0:
		return "(" + col(kNum) + " + " + col(kNum) + ")"
	case 1:
		return "(" + col(kNum) + " * " + g.pick("2", n(), "0.5") + ")"
	case 2:
		return "round(" + n() + g.pick("", ", 1", ", 0", ", -1", ", 3") + ")"
	case 3:
		return "CAST(" + i() + " AS numeric(10,2))"
	case 4:
		return "(" + n() + " / " + g.pick("3", "7", "0.5", g.divisor(col(kNum)), g.divisor(col(kInt))) + ")"
	case 5:
		return "trunc(" + n() + g.pick("", ", 1", ", -1") + ")"
	case 6:
		return g.pick("ceil(", "floor(", "abs(", "sign(") + n() + ")"
	case 7:
		return "(" + n() + " % " + g.pick("3", "0.7", g.divisor(col(kNum))) + ")"
	case 8:
		return "(-" + n() + ")"
	case 9:
		return "COALESCE(" + n() + ", " + g.pick("0", "1.5", n()) + ")"
	case 10:
		return "CAST(" + col(kFloat) + " AS numeric(12,3))"
	case 11:
		return "(" + n() + " - " + i() + ")"
	case 12:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + n() + " ELSE " + g.pick("0", "NULL", n()) + " END"
	default:
		return g.pick("greatest(", "least(") + n() + ", " + n() + ")"
	}
}

func (g *gen) floatExpr(aliases []string, col func(colKind) string) string {
	f := func() string { return g.expr(kFloat, aliases) }
	switch g.r.Intn(15) {
	case 12:
		return g.pick("sind(", "cosd(", "tand(", "cotd(") + f() + ")"
	case 13:
		return g.pick("sinh(", "tanh(", "asinh(", "cbrt(", "atan(", "sin(", "cos(", "exp(") + f() + " / 100)"
	case 14:
		return g.pick("atan2d("+f()+", "+g.pick("1", f())+")", "asind(greatest(-1, least(1, "+f()+")))", "acosd(greatest(-1, least(1, "+f()+" / 10)))")
	case 11:
		return "(" + f() + " " + g.pick("+", "*", "-") + " " + g.pick(g.expr(kReal, aliases), g.expr(kBig, aliases)) + ")"
	case 10:
		return "date_part('" + g.pick("epoch", "second", "hour") + "', " + g.expr(g.pickKind(kTs, kTz), aliases) + ")"
	case 0:
		return "(" + f() + " " + g.pick("+", "-", "*") + " " + g.pick("2.5", f(), g.expr(kInt, aliases)) + ")"
	case 1:
		return "(" + f() + " / " + g.pick("4", "3.0", g.divisor(col(kFloat))) + ")"
	case 2:
		return g.pick("round(", "trunc(", "floor(", "ceil(", "abs(") + f() + ")"
	case 3:
		return "sqrt(abs(" + f() + "))"
	case 4:
		return "power(" + f() + ", 2)"
	case 5:
		return "CAST(" + g.expr(kNum, aliases) + " AS double precision)"
	case 6:
		return "date_part('" + g.pick("month", "day", "year", "dow") + "', " + col(kDate) + ")"
	case 7:
		return "CAST(" + g.expr(kInt, aliases) + " AS double precision)"
	case 8:
		return "COALESCE(" + f() + ", " + fmt.Sprint(g.r.Intn(3)) + ")"
	default:
		return "(-" + f() + ")"
	}
}

func (g *gen) dateExpr(aliases []string, col func(colKind) string) string {
	d := func() string { return g.expr(kDate, aliases) }
	switch g.r.Intn(9) {
	case 8:
		return "CAST(" + g.expr(g.pickKind(kTs, kTz), aliases) + " AS date)"
	case 0:
		return "(" + d() + " + " + g.pick("7", "-31", g.expr(kInt, aliases)) + ")"
	case 1:
		return "(" + d() + " - " + g.pick("1", "365") + ")"
	case 2:
		return "CAST(date_trunc('" + g.pick("month", "year", "week", "quarter") + "', " + d() + ") AS date)"
	case 3:
		return "COALESCE(" + d() + ", DATE '2024-01-01')"
	case 4:
		return "CAST(" + d() + " + interval '" + g.pick("1 month", "1 day", "-2 months", "1 year") + "' AS date)"
	case 5:
		return g.pick("greatest(", "least(") + d() + ", " + d() + ")"
	case 6:
		// valid constants only: PostgreSQL folds a constant call at plan
		// time, raising its error even where no row reaches it
		return "make_date(2024, " + g.pick("1", "2", "12") + ", " + g.pick("1", "28", "29") + ")"
	default:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + d() + " END"
	}
}

// bigExpr is bigint arithmetic near the limits: PostgreSQL's 22003 on
// overflow must be lakeq's, and int4 columns widen to bigint beside it.
func (g *gen) bigExpr(aliases []string, col func(colKind) string) string {
	b := func() string { return g.expr(kBig, aliases) }
	switch g.r.Intn(10) {
	case 0:
		return "(" + b() + " " + g.pick("+", "-", "*") + " " + g.pick(b(), g.expr(kInt, aliases), "2", "1") + ")"
	case 1:
		return "(" + b() + " " + g.pick("/", "%") + " " + g.pick("7", "-1", g.divisor(col(kBig))) + ")"
	case 2:
		return g.pick("abs(", "(-") + b() + ")"
	case 3:
		return "CAST(" + g.pick(g.expr(kInt, aliases), g.expr(kNum, aliases), g.expr(kFloat, aliases), g.expr(kReal, aliases)) + " AS bigint)"
	case 4:
		return "COALESCE(" + b() + ", " + g.pick("0", g.expr(kInt, aliases)) + ")"
	case 5:
		return g.pick("greatest(", "least(") + b() + ", " + g.expr(kInt, aliases) + ")"
	case 6:
		// of a column: a constant that overflows fails at plan time in
		// PostgreSQL, whether or not a row reaches it
		// guarded as users guard a narrowing cast: an unguarded one fails
		// or not by which rows each engine evaluates (PostgreSQL skips a
		// hash join's outer side when the inner one is empty)
		return "CAST(CAST(CASE WHEN " + col(kBig) + " BETWEEN -2147483648 AND 2147483647 THEN " + col(kBig) + " END AS integer) AS bigint)"
	case 7:
		return "(" + b() + g.pick(" << 1", " >> 3", " & 255", " | 1", " # -1") + ")"
	case 8:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + b() + " ELSE " + g.expr(kInt, aliases) + " END"
	default:
		return "CAST(CAST(CASE WHEN " + col(kBig) + " BETWEEN -32768 AND 32767 THEN " + col(kBig) + " END AS smallint) AS bigint)"
	}
}

// realExpr is float4: its own rounding and shortest output, widened to
// double precision beside a double.
func (g *gen) realExpr(aliases []string, col func(colKind) string) string {
	r := func() string { return g.expr(kReal, aliases) }
	switch g.r.Intn(7) {
	case 0:
		return "(" + r() + " " + g.pick("+", "-", "*") + " " + g.pick(r(), "CAST(1.5 AS real)", "CAST(0.1 AS real)") + ")"
	case 1:
		return "(" + r() + " / " + g.pick("CAST(3 AS real)", "NULLIF("+col(kReal)+", 0)") + ")"
	case 2:
		return "CAST(" + g.pick(g.expr(kFloat, aliases), g.expr(kNum, aliases), g.expr(kInt, aliases), g.expr(kBig, aliases)) + " AS real)"
	case 3:
		return g.pick("abs(", "(-") + r() + ")"
	case 4:
		return "COALESCE(" + r() + ", 0)"
	case 5:
		return g.pick("greatest(", "least(") + r() + ", " + r() + ")"
	default:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + r() + " END"
	}
}

// intervals as users write them: spans in several units, signs, months
// beside days beside times
var intervals = []string{"'1 hour'", "'90 minutes'", "'1 day 2 hours'", "'-1 month'", "'1 year 2 months'", "'0.5 seconds'", "'1 week'", "'-36 hours'", "'1 mon -1 day'"}

func (g *gen) tsExpr(aliases []string, col func(colKind) string) string {
	ts := func() string { return g.expr(kTs, aliases) }
	switch g.r.Intn(12) {
	case 11:
		return "(" + g.expr(kTz, aliases) + " AT TIME ZONE " + g.zone() + ")"
	case 0:
		return "(" + ts() + g.pick(" + ", " - ") + "interval " + intervals[g.r.Intn(len(intervals))] + ")"
	case 1:
		return "date_trunc('" + g.pick("second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "milliseconds") + "', " + ts() + ")"
	case 2:
		return "CAST(" + g.expr(kDate, aliases) + " AS timestamp)"
	case 3:
		return "(" + g.expr(kDate, aliases) + " + " + g.pick("interval '3 hours'", "time '10:30'", "interval '-1 day'") + ")"
	case 4:
		return "COALESCE(" + ts() + ", TIMESTAMP '2024-01-01 00:00:00')"
	case 5:
		return g.pick("greatest(", "least(") + ts() + ", " + ts() + ")"
	case 6:
		return "CASE WHEN " + g.pred(aliases) + " THEN " + ts() + " END"
	case 7:
		return "make_timestamp(2024, " + g.pick("1", "2", "12") + ", " + g.pick("1", "28", "29") + ", " + g.pick("0", "23") + ", " + g.pick("0", "59") + ", " + g.pick("0", "59.5", "1.25") + ")"
	case 8:
		return "CAST(" + g.expr(kTz, aliases) + " AS timestamp)"
	case 9:
		return "(" + ts() + " + interval '1 hour' * " + g.pick("2", "-3", g.expr(kInt, aliases)) + ")"
	default:
		return "date_bin(interval '" + g.pick("15 minutes", "1 day", "6 hours") + "', " + ts() + ", TIMESTAMP '2024-01-01 00:00:00')"
	}
}

func (g *gen) tzExpr(aliases []string, col func(colKind) string) string {
	tz := func() string { return g.expr(kTz, aliases) }
	switch g.r.Intn(8) {
	case 6:
		return "(" + g.expr(kTs, aliases) + " AT TIME ZONE " + g.zone() + ")"
	case 7:
		return "date_trunc('" + g.pick("day", "hour", "month") + "', " + tz() + ", " + g.pick("'Asia/Tokyo'", "'America/New_York'", "'EST'") + ")"
	case 0:
		return "(" + tz() + g.pick(" + ", " - ") + "interval " + intervals[g.r.Intn(len(intervals))] + ")"
	case 1:
		return "CAST(" + g.expr(kTs, aliases) + " AS timestamptz)"
	case 2:
		return "date_trunc('" + g.pick("hour", "day", "month") + "', " + tz() + ")"
	case 3:
		return "to_timestamp(" + g.pick("0", "1700000000.5", g.expr(kInt, aliases)+" * 86400") + ")"
	case 4:
		return "COALESCE(" + tz() + ", TIMESTAMPTZ '2024-01-01 00:00:00+00')"
	default:
		return g.pick("greatest(", "least(") + tz() + ", " + tz() + ")"
	}
}

// zone is a time zone as AT TIME ZONE takes it: names, abbreviations,
// POSIX zones and intervals
func (g *gen) zone() string {
	return g.pick("'UTC'", "'America/New_York'", "'Asia/Kolkata'", "'EST'", "'Europe/Berlin'", "INTERVAL '05:30'", "'utc+3'", "'Australia/Lord_Howe'")
}

// interval is an expression of type interval: a difference of
// timestamps, a literal scaled or added.
func (g *gen) interval(aliases []string) string {
	switch g.r.Intn(4) {
	case 0:
		return "(" + g.expr(kTs, aliases) + " - " + g.expr(kTs, aliases) + ")"
	case 1:
		return "(" + g.expr(kTz, aliases) + " - " + g.expr(kTz, aliases) + ")"
	case 2:
		return "(interval " + intervals[g.r.Intn(len(intervals))] + " * " + g.pick("2", "-1", "0.5", g.expr(kInt, aliases)) + ")"
	default:
		return "(interval " + intervals[g.r.Intn(len(intervals))] + g.pick(" + ", " - ") + "interval " + intervals[g.r.Intn(len(intervals))] + ")"
	}
}

// divisor guards a column divisor that may be zero, as users guard
// theirs: NULLIF, or a CASE that must keep the division from running on
// a zero (lakeq raising 22012 there would be a finding). An unguarded
// zero divisor would raise or not depending on which rows each engine
// happens to evaluate (PostgreSQL skips the outer side of a join whose
// inner side is empty, and folds constant divisions at plan time):
// undefined in SQL, so not compared.
func (g *gen) divisor(c string) string {
	if g.r.Intn(2) == 0 {
		return "NULLIF(" + c + ", 0)"
	}
	return "CASE WHEN " + c + " <> 0 THEN " + c + " ELSE 1 END"
}
