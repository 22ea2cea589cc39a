package engine

import (
	"bytes"
	"context"
	"io"
	"math"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// stdinChunk is the size of the pieces COPY … FROM STDIN is cut into for
// its slices: big enough that a slice's per-unit cost is nothing, small
// enough that several are in flight on every slice.
const stdinChunk = 4 << 20

// A load from STDIN arrives as one stream: one goroutine reads it, cuts
// it into whole records (the reader's rules: line ends, escapes, quotes,
// the end marker) and hands pieces of them to the slices as units, so
// that the client's data is converted and written on every slice, as a
// file's byte ranges are. Line numbers stay the stream's: each unit
// knows the lines before it.

// splitStdin feeds ld.feed with units cut from r and closes it at the
// end of the data, or at a read error, which it leaves in ld.splitErr
// for run to report unless a slice reports an earlier line.
func (ld *loadRun) splitStdin(ctx context.Context, r io.Reader, comp storage.Compression) {
	defer close(ld.feed)
	in := r
	if comp != storage.NoCompression {
		z, err := storage.Decompress(comp, r, "STDIN")
		if err != nil {
			ld.splitErr = err
			return
		}
		defer z.Close()
		in = z
	}
	rr := newRecReader(in, ld.o, -1)
	rr.stdin = true
	var chunk []byte
	var base, pos int64
	first := true
	emit := func(nextLine int64) bool {
		u := &loadUnit{file: storage.ObjectInfo{Path: "STDIN"}, start: pos, end: -1, comp: storage.NoCompression,
			first: first, r: bytes.NewReader(chunk), lineBase: base}
		ld.mu.Lock()
		if ld.sealed {
			ld.mu.Unlock()
			return false
		}
		u.idx = len(ld.units)
		ld.units = append(ld.units, u)
		ld.mu.Unlock()
		pos += int64(len(chunk))
		first, chunk, base = false, nil, nextLine-1
		select {
		case ld.feed <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		rec, line, ok, err := rr.next()
		if err != nil {
			if chunk != nil {
				emit(line)
			}
			if _, isSQL := err.(*sqlerr.Error); !isSQL {
				err = sqlerr.Wrap(err, sqlerr.IOError, "reading COPY data")
			}
			ld.splitErr = err
			return
		}
		if !ok || ld.o.pg() && string(rec) == `\.` {
			if chunk != nil || first {
				emit(0)
			}
			return
		}
		if chunk == nil {
			chunk = make([]byte, 0, stdinChunk+len(rec)+1)
			base = line - 1
		}
		chunk = append(chunk, rec...)
		if !rr.noEOL {
			// not at the very end without one: a line end added there
			// would make a trailing backslash an escape
			chunk = append(chunk, '\n')
		}
		if len(chunk) >= stdinChunk && (ld.stopUnit.Load() != math.MaxInt64 || !emit(rr.lines+1)) {
			return // a unit already failed the load, or the slices ended
		}
	}
}
