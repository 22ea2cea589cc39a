package storage

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"runtime"
	"testing"
	"time"
)

// slowReader returns data in pieces of random size, then err.
type slowReader struct {
	data []byte
	err  error
	rng  *rand.Rand
}

func (s *slowReader) Read(p []byte) (int, error) {
	if len(s.data) == 0 {
		return 0, s.err
	}
	n := min(len(p), len(s.data), 1+s.rng.Intn(5000))
	copy(p, s.data[:n])
	s.data = s.data[n:]
	return n, nil
}

// TestAhead checks that a reader run ahead gives the same bytes whatever
// the read sizes, passes on its source's error after the bytes before
// it, and that Close stops its goroutine midway.
func TestAhead(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	data := make([]byte, 300000)
	rng.Read(data)
	for _, size := range []int{1, 100, 4096, 1 << 20} {
		a := Ahead(&slowReader{data: data, err: io.EOF, rng: rand.New(rand.NewSource(int64(size)))}, size, 2)
		var got bytes.Buffer
		buf := make([]byte, 777)
		for {
			n, err := a.Read(buf[:1+rng.Intn(len(buf))])
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
		}
		a.Close()
		if !bytes.Equal(got.Bytes(), data) {
			t.Fatalf("size %d: %d bytes differ from the %d written", size, got.Len(), len(data))
		}
	}
	// a reader's own io.ErrUnexpectedEOF (a truncated gzip stream) is an
	// error, not the end of the data
	a0 := Ahead(&slowReader{data: data[:3000], err: io.ErrUnexpectedEOF, rng: rand.New(rand.NewSource(3))}, 1024, 2)
	if b, err := io.ReadAll(a0); !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(b, data[:3000]) {
		t.Fatalf("truncated source: %d bytes, %v", len(b), err)
	}
	a0.Close()
	bad := errors.New("corrupt input")
	a := Ahead(&slowReader{data: data[:5000], err: bad, rng: rand.New(rand.NewSource(2))}, 1024, 2)
	b, err := io.ReadAll(a)
	if !errors.Is(err, bad) || !bytes.Equal(b, data[:5000]) {
		t.Fatalf("error case: %d bytes, %v", len(b), err)
	}
	a.Close()
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		a := Ahead(bytes.NewReader(data), 1000, 2)
		a.Read(make([]byte, 10))
		a.Close()
	}
	time.Sleep(10 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines %d after Close, %d before", after, before)
	}
}
