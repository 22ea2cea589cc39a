package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/managed"
	"github.com/lakeq/lakeq/types"
)

// The loader runs COPY … FROM, PostgreSQL's and Redshift's, in slices:
//
//   - The input is cut into units: each compressed file is one; a large
//     uncompressed file is cut into byte ranges at record boundaries
//     (found when planning, so a unit reads exactly its range).
//   - Units go to the slices largest first, each to the slice with the
//     fewest bytes so far (Redshift's advice "a multiple of the slice
//     count" then balances exactly).
//   - Each slice streams its units through a record reader, converts
//     fields straight into Arrow builders and writes batches to its own
//     data file as row groups fill: memory is a few buffers per slice,
//     whatever the input's size.
//   - A row that does not convert is counted and recorded
//     (sys.load_errors); past MAXERROR every slice stops, every staged
//     file is removed and nothing is published. Otherwise one publish
//     step makes all the slices' files the table's (all or nothing).

// loadUnit is a piece of the input one slice reads.
type loadUnit struct {
	idx        int
	file       storage.ObjectInfo
	start, end int64 // byte range (uncompressed files); end = -1: to the end
	comp       storage.Compression
	first      bool      // the file's first unit (IGNOREHEADER applies)
	r          io.Reader // STDIN
	lineBase   int64     // STDIN: the stream's lines before this unit
	lines      int64     // physical lines, once read
	done       bool
}

func (u *loadUnit) bytes() int64 {
	if u.end < 0 {
		return u.file.Size
	}
	return u.end - u.start
}

// loadError is one rejected row (a sys.load_errors row).
type loadError struct {
	QueryID, Table, File, Column, Type, RawLine, RawField, Reason, User string
	Slice, Position, ErrCode                                            int
	Line                                                                int64
	At                                                                  time.Time
	unit                                                                int
	state                                                               string
}

// loadRecord is one load (a sys.load_history row).
type loadRecord struct {
	QueryID, Table, Status, User, Source string
	Files, Slices                        int
	Bytes, Rows, Rejected                int64
	Start                                time.Time
	Duration                             time.Duration
}

// loadLog keeps recent loads and their errors in memory (bounded), for
// sys.load_history and sys.load_errors. Safe for concurrent use.
type loadLog struct {
	mu     sync.Mutex
	errs   []loadError
	loads  []loadRecord
	maxErr int
	maxLd  int
}

func (l *loadLog) add(rec loadRecord, errs []loadError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loads = append(l.loads, rec)
	if over := len(l.loads) - l.maxLd; over > 0 {
		l.loads = append([]loadRecord(nil), l.loads[over:]...)
	}
	l.errs = append(l.errs, errs...)
	if over := len(l.errs) - l.maxErr; over > 0 {
		l.errs = append([]loadError(nil), l.errs[over:]...)
	}
}

func (l *loadLog) snapshot() ([]loadRecord, []loadError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loadRecord(nil), l.loads...), append([]loadError(nil), l.errs...)
}

// errorsPerLoad bounds the rows one load records in sys.load_errors.
const errorsPerLoad = 1000

// loadBatchRows is the rows a slice gathers before writing a batch.
const loadBatchRows = 8192

// loadTarget is where a load's rows go.
type loadTarget struct {
	t      *catalog.Table
	pt     *planner.Table
	cols   []int         // table column index of each input field
	consts []types.Value // per table column: the default for unlisted ones
	// per table column: an unlisted one's default when it is volatile
	// (random(), gen_random_uuid()), evaluated per row instead
	volatile []ast.Expr
	listed   []bool
	ext      *ctasOptions // an external table's write options; nil for managed
}

// CopyFrom runs COPY … FROM with the data read from r (STDIN), streaming.
func (s *Session) CopyFrom(ctx context.Context, x *ast.Copy, r io.Reader) (*Result, error) {
	return s.load(ctx, x, r)
}

