// Package parquet scans Parquet files through arrow-go's pqarrow: one
// morsel per row group, decoding only the requested columns, with arrays
// normalized to lakeq's Arrow types.
package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column is a column of a Parquet dataset.
type Column struct {
	Name string
	Type types.T
}

// Dataset is a set of Parquet files sharing a schema.
type Dataset struct {
	FS      storage.FileSystem
	Files   []storage.FileInfo
	Columns []Column

	mu    sync.Mutex
	metas map[string]*metadata.FileMetaData
	// leaves[i] lists the leaf column indices of top-level field i
	leaves [][]int
	// arrowTypes[i] is the file's Arrow type of column i (before normalizing)
	arrowTypes []arrow.DataType
}

func corrupt(path string, err error) error {
	return sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", path)
}

// Open reads the schema of the files (the first file's; the others must
// have the same column names and types).
func Open(ctx context.Context, fs storage.FileSystem, files []storage.FileInfo) (*Dataset, error) {
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "no Parquet files to read")
	}
	d := &Dataset{FS: fs, Files: files, metas: map[string]*metadata.FileMetaData{}}
	fr, md, closer, err := d.reader(ctx, files[0].Path, nil)
	if err != nil {
		return nil, err
	}
	defer closer()
	sch, err := fr.Schema()
	if err != nil {
		return nil, corrupt(files[0].Path, err)
	}
	_ = md
	for i, f := range sch.Fields() {
		t, err := types.FromArrow(f.Type)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "column %s of \"%s\"", f.Name, files[0].Path)
		}
		d.Columns = append(d.Columns, Column{Name: f.Name, Type: t})
		d.arrowTypes = append(d.arrowTypes, f.Type)
		var leaves []int
		var collect func(sf pqarrow.SchemaField)
		collect = func(sf pqarrow.SchemaField) {
			if sf.IsLeaf() {
				leaves = append(leaves, sf.ColIndex)
			}
			for _, c := range sf.Children {
				collect(c)
			}
		}
		collect(fr.Manifest.Fields[i])
		d.leaves = append(d.leaves, leaves)
	}
	return d, nil
}

// reader opens one file (metadata cached across morsels of a query).
func (d *Dataset) reader(ctx context.Context, path string, st *storage.ScanStats) (*pqarrow.FileReader, *metadata.FileMetaData, func(), error) {
	f, err := d.FS.Open(ctx, path)
	if err != nil {
		return nil, nil, nil, err
	}
	cf := storage.Counted(f, st)
	sr := io.NewSectionReader(cf, 0, f.Size())
	d.mu.Lock()
	md := d.metas[path]
	d.mu.Unlock()
	var opts []file.ReadOption
	opts = append(opts, file.WithReadProps(pq.NewReaderProperties(memory.DefaultAllocator)))
	if md != nil {
		opts = append(opts, file.WithMetadata(md))
	}
	var pf *file.Reader
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		pf, err = file.NewParquetReader(sr, opts...)
	}()
	if err != nil {
		f.Close()
		return nil, nil, nil, corrupt(path, err)
	}
	if md == nil {
		d.mu.Lock()
		d.metas[path] = pf.MetaData()
		d.mu.Unlock()
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 8192}, memory.DefaultAllocator)
	if err != nil {
		f.Close()
		return nil, nil, nil, corrupt(path, err)
	}
	return fr, pf.MetaData(), func() { f.Close() }, nil
}

// Morsel is one row group of one file.
type Morsel struct {
	d        *Dataset
	path     string
	rowGroup int
	rows     int64
	cols     []int
}

// Morsels lists the row groups of every file, reading the file footers.
// Row groups whose statistics prove that no row satisfies preds are skipped.
func (d *Dataset) Morsels(ctx context.Context, cols []int, preds []storage.Pred, st *storage.ScanStats) ([]*Morsel, error) {
	var out []*Morsel
	for _, f := range d.Files {
		d.mu.Lock()
		md := d.metas[f.Path]
		d.mu.Unlock()
		if md == nil {
			_, m, closer, err := d.reader(ctx, f.Path, st)
			if err != nil {
				return nil, err
			}
			closer()
			md = m
		}
		if st != nil {
			st.FilesRead.Add(1)
		}
		if md.Schema.NumColumns() != d.numLeaves() {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" has a different schema than \"%s\"", f.Path, d.Files[0].Path)
		}
		for rg := 0; rg < md.NumRowGroups(); rg++ {
			rgm := md.RowGroup(rg)
			if len(preds) > 0 && !d.rowGroupMayMatch(rgm, preds) {
				if st != nil {
					st.RowGroupsPruned.Add(1)
				}
				continue
			}
			out = append(out, &Morsel{d: d, path: f.Path, rowGroup: rg, rows: rgm.NumRows(), cols: cols})
		}
	}
	return out, nil
}

