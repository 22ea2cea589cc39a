package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lakeq/lakeq/engine"
)

// testServer starts a server on 127.0.0.1 that stops with the test.
func testServer(t testing.TB, cfg Config) (*Server, string) {
	t.Helper()
	eng, err := engine.Open(context.Background(), engine.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var logBuf syncBuffer
	if cfg.Logger == nil {
		cfg.Logger = log.New(&logBuf, "", 0)
	}
	srv := New(eng, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Close()
		eng.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logBuf.String())
		}
	})
	return srv, ln.Addr().String()
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// rawConn is a protocol-level client for exact message checks.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t testing.TB, addr string, params map[string]string) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	r := &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	if params == nil {
		params = map[string]string{"user": "lakeq", "database": "lakeq"}
	}
	r.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	r.fe.Flush()
	return r
}

// until reads messages up to and including one of type stop, returning
// them as short strings.
func (r *rawConn) until(stop string) []string {
	r.t.Helper()
	var out []string
	for {
		m, err := r.fe.Receive()
		if err != nil {
			r.t.Fatalf("receive: %v (after %v)", err, out)
		}
		s := describeMsg(m)
		out = append(out, s)
		if strings.HasPrefix(s, stop) {
			return out
		}
	}
}

func describeMsg(m pgproto3.BackendMessage) string {
	switch x := m.(type) {
	case *pgproto3.ErrorResponse:
		return "Error " + x.Code + " " + x.Message
	case *pgproto3.CommandComplete:
		return "Complete " + string(x.CommandTag)
	case *pgproto3.DataRow:
		var vs []string
		for _, v := range x.Values {
			if v == nil {
				vs = append(vs, "NULL")
			} else {
				vs = append(vs, string(v))
			}
		}
		return "Row " + strings.Join(vs, ",")
	case *pgproto3.ReadyForQuery:
		return "Ready " + string(x.TxStatus)
	case *pgproto3.RowDescription:
		var ns []string
		for _, f := range x.Fields {
			ns = append(ns, fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID))
		}
		return "Desc " + strings.Join(ns, ",")
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("Params %v", x.ParameterOIDs)
	case *pgproto3.ParameterStatus:
		return "Status " + x.Name + "=" + x.Value
	case *pgproto3.NoticeResponse:
		return "Notice " + x.Message
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3.")
}

func TestStartupLikePostgres(t *testing.T) {
	_, addr := testServer(t, Config{})
	r := dialRaw(t, addr, nil)
	msgs := strings.Join(r.until("Ready"), "\n")
	for _, want := range []string{"AuthenticationOk", "Status server_version=15.8", "Status server_encoding=UTF8", "Status client_encoding=UTF8",
		"Status DateStyle=ISO, MDY", "Status TimeZone=UTC", "Status integer_datetimes=on", "Status standard_conforming_strings=on",
		"Status is_superuser=on", "Status session_authorization=lakeq", "Status IntervalStyle=postgres", "BackendKeyData", "Ready I"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("startup lacks %q:\n%s", want, msgs)
		}
	}
	// an unknown database
	r2 := dialRaw(t, addr, map[string]string{"user": "lakeq", "database": "nosuch"})
	if got := r2.until("Error"); !strings.Contains(got[len(got)-1], "3D000") {
		t.Fatal(got)
	}
	// a wrong protocol version
	nc, _ := net.Dial("tcp", addr)
	defer nc.Close()
	var pkt [8]byte
	binary.BigEndian.PutUint32(pkt[:], 8)
	binary.BigEndian.PutUint32(pkt[4:], 2<<16)
	nc.Write(pkt[:])
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	reply, _ := io.ReadAll(nc)
	if len(reply) == 0 || reply[0] != 'E' {
		t.Fatalf("wrong protocol version: %q", reply)
	}
}

