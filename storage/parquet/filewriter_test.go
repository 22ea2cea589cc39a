package parquet_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	lqparquet "github.com/lakeq/lakeq/storage/parquet"
)

// writerSchema holds every type lakeq's Writer writes, nullable and not.
var writerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "d7", Type: &arrow.Decimal64Type{Precision: 7, Scale: 2}, Nullable: true},
	{Name: "d15", Type: &arrow.Decimal64Type{Precision: 15, Scale: 2}, Nullable: true},
	{Name: "w9", Type: &arrow.Decimal128Type{Precision: 9, Scale: 3}, Nullable: true},
	{Name: "w18", Type: &arrow.Decimal128Type{Precision: 18, Scale: 4}, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "uniq", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "dt", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "tm", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "tstz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "allnull", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// writerBatch is rows [start, start+n) of a deterministic table: some
// columns repeat (dictionaries), some are unique (plain), NULLs at
// different rates per column, runs long enough for RLE.
func writerBatch(start, n int) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, writerSchema)
	defer b.Release()
	for r := start; r < start+n; r++ {
		null := func(every int) bool { return every > 0 && (r*7+every)%every == 0 }
		b.Field(0).(*array.Int64Builder).Append(int64(r))
		for i := 1; i < writerSchema.NumFields(); i++ {
			fb := b.Field(i)
			if null(3+i) || i == writerSchema.NumFields()-1 {
				fb.AppendNull()
				continue
			}
			switch x := fb.(type) {
			case *array.BooleanBuilder:
				x.Append(r/10%3 == 0)
			case *array.Int16Builder:
				x.Append(int16(r%700 - 350))
			case *array.Int32Builder:
				x.Append(int32(r/50) - 1000)
			case *array.Uint32Builder:
				x.Append(uint32(r%5) + math.MaxUint32 - 10)
			case *array.Int64Builder:
				x.Append(int64(r) * 1_000_003 * int64(1-2*(r%2)))
			case *array.Float32Builder:
				vals := []float32{0, float32(math.Copysign(0, -1)), 1.5, -2.25, float32(math.NaN()), float32(r)}
				x.Append(vals[r%len(vals)])
			case *array.Float64Builder:
				x.Append(float64(r%97) / 7)
			case *array.Decimal64Builder:
				x.Append(decimalOf64(int64(r%4000) - 2000))
			case *array.Decimal128Builder:
				x.Append(decimal128.FromI64(int64(r)*31 - 5_000_000))
			case *array.StringBuilder:
				if writerSchema.Field(i).Name == "uniq" {
					x.Append(fmt.Sprintf("value number %08d with some text after it", r))
				} else {
					x.Append([]string{"AIR", "MAIL", "SHIP", "", "TRUCK", "ünï", "REG AIR"}[r/3%7])
				}
			case *array.BinaryBuilder:
				x.Append([]byte{byte(r), 0, byte(r >> 8), 0xff})
			case *array.Date32Builder:
				x.Append(arrow.Date32(8000 + r%2500))
			case *array.Time64Builder:
				x.Append(arrow.Time64(int64(r%86400) * 1_000_000))
			case *array.TimestampBuilder:
				x.Append(arrow.Timestamp(int64(r) * 3_600_000_000))
			default:
				panic(fmt.Sprintf("no value for %T", fb))
			}
		}
	}
	return b.NewRecord()
}

func decimalOf64(v int64) decimal.Decimal64 { return decimal.Decimal64(v) }

type writeFunc func(t *testing.T, path string, recs []arrow.Record, codec compress.Compression)

