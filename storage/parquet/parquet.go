// Package parquet scans Parquet files through arrow-go's pqarrow: one
// morsel per row group, decoding only the requested columns, with arrays
// normalized to lakeq's Arrow types.
package parquet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column is a column of a Parquet dataset.
type Column = storage.Column

// Dataset is a set of Parquet files sharing a schema.
type Dataset struct {
	FS      storage.FileSystem
	Files   []storage.FileInfo
	Columns []Column

	mu    sync.Mutex
	metas map[string]*metadata.FileMetaData
	// files' leaf column indices per dataset column (nil: absent from the file)
	fileLeaves map[string][][]int
	// arrowTypes[i] is the file Arrow type of file column i (before normalizing)
	arrowTypes []arrow.DataType
	// nFile columns come from the files; the rest are hive partition keys
	nFile    int
	partVals map[string][]types.Value // per file: the partition values
	opt      Options
}

// Options are read_parquet's options.
type Options struct {
	HivePartitioning bool // k=v folders become typed columns
	UnionByName      bool // files may have different columns, matched by name
	// Footers, when set, shares parsed footers with other queries
	Footers *Footers
	// Stats counts the footers Footers served while the dataset opens
	Stats *storage.ScanStats
}

func corrupt(path string, err error) error {
	// a failed read is the storage's error (its code: missing, replaced,
	// refused, unreachable, cancelled), not a corrupt file
	var se *sqlerr.Error
	if errors.As(err, &se) && se.Code != sqlerr.DataCorrupted && se.Code != sqlerr.Internal {
		return sqlerr.Wrap(err, se.Code, "could not read Parquet file \"%s\"", path)
	}
	return sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read Parquet file \"%s\"", path)
}

// fileSchema reads one file's top-level fields and their leaf columns.
func (d *Dataset) fileSchema(ctx context.Context, path string) ([]arrow.Field, [][]int, error) {
	fr, _, closer, err := d.reader(ctx, path, nil)
	if err != nil {
		return nil, nil, err
	}
	defer closer()
	sch, err := fr.Schema()
	if err != nil {
		return nil, nil, corrupt(path, err)
	}
	var leaves [][]int
	for i := range sch.Fields() {
		var l []int
		var collect func(sf pqarrow.SchemaField)
		collect = func(sf pqarrow.SchemaField) {
			if sf.IsLeaf() {
				l = append(l, sf.ColIndex)
			}
			for _, c := range sf.Children {
				collect(c)
			}
		}
		collect(fr.Manifest.Fields[i])
		leaves = append(leaves, l)
	}
	return sch.Fields(), leaves, nil
}

