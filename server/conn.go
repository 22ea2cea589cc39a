package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// conn is one client connection. Its methods run on the connection's
// goroutine, except cancelQuery (any goroutine).
type conn struct {
	srv       *Server
	nc        net.Conn
	br        *bufio.Reader
	be        *pgproto3.Backend
	tls       bool
	pid       uint32
	secret    uint32
	sess      *engine.Session
	user      string
	superuser bool
	appName   string

	stmts   map[string]*prepared
	portals map[string]*portal
	// gone is set when a write to the client failed: it left
	gone bool
	tx   byte // 'I' idle, 'T' in a transaction block, 'E' failed block
	// skipping is set after an error in the extended protocol: messages
	// are discarded until Sync.
	skipping bool

	cancelMu sync.Mutex
	cancel   context.CancelFunc
}

func (c *conn) cancelQuery() {
	c.cancelMu.Lock()
	defer c.cancelMu.Unlock()
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *conn) setCancel(f context.CancelFunc) {
	c.cancelMu.Lock()
	c.cancel = f
	c.cancelMu.Unlock()
}

func (c *conn) reset(nc net.Conn) {
	c.nc = nc
	c.br = bufio.NewReaderSize(nc, 32<<10)
	c.be = pgproto3.NewBackend(c.br, nc)
	c.be.SetMaxBodyLen(c.srv.cfg.MaxMessageSize)
}

func (c *conn) send(msgs ...pgproto3.BackendMessage) {
	for _, m := range msgs {
		c.be.Send(m)
	}
}

func (c *conn) flush() error { return c.be.Flush() }

// fatal sends an error and ends the connection.
func (c *conn) fatal(code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	c.send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	c.flush()
	c.srv.logf("connection from %s: FATAL %s %s", c.nc.RemoteAddr(), code, msg)
}

func (s *Server) handle(nc net.Conn) {
	c := &conn{srv: s, stmts: map[string]*prepared{}, portals: map[string]*portal{}, tx: 'I'}
	c.reset(nc)
	defer nc.Close()
	defer func() {
		if r := recover(); r != nil {
			s.logf("connection from %s: internal error: %v", nc.RemoteAddr(), r)
		}
	}()
	nc.SetDeadline(time.Now().Add(60 * time.Second)) // startup and authentication
	if !c.startup() {
		return
	}
	nc.SetDeadline(time.Time{})
	defer c.sess.Close()
	defer func() { // queries still streaming to suspended portals
		for name := range c.portals {
			c.dropPortal(name)
		}
	}()
	defer s.unregister(c)
	defer s.active.Add(-1)
	c.serve()
}

// startup runs the startup phase: SSL/GSS negotiation, cancel requests,
// the startup message and authentication. It reports whether the
// session is ready.
func (c *conn) startup() bool {
	for {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				c.fatal("08P01", "invalid startup packet: %v", err)
			}
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if c.srv.cfg.TLS == nil || c.tls {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return false
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return false
			}
			tc := tls.Server(c.nc, c.srv.cfg.TLS)
			if err := tc.Handshake(); err != nil {
				c.srv.logf("connection from %s: TLS handshake failed: %v", c.nc.RemoteAddr(), err)
				return false
			}
			c.tls = true
			c.reset(tc)
		case *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false
			}
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, binary.BigEndian.Uint32(m.SecretKey))
			return false
		case *pgproto3.StartupMessage:
			return c.login(m)
		default:
			c.fatal("08P01", "unsupported startup message")
			return false
		}
	}
}

// serverVersion is what clients parse: a PostgreSQL 15 version number.
const serverVersion = functions.ServerVersion

