package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/lakeq/lakeq/connectors/tpch"
)

// gen implements `lakeq gen tpch --sf N --out DIR [--format parquet|csv] [--tables a,b]`.
func gen(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "tpch" {
		fmt.Fprintln(stderr, "usage: lakeq gen tpch --sf N --out DIR [--format parquet|csv] [--tables t1,t2]")
		return 2
	}
	fs := flag.NewFlagSet("lakeq gen tpch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := fs.Float64("sf", 1, "scale factor")
	out := fs.String("out", "tpch-data", "output directory")
	format := fs.String("format", "parquet", "parquet or csv ('|'-delimited, no header)")
	tables := fs.String("tables", strings.Join(tpch.Tables, ","), "tables to generate")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *sf <= 0 {
		fmt.Fprintln(stderr, "lakeq gen: --sf must be positive")
		return 2
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintf(stderr, "lakeq gen: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	g := tpch.New(*sf)
	for _, t := range strings.Split(*tables, ",") {
		t = strings.TrimSpace(t)
		start := time.Now()
		rows, err := g.Write(ctx, t, *out, *format)
		if err != nil {
			fmt.Fprintf(stderr, "lakeq gen: %s: %v\n", t, err)
			return 1
		}
		fmt.Fprintf(stdout, "%-9s %10d rows  %6.1fs\n", t, rows, time.Since(start).Seconds())
	}
	return 0
}
