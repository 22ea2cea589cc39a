package server

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// prepared is a parsed statement of the extended protocol.
type prepared struct {
	sql        string
	st         *parser.Statement // nil: the empty query
	paramTypes []types.T
	cols       []engine.Column // result columns; nil = returns no rows
}

// portal is a bound statement: parameters, result formats and, once
// executed, its rows and how far they have been sent.
type portal struct {
	stmt    *prepared
	params  []types.Value
	formats []int16
	run     *running
	ran     bool
}

// running is a statement's result being sent: a query streams from its
// Result as the client takes its rows (flow control: a slow client
// slows the query), its cancel and disconnect watch live as long as it
// does, and a portal suspended mid-batch resumes at row.
type running struct {
	res     *engine.Result
	cancel  context.CancelFunc
	unwatch func() // stops the disconnect watch (nil: stopped)
	batch   arrow.Record
	row     int
	sent    int // rows sent so far
	// apps format batch's text columns (nil until its first row is sent)
	apps []types.TextAppender
}

// end stops the statement's watch and cancel once its result is done.
func (r *running) end(c *conn) {
	if r.unwatch != nil {
		r.unwatch()
		r.unwatch = nil
		c.setCancel(nil)
	}
	r.cancel()
}

// prime waits for the result's first batch (or its end).
func (r *running) prime() error {
	if r.batch != nil {
		return nil
	}
	rec, err := r.res.Next()
	r.batch, r.row = rec, 0
	return err
}

// close ends a result the client no longer reads (a portal dropped
// before its end): a streaming query is canceled.
func (r *running) close(c *conn) {
	if r == nil {
		return
	}
	r.res.Close()
	r.end(c)
}

// simpleQuery runs a Query message: every statement in order, stopping
// at the first error.
func (c *conn) simpleQuery(sql string) {
	c.unnamedPortalDone()
	if !utf8.ValidString(sql) {
		c.sendError(types.InvalidUTF8([]byte(sql), "query text"), "")
		c.failTx()
		return
	}
	stmts, err := parser.Parse(sql)
	if err != nil {
		c.sendError(err, sql)
		c.failTx()
		return
	}
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	for _, st := range stmts {
		if c.copyStatement(st) {
			continue
		}
		run, err := c.run(st, nil)
		if err != nil {
			c.sendError(positioned(err, sql, st.SQL), sql)
			c.failTx()
			return
		}
		res := run.res
		c.notices(res)
		if res.Columns != nil {
			// a query that fails before its first row fails without a
			// RowDescription, as PostgreSQL's do when planning fails
			if err := run.prime(); err != nil {
				run.close(c)
				c.sendError(positioned(err, sql, st.SQL), sql)
				c.failTx()
				return
			}
			c.send(rowDescription(res.Columns, nil))
			_, err := c.sendRows(run, nil, 0)
			run.close(c)
			c.notices(res)
			if err != nil {
				if c.gone {
					return
				}
				c.sendError(positioned(err, sql, st.SQL), sql)
				c.failTx()
				return
			}
			c.send(&pgproto3.CommandComplete{CommandTag: []byte(tagFor(res, run.sent))})
		} else {
			run.close(c)
			c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag)})
		}
		if err := c.flush(); err != nil {
			return
		}
	}
}

// positioned makes an error position relative to the whole query text.
func positioned(err error, whole, stmt string) error {
	e, ok := err.(*sqlerr.Error)
	if !ok || e.Position == 0 || whole == stmt {
		return err
	}
	off := strings.Index(whole, stmt)
	if off <= 0 {
		return err
	}
	c := *e
	c.Position += len([]rune(whole[:off]))
	return &c
}

func tagFor(res *engine.Result, n int) string {
	if strings.HasPrefix(res.Tag, "SELECT") || res.Tag == "" {
		return "SELECT " + strconv.Itoa(n)
	}
	return res.Tag
}

var paramRef = regexp.MustCompile(`\$([0-9]+)`)

// countParams is the highest $n in a statement (outside string literals).
func countParams(sql string) int {
	n := 0
	inStr := false
	for i := 0; i < len(sql); i++ {
		switch {
		case sql[i] == '\'':
			inStr = !inStr
		case !inStr && sql[i] == '$':
			if m := paramRef.FindStringSubmatch(sql[i:]); m != nil && strings.HasPrefix(sql[i:], m[0]) {
				if k, err := strconv.Atoi(m[1]); err == nil && k > n {
					n = k
				}
			}
		}
	}
	return n
}

