// Command tpch benchmarks lakeq against DuckDB on TPC-H (and scan and CSV
// figures) on the same files and machine:
//
//	go run ./bench/tpch -sf 1
//
// It generates the data with lakeq's TPC-H generator (or reuses it), runs
// each engine in its own child process with threads = cores (a warm-up and
// -runs timed runs per query), checks that the answers agree, and prints
// per-query medians, the ratio lakeq/DuckDB, each engine's peak RSS, and a
// last line "geomean ratio X.XX". With -results it rewrites bench/RESULTS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
)

func main() {
	worker := flag.String("worker", "", "internal: run a job file in this process (lakeq)")
	sf := flag.Float64("sf", 1, "TPC-H scale factor")
	runs := flag.Int("runs", 5, "timed runs per query (after one warm-up)")
	rounds := flag.Int("rounds", 2, "alternate the engines this many times, splitting the runs among rounds, so that both see the same machine conditions")
	dataDir := flag.String("data", "", "data directory (default bench/data/sf<SF>)")
	queries := flag.String("queries", "../shared/tpch/queries", "folder of q01.sql … q22.sql")
	only := flag.String("only", "", "comma-separated query names to run (default all)")
	noCSV := flag.Bool("no-csv", false, "skip the CSV figures")
	results := flag.String("results", "", "write the table to this Markdown file (e.g. bench/RESULTS.md)")
	profile := flag.String("profile", "", "write a CPU profile of lakeq's timed runs of each query into this folder (NAME.prof)")
	memLimit := flag.String("memory-limit", "", "SET memory_limit in both engines first (e.g. 100MB: both spill)")
	flag.Parse()
	if *worker != "" {
		os.Exit(harness.RunWorker(*worker))
	}
	if *dataDir == "" {
		*dataDir = filepath.Join("bench", "data", fmt.Sprintf("sf%g", *sf))
	}
	if err := ensureData(*dataDir, *sf, !*noCSV); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	abs, _ := filepath.Abs(*dataDir)
	j := harness.Job{Threads: runtime.NumCPU(), Runs: *runs, Profile: *profile}
	for _, t := range tpch.Tables {
		v := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s/%s.parquet')", t, abs, t)
		j.LakeqSetup = append(j.LakeqSetup, v)
		j.DuckDBSetup = append(j.DuckDBSetup, v)
	}
	if *memLimit != "" {
		set := fmt.Sprintf("SET memory_limit = '%s'", *memLimit)
		j.LakeqSetup = append(j.LakeqSetup, set)
		j.DuckDBSetup = append(j.DuckDBSetup, set)
		j.MemoryLimit, _ = engine.ParseMemoryLimit(*memLimit)
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			want[n] = true
		}
	}
	for i := 1; i <= 22; i++ {
		name := fmt.Sprintf("q%02d", i)
		if len(want) > 0 && !want[name] {
			continue
		}
		b, err := os.ReadFile(filepath.Join(*queries, name+".sql"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		j.Queries = append(j.Queries, harness.Query{Name: name, SQL: string(b), Kind: "tpch"})
	}
	lineRows := tpch.New(*sf).Rows("lineitem") * 4 // about four lines per order
	if len(want) == 0 || want["scan"] {
		j.Queries = append(j.Queries, harness.Query{Name: "scan", Kind: "scan", Rows: lineRows,
			SQL: "SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem WHERE l_shipdate >= DATE '1995-01-01' AND l_shipdate < DATE '1996-01-01'"})
	}
	if !*noCSV && (len(want) == 0 || want["csv"]) {
		for _, f := range []string{"lineitem.csv", "lineitem.csv.gz"} {
			p := filepath.Join(abs, "csv", f)
			st, _ := os.Stat(filepath.Join(abs, "csv", "lineitem.csv"))
			j.Queries = append(j.Queries, harness.Query{Name: "csv " + f, Kind: "csv", Bytes: st.Size(),
				SQL:       fmt.Sprintf("SELECT count(*), sum(column04) FROM read_csv('%s', delim => '|', header => false)", p),
				DuckDBSQL: fmt.Sprintf("SELECT count(*), sum(column04) FROM read_csv('%s', delim='|', header=false)", p)})
		}
		// JSON Lines: every value parsed (the columns read typed; the
		// others only checked), the rate in MB/s of the file
		p := filepath.Join(abs, "csv", "lineitem.jsonl")
		st, _ := os.Stat(p)
		j.Queries = append(j.Queries, harness.Query{Name: "json lineitem.jsonl", Kind: "csv", Bytes: st.Size(),
			SQL:       fmt.Sprintf("SELECT count(*), sum(l_orderkey), max(l_shipdate), min(l_comment) FROM read_json('%s')", p),
			DuckDBSQL: fmt.Sprintf("SELECT count(*), sum(l_orderkey), max(l_shipdate), min(l_comment) FROM read_json('%s')", p)})
	}
	lq, dk, lqRSS, dkRSS, err := harness.RunRounds(j, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	j.Rounds = max(1, min(*rounds, j.Runs))
	report(j, lq, dk, lqRSS, dkRSS, *sf, *results)
}

// agree compares two answers with the TPC-H README's tolerance.
func agree(a, b harness.Result) (bool, string) {
	if len(a.Rows) != len(b.Rows) {
		return false, fmt.Sprintf("%d rows vs %d", len(a.Rows), len(b.Rows))
	}
	for i := range a.Rows {
		if len(a.Rows[i]) != len(b.Rows[i]) {
			return false, fmt.Sprintf("row %d width", i)
		}
		for c := range a.Rows[i] {
			x, y := a.Rows[i][c], b.Rows[i][c]
			if x == nil || y == nil {
				if x != y && !(x == nil && y == nil) {
					return false, fmt.Sprintf("row %d col %d: NULL vs value", i, c)
				}
				continue
			}
			if *x == *y {
				continue
			}
			fx, e1 := strconv.ParseFloat(*x, 64)
			fy, e2 := strconv.ParseFloat(*y, 64)
			if e1 == nil && e2 == nil && math.Abs(fx-fy) <= 1e-6*math.Max(1, math.Max(math.Abs(fx), math.Abs(fy)))+0.005 {
				continue
			}
			return false, fmt.Sprintf("row %d col %d: %q vs %q", i, c, *x, *y)
		}
	}
	return true, ""
}

func report(j harness.Job, lq, dk map[string]harness.Result, lqRSS, dkRSS int64, sf float64, resultsFile string) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "| query | lakeq ms | DuckDB ms | lakeq/DuckDB | answers |\n|---|---:|---:|---:|---|\n")
	var logSum float64
	var n int
	var extra []string
	for _, q := range j.Queries {
		a, b := lq[q.Name], dk[q.Name]
		la, db := harness.Median(a.Times), harness.Median(b.Times)
		ratio := la / db
		status := "agree"
		if a.Error != "" {
			status = "lakeq error: " + a.Error
		} else if b.Error != "" {
			status = "duckdb error: " + b.Error
		} else if ok, why := agree(a, b); !ok {
			status = "DIFFER: " + why
		}
		fmt.Fprintf(&sb, "| %s | %.1f | %.1f | %.2f | %s |\n", q.Name, la, db, ratio, status)
		if q.Kind == "tpch" && !math.IsNaN(ratio) && ratio > 0 {
			logSum += math.Log(ratio)
			n++
		}
		switch q.Kind {
		case "scan":
			extra = append(extra, fmt.Sprintf("scan rate: lakeq %.1f M rows/s, DuckDB %.1f M rows/s (ratio %.2f)",
				float64(q.Rows)/la/1000, float64(q.Rows)/db/1000, ratio))
		case "csv":
			extra = append(extra, fmt.Sprintf("%s: lakeq %.1f MB/s, DuckDB %.1f MB/s (ratio %.2f)",
				q.Name, float64(q.Bytes)/la/1000, float64(q.Bytes)/db/1000, ratio))
		}
	}
	fmt.Fprintf(&sb, "\npeak RSS: lakeq %.0f MB, DuckDB %.0f MB (ratio %.2f)\n", float64(lqRSS)/1e6, float64(dkRSS)/1e6, float64(lqRSS)/float64(dkRSS))
	for _, e := range extra {
		sb.WriteString(e + "\n")
	}
	geo := math.Exp(logSum / float64(max(n, 1)))
	fmt.Fprintf(&sb, "geomean ratio %.2f\n", geo)
	fmt.Print(sb.String())
	if resultsFile != "" {
		host, _ := os.Hostname()
		md := fmt.Sprintf("# Benchmark results\n\n`go run ./bench/tpch -sf %g` on %s (%d cores, %s), %s; DuckDB via @duckdb/node-api 1.5.6-r.1; medians of %d runs in %d rounds that alternate the engines (each round a fresh process with a warm-up), threads = cores.\n\n%s",
			sf, host, runtime.NumCPU(), runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), j.Runs, max(1, j.Rounds), sb.String())
		os.WriteFile(resultsFile, []byte(md), 0o644)
	}
}

