package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/internal/testpg"
)

// writeParquet writes rows (id int32, amount float64, note string).
func writeParquet(t *testing.T, path string, ids []int32, amounts []float64, notes []string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "Amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sch, f, pq.NewWriterProperties(pq.WithStats(true)), pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	b.Field(0).(*array.Int32Builder).AppendValues(ids, nil)
	b.Field(1).(*array.Float64Builder).AppendValues(amounts, nil)
	b.Field(2).(*array.StringBuilder).AppendValues(notes, nil)
	rec := b.NewRecord()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParquetExternalTable(t *testing.T) {
	lake := t.TempDir()
	for d := 1; d <= 5; d++ {
		base := int32(d * 10)
		writeParquet(t, fmt.Sprintf("%s/orders/dt=2024-01-%02d/part-0.parquet", lake, d),
			[]int32{base, base + 1, base + 2}, []float64{1.5, 2.5, float64(d)}, []string{"a", "b", "c"})
	}
	_, s := open(t, t.TempDir())
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE orders (id bigint, amount double, note string, added_later string)
		PARTITIONED BY (dt date) STORED AS PARQUET LOCATION '%s/orders'`, lake))
	mustExec(t, s, "MSCK REPAIR TABLE orders")

	// int32 in the files reads as the declared bigint; columns match by
	// name case-insensitively; a column the files lack is NULL.
	r := mustExec(t, s, "SELECT id, amount, added_later, dt FROM orders WHERE dt = DATE '2024-01-03' ORDER BY id")
	if r.NumRows() != 3 || r.Value(0, 0) != int64(30) || r.Value(2, 1) != float64(3) || r.Value(0, 2) != nil {
		t.Fatalf("rows: %v %v %v", r.Value(0, 0), r.Value(2, 1), r.Value(0, 2))
	}
	if r.Scanned.Partitions != 1 || r.Scanned.Files != 1 {
		t.Fatalf("one day should read one partition and one file: %+v", r.Scanned)
	}
	size := fileSize(t, lake+"/orders/dt=2024-01-03/part-0.parquet")
	if r.Scanned.Bytes <= 0 || r.Scanned.Bytes > size {
		t.Fatalf("bytes scanned %d, file size %d", r.Scanned.Bytes, size)
	}
	// row-group statistics still prune inside the surviving partitions
	r = mustExec(t, s, "SELECT count(*) FROM orders WHERE id > 1000")
	if r.Value(0, 0) != int64(0) {
		t.Fatal(r.Value(0, 0))
	}
	r = mustExec(t, s, "SELECT count(*), sum(amount) FROM orders WHERE dt BETWEEN DATE '2024-01-02' AND DATE '2024-01-04' OR dt = DATE '2024-01-05'")
	if r.Value(0, 0) != int64(12) || r.Scanned.Partitions != 4 {
		t.Fatalf("%v %+v", r.Value(0, 0), r.Scanned)
	}
	r = mustExec(t, s, `SELECT count(*) FROM orders WHERE "$path" LIKE '%2024-01-05%'`)
	if r.Value(0, 0) != int64(3) || r.Scanned.Files != 1 {
		t.Fatalf("$path pruning: %v %+v", r.Value(0, 0), r.Scanned)
	}
}

func fileSize(t *testing.T, p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// New files for a new day land; MSCK (or a projection) makes them visible.
func TestNewPartitionLands(t *testing.T) {
	lake := t.TempDir()
	day := func(y, m, d int, rows string) {
		writeFile(t, fmt.Sprintf("%s/sales/year=%d/month=%02d/day=%02d/data.csv", lake, y, m, d), rows)
	}
	day(2024, 5, 1, "1,10\n2,20\n")
	day(2024, 5, 2, "3,30\n")
	_, s := open(t, t.TempDir())
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE sales (id int, amount int) PARTITIONED BY (year int, month int, day int)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/sales'`, lake))
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE sales_proj (id int, amount int) PARTITIONED BY (year int, month int, day int)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/sales'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.year.type'='integer', 'projection.year.range'='2020,2030',
		'projection.month.type'='integer', 'projection.month.range'='1,12', 'projection.month.digits'='2',
		'projection.day.type'='integer', 'projection.day.range'='1,31', 'projection.day.digits'='2')`, lake))
	mustExec(t, s, "MSCK REPAIR TABLE sales")
	count := func(table string) int64 {
		return mustExec(t, s, "SELECT count(*) FROM "+table+" WHERE year = 2024 AND month = 5").Value(0, 0).(int64)
	}
	if count("sales") != 3 || count("sales_proj") != 3 {
		t.Fatal("before the new day")
	}
	day(2024, 5, 3, "4,40\n5,50\n")
	if count("sales") != 3 {
		t.Fatal("an unregistered partition must not be read")
	}
	if count("sales_proj") != 5 {
		t.Fatal("a projected table sees the new day at once")
	}
	r := mustExec(t, s, "MSCK REPAIR TABLE sales")
	if got := r.Value(0, 0).(string); !strings.HasPrefix(got, "Partitions added: 1 ") {
		t.Fatal(got)
	}
	if count("sales") != 5 {
		t.Fatal("after MSCK")
	}
	r = mustExec(t, s, "SELECT sum(amount) FROM sales WHERE year = 2024 AND month = 5 AND day = 3")
	if r.Value(0, 0) != int64(90) || r.Scanned.Partitions != 1 || r.Scanned.Bytes != int64(len("4,40\n5,50\n")) {
		t.Fatalf("%v %+v", r.Value(0, 0), r.Scanned)
	}
}

func TestShowCreateTableRoundTrip(t *testing.T) {
	lake := t.TempDir()
	_, s := open(t, t.TempDir())
	ddl := fmt.Sprintf(`CREATE EXTERNAL TABLE logs (
		ts timestamp COMMENT 'event time', "Level" string COMMENT 'it''s \'quoted\'', tags array<string>, attrs map<string,string>, price decimal(12,3))
		COMMENT 'raw logs'
		PARTITIONED BY (dt string, hour int)
		ROW FORMAT DELIMITED FIELDS TERMINATED BY '\001' ESCAPED BY '\\' NULL DEFINED AS ''
		LOCATION '%s'
		TBLPROPERTIES ('skip.header.line.count'='2', 'compressionType'='gzip', 'note'='tab\there',
		  'projection.enabled'='true', 'projection.dt.type'='date', 'projection.dt.range'='NOW-2YEARS,NOW',
		  'projection.dt.format'='yyyy/MM/dd', 'projection.hour.type'='integer', 'projection.hour.range'='0,23', 'projection.hour.digits'='2',
		  'storage.location.template'='%s/${dt}/${hour}')`, lake, lake)
	mustExec(t, s, ddl)
	describe := func() string {
		r := mustExec(t, s, "DESCRIBE FORMATTED logs")
		var b strings.Builder
		for i := 0; i < int(r.NumRows()); i++ {
			if v, _ := r.Value(i, 0).(string); v == "CreateTime:" {
				continue
			}
			fmt.Fprintln(&b, r.Value(i, 0), r.Value(i, 1), r.Value(i, 2))
		}
		return b.String()
	}
	before := describe()
	r := mustExec(t, s, "SHOW CREATE TABLE logs")
	var lines []string
	for i := 0; i < int(r.NumRows()); i++ {
		lines = append(lines, r.Value(i, 0).(string))
	}
	mustExec(t, s, "DROP TABLE logs")
	mustExec(t, s, strings.Join(lines, "\n"))
	if after := describe(); after != before {
		t.Fatalf("round trip changed the table:\n%s\nvs\n%s\nDDL:\n%s", before, after, strings.Join(lines, "\n"))
	}
}

// Two lakeq processes on one PostgreSQL catalog: each sees the other's
// tables, partitions and history, and concurrent ALTERs lose nothing.
func TestSharedPostgresCatalog(t *testing.T) {
	pg := testpg.Start(t)
	sharedCatalog(t, pg.CreateDB(t, "lakeq"))
}

// The same with two processes on one SQLite catalog file.
func TestSharedSQLiteCatalog(t *testing.T) {
	sharedCatalog(t, filepath.Join(t.TempDir(), "shared.db"))
}

func sharedCatalog(t *testing.T, url string) {
	lake := t.TempDir()
	writeFile(t, lake+"/ev/dt=2024-01-01/a.csv", "1\n2\n")
	writeFile(t, lake+"/ev/dt=2024-01-02/a.csv", "3\n")
	openPG := func() *Session {
		e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Catalog: url})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e.NewSession()
	}
	a, b := openPG(), openPG()
	mustExec(t, a, "CREATE DATABASE raw")
	mustExec(t, a, fmt.Sprintf("CREATE EXTERNAL TABLE raw.ev (n int) PARTITIONED BY (dt date) STORED AS TEXTFILE LOCATION '%s/ev'", lake))
	mustExec(t, a, "MSCK REPAIR TABLE raw.ev")
	if v := mustExec(t, b, "SELECT sum(n) FROM raw.ev").Value(0, 0); v != int64(6) {
		t.Fatalf("other process: %v", v)
	}
	var wg sync.WaitGroup
	for i, s := range []*Session{a, b} {
		wg.Add(1)
		go func(i int, s *Session) {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				if _, err := s.Query(context.Background(), fmt.Sprintf("ALTER TABLE raw.ev SET TBLPROPERTIES ('p%d_%d'='x')", i, k)); err != nil {
					t.Error(err)
				}
			}
		}(i, s)
	}
	wg.Wait()
	r := mustExec(t, a, "SHOW TBLPROPERTIES raw.ev")
	props := 0
	for i := 0; i < int(r.NumRows()); i++ {
		if strings.HasPrefix(r.Value(i, 0).(string), "p") {
			props++
		}
	}
	if props != 40 {
		t.Fatalf("lost updates: %d of 40 properties", props)
	}
	// Another process's history arrives within its flush interval (0.5 s).
	mustExec(t, a, "SELECT 'from a' AS marker")
	deadline := time.Now().Add(5 * time.Second)
	for {
		r = mustExec(t, b, "SELECT count(*) FROM sys.query_history WHERE query_text = $1", "SELECT 'from a' AS marker")
		if r.Value(0, 0) == int64(1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("history not shared: %v", r.Value(0, 0))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ANALYZE's row counts decide the hash join's build side; NOSCAN reads
// Parquet footers only.
func TestStatisticsDriveBuildSide(t *testing.T) {
	lake := t.TempDir()
	var big strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&big, "%d,%d\n", i, i%10)
	}
	writeFile(t, lake+"/big/b.csv", big.String())
	writeFile(t, lake+"/small/s.csv", "0,zero\n1,one\n2,two\n")
	_, s := open(t, t.TempDir())
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL TABLE big (id int, k int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/big'", lake))
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL TABLE small (k int, name string) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION '%s/small'", lake))
	build := func() string {
		r := mustExec(t, s, "EXPLAIN ANALYZE SELECT count(*) FROM small JOIN big ON small.k = big.k")
		for i := 0; i < int(r.NumRows()); i++ {
			l := r.Value(i, 0).(string)
			if j := strings.Index(l, "HashBuild rows="); j >= 0 {
				return strings.Fields(l[j:])[1]
			}
		}
		t.Fatal("no hash join in the plan")
		return ""
	}
	if got := build(); got != "rows=5000" {
		t.Fatalf("without statistics the FROM order decides: %s", got)
	}
	mustExec(t, s, "ANALYZE big")
	mustExec(t, s, "ANALYZE small")
	if got := build(); got != "rows=3" {
		t.Fatalf("with statistics the small table is built: %s", got)
	}

	writeParquet(t, lake+"/pq/a.parquet", []int32{1, 2, 3}, []float64{1, 2, 3}, []string{"a", "b", "c"})
	writeParquet(t, lake+"/pq/b.parquet", []int32{4}, []float64{4}, []string{"d"})
	mustExec(t, s, fmt.Sprintf("CREATE EXTERNAL TABLE pq (id int) STORED AS PARQUET LOCATION '%s/pq'", lake))
	r := mustExec(t, s, "ANALYZE pq COMPUTE STATISTICS NOSCAN")
	if r.Scanned.Bytes != 0 {
		// footers are read outside the query's counters: no data scanned
		t.Fatalf("NOSCAN scanned %d bytes", r.Scanned.Bytes)
	}
	if v := mustExec(t, s, "SELECT row_count FROM sys.column_stats WHERE table_name = 'pq' AND column_name IS NULL").Value(0, 0); v != int64(4) {
		t.Fatalf("footer row count %v", v)
	}
}

// A date-projected string column compared with a timestamp range prunes
// to exactly the days in range, however the range is written.
func TestProjectedTimeRangePrunesToDays(t *testing.T) {
	lake := t.TempDir()
	for d := 1; d <= 31; d++ {
		writeFile(t, fmt.Sprintf("%s/ev/dt=2024-01-%02d/e.csv", lake, d), fmt.Sprintf("%d\n", d))
	}
	for m := 1; m <= 3; m++ {
		writeFile(t, fmt.Sprintf("%s/ymd/year=2024/month=%02d/day=01/e.csv", lake, m), "1\n2\n")
	}
	_, s := open(t, t.TempDir())
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE ev (n int) PARTITIONED BY (dt string) STORED AS TEXTFILE LOCATION '%s/ev'
		TBLPROPERTIES ('projection.enabled'='true', 'projection.dt.type'='date', 'projection.dt.format'='yyyy-MM-dd',
		'projection.dt.range'='2019-01-01,NOW')`, lake))
	mustExec(t, s, "CREATE VIEW ev_ts AS SELECT n, dt, CAST(dt AS timestamptz) AS ts FROM ev")
	for _, c := range []struct {
		where string
		days  int64
	}{
		{"dt >= '2024-01-20' AND dt < '2024-01-25'", 5},
		{"ts BETWEEN '2024-01-10T00:00:00Z' AND '2024-01-12T23:59:59Z'", 3},
		{"ts >= TIMESTAMPTZ '2024-01-30 00:00:00+00' AND ts < '2024-02-01T00:00:00Z'", 2},
		{"dt IN ('2024-01-05', '2024-01-07') OR dt = '2024-01-09'", 3},
		{"date_trunc('week', ts) = TIMESTAMPTZ '2024-01-08 00:00:00+00'", 7},
	} {
		r := mustExec(t, s, "SELECT count(*) FROM ev_ts WHERE "+c.where)
		if r.Value(0, 0) != c.days || r.Scanned.Partitions != c.days || r.Scanned.Prefixes != c.days || r.Scanned.Files != c.days {
			t.Errorf("%s: %v rows, %+v; want %d days", c.where, r.Value(0, 0), r.Scanned, c.days)
		}
	}
	mustExec(t, s, fmt.Sprintf(`CREATE EXTERNAL TABLE ymd (n int) PARTITIONED BY (year int, month int, day int) STORED AS TEXTFILE LOCATION '%s/ymd'`, lake))
	mustExec(t, s, "MSCK REPAIR TABLE ymd")
	r := mustExec(t, s, "SELECT count(*) FROM ymd WHERE year = 2024 AND month = 2")
	if r.Value(0, 0) != int64(2) || r.Scanned.Partitions != 1 || r.Scanned.PartitionsPruned != 2 || r.Scanned.Prefixes != 1 {
		t.Fatalf("month query: %v %+v", r.Value(0, 0), r.Scanned)
	}
}
