// Command tpcds benchmarks lakeq against DuckDB on the 99 TPC-DS queries
// over the shared Parquet sample (../shared/tpcds/sf0.1), by the same
// method as bench/tpch: each engine in its own child process with threads
// = cores, rounds that alternate the engines, a warm-up and -runs timed
// runs per query, the answers compared (as multisets: TPC-DS leaves
// ORDER BY ties open), medians, the ratio lakeq/DuckDB, each engine's
// peak RSS and a last line "geomean ratio X.XX".
//
//	go run ./bench/tpcds [-runs 5] [-rounds 2] [-only 1,14,95] [-results bench/RESULTS.md]
//
// q85 runs in lakeq alone: DuckDB does not finish it on this sample (its
// README). q59 divides by a zero sum, which is PostgreSQL's 22012 in
// lakeq and NULL in DuckDB; it is timed in DuckDB only and listed.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/bench/harness"
)

var tables = []string{"call_center", "catalog_page", "catalog_returns", "catalog_sales", "customer",
	"customer_address", "customer_demographics", "date_dim", "household_demographics", "income_band",
	"inventory", "item", "promotion", "reason", "ship_mode", "store", "store_returns", "store_sales",
	"time_dim", "warehouse", "web_page", "web_returns", "web_sales", "web_site"}

// expected are the queries whose answers differ from DuckDB's by design.
var expected = map[string]string{"q59": "22012 division by zero, as PostgreSQL (DuckDB: NULL)"}

func main() {
	worker := flag.String("worker", "", "internal: run a job file in this process (lakeq)")
	runs := flag.Int("runs", 5, "timed runs per query (after one warm-up)")
	rounds := flag.Int("rounds", 2, "alternate the engines this many times")
	dir := flag.String("data", "../shared/tpcds", "folder with queries/ and sf0.1/")
	only := flag.String("only", "", "comma-separated query numbers (default all 99)")
	results := flag.String("results", "", "append the table to this Markdown file (e.g. bench/RESULTS.md)")
	profile := flag.String("profile", "", "write a CPU profile of lakeq's timed runs of each query into this folder")
	flag.Parse()
	if *worker != "" {
		os.Exit(harness.RunWorker(*worker))
	}
	abs, _ := filepath.Abs(*dir)
	j := harness.Job{Threads: runtime.NumCPU(), Runs: *runs, Profile: *profile}
	for _, t := range tables {
		v := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s/sf0.1/%s.parquet')", t, abs, t)
		j.LakeqSetup = append(j.LakeqSetup, v)
		j.DuckDBSetup = append(j.DuckDBSetup, v)
	}
	want := map[int]bool{}
	for _, n := range strings.Split(*only, ",") {
		if k, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(n), "q")); err == nil {
			want[k] = true
		}
	}
	for i := 1; i <= 99; i++ {
		if len(want) > 0 && !want[i] {
			continue
		}
		b, err := os.ReadFile(filepath.Join(abs, "queries", fmt.Sprintf("%02d.sql", i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		j.Queries = append(j.Queries, harness.Query{Name: fmt.Sprintf("q%02d", i), SQL: string(b), Kind: "tpcds", SkipDuckDB: i == 85})
	}
	lq, dk, lqRSS, dkRSS, err := harness.RunRounds(j, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	j.Rounds = max(1, min(*rounds, j.Runs))
	report(j, lq, dk, lqRSS, dkRSS, *results)
}

func report(j harness.Job, lq, dk map[string]harness.Result, lqRSS, dkRSS int64, resultsFile string) {
	table := harness.Table(j, lq, dk, lqRSS, dkRSS, expected)
	fmt.Print(table)
	if resultsFile != "" {
		host, _ := os.Hostname()
		md := fmt.Sprintf("\n## TPC-DS\n\n`go run ./bench/tpcds` on the shared sample (a tenth of SF 1) on %s (%d cores, %s), %s; DuckDB via @duckdb/node-api 1.5.6-r.1; medians of %d runs in %d rounds alternating the engines, threads = cores.\n\n%s",
			host, runtime.NumCPU(), runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), j.Runs, j.Rounds, table)
		f, err := os.OpenFile(resultsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(md)
			f.Close()
		}
	}
}
