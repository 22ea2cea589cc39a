package storage

import (
	"bytes"
	"context"
	"io"
)

// Line-oriented formats (CSV, TSV, JSON Lines) are read in byte ranges
// in parallel: a range holds the lines that start in it, and the line
// number of a record is known only from the start of the file, which an
// error message counts again (errors are rare; ranges are not).

// NextLineStart is the offset just after the first newline at or after
// off, or size when there is none.
func NextLineStart(f io.ReaderAt, off, size int64) (int64, error) {
	// lines are short: a small read first, counted as scanned, then more
	buf := make([]byte, 64<<10)
	for chunk := 4 << 10; off < size; chunk = min(2*chunk, len(buf)) {
		n, err := f.ReadAt(buf[:chunk], off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		off += int64(n)
		if err != nil {
			break
		}
	}
	return size, nil
}

// LineAt is the 1-based number of the line that begins at byte pos of
// the file at path (0 when the file cannot be read again).
func LineAt(ctx context.Context, fsys FileSystem, path string, pos int64) int64 {
	f, err := fsys.Open(ctx, path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for off := int64(0); off < pos; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), pos-off)], off)
		n += int64(bytes.Count(buf[:k], []byte("\n")))
		off += int64(k)
		if err != nil || k == 0 {
			break
		}
	}
	return n + 1
}

// OpenLineRange opens the lines of a file that start in [start, end)
// (end < 0: to the file's end) as OpenLines does, its bytes counted in
// st as they are fetched, in windows on an object store.
func OpenLineRange(ctx context.Context, fsys FileSystem, info FileInfo, st *ScanStats, c Compression, start, end int64) (r io.Reader, begin int64, done func(), err error) {
	raw, err := OpenInfo(ctx, fsys, info)
	if err != nil {
		return nil, 0, nil, err
	}
	f := SequentialUntil(Counted(raw, st), SequentialWindow, max(end, 0))
	r, begin, closeLines, err := OpenLines(f, c, start, info.Path)
	if err != nil {
		f.Close()
		return nil, 0, nil, err
	}
	return r, begin, func() { closeLines(); f.Close() }, nil
}

// OpenLines reads the lines of f that start at or after start, and
// returns the offset of the first; a compressed file is read whole
// (start 0), decompressed on another core while the caller parses.
// done releases what OpenLines opened (not f).
//
// A UTF-8 byte order mark opening the file is not data (Windows tools
// write one): a compressed stream drops it; of a plain file the caller
// skips BOMLen of its first bytes (reading them twice would count them
// twice as scanned, and on an object store cost a request).
func OpenLines(f File, c Compression, start int64, path string) (r io.Reader, begin int64, done func(), err error) {
	if c == NoCompression {
		if start > 0 {
			// begin at the first line that starts at or after start
			if start, err = NextLineStart(f, start-1, f.Size()); err != nil {
				return nil, 0, nil, err
			}
		}
		return io.NewSectionReader(f, start, f.Size()-start), start, func() {}, nil
	}
	rc, err := Decompress(c, io.NewSectionReader(f, 0, f.Size()), path)
	if err != nil {
		return nil, 0, nil, err
	}
	ra := Ahead(rc, AheadChunk, AheadDepth)
	// the reader ahead stops before the stream it reads closes
	return &bomSkipper{r: ra}, 0, func() { ra.Close(); rc.Close() }, nil
}

const bom = "\xef\xbb\xbf"

// TrimBOM drops a UTF-8 byte order mark that opens b (a file's first
// bytes, sampled).
func TrimBOM(b []byte) []byte { return b[BOMLen(b):] }

// BOMLen is the length of the UTF-8 byte order mark opening b, or 0
// (also when b is too short to tell).
func BOMLen(b []byte) int {
	if len(b) >= len(bom) && string(b[:len(bom)]) == bom {
		return len(bom)
	}
	return 0
}

// SkipBOM drops a byte order mark opening r.
func SkipBOM(r io.Reader) io.Reader { return &bomSkipper{r: r} }

// bomSkipper drops a byte order mark opening a stream.
type bomSkipper struct {
	r       io.Reader
	checked bool
	held    []byte // bytes read while checking, not a mark
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.checked {
		var head [len(bom)]byte
		n, err := io.ReadFull(b.r, head[:])
		b.checked = true
		if n == len(bom) && string(head[:]) == bom {
			n = 0
		}
		b.held = append(b.held, head[:n]...)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return 0, err
		}
		if len(b.held) == 0 && err != nil {
			return 0, io.EOF
		}
	}
	if len(b.held) > 0 {
		n := copy(p, b.held)
		b.held = b.held[n:]
		return n, nil
	}
	return b.r.Read(p)
}

// ReadSize is how much a reader of the byte range ending at end should
// ask for next, being at pos with room for want bytes: past the range
// only a line's remainder is needed, so a little at a time (reads are
// counted as data scanned, and on an object store fetched).
func ReadSize(pos, end int64, want int) int {
	const tail = 16 << 10
	if end < 0 || want <= tail {
		return want
	}
	if left := end - pos; left < int64(want) {
		return int(max(left, tail))
	}
	return want
}
