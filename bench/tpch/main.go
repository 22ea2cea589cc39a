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
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
)

type query struct {
	Name      string `json:"name"`
	SQL       string `json:"sql"`
	DuckDBSQL string `json:"duckdb_sql,omitempty"`
	Kind      string `json:"kind"`  // "tpch", "scan", "csv"
	Bytes     int64  `json:"bytes"` // input size for MB/s
	Rows      int64  `json:"rows"`  // input rows for rows/s
}

type job struct {
	Threads      int      `json:"threads"`
	Runs         int      `json:"runs"`
	Rounds       int      `json:"rounds,omitempty"`
	LakeqSetup   []string `json:"lakeq_setup"`
	DuckDBSetup  []string `json:"duckdb_setup"`
	Queries      []query  `json:"queries"`
	LakeqDataDir string   `json:"lakeq_data_dir"`
	// Profile is a folder for a CPU profile of lakeq's timed runs of each
	// query (NAME.prof), or "".
	Profile string `json:"profile,omitempty"`
}

type result struct {
	Name    string      `json:"name"`
	Times   []float64   `json:"times"`
	Columns []string    `json:"columns"`
	Rows    [][]*string `json:"rows"`
	Error   string      `json:"error,omitempty"`
}

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
	flag.Parse()
	if *worker != "" {
		os.Exit(runWorker(*worker))
	}
	if *dataDir == "" {
		*dataDir = filepath.Join("bench", "data", fmt.Sprintf("sf%g", *sf))
	}
	if err := ensureData(*dataDir, *sf, !*noCSV); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	abs, _ := filepath.Abs(*dataDir)
	j := job{Threads: runtime.NumCPU(), Runs: *runs, Profile: *profile}
	for _, t := range tpch.Tables {
		v := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s/%s.parquet')", t, abs, t)
		j.LakeqSetup = append(j.LakeqSetup, v)
		j.DuckDBSetup = append(j.DuckDBSetup, v)
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
		j.Queries = append(j.Queries, query{Name: name, SQL: string(b), Kind: "tpch"})
	}
	lineRows := tpch.New(*sf).Rows("lineitem") * 4 // about four lines per order
	if len(want) == 0 || want["scan"] {
		j.Queries = append(j.Queries, query{Name: "scan", Kind: "scan", Rows: lineRows,
			SQL: "SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem WHERE l_shipdate >= DATE '1995-01-01' AND l_shipdate < DATE '1996-01-01'"})
	}
	if !*noCSV && (len(want) == 0 || want["csv"]) {
		for _, f := range []string{"lineitem.csv", "lineitem.csv.gz"} {
			p := filepath.Join(abs, "csv", f)
			st, _ := os.Stat(filepath.Join(abs, "csv", "lineitem.csv"))
			j.Queries = append(j.Queries, query{Name: "csv " + f, Kind: "csv", Bytes: st.Size(),
				SQL:       fmt.Sprintf("SELECT count(*), sum(column04) FROM read_csv('%s', delim => '|', header => false)", p),
				DuckDBSQL: fmt.Sprintf("SELECT count(*), sum(column04) FROM read_csv('%s', delim='|', header=false)", p)})
		}
	}
	jobFile := filepath.Join(os.TempDir(), fmt.Sprintf("lakeq-bench-%d.json", os.Getpid()))
	defer os.Remove(jobFile)
	self, _ := os.Executable()
	benchDir, _ := filepath.Abs("bench")
	// The engines take turns, round after round, each round a fresh
	// process with its own warm-up: on a shared machine whose speed drifts,
	// running one engine's whole suite and then the other's would credit
	// the drift to one of them.
	nRounds := max(1, min(*rounds, j.Runs))
	j.Rounds = nRounds
	lq, dk := map[string]result{}, map[string]result{}
	var lqRSS, dkRSS int64
	left := j.Runs
	for r := 0; r < nRounds; r++ {
		rj := j
		rj.Runs = left / (nRounds - r)
		left -= rj.Runs
		jb, _ := json.Marshal(rj)
		os.WriteFile(jobFile, jb, 0o644)
		l, rss, err := runChild(exec.Command(self, "-worker", jobFile))
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: lakeq:", err)
			os.Exit(1)
		}
		merge(lq, l)
		lqRSS = max(lqRSS, rss)
		dcmd := exec.Command("node", filepath.Join(benchDir, "duckdb_runner.mjs"), jobFile)
		dcmd.Dir = benchDir
		d, rss, err := runChild(dcmd)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: duckdb (run `npm install` in bench/):", err)
			os.Exit(1)
		}
		merge(dk, d)
		dkRSS = max(dkRSS, rss)
	}
	report(j, lq, dk, lqRSS, dkRSS, *sf, *results)
}

