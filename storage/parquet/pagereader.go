package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"unsafe"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// The page reader decodes the pages of a flat column chunk (no
// repetition, at most one definition level) itself, for the encodings
// and layouts nearly every writer produces: PLAIN and dictionary values,
// RLE definition levels, data pages v1 and v2, any codec arrow-go
// registers. arrow-go's column readers copy each compressed page out of
// the chunk buffer, decompress it, decode values into their own slice and
// then into the caller's (for strings through a slice header per value);
// here a page is decompressed once and decoded straight into the final
// array — a PLAIN page of a required column is decompressed into it —
// and pages wholly outside the rows wanted are passed over without being
// decompressed. Anything else (other encodings, encryption, old writers'
// chunk lengths) returns errFallback and the chunk is read by arrow-go.

// errFallback says the page reader does not cover a chunk.
var errFallback = errors.New("parquet: chunk left to arrow-go's reader")

// pageReader walks the pages of one column chunk. Not safe for
// concurrent use; the slices it returns are valid until the next page.
// release returns its scratch buffers for the next chunk's reader.
type pageReader struct {
	buf    []byte // the chunk
	pos    int
	codec  compress.Codec // nil: uncompressed
	maxDef int16
	*pageScratch
}

// pageScratch is a page reader's buffers, reused from chunk to chunk
// (a page's worth each: allocating them per chunk cost more than the
// decoding of small chunks).
type pageScratch struct {
	scratch []byte // decompressed pages
	levels  []uint8
	idx     []uint32
	pcs     []piece // a walk's pieces of a page
	spcs    []piece // and of its selected rows (one per row when sparse)
	starts  []int32 // a text page's values in its bytes
	ends    []int32
}

var scratchPool = sync.Pool{New: func() any { return new(pageScratch) }}

func (p *pageReader) release() {
	if p.pageScratch != nil {
		scratchPool.Put(p.pageScratch)
		p.pageScratch = nil
	}
}

// newPageReader reads the chunk of leaf in row group rgm from r, or
// returns errFallback when the page reader does not cover it.
func newPageReader(r io.ReaderAt, fmd *metadata.FileMetaData, rgm *metadata.RowGroupMetaData, leaf int, maxDef int16) (*pageReader, error) {
	if maxDef > 1 {
		return nil, errFallback
	}
	if fmd != nil && fmd.WriterVersion().LessThan(metadata.Parquet816FixedVersion) {
		return nil, errFallback // chunk lengths that leave out the dictionary's header
	}
	cc, err := rgm.ColumnChunk(leaf)
	if err != nil {
		return nil, err
	}
	if cc.CryptoMetadata() != nil {
		return nil, errFallback
	}
	for _, e := range cc.Encodings() {
		switch e {
		case pq.Encodings.Plain, pq.Encodings.PlainDict, pq.Encodings.RLEDict, pq.Encodings.RLE, pq.Encodings.BitPacked:
		default:
			return nil, errFallback
		}
	}
	pr := &pageReader{maxDef: maxDef, pageScratch: scratchPool.Get().(*pageScratch)}
	if c := cc.Compression(); c != compress.Codecs.Uncompressed {
		if pr.codec, err = compress.GetCodec(c); err != nil {
			return nil, errFallback
		}
	}
	off := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < off {
		off = cc.DictionaryPageOffset()
	}
	n := cc.TotalCompressedSize()
	if off < 0 || n < 0 || n > 1<<31 {
		return nil, fmt.Errorf("invalid column chunk metadata, offset (%d) and length (%d)", off, n)
	}
	if bs, ok := r.(storage.ByteLender); ok {
		if b, ok := bs.Bytes(off, n); ok {
			pr.buf = b
			return pr, nil
		}
	}
	pr.buf = types.NoZero[byte](int(n))
	got, err := r.ReadAt(pr.buf, off)
	if int64(got) != n {
		if err == nil || errors.Is(err, io.EOF) {
			err = fmt.Errorf("parquet: tried reading %d bytes at %d, got %d", n, off, got)
		}
		return nil, err
	}
	if m, ok := r.(*chunkMemo); ok {
		m.chunks[off] = pr.buf
	}
	return pr, nil
}

// chunkMemo keeps the chunks page readers read through it, for one
// morsel's read: a column read twice (its predicate evaluated, then its
// selected rows decoded) comes from the file once. Not safe for
// concurrent use.
type chunkMemo struct {
	io.ReaderAt
	chunks map[int64][]byte // by offset
}

func newChunkMemo(r io.ReaderAt) *chunkMemo {
	return &chunkMemo{ReaderAt: r, chunks: map[int64][]byte{}}
}

func (c *chunkMemo) Bytes(off, n int64) ([]byte, bool) {
	if b, ok := c.chunks[off]; ok && int64(len(b)) == n {
		return b, true
	}
	if bs, ok := c.ReaderAt.(storage.ByteLender); ok {
		b, ok := bs.Bytes(off, n)
		if ok {
			c.chunks[off] = b
		}
		return b, ok
	}
	return nil, false
}

// page is one page as the readers use it.
type page struct {
	h      pageHeader
	rows   int    // data pages: rows (a flat column: one value slot each)
	levels []byte // RLE definition levels (no length prefix)
	values []byte // decompressed values (nil until decompressed)
	raw    []byte // compressed values
}

// next returns the next page header and its bytes, io.EOF after the last.
func (p *pageReader) next() (page, error) {
	if p.pos >= len(p.buf) {
		return page{}, io.EOF
	}
	h, n, err := parsePageHeader(p.buf[p.pos:])
	if err != nil {
		return page{}, err
	}
	p.pos += n
	if int(h.compressedSize) > len(p.buf)-p.pos {
		return page{}, fmt.Errorf("parquet: page of %d bytes passes the column chunk's end", h.compressedSize)
	}
	body := p.buf[p.pos : p.pos+int(h.compressedSize)]
	p.pos += int(h.compressedSize)
	pg := page{h: h, raw: body}
	switch h.typ {
	case pageData:
		if !h.hasV1 {
			return page{}, errThrift
		}
		pg.rows = int(h.numValues)
	case pageDataV2:
		if !h.hasV2 || h.repBytes != 0 {
			return page{}, errFallback
		}
		if int(h.defBytes) > len(body) {
			return page{}, errThrift
		}
		pg.rows = int(h.numRows)
		if h.numValues != h.numRows {
			return page{}, errFallback
		}
		pg.levels, pg.raw = body[:h.defBytes], body[h.defBytes:]
	case pageDict:
		if !h.hasDic {
			return page{}, errThrift
		}
	}
	return pg, nil
}

