package engine

import (
	"context"
	"fmt"
	"github.com/google/uuid"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column describes a result column.
type Column struct {
	Name string
	Type types.T
}

// Result is the outcome of one statement; Tag is PostgreSQL's command
// tag. A query's rows are a stream of batches (Next, Close): from
// StreamStmt, batches as the query produces them; from ExecStmt, Exec
// and Query, the batches all read into Records.
type Result struct {
	Columns []Column
	Records []arrow.Record
	Tag     string
	Rows    int64 // rows returned or affected
	Notices []string
	Loc     *time.Location // session TimeZone, for timestamptz output
	Scanned Scanned        // data the statement read
	// stream is the running query of a streaming result (nil once it
	// ended); next is the index in Records Next hands out next
	stream *resultStream
	next   int
}

// Text renders a value in PostgreSQL's text format ("" and false for NULL).
func (r *Result) Text(col int, v types.Value) (string, bool) {
	if v == nil {
		return "", false
	}
	return types.FormatTextIn(r.Columns[col].Type, v, r.Loc), true
}

// NumRows counts the result's rows.
func (r *Result) NumRows() int64 {
	var n int64
	for _, b := range r.Records {
		n += b.NumRows()
	}
	return n
}

// Value returns row i, column c as a scalar (slow; for tests and tools).
func (r *Result) Value(row, col int) types.Value {
	for _, b := range r.Records {
		if row < int(b.NumRows()) {
			return types.GetValue(r.Columns[col].Type, b.Column(col), row)
		}
		row -= int(b.NumRows())
	}
	return nil
}

// Session is one client's connection to the engine. Not safe for
// concurrent use; use one Session per client.
type Session struct {
	eng        *Engine
	User       string
	Database   string
	SearchPath []string
	Settings   map[string]string
	Loc        *time.Location

	// scan counts what the running statement reads (nil between
	// statements); the history and Result.Scanned report it.
	scan *storage.ScanStats
	// live is scan for Progress, which other goroutines call
	live atomic.Pointer[storage.ScanStats]
	// qid is the running statement's query id (sys.query_history)
	qid string
	// lastQID is the query id of the last statement that ended
	// (pg_last_query_id); guarded by mu
	lastQID  string
	prepared map[string]*sqlPrepared
	cursors  map[string]*cursor
	// InTransaction is set by the wire server inside BEGIN … COMMIT
	// (DECLARE without HOLD needs a block).
	InTransaction bool
	// PID is the wire session's process id (pg_backend_pid); 0 elsewhere.
	PID int64
	// ListAhead lists every scan's files and row groups before a query
	// runs, so that Result.Progress knows from the start the bytes the
	// plan expects to read (the shell's progress line sets it).
	ListAhead bool
	// catView is the running statement's pg_catalog snapshot, loaded
	// on first use (nil between statements).
	catView *catalogView
	// mu guards Settings, Loc, SearchPath and catView against
	// set_config and catalog lookups running on a query's workers.
	mu sync.Mutex

	// ReadAs, when set, may give the table a query reads in place of a
	// managed table t (nil keeps t). The sqllogictest runner's storage
	// layouts use it to read a script's tables from Parquet, CSV or JSON
	// copies of their rows; it is called while binding, from the
	// session's goroutine.
	ReadAs func(ctx context.Context, t *catalog.Table) (*catalog.Table, error)

	// ParamTypes are the declared types of the parameters of the
	// statement about to run or be described (PREPARE's list, the wire
	// Parse message's OIDs; UnknownT where none was declared): binding
	// starts from them and infers the rest. Callers set it around one
	// statement.
	ParamTypes []types.T

	act activity // what pg_stat_activity shows; read by other sessions

	// temp is the session's temporary schema (nil until its first
	// temporary relation)
	temp *tempSchema
	// seqs is currval and lastval
	seqs seqSession

	// s3fs is the session's own S3 client, built for the s3_ settings
	// whose values s3sig holds (guarded by mu)
	s3fs  *storage.Registry
	s3sig string
}

// NewSession starts a session with default settings.
func (e *Engine) NewSession() *Session {
	s := e.newSession()
	now := time.Now()
	s.act.a = Activity{BackendStart: now, StateChange: now, State: "idle"}
	e.sessions.add(s)
	return s
}

func (e *Engine) newSession() *Session {
	s := &Session{eng: e, User: "lakeq", Database: "lakeq", SearchPath: []string{"public"}, Loc: time.UTC,
		Settings: map[string]string{
			"timezone": "UTC", "datestyle": "ISO, MDY", "intervalstyle": "postgres", "search_path": "public",
			"client_encoding": "UTF8", "server_encoding": "UTF8", "application_name": "", "extra_float_digits": "1",
			"client_min_messages": "notice", "statement_timeout": "0", "standard_conforming_strings": "on",
			"integer_datetimes": "on", "transaction_isolation": "read committed", "server_version": functions.ServerVersion,
			"server_version_num": functions.ServerVersionNum, "copy_slices": strconv.Itoa(max(1, e.cfg.Workers)),
			settingMemLimit: formatBytes(e.defaultMemLimit()), settingTempSize: "90%",
			settingPricePerTB: defaultPricePerTB,
		}}
	for k, v := range s3Defaults(e.cfg.S3) {
		s.Settings[k] = v
	}
	return s
}

// Exec runs every statement in sql, stopping at the first error. It
// returns the results of the statements that ran.
func (s *Session) Exec(ctx context.Context, sql string, params ...types.Value) ([]*Result, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	var out []*Result
	for _, st := range stmts {
		r, err := s.ExecStmt(ctx, st, params)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Query runs one statement and returns its result.
func (s *Session) Query(ctx context.Context, sql string, params ...types.Value) (*Result, error) {
	rs, err := s.Exec(ctx, sql, params...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return &Result{Tag: "EMPTY"}, nil
	}
	return rs[len(rs)-1], nil
}

// ExecStmt runs one parsed statement to its end: a query's rows are all
// in Result.Records. A panic anywhere below becomes an XX000 error; the
// session stays usable.
func (s *Session) ExecStmt(ctx context.Context, st parser.Statement, params []types.Value) (*Result, error) {
	res, err := s.StreamStmt(ctx, st, params)
	if err != nil {
		return nil, err
	}
	if err := res.Collect(); err != nil {
		return nil, err
	}
	return res, nil
}

// StreamStmt runs one parsed statement; a query's result streams (Next):
// its rows leave as the query produces them and only the batches in
// flight are held. The caller reads it to the end or Closes it; until
// then the statement is running — in pg_stat_activity, under
// statement_timeout and cancel — and its Tag, Rows and Scanned are final
// only after. Other statements may run on the session meanwhile (a
// portal suspended between fetches). A panic anywhere below becomes an
// XX000 error; the session stays usable.
func (s *Session) StreamStmt(ctx context.Context, st parser.Statement, params []types.Value) (res *Result, err error) {
	// the statement's own cancel, for pg_cancel_backend of a session
	// that has no wire connection to cancel through
	ctx, stop := context.WithCancel(ctx)
	act := s.started(st.SQL, stop)
	cancelTimeout := func() {}
	if to := s.Settings["statement_timeout"]; to != "" && to != "0" {
		if d, ok := parseDuration(to); ok && d > 0 {
			ctx, cancelTimeout = context.WithTimeout(ctx, d)
		}
	}
	start := time.Now()
	qid := uuid.NewString() // sys.query_history's id, known while the statement runs
	scan := &storage.ScanStats{}
	s.qid, s.scan = qid, scan
	s.live.Store(scan)
	s.freshView() // each statement sees the catalog as it is when it starts
	end := func(res *Result, err error) {
		text := st.SQL
		if _, ok := st.AST.(*ast.RoleStmt); ok {
			text = redact(text)
		}
		s.record(text, qid, scan, start, res, err)
		s.mu.Lock()
		s.lastQID = qid
		s.mu.Unlock()
		if res != nil {
			res.Scanned = Scanned{Bytes: scan.BytesRead.Load(), Files: scan.FilesRead.Load(), Partitions: scan.PartitionsRead.Load(), Requests: scan.Requests.Load(),
				PartitionsPruned: scan.PartitionsPruned.Load(), Prefixes: scan.PrefixesListed.Load()}
		}
		if err != nil {
			s.eng.reportInternal(st.SQL, err)
		}
		if s.qid == qid { // no other statement started meanwhile
			s.qid, s.scan = "", nil
			s.live.CompareAndSwap(scan, nil)
			s.freshView()
		}
		s.finished(act)
		cancelTimeout()
		stop()
	}
	defer func() {
		if r := recover(); r != nil {
			res = nil
			err = sqlerr.Panic("", r, debug.Stack())
		}
		if res != nil {
			res.Loc = s.Loc
		}
		if err == nil && res.stream != nil {
			res.stream.end = end // the statement ends with its stream
			return
		}
		end(res, err)
	}()
	return s.dispatch(ctx, st, params)
}

// Progress is what the session's running statement has read from
// storage so far and what the scans it has listed expect to read (all of
// its scans from the start with ListAhead); zeros between statements.
// Safe to call from any goroutine while the statement runs.
func (s *Session) Progress() (read, planned int64) {
	st := s.live.Load()
	if st == nil {
		return 0, 0
	}
	return st.BytesRead.Load(), st.BytesPlanned.Load()
}

func (s *Session) lastQueryID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastQID
}

// scanStats is the running statement's counters (fresh ones outside a statement).
func (s *Session) scanStats() *storage.ScanStats {
	if s.scan != nil {
		return s.scan
	}
	return &storage.ScanStats{}
}

// Scanned is what a statement read from storage.
type Scanned struct {
	Bytes, Files, Partitions int64
	Requests                 int64 // reads sent to storage (GETs on S3)
	PartitionsPruned         int64 // ruled out before any listing
	Prefixes                 int64 // folders listed
}

func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Millisecond, true
	}
	for _, u := range []struct {
		suf string
		d   time.Duration
	}{{"ms", time.Millisecond}, {"s", time.Second}, {"min", time.Minute}, {"h", time.Hour}} {
		if strings.HasSuffix(s, u.suf) {
			if n, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, u.suf)), 64); err == nil {
				return time.Duration(n * float64(u.d)), true
			}
		}
	}
	return 0, false
}

