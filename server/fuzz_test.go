package server

import (
	"context"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakeq/lakeq/engine"
)

// startupBytes is a StartupMessage for user lakeq, database lakeq.
func startupBytes() []byte {
	b, _ := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{"user": "lakeq", "database": "lakeq"}}).Encode(nil)
	return b
}

func encode(msgs ...pgproto3.FrontendMessage) []byte {
	var out []byte
	for _, m := range msgs {
		out, _ = m.Encode(out)
	}
	return out
}

// FuzzWireMessages feeds arbitrary bytes to a session, either as its
// startup packet or after a good one: the server must answer or close,
// never panic (a recovered panic is logged as "internal error", which
// fails the target), and must keep serving afterwards.
func FuzzWireMessages(f *testing.F) {
	f.Add(false, encode(&pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{}))
	f.Add(false, encode(&pgproto3.Parse{Name: "s", Query: "SELECT $1::int + 1"}, &pgproto3.Bind{PreparedStatement: "s",
		Parameters: [][]byte{{0, 0, 0, 7}}, ParameterFormatCodes: []int16{1}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{MaxRows: 1}, &pgproto3.Sync{}))
	f.Add(false, encode(&pgproto3.Bind{PreparedStatement: "missing", Parameters: [][]byte{nil}}, &pgproto3.Sync{}))
	f.Add(false, encode(&pgproto3.Query{String: "COPY (SELECT 1) TO STDOUT"}, &pgproto3.Query{String: "CREATE TABLE f(a int); COPY f FROM STDIN"},
		&pgproto3.CopyData{Data: []byte("1\nx\n")}, &pgproto3.CopyDone{}))
	f.Add(false, []byte{'Q', 0, 0, 0, 4})                   // a Query with no body
	f.Add(false, []byte{'Q', 0xff, 0xff, 0xff, 0xff, 'S'})  // oversized
	f.Add(false, []byte{'Z', 0, 0, 0, 5, 0})                // unknown type
	f.Add(false, []byte{'P', 0, 0, 0, 8, 's', 0, 'x'})      // truncated Parse
	f.Add(true, []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) // SSLRequest
	f.Add(true, []byte{0, 0, 0, 9, 0, 2, 0, 0, 0})          // wrong protocol version
	f.Add(true, []byte("GET / HTTP/1.1\r\n\r\n"))
	f.Add(true, []byte{0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 0, 0, 0, 1, 0, 0, 0, 2}) // CancelRequest

	eng, err := engine.Open(context.Background(), engine.Config{DataDir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { eng.Close() })
	var logs syncBuffer
	srv := New(eng, Config{Logger: log.New(&logs, "", 0), MaxMessageSize: 1 << 20})

	f.Fuzz(func(t *testing.T, raw bool, data []byte) {
		input := data
		if !raw {
			input = append(startupBytes(), data...)
		}
		if bad := exchange(t, srv, input); bad {
			t.Fatalf("server panicked on %q:\n%s", data, logs.String())
		}
		// Still serving: a fresh session answers a query.
		if bad := exchange(t, srv, append(startupBytes(), encode(&pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{})...)); bad {
			t.Fatalf("server broken after %q:\n%s", data, logs.String())
		}
		if strings.Contains(logs.String(), "internal error") {
			t.Fatalf("internal error after %q:\n%s", data, logs.String())
		}
	})
}

// exchange runs one connection: writes input, drains the answers, and
// reports whether the session did not end within the deadline.
func exchange(t *testing.T, srv *Server, input []byte) bool {
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.handle(server)
	}()
	go io.Copy(io.Discard, client)
	client.SetDeadline(time.Now().Add(5 * time.Second))
	client.Write(input)
	client.Close()
	select {
	case <-done:
		return false
	case <-time.After(10 * time.Second):
		return true
	}
}
