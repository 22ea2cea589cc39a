package planner

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Binder turns AST into logical plans. One Binder binds one statement;
// it is not safe for concurrent use.
type Binder struct {
	Ctx        context.Context
	Cat        Catalog
	Reg        *functions.Registry
	Loc        *time.Location
	SQL        string
	ParamTypes []types.T
	// ParamValues are the parameters' values when known at binding (lakeq
	// binds at execution): an unconstrained numeric parameter then takes
	// its value's scale, as PostgreSQL's numeric carries its own.
	ParamValues []types.Value
	// Session carries the session values (user, database, schema) that
	// constant folding may read; nil outside a session.
	Session *functions.Ctx

	nextID ColumnID
	ctes   []map[string]*cteDef
	depth  int
	// outerAgg holds the selects that an aggregate in one of their
	// subqueries belongs to (its arguments read only their columns):
	// they are bound again as aggregate queries.
	outerAgg map[*ast.Select]bool
	// aggsOuter holds the selects whose every aggregate call turned out
	// to belong to an outer query: bound again as plain (not aggregate)
	// queries. lastAgg is each select's aggregate context of its last
	// binding, to tell.
	aggsOuter map[*ast.Select]bool
	lastAgg   map[*ast.Select]*aggCtx
	subDepth  int // sublinks being bound ((SELECT …), IN, EXISTS)
	// whereRowIn marks row-IN sublinks that are conjuncts of a WHERE
	// clause (rowin.go): EXISTS answers them there
	whereRowIn map[*ast.SubLink]bool
}

type cteDef struct {
	name    string
	query   ast.Stmt
	columns []string
	// recursive CTE being bound: references become work-table scans
	work *WorkTable
	rec  *RecursiveCTE
	// workRefs counts the recursive term's references to the work
	// table; workSub is the sublink depth the term is bound at
	workRefs, workSub int
	// shared is the plan of a plain WITH query, bound at its first reference
	shared *SharedCTE
	cycle  *ast.Cycle
	// outer is the scope the WITH was written in: a WITH inside a
	// subquery or a LATERAL side may read the enclosing query's columns
	outer *scope
}

// NewBinder returns a binder for one statement.
func NewBinder(ctx context.Context, cat Catalog, reg *functions.Registry, loc *time.Location, sql string) *Binder {
	if loc == nil {
		loc = time.UTC
	}
	return &Binder{Ctx: ctx, Cat: cat, Reg: reg, Loc: loc, SQL: sql}
}

func (b *Binder) loc() *time.Location { return b.Loc }

func (b *Binder) newCol(name string, t types.T, table string) Column {
	b.nextID++
	return Column{ID: b.nextID, Name: name, Type: t, Table: table}
}

// errAt attaches a statement position (0-based byte offset) to an error.
func (b *Binder) errAt(err error, pos int) error {
	if e, ok := err.(*sqlerr.Error); ok && e.Position == 0 && pos >= 0 {
		return e.At(charPos(b.SQL, pos))
	}
	return err
}

func charPos(sql string, byteOff int) int {
	if byteOff < 0 || byteOff > len(sql) {
		return 0
	}
	return len([]rune(sql[:byteOff])) + 1
}

// paramScale is the scale of parameter n's value when it is known and
// numeric (a Decimal, or text that parses as one).
func (b *Binder) paramScale(n int) (int32, bool) {
	if n < 1 || n > len(b.ParamValues) {
		return 0, false
	}
	switch v := b.ParamValues[n-1].(type) {
	case types.Decimal:
		return v.Scale, true
	case string:
		if d, err := types.ParseDecimal(strings.TrimSpace(v)); err == nil && d.Scale <= 30 {
			return d.Scale, true
		}
	}
	return 0, false
}

// ---- scopes ----

type scopeCol struct {
	Column
	qual   string
	hidden bool // hidden from unqualified lookup and * (USING duplicates)
	merged bool // a USING/NATURAL merged column (visible unqualified only)
	pseudo bool // a table's pseudo column ("$path"): by name only, never in *
}

