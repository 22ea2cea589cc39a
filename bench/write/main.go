// Command write measures lakeq's writes beside DuckDB's: TPC-H
// lineitem (generated with lakeq's generator, or reused) unloaded to
// Parquet with zstd (Athena's UNLOAD), and loaded into a managed table
// (CTAS), each against DuckDB's COPY (SELECT …) TO 'file' (FORMAT
// parquet, COMPRESSION zstd) over the same file. MB/s is the input
// Parquet's size over the median time; runs alternate the engines in
// rounds, as the other harnesses do.
//
//	go run ./bench/write -sf 1 -runs 3
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/storage"
)

func main() {
	worker := flag.String("worker", "", "internal: run a job file in this process (lakeq)")
	sf := flag.Float64("sf", 1, "TPC-H scale factor of lineitem")
	runs := flag.Int("runs", 3, "timed runs per figure (after one warm-up)")
	rounds := flag.Int("rounds", 2, "alternate the engines this many times")
	dataDir := flag.String("data", "", "data directory (default bench/data/sf<SF>)")
	results := flag.String("results", "", "append the table to this Markdown file")
	prepOnly := flag.Bool("prepare", false, "internal: generate the input file and exit")
	flag.Parse()
	if *worker != "" {
		os.Exit(harness.RunWorker(*worker))
	}
	if *dataDir == "" {
		*dataDir = filepath.Join("bench", "data", fmt.Sprintf("sf%g", *sf))
	}
	src, _ := filepath.Abs(filepath.Join(*dataDir, "lineitem.parquet"))
	if _, err := os.Stat(src); err != nil {
		if *prepOnly {
			fmt.Fprintf(os.Stderr, "generating lineitem at SF %g into %s\n", *sf, *dataDir)
			if _, err := tpch.New(*sf).Write(context.Background(), storage.DefaultRegistry(), "lineitem", *dataDir, "parquet"); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			os.Exit(0)
		}
		// in a child: the workers would inherit this process's RSS
		// high-water mark (vfork and exec), the generator's
		gen := exec.Command(os.Args[0], "-prepare", "-sf", fmt.Sprint(*sf), "-data", *dataDir)
		gen.Stdout, gen.Stderr = os.Stderr, os.Stderr
		if err := gen.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "generating the input:", err)
			os.Exit(1)
		}
	}
	st, err := os.Stat(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := os.MkdirTemp("", "lakeq-bench-write")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer os.RemoveAll(out)
	read := fmt.Sprintf("SELECT * FROM read_parquet('%s')", src)
	// every run writes a fresh target and drops it afterwards, untimed,
	// in both engines (see harness.Query.RemoveAfter)
	duck := fmt.Sprintf("COPY (%s) TO '%s/duck{run}.parquet' (FORMAT parquet, COMPRESSION zstd)", read, out)
	duckOut, unloadOut := filepath.Join(out, "duck{run}.parquet"), filepath.Join(out, "u{run}")
	j := harness.Job{Threads: runtime.NumCPU(), Runs: *runs, LakeqSetup: []string{}, DuckDBSetup: []string{}, Queries: []harness.Query{
		{Name: "unload_parquet_zstd", SQL: fmt.Sprintf("UNLOAD (%s) TO '%s' WITH (format = 'PARQUET', compression = 'ZSTD')", read, unloadOut), DuckDBSQL: duck, Kind: "write", Bytes: st.Size(),
			RemoveAfter: []string{unloadOut, duckOut}},
		{Name: "ctas_managed", SQL: fmt.Sprintf("CREATE TABLE li{run} AS %s", read), DuckDBSQL: duck, Kind: "write", Bytes: st.Size(),
			LakeqAfter: []string{"DROP TABLE li{run}"}, RemoveAfter: []string{duckOut}},
	}}
	lq, dk, lqRSS, dkRSS, err := harness.RunRounds(j, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| figure | lakeq ms | lakeq MB/s | DuckDB COPY TO ms | DuckDB MB/s | lakeq/DuckDB speed |\n|---|---:|---:|---:|---:|---:|\n")
	mb := float64(st.Size()) / (1 << 20)
	for _, q := range j.Queries {
		l, d := lq[q.Name], dk[q.Name]
		if l.Error != "" || d.Error != "" {
			fmt.Fprintf(&b, "| %s | error: %s %s | | | | |\n", q.Name, l.Error, d.Error)
			continue
		}
		lm, dm := harness.Median(l.Times), harness.Median(d.Times)
		fmt.Fprintf(&b, "| %s | %.0f | %.1f | %.0f | %.1f | %.2f |\n", q.Name, lm, mb/(lm/1000), dm, mb/(dm/1000), dm/lm)
	}
	fmt.Fprintf(&b, "\ninput: %s, %.1f MB (TPC-H SF %g lineitem, Parquet); threads = %d; peak RSS: lakeq %d MB, DuckDB %d MB\n", filepath.Base(src), mb, *sf, j.Threads, lqRSS>>20, dkRSS>>20)
	fmt.Print(b.String())
	if *results != "" {
		f, err := os.OpenFile(*results, os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "\n## Writes: UNLOAD and CTAS beside DuckDB's COPY TO\n\n`go run ./bench/write -sf %g -runs %d`\n\n%s", *sf, *runs, b.String())
			f.Close()
		}
	}
}
