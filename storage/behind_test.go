package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestBehindWritesInOrder: writes of every size, smaller and larger
// than the buffer, reach the file whole and in order, and nothing is
// visible before Close.
func TestBehindWritesInOrder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	out, err := Local{}.Create(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	w := Behind(out, 1000)
	var want bytes.Buffer
	for i := 0; i < 300; i++ {
		chunk := bytes.Repeat([]byte{byte(i)}, (i*37)%2500)
		want.Write(chunk)
		if n, err := w.Write(chunk); err != nil || n != len(chunk) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file visible before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("file holds %d bytes, want %d (or they differ)", len(got), want.Len())
	}
	if _, err := w.Write([]byte("x")); err == nil {
		t.Error("write after Close succeeded")
	}
}

// failingWriter fails every write after the first n bytes.
type failingWriter struct {
	n       int
	aborted bool
	closed  bool
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}
func (f *failingWriter) Close() error { f.closed = true; return nil }
func (f *failingWriter) Abort() error { f.aborted = true; return nil }

// TestBehindReportsErrors: an error of the file's Write comes back from a
// later Write or from Close, which then aborts the file instead of
// committing it.
func TestBehindReportsErrors(t *testing.T) {
	fw := &failingWriter{n: 1500}
	w := Behind(fw, 1000)
	var err error
	for i := 0; i < 10 && err == nil; i++ {
		_, err = w.Write(make([]byte, 700))
	}
	cerr := w.Close()
	if err == nil && cerr == nil {
		t.Fatal("no error for a failed write")
	}
	if cerr == nil || cerr.Error() != "disk full" {
		t.Errorf("Close: %v, want disk full", cerr)
	}
	if fw.closed || !fw.aborted {
		t.Errorf("closed %v aborted %v: a failed file must be aborted, not committed", fw.closed, fw.aborted)
	}
}

// TestBehindAbort: Abort publishes nothing, whatever was written.
func TestBehindAbort(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	out, err := Local{}.Create(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	w := Behind(out, 100)
	for i := 0; i < 50; i++ {
		if _, err := w.Write(make([]byte, 77)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("aborted file exists: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), "*"))
	if len(left) != 0 {
		t.Errorf("aborted write left %v", left)
	}
}
