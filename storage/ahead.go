package storage

import (
	"io"
	"sync"
)

// AheadChunk and AheadDepth are the buffers a decompressed text file is
// read ahead in: 1 MiB, two ahead of the parser.
const (
	AheadChunk = 1 << 20
	AheadDepth = 2
)

// Ahead returns a reader of r that reads r ahead of its caller: a
// goroutine fills buffers of size bytes from r while the caller takes
// the previous ones, at most depth buffers ahead. It is Behind's twin on
// the read side: a compressed text file is one stream that only one
// worker can decompress, and without it the worker inflated and parsed
// in turns (a gzip CSV of TPC-H lineitem: 2.5 s of inflating, 1.1 s of
// parsing, one after the other on one core); with it the two overlap on
// two.
//
// Not safe for concurrent use. Close stops the goroutine and waits for
// it, so that the caller may close r after it; an error of r is returned
// by the Read that reaches it, after the bytes before it.
func Ahead(r io.Reader, size, depth int) io.ReadCloser {
	a := &ahead{full: make(chan chunk, depth), stop: make(chan struct{})}
	a.done.Add(1)
	go a.loop(r, size)
	return a
}

type chunk struct {
	b   []byte
	err error
}

type ahead struct {
	full chan chunk
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once

	buf []byte // the chunk being read
	cur []byte // what is left of it
	err error

	mu   sync.Mutex
	free [][]byte // chunks read through, for the goroutine to fill again
}

func (a *ahead) loop(r io.Reader, size int) {
	defer a.done.Done()
	defer close(a.full)
	for {
		select {
		case <-a.stop:
			return
		default:
		}
		a.mu.Lock()
		var buf []byte
		if n := len(a.free); n > 0 {
			buf, a.free = a.free[n-1][:size], a.free[:n-1]
		}
		a.mu.Unlock()
		if buf == nil {
			buf = make([]byte, size)
		}
		n, err := fill(r, buf)
		select {
		case a.full <- chunk{buf[:n], err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *ahead) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.buf != nil {
			// read through: the goroutine may fill it again
			a.mu.Lock()
			a.free = append(a.free, a.buf[:0])
			a.mu.Unlock()
			a.buf = nil
		}
		c, ok := <-a.full
		if !ok {
			return 0, io.ErrClosedPipe
		}
		a.buf, a.cur, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

func (a *ahead) Close() error {
	a.once.Do(func() { close(a.stop) })
	a.done.Wait()
	return nil
}

// fill reads into buf until it is full or r fails; r's error comes back
// as it is (io.ReadFull would turn a reader's own io.ErrUnexpectedEOF —
// a truncated gzip stream — into a short read that looks like the end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.ErrNoProgress
		}
	}
	return n, nil
}
