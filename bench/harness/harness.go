// Package harness is what the benchmark commands share: a job of
// queries run by lakeq (in a child process of the benchmark binary) and
// by DuckDB (bench/duckdb_runner.mjs), rounds that alternate the engines,
// and the medians, ratios and peak RSS they report.
package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
)

// Query is one benchmark query.
type Query struct {
	Name      string `json:"name"`
	SQL       string `json:"sql"`
	DuckDBSQL string `json:"duckdb_sql,omitempty"`
	Kind      string `json:"kind"`  // "tpch", "scan", "csv"
	Bytes     int64  `json:"bytes"` // input size for MB/s
	// SkipDuckDB runs the query in lakeq only (DuckDB does not finish it)
	SkipDuckDB bool  `json:"skip_duckdb,omitempty"`
	Rows       int64 `json:"rows"` // input rows for rows/s
	// LakeqAfter is SQL lakeq runs after each run of a write, untimed
	// (DROP TABLE li{run}); RemoveAfter are paths both engines remove
	// after each run, untimed ({run} substituted in both). A write's
	// output is dropped before the next run so that neither engine
	// keeps all its runs' output: on a VM, page-cache pages never
	// touched before cost a host fault each, and an engine that
	// overwrote its one output file would reuse its own pages while
	// the other paid for fresh ones (a third of a CTAS's time here).
	LakeqAfter  []string `json:"lakeq_after,omitempty"`
	RemoveAfter []string `json:"remove_after,omitempty"`
}

// RunName is what {run} becomes in run i of a query in process pid:
// unique across runs and rounds.
func RunName(pid, i int) string { return fmt.Sprintf("%d_%d", pid, i) }

// Job is what one engine process runs.
type Job struct {
	Threads      int      `json:"threads"`
	Runs         int      `json:"runs"`
	Rounds       int      `json:"rounds,omitempty"`
	LakeqSetup   []string `json:"lakeq_setup"`
	DuckDBSetup  []string `json:"duckdb_setup"`
	Queries      []Query  `json:"queries"`
	LakeqDataDir string   `json:"lakeq_data_dir"`
	// Profile is a folder for a CPU profile of lakeq's timed runs of each
	// query (NAME.prof), or "".
	Profile string `json:"profile,omitempty"`
	// MemoryLimit is the memory_limit the setup sets, in bytes: the
	// worker gives the collector the target the lakeq binary gives it
	// for --memory-limit (gctune.SoftLimit). 0: none.
	MemoryLimit int64 `json:"memory_limit,omitempty"`
}

// Result is one query's times and answer in one engine.
type Result struct {
	Name    string      `json:"name"`
	Times   []float64   `json:"times"`
	Columns []string    `json:"columns"`
	Rows    [][]*string `json:"rows"`
	Error   string      `json:"error,omitempty"`
}

// Merge adds a round's results: times accumulate, the answer is the
// latest round's, and an error in any round stays.
func Merge(into, round map[string]Result) {
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

// RunChild runs a worker and collects its JSON lines and peak RSS (bytes).
func RunChild(cmd *exec.Cmd) (map[string]Result, int64, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, 0, err
	}
	res := map[string]Result{}
	sc := bufio.NewScanner(&out)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		var r Result
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

// RunWorker runs the job in lakeq, in this process (the benchmark
// binary's -worker mode).
func RunWorker(jobFile string) int {
	gctune.Start(gctune.DefaultPolicy()) // as the lakeq binary runs
	b, err := os.ReadFile(jobFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var j Job
	json.Unmarshal(b, &j)
	gctune.SoftLimit(j.MemoryLimit)
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
		r := Result{Name: q.Name}
		var last *engine.Result
		var prof *os.File
		for i := 0; i < j.Runs+1; i++ {
			if i == 1 && j.Profile != "" {
				if prof, err = os.Create(filepath.Join(j.Profile, q.Name+".prof")); err == nil {
					pprof.StartCPUProfile(prof)
				}
			}
			// {run} names a fresh target per run (an UNLOAD location, a
			// CTAS table), unique across rounds
			run := RunName(os.Getpid(), i)
			sql := strings.ReplaceAll(q.SQL, "{run}", run)
			t0 := time.Now()
			res, err := s.Query(ctx, sql)
			ms := float64(time.Since(t0).Microseconds()) / 1000
			if err != nil {
				r.Error = err.Error()
				break
			}
			for _, after := range q.LakeqAfter {
				if _, err := s.Query(ctx, strings.ReplaceAll(after, "{run}", run)); err != nil {
					r.Error = err.Error()
				}
			}
			for _, p := range q.RemoveAfter {
				os.RemoveAll(strings.ReplaceAll(p, "{run}", run))
			}
			if r.Error != "" {
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

// Median is the median of xs (NaN for none).
func Median(xs []float64) float64 {
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

// RunRounds runs j in lakeq (self -worker JOBFILE) and in DuckDB, rounds
// times alternating, the timed runs split among the rounds: on a shared
// machine whose speed drifts, running one engine's whole suite and then
// the other's would credit the drift to one of them. It returns each
// engine's results and peak RSS.
func RunRounds(j Job, rounds int) (lq, dk map[string]Result, lqRSS, dkRSS int64, err error) {
	jobFile := filepath.Join(os.TempDir(), fmt.Sprintf("lakeq-bench-%d.json", os.Getpid()))
	defer os.Remove(jobFile)
	self, _ := os.Executable()
	benchDir, _ := filepath.Abs("bench")
	nRounds := max(1, min(rounds, j.Runs))
	j.Rounds = nRounds
	lq, dk = map[string]Result{}, map[string]Result{}
	left := j.Runs
	for r := 0; r < nRounds; r++ {
		rj := j
		rj.Runs = left / (nRounds - r)
		left -= rj.Runs
		jb, _ := json.Marshal(rj)
		if err := os.WriteFile(jobFile, jb, 0o644); err != nil {
			return nil, nil, 0, 0, err
		}
		l, rss, err := RunChild(exec.Command(self, "-worker", jobFile))
		if err != nil {
			return nil, nil, 0, 0, fmt.Errorf("lakeq: %w", err)
		}
		Merge(lq, l)
		lqRSS = max(lqRSS, rss)
		dcmd := exec.Command("node", filepath.Join(benchDir, "duckdb_runner.mjs"), jobFile)
		dcmd.Dir = benchDir
		d, rss, err := RunChild(dcmd)
		if err != nil {
			return nil, nil, 0, 0, fmt.Errorf("duckdb (run `npm install` in bench/): %w", err)
		}
		Merge(dk, d)
		dkRSS = max(dkRSS, rss)
	}
	return lq, dk, lqRSS, dkRSS, nil
}
