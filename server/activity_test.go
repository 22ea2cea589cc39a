package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pg_stat_activity lists every session; pg_backend_pid is the pid of the
// BackendKeyData; pg_cancel_backend and pg_terminate_backend act on it,
// for the session's own user or a superuser.
func TestActivityAndSignals(t *testing.T) {
	_, addr := testServer(t, Config{})
	ctx := context.Background()
	url := "postgres://lakeq@" + addr + "/lakeq?sslmode=disable"
	busy := connect(t, url+"&application_name=busy")
	admin := connect(t, url+"&application_name=admin")

	var pid int64
	if err := busy.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if pid != int64(busy.PgConn().PID()) || pid == 0 {
		t.Fatalf("pg_backend_pid %d, BackendKeyData pid %d", pid, busy.PgConn().PID())
	}

	done := make(chan error, 1)
	go func() {
		_, err := busy.Exec(ctx, slowQuery)
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var state, query, app, addrText string
		err := admin.QueryRow(ctx, "SELECT state, query, application_name, client_addr FROM pg_stat_activity WHERE pid = $1", pid).Scan(&state, &query, &app, &addrText)
		if err == nil && state == "active" {
			if query != slowQuery || app != "busy" || addrText != "127.0.0.1" {
				t.Fatalf("pg_stat_activity row: %q %q %q", query, app, addrText)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("busy session never shown active: %v %q", err, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var n int
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name IN ('busy', 'admin')").Scan(&n); err != nil || n != 2 {
		t.Fatalf("sessions listed: %d %v", n, err)
	}

	start := time.Now()
	var ok bool
	if err := admin.QueryRow(ctx, "SELECT pg_cancel_backend($1::int4)", pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_cancel_backend: %v %v", ok, err)
	}
	select {
	case err := <-done:
		if pgCode(err) != "57014" {
			t.Fatalf("cancelled query: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("query stopped %v after pg_cancel_backend", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pg_cancel_backend did not stop the query")
	}
	var state string
	if err := admin.QueryRow(ctx, "SELECT state FROM pg_stat_activity WHERE pid = $1", pid).Scan(&state); err != nil || state != "idle" {
		t.Fatalf("state after cancel: %q %v", state, err)
	}
	if _, err := busy.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatalf("session unusable after pg_cancel_backend: %v", err)
	}
	if err := admin.QueryRow(ctx, "SELECT pg_cancel_backend(999999)").Scan(&ok); err != nil || ok {
		t.Fatalf("pg_cancel_backend of no session: %v %v", ok, err)
	}

	// an ordinary user may not signal a superuser's session
	if _, err := admin.Exec(ctx, "CREATE USER plain PASSWORD 'pw'"); err != nil {
		t.Fatal(err)
	}
	plain := connect(t, "postgres://plain:pw@"+addr+"/lakeq?sslmode=disable")
	err := plain.QueryRow(ctx, "SELECT pg_terminate_backend($1::int4)", pid).Scan(&ok)
	if pgCode(err) != "42501" || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("plain user terminating a superuser's session: %v", err)
	}
	var plainPID int64
	if err := plain.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&plainPID); err != nil {
		t.Fatal(err)
	}

	// pg_terminate_backend closes the connection and the session leaves
	// pg_stat_activity
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1::int4)", pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_terminate_backend: %v %v", ok, err)
	}
	if _, err := busy.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("terminated session still answers")
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&n); err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("terminated session still listed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// a user may signal its own sessions: cancelling the calling
	// statement itself is 57014, as in PostgreSQL
	if err := plain.QueryRow(ctx, "SELECT pg_cancel_backend($1::int4)", plainPID).Scan(&ok); pgCode(err) != "57014" {
		t.Fatalf("cancelling one's own statement: %v %v", ok, err)
	}
	// and a superuser an ordinary user's
	if err := admin.QueryRow(ctx, "SELECT pg_terminate_backend($1::int4)", plainPID).Scan(&ok); err != nil || !ok {
		t.Fatalf("superuser terminating a user's session: %v %v", ok, err)
	}
}

// A text parameter or query that is not valid UTF-8 is 22021, and the
// session goes on.
func TestInvalidUTF8OverTheWire(t *testing.T) {
	_, addr := testServer(t, Config{})
	ctx := context.Background()
	c := connect(t, "postgres://lakeq@"+addr+"/lakeq?sslmode=disable")
	var s string
	err := c.QueryRow(ctx, "SELECT $1::text", "bad\xff\xfe").Scan(&s)
	if pgCode(err) != "22021" || !strings.Contains(err.Error(), "parameter $1") {
		t.Fatalf("invalid UTF-8 parameter: %v", err)
	}
	_, err = c.Exec(ctx, "SELECT 'bad\xff'", pgx.QueryExecModeSimpleProtocol)
	if pgCode(err) != "22021" {
		t.Fatalf("invalid UTF-8 query text: %v", err)
	}
	if err := c.QueryRow(ctx, "SELECT $1::text", "ünï").Scan(&s); err != nil || s != "ünï" {
		t.Fatalf("valid text after the errors: %q %v", s, err)
	}
}
