package managed

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// Staging records the writes a process has in flight, so that what a
// crashed process wrote and never published is removed at the next
// start. Each process takes a token, holds an exclusive flock on
// <dir>/<token>.lock while it runs, and keeps one intent file per write
// in <dir>/<token>/: the table location and every file the write creates
// (data files and snapshots), recorded before the file is. A token whose
// lock can be taken belongs to a process that is gone: its intents name
// files to delete unless the catalog's current snapshot of that table
// names them (a crash between the publish and the intent's removal).
// Processes sharing a data directory each keep their own token; a write
// on another machine (a shared catalog over S3) is that machine's to
// recover.
//
// Staging is safe for concurrent use.
type Staging struct {
	dir   string
	token string
	lock  *os.File
	mu    sync.Mutex
}

// OpenStaging takes a new token under dir (created if needed).
func OpenStaging(dir string) (*Staging, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating staging folder %s", dir)
	}
	token := NewID()
	f, err := os.OpenFile(filepath.Join(dir, token+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating staging lock in %s", dir)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "locking staging token in %s", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, token), 0o755); err != nil {
		f.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating staging folder %s", dir)
	}
	return &Staging{dir: dir, token: token, lock: f}, nil
}

// Token is this process's token.
func (s *Staging) Token() string { return s.token }

// Alive reports whether the process holding token is still running.
func (s *Staging) Alive(token string) bool {
	if token == s.token {
		return true
	}
	f, err := os.OpenFile(filepath.Join(s.dir, token+".lock"), os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil
}

// Close releases the token (its intents are the writes still running,
// which there should be none of). Records Settle has not checked yet
// stay for the next start's Recover.
func (s *Staging) Close() error {
	if s == nil || s.lock == nil {
		return nil
	}
	if !s.Settling() {
		_ = os.RemoveAll(filepath.Join(s.dir, s.token))
		_ = os.Remove(filepath.Join(s.dir, s.token+".lock"))
	} // else the token, unlocked, is the next start's to recover
	err := s.lock.Close()
	s.lock = nil
	return err
}

// Intent is one write's record of the files it creates.
type Intent struct {
	s    *Staging
	path string
	mu   sync.Mutex
	rec  intentRecord
}

type intentRecord struct {
	Location string   `json:"location"`
	Files    []string `json:"files"` // relative to Location
}

// Begin records a new write with query id qid.
func (s *Staging) Begin(qid string) *Intent {
	if s == nil {
		return nil
	}
	return &Intent{s: s, path: filepath.Join(s.dir, s.token, qid+".json")}
}

// Add records that the write is about to create rel under loc. It is
// written (and fsynced) before the file, so a crash never leaves a file
// that no intent names.
func (in *Intent) Add(loc, rel string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rec.Location = loc
	in.rec.Files = append(in.rec.Files, rel)
	b, _ := json.Marshal(in.rec)
	tmp := in.path + ".tmp"
	f, err := os.Create(tmp)
	if err == nil {
		_, err = f.Write(b)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, in.path)
	}
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "recording staged file %s", rel)
	}
	return nil
}

// Remove drops the intent: the write was published or aborted.
func (in *Intent) Remove() {
	in.mu.Lock()
	defer in.mu.Unlock()
	_ = os.Remove(in.path)
}

// Referenced answers, for a table location, which relative paths the
// table's current version names (for a managed table its snapshot's
// files and the snapshot file itself); ok is false when no table lives
// there any more, and keep nil (with ok) when the table owns every
// published (not '.'-prefixed) file there.
type Referenced func(ctx context.Context, loc string) (keep func(rel string) bool, ok bool, err error)

