// Package storage reads and writes data-lake objects: the FileSystem
// interface (local disk now, S3 later), glob expansion, and the per-query
// "data scanned" counters.
package storage

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// File is an open object: random access plus its size.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
}

// FileInfo describes a listed object.
type FileInfo struct {
	Path    string
	Size    int64
	ModTime time.Time
}

// FileSystem reads objects. Implementations are safe for concurrent use.
type FileSystem interface {
	Open(ctx context.Context, path string) (File, error)
	// Glob expands a pattern (*, ?, [..], {a,b}, and ** across folders)
	// or a directory (all files under it) into files, sorted by path.
	// Names starting with _ or . are skipped.
	Glob(ctx context.Context, pattern string) ([]FileInfo, error)
}

// ScanStats counts what one query read. Safe for concurrent use.
type ScanStats struct {
	BytesRead       atomic.Int64
	FilesRead       atomic.Int64
	FilesPruned     atomic.Int64
	RowGroupsRead   atomic.Int64
	RowGroupsPruned atomic.Int64
	PagesPruned     atomic.Int64 // data pages the Parquet page index ruled out
	RowsRejected    atomic.Int64 // malformed rows skipped (ignore_errors)
	// Partitions of catalog tables read and ruled out before listing,
	// and the prefixes (folders) listed to find their files.
	PartitionsRead   atomic.Int64
	PartitionsPruned atomic.Int64
	PrefixesListed   atomic.Int64
}

// Counted wraps f so every byte read is added to st.
func Counted(f File, st *ScanStats) File {
	if st == nil {
		return f
	}
	return &countedFile{File: f, st: st}
}

type countedFile struct {
	File
	st *ScanStats
}

func (c *countedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.File.ReadAt(p, off)
	c.st.BytesRead.Add(int64(n))
	return n, err
}

// Local is the local-disk FileSystem.
type Local struct{}

type localFile struct {
	*os.File
	size int64
}

func (f *localFile) Size() int64 { return f.size }

// Open implements FileSystem.
func (Local) Open(_ context.Context, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "could not open file \"%s\": No such file or directory", path)
		}
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not open file \"%s\"", path)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "could not stat file \"%s\"", path)
	}
	if st.IsDir() {
		f.Close()
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a directory", path)
	}
	return &localFile{File: f, size: st.Size()}, nil
}

func hidden(name string) bool { return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") }

// ExpandBraces expands {a,b} alternatives (nested ones too).
func ExpandBraces(p string) []string {
	i := strings.IndexByte(p, '{')
	if i < 0 {
		return []string{p}
	}
	depth := 0
	for j := i; j < len(p); j++ {
		switch p[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				var out []string
				var parts []string
				d, start := 0, i+1
				for k := i + 1; k < j; k++ {
					switch p[k] {
					case '{':
						d++
					case '}':
						d--
					case ',':
						if d == 0 {
							parts = append(parts, p[start:k])
							start = k + 1
						}
					}
				}
				parts = append(parts, p[start:j])
				for _, alt := range parts {
					out = append(out, ExpandBraces(p[:i]+alt+p[j+1:])...)
				}
				return out
			}
		}
	}
	return []string{p}
}

// Glob implements FileSystem.
func (l Local) Glob(ctx context.Context, pattern string) ([]FileInfo, error) {
	seen := map[string]bool{}
	var out []FileInfo
	add := func(path string, size int64, mod time.Time) {
		if !seen[path] {
			seen[path] = true
			out = append(out, FileInfo{Path: path, Size: size, ModTime: mod})
		}
	}
	for _, p := range ExpandBraces(pattern) {
		if !strings.ContainsAny(p, "*?[") {
			st, err := os.Stat(p)
			if err != nil {
				continue
			}
			if !st.IsDir() {
				add(p, st.Size(), st.ModTime())
				continue
			}
			p = filepath.Join(p, "**")
		}
		root := p
		if i := strings.IndexAny(p, "*?["); i >= 0 {
			root = filepath.Dir(p[:i+1])
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if path != root && hidden(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if matchPath(p, path) {
				info, err := d.Info()
				if err == nil {
					add(path, info.Size(), info.ModTime())
				}
			}
			return nil
		})
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.IOError, "listing \"%s\"", pattern)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// matchPath matches a path against a pattern whose ** matches any number
// of folders and other segments use filepath.Match.
func matchPath(pattern, path string) bool {
	ps := strings.Split(filepath.ToSlash(filepath.Clean(pattern)), "/")
	xs := strings.Split(filepath.ToSlash(filepath.Clean(path)), "/")
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(ps) {
			return j == len(xs)
		}
		if ps[i] == "**" {
			for k := j; k <= len(xs); k++ {
				if match(i+1, k) {
					return true
				}
			}
			return false
		}
		if j == len(xs) {
			return false
		}
		ok, err := filepath.Match(ps[i], xs[j])
		return err == nil && ok && match(i+1, j+1)
	}
	return match(0, 0)
}

// Dirs lists the sub-folders directly under dir (hidden ones skipped),
// sorted; a missing dir is an UndefinedFile error.
func (Local) Dirs(ctx context.Context, dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "location \"%s\" does not exist", dir)
		}
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "listing \"%s\"", dir)
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && !hidden(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Exists reports whether a file or folder exists at path.
func (Local) Exists(_ context.Context, path string) (bool, error) {
	_, err := os.Stat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, sqlerr.Wrap(err, sqlerr.IOError, "checking \"%s\"", path)
}
