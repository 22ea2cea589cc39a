package main

import (
	"reflect"
	"testing"
)

func TestSplitStatements(t *testing.T) {
	for _, c := range []struct {
		in    string
		stmts []string
		rest  string
		open  bool
	}{
		{"SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, "", false},
		{"SELECT 1;\nSELECT 2", []string{"SELECT 1"}, "\nSELECT 2", false},
		{"SELECT ';' AS x;", []string{"SELECT ';' AS x"}, "", false},
		{"SELECT 'it''s;';", []string{"SELECT 'it''s;'"}, "", false},
		{"SELECT E'a\\';b';", []string{"SELECT E'a\\';b'"}, "", false},
		{`SELECT 1 AS "a;b";`, []string{`SELECT 1 AS "a;b"`}, "", false},
		{"SELECT $$a;b$$, $q$;$q$;", []string{"SELECT $$a;b$$, $q$;$q$"}, "", false},
		{"SELECT 1 -- a; comment\n;", []string{"SELECT 1 -- a; comment"}, "", false},
		{"SELECT /* a; /* b; */ c; */ 1;", []string{"SELECT /* a; /* b; */ c; */ 1"}, "", false},
		{"SELECT 'unterminated;\n", nil, "SELECT 'unterminated;\n", true},
		{"SELECT $1, $2;", []string{"SELECT $1, $2"}, "", false},
		{";;", nil, "", false},
	} {
		stmts, rest, open := splitStatements(c.in)
		if !reflect.DeepEqual(stmts, c.stmts) || rest != c.rest || open != c.open {
			t.Errorf("splitStatements(%q) = %q, %q, %v; want %q, %q, %v", c.in, stmts, rest, open, c.stmts, c.rest, c.open)
		}
	}
}
