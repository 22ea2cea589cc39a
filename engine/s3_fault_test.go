package engine_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/tests3"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/s3"
)

// A fault-injecting proxy in front of the real server: 503 bursts, 500s,
// a reset mid-body, a stalled response, a truncated body and a wrong
// Content-Length. Every query returns the right answer (the retries
// absorb the fault) or, when the faults outlast the retries, a clear
// error — never a partial result — and no goroutine is left behind.
func TestS3Faults(t *testing.T) {
	requireShared(t, tpchDir)
	srv := tests3.Start(t, "lake")
	for _, tb := range []string{"orders", "customer", "nation"} {
		copyInto(t, srv, "lake/tpch/"+tb+".parquet", filepath.Join(tpchDir, "sf0.1", tb+".parquet"))
	}
	const q = `SELECT n_name, count(*), sum(o_totalprice) FROM 's3://lake/tpch/orders.parquet'
		JOIN 's3://lake/tpch/customer.parquet' ON o_custkey = c_custkey
		JOIN 's3://lake/tpch/nation.parquet' ON c_nationkey = n_nationkey GROUP BY 1 ORDER BY 1`
	want := func() string {
		s := viewsAt(t, engine.Config{DataDir: t.TempDir()}, "", nil)
		local, _ := filepath.Abs(filepath.Join(tpchDir, "sf0.1"))
		res, err := s.Query(context.Background(), strings.ReplaceAll(q, "s3://lake/tpch", local))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(flat(rows(res)), "|")
	}()

	before := runtime.NumGoroutine()
	proxy := tests3.StartProxy(t, srv)
	proxy.StallFor = 3 * time.Second
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: t.TempDir(),
		S3: s3.Config{Endpoint: proxy.URL, AccessKey: srv.AccessKey, SecretKey: srv.Secret, MaxAttempts: 4, RequestTimeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	s := eng.NewSession()
	isGet := func(r *http.Request) bool { return r.Method == http.MethodGet && r.Header.Get("Range") != "" }
	for _, c := range []struct {
		name  string
		fault tests3.Fault
		every int // inject on every n-th ranged GET
	}{
		{"503 SlowDown bursts", tests3.SlowDown, 2},
		{"500 InternalError", tests3.InternalError, 3},
		{"reset mid-body", tests3.ResetMidBody, 3},
		{"stalled response", tests3.Stall, 7},
		{"truncated body", tests3.Truncate, 3},
		{"wrong Content-Length", tests3.ShortLength, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			gets := 0
			proxy.SetPlan(func(r *http.Request, n int) tests3.Fault {
				if !isGet(r) {
					return tests3.Pass
				}
				gets++
				if gets%c.every == 1 {
					return c.fault
				}
				return tests3.Pass
			})
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			res, err := s.Query(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if got := strings.Join(flat(rows(res)), "|"); got != want {
				t.Fatalf("%s: wrong answer\n got %s\nwant %s", c.name, got, want)
			}
			if proxy.Count(c.fault) == 0 {
				t.Fatalf("%s: no fault injected", c.name)
			}
		})
	}
	// faults that outlast every retry: a clear error naming the object
	proxy.SetPlan(func(r *http.Request, n int) tests3.Fault {
		if isGet(r) {
			return tests3.ResetMidBody
		}
		return tests3.Pass
	})
	_, err = s.Query(context.Background(), q)
	if sqlerr.Code(err) != sqlerr.IOError || !strings.Contains(err.Error(), "s3://lake/tpch/") {
		t.Fatalf("persistent faults: %v", err)
	}
	proxy.SetPlan(nil)
	eng.Close()
	proxy.Close()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

func flat(rs [][]string) []string {
	var out []string
	for _, r := range rs {
		out = append(out, strings.Join(r, ","))
	}
	return out
}

// What a scan costs in requests: a Parquet footer in one GET of the
// file's tail, each row group's column chunks in one GET, no HEAD for a
// file the listing described; the bytes fetched stay within 10% of the
// data scanned.
func TestS3Requests(t *testing.T) {
	requireShared(t, tpchDir)
	srv := tests3.Start(t, "lake")
	copyInto(t, srv, "lake/tpch/lineitem/lineitem.parquet", filepath.Join(tpchDir, "sf0.1", "lineitem.parquet"))
	proxy, s := proxied(t, srv, engine.Config{Workers: 2})
	q06, err := os.ReadFile(filepath.Join(tpchDir, "queries", "q06.sql"))
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, s, "CREATE VIEW lineitem AS SELECT * FROM read_parquet('s3://lake/tpch/lineitem/*.parquet')")
	proxy.ResetTraffic()
	res, err := s.Query(context.Background(), string(q06))
	if err != nil {
		t.Fatal(err)
	}
	reqs, wire := proxy.Traffic()
	t.Logf("q06: %v requests, %d body bytes, %d bytes scanned, %d reads", reqs, wire, res.Scanned.Bytes, res.Scanned.Requests)
	if reqs["HEAD"] > 0 {
		t.Errorf("%d HEAD requests for a listed file", reqs["HEAD"])
	}
	// the footer read by the view's first use is shared: each row group
	// costs one GET, and the listing one more
	if int64(reqs["GET"]) != res.Scanned.Requests || reqs["LIST"] != 1 {
		t.Errorf("%d GETs and %d LISTs, want %d (one per row group read) and 1", reqs["GET"], reqs["LIST"], res.Scanned.Requests)
	}
	ex := rows(mustQuery(t, s, "EXPLAIN ANALYZE "+string(q06)))
	found := false
	for _, l := range ex {
		if strings.HasPrefix(l[0], "Storage requests:") {
			found = true
			if !strings.Contains(l[0], "1 listings") || !strings.Contains(l[0], "0 stats") || strings.Contains(l[0], " 0 footers from the cache") || strings.Contains(l[0], " 0 morsels fetched ahead") {
				t.Errorf("EXPLAIN ANALYZE: %s", l[0])
			}
		}
	}
	if !found {
		t.Errorf("EXPLAIN ANALYZE shows no storage requests: %v", ex)
	}
	if d := float64(wire-res.Scanned.Bytes) / float64(res.Scanned.Bytes); d > 0.10 || d < -0.10 {
		t.Errorf("fetched %d bytes for %d scanned (%.0f%% apart)", wire, res.Scanned.Bytes, d*100)
	}
}

func mustQuery(t *testing.T, s *engine.Session, sql string) *engine.Result {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// With a disk cache, a query read again sends no GET for data; an
// object replaced on S3 is read anew, never served stale.
func TestS3DiskCache(t *testing.T) {
	requireShared(t, tpchDir)
	srv := tests3.Start(t, "lake")
	copyInto(t, srv, "lake/t/orders.parquet", filepath.Join(tpchDir, "sf0.1", "orders.parquet"))
	proxy, s := proxied(t, srv, engine.Config{CacheDir: t.TempDir()})
	q := "SELECT count(*), sum(o_totalprice) FROM 's3://lake/t/*.parquet'"
	first := rows(mustQuery(t, s, q))
	proxy.ResetTraffic()
	again := rows(mustQuery(t, s, q))
	reqs, wire := proxy.Traffic()
	if fmt.Sprint(first) != fmt.Sprint(again) || reqs["GET"] != 0 || wire > 64<<10 {
		t.Fatalf("warm cache: %v GETs, %d bytes; %v vs %v", reqs, wire, again, first)
	}
	copyInto(t, srv, "lake/t/orders.parquet", filepath.Join(tpchDir, "sf0.1", "nation.parquet"))
	if _, err := s.Query(context.Background(), q); err == nil {
		t.Fatal("a replaced object with other columns was read from the cache")
	}
}

// A large CSV object is read in parallel byte-range morsels, each fetched
// in a few large GETs (no HEAD), the bytes fetched close to its size.
func TestS3TextRequests(t *testing.T) {
	srv := tests3.Start(t, "lake")
	var b strings.Builder
	for i := 0; b.Len() < 40<<20; i++ {
		fmt.Fprintf(&b, "%d,row-%08d\n", i, i)
	}
	data := b.String()
	writeObject(t, srv, "lake/big/data.csv", data)
	local := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(local, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy, s := proxied(t, srv, engine.Config{Workers: 2})
	q := "SELECT count(*), sum(column0), count(DISTINCT column1) FROM read_csv('%s', header => false)"
	want := rows(mustQuery(t, s, fmt.Sprintf(q, local)))
	proxy.ResetTraffic()
	got := rows(mustQuery(t, s, fmt.Sprintf(q, "s3://lake/big/data.csv")))
	reqs, wire := proxy.Traffic()
	t.Logf("40 MB CSV: %v requests, %d bytes fetched for %d", reqs, wire, len(data))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	// the sniffed sample (1 MiB) and the lines read past each morsel end
	// come on top of the object itself
	if reqs["GET"] > 16 || float64(wire) > 1.15*float64(len(data)) {
		t.Errorf("%v requests, %d bytes fetched for a %d-byte object", reqs, wire, len(data))
	}
}

// proxied opens an engine (cfg plus S3) reading the server through a
// counting, fault-injecting proxy, closed when the test ends.
func proxied(t *testing.T, srv *tests3.Server, cfg engine.Config) (*tests3.Proxy, *engine.Session) {
	t.Helper()
	proxy := tests3.StartProxy(t, srv)
	cfg.DataDir = t.TempDir()
	cfg.S3 = s3.Config{Endpoint: proxy.URL, AccessKey: srv.AccessKey, SecretKey: srv.Secret}
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return proxy, eng.NewSession()
}
