package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// conn is what the shell runs statements on: the embedded engine
// (localConn) or a server over the PostgreSQL wire protocol (remoteConn).
// One statement runs at a time; Run's result must be read to its end or
// closed before the next call.
type conn interface {
	// Run runs one statement; a query's rows stream from the result.
	Run(ctx context.Context, sql string) (result, error)
	// CopyIn runs COPY … FROM STDIN with the data read from r.
	CopyIn(ctx context.Context, sql string, r io.Reader) (string, error)
	// CopyOut runs COPY … TO STDOUT, writing the data to w.
	CopyOut(ctx context.Context, sql string, w io.Writer) (string, error)
	// PricePerTB is the price of a terabyte scanned (the session's
	// scan_price_per_tb on lakeq).
	PricePerTB() float64
	// Describe names what the shell is connected to, for \conninfo.
	Describe() string
	// Progress is what the running statement has read from storage and
	// expects to read (zeros when the server does not say). Safe to call
	// while another goroutine runs the statement.
	Progress() (read, planned int64)
	Close()
}

// column is a result column as the printer needs it.
type column struct {
	name    string
	numeric bool // right-aligned; a JSON number
	boolean bool // a JSON boolean ("t"/"f" in text)
}

// rowBatch is rows as text cells; a NULL is nulls[i][c].
type rowBatch struct {
	rows  [][]string
	nulls [][]bool
}

// result is one statement's outcome.
type result interface {
	Columns() []column // nil for a statement without rows
	// Next returns the next rows, an empty batch (nil rows) at the end.
	Next() (rowBatch, error)
	// Tag is the command tag, final after Next reached the end.
	Tag() string
	// Notices are messages the statement raised (lakeq's; a server's go
	// to stderr as they arrive).
	Notices() []string
	// Scanned is what the statement read from storage, once it ended;
	// ok is false when the server does not say.
	Scanned() (s engine.Scanned, ok bool)
	Close()
}

// localConn runs statements in an embedded engine session.
type localConn struct {
	sess *engine.Session
	desc string
}

func (c *localConn) Describe() string         { return c.desc }
func (c *localConn) Close()                   {}
func (c *localConn) PricePerTB() float64      { return c.sess.PricePerTB() }
func (c *localConn) Progress() (int64, int64) { return c.sess.Progress() }

func (c *localConn) Run(ctx context.Context, sql string) (result, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "expected one statement, got %d", len(stmts))
	}
	r, err := c.sess.StreamStmt(ctx, stmts[0], nil)
	if err != nil {
		return nil, err
	}
	lr := &localResult{r: r}
	for _, col := range r.Columns {
		lr.cols = append(lr.cols, column{name: col.Name, numeric: col.Type.IsNumeric(), boolean: col.Type.Kind == types.Bool})
	}
	return lr, nil
}

// copyStmt parses sql as a COPY statement.
func copyStmt(sql string) (*ast.Copy, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 1 {
		if x, ok := stmts[0].AST.(*ast.Copy); ok {
			return x, nil
		}
	}
	return nil, sqlerr.New(sqlerr.SyntaxError, "not a COPY statement: %s", sql)
}

func (c *localConn) CopyIn(ctx context.Context, sql string, r io.Reader) (string, error) {
	x, err := copyStmt(sql)
	if err != nil {
		return "", err
	}
	res, err := c.sess.CopyFrom(ctx, x, r)
	if err != nil {
		return "", err
	}
	return res.Tag, nil
}

