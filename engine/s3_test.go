package engine_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/internal/tests3"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/s3"
)

// s3Engine starts versitygw with bucket "lake" and an engine reading it.
func s3Engine(t *testing.T) (*tests3.Server, engine.Config) {
	t.Helper()
	srv := tests3.Start(t, "lake")
	return srv, engine.Config{DataDir: t.TempDir(), S3: s3.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.Secret}}
}

// copyInto uploads a local file as the object at key ("bucket/path"),
// through the S3 API as any client would.
func copyInto(t *testing.T, srv *tests3.Server, key string, src string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	writeObject(t, srv, key, string(data))
}

func writeObject(t *testing.T, srv *tests3.Server, key, data string) {
	t.Helper()
	fs, err := s3.New(context.Background(), s3.Config{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.Secret})
	if err != nil {
		t.Fatal(err)
	}
	w, err := fs.Create(context.Background(), "s3://"+key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// The 22 TPC-H queries over the SF 0.1 Parquet files on S3 give the
// reference answers, as from local disk.
func TestTPCHOnS3(t *testing.T) {
	requireShared(t, tpchDir)
	srv, cfg := s3Engine(t)
	for _, tb := range tpchTables {
		copyInto(t, srv, "lake/tpch/"+tb+".parquet", filepath.Join(tpchDir, "sf0.1", tb+".parquet"))
	}
	runTPCH(t, viewsAt(t, cfg, "s3://lake/tpch", tpchTables))
}

func query(t *testing.T, s *engine.Session, sql string) [][]string {
	t.Helper()
	res, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return rows(res)
}

func same(t *testing.T, sql string, got, want [][]string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got %v\nwant %v", sql, got, want)
	}
}

// Files, external tables, partitions, MSCK and the crawler work on
// s3:// as on local disk: the same statements over the same files give
// the same answers, and reads are counted as data scanned.
func TestLakeOnS3(t *testing.T) {
	srv, cfg := s3Engine(t)
	local := t.TempDir()
	files := map[string]string{
		"ev/dt=2024-01-01/a.csv":    "1,click\n2,view\n",
		"ev/dt=2024-01-02/b.csv":    "3,click\n",
		"ev/dt=2024-01-02/_SUCCESS": "",
		"js/x.json":                 "{\"id\": 1, \"tag\": \"ü\"}\n{\"id\": 2, \"tag\": null}\n",
	}
	for k, v := range files {
		writeObject(t, srv, "lake/"+k, v)
		p := filepath.Join(local, k)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(v), 0o644)
	}
	eng, err := engine.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	s := eng.NewSession()

	for _, base := range []string{local, "s3://lake"} {
		name := "local"
		if strings.HasPrefix(base, "s3://") {
			name = "s3"
		}
		mustRun(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE ev_%s (id int, kind string) PARTITIONED BY (dt date)
			ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/ev/'`, name, base))
		mustRun(t, s, "MSCK REPAIR TABLE ev_"+name)
	}
	for _, q := range []string{
		"SELECT dt, kind, count(*) FROM ev_%s GROUP BY 1, 2 ORDER BY 1, 2",
		"SELECT id FROM ev_%s WHERE dt = DATE '2024-01-02'",
		`SELECT count(*), min("$path") LIKE '%%dt=2024-01-01/a.csv' FROM ev_%s`,
	} {
		same(t, q, query(t, s, fmt.Sprintf(q, "s3")), query(t, s, fmt.Sprintf(q, "local")))
	}
	for _, q := range []string{
		"SELECT * FROM read_csv('%s/ev/*/*.csv', columns => 'id integer, kind text') ORDER BY 1",
		"SELECT id, tag FROM read_json('%s/js/x.json') ORDER BY 1",
		"SELECT count(*) FROM '%s/js/*.json'",
	} {
		same(t, q, query(t, s, fmt.Sprintf(q, "s3://lake")), query(t, s, fmt.Sprintf(q, local)))
	}
	res, err := s.Query(context.Background(), "SELECT count(*) FROM ev_s3")
	if err != nil {
		t.Fatal(err)
	}
	if res.Scanned.Bytes == 0 {
		t.Errorf("reads from S3 are not counted as data scanned")
	}

	// COPY to and from objects: the file appears whole, and loads back
	mustRun(t, s, "CREATE TABLE src AS SELECT id, kind FROM ev_s3")
	mustRun(t, s, "COPY src TO 's3://lake/out/src.csv' WITH (FORMAT csv, HEADER)")
	mustRun(t, s, "CREATE TABLE dst (id int, kind text)")
	mustRun(t, s, "COPY dst FROM 's3://lake/out/src.csv' WITH (FORMAT csv, HEADER)")
	same(t, "COPY round trip", query(t, s, "SELECT * FROM dst ORDER BY 1"), query(t, s, "SELECT * FROM src ORDER BY 1"))
	if _, err := s.Exec(context.Background(), "COPY dst FROM 's3://lake/out/none.csv'"); sqlerr.Code(err) != sqlerr.UndefinedFile {
		t.Errorf("COPY from a missing object: %v", err)
	}

	// the crawler on an s3:// location
	got := query(t, s, "CALL crawl('s3://lake/ev/', 'public', table_name => 'crawled')")
	if len(got) == 0 {
		t.Fatal("the crawler reported nothing")
	}
	same(t, "crawled", query(t, s, "SELECT count(*) FROM crawled"), [][]string{{"3"}})

	// errors name the object and carry a SQLSTATE
	for sql, code := range map[string]string{
		"SELECT * FROM read_parquet('s3://lake/missing.parquet')": sqlerr.UndefinedFile,
		"SELECT * FROM read_parquet('s3://nobucket/x.parquet')":   sqlerr.UndefinedFile,
		"SELECT * FROM read_csv('gs://lake/x.csv')":               sqlerr.FeatureNotSupported,
	} {
		_, err := s.Query(context.Background(), sql)
		if sqlerr.Code(err) != code {
			t.Errorf("%s: %v, want %s", sql, err, code)
		}
	}

	// a session's own keys: wrong ones fail with an authorization error
	// that shows no secret, and the other sessions are unaffected
	bad := eng.NewSession()
	mustRun(t, bad, "SET s3_secret_access_key = 'not-the-secret'")
	_, err = bad.Query(context.Background(), "SELECT count(*) FROM ev_s3")
	if c := sqlerr.Code(err); (c != sqlerr.InvalidAuthorization && c != sqlerr.InsufficientPrivilege) || strings.Contains(err.Error(), "not-the-secret") {
		t.Errorf("wrong session secret: %v", err)
	}
	same(t, "other session", query(t, s, "SELECT count(*) FROM ev_s3"), [][]string{{"3"}})
}

func mustRun(t *testing.T, s *engine.Session, sql string) {
	t.Helper()
	if _, err := s.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
