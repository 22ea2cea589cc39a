// Command s3 measures lakeq on S3 beside local disk, on the same files and
// machine, with a real S3 server (versitygw on 127.0.0.1, posix backend):
//
//	go run ./bench/s3 -sf 1
//
// It prints, per TPC-H query, the median time from local disk and from
// S3 (runs interleaved query by query, so both see the same machine) and
// their ratio, with the geomean; then q06's GET requests and bytes
// fetched beside the data it scanned; then, for a table of 10,000 dt=
// partitions on S3, the planning time of a one-day query and the LIST
// requests its run sends.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
	"github.com/lakeq/lakeq/internal/tests3"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/s3"
)

func main() {
	sf := flag.Float64("sf", 1, "TPC-H scale factor")
	runs := flag.Int("runs", 3, "timed runs per query and place (after one warm-up)")
	dataDir := flag.String("data", "", "local data (default bench/data/sf<SF>; generated when missing)")
	queries := flag.String("queries", "../shared/tpch/queries", "folder of q01.sql … q22.sql")
	only := flag.String("only", "", "comma-separated query names (default all)")
	partitions := flag.Int("partitions", 10000, "dt= partitions of the listing figure")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of lakeq's TPC-H runs to this file, labelled place=local|s3|cached (pprof -tagfocus)")
	flag.Parse()
	gctune.Start(gctune.DefaultPolicy()) // as the lakeq binary runs
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/s3:", err)
			os.Exit(1)
		}
		profileS3 = func(start bool) {
			if start {
				pprof.StartCPUProfile(f)
			} else {
				pprof.StopCPUProfile()
			}
		}
	}
	if err := run(*sf, *runs, *dataDir, *queries, *only, *partitions); err != nil {
		fmt.Fprintln(os.Stderr, "bench/s3:", err)
		os.Exit(1)
	}
}

// profileS3 starts and stops the CPU profile around the TPC-H runs (-cpuprofile).
var profileS3 = func(bool) {}

