package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The interactive shell is tested in a real terminal: tmux runs lakeq in
// a pane of a given size, send-keys types, capture-pane reads the screen.
// scripts/test.sh installs tmux; without it (and CI unset) these tests
// skip with a message.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// lakeqBinary builds the lakeq command once per test run.
func lakeqBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lakeq-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "lakeq")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing (scripts/test.sh installs it)")
		}
		t.Skip("tmux is not installed; scripts/test.sh installs it")
	}
}

// terminal is a tmux pane running one command.
type terminal struct {
	t    *testing.T
	sock string
}

// startTerminal runs argv in a width×height pane, with env added to a
// clean environment (HOME and TERM set), kept on screen after it exits.
func startTerminal(t *testing.T, width, height int, env []string, argv ...string) *terminal {
	t.Helper()
	needTmux(t)
	tm := &terminal{t: t, sock: fmt.Sprintf("lakeq-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	cmd := append([]string{"env", "-i", "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "LANG=C.UTF-8"}, env...)
	cmd = append(cmd, argv...)
	args := []string{"-L", tm.sock, "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}
	args = append(args, cmd...)
	args = append(args, ";", "set-option", "-t", "main", "remain-on-exit", "on")
	tm.tmux(args...)
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *terminal) tmux(args ...string) string {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "tmux", append([]string{"-L", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeLine types text (literally) and presses Enter.
func (tm *terminal) typeLine(text string) {
	tm.t.Helper()
	tm.typeText(text)
	tm.keys("Enter")
}

func (tm *terminal) typeText(text string) {
	tm.t.Helper()
	// tmux reads an argument ending in ';' as a command separator
	if strings.HasSuffix(text, ";") {
		text = strings.TrimSuffix(text, ";") + `\;`
	}
	tm.tmux("send-keys", "-t", "main", "-l", text)
}

// keys presses named keys: Enter, Tab, Up, C-c, C-d.
func (tm *terminal) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// screen is the pane's text, wrapped lines joined.
func (tm *terminal) screen() string {
	tm.t.Helper()
	return tm.tmux("capture-pane", "-p", "-J", "-t", "main", "-S", "-1000")
}

// waitFor polls the screen until it holds want, and returns it.
func (tm *terminal) waitFor(want string, timeout time.Duration) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tm.screen()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("waited %v for %q; the screen:\n%s", timeout, want, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitStatus waits for the command to end and returns its status.
func (tm *terminal) exitStatus(timeout time.Duration) int {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{pane_dead} #{pane_dead_status}"))
		var dead, status int
		fmt.Sscan(out, &dead, &status)
		if dead == 1 {
			return status
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the command did not exit in %v; the screen:\n%s", timeout, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastLineWith is the screen's last line that starts with prefix.
func lastLineWith(screen, prefix string) string {
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], prefix) {
			return lines[i]
		}
	}
	return ""
}
