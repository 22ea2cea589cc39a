package planner

import (
	"sort"

	"github.com/lakeq/lakeq/exec/expr"
)

// orderConjuncts puts the cheap conjuncts of an AND first. The Filter
// operator evaluates conjuncts in turn and, after a selective one, only
// on the rows left (exec.Filter), so comparing dates or integers before
// matching strings against IN lists or LIKE patterns saves the string
// work on the rows the cheap tests already dropped (TPC-H q12 tests
// l_shipmode IN (...) on all 6M rows otherwise). The order is stable:
// equal costs keep the query's order. A conjunct that may fail (a
// division, a cast of text: expr.CannotFail) never moves ahead of one
// written before it — it may be guarded by it (`s LIKE 'n%' AND
// substr(s, 2)::int > 0`) — so those come last, in the query's order.
func orderConjuncts(e expr.Expr) expr.Expr {
	and, ok := e.(*expr.And)
	if !ok {
		return e
	}
	var args, guarded []expr.Expr
	for _, a := range and.Args {
		if expr.CannotFail(a) {
			args = append(args, a)
		} else {
			guarded = append(guarded, a)
		}
	}
	sort.SliceStable(args, func(i, j int) bool { return exprCost(args[i]) < exprCost(args[j]) })
	return &expr.And{Args: append(args, guarded...)}
}

// exprCost is a rough per-row cost: string and pattern work weigh more
// than fixed-width arithmetic and comparisons; subqueries most.
func exprCost(e expr.Expr) int {
	cost := 0
	expr.Walk(e, func(x expr.Expr) bool {
		switch n := x.(type) {
		case *expr.Col:
			if n.T.IsString() {
				cost += 4
			} else {
				cost++
			}
		case *expr.Like:
			cost += 8
		case *expr.InList:
			cost += 2 + len(n.List)
		case *expr.Subquery:
			cost += 100
		case *expr.Call:
			cost++
		}
		return true
	})
	return cost
}
