package planner

// inlineCTEs replaces scans of WITH queries referenced once by their
// plans, and optimizes, once, the plans of those that stay shared.
func inlineCTEs(rc *RuleCtx, n Node) (Node, error) {
	var err error
	var visit func(Node) Node
	visit = func(n Node) Node {
		if c, ok := n.(*CTEScan); ok {
			if !c.materialized() && c.Shared.sameIDs(c.Cols) {
				return visit(c.Shared.Plan)
			}
			if !c.Shared.optimized {
				c.Shared.optimized = true
				p, e := Optimize(c.Shared.Plan, rc.b)
				if e != nil {
					err = e
				} else {
					c.Shared.Plan = p
				}
			}
			return n
		}
		ch := n.Children()
		if len(ch) == 0 {
			return n
		}
		nc := make([]Node, len(ch))
		for i, c := range ch {
			nc[i] = visit(c)
		}
		return n.WithChildren(nc)
	}
	out := visit(n)
	return out, err
}
