package engine

import (
	"sort"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// predsOf turns scan filters (columns resolved to table column indices)
// into column predicates a reader checks against statistics (row-group
// and file min/max, bucket values): column op constant, IN lists,
// IS [NOT] NULL.
func predsOf(filters []expr.Expr) []storage.Pred {
	flip := map[string]string{"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
	var out []storage.Pred
	var visit func(e expr.Expr)
	visit = func(e expr.Expr) {
		switch x := e.(type) {
		case *expr.And:
			for _, a := range x.Args {
				visit(a)
			}
		case *expr.Call:
			op, ok := flip[x.Name]
			if !ok || len(x.Args) != 2 {
				return
			}
			if p, ok := colPred(x.Args[0], x.Args[1], x.Name); ok {
				out = append(out, p)
			} else if p, ok := colPred(x.Args[1], x.Args[0], op); ok {
				out = append(out, p)
			}
		case *expr.InList:
			side := x.X
			var castTo *types.T
			if cst, ok := side.(*expr.Cast); ok && widening(cst.X.Type(), cst.To) {
				t := cst.To
				castTo, side = &t, cst.X
			}
			c, ok := side.(*expr.Col)
			if !ok || x.Not || c.T.Dyn {
				return
			}
			idx := c.Idx
			want := c.T
			if castTo != nil {
				want = *castTo
			}
			var vals []types.Value
			for _, e := range x.List {
				k, ok := e.(*expr.Const)
				if !ok || k.T.Kind != want.Kind {
					return
				}
				vals = append(vals, k.V)
			}
			out = append(out, storage.Pred{Col: idx, Op: "in", Vals: vals, CastTo: castTo, ColT: c.T})
		case *expr.KeySet:
			out = append(out, storage.Pred{Col: x.X.Idx, Op: "keys", Keys: x.Keys, ColT: x.X.T})
		case *expr.Or:
			out = append(out, orPreds(x)...)
		case *expr.IsNull:
			if c, ok := x.X.(*expr.Col); ok {
				op := "isnull"
				if x.Not {
					op = "notnull"
				}
				out = append(out, storage.Pred{Col: c.Idx, Op: op})
			}
		}
	}
	for _, f := range filters {
		visit(f)
	}
	return out
}

// orPreds are the column predicates an OR implies: for each column every
// branch bounds, the union of the branches' values when each names a
// finite set (x = 1 OR x IN (2, 3): x IN (1, 2, 3)), else the hull of
// their ranges (x BETWEEN 1 AND 2 OR x BETWEEN 5 AND 9: x >= 1 AND
// x <= 9, bounds made inclusive, which only widens them). What a branch
// does not bound leaves the column out; an implied predicate only lets
// the reader skip rows the OR itself rejects.
func orPreds(x *expr.Or) []storage.Pred {
	type bounds struct {
		set      []types.Value // nil: no finite set
		lo, hi   types.Value   // nil: unbounded
		castTo   *types.T
		colT     types.T
		branches int
	}
	by := map[int]*bounds{}
	var order []int
	less := func(a, b types.Value) bool { return types.Compare(a, b) < 0 }
	for bi, arg := range x.Args {
		mine := map[int]*bounds{}
		for _, p := range predsOf([]expr.Expr{arg}) {
			switch p.Op {
			case "=", "in", "<", "<=", ">", ">=":
				if len(p.Vals) == 0 {
					continue
				}
			default:
				continue
			}
			b := mine[p.Col]
			if b == nil {
				b = &bounds{castTo: p.CastTo, colT: p.ColT}
				mine[p.Col] = b
			} else if !sameCast(b.castTo, p.CastTo) {
				continue
			}
			switch p.Op {
			case "=", "in":
				if b.set == nil {
					b.set = p.Vals
				}
				vs := distinctValues(p.Vals)
				if b.lo == nil || less(b.lo, vs[0]) {
					b.lo = vs[0]
				}
				if b.hi == nil || less(vs[len(vs)-1], b.hi) {
					b.hi = vs[len(vs)-1]
				}
			case ">", ">=":
				if b.lo == nil || less(b.lo, p.Vals[0]) {
					b.lo = p.Vals[0]
				}
			case "<", "<=":
				if b.hi == nil || less(p.Vals[0], b.hi) {
					b.hi = p.Vals[0]
				}
			}
		}
		for col, b := range mine {
			if bi == 0 {
				b.branches = 1
				by[col] = b
				order = append(order, col)
				continue
			}
			u := by[col]
			if u == nil || u.branches != bi || !sameCast(u.castTo, b.castTo) {
				continue
			}
			u.branches++
			if u.set != nil && b.set != nil {
				u.set = append(append([]types.Value{}, u.set...), b.set...)
			} else {
				u.set = nil
			}
			if u.lo != nil && (b.lo == nil || less(b.lo, u.lo)) {
				u.lo = b.lo
			}
			if u.hi != nil && (b.hi == nil || less(u.hi, b.hi)) {
				u.hi = b.hi
			}
		}
	}
	sort.Ints(order)
	var out []storage.Pred
	for _, col := range order {
		u := by[col]
		if u.branches != len(x.Args) {
			continue
		}
		if u.set != nil {
			out = append(out, storage.Pred{Col: col, Op: "in", Vals: distinctValues(u.set), CastTo: u.castTo, ColT: u.colT})
			continue
		}
		if u.lo != nil {
			out = append(out, storage.Pred{Col: col, Op: ">=", Vals: []types.Value{u.lo}, CastTo: u.castTo, ColT: u.colT})
		}
		if u.hi != nil {
			out = append(out, storage.Pred{Col: col, Op: "<=", Vals: []types.Value{u.hi}, CastTo: u.castTo, ColT: u.colT})
		}
	}
	return out
}

func sameCast(a, b *types.T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// distinctValues sorts vs and drops repeats.
func distinctValues(vs []types.Value) []types.Value {
	s := append([]types.Value{}, vs...)
	sort.Slice(s, func(i, j int) bool { return types.Compare(s[i], s[j]) < 0 })
	out := s[:0]
	for i, v := range s {
		if i == 0 || types.Compare(v, out[len(out)-1]) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// colPred matches column-or-widened-column op constant.
func colPred(side, other expr.Expr, op string) (storage.Pred, bool) {
	k, ok := other.(*expr.Const)
	if !ok {
		return storage.Pred{}, false
	}
	var castTo *types.T
	if c, ok := side.(*expr.Cast); ok && widening(c.X.Type(), c.To) {
		t := c.To
		castTo, side = &t, c.X
	}
	c, ok := side.(*expr.Col)
	if !ok {
		return storage.Pred{}, false
	}
	idx := c.Idx
	want := c.T
	if castTo != nil {
		want = *castTo
	}
	if c.T.Dyn {
		// stored as text: its statistics order as strings, not numbers
		return storage.Pred{}, false
	}
	if !k.T.Equal(want) && !(k.T.Kind == want.Kind && k.T.Kind == types.Numeric) {
		return storage.Pred{}, false
	}
	return storage.Pred{Col: idx, Op: op, Vals: []types.Value{k.V}, CastTo: castTo, ColT: c.T}, true
}

// widening reports order-preserving, exact conversions.
func widening(from, to types.T) bool {
	if from.IsInteger() && (to.IsInteger() || to.Kind == types.Numeric || to.Kind == types.Float8) {
		return numericRank(from.Kind) <= numericRank(to.Kind)
	}
	switch {
	case from.Kind == types.Numeric && to.Kind == types.Numeric:
		return to.Scale >= from.Scale
	case from.Kind == types.Float4 && to.Kind == types.Float8:
		return true
	case from.Kind == types.Date && (to.Kind == types.Timestamp):
		return true
	}
	return false
}

// numericRank orders the numeric types by the values they hold.
func numericRank(k types.Kind) int {
	return map[types.Kind]int{types.Int2: 1, types.Int4: 2, types.Int8: 3, types.Numeric: 4, types.Float4: 5, types.Float8: 6}[k]
}

// overColumns picks the filters that read only the table columns known
// (partition keys, pseudo columns), with each column's index changed to
// its position in known; filters reading anything else are left out.
func overColumns(filters []expr.Expr, known []int) []expr.Expr {
	pos := map[int]int{}
	for i, c := range known {
		pos[c] = i
	}
	var out []expr.Expr
	for _, f := range filters {
		ok := true
		expr.Walk(f, func(e expr.Expr) bool {
			switch x := e.(type) {
			case *expr.Col:
				_, ok = pos[x.Idx]
			case *expr.OuterRef, *expr.Subquery:
				ok = false
			}
			return ok
		})
		if !ok {
			continue
		}
		out = append(out, expr.Transform(f, func(e expr.Expr) expr.Expr {
			if c, ok := e.(*expr.Col); ok {
				cc := *c
				cc.Idx = pos[c.Idx]
				return &cc
			}
			return e
		}))
	}
	return out
}
