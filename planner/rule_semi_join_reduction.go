package planner

import "github.com/lakeq/lakeq/exec/expr"

// semiJoinReduction restricts an aggregate that an inner join matches on
// one of its group keys to the key values the other side can supply. A
// decorrelated scalar subquery (TPC-H q17's average quantity per part,
// q20's sum per part and supplier) becomes an aggregate over all of
// lineitem joined to a few outer rows; with the reduction, lineitem is
// first semi-joined to the filtered input that supplies the outer key,
// and only the groups the join can use are aggregated — DuckDB reaches
// the same plan through its delim joins. The supplying input is read
// through a shared WITH-style scan, so it runs once for both uses.
func semiJoinReduction(rc *RuleCtx, n Node) (Node, error) {
	ch := n.Children()
	if len(ch) > 0 {
		nc := make([]Node, len(ch))
		for i, c := range ch {
			r, err := semiJoinReduction(rc, c)
			if err != nil {
				return nil, err
			}
			nc[i] = r
		}
		n = n.WithChildren(nc)
	}
	j, ok := n.(*Join)
	if !ok || j.Type != JoinInner || j.Cond == nil {
		return n, nil
	}
	for _, side := range []int{1, 0} {
		aggSide, other := j.Right, j.Left
		if side == 0 {
			aggSide, other = j.Left, j.Right
		}
		agg, keyOf := groupKeys(aggSide)
		if agg == nil {
			continue
		}
		for _, p := range splitConjuncts(j.Cond) {
			l, r, ok := colEquality(p)
			if !ok {
				continue
			}
			outerCol, keyCol := l, r
			if _, isKey := keyOf[keyCol.ID]; !isKey {
				outerCol, keyCol = r, l
			}
			input, isKey := keyOf[keyCol.ID]
			if !isKey || !colSet(other)[outerCol.ID] {
				continue
			}
			src := reductionSource(other, outerCol.ID)
			if src == nil || !filtered(src) || !sameType(input.Type(), outerCol.Type()) {
				continue
			}
			// src is read twice: once where it is, once for the semi join
			shared := &SharedCTE{Plan: src, refs: 2, optimized: true}
			first := &CTEScan{Name: "semi-join source", Shared: shared, Cols: src.Columns()}
			fresh := rc.b.freshCols(src.Columns())
			second := &CTEScan{Name: "semi-join source", Shared: shared, Cols: fresh}
			var freshOuter Column
			for i, col := range src.Columns() {
				if col.ID == outerCol.ID {
					freshOuter = fresh[i]
				}
			}
			keys := &Project{Input: second, Exprs: []expr.Expr{colRef(freshOuter)}, Cols: []Column{freshOuter}}
			agg.Input = &Join{Type: JoinSemi, Left: agg.Input, Right: keys, Cond: eqCall(input, colRef(freshOuter))}
			newOther := replaceNode(other, src, first)
			c2 := *j
			if side == 0 {
				c2.Right = newOther
			} else {
				c2.Left = newOther
			}
			return &c2, nil
		}
	}
	return n, nil
}

// groupKeys finds an Aggregate (under projections that pass its key
// columns through) and maps the ids its parent sees for group keys that
// are plain input columns to those input expressions.
func groupKeys(n Node) (*Aggregate, map[ColumnID]expr.Expr) {
	var rename map[ColumnID]ColumnID // parent's id → aggregate output id
	for {
		p, ok := n.(*Project)
		if !ok {
			break
		}
		m := map[ColumnID]ColumnID{}
		for i, e := range p.Exprs {
			if c, ok := e.(*expr.Col); ok {
				src := c.ID
				if rename != nil {
					// compose with the projection above
					for k, v := range rename {
						if v == p.Cols[i].ID {
							m[k] = src
						}
					}
				} else {
					m[p.Cols[i].ID] = src
				}
			}
		}
		rename = m
		n = p.Input
	}
	a, ok := n.(*Aggregate)
	if !ok || a.Sets != nil {
		return nil, nil
	}
	out := map[ColumnID]expr.Expr{}
	for i, k := range a.Keys {
		if _, ok := k.(*expr.Col); !ok {
			continue
		}
		id := a.KeyCols[i].ID
		if rename == nil {
			out[id] = k
			continue
		}
		for parent, aggID := range rename {
			if aggID == id {
				out[parent] = k
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return a, out
}

// reductionSource is the input under n that supplies column id through
// inner joins only: every value of id in n's rows is one of its rows'.
func reductionSource(n Node, id ColumnID) Node {
	switch x := n.(type) {
	case *Join:
		switch x.Type {
		case JoinInner, JoinCross:
			if colSet(x.Left)[id] {
				return reductionSource(x.Left, id)
			}
			if colSet(x.Right)[id] {
				return reductionSource(x.Right, id)
			}
			return nil
		case JoinSemi, JoinAnti, JoinNullAnti:
			return n
		}
		return nil
	case *Filter, *Project, *Scan:
		return n
	}
	return nil
}

// replaceNode returns n with the subtree old (by identity) replaced.
func replaceNode(n, old, with Node) Node {
	if n == old {
		return with
	}
	ch := n.Children()
	if len(ch) == 0 {
		return n
	}
	nc := make([]Node, len(ch))
	changed := false
	for i, c := range ch {
		nc[i] = replaceNode(c, old, with)
		changed = changed || nc[i] != c
	}
	if !changed {
		return n
	}
	return n.WithChildren(nc)
}

func sameType(a, b interface{ String() string }) bool { return a.String() == b.String() }
