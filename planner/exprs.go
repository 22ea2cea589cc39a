package planner

import (
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// walkAST visits an AST expression tree (pre-order).
func walkAST(e ast.Expr, f func(ast.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	w := func(xs ...ast.Expr) {
		for _, x := range xs {
			walkAST(x, f)
		}
	}
	switch x := e.(type) {
	case *ast.BinaryOp:
		w(x.L, x.R)
	case *ast.UnaryOp:
		w(x.X)
	case *ast.BoolExpr:
		w(x.Args...)
	case *ast.FuncCall:
		w(x.Args...)
		w(x.Filter)
		for _, o := range x.OrderBy {
			w(o.Expr)
		}
	case *ast.Cast:
		w(x.X)
	case *ast.Case:
		w(x.Arg, x.Else)
		for _, wh := range x.Whens {
			w(wh.Cond, wh.Result)
		}
	case *ast.Coalesce:
		w(x.Args...)
	case *ast.NullIf:
		w(x.A, x.B)
	case *ast.MinMax:
		w(x.Args...)
	case *ast.NullTest:
		w(x.X)
	case *ast.BoolTest:
		w(x.X)
	case *ast.In:
		w(x.X)
		w(x.List...)
	case *ast.Between:
		w(x.X, x.Lo, x.Hi)
	case *ast.Like:
		w(x.X, x.Pattern, x.Escape)
	case *ast.SubLink:
		w(x.Test)
	case *ast.Array:
		w(x.Elems...)
	case *ast.Row:
		w(x.Args...)
	case *ast.Subscript:
		w(x.X, x.Index, x.Upper)
	case *ast.Collate:
		w(x.X)
	case *ast.Field:
		w(x.X)
	case *ast.GroupingFunc:
		w(x.Args...)
	}
}

func (b *Binder) bindCond(e ast.Expr, sc *scope, clause string) (expr.Expr, error) {
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	return b.asBool(x, clause, e.Pos())
}

func (b *Binder) asBool(x expr.Expr, clause string, pos int) (expr.Expr, error) {
	if x.Type().Kind == types.Bool {
		return x, nil
	}
	if x.Type().Kind == types.Unknown {
		return b.coerce(x, types.BoolT, false)
	}
	return nil, b.errAt(sqlerr.New(sqlerr.DatatypeMismatch, "argument of %s must be type boolean, not type %s", clause, x.Type().String()), pos)
}

func (b *Binder) bindExprs(es []ast.Expr, sc *scope) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		x, err := b.bindExpr(e, sc)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// bindExpr binds a scalar expression in scope sc.
func (b *Binder) bindExpr(e ast.Expr, sc *scope) (expr.Expr, error) {
	if e == nil {
		return nil, sqlerr.New(sqlerr.SyntaxError, "missing expression")
	}
	x, err := b.bindExpr1(e, sc)
	if err != nil {
		return nil, b.errAt(err, e.Pos())
	}
	return x, nil
}

func (b *Binder) bindExpr1(e ast.Expr, sc *scope) (expr.Expr, error) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		if x.Star {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "row expansion via \"*\" is not supported here")
		}
		if x.BoundID != 0 {
			for _, c := range sc.cols {
				if int(c.ID) == x.BoundID {
					return colRef(c.Column), nil
				}
			}
		}
		e, err := b.lookup(sc, x.Parts, x.Location)
		if err != nil && len(x.Parts) == 1 && strings.EqualFold(x.Parts[0], "sysdate") && sqlerr.Code(err) == sqlerr.UndefinedColumn {
			// Redshift's SYSDATE: the transaction's start as a timestamp
			return b.bindExpr(&ast.FuncCall{Name: []string{"localtimestamp"}, Location: x.Location}, sc)
		}
		if err != nil && len(x.Parts) == 1 && sqlerr.Code(err) == sqlerr.UndefinedColumn {
			// a FROM item's name alone is its whole row: printed as
			// PostgreSQL prints a record, (1,x)
			if cols, serr := b.expandStar(sc, &ast.ColumnRef{Parts: x.Parts, Star: true, Location: x.Location}); serr == nil && len(cols) > 0 {
				args := make([]expr.Expr, len(cols))
				for i, c := range cols {
					args[i] = colRef(c.Column)
				}
				return recordOut(args), nil
			}
		}
		return e, err
	case *ast.Const:
		return constExpr(x)
	case *ast.TypedLiteral:
		t, err := types.FromName(x.Type.Names, x.Type.Mods, x.Type.ArrayDims)
		if err != nil {
			return nil, err
		}
		if t.Kind == types.Interval {
			t = types.IntervalT
			if len(x.Type.Mods) > 0 {
				return intervalWithFields(x.Val, x.Type.Mods[0])
			}
		}
		v, err := types.ParseText(t, x.Val, b.Loc)
		if err != nil {
			return nil, err
		}
		return &expr.Const{V: v, T: t}, nil
	case *ast.Param:
		if x.N < 1 || x.N > 65535 {
			return nil, sqlerr.New(sqlerr.UndefinedParameter, "there is no parameter $%d", x.N)
		}
		t := types.UnknownT
		if x.N <= len(b.ParamTypes) {
			t = b.ParamTypes[x.N-1]
		} else {
			b.setParamType(x.N, types.UnknownT)
		}
		if t.Kind == types.Numeric && t.Prec == 0 {
			if sc, ok := b.paramScale(x.N); ok {
				t.Scale = sc
				b.ParamTypes[x.N-1] = t
			}
		}
		return &expr.Param{N: x.N, T: t}, nil
	case *ast.BinaryOp:
		if e, ok, err := expandRowCompare(x.Op, x.L, x.R, x.Location); ok {
			if err != nil {
				return nil, b.errAt(err, x.Location)
			}
			return b.bindExpr(e, sc)
		}
		l, err := b.bindExpr(x.L, sc)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(x.R, sc)
		if err != nil {
			return nil, err
		}
		return b.bindOperator(strings.ToLower(x.Op), l, r)
	case *ast.UnaryOp:
		v, err := b.bindExpr(x.X, sc)
		if err != nil {
			return nil, err
		}
		return b.bindUnary(x.Op, v)
	case *ast.BoolExpr:
		args := make([]expr.Expr, len(x.Args))
		for i, a := range x.Args {
			v, err := b.bindCond(a, sc, strings.ToUpper(x.Op))
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		switch x.Op {
		case "and":
			return &expr.And{Args: flatten(args, true)}, nil
		case "or":
			return &expr.Or{Args: flatten(args, false)}, nil
		}
		return &expr.Not{X: args[0]}, nil
	case *ast.FuncCall:
		return b.bindFunc(x, sc)
	case *ast.Cast:
		v, err := b.bindExpr(x.X, sc)
		if err != nil {
			return nil, err
		}
		if len(x.Type.Names) > 0 && x.Type.ArrayDims == 0 {
			if r, ok, err := b.bindRegCast(v, strings.ToLower(x.Type.Names[len(x.Type.Names)-1])); ok || err != nil {
				return r, err
			}
		}
		t, err := types.FromName(x.Type.Names, x.Type.Mods, x.Type.ArrayDims)
		if err != nil {
			return nil, err
		}
		if t.Kind == types.Numeric && t.Prec == 0 && v.Type().Kind == types.Numeric {
			// plain NUMERIC keeps the value's scale (or scales)
			t.Scale, t.Dyn = v.Type().Scale, v.Type().Dyn
		}
		return b.coerce(v, t, true)
	case *ast.Case:
		return b.bindCase(x, sc)
	case *ast.Coalesce:
		args, err := b.bindExprs(x.Args, sc)
		if err != nil {
			return nil, err
		}
		t, args, err := b.unify(args, "COALESCE")
		if err != nil {
			return nil, err
		}
		return &expr.Coalesce{Args: args, T: t}, nil
	case *ast.NullIf:
		l, err := b.bindExpr(x.A, sc)
		if err != nil {
			return nil, err
		}
		r, err := b.bindExpr(x.B, sc)
		if err != nil {
			return nil, err
		}
		eq, err := b.bindOperator("=", l, r)
		if err != nil {
			return nil, err
		}
		// the result is the = operator's first operand: promoted where
		// PostgreSQL has no cross-type operator for the pair
		// (NULLIF(1, 2.2) is numeric, NULLIF(varchar, 'x') text), as it
		// is where one exists (integers of two widths, date and timestamp)
		if lt0, rt0 := l.Type(), r.Type(); !crossTypeEq(lt0, rt0) && lt0.Kind != types.Unknown {
			target := lt0
			if lt0.Kind == types.Varchar {
				target = types.TextT // PostgreSQL compares varchar as text
			} else if ct, ok := commonType(lt0, rt0); ok && ct.Kind != lt0.Kind && types.NumericRank(ct.Kind) > 0 {
				target = ct
				if ct.Kind == types.Numeric {
					target = types.NumericT // the value's own scale
				}
			}
			if !target.Equal(lt0) {
				if l, err = b.coerce(l, target, false); err != nil {
					return nil, err
				}
			}
		}
		lt := l.Type()
		if lt.Kind == types.Unknown {
			lt = types.TextT
			if l, err = b.coerce(l, lt, false); err != nil {
				return nil, err
			}
		}
		// NULL first argument: NULL without evaluating the second one
		return &expr.Case{Whens: []expr.When{{Cond: &expr.IsNull{X: l}, Then: &expr.Const{T: lt}}, {Cond: eq, Then: &expr.Const{T: lt}}}, Else: l, T: lt}, nil
	case *ast.MinMax:
		args, err := b.bindExprs(x.Args, sc)
		if err != nil {
			return nil, err
		}
		name := "LEAST"
		if x.Greatest {
			name = "GREATEST"
		}
		t, args, err := b.unify(args, name)
		if err != nil {
			return nil, err
		}
		greatest := x.Greatest
		return &expr.Call{Name: strings.ToLower(name), Args: args, T: t, Kernel: functions.RowWise(func([]types.T) types.T { return t }, false,
			func(_ *functions.Ctx, vals []types.Value) (types.Value, error) {
				var best types.Value
				for _, v := range vals {
					if v == nil {
						continue
					}
					if best == nil || (greatest && types.Compare(v, best) > 0) || (!greatest && types.Compare(v, best) < 0) {
						best = v
					}
				}
				return best, nil
			})}, nil
	case *ast.NullTest:
		v, err := b.bindExpr(x.X, sc)
		if err != nil {
			return nil, err
		}
		return &expr.IsNull{X: v, Not: x.Not}, nil
	case *ast.BoolTest:
		v, err := b.bindCond(x.X, sc, "IS "+strings.ToUpper(x.Kind))
		if err != nil {
			return nil, err
		}
		return &expr.BoolTest{X: v, Kind: x.Kind, Not: x.Not}, nil
	case *ast.In:
		if e, ok, err := expandRowIn(x); ok {
			if err != nil {
				return nil, b.errAt(err, x.Location)
			}
			return b.bindExpr(e, sc)
		}
		return b.bindIn(x, sc)
	case *ast.Between:
		v, err := b.bindExpr(x.X, sc)
		if err != nil {
			return nil, err
		}
		lo, err := b.bindExpr(x.Lo, sc)
		if err != nil {
			return nil, err
		}
		hi, err := b.bindExpr(x.Hi, sc)
		if err != nil {
			return nil, err
		}
		ge, err := b.bindOperator(">=", v, lo)
		if err != nil {
			return nil, err
		}
		le, err := b.bindOperator("<=", v, hi)
		if err != nil {
			return nil, err
		}
		var res expr.Expr = &expr.And{Args: []expr.Expr{ge, le}}
		if x.Symmetric {
			ge2, _ := b.bindOperator(">=", v, hi)
			le2, _ := b.bindOperator("<=", v, lo)
			res = &expr.Or{Args: []expr.Expr{res, &expr.And{Args: []expr.Expr{ge2, le2}}}}
		}
		if x.Not {
			res = &expr.Not{X: res}
		}
		return res, nil
	case *ast.Like:
		v, err := b.bindExpr(x.X, sc)
		if err != nil {
			return nil, err
		}
		p, err := b.bindExpr(x.Pattern, sc)
		if err != nil {
			return nil, err
		}
		if v, err = b.toText(v, "LIKE"); err != nil {
			return nil, err
		}
		if p, err = b.toText(p, "LIKE"); err != nil {
			return nil, err
		}
		l := &expr.Like{X: v, Pattern: p, CI: x.CaseInsensitive, Not: x.Not, Similar: x.Similar}
		if x.Escape != nil {
			esc, err := b.bindExpr(x.Escape, sc)
			if err != nil {
				return nil, err
			}
			if l.Escape, err = b.toText(esc, "ESCAPE"); err != nil {
				return nil, err
			}
		}
		return expr.NewLike(l), nil
	case *ast.SubLink:
		return b.bindSubLink(x, sc)
	case *ast.Array:
		elems, err := b.bindExprs(x.Elems, sc)
		if err != nil {
			return nil, err
		}
		if len(elems) == 0 {
			return &expr.Const{V: []any{}, T: types.ArrayOf(types.TextT)}, nil
		}
		t, elems, err := b.unify(elems, "ARRAY")
		if err != nil {
			return nil, err
		}
		return &expr.ArrayCtor{Elems: elems, T: types.ArrayOf(t)}, nil
	case *ast.Subscript:
		return b.bindSubscript(x, sc)
	case *ast.Collate:
		return b.bindExpr(x.X, sc)
	case *ast.GroupingFunc:
		return b.bindGrouping(x, sc)
	case *ast.Default:
		return nil, sqlerr.New(sqlerr.SyntaxError, "DEFAULT is not allowed in this context")
	case *ast.Row:
		if len(x.Args) == 1 {
			return b.bindExpr(x.Args[0], sc)
		}
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "row constructors are not supported here")
	case *ast.Field:
		// (t.col).field reads the hidden column a composite select item
		// carries for that field (see compositeField).
		if cr, ok := x.X.(*ast.ColumnRef); ok && !cr.Star && len(cr.Parts) > 0 {
			parts := append([]string(nil), cr.Parts...)
			parts[len(parts)-1] = compositeField(parts[len(parts)-1], strings.ToLower(x.Name))
			if e, err := b.bindExpr(&ast.ColumnRef{Parts: parts, Location: cr.Location}, sc); err == nil {
				return e, nil
			}
		}
		// lakeq has no composite types: a value that binds is not one
		// (nested Parquet records are jsonb, read with -> or j['field'])
		if v, err := b.bindExpr(x.X, sc); err == nil {
			return nil, b.errAt(sqlerr.New(sqlerr.WrongObjectType, "column notation .%s applied to type %s, which is not a composite type", x.Name, v.Type().String()), x.Location)
		}
		return nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "field selection is supported only on composite results of information_schema._pg_expandarray"), x.Location)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported expression %T", e)
}