// load runs a COPY … FROM of a file, prefix, manifest or r (STDIN).
func (s *Session) load(ctx context.Context, x *ast.Copy, r io.Reader) (*Result, error) {
	start := time.Now()
	var o loadOpts
	var err error
	if x.Redshift {
		o, err = redshiftLoadOpts(x)
	} else {
		o, err = pgLoadOpts(x)
	}
	if err != nil {
		return nil, err
	}
	tgt, err := s.loadTarget(ctx, x)
	if err != nil {
		return nil, err
	}
	if err := o.forceColumns(x, tgt); err != nil {
		return nil, err
	}
	if o.json != "" && o.json != "auto" && o.json != "auto ignorecase" {
		if o.paths, err = s.loadJSONPaths(ctx, o.json); err != nil {
			return nil, err
		}
		if len(o.paths) != len(tgt.cols) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "jsonpaths file \"%s\" has %d expressions for %d columns", o.json, len(o.paths), len(tgt.cols))
		}
	}
	units, err := s.loadUnits(ctx, x, &o, r)
	if err != nil {
		return nil, err
	}
	slices := s.copySlices()
	var stdin io.Reader
	if r != nil && (slices == 1 || o.parquet) {
		slices = 1
	} else if r != nil {
		// the stream, cut into units as it arrives, goes to every slice
		stdin, units = r, nil
	}
	if stdin == nil {
		slices = max(1, min(slices, len(units)))
	}
	ld := &loadRun{s: s, o: &o, x: x, tgt: tgt, units: units, slices: slices, qid: s.qid, started: start, stdin: stdin}
	ld.stopUnit.Store(math.MaxInt64)
	res, err := ld.run(ctx)
	rec := loadRecord{QueryID: s.qid, Table: tgt.t.Database + "." + tgt.t.Name, Status: "COMPLETED", User: s.User, Source: x.File,
		Files: ld.files(), Slices: slices, Bytes: ld.bytes.Load(), Rows: ld.rows.Load(), Rejected: ld.rejected.Load(), Start: start, Duration: time.Since(start)}
	if x.File == "" {
		rec.Source = "STDIN"
	}
	if o.noload {
		rec.Status = "NOLOAD"
	}
	if err != nil {
		rec.Status, rec.Rows = "FAILED", 0
		if sqlerr.Code(err) == sqlerr.QueryCanceled {
			rec.Status = "CANCELLED"
		}
	}
	s.eng.loads.add(rec, ld.errs)
	return res, err
}

// copySlices is SET copy_slices, by default the workers.
func (s *Session) copySlices() int {
	var n int
	if _, err := fmt.Sscan(s.Settings["copy_slices"], &n); err != nil || n <= 0 {
		return max(1, s.eng.cfg.Workers)
	}
	return n
}

func (s *Session) loadTarget(ctx context.Context, x *ast.Copy) (*loadTarget, error) {
	var t *catalog.Table
	var pt *planner.Table
	var ext *ctasOptions
	if et, err := s.lookupTable(ctx, x.Table.Schema, x.Table.Name); err == nil && et != nil && et.Type == catalog.ExternalTable {
		// new files in the table's format under its location (as INSERT)
		o, target, err := s.externalTarget(ctx, et, "COPY")
		if err != nil {
			return nil, err
		}
		t, pt, ext = et, target, &o
	} else {
		var err error
		if t, pt, err = s.resolveWritable(ctx, x.Table); err != nil {
			return nil, err
		}
	}
	tgt := &loadTarget{t: t, pt: pt, ext: ext, consts: make([]types.Value, len(pt.Columns)), volatile: make([]ast.Expr, len(pt.Columns)), listed: make([]bool, len(pt.Columns))}
	if len(x.Columns) == 0 {
		for i, c := range pt.Columns {
			if !c.Pseudo {
				tgt.cols = append(tgt.cols, i)
				tgt.listed[i] = true
			}
		}
	} else {
		for _, name := range x.Columns {
			found := -1
			for i, c := range pt.Columns {
				if c.Name == name {
					found = i
				}
			}
			if found < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, x.Table.Name)
			}
			if tgt.listed[found] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", name)
			}
			tgt.cols = append(tgt.cols, found)
			tgt.listed[found] = true
		}
	}
	// an unlisted column takes its default, evaluated once for the load
	// (as now() is once per statement) unless it is volatile: then per
	// row, as PostgreSQL's COPY does
	for i, c := range pt.Columns {
		if tgt.listed[i] || c.Pseudo {
			continue
		}
		if c.Default != nil && planner.Volatile(s.eng.reg, c.Default) {
			tgt.volatile[i] = c.Default
			continue
		}
		if c.Default != nil {
			v, err := s.evalConst(ctx, c.Default, c.Type)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.Code(err), "default of column \"%s\"", c.Name)
			}
			tgt.consts[i] = v
		}
		if tgt.consts[i] == nil && c.NotNull {
			return nil, sqlerr.New(sqlerr.NotNullViolation, "null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, t.Name)
		}
	}
	return tgt, nil
}

// evalConst evaluates a column default to a value of type t.
func (s *Session) evalConst(ctx context.Context, e ast.Expr, t types.T) (types.Value, error) {
	res, err := s.runQuery(ctx, &ast.Select{Targets: []ast.Target{{Expr: e}}}, "", nil)
	if err != nil {
		return nil, err
	}
	res.Loc = s.Loc
	txt, ok := res.Text(0, res.Value(0, 0))
	if !ok {
		return nil, nil
	}
	return types.ParseText(t, txt, s.Loc)
}

