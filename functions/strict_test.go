package functions

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/internal/testpg"
)

// Every function lakeq has that PostgreSQL declares strict in all its
// overloads is in strictNames, and nothing else is.
func TestStrictNamesMatchPostgres(t *testing.T) {
	ctx := context.Background()
	srv := testpg.Start(t)
	c, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, "SELECT proname, bool_and(proisstrict) FROM pg_proc WHERE prokind = 'f' GROUP BY proname")
	if err != nil {
		t.Fatal(err)
	}
	pg := map[string]bool{}
	for rows.Next() {
		var name string
		var strict bool
		if err := rows.Scan(&name, &strict); err != nil {
			t.Fatal(err)
		}
		pg[name] = strict
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(pg) < 1000 {
		t.Fatalf("only %d functions in pg_proc", len(pg))
	}
	for _, name := range Default().ScalarNames() {
		want, inPG := pg[name]
		if got := Strict(name); got != (inPG && want) {
			t.Errorf("%s: Strict %v, PostgreSQL: present %v, strict %v", name, got, inPG, want)
		}
	}
	for name := range strictNames {
		if Default().Scalar(name) == nil {
			t.Errorf("%s is listed strict but lakeq has no such function", name)
		}
	}
}