func (c *conn) login(m *pgproto3.StartupMessage) bool {
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 {
		// Only 3.0 is spoken; newer minors are negotiated down.
		if m.ProtocolVersion>>16 != 3 {
			c.fatal("0A000", "unsupported frontend protocol %d.%d: server supports 3.0", m.ProtocolVersion>>16, m.ProtocolVersion&0xffff)
			return false
		}
		var opts []string
		for k := range m.Parameters {
			if strings.HasPrefix(k, "_pq_.") {
				opts = append(opts, k)
			}
		}
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: opts})
	}
	if c.srv.cfg.RequireTLS && !c.tls {
		c.fatal("28000", "no pg_hba.conf entry for host \"%s\", user \"%s\", database \"%s\", no encryption (this server requires TLS)",
			hostOf(c.nc.RemoteAddr()), m.Parameters["user"], m.Parameters["database"])
		return false
	}
	user := m.Parameters["user"]
	db := m.Parameters["database"]
	if db == "" {
		db = user
	}
	if user == "" {
		c.fatal("28000", "no PostgreSQL user name specified in startup packet")
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !c.authenticate(ctx, user) {
		return false
	}
	if db != c.srv.cfg.Database {
		c.fatal("3D000", "database \"%s\" does not exist", db)
		return false
	}
	if n := c.srv.active.Add(1); int(n) > c.srv.cfg.MaxConnections {
		c.srv.active.Add(-1)
		c.fatal("53300", "sorry, too many clients already")
		return false
	}
	c.user = user
	if u, _ := c.srv.eng.Catalog().GetUser(ctx, user); u != nil {
		c.superuser = u.Superuser
	}
	c.sess = c.srv.eng.NewSession()
	c.sess.User = user
	c.sess.Database = db
	c.appName = m.Parameters["application_name"]
	var secret [4]byte
	rand.Read(secret[:])
	c.secret = binary.BigEndian.Uint32(secret[:])
	c.srv.register(c)
	addr, port := "", 0
	if ta, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
		addr, port = ta.IP.String(), ta.Port
	}
	// pg_terminate_backend ends the session as PostgreSQL's does: the
	// running statement is cancelled and the connection closed
	c.sess.SetClient(addr, port, c.appName, c.cancelQuery, func() { c.cancelQuery(); c.nc.Close() })
	c.send(&pgproto3.AuthenticationOk{})
	// Startup options become session settings, as PostgreSQL applies them.
	for k, v := range m.Parameters {
		switch strings.ToLower(k) {
		case "user", "database", "replication", "client_encoding":
		case "options":
			for _, o := range parseOptions(v) {
				c.applySetting(o[0], o[1])
			}
		default:
			c.applySetting(k, v)
		}
	}
	for _, k := range append([]string{"server_encoding"}, reportedParams...) {
		c.send(&pgproto3.ParameterStatus{Name: k, Value: c.paramStatus(k)})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: secret[:]})
	c.send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if err := c.flush(); err != nil {
		return false
	}
	c.srv.logf("connection authorized: user=%s database=%s application_name=%q tls=%v pid=%d", user, db, c.appName, c.tls, c.pid)
	return true
}

// parseOptions reads the startup "options" parameter: -c name=value …
func parseOptions(s string) [][2]string {
	var out [][2]string
	f := strings.Fields(s)
	for i := 0; i < len(f); i++ {
		kv := f[i]
		if kv == "-c" && i+1 < len(f) {
			i++
			kv = f[i]
		} else if strings.HasPrefix(kv, "-c") {
			kv = kv[2:]
		} else if strings.HasPrefix(kv, "--") {
			kv = kv[2:]
		} else {
			continue
		}
		if k, v, ok := strings.Cut(kv, "="); ok {
			out = append(out, [2]string{strings.ReplaceAll(k, "-", "_"), v})
		}
	}
	return out
}

func (c *conn) applySetting(name, value string) {
	if _, err := c.sess.Exec(context.Background(), fmt.Sprintf("SET %s = %s", quoteIdent(name), quoteLiteral(value))); err != nil {
		c.srv.logf("startup parameter %s=%q ignored: %v", name, value, err)
	}
}

func (c *conn) paramStatus(k string) string {
	switch k {
	case "server_version":
		return serverVersion
	case "server_encoding", "client_encoding":
		return "UTF8"
	case "integer_datetimes":
		return "on"
	case "is_superuser":
		if c.superuser {
			return "on"
		}
		return "off"
	case "session_authorization":
		return c.user
	}
	return c.sess.Settings[strings.ToLower(k)]
}

func hostOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	return a.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// serve is the main loop after startup.
func (c *conn) serve() {
	for {
		if c.srv.cfg.IdleTimeout > 0 && c.tx == 'I' {
			c.nc.SetReadDeadline(time.Now().Add(c.srv.cfg.IdleTimeout))
		}
		msg, err := c.be.Receive()
		c.nc.SetReadDeadline(time.Time{})
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.fatal("57P05", "terminating connection due to idle-session timeout")
				return
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
				c.fatal("08P01", "invalid message: %v", err)
			}
			return
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			c.skipping = false
			c.simpleQuery(m.String)
			c.sess.SetTxState(c.tx)
			c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
		case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
			if c.skipping {
				continue
			}
			if err := c.extended(msg); err != nil {
				c.sendError(err, "")
				c.skipping = true
				c.failTx()
			}
			continue
		case *pgproto3.Sync:
			c.skipping = false
			c.unnamedPortalDone()
			c.sess.SetTxState(c.tx)
			c.send(&pgproto3.ReadyForQuery{TxStatus: c.tx})
		case *pgproto3.Flush:
		case *pgproto3.Terminate:
			return
		case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
			// stray COPY messages after a failed COPY are ignored, as PostgreSQL does
			continue
		default:
			c.fatal("08P01", "invalid frontend message type %T", msg)
			return
		}
		if err := c.flush(); err != nil {
			return
		}
	}
}