// loadUnits lists the load's input and cuts it into units.
func (s *Session) loadUnits(ctx context.Context, x *ast.Copy, o *loadOpts, r io.Reader) ([]*loadUnit, error) {
	if r != nil {
		comp := o.comp
		return []*loadUnit{{file: storage.ObjectInfo{Path: "STDIN"}, end: -1, comp: comp, first: true, r: r}}, nil
	}
	fsys := s.fs()
	var files []storage.ObjectInfo
	switch {
	case o.manifest:
		fs, err := s.manifestFiles(ctx, x.File)
		if err != nil {
			return nil, err
		}
		files = fs
	case o.redshift:
		// every object whose name begins with the prefix, as Redshift
		err := fsys.List(ctx, x.File, "", func(p storage.ListPage) error {
			for _, ob := range p.Objects {
				if !strings.HasSuffix(ob.Path, "/") {
					files = append(files, ob)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "COPY: no file begins with \"%s\"", x.File)
		}
	default:
		fi, err := fsys.Stat(ctx, x.File)
		if err != nil {
			return nil, err
		}
		files = []storage.ObjectInfo{fi}
	}
	var units []*loadUnit
	split := int64(64 << 20)
	if s.eng.cfg.loadSplit > 0 {
		split = s.eng.cfg.loadSplit
	}
	for _, f := range files {
		comp := o.comp
		if !o.compSet {
			comp = storage.CompressionOf(f.Path)
		}
		if comp != storage.NoCompression || f.Size <= split || o.parquet {
			units = append(units, &loadUnit{file: f, end: -1, comp: comp, first: true})
			continue
		}
		cuts, err := s.recordCuts(ctx, f, o, split)
		if err != nil {
			return nil, err
		}
		prev := int64(0)
		for i, c := range append(cuts, f.Size) {
			if c <= prev && i > 0 {
				continue
			}
			units = append(units, &loadUnit{file: f, start: prev, end: c, first: prev == 0})
			prev = c
		}
	}
	for i, u := range units {
		u.idx = i
	}
	return units, nil
}

// recordCuts finds record starts near every multiple of step in an
// uncompressed file: the first unescaped newline past each, or for CSV
// and JSON the first newline outside quotes and objects (found by one
// pass over the file: that state cannot be known from the middle).
func (s *Session) recordCuts(ctx context.Context, fi storage.ObjectInfo, o *loadOpts, step int64) ([]int64, error) {
	f, err := s.fs().Open(ctx, fi.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cuts []int64
	if o.csv || o.json != "" {
		rr := newRecReader(io.NewSectionReader(f, 0, f.Size()), o, -1)
		next := step
		for {
			_, _, ok, err := rr.next()
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading \"%s\"", fi.Path)
			}
			if !ok {
				return cuts, nil
			}
			if rr.pos >= next && rr.pos < fi.Size {
				cuts = append(cuts, rr.pos)
				next = rr.pos + step
			}
			if ctx.Err() != nil {
				return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
			}
		}
	}
	buf := make([]byte, 64<<10)
	for at := step; at < fi.Size; {
		// read back a little so an escaping backslash run is seen
		from := max(0, at-64)
		n, err := f.ReadAt(buf, from)
		if n == 0 && err != nil {
			break
		}
		cut := int64(-1)
		for i := int(at - from); i < n; i++ {
			if buf[i] != '\n' {
				continue
			}
			if o.bsEscape || o.pgText {
				k := 0
				for j := i - 1; j >= 0 && buf[j] == '\\'; j-- {
					k++
				}
				if k%2 == 1 {
					continue
				}
			}
			cut = from + int64(i) + 1
			break
		}
		if cut < 0 {
			at = from + int64(n) // no newline in this window: look further
			continue
		}
		if cut < fi.Size {
			cuts = append(cuts, cut)
		}
		at = cut + step
	}
	return cuts, nil
}

// readWhole reads a small file a load is driven by (a manifest, a
// jsonpaths file); what names it in errors.
func (s *Session) readWhole(ctx context.Context, path, what string) ([]byte, error) {
	f, err := s.fs().Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "reading %s \"%s\"", what, path)
	}
	return data, nil
}

