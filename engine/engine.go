// Package engine is lakeq's facade: Engine holds the state shared by all
// sessions (catalog, table storage, functions); Session holds one
// client's settings and runs statements. The CLI, the server and the
// tests all go through here.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/connectors/system"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/storage/s3"
)

// Config configures an Engine.
type Config struct {
	// loadSplit is the size past which COPY cuts a file into byte ranges
	// (tests make it small); 0 is 64 MiB
	loadSplit int64
	// replacedGrace is how long INSERT OVERWRITE keeps the files of the
	// folders it replaced (default managed.GarbageGrace; tests shorten it)
	replacedGrace time.Duration
	// settle is how long after removing the object-store files of a
	// crashed writer lakeq deletes them again, for requests that landed
	// after the writer died (default 30s; tests shorten it)
	settle  time.Duration
	DataDir string // holds catalog.db, warehouse/ and staging/
	// Warehouse is where new managed tables' files go: a folder or an
	// s3:// prefix ("" = DataDir/warehouse). Each table's location is
	// kept in the catalog, so tables stay where they were created.
	Warehouse string
	// SecretKey seals the passwords of mounted databases in the catalog
	// ("" = LAKEQ_SECRET_KEY, else the key file DATA_DIR/secret.key)
	SecretKey string
	Catalog   string // catalog store URL: "" = DataDir/catalog.db, or postgres://…
	Workers   int    // threads per query; 0 = all cores
	MemLimit  int64  // memory_limit's default in bytes; 0 = 80% of RAM
	// HistoryRetention is how long sys.query_history keeps entries
	// (0 = DefaultHistoryRetention, negative = history off).
	HistoryRetention time.Duration
	// Log receives internal errors with their stack traces (the server
	// log); nil discards them.
	Log *log.Logger
	// Debug also prints an internal error's stack trace to Stderr.
	Debug  bool
	Stderr io.Writer
	// S3 configures s3:// (empty fields: the AWS SDK's environment,
	// shared config and credentials files). Sessions may override it
	// with SET s3_….
	S3 s3.Config
	// ListCacheTTL keeps S3 listings this long (0: not cached), dropped
	// at once by lakeq's own writes.
	ListCacheTTL time.Duration
	// CacheDir, when set, keeps the S3 object ranges queries read on local
	// disk (at most CacheSize bytes; 0 = 10 GiB), keyed by ETag.
	CacheDir  string
	CacheSize int64
	// FS, when set, replaces the storage built from S3 (tests).
	FS *storage.Registry
}

// Engine is the shared state of one lakeq process. Safe for concurrent use.
type Engine struct {
	cfg    Config
	store  catalog.Store // router: the shared store and the sessions' temporary schemas
	router *catalogRouter
	// warehouse is where new managed tables go; staging records this
	// process's writes in flight (crash recovery)
	warehouse string
	staging   *managed.Staging
	// bg is background work (compaction) Close waits for; compacting
	// holds the locations being compacted
	bg         sync.WaitGroup
	compacting sync.Map
	// settled is closed when the files of crashed writers were checked
	// again (recoverStaging); stopSettle ends the wait at Close
	settled    chan struct{}
	stopSettle context.CancelFunc
	reg        *functions.Registry
	hist       *history
	// loads is sys.load_history and sys.load_errors
	loads *loadLog
	fs    *storage.Registry
	// footers are the Parquet footers read, shared by every session
	footers *parquet.Footers

	lockMu sync.Mutex
	locks  map[string]*sync.Mutex // per-table write locks

	sessions sessions // live sessions by pid (pg_stat_activity)
	// mounts are the connectors of mounted databases (mounts.go)
	mounts mounts

	procsOnce sync.Once
	procList  []system.Function // pg_proc's rows
}

// DefaultDataDir is $LAKEQ_HOME, else ~/.lakeq.
func DefaultDataDir() string {
	if d := os.Getenv("LAKEQ_HOME"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".lakeq"
	}
	return filepath.Join(home, ".lakeq")
}