func TestSimpleAndExtendedProtocol(t *testing.T) {
	_, addr := testServer(t, Config{})
	r := dialRaw(t, addr, nil)
	r.until("Ready")
	send := r.send
	expect := func(stop string, want ...string) {
		t.Helper()
		got := r.until(stop)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
		}
	}
	// several statements in one Query; an empty query
	send(&pgproto3.Query{String: "CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, 'x'), (2, NULL), (3, ''); SELECT * FROM t ORDER BY a"})
	expect("Ready", "Complete CREATE TABLE", "Complete INSERT 0 3", "Desc a:23,b:25", "Row 1,x", "Row 2,NULL", "Row 3,", "Complete SELECT 3", "Ready I")
	send(&pgproto3.Query{String: " ; "})
	expect("Ready", "EmptyQueryResponse", "Ready I")
	// an error stops the rest of the Query
	send(&pgproto3.Query{String: "SELECT 1; SELECT nosuch; SELECT 3"})
	expect("Ready", "Desc ?column?:23", "Row 1", "Complete SELECT 1", "Error 42703 column \"nosuch\" does not exist", "Ready I")

	// extended: parameter inference, Describe, row limits
	send(&pgproto3.Parse{Name: "s1", Query: "SELECT a, b FROM t WHERE a >= $1 ORDER BY a"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("1")}},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Sync{})
	expect("Ready", "ParseComplete", "Params [23]", "Desc a:23,b:25", "BindComplete", "Row 1,x", "Row 2,NULL", "PortalSuspended", "Row 3,", "Complete SELECT 1", "Ready I")
	// errors skip to Sync; the session recovers
	send(&pgproto3.Parse{Query: "SELECT nosuch"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expect("Ready", "Error 42703 column \"nosuch\" does not exist", "Ready I")
	send(&pgproto3.Parse{Query: "INSERT INTO t VALUES ($1, $2)"}, &pgproto3.Describe{ObjectType: 'S'},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("4"), []byte("y")}}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expect("Ready", "ParseComplete", "Params [25 25]", "NoData", "BindComplete", "NoData", "Complete INSERT 0 1", "Ready I")
	// RETURNING: described at Parse and Bind, its rows sent before the tag
	send(&pgproto3.Parse{Query: "INSERT INTO t VALUES ($1, $2) RETURNING a + 1 AS n, b"}, &pgproto3.Describe{ObjectType: 'S'},
		&pgproto3.Bind{Parameters: [][]byte{[]byte("5"), []byte("z")}}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expect("Ready", "ParseComplete", "Params [25 25]", "Desc n:23,b:25", "BindComplete", "Desc n:23,b:25", "Row 6,z", "Complete INSERT 0 1", "Ready I")
	send(&pgproto3.Query{String: "DELETE FROM t WHERE a >= 4 RETURNING *"})
	expect("Ready", "Desc a:23,b:25", "Row 4,y", "Row 5,z", "Complete DELETE 2", "Ready I")
	send(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	expect("Ready", "ParseComplete", "BindComplete", "EmptyQueryResponse", "Ready I")
	send(&pgproto3.Bind{PreparedStatement: "nosuch"}, &pgproto3.Sync{})
	expect("Ready", "Error 26000 prepared statement \"nosuch\" does not exist", "Ready I")
	send(&pgproto3.Close{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{})
	expect("Ready", "CloseComplete", "Ready I")

	// transaction status, and a failed block
	send(&pgproto3.Query{String: "BEGIN"})
	expect("Ready", "Complete BEGIN", "Ready T")
	send(&pgproto3.Query{String: "SELECT 1/0"})
	expect("Ready", "Error 22012 division by zero", "Ready E")
	send(&pgproto3.Query{String: "SELECT 1"})
	expect("Ready", "Error 25P02 current transaction is aborted, commands ignored until end of transaction block", "Ready E")
	send(&pgproto3.Query{String: "ROLLBACK"})
	expect("Ready", "Complete ROLLBACK", "Ready I")
	send(&pgproto3.Terminate{})
}

// Garbage and oversized messages end the connection with an error; the
// server keeps serving others.
func TestBadInput(t *testing.T) {
	_, addr := testServer(t, Config{MaxMessageSize: 1 << 16})
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n\r\n"),
		{0, 0, 0, 3},
		{0xff, 0xff, 0xff, 0xff, 1, 2, 3},
	} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.Write(junk)
		nc.SetDeadline(time.Now().Add(5 * time.Second))
		io.ReadAll(nc)
		nc.Close()
	}
	r := dialRaw(t, addr, nil)
	r.until("Ready")
	// an unknown message type, then an oversized one, on fresh sessions
	r.nc.Write([]byte{'!', 0, 0, 0, 4})
	if got := r.until("Error"); !strings.Contains(got[len(got)-1], "08P01") {
		t.Fatal(got)
	}
	r2 := dialRaw(t, addr, nil)
	r2.until("Ready")
	big := make([]byte, 5+(1<<17))
	big[0] = 'Q'
	binary.BigEndian.PutUint32(big[1:], uint32(len(big)-1))
	r2.nc.Write(big)
	if got := r2.until("Error"); !strings.Contains(got[len(got)-1], "08P01") {
		t.Fatal(got)
	}
	// still serving
	conn, err := pgx.Connect(context.Background(), "postgres://lakeq@"+addr+"/lakeq?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Fatal(n, err)
	}
}

func TestPgxBinaryAndParams(t *testing.T) {
	_, addr := testServer(t, Config{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://lakeq@"+addr+"/lakeq?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var (
		b    bool
		i2   int16
		i4   int32
		i8   int64
		f4   float32
		f8   float64
		num  string
		txt  string
		by   []byte
		d    time.Time
		ts   time.Time
		tstz time.Time
		iv   time.Duration
		arr  []int32
		js   map[string]any
	)
	err = conn.QueryRow(ctx, `SELECT $1::boolean, $2::smallint, $3::integer, $4::bigint, $5::real, $6::double precision,
		$7::numeric(10,3)::text, $8::text, $9::bytea, $10::date, $11::timestamp, $12::timestamptz, interval '1 hour 2 minutes',
		ARRAY[1, 2, 3], '{"k": [1, 2]}'::jsonb`,
		true, int16(-3), int32(70000), int64(1)<<40, float32(1.5), 2.25, "12.5", "héllo", []byte{0, 1, 2},
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2024, 1, 2, 3, 4, 5, 600000000, time.UTC), time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
	).Scan(&b, &i2, &i4, &i8, &f4, &f8, &num, &txt, &by, &d, &ts, &tstz, &iv, &arr, &js)
	if err != nil {
		t.Fatal(err)
	}
	if !b || i2 != -3 || i4 != 70000 || i8 != 1<<40 || f4 != 1.5 || f8 != 2.25 || num != "12.500" || txt != "héllo" || !bytes.Equal(by, []byte{0, 1, 2}) ||
		!d.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) || ts.Nanosecond() != 600000000 || tstz.Unix() != time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC).Unix() ||
		iv != time.Hour+2*time.Minute || len(arr) != 3 || arr[2] != 3 || js["k"] == nil {
		t.Fatalf("values: %v %v %v %v %v %v %v %v %v %v %v %v %v %v %v", b, i2, i4, i8, f4, f8, num, txt, by, d, ts, tstz, iv, arr, js)
	}
	// numeric in binary both ways
	var n pgtypeNumeric
	if err := conn.QueryRow(ctx, "SELECT 12345.6789::numeric(9,4)").Scan(&n.s); err != nil || n.s != "12345.6789" {
		t.Fatalf("numeric: %q %v", n.s, err)
	}
	// a plain numeric column keeps each value's scale: in binary as the
	// numeric's display scale, in text as its digits
	for _, q := range []string{"CREATE TABLE dynnum (id int, x numeric)", "INSERT INTO dynnum VALUES (1, 1.5), (2, 2.25), (3, -0.001), (4, 100.10), (5, 3), (6, NULL)"} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, format := range []int16{pgx.BinaryFormatCode, pgx.TextFormatCode} {
		rows, err := conn.Query(ctx, "SELECT x FROM dynnum ORDER BY id", pgx.QueryResultFormats{format})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var v pgtype.Numeric
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if !v.Valid {
				got = append(got, "NULL")
				continue
			}
			got = append(got, fmt.Sprintf("%se%d", v.Int, v.Exp))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if want := []string{"15e-1", "225e-2", "-1e-3", "10010e-2", "3e0", "NULL"}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("plain numeric, format %d: got %v, want %v", format, got, want)
		}
	}
	// many rows through one prepared statement, more than pgx's cache threshold
	for k := 0; k < 8; k++ {
		var got int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM generate_series(1, $1::int)", k*10).Scan(&got); err != nil || got != int64(k*10) {
			t.Fatalf("iteration %d: %d %v", k, got, err)
		}
	}
	// errors carry SQLSTATE and position
	_, err = conn.Exec(ctx, "SELECT 1 FROM nosuch")
	var pe *pgconn.PgError
	if !errorsAs(err, &pe) || pe.Code != "42P01" || pe.Position != 15 {
		t.Fatalf("error: %#v", err)
	}
}

type pgtypeNumeric struct{ s string }

func errorsAs(err error, pe **pgconn.PgError) bool {
	e, ok := err.(*pgconn.PgError)
	if ok {
		*pe = e
	}
	return ok
}

func newLogger(w *syncBuffer) *log.Logger { return log.New(w, "", 0) }

func dialRawOn(t testing.TB, nc net.Conn) *rawConn {
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	r := &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	r.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "lakeq", "database": "lakeq"}})
	r.fe.Flush()
	return r
}

// send sends messages and flushes them (a failed flush shows as the
// next receive's error).
func (r *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	for _, m := range msgs {
		r.fe.Send(m)
	}
	r.fe.Flush()
}

func queryMsg(s string) *pgproto3.Query { return &pgproto3.Query{String: s} }
