package parser

import (
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// FuzzParse: no input makes the parser panic or fail internally.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "SELECT a, b FROM t WHERE a > 1 ORDER BY 2 DESC NULLS LAST LIMIT 3",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r) SELECT * FROM r",
		"SELECT x[1], y::int[], z -> 'k', CASE WHEN a THEN 1 END FROM t",
		"INSERT INTO t (a) VALUES (DEFAULT), ($1)", "UPDATE t SET a = a + 1 WHERE b IN (SELECT 1)",
		"CREATE TABLE t (a numeric(10,2) DEFAULT 1 NOT NULL, b varchar(3)[])",
		"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FILTER (WHERE y) FROM t GROUP BY ROLLUP (a, (b, c))",
		"SELECT sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
		"SELECT 'a' LIKE 'b' ESCAPE '!', E'\\x41', U&'\\0041', $$dollar$$", "SELECT (", "", ";;", "\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		_, err := Parse(sql)
		if err != nil && sqlerr.Code(err) == sqlerr.Internal {
			t.Fatalf("internal error for %q: %v", sql, err)
		}
	})
}