func flatten(args []expr.Expr, and bool) []expr.Expr {
	var out []expr.Expr
	for _, a := range args {
		if and {
			if x, ok := a.(*expr.And); ok {
				out = append(out, x.Args...)
				continue
			}
		} else if x, ok := a.(*expr.Or); ok {
			out = append(out, x.Args...)
			continue
		}
		out = append(out, a)
	}
	return out
}

func constExpr(x *ast.Const) (expr.Expr, error) {
	switch x.Kind {
	case "int":
		v, _ := strconv.ParseInt(x.Val, 10, 64)
		return &expr.Const{V: v, T: types.Int4T}, nil
	case "float":
		if !strings.ContainsAny(x.Val, ".eE") {
			if v, err := strconv.ParseInt(x.Val, 10, 64); err == nil {
				// an integer written past int4 that fits after all
				// (-2147483648, negated by the grammar) is int4, as
				// make_const types it
				if v == int64(int32(v)) {
					return &expr.Const{V: v, T: types.Int4T}, nil
				}
				return &expr.Const{V: v, T: types.Int8T}, nil
			}
		}
		d, err := types.ParseDecimal(x.Val)
		if err != nil || d.Scale > 37 {
			// beyond lakeq's 38-digit decimals: a double, as DuckDB does
			if f, ferr := strconv.ParseFloat(x.Val, 64); ferr == nil {
				return &expr.Const{V: f, T: types.Float8T}, nil
			}
			return nil, err
		}
		return &expr.Const{V: d, T: types.T{Kind: types.Numeric, Scale: d.Scale}}, nil
	case "string":
		return &expr.Const{V: x.Val, T: types.UnknownT}, nil
	case "bool":
		return &expr.Const{V: x.Val == "true", T: types.BoolT}, nil
	case "bitstring":
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "bit strings are not supported")
	}
	return &expr.Const{V: nil, T: types.UnknownT}, nil
}

// unify coerces expressions to their common type (CASE, COALESCE, ARRAY...).
func (b *Binder) unify(args []expr.Expr, what string) (types.T, []expr.Expr, error) {
	t := types.UnknownT
	for _, a := range args {
		ct, ok := commonType(t, a.Type())
		if !ok {
			return t, nil, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, t.String(), a.Type().String())
		}
		t = ct
	}
	if t.Kind == types.Unknown {
		t = types.TextT
	}
	out := make([]expr.Expr, len(args))
	for i, a := range args {
		c, err := b.coerce(a, t, false)
		if err != nil {
			if k, ok := a.(*expr.Const); ok && k.T.Kind == types.Unknown {
				return t, nil, err // a literal that does not read as the type: PostgreSQL's 22P02
			}
			return t, nil, sqlerr.New(sqlerr.DatatypeMismatch, "%s types %s and %s cannot be matched", what, t.String(), a.Type().String())
		}
		out[i] = c
	}
	return t, out, nil
}

