package engine_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/testmysql"
	"github.com/lakeq/lakeq/internal/testpg"
)

// TPC-H at SF 0.1 with customer, orders and nation in a live PostgreSQL
// 15 database mounted by CREATE EXTERNAL SCHEMA, the other tables in the
// lake as Parquet: the 22 answers are the reference's.
func TestTPCHFederatedPostgres(t *testing.T) {
	requireShared(t, tpchDir)
	ctx := context.Background()
	srv := testpg.Start(t)
	conn, err := pgx.Connect(ctx, srv.CreateDB(t, "tpch"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ddl := map[string]string{
		"customer": `(c_custkey int4, c_name text, c_address text, c_nationkey int4, c_phone text, c_acctbal numeric(15,2), c_mktsegment text, c_comment text)`,
		"orders":   `(o_orderkey int4, o_custkey int4, o_orderstatus text, o_totalprice numeric(15,2), o_orderdate date, o_orderpriority text, o_clerk text, o_shippriority int4, o_comment text)`,
		"nation":   `(n_nationkey int4, n_name text, n_regionkey int4, n_comment text)`,
	}
	abs, _ := filepath.Abs(tpchDir)
	s := viewsAt(t, engine.Config{DataDir: t.TempDir()}, abs+"/sf0.1", []string{"lineitem", "part", "partsupp", "supplier", "region"})
	for _, tb := range []string{"customer", "orders", "nation"} {
		if _, err := conn.Exec(ctx, "CREATE TABLE "+tb+" "+ddl[tb]); err != nil {
			t.Fatal(err)
		}
		// the lake's rows, as CSV, into PostgreSQL
		res, err := s.Query(ctx, fmt.Sprintf("SELECT * FROM read_parquet('%s/sf0.1/%s.parquet')", abs, tb))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		rec := make([]string, len(res.Columns))
		for i := 0; i < int(res.NumRows()); i++ {
			for c := range res.Columns {
				rec[c], _ = res.Text(c, res.Value(i, c))
			}
			w.Write(rec)
		}
		w.Flush()
		if _, err := conn.PgConn().CopyFrom(ctx, &buf, "COPY "+tb+" FROM STDIN (FORMAT csv)"); err != nil {
			t.Fatalf("loading %s into PostgreSQL: %v", tb, err)
		}
		if _, err := conn.Exec(ctx, "ANALYZE "+tb); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Exec(ctx, fmt.Sprintf("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'tpch' URI '127.0.0.1' PORT %d USER '%s' PASSWORD 'unused'", srv.Port, srv.User)); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"customer", "orders", "nation"} {
		if _, err := s.Exec(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM pg.%s", tb, tb)); err != nil {
			t.Fatal(err)
		}
	}
	runTPCH(t, s)

	// a join of two tables of the mount runs at the source, and so does
	// the aggregate over it: one row leaves PostgreSQL
	q := "SELECT count(*), sum(o.o_totalprice) FROM customer c JOIN orders o ON c.c_custkey = o.o_custkey WHERE c.c_mktsegment = 'BUILDING' AND o.o_orderdate < '1995-03-15'"
	var wantJoin string
	if err := conn.QueryRow(ctx, "SELECT concat_ws('|', count(*), sum(o.o_totalprice)) FROM customer c JOIN orders o ON c.c_custkey = o.o_custkey WHERE c.c_mktsegment = 'BUILDING' AND o.o_orderdate < '1995-03-15'").Scan(&wantJoin); err != nil {
		t.Fatal(err)
	}
	if gotJoin := oneRow(t, s, q); gotJoin != wantJoin {
		t.Fatalf("%s: %v, PostgreSQL says %s", q, gotJoin, wantJoin)
	}
	ex, err := s.Query(ctx, "EXPLAIN ANALYZE "+q)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for i := 0; i < int(ex.NumRows()); i++ {
		v, _ := ex.Text(0, ex.Value(i, 0))
		plan = append(plan, v)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, `AS l JOIN "public"."orders" AS r ON l."c_custkey" = r."o_custkey"`) || !strings.Contains(p, " rows=1 ") || strings.Contains(p, "HashJoin") {
		t.Fatalf("the join did not run at the source:\n%s", p)
	}

	// a PostgreSQL table copied into the lake as partitioned Parquet
	loc := filepath.Join(t.TempDir(), "orders_by_status")
	if _, err := s.Exec(ctx, "CREATE TABLE orders_lake WITH (format = 'PARQUET', external_location = '"+loc+"', partitioned_by = ARRAY['o_orderstatus']) AS SELECT o_orderkey, o_totalprice, o_orderdate, o_orderstatus FROM pg.orders"); err != nil {
		t.Fatal(err)
	}
	var want string
	if err := conn.QueryRow(ctx, "SELECT concat_ws('|', count(DISTINCT o_orderstatus), count(*), sum(o_totalprice), max(o_orderdate)) FROM orders").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got := oneRow(t, s, "SELECT count(DISTINCT o_orderstatus), count(*), sum(o_totalprice), max(o_orderdate) FROM orders_lake"); got != want {
		t.Fatalf("the CTAS copy: %v, PostgreSQL says %s", got, want)
	}
	if parts, _ := filepath.Glob(filepath.Join(loc, "o_orderstatus=*")); len(parts) != 3 {
		t.Fatalf("partition folders: %v", parts)
	}
}

// TPC-H at SF 0.1 with customer and orders in a live MariaDB mounted by
// CREATE EXTERNAL SCHEMA … FROM MYSQL, the rest in the lake: the 22
// answers are the reference's. Then an INSERT … SELECT from the lake into
// a managed table joined with the MySQL side.
func TestTPCHFederatedMySQL(t *testing.T) {
	requireShared(t, tpchDir)
	ctx := context.Background()
	srv := testmysql.Start(t)
	db, err := sql.Open("mysql", srv.CreateDB(t, "tpch"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ddl := map[string]string{
		"customer": `(c_custkey INT PRIMARY KEY, c_name VARCHAR(25), c_address VARCHAR(40), c_nationkey INT, c_phone VARCHAR(15), c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR(10), c_comment VARCHAR(117))`,
		"orders":   `(o_orderkey INT PRIMARY KEY, o_custkey INT, o_orderstatus VARCHAR(1), o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR(15), o_clerk VARCHAR(15), o_shippriority INT, o_comment VARCHAR(79))`,
	}
	abs, _ := filepath.Abs(tpchDir)
	s := viewsAt(t, engine.Config{DataDir: t.TempDir()}, abs+"/sf0.1", []string{"lineitem", "part", "partsupp", "supplier", "region", "nation"})
	for _, tb := range []string{"customer", "orders"} {
		if _, err := db.Exec("CREATE TABLE " + tb + " " + ddl[tb]); err != nil {
			t.Fatal(err)
		}
		res, err := s.Query(ctx, fmt.Sprintf("SELECT * FROM read_parquet('%s/sf0.1/%s.parquet')", abs, tb))
		if err != nil {
			t.Fatal(err)
		}
		nc := len(res.Columns)
		row := "(" + strings.TrimSuffix(strings.Repeat("?,", nc), ",") + ")"
		for lo := 0; lo < int(res.NumRows()); lo += 2000 {
			hi := min(lo+2000, int(res.NumRows()))
			var args []any
			for i := lo; i < hi; i++ {
				for c := 0; c < nc; c++ {
					v, _ := res.Text(c, res.Value(i, c))
					args = append(args, v)
				}
			}
			q := "INSERT INTO " + tb + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", hi-lo), ",")
			if _, err := db.Exec(q, args...); err != nil {
				t.Fatalf("loading %s into MariaDB: %v", tb, err)
			}
		}
		if _, err := db.Exec("ANALYZE TABLE " + tb); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Exec(ctx, fmt.Sprintf("CREATE EXTERNAL SCHEMA my FROM MYSQL DATABASE 'tpch' URI '127.0.0.1' PORT %d USER '%s' PASSWORD '%s'", srv.Port, srv.User, srv.Password)); err != nil {
		t.Fatal(err)
	}
	for _, tb := range []string{"customer", "orders"} {
		if _, err := s.Exec(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM my.%s", tb, tb)); err != nil {
			t.Fatal(err)
		}
	}
	runTPCH(t, s)

	// the lake's nations joined with MySQL's customers, into a managed table
	for _, q := range []string{
		"CREATE TABLE customers_per_nation (nation text, customers bigint, balance numeric(18,2))",
		"INSERT INTO customers_per_nation SELECT n.n_name, count(*), sum(c.c_acctbal) FROM nation n JOIN my.customer c ON c.c_nationkey = n.n_nationkey WHERE c.c_mktsegment = 'BUILDING' GROUP BY 1",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var want string
	if err := db.QueryRow("SELECT CONCAT(COUNT(DISTINCT c_nationkey), '|', COUNT(*), '|', SUM(c_acctbal)) FROM customer WHERE c_mktsegment = 'BUILDING'").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got := oneRow(t, s, "SELECT count(*), sum(customers), sum(balance) FROM customers_per_nation"); got != want {
		t.Fatalf("customers per nation: %v, MariaDB says %s", got, want)
	}
}

// oneRow runs a one-row query and returns its row as a|b|c.
func oneRow(t *testing.T, s *engine.Session, q string) string {
	t.Helper()
	res, err := s.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	r := rows(res)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows", q, len(r))
	}
	return strings.Join(r[0], "|")
}