// decompress returns pg's values (v1: with its levels in front), into
// dst when dst is large enough, else into the reader's scratch.
func (p *pageReader) decompress(pg *page, dst []byte) ([]byte, error) {
	size := int(pg.h.uncompressedSize)
	if pg.h.typ == pageDataV2 {
		size -= int(pg.h.defBytes)
		if !pg.h.compressed {
			return pg.raw, nil
		}
	}
	if p.codec == nil {
		return pg.raw, nil
	}
	if size < 0 {
		return nil, errThrift
	}
	if len(dst) < size {
		if cap(p.scratch) < size {
			p.scratch = types.NoZero[byte](size + size/4)
		}
		dst = p.scratch[:size]
	}
	dst = dst[:size]
	out, err := compress.Decode(p.codec, dst, pg.raw)
	if err != nil {
		return nil, err
	}
	if len(out) != size {
		return nil, fmt.Errorf("parquet: page decompressed to %d bytes, its header says %d", len(out), size)
	}
	if size > 0 && &out[0] != &dst[0] {
		copy(dst, out)
		out = dst
	}
	return out, nil
}

// splitV1 separates a decompressed v1 page into its levels and values.
func (p *pageReader) splitV1(pg *page, b []byte) error {
	if p.maxDef == 0 {
		pg.values = b
		return nil
	}
	switch pg.h.defEnc {
	case encRLE:
	default:
		return errFallback
	}
	if len(b) < 4 {
		return errThrift
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return errThrift
	}
	pg.levels, pg.values = b[4:4+n], b[4+n:]
	return nil
}

// load decompresses pg into pg.values and decodes its definition levels
// into p.levels; it returns how many of its rows hold a value.
func (p *pageReader) load(pg *page, dst []byte) (int, error) {
	b, err := p.decompress(pg, dst)
	if err != nil {
		return 0, err
	}
	if pg.h.typ == pageData {
		if err := p.splitV1(pg, b); err != nil {
			return 0, err
		}
	} else {
		pg.values = b
	}
	if p.maxDef == 0 {
		return pg.rows, nil
	}
	if cap(p.levels) < pg.rows {
		p.levels = types.NoZero[uint8](pg.rows + pg.rows/4)
	}
	lv := p.levels[:pg.rows]
	if err := decodeHybrid(pg.levels, 1, lv); err != nil {
		return 0, fmt.Errorf("definition levels: %w", err)
	}
	nn := 0
	for _, l := range lv {
		nn += int(l)
	}
	return nn, nil
}

// indices decodes a dictionary page's RLE indices for nn values.
func (p *pageReader) indices(vals []byte, nn int) ([]uint32, error) {
	if cap(p.idx) < nn {
		p.idx = types.NoZero[uint32](nn + nn/4)
	}
	return indicesInto(vals, p.idx[:nn])
}

// indicesInto decodes a dictionary page's RLE indices into idx.
func indicesInto(vals []byte, idx []uint32) ([]uint32, error) {
	if len(idx) == 0 {
		return idx, nil
	}
	if len(vals) < 1 {
		return nil, errThrift
	}
	w := int(vals[0])
	if w > 32 {
		return nil, fmt.Errorf("parquet: dictionary index width %d", w)
	}
	return idx, decodeHybrid(vals[1:], w, idx)
}

// decodeHybrid decodes len(out) values of Parquet's RLE / bit-packed
// hybrid encoding at width bits each.
func decodeHybrid[T uint8 | uint32](data []byte, width int, out []T) error {
	n := len(out)
	vb := (width + 7) / 8
	mask := uint64(1)<<width - 1
	p, i := 0, 0
	for i < n {
		h, k := binary.Uvarint(data[p:])
		if k <= 0 {
			return errors.New("parquet: RLE run header")
		}
		p += k
		if h&1 == 0 { // RLE run (bit-packed runs have the low bit set)
			cnt := int(min(h>>1, uint64(n-i)))
			if p+vb > len(data) {
				return errors.New("parquet: RLE run passes the end")
			}
			var v uint64
			for b := 0; b < vb; b++ {
				v |= uint64(data[p+b]) << (8 * b)
			}
			p += vb
			if v > mask && width < 64 {
				return errors.New("parquet: RLE value wider than its width")
			}
			fill := out[i : i+cnt]
			for j := range fill {
				fill[j] = T(v)
			}
			i += cnt
			continue
		}
		groups := h >> 1
		if groups > uint64(len(data)) {
			return errors.New("parquet: bit-packed run passes the end")
		}
		cnt := int(min(groups*8, uint64(n-i)))
		runBytes := int(groups) * width
		need := (cnt*width + 7) / 8
		if p+need > len(data) {
			return errors.New("parquet: bit-packed run passes the end")
		}
		unpack(data[p:min(p+runBytes, len(data))], width, mask, out[i:i+cnt])
		p += min(runBytes, len(data)-p)
		i += cnt
	}
	return nil
}

// unpack reads len(out) values of width bits from run, LSB first.
func unpack[T uint8 | uint32](run []byte, width int, mask uint64, out []T) {
	if width == 0 {
		clear(out)
		return
	}
	if len(run) >= (len(out)*width+7)/8+8 {
		unpackIn(run, width, mask, out)
		return
	}
	// the last values' eight-byte windows pass run's end: they are
	// unpacked from a zero-padded copy, eight at a time like the others
	// (the short runs of flag columns are nothing but such values, and
	// were read a byte at a time: a tenth of TPC-H q01)
	k := 0 // values unpacked in place, a multiple of eight
	if len(run) > 120 {
		k = (len(run) - 120) * 8 / width &^ 7
		unpackIn(run, width, mask, out[:k])
	}
	// the rest starts at most 120 bytes and 7 values (of ≤ 32 bits) from
	// run's end: its windows end inside the pad
	var pad [192]byte
	copy(pad[:], run[k*width/8:])
	unpackIn(pad[:], width, mask, out[k:])
}