func writeLakeq(t *testing.T, path string, recs []arrow.Record, codec compress.Compression) {
	t.Helper()
	var buf bytes.Buffer
	w, err := lqparquet.NewWriter(&buf, recs[0].Schema(), codec, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeArrowGo is what lakeq wrote before, through pqarrow.
func writeArrowGo(t *testing.T, path string, recs []arrow.Record, codec compress.Compression) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pqarrow.NewFileWriter(lqparquet.FileSchema(recs[0].Schema()), f, lqparquet.WriterPropertiesWith(recs[0], codec, 0), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.WriteBuffered(lqparquet.ToFile(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// writerInput is 300,000 rows (three row groups, the last partial) in
// batches of uneven sizes, one of them a slice of a larger record.
func writerInput() []arrow.Record {
	var recs []arrow.Record
	for start, n := 0, 1000; start < 300_000; start, n = start+n, n*2 {
		n = min(n, 300_000-start)
		if n > 4000 {
			big := writerBatch(start-10, n+20)
			recs = append(recs, big.NewSlice(10, int64(n)+10))
			continue
		}
		recs = append(recs, writerBatch(start, n))
	}
	return recs
}

func readAll(t *testing.T, path string) (arrow.Table, *metadata.FileMetaData) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	t.Cleanup(func() { pf.Close() })
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	return tbl, pf.MetaData()
}

// TestWriterMatchesArrowGo writes one table with lakeq's Writer and with
// pqarrow (what lakeq wrote before), under every codec lakeq offers, and
// checks that arrow-go reads both back as the input, with the same
// Parquet schema (physical, logical and converted types) and the same
// statistics per row group.
func TestWriterMatchesArrowGo(t *testing.T) {
	recs := writerInput()
	want := array.NewTableFromRecords(writerSchema, recs)
	dir := t.TempDir()
	for _, codec := range []compress.Compression{compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip, compress.Codecs.Uncompressed} {
		t.Run(codec.String(), func(t *testing.T) {
			ours, ref := filepath.Join(dir, codec.String()+"-lakeq.parquet"), filepath.Join(dir, codec.String()+"-arrow.parquet")
			writeLakeq(t, ours, recs, codec)
			writeArrowGo(t, ref, recs, codec)
			got, gm := readAll(t, ours)
			_, rm := readAll(t, ref)
			for i, f := range lqparquet.FileSchema(writerSchema).Fields() {
				g := got.Schema().Field(i)
				if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) || g.Nullable != f.Nullable {
					t.Errorf("field %d read back as %s, want %s", i, g, f)
				}
			}
			compareTables(t, got, want)
			if gm.NumRows != rm.NumRows || gm.NumRowGroups() != rm.NumRowGroups() {
				t.Fatalf("%d rows in %d groups, arrow-go %d in %d", gm.NumRows, gm.NumRowGroups(), rm.NumRows, rm.NumRowGroups())
			}
			for i := 0; i < gm.Schema.NumColumns(); i++ {
				g, r := gm.Schema.Column(i), rm.Schema.Column(i)
				if g.PhysicalType() != r.PhysicalType() || g.LogicalType().String() != r.LogicalType().String() ||
					g.ConvertedType() != r.ConvertedType() || g.MaxDefinitionLevel() != r.MaxDefinitionLevel() {
					t.Errorf("column %s: %s %s %s def %d; arrow-go %s %s %s def %d", g.Name(),
						g.PhysicalType(), g.LogicalType(), g.ConvertedType(), g.MaxDefinitionLevel(),
						r.PhysicalType(), r.LogicalType(), r.ConvertedType(), r.MaxDefinitionLevel())
				}
			}
			for rg := 0; rg < gm.NumRowGroups(); rg++ {
				for c := 0; c < gm.Schema.NumColumns(); c++ {
					compareStats(t, gm, rm, rg, c)
				}
			}
		})
	}
}

func compareTables(t *testing.T, got, want arrow.Table) {
	t.Helper()
	if got.NumRows() != want.NumRows() {
		t.Fatalf("%d rows, want %d", got.NumRows(), want.NumRows())
	}
	for c := 0; c < int(want.NumCols()); c++ {
		g, err := array.Concatenate(got.Column(c).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		w, err := array.Concatenate(want.Column(c).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := w.(*array.Decimal64); ok {
			if g.Len() != w.Len() {
				t.Fatalf("column %s: %d values, want %d", want.Schema().Field(c).Name, g.Len(), w.Len())
			}
			for i := 0; i < w.Len(); i++ {
				gs, ws := g.ValueStr(i), w.ValueStr(i)
				if gs != ws {
					t.Fatalf("column %s row %d: %s, want %s", want.Schema().Field(c).Name, i, gs, ws)
				}
			}
			continue
		}
		if !array.ApproxEqual(g, w, array.WithNaNsEqual(true)) {
			for i := 0; i < w.Len(); i++ {
				if g.ValueStr(i) != w.ValueStr(i) {
					t.Fatalf("column %s row %d: %s, want %s", want.Schema().Field(c).Name, i, g.ValueStr(i), w.ValueStr(i))
				}
			}
			t.Fatalf("column %s differs", want.Schema().Field(c).Name)
		}
	}
}

func compareStats(t *testing.T, gm, rm *metadata.FileMetaData, rg, c int) {
	t.Helper()
	gc, err := gm.RowGroup(rg).ColumnChunk(c)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := rm.RowGroup(rg).ColumnChunk(c)
	if err != nil {
		t.Fatal(err)
	}
	name := gm.Schema.Column(c).Name()
	gs, gerr := gc.Statistics()
	rs, rerr := rc.Statistics()
	if gerr != nil || rerr != nil || (gs == nil) != (rs == nil) {
		t.Fatalf("group %d %s: statistics %v (%v), arrow-go %v (%v)", rg, name, gs, gerr, rs, rerr)
	}
	if gs == nil {
		return
	}
	if gs.NullCount() != rs.NullCount() || gs.HasMinMax() != rs.HasMinMax() {
		t.Errorf("group %d %s: nulls %d minmax %v; arrow-go %d %v", rg, name, gs.NullCount(), gs.HasMinMax(), rs.NullCount(), rs.HasMinMax())
		return
	}
	if gs.HasMinMax() && (!bytes.Equal(gs.EncodeMin(), rs.EncodeMin()) || !bytes.Equal(gs.EncodeMax(), rs.EncodeMax())) {
		t.Errorf("group %d %s: min %x max %x; arrow-go %x %x", rg, name, gs.EncodeMin(), gs.EncodeMax(), rs.EncodeMin(), rs.EncodeMax())
	}
	if gc.NumValues() != rc.NumValues() {
		t.Errorf("group %d %s: %d values, arrow-go %d", rg, name, gc.NumValues(), rc.NumValues())
	}
}

// TestWriterDictionaryFallback: a repeating column whose dictionary
// outgrows its page limit is written plain, and reads back whole.
func TestWriterDictionaryFallback(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewStringBuilder(memory.DefaultAllocator)
	long := strings.Repeat("x", 500)
	for i := 0; i < 20000; i++ {
		if i%1000 == 0 {
			b.AppendNull()
			continue
		}
		b.Append(fmt.Sprintf("%s%06d", long, i%5000)) // 5,000 × 506 bytes: past 1 MiB
	}
	col := b.NewArray()
	rec := array.NewRecord(sch, []arrow.Array{col}, int64(col.Len()))
	var buf bytes.Buffer
	w, err := lqparquet.NewWriter(&buf, sch, compress.Codecs.Snappy, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "f.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, md := readAll(t, path)
	compareTables(t, got, array.NewTableFromRecords(sch, []arrow.Record{rec}))
	cc, _ := md.RowGroup(0).ColumnChunk(0)
	if cc.HasDictionaryPage() {
		t.Error("a dictionary past its limit was written")
	}
	// several plain pages: the chunk is larger than one page's limit
	pr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	pages, err := pr.RowGroup(0).GetColumnPageReader(0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for pages.Next() {
		n++
	}
	if err := pages.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Errorf("%d pages for a 10 MB chunk, want about 10", n)
	}
}

// TestWriterDictionaryChoice: whether a chunk is dictionary-encoded is
// decided on the whole chunk, not on the first batch. A key column of
// few values whose first batch holds each once gets a dictionary; a
// unique key, whose dictionary and indices are more than 60% of its
// plain size, stays plain; and the statistics taken from the
// dictionary equal those over the values.
func TestWriterDictionaryChoice(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "key", Type: arrow.PrimitiveTypes.Int64},
		{Name: "code", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var recs []arrow.Record
	const batch = 2048
	for start := 0; start < 3*lqparquet.RowGroupRows; start += batch {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		for r := start; r < start+batch; r++ {
			b.Field(0).(*array.Date32Builder).Append(arrow.Date32(8000 + (r*7919)%2500))
			b.Field(1).(*array.Int64Builder).Append(int64(r))
			if r%97 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("c%05d", (r*31)%3000))
			}
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}
	path := filepath.Join(t.TempDir(), "f.parquet")
	writeLakeq(t, path, recs, compress.Codecs.Zstd)
	got, md := readAll(t, path)
	compareTables(t, got, array.NewTableFromRecords(sch, recs))
	if md.NumRowGroups() != 3 {
		t.Fatalf("%d row groups, want 3", md.NumRowGroups())
	}
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		for c, want := range []bool{true, false, true} {
			cc, err := md.RowGroup(rg).ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			if cc.HasDictionaryPage() != want {
				t.Errorf("group %d column %s: dictionary %v, want %v", rg, sch.Field(c).Name, cc.HasDictionaryPage(), want)
			}
		}
	}
	// the same rows through arrow-go: equal statistics whichever way
	// lakeq took them
	ref := filepath.Join(t.TempDir(), "ref.parquet")
	writeArrowGo(t, ref, recs, compress.Codecs.Zstd)
	_, rm := readAll(t, ref)
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		for c := 0; c < 3; c++ {
			compareStats(t, md, rm, rg, c)
		}
	}
}

// TestWriterReadByDuckDB: DuckDB (bench/'s @duckdb/node-api) reads a
// file of lakeq's Writer as the same rows and types as the file pqarrow
// writes.
func TestWriterReadByDuckDB(t *testing.T) {
	bench, err := filepath.Abs("../../bench")
	if err != nil {
		t.Fatal(err)
	}
	recs := writerInput()
	dir := t.TempDir()
	ours, ref := filepath.Join(dir, "lakeq.parquet"), filepath.Join(dir, "arrow.parquet")
	writeLakeq(t, ours, recs, compress.Codecs.Zstd)
	writeArrowGo(t, ref, recs, compress.Codecs.Snappy)
	q := func(sql string) [][]*string {
		t.Helper()
		rows, err := duckQuery(bench, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return rows
	}
	desc := func(p string) string {
		var b strings.Builder
		for _, r := range q(fmt.Sprintf("DESCRIBE SELECT * FROM '%s'", p)) {
			fmt.Fprintf(&b, "%s %s\n", *r[0], *r[1])
		}
		return b.String()
	}
	if g, r := desc(ours), desc(ref); g != r {
		t.Errorf("DuckDB's types of lakeq's file:\n%s\nof arrow-go's:\n%s", g, r)
	}
	for _, sql := range []string{
		fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM '%s' EXCEPT ALL SELECT * FROM '%s')", ours, ref),
		fmt.Sprintf("SELECT count(*) FROM (SELECT * FROM '%s' EXCEPT ALL SELECT * FROM '%s')", ref, ours),
	} {
		if rows := q(sql); len(rows) != 1 || rows[0][0] == nil || *rows[0][0] != "0" {
			t.Errorf("%s: %v rows differ", sql, *rows[0][0])
		}
	}
	rows := q(fmt.Sprintf("SELECT count(*), count(s), count(DISTINCT uniq), min(tstz)::VARCHAR, max(d15)::VARCHAR, sum(i16) FROM '%s'", ours))
	var got []string
	for _, c := range rows[0] {
		got = append(got, *c)
	}
	if len(got) != 6 || got[0] != "300000" {
		t.Errorf("DuckDB's aggregates of lakeq's file: %v", got)
	}
	// statistics as DuckDB sees them: min/max per row group
	st := q(fmt.Sprintf("SELECT count(*) FROM parquet_metadata('%s') WHERE path_in_schema = 'dt' AND stats_min IS NOT NULL", ours))
	if *st[0][0] != "3" {
		t.Errorf("DuckDB finds min/max in %s of 3 row groups of dt", *st[0][0])
	}
}

// duckQuery runs one statement in bench/duckdb_oracle.mjs.
func duckQuery(bench, sql string) ([][]*string, error) {
	cmd := exec.Command("node", "duckdb_oracle.mjs")
	cmd.Dir = bench
	req, _ := json.Marshal(map[string]string{"sql": sql})
	cmd.Stdin = bytes.NewReader(append(req, '\n'))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node: %v: %s", err, stderr.String())
	}
	var rep struct {
		OK    bool        `json:"ok"`
		Rows  [][]*string `json:"rows"`
		Error string      `json:"error"`
	}
	line, _ := bufio.NewReader(bytes.NewReader(out)).ReadBytes('\n')
	if err := json.Unmarshal(line, &rep); err != nil {
		return nil, err
	}
	if !rep.OK {
		return nil, fmt.Errorf("DuckDB: %s", rep.Error)
	}
	return rep.Rows, nil
}
