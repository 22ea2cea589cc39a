package parser

import (
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

func TestProtoVersion(t *testing.T) {
	tree, err := pg.Parse("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if tree.Version != protoVersion {
		t.Fatalf("libpg_query parse tree version %d, parser expects %d", tree.Version, protoVersion)
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	_, err := Parse("SELECT 1 FROM WHERE x")
	if err == nil {
		t.Fatal("expected an error")
	}
	e := sqlerr.From(err)
	if e.Code != sqlerr.SyntaxError {
		t.Fatalf("code %s, want 42601", e.Code)
	}
	if e.Position != 15 {
		t.Fatalf("position %d, want 15 (at WHERE)", e.Position)
	}
}

func TestMultiStatement(t *testing.T) {
	stmts, err := Parse("SELECT 1; CREATE TABLE t (a int DEFAULT 1 + 2); INSERT INTO t VALUES (1)")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 {
		t.Fatalf("got %d statements", len(stmts))
	}
	ct, ok := stmts[1].AST.(*ast.CreateTable)
	if !ok {
		t.Fatalf("second statement is %T", stmts[1].AST)
	}
	if ct.Columns[0].DefaultSQL != "1 + 2" {
		t.Fatalf("default text %q", ct.Columns[0].DefaultSQL)
	}
	if stmts[2].SQL != "INSERT INTO t VALUES (1)" {
		t.Fatalf("statement text %q", stmts[2].SQL)
	}
}

func TestViewText(t *testing.T) {
	st, err := ParseOne("CREATE VIEW v AS SELECT a + 1 AS b FROM t WHERE a > 2")
	if err != nil {
		t.Fatal(err)
	}
	v := st.(*ast.CreateView)
	if v.SQL != "SELECT a + 1 AS b FROM t WHERE a > 2" {
		t.Fatalf("view text %q", v.SQL)
	}
}
