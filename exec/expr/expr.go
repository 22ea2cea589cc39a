// Package expr evaluates bound scalar expressions over Arrow batches.
// The planner builds these trees (column references by ColumnID), and
// physical planning resolves each reference to a batch column index.
//
// Eval may run concurrently on different batches: nodes are immutable
// after physical planning except for caches guarded by a mutex.
package expr

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// ColumnID identifies a column within one query plan.
type ColumnID int

// Ctx is the evaluation context of one query (one per correlated
// subquery execution for Outer).
type Ctx struct {
	Context context.Context
	F       *functions.Ctx
	Params  []types.Value
	// Outer holds values of outer-query columns a correlated subquery
	// references, by ColumnID.
	Outer map[ColumnID]types.Value
	// Query is the running query's *exec.Ctx (opaque here: exec imports
	// this package), so that subqueries share its workers, counters and
	// per-query state; nil outside a query.
	Query any
}

// Expr is a bound, typed expression.
type Expr interface {
	Type() types.T
	// Eval returns an array with one value per row of b.
	Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error)
	String() string
}

// Col reads a column. ID is the planner's column; Idx the batch position
// (set by Resolve).
type Col struct {
	ID   ColumnID
	Idx  int
	T    types.T
	Name string
}

func (c *Col) Type() types.T { return c.T }
func (c *Col) Eval(_ *Ctx, b arrow.Record) (arrow.Array, error) {
	if c.Idx < 0 || c.Idx >= int(b.NumCols()) {
		return nil, sqlerr.New(sqlerr.Internal, "column %s (#%d) not resolved", c.Name, c.ID)
	}
	return b.Column(c.Idx), nil
}
func (c *Col) String() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("#%d", c.ID)
}

// Const is a literal.
type Const struct {
	V types.Value
	T types.T
	// From is, for a constant the binder folded from an expression (a
	// call of constants, an explicit cast), that expression's key; ""
	// for a literal. PostgreSQL matches GROUP BY expressions in the
	// select list and HAVING before folding: CAST(sign(4) AS bigint) is
	// not the literal 1, which a grouping set may make NULL.
	From string
	// last is the broadcast array built for the last batch size: batches
	// mostly share one size, and arrays are immutable (callers never
	// Release what Eval returns), so it is reused across batches and
	// goroutines instead of filled again for every batch.
	last atomic.Pointer[constArray]
}

type constArray struct{ a arrow.Array }

func (c *Const) Type() types.T { return c.T }
func (c *Const) Eval(_ *Ctx, b arrow.Record) (arrow.Array, error) {
	n := int(b.NumRows())
	// the longest array built so far serves every shorter batch as a
	// slice: a filter's batches vary in length, and a constant rebuilt
	// for each (TPC-DS q13) cost a tenth of the query
	if p := c.last.Load(); p != nil && p.a.Len() >= n {
		if p.a.Len() == n {
			return p.a, nil
		}
		return array.NewSlice(p.a, 0, int64(n)), nil
	}
	a := types.ConstArray(c.T, c.V, n)
	c.last.Store(&constArray{a})
	return a, nil
}
func (c *Const) String() string {
	if c.V == nil {
		return "NULL"
	}
	if c.T.IsString() || c.T.IsTemporal() || c.T.Kind == types.Interval {
		return "'" + strings.ReplaceAll(types.FormatText(c.T, c.V), "'", "''") + "'::" + c.T.String()
	}
	return types.FormatText(c.T, c.V)
}

// Param is $N.
type Param struct {
	N int
	T types.T
}

func (p *Param) Type() types.T { return p.T }
func (p *Param) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	if p.N < 1 || p.N > len(ctx.Params) {
		return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", p.N)
	}
	return types.ConstArray(p.T, ctx.Params[p.N-1], int(b.NumRows())), nil
}
func (p *Param) String() string { return fmt.Sprintf("$%d", p.N) }

// OuterRef reads a correlated outer column's current value.
type OuterRef struct {
	ID   ColumnID
	T    types.T
	Name string
}

func (o *OuterRef) Type() types.T { return o.T }
func (o *OuterRef) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	v, ok := ctx.Outer[o.ID]
	if !ok {
		return nil, sqlerr.New(sqlerr.Internal, "outer column %s not bound", o.Name)
	}
	return types.ConstArray(o.T, v, int(b.NumRows())), nil
}
func (o *OuterRef) String() string { return "outer(" + o.Name + ")" }

// Call applies a function kernel.
type Call struct {
	Name   string
	Kernel functions.Kernel
	Args   []Expr
	T      types.T
	// ConstArg is 1 + the index of a constant argument the kernel holds
	// itself and does not read (0: none): Eval passes nil for it instead
	// of an array of n copies
	ConstArg int
}

