package planner

// optimizeCTEs optimizes the plan of every WITH query still read through
// a CTEScan. inline_ctes does this for the scans it meets, but a scan
// inside a subquery that decorrelation later turns into a join arrives
// after it ran: its plan would otherwise run exactly as bound (TPC-DS
// q95's self-join of web_sales stayed a cross join under a filter).
func optimizeCTEs(rc *RuleCtx, n Node) (Node, error) {
	var err error
	var visit func(Node)
	visit = func(n Node) {
		if c, ok := n.(*CTEScan); ok && !c.Shared.optimized {
			c.Shared.optimized = true
			p, e := Optimize(c.Shared.Plan, rc.b)
			if e != nil {
				err = e
				return
			}
			c.Shared.Plan = p
		}
		for _, ch := range n.Children() {
			visit(ch)
		}
	}
	visit(n)
	return n, err
}
