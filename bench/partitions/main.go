// Command partitions measures partition pruning on a table with many
// date partitions: MSCK REPAIR time, and for a one-day query its latency,
// the folders it lists, the files it opens and the bytes it scans, for
// catalog-registered and projected tables in dt=YYYY-MM-DD and
// year=/month=/day= layouts. DuckDB reads the same files through a
// hive-partitioned glob as the peer.
//
//	go run ./bench/partitions [-days 10000] [-runs 5] [-results bench/RESULTS.md]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/lakeq/lakeq/engine"
)

func main() {
	days := flag.Int("days", 10000, "number of daily partitions")
	runs := flag.Int("runs", 5, "timed runs per query (after a warm-up)")
	results := flag.String("results", "", "append the table to this file")
	flag.Parse()
	benchDir := "bench"
	if _, err := os.Stat(filepath.Join(benchDir, "duckdb_runner.mjs")); err != nil {
		fail(fmt.Errorf("run from the repository root: %v", err))
	}
	data, _ := filepath.Abs(filepath.Join(benchDir, "data", fmt.Sprintf("partitions-%d", *days)))
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	probe := start.AddDate(0, 0, *days/2)
	if err := generate(data, start, *days); err != nil {
		fail(err)
	}
	ctx := context.Background()
	tmp, _ := os.MkdirTemp("", "lakeq-bench-partitions-")
	defer os.RemoveAll(tmp)
	eng, err := engine.Open(ctx, engine.Config{DataDir: tmp})
	if err != nil {
		fail(err)
	}
	defer eng.Close()
	s := eng.NewSession()
	exec1 := func(sql string) *engine.Result {
		r, err := s.Query(ctx, sql)
		if err != nil {
			fail(fmt.Errorf("%s: %v", sql, err))
		}
		return r
	}
	end := start.AddDate(0, 0, *days-1)
	exec1(fmt.Sprintf(`CREATE EXTERNAL TABLE dt_registered (id int, amount double) PARTITIONED BY (dt date)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/dt'`, data))
	exec1(fmt.Sprintf(`CREATE EXTERNAL TABLE ymd_registered (id int, amount double) PARTITIONED BY (year int, month int, day int)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/ymd'`, data))
	exec1(fmt.Sprintf(`CREATE EXTERNAL TABLE dt_projected (id int, amount double) PARTITIONED BY (dt string)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/dt'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.dt.type'='date', 'projection.dt.format'='yyyy-MM-dd',
		'projection.dt.range'='%s,%s')`, data, start.Format("2006-01-02"), end.Format("2006-01-02")))
	exec1(fmt.Sprintf(`CREATE EXTERNAL TABLE ymd_projected (id int, amount double) PARTITIONED BY (year int, month int, day int)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/ymd'
		TBLPROPERTIES ('projection.enabled'='true',
		'projection.year.type'='integer', 'projection.year.range'='%d,%d',
		'projection.month.type'='integer', 'projection.month.range'='1,12', 'projection.month.digits'='2',
		'projection.day.type'='integer', 'projection.day.range'='1,31', 'projection.day.digits'='2')`, data, start.Year(), end.Year()))

	var out []string
	row := func(cells ...string) { out = append(out, "| "+strings.Join(cells, " | ")+" |") }
	row("step", "layout", "time (median ms)", "partitions read / pruned", "folders listed", "files opened", "bytes scanned", "day's file size")
	row("---", "---", "---:", "---:", "---:", "---:", "---:", "---:")
	for _, t := range []string{"dt_registered", "ymd_registered"} {
		t0 := time.Now()
		r := exec1("MSCK REPAIR TABLE " + t)
		row("MSCK REPAIR TABLE "+t, layout(t), fmt.Sprintf("%.0f", ms(time.Since(t0))), "", "", "", "", r.Value(0, 0).(string))
	}
	dayFile := filepath.Join(data, "dt", "dt="+probe.Format("2006-01-02"), "data.csv")
	st, err := os.Stat(dayFile)
	if err != nil {
		fail(err)
	}
	var checks []string
	for _, t := range []string{"dt_registered", "dt_projected", "ymd_registered", "ymd_projected"} {
		where := fmt.Sprintf("dt = DATE '%s'", probe.Format("2006-01-02"))
		if t == "dt_projected" {
			where = fmt.Sprintf("dt = '%s'", probe.Format("2006-01-02"))
		}
		if strings.HasPrefix(t, "ymd") {
			where = fmt.Sprintf("year = %d AND month = %d AND day = %d", probe.Year(), probe.Month(), probe.Day())
		}
		q := fmt.Sprintf("SELECT count(*), sum(amount) FROM %s WHERE %s", t, where)
		var plan, total []float64
		var last *engine.Result
		for i := 0; i <= *runs; i++ {
			t0 := time.Now()
			exec1("EXPLAIN " + q)
			p := ms(time.Since(t0))
			t0 = time.Now()
			last = exec1(q)
			if i > 0 {
				plan = append(plan, p)
				total = append(total, ms(time.Since(t0)))
			}
		}
		sc := last.Scanned
		row("one day: plan (EXPLAIN)", t, fmt.Sprintf("%.2f", median(plan)), "", "", "", "", "")
		row("one day: whole query", t, fmt.Sprintf("%.2f", median(total)), fmt.Sprintf("%d / %d", sc.Partitions, sc.PartitionsPruned),
			fmt.Sprint(sc.Prefixes), fmt.Sprint(sc.Files), fmt.Sprint(sc.Bytes), fmt.Sprint(st.Size()))
		checks = append(checks, fmt.Sprintf("%v", last.Value(0, 0)))
		if sc.Prefixes > 1 || sc.Files != 1 || sc.Bytes != st.Size() {
			fmt.Fprintf(os.Stderr, "warning: %s read more than the day's file: %+v\n", t, sc)
		}
	}
	// DuckDB: the same files through a hive-partitioned glob.
	job := map[string]any{"threads": runtime.NumCPU(), "runs": *runs, "duckdb_setup": []string{},
		"queries": []map[string]string{{"name": "dt", "sql": fmt.Sprintf(
			"SELECT count(*), sum(amount) FROM read_csv('%s/dt/*/*.csv', hive_partitioning = true, columns = {'id': 'INTEGER', 'amount': 'DOUBLE'}) WHERE dt = DATE '%s'", data, probe.Format("2006-01-02"))}}}
	jf := filepath.Join(tmp, "job.json")
	b, _ := json.Marshal(job)
	os.WriteFile(jf, b, 0o644)
	cmd := exec.Command("node", filepath.Join(benchDir, "duckdb_runner.mjs"), jf)
	cmd.Stderr = os.Stderr
	if outb, err := cmd.Output(); err != nil {
		fmt.Fprintf(os.Stderr, "duckdb: %v\n", err)
	} else {
		var res struct {
			Times []float64  `json:"times"`
			Rows  [][]string `json:"rows"`
		}
		json.Unmarshal(outb, &res)
		row("one day: whole query (DuckDB, hive glob)", "dt", fmt.Sprintf("%.2f", median(res.Times)), "", "all", "", "", "")
		if len(res.Rows) > 0 {
			checks = append(checks, "duckdb "+res.Rows[0][0])
		}
	}
	table := fmt.Sprintf("## Partition pruning: %d daily partitions (%s)\n\n`go run ./bench/partitions -days %d -runs %d` on %s, %d cores; probe day %s; row counts %s.\n\n%s\n",
		*days, time.Now().UTC().Format("2006-01-02"), *days, *runs, runtime.GOOS+"/"+runtime.GOARCH, runtime.NumCPU(), probe.Format("2006-01-02"),
		strings.Join(checks, ", "), strings.Join(out, "\n"))
	fmt.Print(table)
	if *results != "" {
		f, err := os.OpenFile(*results, os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		fmt.Fprint(f, "\n\n"+table)
	}
}

func layout(t string) string {
	if strings.HasPrefix(t, "dt") {
		return "dt=YYYY-MM-DD"
	}
	return "year=/month=/day="
}

// generate writes one small CSV file per day in both layouts (reused when present).
func generate(dir string, start time.Time, days int) error {
	marker := filepath.Join(dir, ".complete")
	if _, err := os.Stat(marker); err == nil {
		return nil
	}
	os.RemoveAll(dir)
	for i := 0; i < days; i++ {
		d := start.AddDate(0, 0, i)
		var b strings.Builder
		for r := 0; r < 20; r++ {
			fmt.Fprintf(&b, "%d,%d.%02d\n", i*20+r, r, i%100)
		}
		for _, p := range []string{
			filepath.Join(dir, "dt", "dt="+d.Format("2006-01-02")),
			filepath.Join(dir, "ymd", fmt.Sprintf("year=%d", d.Year()), fmt.Sprintf("month=%02d", d.Month()), fmt.Sprintf("day=%02d", d.Day())),
		} {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(p, "data.csv"), []byte(b.String()), 0o644); err != nil {
				return err
			}
		}
	}
	return os.WriteFile(marker, nil, 0o644)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "partitions:", err)
	os.Exit(1)
}
