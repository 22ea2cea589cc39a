package storage

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func gzipOf(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// textLike is n bytes of '|'-delimited rows, compressible as a load's
// input is.
func textLike(n int, seed int64) []byte {
	r := rand.New(rand.NewSource(seed))
	var b bytes.Buffer
	for b.Len() < n {
		fmt.Fprintf(&b, "%d|%d|%.2f|%s|1996-%02d-%02d|comment %x\n", r.Intn(1e6), r.Intn(7), r.Float64()*1e4, []string{"AIR", "MAIL", "SHIP"}[r.Intn(3)], 1+r.Intn(12), 1+r.Intn(28), r.Int63())
	}
	return b.Bytes()[:n]
}

// readAllIn reads r in reads of the given size.
func readAllIn(r io.Reader, size int) ([]byte, error) {
	var out []byte
	buf := make([]byte, size)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// TestGzipReaderReadsWhatGoReads: lakeq's gzip reader gives the bytes
// Go's reader gives, for reads of any size, for data of every size
// (empty, smaller and larger than its input buffer), for every level
// and for concatenated members.
func TestGzipReaderReadsWhatGoReads(t *testing.T) {
	inputs := map[string][]byte{}
	for _, n := range []int{0, 1, 1000, gzipInBuf - 1, 3*gzipInBuf + 17, 4 << 20} {
		for _, level := range []int{gzip.NoCompression, gzip.BestSpeed, gzip.DefaultCompression, gzip.BestCompression} {
			inputs[fmt.Sprintf("%dB-level%d", n, level)] = gzipOf(t, textLike(n, int64(n)), level)
		}
	}
	// members concatenated, one of them empty
	var multi []byte
	for i, n := range []int{5000, 0, gzipInBuf + 5, 1} {
		multi = append(multi, gzipOf(t, textLike(n, int64(i)), gzip.DefaultCompression)...)
	}
	inputs["members"] = multi
	for name, gz := range inputs {
		want, err := readAllIn(mustGo(t, gz), 1<<16)
		if err != nil {
			t.Fatalf("%s: Go's reader: %v", name, err)
		}
		for _, size := range []int{1, 7, 4096, 1 << 20} {
			if len(want) > 1<<20 && size < 4096 {
				continue
			}
			r, err := newGzipReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got, err := readAllIn(r, size)
			r.Close()
			if err != nil {
				t.Fatalf("%s, reads of %d: %v", name, size, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, reads of %d: %d bytes, want %d (or they differ)", name, size, len(got), len(want))
			}
		}
	}
}

func mustGo(t *testing.T, gz []byte) io.Reader {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestGzipReaderBadInput: a file that is not gzip fails at open; a
// truncated one, a flipped byte (the CRC-32 catches what inflate does
// not) and garbage after the last member fail on read — none ends as if
// the data were whole.
func TestGzipReaderBadInput(t *testing.T) {
	if _, err := newGzipReader(bytes.NewReader([]byte("1|2|3\n4|5|6\n"))); err == nil {
		t.Error("plain text opened as gzip")
	}
	if _, err := newGzipReader(bytes.NewReader(nil)); err == nil {
		t.Error("an empty file opened as gzip")
	}
	good := gzipOf(t, textLike(500_000, 1), gzip.DefaultCompression)
	cases := map[string][]byte{
		"truncated":     good[:len(good)/2],
		"no trailer":    good[:len(good)-4],
		"trailing junk": append(append([]byte{}, good...), "junk after the member"...),
	}
	for _, at := range []int{len(good) / 3, len(good) - 6} {
		bad := append([]byte{}, good...)
		bad[at] ^= 0x55
		cases[fmt.Sprintf("byte %d flipped", at)] = bad
	}
	for name, gz := range cases {
		r, err := newGzipReader(bytes.NewReader(gz))
		if err != nil {
			continue // refused at open: fine
		}
		_, err = readAllIn(r, 1<<16)
		r.Close()
		if err == nil {
			t.Errorf("%s: read to the end without an error", name)
		}
	}
}