func (s *Session) dispatch(ctx context.Context, st parser.Statement, params []types.Value) (*Result, error) {
	if !s.InTransaction {
		// the last statement committed on its own
		if err := s.endOfCommit(ctx); err != nil {
			return nil, err
		}
	}
	switch x := st.AST.(type) {
	case *ast.Select:
		return s.streamQuery(ctx, x, st.SQL, params)
	case *ast.Explain:
		return s.explain(ctx, x, st.SQL, params)
	case *ast.CreateTable:
		return s.createTable(ctx, x, st.SQL, params)
	case *ast.Insert:
		return s.insert(ctx, x, st.SQL, params)
	case *ast.Update:
		return s.update(ctx, x, st.SQL, params)
	case *ast.Delete:
		return s.delete(ctx, x, st.SQL, params)
	case *ast.Merge:
		return s.merge(ctx, x, st.SQL, params)
	case *ast.Truncate:
		return s.truncate(ctx, x)
	case *ast.Comment:
		return s.comment(ctx, x)
	case *ast.Drop:
		return s.drop(ctx, x)
	case *ast.CreateView:
		return s.createView(ctx, x, st.SQL)
	case *ast.CreateIndex:
		if _, _, err := s.resolveWritable(ctx, x.Table); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE INDEX"}, nil
	case *ast.CreateSchema:
		return s.createSchema(ctx, x)
	case *ast.CreateExternalTable:
		return s.createExternal(ctx, x)
	case *ast.CreateDatabase:
		return s.createDatabase(ctx, x)
	case *ast.CreateExternalSchema:
		return s.createExternalSchema(ctx, x)
	case *ast.DropDatabase:
		res := &Result{Tag: "DROP DATABASE"}
		if err := s.dropSchema(ctx, x.Name, x.IfExists, x.Cascade, res); err != nil {
			return nil, err
		}
		return res, nil
	case *ast.ShowLake:
		return s.showLake(ctx, x)
	case *ast.Describe:
		return s.describe(ctx, x)
	case *ast.AlterTableLake:
		return s.alterTable(ctx, x)
	case *ast.AlterColumns:
		return s.alterColumns(ctx, x)
	case *ast.Vacuum:
		return s.vacuum(ctx, x)
	case *ast.CreateSequence:
		return s.createSequence(ctx, x)
	case *ast.AlterSequence:
		return s.alterSequence(ctx, x)
	case *ast.Unload:
		return s.unload(ctx, x, params)
	case *ast.MsckRepair:
		return s.msck(ctx, x)
	case *ast.Call:
		return s.call(ctx, x)
	case *ast.RoleStmt:
		return s.role(ctx, x)
	case *ast.Copy:
		return s.copyFile(ctx, x)
	case *ast.Prepare:
		return s.prepare(ctx, x)
	case *ast.Execute:
		return s.execute(ctx, x)
	case *ast.Deallocate:
		return s.deallocate(x)
	case *ast.DeclareCursor:
		return s.declare(ctx, x, s.InTransaction)
	case *ast.Fetch:
		return s.fetch(x)
	case *ast.CloseCursor:
		return s.closeCursor(x)
	case *ast.Discard:
		return s.discard(x)
	case *ast.Analyze:
		if x.Table.Name == "" {
			return s.analyzeAll(ctx)
		}
		return s.analyze(ctx, x, x.NoScan)
	case *ast.Set:
		return s.set(ctx, x)
	case *ast.Show:
		return s.show(x)
	case *ast.Transaction:
		switch x.Kind {
		case "BEGIN", "START TRANSACTION":
			s.InTransaction = true
		case "COMMIT", "ROLLBACK":
			s.InTransaction = false
			s.EndTransaction()
			if err := s.endOfCommit(ctx); err != nil {
				return nil, err
			}
		}
		return &Result{Tag: x.Kind}, nil
	case *ast.Noop:
		return &Result{Tag: x.Tag}, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "statement %T is not supported", st.AST)
}

