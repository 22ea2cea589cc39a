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

// ObjectInfo describes an object.
type ObjectInfo struct {
	Path    string
	Size    int64
	ModTime time.Time
	// ETag identifies the object's content: S3's ETag; on local disk its
	// size and modification time. An object with another ETag was replaced.
	ETag string
}

// FileInfo is the older name of ObjectInfo.
type FileInfo = ObjectInfo

// File is an open object: random access pinned to the object seen at
// Open (its size and ETag). A read after the object was replaced is an
// error (S3) or still reads the old content (local disk keeps the open
// file), never a mix. Safe for concurrent ReadAt calls.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
	Info() ObjectInfo
}

// Writer is an object being written. Nothing is visible at its path until
// Close returns nil (local disk: a temporary file, fsynced, renamed; S3:
// one PUT or a completed multipart upload); Abort abandons it and removes
// what was staged. Close and Abort are idempotent; after either the other
// is a no-op. Not safe for concurrent use.
type Writer interface {
	io.Writer
	Close() error
	Abort() error
}

// ListPage is one page of a listing: objects, and with a delimiter the
// common prefixes ("folders"), each ending in the delimiter.
type ListPage struct {
	Objects  []ObjectInfo
	Prefixes []string
}

// FileSystem is what object stores can do, so local disk and S3 behave
// alike. Paths are the user's: plain local paths, or URLs (s3://bucket/key)
// for the scheme the FileSystem serves. Implementations are safe for
// concurrent use; every call honours ctx.
type FileSystem interface {
	// Stat describes the object at path; a missing object is an
	// UndefinedFile error. A folder is not an object.
	Stat(ctx context.Context, path string) (ObjectInfo, error)
	// Open opens the object at path for random reads.
	Open(ctx context.Context, path string) (File, error)
	// List calls page with the objects whose paths start with prefix (as
	// strings: "dir/" lists a folder, "dir/x" the names in dir starting
	// with x), in path order, paginated. With delimiter "/" it returns
	// the objects directly under the prefix and the folders below as
	// prefixes; with "" every object under it. Hidden names (_x, .x) are
	// listed: readers skip them (Glob does). A prefix with nothing under
	// it lists nothing, without error. page's slices are valid during the
	// call only; an error from page stops the listing and is returned.
	List(ctx context.Context, prefix, delimiter string, page func(ListPage) error) error
	// Create starts writing the object at path (replacing it at Close).
	Create(ctx context.Context, path string) (Writer, error)
	// Delete removes objects; a missing one is not an error.
	Delete(ctx context.Context, paths ...string) error
}

// Registry picks the FileSystem of a path by its URL scheme: plain paths
// and file:// are local disk, s3:// is S3 when configured. Safe for
// concurrent use once built.
type Registry struct {
	Local FileSystem
	// S3 serves s3:// paths; nil when S3 is not configured (such paths
	// are then an error naming the missing configuration).
	S3 FileSystem
}

// DefaultRegistry is local disk only.
func DefaultRegistry() *Registry { return &Registry{Local: Local{}} }

// For returns the FileSystem for path and the path as that FileSystem
// takes it (file:// stripped).
func (r *Registry) For(path string) (FileSystem, string, error) {
	scheme, rest, ok := strings.Cut(path, "://")
	if !ok || strings.ContainsAny(scheme, "/\\") {
		return r.Local, path, nil
	}
	switch strings.ToLower(scheme) {
	case "file":
		return r.Local, rest, nil
	case "s3", "s3a", "s3n":
		if r.S3 == nil {
			return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "cannot read \"%s\": S3 is not configured", path)
		}
		return r.S3, "s3://" + rest, nil
	}
	return nil, "", sqlerr.New(sqlerr.FeatureNotSupported, "unsupported storage scheme \"%s\" in \"%s\" (lakeq reads local paths, file:// and s3://)", scheme, path)
}

// Registry is itself a FileSystem: each call goes to the FileSystem of
// its path's scheme, so one value serves tables whose partitions live in
// different places.
var _ FileSystem = (*Registry)(nil)

// Stat implements FileSystem.
func (r *Registry) Stat(ctx context.Context, path string) (ObjectInfo, error) {
	fs, p, err := r.For(path)
	if err != nil {
		return ObjectInfo{}, err
	}
	return fs.Stat(ctx, p)
}

// Open implements FileSystem.
func (r *Registry) Open(ctx context.Context, path string) (File, error) {
	fs, p, err := r.For(path)
	if err != nil {
		return nil, err
	}
	return fs.Open(ctx, p)
}

// List implements FileSystem.
func (r *Registry) List(ctx context.Context, prefix, delimiter string, page func(ListPage) error) error {
	fs, p, err := r.For(prefix)
	if err != nil {
		return err
	}
	return fs.List(ctx, p, delimiter, page)
}

// Create implements FileSystem.
func (r *Registry) Create(ctx context.Context, path string) (Writer, error) {
	fs, p, err := r.For(path)
	if err != nil {
		return nil, err
	}
	return fs.Create(ctx, p)
}