func (c *Call) Type() types.T { return c.T }
func (c *Call) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	args := make([]arrow.Array, len(c.Args))
	for i, a := range c.Args {
		if i == c.ConstArg-1 {
			continue
		}
		v, err := a.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	n := int(b.NumRows())
	if n == 0 {
		return types.BuildArray(c.T, nil), nil
	}
	out, err := c.Kernel(ctx.F, args, n)
	if err != nil {
		return nil, err
	}
	return out, nil
}
func (c *Call) String() string {
	if len(c.Args) == 2 && !isIdent(c.Name) {
		return "(" + c.Args[0].String() + " " + c.Name + " " + c.Args[1].String() + ")"
	}
	if c.Name == "u-" {
		return "(-" + c.Args[0].String() + ")"
	}
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	return c.Name + "(" + strings.Join(parts, ", ") + ")"
}

func isIdent(s string) bool {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Resolve returns a copy of e with every Col bound to its batch index by layout.
func Resolve(e Expr, layout map[ColumnID]int) (Expr, error) {
	var err error
	out := Transform(e, func(x Expr) Expr {
		if c, ok := x.(*Col); ok {
			idx, ok := layout[c.ID]
			if !ok {
				if err == nil {
					err = sqlerr.New(sqlerr.Internal, "column %s (#%d) is not produced by the input", c.Name, c.ID)
				}
				return x
			}
			cc := *c
			cc.Idx = idx
			return &cc
		}
		if c, ok := x.(*Call); ok {
			return withConstKernel(c)
		}
		return x
	})
	return out, err
}

// withConstKernel gives a comparison of a string column with a string
// constant a kernel that holds the constant as a scalar, instead of
// comparing against a constant array value by value.
func withConstKernel(c *Call) Expr {
	if len(c.Args) == 2 && (c.Name == "+" || c.Name == "-" || c.Name == "*") {
		e := withDecimalConst(c)
		if ec, ok := e.(*Call); ok && isDecArith(ec) {
			// the operands reach this kernel alone: they may be narrow
			a0, a1 := Narrowed(ec.Args[0]), Narrowed(ec.Args[1])
			if a0 != ec.Args[0] || a1 != ec.Args[1] {
				cc := *ec
				cc.Args = []Expr{a0, a1}
				return &cc
			}
		}
		return e
	}
	if len(c.Args) != 2 || !isCompareOp(c.Name) {
		return c
	}
	l, r := c.Args[0], c.Args[1]
	if !functions.ByteOrdered(l.Type()) || !functions.ByteOrdered(r.Type()) {
		return c
	}
	k, constLeft := r, false
	if _, ok := l.(*Const); ok {
		k, constLeft = l, true
	}
	kc, ok := k.(*Const)
	if !ok || kc.V == nil {
		return c
	}
	other := l
	if constLeft {
		other = r
	}
	if _, both := other.(*Const); both {
		return c
	}
	var v []byte
	switch x := kc.V.(type) {
	case string:
		v = []byte(x)
	case []byte:
		v = x
	default:
		return c
	}
	cc := *c
	cc.Kernel = functions.CompareBytesConst(c.Name, v, constLeft)
	return &cc
}

// withDecimalConst gives numeric column ± or * a numeric constant a
// kernel that holds the constant as an integer (functions.DecArithConst)
// and does not evaluate it per batch.
func withDecimalConst(c *Call) Expr {
	l, r := c.Args[0], c.Args[1]
	if c.ConstArg != 0 || c.T.Kind != types.Numeric || c.T.Dyn || l.Type().Kind != types.Numeric || r.Type().Kind != types.Numeric || l.Type().Dyn || r.Type().Dyn {
		return c
	}
	k, idx := r, 1
	if _, ok := l.(*Const); ok {
		k, idx = l, 0
	}
	kc, ok := k.(*Const)
	if !ok {
		return c
	}
	if _, both := c.Args[1-idx].(*Const); both {
		return c
	}
	d, ok := kc.V.(types.Decimal)
	if !ok {
		return c
	}
	cc := *c
	cc.Kernel = functions.DecArithConst(c.Name, d, kc.T, idx == 0, false)
	cc.ConstArg = idx + 1
	return &cc
}

// isDecArith reports whether c is numeric + - * of numeric operands
// (the kernels of functions.DecArith and DecArithConst).
func isDecArith(c *Call) bool {
	if len(c.Args) != 2 || (c.Name != "+" && c.Name != "-" && c.Name != "*") || c.T.Kind != types.Numeric || c.T.Dyn {
		return false
	}
	for _, a := range c.Args {
		if t := a.Type(); t.Kind != types.Numeric || t.Dyn {
			return false
		}
	}
	return true
}

// Narrowed returns e, when it is numeric + - * of numeric operands, with
// a kernel that returns a Decimal64 array where every result fits 64
// bits: for a consumer that takes either representation (another such
// operator, sum and avg), never for a batch's column, whose type is the
// declared one. Other expressions are returned as they are.
func Narrowed(e Expr) Expr {
	c, ok := e.(*Call)
	if !ok || !isDecArith(c) {
		return e
	}
	cc := *c
	if c.ConstArg != 0 {
		k, ok := c.Args[c.ConstArg-1].(*Const)
		if !ok {
			return e
		}
		d, ok := k.V.(types.Decimal)
		if !ok {
			return e
		}
		cc.Kernel = functions.DecArithConst(c.Name, d, k.T, c.ConstArg == 1, true)
	} else {
		cc.Kernel = functions.DecArith(c.Name, true)
	}
	return &cc
}

func isCompareOp(op string) bool {
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// Children returns the direct sub-expressions.
func Children(e Expr) []Expr {
	switch x := e.(type) {
	case *Call:
		return x.Args
	case *Cast:
		return []Expr{x.X}
	case *And:
		return x.Args
	case *Or:
		return x.Args
	case *Not:
		return []Expr{x.X}
	case *IsNull:
		return []Expr{x.X}
	case *BoolTest:
		return []Expr{x.X}
	case *IsDistinct:
		return []Expr{x.L, x.R}
	case *Case:
		var out []Expr
		for _, w := range x.Whens {
			out = append(out, w.Cond, w.Then)
		}
		if x.Else != nil {
			out = append(out, x.Else)
		}
		return out
	case *Coalesce:
		return x.Args
	case *InList:
		return append([]Expr{x.X}, x.List...)
	case *Like:
		out := []Expr{x.X, x.Pattern}
		if x.Escape != nil {
			out = append(out, x.Escape)
		}
		return out
	case *Subquery:
		out := append([]Expr{}, x.OuterArgs...)
		if x.Test != nil {
			out = append(out, x.Test)
		}
		return out
	case *ArrayCtor:
		return x.Elems
	}
	return nil
}

// Transform rebuilds e bottom-up, replacing each node with f(node).
func Transform(e Expr, f func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	return f(MapChildren(e, func(c Expr) Expr { return Transform(c, f) }))
}

// MapChildren returns a copy of e whose direct children are replaced by
// f(child); leaves are returned as they are.
func MapChildren(e Expr, f func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	tr := func(xs []Expr) []Expr {
		out := make([]Expr, len(xs))
		for i, x := range xs {
			out[i] = f(x)
		}
		return out
	}
	opt := func(x Expr) Expr {
		if x == nil {
			return nil
		}
		return f(x)
	}
	switch x := e.(type) {
	case *Call:
		c := *x
		c.Args = tr(x.Args)
		return &c
	case *Cast:
		c := *x
		c.X = f(x.X)
		return &c
	case *And:
		return &And{Args: tr(x.Args)}
	case *Or:
		return &Or{Args: tr(x.Args)}
	case *Not:
		return &Not{X: f(x.X)}
	case *IsNull:
		c := *x
		c.X = f(x.X)
		return &c
	case *BoolTest:
		c := *x
		c.X = f(x.X)
		return &c
	case *IsDistinct:
		c := *x
		c.L, c.R = f(x.L), f(x.R)
		return &c
	case *Case:
		c := *x
		c.Whens = make([]When, len(x.Whens))
		for i, w := range x.Whens {
			c.Whens[i] = When{Cond: f(w.Cond), Then: f(w.Then)}
		}
		c.Else = opt(x.Else)
		return &c
	case *Coalesce:
		c := *x
		c.Args = tr(x.Args)
		return &c
	case *InList:
		return NewInList(f(x.X), tr(x.List), x.Eq, x.Not)
	case *Like:
		c := *x
		c.X, c.Pattern, c.Escape = f(x.X), f(x.Pattern), opt(x.Escape)
		return &c
	case *Subquery:
		c := *x
		c.OuterArgs = tr(x.OuterArgs)
		c.Test = opt(x.Test)
		return &c
	case *ArrayCtor:
		c := *x
		c.Elems = tr(x.Elems)
		return &c
	}
	return e
}

// Walk visits e and its descendants (pre-order); returning false stops descent.
func Walk(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	for _, c := range Children(e) {
		Walk(c, f)
	}
}

// EvalScalar evaluates an expression with no column inputs (constants,
// parameters) to one value.
func EvalScalar(ctx *Ctx, e Expr) (types.Value, error) {
	one := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
	a, err := e.Eval(ctx, one)
	if err != nil {
		return nil, err
	}
	return types.GetValue(e.Type(), a, 0), nil
}
