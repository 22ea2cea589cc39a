package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// Object identifier types. regclass, regtype, regnamespace and regrole
// values are OIDs (Kind Oid, the reg kind in Width): they compare and
// join as numbers and print as names. regproc is kept as the function's
// name (lakeq's pg_proc OIDs are not stable across versions, names are).

// regType is the Oid type tagged with a reg kind.
func regType(kind int32) types.T { return types.T{Kind: types.Oid, Width: kind} }

// isReg reports a reg* OID type.
func isReg(t types.T) bool { return t.Kind == types.Oid && t.Width != functions.RegNone }

// bindRegCast binds v::regclass (and the other reg types); ok is false
// when name is not one of them.
func (b *Binder) bindRegCast(v expr.Expr, name string) (expr.Expr, bool, error) {
	if name == "regproc" || name == "regprocedure" {
		if !v.Type().IsString() {
			e, err := b.coerce(v, types.TextT, true)
			return e, true, err
		}
		v, err := b.coerce(v, types.TextT, false)
		if err != nil {
			return nil, true, err
		}
		call := &expr.Call{Name: "regprocin", Args: []expr.Expr{v}, T: types.TextT,
			Kernel: functions.RowWise(func([]types.T) types.T { return types.TextT }, true,
				func(_ *functions.Ctx, a []types.Value) (types.Value, error) {
					return functions.RegProcIn(a[0].(string)), nil
				})}
		e, err := foldConst(b, call)
		return e, true, err
	}
	kind := functions.RegKind(name)
	if kind == functions.RegNone {
		return nil, false, nil
	}
	to := regType(kind)
	from := v.Type()
	if from.IsString() {
		v, err := b.coerce(v, types.TextT, false)
		if err != nil {
			return nil, true, err
		}
		call := &expr.Call{Name: name + "in", Args: []expr.Expr{v}, T: to,
			Kernel: functions.RowWise(func([]types.T) types.T { return to }, true,
				func(ctx *functions.Ctx, a []types.Value) (types.Value, error) {
					return functions.RegIn(ctx, kind, a[0].(string))
				})}
		e, err := foldConst(b, call)
		return e, true, err
	}
	if from.Kind != types.Oid && !from.IsInteger() {
		e, err := b.coerce(v, to, true) // reports the impossible cast
		return e, true, err
	}
	if c, ok := v.(*expr.Const); ok {
		return &expr.Const{V: c.V, T: to}, true, nil
	}
	return &expr.Cast{X: v, To: to}, true, nil
}

// regOut renders a reg* OID as its name (text).
func regOut(v expr.Expr) expr.Expr {
	kind := v.Type().Width
	return &expr.Call{Name: "regout", Args: []expr.Expr{v}, T: types.TextT,
		Kernel: functions.RowWise(func([]types.T) types.T { return types.TextT }, true,
			func(ctx *functions.Ctx, a []types.Value) (types.Value, error) {
				return functions.RegOut(ctx, kind, a[0].(int64))
			})}
}

// regOutput makes a query's reg* result columns text, so clients see
// names where PostgreSQL would print them (lakeq sends them as text).
// It also drops the hidden fields of composite items (compositeField).
func (b *Binder) regOutput(n Node) Node {
	cols := n.Columns()
	any := false
	for _, c := range cols {
		if isReg(c.Type) || isCompositeField(c.Name) {
			any = true
		}
	}
	if !any {
		return n
	}
	p := &Project{Input: n}
	for _, c := range cols {
		if isCompositeField(c.Name) {
			continue
		}
		e := colRef(c)
		t := c.Type
		if isReg(t) {
			e, t = regOut(e), types.TextT
		}
		p.Exprs = append(p.Exprs, e)
		p.Cols = append(p.Cols, b.newCol(c.Name, t, c.Table))
	}
	return p
}