// ensureData generates the Parquet tables (and lineitem as CSV, plain and
// gzip, and as JSON Lines) unless they already exist.
func ensureData(dir string, sf float64, csv bool) error {
	if err := os.MkdirAll(filepath.Join(dir, "csv"), 0o755); err != nil {
		return err
	}
	g := tpch.New(sf)
	ctx := context.Background()
	for _, t := range tpch.Tables {
		if _, err := os.Stat(filepath.Join(dir, t+".parquet")); err == nil {
			continue
		}
		fmt.Fprintf(os.Stderr, "generating %s (SF %g)...\n", t, sf)
		if _, err := g.Write(ctx, storage.Local{}, t, dir, "parquet"); err != nil {
			return err
		}
	}
	if !csv {
		return nil
	}
	plain := filepath.Join(dir, "csv", "lineitem.csv")
	if _, err := os.Stat(plain); err != nil {
		fmt.Fprintln(os.Stderr, "generating lineitem.csv...")
		if _, err := g.Write(ctx, storage.Local{}, "lineitem", filepath.Join(dir, "csv"), "csv"); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "csv", "lineitem.jsonl")); err != nil {
		fmt.Fprintln(os.Stderr, "generating lineitem.jsonl...")
		if _, err := g.Write(ctx, storage.Local{}, "lineitem", filepath.Join(dir, "csv"), "json"); err != nil {
			return err
		}
	}
	gz := plain + ".gz"
	if _, err := os.Stat(gz); err != nil {
		in, err := os.Open(plain)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(gz + ".tmp")
		if err != nil {
			return err
		}
		zw := gzip.NewWriter(out)
		if _, err := io.Copy(zw, in); err != nil {
			return err
		}
		zw.Close()
		out.Close()
		if err := os.Rename(gz+".tmp", gz); err != nil {
			return err
		}
	}
	return nil
}