// unpackIn is unpack where most values' eight-byte windows lie inside
// run (the rest are read byte by byte).
func unpackIn[T uint8 | uint32](run []byte, width int, mask uint64, out []T) {
	// the values whose eight-byte window lies inside run are loaded
	// without bounds checks: value j needs bytes (j*width)>>3 .. +8
	fast := 0
	if len(run) >= 8 {
		fast = min(len(out), ((len(run)-8)*8+7)/width+1)
	}
	base := unsafe.Pointer(unsafe.SliceData(run))
	done := 0
	if width <= 16 {
		done = unpack8(run, width, mask, out)
	}
	bit := done * width
	for j := done; j < fast; j++ {
		out[j] = T(*(*uint64)(unsafe.Add(base, bit>>3)) >> (bit & 7) & mask)
		bit += width
	}
	for j := max(fast, done); j < len(out); j++ {
		var w uint64
		for b := 0; b < 8 && bit>>3+b < len(run); b++ {
			w |= uint64(run[bit>>3+b]) << (8 * b)
		}
		out[j] = T(w >> (bit & 7) & mask)
		bit += width
	}
}

// unpack8 unpacks whole groups of eight values of width ≤ 16 bits, the
// dictionary indices and levels of most pages: a group is width bytes,
// its first four values lie in the eight bytes at its start and the
// other four in the eight bytes from its middle (4·width bits in), so
// two loads and fixed shifts give all eight, where the value-by-value
// loop loads and shifts by a moving amount for each. It returns how
// many values it wrote (the groups whose bytes lie inside run).
func unpack8[T uint8 | uint32](run []byte, width int, mask uint64, out []T) int {
	half := (4 * width) >> 3 // the second four's first byte
	hs := uint(4*width) & 7  // and bit in it
	if len(run) < half+8 || len(out) < 8 {
		return 0
	}
	groups := min(len(out)/8, (len(run)-half-8)/width+1)
	base := unsafe.Pointer(unsafe.SliceData(run))
	w1, w2, w3 := uint(width), uint(2*width), uint(3*width)
	for g := 0; g < groups; g++ {
		p := unsafe.Add(base, g*width)
		lo := *(*uint64)(p)
		hi := *(*uint64)(unsafe.Add(p, half)) >> hs
		o := out[g*8 : g*8+8 : g*8+8]
		o[0] = T(lo & mask)
		o[1] = T(lo >> w1 & mask)
		o[2] = T(lo >> w2 & mask)
		o[3] = T(lo >> w3 & mask)
		o[4] = T(hi & mask)
		o[5] = T(hi >> w1 & mask)
		o[6] = T(hi >> w2 & mask)
		o[7] = T(hi >> w3 & mask)
	}
	return groups * 8
}

// walk steps through a chunk's data pages that hold rows of ranges (with
// sel, ascending positions among those rows: that hold selected rows).
type walk struct {
	p      *pageReader
	ranges []rowRange
	ri     int
	pos    int64 // chunk row at the next page
	last   int64 // the end of the last range
	sel    []int32
	si     int   // the next selected row
	got    int64 // rows of ranges passed

	// bySel: a page the ranges take whole comes without pieces, its
	// selected rows being rows[i]-base (sel's own entries), for the
	// caller to pick from directly or turn into runs when it wants them
	// (building runs per selected row was a tenth of a selective scan)
	bySel bool
	rows  []int32
	base  int64
}

func newWalk(p *pageReader, ranges []rowRange, sel []int32) *walk {
	w := &walk{p: p, ranges: ranges, sel: sel}
	if len(ranges) > 0 {
		w.last = ranges[len(ranges)-1].end
	}
	return w
}

// next returns the next data page holding rows of the ranges (and of the
// selection), with the parts of it they select as page rows (reused by
// the next call); dictionary pages it meets go to dict, after a check of
// their encoding; pages holding none are passed over, not decompressed.
// ok is false after the last range or selected row.
func (w *walk) next(dict func(b []byte, n int) error) (pg page, pcs []piece, ok bool, err error) {
	for w.pos < w.last && (w.sel == nil || w.si < len(w.sel)) {
		pg, err := w.p.next()
		if err == io.EOF {
			return page{}, nil, false, fmt.Errorf("parquet: column chunk ends at row %d, before row %d", w.pos, w.last)
		}
		if err != nil {
			return page{}, nil, false, err
		}
		switch pg.h.typ {
		case pageDict:
			if pg.h.encoding != encPlain && pg.h.encoding != encPlainDict {
				return page{}, nil, false, errFallback
			}
			b, err := w.p.decompress(&pg, nil)
			if err != nil {
				return page{}, nil, false, err
			}
			if err := dict(b, int(pg.h.numValues)); err != nil {
				return page{}, nil, false, err
			}
			continue
		case pageData, pageDataV2:
		default:
			continue
		}
		start := w.pos
		w.pos += int64(pg.rows)
		p := w.p
		p.pcs = pieces(w.ranges, &w.ri, start, w.pos, p.pcs)
		if len(p.pcs) == 0 {
			continue
		}
		if w.sel == nil {
			return pg, p.pcs, true, nil
		}
		if w.bySel && len(p.pcs) == 1 && p.pcs[0].a == 0 && p.pcs[0].b == pg.rows {
			end := w.got + int64(pg.rows)
			rest := w.sel[w.si:]
			j := sort.Search(len(rest), func(i int) bool { return int64(rest[i]) >= end })
			w.rows, w.base = rest[:j], w.got
			w.si, w.got = w.si+j, end
			if j > 0 {
				return pg, nil, true, nil
			}
			continue
		}
		w.rows = nil
		// the runs of selected rows
		if p.spcs = selPieces(p.pcs, w.sel, &w.si, &w.got, p.spcs); len(p.spcs) > 0 {
			return pg, p.spcs, true, nil
		}
	}
	return page{}, nil, false, nil
}

// piece is a part of a page the ranges select, in rows from its start.
type piece struct{ a, b int }

// pieces returns the parts of chunk rows [start, end) that ranges
// select; *ri moves past the ranges that end by start.
func pieces(ranges []rowRange, ri *int, start, end int64, dst []piece) []piece {
	dst = dst[:0]
	for *ri < len(ranges) && ranges[*ri].end <= start {
		*ri++
	}
	for k := *ri; k < len(ranges) && ranges[k].start < end; k++ {
		a, b := max(start, ranges[k].start), min(end, ranges[k].end)
		if a < b {
			dst = append(dst, piece{int(a - start), int(b - start)})
		}
	}
	return dst
}

