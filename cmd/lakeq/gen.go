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

// gen implements `lakeq gen tpch --sf N --out DIR [--format parquet|csv|json] [--tables a,b]`.
func gen(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "tpch" {
		fmt.Fprintln(stderr, "usage: lakeq gen tpch --sf N --out DIR|s3://bucket/prefix [--format parquet|csv|json] [--tables t1,t2] [--s3-endpoint URL]")
		return 2
	}
	fs := flag.NewFlagSet("lakeq gen tpch", flag.ContinueOnError)
	// --out may be a local folder or an s3:// prefix
	fs.SetOutput(stderr)
	sf := fs.Float64("sf", 1, "scale factor")
	out := fs.String("out", "tpch-data", "output folder or s3://bucket/prefix")
	format := fs.String("format", "parquet", "parquet, csv ('|'-delimited, no header) or json (JSON Lines)")
	tables := fs.String("tables", strings.Join(tpch.Tables, ","), "tables to generate")
	s3f := addS3Flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *sf <= 0 {
		fmt.Fprintln(stderr, "lakeq gen: --sf must be positive")
		return 2
	}
	bad := ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "warehouse" {
			bad = "--warehouse is where managed tables go; lakeq gen writes files to --out"
		}
	})
	if bad != "" {
		fmt.Fprintln(stderr, "lakeq gen: "+bad)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fsys, err := s3f.registry(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "lakeq gen: %v\n", err)
		return 1
	}
	g := tpch.New(*sf)
	for _, t := range strings.Split(*tables, ",") {
		t = strings.TrimSpace(t)
		start := time.Now()
		rows, err := g.Write(ctx, fsys, t, *out, *format)
		if err != nil {
			fmt.Fprintf(stderr, "lakeq gen: %s: %v\n", t, err)
			return 1
		}
		fmt.Fprintf(stdout, "%-9s %10d rows  %6.1fs\n", t, rows, time.Since(start).Seconds())
	}
	return 0
}