// Open reads the schema: the first file's, or with UnionByName the union
// of all files' columns by name; hive partition columns come last.
func Open(ctx context.Context, fs storage.FileSystem, files []storage.FileInfo, opts ...Options) (*Dataset, error) {
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "no Parquet files to read")
	}
	d := &Dataset{FS: fs, Files: files, metas: map[string]*metadata.FileMetaData{}, fileLeaves: map[string][][]int{}}
	if len(opts) > 0 {
		d.opt = opts[0]
	}
	schemaFiles := files[:1]
	if d.opt.UnionByName {
		schemaFiles = files
	}
	index := map[string]int{}
	for _, f := range schemaFiles {
		fields, _, err := d.fileSchema(ctx, f.Path)
		if err != nil {
			return nil, err
		}
		for _, fl := range fields {
			t, err := types.FromArrow(fl.Type)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.FeatureNotSupported, "column %s of \"%s\"", fl.Name, f.Path)
			}
			if i, ok := index[fl.Name]; ok {
				if !d.Columns[i].Type.Equal(t) {
					return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column %s is %s in \"%s\" but %s in \"%s\"", fl.Name, t.String(), f.Path, d.Columns[i].Type.String(), files[0].Path)
				}
				continue
			}
			index[fl.Name] = len(d.Columns)
			d.Columns = append(d.Columns, Column{Name: fl.Name, Type: t})
			d.arrowTypes = append(d.arrowTypes, fl.Type)
		}
	}
	d.nFile = len(d.Columns)
	if d.opt.HivePartitioning {
		if err := d.partitions(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// partitions reads k=v folder names into typed partition columns.
func (d *Dataset) partitions() error {
	var keys []string
	raw := map[string]map[string]string{}
	for _, f := range d.Files {
		vals := map[string]string{}
		for _, seg := range strings.Split(filepath.ToSlash(filepath.Dir(f.Path)), "/") {
			if k, v, ok := strings.Cut(seg, "="); ok && k != "" {
				if _, seen := vals[k]; !seen {
					vals[k] = v
				}
			}
		}
		raw[f.Path] = vals
		for k := range vals {
			found := false
			for _, x := range keys {
				if x == k {
					found = true
				}
			}
			if !found {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	d.partVals = map[string][]types.Value{}
	for _, k := range keys {
		t := types.Int8T
		for _, f := range d.Files {
			v, ok := raw[f.Path][k]
			if !ok || v == "" || v == "__HIVE_DEFAULT_PARTITION__" {
				continue
			}
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				if t.Kind == types.Int8 {
					t = types.DateT
				}
				if _, err := types.ParseDate(v); err != nil || len(v) != 10 {
					t = types.TextT
				}
			}
		}
		for i, c := range d.Columns {
			if c.Name == k { // a file column of the same name: the folder wins
				d.Columns[i].Name = k
			}
		}
		d.Columns = append(d.Columns, Column{Name: k, Type: t})
	}
	for _, f := range d.Files {
		var vals []types.Value
		for _, c := range d.Columns[d.nFile:] {
			v, ok := raw[f.Path][c.Name]
			if !ok || v == "" || v == "__HIVE_DEFAULT_PARTITION__" {
				vals = append(vals, nil)
				continue
			}
			if u, err := url.PathUnescape(v); err == nil {
				v = u
			}
			x, err := types.ParseText(c.Type, v, nil)
			if err != nil {
				x = v
			}
			vals = append(vals, x)
		}
		d.partVals[f.Path] = vals
	}
	return nil
}

// leavesOf maps dataset file columns to a file's leaf columns.
func (d *Dataset) leavesOf(ctx context.Context, path string) ([][]int, error) {
	d.mu.Lock()
	l, ok := d.fileLeaves[path]
	d.mu.Unlock()
	if ok {
		return l, nil
	}
	fields, leaves, err := d.fileSchema(ctx, path)
	if err != nil {
		return nil, err
	}
	byName := map[string]int{}
	for i, f := range fields {
		byName[f.Name] = i
	}
	out := make([][]int, d.nFile)
	for c := 0; c < d.nFile; c++ {
		i, ok := byName[d.Columns[c].Name]
		if !ok {
			if !d.opt.UnionByName {
				return nil, sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" has no column %s (read with union_by_name => true to combine files with different columns)", path, d.Columns[c].Name)
			}
			continue
		}
		t, err := types.FromArrow(fields[i].Type)
		if err != nil || !t.Equal(d.Columns[c].Type) {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column %s of Parquet file \"%s\" is not %s", d.Columns[c].Name, path, d.Columns[c].Type.String())
		}
		out[c] = leaves[i]
	}
	if !d.opt.UnionByName && len(fields) != d.nFile {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "Parquet file \"%s\" has a different schema than \"%s\" (read with union_by_name => true to combine them)", path, d.Files[0].Path)
	}
	d.mu.Lock()
	d.fileLeaves[path] = out
	d.mu.Unlock()
	return out, nil
}

// reader opens one file (metadata cached across morsels of a query).
// reader opens path; the leaves in dictLeaves decode as Arrow
// dictionaries (see dictionaryLeaves).
func (d *Dataset) reader(ctx context.Context, path string, st *storage.ScanStats, dictLeaves ...int) (*pqarrow.FileReader, *metadata.FileMetaData, func(), error) {
	return d.readerFor(ctx, path, st, -1, nil, dictLeaves...)
}

// footerTail is how much of a file's end the first read of an object
// store fetches: the footer and page index of most files fit, so they
// cost one request.
const footerTail = 64 << 10

// maxPrefetch bounds the bytes of one row group's column chunks fetched
// in advance; a larger row group is read chunk by chunk.
const maxPrefetch = 64 << 20

// chunkGap is the largest gap between two column chunks read in one
// request rather than two.
const chunkGap = 1 << 20

// readerFor opens path for row group rg's leaves: on an object store the
// footer comes in one ranged GET of the file's tail, and the leaves'
// column chunks in as few GETs as their gaps allow, fetched before the
// decoder asks for them (rg < 0: no row group in view).
func (d *Dataset) readerFor(ctx context.Context, path string, st *storage.ScanStats, rg int, leaves []int, dictLeaves ...int) (*pqarrow.FileReader, *metadata.FileMetaData, func(), error) {
	return d.readerWith(ctx, path, st, nil, rg, leaves, dictLeaves...)
}

// opened is a file opened (and on an object store, its ranges fetched)
// ahead of its decoding.
type opened struct {
	f  storage.File // to close
	cf storage.File // to read
	md *metadata.FileMetaData
}

// open opens path as readerFor reads it.
func (d *Dataset) open(ctx context.Context, path string, st *storage.ScanStats, rg int, leaves []int) (*opened, error) {
	f, err := storage.OpenInfo(ctx, d.FS, d.info(path))
	if err != nil {
		return nil, err
	}
	cf := storage.Counted(f, st)
	d.mu.Lock()
	md := d.metas[path]
	d.mu.Unlock()
	if md == nil {
		if md = d.opt.Footers.get(f.Info()); md != nil {
			if hs := orStats(st, d.opt.Stats); hs != nil {
				hs.CacheHits.Add(1)
			}
			d.mu.Lock()
			d.metas[path] = md
			d.mu.Unlock()
		}
	}
	if storage.IsURL(path) {
		var pre storage.File
		switch {
		case md == nil:
			pre, err = storage.WithTail(cf, footerTail)
		case rg >= 0 && len(leaves) > 0:
			rs := chunkRanges(md, rg, leaves)
			if h, ok := f.(storage.RangeHolder); ok && h.Holds(rs) {
				break // on local disk already (the disk cache): read in place
			}
			pre, err = storage.Prefetched(cf, rs, chunkGap)
		}
		if err != nil {
			f.Close()
			return nil, corrupt(path, err)
		}
		if pre != nil {
			cf = pre
		}
	}
	return &opened{f: f, cf: cf, md: md}, nil
}

// readerWith is readerFor over o when it was opened ahead (nil: open now).
func (d *Dataset) readerWith(ctx context.Context, path string, st *storage.ScanStats, o *opened, rg int, leaves []int, dictLeaves ...int) (*pqarrow.FileReader, *metadata.FileMetaData, func(), error) {
	fr, md, _, closer, err := d.readerOpened(ctx, path, st, o, rg, leaves, dictLeaves...)
	return fr, md, closer, err
}

// readerOpened is readerWith that also returns what the file is read
// through (counted, and on an object store prefetched).
func (d *Dataset) readerOpened(ctx context.Context, path string, st *storage.ScanStats, o *opened, rg int, leaves []int, dictLeaves ...int) (*pqarrow.FileReader, *metadata.FileMetaData, storage.File, func(), error) {
	pf, cf, closer, err := d.fileOpened(ctx, path, st, o, rg, leaves)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	fr, err := d.arrowReader(pf, path, dictLeaves)
	if err != nil {
		closer()
		return nil, nil, nil, nil, err
	}
	return fr, pf.MetaData(), cf, closer, nil
}

// fileOpened opens path (o: opened ahead, nil: open now) as arrow-go's
// Parquet file reader, its footer from the cache when there, and returns
// what the file is read through and the closer of the file.
func (d *Dataset) fileOpened(ctx context.Context, path string, st *storage.ScanStats, o *opened, rg int, leaves []int) (*file.Reader, storage.File, func(), error) {
	if o == nil {
		var err error
		if o, err = d.open(ctx, path, st, rg, leaves); err != nil {
			return nil, nil, nil, err
		}
	}
	f, cf, md := o.f, o.cf, o.md
	var err error
	sr := io.NewSectionReader(cf, 0, f.Size())
	var opts []file.ReadOption
	opts = append(opts, file.WithReadProps(pq.NewReaderProperties(pageAlloc{})))
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
		d.opt.Footers.put(f.Info(), pf.MetaData())
	}
	return pf, cf, func() { f.Close() }, nil
}

