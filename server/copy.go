package server

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// maxCopyIn bounds the data one COPY FROM STDIN may send (it is held in
// memory until CopyDone so that the insert is all or nothing).
const maxCopyIn = 1 << 30

// copyStatement runs COPY … FROM STDIN / TO STDOUT over the connection,
// reporting false when st is not such a COPY. Errors are sent here.
func (c *conn) copyStatement(st parser.Statement) bool {
	x, ok := st.AST.(*ast.Copy)
	if !ok || x.File != "" {
		return false
	}
	if err := c.txGate(st); err != nil {
		c.sendError(err, "")
		return true
	}
	var res *engine.Result
	var err error
	if x.From {
		res, err = c.copyIn(x)
	} else {
		res, err = c.copyOut(x)
	}
	if err != nil {
		c.sendError(err, "")
		c.failTx()
		c.skipping = true
		return true
	}
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag)})
	return true
}

func (c *conn) copyIn(x *ast.Copy) (*engine.Result, error) {
	ctx := context.Background()
	cols, err := c.sess.CopyColumns(ctx, x)
	if err != nil {
		return nil, err
	}
	c.send(&pgproto3.CopyInResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(cols))})
	if err := c.flush(); err != nil {
		return nil, err
	}
	var data []byte
	for {
		msg, err := c.be.Receive()
		if err != nil {
			return nil, sqlerr.Wrap(err, "08P01", "reading COPY data")
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			if len(data)+len(m.Data) > maxCopyIn {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "COPY data larger than %d bytes", maxCopyIn)
			}
			data = append(data, m.Data...)
		case *pgproto3.CopyDone:
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c.setCancel(cancel)
			defer c.setCancel(nil)
			return c.sess.CopyIn(ctx, x, data)
		case *pgproto3.CopyFail:
			return nil, sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			return nil, sqlerr.New("08P01", "unexpected message type %T during COPY from stdin", msg)
		}
	}
}

func (c *conn) copyOut(x *ast.Copy) (*engine.Result, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.setCancel(cancel)
	defer c.setCancel(nil)
	q := x.QuerySQL
	if x.Query == nil {
		q = "SELECT * FROM " + quoteIdent(x.Table.Name)
		if x.Table.Schema != "" {
			q = "SELECT * FROM " + quoteIdent(x.Table.Schema) + "." + quoteIdent(x.Table.Name)
		}
	}
	cols, _, err := c.sess.Describe(ctx, q)
	if err != nil {
		return nil, err
	}
	n := len(cols)
	if len(x.Columns) > 0 {
		n = len(x.Columns)
	}
	c.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, n)})
	res, err := c.sess.CopyOut(ctx, x, func(b []byte) error {
		c.send(&pgproto3.CopyData{Data: append([]byte(nil), b...)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.send(&pgproto3.CopyDone{})
	return res, nil
}
