package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/internal/connectortest"
	"github.com/lakeq/lakeq/internal/testmysql"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The connector against a real MariaDB server: types, byte-wise string
// filters pushed down (MySQL's own collation would match 'ABC' for
// 'abc'), primary-key splits, errors.
func TestMySQLConnector(t *testing.T) {
	srv := testmysql.Start(t)
	db, err := sql.Open("mysql", srv.CreateDB(t, "shop"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"SET SESSION max_recursive_iterations = 100000",
		"CREATE TABLE orders (id BIGINT PRIMARY KEY, cust INT NOT NULL, amount DECIMAL(12,2), name VARCHAR(20), code CHAR(3), ratio DOUBLE, day DATE, at DATETIME(6), ts TIMESTAMP NULL, doc JSON, blob_ VARBINARY(8), big BIGINT UNSIGNED, spot POINT)",
		`INSERT INTO orders (id, cust, amount, name, code, ratio, day, at, ts, doc, blob_, big)
			WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000)
			SELECT n, n % 50, n * 0.5, IF(n % 5 = 0, NULL, CONCAT('n', n)), CONCAT('c', n % 10), n / 8, DATE_ADD('2024-01-01', INTERVAL n % 365 DAY),
				TIMESTAMP('2024-01-01 00:00:00.123456') + INTERVAL n MINUTE, TIMESTAMP('2024-06-01 12:00:00'), JSON_OBJECT('g', n), X'00FF', 18446744073709551615 - n
			FROM g`,
		"INSERT INTO orders (id, cust, name) VALUES (-1, 1, 'abc'), (-2, 1, 'ABC'), (-3, 1, 'abc ')",
		"ANALYZE TABLE orders",
		"CREATE VIEW recent AS SELECT id, day FROM orders WHERE day >= '2024-12-01'",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	c, err := New(Config{Host: "127.0.0.1", Port: srv.Port, Database: "shop", User: srv.User, Password: srv.Password})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if tabs, err := c.Tables(ctx, "shop"); err != nil || strings.Join(tabs, ",") != "orders,recent" {
		t.Fatalf("tables %v, %v", tabs, err)
	}
	tb, err := c.Table(ctx, "my", "orders")
	if err != nil || tb == nil {
		t.Fatal(tb, err)
	}
	var desc []string
	for _, col := range tb.Columns {
		s := col.Name + " " + col.Type.String()
		if col.Unsupported != "" {
			s = col.Name + " unsupported " + col.Unsupported
		}
		desc = append(desc, s)
	}
	if got, want := strings.Join(desc, ", "), "id bigint, cust integer, amount numeric(12,2), name character varying(20), code character(3), ratio double precision, day date, at timestamp without time zone, ts timestamp with time zone, doc text, blob_ bytea, big numeric(20,0), spot unsupported point"; got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	// the primary key's distinct count is the table's rows, for planning
	if d := tb.Columns[0].Stats.Distinct; tb.Rows <= 0 || d != tb.Rows {
		t.Errorf("id: %d distinct, %d rows: want the primary key unique", d, tb.Rows)
	}
	if d := tb.Columns[1].Stats.Distinct; d != 0 {
		t.Errorf("cust leads no index: %d distinct, want unknown", d)
	}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	scan := &connectors.Scan{Table: tb, Columns: all, Limit: -1}
	k := func(v any, t types.T) connectors.Expr { return connectors.Const{Value: v, Type: t} }
	id := connectors.ColRef{Col: 0, Type: types.Int8T}
	if rest := c.ApplyFilter(scan, []connectors.Expr{connectors.Call{Op: "=", Args: []connectors.Expr{id, k(int64(10), types.Int8T)}}}); len(rest) != 0 {
		t.Fatal(rest)
	}
	got := connectortest.ReadAll(t, c, scan, 1)
	if want := `10|10|5.00|NULL|c0 |1.25|2024-01-11|2024-01-01 00:10:00.123456|2024-06-01 12:00:00+00|{"g": 10}|\x00ff|18446744073709551605`; len(got) != 1 || got[0] != want {
		t.Fatalf("row 10\n got %v\nwant %s", got, want)
	}
	// (MariaDB keeps JSON as LONGTEXT with a check, so it reads as text)
	// strings compare in bytes, as in PostgreSQL
	name := connectors.ColRef{Col: 3, Type: types.T{Kind: types.Varchar, Width: 20}}
	for _, c2 := range []struct {
		f    connectors.Expr
		want string
	}{
		{connectors.Call{Op: "=", Args: []connectors.Expr{name, k("abc", types.TextT)}}, "-1|abc"},
		{connectors.Call{Op: "like", Args: []connectors.Expr{name, k("a%", types.TextT)}}, "-1|abc,-3|abc "},
		{connectors.Call{Op: "<", Args: []connectors.Expr{name, k("a", types.TextT)}}, "-2|ABC"},
	} {
		s := &connectors.Scan{Table: tb, Columns: []int{0, 3}, Limit: -1}
		if rest := c.ApplyFilter(s, []connectors.Expr{c2.f}); len(rest) != 0 {
			t.Fatalf("%v not taken", c2.f)
		}
		if got := strings.Join(connectortest.ReadAll(t, c, s, 1), ","); got != c2.want {
			t.Fatalf("%s: %s, want %s", s.Remote, got, c2.want)
		}
	}
	// a filter on a MySQL timestamp stays in lakeq; one on point too
	s := &connectors.Scan{Table: tb, Columns: []int{0}, Limit: -1}
	rest := c.ApplyFilter(s, []connectors.Expr{
		connectors.Call{Op: "notnull", Args: []connectors.Expr{connectors.ColRef{Col: 8, Type: types.TimestampTZT}}},
		connectors.Call{Op: "isnull", Args: []connectors.Expr{connectors.ColRef{Col: 12, Type: types.TextT}}},
		connectors.Call{Op: "in", Args: []connectors.Expr{connectors.ColRef{Col: 1, Type: types.Int4T}, k(int64(3), types.Int4T), k(int64(4), types.Int4T)}},
	})
	if len(rest) != 2 || !strings.Contains(s.Remote, "WHERE (`cust` IN (?, ?))") {
		t.Fatalf("left %v, remote %s", rest, s.Remote)
	}
	if n := len(connectortest.ReadAll(t, c, s, 1)); n != 800 {
		t.Fatalf("cust IN (3, 4): %d rows", n)
	}
	// primary-key splits: every row once
	s = &connectors.Scan{Table: tb, Columns: []int{0}, Limit: -1}
	if sp, err := c.Splits(ctx, s, 3); err != nil || len(sp) != 3 {
		t.Fatalf("splits %v %v", sp, err)
	}
	ids := connectortest.ReadAll(t, c, s, 3)
	if len(ids) != 20003 {
		t.Fatalf("%d rows over 3 splits", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("%s twice", ids[i])
		}
	}
	// reading point: 0A000 naming it
	if _, err := c.Read(ctx, &connectors.Scan{Table: tb, Columns: []int{12}, Limit: -1}, connectors.Split{}); sqlerr.Code(err) != sqlerr.FeatureNotSupported || !strings.Contains(err.Error(), "spot") {
		t.Fatalf("point: %v", err)
	}
	// a dropped view: 42P01 with the source named
	vt, err := c.Table(ctx, "my", "recent")
	if err != nil || vt == nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP VIEW recent"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, &connectors.Scan{Table: vt, Columns: []int{0}, Limit: -1}, connectors.Split{}); sqlerr.Code(err) != sqlerr.UndefinedTable || !strings.Contains(err.Error(), "MySQL 127.0.0.1") {
		t.Fatalf("a dropped view: %v", err)
	}
	// wrong credentials: 28P01, the password not shown
	bad, _ := New(Config{Host: "127.0.0.1", Port: srv.Port, Database: "shop", User: srv.User, Password: "wrong-pw-123"})
	defer bad.Close()
	if _, err := bad.Table(ctx, "my", "orders"); sqlerr.Code(err) != "28P01" || strings.Contains(err.Error(), "wrong-pw-123") {
		t.Fatalf("wrong password: %v", err)
	}
}
