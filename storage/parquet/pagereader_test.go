package parquet

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// pageTestRecord is n rows of every flat kind the page reader decodes,
// each column nullable (every 7th row NULL, and a stretch of NULLs longer
// than a page) and required; low-cardinality strings make dictionaries.
func pageTestRecord(n int) arrow.Record {
	var fields []arrow.Field
	for _, f := range []arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		{Name: "dt", Type: arrow.FixedWidthTypes.Date32},
		{Name: "d15", Type: &arrow.Decimal128Type{Precision: 15, Scale: 2}},
		{Name: "flag", Type: arrow.BinaryTypes.String},
		{Name: "s", Type: arrow.BinaryTypes.String},
	} {
		req := f
		req.Name += "_req"
		f.Nullable = true
		fields = append(fields, f, req)
	}
	sch := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	for r := 0; r < n; r++ {
		for c := range fields {
			if fields[c].Nullable && (r%7 == 3 || (r >= 5000 && r < 9000)) {
				b.Field(c).AppendNull()
				continue
			}
			v := r*31 + c
			switch fb := b.Field(c).(type) {
			case *array.Int32Builder:
				fb.Append(int32(v % 1000))
			case *array.Int64Builder:
				fb.Append(int64(v) * 1_000_003)
			case *array.Float32Builder:
				fb.Append(float32(v) / 8)
			case *array.Float64Builder:
				fb.Append(float64(v) / 3)
			case *array.Date32Builder:
				fb.Append(arrow.Date32(8000 + v%2500))
			case *array.Decimal128Builder:
				fb.Append(decimal128.FromI64(int64(v%100000) - 50000))
			case *array.StringBuilder:
				if fields[c].Name[0] == 'f' {
					fb.Append(string(rune('A' + v%3)))
				} else {
					fb.Append(fmt.Sprintf("value %d %s", v, string(bytes.Repeat([]byte{'x'}, v%13))))
				}
			}
		}
	}
	return b.NewRecord()
}

// TestPageReaderMatchesArrow reads every column of files written with
// each page layout, codec and dictionary setting through the page reader
// and through arrow-go's column readers, over whole row groups and over
// row ranges that start, end and skip inside pages, and wants the same
// arrays — and wants the page reader to have read them itself.
func TestPageReaderMatchesArrow(t *testing.T) {
	const rows = 20000
	rec := pageTestRecord(rows)
	defer rec.Release()
	codecs := []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip}
	for _, dict := range []bool{true, false} {
		for _, v2 := range []bool{false, true} {
			for _, codec := range codecs {
				name := fmt.Sprintf("dict=%v/v2=%v/%s", dict, v2, codec)
				t.Run(name, func(t *testing.T) {
					version := pq.DataPageV1
					if v2 {
						version = pq.DataPageV2
					}
					props := pq.NewWriterProperties(pq.WithDictionaryDefault(dict), pq.WithDataPageVersion(version),
						pq.WithCompression(codec), pq.WithDataPageSize(4096), pq.WithMaxRowGroupLength(7000),
						pq.WithStoreDecimalAsInteger(true))
					comparePageReader(t, arrowFile(t, rec, props), rec.Schema())
				})
			}
		}
	}
	t.Run("lakeq writer", func(t *testing.T) {
		var buf bytes.Buffer
		w, err := NewWriter(&buf, rec.Schema(), compress.Codecs.Snappy, 0)
		if err != nil {
			t.Fatal(err)
		}
		comparePageReader(t, writeAll(t, &buf, w, rec), rec.Schema())
	})
}

// arrowFile is rec written as one Parquet file by arrow-go with props.
func arrowFile(t *testing.T, rec arrow.Record, props *pq.WriterProperties) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(rec.Schema(), &buf, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		t.Fatal(err)
	}
	return writeAll(t, &buf, w, rec)
}