func (s *Session) binder(ctx context.Context, sql string) *planner.Binder {
	b := planner.NewBinder(ctx, &catAdapter{s: s}, s.eng.reg, s.Loc, sql)
	if len(s.ParamTypes) > 0 {
		b.ParamTypes = append([]types.T(nil), s.ParamTypes...)
	}
	schema := "public"
	if len(s.SearchPath) > 0 {
		schema = s.SearchPath[0]
	}
	b.Session = &functions.Ctx{User: s.User, Database: s.Database, Schema: schema, Meta: meta{s.view(ctx)},
		SearchPath: s.SearchPath, TempSchema: s.tempSchemaName(), BackendPID: s.PID, Sequences: sessionSequences{s, ctx}}
	return b
}

func (s *Session) execCtx(ctx context.Context, params []types.Value) *exec.Ctx {
	schema := "public"
	if len(s.SearchPath) > 0 {
		schema = s.SearchPath[0]
	}
	ec := &exec.Ctx{
		Expr: &expr.Ctx{Context: ctx, F: &functions.Ctx{Loc: s.Loc, Now: time.Now(), User: s.User, Database: s.Database, Schema: schema, Settings: sessionSettings{s}, Backends: backends{s},
			Meta: meta{s.view(ctx)}, SearchPath: s.SearchPath, TempSchema: s.tempSchemaName(), BackendPID: s.PID, Sequences: sessionSequences{s, ctx}, LastQueryID: s.lastQueryID()}, Params: params},
		Scan:      s.scanStats(),
		Workers:   s.eng.cfg.Workers,
		ListAhead: s.ListAhead,
	}
	mem, temp := s.memLimits()
	ec.Mem = exec.NewMemTracker(mem)
	ec.Spill = exec.NewSpill(filepath.Join(s.eng.tempDir(), uuid.NewString()), temp)
	ec.Expr.Query = ec
	return ec
}

