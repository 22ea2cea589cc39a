package catalog

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/sqlerr"
)

// stores returns two handles on one catalog per store kind, as two
// processes would hold.
func stores(t *testing.T) map[string][2]Store {
	ctx := context.Background()
	out := map[string][2]Store{}
	path := filepath.Join(t.TempDir(), "catalog.db")
	a, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	out["sqlite"] = [2]Store{a, b}
	pg := testpg.Start(t)
	url := pg.CreateDB(t, "lakeq_catalog")
	c, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	out["postgres"] = [2]Store{c, d}
	t.Cleanup(func() {
		for _, p := range out {
			p[0].Close()
			p[1].Close()
		}
	})
	return out
}

func code(err error) string {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestStores(t *testing.T) {
	ctx := context.Background()
	for kind, pair := range stores(t) {
		t.Run(kind, func(t *testing.T) {
			s, other := pair[0], pair[1]
			if d, err := s.GetDatabase(ctx, "public"); err != nil || d == nil {
				t.Fatalf("public database missing: %v", err)
			}
			if err := s.CreateDatabase(ctx, Database{Name: "sales"}); err != nil {
				t.Fatal(err)
			}
			if err := other.CreateDatabase(ctx, Database{Name: "sales"}); code(err) != sqlerr.DuplicateSchema {
				t.Fatalf("duplicate database: %v", err)
			}
			tbl := Table{Database: "sales", Name: "orders", Type: ExternalTable,
				Columns:       []Column{{Name: "id", Type: "bigint"}},
				PartitionKeys: []Column{{Name: "dt", Type: "text"}},
				Storage:       StorageDescriptor{Location: "/lake/orders", SerDe: "parquet"},
				Parameters:    map[string]string{"classification": "parquet"}}
			if err := s.CreateTable(ctx, tbl); err != nil {
				t.Fatal(err)
			}
			n, err := s.AddPartitions(ctx, "sales", "orders", []Partition{{Values: []string{"2024-01-01"}, Location: "/lake/orders/dt=2024-01-01"}, {Values: []string{"2024-01-02"}, Location: "/lake/orders/dt=2024-01-02"}})
			if err != nil || n != 2 {
				t.Fatalf("add partitions: %d %v", n, err)
			}
			// Adding again (another process running MSCK) adds nothing.
			n, err = other.AddPartitions(ctx, "sales", "orders", []Partition{{Values: []string{"2024-01-02"}, Location: "x"}, {Values: []string{"2024-01-03"}, Location: "/lake/orders/dt=2024-01-03"}})
			if err != nil || n != 1 {
				t.Fatalf("re-add partitions: %d %v", n, err)
			}
			ps, err := s.ListPartitions(ctx, "sales", "orders")
			if err != nil || len(ps) != 3 || ps[1].Location != "/lake/orders/dt=2024-01-02" {
				t.Fatalf("list partitions: %+v %v", ps, err)
			}
			if ps, err := other.LookupPartitions(ctx, "sales", "orders", []string{"2024-01-02"}); err != nil || len(ps) != 1 || ps[0].Values[0] != "2024-01-02" {
				t.Fatalf("lookup: %+v %v", ps, err)
			}
			if n, err := other.CountPartitions(ctx, "sales", "orders"); err != nil || n != 3 {
				t.Fatalf("count: %d %v", n, err)
			}
			if n, err := s.DropPartitions(ctx, "sales", "orders", [][]string{{"2024-01-03"}, {"1999-01-01"}}); err != nil || n != 1 {
				t.Fatalf("drop partitions: %d %v", n, err)
			}
			if err := s.CreateTable(ctx, Table{Database: "sales", Name: "multi", Type: ExternalTable, PartitionKeys: []Column{{Name: "y", Type: "text"}, {Name: "m", Type: "text"}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AddPartitions(ctx, "sales", "multi", []Partition{{Values: []string{"2024", "1"}}, {Values: []string{"2024", "10"}}, {Values: []string{"2025", "1"}}, {Values: []string{"20", "24"}}, {Values: []string{"ü", "1"}}}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				prefix []string
				want   int
			}{{[]string{"2024"}, 2}, {[]string{"2024", "1"}, 1}, {[]string{"20"}, 1}, {[]string{"ü"}, 1}, {[]string{"2026"}, 0}} {
				if ps, err := other.LookupPartitions(ctx, "sales", "multi", c.prefix); err != nil || len(ps) != c.want {
					t.Fatalf("lookup %v: %+v %v", c.prefix, ps, err)
				}
			}
			if err := s.PutStats(ctx, "sales", "orders", []ColumnStats{{Column: "id", RowCount: 10, Distinct: 9, Min: "1", Max: "10", HasMinMax: true}, {Partition: "2024-01-01", Column: "", RowCount: 4}}); err != nil {
				t.Fatal(err)
			}
			if err := s.PutStats(ctx, "sales", "orders", []ColumnStats{{Column: "id", RowCount: 11, Distinct: 10}}); err != nil {
				t.Fatal(err)
			}
			st, err := other.GetStats(ctx, "sales", "orders")
			if err != nil || len(st) != 2 || st[0].RowCount != 11 && st[1].RowCount != 11 {
				t.Fatalf("stats: %+v %v", st, err)
			}

			// Two writers changing one table at once: each retries on
			// conflict, so both column additions survive.
			var wg sync.WaitGroup
			for i, h := range []Store{s, other} {
				wg.Add(1)
				go func(i int, h Store) {
					defer wg.Done()
					for try := 0; try < 100; try++ {
						cur, err := h.GetTable(ctx, "sales", "orders")
						if err != nil {
							t.Error(err)
							return
						}
						cur.Columns = append(cur.Columns, Column{Name: []string{"a", "b"}[i], Type: "text"})
						err = h.UpdateTable(ctx, *cur)
						if err == nil {
							return
						}
						if code(err) != sqlerr.SerializationFailure {
							t.Error(err)
							return
						}
					}
					t.Error("no progress after 100 tries")
				}(i, h)
			}
			wg.Wait()
			got, _ := s.GetTable(ctx, "sales", "orders")
			if len(got.Columns) != 3 {
				t.Fatalf("lost update: columns %+v", got.Columns)
			}

			if err := s.RenameTable(ctx, "sales", "orders", "orders2"); err != nil {
				t.Fatal(err)
			}
			if ps, _ := other.ListPartitions(ctx, "sales", "orders2"); len(ps) != 2 {
				t.Fatalf("partitions did not follow the rename: %v", ps)
			}
			if g, _ := s.GetTable(ctx, "sales", "orders"); g != nil {
				t.Fatal("old name still present")
			}

			start := time.Now().Add(-time.Hour)
			for i, id := range []string{"q1", "q2"} {
				if err := s.RecordQuery(ctx, QueryRecord{QueryID: id, User: "lakeq", Query: "SELECT 1", State: "SUCCEEDED", StartedAt: start.Add(time.Duration(i) * time.Minute), Rows: 1}); err != nil {
					t.Fatal(err)
				}
			}
			if err := other.RecordQuery(ctx, QueryRecord{QueryID: "old", User: "lakeq", Query: "SELECT 0", State: "FAILED", Error: "boom", StartedAt: start.Add(-50 * 24 * time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if n, err := s.PurgeQueries(ctx, time.Now().Add(-45*24*time.Hour)); err != nil || n != 1 {
				t.Fatalf("purge: %d %v", n, err)
			}
			qs, err := other.ListQueries(ctx, time.Time{})
			if err != nil || len(qs) != 2 || qs[0].QueryID != "q2" {
				t.Fatalf("history: %+v %v", qs, err)
			}

			if err := s.DropDatabase(ctx, "sales"); err != nil {
				t.Fatal(err)
			}
			if ts, _ := s.ListTables(ctx, "sales"); len(ts) != 0 {
				t.Fatal("tables survived DROP DATABASE")
			}
			if ps, _ := s.ListPartitions(ctx, "sales", "orders2"); len(ps) != 0 {
				t.Fatal("partitions survived DROP DATABASE")
			}
		})
	}
}

func TestRedact(t *testing.T) {
	if got := redact("postgres://u:secret@h:5432/db"); got != "postgres://u:***@h:5432/db" {
		t.Fatal(got)
	}
}