func (c *localConn) CopyOut(ctx context.Context, sql string, w io.Writer) (string, error) {
	x, err := copyStmt(sql)
	if err != nil {
		return "", err
	}
	res, err := c.sess.CopyOut(ctx, x, func(b []byte) error {
		_, err := w.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	return res.Tag, nil
}

type localResult struct {
	r    *engine.Result
	cols []column
}

func (l *localResult) Columns() []column {
	if l.r.Columns == nil {
		return nil
	}
	return l.cols
}

func (l *localResult) Next() (rowBatch, error) {
	rec, err := l.r.Next()
	if err != nil || rec == nil {
		return rowBatch{}, err
	}
	var b rowBatch
	n := int(rec.NumRows())
	b.rows, b.nulls = make([][]string, n), make([][]bool, n)
	for i := range n {
		row, nl := make([]string, len(l.r.Columns)), make([]bool, len(l.r.Columns))
		for c, col := range l.r.Columns {
			v := types.GetValue(col.Type, rec.Column(c), i)
			if v == nil {
				nl[c] = true
				continue
			}
			row[c], _ = l.r.Text(c, v)
		}
		b.rows[i], b.nulls[i] = row, nl
	}
	if n == 0 { // an empty batch is not the end
		b.rows = [][]string{}
	}
	return b, nil
}

func (l *localResult) Tag() string { return l.r.Tag }
func (l *localResult) Notices() []string {
	n := l.r.Notices
	l.r.Notices = nil
	return n
}
func (l *localResult) Scanned() (engine.Scanned, bool) { return l.r.Scanned, true }
func (l *localResult) Close()                          { l.r.Close() }

// remoteConn runs statements on a PostgreSQL server — lakeq's or any
// other — over the wire protocol, with libpq's conventions (PG*
// variables, ~/.pgpass, sslmode).
type remoteConn struct {
	pc    *pgconn.PgConn
	price float64
	desc  string
	db    string // the database's name (the prompt)
	// lakeq: the server is lakeq's, whose query history tells what each
	// statement scanned (the cost footer) and whose session has a price
	lakeq bool
}

// connectRemote connects with dsn (a postgres:// URL or key=value
// words; empty fields come from PG* variables as in libpq). When the
// server wants a password none was given for, ask supplies one (nil:
// fail).
func connectRemote(ctx context.Context, dsn string, ask func() (string, error), notice func(string)) (*remoteConn, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("invalid connection options: %w", err)
	}
	// Ctrl-C sends a CancelRequest and keeps the connection, as psql does
	// (pgconn's default would break the connection on a canceled context)
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, CancelRequestDelay: 0, DeadlineDelay: 10 * time.Second}
	}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notice(n.Severity + ":  " + n.Message) }
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	pc, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil && cfg.Password == "" && ask != nil && needsPassword(err) {
		pw, perr := ask()
		if perr != nil {
			return nil, perr
		}
		cfg.Password = pw
		pc, err = pgconn.ConnectConfig(ctx, cfg)
	}
	if err != nil {
		return nil, err
	}
	c := &remoteConn{pc: pc, price: 5, db: cfg.Database, desc: fmt.Sprintf("database \"%s\" as user \"%s\" on host \"%s\" at port \"%d\"", cfg.Database, cfg.User, cfg.Host, cfg.Port)}
	if v := c.scalar(ctx, "SELECT version()"); strings.Contains(v, "(lakeq") {
		c.lakeq = true
		if p, err := strconv.ParseFloat(c.scalar(ctx, "SHOW scan_price_per_tb"), 64); err == nil {
			c.price = p
		}
	}
	return c, nil
}

// scalar runs a one-value query ("" when it fails or is NULL).
func (c *remoteConn) scalar(ctx context.Context, sql string) string {
	rs, err := c.pc.Exec(ctx, sql).ReadAll()
	if err != nil || len(rs) != 1 || rs[0].Err != nil || len(rs[0].Rows) != 1 || len(rs[0].Rows[0]) == 0 {
		return ""
	}
	return string(rs[0].Rows[0][0])
}

// SetPrice sets the price per TB here and, on lakeq, in the session (so
// that the server's EXPLAIN (COST) agrees).
func (c *remoteConn) SetPrice(ctx context.Context, p float64) error {
	c.price = p
	if c.lakeq {
		_, err := c.pc.Exec(ctx, "SET scan_price_per_tb = "+strconv.FormatFloat(p, 'f', -1, 64)).ReadAll()
		return remoteErr(err)
	}
	return nil
}

// needsPassword reports whether a connection failed for want of a
// password (28P01 with none given, or the client having none to send).
func needsPassword(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000") {
		return true
	}
	return strings.Contains(err.Error(), "password")
}

func (c *remoteConn) Describe() string         { return c.desc }
func (c *remoteConn) Close()                   { c.pc.Close(context.Background()) }
func (c *remoteConn) PricePerTB() float64      { return c.price }
func (c *remoteConn) Progress() (int64, int64) { return 0, 0 }