func (b *Binder) toText(e expr.Expr, what string) (expr.Expr, error) {
	t := e.Type()
	if t.IsString() || t.Kind == types.JSON || t.Kind == types.JSONB {
		return b.coerce(e, types.TextT, true)
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s ~~ text", t.String()).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.")
}

func isCompare(op string) bool {
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// bindOperator resolves a binary operator as PostgreSQL does for the
// built-in types.
func (b *Binder) bindOperator(op string, l, r expr.Expr) (expr.Expr, error) {
	lt, rt := l.Type(), r.Type()
	if op == "!=" {
		op = "<>"
	}
	switch {
	case isCompare(op):
		t, ok := operatorType(lt, rt)
		if !ok || (lt.Kind == types.Bool) != (rt.Kind == types.Bool) && lt.Kind != types.Unknown && rt.Kind != types.Unknown {
			return nil, noOperator(op, lt, rt)
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		l2, err := b.coerce(l, t, false)
		if err != nil {
			return nil, noOperator(op, lt, rt)
		}
		r2, err := b.coerce(r, t, false)
		if err != nil {
			return nil, noOperator(op, lt, rt)
		}
		if t.Kind == types.Varchar || t.Kind == types.Char {
			t = types.TextT
		}
		return foldConst(b, &expr.Call{Name: op, Kernel: functions.CompareKernel(op, t), Args: []expr.Expr{l2, r2}, T: types.BoolT})
	case op == "is distinct from" || op == "is not distinct from":
		t, ok := operatorType(lt, rt)
		if !ok {
			return nil, noOperator("=", lt, rt)
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		l2, err := b.coerce(l, t, false)
		if err != nil {
			return nil, err
		}
		r2, err := b.coerce(r, t, false)
		if err != nil {
			return nil, err
		}
		return &expr.IsDistinct{L: l2, R: r2, Eq: functions.CompareKernel("=", t), Not: op == "is not distinct from"}, nil
	case op == "||":
		// jsonb || jsonb (or an untyped literal) concatenates documents;
		// anything else that is not an array or bytea is text's ||
		jsonbSide := func(a, b types.T) bool {
			return a.Kind == types.JSONB && (b.Kind == types.JSONB || b.Kind == types.Unknown)
		}
		if jsonbSide(lt, rt) || jsonbSide(rt, lt) {
			break
		}
		// an untyped literal beside an array is an array of its type, as
		// PostgreSQL reads it ('{b,c}' appends two elements; 'b' is 22P02)
		if lt.Kind == types.Array && rt.Kind == types.Unknown || rt.Kind == types.Array && lt.Kind == types.Unknown {
			at := lt
			if at.Kind != types.Array {
				at = rt
			}
			var err error
			if l, err = b.coerce(l, at, false); err != nil {
				return nil, err
			}
			if r, err = b.coerce(r, at, false); err != nil {
				return nil, err
			}
			break
		}
		if lt.Kind != types.Array && rt.Kind != types.Array && lt.Kind != types.Bytea {
			var err error
			if l, err = b.coerce(l, types.TextT, true); err != nil {
				return nil, err
			}
			if r, err = b.coerce(r, types.TextT, true); err != nil {
				return nil, err
			}
		}
	case op == "+" || op == "-" || op == "*" || op == "/" || op == "%":
		ln := lt.IsNumeric() || lt.Kind == types.Unknown
		rn := rt.IsNumeric() || rt.Kind == types.Unknown
		if ln && rn && !(lt.Kind == types.Unknown && rt.Kind == types.Unknown) {
			t, _ := operatorType(lt, rt)
			if t.Kind == types.Numeric {
				// keep each side's scale (the kernel aligns them) and a
				// numeric side as it is: the kernel reads 64- and 128-bit
				// decimals alike, so numeric(15,2) needs no widening copy
				if lt.Kind != types.Numeric {
					l2, err := b.coerce(l, types.T{Kind: types.Numeric, Scale: numScale(lt)}, false)
					if err != nil {
						return nil, err
					}
					l = l2
				}
				if rt.Kind != types.Numeric {
					r2, err := b.coerce(r, types.T{Kind: types.Numeric, Scale: numScale(rt)}, false)
					if err != nil {
						return nil, err
					}
					r = r2
				}
			} else {
				var err error
				if l, err = b.coerce(l, t, false); err != nil {
					return nil, err
				}
				if r, err = b.coerce(r, t, false); err != nil {
					return nil, err
				}
			}
		}
	case op == "^":
		// power(numeric, numeric) for numerics, double precision otherwise
		if !(lt.Kind == types.Numeric && (rt.Kind == types.Numeric || rt.IsInteger() || rt.Kind == types.Unknown) ||
			rt.Kind == types.Numeric && (lt.IsInteger() || lt.Kind == types.Unknown)) {
			var err error
			if l, err = b.coerce(l, types.Float8T, false); err != nil {
				return nil, noOperator(op, lt, rt)
			}
			if r, err = b.coerce(r, types.Float8T, false); err != nil {
				return nil, noOperator(op, lt, rt)
			}
		}
		op = "power"
	}
	fn := b.Reg.Scalar(op)
	if fn == nil {
		return nil, noOperator(op, lt, rt)
	}
	o, args, ret, err := b.resolve(op, fn.Overloads, []expr.Expr{l, r})
	if err != nil {
		return nil, noOperator(op, lt, rt)
	}
	return foldConst(b, &expr.Call{Name: op, Kernel: o.KernelFor(exprTypes(args)), Args: args, T: ret})
}

// crossTypeEq reports the pairs PostgreSQL compares with a cross-type
// = operator, without promoting the left operand.
func crossTypeEq(l, r types.T) bool {
	dt := func(t types.T) bool {
		return t.Kind == types.Date || t.Kind == types.Timestamp || t.Kind == types.TimestampTZ
	}
	return l.IsInteger() && r.IsInteger() || dt(l) && dt(r) || l.Kind == types.Float4 && r.Kind == types.Float8 || l.Kind == types.Float8 && r.Kind == types.Float4
}

func numScale(t types.T) int32 {
	if t.Kind == types.Numeric {
		return t.Scale
	}
	return 0
}

// strictOps are the operators that return NULL for any NULL argument
// without evaluating the others, so a NULL constant operand folds the
// call to NULL at planning, as PostgreSQL's constant folding does:
// WHERE (x / 0) = NULL is no rows, never a division error.
var strictOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"+": true, "-": true, "*": true, "/": true, "%": true, "^": true,
	"&": true, "|": true, "#": true, "<<": true, ">>": true}

// foldConst evaluates a call whose arguments are all constants, and a
// strict operator or function (functions.Strict) with a NULL constant
// argument.
func foldConst(b *Binder, c *expr.Call) (expr.Expr, error) {
	// text || is strict too (array || NULL keeps the array)
	if strictOps[c.Name] || c.Name == "||" && c.T.IsString() || functions.Strict(c.Name) {
		for _, a := range c.Args {
			if k, ok := a.(*expr.Const); ok && k.V == nil {
				return &expr.Const{T: c.T}, nil
			}
		}
	}
	for _, a := range c.Args {
		if _, ok := a.(*expr.Const); !ok {
			return c, nil
		}
	}
	// numeric division of constants gets PostgreSQL's value-dependent scale
	if c.Name == "/" && c.T.Kind == types.Numeric {
		x, ok1 := c.Args[0].(*expr.Const).V.(types.Decimal)
		y, ok2 := c.Args[1].(*expr.Const).V.(types.Decimal)
		if ok1 && ok2 && y.V.Sign() != 0 {
			rs := functions.PGDivScale(x, y)
			if q, err := functions.DecimalOp("/", x, y, rs); err == nil {
				return &expr.Const{V: q, T: types.T{Kind: types.Numeric, Scale: rs}}, nil
			}
		}
	}
	v, err := expr.EvalScalar(b.evalCtx(), c)
	if err != nil {
		// keep the error for run time: PostgreSQL raises it only if evaluated
		return c, nil
	}
	return &expr.Const{V: v, T: c.T, From: foldedFrom(c)}, nil
}

// foldedFrom is the key a constant folded from call c keeps (Const.From):
// the call over its arguments' own origins.
func foldedFrom(c *expr.Call) string {
	var b strings.Builder
	b.WriteString(c.Name + "(")
	for i, a := range c.Args {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(constOrigin(a))
	}
	b.WriteString(")")
	return b.String()
}

// constOrigin is a constant's origin: what it was folded from, or the
// literal itself.
func constOrigin(e expr.Expr) string {
	if k, ok := e.(*expr.Const); ok && k.From != "" {
		return k.From
	}
	return exprKey(e)
}

func (b *Binder) evalCtx() *expr.Ctx {
	f := &functions.Ctx{Loc: b.Loc, Now: time.Now()}
	if b.Session != nil {
		f.User, f.Database, f.Schema = b.Session.User, b.Session.Database, b.Session.Schema
		f.Meta, f.SearchPath, f.BackendPID = b.Session.Meta, b.Session.SearchPath, b.Session.BackendPID
	}
	return &expr.Ctx{Context: b.Ctx, F: f}
}

func (b *Binder) bindUnary(op string, v expr.Expr) (expr.Expr, error) {
	t := v.Type()
	switch op {
	case "+":
		if !t.IsNumeric() && t.Kind != types.Unknown && t.Kind != types.Interval {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: + %s", t.String())
		}
		if t.Kind == types.Unknown {
			return b.coerce(v, types.NumericT, false)
		}
		return v, nil
	case "-":
		if t.Kind == types.Unknown {
			var err error
			if v, err = b.coerce(v, types.NumericT, false); err != nil {
				return nil, err
			}
		}
		if c, ok := v.(*expr.Const); ok {
			switch x := c.V.(type) {
			case int64:
				lo, _ := types.IntRange(c.T.Kind)
				if x == lo {
					// -(-2^31) overflows int4 but folds exactly in PostgreSQL's lexer; widen
					return &expr.Const{V: new(big.Int).Neg(big.NewInt(x)).Int64(), T: types.Int8T}, nil
				}
				if c.T.Kind == types.Int8 && -x == math.MinInt32 {
					return &expr.Const{V: -x, T: types.Int4T}, nil
				}
				return &expr.Const{V: -x, T: c.T}, nil
			case float64:
				return &expr.Const{V: -x, T: c.T}, nil
			case types.Decimal:
				x.V = x.V.Negate()
				return &expr.Const{V: x, T: c.T}, nil
			case nil:
				return c, nil
			}
		}
		fn := b.Reg.Scalar("u-")
		o, args, ret, err := b.resolve("-", fn.Overloads, []expr.Expr{v})
		if err != nil {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: - %s", t.String())
		}
		return &expr.Call{Name: "u-", Kernel: o.KernelFor(exprTypes(args)), Args: args, T: ret}, nil
	case "@":
		return b.callScalar("abs", []expr.Expr{v})
	case "|/", "||/":
		// square and cube root: operators of double precision only
		f, err := b.coerce(v, types.Float8T, false)
		if err != nil {
			return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s", op, t.String())
		}
		return b.callScalar(map[string]string{"|/": "sqrt", "||/": "cbrt"}[op], []expr.Expr{f})
	case "~":
		fn := b.Reg.Scalar("u~")
		if o, args, ret, err := b.resolve("~", fn.Overloads, []expr.Expr{v}); err == nil {
			return &expr.Call{Name: "u~", Kernel: o.KernelFor(exprTypes(args)), Args: args, T: ret}, nil
		}
	}
	return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: %s %s", op, t.String())
}

func (b *Binder) callScalar(name string, args []expr.Expr) (expr.Expr, error) {
	fn := b.Reg.Scalar(name)
	if fn == nil {
		return nil, noFunction(name, args)
	}
	args, err := placeArgs(name, fn.Params, nil, args)
	if err != nil {
		return nil, err
	}
	o, cargs, ret, err := b.resolve(name, fn.Overloads, args)
	if err != nil {
		return nil, err
	}
	call := &expr.Call{Name: fn.Name, Kernel: o.KernelFor(exprTypes(cargs)), Args: cargs, T: ret}
	if fn.Volatile {
		return call, nil
	}
	return foldConst(b, call)
}

func (b *Binder) bindCase(x *ast.Case, sc *scope) (expr.Expr, error) {
	var arg expr.Expr
	if x.Arg != nil {
		var err error
		if arg, err = b.bindExpr(x.Arg, sc); err != nil {
			return nil, err
		}
	}
	var conds, results []expr.Expr
	for _, w := range x.Whens {
		var c expr.Expr
		var err error
		if arg != nil {
			v, err := b.bindExpr(w.Cond, sc)
			if err != nil {
				return nil, err
			}
			if c, err = b.bindOperator("=", arg, v); err != nil {
				return nil, err
			}
		} else if c, err = b.bindCond(w.Cond, sc, "CASE/WHEN"); err != nil {
			return nil, err
		}
		r, err := b.bindExpr(w.Result, sc)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
		results = append(results, r)
	}
	if x.Else != nil {
		e, err := b.bindExpr(x.Else, sc)
		if err != nil {
			return nil, err
		}
		results = append(results, e)
	}
	t, results, err := b.unify(results, "CASE")
	if err != nil {
		return nil, err
	}
	c := &expr.Case{T: t}
	for i := range conds {
		c.Whens = append(c.Whens, expr.When{Cond: conds[i], Then: results[i]})
	}
	if x.Else != nil {
		c.Else = results[len(results)-1]
	}
	return c, nil
}

func (b *Binder) bindIn(x *ast.In, sc *scope) (expr.Expr, error) {
	v, err := b.bindExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	list, err := b.bindExprs(x.List, sc)
	if err != nil {
		return nil, err
	}
	t := v.Type()
	for _, e := range list {
		ct, ok := commonType(t, e.Type())
		if !ok {
			return nil, noOperator("=", v.Type(), e.Type())
		}
		t = ct
	}
	// PostgreSQL makes a list of one item the = operator, resolved as
	// operators are: real IN (0.1) compares in double precision, while
	// real IN (0.1, 0.2) takes the common type of all, real
	if len(list) == 1 {
		if ot, ok := operatorType(v.Type(), list[0].Type()); ok {
			t = ot
		}
	}
	if t.Kind == types.Unknown {
		t = types.TextT
	}
	if v, err = b.coerce(v, t, false); err != nil {
		return nil, err
	}
	for i, e := range list {
		if list[i], err = b.coerce(e, t, false); err != nil {
			return nil, noOperator("=", t, e.Type())
		}
	}
	kt := t
	if kt.Kind == types.Varchar || kt.Kind == types.Char {
		kt = types.TextT
	}
	return expr.NewInList(v, list, functions.CompareKernel("=", kt), x.Not), nil
}

func (b *Binder) bindSubLink(x *ast.SubLink, sc *scope) (expr.Expr, error) {
	if bound, ok := sc.agg.sameSub(x); ok {
		return bound, nil
	}
	if bound, ok := sc.keysOf.sameSub(x); ok {
		return bound, nil
	}
	if sc.subs != nil {
		e, err := b.bindSubLinkOnce(x, sc)
		if err == nil {
			*sc.subs = append(*sc.subs, boundSub{ast: x, bound: e})
		}
		return e, err
	}
	return b.bindSubLinkOnce(x, sc)
}

func (b *Binder) bindSubLinkOnce(x *ast.SubLink, sc *scope) (expr.Expr, error) {
	var outer []Column
	bnd := &scope{parent: sc, outer: &outer}
	b.subDepth++
	plan, err := b.bindSelect(x.Query, bnd)
	b.subDepth--
	if err != nil {
		return nil, err
	}
	cols := plan.Columns()
	s := &expr.Subquery{Kind: x.Kind}
	switch x.Kind {
	case "exists":
		s.T = types.BoolT
	case "expr", "array":
		if len(cols) != 1 {
			return nil, sqlerr.New(sqlerr.SyntaxError, "subquery must return only one column")
		}
		s.Kind = "scalar"
		s.T = cols[0].Type
		if x.Kind == "array" {
			s.Kind = "array"
			s.T = types.ArrayOf(cols[0].Type)
		}
		s.ElemT = cols[0].Type
	case "any", "all":
		if len(cols) != 1 {
			if r, ok := x.Test.(*ast.Row); ok && len(r.Args) == len(cols) {
				rw, err := b.rowQuantified(x, r)
				if err != nil {
					return nil, b.errAt(err, r.Location)
				}
				return b.bindExpr(rw, sc)
			}
			want := 1
			if r, ok := x.Test.(*ast.Row); ok {
				want = len(r.Args)
			}
			if len(cols) > want {
				return nil, sqlerr.New(sqlerr.SyntaxError, "subquery has too many columns")
			}
			return nil, sqlerr.New(sqlerr.SyntaxError, "subquery has too few columns")
		}
		test, err := b.bindExpr(x.Test, sc)
		if err != nil {
			return nil, err
		}
		t, ok := operatorType(test.Type(), cols[0].Type)
		if !ok {
			return nil, noOperator(x.Op, test.Type(), cols[0].Type)
		}
		if t.Kind == types.Unknown {
			t = types.TextT
		}
		if test, err = b.coerce(test, t, false); err != nil {
			return nil, noOperator(x.Op, test.Type(), cols[0].Type)
		}
		if !cols[0].Type.Equal(t) {
			ce, err := b.coerce(colRef(cols[0]), t, false)
			if err != nil {
				return nil, noOperator(x.Op, test.Type(), cols[0].Type)
			}
			plan = &Project{Input: plan, Exprs: []expr.Expr{ce}, Cols: []Column{b.newCol(cols[0].Name, t, "")}}
		}
		op := x.Op
		if op == "!=" {
			op = "<>"
		}
		if !isCompare(op) {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s with ANY/ALL (subquery) is not supported", op)
		}
		kt := t
		if kt.Kind == types.Varchar || kt.Kind == types.Char {
			kt = types.TextT
		}
		s.Test, s.Op, s.Cmp, s.ElemT, s.T = test, op, functions.CompareKernel(op, kt), t, types.BoolT
	}
	for _, c := range outer {
		s.Outer = append(s.Outer, c.ID)
		if sc.owns(c.ID) || ownsUpTo(sc, c.ID) {
			s.OuterArgs = append(s.OuterArgs, colRef(c))
		} else {
			s.OuterArgs = append(s.OuterArgs, &expr.OuterRef{ID: c.ID, T: c.Type, Name: c.Name})
		}
	}
	s.Plan = &LogicalSubPlan{Node: plan, Outer: s.Outer}
	return expr.NewSubquery(s), nil
}

// ownsUpTo reports whether id belongs to sc's own query level (scopes up
// to the next subquery boundary).
func ownsUpTo(sc *scope, id ColumnID) bool {
	for s := sc; s != nil; s = s.parent {
		if s.owns(id) {
			return true
		}
		if s.outer != nil && (s.parent == nil || s.parent.outer != s.outer) {
			return false
		}
	}
	return false
}

func (b *Binder) bindGrouping(x *ast.GroupingFunc, sc *scope) (expr.Expr, error) {
	if sc.agg == nil {
		return nil, sqlerr.New(sqlerr.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level")
	}
	ac := sc.agg
	if len(x.Args) > 31 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "GROUPING must have fewer than 32 arguments")
	}
	in := &scope{parent: ac.input.parent, cols: ac.input.cols, quals: ac.input.quals, outer: ac.input.outer, keysOf: ac}
	var positions []int
	for _, a := range x.Args {
		v, err := b.bindExpr(a, in)
		if err != nil {
			return nil, err
		}
		k := exprKey(v)
		pos := -1
		for i, s := range ac.keyStr {
			if s == k {
				pos = i
			}
		}
		if pos < 0 {
			return nil, b.errAt(sqlerr.New(sqlerr.GroupingError, "arguments to GROUPING must be grouping expressions of the associated query level"), a.Pos())
		}
		positions = append(positions, pos)
	}
	if ac.gid == nil {
		return &expr.Const{V: int64(0), T: types.Int4T}, nil
	}
	nk := len(ac.keys)
	gid := colRef(*ac.gid)
	return &expr.Call{Name: "grouping", Args: []expr.Expr{gid}, T: types.Int4T, Kernel: functions.RowWise(func([]types.T) types.T { return types.Int4T }, true,
		func(_ *functions.Ctx, v []types.Value) (types.Value, error) {
			g := v[0].(int64)
			r := int64(0)
			for _, p := range positions {
				r = r<<1 | (g>>(nk-1-p))&1
			}
			return r, nil
		})}, nil
}

// bindFunc binds a function call: aggregate, window or scalar.
// funcStyleCasts are the type names PostgreSQL's grammar lets a call
// take (keywords such as numeric, varchar and interval it does not).
var funcStyleCasts = map[string]bool{"date": true, "text": true, "int2": true, "int4": true, "int8": true, "float4": true,
	"float8": true, "bool": true, "timestamptz": true, "json": true, "jsonb": true, "bytea": true, "uuid": true, "oid": true, "bpchar": true}

func (b *Binder) bindFunc(f *ast.FuncCall, sc *scope) (expr.Expr, error) {
	name := strings.ToLower(f.Name[len(f.Name)-1])
	if len(f.Name) > 1 && f.Name[0] != "pg_catalog" && f.Name[0] != "public" {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", strings.Join(f.Name, "."))
	}
	if f.Over == nil {
		if rw, ok := b.wholeRowJSON(f, name, sc); ok {
			f, name = rw, strings.ToLower(rw.Name[0])
		}
		if b.Reg.Scalar(name) == nil || name == "dateadd" || name == "datediff" || name == "decode" || name == "date_part" || name == "date_trunc" {
			if e, ok := redshiftRewrite(f, name); ok {
				if g, isCall := e.(*ast.FuncCall); isCall && strings.HasPrefix(g.Name[0], "__date") {
					g.Name = []string{strings.TrimPrefix(g.Name[0], "__")}
					f, name = g, g.Name[0]
				} else if isCall && (g.Name[0] == "date_part" || g.Name[0] == "date_trunc") {
					f, name = g, g.Name[0]
				} else {
					return b.bindExpr(e, sc)
				}
			} else if e, ok := athenaRewrite(f, name); ok && b.Reg.Aggregate(name) == nil {
				return b.bindExpr(e, sc)
			}
		}
	}
	if f.Over != nil && name == "ratio_to_report" && len(f.Args) == 1 && b.Reg.Window(name) == nil {
		// Redshift's RATIO_TO_REPORT(x) OVER (…): x over the sum of x in
		// its window, as double precision (NULL over a zero sum)
		x := &ast.Cast{X: f.Args[0], Type: &ast.TypeName{Names: []string{"float8"}}, Location: f.Location}
		if f.Over.OrderBy != nil || f.Over.Frame != nil {
			return nil, sqlerr.New(sqlerr.WindowingError, "RATIO_TO_REPORT takes no ORDER BY or frame in its window")
		}
		sum := &ast.FuncCall{Name: []string{"sum"}, Args: []ast.Expr{x}, Over: f.Over, Location: f.Location}
		return b.bindExpr(&ast.BinaryOp{Op: "/", L: x, R: &ast.NullIf{A: sum, B: &ast.Const{Kind: "int", Val: "0"}, Location: f.Location}, Location: f.Location}, sc)
	}
	if f.Over != nil {
		return b.bindWindowCall(f, name, sc)
	}
	if hasNamedArgs(f.ArgNames) && b.Reg.Scalar(name) == nil {
		// aggregates and window functions have no named parameters
		args, err := b.bindExprs(f.Args, sc)
		if err != nil {
			return nil, err
		}
		return nil, noNamedFunction(name, f.ArgNames, args)
	}
	if agg := b.Reg.Aggregate(name); agg != nil {
		return b.bindAggCall(f, name, agg, sc)
	}
	if funcStyleCasts[name] && len(f.Args) == 1 && len(f.Name) == 1 && b.Reg.Scalar(name) == nil &&
		!f.Distinct && !f.Star && f.Filter == nil && len(f.OrderBy) == 0 && !hasNamedArgs(f.ArgNames) {
		// date(x), text(x), int8(x), …: PostgreSQL reads a call of a type
		// name as an explicit cast
		return b.bindExpr(&ast.Cast{X: f.Args[0], Type: &ast.TypeName{Names: []string{name}, Pos: f.Location}, Location: f.Location}, sc)
	}
	if f.Distinct || f.Star || f.Filter != nil || len(f.OrderBy) > 0 {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "%s is not an aggregate function", name)
	}
	switch name {
	case "__array_any", "__array_all":
		return b.bindArrayQuantified(f, name == "__array_all", sc)
	case rowToJSONName, rowToJSONBName:
		return b.rowToJSON(f, name == rowToJSONBName, sc)
	case recordOutName:
		args, err := b.bindExprs(f.Args, sc)
		if err != nil {
			return nil, err
		}
		return recordOut(args), nil
	case "coalesce":
		return b.bindExpr(&ast.Coalesce{Args: f.Args, Location: f.Location}, sc)
	case "nullif":
		if len(f.Args) == 2 {
			return b.bindExpr(&ast.NullIf{A: f.Args[0], B: f.Args[1], Location: f.Location}, sc)
		}
	case "pg_typeof":
		if len(f.Args) == 1 {
			v, err := b.bindExpr(f.Args[0], sc)
			if err != nil {
				return nil, err
			}
			t := v.Type()
			t.Prec, t.Scale, t.Width = 0, 0, 0 // regtype output has no modifiers
			if t.Kind == types.Char {
				t.Width = 1
				return &expr.Const{V: "character", T: types.TextT}, nil
			}
			return &expr.Const{V: t.String(), T: types.TextT}, nil
		}
	}
	if b.Reg.Window(name) != nil {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "window function %s requires an OVER clause", name)
	}
	args, err := b.bindExprs(f.Args, sc)
	if err != nil {
		return nil, err
	}
	fn := b.Reg.Scalar(name)
	if fn == nil {
		if hasNamedArgs(f.ArgNames) {
			return nil, noNamedFunction(name, f.ArgNames, args)
		}
		return nil, noFunction(name, args)
	}
	written := args
	if args, err = placeArgs(name, fn.Params, f.ArgNames, args); err != nil {
		return nil, err
	}
	o, cargs, ret, err := b.resolve(name, fn.Overloads, args)
	if err != nil {
		if hasNamedArgs(f.ArgNames) && sqlerr.Code(err) == sqlerr.UndefinedFunction {
			return nil, noNamedFunction(name, f.ArgNames, written)
		}
		return nil, err
	}
	if (name == "round" || name == "trunc") && len(cargs) == 2 {
		if c, ok := cargs[1].(*expr.Const); ok && c.V != nil {
			ret = types.T{Kind: types.Numeric, Scale: max(int32(c.V.(int64)), 0)}
		} else {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s(numeric, integer) needs a constant scale", name)
		}
	}
	kernel := o.KernelFor(exprTypes(cargs))
	if name == "extract" && len(cargs) == 2 {
		// a constant field gives every value one scale: a static-scale
		// numeric the typed kernels take, not one held as text
		if c, ok := cargs[0].(*expr.Const); ok {
			if field, ok := c.V.(string); ok {
				if rt, k, ok := functions.ExtractKernel(field, cargs[1].Type()); ok {
					ret, kernel = rt, k
				}
			}
		}
	}
	if name == "date_trunc" && len(cargs) == 2 {
		// a constant unit over a timestamp: one typed loop (functions.DateTruncKernel)
		if c, ok := cargs[0].(*expr.Const); ok {
			if field, ok := c.V.(string); ok {
				if k, ok := functions.DateTruncKernel(field, cargs[1].Type()); ok {
					kernel = k
				}
			}
		}
	}
	call := &expr.Call{Name: fn.Name, Kernel: kernel, Args: cargs, T: ret}
	if fn.Volatile || fn.Name == "now" || name == "now" || name == "current_timestamp" || name == "current_date" || name == "localtimestamp" || name == "current_time" {
		return call, nil
	}
	return foldConst(b, call)
}

