package engine

import (
	"context"
	"testing"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// FuzzExpr binds and evaluates arbitrary expressions over a small table:
// every outcome is a result or a SQLSTATE error other than XX000
// (which is what a recovered panic becomes).
func FuzzExpr(f *testing.F) {
	for _, s := range []string{
		"1 + a", "a / 0", "b || 'x'", "CASE WHEN a > 1 THEN b ELSE NULL END", "coalesce(c, 1.5) * 2",
		"NULLIF(a, 2)", "a BETWEEN 1 AND c", "b LIKE '%a_' ESCAPE '!'", "b ~* '^A'", "a IN (1, NULL, 3)",
		"GREATEST(a, c, 0)", "(SELECT max(a) FROM t)", "EXISTS (SELECT 1 FROM t t2 WHERE t2.a = t.a)",
		"d + INTERVAL '1 month'", "extract(dow FROM d)", "date_trunc('week', d::timestamp)", "to_char(d, 'YYYY-MM')",
		"round(c, 1)", "sqrt(abs(a))", "substring(b FROM 2 FOR 3)", "split_part(b, 'a', 2)", "ARRAY[a, 2][1]",
		"a::text::int", "'1e10'::float8::int", "count(*)", "sum(a) OVER ()", "j ->> 'k'", "2147483647 + a",
		"-9223372036854775808::int8 / -1", "'x'::date", "repeat('x', -1)", "lpad(b, 100000000)", "chr(0)",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	eng, err := Open(context.Background(), Config{DataDir: dir, Workers: 1})
	if err != nil {
		f.Fatal(err)
	}
	defer eng.Close()
	setup := eng.NewSession()
	if _, err := setup.Exec(context.Background(), `CREATE TABLE t (a integer, b text, c numeric(6,2), d date, j jsonb);
		INSERT INTO t VALUES (1, 'abc', 1.25, '2024-01-31', '{"k": "v"}'), (2, NULL, NULL, NULL, NULL), (NULL, 'A_z', -3.50, '2000-02-29', '[1]')`); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, e string) {
		s := eng.NewSession()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := s.Exec(ctx, "SELECT "+e+" FROM t")
		if err != nil && sqlerr.Code(err) == sqlerr.Internal {
			t.Fatalf("internal error for %q: %v", e, err)
		}
	})
}
