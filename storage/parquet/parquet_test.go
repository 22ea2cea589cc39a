package parquet_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/sqlerr"
)

// writeTypes writes a file holding every Parquet type lakeq reads, in
// three row groups, with NULLs in every column.
func writeTypes(t *testing.T, path string) {
	t.Helper()
	fields := []arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d9", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}, Nullable: true},
		{Name: "d18", Type: &arrow.Decimal128Type{Precision: 18, Scale: 4}, Nullable: true},
		{Name: "d30", Type: &arrow.Decimal128Type{Precision: 30, Scale: 5}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "dt", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "tm", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "ts_us_utc", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}
	sch := arrow.NewSchema(fields, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := pq.NewWriterProperties(pq.WithDictionaryDefault(true), pq.WithStats(true))
	w, err := pqarrow.NewFileWriter(sch, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for rg := 0; rg < 3; rg++ {
		for i := 0; i < 100; i++ {
			n := rg*100 + i
			if n%10 == 9 { // every tenth row is all NULL
				for c := range fields {
					b.Field(c).AppendNull()
				}
				continue
			}
			b.Field(0).(*array.Int8Builder).Append(int8(n % 100))
			b.Field(1).(*array.Int16Builder).Append(int16(n))
			b.Field(2).(*array.Int32Builder).Append(int32(n * 1000))
			b.Field(3).(*array.Int64Builder).Append(int64(n) * 1_000_000_000)
			b.Field(4).(*array.Uint8Builder).Append(uint8(n % 256))
			b.Field(5).(*array.Uint32Builder).Append(uint32(n) + 4_000_000_000)
			b.Field(6).(*array.Uint64Builder).Append(uint64(n) + 18_000_000_000_000_000_000)
			b.Field(7).(*array.Float32Builder).Append(float32(n) / 4)
			b.Field(8).(*array.Float64Builder).Append(float64(n) / 8)
			b.Field(9).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(n)*100 + 25))
			b.Field(10).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(n)*10000 + 1234))
			b.Field(11).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(n) * 100000))
			b.Field(12).(*array.StringBuilder).Append([]string{"alpha", "beta", "gamma"}[n%3])
			b.Field(13).(*array.BinaryBuilder).Append([]byte{byte(n), 0xff})
			b.Field(14).(*array.Date32Builder).Append(arrow.Date32FromTime(base.AddDate(0, 0, n)))
			b.Field(15).(*array.Time64Builder).Append(arrow.Time64(int64(n) * 1_000_000))
			b.Field(16).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(n) * time.Hour).UnixMilli()))
			b.Field(17).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(n) * time.Minute).UnixMicro()))
			b.Field(18).(*array.TimestampBuilder).Append(arrow.Timestamp(base.Add(time.Duration(n) * time.Second).UnixNano()))
			b.Field(19).(*array.BooleanBuilder).Append(n%2 == 0)
			lb := b.Field(20).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(n), int32(n + 1)}, nil)
		}
		rec := b.NewRecord()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func session(t *testing.T) *engine.Session {
	e, err := engine.Open(context.Background(), engine.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e.NewSession()
}

func query(t *testing.T, s *engine.Session, sql string) []string {
	t.Helper()
	r, err := s.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for i := 0; i < int(r.NumRows()); i++ {
		var row []string
		for c := range r.Columns {
			v, ok := r.Text(c, r.Value(i, c))
			if !ok {
				v = "NULL"
			}
			row = append(row, v)
		}
		out = append(out, strings.Join(row, "|"))
	}
	return out
}

func TestParquetTypes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "types.parquet")
	writeTypes(t, path)
	s := session(t)
	checks := []struct{ sql, want string }{
		{"SELECT count(*), count(i8), count(l) FROM '" + path + "'", "300|270|270"},
		{"SELECT sum(i8), sum(i16), sum(i32), max(i64), max(u8), max(u32), max(u64) FROM '" + path + "'",
			"13230|40230|40230000|298000000000|255|4000000298|18000000000000000298"},
		{"SELECT sum(f32), sum(f64), sum(d9), sum(d18), max(d30) FROM '" + path + "'", "10057.5|5028.75|40297.50|40263.3180|298.00000"},
		{"SELECT s, count(*) FROM '" + path + "' GROUP BY s ORDER BY s", "alpha|90"},
		{"SELECT min(dt), max(tm), min(ts_ms), max(ts_us_utc), max(ts_ns), count(*) FILTER (WHERE b) FROM '" + path + "'",
			"2024-01-01|00:04:58|2024-01-01 00:00:00|2024-01-01 04:58:00+00|2024-01-01 00:04:58|150"},
		{"SELECT bin, l, l[2] FROM '" + path + "' WHERE i16 = 2", "\\x02ff|{2,3}|3"},
		{"SELECT pg_typeof(d9) || ' ' || pg_typeof(u64) || ' ' || pg_typeof(ts_us_utc) FROM '" + path + "' LIMIT 1",
			"numeric numeric timestamp with time zone"},
	}
	for _, c := range checks {
		got := query(t, s, c.sql)
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("%s\n got %v\nwant %s", c.sql, got, c.want)
		}
	}
	// the same file read three times through a glob and a list
	if got := query(t, s, "SELECT count(*) FROM read_parquet(ARRAY['"+path+"', '"+path+"'])"); got[0] != "600" {
		t.Errorf("list: %v", got)
	}
	if got := query(t, s, "SELECT count(*) FROM '"+dir+"/*.parquet'"); got[0] != "300" {
		t.Errorf("glob: %v", got)
	}
}

