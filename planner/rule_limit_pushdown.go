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
		// A LIMIT straight over a UNION ALL recursive query (through
		// projections) stops its iteration once it has the rows: the
		// rows come anchor first, then each iteration's in turn, as
		// PostgreSQL's pull of the first N rows sees them, and a query
		// without a stop condition (WITH RECURSIVE t(n) AS (VALUES (1)
		// UNION ALL SELECT n+1 FROM t) … LIMIT 10) ends.
		var path []*Project
		in := l.Input
		for {
			p, ok := in.(*Project)
			if !ok {
				break
			}
			path = append(path, p)
			in = p.Input
		}
		if r, ok := in.(*RecursiveCTE); ok && !r.Union {
			rc := *r
			rc.MaxRows = l.Count + l.Offset
			var out Node = &rc
			for i := len(path) - 1; i >= 0; i-- {
				p := *path[i]
				p.Input = out
				out = &p
			}
			c := *l
			c.Input = out
			return &c, nil
		}
		return n, nil
	})
}
