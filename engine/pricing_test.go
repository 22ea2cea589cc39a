package engine

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/sqlerr"
)

func TestScanCost(t *testing.T) {
	for _, c := range []struct {
		n       int64
		touched bool
		want    string
	}{
		{0, false, "$0.00"},
		{0, true, "$0.0000477"},              // a footer read still bills 10 MB
		{1 << 20, true, "$0.0000477"},        // under the minimum
		{(10 << 20) + 1, true, "$0.0000525"}, // rounded up to 11 MB
		{1 << 40, true, "$5.00"},
		{3 << 40, true, "$15.00"},
	} {
		if got := FormatCost(ScanCost(c.n, c.touched, 5)); got != c.want {
			t.Errorf("ScanCost(%d, %v) = %s, want %s", c.n, c.touched, got, c.want)
		}
	}
	if got := FormatCost(ScanCost(1<<40, true, 6.25)); got != "$6.25" {
		t.Errorf("at $6.25/TB: %s", got)
	}
}

// EXPLAIN (COST) prices a query by the bytes its scans would read, on
// every layout (Parquet with small row groups, CSV, JSON, a managed
// table), without reading them; running the query then reads about
// that much (footers and line ends aside), and a filter that prunes row
// groups or partitions lowers both. With ListAhead, Progress knows the
// planned bytes from the start of a run.
func TestExplainCostOnEveryLayout(t *testing.T) {
	dir := t.TempDir()
	_, s := open(t, dir)
	mustExec(t, s, "CREATE TABLE m AS SELECT g AS id, g % 7 AS k, 'row ' || g AS s FROM generate_series(1, 40000) g")
	for _, sql := range []string{
		"CREATE TABLE fp WITH (format = 'PARQUET', external_location = '" + dir + "/fp') AS SELECT * FROM m",
		"CREATE TABLE fc WITH (format = 'CSV', external_location = '" + dir + "/fc') AS SELECT * FROM m",
		"CREATE TABLE fj WITH (format = 'JSON', external_location = '" + dir + "/fj') AS SELECT * FROM m",
		"CREATE TABLE p WITH (format = 'PARQUET', external_location = '" + dir + "/p', partitioned_by = ARRAY['k']) AS SELECT id, s, k FROM m",
	} {
		mustExec(t, s, sql)
	}
	layouts := map[string]string{
		"managed":  "m",
		"parquet":  "fp",
		"csv":      "fc",
		"json":     "fj",
		"read_csv": "read_csv('" + dir + "/fc/*', header => false, columns => 'id int, k int, s text')",
		"parted":   "p",
	}
	for name, from := range layouts {
		q := "SELECT sum(id), count(s) FROM " + from
		planned := costBytes(t, s, q)
		if planned <= 0 {
			t.Fatalf("%s: EXPLAIN (COST) planned %d bytes", name, planned)
		}
		res := mustExec(t, s, q)
		read := res.Scanned.Bytes
		if read < planned/2 || read > planned*3/2+64<<10 {
			t.Errorf("%s: planned %d bytes, the query read %d", name, planned, read)
		}
		// listed ahead, the running query knows what it will read
		s.ListAhead = true
		st, err := s.StreamStmt(context.Background(), mustParse(t, q), nil)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		var got int64
		for got == 0 && time.Now().Before(deadline) {
			_, got = s.Progress()
			time.Sleep(time.Millisecond)
		}
		if err := st.Collect(); err != nil {
			t.Fatal(err)
		}
		s.ListAhead = false
		if got != planned {
			t.Errorf("%s: Progress planned %d bytes, EXPLAIN (COST) %d", name, got, planned)
		}
	}
	// pruning lowers the price: row groups by min/max (TPC-H's lineitem
	// has several), partitions by key
	lineitem, _ := filepath.Abs("../../shared/tpch/sf0.1/lineitem.parquet")
	if _, err := os.Stat(lineitem); err != nil {
		t.Fatalf("../shared/tpch is missing: %v", err)
	}
	for name, q := range map[string][2]string{
		"parquet": {"SELECT sum(l_tax) FROM '" + lineitem + "'", "SELECT sum(l_tax) FROM '" + lineitem + "' WHERE l_orderkey < 1000"},
		"parted":  {"SELECT sum(id) FROM p", "SELECT sum(id) FROM p WHERE k = 3"},
	} {
		all, some := costBytes(t, s, q[0]), costBytes(t, s, q[1])
		if some <= 0 || some >= all {
			t.Errorf("%s: pruned query priced at %d bytes of %d", name, some, all)
		}
	}
	// nothing ran: the history holds no dry run's reads
	if r := mustExec(t, s, "EXPLAIN (COST) SELECT count(*) FROM m"); len(r.Records) == 0 {
		t.Fatal("no plan")
	}
	if _, err := s.Exec(context.Background(), "EXPLAIN (ANALYZE, COST) SELECT 1"); sqlerr.From(err).Code != sqlerr.FeatureNotSupported {
		t.Fatalf("EXPLAIN (ANALYZE, COST): %v", err)
	}
	if _, err := s.Exec(context.Background(), "EXPLAIN (BOGUS) SELECT 1"); sqlerr.From(err).Code != sqlerr.SyntaxError {
		t.Fatalf("EXPLAIN (BOGUS): %v", err)
	}
	if _, err := s.Exec(context.Background(), "SET scan_price_per_tb = 'cheap'"); sqlerr.From(err).Code != sqlerr.InvalidParameterValue {
		t.Fatalf("bad price: %v", err)
	}
	mustExec(t, s, "SET scan_price_per_tb = 2.5")
	if p := s.PricePerTB(); p != 2.5 {
		t.Fatalf("price %v", p)
	}
}

var costRE = regexp.MustCompile(`^Data to scan: .* \((\d+) bytes;`)

// costBytes is what EXPLAIN (COST) says q would scan.
func costBytes(t *testing.T, s *Session, q string) int64 {
	t.Helper()
	res := mustExec(t, s, "EXPLAIN (COST) "+q)
	for i := range int(res.NumRows()) {
		line, _ := res.Value(i, 0).(string)
		if m := costRE.FindStringSubmatch(line); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			return n
		}
	}
	t.Fatalf("EXPLAIN (COST) %s printed no bytes", q)
	return 0
}

func mustParse(t *testing.T, sql string) parser.Statement {
	t.Helper()
	st, err := parser.Parse(sql)
	if err != nil || len(st) != 1 {
		t.Fatalf("parse %s: %v", sql, err)
	}
	return st[0]
}
