package planner

import "github.com/lakeq/lakeq/exec/expr"

// LimitTableSource is a table source that can stop after n rows at its
// source, in the order of keys when given (a database connector's LIMIT
// and ORDER BY … LIMIT). PushLimit returns the source to scan instead,
// reading the same columns, or nil when the source does not evaluate
// every filter, the order or the limit as lakeq would.
type LimitTableSource interface {
	PushLimit(cols []int, filters []expr.Expr, keys []PushedSortKey, n int64) TableSource
}

// PushedSortKey is one ORDER BY key offered to a source: a table column.
type PushedSortKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// pushConnectorLimits lets a source stop early under LIMIT n [OFFSET m]
// (through projections, a sort on columns and the scan's filter): it
// returns at most n+m rows, in the sort's order when there is one.
// Every node above the scan stays — lakeq still filters, sorts and
// limits — so the rewrite only spares the rows that could never make it
// through, and the answer cannot change.
func pushConnectorLimits(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		l, ok := n.(*Limit)
		if !ok || l.Count < 0 {
			return n, nil
		}
		// the chain below the limit, down to the scan: projections, at
		// most one sort and one filter, in any order
		var chain []Node
		var sort *Sort
		var conds []expr.Expr
		in := l.Input
	walk:
		for {
			switch x := in.(type) {
			case *Project:
				chain, in = append(chain, x), x.Input
			case *Sort:
				if sort != nil {
					return n, nil
				}
				sort = x
				chain, in = append(chain, x), x.Input
			case *Filter:
				if conds != nil {
					return n, nil
				}
				conds = splitConjuncts(x.Cond)
				chain, in = append(chain, x), x.Input
			default:
				break walk
			}
		}
		s, ok := in.(*Scan)
		if !ok || s.Sample != nil { // a sample is lakeq's to draw
			return n, nil
		}
		src, ok := s.Table.Source.(LimitTableSource)
		if !ok {
			return n, nil
		}
		layout := tableLayout(s)
		// a sort key is a column the projections below the sort pass
		// through from the scan
		below := func(id ColumnID) (ColumnID, bool) {
			past := false
			for _, x := range chain {
				if x == Node(sort) {
					past = true
					continue
				}
				p, ok := x.(*Project)
				if !ok || !past {
					continue
				}
				for i, c := range p.Cols {
					if c.ID != id {
						continue
					}
					in, ok := p.Exprs[i].(*expr.Col)
					if !ok {
						return 0, false
					}
					id = in.ID
					break
				}
			}
			return id, true
		}
		var keys []PushedSortKey
		if sort != nil {
			for _, k := range sort.Keys {
				c, ok := k.Expr.(*expr.Col)
				if !ok {
					return n, nil
				}
				id, ok := below(c.ID)
				if !ok {
					return n, nil
				}
				idx, ok := layout[id]
				if !ok {
					return n, nil // a key computed above the scan
				}
				keys = append(keys, PushedSortKey{Col: idx, Desc: k.Desc, NullsFirst: k.NullsFirst})
			}
		}
		filters, ok := resolveAll(conds, layout)
		if !ok {
			return n, nil
		}
		pushed := src.PushLimit(s.ColIdx, filters, keys, l.Count+l.Offset)
		if pushed == nil {
			return n, nil
		}
		t := *s.Table
		t.Source = pushed
		ns := *s
		ns.Table = &t
		// rebuild the chain over the new scan
		var out Node = &ns
		for i := len(chain) - 1; i >= 0; i-- {
			switch x := chain[i].(type) {
			case *Project:
				c := *x
				c.Input = out
				out = &c
			case *Sort:
				c := *x
				c.Input = out
				out = &c
			case *Filter:
				c := *x
				c.Input = out
				out = &c
			}
		}
		c := *l
		c.Input = out
		return &c, nil
	})
}
