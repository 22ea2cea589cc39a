package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// endless has 10^10 rows: a server that held a result whole before
// sending it would never send its first row.
const endless = "SELECT a, b FROM generate_series(1, 100000) a, generate_series(1, 100000) b"

// activeQueries are the statements other sessions run now.
func activeQueries(t *testing.T, url string) []string {
	t.Helper()
	c := connect(t, url)
	rows, err := c.Query(context.Background(), "SELECT query FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var q string
		if err := rows.Scan(&q); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	c.Close(context.Background())
	return out
}

// waitIdle waits until no other session runs a statement.
func waitIdle(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := activeQueries(t, url)
		if len(a) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still running: %q", a)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Rows leave as the query produces them; a client that stops reading
// holds the query (it does not finish on its own), and one that goes
// away mid-result cancels it, leaving the server and other sessions as
// they were.
func TestResultsStream(t *testing.T) {
	_, addr := testServer(t, Config{})
	url := "postgres://lakeq@" + addr + "/lakeq?sslmode=disable"

	r := dialRaw(t, addr, nil)
	r.until("Ready")
	r.send(&pgproto3.Query{String: endless})
	r.until("Desc")
	for i := 0; i < 20000; i++ {
		if got := r.until("Row"); len(got) != 1 {
			t.Fatalf("row %d: %v", i, got)
		}
	}
	time.Sleep(200 * time.Millisecond) // the client reads nothing more
	if a := activeQueries(t, url); len(a) != 1 || a[0] != endless {
		t.Fatalf("with its client not reading, the query is %q, want running", a)
	}
	r.nc.Close() // mid-result
	waitIdle(t, url)

	// COPY … TO STDOUT streams too
	r = dialRaw(t, addr, nil)
	r.until("Ready")
	r.send(&pgproto3.Query{String: "COPY (" + endless + ") TO STDOUT"})
	r.until("CopyOutResponse")
	for i := 0; i < 20000; i++ {
		if got := r.until("CopyData"); len(got) != 1 {
			t.Fatalf("COPY row %d: %v", i, got)
		}
	}
	r.nc.Close()
	waitIdle(t, url)

	// a portal pulls what each Execute asks for; closing it stops the
	// query, and the session goes on
	r = dialRaw(t, addr, nil)
	r.until("Ready")
	send := r.send
	send(&pgproto3.Query{String: "BEGIN"})
	r.until("Ready")
	send(&pgproto3.Parse{Query: endless}, &pgproto3.Bind{DestinationPortal: "p"}, &pgproto3.Execute{Portal: "p", MaxRows: 3},
		&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
	got := strings.Join(r.until("Ready"), " | ")
	if got != "ParseComplete | BindComplete | Row 1,1 | Row 1,2 | Row 1,3 | PortalSuspended | Row 1,4 | Row 1,5 | PortalSuspended | Ready T" &&
		!strings.Contains(got, "PortalSuspended | Row") {
		t.Fatalf("portal: %s", got)
	}
	// another statement runs while the portal waits
	send(&pgproto3.Query{String: "SELECT 42"})
	if got := strings.Join(r.until("Ready"), " | "); got != "Desc ?column?:23 | Row 42 | Complete SELECT 1 | Ready T" {
		t.Fatalf("beside the portal: %s", got)
	}
	send(&pgproto3.Execute{Portal: "p", MaxRows: 1}, &pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Sync{})
	if got := r.until("Ready"); len(got) != 4 || got[1] != "PortalSuspended" || got[2] != "CloseComplete" {
		t.Fatalf("closing the portal: %v", got)
	}
	waitIdle(t, url)
	send(&pgproto3.Query{String: "COMMIT"})
	r.until("Ready")
	send(&pgproto3.Terminate{})
}