// runPipelines runs a physical plan to its end, its spill files removed
// after.
func runPipelines(ec *exec.Ctx, root *exec.Pipeline) error {
	defer ec.Spill.Close()
	return root.Run(ec)
}

// plan binds and optimizes a query.
func (s *Session) plan(ctx context.Context, sel *ast.Select, sql string, params []types.Value) (planner.Node, *planner.Binder, error) {
	b := s.binder(ctx, sql)
	b.ParamValues = params
	n, err := b.BindQuery(sel)
	if err != nil {
		return nil, nil, err
	}
	n, err = planner.Optimize(n, b)
	if err != nil {
		return nil, nil, err
	}
	return n, b, nil
}

// convertParams casts text parameter values to the inferred types.
func (s *Session) convertParams(b *planner.Binder, params []types.Value) ([]types.Value, error) {
	out := make([]types.Value, len(params))
	for i, p := range params {
		out[i] = p
		if i < len(b.ParamTypes) && p != nil {
			t := b.ParamTypes[i]
			if str, ok := p.(string); ok && t.Kind != types.Unknown && !t.IsString() {
				v, err := types.ParseText(t, str, s.Loc)
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
		}
	}
	return out, nil
}

func (s *Session) runPlan(ctx context.Context, n planner.Node, params []types.Value) ([]arrow.Record, error) {
	return s.runPlanWith(s.execCtx(ctx, params), n)
}

func (s *Session) runPlanWith(ec *exec.Ctx, n planner.Node) ([]arrow.Record, error) {
	phys, err := planner.BuildPhysical(n)
	if err != nil {
		return nil, err
	}
	if err := runPipelines(ec, phys.Root); err != nil {
		return nil, err
	}
	return phys.Result.Records(), nil
}

// runQuery runs a query to its end (its rows in Records).
func (s *Session) runQuery(ctx context.Context, sel *ast.Select, sql string, params []types.Value) (*Result, error) {
	res, err := s.streamQuery(ctx, sel, sql, params)
	if err != nil {
		return nil, err
	}
	if err := res.Collect(); err != nil {
		return nil, err
	}
	return res, nil
}

// streamQuery plans a query and starts it: its rows stream from the
// result (Next) as they are produced.
func (s *Session) streamQuery(ctx context.Context, sel *ast.Select, sql string, params []types.Value) (*Result, error) {
	n, b, err := s.plan(ctx, sel, sql, params)
	if err != nil {
		return nil, err
	}
	if params, err = s.convertParams(b, params); err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	ec := s.execCtx(ctx, params)
	st, err := startPlan(ec, n, stop)
	if err != nil {
		stop()
		return nil, err
	}
	st.atEnd = func(res *Result) {
		stop()
		if n := ec.Scan.RowsRejected.Load(); n > 0 {
			res.Notices = append(res.Notices, fmt.Sprintf("%d malformed rows were skipped", n))
		}
	}
	res := &Result{stream: st}
	for _, c := range n.Columns() {
		res.Columns = append(res.Columns, Column{Name: c.Name, Type: c.Type})
	}
	return res, nil
}

// Describe binds a query without running it: its result columns and
// the inferred parameter types (for the extended protocol).
func (s *Session) Describe(ctx context.Context, sql string) ([]Column, []types.T, error) {
	st, err := parser.ParseOne(sql)
	if err != nil {
		return nil, nil, err
	}
	sel, ok := st.(*ast.Select)
	if !ok {
		// INSERT, UPDATE and DELETE describe their RETURNING rows
		var cols []Column
		switch x := st.(type) {
		case *ast.Insert:
			if len(x.Returning) > 0 {
				cols, err = s.returningColumns(ctx, x.Table, x.Alias, x.Returning, sql)
			}
		case *ast.Update:
			if len(x.Returning) > 0 {
				cols, err = s.returningColumns(ctx, x.Table, x.Alias, x.Returning, sql)
			}
		case *ast.Delete:
			if len(x.Returning) > 0 {
				cols, err = s.returningColumns(ctx, x.Table, x.Alias, x.Returning, sql)
			}
		}
		return cols, nil, err
	}
	s.freshView()
	defer s.freshView()
	n, b, err := s.plan(ctx, sel, sql, nil)
	if err != nil {
		return nil, nil, err
	}
	var cols []Column
	for _, c := range n.Columns() {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	return cols, b.ParamTypes, nil
}

func (s *Session) set(ctx context.Context, x *ast.Set) (*Result, error) {
	if x.Reset {
		if x.Name == "all" {
			s.resetSettings()
			return &Result{Tag: "RESET"}, nil
		}
		def := s.eng.NewSession().Settings[x.Name]
		return s.applySetting(x.Name, def, "RESET")
	}
	var parts []string
	for _, v := range x.Value {
		switch c := v.(type) {
		case *ast.Const:
			parts = append(parts, c.Val)
		case *ast.ColumnRef:
			parts = append(parts, strings.Join(c.Parts, "."))
		case *ast.TypedLiteral:
			parts = append(parts, c.Val)
		default:
			return nil, sqlerr.New(sqlerr.SyntaxError, "invalid value for parameter \"%s\"", x.Name)
		}
	}
	return s.applySetting(x.Name, strings.Join(parts, ", "), "SET")
}

func (s *Session) applySetting(name, val, tag string) (*Result, error) {
	switch name {
	case "timezone", "time zone":
		name = "timezone"
		loc, err := loadZone(val)
		if err != nil {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": \"%s\"", val)
		}
		s.Loc = loc
	case "search_path":
		var path []string
		for _, p := range strings.Split(val, ",") {
			p = strings.Trim(strings.TrimSpace(p), "\"")
			if p != "" {
				path = append(path, p)
			}
		}
		s.SearchPath = path
	case "datestyle", "intervalstyle", "client_encoding":
		// kept for clients that send them, when they ask for what lakeq
		// prints; another style is not silently ignored
		ok := map[string]func(string) bool{
			"datestyle":     func(v string) bool { return strings.Contains(strings.ToUpper(v), "ISO") },
			"intervalstyle": func(v string) bool { return strings.EqualFold(v, "postgres") },
			"client_encoding": func(v string) bool {
				return strings.EqualFold(strings.ReplaceAll(v, "-", ""), "utf8") || strings.EqualFold(v, "unicode")
			},
		}[name](strings.Trim(val, "'\" "))
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s \"%s\" is not supported (lakeq prints %s)", name, val, map[string]string{"datestyle": "ISO dates", "intervalstyle": "postgres intervals", "client_encoding": "UTF8"}[name])
		}
	case "copy_slices":
		if n, err := strconv.Atoi(strings.Trim(val, "'\" ")); err != nil || n < 1 || n > 256 {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"copy_slices\": \"%s\" (a number of slices from 1 to 256)", val)
		}
		val = strings.Trim(val, "'\" ")
	case settingMemLimit, settingTempSize:
		v, err := s.checkMemSetting(name, val)
		if err != nil {
			return nil, err
		}
		val = v
	case settingPricePerTB:
		v, err := checkPrice(val)
		if err != nil {
			return nil, err
		}
		val = v
	case "statement_timeout":
		if _, ok := parseDuration(val); !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"statement_timeout\": \"%s\"", val)
		}
	default:
		if s3Settings[name] {
			if err := s.applyS3Setting(name, val); err != nil {
				return nil, err
			}
		} else if strings.HasPrefix(name, "s3_") {
			// lakeq's namespace: a misspelt S3 setting must not pass for one
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\" (the S3 settings are s3_region, s3_endpoint, s3_url_style, s3_access_key_id, s3_secret_access_key, s3_session_token)", name)
		} else if _, known := s.eng.NewSession().Settings[name]; !known && !strings.Contains(name, ".") {
			// a setting lakeq does not implement is refused, not accepted
			// and ignored; dotted names are PostgreSQL's custom settings
			// (SET myapp.x = …, current_setting), kept as given
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "setting \"%s\" is not supported (lakeq's settings: %s)", name, strings.Join(s.eng.settingNames(), ", "))
		}
	}
	s.Settings[name] = val
	return &Result{Tag: tag}, nil
}