// Delete implements FileSystem.
func (r *Registry) Delete(ctx context.Context, paths ...string) error {
	for _, path := range paths {
		fs, p, err := r.For(path)
		if err != nil {
			return err
		}
		if err := fs.Delete(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// UploadAborter is a FileSystem whose Create can leave, when its process
// dies mid-write, an unfinished upload that no listing shows and that
// still costs storage (S3's multipart uploads). AbortUploads drops those
// of the given objects and returns how many it dropped; objects without
// one are no error.
type UploadAborter interface {
	AbortUploads(ctx context.Context, paths ...string) (int, error)
}

// AbortUploads implements UploadAborter for the paths whose FileSystem
// does (the others cannot have any).
func (r *Registry) AbortUploads(ctx context.Context, paths ...string) (int, error) {
	n := 0
	for _, path := range paths {
		fs, p, err := r.For(path)
		if err != nil {
			return n, err
		}
		if ua, ok := fs.(UploadAborter); ok {
			k, err := ua.AbortUploads(ctx, p)
			n += k
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// IsURL reports whether path names an object store (s3://…) rather than
// local disk.
func IsURL(path string) bool {
	scheme, _, ok := strings.Cut(path, "://")
	return ok && !strings.ContainsAny(scheme, "/\\") && !strings.EqualFold(scheme, "file")
}

// Join joins path elements with "/", keeping a URL's "scheme://".
func Join(base string, elems ...string) string {
	if !IsURL(base) {
		return filepath.Join(append([]string{base}, elems...)...)
	}
	out := strings.TrimRight(base, "/")
	for _, e := range elems {
		e = strings.Trim(e, "/")
		if e != "" {
			out += "/" + e
		}
	}
	return out
}

// ScanStats counts what one query read. Safe for concurrent use.
type ScanStats struct {
	BytesRead atomic.Int64
	// BytesPlanned is what the scans listed so far expect to read (the
	// chosen files, partitions and row groups): progress's denominator
	BytesPlanned    atomic.Int64
	Requests        atomic.Int64 // reads sent to storage (each a GET on S3)
	CacheHits       atomic.Int64 // footers and listings served from a cache
	Listings        atomic.Int64 // listing pages fetched (each a LIST on S3)
	Stats           atomic.Int64 // objects described (each a HEAD on S3)
	Prefetched      atomic.Int64 // morsels whose ranges were fetched ahead of decoding
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

// CountedFS wraps fsys so its listings and stats are counted in st (nil:
// fsys itself).
func CountedFS(fsys FileSystem, st *ScanStats) FileSystem {
	if st == nil {
		return fsys
	}
	return &countedFS{FileSystem: fsys, st: st}
}

type countedFS struct {
	FileSystem
	st *ScanStats
}

// OpenInfo passes InfoOpener through.
func (c *countedFS) OpenInfo(ctx context.Context, info ObjectInfo) (File, error) {
	return OpenInfo(ctx, c.FileSystem, info)
}

func (c *countedFS) Stat(ctx context.Context, path string) (ObjectInfo, error) {
	c.st.Stats.Add(1)
	return c.FileSystem.Stat(ctx, path)
}

func (c *countedFS) List(ctx context.Context, prefix, delimiter string, page func(ListPage) error) error {
	return c.FileSystem.List(ctx, prefix, delimiter, func(pg ListPage) error {
		c.st.Listings.Add(1)
		return page(pg)
	})
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

// ByteLender is a File that can lend a range it holds in memory (a
// Prefetched range, a mapped local file) instead of copying it out: a
// reader that wants a range whole (a Parquet column chunk) takes it in
// place. The bytes are valid until the File is closed and must not be
// modified; false when the File cannot lend that range (read it then).
type ByteLender interface {
	Bytes(off, n int64) ([]byte, bool)
}

// Bytes passes a lending File's Bytes through, counting the bytes as
// read.
func (c *countedFile) Bytes(off, n int64) ([]byte, bool) {
	bs, ok := c.File.(ByteLender)
	if !ok {
		return nil, false
	}
	b, ok := bs.Bytes(off, n)
	if ok {
		c.st.BytesRead.Add(n)
		c.st.Requests.Add(1)
	}
	return b, ok
}

func (c *countedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.File.ReadAt(p, off)
	c.st.BytesRead.Add(int64(n))
	c.st.Requests.Add(1)
	return n, err
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

// Glob expands a pattern (*, ?, [..], {a,b}, and ** across folders) or
// a folder (every object under it) into objects, sorted by path, over
// fsys's List. Hidden names (_x, .x), files or folders, are skipped
// below the pattern's fixed part.
func Glob(ctx context.Context, fsys FileSystem, pattern string) ([]ObjectInfo, error) {
	seen := map[string]bool{}
	var out []ObjectInfo
	add := func(o ObjectInfo) {
		if !seen[o.Path] {
			seen[o.Path] = true
			out = append(out, o)
		}
	}
	for _, p := range ExpandBraces(pattern) {
		if !strings.ContainsAny(p, "*?[") {
			if o, err := fsys.Stat(ctx, p); err == nil {
				add(o)
				continue
			} else if sqlerr.Code(err) != sqlerr.UndefinedFile {
				return nil, err
			}
			p = strings.TrimRight(p, "/") + "/**"
		}
		root := p[:strings.IndexAny(p, "*?[")]
		root = root[:strings.LastIndexByte(root, '/')+1] // the folder the pattern starts in
		if root == "" && !strings.HasPrefix(p, "/") {
			root = ""
		}
		err := fsys.List(ctx, root, "", func(pg ListPage) error {
			for _, o := range pg.Objects {
				if hiddenBelow(root, o.Path) {
					continue
				}
				if matchPath(p, o.Path) {
					add(o)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// ListFolder lists the objects under a table or partition location, in
// path order, hidden names (_x, .x) skipped: one paginated listing, and
// a Stat only when that finds nothing (the location may be one object).
// A location with nothing at it lists nothing (an empty partition).
func ListFolder(ctx context.Context, fsys FileSystem, loc string) ([]ObjectInfo, error) {
	root := strings.TrimRight(loc, "/") + "/"
	var out []ObjectInfo
	err := fsys.List(ctx, root, "", func(pg ListPage) error {
		for _, o := range pg.Objects {
			if !hiddenBelow(root, o.Path) {
				out = append(out, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 && !strings.HasSuffix(loc, "/") {
		if o, err := fsys.Stat(ctx, loc); err == nil {
			return []ObjectInfo{o}, nil
		} else if sqlerr.Code(err) != sqlerr.UndefinedFile {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// hiddenBelow reports whether a path component after root is hidden.
func hiddenBelow(root, path string) bool {
	for _, c := range strings.Split(strings.TrimPrefix(path, root), "/") {
		if hidden(c) {
			return true
		}
	}
	return false
}

// Folders lists the folders directly under dir (hidden ones skipped), by
// name, sorted.
func Folders(ctx context.Context, fsys FileSystem, dir string) ([]string, error) {
	prefix := strings.TrimRight(dir, "/") + "/"
	var out []string
	err := fsys.List(ctx, prefix, "/", func(pg ListPage) error {
		for _, p := range pg.Prefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(p, prefix), "/")
			if name != "" && !hidden(name) {
				out = append(out, name)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Exists reports whether path is an object or a folder: on an object
// store, a prefix holding any object; on local disk, an existing folder
// (empty or not).
func Exists(ctx context.Context, fsys FileSystem, path string) (bool, error) {
	if r, ok := fsys.(*Registry); ok {
		inner, p, err := r.For(path)
		if err != nil {
			return false, err
		}
		fsys, path = inner, p
	}
	if _, ok := fsys.(Local); ok {
		_, err := os.Stat(path)
		if err == nil {
			return true, nil
		}
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return false, sqlerr.Wrap(err, sqlerr.IOError, "checking \"%s\"", path)
	}
	if _, err := fsys.Stat(ctx, path); err == nil {
		return true, nil
	} else if sqlerr.Code(err) != sqlerr.UndefinedFile {
		return false, err
	}
	found := false
	errStop := errors.New("found")
	err := fsys.List(ctx, strings.TrimRight(path, "/")+"/", "/", func(pg ListPage) error {
		if len(pg.Objects) > 0 || len(pg.Prefixes) > 0 {
			found = true
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	return found, nil
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

// splitURL cuts "s3://bucket/key" into "s3://" and "bucket/key"; a local
// path has no head.
func splitURL(p string) (head, rest string) {
	if IsURL(p) {
		i := strings.Index(p, "://")
		return p[:i+3], p[i+3:]
	}
	return "", p
}

// Dir is filepath.Dir for local paths and URLs alike.
func Dir(p string) string {
	head, rest := splitURL(p)
	if head == "" {
		return filepath.Dir(p)
	}
	rest = strings.TrimRight(rest, "/")
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		return head + rest[:i]
	}
	return head + rest
}

// Base is filepath.Base for local paths and URLs alike.
func Base(p string) string {
	_, rest := splitURL(p)
	return filepath.Base(rest)
}

// Rel is filepath.Rel for local paths and URLs alike: p's path below
// root, with "/" separators ("." for root itself).
func Rel(root, p string) (string, error) {
	if !IsURL(root) && !IsURL(p) {
		r, err := filepath.Rel(root, p)
		return filepath.ToSlash(r), err
	}
	root = strings.TrimRight(root, "/")
	if p == root {
		return ".", nil
	}
	if !strings.HasPrefix(p, root+"/") {
		return "", sqlerr.New(sqlerr.Internal, "\"%s\" is not under \"%s\"", p, root)
	}
	return strings.TrimPrefix(p, root+"/"), nil
}
