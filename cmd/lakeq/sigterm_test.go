package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestMain lets the test binary run as `lakeq` itself, so a test can
// start a real server process and signal it.
func TestMain(m *testing.M) {
	if os.Getenv("LAKEQ_TEST_AS_LAKEQ") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	code := m.Run()
	// The binary and the demo lake are shared by the whole run
	// (lakeqBinary, demoLake), so they go when it ends.
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if demoDir != "" {
		os.RemoveAll(demoDir)
	}
	os.Exit(code)
}

// SIGTERM stops `lakeq serve` within 5 s, cancelling the running query.
func TestServeStopsOnSIGTERM(t *testing.T) {
	cmd := exec.Command(os.Args[0], "serve", "--data-dir", t.TempDir(), "--listen", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "LAKEQ_TEST_AS_LAKEQ=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	addrRe := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)
	addrCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
				addrCh <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-addrCh:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakeq@%s/lakeq?sslmode=disable", addr))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	queryDone := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, "SELECT count(*) FROM generate_series(1, 50000) a, generate_series(1, 50000) b WHERE a.a + b.b > 3")
		queryDone <- err
	}()
	time.Sleep(300 * time.Millisecond)
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("server exited with %v", err)
		}
		t.Logf("server stopped %v after SIGTERM", time.Since(start))
	case <-time.After(5 * time.Second):
		t.Fatal("server still running 5 s after SIGTERM")
	}
	select {
	case err := <-queryDone:
		if err == nil {
			t.Fatal("the running query completed instead of being cancelled")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("client still waiting after the server stopped")
	}
}
