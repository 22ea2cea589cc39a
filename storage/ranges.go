package storage

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
)

// InfoOpener is a FileSystem that can open an object it has already
// described (listed or stat'ed) without asking the store again: on S3 the
// listing's size and ETag spare a HEAD per file.
type InfoOpener interface {
	OpenInfo(ctx context.Context, info ObjectInfo) (File, error)
}

// OpenInfo opens the object info describes, pinned to that size and
// ETag when fsys can (InfoOpener), else by path.
func OpenInfo(ctx context.Context, fsys FileSystem, info ObjectInfo) (File, error) {
	if o, ok := fsys.(InfoOpener); ok && info.ETag != "" {
		return o.OpenInfo(ctx, info)
	}
	return fsys.Open(ctx, info.Path)
}

// OpenInfo implements InfoOpener.
func (r *Registry) OpenInfo(ctx context.Context, info ObjectInfo) (File, error) {
	fs, p, err := r.For(info.Path)
	if err != nil {
		return nil, err
	}
	info.Path = p
	return OpenInfo(ctx, fs, info)
}

// RangeHolder is a File that can tell whether reading ranges would be
// served from local disk (a disk cache holding them): such reads are
// better left to the reader than fetched ahead into memory, which would
// copy them once more.
type RangeHolder interface {
	Holds(ranges []Range) bool
}

// Range is a byte range [Off, Off+Len) of an object.
type Range struct{ Off, Len int64 }

// Coalesce merges ranges whose gaps are at most maxGap, so that reading
// them costs one request each instead of one per range: S3 charges per
// request, and a small gap costs less to read than a round trip.
func Coalesce(rs []Range, maxGap int64) []Range {
	if len(rs) == 0 {
		return nil
	}
	sorted := append([]Range(nil), rs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Off < sorted[j].Off })
	out := []Range{sorted[0]}
	for _, r := range sorted[1:] {
		last := &out[len(out)-1]
		if r.Off <= last.Off+last.Len+maxGap {
			if end := r.Off + r.Len; end > last.Off+last.Len {
				last.Len = end - last.Off
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Prefetched reads ranges of f (coalesced first) into memory, one read
// each, and returns a File serving reads inside them from memory and the
// rest from f. Safe for concurrent ReadAt; Close closes f.
func Prefetched(f File, ranges []Range, maxGap int64) (File, error) {
	pf := &prefetched{File: f}
	for _, r := range Coalesce(ranges, maxGap) {
		if r.Off < 0 || r.Off >= f.Size() {
			continue
		}
		r.Len = min(r.Len, f.Size()-r.Off)
		buf := make([]byte, r.Len)
		n, err := f.ReadAt(buf, r.Off)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == r.Len) {
			return nil, err
		}
		pf.blocks = append(pf.blocks, block{off: r.Off, data: buf})
	}
	return pf, nil
}

type block struct {
	off  int64
	data []byte
}

type prefetched struct {
	File
	blocks []block // sorted by off, disjoint
}

func (p *prefetched) ReadAt(b []byte, off int64) (int, error) {
	i := sort.Search(len(p.blocks), func(i int) bool { return p.blocks[i].off+int64(len(p.blocks[i].data)) > off })
	if i < len(p.blocks) {
		bl := p.blocks[i]
		if off >= bl.off && off+int64(len(b)) <= bl.off+int64(len(bl.data)) {
			n := copy(b, bl.data[off-bl.off:])
			if off+int64(n) >= p.Size() && n < len(b) {
				return n, io.EOF
			}
			return n, nil
		}
	}
	return p.File.ReadAt(b, off)
}

// WithTail reads the last n bytes of f in one request and serves reads
// inside them from memory: a Parquet footer (its length, then its
// metadata) costs one GET instead of two, or three with the page index.
func WithTail(f File, n int64) (File, error) {
	size := f.Size()
	if n > size {
		n = size
	}
	if n <= 0 {
		return f, nil
	}
	return Prefetched(f, []Range{{Off: size - n, Len: n}}, 0)
}

// SequentialWindow is how much a read of an object read front to back
// fetches at once (Sequential).
const SequentialWindow = 8 << 20

// Sequential makes the small reads of an object read front to back
// (text parsing, decompression: 1 MiB at a time) cheap on an object
// store: a read outside the current window fetches at least n bytes from
// its offset in one request and serves the reads that follow from it.
// Local files are returned as they are. Safe for concurrent use (one
// window, under a lock).
func Sequential(f File, n int64) File { return SequentialUntil(f, n, 0) }

// SequentialUntil is Sequential for a reader that stops near limit (a
// text morsel's end, where only the line crossing it is read on): no
// window reaches past limit, and past it windows are 64 KiB, so the
// bytes fetched stay close to the bytes read.
func SequentialUntil(f File, n, limit int64) File {
	if !IsURL(f.Info().Path) {
		return f
	}
	return &seqFile{File: f, n: n, limit: limit}
}

type seqFile struct {
	File
	n     int64
	limit int64 // 0: none
	mu    sync.Mutex
	off   int64
	data  []byte
}

func (s *seqFile) ReadAt(p []byte, off int64) (int, error) {
	size := s.Size()
	if off >= size {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	end := min(off+int64(len(p)), size)
	s.mu.Lock()
	defer s.mu.Unlock()
	if off < s.off || end > s.off+int64(len(s.data)) {
		wend := min(off+max(s.n, end-off), size)
		if s.limit > 0 {
			if off < s.limit {
				wend = min(wend, max(s.limit, end))
			} else {
				wend = min(max(off+64<<10, end), size)
			}
		}
		if int64(cap(s.data)) < wend-off {
			s.data = make([]byte, wend-off)
		}
		s.data = s.data[:wend-off]
		n, err := s.File.ReadAt(s.data, off)
		if err != nil && !(errors.Is(err, io.EOF) && int64(n) == wend-off) {
			s.data = s.data[:0]
			return 0, err
		}
		s.off = off
	}
	n := copy(p, s.data[off-s.off:end-s.off])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Bytes lends the n bytes at off when one prefetched block holds them
// (the caller must not modify them): a reader that wants them whole
// takes them without a copy.
func (p *prefetched) Bytes(off, n int64) ([]byte, bool) {
	i := sort.Search(len(p.blocks), func(i int) bool { return p.blocks[i].off+int64(len(p.blocks[i].data)) > off })
	if i < len(p.blocks) {
		bl := p.blocks[i]
		if off >= bl.off && off+n <= bl.off+int64(len(bl.data)) {
			return bl.data[off-bl.off : off-bl.off+n : off-bl.off+n], true
		}
	}
	return nil, false
}
