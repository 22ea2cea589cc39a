package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// runStream measures a large result leaving the server: SELECT * FROM the
// file, read by a protocol-level client (psql's simple Query), by psql
// with FETCH_COUNT (a cursor), by psql's COPY … TO STDOUT and by plain
// psql; for each the time to the first row, the total time and the
// server's memory growth (peak RSS over its RSS before the query).
func runStream(file, results string) error {
	url, pid, stop, err := startLakeqTemp()
	if err != nil {
		return err
	}
	defer stop()
	sql := "SELECT * FROM '" + file + "'"
	// footers and the catalog warm, as a second query would find them
	if err := execAll(url, []string{"SELECT count(*) FROM '" + file + "'"}); err != nil {
		return err
	}
	clients := []struct {
		name string
		run  func() (first, total time.Duration, rows int64, err error)
	}{
		{"pgx simple protocol", func() (time.Duration, time.Duration, int64, error) { return simpleRead(url, sql) }},
		{"psql FETCH_COUNT=10000", func() (time.Duration, time.Duration, int64, error) {
			return psqlRead(url, "-v", "FETCH_COUNT=10000", "-c", sql)
		}},
		{"psql COPY TO STDOUT", func() (time.Duration, time.Duration, int64, error) {
			return psqlRead(url, "-c", "COPY ("+sql+") TO STDOUT")
		}},
		{"psql (client buffers all)", func() (time.Duration, time.Duration, int64, error) { return psqlRead(url, "-c", sql) }},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "`%s`, %d cores\n\n| client | rows | first row | total | server growth |\n|---|---:|---:|---:|---:|\n", sql, runtime.NumCPU())
	for _, c := range clients {
		runtime.GC()
		base, err := resetPeak(pid)
		if err != nil {
			return err
		}
		first, total, n, err := c.run()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		peak, err := procKB(pid, "VmHWM")
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %.1f s | %d MB |\n", c.name, n, round(first), total.Seconds(), (peak-base)>>10)
	}
	fmt.Print(b.String())
	if results != "" {
		f, err := os.OpenFile(results, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		host, _ := os.Hostname()
		fmt.Fprintf(f, "\n## A large result over the wire, %s (%s)\n\n`go run ./bench/pgwire -stream %s`: %s", time.Now().Format("2006-01-02"), host, file, b.String())
	}
	return nil
}

// resetPeak clears the process's peak RSS and returns its RSS now (KB).
func resetPeak(pid int) (int64, error) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
		return 0, err
	}
	return procKB(pid, "VmRSS")
}

// procKB reads one "Name: n kB" line of /proc/pid/status.
func procKB(pid int, name string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", name, pid)
}

// simpleRead sends sql as one Query message and reads every row.
func simpleRead(url, sql string) (first, total time.Duration, rows int64, err error) {
	ctx := context.Background()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.Close(ctx)
	start := time.Now()
	mrr := c.PgConn().Exec(ctx, sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		for rr.NextRow() {
			if rows == 0 {
				first = time.Since(start)
			}
			rows++
		}
		if _, err := rr.Close(); err != nil {
			return 0, 0, 0, err
		}
	}
	if err := mrr.Close(); err != nil {
		return 0, 0, 0, err
	}
	return first, time.Since(start), rows, nil
}

// psqlRead runs psql with args, timing its first line of output and its
// end, and counting its lines.
func psqlRead(url string, args ...string) (first, total time.Duration, rows int64, err error) {
	cmd := exec.Command("psql", append([]string{"-X", "-q", "-A", "-t", url}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, 0, err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	r := bufio.NewReaderSize(out, 1<<20)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 {
			if rows == 0 {
				first = time.Since(start)
			}
			rows++
		}
		if err != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, 0, 0, err
	}
	return first, time.Since(start), rows, nil
}
