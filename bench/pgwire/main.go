// Command pgwire is the wire-protocol load test: it starts `lakeq serve`
// and a PostgreSQL 15 server on 127.0.0.1, loads the same small table
// into both, and runs each query from -conns connections for -duration,
// reporting queries per second, median and p99 latency, and the ratio
// lakeq/PostgreSQL. Clients are pgx with its default extended protocol
// and statement cache (what Go services and Grafana send).
//
//	go run ./bench/pgwire [-conns 8] [-duration 5s] [-rows 10000] [-results bench/RESULTS.md]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/internal/testpg"
)

type query struct{ name, sql string }

var queries = []query{
	{"select 1", "SELECT 1"},
	{"small aggregate", "SELECT grp, count(*), sum(amount), avg(amount) FROM load_t GROUP BY grp ORDER BY grp"},
	{"point lookup ($1)", "SELECT id, grp, amount FROM load_t WHERE id = $1"},
}

type stat struct {
	qps      float64
	p50, p99 time.Duration
	n        int
}

func main() {
	conns := flag.Int("conns", 8, "concurrent connections")
	dur := flag.Duration("duration", 5*time.Second, "time per query and server")
	rows := flag.Int("rows", 10000, "rows in the table")
	results := flag.String("results", "", "append the table to this Markdown file")
	big := flag.String("stream", "", "instead: stream this file's rows (SELECT * FROM 'file') to clients, timing the first row and the server's growth")
	flag.Parse()
	if *big != "" {
		if err := runStream(*big, *results); err != nil {
			fmt.Fprintln(os.Stderr, "pgwire:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*conns, *dur, *rows, *results); err != nil {
		fmt.Fprintln(os.Stderr, "pgwire:", err)
		os.Exit(1)
	}
}

func run(conns int, dur time.Duration, rows int, results string) error {
	lqURL, _, stopLQ, err := startLakeqTemp()
	if err != nil {
		return err
	}
	defer stopLQ()
	pgURL, stopPG, err := startPostgres()
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer stopPG()

	setup := []string{
		"CREATE TABLE load_t (id int, grp text, amount numeric(12,2))",
		fmt.Sprintf("INSERT INTO load_t SELECT g, 'g' || (g %% 10), (g %% 1000) / 4.0 FROM generate_series(1, %d) g", rows),
	}
	for _, u := range []string{lqURL, pgURL} {
		if err := execAll(u, setup); err != nil {
			return err
		}
	}
	res := map[string]map[string]stat{}
	for _, srv := range []struct{ name, url string }{{"lakeq", lqURL}, {"postgres", pgURL}} {
		res[srv.name] = map[string]stat{}
		for _, q := range queries {
			st, err := load(srv.url, q.sql, conns, dur, rows)
			if err != nil {
				return fmt.Errorf("%s %s: %w", srv.name, q.name, err)
			}
			res[srv.name][q.name] = st
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d connections, %s per query, %d-row table, %d cores, pgx extended protocol\n\n", conns, dur, rows, runtime.NumCPU())
	fmt.Fprintf(&b, "| query | lakeq q/s | PostgreSQL 15 q/s | lakeq/PG | lakeq p50 | lakeq p99 | PG p50 | PG p99 |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, q := range queries {
		l, p := res["lakeq"][q.name], res["postgres"][q.name]
		fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f | %s | %s | %s | %s |\n", q.name, l.qps, p.qps, l.qps/p.qps,
			round(l.p50), round(l.p99), round(p.p50), round(p.p99))
	}
	fmt.Print(b.String())
	if results != "" {
		f, err := os.OpenFile(results, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		host, _ := os.Hostname()
		fmt.Fprintf(f, "\n## Wire protocol load, %s (%s)\n\n`go run ./bench/pgwire -conns %d -duration %s`: %s", time.Now().Format("2006-01-02"), host, conns, dur, b.String())
	}
	return nil
}

func round(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func execAll(url string, stmts []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, s := range stmts {
		if _, err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// load runs sql from conns connections for dur after a short warm-up.
func load(url, sql string, conns int, dur time.Duration, rows int) (stat, error) {
	ctx, cancel := context.WithTimeout(context.Background(), dur+time.Minute)
	defer cancel()
	cs := make([]*pgx.Conn, conns)
	for i := range cs {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return stat{}, err
		}
		defer c.Close(context.Background())
		cs[i] = c
	}
	withArg := strings.Contains(sql, "$1")
	one := func(c *pgx.Conn, i int) error {
		var args []any
		if withArg {
			args = []any{1 + i%rows}
		}
		r, err := c.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		for r.Next() {
		}
		return r.Err()
	}
	for _, c := range cs { // warm-up: statement caches, first plans
		for i := 0; i < 20; i++ {
			if err := one(c, i); err != nil {
				return stat{}, err
			}
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	deadline := time.Now().Add(dur)
	start := time.Now()
	var wg sync.WaitGroup
	for k, c := range cs {
		wg.Add(1)
		go func(k int, c *pgx.Conn) {
			defer wg.Done()
			var mine []time.Duration
			for i := k; time.Now().Before(deadline); i += conns {
				t0 := time.Now()
				if err := one(c, i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(k, c)
	}
	wg.Wait()
	if firstErr != nil {
		return stat{}, firstErr
	}
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		return stat{}, fmt.Errorf("no queries completed")
	}
	return stat{qps: float64(len(lat)) / el.Seconds(), p50: lat[len(lat)/2], p99: lat[len(lat)*99/100], n: len(lat)}, nil
}

// startLakeq builds and starts `lakeq serve` on a free port.
// startLakeqTemp starts `lakeq serve` in a temporary folder that stop
// removes.
func startLakeqTemp() (url string, pid int, stop func(), err error) {
	tmp, err := os.MkdirTemp("", "lakeq-pgwire-")
	if err != nil {
		return "", 0, nil, err
	}
	url, pid, stopLQ, err := startLakeq(tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return "", 0, nil, fmt.Errorf("lakeq: %w", err)
	}
	return url, pid, func() { stopLQ(); os.RemoveAll(tmp) }, nil
}

func startLakeq(tmp string) (string, int, func(), error) {
	bin := filepath.Join(tmp, "lakeq")
	build := exec.Command("go", "build", "-o", bin, "./cmd/lakeq")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return "", 0, nil, err
	}
	port, err := testpg.FreePort()
	if err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--data-dir", filepath.Join(tmp, "lakeq-data"))
	logf, err := os.Create(filepath.Join(tmp, "lakeq.log")) // one line per connection: kept out of the report
	if err != nil {
		return "", 0, nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	url := fmt.Sprintf("postgres://lakeq@127.0.0.1:%d/lakeq?sslmode=disable", port)
	if err := waitReady(url); err != nil {
		stop()
		return "", 0, nil, err
	}
	return url, cmd.Process.Pid, stop, nil
}

// startPostgres starts a PostgreSQL 15 server the way the tests do.
func startPostgres() (string, func(), error) {
	s, stop, err := testpg.Launch()
	if err != nil {
		return "", nil, err
	}
	return s.URL("postgres"), stop, nil
}

func waitReady(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			c.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
