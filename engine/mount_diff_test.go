package engine

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/internal/testmysql"
	"github.com/lakeq/lakeq/internal/testpg"
)

// Differential test of what the connectors run at the source: the same
// rows in PostgreSQL and in MariaDB — strings that differ only in case or
// trailing spaces, multi-byte characters, LIKE metacharacters, NULLs in
// every column — and random filters, sorts and limits over them. Through
// either mount, lakeq's answer must be PostgreSQL's own (whose semantics
// lakeq keeps), however much of the query the source ran.
func TestMountDifferential(t *testing.T) {
	pg := testpg.Start(t)
	pdb := openDB(t, "pgx", pg.CreateDB(t, "diff"))
	my := testmysql.Start(t)
	mdb := openDB(t, "mysql", my.CreateDB(t, "diff"))
	strs := []string{"a", "A", "a ", "b", "B ", "", "ab%", "a_c", "Ärger", "ärger", "x", "aB"}
	var rows []string
	rng := rand.New(rand.NewPCG(1, 2))
	for id := 1; id <= 300; id++ {
		val := func(p int, f func() string) string {
			if rng.IntN(100) < p {
				return "NULL"
			}
			return f()
		}
		rows = append(rows, fmt.Sprintf("(%d, %s, %s, %s, %s)", id,
			val(15, func() string { return fmt.Sprint(rng.IntN(21) - 10) }),
			val(15, func() string { return "'" + strs[rng.IntN(len(strs))] + "'" }),
			val(15, func() string { return fmt.Sprintf("'2024-01-%02d'", 1+rng.IntN(28)) }),
			val(15, func() string { return fmt.Sprintf("%d.%02d", rng.IntN(2000)-1000, rng.IntN(100)) })))
	}
	insert := "INSERT INTO f VALUES " + strings.Join(rows, ", ")
	// g: a dimension to join f with, on strings (case and trailing
	// spaces matter) and on integers
	var grows []string
	for id := 1; id <= 40; id++ {
		s := "NULL"
		if id%9 != 0 {
			s = "'" + strs[id%len(strs)] + "'"
		}
		grows = append(grows, fmt.Sprintf("(%d, %s, %d)", id, s, id%13-6))
	}
	for _, q := range []string{"CREATE TABLE f (id int PRIMARY KEY, a int, s varchar(10), d date, n numeric(8,2))", insert,
		"CREATE TABLE g (gid int PRIMARY KEY, gs varchar(10), ga int)", "INSERT INTO g VALUES " + strings.Join(grows, ", ")} {
		if _, err := pdb.Exec(q); err != nil {
			t.Fatal(err)
		}
		if _, err := mdb.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s := scratchSession(t, Config{DataDir: t.TempDir(), Workers: 2})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'diff' URI '127.0.0.1' PORT %d USER '%s' PASSWORD 'x'", pg.Port, pg.User))
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL SCHEMA my FROM MYSQL DATABASE 'diff' URI '127.0.0.1' PORT %d USER '%s' PASSWORD '%s'", my.Port, my.User, my.Password))

	lits := map[string][]string{
		"a": {"0", "3", "-10", "10", "7"},
		"s": {"'a'", "'A'", "'a '", "'b'", "''", "'Ärger'", "'aB'", "'B'"},
		"d": {"'2024-01-05'", "'2024-01-15'", "'2024-01-28'"},
		"n": {"0", "-500.5", "250.25", "999.99"},
	}
	likes := []string{"'a%'", "'A%'", "'%r%'", "'_rger'", "'a\\_c'", "'ab\\%'", "'%'", "'a _'", "'_'", "'%b'"}
	cols := []string{"a", "s", "d", "n"}
	var pred func(depth int) string
	pred = func(depth int) string {
		r := rng.IntN(10)
		if depth > 0 && r < 3 {
			op := []string{"AND", "OR"}[rng.IntN(2)]
			return "(" + pred(depth-1) + " " + op + " " + pred(depth-1) + ")"
		}
		if depth > 0 && r == 3 {
			return "NOT (" + pred(depth-1) + ")"
		}
		c := cols[rng.IntN(len(cols))]
		switch rng.IntN(5) {
		case 0:
			return c + " IS " + []string{"", "NOT "}[rng.IntN(2)] + "NULL"
		case 1:
			if c == "s" {
				return "s " + []string{"", "NOT "}[rng.IntN(2)] + "LIKE " + likes[rng.IntN(len(likes))]
			}
			fallthrough
		case 2:
			l := lits[c]
			return c + []string{" IN (", " NOT IN ("}[rng.IntN(2)] + l[rng.IntN(len(l))] + ", " + l[rng.IntN(len(l))] + ")"
		default:
			l := lits[c]
			return c + " " + []string{"=", "<>", "<", "<=", ">", ">="}[rng.IntN(6)] + " " + l[rng.IntN(len(l))]
		}
	}
	order := func() string {
		c := cols[rng.IntN(len(cols))]
		if c == "s" {
			c = `s COLLATE "C"` // PostgreSQL's reference orders bytes, as lakeq does
		}
		return c + []string{"", " DESC"}[rng.IntN(2)] + []string{"", " NULLS FIRST", " NULLS LAST"}[rng.IntN(3)] + ", id"
	}
	pgAnswer := func(q string) string {
		var out sql.NullString
		if err := pdb.QueryRow(q).Scan(&out); err != nil {
			t.Fatalf("PostgreSQL: %s: %v", q, err)
		}
		return out.String
	}
	// every leaf alone first (a random mix may hide one under an AND),
	// then random trees
	var leaves []string
	for _, p := range likes {
		leaves = append(leaves, "s LIKE "+p, "s NOT LIKE "+p)
	}
	for _, c := range cols {
		leaves = append(leaves, c+" IS NULL", c+" IS NOT NULL")
		for _, l := range lits[c] {
			for _, op := range []string{"=", "<>", "<", "<=", ">", ">="} {
				leaves = append(leaves, c+" "+op+" "+l)
			}
		}
	}
	for i := 0; i < len(leaves)+300; i++ {
		w := ""
		if i < len(leaves) {
			w = leaves[i]
		} else {
			w = pred(2)
		}
		o := order()
		lim := 1 + rng.IntN(20)
		for _, q := range []struct{ lakeq, ref string }{
			{"SELECT count(*), sum(a), min(s), max(d), count(DISTINCT s) FROM {m}.f WHERE " + w,
				"SELECT concat_ws('|', count(*), coalesce(sum(a)::text, ''), coalesce(min(s COLLATE \"C\"), ''), coalesce(max(d)::text, ''), count(DISTINCT s)) FROM f WHERE " + w},
			{"SELECT count(*), sum(g.gid) FROM {m}.f JOIN {m}.g ON f.s = g.gs WHERE " + w,
				"SELECT concat_ws('|', count(*), coalesce(sum(g.gid)::text, '')) FROM f JOIN g ON f.s = g.gs WHERE " + w},
			{"SELECT count(*), max(f.id) FROM {m}.f JOIN {m}.g ON f.a = g.ga AND g.gid < 30 WHERE " + w,
				"SELECT concat_ws('|', count(*), coalesce(max(f.id)::text, '')) FROM f JOIN g ON f.a = g.ga AND g.gid < 30 WHERE " + w},
			{"SELECT string_agg(id::text, ',') FROM (SELECT id FROM {m}.f WHERE " + w + " ORDER BY " + strings.ReplaceAll(o, ` COLLATE "C"`, "") + fmt.Sprintf(" LIMIT %d) x", lim),
				"SELECT string_agg(id::text, ',') FROM (SELECT id FROM f WHERE " + w + " ORDER BY " + o + fmt.Sprintf(" LIMIT %d) x", lim)},
		} {
			want := pgAnswer(q.ref)
			for _, mount := range []string{"pg", "my"} {
				lq := strings.ReplaceAll(q.lakeq, "{m}", mount)
				r, err := s.Query(context.Background(), lq)
				if err != nil {
					t.Fatalf("%s: %v", lq, err)
				}
				var parts []string
				for c := range r.Columns {
					v, _ := r.Text(c, r.Value(0, c))
					if r.Value(0, c) == nil {
						v = ""
					}
					parts = append(parts, v)
				}
				got := strings.Join(parts, "|")
				if strings.Count(want, "|") == 0 {
					got = parts[0]
				}
				if got != want {
					ex, _ := s.Query(context.Background(), "EXPLAIN "+lq)
					var plan []string
					for i := 0; ex != nil && i < int(ex.NumRows()); i++ {
						v, _ := ex.Text(0, ex.Value(i, 0))
						plan = append(plan, v)
					}
					t.Fatalf("%s\n got  %s\n want %s (PostgreSQL)\n%s", lq, got, want, strings.Join(plan, "\n"))
				}
			}
		}
	}
}