func (c *conn) extended(msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Parse:
		return c.parse(m)
	case *pgproto3.Bind:
		return c.bind(m)
	case *pgproto3.Describe:
		return c.describe(m)
	case *pgproto3.Execute:
		return c.execute(m)
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.stmts, m.Name)
		} else {
			c.dropPortal(m.Name)
		}
		c.send(&pgproto3.CloseComplete{})
	}
	return nil
}

func (c *conn) parse(m *pgproto3.Parse) error {
	if !utf8.ValidString(m.Query) {
		return types.InvalidUTF8([]byte(m.Query), "query text")
	}
	if m.Name != "" {
		if _, ok := c.stmts[m.Name]; ok {
			return sqlerr.New("42P05", "prepared statement \"%s\" already exists", m.Name)
		}
	}
	stmts, err := parser.Parse(m.Query)
	if err != nil {
		return err
	}
	if len(stmts) > 1 {
		return sqlerr.New(sqlerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{sql: m.Query}
	if len(stmts) == 1 {
		p.st = &stmts[0]
		n := countParams(m.Query)
		if len(m.ParameterOIDs) > n {
			n = len(m.ParameterOIDs)
		}
		p.paramTypes = make([]types.T, n)
		for i := range p.paramTypes {
			p.paramTypes[i] = types.UnknownT
			if i < len(m.ParameterOIDs) && m.ParameterOIDs[i] != 0 {
				t, ok := types.FromOID(m.ParameterOIDs[i])
				if !ok {
					return sqlerr.New(sqlerr.UndefinedObject, "type with OID %d is not supported", m.ParameterOIDs[i])
				}
				p.paramTypes[i] = t
			}
		}
		// binding starts from the declared types and infers the others
		c.sess.ParamTypes = p.paramTypes
		cols, inferred, err := c.describeStatement(p.st, m.Query)
		c.sess.ParamTypes = nil
		if err != nil {
			return err
		}
		p.cols = cols
		for i := range p.paramTypes {
			if p.paramTypes[i].Kind == types.Unknown && i < len(inferred) {
				p.paramTypes[i] = inferred[i]
			}
		}
	}
	c.stmts[m.Name] = p
	c.send(&pgproto3.ParseComplete{})
	return nil
}

// describeStatement finds a statement's result columns (nil when it
// returns none) and its parameters' types. Queries are planned; the
// read-only SHOW/DESCRIBE/EXPLAIN statements are run to learn their shape.
func (c *conn) describeStatement(st *parser.Statement, sql string) ([]engine.Column, []types.T, error) {
	ctx := context.Background()
	if cols, ok, err := c.sess.StatementColumns(ctx, *st); ok {
		return cols, nil, err
	}
	switch x := st.AST.(type) {
	case *ast.Select:
		return c.sess.Describe(ctx, sql)
	case *ast.Insert, *ast.Update, *ast.Delete:
		// their RETURNING rows (none without RETURNING)
		cols, _, err := c.sess.Describe(ctx, sql)
		return cols, nil, err
	case *ast.Show, *ast.ShowLake, *ast.Describe:
		res, err := c.sess.ExecStmt(ctx, *st, nil)
		if err != nil {
			return nil, nil, err
		}
		return res.Columns, nil, nil
	case *ast.Explain:
		if x.Analyze {
			return []engine.Column{{Name: "QUERY PLAN", Type: types.TextT}}, nil, nil
		}
		res, err := c.sess.ExecStmt(ctx, *st, nil)
		if err != nil {
			return nil, nil, err
		}
		return res.Columns, nil, nil
	case *ast.Call:
		return []engine.Column{{Name: "action", Type: types.TextT}, {Name: "object", Type: types.TextT}, {Name: "detail", Type: types.TextT}}, nil, nil
	case *ast.MsckRepair:
		return []engine.Column{{Name: "result", Type: types.TextT}}, nil, nil
	}
	return nil, nil, nil
}

func formatFor(codes []int16, i int) int16 {
	switch len(codes) {
	case 0:
		return 0
	case 1:
		return codes[0]
	}
	if i < len(codes) {
		return codes[i]
	}
	return 0
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return sqlerr.New("26000", "prepared statement \"%s\" does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" {
		if _, ok := c.portals[m.DestinationPortal]; ok {
			return sqlerr.New("42P03", "portal \"%s\" already exists", m.DestinationPortal)
		}
	}
	if len(m.Parameters) != len(p.paramTypes) {
		return sqlerr.New("08P01", "bind message supplies %d parameters, but prepared statement \"%s\" requires %d", len(m.Parameters), m.PreparedStatement, len(p.paramTypes))
	}
	if len(m.ParameterFormatCodes) > 1 && len(m.ParameterFormatCodes) != len(m.Parameters) {
		return sqlerr.New("08P01", "bind message has %d parameter formats but %d parameters", len(m.ParameterFormatCodes), len(m.Parameters))
	}
	params := make([]types.Value, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		t := p.paramTypes[i]
		var v types.Value
		var err error
		if formatFor(m.ParameterFormatCodes, i) == 1 {
			if t.Kind == types.Unknown {
				t = types.TextT
			}
			if t.IsString() && !utf8.Valid(raw) {
				return types.InvalidUTF8(raw, fmt.Sprintf("parameter $%d", i+1))
			}
			v, err = types.DecodeBinary(t, raw)
		} else if !utf8.Valid(raw) {
			return types.InvalidUTF8(raw, fmt.Sprintf("parameter $%d", i+1))
		} else if t.Kind == types.Unknown || t.IsString() {
			v = string(raw)
		} else {
			v, err = types.ParseText(t, string(raw), c.sess.Loc)
		}
		if err != nil {
			return sqlerr.Wrap(err, sqlerr.Code(err), "parameter $%d", i+1)
		}
		params[i] = v
	}
	c.dropPortal(m.DestinationPortal) // the unnamed one, replaced
	c.portals[m.DestinationPortal] = &portal{stmt: p, params: params, formats: m.ResultFormatCodes}
	c.send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'S' {
		p, ok := c.stmts[m.Name]
		if !ok {
			return sqlerr.New("26000", "prepared statement \"%s\" does not exist", m.Name)
		}
		oids := make([]uint32, len(p.paramTypes))
		for i, t := range p.paramTypes {
			if t.Kind == types.Unknown {
				oids[i] = 25 // unresolved parameters are sent as text
			} else {
				oids[i] = t.OID()
			}
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids})
		if p.cols == nil {
			c.send(&pgproto3.NoData{})
		} else {
			c.send(rowDescription(p.cols, nil))
		}
		return nil
	}
	pt, ok := c.portals[m.Name]
	if !ok {
		return sqlerr.New("34000", "portal \"%s\" does not exist", m.Name)
	}
	if pt.stmt.cols == nil {
		c.send(&pgproto3.NoData{})
	} else {
		c.send(rowDescription(pt.stmt.cols, pt.formats))
	}
	return nil
}

func (c *conn) execute(m *pgproto3.Execute) error {
	pt, ok := c.portals[m.Portal]
	if !ok {
		return sqlerr.New("34000", "portal \"%s\" does not exist", m.Portal)
	}
	if pt.stmt.st == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if !pt.ran {
		if c.copyStatement(*pt.stmt.st) {
			pt.ran = true
			return nil
		}
		c.sess.ParamTypes = pt.stmt.paramTypes
		run, err := c.run(*pt.stmt.st, pt.params)
		c.sess.ParamTypes = nil
		if err != nil {
			return positioned(err, pt.stmt.sql, pt.stmt.st.SQL)
		}
		pt.run, pt.ran = run, true
		c.notices(run.res)
	}
	run := pt.run
	res := run.res
	if res.Columns == nil {
		run.close(c)
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag)})
		return nil
	}
	before := run.sent
	more, err := c.sendRows(run, pt.formats, int(m.MaxRows))
	if err != nil {
		run.close(c)
		pt.run = &running{res: &engine.Result{}, cancel: func() {}} // failed: nothing more to send
		return positioned(err, pt.stmt.sql, pt.stmt.st.SQL)
	}
	if more {
		// the query waits, without a disconnect watch, for the next
		// Execute: the connection reads the client's messages meanwhile
		if run.unwatch != nil {
			run.unwatch()
			run.unwatch = nil
		}
		c.send(&pgproto3.PortalSuspended{})
		return nil
	}
	run.close(c)
	c.notices(res)
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(tagFor(res, run.sent-before))})
	return nil
}

