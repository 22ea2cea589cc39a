package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// bindSubscript binds x[i] and x[lo:hi] as PostgreSQL 15 does for the two
// subscriptable types lakeq has: arrays (1-based, NULL out of range, a
// slice clamped to the array's bounds and re-based at 1) and jsonb (a key
// of an object or a position of an array, negative from the end, as #>
// follows one step).
func (b *Binder) bindSubscript(x *ast.Subscript, sc *scope) (expr.Expr, error) {
	arr, err := b.bindExpr(x.X, sc)
	if err != nil {
		return nil, err
	}
	switch arr.Type().Kind {
	case types.Array:
	case types.JSONB:
		return b.bindJSONBSubscript(arr, x, sc)
	default:
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "cannot subscript type %s because it does not support subscripting", arr.Type().String())
	}
	if inner, ok := x.X.(*ast.Subscript); ok && (inner.Slice || x.Slice) {
		// PostgreSQL reads a chain holding a slice as one slice of
		// several dimensions; lakeq's arrays are one-dimensional
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "a subscript chain with a slice is not supported (slice one dimension at a time)")
	}
	bound := func(e ast.Expr) (expr.Expr, error) {
		if e == nil {
			return nil, nil
		}
		i, err := b.bindExpr(e, sc)
		if err != nil {
			return nil, err
		}
		return b.coerce(i, types.Int4T, false)
	}
	idx, err := bound(x.Index)
	if err != nil {
		return nil, err
	}
	if x.Slice {
		hi, err := bound(x.Upper)
		if err != nil {
			return nil, err
		}
		return arraySlice(arr, idx, hi), nil
	}
	et := *arr.Type().Elem
	return &expr.Call{Name: "subscript", Args: []expr.Expr{arr, idx}, T: et, Kernel: functions.RowWise(func([]types.T) types.T { return et }, true,
		func(_ *functions.Ctx, v []types.Value) (types.Value, error) {
			a, i := v[0].([]any), v[1].(int64)
			if i < 1 || i > int64(len(a)) {
				return nil, nil
			}
			return a[i-1], nil
		})}, nil
}

// arraySlice is a[lo:hi]; an omitted bound is the array's own. A NULL
// array or bound gives NULL; bounds outside the array are clamped, and an
// empty range gives the empty array.
func arraySlice(arr, lo, hi expr.Expr) expr.Expr {
	args := []expr.Expr{arr}
	hasLo, hasHi := lo != nil, hi != nil
	if hasLo {
		args = append(args, lo)
	}
	if hasHi {
		args = append(args, hi)
	}
	t := arr.Type()
	return &expr.Call{Name: "array_slice", Args: args, T: t, Kernel: functions.RowWise(func([]types.T) types.T { return t }, true,
		func(_ *functions.Ctx, v []types.Value) (types.Value, error) {
			a := v[0].([]any)
			from, to := int64(1), int64(len(a))
			k := 1
			if hasLo {
				from = max(from, v[k].(int64))
				k++
			}
			if hasHi {
				to = min(to, v[k].(int64))
			}
			if from > to {
				return []any{}, nil
			}
			return append([]any(nil), a[from-1:to]...), nil
		})}
}

// bindJSONBSubscript binds j[s] as jsonb_subscript_transform does: a
// subscript of a type implicitly castable to integer is a position, one
// castable to text (or an untyped literal) a key, anything else 42804; a
// position is looked up as its text, so it also finds an object's key
// "0". Slices are refused, as PostgreSQL refuses them.
func (b *Binder) bindJSONBSubscript(doc expr.Expr, x *ast.Subscript, sc *scope) (expr.Expr, error) {
	if x.Slice {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "jsonb subscript does not support slices")
	}
	i, err := b.bindExpr(x.Index, sc)
	if err != nil {
		return nil, err
	}
	switch from := i.Type(); {
	case from.Kind == types.Unknown:
	case from.Kind == types.Int4 || implicitCost(from, types.Int4T) >= 0:
		if i, err = b.coerce(i, types.Int4T, false); err != nil {
			return nil, err
		}
	case from.IsString() || implicitCost(from, types.TextT) >= 0:
	default:
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "subscript type %s is not supported", from.String()).
			WithHint("jsonb subscript must be coercible to either integer or text.")
	}
	if i, err = b.coerce(i, types.TextT, true); err != nil {
		return nil, err
	}
	return b.callScalar("jsonb_extract_path", []expr.Expr{doc, i})
}
