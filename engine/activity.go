package engine

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Activity is what pg_stat_activity shows of one session.
type Activity struct {
	PID                      int64
	User, Database, AppName  string
	ClientAddr               string // "" for a session not over the network
	ClientPort               int
	BackendStart, QueryStart time.Time
	StateChange, XactStart   time.Time
	State                    string // active, idle, idle in transaction, idle in transaction (aborted)
	Query                    string
	WaitEventType, WaitEvent string
}

// activity is a session's live state, read by other sessions.
type activity struct {
	mu sync.Mutex
	a  Activity
	// cancel stops the running statement; terminate ends the session
	// (the wire server closes its connection). Either may be nil.
	cancel, terminate func()
	running           context.CancelFunc // the running statement's own cancel
	stmt              uint64             // counts the statements started
}

// sessions is the engine's registry of live sessions by pid.
type sessions struct {
	mu      sync.Mutex
	nextPID int64
	byPID   map[int64]*Session
}

func (r *sessions) add(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPID == nil {
		r.byPID = map[int64]*Session{}
	}
	r.nextPID++
	s.PID = r.nextPID
	r.byPID[s.PID] = s
}

// reserve takes a pid for a session outside the registry (one that
// makes a temporary schema needs a name no live session has).
func (r *sessions) reserve() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextPID++
	return r.nextPID
}

func (r *sessions) remove(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPID[s.PID] == s {
		delete(r.byPID, s.PID)
	}
}

func (r *sessions) get(pid int64) *Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byPID[pid]
}

// Activities lists every live session, by pid.
func (e *Engine) Activities() []Activity {
	e.sessions.mu.Lock()
	list := make([]*Session, 0, len(e.sessions.byPID))
	for _, s := range e.sessions.byPID {
		list = append(list, s)
	}
	e.sessions.mu.Unlock()
	out := make([]Activity, 0, len(list))
	for _, s := range list {
		s.act.mu.Lock()
		a := s.act.a
		s.act.mu.Unlock()
		a.PID, a.User, a.Database = s.PID, s.user(), s.Database
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PID < out[j].PID })
	return out
}

func (s *Session) user() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.User
}

// SetClient records how the session's client is connected (the wire
// server calls it once, after startup): its address and application
// name, and how to cancel its statement or end it.
func (s *Session) SetClient(addr string, port int, appName string, cancel, terminate func()) {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	s.act.a.ClientAddr, s.act.a.ClientPort, s.act.a.AppName = addr, port, appName
	s.act.cancel, s.act.terminate = cancel, terminate
}

// SetTxState records the session's transaction state as the wire
// protocol reports it ('I' idle, 'T' in a block, 'E' failed block),
// for pg_stat_activity's state of an idle session.
func (s *Session) SetTxState(tx byte) {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	now := time.Now()
	prev := s.act.a.State
	switch tx {
	case 'T':
		if s.act.a.XactStart.IsZero() {
			s.act.a.XactStart = now
		}
		if prev != "active" {
			s.act.a.State = "idle in transaction"
		}
	case 'E':
		if prev != "active" {
			s.act.a.State = "idle in transaction (aborted)"
		}
	default:
		s.act.a.XactStart = time.Time{}
		if prev != "active" {
			s.act.a.State = "idle"
		}
	}
	if s.act.a.State != prev {
		s.act.a.StateChange = now
	}
}

// Close ends the session: it leaves pg_stat_activity. Idempotent.
func (s *Session) Close() {
	s.closeCursors(true)
	s.dropTemp()
	s.eng.sessions.remove(s)
}

// started marks a statement as running.
func (s *Session) started(sql string, cancel context.CancelFunc) uint64 {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	now := time.Now()
	s.act.a.State, s.act.a.Query, s.act.a.QueryStart, s.act.a.StateChange = "active", redactSQL(sql), now, now
	s.act.running = cancel
	s.act.stmt++
	return s.act.stmt
}

// finished marks the session idle again (Query keeps the last statement,
// as PostgreSQL's does).
func (s *Session) finished(stmt uint64) {
	s.act.mu.Lock()
	defer s.act.mu.Unlock()
	if s.act.stmt != stmt {
		return // a statement started since (a portal's stream ended late)
	}
	s.act.a.StateChange = time.Now()
	s.act.a.State = "idle"
	if s.InTransaction {
		s.act.a.State = "idle in transaction"
	}
	s.act.running = nil
}

// signalBackend is pg_cancel_backend / pg_terminate_backend from
// session s: allowed for the target's own user or a superuser, as in
// PostgreSQL (a superuser's session only for a superuser). It reports
// whether a session with that pid exists.
func (s *Session) signalBackend(ctx context.Context, pid int64, terminate bool) (bool, error) {
	t := s.eng.sessions.get(pid)
	if t == nil {
		return false, nil
	}
	me, them := s.user(), t.user()
	if me != them || s.eng.isSuperuser(ctx, them) {
		if !s.eng.isSuperuser(ctx, me) {
			what := "cancel query"
			if terminate {
				what = "terminate process"
			}
			if s.eng.isSuperuser(ctx, them) {
				return false, sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s", what).
					WithDetail("Only roles with the SUPERUSER attribute may signal roles with the SUPERUSER attribute.")
			}
			return false, sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s", what).
				WithDetail("Only roles with privileges of the role whose backend is being signaled may signal this backend.")
		}
	}
	t.act.mu.Lock()
	cancel, term, running := t.act.cancel, t.act.terminate, t.act.running
	t.act.mu.Unlock()
	if terminate && term != nil {
		term()
		return true, nil
	}
	switch {
	case cancel != nil:
		cancel()
	case running != nil:
		running()
	}
	return true, nil
}

// isSuperuser reports whether a role is a superuser; the built-in lakeq
// role is one even before the catalog lists it.
func (e *Engine) isSuperuser(ctx context.Context, user string) bool {
	u, err := e.store.GetUser(ctx, user)
	if err != nil || u == nil {
		return user == "lakeq"
	}
	return u.Superuser
}

// backends is functions.Backends for a session.
type backends struct{ s *Session }

func (b backends) Signal(ctx context.Context, pid int64, terminate bool) (bool, error) {
	return b.s.signalBackend(ctx, pid, terminate)
}