type scope struct {
	parent *scope
	cols   []scopeCol
	quals  map[string]bool
	// correlation collector: outer columns referenced from inside this scope
	outer    *[]Column
	agg      *aggCtx
	win      *winCtx
	noAgg    string // non-empty: aggregates not allowed here (the clause name)
	noWindow string
	nested   bool // inside an aggregate's arguments
	// sel is the SELECT whose select list, HAVING and ORDER BY this
	// scope binds (nil elsewhere): an outer-level aggregate found in a
	// subquery makes it an aggregate query.
	sel *ast.Select
	// subs, in GROUP BY, collects the subqueries its keys bind
	subs *[]boundSub
	// keysOf, while GROUPING()'s arguments are bound, is the aggregation
	// whose keys they name: a subquery written again there is the one
	// its key bound, as in the select list
	keysOf *aggCtx
}

func (s *scope) addQual(q string) {
	if s.quals == nil {
		s.quals = map[string]bool{}
	}
	s.quals[q] = true
}

func (s *scope) owns(id ColumnID) bool {
	for _, c := range s.cols {
		if c.ID == id {
			return true
		}
	}
	if s.agg != nil { // an aggregate's result, read by a subquery it belongs outside of
		for _, c := range s.agg.aggCols {
			if c.ID == id {
				return true
			}
		}
	}
	return false
}

// lookup resolves a column reference, walking out to enclosing queries
// (recording correlation at every subquery boundary it crosses).
func (b *Binder) lookup(sc *scope, parts []string, pos int) (expr.Expr, error) {
	var qual, name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		qual, name = parts[0], parts[1]
	case 3:
		qual, name = parts[1], parts[2]
	default:
		return nil, b.errAt(sqlerr.New(sqlerr.SyntaxError, "improper qualified name (too many dotted names): %s", strings.Join(parts, ".")), pos)
	}
	qualSeen := false
	var crossed []*scope
	for s := sc; s != nil; s = s.parent {
		var found []scopeCol
		for _, c := range s.cols {
			if qual == "" {
				if c.hidden || c.Name != name {
					continue
				}
			} else {
				if c.qual != qual || c.merged {
					continue
				}
				qualSeen = true
				if c.Name != name {
					continue
				}
			}
			found = append(found, c)
		}
		if qual != "" && s.quals[qual] {
			qualSeen = true
		}
		if len(found) > 1 {
			// the same column reachable twice (e.g. via two USING merges) is fine
			same := true
			for _, f := range found[1:] {
				if f.ID != found[0].ID {
					same = false
				}
			}
			if !same {
				return nil, b.errAt(sqlerr.New(sqlerr.AmbiguousColumn, "column reference \"%s\" is ambiguous", strings.Join(parts, ".")), pos)
			}
		}
		if len(found) >= 1 {
			c := found[0].Column
			if len(crossed) == 0 {
				return &expr.Col{ID: c.ID, Idx: -1, T: c.Type, Name: c.Name}, nil
			}
			for _, cs := range crossed {
				if cs.outer != nil {
					dup := false
					for _, o := range *cs.outer {
						if o.ID == c.ID {
							dup = true
						}
					}
					if !dup {
						*cs.outer = append(*cs.outer, c)
					}
				}
			}
			return &expr.OuterRef{ID: c.ID, T: c.Type, Name: c.Name}, nil
		}
		if qual != "" && qualSeen {
			return nil, b.errAt(sqlerr.New(sqlerr.UndefinedColumn, "column %s.%s does not exist", qual, name), pos)
		}
		if s.outer != nil {
			crossed = append(crossed, s)
		}
	}
	if qual != "" {
		return nil, b.errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", qual), pos)
	}
	return nil, b.errAt(sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" does not exist", name), pos)
}

// ---- statements ----

// BindQuery binds a query statement (SELECT, VALUES, set operations).
func (b *Binder) BindQuery(sel *ast.Select) (Node, error) {
	n, err := b.bindSelect(sel, nil)
	if err != nil {
		return nil, err
	}
	return b.regOutput(n), nil
}