// fixedValue is a physical type stored as little-endian fixed-width
// values.
type fixedValue interface {
	int32 | int64 | float32 | float64
}

// validity builds the validity bitmap of a chunk read as pages arrive:
// none until the first NULL.
type validity struct {
	bits  []byte
	rows  int64
	nulls int
}

// add records rows [at, at+n) of the output: lv[a:a+n] their levels, or
// all valid when lv is nil.
func (v *validity) add(at int64, lv []uint8, a, n int) {
	if lv == nil {
		if v.bits != nil {
			setBits(v.bits, at, int64(n), true)
		}
		return
	}
	if v.bits == nil {
		v.bits = make([]byte, (v.rows+7)/8)
		setBits(v.bits, 0, at, true)
	}
	for k, l := range lv[a : a+n] {
		if l != 0 {
			i := at + int64(k)
			v.bits[i>>3] |= 1 << (i & 7)
		} else {
			v.nulls++
		}
	}
}

// set records output row i as valid or NULL.
func (v *validity) set(i int64, ok bool) {
	if ok {
		if v.bits != nil {
			v.bits[i>>3] |= 1 << (i & 7)
		}
		return
	}
	if v.bits == nil {
		v.bits = make([]byte, (v.rows+7)/8)
		setBits(v.bits, 0, i, true)
	}
	v.nulls++
}

func setBits(b []byte, at, n int64, on bool) {
	for i := at; i < at+n; i++ {
		if on {
			b[i>>3] |= 1 << (i & 7)
		} else {
			b[i>>3] &^= 1 << (i & 7)
		}
	}
}

// readPagesFixed reads the rows in ranges of a fixed-width chunk; with
// sel (ascending positions among those rows), only the selected rows,
// and pages holding none of them are not decompressed.
func readPagesFixed[T fixedValue](p *pageReader, ranges []rowRange, sel []int32) ([]T, []byte, int, error) {
	rows := rangeRows(ranges)
	nOut := rows
	if sel != nil {
		nOut = int64(len(sel))
	}
	out := types.NoZero[T](int(nOut))
	var zero T
	size := int(unsafe.Sizeof(zero))
	val := validity{rows: nOut}
	var dict []T
	var tmp []T
	var put int64 // rows written
	w := newWalk(p, ranges, sel)
	w.bySel = true
	onDict := func(b []byte, nd int) error {
		if nd*size > len(b) {
			return errors.New("parquet: dictionary page shorter than its values")
		}
		dict = types.NoZero[T](nd)
		copy(asBytes(dict), b)
		return nil
	}
	for {
		pg, pcs, ok, err := w.next(onDict)
		if err != nil {
			return nil, nil, 0, err
		}
		if !ok {
			break
		}
		// rows: the selected rows of a page taken whole (no pieces yet)
		rows, base := w.rows, int(w.base)
		picks := len(rows)
		for _, pc := range pcs {
			picks += pc.b - pc.a
		}
		// few rows of a page without NULLs are read alone (dictionary
		// entries or PLAIN values); otherwise the page is decoded whole
		// and its pieces copied
		sparse := sel != nil && picks*4 < pg.rows
		whole := len(pcs) == 1 && pcs[0].a == 0 && pcs[0].b == pg.rows || rows != nil && picks == pg.rows
		if whole && rows != nil {
			rows, pcs = nil, append(p.spcs[:0], piece{0, pg.rows})
		}
		// a PLAIN page of a required column decompresses into dst
		direct := p.maxDef == 0 && pg.h.encoding == encPlain && pg.h.typ == pageData && !sparse
		// rows past the last piece are not decoded (a streamed scan's
		// first batch, a page index's range ending inside a page)
		upto := pg.rows
		if !whole {
			upto = 0
			for _, pc := range pcs {
				upto = max(upto, pc.b)
			}
			if rows != nil {
				upto = int(rows[len(rows)-1]) - base + 1
			}
		}
		// dst: where the page's values go before their pieces are copied
		// out; a sparse page picks from the page itself and needs none
		// (a page-sized buffer per morsel and column was most of a
		// selective scan's allocations)
		var dst []T
		grow := func(n int) []T {
			if cap(tmp) < n {
				tmp = types.NoZero[T](n)
			}
			return tmp[:n]
		}
		if whole {
			dst = out[put : put+int64(pg.rows)]
		} else if direct {
			dst = grow(pg.rows)
		}
		var into []byte
		if direct {
			into = asBytes(dst)
		}
		nn, err := p.load(&pg, into)
		if err != nil {
			return nil, nil, 0, err
		}
		if nn > pg.rows {
			return nil, nil, 0, errThrift
		}
		var lv []uint8
		if nn < pg.rows {
			lv = p.levels[:pg.rows]
		}
		sparse = sparse && lv == nil
		if dst == nil && !sparse {
			dst = grow(upto)
		}
		if rows != nil && !sparse {
			pcs = runsOf(rows, base, p.spcs)
			p.spcs = pcs
		}
		// nu: the values (non-NULL rows) among the rows up to upto
		nu := nn
		if upto < pg.rows {
			nu = upto
			if lv != nil {
				nu = 0
				for _, l := range lv[:upto] {
					nu += int(l)
				}
			}
		}
		switch pg.h.encoding {
		case encPlain:
			if nn*size > len(pg.values) {
				return nil, nil, 0, errors.New("parquet: page shorter than its values")
			}
			if sparse {
				vals := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(pg.values))), nn)
				if rows != nil {
					put = pickRows(rows, base, put, vals, out, &val)
				} else {
					put = pickFrom(pcs, put, vals, out, &val)
				}
				continue
			}
			if into == nil || unsafe.SliceData(pg.values) != unsafe.SliceData(into) {
				copy(asBytes(dst[:nu]), pg.values[:nu*size])
			}
		case encPlainDict, encRLEDict:
			if dict == nil {
				return nil, nil, 0, errors.New("parquet: dictionary-encoded page without a dictionary")
			}
			if sparse && rows != nil {
				if put, err = pickHybridRows(pg.values, nu, rows, base, put, dict, out, &val); err != nil {
					return nil, nil, 0, err
				}
				continue
			}
			idx, err := p.indices(pg.values, nu)
			if err != nil {
				return nil, nil, 0, err
			}
			if sparse {
				for _, x := range idx {
					if int(x) >= len(dict) {
						return nil, nil, 0, fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(dict))
					}
				}
				put = pickDict(pcs, put, dict, idx, out, &val) // rows == nil: picked above
				continue
			}
			if err := gather(dst[:nu], dict, idx); err != nil {
				return nil, nil, 0, err
			}
		default:
			return nil, nil, 0, errFallback
		}
		if lv != nil {
			spread(dst[:upto], nu, lv[:upto])
		}
		for _, pc := range pcs {
			if !whole {
				copy(out[put:], dst[pc.a:pc.b])
			}
			val.add(put, lv, pc.a, pc.b-pc.a)
			put += int64(pc.b - pc.a)
		}
	}
	if put != nOut {
		return nil, nil, 0, fmt.Errorf("parquet: read %d rows of %d", put, nOut)
	}
	return out, val.bits, val.nulls, nil
}

