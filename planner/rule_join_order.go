package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
)

// joinOrder reorders trees of inner and cross joins. Up to dpMaxLeaves
// inputs whose predicates connect them all, it picks the tree of least
// estimated cost (dpOrder). Otherwise it builds left-deep trees so that
// no cross product is formed while a connected input remains: inputs
// keep their FROM order, except that the next input is the first one a
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
	if n := dpOrder(leaves, preds); n != nil {
		return n
	}
	leaves, preds = joinDimensionChains(leaves, preds)
	if len(leaves) == 1 {
		return wrap(leaves[0], preds)
	}
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

// joinDimensionChains joins a filtered input that only one other input
// references (besides the first, the driving one) to that input first,
// as its own subtree: region to nation, nation to supplier, and so on
// down a snowflake's dimension chain. The left-deep order would join it
// last, after every fact row had been joined to the dimensions the filter
// would have removed (TPC-H q11 joins 800,000 partsupp rows to suppliers
// before keeping Germany's; joined first, suppliers shrink to 400).
// Merged inputs may merge again, so chains fold up from their far end.
// Only inputs estimated no larger than the first take such merges.
func joinDimensionChains(leaves []Node, preds []expr.Expr) ([]Node, []expr.Expr) {
	for changed := true; changed && len(leaves) > 2; {
		changed = false
		sets := make([]map[ColumnID]bool, len(leaves))
		for i, l := range leaves {
			sets[i] = colSet(l)
		}
		for g := len(leaves) - 1; g >= 1 && !changed; g-- {
			if !filtered(leaves[g]) {
				continue
			}
			partner := -1
			for h := range leaves {
				if h == g {
					continue
				}
				for _, p := range preds {
					// partners are found through equi-join keys; another
					// predicate over both (q07's OR over two nations)
					// waits until its columns are joined anyway
					if !isEquiJoin(p) {
						continue
					}
					pc := colsOf(p)
					if anyIn(pc, sets[g]) && anyIn(pc, sets[h]) {
						if partner >= 0 && partner != h {
							partner = -2 // referenced by two inputs
						} else if partner != -2 {
							partner = h
						}
					}
				}
			}
			if partner < 0 {
				continue // unreferenced or referenced by several
			}
			// only onto a dimension: an input no larger than the driving
			// one (merging onto a fact table would join it in full before
			// the driving input's filters cut it — q8's lineitem)
			if estimateRows(leaves[partner]) > estimateRows(leaves[0]) {
				continue
			}
			both := union(sets[partner], sets[g])
			var conds, rest []expr.Expr
			for _, p := range preds {
				if pc := colsOf(p); len(pc) > 0 && within(pc, both) {
					conds = append(conds, p)
				} else {
					rest = append(rest, p)
				}
			}
			if len(conds) == 0 {
				continue
			}
			leaves[partner] = &Join{Type: JoinInner, Left: leaves[partner], Right: leaves[g], Cond: andOf(conds)}
			leaves = append(leaves[:g], leaves[g+1:]...)
			preds = rest
			changed = true
		}
	}
	return leaves, preds
}

// isEquiJoin reports a = b between two column expressions.
func isEquiJoin(e expr.Expr) bool {
	c, ok := e.(*expr.Call)
	return ok && c.Name == "=" && len(c.Args) == 2 && len(colsOf(c.Args[0])) > 0 && len(colsOf(c.Args[1])) > 0
}
