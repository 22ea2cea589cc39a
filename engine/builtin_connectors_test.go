package engine

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/internal/connectortest"
	"github.com/lakeq/lakeq/types"
)

// sortedText is a result's rows as a|b|c text (NULL as "NULL"), sorted,
// as connectortest.ReadAll returns a scan's.
func sortedText(r *Result) []string {
	var out []string
	for i := 0; i < int(r.NumRows()); i++ {
		parts := make([]string, len(r.Columns))
		for j, c := range r.Columns {
			if v := r.Value(i, j); v == nil {
				parts[j] = "NULL"
			} else {
				parts[j] = types.FormatText(c.Type, v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	sort.Strings(out)
	return out
}

// Every kind of table the planner reads — managed, external, a file
// read by read_parquet, sys.*, pg_catalog, information_schema — comes
// through a connector, and each reads through the SPI alone (metadata,
// Splits, Read) the rows SQL returns.
func TestEveryTableIsAConnectorTable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, s := open(t, dir)
	mustExec(t, s, "CREATE TABLE m AS SELECT g AS a, 'v' || g AS b FROM generate_series(1, 300) g")
	mustExec(t, s, "INSERT INTO m VALUES (301, NULL)") // the delta, beside the Parquet files
	mustExec(t, s, "ANALYZE m")
	loc := filepath.Join(dir, "ext")
	mustExec(t, s, "CREATE TABLE ext WITH (format = 'PARQUET', external_location = '"+loc+"', partitioned_by = ARRAY['k']) AS SELECT g AS v, g % 3 AS k FROM generate_series(1, 90) g")
	mustExec(t, s, "UNLOAD (SELECT g AS x FROM generate_series(1, 50) g) TO '"+filepath.Join(dir, "f")+"' WITH (format = 'PARQUET')")
	file := filepath.Join(dir, "f", "*")

	lake := lakeConnector{s}
	schemas, err := lake.Schemas(ctx)
	if err != nil || !slices.Contains(schemas, "public") {
		t.Fatalf("lake schemas %v (%v)", schemas, err)
	}
	tables, err := lake.Tables(ctx, "public")
	if err != nil || !slices.Contains(tables, "m") || !slices.Contains(tables, "ext") {
		t.Fatalf("lake tables %v (%v)", tables, err)
	}
	sys := systemConnector{s}
	if ts, err := sys.Tables(ctx, "sys"); err != nil || !slices.Contains(ts, "query_history") {
		t.Fatalf("sys tables %v (%v)", ts, err)
	}

	cat := &catAdapter{s: s}
	for _, c := range []struct {
		conn          connectors.Connector
		schema, table string
		cols          []int
		sql           string
	}{
		{lake, "public", "m", []int{0, 1}, "SELECT a, b FROM m"},
		{lake, "public", "ext", []int{1, 0}, "SELECT k, v FROM ext"},
		{sys, "pg_catalog", "pg_namespace", []int{1}, "SELECT nspname FROM pg_catalog.pg_namespace"},
		{sys, "information_schema", "tables", []int{1, 2}, "SELECT table_schema, table_name FROM information_schema.tables"},
		{sys, "sys", "column_stats", []int{0, 1, 3}, "SELECT schema_name, table_name, column_name FROM sys.column_stats"},
	} {
		ct, err := c.conn.Table(ctx, c.schema, c.table)
		if err != nil || ct == nil {
			t.Fatalf("%s.%s through the %s connector: %v (%v)", c.schema, c.table, c.conn.Name(), ct, err)
		}
		scan := &connectors.Scan{Table: ct, Columns: c.cols, Limit: -1}
		got := connectortest.ReadAll(t, c.conn, scan, 2)
		want := sortedText(mustExec(t, s, c.sql))
		if len(want) == 0 {
			t.Errorf("%s returns nothing to compare", c.sql)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s.%s: the SPI read %d rows, SQL %d\nSPI %.5q\nSQL %.5q", c.schema, c.table, len(got), len(want), got, want)
		}
		pt, err := cat.Table(ctx, c.schema, c.table)
		if err != nil || pt == nil {
			t.Fatalf("%s.%s: %v", c.schema, c.table, err)
		}
		if cs, ok := pt.Source.(*connectorSource); !ok || cs.conn.Name() != c.conn.Name() {
			t.Errorf("%s.%s is read by %T, not through the %s connector", c.schema, c.table, pt.Source, c.conn.Name())
		}
	}
	ft, err := cat.FileTable(ctx, "read_parquet", []types.Value{file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cs, ok := ft.Source.(*connectorSource)
	if !ok || cs.conn.Name() != "lake" {
		t.Fatalf("read_parquet is read by %T", ft.Source)
	}
	if got := connectortest.ReadAll(t, cs.conn, &connectors.Scan{Table: cs.table, Columns: []int{0}, Limit: -1}, 2); len(got) != 50 {
		t.Errorf("read_parquet through the SPI: %d rows, want 50", len(got))
	}
}