// writeAll writes rec with w, closes it and returns what buf holds.
func writeAll(t *testing.T, buf *bytes.Buffer, w interface {
	Write(arrow.Record) error
	Close() error
}, rec arrow.Record) []byte {
	t.Helper()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func comparePageReader(t *testing.T, data []byte, sch *arrow.Schema) {
	t.Helper()
	src := bytes.NewReader(data)
	pf, err := file.NewParquetReader(src)
	if err != nil {
		t.Fatal(err)
	}
	fmd := pf.MetaData()
	for rg := 0; rg < pf.NumRowGroups(); rg++ {
		rgr := pf.RowGroup(rg)
		n := rgr.NumRows()
		rangeSets := [][]rowRange{
			{{0, n}},
			{{0, 1}},
			{{n - 1, n}},
			{{10, 20}, {900, 2500}, {n - 300, n - 299}},
			{{1, n - 1}},
		}
		for leaf := 0; leaf < fmd.Schema.NumColumns(); leaf++ {
			want := sch.Field(leaf).Type
			if want.ID() == arrow.DECIMAL128 {
				// read as lakeq reads decimals of precision 15
				want = &arrow.Decimal64Type{Precision: 15, Scale: 2}
			}
			kind, scale := flatPlan(fmd.Schema.Column(leaf), want)
			if kind == flatNone {
				t.Fatalf("column %s: no flat plan", sch.Field(leaf).Name)
			}
			for _, ranges := range rangeSets {
				nr := int(rangeRows(ranges))
				for _, sel := range selections(nr) {
					what := fmt.Sprintf("row group %d column %s ranges %v selection of %d", rg, sch.Field(leaf).Name, ranges, len(sel))
					if sel == nil {
						what += " (all)"
					}
					maxDef := fmd.Schema.Column(leaf).MaxDefinitionLevel()
					pr, err := newPageReader(src, fmd, fmd.RowGroup(rg), leaf, maxDef)
					if err != nil {
						t.Fatalf("%s: page reader: %v", what, err)
					}
					if kind == flatString {
						_, _, _, _, err = readPagesStrings(pr, ranges, sel)
					} else if kind == flatInt64 || kind == flatDecimal64 {
						_, _, _, err = readPagesFixed[int64](pr, ranges, sel)
					} else if kind == flatFloat32 {
						_, _, _, err = readPagesFixed[float32](pr, ranges, sel)
					} else if kind == flatFloat64 {
						_, _, _, err = readPagesFixed[float64](pr, ranges, sel)
					} else {
						_, _, _, err = readPagesFixed[int32](pr, ranges, sel)
					}
					if err != nil {
						t.Fatalf("%s: page reader: %v", what, err)
					}
					got, err := readFlat(rgr, src, fmd, leaf, kind, scale, want, ranges, sel)
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					// arrow-go's reader, whole, then the selection by hand
					ref, err := readFlat(rgr, nil, fmd, leaf, kind, scale, want, ranges, nil)
					if err != nil {
						t.Fatalf("%s: arrow-go: %v", what, err)
					}
					if sel == nil {
						if got.Len() != nr || !array.Equal(got, ref) {
							t.Fatalf("%s: page reader read %d rows (%d NULL), arrow-go %d (%d NULL); first rows %v / %v",
								what, got.Len(), got.NullN(), ref.Len(), ref.NullN(), head(got), head(ref))
						}
						continue
					}
					if got.Len() != len(sel) {
						t.Fatalf("%s: %d rows", what, got.Len())
					}
					for i, r := range sel {
						if !array.SliceEqual(got, int64(i), int64(i+1), ref, int64(r), int64(r+1)) {
							t.Fatalf("%s: selected row %d (row %d) is %v, want %v", what, i, r,
								array.NewSlice(got, int64(i), int64(i+1)), array.NewSlice(ref, int64(r), int64(r+1)))
						}
					}
					if kind == flatString {
						checkStringEval(t, what, src, fmd, rg, leaf, ranges, ref)
					}
					if len(sel) == 0 { // once per ranges (sel == nil went on above)
						checkIntEval(t, what, src, fmd, rg, leaf, kind, want, ranges, ref)
					}
					// arrow-go's reader with the selection (the fallback)
					fb, err := readFlat(rgr, nil, fmd, leaf, kind, scale, want, ranges, sel)
					if err != nil || !array.Equal(fb, got) {
						t.Fatalf("%s: the fallback's selection differs (%v)", what, err)
					}
				}
			}
		}
	}
}

// checkStringEval tests text predicates on the chunk's pages and wants
// the rows of ref (the column read whole) that pass them.
func checkStringEval(t *testing.T, what string, src io.ReaderAt, fmd *metadata.FileMetaData, rg, leaf int, ranges []rowRange, ref arrow.Array) {
	t.Helper()
	for _, p := range []storage.Pred{
		{Op: "=", Vals: []types.Value{"B"}},
		{Op: "in", Vals: []types.Value{"A", "C", "value 7 xxxxxxx"}},
		{Op: "<", Vals: []types.Value{"value 2"}},
		{Op: ">=", Vals: []types.Value{"value 9"}},
	} {
		tst, _ := newStrTest(p)
		pr, keep := evalSetup(t, src, fmd, rg, leaf, ref.Len())
		if err := evalStringPages(pr, ranges, tst, keep); err != nil {
			t.Fatalf("%s: %s %v on pages: %v", what, p.Op, p.Vals, err)
		}
		s := ref.(*array.String)
		for i := range keep {
			want := s.IsValid(i) && tst.test([]byte(s.Value(i)))
			if (keep[i] == 1) != want {
				t.Fatalf("%s: %s %v on pages: row %d (%q) kept %v", what, p.Op, p.Vals, i, s.Value(i), keep[i])
			}
		}
	}
}

// evalSetup is a page reader of the chunk and a keep of n rows, all 1.
func evalSetup(t *testing.T, src io.ReaderAt, fmd *metadata.FileMetaData, rg, leaf, n int) (*pageReader, []uint8) {
	t.Helper()
	pr, err := newPageReader(src, fmd, fmd.RowGroup(rg), leaf, fmd.Schema.Column(leaf).MaxDefinitionLevel())
	if err != nil {
		t.Fatal(err)
	}
	keep := make([]uint8, n)
	for i := range keep {
		keep[i] = 1
	}
	return pr, keep
}

// checkIntEval tests integer predicates on the chunk's dictionary
// (evalIntPages) and wants the rows of ref (the column read whole) that
// pass them; the indices it keeps must give back ref's values, whole and
// at a selection. A chunk it declines must be left untouched.
func checkIntEval(t *testing.T, what string, src io.ReaderAt, fmd *metadata.FileMetaData, rg, leaf int, kind flatKind, want arrow.DataType, ranges []rowRange, ref arrow.Array) {
	t.Helper()
	var scale int32
	var vals []int64
	switch a := ref.(type) {
	case *array.Int32:
		for _, v := range a.Int32Values() {
			vals = append(vals, int64(v))
		}
	case *array.Date32:
		for _, v := range types.Values[int32](a) {
			vals = append(vals, int64(v))
		}
	case *array.Int64:
		vals = a.Int64Values()
	case *array.Decimal64:
		vals, scale = types.Values[int64](a), types.DecimalScale(a.DataType())
	default:
		return
	}
	keys := &types.KeyBits{Lo: 0, Bits: make([]uint64, 4)}
	for _, k := range []int64{7, 100, 255} {
		keys.Bits[k/64] |= 1 << (k % 64)
	}
	dec := func(v int64) types.Value { return types.Decimal{V: decimal128.FromI64(v), Scale: 2} }
	// each a conjunction and the test of one value
	type conj struct {
		ps   []storage.Pred
		test func(v int64) bool
	}
	var cases []conj
	switch kind {
	case flatInt32:
		cases = []conj{
			{[]storage.Pred{{Op: ">=", Vals: []types.Value{int64(900)}}}, func(v int64) bool { return v >= 900 }},
			{[]storage.Pred{{Op: ">", Vals: []types.Value{int64(50)}}, {Op: "<=", Vals: []types.Value{int64(120)}}}, func(v int64) bool { return v > 50 && v <= 120 }},
			{[]storage.Pred{{Op: "in", Vals: []types.Value{int64(3), int64(77), int64(999)}}}, func(v int64) bool { return v == 3 || v == 77 || v == 999 }},
			{[]storage.Pred{{Op: "keys", Keys: keys}, {Op: "<", Vals: []types.Value{int64(200)}}}, func(v int64) bool { return v == 7 || v == 100 }},
		}
	case flatDate32:
		cases = []conj{
			{[]storage.Pred{{Op: ">=", Vals: []types.Value{types.DateVal(9000)}}, {Op: "<", Vals: []types.Value{types.DateVal(9365)}}}, func(v int64) bool { return v >= 9000 && v < 9365 }},
			{[]storage.Pred{{Op: "=", Vals: []types.Value{types.DateVal(8001)}}}, func(v int64) bool { return v == 8001 }},
		}
	case flatInt64:
		cases = []conj{{[]storage.Pred{{Op: "<", Vals: []types.Value{int64(40_000) * 1_000_003}}}, func(v int64) bool { return v < 40_000*1_000_003 }}}
	case flatDecimal64:
		cases = []conj{{[]storage.Pred{{Op: "<", Vals: []types.Value{dec(-40000)}}}, func(v int64) bool { return v < -40000 }}}
	}
	// the chunk read whole, and with no NULLs anywhere in it
	wholeRanges := len(ranges) == 1 && ranges[0].start == 0 && ranges[0].end == fmd.RowGroup(rg).NumRows()
	required := fmd.Schema.Column(leaf).MaxDefinitionLevel() == 0
	listed := 0
	defer func() {
		if listed == 0 && len(cases) > 0 && required && wholeRanges {
			cc, err := fmd.RowGroup(rg).ColumnChunk(leaf)
			if err == nil && cc.HasDictionaryPage() && (kind == flatInt32 || kind == flatDate32) {
				t.Errorf("%s: no test listed its rows directly", what)
			}
		}
	}()
	for _, c := range cases {
		tst, ok := newIntTest(c.ps, scale)
		if !ok {
			t.Fatalf("%s: %v not an integer test", what, c.ps)
		}
		pr, keep := evalSetup(t, src, fmd, rg, leaf, ref.Len())
		var err error
		var d lazyFlat
		if kind == flatInt64 || kind == flatDecimal64 {
			var dr *dictRows[int64]
			if dr, err = evalIntPages[int64](pr, ranges, tst, keep, nil); dr != nil {
				d = dr
			}
		} else {
			var dr *dictRows[int32]
			if dr, err = evalIntPages[int32](pr, ranges, tst, keep, nil); dr != nil {
				d = dr
			}
		}
		pr.release()
		if err == errNotDict {
			for i, k := range keep {
				if k != 1 {
					t.Fatalf("%s: %v declined but row %d cleared", what, c.ps, i)
				}
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v on the dictionary: %v", what, c.ps, err)
		}
		passed := []int32{} // not nil: nil selects every row
		for i := range keep {
			want := ref.IsValid(i) && c.test(vals[i])
			if (keep[i] == 1) != want {
				t.Fatalf("%s: %v on the dictionary: row %d (%d) kept %v", what, c.ps, i, vals[i], keep[i])
			}
			if want {
				passed = append(passed, int32(i))
			}
		}
		// listed directly, the same rows pass (where the pages are whole
		// dictionary pages without NULLs)
		pr2, _ := evalSetup(t, src, fmd, rg, leaf, ref.Len())
		so := &selOut{rows: make([]int32, ref.Len())}
		var derr error
		if kind == flatInt64 || kind == flatDecimal64 {
			_, derr = evalIntPages[int64](pr2, ranges, tst, nil, so)
		} else {
			_, derr = evalIntPages[int32](pr2, ranges, tst, nil, so)
		}
		pr2.release()
		switch {
		case derr == nil:
			if !slices.Equal(so.rows[:so.n], passed) {
				t.Fatalf("%s: %v listed %d rows, want %d", what, c.ps, so.n, len(passed))
			}
			listed++
		case derr == errNotWhole && (d == nil || !required || !wholeRanges):
			// NULLs, PLAIN pages or pages partly in the ranges
		default:
			t.Fatalf("%s: %v listed directly: %v", what, c.ps, derr)
		}
		if d == nil {
			// a few thousand distinct values stay in the dictionary
			cc, err := fmd.RowGroup(rg).ColumnChunk(leaf)
			if err == nil && cc.HasDictionaryPage() && required && (kind == flatInt32 || kind == flatDate32) {
				t.Fatalf("%s: no indices kept of a dictionary chunk without NULLs", what)
			}
			continue
		}
		if ref.NullN() != 0 {
			t.Fatalf("%s: indices kept of a chunk with NULLs", what)
		}
		if got := d.array(kind, want, nil); !array.Equal(got, ref) {
			t.Fatalf("%s: the kept indices give %v, want %v", what, head(got), head(ref))
		}
		got := d.array(kind, want, passed)
		if got.Len() != len(passed) {
			t.Fatalf("%s: %d rows at a selection of %d", what, got.Len(), len(passed))
		}
		for i, r := range passed {
			if !array.SliceEqual(got, int64(i), int64(i+1), ref, int64(r), int64(r+1)) {
				t.Fatalf("%s: selected row %d (row %d) from the kept indices differs", what, i, r)
			}
		}
	}
}

// selections are the row selections tried over n rows: none (all rows),
// every third row, a sparse few (pages passed over), none at all.
func selections(n int) [][]int32 {
	var third, sparse []int32
	for i := 0; i < n; i += 3 {
		third = append(third, int32(i))
	}
	for _, r := range []int{0, 5, 4000, 4001, 4002, 4010, n - 1} {
		if r >= 0 && r < n && (len(sparse) == 0 || int32(r) > sparse[len(sparse)-1]) {
			sparse = append(sparse, int32(r))
		}
	}
	all := make([]int32, n) // every row, listed
	for i := range all {
		all[i] = int32(i)
	}
	return [][]int32{nil, third, sparse, {}, all}
}

func head(a arrow.Array) string {
	return fmt.Sprint(array.NewSlice(a, 0, int64(min(a.Len(), 5))))
}

// Damaged chunks are errors of the page reader (the caller then leaves
// the chunk to arrow-go, whose error is reported), never a panic or rows
// made up.
func TestPageReaderDamage(t *testing.T) {
	rec := pageTestRecord(3000)
	defer rec.Release()
	good := arrowFile(t, rec, pq.NewWriterProperties(pq.WithCompression(compress.Codecs.Snappy), pq.WithDataPageSize(2048)))
	pf, err := file.NewParquetReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	fmd := pf.MetaData()
	for leaf := 0; leaf < fmd.Schema.NumColumns(); leaf++ {
		cc, _ := fmd.RowGroup(0).ColumnChunk(leaf)
		off := cc.DataPageOffset()
		if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 {
			off = min(off, cc.DictionaryPageOffset())
		}
		size := cc.TotalCompressedSize()
		for k := int64(0); k < size; k += max(1, size/40) {
			bad := bytes.Clone(good)
			bad[off+k] ^= 0x5a
			pr, err := newPageReader(bytes.NewReader(bad), fmd, fmd.RowGroup(0), leaf, fmd.Schema.Column(leaf).MaxDefinitionLevel())
			if err != nil {
				continue
			}
			ranges := []rowRange{{0, fmd.RowGroup(0).NumRows()}}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("column %d, byte %d flipped: panic %v", leaf, k, r)
					}
				}()
				if fmd.Schema.Column(leaf).PhysicalType() == pq.Types.ByteArray {
					offs, data, _, _, err := readPagesStrings(pr, ranges, nil)
					if err == nil && (len(offs) != int(ranges[0].end)+1 || int(offs[len(offs)-1]) != len(data)) {
						t.Fatalf("column %d, byte %d flipped: inconsistent strings", leaf, k)
					}
				} else {
					switch fmd.Schema.Column(leaf).PhysicalType() {
					case pq.Types.Int32:
						readPagesFixed[int32](pr, ranges, nil)
					case pq.Types.Float:
						readPagesFixed[float32](pr, ranges, nil)
					default:
						readPagesFixed[int64](pr, ranges, nil)
					}
				}
			}()
		}
	}
	// a chunk cut short is an error
	pr := &pageReader{buf: good[4:100]}
	if _, _, _, err := readPagesFixed[int32](pr, []rowRange{{0, 10}}, nil); err == nil || err == io.EOF {
		t.Fatalf("a cut chunk read without error: %v", err)
	}
}