// merge adds a round's results: times accumulate, the answer is the
// latest round's, and an error in any round stays.
func merge(into, round map[string]result) {
	for name, r := range round {
		prev, ok := into[name]
		if ok {
			r.Times = append(prev.Times, r.Times...)
			if prev.Error != "" && r.Error == "" {
				r.Error = prev.Error
			}
		}
		into[name] = r
	}
}

// runChild runs a worker and collects its JSON lines and peak RSS (bytes).
func runChild(cmd *exec.Cmd) (map[string]result, int64, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, err
	}
	res := map[string]result{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err == nil {
			res[r.Name] = r
		}
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return res, rss, nil
}

// runWorker runs the job in lakeq, in this process.
func runWorker(jobFile string) int {
	gctune.Start(gctune.DefaultPolicy()) // as the lakeq binary runs
	b, err := os.ReadFile(jobFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var j job
	json.Unmarshal(b, &j)
	dir, _ := os.MkdirTemp("", "lakeq-bench-data")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	eng, err := engine.Open(ctx, engine.Config{DataDir: dir, Workers: j.Threads})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer eng.Close()
	s := eng.NewSession()
	for _, q := range j.LakeqSetup {
		if _, err := s.Exec(ctx, q); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	enc := json.NewEncoder(os.Stdout)
	for _, q := range j.Queries {
		r := result{Name: q.Name}
		var last *engine.Result
		var prof *os.File
		for i := 0; i < j.Runs+1; i++ {
			if i == 1 && j.Profile != "" {
				if prof, err = os.Create(filepath.Join(j.Profile, q.Name+".prof")); err == nil {
					pprof.StartCPUProfile(prof)
				}
			}
			t0 := time.Now()
			res, err := s.Query(ctx, q.SQL)
			ms := float64(time.Since(t0).Microseconds()) / 1000
			if err != nil {
				r.Error = err.Error()
				break
			}
			if i > 0 {
				r.Times = append(r.Times, ms)
			}
			last = res
		}
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
		if last != nil {
			for _, c := range last.Columns {
				r.Columns = append(r.Columns, c.Name)
			}
			for i := 0; i < int(last.NumRows()); i++ {
				row := make([]*string, len(last.Columns))
				for c := range last.Columns {
					if s, ok := last.Text(c, last.Value(i, c)); ok {
						row[c] = &s
					}
				}
				r.Rows = append(r.Rows, row)
			}
		}
		enc.Encode(r)
	}
	return 0
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// agree compares two answers with the TPC-H README's tolerance.
func agree(a, b result) (bool, string) {
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

func report(j job, lq, dk map[string]result, lqRSS, dkRSS int64, sf float64, resultsFile string) {
	var sb strings.Builder
	fmt.Fprintf(&sb, "| query | lakeq ms | DuckDB ms | lakeq/DuckDB | answers |\n|---|---:|---:|---:|---|\n")
	var logSum float64
	var n int
	var extra []string
	for _, q := range j.Queries {
		a, b := lq[q.Name], dk[q.Name]
		la, db := median(a.Times), median(b.Times)
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
// gzip) unless they already exist.
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
		if _, err := g.Write(ctx, t, dir, "parquet"); err != nil {
			return err
		}
	}
	if !csv {
		return nil
	}
	plain := filepath.Join(dir, "csv", "lineitem.csv")
	if _, err := os.Stat(plain); err != nil {
		fmt.Fprintln(os.Stderr, "generating lineitem.csv...")
		if _, err := g.Write(ctx, "lineitem", filepath.Join(dir, "csv"), "csv"); err != nil {
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