// selPieces turns a page's pieces (the ranges' rows *got onward) into the
// runs of selected rows among them, as page rows, in dst (which must not
// share pcs's memory); *si and *got move past the page.
func selPieces(pcs []piece, sel []int32, si *int, got *int64, dst []piece) []piece {
	out := dst[:0]
	g := *got
	for _, pc := range pcs {
		end := g + int64(pc.b-pc.a)
		for *si < len(sel) && int64(sel[*si]) < end {
			r := pc.a + int(int64(sel[*si])-g)
			if n := len(out); n > 0 && out[n-1].b == r {
				out[n-1].b++
			} else {
				out = append(out, piece{r, r + 1})
			}
			*si++
		}
		g = end
	}
	*got = g
	return out
}

// pickFrom writes the rows of pcs (page rows, all valid) of vals to
// out from put on and returns the new put. Pieces of a selection are
// mostly single rows: those are one assignment, not a copy call.
func pickFrom[T any](pcs []piece, put int64, vals, out []T, val *validity) int64 {
	first := put
	for _, pc := range pcs {
		if pc.b-pc.a == 1 {
			out[put] = vals[pc.a]
			put++
			continue
		}
		put += int64(copy(out[put:], vals[pc.a:pc.b]))
	}
	val.add(first, nil, 0, int(put-first))
	return put
}

// runsOf is a page's selected rows (rows[i]-base) as runs, in dst.
func runsOf(rows []int32, base int, dst []piece) []piece {
	out := dst[:0]
	for _, r := range rows {
		r := int(r) - base
		if n := len(out); n > 0 && out[n-1].b == r {
			out[n-1].b++
		} else {
			out = append(out, piece{r, r + 1})
		}
	}
	return out
}

// pickRows is pickFrom for a page's selected rows (rows[i]-base).
func pickRows[T any](rows []int32, base int, put int64, vals, out []T, val *validity) int64 {
	o := out[put : put+int64(len(rows))]
	for i, r := range rows {
		o[i] = vals[int(r)-base]
	}
	val.add(put, nil, 0, len(rows))
	return put + int64(len(rows))
}

// pickHybridRows picks a page's selected rows (rows[i]-base) from
// dict, reading each one's index in the page's RLE / bit-packed hybrid
// data (vals: the width byte, then nn indices, one per row): a sparse
// selection decodes the indices it picks and no others (decoding all of
// them was a tenth of a selective scan).
func pickHybridRows[T any](vals []byte, nn int, rows []int32, base int, put int64, dict []T, out []T, val *validity) (int64, error) {
	if len(vals) < 1 {
		return put, errThrift
	}
	width := int(vals[0])
	if width > 32 {
		return put, fmt.Errorf("parquet: dictionary index width %d", width)
	}
	data := vals[1:]
	mask := uint64(1)<<width - 1
	vb := (width + 7) / 8
	o := out[put : put+int64(len(rows))]
	o = o[:len(rows)] // k < len(rows) bounds o's writes
	k := 0            // the next of rows
	p, i := 0, 0
	for i < nn && k < len(rows) {
		h, n := binary.Uvarint(data[p:])
		if n <= 0 {
			return put, errors.New("parquet: RLE run header")
		}
		p += n
		if h&1 == 0 { // RLE run
			cnt := int(min(h>>1, uint64(nn-i)))
			if p+vb > len(data) {
				return put, errors.New("parquet: RLE run passes the end")
			}
			var v uint64
			for b := 0; b < vb; b++ {
				v |= uint64(data[p+b]) << (8 * b)
			}
			p += vb
			if v >= uint64(len(dict)) {
				return put, fmt.Errorf("parquet: dictionary index %d past its %d entries", v, len(dict))
			}
			x := dict[v]
			end := int32(base + i + cnt)
			for ; k < len(rows) && rows[k] < end; k++ {
				o[k] = x
			}
			i += cnt
			continue
		}
		groups := h >> 1
		if groups > uint64(len(data)) {
			return put, errors.New("parquet: bit-packed run passes the end")
		}
		cnt := int(min(groups*8, uint64(nn-i)))
		runBytes := int(groups) * width
		if p+(cnt*width+7)/8 > len(data) {
			return put, errors.New("parquet: bit-packed run passes the end")
		}
		run := data[p:min(p+runBytes, len(data))]
		start, end := base+i, int32(base+i+cnt)
		rp := unsafe.Pointer(unsafe.SliceData(run))
		for ; k < len(rows) && rows[k] < end; k++ {
			bit := (int(rows[k]) - start) * width
			at := bit >> 3
			var w uint64
			if at+8 <= len(run) {
				w = *(*uint64)(unsafe.Add(rp, at)) // inside run, checked above
			} else {
				for b := 0; b < 8 && at+b < len(run); b++ {
					w |= uint64(run[at+b]) << (8 * b)
				}
			}
			x := w >> (bit & 7) & mask
			if x >= uint64(len(dict)) {
				return put, fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(dict))
			}
			o[k] = dict[x]
		}
		p += min(runBytes, len(data)-p)
		i += cnt
	}
	if k < len(rows) {
		return put, fmt.Errorf("parquet: page of %d values has no row %d", nn, int(rows[k])-base)
	}
	val.add(put, nil, 0, len(rows))
	return put + int64(len(rows)), nil
}

