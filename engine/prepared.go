package engine

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// sqlPrepared is a PREPAREd statement.
type sqlPrepared struct {
	st    parser.Statement
	types []types.T
}

// cursor is a DECLAREd cursor: its rows, computed at DECLARE (lakeq's
// cursors are NO SCROLL and insensitive), and the next row to fetch.
// cursor is a declared cursor: its query streams, and FETCH pulls only
// the rows it returns (batch and row are where the last FETCH stopped).
type cursor struct {
	res   *Result
	hold  bool
	batch arrow.Record
	row   int64
}

// take pulls up to n more rows from the cursor's query.
func (c *cursor) take(n int64) ([]arrow.Record, int64, error) {
	var out []arrow.Record
	var got int64
	for got < n {
		if c.batch == nil || c.row >= c.batch.NumRows() {
			rec, err := c.res.Next()
			if err != nil {
				return nil, 0, err
			}
			if rec == nil {
				break
			}
			c.batch, c.row = rec, 0
		}
		k := min(n-got, c.batch.NumRows()-c.row)
		out = append(out, c.batch.NewSlice(c.row, c.row+k))
		c.row += k
		got += k
	}
	return out, got, nil
}

func (s *Session) prepare(ctx context.Context, x *ast.Prepare) (*Result, error) {
	if _, ok := s.prepared[x.Name]; ok {
		return nil, sqlerr.New("42P05", "prepared statement \"%s\" already exists", x.Name)
	}
	p := &sqlPrepared{st: parser.Statement{AST: x.Stmt, SQL: x.SQL}}
	for _, tn := range x.ArgTypes {
		t, err := types.FromName(tn.Names, tn.Mods, tn.ArrayDims)
		if err != nil {
			return nil, err
		}
		p.types = append(p.types, t)
	}
	if s.prepared == nil {
		s.prepared = map[string]*sqlPrepared{}
	}
	s.prepared[x.Name] = p
	return &Result{Tag: "PREPARE"}, nil
}

func (s *Session) execute(ctx context.Context, x *ast.Execute) (*Result, error) {
	p, ok := s.prepared[x.Name]
	if !ok {
		return nil, sqlerr.New("26000", "prepared statement \"%s\" does not exist", x.Name)
	}
	if len(p.types) > 0 && len(x.Args) != len(p.types) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "wrong number of parameters for prepared statement \"%s\"", x.Name)
	}
	b := s.binder(ctx, "")
	params := make([]types.Value, len(x.Args))
	for i, a := range x.Args {
		e, err := b.BindConst(a)
		if err != nil {
			return nil, err
		}
		v, err := expr.EvalScalar(&expr.Ctx{Context: ctx}, e)
		if err != nil {
			return nil, err
		}
		if i < len(p.types) && v != nil {
			to := p.types[i]
			if to.Kind == types.Numeric && to.Prec == 0 {
				// an unconstrained numeric keeps the value's own scale
				if d, err := types.ParseDecimal(strings.TrimSpace(types.FormatText(e.Type(), v))); err == nil && d.Scale <= 30 {
					to.Scale = d.Scale
				}
			}
			if v, err = types.CastScalar(v, e.Type(), to, s.Loc); err != nil {
				return nil, err
			}
		}
		params[i] = v
	}
	saved := s.ParamTypes
	s.ParamTypes = p.types
	defer func() { s.ParamTypes = saved }()
	return s.dispatch(ctx, p.st, params)
}

func (s *Session) deallocate(x *ast.Deallocate) (*Result, error) {
	if x.All {
		s.prepared = nil
		return &Result{Tag: "DEALLOCATE ALL"}, nil
	}
	if _, ok := s.prepared[x.Name]; !ok {
		return nil, sqlerr.New("26000", "prepared statement \"%s\" does not exist", x.Name)
	}
	delete(s.prepared, x.Name)
	return &Result{Tag: "DEALLOCATE"}, nil
}