func TestParquetBadInput(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	writeTypes(t, good)
	data, _ := os.ReadFile(good)
	trunc := filepath.Join(dir, "trunc.parquet")
	os.WriteFile(trunc, data[:len(data)/2], 0o644)
	notpq := filepath.Join(dir, "text.parquet")
	os.WriteFile(notpq, []byte("this is not a parquet file at all, just text\n"), 0o644)
	s := session(t)
	for _, c := range []struct{ sql, code, name string }{
		{"SELECT count(*) FROM '" + trunc + "'", sqlerr.DataCorrupted, "trunc.parquet"},
		{"SELECT * FROM '" + notpq + "'", sqlerr.DataCorrupted, "text.parquet"},
		{"SELECT * FROM '" + dir + "/nothing*.parquet'", sqlerr.UndefinedFile, "nothing*.parquet"},
		{"SELECT * FROM read_parquet('" + dir + "/missing.parquet')", sqlerr.UndefinedFile, "missing.parquet"},
	} {
		_, err := s.Query(context.Background(), c.sql)
		if err == nil {
			t.Fatalf("%s: expected an error", c.sql)
		}
		if sqlerr.Code(err) != c.code || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: got [%s] %v, want %s naming %s", c.sql, sqlerr.Code(err), err, c.code, c.name)
		}
	}
	// the session still works
	if got := query(t, s, "SELECT count(*) FROM '"+good+"'"); got[0] != "300" {
		t.Fatalf("after errors: %v", got)
	}
}

func TestRowGroupPruning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "types.parquet")
	writeTypes(t, path)
	s := session(t)
	for _, c := range []struct {
		where          string
		count, skipped string
	}{
		{"i16 < 50", "45", "2"},
		{"i16 >= 250", "45", "2"},
		{"i16 BETWEEN 120 AND 130", "10", "2"},
		{"i16 IN (5, 205)", "2", "1"},
		{"i16 = 1000", "0", "3"},
		{"s = 'zeta'", "0", "3"},
		{"d9 > 250.00", "45", "2"},
		{"dt < DATE '2024-02-01'", "28", "2"},
		{"ts_us_utc >= TIMESTAMPTZ '2024-01-01 03:20:00+00'", "90", "2"},
		{"i16 IS NULL", "30", "0"},
		{"i16 > 50 OR i16 < 10", "233", "0"},
	} {
		got := query(t, s, "SELECT count(*) FROM '"+path+"' WHERE "+c.where)
		if got[0] != c.count {
			t.Errorf("%s: count %v, want %s", c.where, got, c.count)
		}
		plan := strings.Join(query(t, s, "EXPLAIN ANALYZE SELECT count(*) FROM '"+path+"' WHERE "+c.where), "\n")
		if !strings.Contains(plan, "pruned "+c.skipped+"; pages") {
			t.Errorf("%s: expected %s row groups pruned:\n%s", c.where, c.skipped, plan)
		}
	}
}

// writeSmall writes a file with the given int64 columns, one row per value.
func writeSmall(t *testing.T, path string, cols map[string][]int64, order []string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(path), 0o755)
	var fields []arrow.Field
	for _, n := range order {
		fields = append(fields, arrow.Field{Name: n, Type: arrow.PrimitiveTypes.Int64, Nullable: true})
	}
	sch := arrow.NewSchema(fields, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sch, f, pq.NewWriterProperties(), pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	for i, n := range order {
		b.Field(i).(*array.Int64Builder).AppendValues(cols[n], nil)
	}
	rec := b.NewRecord()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Close()
}

