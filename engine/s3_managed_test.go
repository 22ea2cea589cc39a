package engine_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/storage"
)

// Managed tables on S3 (--warehouse s3://…): every write goes through
// the same staged, snapshot-published path as on local disk, the
// location is kept in the catalog, and DROP removes the objects.
func TestManagedTablesOnS3(t *testing.T) {
	srv, cfg := s3Engine(t)
	cfg.Warehouse = "s3://lake/wh"
	e, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	mustRun(t, s, "CREATE TABLE m (id int, x numeric, s text)")
	for i := 0; i < 20; i++ {
		mustRun(t, s, fmt.Sprintf("INSERT INTO m VALUES (%d, %d.5, 'r%d')", i, i, i))
	}
	mustRun(t, s, "CREATE TABLE big AS SELECT g AS id, g % 7 AS k FROM generate_series(1, 200000) g")
	mustRun(t, s, "INSERT INTO m SELECT id, k, 'big' FROM big WHERE id <= 5000")
	mustRun(t, s, "UPDATE m SET s = 'upd' WHERE id < 5")
	mustRun(t, s, "DELETE FROM m WHERE id >= 4000 AND s = 'big'")
	same(t, "m on S3", query(t, s, "SELECT count(*), sum(id), count(*) FILTER (WHERE s = 'upd'), max(x) FROM m"),
		[][]string{{"4019", "7998190", "9", "19.5"}})
	same(t, "big on S3", query(t, s, "SELECT count(*), sum(k) FROM big WHERE id > 199000"), [][]string{{"1000", "2999"}})
	// a second engine on the same catalog reads them from the location
	// the catalog keeps, wherever its own warehouse is
	cfg2 := cfg
	cfg2.Catalog = cfg.DataDir + "/catalog.db"
	cfg2.DataDir = t.TempDir()
	cfg2.Warehouse = ""
	e2, err := engine.Open(context.Background(), cfg2)
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	s2 := e2.NewSession()
	same(t, "other engine", query(t, s2, "SELECT count(*) FROM m"), [][]string{{"4019"}})
	// concurrent appends from both engines keep every row
	var wg sync.WaitGroup
	for _, ss := range []*engine.Session{s, s2} {
		wg.Add(1)
		go func(ss *engine.Session) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if _, err := ss.Query(context.Background(), "INSERT INTO m VALUES (-1, 0, 'c')"); err != nil {
					t.Error(err)
				}
			}
		}(ss)
	}
	wg.Wait()
	same(t, "concurrent appends on S3", query(t, s, "SELECT count(*) FROM m WHERE s = 'c'"), [][]string{{"20"}})
	mustRun(t, s, "DROP TABLE big")
	var left []string
	err = e.FS().List(context.Background(), "s3://lake/wh/public/", "", func(pg storage.ListPage) error {
		for _, o := range pg.Objects {
			if strings.Contains(o.Path, "/big-") {
				left = append(left, o.Path)
			}
		}
		return nil
	})
	if err != nil || len(left) > 0 {
		t.Fatalf("DROP left %v (%v)", left, err)
	}
	_ = srv
}