func run(sf float64, runs int, dataDir, queries, only string, nParts int) error {
	ctx := context.Background()
	if dataDir == "" {
		dataDir = filepath.Join("bench", "data", fmt.Sprintf("sf%g", sf))
	}
	g := tpch.New(sf)
	for _, t := range tpch.Tables {
		if _, err := os.Stat(filepath.Join(dataDir, t+".parquet")); err == nil {
			continue
		}
		fmt.Fprintf(os.Stderr, "generating %s at SF %g\n", t, sf)
		if _, err := g.Write(ctx, storage.Local{}, t, dataDir, "parquet"); err != nil {
			return err
		}
	}
	root, err := os.MkdirTemp("", "lakeq-bench-s3-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(root)
	srv, stop, err := tests3.Launch(root, "lake")
	if err != nil {
		return err
	}
	defer stop()
	cfg := s3.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.Secret}
	up, err := s3.New(ctx, cfg)
	if err != nil {
		return err
	}
	for _, t := range tpch.Tables {
		if err := upload(ctx, up, filepath.Join(dataDir, t+".parquet"), "s3://lake/tpch/"+t+".parquet"); err != nil {
			return err
		}
	}
	abs, _ := filepath.Abs(dataDir)
	local, err := open(ctx, cfg, abs)
	if err != nil {
		return err
	}
	remote, err := open(ctx, cfg, "s3://lake/tpch")
	if err != nil {
		return err
	}
	cacheDir, err := os.MkdirTemp("", "lakeq-bench-s3-cache-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cacheDir)
	cached, err := openWith(ctx, engine.Config{S3: cfg, CacheDir: cacheDir}, "s3://lake/tpch")
	if err != nil {
		return err
	}

	profileS3(true)
	fmt.Printf("TPC-H SF %g, %d cores, %d runs: local disk vs S3 (versitygw on 127.0.0.1)\n\n", sf, runtime.NumCPU(), runs)
	fmt.Println("| query | local ms | S3 ms | S3 / local | S3 + disk cache ms | cached / local | lakeq CPU S3 / local | server CPU ms |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	var logSum, logCached, logCPU float64
	var n int
	for q := 1; q <= 22; q++ {
		name := fmt.Sprintf("q%02d", q)
		if only != "" && !strings.Contains(","+only+",", ","+name+",") {
			continue
		}
		sql, err := os.ReadFile(filepath.Join(queries, name+".sql"))
		if err != nil {
			return err
		}
		var lt, st, ct []float64
		var lcpu, scpu, vcpu time.Duration
		for i := 0; i <= runs; i++ {
			c0 := selfCPU()
			a, err := timedAt(ctx, "local", local, string(sql))
			if err != nil {
				return fmt.Errorf("%s local: %w", name, err)
			}
			c1 := selfCPU()
			v0, _ := srv.CPUTime()
			b, err := timedAt(ctx, "s3", remote, string(sql))
			if err != nil {
				return fmt.Errorf("%s S3: %w", name, err)
			}
			c2 := selfCPU()
			v1, _ := srv.CPUTime()
			c, err := timedAt(ctx, "cached", cached, string(sql))
			if err != nil {
				return fmt.Errorf("%s S3 cached: %w", name, err)
			}
			if i > 0 { // the first run of each is the warm-up (and fills the cache)
				lt, st, ct = append(lt, a), append(st, b), append(ct, c)
				lcpu, scpu, vcpu = lcpu+c1-c0, scpu+c2-c1, vcpu+v1-v0
			}
		}
		lm, sm, cm := harness.Median(lt), harness.Median(st), harness.Median(ct)
		cpuRatio := float64(scpu) / float64(max(lcpu, 1))
		fmt.Printf("| %s | %.1f | %.1f | %.2f | %.1f | %.2f | %.2f | %.0f |\n", name, lm, sm, sm/lm, cm, cm/lm, cpuRatio, float64(vcpu.Milliseconds())/float64(runs))
		logSum += math.Log(sm / lm)
		logCached += math.Log(cm / lm)
		logCPU += math.Log(cpuRatio)
		n++
	}
	profileS3(false)
	if n > 0 {
		fmt.Printf("\ngeomean S3 / local %.2f; with the disk cache warm %.2f; lakeq's own CPU time S3 / local %.2f (the server's CPU, which shares the cores, apart)\n", math.Exp(logSum/float64(n)), math.Exp(logCached/float64(n)), math.Exp(logCPU/float64(n)))
	}

	// q06's requests, counted by a proxy in front of the server
	proxy, err := tests3.NewProxy(srv)
	if err != nil {
		return err
	}
	defer proxy.Close()
	pcfg := cfg
	pcfg.Endpoint = proxy.URL
	counted, err := open(ctx, pcfg, "s3://lake/tpch")
	if err != nil {
		return err
	}
	q06, err := os.ReadFile(filepath.Join(queries, "q06.sql"))
	if err != nil {
		return err
	}
	if _, err := counted.Query(ctx, string(q06)); err != nil { // footers now cached
		return err
	}
	proxy.ResetTraffic()
	res, err := counted.Query(ctx, string(q06))
	if err != nil {
		return err
	}
	reqs, wire := proxy.Traffic()
	fmt.Printf("\nq06 from S3: %d GET, %d LIST, %d HEAD requests, %d bytes fetched, %d bytes scanned (%+.1f%%)\n",
		reqs[http.MethodGet], reqs["LIST"], reqs[http.MethodHead], wire, res.Scanned.Bytes, 100*float64(wire-res.Scanned.Bytes)/float64(max(res.Scanned.Bytes, 1)))

	return partitionFigure(ctx, srv, root, pcfg, proxy, nParts)
}

// partitionFigure: a dt= table of n partitions on S3, registered by MSCK;
// a one-day query's planning time (EXPLAIN) and its run's LIST requests.
func partitionFigure(ctx context.Context, srv *tests3.Server, root string, cfg s3.Config, proxy *tests3.Proxy, n int) error {
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	var target string
	for i := 0; i < n; i++ {
		d := day.AddDate(0, 0, i).Format("2006-01-02")
		if i == n/2 {
			target = d
		}
		p := filepath.Join(root, "lake", "events", "dt="+d, "part-0.csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf("%d,click\n%d,view\n", i, i)), 0o644); err != nil {
			return err
		}
	}
	eng, err := engine.Open(ctx, engine.Config{DataDir: filepath.Join(root, "lakeq"), S3: cfg})
	if err != nil {
		return err
	}
	defer eng.Close()
	s := eng.NewSession()
	for _, q := range []string{
		"CREATE EXTERNAL TABLE events (id int, kind string) PARTITIONED BY (dt date) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://lake/events/'",
		"MSCK REPAIR TABLE events",
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			return err
		}
	}
	q := fmt.Sprintf("SELECT kind, count(*) FROM events WHERE dt = DATE '%s' GROUP BY 1", target)
	var plan []float64
	for i := 0; i < 7; i++ {
		ms, err := timed(ctx, s, "EXPLAIN "+q)
		if err != nil {
			return err
		}
		plan = append(plan, ms)
	}
	proxy.ResetTraffic()
	t0 := time.Now()
	res, err := s.Query(ctx, q)
	if err != nil {
		return err
	}
	total := time.Since(t0)
	reqs, _ := proxy.Traffic()
	sort.Float64s(plan)
	fmt.Printf("\n%d dt= partitions on S3: a one-day query plans in %.1f ms (EXPLAIN, median of 7) and runs in %.1f ms (partitions pruned, listed and read), sending %d LIST and %d GET requests; %d rows\n",
		n, harness.Median(plan), float64(total.Microseconds())/1000, reqs["LIST"], reqs[http.MethodGet], res.NumRows())
	return nil
}

func open(ctx context.Context, cfg s3.Config, base string) (*engine.Session, error) {
	return openWith(ctx, engine.Config{S3: cfg}, base)
}

func openWith(ctx context.Context, ec engine.Config, base string) (*engine.Session, error) {
	dir, err := os.MkdirTemp("", "lakeq-bench-s3-data-")
	if err != nil {
		return nil, err
	}
	ec.DataDir = dir
	eng, err := engine.Open(ctx, ec)
	if err != nil {
		return nil, err
	}
	s := eng.NewSession()
	for _, t := range tpch.Tables {
		if _, err := s.Exec(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s/%s.parquet')", t, base, t)); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedAt is timed with the goroutines of the query labelled place=at in
// a CPU profile (the goroutines a query starts inherit the label).
func timedAt(ctx context.Context, at string, s *engine.Session, sql string) (ms float64, err error) {
	pprof.Do(ctx, pprof.Labels("place", at), func(ctx context.Context) { ms, err = timed(ctx, s, sql) })
	return ms, err
}

func timed(ctx context.Context, s *engine.Session, sql string) (float64, error) {
	t0 := time.Now()
	if _, err := s.Query(ctx, sql); err != nil {
		return 0, err
	}
	return float64(time.Since(t0).Microseconds()) / 1000, nil
}

func upload(ctx context.Context, fs storage.FileSystem, src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	w, err := fs.Create(ctx, dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}
