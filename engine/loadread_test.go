package engine

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestDelimAt checks the word-at-a-time delimiter search against
// bytes.IndexByte on records of every length around a word, with bytes
// that borrow (0x00, 0x01, 0x80, 0xff) next to the delimiter.
func TestDelimAt(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	alphabet := []byte{'a', '|', 0x00, 0x01, 0x7f, 0x80, 0xff, ',', '\t', '0'}
	for iter := 0; iter < 20000; iter++ {
		rec := make([]byte, rng.Intn(40))
		for i := range rec {
			rec[i] = alphabet[rng.Intn(len(alphabet))]
		}
		d := alphabet[rng.Intn(len(alphabet))]
		from := 0
		if len(rec) > 0 {
			from = rng.Intn(len(rec) + 1)
		}
		want := len(rec)
		if k := bytes.IndexByte(rec[from:], d); k >= 0 {
			want = from + k
		}
		if got := delimAt(rec, from, d); got != want {
			t.Fatalf("delimAt(%q, %d, %q) = %d, want %d", rec, from, d, got, want)
		}
	}
}