// Open opens (creating if needed) the data directory.
func Open(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir()
	}
	if cfg.SecretKey == "" {
		cfg.SecretKey = os.Getenv("LAKEQ_SECRET_KEY")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if os.Getenv("LAKEQ_DEBUG") != "" {
		cfg.Debug = true
	}
	if cfg.Debug && cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	wh := filepath.Join(cfg.DataDir, "warehouse")
	if err := os.MkdirAll(wh, 0o755); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "creating data directory %s", cfg.DataDir)
	}
	url := cfg.Catalog
	if url == "" {
		url = filepath.Join(cfg.DataDir, "catalog.db")
	}
	store, err := catalog.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	fsys := cfg.FS
	if fsys == nil {
		var s3fs storage.FileSystem
		if c, err := s3.New(ctx, cfg.S3); err != nil {
			s3fs = failingFS{err} // local files still work; s3:// says why not
		} else {
			s3fs = c
			if cfg.ListCacheTTL > 0 {
				s3fs = storage.NewListCache(s3fs, cfg.ListCacheTTL)
			}
			if cfg.CacheDir != "" {
				size := cfg.CacheSize
				if size <= 0 {
					size = 10 << 30
				}
				dc, err := storage.OpenDiskCache(cfg.CacheDir, size)
				if err != nil {
					store.Close()
					return nil, sqlerr.Wrap(err, sqlerr.IOError, "opening the cache folder")
				}
				s3fs = &storage.CachedFS{FileSystem: s3fs, Cache: dc}
			}
		}
		fsys = &storage.Registry{Local: storage.Local{}, S3: s3fs}
	}
	staging, err := managed.OpenStaging(filepath.Join(cfg.DataDir, "staging"))
	if err != nil {
		store.Close()
		return nil, err
	}
	if cfg.Warehouse != "" {
		wh = cfg.Warehouse
	}
	router := &catalogRouter{Store: store}
	e := &Engine{cfg: cfg, store: router, router: router, warehouse: wh, staging: staging, reg: functions.Default(), fs: fsys, footers: parquet.NewFooters(64 << 20), locks: map[string]*sync.Mutex{},
		loads: &loadLog{maxErr: 100_000, maxLd: 10_000}}
	if err := e.recoverStaging(ctx); err != nil {
		staging.Close()
		store.Close()
		return nil, err
	}
	e.cleanTemp()
	e.settled = make(chan struct{})
	if staging.Settling() {
		e.settleLater()
	} else {
		close(e.settled)
	}
	if cfg.HistoryRetention == 0 {
		cfg.HistoryRetention = DefaultHistoryRetention
	}
	if cfg.HistoryRetention > 0 {
		e.hist = newHistory(store, cfg.HistoryRetention)
	}
	return e, nil
}

// Close releases the engine's resources.
func (e *Engine) Close() error {
	if e.store == nil {
		return nil
	}
	if e.stopSettle != nil {
		e.stopSettle()
	}
	e.bg.Wait() // compactions publish through the catalog
	e.mounts.closeAll()
	if e.hist != nil {
		e.hist.Close()
	}
	err := e.store.Close()
	e.store = nil
	os.RemoveAll(e.tempDir())
	e.staging.Close()
	if c, ok := e.fs.S3.(io.Closer); ok {
		c.Close() // idle connections
	}
	return err
}

// reportInternal sends an internal error's stack trace to the log, and
// to stderr under Debug: the client sees only the message.
func (e *Engine) reportInternal(sql string, err error) {
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Stack == "" {
		return
	}
	if e.cfg.Log != nil {
		e.cfg.Log.Printf("%s in statement %q\n%s", se.Message, redactSQL(sql), se.Stack)
	}
	if e.cfg.Debug && e.cfg.Stderr != nil {
		fmt.Fprintf(e.cfg.Stderr, "%s in statement %q\n%s\n", se.Message, redactSQL(sql), se.Stack)
	}
}

// Registry exposes the function registry.
func (e *Engine) Registry() *functions.Registry { return e.reg }

// Catalog exposes the catalog store.
// FS is the engine's storage: every path by its scheme.
func (e *Engine) FS() *storage.Registry { return e.fs }

func (e *Engine) Catalog() catalog.Store { return e.store }

func (e *Engine) tableLock(db, name string) *sync.Mutex {
	e.lockMu.Lock()
	defer e.lockMu.Unlock()
	k := db + "." + name
	m, ok := e.locks[k]
	if !ok {
		m = &sync.Mutex{}
		e.locks[k] = m
	}
	return m
}

var errClosed = errors.New("engine closed")
