package functions

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/sqlerr"
)

// TestJSONPathDifferential runs generated jsonpath expressions over
// generated documents in PostgreSQL 15 and in lakeq, in lax and strict
// mode, with errors thrown and suppressed: the same jsonb_path_query_array
// text (and jsonb_path_exists, jsonb_path_match) or the same SQLSTATE.
func TestJSONPathDifferential(t *testing.T) {
	ctx := context.Background()
	srv := testpg.Start(t)
	c, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	r := rand.New(rand.NewPCG(15, 11))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	var doc func(depth int) string
	doc = func(depth int) string {
		if depth > 2 || r.IntN(3) == 0 {
			return pick("1", "2", "-3.50", "0", "10", "\"a\"", "\"b\"", "\"abc\"", "\"Ab\"", "true", "false", "null", "2.25", "\"1.5\"")
		}
		var parts []string
		if r.IntN(2) == 0 {
			for n := r.IntN(4); n > 0; n-- {
				parts = append(parts, doc(depth+1))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		}
		for n := r.IntN(4); n > 0; n-- {
			parts = append(parts, fmt.Sprintf("%q: %s", pick("a", "b", "c", "x"), doc(depth+1)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	var path func(depth int, inFilter bool) string
	accessor := func(inFilter bool, depth int) string {
		switch r.IntN(9) {
		case 0:
			return ".*"
		case 1:
			return "[*]"
		case 2:
			return "[" + pick("0", "1", "last", "0 to 1", "1 to last", "0, 2", "5", "last - 1", "$x - 1") + "]"
		case 3:
			return ".**" + pick("", "{1}", "{0 to 1}", "{1 to last}")
		case 4:
			return "." + pick("type()", "size()", "abs()", "floor()", "ceiling()", "double()")
		case 5:
			if depth < 2 {
				return " ? (" + path(depth+1, true) + ")"
			}
		}
		return "." + pick("a", "b", "c", "x", "\"a\"")
	}
	base := func(inFilter bool) string {
		if inFilter && r.IntN(2) == 0 {
			return "@"
		}
		return "$"
	}
	path = func(depth int, inFilter bool) string {
		chain := func() string {
			s := base(inFilter)
			for n := r.IntN(3); n > 0; n-- {
				s += accessor(inFilter, depth)
			}
			return s
		}
		lit := func() string { return pick("1", "2", "\"a\"", "\"abc\"", "true", "null", "$x", "$s", "2.5", "-1") }
		if !inFilter && r.IntN(6) == 0 { // arithmetic printed at its scale
			return pick("", "-") + chain() + " " + pick("+", "-", "*", "/", "%") + " " + pick("1", "3", "7", "0.25", "$x", "-2", "1e3", chain())
		}
		if !inFilter && r.IntN(3) > 0 {
			return chain()
		}
		switch r.IntN(9) {
		case 0, 1:
			return chain() + " " + pick("==", "!=", "<", ">=", "<>", ">") + " " + pick(lit(), chain())
		case 2:
			return "exists (" + chain() + ")"
		case 3:
			return chain() + " like_regex " + pick(`"^a"`, `"b$"`, `"A"`, `"."`) + pick("", ` flag "i"`, ` flag "q"`)
		case 4:
			return chain() + " starts with " + pick(`"a"`, `"ab"`, "$s")
		case 5:
			return "(" + path(depth+1, true) + ") " + pick("&&", "||") + " (" + path(depth+1, true) + ")"
		case 6:
			return "!(" + path(depth+1, true) + ")"
		case 7:
			return "(" + path(depth+1, true) + ") is unknown"
		}
		return "(" + chain() + " " + pick("+", "-", "*", "/", "%") + " " + pick("1", "3", "$x", chain()) + ") " + pick("==", ">", "<") + " " + lit()
	}
	type fn struct{ sql, name string }
	fns := []fn{{"jsonb_path_query_array($1::jsonb, $2, $3::jsonb, $4)::text", "query_array"}, {"jsonb_path_exists($1::jsonb, $2, $3::jsonb, $4)::text", "exists"}, {"jsonb_path_match($1::jsonb, $2, $3::jsonb, $4)::text", "match"}}
	n, fails, values, errs := 2500, 0, 0, 0
	if testing.Short() {
		n = 600
	}
	const vars = `{"x": 2, "s": "a"}`
	for i := 0; i < n && fails < 20; i++ {
		d := doc(0)
		p := path(0, false)
		if r.IntN(3) == 0 {
			p = "strict " + p
		}
		silent := r.IntN(3) == 0
		f := fns[0]
		if r.IntN(4) == 0 {
			f = fns[1+r.IntN(2)]
		}
		var want *string
		pgErr := c.QueryRow(ctx, "SELECT "+f.sql, pgx.QueryExecModeSimpleProtocol, d, p, vars, silent).Scan(&want)
		var got any
		switch f.name {
		case "query_array":
			got, err = jsonPathQueryArray(d, p, vars, silent)
		case "exists":
			got, err = jsonPathExists(d, p, vars, silent)
		default:
			got, err = jsonPathMatch(d, p, vars, silent)
		}
		gotText := "NULL"
		switch g := got.(type) {
		case string:
			gotText = g
		case bool:
			gotText = fmt.Sprint(g)
		}
		wantText := "NULL"
		if want != nil {
			wantText = *want
		}
		var pe *pgconn.PgError
		switch {
		case pgErr != nil && !errors.As(pgErr, &pe):
			t.Fatal(pgErr)
		case pgErr != nil && err == nil:
			t.Errorf("%s(%s, %q, silent %v): lakeq %s, PostgreSQL %v", f.name, d, p, silent, gotText, pgErr)
		case pgErr != nil && sqlerr.Code(err) != pe.Code:
			t.Errorf("%s(%s, %q, silent %v): lakeq %v [%s], PostgreSQL %v", f.name, d, p, silent, err, sqlerr.Code(err), pgErr)
		case pgErr != nil:
			errs++
			continue
		case err != nil:
			t.Errorf("%s(%s, %q, silent %v): lakeq %v, PostgreSQL %s", f.name, d, p, silent, err, wantText)
		case gotText != wantText:
			t.Errorf("%s(%s, %q, silent %v): lakeq %s, PostgreSQL %s", f.name, d, p, silent, gotText, wantText)
		default:
			values++
			continue
		}
		fails++
	}
	if values < n/2 || errs < n/100 {
		t.Errorf("%d values and %d errors agreed of %d cases", values, errs, n)
	}
	t.Logf("%d values and %d errors agreed of %d cases", values, errs, n)
}
