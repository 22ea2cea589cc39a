package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// unwrapCasts rewrites `CAST(col AS wider) op constant` into
// `col op constant'` when the cast is order-preserving and injective and
// the constant converts to the column's type exactly (or, for a date
// against a timestamp, to its floor with the operator adjusted). The
// binder adds such casts whenever a column meets a constant of a wider
// type (numeric(15,2) against an unconstrained numeric, a date against
// date + interval); without them the comparison runs on the column's own
// representation, skips a per-row conversion, and reaches the scan's
// row-group and partition pruning, which only sees bare columns.
func unwrapCasts(rc *RuleCtx, n Node) (Node, error) {
	var visit func(Node)
	visit = func(n Node) {
		switch x := n.(type) {
		case *Filter:
			x.Cond = unwrapCastsIn(rc, x.Cond)
		case *Join:
			if x.Cond != nil {
				x.Cond = unwrapCastsIn(rc, x.Cond)
			}
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
	return n, nil
}

func unwrapCastsIn(rc *RuleCtx, e expr.Expr) expr.Expr {
	return expr.Transform(e, func(x expr.Expr) expr.Expr {
		c, ok := x.(*expr.Call)
		if !ok || len(c.Args) != 2 || !isCompareName(c.Name) || c.Name == "<>" {
			return x
		}
		op := c.Name
		cast, okL := c.Args[0].(*expr.Cast)
		k, okR := c.Args[1].(*expr.Const)
		if !okL || !okR {
			cast, okL = c.Args[1].(*expr.Cast)
			k, okR = c.Args[0].(*expr.Const)
			if !okL || !okR {
				return x
			}
			op = functions.FlipCompare(op)
		}
		if k.V == nil {
			return x
		}
		from := cast.X.Type()
		if !castPreservesOrder(from, cast.To) {
			return x
		}
		loc := rc.b.Loc
		v, err := types.CastScalar(k.V, cast.To, from, loc)
		if err != nil || v == nil {
			return x // out of the column type's range: leave it to the cast
		}
		back, err := types.CastScalar(v, from, cast.To, loc)
		if err != nil {
			return x
		}
		if types.Compare(back, k.V) != 0 {
			// inexact: only date ← timestamp truncates (floors), so
			// d < ts ⇔ d <= floor(ts) and d >= ts ⇔ d > floor(ts)
			if from.Kind != types.Date || types.Compare(back, k.V) > 0 {
				return x
			}
			switch op {
			case "<", "<=":
				op = "<="
			case ">", ">=":
				op = ">"
			default:
				return x // = never holds; keep the exact (if slow) form
			}
		}
		kt := from
		if kt.Kind == types.Varchar || kt.Kind == types.Char {
			kt = types.TextT
		}
		if from.Kind == types.Numeric {
			// the constant keeps the column's scale, so the kernel
			// compares scaled integers without rescaling either side
			kt = types.T{Kind: types.Numeric, Scale: from.Scale}
			if d, ok := v.(types.Decimal); ok {
				if r, err := d.Rescale(from.Scale); err == nil {
					v = r
				}
			}
		}
		return &expr.Call{Name: op, Kernel: functions.CompareKernel(op, kt),
			Args: []expr.Expr{cast.X, &expr.Const{V: v, T: kt}}, T: types.BoolT}
	})
}

// castPreservesOrder reports casts that map distinct values to distinct
// values in the same order, so a comparison may move to the narrower side.
func castPreservesOrder(from, to types.T) bool {
	switch {
	case from.IsInteger() && (to.IsInteger() || to.Kind == types.Numeric):
		return true
	case from.Kind == types.Numeric && to.Kind == types.Numeric:
		return to.Scale >= from.Scale
	case from.Kind == types.Date && to.Kind == types.Timestamp:
		return true
	}
	return false
}