// manifestFiles reads a Redshift manifest: {"entries": [{"url": …,
// "mandatory": bool}, …]}. A missing mandatory file fails the load; a
// missing optional one is skipped.
func (s *Session) manifestFiles(ctx context.Context, path string) ([]storage.ObjectInfo, error) {
	data, err := s.readWhole(ctx, path, "manifest")
	if err != nil {
		return nil, err
	}
	var m struct {
		Entries []struct {
			URL       string `json:"url"`
			Mandatory bool   `json:"mandatory"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "manifest \"%s\" is not valid JSON: %v", path, err)
	}
	var out []storage.ObjectInfo
	for i, e := range m.Entries {
		if e.URL == "" {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "manifest \"%s\": entry %d has no url", path, i+1)
		}
		fi, err := s.fs().Stat(ctx, e.URL)
		if err != nil {
			if sqlerr.Code(err) == sqlerr.UndefinedFile && !e.Mandatory {
				continue
			}
			if sqlerr.Code(err) == sqlerr.UndefinedFile {
				return nil, sqlerr.New(sqlerr.UndefinedFile, "manifest \"%s\" names mandatory file \"%s\", which does not exist", path, e.URL)
			}
			return nil, err
		}
		out = append(out, fi)
	}
	return out, nil
}

// loadRun is one load in progress.
type loadRun struct {
	s       *Session
	o       *loadOpts
	x       *ast.Copy
	tgt     *loadTarget
	units   []*loadUnit
	slices  int
	qid     string
	started time.Time
	// bufs backs the slices' column builders: the buffers of a batch's
	// arrays, released once written, make the next batch's
	bufs bufPool

	rows, rejected, bytes atomic.Int64
	defMu                 sync.Mutex // one volatile default evaluated at a time
	mu                    sync.Mutex
	// collected holds an external table's rows until they are written in
	// its format (lakeWrite partitions and names the files)
	collected []arrow.Record
	errs      []loadError
	firstErr  *loadError

	// closing counts full data files committing (footer, fsync) in the
	// background while their slice reads on; closeErr is the first
	// failure, which stops the load
	closing  sync.WaitGroup
	closeErr error
	stop     context.CancelCauseFunc
	// stdin, for a load from the client's stream on several slices: the
	// stream, cut into units by splitStdin and handed out through feed;
	// splitErr is what ended the stream early
	stdin    io.Reader
	feed     chan *loadUnit
	splitErr error
	sealed   bool // the slices are done: no unit is added (under mu)
	// stopUnit is the first unit (by index: the input's order) where rows
	// past MAXERROR were rejected: later units stop, earlier ones go on,
	// so that the error reported is the input's first, whichever slice
	// met its own first
	stopUnit atomic.Int64
}

// errRowsRejected is a slice's end once rows past MAXERROR were
// rejected: run reports the first of them (tooManyErrors).
var errRowsRejected = errors.New("rows past MAXERROR rejected")

// rejectedPast stops the units after u; the slice then ends.
func (ld *loadRun) rejectedPast(u *loadUnit) error {
	for {
		cur := ld.stopUnit.Load()
		if int64(u.idx) >= cur || ld.stopUnit.CompareAndSwap(cur, int64(u.idx)) {
			return errRowsRejected
		}
	}
}

// stopped reports whether u comes after the first unit with rows past
// MAXERROR.
func (ld *loadRun) stopped(u *loadUnit) bool { return int64(u.idx) > ld.stopUnit.Load() }

// closeLater commits a full data file in the background: its fsync
// (tens of ms) would otherwise leave the slice's core idle. run waits
// for every one before it publishes or aborts.
func (ld *loadRun) closeLater(f *managed.FileStream) {
	ld.closing.Add(1)
	go func() {
		defer ld.closing.Done()
		if err := f.Close(); err != nil {
			ld.mu.Lock()
			if ld.closeErr == nil {
				ld.closeErr = err
			}
			ld.mu.Unlock()
			ld.stop(err)
		}
	}()
}

func (ld *loadRun) files() int {
	seen := map[string]bool{}
	for _, u := range ld.units {
		seen[u.file.Path] = true
	}
	return len(seen)
}

// queue hands the units out to the slices as each asks for its next,
// largest first (nil when none is left): a slice that runs slower than
// the others — a file that inflates slower, a core shared with the
// background writes — takes fewer, where fixed shares left the other
// slice idle at the end (0.1-0.2 s of a 6 s load on two cores).
func (ld *loadRun) queue() func() *loadUnit {
	order := append([]*loadUnit(nil), ld.units...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].bytes() > order[j].bytes() })
	var mu sync.Mutex
	return func() *loadUnit {
		mu.Lock()
		defer mu.Unlock()
		if len(order) == 0 {
			return nil
		}
		u := order[0]
		order = order[1:]
		return u
	}
}

func (ld *loadRun) run(ctx context.Context) (*Result, error) {
	s := ld.s
	e := s.eng
	var mt *managed.Table
	var w *managed.Writer
	if ld.tgt.ext == nil {
		if err := e.adoptLegacy(ctx, ld.tgt.t); err != nil {
			return nil, err
		}
		var err error
		if mt, err = e.managedStorage(ld.tgt.t); err != nil {
			return nil, err
		}
		qid := managed.NewID()
		w = mt.NewWriter(qid, e.staging.Begin(qid))
	}
	abortW := func() {
		if w != nil {
			w.Abort(ctx)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ld.stop = cancel
	var wg sync.WaitGroup
	errs := make([]error, ld.slices)
	next := ld.queue()
	if ld.stdin != nil {
		ld.feed = make(chan *loadUnit, ld.slices)
		splitDone := make(chan struct{})
		go func() {
			defer close(splitDone)
			ld.splitStdin(ctx, ld.stdin, ld.o.comp)
		}()
		// after a failure the reader may sit in a read of the client's
		// stream until the server closes it, once the load returns
		defer func() {
			if ctx.Err() == nil {
				<-splitDone
			}
		}()
		next = func() *loadUnit {
			select {
			case u := <-ld.feed:
				return u // nil once the feed is closed
			case <-ctx.Done():
				return nil
			}
		}
	}
	for i := range ld.slices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ld.slice(ctx, i, next, w); err != nil && !errors.Is(err, errRowsRejected) {
				errs[i] = err
				cancel(err)
			}
		}()
	}
	wg.Wait()
	ld.mu.Lock()
	ld.sealed = true // a unit the reader still cuts is not loaded
	ld.mu.Unlock()
	ld.closing.Wait()
	ld.fixLines(context.WithoutCancel(ctx))
	var err error
	for _, e := range append(errs, ld.closeErr) {
		if e != nil && (err == nil || sqlerr.Code(err) == sqlerr.QueryCanceled) {
			err = e
		}
	}
	if ld.rejected.Load() > ld.o.maxErr {
		// the earliest bad row, whichever slice met it first
		err = ld.tooManyErrors()
	} else if err == nil && ld.splitErr != nil {
		err = ld.splitErr
	}
	if ld.tgt.ext != nil {
		defer func() {
			for _, r := range ld.collected {
				r.Release()
			}
		}()
	}
	if err == nil && ld.o.noload {
		abortW()
		return &Result{Tag: "COPY 0", Notices: []string{fmt.Sprintf("NOLOAD: %d rows would load, %d rows have errors (see sys.load_errors)", ld.rows.Load(), ld.rejected.Load())}}, nil
	}
	if err != nil {
		abortW()
		return nil, err
	}
	n := ld.rows.Load()
	if ld.tgt.ext != nil {
		if n > 0 {
			names := make([]string, len(ld.tgt.pt.Columns))
			ts := make([]types.T, len(ld.tgt.pt.Columns))
			for i, c := range ld.tgt.pt.Columns {
				names[i], ts[i] = c.Name, c.Type
			}
			if _, err := s.writeExternal(ctx, ld.tgt.t, *ld.tgt.ext, names, ts, ld.collected); err != nil {
				return nil, err
			}
		}
	} else if n > 0 {
		next, err := e.publish(ctx, ld.tgt.t, mt, w, false, nil)
		if err != nil {
			return nil, err
		}
		e.compactLater(ld.tgt.t, mt, next)
	} else {
		abortW()
	}
	res := &Result{Tag: fmt.Sprintf("COPY %d", n), Rows: n}
	if r := ld.rejected.Load(); r > 0 {
		res.Notices = append(res.Notices, fmt.Sprintf("Load into table \"%s\" completed, %d record(s) loaded successfully; %d record(s) could not be loaded (see sys.load_errors, query_id '%s')", ld.tgt.t.Name, n, r, ld.qid))
	}
	return res, nil
}

// tooManyErrors is the error of a load past MAXERROR: for PostgreSQL's
// COPY the first bad row's own error, for Redshift's a pointer to
// sys.load_errors with the first error's SQLSTATE and reason.
func (ld *loadRun) tooManyErrors() error {
	fe := ld.firstErr
	where := fmt.Sprintf("line %d", fe.Line)
	if ld.x.File != "" && ld.files() > 1 {
		where = fmt.Sprintf("file \"%s\", line %d", fe.File, fe.Line)
	}
	if fe.Column != "" {
		where += ", column " + fe.Column
	}
	if !ld.o.redshift {
		return sqlerr.New(fe.state, "%s (COPY %s, %s)", fe.Reason, ld.x.Table.Name, where)
	}
	return sqlerr.New(fe.state, "Load into table \"%s\" failed: %d record(s) could not be loaded, more than MAXERROR %d; see sys.load_errors (query_id '%s'). First: %s: %s",
		ld.tgt.t.Name, ld.rejected.Load(), ld.o.maxErr, ld.qid, where, fe.Reason)
}

// fixLines turns unit-relative line numbers into file line numbers.
func (ld *loadRun) fixLines(ctx context.Context) {
	ld.mu.Lock()
	defer ld.mu.Unlock()
	before := map[int]int64{}
	for i := range ld.errs {
		le := &ld.errs[i]
		u := ld.units[le.unit]
		if u.first || u.r != nil {
			continue
		}
		n, ok := before[u.idx]
		if !ok {
			n = ld.linesBefore(ctx, u)
			before[u.idx] = n
		}
		le.Line += n
	}
}

// linesBefore counts the lines of u's file before u: from the earlier
// units when they all finished, else by reading.
func (ld *loadRun) linesBefore(ctx context.Context, u *loadUnit) int64 {
	var n int64
	all := true
	for _, v := range ld.units {
		if v.file.Path == u.file.Path && v.start < u.start {
			if !v.done {
				all = false
				break
			}
			n += v.lines
		}
	}
	if all {
		return n
	}
	f, err := ld.s.fs().Open(ctx, u.file.Path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	n = 0
	for off := int64(0); off < u.start; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), u.start-off)], off)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		off += int64(k)
		if err != nil || k == 0 {
			break
		}
	}
	return n
}

// reject records a row that did not load; it reports false when the
// load must stop (past MAXERROR).
func (ld *loadRun) reject(le loadError) bool {
	n := ld.rejected.Add(1)
	le.QueryID, le.Table, le.User, le.At = ld.qid, ld.tgt.t.Name, ld.s.User, time.Now()
	ld.mu.Lock()
	if u := ld.units[le.unit]; u.r != nil {
		le.Line += u.lineBase // the stream's line, not the unit's
	}
	if len(ld.errs) < errorsPerLoad {
		ld.errs = append(ld.errs, le)
	}
	if ld.firstErr == nil || le.unit < ld.firstErr.unit || le.unit == ld.firstErr.unit && le.Line < ld.firstErr.Line {
		cp := le
		ld.firstErr = &cp
	}
	ld.mu.Unlock()
	return n <= ld.o.maxErr
}

// slice loads the units it takes from next, until none is left, into
// data files of w, one file per FileRows rows.
func (ld *loadRun) slice(ctx context.Context, slice int, next func() *loadUnit, w *managed.Writer) error {
	pt := ld.tgt.pt
	cols := make([]*loadCol, len(ld.tgt.cols))
	for j, ti := range ld.tgt.cols {
		c := pt.Columns[ti]
		cols[j] = newLoadCol(c.Name, c.Type, c.NotNull, ld.o, ld.s.Loc, &ld.bufs)
	}
	defer func() {
		for _, c := range cols {
			c.b.Release()
		}
	}()
	var out *managed.FileStream
	fail := func(err error) error {
		if out != nil {
			out.Abort()
		}
		return err
	}
	pending := 0
	flush := func() error {
		if pending == 0 {
			return nil
		}
		rec, err := ld.batch(ctx, cols, pending)
		if err != nil {
			return err
		}
		defer rec.Release()
		pending = 0
		ld.rows.Add(rec.NumRows())
		if ld.o.noload {
			return nil
		}
		if w == nil {
			rec.Retain()
			ld.mu.Lock()
			ld.collected = append(ld.collected, rec)
			ld.mu.Unlock()
			return nil
		}
		if out == nil {
			var err error
			if out, err = w.Stream(ctx); err != nil {
				return err
			}
		}
		if err := out.Write(rec); err != nil {
			return err
		}
		if out.Rows() >= managed.FileRows {
			ld.closeLater(out)
			out = nil
		}
		return nil
	}
	d := copyDialect{csv: ld.o.csv, delim: ld.o.delim, null: ld.o.null, quote: ld.o.quote, escape: ld.o.escape}
	sp := &fieldSplitter{o: ld.o, d: d}
	want := len(cols)
	colNames := make([]string, len(cols))
	for j, c := range cols {
		colNames[j] = c.name
	}
	for u := next(); u != nil; u = next() {
		if ld.stopped(u) {
			continue
		}
		if ld.o.parquet {
			err := ld.parquetUnit(ctx, slice, u, cols, func() error {
				pending++
				if pending == loadBatchRows {
					return flush()
				}
				return nil
			})
			if err != nil {
				return fail(err)
			}
			continue
		}
		in, closeIn, err := ld.open(ctx, u)
		if err != nil {
			return fail(err)
		}
		limit := int64(-1)
		if u.end >= 0 {
			limit = u.end - u.start
		}
		rr := newRecReader(in, ld.o, limit)
		rr.stdin = u.r != nil
		headerRead := false
		for {
			if ctx.Err() != nil {
				closeIn()
				return fail(ctxErr(ctx))
			}
			if ld.stopped(u) {
				break // a unit before it failed the load
			}
			rec, line, ok, err := rr.next()
			if err != nil {
				closeIn()
				if se, isSQL := err.(*sqlerr.Error); isSQL {
					return fail(se)
				}
				return fail(sqlerr.Wrap(err, sqlerr.IOError, "reading \"%s\"", u.file.Path))
			}
			if !ok {
				break
			}
			if ld.o.pg() && string(rec) == `\.` {
				break // the end-of-copy marker, even where the header was due
			}
			if pg := ld.o.pg(); pg && u.first && ld.o.header > 0 && !headerRead {
				// PostgreSQL's header is the first record, however many
				// lines a quoted name spans
				headerRead = true
				if ld.o.headerMatch {
					if err := sp.matchHeader(rec, colNames); err != nil {
						closeIn()
						return fail(err)
					}
				}
				continue
			} else if !pg && u.first && line <= ld.o.header {
				continue
			}
			if ld.o.pg() && len(rec) >= 2 && rec[0] == '\\' && rec[1] == '.' {
				if len(rec) == 2 {
					break // the end-of-copy marker: what follows is not read
				}
				if !ld.o.csv {
					closeIn()
					return fail(sqlerr.New(sqlerr.BadCopyFileFormat, "end-of-copy marker corrupt (COPY %s, line %d)", ld.tgt.t.Name, line))
				}
			}
			if len(rec) == 0 && ld.o.ignoreBlank {
				continue // Redshift's IGNOREBLANKLINES; PostgreSQL reads a blank line as one empty field
			}
			var fields [][]byte
			var nulls []bool
			if ld.o.json != "" {
				if len(bytes.TrimSpace(rec)) == 0 {
					continue
				}
				fields, nulls, err = sp.jsonFields(rec, colNames)
			} else {
				fields, nulls, err = sp.split(rec)
			}
			if err != nil {
				if !ld.reject(loadError{Slice: slice, File: u.file.Path, Line: line, RawLine: clip(rec), ErrCode: errUnterminated, Reason: err.Error(), unit: u.idx, state: sqlerr.Code(err)}) {
					closeIn()
					return fail(ld.rejectedPast(u))
				}
				continue
			}
			if ld.o.forceNotNull != nil || ld.o.forceNull != nil {
				sp.force(fields, nulls)
			}
			// PostgreSQL converts the fields a short row has before it
			// reports the missing ones
			short := ld.o.pg() && len(fields) < want
			if len(fields) != want && !short {
				if len(fields) < want && ld.o.fill {
					for len(fields) < want {
						fields, nulls = append(fields, nil), append(nulls, false)
						sp.offsets = append(sp.offsets, len(rec))
					}
				} else {
					code, what := errFewerColumns, "missing data for column"
					if len(fields) > want {
						code, what = errExtraColumns, "extra data after last expected column"
					}
					reason := fmt.Sprintf("%s: %d fields, expected %d", what, len(fields), want)
					if !ld.reject(loadError{Slice: slice, File: u.file.Path, Line: line, RawLine: clip(rec), ErrCode: code, Reason: reason, unit: u.idx, state: "22P04"}) {
						closeIn()
						return fail(ld.rejectedPast(u))
					}
					continue
				}
			}
			bad := false
			// one UTF-8 check of the line instead of one per field, when
			// its fields are slices of it (no escapes that make bytes)
			valid := ld.o.pg() || bytes.IndexByte(rec, '\\') < 0 && utf8.Valid(rec)
			for j, c := range cols {
				if j == len(fields) { // short
					reason := fmt.Sprintf("missing data for column \"%s\"", c.name)
					if !ld.reject(loadError{Slice: slice, File: u.file.Path, Line: line, RawLine: clip(rec), ErrCode: errFewerColumns, Reason: reason, unit: u.idx, state: "22P04"}) {
						closeIn()
						return fail(ld.rejectedPast(u))
					}
					bad = true
					break
				}
				c.valid = valid
				if ce := c.set(fields[j], nulls[j]); ce != nil {
					le := loadError{Slice: slice, File: u.file.Path, Line: line, Column: c.name, Type: c.t.String(), Position: sp.offsets[j] + 1,
						RawLine: clip(rec), RawField: clip(fields[j]), ErrCode: ce.code, Reason: ce.err.Message, unit: u.idx, state: ce.err.Code}
					if !ld.reject(le) {
						closeIn()
						return fail(ld.rejectedPast(u))
					}
					bad = true
					break
				}
			}
			if bad {
				continue
			}
			for _, c := range cols {
				c.commit()
			}
			pending++
			if pending == loadBatchRows {
				if err := flush(); err != nil {
					closeIn()
					return fail(err)
				}
			}
		}
		if ld.o.pg() && ld.o.headerMatch && u.first && !headerRead {
			// PostgreSQL reads the header line even of empty data
			if err := sp.matchHeader(nil, colNames); err != nil {
				closeIn()
				return fail(err)
			}
		}
		if u.r != nil {
			ld.bytes.Add(rr.pos)
		} else {
			ld.bytes.Add(u.bytes())
		}
		closeIn()
		u.lines, u.done = rr.lines, true
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if out != nil {
		ld.closeLater(out)
	}
	return nil
}

// open returns the unit's bytes (decompressed) from its start.
func (ld *loadRun) open(ctx context.Context, u *loadUnit) (io.Reader, func(), error) {
	var raw io.Reader
	closeF := func() {}
	if u.r != nil {
		raw = u.r
	} else {
		f, err := ld.s.fs().Open(ctx, u.file.Path)
		if err != nil {
			return nil, nil, err
		}
		st := ld.s.scanStats()
		if u.first { // a file cut into byte ranges counts once
			st.FilesRead.Add(1)
		}
		f = storage.Counted(f, st)
		raw = io.NewSectionReader(f, u.start, f.Size()-u.start)
		closeF = func() { f.Close() }
	}
	if u.comp == storage.NoCompression {
		return raw, closeF, nil
	}
	z, err := storage.Decompress(u.comp, raw, u.file.Path)
	if err != nil {
		closeF()
		return nil, nil, err
	}
	return z, func() { z.Close(); closeF() }, nil
}

// batch builds a record of the table's columns from the builders, with
// unlisted columns filled with their defaults.
func (ld *loadRun) batch(ctx context.Context, cols []*loadCol, n int) (arrow.Record, error) {
	pt := ld.tgt.pt
	arrs := make([]arrow.Array, 0, len(pt.Columns))
	fields := make([]arrow.Field, 0, len(pt.Columns))
	byTable := map[int]arrow.Array{}
	for j, ti := range ld.tgt.cols {
		a := cols[j].b.NewArray()
		byTable[ti] = a
		// the next batch is likely alike: size the builder once, not by doubling
		cols[j].b.Reserve(loadBatchRows)
		if sb, ok := cols[j].b.(*array.StringBuilder); ok {
			sb.ReserveData(a.(*array.String).ValueLen(a.Len()-1) + a.(*array.String).ValueOffset(a.Len()-1) + 1)
		}
	}
	for i, c := range pt.Columns {
		if c.Pseudo {
			continue
		}
		a, ok := byTable[i]
		if !ok && ld.tgt.volatile[i] != nil {
			v, err := ld.volatileColumn(ctx, c, ld.tgt.volatile[i], n)
			if err != nil {
				for _, a := range arrs {
					a.Release()
				}
				return nil, err
			}
			a, ok = v, true
		}
		if !ok {
			vals := make([]types.Value, n)
			for k := range vals {
				vals[k] = ld.tgt.consts[i]
			}
			a = types.BuildArray(c.Type, vals)
		}
		arrs = append(arrs, a)
		fields = append(fields, arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: true})
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(n))
	for _, a := range arrs {
		a.Release()
	}
	return rec, nil
}

// volatileColumn evaluates column c's volatile default for n rows, as
// SELECT default FROM generate_series(1, n) in the load's session (one
// slice at a time: a session runs one query at once).
func (ld *loadRun) volatileColumn(ctx context.Context, c planner.TableColumn, def ast.Expr, n int) (arrow.Array, error) {
	ld.defMu.Lock()
	defer ld.defMu.Unlock()
	series := &ast.FuncCall{Name: []string{"generate_series"}, Args: []ast.Expr{&ast.Const{Kind: "int", Val: "1"}, &ast.Const{Kind: "int", Val: strconv.Itoa(n)}}}
	res, err := ld.s.runQuery(ctx, &ast.Select{Targets: []ast.Target{{Expr: def}}, From: []ast.TableExpr{&ast.FuncTable{Func: series}}}, "", nil)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.Code(err), "default of column \"%s\"", c.Name)
	}
	res.Loc = ld.s.Loc
	vals := make([]types.Value, 0, n)
	for i := 0; i < int(res.NumRows()); i++ {
		txt, ok := res.Text(0, res.Value(i, 0))
		if !ok {
			if c.NotNull {
				return nil, sqlerr.New(sqlerr.NotNullViolation, "null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, ld.tgt.t.Name)
			}
			vals = append(vals, nil)
			continue
		}
		v, err := types.ParseText(c.Type, txt, ld.s.Loc)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.Code(err), "default of column \"%s\"", c.Name)
		}
		vals = append(vals, v)
	}
	if len(vals) != n {
		return nil, sqlerr.New(sqlerr.Internal, "default of column \"%s\": %d values for %d rows", c.Name, len(vals), n)
	}
	return types.BuildArray(c.Type, vals), nil
}

func clip(b []byte) string {
	const max = 1024
	if len(b) > max {
		b = b[:max]
	}
	return strings.ToValidUTF8(string(b), "?")
}

func ctxErr(ctx context.Context) error {
	if c := context.Cause(ctx); c != nil && c != context.Canceled {
		if se, ok := c.(*sqlerr.Error); ok {
			return se
		}
	}
	return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
}