// dropPortal removes a portal, canceling a query it was still streaming.
func (c *conn) dropPortal(name string) {
	if pt, ok := c.portals[name]; ok {
		pt.run.close(c)
		delete(c.portals, name)
	}
}

// unnamedPortalDone drops the unnamed portal (a Sync or a simple query ends it).
func (c *conn) unnamedPortalDone() { c.dropPortal("") }

func rowDescription(cols []engine.Column, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, col := range cols {
		t := col.Type
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(col.Name), DataTypeOID: t.OID(), DataTypeSize: t.WireSize(),
			TypeModifier: t.TypeMod(), Format: formatFor(formats, i)}
	}
	return rd
}

// streamFlush is how many bytes of rows the connection buffers before
// writing them: rows leave as batches arrive, in writes large enough to
// be cheap.
const streamFlush = 256 << 10

// sendRows sends up to limit more rows (0 = all) of a result, batch by
// batch as the query produces them, writing to the socket as it goes; it
// reports whether rows remain (the limit was reached). An error is the
// query's (after the rows before it were sent) or a client that went
// away (c.gone).
func (c *conn) sendRows(run *running, formats []int16, limit int) (bool, error) {
	res := run.res
	ts := make([]types.T, len(res.Columns))
	for i, col := range res.Columns {
		ts[i] = col.Type
		if ts[i].Kind == types.Unknown {
			ts[i] = types.TextT
		}
	}
	buf := make([]byte, 0, 256) // never nil: an empty value is not NULL
	starts := make([]int, len(ts))
	ends := make([]int, len(ts))
	row := make([][]byte, len(ts))
	dr := &pgproto3.DataRow{Values: row}
	sent, unflushed := 0, 0
	// the result's first row leaves alone, at once: the client's first
	// row then waits for no more than one row's formatting
	flushAt := streamFlush
	if run.sent == 0 {
		flushAt = 0
	}
	for {
		if run.batch == nil || run.row >= int(run.batch.NumRows()) {
			if unflushed > flushAt {
				if err := c.flush(); err != nil {
					c.gone = true
					return false, err
				}
				unflushed, flushAt = 0, streamFlush
			}
			rec, err := res.Next()
			if err != nil {
				return false, err
			}
			if rec == nil {
				return false, nil
			}
			run.batch, run.row = rec, 0
			run.apps = nil
		}
		rec := run.batch
		if run.apps == nil {
			run.apps = make([]types.TextAppender, len(ts))
			for j := range ts {
				if formatFor(formats, j) != 1 {
					run.apps[j] = types.NewTextAppender(ts[j], rec.Column(j), c.sess.Loc)
				}
			}
		}
		for ; run.row < int(rec.NumRows()); run.row++ {
			if limit > 0 && sent == limit {
				return true, nil
			}
			r := run.row
			buf = buf[:0]
			for j := range ts {
				col := rec.Column(j)
				if col.IsNull(r) {
					starts[j], ends[j] = -1, -1
					continue
				}
				starts[j] = len(buf)
				if app := run.apps[j]; app != nil {
					buf = app(buf, r)
				} else if b, err := types.AppendBinary(buf, ts[j], types.GetValue(ts[j], col, r)); err == nil {
					buf = b
				}
				ends[j] = len(buf)
			}
			for j := range ts {
				row[j] = nil
				if starts[j] >= 0 {
					row[j] = buf[starts[j]:ends[j]:ends[j]]
				}
			}
			c.send(dr) // encoded into the write buffer now: dr and buf are free again
			sent++
			run.sent++
			unflushed += len(buf) + 4*len(ts) + 7
			if unflushed > flushAt {
				if err := c.flush(); err != nil {
					c.gone = true
					return false, err
				}
				unflushed, flushAt = 0, streamFlush
			}
		}
	}
}

func (c *conn) text(t types.T, v types.Value) string { return types.FormatTextIn(t, v, c.sess.Loc) }
