package planner

// pushSemiJoins moves semi and anti joins (what IN, EXISTS and their
// negations decorrelate into) below the inner joins and filters under
// them, onto the input whose columns their condition reads. The
// decorrelator leaves them on top of the whole FROM tree, where they
// filter only after every join has run; lower down they cut the rows
// the joins see. A semi/anti join's condition that reads only one
// input's columns decides each row of that input on its own, so
// filtering that input first yields the same rows.
func pushSemiJoins(_ *RuleCtx, n Node) (Node, error) { return pushSemi(n), nil }

func pushSemi(n Node) Node {
	if ch := n.Children(); len(ch) > 0 {
		nc := make([]Node, len(ch))
		for i, c := range ch {
			nc[i] = pushSemi(c)
		}
		n = n.WithChildren(nc)
	}
	j, ok := n.(*Join)
	if !ok || (j.Type != JoinSemi && j.Type != JoinAnti && j.Type != JoinNullAnti) || j.Cond == nil {
		return n
	}
	leftRefs := colsOf(j.Cond)
	inRight := colSet(j.Right)
	for id := range leftRefs {
		if inRight[id] {
			delete(leftRefs, id)
		}
	}
	// a semi join may move over the ones below it, too
	with := func(input Node) Node {
		c := *j
		c.Left = input
		return pushSemi(&c)
	}
	switch x := j.Left.(type) {
	case *Join:
		if x.Type != JoinInner && x.Type != JoinCross {
			return n
		}
		c := *x
		// Without cardinalities, a join whose other input is filtered
		// is taken to shrink the rows (q21: lineitem joined to one
		// nation's suppliers): the semi join stays above it and runs
		// on fewer rows. Joins to unfiltered inputs (foreign-key
		// lookups, q18's orders to lineitem) do not shrink them.
		switch {
		case within(leftRefs, colSet(x.Left)) && !filtered(x.Right):
			c.Left = with(x.Left)
		case within(leftRefs, colSet(x.Right)) && !filtered(x.Left):
			c.Right = with(x.Right)
		default:
			return n
		}
		return &c
	case *Filter:
		c := *x
		c.Input = with(x.Input)
		return &c
	}
	return n
}

// filtered reports whether a plan drops rows of its inputs by a filter or
// a semi/anti join somewhere below it.
func filtered(n Node) bool {
	switch x := n.(type) {
	case *Filter:
		return true
	case *Scan:
		if len(x.Filters) > 0 {
			return true
		}
	case *Join:
		if x.Type == JoinSemi || x.Type == JoinAnti || x.Type == JoinNullAnti {
			return true
		}
	}
	for _, c := range n.Children() {
		if filtered(c) {
			return true
		}
	}
	return false
}
