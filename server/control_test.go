package server

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const slowQuery = "SELECT count(*) FROM generate_series(1, 50000) a, generate_series(1, 50000) b WHERE a.a + b.b > 3"

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestCancelAndTimeouts(t *testing.T) {
	srv, addr := testServer(t, Config{})
	url := "postgres://lakeq@" + addr + "/lakeq?sslmode=disable"
	ctx := context.Background()

	// CancelRequest: the query stops within 100 ms of the request.
	c := connect(t, url)
	var cancelled time.Time
	go func() {
		time.Sleep(300 * time.Millisecond)
		cancelled = time.Now()
		c.PgConn().CancelRequest(context.Background())
	}()
	_, err := c.Exec(ctx, slowQuery)
	lag := time.Since(cancelled)
	if pgCode(err) != "57014" || !strings.Contains(err.Error(), "user request") {
		t.Fatalf("cancel: %v", err)
	}
	if lag > 100*time.Millisecond {
		t.Errorf("query stopped %v after the cancel request", lag)
	}
	if _, err := c.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatalf("session unusable after cancel: %v", err)
	}

	// statement_timeout
	if _, err := c.Exec(ctx, "SET statement_timeout = '200ms'"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Exec(ctx, slowQuery)
	if pgCode(err) != "57014" || !strings.Contains(err.Error(), "statement timeout") || time.Since(start) > 2*time.Second {
		t.Fatalf("statement_timeout: %v after %v", err, time.Since(start))
	}

	// A client that disconnects mid-query: its query is cancelled (the
	// history records it) and the server serves the next client.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r := &rawConn{t: t, nc: nc}
	r = dialRawOn(t, nc)
	r.until("Ready")
	r.send(queryMsg(slowQuery + " AND 'disconnect' = 'disconnect'"))
	time.Sleep(200 * time.Millisecond)
	nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var state string
		err := c.QueryRow(ctx, "SELECT state FROM sys.query_history WHERE query_text LIKE '%''disconnect'' = ''disconnect''%' AND query_text NOT LIKE '%sys.query_history%'").Scan(&state)
		if err == nil && state == "CANCELLED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("disconnected client's query not cancelled: %q %v", state, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	_ = srv
}

func TestMaxConnectionsAndIdle(t *testing.T) {
	_, addr := testServer(t, Config{MaxConnections: 2, IdleTimeout: 300 * time.Millisecond})
	url := "postgres://lakeq@" + addr + "/lakeq?sslmode=disable"
	a, b := connect(t, url), connect(t, url)
	_, err := pgx.Connect(context.Background(), url)
	if pgCode(err) != "53300" {
		t.Fatalf("third connection: %v", err)
	}
	_ = a
	_ = b
	time.Sleep(600 * time.Millisecond)
	if _, err := a.Exec(context.Background(), "SELECT 1"); err == nil {
		t.Fatal("idle session not closed")
	}
	// the slots are free again
	c := connect(t, url)
	if _, err := c.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
}

func TestAuthentication(t *testing.T) {
	for _, method := range []string{"scram-sha-256", "md5", "password"} {
		t.Run(method, func(t *testing.T) {
			var logs syncBuffer
			srv, addr := testServer(t, Config{Auth: method, Logger: newLogger(&logs)})
			ctx := context.Background()
			// bootstrap: lakeq has no password yet, so it cannot log in
			_, err := pgx.Connect(ctx, "postgres://lakeq:anything@"+addr+"/lakeq?sslmode=disable")
			if pgCode(err) != "28P01" {
				t.Fatalf("no password set: %v", err)
			}
			sess := srv.eng.NewSession()
			if _, err := sess.Exec(ctx, "ALTER USER lakeq PASSWORD 's3cret!'; CREATE USER ann PASSWORD 'pa''ss'; CREATE ROLE nologin PASSWORD 'x'"); err != nil {
				t.Fatal(err)
			}
			c := connect(t, "postgres://lakeq:s3cret%21@"+addr+"/lakeq?sslmode=disable")
			var who string
			if err := c.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != "lakeq" {
				t.Fatalf("%q %v", who, err)
			}
			ann := connect(t, "postgres://ann:pa%27ss@"+addr+"/lakeq?sslmode=disable")
			if err := ann.QueryRow(ctx, "SELECT current_user").Scan(&who); err != nil || who != "ann" {
				t.Fatalf("%q %v", who, err)
			}
			for _, bad := range []string{"lakeq:wrong", "nobody:x", "ann:"} {
				_, err := pgx.Connect(ctx, "postgres://"+bad+"@"+addr+"/lakeq?sslmode=disable")
				if pgCode(err) != "28P01" {
					t.Fatalf("%s: %v", bad, err)
				}
			}
			if _, err := pgx.Connect(ctx, "postgres://nologin:x@"+addr+"/lakeq?sslmode=disable"); pgCode(err) != "28000" {
				t.Fatalf("NOLOGIN role: %v", err)
			}
			if l := logs.String(); !strings.Contains(l, "28P01") || strings.Contains(l, "wrong") || strings.Contains(l, "s3cret") {
				t.Fatalf("log:\n%s", l)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	cfg, err := SelfSignedTLS()
	if err != nil {
		t.Fatal(err)
	}
	_, addr := testServer(t, Config{TLS: cfg, RequireTLS: true})
	ctx := context.Background()
	c := connect(t, "postgres://lakeq@"+addr+"/lakeq?sslmode=require")
	if !c.PgConn().Conn().(*tls.Conn).ConnectionState().HandshakeComplete {
		t.Fatal("not TLS")
	}
	if _, err := c.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	_, err = pgx.Connect(ctx, "postgres://lakeq@"+addr+"/lakeq?sslmode=disable")
	if pgCode(err) != "28000" {
		t.Fatalf("plain connection to a TLS-only server: %v", err)
	}
	// GSSENCRequest is declined and the session goes on in the clear… here refused by require-tls
	_, addr2 := testServer(t, Config{})
	c2 := connect(t, "postgres://lakeq@"+addr2+"/lakeq?sslmode=prefer&gssencmode=prefer")
	if _, ok := c2.PgConn().Conn().(*tls.Conn); ok {
		t.Fatal("TLS without a certificate")
	}
}
