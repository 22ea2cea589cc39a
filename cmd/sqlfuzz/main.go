// Command sqlfuzz runs lakeq's differential query fuzzer: random queries
// over awkward generated tables, checked against PostgreSQL on the same
// rows, against DuckDB on the same Parquet files, across every storage
// layout and worker count, and with the TLP and NoREC oracles. Mismatches are minimized and written as sqllogictest
// records (-out, default testdata/slt/fuzz).
//
//	go run ./cmd/sqlfuzz [-seed N] [-rounds N] [-queries N] [-duration 10m] [-pg postgres://…] [-duckdb bench]
//
// Without -pg it starts a throwaway PostgreSQL 15 on 127.0.0.1 (the
// server must be installed); -pg none skips the PostgreSQL oracle. With
// the throwaway server the tables also go to a second database, mounted
// into one more lakeq instance (-mount=false skips it).
// DuckDB runs through bench/'s @duckdb/node-api (cd bench && npm ci);
// -duckdb none skips it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/lakeq/lakeq/internal/sqlfuzz"
	"github.com/lakeq/lakeq/internal/testpg"
)

func main() {
	seed := flag.Int64("seed", time.Now().UnixNano()%1_000_000, "random seed")
	rounds := flag.Int("rounds", 1000, "data sets to generate")
	queries := flag.Int("queries", 200, "queries per data set")
	duration := flag.Duration("duration", 5*time.Minute, "stop after this long")
	pgURL := flag.String("pg", "", "PostgreSQL URL of an empty database with C collation; none skips the oracle")
	duckDir := flag.String("duckdb", "bench", "folder of duckdb_oracle.mjs and its node_modules; none skips the DuckDB oracle")
	mountFlag := flag.Bool("mount", true, "also read the tables through a schema mounted from a second PostgreSQL database (only with the throwaway server)")
	out := flag.String("out", "testdata/slt/fuzz", "folder for the regression records")
	flag.Parse()
	ctx := context.Background()
	url, mountURL := *pgURL, ""
	if url == "" {
		srv, stop, err := testpg.Launch()
		if err != nil {
			fmt.Fprintln(os.Stderr, "sqlfuzz:", err)
			os.Exit(2)
		}
		defer stop()
		if url, err = sqlfuzz.CreateDB(ctx, srv.URL("postgres"), "fuzz"); err != nil {
			fmt.Fprintln(os.Stderr, "sqlfuzz:", err)
			stop()
			os.Exit(2)
		}
		if *mountFlag {
			if mountURL, err = sqlfuzz.CreateMountDB(ctx, srv.URL("postgres"), "fuzz_mount"); err != nil {
				fmt.Fprintln(os.Stderr, "sqlfuzz:", err)
				stop()
				os.Exit(2)
			}
		}
	} else if url == "none" {
		url = ""
	}
	if *duckDir == "none" {
		*duckDir = ""
	}
	rep, err := sqlfuzz.Run(ctx, sqlfuzz.Config{Seed: *seed, Rounds: *rounds, Queries: *queries, Duration: *duration, PG: url, Mount: mountURL, DuckDB: *duckDir, OutDir: *out,
		Log: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqlfuzz:", err)
		os.Exit(2)
	}
	fmt.Printf("seed %d: %d queries, %d checks, %d refused by PostgreSQL; DuckDB compared %d, refused %d, differed where PostgreSQL agreed with lakeq %d; %d mismatches in %v\n",
		*seed, rep.Queries, rep.Checks, rep.PGErrors, rep.DuckDBCompared, rep.DuckDBRefused, rep.DuckDBDialect, len(rep.Mismatches), rep.Elapsed.Round(time.Second))
	if len(rep.Mismatches) > 0 {
		os.Exit(1)
	}
}