// Recover removes what the writes of dead processes left: every file
// their intents name that the table's current snapshot does not, with
// the temporary files of uploads they left half written. It returns the
// number of files removed.
func (s *Staging) Recover(ctx context.Context, fsys storage.FileSystem, ref Referenced) (int, error) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return 0, sqlerr.Wrap(err, sqlerr.IOError, "reading staging folder %s", s.dir)
	}
	removed := 0
	for _, e := range ents {
		token, ok := strings.CutSuffix(e.Name(), ".lock")
		if !ok || token == s.token {
			continue
		}
		lock, err := os.OpenFile(filepath.Join(s.dir, e.Name()), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			lock.Close() // its process is alive
			continue
		}
		n, err := s.recoverToken(ctx, fsys, ref, filepath.Join(s.dir, token))
		removed += n
		if err == nil {
			_ = os.RemoveAll(filepath.Join(s.dir, token))
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
		lock.Close()
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

func (s *Staging) recoverToken(ctx context.Context, fsys storage.FileSystem, ref Referenced, dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, nil
		}
		return 0, sqlerr.Wrap(err, sqlerr.IOError, "reading staging folder %s", dir)
	}
	removed := 0
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return removed, sqlerr.Wrap(err, sqlerr.IOError, "reading staging record %s", e.Name())
		}
		var rec intentRecord
		if json.Unmarshal(b, &rec) != nil || rec.Location == "" {
			continue // torn before its first file: nothing was written
		}
		keep, ok, err := ref(ctx, rec.Location)
		if err != nil {
			return removed, err
		}
		if !ok {
			keep = nil
		} else if keep == nil {
			// a table owns the whole location (an external table): what
			// the write published has its name, what it did not is still
			// hidden ('.'-prefixed)
			keep = func(rel string) bool { return !strings.HasPrefix(filepath.Base(rel), ".") }
		}
		var del []string
		for _, rel := range rec.Files {
			if keep != nil && keep(rel) {
				continue
			}
			p := rec.Location + "/" + rel
			del = append(del, p)
			// a half-written local file is a hidden temporary beside it
			dirOf, base := storage.Dir(p), storage.Base(p)
			_ = fsys.List(ctx, dirOf+"/."+base+".tmp-", "", func(pg storage.ListPage) error {
				for _, o := range pg.Objects {
					del = append(del, o.Path)
				}
				return nil
			})
		}
		if len(del) > 0 {
			if err := fsys.Delete(ctx, del...); err != nil {
				return removed, err
			}
			removed += len(del)
			// a file being uploaded in parts when its process died is an
			// unfinished upload, invisible to listings but kept (and
			// billed) by the store until aborted
			if ua, ok := fsys.(storage.UploadAborter); ok {
				k, err := ua.AbortUploads(ctx, del...)
				removed += k
				if err != nil {
					return removed, err
				}
			}
		}
		if len(del) > 0 && storage.IsURL(rec.Location) {
			// a request the dead process had sent may still land in the
			// store after these deletes (a PUT whose body the server had
			// already received): the files are checked again by Settle
			if err := s.keepSettling(e.Name(), intentRecord{Location: rec.Location, Files: relOf(rec.Location, del)}); err != nil {
				return removed, err
			}
		}
		_ = os.Remove(filepath.Join(dir, e.Name()))
	}
	return removed, nil
}

// settleSuffix marks the records of files Recover deleted from an object
// store, kept under this process's token until Settle checks them again.
const settleSuffix = ".settle"

func relOf(loc string, paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		out = append(out, strings.TrimPrefix(p, loc+"/"))
	}
	return out
}

// keepSettling records rec under this process's token, so that a crash
// before Settle leaves it to the next start's Recover.
func (s *Staging) keepSettling(name string, rec intentRecord) error {
	b, _ := json.Marshal(rec)
	p := filepath.Join(s.dir, s.token, strings.TrimSuffix(name, ".json")+settleSuffix+".json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return sqlerr.Wrap(err, sqlerr.IOError, "recording files to check again in %s", s.dir)
	}
	return nil
}

// Settling reports whether Recover left files to check again.
func (s *Staging) Settling() bool {
	m, _ := filepath.Glob(filepath.Join(s.dir, s.token, "*"+settleSuffix+".json"))
	return len(m) > 0
}

// Settle deletes again the object-store files Recover deleted, once
// every request their dead writer had in flight has ended (the caller
// waits long enough first), and drops their records. It returns the
// number of files that had reappeared.
func (s *Staging) Settle(ctx context.Context, fsys storage.FileSystem) (int, error) {
	m, _ := filepath.Glob(filepath.Join(s.dir, s.token, "*"+settleSuffix+".json"))
	found := 0
	for _, p := range m {
		b, err := os.ReadFile(p)
		if err != nil {
			return found, sqlerr.Wrap(err, sqlerr.IOError, "reading staging record %s", p)
		}
		var rec intentRecord
		if json.Unmarshal(b, &rec) != nil {
			_ = os.Remove(p)
			continue
		}
		var del []string
		for _, rel := range rec.Files {
			path := rec.Location + "/" + rel
			ok, err := storage.Exists(ctx, fsys, path)
			if err != nil {
				return found, err
			}
			if ok {
				del = append(del, path)
			}
		}
		if len(del) > 0 {
			if err := fsys.Delete(ctx, del...); err != nil {
				return found, err
			}
			found += len(del)
		}
		if ua, ok := fsys.(storage.UploadAborter); ok {
			all := make([]string, 0, len(rec.Files))
			for _, rel := range rec.Files {
				all = append(all, rec.Location+"/"+rel)
			}
			k, err := ua.AbortUploads(ctx, all...)
			found += k
			if err != nil {
				return found, err
			}
		}
		_ = os.Remove(p)
	}
	return found, nil
}