// failTx marks an open transaction block as failed.
func (c *conn) failTx() {
	if c.tx == 'T' {
		c.tx = 'E'
	}
}

// sendError sends err as an ErrorResponse; query is the whole text the
// statement came from, so positions can be made relative to it.
func (c *conn) sendError(err error, query string) {
	var e *sqlerr.Error
	if !errors.As(err, &e) {
		e = sqlerr.New(sqlerr.Internal, "%s", err.Error())
	}
	c.send(&pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: e.Code, Message: e.Message,
		Detail: e.Detail, Hint: e.Hint, Position: int32(e.Position)})
}

func (c *conn) notices(res *engine.Result) {
	for _, n := range res.Notices {
		c.send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: n})
	}
	res.Notices = nil // sent: a streamed query may add more at its end
}

// run executes one parsed statement under a cancellable context, watching
// the socket so that a client that goes away cancels its query.
func (c *conn) run(st parser.Statement, params []types.Value) (*running, error) {
	if blocked := c.txGate(st); blocked != nil {
		return nil, blocked
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.setCancel(cancel)
	stop := c.watchDisconnect(cancel)
	before := c.reported()
	failed := c.tx == 'E'
	res, err := c.sess.StreamStmt(ctx, st, params)
	if err == nil && res.Streaming() {
		// the query runs on while its rows are sent: its cancel and the
		// watch end with it (running.end)
		return &running{res: res, cancel: cancel, unwatch: stop}, nil
	}
	stop()
	c.setCancel(nil)
	cancel()
	if err == nil {
		if t, ok := st.AST.(*ast.Transaction); ok && failed && t.Kind == "COMMIT" {
			res.Tag = "ROLLBACK" // COMMIT of a failed block rolls back
		}
		c.txAfter(st)
		// Settings clients track are reported when they change, as
		// PostgreSQL reports its GUC_REPORT parameters.
		for k, v := range c.reported() {
			if before[k] != v {
				c.send(&pgproto3.ParameterStatus{Name: k, Value: v})
			}
		}
	}
	if err != nil {
		return nil, err
	}
	return &running{res: res, cancel: func() {}}, nil
}

// reportedParams are the settings PostgreSQL reports with ParameterStatus.
var reportedParams = []string{"application_name", "client_encoding", "DateStyle", "IntervalStyle", "TimeZone",
	"integer_datetimes", "standard_conforming_strings", "server_version", "is_superuser", "session_authorization"}

func (c *conn) reported() map[string]string {
	out := make(map[string]string, len(reportedParams))
	for _, k := range reportedParams {
		out[k] = c.paramStatus(k)
	}
	return out
}

// txGate refuses statements in a failed transaction block (25P02).
func (c *conn) txGate(st parser.Statement) error {
	if c.tx != 'E' {
		return nil
	}
	if t, ok := st.AST.(*ast.Transaction); ok && (t.Kind == "ROLLBACK" || t.Kind == "COMMIT") {
		return nil
	}
	return sqlerr.New("25P02", "current transaction is aborted, commands ignored until end of transaction block")
}

// txAfter tracks the transaction status for ReadyForQuery. lakeq commits
// every statement on its own; BEGIN … COMMIT only frames a block whose
// statements are already durable (documented in the README).
func (c *conn) txAfter(st parser.Statement) {
	t, ok := st.AST.(*ast.Transaction)
	if !ok {
		return
	}
	switch t.Kind {
	case "BEGIN", "START TRANSACTION":
		c.tx = 'T'
	case "COMMIT", "ROLLBACK":
		c.tx = 'I'
	}
}

// watchDelay is how long a statement runs before the server starts
// watching its client's socket: most statements finish sooner, and the
// watch costs a goroutine and three syscalls.
const watchDelay = 10 * time.Millisecond

// watchDisconnect cancels the running query if the client's socket
// closes. Bytes that arrive meanwhile (a pipelined message) end the
// watch, leaving them for the next read. The watch starts only once the
// statement has run for watchDelay.
func (c *conn) watchDisconnect(cancel context.CancelFunc) (stop func()) {
	if c.br.Buffered() > 0 {
		return func() {}
	}
	var mu sync.Mutex
	var done chan struct{}
	stopped := false
	timer := time.AfterFunc(watchDelay, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		done = make(chan struct{})
		go func(done chan struct{}) {
			defer close(done)
			if _, err := c.br.Peek(1); err != nil {
				var ne net.Error
				if !(errors.As(err, &ne) && ne.Timeout()) {
					cancel()
				}
			}
		}(done)
	})
	return func() {
		timer.Stop()
		mu.Lock()
		stopped = true
		d := done
		mu.Unlock()
		if d == nil {
			return
		}
		select {
		case <-d:
		default:
			c.nc.SetReadDeadline(time.Now())
			<-d
			c.nc.SetReadDeadline(time.Time{})
		}
	}
}
