package planner

import "github.com/lakeq/lakeq/exec/expr"

// singleDistinct turns an aggregate whose calls are all DISTINCT over one
// argument into two groupings (DataFusion's SingleDistinctToGroupBy):
//
//	SELECT k, count(DISTINCT x), sum(DISTINCT x) FROM t GROUP BY k
//
// becomes count(x) and sum(x) grouped by k over t grouped by (k, x). The
// de-duplication is then a hash aggregate: it runs on every worker and
// spills past memory_limit, where the DISTINCT buffers of each group did
// neither (a count(DISTINCT) of millions of values failed with 53200).
// NULL x forms a group of its own below and is ignored above, as
// DISTINCT ignores it; an empty input still gives the global aggregate's
// one row. Only calls that read each distinct value once — count, sum,
// avg, min, max — without FILTER or ORDER BY are rewritten, and not a
// grouped count(DISTINCT) of integers, whose integer sets are cheaper.
func singleDistinct(rc *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		a, ok := n.(*Aggregate)
		if !ok || a.Sets != nil || len(a.Aggs) == 0 {
			return n, nil
		}
		var arg expr.Expr
		for _, c := range a.Aggs {
			if !c.Distinct || c.Filter != nil || len(c.OrderBy) > 0 || c.WithinKey || c.Star || len(c.Args) != 1 {
				return n, nil
			}
			switch c.Name {
			case "count", "sum", "avg", "min", "max":
			default:
				return n, nil
			}
			if arg == nil {
				arg = c.Args[0]
			} else if exprKey(arg) != exprKey(c.Args[0]) {
				return n, nil
			}
		}
		if isVolatile(arg) {
			return n, nil
		}
		// grouped count(DISTINCT integer) keeps its per-group integer
		// sets: cheaper than grouping again by the (often text) keys —
		// TPC-H q16 took 84 ms rewritten, 49 ms not
		if len(a.Keys) > 0 && allCounts(a.Aggs) && isIntegral(arg.Type()) {
			return n, nil
		}
		inner := &Aggregate{Input: a.Input, eager: a.eager}
		outer := &Aggregate{Input: inner, KeyCols: a.KeyCols, AggCols: a.AggCols, eager: a.eager}
		for i, k := range a.Keys {
			c := a.KeyCols[i]
			out := Column{ID: rc.NewID(), Name: c.Name, Type: c.Type, Table: c.Table}
			inner.Keys = append(inner.Keys, k)
			inner.KeyCols = append(inner.KeyCols, out)
			outer.Keys = append(outer.Keys, colRef(out))
		}
		val := Column{ID: rc.NewID(), Name: "distinct", Type: arg.Type()}
		inner.Keys = append(inner.Keys, arg)
		inner.KeyCols = append(inner.KeyCols, val)
		for _, c := range a.Aggs {
			c.Distinct = false
			c.Args = []expr.Expr{colRef(val)}
			outer.Aggs = append(outer.Aggs, c)
		}
		return outer, nil
	})
}

func allCounts(calls []AggCall) bool {
	for _, c := range calls {
		if c.Name != "count" {
			return false
		}
	}
	return true
}
