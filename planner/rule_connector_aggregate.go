package planner

import (
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// AggregateTableSource is a table source that can evaluate a grouped
// aggregation at its source (a database connector): PushAggregate
// returns a table whose rows are the aggregation's — the group keys, then
// the aggregates, in order — when the source evaluates every filter and
// every aggregate with lakeq's semantics, or nil when it does not (the
// plan is then unchanged).
type AggregateTableSource interface {
	PushAggregate(filters []expr.Expr, keys []int, aggs []PushedAgg) *Table
}

// PushedAgg is an aggregate offered to a source: count (Col < 0: count(*)),
// sum, min or max of a table column.
type PushedAgg struct {
	Func     string
	Col      int
	Distinct bool
	Type     types.T // the result type lakeq gives it
}

// pushConnectorAggregates replaces Aggregate(Filter?(Scan)) by a scan of
// the aggregation's rows when the scan's source aggregates itself (Trino's
// applyAggregation): only the groups cross the wire. The filters must all
// be the source's too, or its groups would count rows lakeq drops.
func pushConnectorAggregates(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		a, ok := n.(*Aggregate)
		if !ok || a.Sets != nil || a.GIDCol != nil {
			return n, nil
		}
		in := a.Input
		var conds []expr.Expr
		if f, ok := in.(*Filter); ok {
			conds, in = splitConjuncts(f.Cond), f.Input
		}
		s, ok := in.(*Scan)
		if !ok || s.Sample != nil { // a sample is lakeq's to draw
			return n, nil
		}
		src, ok := s.Table.Source.(AggregateTableSource)
		if !ok {
			return n, nil
		}
		layout := tableLayout(s)
		tableCol := func(e expr.Expr) (int, bool) {
			c, ok := e.(*expr.Col)
			if !ok {
				return 0, false
			}
			idx, ok := layout[c.ID]
			return idx, ok
		}
		keys := make([]int, len(a.Keys))
		for i, k := range a.Keys {
			if keys[i], ok = tableCol(k); !ok {
				return n, nil
			}
		}
		aggs := make([]PushedAgg, len(a.Aggs))
		for i, ac := range a.Aggs {
			fn := strings.ToLower(ac.Name)
			if ac.Filter != nil || len(ac.OrderBy) > 0 || ac.WithinKey || (ac.Distinct && fn != "count") {
				return n, nil
			}
			pa := PushedAgg{Func: fn, Col: -1, Distinct: ac.Distinct, Type: ac.Ret}
			switch {
			case fn == "count" && ac.Star:
			case (fn == "count" || fn == "sum" || fn == "min" || fn == "max") && len(ac.Args) == 1:
				if pa.Col, ok = tableCol(ac.Args[0]); !ok {
					return n, nil
				}
			default:
				return n, nil
			}
			aggs[i] = pa
		}
		filters, ok := resolveAll(conds, layout)
		if !ok {
			return n, nil
		}
		t := src.PushAggregate(filters, keys, aggs)
		if t == nil {
			return n, nil
		}
		cols := a.Columns()
		idx := make([]int, len(cols))
		for i := range idx {
			idx[i] = i
		}
		return &Scan{Table: t, Alias: s.Alias, Cols: cols, ColIdx: idx}, nil
	})
}

// tableLayout maps a scan's columns to their table column indices.
func tableLayout(s *Scan) map[ColumnID]int {
	layout := map[ColumnID]int{}
	for i, c := range s.Cols {
		layout[c.ID] = s.ColIdx[i]
	}
	return layout
}

// resolveAll resolves conditions to a layout; false when one reads a
// column outside it.
func resolveAll(conds []expr.Expr, layout map[ColumnID]int) ([]expr.Expr, bool) {
	out := make([]expr.Expr, len(conds))
	for i, c := range conds {
		r, err := expr.Resolve(c, layout)
		if err != nil {
			return nil, false
		}
		out[i] = r
	}
	return out, true
}
