package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"runtime"
	"testing"
	"time"
)

// TestNeedsTextEscape checks the word-at-a-time test against a byte loop
// on values of every length around a word, with bytes next to the ones
// it looks for (0x1f, 0x20, 0x7f, 0x80, 0xff, the delimiter's neighbours).
func TestNeedsTextEscape(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	alphabet := []byte{'a', 0x1f, 0x20, 0x00, '\t', '\n', 0x7f, 0x80, 0xff, '\\', '[', ']', '|', '{', '}', ','}
	for iter := 0; iter < 50000; iter++ {
		v := make([]byte, rng.Intn(30))
		for i := range v {
			v[i] = alphabet[rng.Intn(len(alphabet))]
			if rng.Intn(3) > 0 {
				v[i] = 'a' + byte(rng.Intn(26))
			}
		}
		d := []byte{'\t', '|', ',', ';'}[rng.Intn(4)]
		want := false
		for _, c := range v {
			if c < 0x20 || c == '\\' || c == d {
				want = true
			}
		}
		if got := needsTextEscape(v, d); got != want {
			t.Fatalf("needsTextEscape(%q, %q) = %v, want %v", v, d, got, want)
		}
	}
}

// COPY TO formats batches on several goroutines and still emits rows in
// the query's order; an emit that fails stops it, leaving no goroutine
// behind.
func TestCopyOutParallelKeepsOrder(t *testing.T) {
	e, err := Open(context.Background(), Config{DataDir: t.TempDir(), Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	s := e.NewSession()
	x, err := parseCopy("COPY (SELECT g, 'v' || g FROM generate_series(1, 200000) g ORDER BY g DESC) TO STDOUT")
	if err != nil {
		t.Fatal(err)
	}
	want := 200000
	res, err := s.CopyOut(context.Background(), x, func(b []byte) error {
		line := fmt.Sprintf("%d\tv%d\n", want, want)
		if string(b) != line {
			return fmt.Errorf("row %q, want %q", b, line)
		}
		want--
		return nil
	})
	if err != nil || want != 0 || res.Rows != 200000 {
		t.Fatalf("%v after %d rows (%v)", err, 200000-want, res)
	}
	before := runtime.NumGoroutine()
	stop := errors.New("client gone")
	n := 0
	_, err = s.CopyOut(context.Background(), x, func([]byte) error {
		if n++; n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("error %v, want the emit's", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines after the failed COPY, %d before", g, before)
	}
}