func (b *Binder) pushCTEs(w *ast.With, outer *scope) (func(), error) {
	if w == nil {
		return func() {}, nil
	}
	frame := map[string]*cteDef{}
	b.ctes = append(b.ctes, frame)
	pop := func() { b.ctes = b.ctes[:len(b.ctes)-1] }
	for _, c := range w.CTEs {
		if _, dup := frame[c.Name]; dup {
			pop()
			return nil, b.errAt(sqlerr.New(sqlerr.DuplicateAlias, "WITH query name \"%s\" specified more than once", c.Name), c.Pos)
		}
		def := &cteDef{name: c.Name, query: c.Query, columns: c.Columns, cycle: c.Cycle, outer: outer}
		frame[c.Name] = def
		recursive := false
		if w.Recursive {
			if sel, ok := c.Query.(*ast.Select); ok && sel.Op == "union" && refersTo(sel.Right, c.Name) {
				recursive = true
				if err := b.bindRecursiveCTE(def, sel, outer); err != nil {
					pop()
					return nil, err
				}
			}
		}
		if c.Cycle != nil && !recursive {
			pop()
			return nil, b.errAt(sqlerr.New(sqlerr.SyntaxError, "WITH query is not recursive"), c.Pos)
		}
		frame[c.Name] = def
	}
	return pop, nil
}

// refersTo reports whether a query mentions table name (shallow check of FROM lists).
func refersTo(sel *ast.Select, name string) bool {
	if sel == nil {
		return false
	}
	if sel.Op != "" {
		return refersTo(sel.Left, name) || refersTo(sel.Right, name)
	}
	var walk func(t ast.TableExpr) bool
	walk = func(t ast.TableExpr) bool {
		switch x := t.(type) {
		case *ast.TableName:
			return x.Name.Schema == "" && x.Name.Name == name
		case *ast.Join:
			return walk(x.Left) || walk(x.Right)
		case *ast.SubqueryTable:
			return refersTo(x.Query, name)
		}
		return false
	}
	for _, f := range sel.From {
		if walk(f) {
			return true
		}
	}
	return false
}

// checkRecursiveForm rejects what PostgreSQL rejects in a recursive
// query: ORDER BY, LIMIT or OFFSET on the whole union, and aggregates in
// the recursive term (the work table holds one iteration's rows, so they
// would not mean what they say).
func (b *Binder) checkRecursiveForm(def *cteDef, sel *ast.Select) error {
	switch {
	case len(sel.OrderBy) > 0:
		return b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "ORDER BY in a recursive query is not implemented"), sel.OrderBy[0].Expr.Pos())
	case sel.Limit != nil:
		return b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "LIMIT in a recursive query is not implemented"), sel.Limit.Pos())
	case sel.Offset != nil:
		return b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "OFFSET in a recursive query is not implemented"), sel.Offset.Pos())
	}
	if refersTo(sel.Left, def.name) {
		return sqlerr.New(sqlerr.InvalidRecursion, "recursive reference to query \"%s\" must not appear within its non-recursive term", def.name)
	}
	rt := sel.Right
	if rt == nil || rt.Op != "" {
		return nil
	}
	if len(rt.GroupBy) > 0 || rt.Having != nil {
		return sqlerr.New(sqlerr.InvalidRecursion, "aggregate functions are not allowed in a recursive query's recursive term")
	}
	for _, t := range rt.Targets {
		if b.containsAggregate(t.Expr) {
			return b.errAt(sqlerr.New(sqlerr.InvalidRecursion, "aggregate functions are not allowed in a recursive query's recursive term"), t.Expr.Pos())
		}
	}
	return nil
}

