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
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
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

func cellLess(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b != nil
	}
	x, e1 := strconv.ParseFloat(*a, 64)
	y, e2 := strconv.ParseFloat(*b, 64)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return *a < *b
}

func sortedRows(rs [][]*string) [][]*string {
	out := append([][]*string(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		for c := range out[i] {
			if c >= len(out[j]) {
				return false
			}
			if cellLess(out[i][c], out[j][c]) {
				return true
			}
			if cellLess(out[j][c], out[i][c]) {
				return false
			}
		}
		return false
	})
	return out
}

// agree compares the answers as multisets with the TPC-DS README's rules.
func agree(a, b harness.Result) (bool, string) {
	if len(a.Rows) != len(b.Rows) {
		return false, fmt.Sprintf("%d rows vs %d", len(a.Rows), len(b.Rows))
	}
	x, y := sortedRows(a.Rows), sortedRows(b.Rows)
	norm := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimRight(*p, " ")
	}
	for i := range x {
		if len(x[i]) != len(y[i]) {
			return false, fmt.Sprintf("row %d width", i)
		}
		for c := range x[i] {
			u, v := norm(x[i][c]), norm(y[i][c])
			if u == v {
				continue
			}
			fu, e1 := strconv.ParseFloat(u, 64)
			fv, e2 := strconv.ParseFloat(v, 64)
			if e1 == nil && e2 == nil && (math.Abs(fu-fv) <= 0.01 || math.Abs(fu-fv) <= 1e-6*math.Max(math.Abs(fu), math.Abs(fv))) {
				continue
			}
			return false, fmt.Sprintf("sorted row %d col %d: %q vs %q", i, c, u, v)
		}
	}
	return true, ""
}

func report(j harness.Job, lq, dk map[string]harness.Result, lqRSS, dkRSS int64, resultsFile string) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "| query | lakeq ms | DuckDB ms | lakeq/DuckDB | answers |\n|---|---:|---:|---:|---|\n")
	var logSum float64
	var n, agreeN int
	type worst struct {
		name  string
		ratio float64
	}
	var ws []worst
	for _, q := range j.Queries {
		a, b := lq[q.Name], dk[q.Name]
		la, db := harness.Median(a.Times), harness.Median(b.Times)
		ratio := la / db
		status := "agree"
		switch {
		case expected[q.Name] != "" && a.Error != "":
			status = "expected: " + expected[q.Name]
			ratio = math.NaN()
		case a.Error != "":
			status = "lakeq error: " + a.Error
		case q.SkipDuckDB:
			status = "lakeq only (DuckDB does not finish it)"
		case b.Error != "":
			status = "duckdb error: " + b.Error
		default:
			if ok, why := agree(a, b); !ok {
				status = "DIFFER: " + why
			} else {
				agreeN++
			}
		}
		fmt.Fprintf(&sb, "| %s | %.1f | %.1f | %.2f | %s |\n", q.Name, la, db, ratio, status)
		if status == "agree" && ratio > 0 && !math.IsInf(ratio, 0) {
			logSum += math.Log(ratio)
			n++
			ws = append(ws, worst{q.Name, ratio})
		}
	}
	sort.Slice(ws, func(i, k int) bool { return ws[i].ratio > ws[k].ratio })
	var top []string
	for i := 0; i < len(ws) && i < 5; i++ {
		top = append(top, fmt.Sprintf("%s %.2fx", ws[i].name, ws[i].ratio))
	}
	fmt.Fprintf(&sb, "\n%d of %d answers agree; worst ratios: %s\n", agreeN, len(j.Queries), strings.Join(top, ", "))
	fmt.Fprintf(&sb, "peak RSS: lakeq %.0f MB, DuckDB %.0f MB (ratio %.2f)\n", float64(lqRSS)/1e6, float64(dkRSS)/1e6, float64(lqRSS)/float64(dkRSS))
	fmt.Fprintf(&sb, "geomean ratio %.2f (over the %d queries that agree)\n", math.Exp(logSum/float64(max(n, 1))), n)
	fmt.Print(sb.String())
	if resultsFile != "" {
		host, _ := os.Hostname()
		md := fmt.Sprintf("\n## TPC-DS\n\n`go run ./bench/tpcds` on the shared sample (a tenth of SF 1) on %s (%d cores, %s), %s; DuckDB via @duckdb/node-api 1.5.6-r.1; medians of %d runs in %d rounds alternating the engines, threads = cores.\n\n%s",
			host, runtime.NumCPU(), runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), j.Runs, j.Rounds, sb.String())
		f, err := os.OpenFile(resultsFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(md)
			f.Close()
		}
	}
}
