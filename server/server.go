// Package server is lakeq's PostgreSQL wire-protocol server: startup,
// authentication (trust, password, md5, SCRAM-SHA-256), TLS, the simple
// and extended query protocols, COPY, cancellation. Every connection gets
// its own engine.Session; the Engine is shared.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakeq/lakeq/engine"
)

// Config configures a Server.
type Config struct {
	// Auth is trust, password, md5 or scram-sha-256. md5 falls back to
	// SCRAM as PostgreSQL does for SCRAM-stored passwords (lakeq stores
	// only SCRAM verifiers).
	Auth       string
	TLS        *tls.Config // nil: SSLRequest is declined
	RequireTLS bool        // refuse connections that do not switch to TLS
	// MaxConnections bounds concurrent sessions (53300 past it); 0 = 100.
	MaxConnections int
	// IdleTimeout closes sessions idle that long outside a transaction; 0 = never.
	IdleTimeout time.Duration
	// MaxMessageSize bounds one protocol message; 0 = 64 MiB.
	MaxMessageSize int
	// Database is the one database name clients may connect to ("lakeq").
	Database string
	Logger   *log.Logger
}

// Server serves one Engine. Safe for concurrent use.
type Server struct {
	eng *engine.Engine
	cfg Config

	mu      sync.Mutex
	ln      net.Listener
	conns   map[uint32]*conn // by backend pid
	nextPID uint32
	active  atomic.Int32
	wg      sync.WaitGroup
	closed  bool
}

// New returns a server for eng.
func New(eng *engine.Engine, cfg Config) *Server {
	if cfg.Auth == "" {
		cfg.Auth = "trust"
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 100
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 64 << 20
	}
	if cfg.Database == "" {
		cfg.Database = "lakeq"
	}
	if cfg.Logger == nil {
		cfg.Logger = log.New(log.Writer(), "lakeq: ", log.LstdFlags)
	}
	return &Server{eng: eng, cfg: cfg, conns: map[uint32]*conn{}, nextPID: 10000}
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("server closed")
	}
	s.ln = ln
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(nc)
		}()
	}
}

// Addr is the listening address (after Serve started).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Close stops accepting, cancels running queries, closes every
// connection and waits for them.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	ln := s.ln
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	var err error
	if ln != nil {
		err = ln.Close()
	}
	for _, c := range conns {
		c.cancelQuery()
		c.nc.Close()
	}
	// queries stop at their next batch once cancelled; the wait is
	// bounded all the same, so a shutdown never hangs on one
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(4 * time.Second):
		s.logf("shutdown: %d connections still closing after 4 s", len(conns))
	}
	return err
}

func (s *Server) logf(format string, args ...any) { s.cfg.Logger.Printf(format, args...) }

// register gives a connection its backend key.
func (s *Server) register(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.pid = uint32(c.sess.PID) // the engine's pid: pg_backend_pid and pg_stat_activity agree
	s.conns[c.pid] = c
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[c.pid] == c {
		delete(s.conns, c.pid)
	}
}

// cancel handles a CancelRequest: the key must match exactly.
func (s *Server) cancel(pid, secret uint32) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c != nil && c.secret == secret {
		c.cancelQuery()
		s.logf("cancel request for backend %d", pid)
	}
}

// BackendPIDs lists the live sessions' process ids (for tests).
func (s *Server) BackendPIDs() []uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]uint32, 0, len(s.conns))
	for pid := range s.conns {
		out = append(out, pid)
	}
	return out
}

func (s *Server) String() string { return fmt.Sprintf("lakeq server on %v", s.Addr()) }

var _ = context.Background
