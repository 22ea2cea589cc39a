package storage

import (
	"errors"
	"sync"
)

var errClosed = errors.New("write after close")

// Behind returns a Writer that writes to w behind its caller: Write
// copies into a buffer of size bytes and, when the buffer fills, hands
// it to a goroutine that writes it to w while the caller fills the
// other one. A caller that encodes and compresses between writes (a
// Parquet writer) then keeps its core busy while the kernel copies the
// last buffer into the page cache, or an S3 part uploads, instead of
// waiting in the write call; on two cores that wait was a sixth of an
// UNLOAD's time.
//
// Like any Writer it is not safe for concurrent use. An error of w's
// Write is returned by a later Write or by Close (which then aborts w);
// Close writes what is buffered, waits for it and closes w; Abort waits
// for the write in flight and aborts w. At most two buffers exist.
func Behind(w Writer, size int) Writer {
	b := &behind{w: w, free: make(chan []byte, 2), full: make(chan []byte, 1)}
	b.free <- make([]byte, 0, size)
	b.free <- make([]byte, 0, size)
	b.cur = <-b.free
	b.done.Add(1)
	go b.loop()
	return b
}

type behind struct {
	w    Writer
	cur  []byte
	free chan []byte // empty buffers back from the writer goroutine
	full chan []byte // buffers for it to write; closed by Close or Abort
	done sync.WaitGroup

	mu  sync.Mutex
	err error // the first error of w.Write

	closed bool
}

func (b *behind) loop() {
	defer b.done.Done()
	for buf := range b.full {
		if b.failed() == nil {
			if _, err := b.w.Write(buf); err != nil {
				b.mu.Lock()
				b.err = err
				b.mu.Unlock()
			}
		}
		b.free <- buf[:0]
	}
}

func (b *behind) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *behind) Write(p []byte) (int, error) {
	if b.closed {
		return 0, errClosed
	}
	if err := b.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(b.cur[len(b.cur):cap(b.cur)], p)
		b.cur = b.cur[:len(b.cur)+k]
		p = p[k:]
		if len(b.cur) == cap(b.cur) {
			b.full <- b.cur
			b.cur = <-b.free
		}
	}
	return n, nil
}

// stop hands over what is buffered (if flush) and waits for the writer
// goroutine to end.
func (b *behind) stop(flush bool) {
	if b.closed {
		return
	}
	b.closed = true
	if flush && len(b.cur) > 0 {
		b.full <- b.cur
	}
	b.cur = nil
	close(b.full)
	b.done.Wait()
}

func (b *behind) Close() error {
	if b.closed {
		return b.failed()
	}
	b.stop(true)
	if err := b.failed(); err != nil {
		_ = b.w.Abort()
		return err
	}
	return b.w.Close()
}

func (b *behind) Abort() error {
	b.stop(false)
	return b.w.Abort()
}