// pickDict is pickFrom for a dictionary page: row r's value is
// dict[idx[r]] (idx checked against dict by the caller).
func pickDict[T any](pcs []piece, put int64, dict []T, idx []uint32, out []T, val *validity) int64 {
	first := put
	for _, pc := range pcs {
		for _, x := range idx[pc.a:pc.b] {
			out[put] = dict[x]
			put++
		}
	}
	val.add(first, nil, 0, int(put-first))
	return put
}

// gather writes dict[idx[i]] to dst[i].
func gather[T any](dst, dict []T, idx []uint32) error {
	dst = dst[:len(idx)]
	for i, x := range idx {
		if int(x) >= len(dict) {
			return fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(dict))
		}
		dst[i] = dict[x]
	}
	return nil
}

// spread moves the nn values at the front of dst to the rows whose level
// is 1, zeroing the others.
func spread[T any](dst []T, nn int, lv []uint8) {
	var zero T
	j := nn - 1
	for i := len(lv) - 1; i >= 0; i-- {
		if lv[i] != 0 {
			dst[i] = dst[j]
			j--
		} else {
			dst[i] = zero
		}
	}
}

// growBytes makes room for n more bytes in data, and for about rest
// after them when it must grow.
func growBytes(data []byte, n int, rest int64) []byte {
	if cap(data)-len(data) >= n {
		return data
	}
	want := len(data) + n + int(min(rest, 1<<30))
	grown := types.NoZero[byte](max(want, 2*cap(data)))[:len(data)]
	copy(grown, data)
	return grown
}

// readPagesStrings reads the rows in ranges of a BYTE_ARRAY chunk into
// offsets and one data buffer.
func readPagesStrings(p *pageReader, ranges []rowRange, sel []int32) ([]int32, []byte, []byte, int, error) {
	rows := rangeRows(ranges)
	nOut := rows
	if sel != nil {
		nOut = int64(len(sel))
	}
	offsets := types.NoZero[int32](int(nOut) + 1)
	offsets[0] = 0
	var data []byte
	val := validity{rows: nOut}
	var vix []int32     // with a selection and NULLs: each row's value
	var dictOff []int32 // entry k is dictData[dictOff[k]:dictOff[k+1]]
	var dictData []byte
	oneByte := false                 // every dictionary entry is one byte long (flags, codes)
	starts, ends := p.starts, p.ends // the page's values in src
	defer func() { p.starts, p.ends = starts, ends }()
	var put int64 // rows written
	w := newWalk(p, ranges, sel)
	onDict := func(b []byte, nd int) error {
		ds, de, err := splitPlain(b, nd, nil, nil)
		if err != nil {
			return err
		}
		dictOff = make([]int32, nd+1)
		dictData = make([]byte, 0, len(b))
		for k := range ds {
			dictData = append(dictData, b[ds[k]:de[k]]...)
			dictOff[k+1] = int32(len(dictData))
		}
		oneByte = nd > 0
		for k := 0; k < nd; k++ {
			oneByte = oneByte && dictOff[k+1]-dictOff[k] == 1
		}
		return nil
	}
	for {
		pg, pcs, ok, err := w.next(onDict)
		if err != nil {
			return nil, nil, nil, 0, err
		}
		if !ok {
			break
		}
		nn, err := p.load(&pg, nil)
		if err != nil {
			return nil, nil, nil, 0, err
		}
		if nn > pg.rows {
			return nil, nil, nil, 0, errThrift
		}
		// rows past the last piece are not decoded; nu: the values among
		// the rows up to upto
		upto := 0
		for _, pc := range pcs {
			upto = max(upto, pc.b)
		}
		nu := nn
		if upto < pg.rows {
			nu = upto
			if nn < pg.rows {
				nu = 0
				for _, l := range p.levels[:upto] {
					nu += int(l)
				}
			}
		}
		if cap(starts) < nu || cap(ends) < nu {
			starts, ends = types.NoZero[int32](nu+nu/4), types.NoZero[int32](nu+nu/4)
		}
		starts, ends = starts[:nu], ends[:nu]
		var src []byte
		var oneIdx []uint32 // one-byte entries, no NULLs: the indices alone
		switch pg.h.encoding {
		case encPlain:
			src = pg.values
			if starts, ends, err = splitPlain(src, nu, starts, ends); err != nil {
				return nil, nil, nil, 0, err
			}
		case encPlainDict, encRLEDict:
			if dictOff == nil {
				return nil, nil, nil, 0, errors.New("parquet: dictionary-encoded page without a dictionary")
			}
			idx, err := p.indices(pg.values, nu)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			nd := uint32(len(dictOff) - 1)
			if oneByte && nn == pg.rows {
				oneIdx = idx // each index checked as it is copied
				break
			}
			for k, x := range idx {
				if x >= nd {
					return nil, nil, nil, 0, fmt.Errorf("parquet: dictionary index %d past its %d entries", x, nd)
				}
				starts[k], ends[k] = dictOff[x], dictOff[x+1]
			}
			src = dictData
		default:
			return nil, nil, nil, 0, errFallback
		}
		var lv []uint8
		if nn < pg.rows {
			lv = p.levels[:pg.rows]
		}
		if lv != nil {
			// each row's value: the values before it
			if cap(vix) < upto {
				vix = make([]int32, upto)
			}
			vix = vix[:upto]
			k := int32(0)
			for r, l := range lv[:upto] {
				vix[r] = k
				k += int32(l)
			}
		}
		for _, pc := range pcs {
			if oneIdx != nil {
				n := pc.b - pc.a
				data = growBytes(data, n, nOut-put)
				base := len(data)
				d := data[base : base+n]
				o := offsets[put+1 : put+1+int64(n)]
				o = o[:len(d)]
				dd := dictData[:min(len(dictOff)-1, len(dictData))] // one byte per entry
				for r, x := range oneIdx[pc.a:pc.b][:len(d)] {
					if x >= uint32(len(dd)) {
						return nil, nil, nil, 0, fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(dd))
					}
					d[r] = dd[x]
					o[r] = int32(base + r + 1)
				}
				data = data[:base+n]
				val.add(put, nil, pc.a, n)
				put += int64(n)
				continue
			}
			// j: the first value at or after row pc.a
			j := pc.a
			if lv != nil {
				j = int(vix[pc.a])
			}
			size := 0
			if lv == nil {
				for k := j; k < j+pc.b-pc.a; k++ {
					size += int(ends[k] - starts[k])
				}
			} else {
				for k, r := j, pc.a; r < pc.b; r++ {
					if lv[r] != 0 {
						size += int(ends[k] - starts[k])
						k++
					}
				}
			}
			if len(data)+size > 1<<31-1 {
				return nil, nil, nil, 0, errors.New("parquet: string column of more than 2 GiB in one row group")
			}
			data = growBytes(data, size, int64(size)*(nOut-put)/int64(pc.b-pc.a+1))
			base := len(data)
			d := data[base : base+size]
			o := offsets[put+1 : put+1+int64(pc.b-pc.a)]
			q := 0
			if lv == nil {
				for r := range o {
					s, e := starts[j+r], ends[j+r]
					if e-s == 1 {
						d[q] = src[s]
						q++
					} else {
						q += copy(d[q:], src[s:e])
					}
					o[r] = int32(base + q)
				}
			} else {
				k := j
				for r := range o {
					if lv[pc.a+r] != 0 {
						q += copy(d[q:], src[starts[k]:ends[k]])
						k++
					}
					o[r] = int32(base + q)
				}
			}
			data = data[:base+size]
			val.add(put, lv, pc.a, pc.b-pc.a)
			put += int64(pc.b - pc.a)
		}
	}
	if put != nOut {
		return nil, nil, nil, 0, fmt.Errorf("parquet: read %d rows of %d", put, nOut)
	}
	if data == nil {
		data = []byte{}
	}
	return offsets, data, val.bits, val.nulls, nil
}

