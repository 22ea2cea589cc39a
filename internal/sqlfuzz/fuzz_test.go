package sqlfuzz

import (
	"context"
	"testing"
	"time"

	"github.com/lakeq/lakeq/internal/testpg"
)

// TestSeededRun is a short fuzzing run with a fixed seed, against a
// throwaway PostgreSQL 15 and DuckDB (bench/'s @duckdb/node-api, which
// scripts/test.sh installs), on every storage layout and on 1 and 4
// workers, and through a schema mounted from a second PostgreSQL
// database: what a longer `go run ./cmd/sqlfuzz` run found stays fixed.
func TestSeededRun(t *testing.T) {
	srv := testpg.Start(t)
	ctx := context.Background()
	url, err := CreateDB(ctx, srv.URL("postgres"), "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	mount, err := CreateMountDB(ctx, srv.URL("postgres"), "fuzz_mount")
	if err != nil {
		t.Fatal(err)
	}
	rounds, queries := 2, 25
	if testing.Short() {
		rounds, queries = 1, 10
	}
	rep, err := Run(ctx, Config{Seed: 20261201, Rounds: rounds, Queries: queries, Duration: 3 * time.Minute, PG: url, Mount: mount, DuckDB: "../../bench",
		Log: func(f string, a ...any) { t.Logf(f, a...) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d queries, %d checks, %d refused by PostgreSQL; DuckDB compared %d, refused %d, dialect %d; in %v",
		rep.Queries, rep.Checks, rep.PGErrors, rep.DuckDBCompared, rep.DuckDBRefused, rep.DuckDBDialect, rep.Elapsed)
	if rep.DuckDBCompared == 0 {
		t.Error("DuckDB compared no answer")
	}
	if rep.Queries < rounds*queries {
		t.Errorf("only %d of %d queries ran", rep.Queries, rounds*queries)
	}
	for _, m := range rep.Mismatches {
		t.Errorf("%s oracle: %s\n  %s", m.Oracle, m.Query, m.Detail)
	}
}
