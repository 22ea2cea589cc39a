// Command federated measures lakeq's PostgreSQL connector (issue 13's
// figures): a filter matching 0.1% of a 1,000,000-row table, where only
// the matching rows should leave PostgreSQL, against the same rows pulled
// whole; a GROUP BY of 100 groups, where only the groups should; and a
// full read of a large table on 1 and 2 splits, beside psql's binary COPY
// of the same table to /dev/null. PostgreSQL 15 runs on 127.0.0.1 on the
// same cores, so its work is part of every figure.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/bench/harness"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/gctune"
	"github.com/lakeq/lakeq/internal/testpg"
)

func main() {
	small := flag.Int("rows", 1_000_000, "rows of the filter and GROUP BY table")
	big := flag.Int("big", 10_000_000, "rows of the full-read table")
	runs := flag.Int("runs", 3, "timed runs per figure (after one warm-up)")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the full reads to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/federated:", err)
			os.Exit(1)
		}
		profile = func(start bool) {
			if start {
				pprof.StartCPUProfile(f)
			} else {
				pprof.StopCPUProfile()
			}
		}
	}
	gctune.Start(gctune.DefaultPolicy()) // as the lakeq binary runs
	if err := run(*small, *big, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "bench/federated:", err)
		os.Exit(1)
	}
}

// profile starts and stops the CPU profile around the full reads.
var profile = func(bool) {}

func run(small, big, runs int) error {
	ctx := context.Background()
	srv, stop, err := testpg.Launch()
	if err != nil {
		return err
	}
	defer stop()
	conn, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE bench"); err != nil {
		return err
	}
	conn.Close(ctx)
	if conn, err = pgx.Connect(ctx, srv.URL("bench")); err != nil {
		return err
	}
	defer conn.Close(ctx)
	fmt.Fprintf(os.Stderr, "loading %d and %d rows into PostgreSQL\n", small, big)
	for name, n := range map[string]int{"small": small, "big": big} {
		q := fmt.Sprintf(`CREATE TABLE %s AS SELECT g::int8 AS id, (g %% 1000)::int4 AS k, (g %% 100)::int4 AS grp,
			(g %% 100000 * 0.01)::numeric(12,2) AS v, 'row ' || g AS s, date '2020-01-01' + g %% 2000 AS d
			FROM generate_series(1, %d) g`, name, n)
		if _, err := conn.Exec(ctx, q); err != nil {
			return err
		}
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE "+name); err != nil {
			return err
		}
	}
	open := func(workers int) (*engine.Session, func(), error) {
		dir, err := os.MkdirTemp("", "lakeq-bench-fed-")
		if err != nil {
			return nil, nil, err
		}
		eng, err := engine.Open(ctx, engine.Config{DataDir: dir, Workers: workers})
		if err != nil {
			return nil, nil, err
		}
		s := eng.NewSession()
		if _, err := s.Exec(ctx, fmt.Sprintf("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'bench' URI '127.0.0.1' PORT %d USER '%s' PASSWORD 'unused'", srv.Port, srv.User)); err != nil {
			return nil, nil, err
		}
		return s, func() { eng.Close(); os.RemoveAll(dir) }, nil
	}
	s, closeS, err := open(2)
	if err != nil {
		return err
	}
	defer closeS()
	timed := func(s *engine.Session, q string) (float64, error) {
		var ts []float64
		for i := 0; i <= runs; i++ {
			t0 := time.Now()
			if _, err := s.Query(ctx, q); err != nil {
				return 0, fmt.Errorf("%s: %w", q, err)
			}
			if i > 0 {
				ts = append(ts, float64(time.Since(t0).Microseconds())/1000)
			}
		}
		return harness.Median(ts), nil
	}
	scanRows := regexp.MustCompile(`(?:\(|; )Scan \S+ rows=(\d+) `) // after the estimate
	transferred := func(q string) (int64, error) {
		r, err := s.Query(ctx, "EXPLAIN ANALYZE "+q)
		if err != nil {
			return 0, err
		}
		var plan []string
		for i := 0; i < int(r.NumRows()); i++ {
			line, _ := r.Text(0, r.Value(i, 0))
			if m := scanRows.FindStringSubmatch(line); m != nil {
				return strconv.ParseInt(m[1], 10, 64)
			}
			plan = append(plan, line)
		}
		return 0, fmt.Errorf("no scan in the plan of %s:\n%s", q, strings.Join(plan, "\n"))
	}

	fmt.Printf("PostgreSQL 15 on 127.0.0.1, %d runs, medians\n\n", runs)
	fmt.Println("| figure | rows matched | rows transferred | lakeq ms |")
	fmt.Println("|---|---:|---:|---:|")
	filtered := "SELECT id, v FROM pg.small WHERE k = 7"
	whole := "SELECT id, v FROM pg.small WHERE k + 0 = 7" // an expression lakeq keeps: every row crosses
	grouped := "SELECT grp, count(*), sum(v) FROM pg.small GROUP BY grp"
	for _, f := range []struct{ name, q string }{
		{"filter 0.1%, pushed down", filtered},
		{"same rows, table pulled whole", whole},
		{"GROUP BY 100 groups", grouped},
	} {
		n, err := transferred(f.q)
		if err != nil {
			return err
		}
		r, err := s.Query(ctx, f.q)
		if err != nil {
			return err
		}
		ms, err := timed(s, f.q)
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %d | %d | %.1f |\n", f.name, r.NumRows(), n, ms)
	}

	// the full read: every row and column crosses (sum(length(s)) is an
	// expression, so nothing is aggregated at the source)
	full := "SELECT count(id), sum(k), sum(grp), max(v), sum(length(s)), max(d) FROM pg.big"
	profile(true)
	var perSplits, cpu [3]float64
	for _, w := range []int{1, 2} {
		sw, closeW, err := open(w)
		if err != nil {
			return err
		}
		c0 := selfCPU()
		if perSplits[w], err = timed(sw, full); err != nil {
			return err
		}
		cpu[w] = float64((selfCPU() - c0).Milliseconds()) / float64(runs+1)
		closeW()
	}
	profile(false)
	psqlBin, err := exec.LookPath("psql")
	if err != nil {
		return err
	}
	var copyTimes []float64
	for i := 0; i <= runs; i++ {
		cmd := exec.Command(psqlBin, "-h", "127.0.0.1", "-p", strconv.Itoa(srv.Port), "-U", srv.User, "-d", "bench", "-c", "COPY big TO STDOUT (FORMAT binary)")
		devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		cmd.Stdout = devnull
		t0 := time.Now()
		err := cmd.Run()
		devnull.Close()
		if err != nil {
			return fmt.Errorf("psql COPY: %w", err)
		}
		if i > 0 {
			copyTimes = append(copyTimes, float64(time.Since(t0).Microseconds())/1000)
		}
	}
	cp := harness.Median(copyTimes)
	fmt.Printf("\nlakeq's own CPU per full read: 1 split %.0f ms, 2 splits %.0f ms (the rest of two cores is PostgreSQL's)", cpu[1], cpu[2])
	fmt.Printf("\n\nfull read of %d rows (6 columns): 1 split %.0f ms (%.0f rows/s), 2 splits %.0f ms (%.0f rows/s): %.2fx; psql COPY (FORMAT binary) > /dev/null %.0f ms (%.0f rows/s): lakeq on 2 splits at %.2f of its rate\n",
		big, perSplits[1], float64(big)/perSplits[1]*1000, perSplits[2], float64(big)/perSplits[2]*1000, perSplits[1]/perSplits[2], cp, float64(big)/cp*1000, cp/perSplits[2])
	return nil
}

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