// bindArrayQuantified is x op ANY(array) / ALL(array).
func (b *Binder) bindArrayQuantified(f *ast.FuncCall, all bool, sc *scope) (expr.Expr, error) {
	x, err := b.bindExpr(f.Args[0], sc)
	if err != nil {
		return nil, err
	}
	op := f.Args[1].(*ast.Const).Val
	arr, err := b.bindExpr(f.Args[2], sc)
	if err != nil {
		return nil, err
	}
	if arr.Type().Kind == types.Unknown {
		et := x.Type()
		if et.Kind == types.Unknown {
			et = types.TextT
		}
		if arr, err = b.coerce(arr, types.ArrayOf(et), false); err != nil {
			return nil, err
		}
	}
	if arr.Type().Kind != types.Array {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "op ANY/ALL (array) requires array on right side")
	}
	et := *arr.Type().Elem
	if like, ok := likeOps[op]; ok {
		return b.bindLikeQuantified(x, arr, op, like, all)
	}
	t, ok := operatorType(x.Type(), et)
	if !ok {
		return nil, noOperator(op, x.Type(), et)
	}
	if x, err = b.coerce(x, t, false); err != nil {
		return nil, err
	}
	if !isCompare(op) {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "operator %s with ANY/ALL is not supported", op)
	}
	if op == "!=" {
		op = "<>"
	}
	cmp := functions.CompareKernel(op, t)
	elemT := et
	return quantified(x, arr, op, all, func(ctx *functions.Ctx, xv, e types.Value) (bool, error) {
		ev, err := types.CastScalar(e, elemT, t, nil)
		if err != nil {
			return false, err
		}
		xa := types.BuildArray(t, []types.Value{xv})
		ya := types.BuildArray(t, []types.Value{ev})
		r, err := cmp(ctx, []arrow.Array{xa, ya}, 1)
		if err != nil {
			return false, err
		}
		return types.GetValue(types.BoolT, r, 0).(bool), nil
	}), nil
}

