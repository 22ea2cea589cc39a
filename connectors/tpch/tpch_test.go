package tpch_test

import (
	"context"
	"fmt"
	"github.com/lakeq/lakeq/storage"
	"testing"

	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
)

func TestGenerator(t *testing.T) {
	dir := t.TempDir()
	g := tpch.New(0.01)
	ctx := context.Background()
	counts := map[string]int64{}
	for _, tb := range tpch.Tables {
		n, err := g.Write(ctx, storage.Local{}, tb, dir, "parquet")
		if err != nil {
			t.Fatal(err)
		}
		counts[tb] = n
	}
	want := map[string]int64{"region": 5, "nation": 25, "supplier": 100, "customer": 1500, "part": 2000, "partsupp": 8000, "orders": 15000}
	for tb, n := range want {
		if counts[tb] != n {
			t.Errorf("%s: %d rows, want %d", tb, counts[tb], n)
		}
	}
	if l := counts["lineitem"]; l < 15000*3 || l > 15000*5 {
		t.Errorf("lineitem: %d rows, want about 4 per order", l)
	}
	eng, err := engine.Open(ctx, engine.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	s := eng.NewSession()
	for _, tb := range tpch.Tables {
		if _, err := s.Exec(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s/%s.parquet')", tb, dir, tb)); err != nil {
			t.Fatal(err)
		}
	}
	checks := map[string]string{
		// every lineitem (part, supplier) pair is a partsupp row
		"SELECT count(*) FROM lineitem WHERE NOT EXISTS (SELECT 1 FROM partsupp WHERE ps_partkey = l_partkey AND ps_suppkey = l_suppkey)": "0",
		// every third customer places no orders
		"SELECT count(*) FROM orders WHERE o_custkey % 3 = 0": "0",
		// order totals and statuses follow their lines
		"SELECT count(*) FROM orders o WHERE abs(o_totalprice - (SELECT sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) FROM lineitem WHERE l_orderkey = o_orderkey)) > 0.07": "0",
		"SELECT count(*) FROM orders WHERE o_orderstatus = 'F' AND EXISTS (SELECT 1 FROM lineitem WHERE l_orderkey = o_orderkey AND l_linestatus = 'O')":                            "0",
		// sparse order keys: 8 of every 32
		"SELECT count(*) FROM orders WHERE (o_orderkey - 1) % 32 >= 8":                                                                     "0",
		"SELECT count(DISTINCT ps_suppkey) FROM partsupp":                                                                                  "100",
		"SELECT count(*) FROM part WHERE p_retailprice <> (90000 + ((p_partkey / 10) % 20001) + 100 * (p_partkey % 1000)) / 100.0":         "0",
		"SELECT min(l_shipdate) > DATE '1992-01-01' AND max(l_receiptdate) <= DATE '1998-12-31' FROM lineitem":                             "t",
		"SELECT count(*) FROM lineitem WHERE l_extendedprice <> l_quantity * (SELECT p_retailprice FROM part WHERE p_partkey = l_partkey)": "0",
	}
	for q, want := range checks {
		r, err := s.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got, _ := r.Text(0, r.Value(0, 0))
		if got != want {
			t.Errorf("%s: got %s, want %s", q, got, want)
		}
	}
}
