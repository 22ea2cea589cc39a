package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/lakeq/lakeq/sqlerr"
)

// Local is the local-disk FileSystem. Folders are made as objects are
// created in them, as an object store has none to make.
type Local struct{}

// listPageSize bounds one page of a local listing, as S3's 1,000 keys do.
const listPageSize = 1000

type localFile struct {
	*os.File
	info ObjectInfo

	// the file mapped into memory on the first Bytes call, unmapped at
	// Close; mapErr remembers a failed mapping (reads then copy)
	mapOnce sync.Once
	mapped  []byte
	mapErr  error
}

func (f *localFile) Size() int64      { return f.info.Size }
func (f *localFile) Info() ObjectInfo { return f.info }

// Bytes lends n bytes at off from the file mapped into memory, so that a
// reader that wants a range whole (a Parquet column chunk) reads the
// page cache in place instead of copying it out with pread (6-9% of
// TPC-H's time was that copy). The bytes are valid until Close and must
// not be modified. A file truncated while mapped faults on access: the
// reader runs with debug.SetPanicOnFault and recovers it as an error.
func (f *localFile) Bytes(off, n int64) ([]byte, bool) {
	if off < 0 || n < 0 || off+n > f.info.Size {
		return nil, false
	}
	f.mapOnce.Do(func() {
		if f.info.Size == 0 || int64(int(f.info.Size)) != f.info.Size {
			f.mapErr = errors.New("not mapped")
			return
		}
		f.mapped, f.mapErr = syscall.Mmap(int(f.File.Fd()), 0, int(f.info.Size), syscall.PROT_READ, syscall.MAP_SHARED)
	})
	if f.mapErr != nil {
		return nil, false
	}
	return f.mapped[off : off+n : off+n], true
}

// Close unmaps the file (if Bytes mapped it) and closes it.
func (f *localFile) Close() error {
	f.mapOnce.Do(func() {}) // no mapping from here on
	if f.mapped != nil {
		syscall.Munmap(f.mapped)
		f.mapped = nil
	}
	return f.File.Close()
}

func localInfo(path string, st fs.FileInfo) ObjectInfo {
	return ObjectInfo{Path: path, Size: st.Size(), ModTime: st.ModTime(), ETag: fmt.Sprintf("%x-%x", st.Size(), st.ModTime().UnixNano())}
}

func localErr(err error, verb, path string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return sqlerr.New(sqlerr.UndefinedFile, "could not %s file \"%s\": No such file or directory", verb, path)
	}
	if errors.Is(err, fs.ErrPermission) {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "could not %s file \"%s\": Permission denied", verb, path)
	}
	// PostgreSQL's disk_full: the statement fails, the session and the
	// server go on once space is freed
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return sqlerr.New(sqlerr.DiskFull, "could not %s file \"%s\": %s", verb, path, noSpace(err))
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "could not %s file \"%s\"", verb, path)
}

func noSpace(err error) string {
	if errors.Is(err, syscall.EDQUOT) {
		return "Disk quota exceeded"
	}
	return "No space left on device"
}

// Stat implements FileSystem.
func (Local) Stat(_ context.Context, path string) (ObjectInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return ObjectInfo{}, localErr(err, "stat", path)
	}
	if st.IsDir() {
		return ObjectInfo{}, sqlerr.New(sqlerr.UndefinedFile, "\"%s\" is a directory, not a file", path)
	}
	return localInfo(path, st), nil
}

// Open implements FileSystem. The open file keeps reading the content
// seen at Open even if the path is replaced (renamed over) meanwhile.
func (Local) Open(_ context.Context, path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, localErr(err, "open", path)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, localErr(err, "stat", path)
	}
	if st.IsDir() {
		f.Close()
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a directory", path)
	}
	return &localFile{File: f, info: localInfo(path, st)}, nil
}