func TestHivePartitionsAndUnionByName(t *testing.T) {
	dir := t.TempDir()
	writeSmall(t, filepath.Join(dir, "year=2023", "region=eu", "a.parquet"), map[string][]int64{"v": {1, 2}}, []string{"v"})
	writeSmall(t, filepath.Join(dir, "year=2024", "region=eu", "b.parquet"), map[string][]int64{"v": {3}}, []string{"v"})
	writeSmall(t, filepath.Join(dir, "year=2024", "region=us", "c.parquet"), map[string][]int64{"v": {4}, "w": {40}}, []string{"v", "w"})
	s := session(t)
	got := query(t, s, "SELECT year, region, sum(v) FROM read_parquet('"+dir+"/**/*.parquet', hive_partitioning => true, union_by_name => true) GROUP BY 1, 2 ORDER BY 1, 2")
	if strings.Join(got, ";") != "2023|eu|3;2024|eu|3;2024|us|4" {
		t.Errorf("partitions: %v", got)
	}
	got = query(t, s, "SELECT pg_typeof(year), sum(w), count(w) FROM read_parquet('"+dir+"/**/*.parquet', hive_partitioning => true, union_by_name => true) GROUP BY 1")
	if strings.Join(got, ";") != "bigint|40|1" {
		t.Errorf("union_by_name: %v", got)
	}
	plan := strings.Join(query(t, s, "EXPLAIN ANALYZE SELECT sum(v) FROM read_parquet('"+dir+"/**/*.parquet', hive_partitioning => true, union_by_name => true) WHERE year = 2024 AND region = 'eu'"), "\n")
	if !strings.Contains(plan, "files read 1, pruned 2") {
		t.Errorf("partition pruning:\n%s", plan)
	}
	// without union_by_name, files with different columns are an error naming the file
	_, err := s.Query(context.Background(), "SELECT * FROM read_parquet('"+dir+"/**/*.parquet')")
	if err == nil || !strings.Contains(err.Error(), "union_by_name") {
		t.Errorf("schema mismatch: %v", err)
	}
}

// TestFlatReaderBatches reads plain-encoded columns with NULLs over many
// pages and read batches (the flat reader's string and dense paths), and
// compares aggregates with values computed here.
func TestFlatReaderBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plain.parquet")
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	}, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := pq.NewWriterProperties(pq.WithDictionaryDefault(false), pq.WithDataPageSize(4096), pq.WithStoreDecimalAsInteger(true))
	w, err := pqarrow.NewFileWriter(sch, f, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	const rows = 50000
	var nonNull, totalLen, sumV int64
	var sumD int64
	for i := 0; i < rows; i++ {
		if i%7 == 3 || (i >= 20000 && i < 29000) { // sparse NULLs, then a long run
			b.Field(0).AppendNull()
			b.Field(1).AppendNull()
			b.Field(2).AppendNull()
			continue
		}
		s := strings.Repeat("x", i%13) + "#"
		b.Field(0).(*array.StringBuilder).Append(s)
		b.Field(1).(*array.Int64Builder).Append(int64(i))
		b.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i) - 25000))
		nonNull++
		totalLen += int64(len(s))
		sumV += int64(i)
		sumD += int64(i) - 25000
	}
	rec := b.NewRecord()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := session(t)
	got := query(t, s, "SELECT count(s), sum(length(s)), sum(v), sum(d), count(*) FILTER (WHERE s IS NULL AND v IS NULL) FROM '"+path+"'")
	want := fmt.Sprintf("%d|%d|%d|%s|%d", nonNull, totalLen, sumV, decimal128.FromI64(sumD).ToString(2), rows-nonNull)
	if got[0] != want {
		t.Fatalf("got %s, want %s", got[0], want)
	}
	// a row after the long NULL run keeps its own values
	if got := query(t, s, "SELECT s, v, d FROM '"+path+"' WHERE v = 29001"); got[0] != "xxxxxxxxxxx#|29001|40.01" {
		t.Fatalf("row 29001: %v", got)
	}
}