// quantified is x op ANY|ALL (array) with SQL's three values: a NULL
// array is NULL, an empty one gives ALL true and ANY false, a NULL x or
// element that could decide it makes it NULL. match compares x with one
// non-NULL element.
func quantified(x, arr expr.Expr, op string, all bool, match func(ctx *functions.Ctx, x, e types.Value) (bool, error)) expr.Expr {
	return &expr.Call{Name: map[bool]string{true: op + " ALL", false: op + " ANY"}[all], Args: []expr.Expr{x, arr}, T: types.BoolT,
		Kernel: functions.RowWise(func([]types.T) types.T { return types.BoolT }, false, func(ctx *functions.Ctx, v []types.Value) (types.Value, error) {
			if v[1] == nil {
				return nil, nil
			}
			elems := v[1].([]any)
			if len(elems) == 0 {
				return all, nil
			}
			if v[0] == nil {
				return nil, nil
			}
			sawNull := false
			for _, e := range elems {
				if e == nil {
					sawNull = true
					continue
				}
				m, err := match(ctx, v[0], e)
				if err != nil {
					return nil, err
				}
				if m != all {
					return m, nil
				}
			}
			if sawNull {
				return nil, nil
			}
			return all, nil
		})}
}

// likeOps are LIKE's operator names: case-insensitive, negated.
var likeOps = map[string][2]bool{"~~": {false, false}, "~~*": {true, false}, "!~~": {false, true}, "!~~*": {true, true}}

