package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/engine"
)

// A statement that names one file glob or catalog table several times
// lists and opens it once while planning: every reference reads the same
// files (TPC-DS q88 names four tables eight times each), and the
// answers are as before.
func TestNamesLookedUpOncePerStatement(t *testing.T) {
	dir := t.TempDir()
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	s := eng.NewSession()
	out := filepath.Join(dir, "lake", "t")
	mustQuery(t, s, "UNLOAD (SELECT g AS x, g % 7 AS y FROM generate_series(1, 1000) g) TO '"+out+"/' WITH (format = 'PARQUET')")
	glob := "read_parquet('" + out + "/*.parquet')"
	mustQuery(t, s, "CREATE VIEW v AS SELECT * FROM "+glob)
	q := "SELECT count(*), sum(a.y + b.y + c.y) FROM " + glob + " a JOIN " + glob + " b ON a.x = b.x JOIN v c ON c.x = a.x WHERE a.y = 3"
	got := rows(mustQuery(t, s, q))
	if len(got) != 1 || got[0][0] != "143" || got[0][1] != "1287" {
		t.Fatalf("rows %v", got)
	}
	var listings string
	for _, l := range rows(mustQuery(t, s, "EXPLAIN ANALYZE "+q)) {
		if strings.HasPrefix(l[0], "Storage requests:") {
			listings = l[0]
		}
	}
	if !strings.Contains(listings, " 1 listings") {
		t.Fatalf("three references to one glob: %q", listings)
	}
}
