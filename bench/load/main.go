// Command load measures COPY beside DuckDB: TPC-H lineitem as one
// '|'-delimited file and as the same rows split into .gz files (a
// multiple of the slice count), loaded into a managed table by
// Redshift's COPY and into a DuckDB table by CREATE TABLE AS read_csv
// (DuckDB's own fastest load). It also times the split files on 1 and 2
// slices (the slice-scaling figure). Runs alternate the engines in
// rounds, as the other harnesses do; peak RSS is each engine process's.
//
//	go run ./bench/load -sf 1 -runs 3
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
)

// ddl makes the run's own table (see harness.Query.LakeqAfter)
const ddl = `CREATE TABLE lineitem{run} (l_orderkey bigint, l_partkey bigint, l_suppkey bigint, l_linenumber int,
 l_quantity numeric(15,2), l_extendedprice numeric(15,2), l_discount numeric(15,2), l_tax numeric(15,2),
 l_returnflag char(1), l_linestatus char(1), l_shipdate date, l_commitdate date, l_receiptdate date,
 l_shipinstruct char(25), l_shipmode char(10), l_comment varchar(44))`

const duckColumns = `{'l_orderkey':'BIGINT','l_partkey':'BIGINT','l_suppkey':'BIGINT','l_linenumber':'INTEGER',
 'l_quantity':'DECIMAL(15,2)','l_extendedprice':'DECIMAL(15,2)','l_discount':'DECIMAL(15,2)','l_tax':'DECIMAL(15,2)',
 'l_returnflag':'VARCHAR','l_linestatus':'VARCHAR','l_shipdate':'DATE','l_commitdate':'DATE','l_receiptdate':'DATE',
 'l_shipinstruct':'VARCHAR','l_shipmode':'VARCHAR','l_comment':'VARCHAR'}`

func main() {
	worker := flag.String("worker", "", "internal: run a job file in this process (lakeq)")
	sf := flag.Float64("sf", 1, "TPC-H scale factor of lineitem")
	runs := flag.Int("runs", 3, "timed runs per figure (after one warm-up)")
	rounds := flag.Int("rounds", 2, "alternate the engines this many times")
	parts := flag.Int("parts", 8, "split files (a multiple of the slice count)")
	dataDir := flag.String("data", "", "data directory (default bench/data/sf<SF>)")
	results := flag.String("results", "", "append the table to this Markdown file")
	prepOnly := flag.Bool("prepare", false, "internal: generate the input files and exit")
	flag.Parse()
	if *worker != "" {
		os.Exit(harness.RunWorker(*worker))
	}
	if *dataDir == "" {
		*dataDir = filepath.Join("bench", "data", fmt.Sprintf("sf%g", *sf))
	}
	dir, _ := filepath.Abs(*dataDir)
	tbl := filepath.Join(dir, "lineitem.tbl")
	split := filepath.Join(dir, "split")
	if *prepOnly {
		if err := prepare(dir, tbl, split, *sf, *parts); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// generated in a child process: a worker started by vfork and exec
	// inherits this process's RSS high-water mark, so generating here
	// made the workers' peak RSS the generator's (1711 MB for a 197 MB load)
	gen := exec.Command(os.Args[0], "-prepare", "-sf", fmt.Sprint(*sf), "-parts", fmt.Sprint(*parts), "-data", dir)
	gen.Stdout, gen.Stderr = os.Stderr, os.Stderr
	if err := gen.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "preparing the input:", err)
		os.Exit(1)
	}
	st, _ := os.Stat(tbl)
	var splitBytes int64
	gz, _ := filepath.Glob(filepath.Join(split, "lineitem_*.tbl.gz"))
	for _, g := range gz {
		if fi, err := os.Stat(g); err == nil {
			splitBytes += fi.Size()
		}
	}
	// the rows the files hold (lakeq's generator does not make dbgen's
	// 6,001,215 at SF 1): one per line of the text file
	rows, err := countLines(tbl)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// each run loads a table of its own, dropped after the run untimed
	// (its files go at once): TRUNCATE kept the last runs' files for
	// their grace, so every run wrote into page-cache pages never touched
	// before, which on a VM cost each run the same fixed second
	copyOne := fmt.Sprintf("%s; COPY lineitem{run} FROM '%s' MAXERROR 0", ddl, tbl)
	copySplit := fmt.Sprintf("%s; COPY lineitem{run} FROM '%s/lineitem_' GZIP", ddl, split)
	drop := []string{"DROP TABLE lineitem{run}"}
	duck := func(glob string) string {
		return fmt.Sprintf("CREATE OR REPLACE TABLE lineitem AS SELECT * FROM read_csv('%s', delim = '|', header = false, quote = '', escape = '', columns = %s)", glob, duckColumns)
	}
	j := harness.Job{Threads: runtime.NumCPU(), Runs: *runs, LakeqSetup: []string{}, DuckDBSetup: []string{}, Queries: []harness.Query{
		{Name: "copy_one_file", SQL: copyOne, DuckDBSQL: duck(tbl), Kind: "write", Bytes: st.Size(), Rows: rows, LakeqAfter: drop},
		{Name: "copy_split_gz", SQL: copySplit, DuckDBSQL: duck(filepath.Join(split, "lineitem_*.tbl.gz")), Kind: "write", Bytes: splitBytes, Rows: rows, LakeqAfter: drop},
		{Name: "copy_split_gz_1slice", SQL: "SET copy_slices = 1; " + copySplit + "; RESET copy_slices", Kind: "write", Bytes: splitBytes, Rows: rows, SkipDuckDB: true, LakeqAfter: drop},
		{Name: "copy_split_gz_2slices", SQL: "SET copy_slices = 2; " + copySplit + "; RESET copy_slices", Kind: "write", Bytes: splitBytes, Rows: rows, SkipDuckDB: true, LakeqAfter: drop},
	}}
	lq, dk, lqRSS, dkRSS, err := harness.RunRounds(j, *rounds)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| figure | lakeq ms | lakeq rows/s | DuckDB ms | DuckDB rows/s | lakeq/DuckDB speed |\n|---|---:|---:|---:|---:|---:|\n")
	for _, q := range j.Queries {
		l, d := lq[q.Name], dk[q.Name]
		if l.Error != "" || d.Error != "" {
			fmt.Fprintf(&b, "| %s | error: %s %s | | | | |\n", q.Name, l.Error, d.Error)
			continue
		}
		lm := harness.Median(l.Times)
		if q.SkipDuckDB {
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | | | |\n", q.Name, lm, float64(q.Rows)/(lm/1000))
			continue
		}
		dm := harness.Median(d.Times)
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.0f | %.0f | %.2f |\n", q.Name, lm, float64(q.Rows)/(lm/1000), dm, float64(q.Rows)/(dm/1000), dm/lm)
	}
	one, two := harness.Median(lq["copy_split_gz_1slice"].Times), harness.Median(lq["copy_split_gz_2slices"].Times)
	fmt.Fprintf(&b, "\nslice scaling on the %d split files: 1 slice %.0f ms, 2 slices %.0f ms: %.2f×\n", len(gz), one, two, one/two)
	fmt.Fprintf(&b, "input: lineitem.tbl %.1f MB; %d × .tbl.gz %.1f MB (TPC-H SF %g, %d rows); threads = %d; peak RSS: lakeq %d MB, DuckDB %d MB (in-memory database)\n",
		float64(st.Size())/(1<<20), len(gz), float64(splitBytes)/(1<<20), *sf, rows, j.Threads, lqRSS>>20, dkRSS>>20)
	fmt.Print(b.String())
	if *results != "" {
		f, err := os.OpenFile(*results, os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "\n## Loads: COPY beside DuckDB\n\n`go run ./bench/load -sf %g -runs %d`\n\n%s", *sf, *runs, b.String())
			f.Close()
		}
	}
}