// bindLikeQuantified is x [NOT] [I]LIKE ANY|ALL (array): each element a
// pattern (backslash escapes), NULLs as in any quantified comparison.
func (b *Binder) bindLikeQuantified(x, arr expr.Expr, op string, like [2]bool, all bool) (expr.Expr, error) {
	var err error
	if x, err = b.coerce(x, types.TextT, false); err != nil {
		return nil, noOperator(op, x.Type(), *arr.Type().Elem)
	}
	if arr, err = b.coerce(arr, types.ArrayOf(types.TextT), false); err != nil {
		return nil, noOperator(op, x.Type(), *arr.Type().Elem)
	}
	ci, not := like[0], like[1]
	var mu sync.Mutex
	cache := map[string]*regexp.Regexp{}
	match := func(s, pat string) (bool, error) {
		mu.Lock()
		re, ok := cache[pat]
		mu.Unlock()
		if !ok {
			var err error
			if re, err = expr.LikeToRegex(pat, '\\', true, ci); err != nil {
				return false, err
			}
			mu.Lock()
			cache[pat] = re
			mu.Unlock()
		}
		return re.MatchString(s) != not, nil
	}
	return quantified(x, arr, op, all, func(_ *functions.Ctx, xv, e types.Value) (bool, error) {
		return match(xv.(string), e.(string))
	}), nil
}

// outerMarks records the length of every outer-reference collector
// above sc, so that a binding can be undone.
func outerMarks(sc *scope) map[*[]Column]int {
	m := map[*[]Column]int{}
	for s := sc; s != nil; s = s.parent {
		if s.outer != nil {
			if _, ok := m[s.outer]; !ok {
				m[s.outer] = len(*s.outer)
			}
		}
	}
	return m
}

// outerLevelOnly reports whether bound aggregate arguments read outer
// columns and no column of their own query level: by SQL's rule such an
// aggregate belongs to the outer query (SELECT (SELECT max(o.x)) FROM t
// o is one row, the max over t).
func outerLevelOnly(args []expr.Expr) bool {
	local, outer := false, false
	for _, a := range args {
		expr.Walk(a, func(x expr.Expr) bool {
			switch x.(type) {
			case *expr.Col:
				local = true
			case *expr.OuterRef:
				outer = true
			}
			return true
		})
	}
	return outer && !local
}

// bindOuterAggCall binds f in the query level just outside the subquery
// whose aggregate context is inner, and returns an outer reference to its
// result. The outer query becomes an aggregate query if it was not one
// (bindSimpleSelect binds it again); aggregates of levels further out
// are not supported.
func (b *Binder) bindOuterAggCall(f *ast.FuncCall, name string, agg *functions.Aggregate, inner *aggCtx) (expr.Expr, error) {
	// the outer level is the parent of the subquery's boundary scope (the
	// one collecting its outer references)
	target := inner.input
	for target != nil && !(target.outer != nil && (target.parent == nil || target.parent.outer != target.outer)) {
		target = target.parent
	}
	if target != nil {
		target = target.parent
	}
	if target == nil {
		return nil, sqlerr.New(sqlerr.GroupingError, "aggregate function %s reads only outer columns, but there is no outer query", name)
	}
	if target.agg == nil {
		if target.noAgg != "" {
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", target.noAgg)
		}
		if target.sel == nil || b.outerAgg[target.sel] {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "aggregate %s of an outer query level is not supported here", name)
		}
		return nil, &errOuterAggregate{sel: target.sel}
	}
	ref, err := b.bindAggCall(f, name, agg, target)
	if err != nil {
		return nil, err
	}
	col, ok := ref.(*expr.Col)
	if !ok {
		return nil, sqlerr.New(sqlerr.Internal, "outer aggregate %s did not bind to a column", name)
	}
	c := Column{ID: col.ID, Name: col.Name, Type: col.T}
	// the subquery reads the outer aggregate's result as a correlated value
	for s := inner.input; s != nil && s != target; s = s.parent {
		if s.outer == nil {
			continue
		}
		dup := false
		for _, o := range *s.outer {
			if o.ID == c.ID {
				dup = true
			}
		}
		if !dup {
			*s.outer = append(*s.outer, c)
		}
	}
	return &expr.OuterRef{ID: c.ID, T: c.Type, Name: c.Name}, nil
}