func (b *Binder) bindRecursiveCTE(def *cteDef, sel *ast.Select, outer *scope) error {
	if err := b.checkRecursiveForm(def, sel); err != nil {
		return err
	}
	anchor, err := b.bindSelect(sel.Left, outer)
	if err != nil {
		return err
	}
	acols := anchor.Columns()
	if len(def.columns) > 0 && len(def.columns) != len(acols) {
		return sqlerr.New(sqlerr.SyntaxError, "WITH query \"%s\" has %d columns available but %d columns specified", def.name, len(acols), len(def.columns))
	}
	right := sel.Right
	if def.cycle != nil {
		names := make([]string, len(acols))
		for i, c := range acols {
			names[i] = c.Name
			if i < len(def.columns) {
				names[i] = def.columns[i]
			}
		}
		var left *ast.Select
		if left, right, err = b.cycleTerms(def, names, sel); err != nil {
			return err
		}
		if anchor, err = b.bindSelect(left, outer); err != nil {
			return err
		}
		acols = anchor.Columns()
	}
	work := &WorkTable{Name: def.name, state: &workState{}}
	for i, c := range acols {
		name := c.Name
		if i < len(def.columns) {
			name = def.columns[i]
		}
		work.Cols = append(work.Cols, b.newCol(name, c.Type, def.name))
	}
	def.work, def.workRefs, def.workSub = work, 0, b.subDepth
	rec, err := b.bindSelect(right, outer)
	def.work = nil
	if err != nil {
		return err
	}
	rcols := rec.Columns()
	if len(rcols) != len(acols) {
		return sqlerr.New(sqlerr.SyntaxError, "each UNION query must have the same number of columns")
	}
	// cast the recursive term to the anchor's types
	var exprs []expr.Expr
	var cols []Column
	for i, c := range rcols {
		e, err := b.coerce(&expr.Col{ID: c.ID, Idx: -1, T: c.Type, Name: c.Name}, acols[i].Type, true)
		if err != nil {
			return err
		}
		exprs = append(exprs, e)
		cols = append(cols, b.newCol(c.Name, acols[i].Type, ""))
	}
	rec = &Project{Input: rec, Exprs: exprs, Cols: cols}
	def.rec = &RecursiveCTE{Name: def.name, Anchor: anchor, Recursive: rec, Union: !sel.All, Work: work}
	return nil
}

func (b *Binder) findCTE(name string) *cteDef {
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if d, ok := b.ctes[i][name]; ok {
			return d
		}
	}
	return nil
}

// bindSelect binds a full query expression; parent is the enclosing
// query's scope for correlated subqueries (nil at top level).
func (b *Binder) bindSelect(sel *ast.Select, parent *scope) (Node, error) {
	b.depth++
	defer func() { b.depth-- }()
	if b.depth > 200 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "query is nested too deeply")
	}
	pop, err := b.pushCTEs(sel.With, parent)
	if err != nil {
		return nil, err
	}
	defer pop()
	if sel.Op != "" {
		return b.bindSetOp(sel, parent)
	}
	if sel.Values != nil {
		n, err := b.bindValues(sel.Values, parent)
		if err != nil {
			return nil, err
		}
		return b.bindOrderLimitOnOutput(n, sel)
	}
	return b.bindSimpleSelect(sel, parent)
}

