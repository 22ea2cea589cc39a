package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/internal/connectortest"
	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// fixture starts PostgreSQL 15 with a database "shop" and returns a
// connector mounted on it.
func fixture(t *testing.T) (*Connector, *sql.DB, *testpg.Server) {
	t.Helper()
	srv := testpg.Start(t)
	url := srv.CreateDB(t, "shop")
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE SCHEMA sales`,
		`CREATE TABLE sales.orders (id int8 PRIMARY KEY, customer text NOT NULL, amount numeric(12,2), qty int4,
			ratio float8, paid bool, day date, at timestamptz, tags text[], code char(3), note varchar(20),
			ref uuid, doc jsonb, blob bytea, spot point)`,
		`INSERT INTO sales.orders SELECT g, 'cust' || (g % 100), (g * 1.25)::numeric(12,2), g % 7, g / 8.0, g % 2 = 0,
			date '2024-01-01' + (g % 365), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',
			ARRAY['t' || (g % 3), NULL], 'c' || (g % 10), CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END,
			md5(g::text)::uuid, jsonb_build_object('g', g), '\x00ff'::bytea, point(g, g)
			FROM generate_series(1, 20000) g`,
		`INSERT INTO sales.orders (id, customer) VALUES (0, 'B'), (-1, 'a')`,
		`ANALYZE sales.orders`,
		`CREATE VIEW sales.big AS SELECT id, amount FROM sales.orders WHERE amount > 20000`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	c, err := New(context.Background(), Config{Host: "127.0.0.1", Port: srv.Port, Database: "shop", User: srv.User, Password: "unused-with-trust"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, db, srv
}

func colIdx(t *testing.T, tb *connectors.Table, names ...string) []int {
	t.Helper()
	var out []int
	for _, n := range names {
		found := false
		for i, c := range tb.Columns {
			if c.Name == n {
				out, found = append(out, i), true
			}
		}
		if !found {
			t.Fatalf("no column %s", n)
		}
	}
	return out
}

// readAll reads every split of scan and returns its rows as text.

func TestPostgresConnector(t *testing.T) {
	c, db, _ := fixture(t)
	ctx := context.Background()

	schemas, err := c.Schemas(ctx)
	if err != nil || strings.Join(schemas, ",") != "public,sales" {
		t.Fatalf("schemas %v, %v", schemas, err)
	}
	tables, err := c.Tables(ctx, "sales")
	if err != nil || strings.Join(tables, ",") != "big,orders" {
		t.Fatalf("tables %v, %v", tables, err)
	}
	if tb, err := c.Table(ctx, "sales", "nope"); tb != nil || err != nil {
		t.Fatalf("a missing table: %v, %v", tb, err)
	}
	tb, err := c.Table(ctx, "sales", "orders")
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, col := range tb.Columns {
		s := col.Name + " " + col.Type.String()
		if col.Unsupported != "" {
			s = col.Name + " unsupported " + col.Unsupported
		}
		desc = append(desc, s)
	}
	if got, want := strings.Join(desc, ", "), "id bigint, customer text, amount numeric(12,2), qty integer, ratio double precision, paid boolean, day date, at timestamp with time zone, tags text[], code character(3), note character varying(20), ref uuid, doc jsonb, blob bytea, spot unsupported point"; got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	if tb.Rows < 19000 || tb.Rows > 21000 || !tb.Columns[0].NotNull || tb.Columns[2].NotNull {
		t.Fatalf("rows %d, not null %v %v", tb.Rows, tb.Columns[0].NotNull, tb.Columns[2].NotNull)
	}
	// pg_stats reach the planner: id is unique, note partly NULL
	var wantCust int64
	if err := db.QueryRow(`SELECT count(DISTINCT customer) FROM sales.orders`).Scan(&wantCust); err != nil {
		t.Fatal(err)
	}
	stats := func(name string) connectors.ColumnStats { return tb.Columns[colIdx(t, tb, name)[0]].Stats }
	if d := stats("id").Distinct; d < tb.Rows*9/10 || d > tb.Rows*11/10 {
		t.Errorf("id: %d distinct from pg_stats, want about %d", d, tb.Rows)
	}
	if d := stats("customer").Distinct; d < wantCust*8/10 || d > wantCust*12/10 {
		t.Errorf("customer: %d distinct from pg_stats, want about %d", d, wantCust)
	}
	if f := stats("id").NullFrac; f != 0 {
		t.Errorf("id: null fraction %v, want 0", f)
	}

	// every mapped type reads back as PostgreSQL prints it
	all := colIdx(t, tb, "id", "customer", "amount", "qty", "ratio", "paid", "day", "at", "tags", "code", "note", "ref", "doc", "blob")
	scan := &connectors.Scan{Table: tb, Columns: all, Limit: -1}
	id := connectors.ColRef{Col: all[0], Type: types.Int8T}
	if rest := c.ApplyFilter(scan, []connectors.Expr{connectors.Call{Op: "=", Args: []connectors.Expr{id, connectors.Const{Value: int64(10), Type: types.Int8T}}}}); len(rest) != 0 {
		t.Fatalf("id = 10 not taken: %v", rest)
	}
	got := connectortest.ReadAll(t, c, scan, 1)
	var want string
	if err := db.QueryRow(`SELECT concat_ws('|', id, customer, amount, qty, ratio, paid, day, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00', tags, code, coalesce(note, 'NULL'), ref, doc, blob)
		FROM sales.orders WHERE id = 10`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("row 10\n got %v\nwant %s", got, want)
	}

	// filters run remotely: only the matching rows cross the wire
	cols := colIdx(t, tb, "id", "customer", "qty", "note")
	scan = &connectors.Scan{Table: tb, Columns: cols, Limit: -1}
	cust := connectors.ColRef{Col: cols[1], Type: types.TextT}
	qty := connectors.ColRef{Col: cols[2], Type: types.Int4T}
	note := connectors.ColRef{Col: cols[3], Type: types.T{Kind: types.Varchar, Width: 20}}
	spot := connectors.ColRef{Col: colIdx(t, tb, "spot")[0], Type: types.TextT}
	k := func(v any, t types.T) connectors.Expr { return connectors.Const{Value: v, Type: t} }
	filters := []connectors.Expr{
		connectors.Call{Op: "in", Args: []connectors.Expr{cust, k("cust7", types.TextT), k("cust13", types.TextT)}},
		connectors.Call{Op: "or", Args: []connectors.Expr{
			connectors.Call{Op: ">=", Args: []connectors.Expr{qty, k(int64(5), types.Int4T)}},
			connectors.Call{Op: "isnull", Args: []connectors.Expr{note}},
		}},
		connectors.Call{Op: "not", Args: []connectors.Expr{connectors.Call{Op: "like", Args: []connectors.Expr{note, k("n1%", types.TextT)}}}},
		connectors.Call{Op: "notnull", Args: []connectors.Expr{spot}}, // an unsupported column: stays in lakeq
	}
	rest := c.ApplyFilter(scan, filters)
	if len(rest) != 1 || len(scan.Filters) != 3 {
		t.Fatalf("taken %d, left %v", len(scan.Filters), rest)
	}
	if !strings.Contains(scan.Remote, `WHERE ("customer" IN ($1::text, $2::text)) AND`) || strings.Contains(scan.Remote, "spot") {
		t.Fatalf("remote SQL: %s", scan.Remote)
	}
	got = connectortest.ReadAll(t, c, scan, 1)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sales.orders WHERE customer IN ('cust7', 'cust13') AND (qty >= 5 OR note IS NULL) AND NOT (note LIKE 'n1%')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if len(got) != n || n == 0 {
		t.Fatalf("%d rows transferred, %d match", len(got), n)
	}

	// text orders by bytes, as lakeq does, whatever the remote collation
	scan = &connectors.Scan{Table: tb, Columns: colIdx(t, tb, "customer"), Limit: -1}
	c.ApplyFilter(scan, []connectors.Expr{connectors.Call{Op: "<", Args: []connectors.Expr{connectors.ColRef{Col: 1, Type: types.TextT}, k("a", types.TextT)}}})
	if got := connectortest.ReadAll(t, c, scan, 1); strings.Join(got, ",") != "B" {
		t.Fatalf("customer < 'a': %v", got)
	}

	// a limit is applied remotely
	scan = &connectors.Scan{Table: tb, Columns: colIdx(t, tb, "id"), Limit: -1}
	if !c.ApplyLimit(scan, 7) || len(connectortest.ReadAll(t, c, scan, 4)) != 7 {
		t.Fatalf("LIMIT 7: %s", scan.Remote)
	}

	// ctid splits: every row exactly once over 3 parallel splits
	scan = &connectors.Scan{Table: tb, Columns: colIdx(t, tb, "id"), Limit: -1}
	splits, err := c.Splits(ctx, scan, 3)
	if err != nil || len(splits) != 3 {
		t.Fatalf("splits %v, %v", splits, err)
	}
	ids := connectortest.ReadAll(t, c, scan, 3)
	if len(ids) != 20002 {
		t.Fatalf("%d rows over 3 splits, want 20002", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("row %s read twice", ids[i])
		}
	}
	// a view reads whole
	vt, err := c.Table(ctx, "sales", "big")
	if err != nil || vt == nil {
		t.Fatal(err)
	}
	vs := &connectors.Scan{Table: vt, Columns: []int{0, 1}, Limit: -1}
	if sp, _ := c.Splits(ctx, vs, 3); len(sp) != 1 || len(connectortest.ReadAll(t, c, vs, 3)) != 4000 {
		t.Fatalf("view: %d splits", len(sp))
	}

	// an unmappable column fails when read, naming it
	us := &connectors.Scan{Table: tb, Columns: colIdx(t, tb, "id", "spot"), Limit: -1}
	if _, err := c.Read(ctx, us, connectors.Split{}); sqlerr.Code(err) != sqlerr.FeatureNotSupported || !strings.Contains(err.Error(), "spot") || !strings.Contains(err.Error(), "point") {
		t.Fatalf("reading a point column: %v", err)
	}

	// a table dropped after it was described: the remote 42P01, the source named
	if _, err := db.Exec(`DROP VIEW sales.big`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, vs, connectors.Split{}); sqlerr.Code(err) != sqlerr.UndefinedTable || !strings.Contains(err.Error(), "PostgreSQL 127.0.0.1") {
		t.Fatalf("a dropped view: %v", err)
	}
	if n := c.pool.Stat().AcquiredConns(); n != 0 {
		t.Fatalf("%d connections still held after every read ended", n)
	}
}

// A server that does not answer is 08001, promptly.
func TestPostgresDown(t *testing.T) {
	port, err := testpg.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), Config{Host: "127.0.0.1", Port: port, Database: "x", User: "u", Password: "secret-pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Table(context.Background(), "public", "t")
	if sqlerr.Code(err) != "08001" || strings.Contains(err.Error(), "secret-pw") || !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d/x", port)) {
		t.Fatalf("a server that is down: %v", err)
	}
}

// numeric(p,s) read in PostgreSQL's binary format gives PostgreSQL's
// values, narrow (scaled int64) and wide (128-bit), signs, zeros,
// fractions shorter than the scale and digit groups past the point.
func TestPostgresNumeric(t *testing.T) {
	srv := testpg.Start(t)
	db, err := sql.Open("pgx", srv.CreateDB(t, "num"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE n (i int, a numeric(12,2), b numeric(30,5), c numeric(5,0), d numeric(18,10));
		INSERT INTO n VALUES
			(1, -0.01, 1234567890123456789012345.12345, 99999, 12345678.9012345678),
			(2, 0, -0.00001, -1, -0.0000000001),
			(3, 123456789.12, 10000, 0, 0.5),
			(4, -9999999999.99, 1000000000000000000000000.0, 10000, -99999999.9999999999),
			(5, 10000.1, 0.1, NULL, 1)`); err != nil {
		t.Fatal(err)
	}
	c, err := New(context.Background(), Config{Host: "127.0.0.1", Port: srv.Port, Database: "num", User: srv.User})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tb, err := c.Table(context.Background(), "public", "n")
	if err != nil {
		t.Fatal(err)
	}
	got := connectortest.ReadAll(t, c, &connectors.Scan{Table: tb, Columns: []int{0, 1, 2, 3, 4}, Limit: -1}, 1)
	rows, err := db.Query(`SELECT concat_ws('|', i, a, b, coalesce(c::text, 'NULL'), d) FROM n ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		want = append(want, s)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("numeric\n got %v\nwant %v", got, want)
	}
}
