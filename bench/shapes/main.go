// Command shapes benchmarks lakeq against DuckDB on the everyday query
// shapes a user writes first over one wide table — a count, a sum, a
// GROUP BY of text, of a decimal, of a month, COUNT(DISTINCT …), a
// top-N, a window, LIKE, string functions, FILTER, a self-join — rather
// than the TPC queries the engine was tuned to. The table (5 million rows
// by default: integers, text of few and of many values, numeric(12,2),
// a timestamp, a boolean) is written once by lakeq as Parquet under
// bench/data/shapes-N; both engines read the same files, by the method
// of bench/tpch (child processes, alternating rounds, medians, answers
// compared as multisets).
//
//	go run ./bench/shapes [-rows 5000000] [-runs 5] [-only 3,4] [-results bench/RESULTS.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/engine"
)

// queries are the shapes, in DuckDB's dialect as well as lakeq's.
var queries = []string{
	"SELECT count(*) FROM t",
	"SELECT sum(price), avg(price), min(price), max(price) FROM t",
	"SELECT cat, count(*), sum(price) FROM t GROUP BY cat ORDER BY cat",
	"SELECT price, count(*) FROM t GROUP BY price ORDER BY 2 DESC, 1 LIMIT 5",
	"SELECT count(DISTINCT price) FROM t",
	"SELECT count(DISTINCT name) FROM t",
	"SELECT name, count(*) FROM t GROUP BY name ORDER BY 2 DESC, 1 LIMIT 5",
	"SELECT date_trunc('month', ts) m, count(*), sum(qty) FROM t GROUP BY m ORDER BY m LIMIT 5",
	"SELECT * FROM t ORDER BY price DESC, id LIMIT 10",
	"SELECT id, row_number() OVER (PARTITION BY cat ORDER BY price DESC, id) rn FROM t ORDER BY id LIMIT 5",
	"SELECT count(*) FROM t WHERE name LIKE '%77%'",
	"SELECT count(*) FROM t WHERE lower(name) = 'name12345'",
	"SELECT upper(substring(name, 1, 6)) s, count(*) FROM t GROUP BY s ORDER BY s LIMIT 5",
	"SELECT cat, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) FROM t GROUP BY cat ORDER BY cat",
	"SELECT count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.qty > 50",
	"SELECT qty, avg(price), stddev(price) FROM t GROUP BY qty ORDER BY qty LIMIT 5",
	"SELECT extract(year FROM ts) y, extract(month FROM ts) mo, count(*) FROM t GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 5",
	"SELECT count(*) FROM t WHERE ts BETWEEN TIMESTAMP '2021-03-01' AND TIMESTAMP '2021-03-31'",
	"SELECT cat, count(*) FILTER (WHERE qty > 10), sum(price) FILTER (WHERE flag) FROM t GROUP BY cat ORDER BY cat",
	"SELECT id, price, lag(price) OVER (ORDER BY id) FROM t ORDER BY id DESC LIMIT 3",
	"SELECT sum(price * qty), sum(round(price * 1.07, 2)) FROM t",
	"SELECT cast(price AS text) || '-' || name s FROM t ORDER BY s LIMIT 3",
	"SELECT count(*) FROM (SELECT DISTINCT cat, qty FROM t) s",
	"SELECT cat, qty, count(*) FROM t GROUP BY ROLLUP (cat, qty) ORDER BY 1, 2 LIMIT 5",
}

func main() {
	worker := flag.String("worker", "", "internal: run a job file in this process (lakeq)")
	rows := flag.Int("rows", 5000000, "rows of the table")
	runs := flag.Int("runs", 5, "timed runs per query (after one warm-up)")
	rounds := flag.Int("rounds", 2, "alternate the engines this many times")
	only := flag.String("only", "", "comma-separated query numbers (default all)")
	results := flag.String("results", "", "append the table to this Markdown file (e.g. bench/RESULTS.md)")
	profile := flag.String("profile", "", "write a CPU profile of lakeq's timed runs of each query into this folder")
	flag.Parse()
	if *worker != "" {
		os.Exit(harness.RunWorker(*worker))
	}
	dir, _ := filepath.Abs(filepath.Join("bench", "data", fmt.Sprintf("shapes-%d", *rows)))
	if err := ensureData(dir, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	j := harness.Job{Threads: runtime.NumCPU(), Runs: *runs, Profile: *profile}
	v := fmt.Sprintf("CREATE VIEW t AS SELECT * FROM read_parquet('%s/*.parquet')", dir)
	j.LakeqSetup = append(j.LakeqSetup, v)
	j.DuckDBSetup = append(j.DuckDBSetup, v)
	want := map[int]bool{}
	for _, n := range strings.Split(*only, ",") {
		if k, err := strconv.Atoi(strings.TrimSpace(n)); err == nil {
			want[k] = true
		}
	}
	for i, q := range queries {
		if len(want) > 0 && !want[i+1] {
			continue
		}
		j.Queries = append(j.Queries, harness.Query{Name: fmt.Sprintf("s%02d", i+1), SQL: q, Kind: "shape"})
	}
	lq, dk, lqRSS, dkRSS, err := harness.RunRounds(j, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	j.Rounds = max(1, min(*rounds, j.Runs))
	table := harness.Table(j, lq, dk, lqRSS, dkRSS, nil)
	var sb strings.Builder
	for _, q := range j.Queries {
		fmt.Fprintf(&sb, "- %s: `%s`\n", q.Name, q.SQL)
	}
	fmt.Print(table, "\n", sb.String())
	if *results != "" {
		host, _ := os.Hostname()
		md := fmt.Sprintf("\n## Query shapes\n\n`go run ./bench/shapes` over %d rows on %s (%d cores, %s), %s; medians of %d runs in %d rounds alternating the engines, threads = cores.\n\n%s\n%s",
			*rows, host, runtime.NumCPU(), runtime.GOARCH, time.Now().UTC().Format("2006-01-02"), j.Runs, j.Rounds, table, sb.String())
		if f, err := os.OpenFile(*results, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			f.WriteString(md)
			f.Close()
		}
	}
}

// ensureData writes the table as Parquet with lakeq's UNLOAD, once.
func ensureData(dir string, rows int) error {
	if m, _ := filepath.Glob(filepath.Join(dir, "*.parquet")); len(m) > 0 {
		return nil
	}
	fmt.Fprintf(os.Stderr, "generating %d rows into %s...\n", rows, dir)
	tmp, err := os.MkdirTemp("", "lakeq-shapes")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx := context.Background()
	eng, err := engine.Open(ctx, engine.Config{DataDir: tmp})
	if err != nil {
		return err
	}
	defer eng.Close()
	// ids in order; a category of 20 values, names of 100,000, prices
	// of 100,000 cents, quantities 0-99, a timestamp every 17 seconds
	// (about 2.7 years), every third row flagged
	q := fmt.Sprintf(`UNLOAD (SELECT g AS id, 'cat' || (g %% 20) AS cat, 'name' || (g::bigint * 7919 %% 100000) AS name,
		(((g * 37) %% 100000) / 100.0)::numeric(12,2) AS price, g %% 100 AS qty,
		TIMESTAMP '2020-01-01' + g * interval '17 seconds' AS ts, g %% 3 = 0 AS flag
		FROM generate_series(1, %d) g) TO '%s' WITH (format = 'PARQUET', compression = 'ZSTD')`, rows, dir)
	_, err = eng.NewSession().Exec(ctx, q)
	return err
}
