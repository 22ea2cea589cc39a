package planner

import (
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/storage"
)

// DynamicMorsel is a morsel that applies bounds tightened while the scan
// runs (storage.DynBound): its reader skips the row groups and rows
// beyond them. Set before the morsel is read.
type DynamicMorsel interface {
	SetDynamic([]*storage.DynBound)
}

// topNBound gives a top-N whose first key is a column a scan below reads
// as it is a bound on that column, which the top-N tightens as it keeps
// rows and the scan's morsels apply as they are read: a row whose key
// sorts after a worker's N-th kept row cannot reach the result, and
// every node between (filters, projections that copy the column, inner
// joins, the kept side of semi and left joins: scanOf) passes the key
// unchanged or drops rows. Nil when the key is anything else.
func (pb *physBuilder) topNBound(x *Sort) *storage.DynBound {
	if x.Limit < 0 || len(x.Keys) == 0 {
		return nil
	}
	k := x.Keys[0]
	c, ok := k.Expr.(*expr.Col)
	if !ok || !storage.DynBoundType(c.T) {
		return nil
	}
	s, idx := scanOf(x.Input, c.ID)
	if s == nil || s.Sample != nil || idx < 0 || idx >= len(s.Table.Columns) || !s.Table.Columns[idx].Type.Equal(c.T) {
		return nil
	}
	b := storage.NewDynBound(idx, c.T, k.Desc, k.NullsFirst)
	sf := pb.joinFilters(s)
	sf.dyn = append(sf.dyn, b)
	return b
}

// giveBounds hands the scan's top-N bounds to the morsels that apply
// them (none when the scan is read for two uses: a bound from one is no
// bound on the other).
func (sf *scanJoinFilters) giveBounds(ms []exec.Morsel) {
	if sf == nil || sf.built > 1 || len(sf.dyn) == 0 {
		return
	}
	for _, m := range ms {
		if d, ok := m.(DynamicMorsel); ok {
			d.SetDynamic(sf.dyn)
		}
	}
}
