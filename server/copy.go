package server

import (
	"context"
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

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
	// The load reads the client's data as it arrives (bounded memory):
	// CopyData messages go into a pipe the engine reads. Once the load
	// has failed, the rest of the data is read and dropped until CopyDone
	// or CopyFail, as the protocol requires.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.setCancel(cancel)
	defer c.setCancel(nil)
	pr, pw := io.Pipe()
	type outcome struct {
		res *engine.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.sess.CopyFrom(ctx, x, pr)
		pr.CloseWithError(errLoadOver) // unblock the sender below
		done <- outcome{res, err}
	}()
	for {
		msg, err := c.be.Receive()
		if err != nil {
			pw.CloseWithError(err)
			cancel()
			<-done
			return nil, sqlerr.Wrap(err, "08P01", "reading COPY data")
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			_, _ = pw.Write(m.Data) // after a failed load: dropped
		case *pgproto3.CopyDone:
			pw.Close()
			o := <-done
			return o.res, o.err
		case *pgproto3.CopyFail:
			pw.CloseWithError(sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", m.Message))
			cancel()
			<-done
			return nil, sqlerr.New(sqlerr.QueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
		default:
			pw.CloseWithError(errLoadOver)
			cancel()
			<-done
			return nil, sqlerr.New("08P01", "unexpected message type %T during COPY from stdin", msg)
		}
	}
}

// errLoadOver closes the COPY pipe once the load has ended.
var errLoadOver = errors.New("COPY load ended")

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
	// the first row leaves at once (the client's first row waits for no
	// more), the others in writes of streamFlush bytes
	unflushed, flushAt := 0, 0
	res, err := c.sess.CopyOut(ctx, x, func(b []byte) error {
		c.send(&pgproto3.CopyData{Data: append([]byte(nil), b...)})
		if unflushed += len(b) + 5; unflushed > flushAt {
			unflushed, flushAt = 0, streamFlush
			if err := c.flush(); err != nil {
				c.gone = true
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.send(&pgproto3.CopyDone{})
	return res, nil
}
