package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/engine"
)

// crawl is `lakeq crawl LOCATION --database DB …`: the Glue-style
// crawler, printing what it created, updated and skipped.
func crawl(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lakeq crawl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("database", "public", "database (schema) to create or update tables in")
	table := fs.String("table", "", "table name (default: from the folder names)")
	update := fs.String("update-behavior", "update", "on a changed schema: update or log")
	del := fs.String("delete-behavior", "deprecate", "for partitions whose folders are gone: deprecate, log or delete")
	dataDir := fs.String("data-dir", engine.DefaultDataDir(), "data directory")
	s3f := addS3Flags(fs)
	catalogURL := fs.String("catalog", os.Getenv("LAKEQ_CATALOG"), "catalog store URL (default DATA_DIR/catalog.db)")
	// Accept the location before or after the flags.
	var loc string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		loc, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if loc == "" && fs.NArg() > 0 {
		loc = fs.Arg(0)
	}
	if loc == "" {
		fmt.Fprintln(stderr, "usage: lakeq crawl LOCATION --database DB [--table NAME] [--update-behavior update|log] [--delete-behavior deprecate|log|delete]")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	eng, err := engine.Open(ctx, engine.Config{DataDir: *dataDir, S3: s3f.config(), ListCacheTTL: *s3f.listTTL, CacheDir: *s3f.cacheDir, CacheSize: *s3f.cacheSize << 20, Warehouse: *s3f.warehouse, Catalog: *catalogURL})
	if err != nil {
		fmt.Fprintf(stderr, "lakeq crawl: %v\n", err)
		return 1
	}
	defer eng.Close()
	evs, err := eng.Crawl(ctx, catalog.CrawlOptions{Location: loc, Database: *db, Table: *table, UpdateBehavior: *update, DeleteBehavior: *del, Owner: "lakeq"})
	for _, ev := range evs {
		if ev.Detail != "" {
			fmt.Fprintf(stdout, "%-18s %s: %s\n", ev.Action, ev.Object, ev.Detail)
		} else {
			fmt.Fprintf(stdout, "%-18s %s\n", ev.Action, ev.Object)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "lakeq crawl: %v\n", err)
		return 1
	}
	return 0
}
