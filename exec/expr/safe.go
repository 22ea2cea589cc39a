package expr

import "github.com/lakeq/lakeq/types"

// CannotFail reports an expression that raises no error on any row:
// columns, constants, comparisons, boolean logic, NULL tests, IN lists of
// constants, LIKE with a constant pattern, widening casts. AND, OR and a
// filter's conjuncts evaluate an expression that may fail (a division, a
// narrowing cast, a jsonb operator) only on the rows the ones before it
// left undecided, as PostgreSQL and DuckDB do: `x <> 0 AND 10 / x > 2`
// must not divide by zero. One that cannot fail runs on the whole batch,
// which is cheaper than gathering the undecided rows first.
func CannotFail(e Expr) bool {
	switch x := e.(type) {
	case *Col, *Const, *Param, *OuterRef:
		return true
	case *And:
		return allCannotFail(x.Args)
	case *Or:
		return allCannotFail(x.Args)
	case *Not:
		return CannotFail(x.X)
	case *IsNull:
		return CannotFail(x.X)
	case *BoolTest:
		return CannotFail(x.X)
	case *IsDistinct:
		return CannotFail(x.L) && CannotFail(x.R)
	case *Call:
		switch x.Name {
		case "=", "<>", "!=", "<", "<=", ">", ">=":
			return allCannotFail(x.Args)
		}
	case *Cast:
		return widening(x.X.Type(), x.To) && CannotFail(x.X)
	case *InList:
		if !CannotFail(x.X) {
			return false
		}
		for _, v := range x.List {
			if _, ok := v.(*Const); !ok {
				return false
			}
		}
		return true
	case *Like:
		_, pc := x.Pattern.(*Const)
		esc := x.Escape == nil
		if !esc {
			_, esc = x.Escape.(*Const)
		}
		return pc && esc && !x.Similar && CannotFail(x.X)
	}
	return false
}

func allCannotFail(es []Expr) bool {
	for _, e := range es {
		if !CannotFail(e) {
			return false
		}
	}
	return true
}

// widening reports a cast every value of from survives (the same type,
// an integer to a wider one, to a float or an unconstrained numeric, a
// date to a timestamp).
func widening(from, to types.T) bool {
	f, t := from.Kind, to.Kind
	switch {
	case from.String() == to.String():
		return true
	case from.IsInteger() && to.IsInteger():
		return types.NumericRank(f) <= types.NumericRank(t)
	case from.IsInteger() && (t == types.Float8 || t == types.Numeric && to.Prec == 0):
		return true
	case f == types.Float4 && t == types.Float8:
		return true
	case f == types.Date && t == types.Timestamp:
		return true
	}
	return false
}
