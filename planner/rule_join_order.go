package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
)

// joinOrder reorders trees of inner and cross joins left-deep so that no
// cross product is formed while a connected input remains: inputs keep
// their FROM order, except that the next input is the first one a
// predicate connects to those already joined. (Which side of each join
// is hashed is the physical planner's choice, by estimated size.)
func joinOrder(_ *RuleCtx, n Node) (Node, error) { return reorder(n), nil }

func reorder(n Node) Node {
	if j, ok := n.(*Join); ok && (j.Type == JoinInner || j.Type == JoinCross) {
		var leaves []Node
		var preds []expr.Expr
		flattenJoins(j, &leaves, &preds)
		for i, l := range leaves {
			leaves[i] = reorder(l)
		}
		if len(leaves) > 2 {
			return buildOrder(leaves, preds)
		}
		c := *j
		c.Left, c.Right = leaves[0], leaves[1]
		return &c
	}
	ch := n.Children()
	if len(ch) == 0 {
		return n
	}
	nc := make([]Node, len(ch))
	for i, c := range ch {
		nc[i] = reorder(c)
	}
	return n.WithChildren(nc)
}

func flattenJoins(n Node, leaves *[]Node, preds *[]expr.Expr) {
	if j, ok := n.(*Join); ok && (j.Type == JoinInner || j.Type == JoinCross) {
		flattenJoins(j.Left, leaves, preds)
		flattenJoins(j.Right, leaves, preds)
		*preds = append(*preds, splitConjuncts(j.Cond)...)
		return
	}
	*leaves = append(*leaves, n)
}

func buildOrder(leaves []Node, preds []expr.Expr) Node {
	sets := make([]map[ColumnID]bool, len(leaves))
	for i, l := range leaves {
		sets[i] = colSet(l)
	}
	first := 0
	used := map[int]bool{first: true}
	cur := copySet(sets[first])
	var node Node = leaves[first]
	usedPred := make([]bool, len(preds))
	for len(used) < len(leaves) {
		best, bestConnected := -1, false
		for i := range leaves {
			if used[i] {
				continue
			}
			connected := false
			for p, e := range preds {
				if usedPred[p] {
					continue
				}
				pc := colsOf(e)
				if anyIn(pc, sets[i]) && anyIn(pc, cur) && within(pc, union(cur, sets[i])) {
					connected = true
					break
				}
			}
			if best < 0 || (connected && !bestConnected) {
				best, bestConnected = i, connected
			}
		}
		used[best] = true
		next := union(cur, sets[best])
		var conds []expr.Expr
		for p, e := range preds {
			if !usedPred[p] && within(colsOf(e), next) {
				conds = append(conds, e)
				usedPred[p] = true
			}
		}
		jt := JoinCross
		if len(conds) > 0 {
			jt = JoinInner
		}
		node = &Join{Type: jt, Left: node, Right: leaves[best], Cond: andOf(conds)}
		cur = next
	}
	// predicates that read no column (constants) stay on top
	var rest []expr.Expr
	for p, e := range preds {
		if !usedPred[p] {
			rest = append(rest, e)
		}
	}
	return wrap(node, rest)
}

// estimateRows guesses a node's output rows.
func estimateRows(n Node) float64 {
	switch x := n.(type) {
	case *Scan:
		if x.Table.Rows > 0 {
			return float64(x.Table.Rows)
		}
		return 1000
	case *Values:
		return float64(len(x.Rows))
	case *Filter:
		return estimateRows(x.Input) * 0.25
	case *Aggregate:
		if len(x.Keys) == 0 {
			return 1
		}
		return estimateRows(x.Input) * 0.1
	case *Join:
		l, r := estimateRows(x.Left), estimateRows(x.Right)
		switch x.Type {
		case JoinSemi, JoinAnti, JoinNullAnti, JoinMark:
			return l
		case JoinCross:
			return l * r
		}
		return max(l, r)
	case *Limit:
		if x.Count >= 0 {
			return min(float64(x.Count), estimateRows(x.Input))
		}
	}
	ch := n.Children()
	if len(ch) == 1 {
		return estimateRows(ch[0])
	}
	total := 0.0
	for _, c := range ch {
		total += estimateRows(c)
	}
	if total == 0 {
		return 1000
	}
	return total
}