func (s *Session) declare(ctx context.Context, x *ast.DeclareCursor, inTx bool) (*Result, error) {
	if !x.WithHold && !inTx {
		return nil, sqlerr.New("25P01", "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, ok := s.cursors[x.Name]; ok {
		return nil, sqlerr.New("42P03", "cursor \"%s\" already exists", x.Name)
	}
	// the cursor's query outlives the DECLARE statement; CLOSE, the end
	// of its transaction or of the session stops it
	res, err := s.streamQuery(context.WithoutCancel(ctx), x.Query, x.SQL, nil)
	if err != nil {
		return nil, err
	}
	if s.cursors == nil {
		s.cursors = map[string]*cursor{}
	}
	s.cursors[x.Name] = &cursor{res: res, hold: x.WithHold}
	return &Result{Tag: "DECLARE CURSOR"}, nil
}

func (s *Session) fetch(x *ast.Fetch) (*Result, error) {
	c, ok := s.cursors[x.Name]
	if !ok {
		return nil, sqlerr.New("34000", "cursor \"%s\" does not exist", x.Name)
	}
	if x.Back {
		return nil, sqlerr.New("55000", "cursor can only scan forward").WithHint("Declare it with SCROLL option to enable backward scan.")
	}
	recs, n, err := c.take(max(x.Count, 0))
	if err != nil {
		return nil, err
	}
	if x.Move {
		return &Result{Tag: "MOVE " + itoa(n), Rows: n}, nil
	}
	return &Result{Columns: c.res.Columns, Records: recs, Tag: "FETCH " + itoa(n), Rows: n}, nil
}

func (s *Session) closeCursor(x *ast.CloseCursor) (*Result, error) {
	if x.Name == "" {
		s.closeCursors(true)
		return &Result{Tag: "CLOSE CURSOR ALL"}, nil
	}
	c, ok := s.cursors[x.Name]
	if !ok {
		return nil, sqlerr.New("34000", "cursor \"%s\" does not exist", x.Name)
	}
	c.res.Close()
	delete(s.cursors, x.Name)
	return &Result{Tag: "CLOSE CURSOR"}, nil
}

// EndTransaction closes the cursors declared without HOLD, as COMMIT
// and ROLLBACK do.
func (s *Session) EndTransaction() { s.closeCursors(false) }

// closeCursors stops the cursors' queries: all, or those without HOLD.
func (s *Session) closeCursors(all bool) {
	for name, c := range s.cursors {
		if all || !c.hold {
			c.res.Close()
			delete(s.cursors, name)
		}
	}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// discard is DISCARD ALL | PLANS | TEMP | SEQUENCES.
func (s *Session) discard(x *ast.Discard) (*Result, error) {
	switch x.What {
	case "ALL":
		s.closeCursors(true)
		s.prepared, s.cursors = nil, nil
		s.resetSettings()
		s.dropTemp()
		return &Result{Tag: "DISCARD ALL"}, nil
	case "PLANS":
		return &Result{Tag: "DISCARD PLANS"}, nil
	case "TEMP":
		s.dropTemp()
		return &Result{Tag: "DISCARD TEMP"}, nil
	}
	return &Result{Tag: "DISCARD SEQUENCES"}, nil
}

// resetSettings restores every setting to its default (RESET ALL),
// keeping who the session is.
func (s *Session) resetSettings() {
	fresh := s.eng.newSession() // not registered: it is only its settings
	s.mu.Lock()
	s.Settings, s.Loc, s.SearchPath = fresh.Settings, fresh.Loc, fresh.SearchPath
	s.mu.Unlock()
}

// sessionSettings lets current_setting/set_config reach the session from
// the query's workers.
type sessionSettings struct{ s *Session }

func (ss sessionSettings) Get(name string) (string, bool) {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if name == "timezone" || name == "time zone" {
		name = "timezone"
	}
	v, ok := ss.s.Settings[name]
	return v, ok
}

func (ss sessionSettings) Set(name, value string, local bool) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	_, err := ss.s.applySetting(name, value, "SET")
	return err
}

// StatementColumns reports the result columns of EXECUTE and FETCH,
// whose shape depends on session state (the prepared statement, the
// cursor), for the wire protocol's Describe; ok is false for other
// statements.
func (s *Session) StatementColumns(ctx context.Context, st parser.Statement) (cols []Column, ok bool, err error) {
	switch x := st.AST.(type) {
	case *ast.Execute:
		p, found := s.prepared[x.Name]
		if !found {
			return nil, true, sqlerr.New("26000", "prepared statement \"%s\" does not exist", x.Name)
		}
		if _, isQuery := p.st.AST.(*ast.Select); !isQuery {
			return nil, true, nil
		}
		cols, _, err := s.Describe(ctx, p.st.SQL)
		return cols, true, err
	case *ast.Fetch:
		if x.Move {
			return nil, true, nil
		}
		c, found := s.cursors[x.Name]
		if !found {
			return nil, true, sqlerr.New("34000", "cursor \"%s\" does not exist", x.Name)
		}
		return c.res.Columns, true, nil
	}
	return nil, false, nil
}