// List implements FileSystem.
func (Local) List(ctx context.Context, prefix, delimiter string, page func(ListPage) error) error {
	if delimiter != "" && delimiter != "/" {
		return sqlerr.New(sqlerr.FeatureNotSupported, "listing local files with delimiter %q", delimiter)
	}
	dir, base := "", prefix // dir ends in "/" or is "" (the working folder)
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir, base = prefix[:i+1], prefix[i+1:]
	}
	var pg ListPage
	flush := func(force bool) error {
		if len(pg.Objects)+len(pg.Prefixes) >= listPageSize || force && len(pg.Objects)+len(pg.Prefixes) > 0 {
			err := page(pg)
			pg = ListPage{}
			return err
		}
		return nil
	}
	// walk lists dir (a path ending in "/", or "" for the working folder)
	// in name order, recursing into folders unless a delimiter is set
	var walk func(dir, base string) error
	walk = func(dir, base string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		osDir := dir
		if osDir == "" {
			osDir = "."
		}
		ents, err := os.ReadDir(osDir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
				return nil
			}
			return sqlerr.Wrap(err, sqlerr.IOError, "listing \"%s\"", prefix)
		}
		// S3 orders keys byte-wise, and "a/" sorts after "a.b": sort the
		// names as the keys they stand for
		names := make([]string, 0, len(ents))
		isDir := map[string]bool{}
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), base) {
				continue
			}
			n := e.Name()
			if e.IsDir() {
				n += "/"
				isDir[n] = true
			}
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p := dir + n
			if isDir[n] {
				if delimiter != "" {
					pg.Prefixes = append(pg.Prefixes, p)
					if err := flush(false); err != nil {
						return err
					}
					continue
				}
				if err := walk(p, ""); err != nil {
					return err
				}
				continue
			}
			st, err := os.Stat(p)
			if err != nil {
				continue // removed meanwhile
			}
			if st.IsDir() { // a symbolic link to a folder
				continue
			}
			pg.Objects = append(pg.Objects, localInfo(p, st))
			if err := flush(false); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(dir, base); err != nil {
		return err
	}
	return flush(true)
}

// Create implements FileSystem: the object is written to a hidden
// temporary file beside its path, fsynced, and renamed into place on
// Close (then the folder is fsynced too, so the rename survives a crash).
func (Local) Create(_ context.Context, path string) (Writer, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, localErr(err, "create", path)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, localErr(err, "create", path)
	}
	return &localWriter{f: f, path: path}, nil
}

type localWriter struct {
	f    *os.File
	path string
	done bool
}

func (w *localWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		return n, localErr(err, "write", w.path)
	}
	return n, nil
}

func (w *localWriter) Close() error {
	if w.done {
		return nil
	}
	w.done = true
	tmp := w.f.Name()
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		os.Remove(tmp)
		return localErr(err, "write", w.path)
	}
	if err := w.f.Close(); err != nil {
		os.Remove(tmp)
		return localErr(err, "write", w.path)
	}
	if err := os.Rename(tmp, w.path); err != nil {
		os.Remove(tmp)
		return localErr(err, "write", w.path)
	}
	return syncDir(filepath.Dir(w.path))
}

func (w *localWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return localErr(err, "remove", w.f.Name())
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return localErr(err, "open", dir)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return localErr(err, "sync", dir)
	}
	return nil
}

// Delete implements FileSystem.
func (Local) Delete(_ context.Context, paths ...string) error {
	for _, p := range paths {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return localErr(err, "remove", p)
		}
	}
	return nil
}

// FolderRenamer moves a whole folder in one step: local disk's rename,
// which object stores do not have.
type FolderRenamer interface {
	RenameFolder(from, to string) error
}

// RenameFolder implements FolderRenamer: to must not exist or be an
// empty folder.
func (Local) RenameFolder(from, to string) error {
	from, to = strings.TrimPrefix(from, "file://"), strings.TrimPrefix(to, "file://")
	if ents, err := os.ReadDir(to); err == nil && len(ents) == 0 {
		_ = os.Remove(to)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return localErr(err, "create", to)
	}
	if err := os.Rename(from, to); err != nil {
		return localErr(err, "rename", from)
	}
	return syncDir(filepath.Dir(to))
}

// FolderRenamerOf returns the FolderRenamer of the file system path is
// on, if it has one.
func FolderRenamerOf(fsys FileSystem, path string) (FolderRenamer, bool) {
	if r, ok := fsys.(*Registry); ok {
		f, _, err := r.For(path)
		if err != nil {
			return nil, false
		}
		fsys = f
	}
	fr, ok := fsys.(FolderRenamer)
	return fr, ok
}