// checkFrame rejects, when binding, the window frames PostgreSQL rejects:
// GROUPS, or RANGE with an offset, without the ORDER BY they measure
// along; offsets that are NULL or negative.
func checkFrame(mode string, order []SortKey, startKind, endKind string, startOff, endOff types.Value, hasStart, hasEnd bool) error {
	offsetKind := func(k string) bool { return k == "preceding" || k == "following" }
	switch mode {
	case "groups":
		if len(order) == 0 {
			return sqlerr.New(sqlerr.WindowingError, "GROUPS mode requires an ORDER BY clause")
		}
	case "range":
		if (offsetKind(startKind) || offsetKind(endKind)) && len(order) != 1 {
			return sqlerr.New(sqlerr.WindowingError, "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column")
		}
	}
	for _, o := range []struct {
		v    types.Value
		has  bool
		what string
	}{{startOff, hasStart, "starting"}, {endOff, hasEnd, "ending"}} {
		if !o.has {
			continue
		}
		if o.v == nil {
			return sqlerr.New(sqlerr.NullValueNotAllowed, "frame %s offset must not be null", o.what)
		}
		neg := false
		switch x := o.v.(type) {
		case int64:
			neg = x < 0
		case float64:
			neg = x < 0
		case types.Decimal:
			neg = x.V.Sign() < 0
		case types.IntervalVal:
			neg = x.Months < 0 || x.Days < 0 || x.Micros < 0
		}
		if neg {
			if mode == "range" {
				return sqlerr.New(sqlerr.InvalidPrecedingOrFollowingSize, "invalid preceding or following size in window function")
			}
			return sqlerr.New(sqlerr.InvalidPrecedingOrFollowingSize, "frame %s offset must not be negative", o.what)
		}
	}
	return nil
}

// aggOverload is the aggregate's overload idx; one whose result depends
// on the session's time zone (json_agg of timestamptz) gets it here, as
// casts of constants do.
func (b *Binder) aggOverload(agg *functions.Aggregate, idx int) *functions.AggOverload {
	o := &agg.Overloads[idx]
	if in := o.NewIn; in != nil {
		c, loc := *o, b.loc()
		c.New = func(args []types.T, ret types.T) functions.Accumulator { return in(args, ret, loc) }
		return &c
	}
	return o
}

func (b *Binder) bindAggCall(f *ast.FuncCall, name string, agg *functions.Aggregate, sc *scope) (expr.Expr, error) {
	if sc.agg == nil && sc.sel != nil && b.aggsOuter[sc.sel] && !sc.nested {
		// a plain query whose aggregates belong to an outer query
		in := &scope{parent: sc.parent, cols: sc.cols, quals: sc.quals, outer: sc.outer, nested: true, noAgg: "aggregate arguments", noWindow: "aggregate function calls"}
		marks := outerMarks(in)
		args, err := b.bindExprs(f.Args, in)
		if err != nil {
			return nil, err
		}
		for p, n := range marks {
			*p = (*p)[:n]
		}
		if !outerLevelOnly(args) {
			return nil, errLocalAggregate
		}
		return b.bindOuterAggCall(f, name, agg, &aggCtx{input: sc})
	}
	if sc.agg == nil {
		clause := sc.noAgg
		if clause == "" {
			clause = "this context"
		}
		if sc.nested {
			return nil, sqlerr.New(sqlerr.GroupingError, "aggregate function calls cannot be nested")
		}
		return nil, sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in %s", clause)
	}
	ac := sc.agg
	in := &scope{parent: ac.input.parent, cols: ac.input.cols, quals: ac.input.quals, outer: ac.input.outer, nested: true, noAgg: "aggregate arguments", noWindow: "aggregate function calls"}
	marks := outerMarks(in)
	args, err := b.bindExprs(f.Args, in)
	if err != nil {
		return nil, err
	}
	if outerLevelOnly(args) {
		// the arguments are bound again at their own level: the outer
		// references this binding recorded are not the subquery's
		for p, n := range marks {
			*p = (*p)[:n]
		}
		ac.outerAggs++
		return b.bindOuterAggCall(f, name, agg, ac)
	}
	call := &AggCall{Name: name, Agg: agg, Distinct: f.Distinct, Star: f.Star}
	var keyArg expr.Expr
	if agg.WithinGroup {
		if !f.WithinGroup && agg.Hypothetical && b.Reg.Window(name) != nil {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "window function %s requires an OVER clause", name)
		}
		if !f.WithinGroup {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "WITHIN GROUP is required for ordered-set aggregate %s", name)
		}
		if len(f.OrderBy) != 1 || agg.Hypothetical && len(args) != 1 {
			if agg.Hypothetical && len(args) == len(f.OrderBy) {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "hypothetical-set aggregate %s over %d keys is not supported (one key)", name, len(f.OrderBy))
			}
			return nil, noFunction(name, args)
		}
		if keyArg, err = b.bindExpr(f.OrderBy[0].Expr, in); err != nil {
			return nil, err
		}
		if agg.Hypothetical {
			// the hypothetical value and the key are compared: one type
			_, both, err := b.unify([]expr.Expr{args[0], keyArg}, name)
			if err != nil {
				return nil, err
			}
			args[0], keyArg = both[0], both[1]
		}
		args = append(args, keyArg)
	} else if f.WithinGroup {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "%s is not an ordered-set aggregate, so it cannot have WITHIN GROUP", name)
	}
	if f.Star {
		if name != "count" {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "%s(*) must be used to call a parameterless aggregate function", name)
		}
		args = nil
	}
	_, cargs, ret, idx, err := b.resolveIdx(name, agg.Sigs(), args)
	if err != nil {
		return nil, err
	}
	call.Overload = b.aggOverload(agg, idx)
	if ord := call.Overload.NewOrdered; agg.WithinGroup && ord != nil {
		// the WITHIN GROUP key's direction and NULLS placement
		k := sortKey(nil, f.OrderBy[0])
		o := *call.Overload
		o.New = func(args []types.T, ret types.T) functions.Accumulator { return ord(args, ret, k.Desc, k.NullsFirst) }
		call.Overload = &o
	}
	for _, a := range cargs {
		call.ArgT = append(call.ArgT, a.Type())
	}
	if agg.WithinGroup {
		// exec order: key first, then the direct arguments
		call.Args = append([]expr.Expr{cargs[len(cargs)-1]}, cargs[:len(cargs)-1]...)
		call.WithinKey = true
	} else {
		call.Args = cargs
	}
	call.Ret = ret
	if f.Filter != nil {
		if call.Filter, err = b.bindCond(f.Filter, in, "FILTER"); err != nil {
			return nil, err
		}
	}
	if !agg.WithinGroup {
		for _, o := range f.OrderBy {
			k, err := b.bindExpr(o.Expr, in)
			if err != nil {
				return nil, err
			}
			call.OrderBy = append(call.OrderBy, sortKey(k, o))
		}
	}
	var kb strings.Builder
	kb.WriteString(name)
	if call.Distinct {
		kb.WriteString(" distinct")
	}
	for _, a := range call.Args {
		kb.WriteString("|" + exprKey(a))
	}
	if call.Filter != nil {
		kb.WriteString("|f" + exprKey(call.Filter))
	}
	for _, o := range call.OrderBy {
		kb.WriteString("|o" + exprKey(o.Expr) + strconv.FormatBool(o.Desc) + strconv.FormatBool(o.NullsFirst))
	}
	if agg.WithinGroup {
		k := sortKey(nil, f.OrderBy[0])
		kb.WriteString("|w" + strconv.FormatBool(k.Desc) + strconv.FormatBool(k.NullsFirst))
	}
	call.key = kb.String()
	for i, a := range ac.aggs {
		if a.key == call.key {
			return colRef(ac.aggCols[i]), nil
		}
	}
	col := b.newCol(name, ret, "")
	call.outID = col.ID
	ac.aggs = append(ac.aggs, call)
	ac.aggCols = append(ac.aggCols, col)
	return colRef(col), nil
}

