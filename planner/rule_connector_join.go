package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// JoinTableSource is a table source that can join itself with another
// table of the same source at the source (two tables of one mounted
// database). PushJoin returns the joined table — this scan's columns cols,
// then the other's ocols — matched on the column pairs on (this table's
// column, the other's), or nil when the other table is not of the same
// source or the source does not join them as lakeq would.
type JoinTableSource interface {
	PushJoin(cols []int, other TableSource, ocols []int, on [][2]int) *Table
}

// pushConnectorJoins replaces an inner join of two scans of one source on
// column equalities (Trino's applyJoin) by a scan of the joined table,
// with the sides' filters and the join's other conditions above it, where
// the next rules offer them, and an aggregate or limit over them, to the
// source too. Only rows of the join leave the source.
func pushConnectorJoins(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		j, ok := n.(*Join)
		if !ok || j.Type != JoinInner || j.MarkCol != nil || j.Cond == nil {
			return n, nil
		}
		ls, lconds, lres := joinSide(j.Left)
		rs, rconds, rres := joinSide(j.Right)
		if ls == nil || rs == nil {
			return n, nil
		}
		src, ok := ls.Table.Source.(JoinTableSource)
		if !ok {
			return n, nil
		}
		lidx, ridx := map[ColumnID]int{}, map[ColumnID]int{}
		byID := map[ColumnID]Column{}
		for i, c := range ls.Cols {
			lidx[c.ID], byID[c.ID] = ls.ColIdx[i], c
		}
		for i, c := range rs.Cols {
			ridx[c.ID], byID[c.ID] = rs.ColIdx[i], c
		}
		// a column above a side's projections, as the scan's column
		resolve := func(id ColumnID) (ColumnID, bool) {
			if r, ok := lres(id); ok {
				return r, true
			}
			return rres(id)
		}
		lt := func(id ColumnID) types.T { return byID[id].Type }
		var on [][2]int
		var rest []expr.Expr
		for _, c := range splitConjuncts(j.Cond) {
			// the condition over the scans' columns
			var bad bool
			c = expr.Transform(c, func(x expr.Expr) expr.Expr {
				if col, ok := x.(*expr.Col); ok {
					id, ok := resolve(col.ID)
					if !ok {
						bad = true
						return x
					}
					return colRef(byID[id])
				}
				return x
			})
			if bad {
				return n, nil
			}
			if call, ok := c.(*expr.Call); ok && call.Name == "=" && len(call.Args) == 2 {
				a, aok := call.Args[0].(*expr.Col)
				b, bok := call.Args[1].(*expr.Col)
				if aok && bok {
					if _, ok := lidx[a.ID]; !ok {
						a, b = b, a
					}
					li, lok := lidx[a.ID]
					ri, rok := ridx[b.ID]
					if lok && rok && sameKeyType(lt(a.ID), lt(b.ID)) {
						on = append(on, [2]int{li, ri})
						continue
					}
				}
			}
			rest = append(rest, c)
		}
		if len(on) == 0 {
			return n, nil
		}
		t := src.PushJoin(ls.ColIdx, rs.Table.Source, rs.ColIdx, on)
		if t == nil {
			return n, nil
		}
		cols := append(append([]Column{}, ls.Cols...), rs.Cols...)
		idx := make([]int, len(cols))
		for i := range idx {
			idx[i] = i
		}
		var out Node = &Scan{Table: t, Cols: cols, ColIdx: idx}
		conds := append(append(lconds, rconds...), rest...)
		if len(conds) > 0 {
			out = &Filter{Input: out, Cond: andOf(conds)}
		}
		// the join's own output columns, as its sides' projections made them
		want := j.Columns()
		es := make([]expr.Expr, len(want))
		for i, c := range want {
			id, ok := resolve(c.ID)
			if !ok {
				return n, nil
			}
			es[i] = colRef(byID[id])
		}
		return &Project{Input: out, Exprs: es, Cols: want}, nil
	})
}

// joinSide peels a join side down to its scan: projections that pass
// columns through (any number) and one filter. resolve maps a column
// above them to the scan's column.
func joinSide(in Node) (*Scan, []expr.Expr, func(ColumnID) (ColumnID, bool)) {
	var projs []*Project
	var conds []expr.Expr
	filtered := false
	for {
		switch x := in.(type) {
		case *Project:
			for _, e := range x.Exprs {
				if _, ok := e.(*expr.Col); !ok {
					return nil, nil, nil
				}
			}
			projs, in = append(projs, x), x.Input
			continue
		case *Filter:
			if filtered {
				return nil, nil, nil
			}
			filtered = true
			conds, in = splitConjuncts(x.Cond), x.Input
			continue
		}
		break
	}
	s, ok := in.(*Scan)
	if !ok || s.Sample != nil { // a sample is lakeq's to draw
		return nil, nil, nil
	}
	inScan := map[ColumnID]bool{}
	for _, c := range s.Cols {
		inScan[c.ID] = true
	}
	resolve := func(id ColumnID) (ColumnID, bool) {
		for _, p := range projs {
			for i, c := range p.Cols {
				if c.ID == id {
					id = p.Exprs[i].(*expr.Col).ID
					break
				}
			}
		}
		return id, inScan[id]
	}
	// a filter above a projection refers to the projection's columns
	for i, c := range conds {
		var bad bool
		conds[i] = expr.Transform(c, func(x expr.Expr) expr.Expr {
			if col, ok := x.(*expr.Col); ok {
				id, ok := resolve(col.ID)
				if !ok {
					bad = true
					return x
				}
				cc := *col
				cc.ID = id
				return &cc
			}
			return x
		})
		if bad {
			return nil, nil, nil
		}
	}
	return s, conds, resolve
}

// sameKeyType: join keys a source compares as lakeq does — the same kind
// (strings of any string kind).
func sameKeyType(a, b types.T) bool {
	if a.IsString() && b.IsString() {
		return true
	}
	return a.Kind == b.Kind && a.Kind != types.Float4 && a.Kind != types.Float8 && a.Kind != types.JSON && a.Kind != types.JSONB && a.Kind != types.Array
}
