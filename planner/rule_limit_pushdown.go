package planner

// limitPushdown turns Limit over Sort into a top-N sort (the sort keeps
// only offset+count rows), optionally through a column-dropping Project.
func limitPushdown(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		l, ok := n.(*Limit)
		if !ok || l.Count < 0 {
			return n, nil
		}
		switch in := l.Input.(type) {
		case *Sort:
			s := *in
			s.Limit = l.Count + l.Offset
			c := *l
			c.Input = &s
			return &c, nil
		}
		return n, nil
	})
}
