package engine

import (
	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// connectorFilter turns a scan filter (columns resolved to table column
// indices) into the connector SPI's form, or false when some part has no
// counterpart there with the same semantics — the filter then stays in
// lakeq alone (it runs above the scan either way).
func connectorFilter(e expr.Expr) (connectors.Expr, bool) {
	switch x := e.(type) {
	case *expr.Col:
		return connectors.ColRef{Col: x.Idx, Type: x.T}, true
	case *expr.Const:
		return connectors.Const{Value: x.V, Type: x.T}, true
	case *expr.Cast:
		// a column widened for a comparison (int4 to int8, char(n) to
		// text) compares the same at the source
		c, ok := x.X.(*expr.Col)
		if !ok || !sameComparison(c.T, x.To) {
			return nil, false
		}
		return connectors.ColRef{Col: c.Idx, Type: c.T}, true
	case *expr.Call:
		switch x.Name {
		case "=", "<>", "<", "<=", ">", ">=":
		default:
			return nil, false
		}
		return connectorCall(x.Name, x.Args...)
	case *expr.And:
		return connectorCall("and", x.Args...)
	case *expr.Or:
		return connectorCall("or", x.Args...)
	case *expr.Not:
		return connectorCall("not", x.X)
	case *expr.IsNull:
		if x.Not {
			return connectorCall("notnull", x.X)
		}
		return connectorCall("isnull", x.X)
	case *expr.InList:
		for _, v := range x.List {
			if _, ok := v.(*expr.Const); !ok {
				return nil, false
			}
		}
		in, ok := connectorCall("in", append([]expr.Expr{x.X}, x.List...)...)
		if !ok || !x.Not {
			return in, ok
		}
		return connectors.Call{Op: "not", Args: []connectors.Expr{in}}, true
	case *expr.Like:
		// PostgreSQL's LIKE with its default escape (backslash), which
		// MySQL's LIKE shares; ILIKE and SIMILAR TO stay in lakeq
		if x.CI || x.Similar || x.Escape != nil {
			return nil, false
		}
		if _, ok := x.Pattern.(*expr.Const); !ok {
			return nil, false
		}
		op := "like"
		if x.Not {
			op = "notlike"
		}
		return connectorCall(op, x.X, x.Pattern)
	}
	return nil, false
}

func connectorCall(op string, args ...expr.Expr) (connectors.Expr, bool) {
	out := make([]connectors.Expr, len(args))
	for i, a := range args {
		c, ok := connectorFilter(a)
		if !ok {
			return nil, false
		}
		out[i] = c
	}
	return connectors.Call{Op: op, Args: out}, true
}

// sameComparison reports a cast under which a column compares at the
// source as lakeq compares it cast: integer widening, integers to numeric
// or double, and between string types.
func sameComparison(from, to types.T) bool {
	switch {
	case from.IsInteger():
		return to.IsInteger() && intWidth(to) >= intWidth(from) || to.Kind == types.Numeric || to.Kind == types.Float8
	case from.IsString():
		return to.IsString()
	}
	return false
}

func intWidth(t types.T) int {
	return map[types.Kind]int{types.Int2: 2, types.Int4: 4, types.Int8: 8}[t.Kind]
}
