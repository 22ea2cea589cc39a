package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
)

// propagateEmpty replaces what can return no row with an empty Values
// node, as PostgreSQL's planner and DataFusion's PropagateEmptyRelation
// do: a filter with a conjunct that folded to false or NULL (WHERE
// false, x > NULL, a pushed-down contradiction), and from there every
// operator that yields nothing from nothing — projections, sorts,
// limits, windows, grouped aggregates, inner and semi joins with an
// empty side, outer joins with an empty preserved side, and LIMIT 0
// whatever its input. The scans below
// are never read (a join's other side included), and expressions on
// rows that cannot exist are never evaluated (a division by zero in a
// select list over WHERE false is not raised, as in PostgreSQL).
// A global aggregate (no GROUP BY) still returns its one row.
func propagateEmpty(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		if isEmpty(n) {
			return n, nil
		}
		if yieldsNothing(n) {
			return &Values{Cols: append([]Column(nil), n.Columns()...)}, nil
		}
		return n, nil
	})
}

// isEmpty reports an empty Values node.
func isEmpty(n Node) bool {
	v, ok := n.(*Values)
	return ok && len(v.Rows) == 0
}

// yieldsNothing reports whether n returns no row, given that its
// children have been rewritten already.
func yieldsNothing(n Node) bool {
	switch x := n.(type) {
	case *Filter:
		if isEmpty(x.Input) {
			return true
		}
		for _, c := range splitConjuncts(x.Cond) {
			if k, ok := c.(*expr.Const); ok && (k.V == nil || k.V == false) {
				return true
			}
		}
	case *Limit:
		// LIMIT 0 (and FETCH FIRST 0 ROWS [WITH TIES]) reads nothing, as
		// PostgreSQL's Limit node never runs its input then
		return x.Count == 0 || isEmpty(x.Input)
	case *Project, *Sort, *Distinct, *DistinctOn, *Window:
		return isEmpty(n.Children()[0])
	case *Aggregate:
		// grouping sets may hold the empty set, which makes a row
		return isEmpty(x.Input) && len(x.Keys) > 0 && x.Sets == nil
	case *Join:
		l, r := isEmpty(x.Left), isEmpty(x.Right)
		switch x.Type {
		case JoinInner, JoinCross, JoinSemi:
			return l || r
		case JoinLeft, JoinAnti, JoinMark, JoinNullAnti:
			return l
		case JoinRight:
			return r
		case JoinFull:
			return l && r
		}
	}
	return false
}