// evalStringPages clears keep (one entry per row of ranges) where the
// chunk's text value fails t or is NULL, without building the strings:
// a dictionary's entries are tested once each and its rows take their
// entry's answer; PLAIN values are tested in place.
func evalStringPages(p *pageReader, ranges []rowRange, t strTest, keep []uint8) error {
	var starts, ends []int32
	dict := func(b []byte, nd int) ([]uint8, error) {
		ds, de, err := splitPlain(b, nd, nil, nil)
		if err != nil {
			return nil, err
		}
		pass := make([]uint8, len(ds))
		for k := range ds {
			pass[k] = b2u(t.test(b[ds[k]:de[k]]))
		}
		return pass, nil
	}
	plain := func(src []byte, nn int, vals []uint8) (err error) {
		if starts, ends, err = splitPlain(src, nn, starts, ends); err != nil {
			return err
		}
		for k := range starts {
			vals[k] = b2u(t.test(src[starts[k]:ends[k]]))
		}
		return nil
	}
	return evalPages(p, ranges, keep, nil, false, dict, plain, nil)
}

// errNotDict: a chunk whose first page is not a dictionary, or whose
// dictionary passes too many entries to be worth a selection; keep is
// untouched and the column is better decoded whole.
var errNotDict = errors.New("parquet: chunk not evaluated by its dictionary")

// evalIntPages is evalStringPages for an integer column (T its physical
// type) and a conjunction of integer predicates: the dictionary's
// entries are tested once each and its rows take their entry's answer
// through their indices, never gathering the values. A chunk that does
// not start with a dictionary, or whose dictionary passes more than
// keepShare of its entries (the selection would be dropped and the
// column decoded anyway), is errNotDict with keep untouched. The rows'
// indices come back with the dictionary when no row is NULL and every
// page is dictionary-encoded, for the rows that pass to be gathered
// from them; else nil.
func evalIntPages[T int32 | int64](p *pageReader, ranges []rowRange, t intTest, keep []uint8, so *selOut) (*dictRows[T], error) {
	var d dictRows[T]
	dict := func(b []byte, nd int) ([]uint8, error) {
		var zero T
		if nd*int(unsafe.Sizeof(zero)) > len(b) {
			return nil, errors.New("parquet: dictionary page shorter than its values")
		}
		vals := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), nd)
		pass := make([]uint8, nd)
		for k := range pass {
			pass[k] = 1
		}
		runIntTest(t, vals, pass)
		n := 0
		for _, v := range pass {
			n += int(v)
		}
		if d.dict == nil && float64(n) > keepShare*float64(nd) {
			return nil, errNotDict
		}
		// b is the reader's scratch, which the next page reuses
		d.dict = append(make([]T, 0, nd), vals...)
		return pass, nil
	}
	plain := func(src []byte, nn int, out []uint8) error {
		var zero T
		if nn*int(unsafe.Sizeof(zero)) > len(src) {
			return errors.New("parquet: page shorter than its values")
		}
		vals := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(src))), nn)
		out = out[:nn]
		for k := range out {
			out[k] = 1
		}
		runIntTest(t, vals, out)
		return nil
	}
	if err := evalPages(p, ranges, keep, so, true, dict, plain, &d.idx); err != nil {
		return nil, err
	}
	if d.idx == nil {
		return nil, nil
	}
	return &d, nil
}

// dictRows is an integer chunk's rows (those of the ranges read) as
// indices into its dictionary (all checked against it).
type dictRows[T int32 | int64] struct {
	dict []T
	idx  []uint32
}

// rowIdxPool holds dictRows' index buffers (*[]uint32): a row group's
// worth, which fresh from the heap cost more in page faults than their
// decoding.
var rowIdxPool sync.Pool

// rowIndices is an empty index buffer for n rows.
func rowIndices(n int) []uint32 {
	return fromPool[uint32](&rowIdxPool, n)[:0]
}

// fromPool returns n elements of a buffer from p (a pool of *[]T), or
// a new one when the pool has none that large. Their values are left as
// they were.
func fromPool[T uint8 | uint32 | int32](p *sync.Pool, n int) []T {
	if b, ok := p.Get().(*[]T); ok && cap(*b) >= n {
		return (*b)[:n]
	}
	return types.NoZero[T](n)
}

// release returns d's indices to the pool; d is not used after.
func (d *dictRows[T]) release() {
	if d.idx != nil {
		b := d.idx
		rowIdxPool.Put(&b)
		d.idx = nil
	}
}

// values gathers the rows of sel (all rows when sel is nil).
func (d *dictRows[T]) values(sel []int32) []T {
	if sel == nil {
		out := types.NoZero[T](len(d.idx))
		for i, x := range d.idx {
			out[i] = d.dict[x]
		}
		return out
	}
	out := types.NoZero[T](len(sel))
	for i, r := range sel {
		out[i] = d.dict[d.idx[r]]
	}
	return out
}