// arrowReader is pqarrow's reader of the open file pf, reading the
// leaves dictLeaves as dictionaries. The page reader needs none: a
// morsel makes it only for the columns the page reader does not cover
// (making it, its schema manifest, for every morsel was 2% of a scan).
func (d *Dataset) arrowReader(pf *file.Reader, path string, dictLeaves []int) (*pqarrow.FileReader, error) {
	props := pqarrow.ArrowReadProperties{BatchSize: 8192}
	for _, l := range dictLeaves {
		props.SetReadDict(l, true)
	}
	fr, err := pqarrow.NewFileReader(pf, props, memory.DefaultAllocator)
	if err != nil {
		return nil, corrupt(path, err)
	}
	return fr, nil
}

// info is the listing's description of path (its size and ETag let an
// object store open it without a HEAD).
func (d *Dataset) info(path string) storage.ObjectInfo {
	for _, f := range d.Files {
		if f.Path == path {
			return f
		}
	}
	return storage.ObjectInfo{Path: path}
}

// chunkRanges are the byte ranges of row group rg's column chunks for
// leaves, or none when together they pass maxPrefetch.
func chunkRanges(md *metadata.FileMetaData, rg int, leaves []int) []storage.Range {
	rgm := md.RowGroup(rg)
	var out []storage.Range
	var total int64
	for _, l := range leaves {
		if l < 0 || l >= rgm.NumColumns() {
			continue
		}
		cc, err := rgm.ColumnChunk(l)
		if err != nil {
			return nil
		}
		off := cc.DataPageOffset()
		if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < off {
			off = cc.DictionaryPageOffset()
		}
		n := cc.TotalCompressedSize()
		total += n
		if total > maxPrefetch {
			return nil
		}
		out = append(out, storage.Range{Off: off, Len: n})
	}
	return out
}

// meta returns the cached footer of path, or nil before it is read.
func (d *Dataset) meta(path string) *metadata.FileMetaData {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.metas[path]
}

