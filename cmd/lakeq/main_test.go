package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/internal/tests3"
)

func TestCLIStatementsAndErrors(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	rc := run([]string{"--data-dir", dir, "-c", "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)", "-f", "-"},
		strings.NewReader("SELECT sum(a) FROM t;"), &out, &errb)
	if rc != 0 || !strings.Contains(out.String(), " 3\n") {
		t.Fatalf("rc %d out %q err %q", rc, out.String(), errb.String())
	}
	// a second process sees the table
	out.Reset()
	if rc := run([]string{"--data-dir", dir, "--format", "csv", "-c", "SELECT count(*) FROM t"}, strings.NewReader(""), &out, &errb); rc != 0 || out.String() != "count\n2\n" {
		t.Fatalf("second run: rc %d out %q", rc, out.String())
	}
	out.Reset()
	errb.Reset()
	rc = run([]string{"--data-dir", dir, "-c", "SELECT nosuch FROM t"}, strings.NewReader(""), &out, &errb)
	if rc != 1 || !strings.Contains(errb.String(), `ERROR:  column "nosuch" does not exist`) || !strings.Contains(errb.String(), "^") {
		t.Fatalf("error output: rc %d %q", rc, errb.String())
	}
	errb.Reset()
	if rc := run([]string{"--data-dir", dir, "--format", "xml", "-c", "SELECT 1"}, strings.NewReader(""), &out, &errb); rc != 2 {
		t.Fatalf("bad format accepted: %d", rc)
	}
}

func TestShell(t *testing.T) {
	var out, errb bytes.Buffer
	rc := run([]string{"--data-dir", t.TempDir()}, strings.NewReader("SELECT 1\n + 1 AS two;\n\\q\n"), &out, &errb)
	if rc != 0 || !strings.Contains(out.String(), "two") || !strings.Contains(out.String(), " 2\n") {
		t.Fatalf("shell: rc %d out %q err %q", rc, out.String(), errb.String())
	}
}

// TestCLINullRowAndColumnTypes: a row of NULLs prints (it used to panic)
// with NULL shown as such, and read_csv's columns option takes types with
// commas, numeric(10,2).
func TestCLINullRowAndColumnTypes(t *testing.T) {
	dir := t.TempDir()
	csvPath := dir + "/n.csv"
	if err := os.WriteFile(csvPath, []byte("a,b\n1.25,x\n,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	q := "SELECT a, a * 2 AS d FROM read_csv('" + csvPath + "', header => true, columns => 'a numeric(10,2), b text') ORDER BY b"
	if rc := run([]string{"--data-dir", dir, "-c", q}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	want := "  a   |  d   \n------+------\n 1.25 | 2.50\n NULL | NULL\n(2 rows)\nTime: X ms · Data scanned: 14 bytes (1 file) · Cost: $0.0000477\n\n"
	if normalizeTimes(out.String()) != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestCrawlCommand(t *testing.T) {
	lake := t.TempDir()
	for _, d := range []string{"2024-01-01", "2024-01-02"} {
		p := lake + "/visits/dt=" + d
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p+"/v.csv", []byte("page,hits\n/a,3\n/b,4\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	var out, errb strings.Builder
	if rc := run([]string{"crawl", lake + "/visits", "--database", "public", "--data-dir", dir}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	if !strings.Contains(out.String(), "CREATED") || !strings.Contains(out.String(), "public.visits") || !strings.Contains(out.String(), "PARTITIONS ADDED   public.visits: 2") {
		t.Fatalf("report:\n%s", out.String())
	}
	out.Reset()
	if rc := run([]string{"--data-dir", dir, "--format", "csv", "-c", "SELECT dt, sum(hits) FROM visits GROUP BY dt ORDER BY dt"}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	if out.String() != "dt,sum\n2024-01-01,7\n2024-01-02,7\n" {
		t.Fatalf("query:\n%s", out.String())
	}
	errb.Reset()
	if rc := run([]string{"crawl", lake + "/nowhere", "--data-dir", dir}, strings.NewReader(""), &out, &errb); rc != 1 || !strings.Contains(errb.String(), "does not exist") {
		t.Fatalf("missing location: rc %d %s", rc, errb.String())
	}
}

// lakeq gen writes to S3 and the CLI reads it back, both configured as
// AWS users configure S3 (the SDK's variables) plus --s3-endpoint.
func TestGenAndQueryOnS3(t *testing.T) {
	srv := tests3.Start(t, "lake")
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.Secret)
	t.Setenv("AWS_REGION", "us-east-1")
	var out, errb strings.Builder
	if rc := run([]string{"gen", "tpch", "--sf", "0.01", "--tables", "nation,supplier", "--out", "s3://lake/tpch", "--s3-endpoint", srv.Endpoint}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("gen: rc %d: %s", rc, errb.String())
	}
	out.Reset()
	q := "SELECT count(*) FROM 's3://lake/tpch/supplier.parquet' JOIN 's3://lake/tpch/nation.parquet' ON s_nationkey = n_nationkey"
	if rc := run([]string{"--data-dir", t.TempDir(), "--format", "csv", "--s3-endpoint", srv.Endpoint, "-c", q}, strings.NewReader(""), &out, &errb); rc != 0 {
		t.Fatalf("query: rc %d: %s", rc, errb.String())
	}
	if out.String() != "count\n100\n" {
		t.Fatalf("query:\n%s", out.String())
	}
	// AWS_ENDPOINT_URL_S3 works unchanged, without the flag
	t.Setenv("AWS_ENDPOINT_URL_S3", srv.Endpoint)
	out.Reset()
	if rc := run([]string{"--data-dir", t.TempDir(), "--format", "csv", "-c", "SELECT count(*) FROM 's3://lake/tpch/nation.parquet'"}, strings.NewReader(""), &out, &errb); rc != 0 || out.String() != "count\n25\n" {
		t.Fatalf("AWS_ENDPOINT_URL_S3: rc %d: %s %s", rc, out.String(), errb.String())
	}
}