// prepare makes lineitem.tbl ('|'-delimited, no trailing delimiter) and
// its split .gz files when missing, from lakeq's generator.
func prepare(dir, tbl, split string, sf float64, parts int) error {
	ctx := context.Background()
	if _, err := os.Stat(tbl); err != nil {
		pq := filepath.Join(dir, "lineitem.parquet")
		if _, err := os.Stat(pq); err != nil {
			fmt.Fprintf(os.Stderr, "generating lineitem at SF %g into %s\n", sf, dir)
			if _, err := tpch.New(sf).Write(ctx, storage.DefaultRegistry(), "lineitem", dir, "parquet"); err != nil {
				return err
			}
		}
		tmp, _ := os.MkdirTemp("", "lakeq-bench-load")
		defer os.RemoveAll(tmp)
		eng, err := engine.Open(ctx, engine.Config{DataDir: tmp, Workers: runtime.NumCPU()})
		if err != nil {
			return err
		}
		defer eng.Close()
		if _, err := eng.NewSession().Query(ctx, fmt.Sprintf("COPY (SELECT * FROM '%s') TO '%s' (DELIMITER '|')", pq, tbl)); err != nil {
			return err
		}
	}
	if gz, _ := filepath.Glob(filepath.Join(split, "lineitem_*.tbl.gz")); len(gz) > 0 {
		return nil
	}
	if err := os.MkdirAll(split, 0o755); err != nil {
		return err
	}
	// split at line boundaries (GNU split -n l/N), then gzip each part
	if out, err := exec.Command("split", "-n", fmt.Sprintf("l/%d", parts), "-d", "--additional-suffix=.tbl", tbl, filepath.Join(split, "lineitem_")).CombinedOutput(); err != nil {
		return fmt.Errorf("split: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(split, "lineitem_*.tbl"))
	sort.Strings(files)
	for _, f := range files {
		if out, err := exec.Command("gzip", "-1", f).CombinedOutput(); err != nil {
			return fmt.Errorf("gzip: %v: %s", err, out)
		}
	}
	return nil
}

// countLines counts the newlines of the file at p.
func countLines(p string) (int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
