// Package testpg starts a real PostgreSQL server for tests: initdb into a
// temporary directory, postgres listening on 127.0.0.1 on a free port,
// stopped when the test ends. Tests that need PostgreSQL fail (never
// skip) when its binaries are missing: scripts/test.sh installs them.
package testpg

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Server is a running PostgreSQL server.
type Server struct {
	Port int
	User string // superuser, trust authentication
	data string // the cluster's data directory
}

// PasswordUser creates a login role that must authenticate with its
// password (SCRAM-SHA-256) over TCP, for tests of credentials.
func (s *Server) PasswordUser(t testing.TB, name, password string) {
	t.Helper()
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf("CREATE ROLE %s LOGIN SUPERUSER PASSWORD '%s'", name, strings.ReplaceAll(password, "'", "''"))); err != nil {
		t.Fatal(err)
	}
	// pg_hba.conf is read top down: the role's line goes first
	hba := filepath.Join(s.data, "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("host all %s 127.0.0.1/32 scram-sha-256\n", name)
	if err := os.WriteFile(hba, append([]byte(line), old...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
}

// URL returns a connection URL for database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", s.User, s.Port, db)
}

// CreateDB creates a database and returns its URL.
func (s *Server) CreateDB(t testing.TB, name string) string {
	t.Helper()
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	return s.URL(name)
}

// binDir finds the newest /usr/lib/postgresql/N/bin with initdb.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p), nil
		}
		return "", fmt.Errorf("PostgreSQL server binaries not found (apt-get install postgresql; scripts/test.sh does)")
	}
	sort.Strings(dirs)
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

// Start starts a server that stops when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, stop, err := Launch()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// Launch starts a server in a temporary directory; stop shuts it down
// and removes the directory. For tools (the wire benchmark) as well as
// tests.
func Launch() (_ *Server, stop func(), err error) {
	bin, err := binDir()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "lakeq-pg-")
	if err != nil {
		return nil, nil, err
	}
	var cleanups []func()
	stop = func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	defer func() {
		if err != nil {
			stop()
		}
	}()
	// PostgreSQL refuses to run as root: run it as the postgres user.
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, nil, fmt.Errorf("running as root and no postgres user to run PostgreSQL as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, nil, err
		}
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	port, err := FreePort()
	if err != nil {
		return nil, nil, err
	}
	srv := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-h", "127.0.0.1", "-k", dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=50")
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		return nil, nil, err
	}
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		logf.Close()
		return nil, nil, fmt.Errorf("starting postgres: %v", err)
	}
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	cleanups = append(cleanups, func() {
		srv.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			srv.Process.Kill()
			<-done
		}
		logf.Close()
	})
	s := &Server{Port: port, User: "postgres", data: data}
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, _ := sql.Open("pgx", s.URL("postgres"))
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		db.Close()
		if err == nil {
			return s, stop, nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, nil, fmt.Errorf("postgres exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, nil, fmt.Errorf("postgres did not start within 30s: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FreePort returns a TCP port free on 127.0.0.1 (for servers a test or
// tool starts).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
