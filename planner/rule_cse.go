package planner

import (
	"sort"

	"github.com/lakeq/lakeq/exec/expr"
)

// commonSubexpressions computes once what several aggregate arguments of
// one Aggregate repeat: TPC-H q1 sums l_extendedprice*(1-l_discount) and
// that product times (1+l_tax). A Project below the Aggregate evaluates
// each repeated subexpression into a new column, and the arguments read
// the column. Expressions that are volatile or hold subqueries are left
// alone (evaluating them once would change results or their scope).
func commonSubexpressions(rc *RuleCtx, n Node) (Node, error) {
	for _, c := range n.Children() {
		if _, err := commonSubexpressions(rc, c); err != nil {
			return nil, err
		}
	}
	a, ok := n.(*Aggregate)
	if !ok {
		return n, nil
	}
	var pre []expr.Expr
	var preCols []Column
	for {
		counts := map[string]int{}
		sample := map[string]expr.Expr{}
		for _, ag := range a.Aggs {
			for _, arg := range ag.Args {
				expr.Walk(arg, func(x expr.Expr) bool {
					if c, ok := x.(*expr.Call); ok && len(c.Args) > 0 {
						k := expr.Key(c)
						counts[k]++
						sample[k] = c
					}
					return true
				})
			}
		}
		var cands []string
		for k, c := range counts {
			if e := sample[k]; c >= 2 && !isVolatile(e) && !hasSubquery(e) && !hasOuterRef(e) {
				cands = append(cands, k)
			}
		}
		if len(cands) == 0 {
			break
		}
		// the largest repeated expression first: its parts then repeat
		// only if they also occur outside it
		sort.Slice(cands, func(i, j int) bool {
			if len(cands[i]) != len(cands[j]) {
				return len(cands[i]) > len(cands[j])
			}
			return cands[i] < cands[j]
		})
		k := cands[0]
		e := sample[k]
		col := Column{ID: rc.NewID(), Name: "cse", Type: e.Type()}
		pre = append(pre, e)
		preCols = append(preCols, col)
		ref := colRef(col)
		for i := range a.Aggs {
			for j, arg := range a.Aggs[i].Args {
				a.Aggs[i].Args[j] = expr.Transform(arg, func(x expr.Expr) expr.Expr {
					if c, ok := x.(*expr.Call); ok && expr.Key(c) == k {
						return ref
					}
					return x
				})
			}
		}
	}
	if len(pre) == 0 {
		return n, nil
	}
	in := a.Input.Columns()
	p := &Project{Input: a.Input}
	for _, c := range in {
		p.Exprs = append(p.Exprs, colRef(c))
		p.Cols = append(p.Cols, c)
	}
	p.Exprs = append(p.Exprs, pre...)
	p.Cols = append(p.Cols, preCols...)
	a.Input = p
	return a, nil
}