func (b *Binder) bindValues(rows [][]ast.Expr, parent *scope) (Node, error) {
	sc := &scope{parent: parent, noAgg: "VALUES", noWindow: "VALUES"}
	if parent != nil {
		sc.outer = parent.outer
	}
	width := len(rows[0])
	bound := make([][]expr.Expr, len(rows))
	for r, row := range rows {
		if len(row) != width {
			return nil, b.errAt(sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length"), row[0].Pos())
		}
		for _, e := range row {
			x, err := b.bindExpr(e, sc)
			if err != nil {
				return nil, err
			}
			bound[r] = append(bound[r], x)
		}
	}
	cols := make([]Column, width)
	for c := 0; c < width; c++ {
		t := types.UnknownT
		for r := range bound {
			ct, ok := commonType(t, bound[r][c].Type())
			if !ok {
				return nil, b.errAt(sqlerr.New(sqlerr.DatatypeMismatch, "VALUES types %s and %s cannot be matched", t.String(), bound[r][c].Type().String()), rows[r][c].Pos())
			}
			t = ct
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		for r := range bound {
			x, err := b.coerce(bound[r][c], t, false)
			if err != nil {
				return nil, b.errAt(err, rows[r][c].Pos())
			}
			bound[r][c] = x
		}
		cols[c] = b.newCol(fmt.Sprintf("column%d", c+1), t, "")
	}
	return &Values{Rows: bound, Cols: cols}, nil
}

func (b *Binder) bindSetOp(sel *ast.Select, parent *scope) (Node, error) {
	l, err := b.bindSelect(sel.Left, parent)
	if err != nil {
		return nil, err
	}
	r, err := b.bindSelect(sel.Right, parent)
	if err != nil {
		return nil, err
	}
	lc, rc := l.Columns(), r.Columns()
	kind := strings.ToUpper(sel.Op)
	if len(lc) != len(rc) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "each %s query must have the same number of columns", kind)
	}
	var le, re []expr.Expr
	var out []Column
	for i := range lc {
		t, ok := commonType(lc[i].Type, rc[i].Type)
		if !ok {
			return nil, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", kind, lc[i].Type.String(), rc[i].Type.String())
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		x, err := b.coerce(colRef(lc[i]), t, false)
		if err != nil {
			return nil, err
		}
		y, err := b.coerce(colRef(rc[i]), t, false)
		if err != nil {
			return nil, err
		}
		le, re = append(le, x), append(re, y)
		out = append(out, b.newCol(lc[i].Name, t, ""))
	}
	lp := &Project{Input: l, Exprs: le, Cols: b.freshCols(out)}
	rp := &Project{Input: r, Exprs: re, Cols: b.freshCols(out)}
	var n Node = &SetOp{Kind: sel.Op, All: sel.All, Left: lp, Right: rp, Cols: out}
	return b.bindOrderLimitOnOutput(n, sel)
}

func (b *Binder) freshCols(cs []Column) []Column {
	out := make([]Column, len(cs))
	for i, c := range cs {
		out[i] = b.newCol(c.Name, c.Type, c.Table)
	}
	return out
}

func colRef(c Column) expr.Expr { return &expr.Col{ID: c.ID, Idx: -1, T: c.Type, Name: c.Name} }

// bindOrderLimitOnOutput applies ORDER BY / LIMIT that may only refer to
// output columns (after VALUES or a set operation).
func (b *Binder) bindOrderLimitOnOutput(n Node, sel *ast.Select) (Node, error) {
	var keys []SortKey
	if len(sel.OrderBy) > 0 {
		cols := n.Columns()
		sc := &scope{noAgg: "ORDER BY", noWindow: "ORDER BY"}
		for _, c := range cols {
			sc.cols = append(sc.cols, scopeCol{Column: c})
		}
		for _, o := range sel.OrderBy {
			var e expr.Expr
			if k, ok := o.Expr.(*ast.Const); ok && k.Kind == "int" {
				i, _ := strconv.Atoi(k.Val)
				if i < 1 || i > len(cols) {
					return nil, b.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i), k.Location)
				}
				e = colRef(cols[i-1])
			} else {
				x, err := b.bindExpr(o.Expr, sc)
				if err != nil {
					return nil, err
				}
				e = x
			}
			keys = append(keys, sortKey(e, o))
		}
		n = &Sort{Input: n, Keys: keys, Limit: -1}
	}
	return b.bindLimit(n, sel, keys)
}

func sortKey(e expr.Expr, o ast.OrderItem) SortKey {
	k := SortKey{Expr: e, Desc: o.Desc, NullsFirst: o.Desc}
	if o.NullsFirst != nil {
		k.NullsFirst = *o.NullsFirst
	}
	return k
}

