// Package testmysql starts a real MariaDB server for tests: its own data
// directory (mariadb-install-db into a temporary directory), mariadbd
// listening on 127.0.0.1 on a free port with its own socket, a user with
// a password for the tests to connect as, stopped when the test ends.
// Tests that need MariaDB fail (never skip) when its binaries are
// missing: scripts/test.sh installs them (Debian's mariadb-server).
package testmysql

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // the "mysql" driver

	"github.com/lakeq/lakeq/internal/testpg"
)

// Server is a running MariaDB server.
type Server struct {
	Port     int
	User     string // has every privilege, from 127.0.0.1
	Password string
	Socket   string // the server's Unix socket (root connects through it)
}

// DSN is a go-sql-driver/mysql data source name for database db ("" for
// none) over TCP as the test user.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("%s:%s@tcp(127.0.0.1:%d)/%s?parseTime=true&multiStatements=true", s.User, s.Password, s.Port, db)
}

// CreateDB creates a database and returns its DSN.
func (s *Server) CreateDB(t testing.TB, name string) string {
	t.Helper()
	db, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	return s.DSN(name)
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

func binaries() (install, server string, err error) {
	for _, pair := range [][2]string{{"mariadb-install-db", "mariadbd"}, {"mysql_install_db", "mysqld"}} {
		i, err1 := exec.LookPath(pair[0])
		d, err2 := exec.LookPath(pair[1])
		if err2 != nil {
			d, err2 = exec.LookPath(filepath.Join("/usr/sbin", pair[1]))
		}
		if err1 == nil && err2 == nil {
			return i, d, nil
		}
	}
	return "", "", fmt.Errorf("MariaDB server binaries not found (apt-get install mariadb-server; scripts/test.sh does)")
}

// Launch starts a server in a temporary directory; stop shuts it down
// and removes the directory. For tools (benchmarks) as well as tests.
func Launch() (_ *Server, stop func(), err error) {
	install, server, err := binaries()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "lakeq-mariadb-")
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
	// mariadbd refuses to run as root unless told: as root, run it as
	// the mysql user the package creates
	runAs := ""
	if os.Geteuid() == 0 {
		runAs = "root"
		if u, err := user.Lookup("mysql"); err == nil {
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			if err := os.Chown(dir, uid, gid); err != nil {
				return nil, nil, err
			}
			runAs = "mysql"
		}
	}
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=socket", "--skip-test-db"}
	if runAs != "" {
		args = append(args, "--user="+runAs)
	}
	cmd := exec.Command(install, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
	}
	port, err := testpg.FreePort()
	if err != nil {
		return nil, nil, err
	}
	sock := filepath.Join(dir, "mysqld.sock")
	sargs := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + sock, "--pid-file=" + filepath.Join(dir, "mysqld.pid"), "--skip-name-resolve",
		"--skip-log-bin", "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=64M",
		"--max-connections=60", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
		"--log-error=" + filepath.Join(dir, "log")}
	if runAs != "" {
		sargs = append(sargs, "--user="+runAs)
	}
	srv := exec.Command(server, sargs...)
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := srv.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting mariadbd: %v", err)
	}
	done := make(chan struct{})
	go func() { srv.Wait(); close(done) }()
	cleanups = append(cleanups, func() {
		srv.Process.Signal(syscall.SIGTERM) // a clean shutdown
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			srv.Process.Kill()
			<-done
		}
	})
	// root (or, not as root, the OS user that ran the install)
	// authenticates by the socket's peer (unix_socket): it creates the
	// user the tests connect as over TCP
	s := &Server{Port: port, User: "lakeq", Password: "lakeq-test-pw", Socket: sock}
	admin := "root"
	if os.Geteuid() != 0 {
		if u, err := user.Current(); err == nil {
			admin = u.Username
		}
	}
	rootDSN := fmt.Sprintf("%s@unix(%s)/", admin, sock)
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := setup(rootDSN, s)
		if err == nil {
			return s, stop, nil
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, nil, fmt.Errorf("mariadbd exited: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			return nil, nil, fmt.Errorf("mariadbd did not start within 60s: %v\n%s", err, log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// setup creates the test user once the server answers on its socket.
func setup(rootDSN string, s *Server) error {
	db, err := sql.Open("mysql", rootDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return err
	}
	for _, q := range []string{
		fmt.Sprintf("CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY '%s'", s.User, s.Password),
		fmt.Sprintf("GRANT ALL PRIVILEGES ON *.* TO '%s'@'127.0.0.1' WITH GRANT OPTION", s.User),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