// dictionaryLeaves returns the string leaves among leaves whose chunk in
// row group rg is dictionary-encoded throughout. Those decode as Arrow
// dictionaries and are expanded in one pass (normalize), which beats
// appending every value to a string builder; chunks with plain pages are
// left alone, since reading them as a dictionary would rebuild one.
func (d *Dataset) dictionaryLeaves(path string, rg int, leaves []int) []int {
	d.mu.Lock()
	md := d.metas[path]
	d.mu.Unlock()
	if md == nil || rg >= md.NumRowGroups() {
		return nil
	}
	rgm := md.RowGroup(rg)
	var out []int
	for _, l := range leaves {
		if l >= md.Schema.NumColumns() {
			continue
		}
		col := md.Schema.Column(l)
		if col.PhysicalType() != pq.Types.ByteArray || col.LogicalType() == nil || !col.LogicalType().Equals(schema.StringLogicalType{}) {
			continue
		}
		cc, err := rgm.ColumnChunk(l)
		if err == nil && len(cc.EncodingStats()) > 0 && dictionaryOnly(cc) {
			out = append(out, l)
		}
	}
	return out
}

// dictionaryOnly reports a column chunk whose every data page is
// dictionary-encoded: from its pages' encoding statistics, or without
// them (DuckDB writes none) from its encodings, none of them plain.
func dictionaryOnly(cc *metadata.ColumnChunkMetaData) bool {
	if !cc.HasDictionaryPage() {
		return false
	}
	if stats := cc.EncodingStats(); len(stats) > 0 {
		for _, s := range stats {
			// page types 0 and 3 are data pages (v1, v2)
			if pt := int(s.PageType); (pt == 0 || pt == 3) && s.Encoding != pq.Encodings.PlainDict && s.Encoding != pq.Encodings.RLEDict {
				return false
			}
		}
		return true
	}
	for _, e := range cc.Encodings() {
		switch e {
		case pq.Encodings.PlainDict, pq.Encodings.RLEDict, pq.Encodings.RLE, pq.Encodings.BitPacked:
		default:
			return false
		}
	}
	return true
}

// Morsel is one row group of one file.
type Morsel struct {
	d        *Dataset
	path     string
	rowGroup int
	rows     int64
	cols     []int
	leaves   [][]int // the file's leaves per dataset file column
	// ranges are the rows the page index leaves to read (nil: all)
	ranges []rowRange
	// preds are the scan's column predicates, evaluated on the decoded
	// rows where they can be (rowfilter.go)
	preds []storage.Pred
	// dyn are bounds an operator above tightens as the scan runs
	// (storage.DynBound), applied as they stand when the morsel is read
	dyn []*storage.DynBound

	// a fetch started ahead by Prefetch, done when pre is closed
	preOnce sync.Once
	pre     chan struct{}
	preOpen *opened
	preErr  error
}

// Prefetch starts fetching the morsel's column chunks from an object
// store while other morsels decode (a no-op on local disk, or when
// already started). Read then waits for it instead of fetching. It
// returns the bytes it set in flight (0 when it started nothing), which
// stay in memory until Read. Safe for concurrent use; ctx must outlive
// the fetch (the query's).
func (m *Morsel) Prefetch(ctx context.Context, st *storage.ScanStats) int64 {
	md := m.d.meta(m.path)
	if !storage.IsURL(m.path) || md == nil {
		return 0
	}
	var size int64
	m.preOnce.Do(func() {
		m.pre = make(chan struct{})
		if st != nil {
			st.Prefetched.Add(1)
		}
		leaves := m.decodedLeaves()
		for _, r := range chunkRanges(md, m.rowGroup, leaves) {
			size += r.Len
		}
		go func() {
			defer close(m.pre)
			m.preOpen, m.preErr = m.d.open(ctx, m.path, st, m.rowGroup, leaves)
		}()
	})
	return size
}