func loadZone(v string) (*time.Location, error) {
	switch strings.ToLower(v) {
	case "utc", "gmt", "z", "zulu", "local", "default", "":
		return time.UTC, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		// POSIX sign convention aside, PostgreSQL treats a bare number as hours east of UTC
		return time.FixedZone(v, n*3600), nil
	}
	return time.LoadLocation(v)
}

func (s *Session) show(x *ast.Show) (*Result, error) {
	name := x.Name
	if name == "all" {
		var names []string
		for k := range s.Settings {
			names = append(names, k)
		}
		sort.Strings(names)
		var rows [][]types.Value
		for _, k := range names {
			v := s.Settings[k]
			if secretSettings[k] && v != "" {
				v = redacted
			}
			rows = append(rows, []types.Value{k, v})
		}
		return textResult([]string{"name", "setting"}, rows, "SHOW"), nil
	}
	if name == "time zone" {
		name = "timezone"
	}
	if name == "transaction isolation level" {
		name = "transaction_isolation"
	}
	v, ok := s.Settings[name]
	if secretSettings[name] && v != "" {
		v = redacted
	}
	if !ok {
		if !strings.Contains(name, ".") {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", x.Name)
		}
	}
	display := map[string]string{"timezone": "TimeZone", "datestyle": "DateStyle", "intervalstyle": "IntervalStyle"}[name]
	if display == "" {
		display = name
	}
	return textResult([]string{display}, [][]types.Value{{v}}, "SHOW"), nil
}

// textResult builds a result of text columns.
func textResult(names []string, rows [][]types.Value, tag string) *Result {
	res := &Result{Tag: tag}
	for _, n := range names {
		res.Columns = append(res.Columns, Column{Name: n, Type: types.TextT})
	}
	res.Records = recordsFromRows(res.Columns, rows)
	res.Rows = int64(len(rows))
	return res
}

// settingNames lists the settings SET takes (sorted).
func (e *Engine) settingNames() []string {
	var out []string
	for k := range e.NewSession().Settings {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
