package parquet

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/storage"

	"github.com/lakeq/lakeq/types"
)

// RowGroupRows is the row-group length lakeq writes (DuckDB's default):
// one scan morsel each, small enough to spread over cores, large enough
// that per-group overhead and statistics stay small.
const RowGroupRows = 122880

// dictMaxRatio is the share of distinct values in the sample above which
// a column is written without a dictionary: a near-unique column's
// dictionary is as large as its data and only adds an indirection (and,
// in readers that grow it lazily, a copy) on every read.
const dictMaxRatio = 0.2

// WriterProperties are the properties lakeq writes Parquet with: Snappy,
// statistics, decimals of precision ≤ 18 as INT32/INT64, and dictionary
// encoding only for the columns of sample that repeat their values.
// sample is typically the first batch to be written; nil keeps
// dictionaries on for every column.
func WriterProperties(sample arrow.Record) *pq.WriterProperties {
	return WriterPropertiesWith(sample, compress.Codecs.Snappy, 0)
}

// ZstdLevel is the zstd level lakeq writes at unless asked for another
// (Athena's compression_level). Level 1 (the Go encoder's fastest) and
// not zstd's default 3: the Go encoder at 3 runs at half the speed of
// C's, so 3 made writes zstd-bound, and on Parquet pages, already
// dictionary- and RLE-encoded, level 3 saves only a few percent more.
const ZstdLevel = 1

// WriterPropertiesWith is WriterProperties with another codec, at level
// (0: the codec's lakeq default, ZstdLevel for zstd).
func WriterPropertiesWith(sample arrow.Record, codec compress.Compression, level int) *pq.WriterProperties {
	if level == 0 && codec == compress.Codecs.Zstd {
		level = ZstdLevel
	}
	opts := []pq.WriterProperty{
		pq.WithCompression(codec),
		pq.WithMaxRowGroupLength(RowGroupRows),
		pq.WithStats(true),
		pq.WithStoreDecimalAsInteger(true),
	}
	if level != 0 {
		opts = append(opts, pq.WithCompressionLevel(level))
	}
	if sample != nil && sample.NumRows() > 0 {
		for i, f := range sample.Schema().Fields() {
			ratio, ok := distinctRatio(sample.Column(i))
			if ok && ratio > dictMaxRatio {
				opts = append(opts, pq.WithDictionaryFor(f.Name, false))
			}
		}
	}
	return pq.NewWriterProperties(opts...)
}

// distinctRatio estimates distinct/rows over the first rows of a; ok is
// false for types it does not sample (nested ones keep the default).
func distinctRatio(a arrow.Array) (float64, bool) {
	n := min(a.Len(), 1<<16)
	if n == 0 {
		return 0, false
	}
	switch x := a.(type) {
	case *array.String:
		seen := make(map[string]struct{}, 1024)
		for i := 0; i < n; i++ {
			seen[x.Value(i)] = struct{}{}
		}
		return float64(len(seen)) / float64(n), true
	case *array.Binary:
		seen := make(map[string]struct{}, 1024)
		for i := 0; i < n; i++ {
			seen[string(x.Value(i))] = struct{}{}
		}
		return float64(len(seen)) / float64(n), true
	}
	fw, ok := a.DataType().(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth() < 8 || len(a.Data().Buffers()) < 2 {
		return 0, false
	}
	w := fw.BitWidth() / 8
	buf := a.Data().Buffers()[1].Bytes()[a.Data().Offset()*w:]
	seen := make(map[string]struct{}, 1024)
	for i := 0; i < n; i++ {
		seen[string(buf[i*w:(i+1)*w])] = struct{}{}
	}
	return float64(len(seen)) / float64(n), true
}

// FileSchema is s with the Arrow types pqarrow cannot write replaced by
// what lakeq writes for them: Decimal64 (numeric(p ≤ 18)) becomes
// Decimal128 of the same precision and scale, which the writer stores as
// INT32/INT64 (WithStoreDecimalAsInteger), so nothing is lost.
func FileSchema(s *arrow.Schema) *arrow.Schema {
	fields := make([]arrow.Field, s.NumFields())
	for i, f := range s.Fields() {
		if d, ok := f.Type.(*arrow.Decimal64Type); ok {
			f.Type = &arrow.Decimal128Type{Precision: d.Precision, Scale: d.Scale}
		}
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil)
}

// ToFile converts rec to FileSchema(rec.Schema()).
func ToFile(rec arrow.Record) arrow.Record {
	sch := FileSchema(rec.Schema())
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		if d, ok := c.(*array.Decimal64); ok {
			w := types.Decimal128Of(d)
			dt := sch.Field(i).Type
			data := array.NewData(dt, w.Len(), w.Data().Buffers(), nil, w.NullN(), w.Data().Offset())
			cols[i] = array.MakeFromData(data)
			data.Release()
			continue
		}
		cols[i] = c
	}
	return array.NewRecord(sch, cols, rec.NumRows())
}

// FromFile converts a record read back from a lakeq-written file to want.
func FromFile(rec arrow.Record, want *arrow.Schema) (arrow.Record, error) {
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		a, err := normalize(c, want.Field(i).Type)
		if err != nil {
			return nil, err
		}
		cols[i] = a
	}
	return array.NewRecord(want, cols, rec.NumRows()), nil
}

// FileWriter writes one Parquet file of records to a storage Writer. Not
// safe for concurrent use.
type FileWriter interface {
	// Write appends a record of the schema the writer was made for.
	Write(rec arrow.Record) error
	// Close finishes the file and closes (commits) its storage Writer.
	Close() error
	// Abort abandons the file: nothing is published.
	Abort()
}

// NewFileWriter writes sch to out with lakeq's Writer when it writes
// every column type (the flat types of lakeq tables), else with pqarrow
// (nested and extension types, wide decimals); both write the same
// Parquet types. sample, codec and level as for WriterPropertiesWith.
func NewFileWriter(out storage.Writer, sch *arrow.Schema, sample arrow.Record, codec compress.Compression, level int) (FileWriter, error) {
	if writable(sch) {
		bw := storage.Behind(out, 1<<20)
		w, err := NewWriter(bw, sch, codec, level)
		if err != nil {
			_ = bw.Abort()
			return nil, err
		}
		return &ownWriter{w: w, out: bw}, nil
	}
	pw, err := pqarrow.NewFileWriter(FileSchema(sch), out, WriterPropertiesWith(sample, codec, level), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, err
	}
	return &arrowWriter{pw: pw, out: out}, nil
}

type ownWriter struct {
	w   *Writer
	out storage.Writer // the file's Writer, behind the encoder
}

func (o *ownWriter) Write(rec arrow.Record) error { return o.w.Write(rec) }

func (o *ownWriter) Close() error {
	if err := o.w.Close(); err != nil {
		_ = o.out.Abort()
		return err
	}
	return o.out.Close()
}

func (o *ownWriter) Abort() { _ = o.out.Abort() }

type arrowWriter struct {
	pw  *pqarrow.FileWriter
	out storage.Writer
}

func (a *arrowWriter) Write(rec arrow.Record) error { return a.pw.WriteBuffered(ToFile(rec)) }

// Close: pqarrow's Close closes the sink too.
func (a *arrowWriter) Close() error { return a.pw.Close() }

// Abort aborts the sink first, so the Close that releases pqarrow's
// buffers publishes nothing.
func (a *arrowWriter) Abort() {
	_ = a.out.Abort()
	_ = a.pw.Close()
}