// takePrefetched waits for a prefetch started earlier, if any.
func (m *Morsel) takePrefetched(ctx context.Context) (*opened, error) {
	started := false
	m.preOnce.Do(func() {}) // no prefetch from here on
	if m.pre != nil {
		started = true
	}
	if !started {
		return nil, nil
	}
	select {
	case <-m.pre:
		return m.preOpen, m.preErr
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// dropPrefetched closes what a prefetch of the morsel opened, for a
// morsel skipped unread.
func (m *Morsel) dropPrefetched() {
	m.preOnce.Do(func() {})
	if m.pre == nil {
		return
	}
	go func() { // a fetch in flight is waited for off the reader's path
		<-m.pre
		if m.preOpen != nil {
			m.preOpen.f.Close()
		}
	}()
}

// decodedLeaves are the file leaves the morsel's columns decode.
func (m *Morsel) decodedLeaves() []int {
	var out []int
	for _, c := range m.cols {
		if c < m.d.nFile && m.leaves[c] != nil {
			out = append(out, m.leaves[c]...)
		}
	}
	return out
}

// Morsels lists the row groups of every file, reading the file footers.
// Row groups whose statistics prove that no row satisfies preds are
// skipped, and whole files whose partition values do.
func (d *Dataset) Morsels(ctx context.Context, cols []int, preds []storage.Pred, st *storage.ScanStats) ([]*Morsel, error) {
	var out []*Morsel
files:
	for _, f := range d.Files {
		for _, p := range preds {
			if p.Col >= d.nFile {
				v := d.partVals[f.Path][p.Col-d.nFile]
				v = p.Widen(v)
				if !p.MayMatch(v, v, boolInt(v == nil), 1, true) {
					if st != nil {
						st.FilesPruned.Add(1)
					}
					continue files
				}
			}
		}
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
		leaves, err := d.leavesOf(ctx, f.Path)
		if err != nil {
			return nil, err
		}
		if st != nil {
			st.FilesRead.Add(1)
		}
		var pf *file.Reader // opened when a row group has a page index to consult
		var closePF func()
		for rg := 0; rg < md.NumRowGroups(); rg++ {
			rgm := md.RowGroup(rg)
			if len(preds) > 0 && !d.rowGroupMayMatch(rgm, leaves, preds) {
				if st != nil {
					st.RowGroupsPruned.Add(1)
				}
				continue
			}
			m := &Morsel{d: d, path: f.Path, rowGroup: rg, rows: rgm.NumRows(), cols: cols, leaves: leaves, preds: preds}
			if len(preds) > 0 && hasPageIndex(rgm, leaves, preds, d.nFile) {
				if pf == nil {
					fr, _, closer, err := d.reader(ctx, f.Path, st)
					if err != nil {
						return nil, err
					}
					pf, closePF = fr.ParquetReader(), closer
				}
				ranges, all, pruned := d.pageRanges(pf, rg, rgm.NumRows(), leaves, preds)
				if st != nil {
					st.PagesPruned.Add(pruned)
				}
				if !all {
					if len(ranges) == 0 {
						if st != nil {
							st.RowGroupsPruned.Add(1)
						}
						continue
					}
					m.ranges = ranges
				}
			}
			out = append(out, m)
		}
		if closePF != nil {
			closePF()
		}
	}
	return out, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Read decodes the morsel's columns into batches of lakeq Arrow types.
func (m *Morsel) Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error) {
	out, _, err := m.read(ctx, st, 0)
	return out, err
}

// ReadHead decodes about the first rows rows of the morsel and returns
// them with the rest, to decode next (nil: the morsel was read whole, as
// it is when its columns are not all flat or the page index chose its
// rows). The two parts read the file once; the page holding the split
// is decompressed by both.
func (m *Morsel) ReadHead(ctx context.Context, st *storage.ScanStats, rows int) ([]arrow.Record, *Rest, error) {
	return m.read(ctx, st, rows)
}

// Rest is the part of a morsel ReadHead left: Read it at most once, and
// Close it, which releases the file.
type Rest struct {
	read  func() ([]arrow.Record, error)
	close func()
}

// Read decodes the rest of the morsel.
func (r *Rest) Read() ([]arrow.Record, error) {
	out, err := r.read()
	r.read = func() ([]arrow.Record, error) { return nil, errors.New("parquet: rest of a morsel read twice") }
	return out, err
}

// Close releases the file the morsel is read from; safe to call again.
func (r *Rest) Close() {
	if r.close != nil {
		r.close()
		r.close = nil
	}
}

// SetDynamic gives the morsel bounds to apply when it is read (before
// Read; not safe for concurrent use with it).
func (m *Morsel) SetDynamic(bs []*storage.DynBound) { m.dyn = bs }

// dynPreds are the morsel's dynamic bounds as they stand.
func (m *Morsel) dynPreds() []storage.Pred {
	var out []storage.Pred
	for _, b := range m.dyn {
		if p, ok := b.Pred(); ok {
			out = append(out, p)
		}
	}
	return out
}

// predsNow are the scan's predicates and the dynamic bounds as they
// stand.
func (m *Morsel) predsNow() []storage.Pred {
	dp := m.dynPreds()
	if len(dp) == 0 {
		return m.preds
	}
	return append(append([]storage.Pred(nil), m.preds...), dp...)
}

// read is Read, and ReadHead when head is above 0.
func (m *Morsel) read(ctx context.Context, st *storage.ScanStats, head int) ([]arrow.Record, *Rest, error) {
	d := m.d
	if dp := m.dynPreds(); len(dp) > 0 {
		// a bound tightened since the listing may rule the row group out
		if md := d.meta(m.path); md != nil && !d.rowGroupMayMatch(md.RowGroup(m.rowGroup), m.leaves, dp) {
			if st != nil {
				st.RowGroupsPruned.Add(1)
			}
			m.dropPrefetched()
			return nil, nil, nil
		}
	}
	if st != nil {
		st.RowGroupsRead.Add(1)
	}
	fields := make([]arrow.Field, len(m.cols))
	for i, c := range m.cols {
		col := d.Columns[c]
		fields[i] = arrow.Field{Name: col.Name, Type: col.Type.Arrow(), Nullable: true}
	}
	outSchema := arrow.NewSchema(fields, nil)
	// which requested columns are decoded, constant (partition) or absent
	var leaves []int
	var decoded []int // positions in m.cols
	for i, c := range m.cols {
		if c < d.nFile && m.leaves[c] != nil {
			leaves = append(leaves, m.leaves[c]...)
			decoded = append(decoded, i)
		}
	}
	fill := func(rec arrow.Record, n int64) arrow.Record {
		cols := make([]arrow.Array, len(m.cols))
		for _, i := range decoded {
			cols[i] = rec.Column(indexOf(decoded, i))
		}
		for i, c := range m.cols {
			if cols[i] != nil {
				continue
			}
			var v types.Value
			if c >= d.nFile {
				v = d.partVals[m.path][c-d.nFile]
			}
			cols[i] = types.ConstArray(d.Columns[c].Type, v, int(n))
		}
		return array.NewRecord(outSchema, cols, n)
	}
	if len(decoded) == 0 {
		// nothing to decode (count(*), partition columns): rows from the footer
		var out []arrow.Record
		empty := array.NewRecord(arrow.NewSchema(nil, nil), nil, 0)
		rows := m.rows
		if m.ranges != nil {
			rows = rangeRows(m.ranges)
		}
		for left := rows; left > 0; left -= 8192 {
			out = append(out, fill(empty, min(left, 8192)))
		}
		return out, nil, nil
	}
	// columns the flat reader covers are decoded whole; the rest go
	// through pqarrow's record reader
	md := d.meta(m.path)
	kinds := make([]flatKind, len(decoded))
	scales := make([]int64, len(decoded))
	var pqLeaves []int
	for k, i := range decoded {
		ls := m.leaves[m.cols[i]]
		if md != nil && len(ls) == 1 && ls[0] < md.Schema.NumColumns() {
			kinds[k], scales[k] = flatPlan(md.Schema.Column(ls[0]), fields[i].Type)
		}
		if kinds[k] == flatNone {
			pqLeaves = append(pqLeaves, ls...)
		}
	}
	pre, err := m.takePrefetched(ctx)
	if err != nil {
		return nil, nil, err
	}
	pf, src, closer, err := d.fileOpened(ctx, m.path, st, pre, m.rowGroup, leaves)
	if err != nil {
		return nil, nil, err
	}
	fmd := pf.MetaData()
	var afr *pqarrow.FileReader // made once, when a column needs it
	fr := func() (*pqarrow.FileReader, error) {
		if afr == nil {
			var err error
			if afr, err = d.arrowReader(pf, m.path, d.dictionaryLeaves(m.path, m.rowGroup, pqLeaves)); err != nil {
				return nil, err
			}
		}
		return afr, nil
	}
	var rsrc io.ReaderAt // nil: arrow-go's reader only
	if src != nil {
		rsrc = src
	}
	if head <= 0 || m.ranges != nil || len(pqLeaves) > 0 || m.rows < 2*int64(head) || rsrc == nil {
		defer closer()
		out, err := m.decode(ctx, pf, fr, fmd, rsrc, nil, fields, decoded, kinds, scales, pqLeaves, fill)
		return out, nil, err
	}
	// both parts read the chunks through one memo: each from the file once
	memo := newChunkMemo(rsrc)
	out, err := m.decode(ctx, pf, fr, fmd, memo, []rowRange{{0, int64(head)}}, fields, decoded, kinds, scales, pqLeaves, fill)
	if err != nil {
		closer()
		return nil, nil, err
	}
	rest := &Rest{close: closer}
	rest.read = func() ([]arrow.Record, error) {
		return m.decode(ctx, pf, fr, fmd, memo, []rowRange{{int64(head), m.rows}}, fields, decoded, kinds, scales, pqLeaves, fill)
	}
	return out, rest, nil
}

// decode decodes the morsel's rows in part (nil: those it reads whole,
// all rows or the page index's ranges) from the file pf reads (fr: its
// pqarrow reader, made on first use; rsrc: the same file for the page
// reader, nil for arrow-go's reader only).
func (m *Morsel) decode(ctx context.Context, pf *file.Reader, fr func() (*pqarrow.FileReader, error), fmd *metadata.FileMetaData, rsrc io.ReaderAt, part []rowRange, fields []arrow.Field, decoded []int, kinds []flatKind, scales []int64, pqLeaves []int, fill func(arrow.Record, int64) arrow.Record) ([]arrow.Record, error) {
	flat := make([]arrow.Array, len(decoded))
	var out []arrow.Record
	rangesDone := false
	err := func() (err error) {
		// a mapped file truncated under the reader faults: a panic here,
		// recovered below as the file's error
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		rgr := pf.RowGroup(m.rowGroup)
		// with only flat columns, the page index's ranges are read alone
		// (the rows between them skipped, not decoded); with pqarrow
		// columns too, all rows are decoded and the ranges cut afterwards
		ranges := []rowRange{{0, m.rows}}
		switch {
		case part != nil:
			ranges, rangesDone = part, true
		case m.ranges != nil && len(pqLeaves) == 0:
			ranges, rangesDone = m.ranges, true
		}
		// with only flat columns, the predicates' columns are read first
		// and the rest only at the rows that pass them
		var sel []int32
		if rps := m.rowPredsFor(m.predsNow(), decoded, kinds); len(rps) > 0 && len(pqLeaves) == 0 {
			n := int(rangeRows(ranges))
			if _, ok := rsrc.(*chunkMemo); rsrc != nil && !ok {
				rsrc = newChunkMemo(rsrc)
			}
			lazy := make([]lazyFlat, len(decoded))
			if sel, err = m.selectRows(rgr, rsrc, fmd, rps, decoded, kinds, scales, fields, ranges, flat, lazy, n); err != nil {
				return err
			}
			if sel != nil && float64(len(sel)) > keepShare*float64(n) {
				sel = nil
			}
			if sel != nil {
				for k, a := range flat {
					if a != nil {
						flat[k] = types.Take(m.d.Columns[m.cols[decoded[k]]].Type, a, sel)
						a.Release()
					}
				}
			}
			for k, lz := range lazy {
				if lz != nil && flat[k] == nil {
					flat[k] = lz.array(kinds[k], fields[decoded[k]].Type, sel)
				}
				if lz != nil {
					lz.release()
				}
			}
		}
		for k, i := range decoded {
			if kinds[k] == flatNone || flat[k] != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			leaf := m.leaves[m.cols[i]][0]
			if flat[k], err = readFlat(rgr, rsrc, fmd, leaf, kinds[k], scales[k], fields[i].Type, ranges, sel); err != nil {
				return fmt.Errorf("column %s: %w", fields[i].Name, err)
			}
		}
		fs := make([]arrow.Field, len(decoded))
		for k, i := range decoded {
			fs[k] = fields[i]
		}
		decSchema := arrow.NewSchema(fs, nil)
		if len(pqLeaves) == 0 {
			rows := rangeRows(ranges)
			if sel != nil {
				rows = int64(len(sel))
			}
			for off := int64(0); off < rows; off += 8192 {
				n := min(rows-off, 8192)
				cols := make([]arrow.Array, len(decoded))
				for k := range decoded {
					cols[k] = array.NewSlice(flat[k], off, off+n)
				}
				out = append(out, fill(array.NewRecord(decSchema, cols, n), n))
			}
			return nil
		}
		afr, err := fr()
		if err != nil {
			return err
		}
		rr, err := afr.GetRecordReader(ctx, pqLeaves, []int{m.rowGroup})
		if err != nil {
			return err
		}
		defer rr.Release()
		var off int64
		for rr.Next() {
			rec := rr.Record()
			n := rec.NumRows()
			if off+n > m.rows {
				return fmt.Errorf("row group %d holds more rows than its footer says", m.rowGroup)
			}
			cols := make([]arrow.Array, len(decoded))
			for k, i := range decoded {
				if kinds[k] != flatNone {
					cols[k] = array.NewSlice(flat[k], off, off+n)
					continue
				}
				name := fields[i].Name
				idx := rec.Schema().FieldIndices(name)
				if len(idx) == 0 {
					return fmt.Errorf("column %s missing from the decoded batch", name)
				}
				a, err := normalize(rec.Column(idx[0]), fields[i].Type)
				if err != nil {
					return err
				}
				cols[k] = a
			}
			out = append(out, fill(array.NewRecord(decSchema, cols, n), n))
			off += n
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
	if m.ranges != nil && !rangesDone {
		// only the rows of pages the page index kept
		batches := make([]batchAt, len(out))
		var off int64
		for i, r := range out {
			batches[i] = batchAt{rec: r, off: off}
			off += r.NumRows()
		}
		out = out[:0]
		for _, b := range selectRanges(batches, m.ranges) {
			out = append(out, b.rec)
		}
	}
	return out, nil
}

// batchAt is a decoded batch and its first row in the row group.
type batchAt struct {
	rec arrow.Record
	off int64
}

func indexOf(xs []int, v int) int {
	for i, x := range xs {
		if x == v {
			return i
		}
	}
	return -1
}

// expandDictionary turns dictionary-coded strings into a plain string
// array, sized exactly before one copy per value.
func expandDictionary(x *array.Dictionary, dict *array.String) arrow.Array {
	n := x.Len()
	codes := make([]int32, n)
	if idx, ok := x.Indices().(*array.Int32); ok {
		copy(codes, idx.Int32Values())
	} else {
		for i := range codes {
			codes[i] = int32(x.GetValueIndex(i))
		}
	}
	offs, src := types.StringWindow(dict)
	valid := x.NullN() == 0
	size := 0
	for i, c := range codes {
		if valid || x.IsValid(i) {
			size += int(offs[c+1] - offs[c])
		}
	}
	offsets := make([]int32, n+1)
	data := make([]byte, 0, size)
	for i, c := range codes {
		if valid || x.IsValid(i) {
			data = append(data, src[offs[c]:offs[c+1]]...)
		}
		offsets[i+1] = int32(len(data))
	}
	return types.NewStringArray(offsets, data, types.ValidityBits(x), x.NullN())
}

// normalize converts a decoded array to lakeq's Arrow type for its SQL type.
func normalize(a arrow.Array, want arrow.DataType) (arrow.Array, error) {
	if arrow.TypeEqual(a.DataType(), want) {
		a.Retain()
		return a, nil
	}
	if isNested(a.DataType()) {
		return nestedToJSONB(a)
	}
	switch x := a.(type) {
	case *array.Dictionary:
		if dict, ok := x.Dictionary().(*array.String); ok && arrow.TypeEqual(want, arrow.BinaryTypes.String) {
			return expandDictionary(x, dict), nil
		}
	case *array.Decimal128:
		if _, ok := want.(*arrow.Decimal64Type); ok {
			// precision ≤ 18: every value fits the scaled int64
			vals := x.Values()
			out := make([]int64, len(vals))
			for i, v := range vals {
				out[i] = int64(v.LowBits())
			}
			return types.NewFixedArray(want, out, types.ValidityBits(x), x.NullN()), nil
		}
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
		if n, ok := d.footerRows(ctx, f.Path); ok {
			rows += n
			bytesSeen += f.Size
		}
	}
	if bytesSeen > 0 && bytesSeen < bytesAll {
		rows = rows * bytesAll / bytesSeen
	}
	return rows
}

// footerRows is a file's row count from its (cached) footer.
func (d *Dataset) footerRows(ctx context.Context, path string) (int64, bool) {
	d.mu.Lock()
	md := d.metas[path]
	d.mu.Unlock()
	if md == nil {
		_, m, closer, err := d.reader(ctx, path, nil)
		if err != nil {
			return 0, false
		}
		closer()
		md = m
	}
	return md.NumRows, true
}

// File is the path of the file the morsel reads.
func (m *Morsel) File() string { return m.path }

// RowCount is the exact number of rows in the files, from their footers.
func (d *Dataset) RowCount(ctx context.Context) int64 {
	var rows int64
	for _, f := range d.Files {
		n, _ := d.footerRows(ctx, f.Path)
		rows += n
	}
	return rows
}

func orStats(a, b *storage.ScanStats) *storage.ScanStats {
	if a != nil {
		return a
	}
	return b
}

// Bytes is what reading the morsel will fetch: the compressed column
// chunks of its row group that its columns decode (0 when it decodes
// none, as count(*) reads only the footer). Progress and dry-run pricing
// sum it before anything is read.
func (m *Morsel) Bytes() int64 {
	md := m.d.meta(m.path)
	if md == nil || m.rowGroup >= md.NumRowGroups() {
		return 0
	}
	rgm := md.RowGroup(m.rowGroup)
	var n int64
	for _, l := range m.decodedLeaves() {
		if l < rgm.NumColumns() {
			if cc, err := rgm.ColumnChunk(l); err == nil {
				n += cc.TotalCompressedSize()
			}
		}
	}
	return n
}

// KeyRange is the range of the morsel's column i (a position in its
// columns) in its row group, from the statistics, when the column is an
// integer or a date and the statistics say it holds no NULL.
func (m *Morsel) KeyRange(i int) (lo, hi int64, ok bool) {
	if i < 0 || i >= len(m.cols) {
		return 0, 0, false
	}
	col := m.cols[i]
	d := m.d
	if col >= d.nFile || len(m.leaves[col]) != 1 {
		return 0, 0, false
	}
	switch d.Columns[col].Type.Kind {
	case types.Int2, types.Int4, types.Int8, types.Date:
	default:
		return 0, 0, false
	}
	md := d.meta(m.path)
	if md == nil || m.rowGroup >= md.NumRowGroups() {
		return 0, 0, false
	}
	cc, err := md.RowGroup(m.rowGroup).ColumnChunk(m.leaves[col][0])
	if err != nil {
		return 0, 0, false
	}
	if set, _ := cc.StatsSet(); !set {
		return 0, 0, false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() || !st.HasNullCount() || st.NullCount() != 0 {
		return 0, 0, false
	}
	lo, okLo := storage.KeyInt(d.statValue(col, st, true))
	hi, okHi := storage.KeyInt(d.statValue(col, st, false))
	return lo, hi, okLo && okHi && lo <= hi
}