// resolveWindow applies a WINDOW clause reference: OVER w, or OVER (w ...)
// which may add ORDER BY and a frame to w's PARTITION BY.
func resolveWindow(over *ast.WindowDef, named map[string]*ast.WindowDef) (*ast.WindowDef, error) {
	ref := over.RefName
	if ref == "" && over.Name != "" && len(over.PartitionBy) == 0 && len(over.OrderBy) == 0 && over.Frame == nil {
		ref = over.Name
	}
	if ref == "" {
		return over, nil
	}
	base, ok := named[ref]
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedObject, "window \"%s\" does not exist", ref)
	}
	out := *base
	out.Name, out.RefName = "", ""
	if len(over.PartitionBy) > 0 {
		return nil, sqlerr.New(sqlerr.WindowingError, "cannot override PARTITION BY clause of window \"%s\"", ref)
	}
	if len(over.OrderBy) > 0 {
		if len(base.OrderBy) > 0 {
			return nil, sqlerr.New(sqlerr.WindowingError, "cannot override ORDER BY clause of window \"%s\"", ref)
		}
		out.OrderBy = over.OrderBy
	}
	if over.Frame != nil {
		out.Frame = over.Frame
	}
	if base.RefName != "" {
		return resolveWindow(&out, named)
	}
	return &out, nil
}

func (b *Binder) bindWindowCall(f *ast.FuncCall, name string, sc *scope) (expr.Expr, error) {
	if sc.win == nil || sc.noWindow != "" {
		clause := sc.noWindow
		if clause == "" {
			clause = "this context"
		}
		return nil, sqlerr.New(sqlerr.WindowingError, "window functions are not allowed in %s", clause)
	}
	over, err := resolveWindow(f.Over, sc.win.named)
	if err != nil {
		return nil, err
	}
	f = &ast.FuncCall{Name: f.Name, Args: f.Args, Star: f.Star, Distinct: f.Distinct, Filter: f.Filter, Over: over, Location: f.Location}
	inner := &scope{parent: sc.parent, cols: sc.cols, quals: sc.quals, outer: sc.outer, agg: sc.agg, noWindow: "window function arguments"}
	bindP := func(e ast.Expr) (expr.Expr, error) { return b.bindPost(e, inner) }
	w := &Window{}
	var keyB strings.Builder
	for _, p := range f.Over.PartitionBy {
		x, err := bindP(p)
		if err != nil {
			return nil, err
		}
		w.Partition = append(w.Partition, x)
		keyB.WriteString("p" + exprKey(x) + ";")
	}
	for _, o := range f.Over.OrderBy {
		x, err := bindP(o.Expr)
		if err != nil {
			return nil, err
		}
		k := sortKey(x, o)
		w.Order = append(w.Order, k)
		keyB.WriteString("o" + exprKey(x) + strconv.FormatBool(k.Desc) + strconv.FormatBool(k.NullsFirst) + ";")
	}
	if fr := f.Over.Frame; fr != nil {
		w.Frame = exec.FrameSpec{Mode: fr.Mode, StartKind: fr.Start.Kind, EndKind: fr.End.Kind, Exclude: fr.Exclude}
		evalOff := func(e ast.Expr) (types.Value, error) {
			if e == nil {
				return nil, nil
			}
			x, err := b.bindExpr(e, &scope{noAgg: "frame offset", noWindow: "frame offset"})
			if err != nil {
				return nil, err
			}
			if x.Type().Kind == types.Unknown {
				if x, err = b.coerce(x, types.IntervalT, false); err != nil {
					return nil, err
				}
			}
			return expr.EvalScalar(b.evalCtx(), x)
		}
		var err error
		if w.Frame.StartOffset, err = evalOff(fr.Start.Offset); err != nil {
			return nil, err
		}
		if w.Frame.EndOffset, err = evalOff(fr.End.Offset); err != nil {
			return nil, err
		}
		if err := checkFrame(fr.Mode, w.Order, fr.Start.Kind, fr.End.Kind, w.Frame.StartOffset, w.Frame.EndOffset, fr.Start.Offset != nil, fr.End.Offset != nil); err != nil {
			return nil, err
		}
		if fr.Start.Kind == "unbounded following" {
			return nil, sqlerr.New(sqlerr.WindowingError, "frame start cannot be UNBOUNDED FOLLOWING")
		}
		if fr.End.Kind == "unbounded preceding" {
			return nil, sqlerr.New(sqlerr.WindowingError, "frame end cannot be UNBOUNDED PRECEDING")
		}
		keyB.WriteString("f" + types.FormatText(types.TextT, w.Frame.StartOffset) + fr.Mode + fr.Start.Kind + fr.End.Kind + types.FormatText(types.TextT, w.Frame.EndOffset) + fr.Exclude)
	}
	args := make([]expr.Expr, len(f.Args))
	for i, a := range f.Args {
		x, err := bindP(a)
		if err != nil {
			return nil, err
		}
		args[i] = x
	}
	call := WinCall{Name: name}
	if wf := b.Reg.Window(name); wf != nil {
		if f.Filter != nil {
			return nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "FILTER is not implemented for non-aggregate window functions"), f.Location)
		}
		_, cargs, ret, err := b.resolve(name, wf.Overloads, args)
		if err != nil {
			return nil, err
		}
		call.Win, call.Args, call.Ret = wf, cargs, ret
		for _, a := range cargs {
			call.ArgT = append(call.ArgT, a.Type())
		}
	} else if agg := b.Reg.Aggregate(name); agg != nil {
		if f.Star {
			args = nil
		}
		_, cargs, ret, idx, err := b.resolveIdx(name, agg.Sigs(), args)
		if err != nil {
			return nil, err
		}
		ac := &AggCall{Name: name, Agg: agg, Overload: b.aggOverload(agg, idx), Args: cargs, Ret: ret, Distinct: f.Distinct, Star: f.Star}
		for _, a := range cargs {
			ac.ArgT = append(ac.ArgT, a.Type())
		}
		if f.Filter != nil {
			// the rows of the frame the aggregate reads, evaluated on
			// the window's input rows
			x, err := bindP(f.Filter)
			if err != nil {
				return nil, err
			}
			if ac.Filter, err = b.asBool(x, "FILTER", f.Filter.Pos()); err != nil {
				return nil, err
			}
		}
		call.Agg, call.Args, call.ArgT, call.Ret = ac, cargs, ac.ArgT, ret
	} else {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
	}
	key := keyB.String()
	var spec *winSpec
	for _, s := range sc.win.specs {
		if s.key == key {
			spec = s
		}
	}
	if spec == nil {
		spec = &winSpec{key: key, node: w}
		sc.win.specs = append(sc.win.specs, spec)
	}
	col := b.newCol(name, call.Ret, "")
	spec.node.Funcs = append(spec.node.Funcs, call)
	spec.node.FuncCols = append(spec.node.FuncCols, col)
	return colRef(col), nil
}

// intervalWithFields reads INTERVAL 'n' unit [TO unit]: a bare number
// counts the range's last unit (INTERVAL '3' MONTH is three months).
// mask holds PostgreSQL's INTERVAL_MASK bits.
func intervalWithFields(text string, mask int) (expr.Expr, error) {
	const (
		month  = 1 << 1
		year   = 1 << 2
		day    = 1 << 3
		hour   = 1 << 10
		minute = 1 << 11
		second = 1 << 12
	)
	t := strings.TrimSpace(text)
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		unit := ""
		switch {
		case mask&second != 0:
			unit = "seconds"
		case mask&minute != 0:
			unit = "minutes"
		case mask&hour != 0:
			unit = "hours"
		case mask&day != 0:
			unit = "days"
		case mask&month != 0:
			unit = "months"
		case mask&year != 0:
			unit = "years"
		}
		if unit != "" {
			t = t + " " + unit
		}
	}
	v, err := types.ParseInterval(t)
	if err != nil {
		return nil, err
	}
	// a YEAR/MONTH/DAY-only qualifier drops the smaller fields
	switch {
	case mask == year:
		v = types.IntervalVal{Months: v.Months / 12 * 12}
	case mask == month || mask == year|month:
		v = types.IntervalVal{Months: v.Months}
	case mask == day:
		v = types.IntervalVal{Months: v.Months, Days: v.Days}
	}
	return &expr.Const{V: v, T: types.IntervalT}, nil
}

// Volatile reports whether e calls a volatile function (random(),
// gen_random_uuid(), clock_timestamp(), nextval()…), whose value differs
// from row to row: a column default that is must be evaluated per row,
// not once per statement as a stable one (now()) may be.
func Volatile(reg *functions.Registry, e ast.Expr) bool {
	v := false
	walkAST(e, func(x ast.Expr) bool {
		if f, ok := x.(*ast.FuncCall); ok && len(f.Name) > 0 {
			name := strings.ToLower(f.Name[len(f.Name)-1])
			if s := reg.Scalar(name); (s != nil && s.Volatile) || name == "nextval" {
				v = true
			}
		}
		return !v
	})
	return v
}