func (c *remoteConn) Run(ctx context.Context, sql string) (result, error) {
	mr := c.pc.Exec(ctx, sql)
	if !mr.NextResult() {
		err := mr.Close()
		if err == nil {
			return &remoteResult{}, nil
		}
		return nil, remoteErr(err)
	}
	rr := mr.ResultReader()
	res := &remoteResult{mr: mr, rr: rr, conn: c, ctx: ctx}
	fds := rr.FieldDescriptions()
	if fds != nil {
		res.cols = make([]column, len(fds))
		for i, f := range fds {
			res.cols[i] = column{name: f.Name, numeric: numericOID[f.DataTypeOID], boolean: f.DataTypeOID == 16}
		}
	} else {
		// no rows to stream: finish now, so an error shows as the statement's
		if err := res.finish(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// numericOID are PostgreSQL's number types (int2, int4, int8, oid,
// float4, float8, numeric).
var numericOID = map[uint32]bool{21: true, 23: true, 20: true, 26: true, 700: true, 701: true, 1700: true}

func (c *remoteConn) CopyIn(ctx context.Context, sql string, r io.Reader) (string, error) {
	tag, err := c.pc.CopyFrom(ctx, r, sql)
	if err != nil {
		return "", remoteErr(err)
	}
	return tag.String(), nil
}

func (c *remoteConn) CopyOut(ctx context.Context, sql string, w io.Writer) (string, error) {
	tag, err := c.pc.CopyTo(ctx, w, sql)
	if err != nil {
		return "", remoteErr(err)
	}
	return tag.String(), nil
}

// remoteErr turns a server's error into a sqlerr.Error with its SQLSTATE,
// message, hint and position, printed as the embedded engine's are.
func remoteErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e := sqlerr.New(pe.Code, "%s", pe.Message)
		e.Hint = pe.Hint
		e.Position = int(pe.Position)
		return e
	}
	return err
}

type remoteResult struct {
	conn *remoteConn
	ctx  context.Context
	mr   *pgconn.MultiResultReader
	rr   *pgconn.ResultReader
	cols []column
	tag  string
	done bool
}

func (r *remoteResult) finish() error {
	if r.done || r.mr == nil {
		return nil
	}
	r.done = true
	tag, err := r.rr.Close()
	r.tag = tag.String()
	for r.mr.NextResult() { // one statement was sent: nothing more is expected
		r.mr.ResultReader().Close()
	}
	if cerr := r.mr.Close(); err == nil {
		err = cerr
	}
	return remoteErr(err)
}

func (r *remoteResult) Columns() []column { return r.cols }

// remoteBatch is how many rows a remote result hands out at a time.
const remoteBatch = 1024

func (r *remoteResult) Next() (rowBatch, error) {
	if r.done || r.rr == nil {
		return rowBatch{}, nil
	}
	var b rowBatch
	for len(b.rows) < remoteBatch && r.rr.NextRow() {
		vals := r.rr.Values()
		row, nl := make([]string, len(vals)), make([]bool, len(vals))
		for i, v := range vals {
			if v == nil {
				nl[i] = true
			} else {
				row[i] = string(v)
			}
		}
		b.rows = append(b.rows, row)
		b.nulls = append(b.nulls, nl)
	}
	if len(b.rows) > 0 {
		return b, nil
	}
	return rowBatch{}, r.finish()
}

func (r *remoteResult) Tag() string       { return r.tag }
func (r *remoteResult) Notices() []string { return nil }

// Scanned asks a lakeq server's query history what the statement read
// (other servers do not say).
func (r *remoteResult) Scanned() (engine.Scanned, bool) {
	if r.conn == nil || !r.conn.lakeq || r.ctx.Err() != nil {
		return engine.Scanned{}, false
	}
	rs, err := r.conn.pc.Exec(r.ctx, "SELECT bytes_scanned, files_scanned, partitions_scanned FROM sys.query_history WHERE query_id = pg_last_query_id()").ReadAll()
	if err != nil || len(rs) != 1 || len(rs[0].Rows) != 1 || len(rs[0].Rows[0]) != 3 {
		return engine.Scanned{}, false
	}
	var sc engine.Scanned
	row := rs[0].Rows[0]
	sc.Bytes, _ = strconv.ParseInt(string(row[0]), 10, 64)
	sc.Files, _ = strconv.ParseInt(string(row[1]), 10, 64)
	sc.Partitions, _ = strconv.ParseInt(string(row[2]), 10, 64)
	return sc, true
}
func (r *remoteResult) Close() { r.finish() }