// bindLimit applies LIMIT / OFFSET / FETCH FIRST to n, which is sorted by
// the ORDER BY keys (nil without ORDER BY).
func (b *Binder) bindLimit(n Node, sel *ast.Select, keys []SortKey) (Node, error) {
	if sel.WithTies && len(keys) == 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "WITH TIES cannot be specified without ORDER BY clause")
	}
	if sel.WithTies && sel.Limit == nil { // the parser drops a NULL literal count
		return nil, sqlerr.New(sqlerr.InvalidRowCount, "row count cannot be null in FETCH FIRST ... WITH TIES clause")
	}
	if sel.Limit == nil && sel.Offset == nil {
		return n, nil
	}
	l := &Limit{Input: n, Count: -1}
	eval := func(e ast.Expr, what string) (int64, error) {
		x, err := b.bindExpr(e, &scope{noAgg: what, noWindow: what})
		if err != nil {
			return 0, err
		}
		x, err = b.coerce(x, types.Int8T, false)
		if err != nil {
			return 0, b.errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type bigint, not type %s", what, x.Type().String()), e.Pos())
		}
		v, err := expr.EvalScalar(b.evalCtx(), x)
		if err != nil {
			return 0, err
		}
		if v == nil {
			return -1, nil
		}
		i := v.(int64)
		if i < 0 {
			code := sqlerr.InvalidRowCount
			msg := "LIMIT must not be negative"
			if what == "OFFSET" {
				code, msg = sqlerr.InvalidOffsetCount, "OFFSET must not be negative"
			}
			return 0, b.errAt(sqlerr.New(code, "%s", msg), e.Pos())
		}
		return i, nil
	}
	var err error
	if sel.Limit != nil {
		if l.Count, err = eval(sel.Limit, "LIMIT"); err != nil {
			return nil, err
		}
	}
	if sel.Offset != nil {
		if l.Offset, err = eval(sel.Offset, "OFFSET"); err != nil {
			return nil, err
		}
		if l.Offset < 0 {
			l.Offset = 0
		}
	}
	if sel.WithTies {
		if l.Count < 0 {
			return nil, sqlerr.New(sqlerr.InvalidRowCount, "row count cannot be null in FETCH FIRST ... WITH TIES clause")
		}
		if l.Count == 0 {
			return l, nil // no rows, none to tie with: LIMIT 0, which reads nothing
		}
		return b.withTies(n, keys, l.Offset, l.Count)
	}
	return l, nil
}

// withTies is FETCH FIRST count ROWS WITH TIES after OFFSET offset over n,
// sorted by keys: the rows past the offset up to the count, and then every
// row tied with the last of them on the ORDER BY keys. By the keys' row
// numbers and ranks, a row is kept when its row number is past the
// offset and its rank (one more than the rows before it on the keys) is
// within offset+count: a row past the count has such a rank exactly when
// it ties with the row at offset+count. The rows are sorted again after
// the window, which keeps no order of its own.
func (b *Binder) withTies(n Node, keys []SortKey, offset, count int64) (Node, error) {
	in := n
	if s, ok := n.(*Sort); ok {
		in = s.Input
	}
	cols := in.Columns()
	w := &Window{Input: in, Order: keys}
	for _, name := range []string{"row_number", "rank"} {
		wf := b.Reg.Window(name)
		if wf == nil {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s() does not exist", name)
		}
		_, _, ret, err := b.resolve(name, wf.Overloads, nil)
		if err != nil {
			return nil, err
		}
		w.Funcs = append(w.Funcs, WinCall{Name: name, Win: wf, Ret: ret})
		w.FuncCols = append(w.FuncCols, b.newCol(name, ret, ""))
	}
	last := offset + count
	if last < offset { // past int64: every row ties within it
		last = math.MaxInt64
	}
	past, err := b.bindOperator(">", colRef(w.FuncCols[0]), &expr.Const{V: offset, T: types.Int8T})
	if err != nil {
		return nil, err
	}
	within, err := b.bindOperator("<=", colRef(w.FuncCols[1]), &expr.Const{V: last, T: types.Int8T})
	if err != nil {
		return nil, err
	}
	f := &Filter{Input: w, Cond: &expr.And{Args: []expr.Expr{past, within}}}
	p := &Project{Input: f, Cols: cols}
	for _, c := range cols {
		p.Exprs = append(p.Exprs, colRef(c))
	}
	return &Sort{Input: p, Keys: keys, Limit: -1}, nil
}

// BindConst binds an expression that reads no columns (a procedure
// argument, a constant option), for evaluation with expr.EvalScalar.
func (b *Binder) BindConst(e ast.Expr) (expr.Expr, error) {
	return b.bindExpr(e, &scope{quals: map[string]bool{}})
}
