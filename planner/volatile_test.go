package planner_test

import (
	"testing"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
)

// TestVolatile: a call of a volatile function anywhere in an expression
// makes it volatile; stable ones (now()) and constants do not.
func TestVolatile(t *testing.T) {
	reg := functions.Default()
	for sql, want := range map[string]bool{
		"SELECT random()":                             true,
		"SELECT gen_random_uuid()::text":              true,
		"SELECT 'x' || (random() * 10)::int":          true,
		"SELECT coalesce(NULL, clock_timestamp())":    true,
		"SELECT CASE WHEN true THEN random() END":     true,
		"SELECT pg_catalog.random()":                  true,
		"SELECT nextval('s')":                         true,
		"SELECT now()":                                false,
		"SELECT 7":                                    false,
		"SELECT lower('A') || upper('b')":             false,
		"SELECT date '2020-01-01' + interval '1 day'": false,
	} {
		st, err := parser.ParseOne(sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		e := st.(*ast.Select).Targets[0].Expr
		if got := planner.Volatile(reg, e); got != want {
			t.Errorf("%s: volatile %v, want %v", sql, got, want)
		}
	}
}
