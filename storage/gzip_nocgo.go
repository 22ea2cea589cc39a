//go:build !cgo

package storage

import (
	"io"

	"github.com/klauspost/compress/gzip"
)

// newGzipReader is the Go inflater where cgo (and so zlib) is not
// available; see gzip_cgo.go.
func newGzipReader(src io.Reader) (io.ReadCloser, error) { return gzip.NewReader(src) }
