package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/lakeq/lakeq/connectors/tpch"
	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
)

// demoQueries are what `lakeq demo` suggests trying first.
var demoQueries = []string{
	"SELECT l_returnflag, l_linestatus, count(*), sum(l_extendedprice) AS revenue FROM tpch.lineitem WHERE l_shipdate <= DATE '1998-09-01' GROUP BY 1, 2 ORDER BY 1, 2;",
	"SELECT dt, kind, count(*) AS events, sum(amount) AS sales FROM demo.events WHERE dt BETWEEN DATE '2024-06-10' AND DATE '2024-06-12' GROUP BY 1, 2 ORDER BY 1, 2;",
	"SELECT n_name, count(*) AS customers FROM tpch.customer JOIN tpch.nation ON c_nationkey = n_nationkey GROUP BY 1 ORDER BY 2 DESC LIMIT 5;",
}

// demo is `lakeq demo`: a sample lake in the data directory — TPC-H as
// Parquet external tables in schema tpch, and demo.events, JSON Lines
// partitioned by day (dt=YYYY-MM-DD/ folders) — registered in the
// catalog; then three queries to try, in the shell when on a terminal.
// An existing demo lake is kept.
func demo(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lakeq demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dataDir := fs.String("data-dir", engine.DefaultDataDir(), "data directory (default $LAKEQ_HOME, else ~/.lakeq)")
	sf := fs.Float64("sf", 0.1, "TPC-H scale factor")
	shellAfter := fs.Bool("shell", true, "open the shell afterwards when on a terminal")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 || *sf <= 0 {
		fmt.Fprintln(stderr, "usage: lakeq demo [--data-dir DIR] [--sf 0.1] [--shell=false]")
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := buildDemo(ctx, *dataDir, *sf, stdout)
	stop()
	if err != nil {
		printError(stderr, "", err)
		return exitError
	}
	fmt.Fprintln(stdout, "\nTry:")
	for _, q := range demoQueries {
		fmt.Fprintln(stdout, "  "+q)
	}
	fmt.Fprintln(stdout)
	if *shellAfter && isTerminal(stdin) && isTerminal(stdout) {
		return run([]string{"--data-dir", *dataDir}, stdin, stdout, stderr)
	}
	fmt.Fprintf(stdout, "Open the shell with: lakeq --data-dir %s\n", *dataDir)
	return exitOK
}

func buildDemo(ctx context.Context, dataDir string, sf float64, stdout io.Writer) error {
	eng, err := engine.Open(ctx, engine.Config{DataDir: dataDir})
	if err != nil {
		return err
	}
	defer eng.Close()
	s := eng.NewSession()
	res, err := s.Exec(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('tpch', 'demo')")
	if err != nil {
		return err
	}
	if n, _ := res[0].Value(0, 0).(int64); n > 0 {
		fmt.Fprintf(stdout, "The demo lake is in %s already (schemas tpch and demo).\n", dataDir)
		return nil
	}
	root, err := filepath.Abs(filepath.Join(dataDir, "demo"))
	if err != nil {
		return err
	}
	start := time.Now()
	fsys := storage.DefaultRegistry()
	g := tpch.New(sf)
	var rows int64
	for _, t := range tpch.Tables {
		n, err := g.Write(ctx, fsys, t, filepath.Join(root, "tpch", t), "parquet")
		if err != nil {
			return fmt.Errorf("generating %s: %w", t, err)
		}
		rows += n
	}
	events := filepath.Join(root, "events")
	for _, sql := range []string{
		"CREATE SCHEMA IF NOT EXISTS tpch",
		"CALL crawl(" + quoteLit(filepath.Join(root, "tpch")) + ", 'tpch')",
		"CREATE SCHEMA IF NOT EXISTS demo",
		// 30 days of web events, a day per partition folder
		`CREATE TABLE demo.events WITH (format = 'JSON', external_location = ` + quoteLit(events) + `, partitioned_by = ARRAY['dt']) AS
		 SELECT g AS event_id, (g * 7919) % 5000 AS user_id,
		        CASE WHEN g % 23 = 0 THEN 'purchase' WHEN g % 5 = 0 THEN 'click' WHEN g % 97 = 0 THEN 'signup' ELSE 'view' END AS kind,
		        CASE WHEN g % 23 = 0 THEN ((g * 31) % 20000) / 100.0 END::decimal(10,2) AS amount,
		        (ARRAY['US', 'DE', 'FR', 'JP', 'BR', 'IN'])[1 + g % 6] AS country,
		        TIMESTAMP '2024-06-01' + (g * 12.96) * INTERVAL '1 second' AS ts,
		        (DATE '2024-06-01' + (g / 6667)::int) AS dt
		 FROM generate_series(0, 199999) g`,
	} {
		if _, err := s.Exec(ctx, sql); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Created the demo lake in %s (%.1f s):\n", root, time.Since(start).Seconds())
	fmt.Fprintf(stdout, "  tpch.*       TPC-H at scale factor %g, Parquet, %d rows in 8 tables\n", sf, rows)
	fmt.Fprintf(stdout, "  demo.events  200,000 web events, JSON Lines partitioned by day (dt), June 2024\n")
	return nil
}
