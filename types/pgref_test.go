package types

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakeq/lakeq/internal/testpg"
)

// pgRef is a throwaway PostgreSQL 15 session the differential tests ask
// how it reads text.
type pgRef struct {
	t   *testing.T
	ctx context.Context
	c   *pgx.Conn
}

// startPGRef starts a server and a session with the given SET statements.
func startPGRef(t *testing.T, settings string) *pgRef {
	t.Helper()
	ctx := context.Background()
	srv := testpg.Start(t)
	c, err := pgx.Connect(ctx, srv.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	if _, err := c.Exec(ctx, settings); err != nil {
		t.Fatal(err)
	}
	return &pgRef{t: t, ctx: ctx, c: c}
}

// exec runs a statement (a SET between rounds).
func (p *pgRef) exec(sql string) {
	p.t.Helper()
	if _, err := p.c.Exec(p.ctx, sql); err != nil {
		p.t.Fatal(err)
	}
}

// read is in read as typ, printed by typ's own output function as a
// client reads it; or PostgreSQL's SQLSTATE and message.
func (p *pgRef) read(in, typ string) (out, code, msg string) {
	p.t.Helper()
	rows, err := p.c.Query(p.ctx, "SELECT $1::"+typ, pgx.QueryExecModeSimpleProtocol, in)
	if err == nil {
		if rows.Next() {
			out = string(rows.RawValues()[0])
		}
		rows.Close()
		err = rows.Err()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return "", pe.Code, pe.Message
	} else if err != nil {
		p.t.Fatal(err)
	}
	return out, "", ""
}
