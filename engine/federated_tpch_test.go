package engine_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/engine"
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
}
