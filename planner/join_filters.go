package planner

import (
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// scanJoinFilters are the join filters (exec.JoinFilter) that reach one
// scan: each with the table column it restricts.
type scanJoinFilters struct {
	list []scanJoinFilter
	// dyn are bounds a top-N above tightens while the scan runs
	// (topn_bound.go), handed to the morsels that can apply them
	dyn []*storage.DynBound
	// built counts the physical scans made of the logical one: a plan
	// node reached twice would read for both uses, so it takes no filter
	built int
}

type scanJoinFilter struct {
	f   *exec.JoinFilter
	col *expr.Col // resolved to the table column index, as tableFilters are
}

// joinFilters is the scan's entry, made on first use by either the scan
// or a join above it (the scan's listing reads it at run time).
func (pb *physBuilder) joinFilters(s *Scan) *scanJoinFilters {
	if pb.scanFilters == nil {
		pb.scanFilters = map[*Scan]*scanJoinFilters{}
	}
	sf := pb.scanFilters[s]
	if sf == nil {
		sf = &scanJoinFilters{}
		pb.scanFilters[s] = sf
	}
	return sf
}

// pending reports filters not yet published: listing the scan ahead of
// the run (for progress and pricing) would read what they would skip.
func (sf *scanJoinFilters) pending() bool {
	if sf.built > 1 {
		return false
	}
	for _, j := range sf.list {
		if _, _, _, _, ok := j.f.State(); !ok {
			return true
		}
	}
	return false
}

// exprs are the published filters as scan filters over table columns;
// none is true when a build side had no key, so the scan reads nothing.
func (sf *scanJoinFilters) exprs() (out []expr.Expr, none bool) {
	if sf == nil || sf.built > 1 {
		return nil, false
	}
	for _, j := range sf.list {
		lo, hi, vals, empty, ok := j.f.State()
		if !ok {
			continue
		}
		if empty {
			return nil, true
		}
		if len(vals) > 0 {
			list := make([]expr.Expr, len(vals))
			for i, v := range vals {
				list[i] = keyConst(j.col.T, v)
			}
			out = append(out, &expr.InList{X: j.col, List: list, Eq: functions.CompareKernel("=", j.col.T)})
			continue
		}
		out = append(out,
			&expr.Call{Name: ">=", Kernel: functions.CompareKernel(">=", j.col.T), Args: []expr.Expr{j.col, keyConst(j.col.T, lo)}, T: types.BoolT},
			&expr.Call{Name: "<=", Kernel: functions.CompareKernel("<=", j.col.T), Args: []expr.Expr{j.col, keyConst(j.col.T, hi)}, T: types.BoolT})
		if blo, bits := j.f.Bits(); bits != nil {
			out = append(out, &expr.KeySet{X: j.col, Keys: &types.KeyBits{Lo: blo, Bits: bits}})
		}
	}
	return out, false
}

func keyConst(t types.T, v int64) expr.Expr {
	if t.Kind == types.Date {
		return &expr.Const{V: types.DateVal(v), T: t}
	}
	return &expr.Const{V: v, T: t}
}

// filterableKey reports a join key type a JoinFilter describes.
func filterableKey(t types.T) bool {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Date:
		return true
	}
	return false
}

// addJoinFilters gives the probe-side scans that produce the probe keys
// of a join whose probe rows without a match are dropped a filter from
// its build keys. probe is the probe side's plan, keys the logical probe
// and build key pairs.
func (pb *physBuilder) addJoinFilters(build *exec.JoinBuild, probe Node, probeKeys, buildKeys []expr.Expr) {
	for i, pk := range probeKeys {
		c, ok := pk.(*expr.Col)
		if !ok || !filterableKey(c.T) || !c.T.Equal(buildKeys[i].Type()) {
			continue
		}
		s, idx := scanOf(probe, c.ID)
		if s == nil || idx < 0 || idx >= len(s.Table.Columns) || !s.Table.Columns[idx].Type.Equal(c.T) {
			continue
		}
		f := &exec.JoinFilter{Key: i}
		build.Filters = append(build.Filters, f)
		sf := pb.joinFilters(s)
		sf.list = append(sf.list, scanJoinFilter{f: f, col: &expr.Col{ID: c.ID, Idx: idx, T: c.T, Name: c.Name}})
	}
}

// scanOf follows column id down to the scan that reads it, through nodes
// that pass rows on or drop them (filters, projections that copy the
// column, inner joins, the kept side of semi joins and of left joins):
// dropping a row there whose key no build row has only drops what the
// join would drop. Nil when the column is computed or comes through
// anything else.
func scanOf(n Node, id ColumnID) (*Scan, int) {
	switch x := n.(type) {
	case *Scan:
		for i, c := range x.Cols {
			if c.ID == id {
				return x, x.ColIdx[i]
			}
		}
	case *Filter:
		return scanOf(x.Input, id)
	case *Project:
		for i, c := range x.Cols {
			if c.ID == id {
				if col, ok := x.Exprs[i].(*expr.Col); ok {
					return scanOf(x.Input, col.ID)
				}
				return nil, -1
			}
		}
	case *Join:
		inLeft := colSet(x.Left)[id]
		switch x.Type {
		case JoinInner, JoinCross:
			if inLeft {
				return scanOf(x.Left, id)
			}
			return scanOf(x.Right, id)
		case JoinSemi, JoinAnti, JoinLeft:
			if inLeft {
				return scanOf(x.Left, id)
			}
		}
	}
	return nil, -1
}
