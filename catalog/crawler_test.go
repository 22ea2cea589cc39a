package catalog

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/storage"
)

func put(t *testing.T, path string, body []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func parquetBytes(t *testing.T) []byte {
	sch := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(sch, &buf, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(b.NewRecord()); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return buf.Bytes()
}

func TestClassify(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.parquet": parquetBytes(t),
		"b.csv":     []byte("id,name,price\n1,x,2.5\n2,y,3\n"),
		"c.txt":     []byte("1\tx\t2024-01-01\n2\ty\t2024-01-02\n"),
		"d.json":    []byte(`{"a": 1, "b": "x"}` + "\n" + `{"a": 2, "c": true}` + "\n"),
		"e.csv.gz":  gz("id|name\n1|x\n2|y\n"),
		"f.bin":     {0, 1, 2, 3, 0xff, 0xfe, 7, 8},
		"g.txt":     []byte("just one column\nof words\n"),
		"h.parquet": []byte("PAR1 not really parquet PAR1"),
		"i.csv":     []byte("a,b\n1,2,3\n4\n"),
	}
	want := map[string]string{"a.parquet": "parquet", "b.csv": "csv", "c.txt": "tsv", "d.json": "json", "e.csv.gz": "csv",
		"f.bin": "UNKNOWN", "g.txt": "UNKNOWN", "h.parquet": "UNKNOWN", "i.csv": "UNKNOWN"}
	for name, body := range files {
		put(t, filepath.Join(dir, name), body)
	}
	fs := storage.Local{}
	for name, class := range want {
		st, _ := os.Stat(filepath.Join(dir, name))
		c, err := Classify(context.Background(), fs, storage.FileInfo{Path: filepath.Join(dir, name), Size: st.Size()})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if c.class != class {
			t.Errorf("%s: %s, want %s", name, c.class, class)
		}
	}
	c, _ := Classify(context.Background(), fs, storage.FileInfo{Path: filepath.Join(dir, "b.csv"), Size: int64(len(files["b.csv"]))})
	if !c.header || len(c.columns) != 3 || c.columns[0].Name != "id" || c.columns[2].Type.String() != "double precision" {
		t.Fatalf("csv sniffing: %+v", c)
	}
	c, _ = Classify(context.Background(), fs, storage.FileInfo{Path: filepath.Join(dir, "e.csv.gz"), Size: int64(len(files["e.csv.gz"]))})
	if c.compression != storage.Gzip || c.delim != '|' {
		t.Fatalf("gzip csv: %+v", c)
	}
}

func events(evs []CrawlEvent) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Action + " " + e.Object + " " + e.Detail + "\n")
	}
	return b.String()
}

func TestCrawl(t *testing.T) {
	ctx := context.Background()
	store, err := OpenSQLite(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	lake := t.TempDir()
	// orders: k=v partitions; clicks: unnamed year/month folders, JSON
	put(t, lake+"/orders/dt=2024-01-01/part-0.csv", []byte("id,amount\n1,2.5\n2,3.5\n"))
	put(t, lake+"/orders/dt=2024-01-02/part-0.csv", []byte("id,amount\n3,1.0\n"))
	put(t, lake+"/clicks/2024/01/c.json", []byte(`{"user": "a", "n": 1}`+"\n"))
	put(t, lake+"/clicks/2024/02/c.json", []byte(`{"user": "b", "n": 2}`+"\n"))
	put(t, lake+"/clicks/2024/02/junk.bin", []byte{0, 1, 2})
	evs, err := Crawl(ctx, store, CrawlOptions{Location: lake, Database: "public"})
	if err != nil {
		t.Fatal(err)
	}
	orders, _ := store.GetTable(ctx, "public", "orders")
	clicks, _ := store.GetTable(ctx, "public", "clicks")
	if orders == nil || clicks == nil {
		t.Fatalf("tables not created:\n%s", events(evs))
	}
	if len(orders.PartitionKeys) != 1 || orders.PartitionKeys[0].Name != "dt" || orders.Parameters["skip.header.line.count"] != "1" ||
		len(orders.Columns) != 2 || orders.Storage.SerDe != SerDeLazySimple {
		t.Fatalf("orders: %+v", orders)
	}
	if len(clicks.PartitionKeys) != 2 || clicks.PartitionKeys[1].Name != "partition_1" || clicks.Storage.SerDe != SerDeOpenXJSON {
		t.Fatalf("clicks: %+v", clicks)
	}
	if ps, _ := store.ListPartitions(ctx, "public", "clicks"); len(ps) != 2 || ps[1].Values[1] != "02" {
		t.Fatalf("clicks partitions: %+v", ps)
	}

	// Re-crawl after a new day lands with a new column. The registered
	// folders are not read again: garbage in one goes unnoticed.
	put(t, lake+"/orders/dt=2024-01-01/part-0.csv", []byte{0xff, 0, 0xfe})
	put(t, lake+"/orders/dt=2024-01-03/part-0.csv", []byte("id,amount,coupon\n4,9.0,SPRING\n"))
	evs, err = Crawl(ctx, store, CrawlOptions{Location: lake + "/orders", Database: "public", UpdateBehavior: "log"})
	if err != nil {
		t.Fatal(err)
	}
	got := events(evs)
	if !strings.Contains(got, "LOGGED public.orders new columns: coupon text") || !strings.Contains(got, "PARTITIONS ADDED public.orders 1") || strings.Contains(got, "SKIPPED") {
		t.Fatalf("re-crawl (log):\n%s", got)
	}
	if o, _ := store.GetTable(ctx, "public", "orders"); len(o.Columns) != 2 {
		t.Fatal("log behaviour changed the table")
	}
	put(t, lake+"/orders/dt=2024-01-04/part-0.csv", []byte("id,amount,coupon\n5,1.0,FALL\n"))
	os.RemoveAll(lake + "/orders/dt=2024-01-02")
	evs, err = Crawl(ctx, store, CrawlOptions{Location: lake + "/orders", Database: "public", DeleteBehavior: "delete"})
	if err != nil {
		t.Fatal(err)
	}
	got = events(evs)
	if !strings.Contains(got, "UPDATED public.orders new columns: coupon text") || !strings.Contains(got, "PARTITIONS DELETED public.orders 1") {
		t.Fatalf("re-crawl (update, delete):\n%s", got)
	}
	o, _ := store.GetTable(ctx, "public", "orders")
	ps, _ := store.ListPartitions(ctx, "public", "orders")
	if len(o.Columns) != 3 || len(ps) != 3 {
		t.Fatalf("after update: %d columns, %d partitions", len(o.Columns), len(ps))
	}

	if _, err := Crawl(ctx, store, CrawlOptions{Location: lake + "/nowhere", Database: "public"}); err == nil {
		t.Fatal("missing location accepted")
	}
	if _, err := Crawl(ctx, store, CrawlOptions{Location: lake, Database: "nodb"}); err == nil {
		t.Fatal("missing database accepted")
	}
}