// TestNestedAsJSONB reads struct, map and list-of-struct columns, which
// surface as jsonb.
func TestNestedAsJSONB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested.parquet")
	pointT := arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: "label", Type: arrow.BinaryTypes.String, Nullable: true})
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "p", Type: pointT, Nullable: true},
		{Name: "tags", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), Nullable: true},
		{Name: "pts", Type: arrow.ListOf(pointT), Nullable: true},
		{Name: "nums", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	for i := 0; i < 3; i++ {
		b.Field(0).(*array.Int32Builder).Append(int32(i))
		sb := b.Field(1).(*array.StructBuilder)
		mb := b.Field(2).(*array.MapBuilder)
		lb := b.Field(3).(*array.ListBuilder)
		nb := b.Field(4).(*array.ListBuilder)
		if i == 2 {
			sb.AppendNull()
			mb.AppendNull()
			lb.AppendNull()
			nb.AppendNull()
			continue
		}
		sb.Append(true)
		sb.FieldBuilder(0).(*array.Int64Builder).Append(int64(10 * (i + 1)))
		sb.FieldBuilder(1).(*array.StringBuilder).Append(fmt.Sprintf("p\"%d", i))
		mb.Append(true)
		mb.KeyBuilder().(*array.StringBuilder).Append("w")
		mb.ItemBuilder().(*array.Float64Builder).Append(1.5 * float64(i))
		lb.Append(true)
		eb := lb.ValueBuilder().(*array.StructBuilder)
		eb.Append(true)
		eb.FieldBuilder(0).(*array.Int64Builder).Append(7)
		eb.FieldBuilder(1).(*array.StringBuilder).AppendNull()
		nb.Append(true)
		nb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{int32(i), 9}, nil)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(sch, f, pq.NewWriterProperties(), pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(b.NewRecord()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	s := session(t)
	got := query(t, s, "SELECT id, p, p->>'label', (p->>'x')::int + 1, tags->>'w', pts, pts->0->>'x', nums[2], pg_typeof(p) FROM '"+path+"' ORDER BY id")
	want := []string{
		`0|{"x": 10, "label": "p\"0"}|p"0|11|0|[{"x": 7, "label": null}]|7|9|jsonb`,
		`1|{"x": 20, "label": "p\"1"}|p"1|21|1.5|[{"x": 7, "label": null}]|7|9|jsonb`,
		`2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|jsonb`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestPageIndexPruning reads a file with a page index over a sorted
// column: pages whose min/max rule a predicate out are skipped inside the
// row group, and the rows returned stay exact.
func TestPageIndexPruning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "paged.parquet")
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	props := pq.NewWriterProperties(pq.WithPageIndexEnabled(true), pq.WithDataPageSize(512), pq.WithBatchSize(64),
		pq.WithDictionaryDefault(false), pq.WithStats(true))
	w, err := pqarrow.NewFileWriter(sch, f, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	const rows = 20000
	for i := 0; i < rows; i++ {
		if i >= 15000 && i < 16000 { // a run of NULL keys: NULL-only pages
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
		}
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("v%05d", i))
	}
	if err := w.Write(b.NewRecord()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkPageIndexQueries(t, path, true)

	// a damaged column index costs only the pruning: the same answers
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(0)
	if err != nil || cc.GetColumnIndexLocation() == nil {
		t.Fatalf("no column index: %v", err)
	}
	loc := *cc.GetColumnIndexLocation()
	pf.Close()
	data, _ := os.ReadFile(path)
	for i := loc.Offset; i < loc.Offset+int64(loc.Length); i++ {
		data[i] = 0xff
	}
	damaged := filepath.Join(t.TempDir(), "damaged.parquet")
	if err := os.WriteFile(damaged, data, 0o644); err != nil {
		t.Fatal(err)
	}
	checkPageIndexQueries(t, damaged, false)
}

// checkPageIndexQueries runs predicates over the file of
// TestPageIndexPruning; wantPruned requires pages or row groups pruned.
func checkPageIndexQueries(t *testing.T, path string, wantPruned bool) {
	t.Helper()
	s := session(t)
	for _, c := range []struct{ where, want string }{
		{"k BETWEEN 1000 AND 1099", "100|v01000|v01099"},
		{"k = 19999", "1|v19999|v19999"},
		{"k >= 14990 AND k < 16010", "20|v14990|v16009"},
		{"k IS NULL", "1000|v15000|v15999"},
		{"k < 0", "0|NULL|NULL"},
		{"s = 'v00007' AND k < 100", "1|v00007|v00007"},
	} {
		got := query(t, s, "SELECT count(*), min(s), max(s) FROM '"+path+"' WHERE "+c.where)
		if got[0] != c.want {
			t.Errorf("%s: got %v, want %s", c.where, got, c.want)
		}
		plan := strings.Join(query(t, s, "EXPLAIN ANALYZE SELECT count(*) FROM '"+path+"' WHERE "+c.where), "\n")
		if wantPruned && strings.Contains(plan, "pages pruned 0)") && !strings.Contains(plan, "row groups read 0, pruned 1") {
			t.Errorf("%s: no page pruned:\n%s", c.where, plan)
		}
	}
}
