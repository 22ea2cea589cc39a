package planner

import "github.com/lakeq/lakeq/exec/expr"

// RuleCtx is what a rule may use besides the plan: new column ids that
// do not collide with the binder's.
type RuleCtx struct{ b *Binder }

// NewID allocates a column id.
func (r *RuleCtx) NewID() ColumnID {
	r.b.nextID++
	return r.b.nextID
}

// Rule is one named rewrite of a logical plan.
type Rule struct {
	Name  string
	Apply func(*RuleCtx, Node) (Node, error)
}

// Rules returns the ordered list of optimizer passes.
func Rules() []Rule {
	return []Rule{
		{Name: "inline_ctes", Apply: inlineCTEs},
		{Name: "decorrelate_subqueries", Apply: decorrelateSubqueries},
		{Name: "unwrap_casts", Apply: unwrapCasts},
		{Name: "simplify_expressions", Apply: simplifyExpressions},
		{Name: "predicate_pushdown", Apply: predicatePushdown},
		{Name: "propagate_empty", Apply: propagateEmpty},
		{Name: "cte_filters", Apply: cteFilters},
		{Name: "single_distinct", Apply: singleDistinct},
		{Name: "multi_distinct", Apply: multiDistinct},
		{Name: "eager_aggregate", Apply: eagerAggregate},
		{Name: "join_order", Apply: joinOrder},
		{Name: "push_semi_joins", Apply: pushSemiJoins},
		{Name: "limit_pushdown", Apply: limitPushdown},
		{Name: "window_rank_limit", Apply: windowRankLimit},
		{Name: "prune_columns", Apply: pruneColumns},
		{Name: "connector_joins", Apply: pushConnectorJoins},
		{Name: "connector_aggregates", Apply: pushConnectorAggregates},
		{Name: "connector_limits", Apply: pushConnectorLimits},
		{Name: "semi_join_reduction", Apply: semiJoinReduction},
		{Name: "common_subexpressions", Apply: commonSubexpressions},
		{Name: "optimize_subqueries", Apply: optimizeSubqueries},
		{Name: "optimize_ctes", Apply: optimizeCTEs},
	}
}

// Optimize applies every rule in order; b is the binder that bound n.
func Optimize(n Node, b *Binder) (Node, error) {
	rc := &RuleCtx{b: b}
	want := n.Columns()
	var err error
	for _, r := range Rules() {
		if n, err = r.Apply(rc, n); err != nil {
			return nil, err
		}
	}
	// rules may add columns below the root (a mark join under a Filter):
	// the plan still returns exactly the columns it was bound with
	if !sameOrder(n.Columns(), want) {
		es := make([]expr.Expr, len(want))
		for i, c := range want {
			es[i] = colRef(c)
		}
		n = &Project{Input: n, Exprs: es, Cols: want}
	}
	return n, nil
}

// optimizeSubqueries runs the rules on the plans of subqueries that stay
// expressions (they were bound separately and are not children).
func optimizeSubqueries(rc *RuleCtx, n Node) (Node, error) {
	var err error
	var visit func(n Node)
	visit = func(n Node) {
		for _, e := range nodeExprs(n) {
			expr.Walk(e, func(x expr.Expr) bool {
				if sq, ok := x.(*expr.Subquery); ok {
					if lp, ok := sq.Plan.(*LogicalSubPlan); ok && !lp.optimized {
						lp.optimized = true
						if o, e2 := Optimize(lp.Node, rc.b); e2 != nil {
							err = e2
						} else {
							lp.Node = o
						}
					}
				}
				return true
			})
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
	return n, err
}

// transformUp rebuilds the tree bottom-up with f applied to every node.
func transformUp(n Node, f func(Node) (Node, error)) (Node, error) {
	ch := n.Children()
	if len(ch) > 0 {
		nc := make([]Node, len(ch))
		changed := false
		for i, c := range ch {
			r, err := transformUp(c, f)
			if err != nil {
				return nil, err
			}
			nc[i] = r
			if r != c {
				changed = true
			}
		}
		if changed {
			n = n.WithChildren(nc)
		}
	}
	return f(n)
}
