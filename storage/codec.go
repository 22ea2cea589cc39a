package storage

import (
	"compress/bzip2"
	"compress/flate"
	"io"
	"strings"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/lakeq/lakeq/sqlerr"
)

// gzipInBuf is how many compressed bytes the gzip reader takes from its
// source at a time.
const gzipInBuf = 256 << 10

// Compression names a stream codec.
type Compression string

// Codecs lakeq decompresses.
const (
	NoCompression Compression = ""
	Gzip          Compression = "gzip"
	Bzip2         Compression = "bzip2"
	Zstd          Compression = "zstd"
	Snappy        Compression = "snappy"
	LZ4           Compression = "lz4"
	Deflate       Compression = "deflate"
)

// CompressionOf picks the codec from a file name's extension.
func CompressionOf(path string) Compression {
	p := strings.ToLower(path)
	switch {
	case strings.HasSuffix(p, ".gz"), strings.HasSuffix(p, ".gzip"):
		return Gzip
	case strings.HasSuffix(p, ".bz2"):
		return Bzip2
	case strings.HasSuffix(p, ".zst"), strings.HasSuffix(p, ".zstd"):
		return Zstd
	case strings.HasSuffix(p, ".snappy"):
		return Snappy
	case strings.HasSuffix(p, ".lz4"):
		return LZ4
	case strings.HasSuffix(p, ".deflate"):
		return Deflate
	}
	return NoCompression
}

// ParseCompression reads a compression option ("auto" means by extension).
func ParseCompression(name, path string) (Compression, error) {
	switch strings.ToLower(name) {
	case "", "auto", "infer":
		return CompressionOf(path), nil
	case "none", "uncompressed":
		return NoCompression, nil
	case "gzip", "gz":
		return Gzip, nil
	case "bzip2", "bz2":
		return Bzip2, nil
	case "zstd", "zst":
		return Zstd, nil
	case "snappy":
		return Snappy, nil
	case "lz4":
		return LZ4, nil
	case "deflate", "zlib":
		return Deflate, nil
	}
	return "", sqlerr.New(sqlerr.FeatureNotSupported, "unsupported compression \"%s\"", name)
}

// Decompress wraps r with the codec's decoder.
func Decompress(c Compression, r io.Reader, path string) (io.ReadCloser, error) {
	wrapErr := func(err error) error {
		return sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not decompress \"%s\" as %s", path, c)
	}
	switch c {
	case NoCompression:
		return io.NopCloser(r), nil
	case Gzip:
		z, err := newGzipReader(r)
		if err != nil {
			return nil, wrapErr(err)
		}
		return z, nil
	case Bzip2:
		return io.NopCloser(bzip2.NewReader(r)), nil
	case Zstd:
		z, err := zstd.NewReader(r)
		if err != nil {
			return nil, wrapErr(err)
		}
		return z.IOReadCloser(), nil
	case Snappy:
		return io.NopCloser(snappy.NewReader(r)), nil
	case LZ4:
		return io.NopCloser(lz4.NewReader(r)), nil
	case Deflate:
		return flate.NewReader(r), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported compression \"%s\"", c)
}
