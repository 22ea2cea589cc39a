package sqlfuzz

import "fmt"

// shaped generates the query shapes beyond select-filter-group: CTEs,
// derived tables with LIMIT, scalar, IN and EXISTS subqueries in the
// select list, LATERAL, DISTINCT ON, explicit GROUPING SETS with
// grouping(), windows over aggregates, USING and NATURAL joins, VALUES,
// nested set operations, ordered-set and array aggregates, recursive
// CTEs. Each is deterministic: ORDER BY ends at a unique key where rows
// are cut (LIMIT, DISTINCT ON, first_value).
func (g *gen) shaped(from string, aliases []string, pred string) Query {
	t := func() string { return g.tables[g.r.Intn(len(g.tables))].Name }
	a := aliases[0]
	switch g.r.Intn(17) {
	case 0:
		q := "WITH c AS (SELECT " + a + ".k, " + a + ".u, " + g.expr(kText, aliases) + " AS e FROM " + from + " WHERE " + pred + ") SELECT c.k, count(*), max(c.e), min(c.u) FROM c " +
			g.pick("", "WHERE c.u > 0 ", "WHERE c.e IS NOT NULL ") + "GROUP BY c.k"
		return Query{SQL: q}
	case 1:
		inner := t()
		return Query{SQL: "SELECT " + a + ".u, (SELECT " + g.pick("max(x.s)", "count(*)", "sum(x.n)", "min(x.ts)") + " FROM " + inner + " x WHERE x.k = " + a + ".k" + g.pick("", " AND x.u <> "+a+".u") + ") FROM " + from + " WHERE " + pred}
	case 2:
		return Query{SQL: "SELECT DISTINCT ON (" + a + ".k) " + a + ".k, " + a + ".u, " + g.expr(kText, aliases) + " FROM " + from + " WHERE " + pred + " ORDER BY " + a + ".k" + g.pick("", " DESC") + g.pick("", " NULLS FIRST") + ", " + a + ".u" + g.pick("", " DESC") + g.uniqueTail(aliases), Ordered: true}
	case 3:
		inner := t()
		return Query{SQL: "SELECT " + a + ".u, l.m, l.c FROM " + t() + " " + a + g.pick(", LATERAL", " CROSS JOIN LATERAL", " LEFT JOIN LATERAL") + " (SELECT max(x.u) AS m, count(*) AS c FROM " + inner + " x WHERE x.k = " + a + ".k AND " + g.pred([]string{"x"}) + ") l" + g.pick("", " ON true") + " WHERE " + g.pred([]string{a})}
	case 4:
		k1, k2 := g.expr(g.pickKind(kInt, kText, kDate), aliases), g.expr(g.pickKind(kInt, kBool), aliases)
		sets := g.pick("(("+k1+"), ("+k2+"), ())", "(("+k1+", "+k2+"), ("+k1+"))", "(("+k2+"), ("+k1+", "+k2+"), ())", "(("+k1+"), ("+k1+"))")
		return Query{SQL: "SELECT " + k1 + ", " + k2 + ", grouping(" + k1 + ", " + k2 + "), count(*), sum(" + g.expr(kInt, aliases) + ") FROM " + from + " WHERE " + pred + " GROUP BY GROUPING SETS " + sets}
	case 5:
		key := g.expr(g.pickKind(kInt, kText), aliases)
		return Query{SQL: "SELECT " + key + ", sum(" + a + ".u), " + g.pick("rank()", "row_number()", "dense_rank()") + " OVER (ORDER BY sum(" + a + ".u) DESC NULLS LAST, count(*), " + key + " NULLS FIRST), sum(count(*)) OVER () FROM " + from + " WHERE " + pred + " GROUP BY " + key}
	case 6:
		return Query{SQL: "SELECT d.u, d.s FROM (SELECT " + a + ".u, " + g.expr(kText, aliases) + " AS s FROM " + t() + " " + a + " WHERE " + g.pred([]string{a}) + " ORDER BY " + a + ".u" + g.pick("", " DESC") + " LIMIT " + fmt.Sprint(1+g.r.Intn(6)) + g.pick("", " OFFSET 2") + ") d WHERE " + g.pick("d.s IS NOT NULL", "d.u > 0", "true")}
	case 7:
		t0, t1 := t(), t()
		switch g.r.Intn(3) {
		case 0:
			return Query{SQL: "SELECT k, a.u, c.u FROM " + t0 + " a " + g.pick("JOIN", "LEFT JOIN", "FULL JOIN", "RIGHT JOIN") + " " + t1 + " c USING (k) WHERE " + g.pick("k IS NOT NULL", "k IS NULL", "a.u > c.u", "true")}
		case 1:
			return Query{SQL: "SELECT count(*), max(k), max(s) FROM " + t0 + " a " + g.pick("JOIN", "FULL JOIN") + " " + t1 + " c USING (k, s)"}
		}
		return Query{SQL: "SELECT count(*), max(u) FROM (SELECT k, u, s FROM " + t0 + ") a NATURAL " + g.pick("JOIN", "LEFT JOIN", "FULL JOIN") + " (SELECT k, u, s FROM " + t1 + ") c"}
	case 8:
		inner := t()
		return Query{SQL: "SELECT " + a + ".u, " + a + ".k " + g.pick("IN", "NOT IN") + " (SELECT x.k FROM " + inner + " x WHERE " + g.pred([]string{"x"}) + "), EXISTS (SELECT 1 FROM " + inner + " x WHERE x.s = " + a + ".s) FROM " + from + " WHERE " + pred}
	case 9:
		q := "SELECT a.k, a.s FROM " + t() + " a WHERE " + g.pred([]string{"a"})
		r := "SELECT b.k, b.s FROM " + t() + " b WHERE " + g.pred([]string{"b"})
		u := "SELECT c.k, c.s FROM " + t() + " c WHERE " + g.pred([]string{"c"})
		op := func() string { return g.pick(" UNION ", " UNION ALL ", " INTERSECT ", " EXCEPT ", " EXCEPT ALL ") }
		return Query{SQL: g.pick("("+q+op()+r+")"+op()+u, q+op()+"("+r+op()+u+")", "SELECT count(*), count(DISTINCT s) FROM ("+q+op()+r+") x")}
	case 10:
		return Query{SQL: "SELECT v.x, count(" + a + ".u), max(" + a + ".s) FROM (VALUES (1), (2), (NULL::integer), (" + fmt.Sprint(g.r.Intn(40)-10) + ")) v(x) LEFT JOIN " + t() + " " + a + " ON " + a + ".k = v.x GROUP BY v.x"}
	case 11:
		e := g.expr(g.pickKind(kInt, kNum, kFloat, kDate, kTs), aliases)
		return Query{SQL: "SELECT " + a + ".k, " + g.pick("percentile_cont(0.5) WITHIN GROUP (ORDER BY "+g.pick(a+".f", a+".u")+")", "percentile_disc(0.25) WITHIN GROUP (ORDER BY "+e+")", "mode() WITHIN GROUP (ORDER BY "+e+")", "percentile_cont(ARRAY[0.1, 0.9]) WITHIN GROUP (ORDER BY "+a+".f)",
			"percentile_cont(0.25) WITHIN GROUP (ORDER BY "+a+".f DESC)", "mode() WITHIN GROUP (ORDER BY "+e+" DESC)",
			g.pick("rank(", "dense_rank(", "percent_rank(", "cume_dist(")+g.pick("3", "10", "NULL::integer")+") WITHIN GROUP (ORDER BY "+a+".u"+g.pick("", " DESC", " NULLS FIRST", " DESC NULLS LAST")+")") +
			" FROM " + from + " WHERE " + pred + " GROUP BY " + a + ".k"}
	case 12:
		k := g.pickKind(kInt, kText, kNum, kDate, kBool, kTs)
		e := g.expr(k, aliases)
		if k == kText { // array_agg('a') is ambiguous to PostgreSQL (42725): a literal needs its type
			e = "CAST(" + e + " AS text)"
		}
		return Query{SQL: "SELECT " + a + ".k, array_agg(" + e + " ORDER BY " + e + g.pick("", " DESC NULLS LAST", " NULLS FIRST") + "), array_agg(DISTINCT " + a + ".u) FROM " + from + " WHERE " + pred + " GROUP BY " + a + ".k"}
	case 14:
		// FETCH FIRST … WITH TIES: ties on the first key make the rows a
		// set (compared unordered); no OFFSET, which would skip an
		// arbitrary few of a tied group
		return Query{SQL: "SELECT " + g.expr(kInt, aliases) + " AS x, " + g.expr(kText, aliases) + " AS y FROM " + from + " WHERE " + pred + " ORDER BY 1" + g.pick("", " DESC", " NULLS FIRST", " DESC NULLS LAST") + " FETCH FIRST " + fmt.Sprint(g.r.Intn(6)) + " ROWS WITH TIES"}
	case 15:
		// ROWS FROM: set-returning functions side by side, lateral
		return Query{SQL: "SELECT " + a + ".u, t.* FROM " + t() + " " + a + ", ROWS FROM (generate_series(1, abs(" + a + ".u) % 4), " + g.pick("unnest(string_to_array("+a+".s, 'a'))", "regexp_split_to_table("+a+".s, ' ')", "jsonb_object_keys(CASE WHEN jsonb_typeof("+a+".j) = 'object' THEN "+a+".j END)") + ")" + g.pick("", " WITH ORDINALITY") + " t WHERE " + g.pred([]string{a})}
	case 13:
		return Query{SQL: "WITH RECURSIVE r(n, s) AS (SELECT " + a + ".u, " + a + ".s FROM " + t() + " " + a + " WHERE " + g.pred([]string{a}) + " UNION" + g.pick("", " ALL") + " SELECT n + 7, s FROM r WHERE n < " + fmt.Sprint(g.r.Intn(60)) + ") SELECT n, s FROM r"}
	}
	// a window over a join, framed by a unique order
	return Query{SQL: "SELECT " + a + ".u, " + g.pick("sum("+g.expr(kInt, aliases)+")", "max("+g.expr(kText, aliases)+")", "count(*)", "avg("+g.expr(kNum, aliases)+")") + " OVER (PARTITION BY " + g.expr(g.pickKind(kInt, kBool), aliases) + " ORDER BY " + a + ".u" + g.uniqueTail(aliases) + g.pick("", " ROWS BETWEEN 1 PRECEDING AND CURRENT ROW", " RANGE UNBOUNDED PRECEDING") + ") FROM " + from + " WHERE " + pred}
}

// uniqueTail orders by the second alias's unique column too: in a join
// the first alias's u repeats.
func (g *gen) uniqueTail(aliases []string) string {
	if len(aliases) > 1 {
		return ", " + aliases[1] + ".u"
	}
	return ""
}