func (d *Dataset) numLeaves() int {
	n := 0
	for _, l := range d.leaves {
		n += len(l)
	}
	return n
}

// Read decodes the morsel's columns into batches of lakeq Arrow types.
func (m *Morsel) Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error) {
	if st != nil {
		st.RowGroupsRead.Add(1)
	}
	fields := make([]arrow.Field, len(m.cols))
	for i, c := range m.cols {
		col := m.d.Columns[c]
		fields[i] = arrow.Field{Name: col.Name, Type: col.Type.Arrow(), Nullable: true}
	}
	outSchema := arrow.NewSchema(fields, nil)
	if len(m.cols) == 0 {
		// no column needed (count(*)): rows from the footer, no data read
		var out []arrow.Record
		for left := m.rows; left > 0; left -= 8192 {
			out = append(out, array.NewRecord(outSchema, nil, min(left, 8192)))
		}
		return out, nil
	}
	fr, _, closer, err := m.d.reader(ctx, m.path, st)
	if err != nil {
		return nil, err
	}
	defer closer()
	var leaves []int
	for _, c := range m.cols {
		leaves = append(leaves, m.d.leaves[c]...)
	}
	var out []arrow.Record
	err = func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		rr, err := fr.GetRecordReader(ctx, leaves, []int{m.rowGroup})
		if err != nil {
			return err
		}
		defer rr.Release()
		for rr.Next() {
			rec := rr.Record()
			cols := make([]arrow.Array, len(m.cols))
			for i := range m.cols {
				a, err := normalize(rec.Column(i), fields[i].Type)
				if err != nil {
					return err
				}
				cols[i] = a
			}
			out = append(out, array.NewRecord(outSchema, cols, rec.NumRows()))
		}
		if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		return nil
	}()
	if err != nil {
		if ctx.Err() != nil {
			return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		return nil, corrupt(m.path, err)
	}
	return out, nil
}

// normalize converts a decoded array to lakeq's Arrow type for its SQL type.
func normalize(a arrow.Array, want arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), want) {
		a.Retain()
		return a, nil
	}
	switch x := a.(type) {
	case *array.Decimal128:
		// same values; only the declared precision differs
		d := array.NewData(want, x.Len(), x.Data().Buffers(), nil, x.NullN(), x.Data().Offset())
		defer d.Release()
		return array.MakeFromData(d), nil
	case *array.Int8:
		return widen(x.Len(), x.NullN(), types.ValidityBits(a), want, func(i int) int64 { return int64(x.Value(i)) }), nil
	case *array.Uint8:
		return widen(x.Len(), x.NullN(), types.ValidityBits(a), want, func(i int) int64 { return int64(x.Value(i)) }), nil
	case *array.Uint16:
		return widen(x.Len(), x.NullN(), types.ValidityBits(a), want, func(i int) int64 { return int64(x.Value(i)) }), nil
	case *array.Uint32:
		return widen(x.Len(), x.NullN(), types.ValidityBits(a), want, func(i int) int64 { return int64(x.Value(i)) }), nil
	}
	// everything else through scalar values (timestamps units, large strings, ...)
	t, err := types.FromArrow(a.DataType())
	if err != nil {
		return nil, err
	}
	vals := make([]types.Value, a.Len())
	for i := range vals {
		vals[i] = types.GetValue(t, a, i)
	}
	wt, err := types.FromArrow(want)
	if err != nil {
		return nil, err
	}
	return types.BuildArray(wt, vals), nil
}

func widen(n, nulls int, validity []byte, want arrow.DataType, get func(int) int64) arrow.Array {
	switch want.ID() {
	case arrow.INT16:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(get(i))
		}
		return types.NewFixedArray(want, out, validity, nulls)
	case arrow.INT32:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(get(i))
		}
		return types.NewFixedArray(want, out, validity, nulls)
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = get(i)
	}
	return types.NewFixedArray(want, out, validity, nulls)
}

// EstimateRows sums the row counts of the files' footers (reading at
// most 64 footers and extrapolating by size beyond that).
func (d *Dataset) EstimateRows(ctx context.Context) int64 {
	var rows, bytesSeen, bytesAll int64
	for i, f := range d.Files {
		bytesAll += f.Size
		if i >= 64 {
			continue
		}
		d.mu.Lock()
		md := d.metas[f.Path]
		d.mu.Unlock()
		if md == nil {
			_, m, closer, err := d.reader(ctx, f.Path, nil)
			if err != nil {
				continue
			}
			closer()
			md = m
		}
		rows += md.NumRows
		bytesSeen += f.Size
	}
	if bytesSeen > 0 && bytesSeen < bytesAll {
		rows = rows * bytesAll / bytesSeen
	}
	return rows
}