// evalPages clears keep (one entry per row of ranges) where the chunk's
// value fails a test or is NULL: dict answers the test for each entry of
// a dictionary page, plain for the nn values of a PLAIN page (into out).
// With dictFirst, a data page before any dictionary is errNotDict, keep
// untouched. With saved, *saved ends as every row's dictionary index
// when all pages are dictionary-encoded without NULLs, else nil.
// With so (and keep nil), the passing rows are listed in so instead,
// and a page other than a whole dictionary page without NULLs is
// errNotWhole.
func evalPages(p *pageReader, ranges []rowRange, keep []uint8, so *selOut, dictFirst bool, dict func(b []byte, nd int) ([]uint8, error), plain func(b []byte, nn int, out []uint8) error, saved *[]uint32) error {
	n := int64(len(keep))
	if so != nil {
		n = int64(len(so.rows))
	}
	if saved != nil {
		*saved = rowIndices(int(n))
	}
	var pass []uint8 // per dictionary entry
	var got int64
	var vals []uint8 // per page row: 1 when its value passes
	w := newWalk(p, ranges, nil)
	onDict := func(b []byte, nd int) (err error) {
		pass, err = dict(b, nd)
		return err
	}
	for {
		pg, pcs, ok, err := w.next(onDict)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if pass == nil && dictFirst {
			return errNotDict
		}
		nn, err := p.load(&pg, nil)
		if err != nil {
			return err
		}
		if nn > pg.rows {
			return errThrift
		}
		// vals is made only for pages that need it: the common page
		// (dictionary, whole, no NULLs) clears keep directly
		rowVals := func() []uint8 {
			if cap(vals) < pg.rows {
				vals = make([]uint8, pg.rows)
			}
			vals = vals[:pg.rows]
			return vals
		}
		if saved != nil && (nn < pg.rows || pg.h.encoding == encPlain) {
			*saved, saved = nil, nil
		}
		switch pg.h.encoding {
		case encPlain:
			if err := plain(pg.values, nn, rowVals()); err != nil {
				return err
			}
		case encPlainDict, encRLEDict:
			if pass == nil {
				return errors.New("parquet: dictionary-encoded page without a dictionary")
			}
			whole := nn == pg.rows && len(pcs) == 1 && pcs[0].a == 0 && pcs[0].b == pg.rows
			if so != nil && !whole {
				return errNotWhole
			}
			var idx []uint32
			inPlace := whole && saved != nil && cap(*saved)-len(*saved) >= nn
			if inPlace {
				// decoded where they are kept
				at := len(*saved)
				idx, err = indicesInto(pg.values, (*saved)[at:at+nn])
			} else {
				idx, err = p.indices(pg.values, nn)
			}
			if err != nil {
				return err
			}
			if whole {
				// the common page: every row valid and wanted
				if so != nil {
					// listed as they pass: no flags to fill and scan
					rows, c, base := so.rows[got:got+int64(nn)], 0, int32(got)
					// c ≤ r < len(rows): the write needs no bounds check
					at := unsafe.Pointer(unsafe.SliceData(rows))
					for r, x := range idx[:len(rows)] {
						if int(x) >= len(pass) {
							return fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(pass))
						}
						*(*int32)(unsafe.Add(at, 4*c)) = base + int32(r)
						c += int(pass[x])
					}
					copy(so.rows[so.n:], rows[:c])
					so.n += c
				} else {
					k := keep[got : got+int64(nn)]
					for r, x := range idx {
						if int(x) >= len(pass) {
							return fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(pass))
						}
						k[r] &= pass[x]
					}
				}
				got += int64(nn)
				switch {
				case inPlace:
					*saved = (*saved)[:len(*saved)+nn]
				case saved != nil:
					*saved = append(*saved, idx...)
				}
				continue
			}
			if saved != nil {
				for _, pc := range pcs {
					*saved = append(*saved, idx[pc.a:pc.b]...)
				}
			}
			rowVals()
			for k, x := range idx {
				if int(x) >= len(pass) {
					return fmt.Errorf("parquet: dictionary index %d past its %d entries", x, len(pass))
				}
				vals[k] = pass[x]
			}
		default:
			return errFallback
		}
		if so != nil {
			return errNotWhole
		}
		if nn < pg.rows {
			// spread over the rows; a NULL row fails
			spread(vals, nn, p.levels[:pg.rows])
		}
		for _, pc := range pcs {
			k := keep[got : got+int64(pc.b-pc.a)]
			for r, v := range vals[pc.a:pc.b] {
				k[r] &= v
			}
			got += int64(pc.b - pc.a)
		}
	}
	if got != n {
		return fmt.Errorf("parquet: read %d rows of %d", got, n)
	}
	return nil
}

// selOut receives the rows of ranges that pass a test, listed as they
// pass (evalPages with one predicate column): rows[:n] are written.
type selOut struct {
	rows []int32 // as many as the ranges' rows
	n    int
}

// errNotWhole: a page the listing of passing rows does not cover (with
// NULLs, PLAIN, or only partly in the ranges); the caller evaluates the
// column into pass flags instead.
var errNotWhole = errors.New("parquet: page not whole")

// splitPlain finds the n PLAIN-encoded byte arrays (a 4-byte length, then
// the bytes) at the front of b: value k is b[starts[k]:ends[k]]. starts
// and ends are reused when large enough.
func splitPlain(b []byte, n int, starts, ends []int32) ([]int32, []int32, error) {
	if len(b) > 1<<31-1 {
		return nil, nil, errFallback
	}
	if cap(starts) < n {
		starts, ends = make([]int32, n+n/4), make([]int32, n+n/4)
	}
	starts, ends = starts[:n], ends[:n]
	q := 0
	for k := 0; k < n; k++ {
		if q+4 > len(b) {
			return nil, nil, errors.New("parquet: page shorter than its values")
		}
		l := int(binary.LittleEndian.Uint32(b[q:]))
		q += 4
		if l < 0 || l > len(b)-q {
			return nil, nil, errors.New("parquet: page shorter than its values")
		}
		starts[k], ends[k] = int32(q), int32(q+l)
		q += l
	}
	return starts, ends, nil
}
