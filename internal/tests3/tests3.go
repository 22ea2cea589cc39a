// Package tests3 starts a real S3 server for tests: versitygw (Apache-2.0)
// with its posix backend on a temporary folder, listening on 127.0.0.1 on
// a free port, stopped when the test ends. Tests that need it fail (never
// skip) when the binary is missing: scripts/test.sh installs it with
// `go install github.com/versity/versitygw/cmd/versitygw@…`.
package tests3

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a running versitygw.
type Server struct {
	Endpoint          string // http://127.0.0.1:port
	AccessKey, Secret string
	Root              string // the posix backend's folder: one folder per bucket
	PID               int    // the versitygw process (benchmarks read its CPU time)
}

// binary finds versitygw on PATH or in Go's bin folder.
func binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if gb := os.Getenv("GOBIN"); gb != "" {
		dirs = append(dirs, gb)
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("versitygw not found (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0; scripts/test.sh does)")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start runs a versitygw with the given buckets for the test's lifetime.
func Start(t testing.TB, buckets ...string) *Server {
	t.Helper()
	root := t.TempDir()
	s, stop, err := Launch(root, buckets...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return s
}

// Launch runs a versitygw whose posix backend is root, with the given
// buckets; stop ends it (benchmarks use it outside a test).
func Launch(root string, buckets ...string) (*Server, func(), error) {
	bin, err := binary()
	if err != nil {
		return nil, nil, err
	}
	for _, b := range buckets {
		if err := os.MkdirAll(filepath.Join(root, b), 0o755); err != nil {
			return nil, nil, err
		}
	}
	s := &Server{AccessKey: "lakeqtest", Secret: "lakeq-test-secret-0123456789", Root: root}
	var lastErr error
	for try := 0; try < 5; try++ {
		port, err := freePort()
		if err != nil {
			return nil, nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		var out bytes.Buffer
		// --keep-alive: S3 keeps a client's connections open between
		// requests; versitygw closes each one unless asked, which would
		// make every GET pay a TCP connect that S3 users never pay
		cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.Secret, "--port", addr, "--quiet", "--keep-alive", "posix", root)
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlives its parent
		if err := cmd.Start(); err != nil {
			return nil, nil, err
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		s.Endpoint = "http://" + addr
		s.PID = cmd.Process.Pid
		if err := waitReady(s.Endpoint, done); err != nil {
			cmd.Process.Kill()
			<-done
			lastErr = fmt.Errorf("%v: %s", err, out.String())
			continue
		}
		stop := func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		}
		return s, stop, nil
	}
	return nil, nil, fmt.Errorf("versitygw did not start: %v", lastErr)
}

// waitReady waits up to 15 s for the gateway to answer HTTP.
func waitReady(endpoint string, exited <-chan struct{}) error {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("versitygw exited")
		default:
		}
		if resp, err := c.Get(endpoint + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("versitygw did not answer on %s in 15 s", endpoint)
}

// CPUTime is the CPU time (user and system) the server has used so far;
// on a machine it shares with lakeq, it is part of what a query over it
// costs.
func (s *Server) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.PID))
	if err != nil {
		return 0, err
	}
	// fields after the parenthesised command: state is field 3, utime 14, stime 15
	rest := string(b)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("unexpected /proc stat of versitygw: %q", b)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("unexpected /proc stat of versitygw: %q", b)
	}
	// the kernel counts in clock ticks, 100 per second on Linux
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}
