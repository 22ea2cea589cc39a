package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// decorrelateSubqueries turns subqueries in WHERE and in the select list
// into joins, so they run once instead of once per outer row:
//
//	EXISTS / NOT EXISTS (correlated)      → semi / anti join
//	x IN (subquery)                        → semi join on x = column
//	x NOT IN (uncorrelated subquery)       → null-aware anti join
//	(SELECT agg(...) WHERE inner = outer)  → left join to the aggregate
//	                                         grouped by the correlation key
//
// Subqueries of other shapes keep running per distinct outer value.
func decorrelateSubqueries(rc *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		switch x := n.(type) {
		case *Filter:
			return decorrelateFilter(rc, x), nil
		case *Project:
			return decorrelateProject(rc, x), nil
		}
		return n, nil
	})
}

func decorrelateFilter(rc *RuleCtx, f *Filter) Node {
	input := f.Input
	var rest []expr.Expr
	for _, c := range splitConjuncts(f.Cond) {
		neg := false
		e := c
		if nt, ok := e.(*expr.Not); ok {
			neg, e = true, nt.X
		}
		if sq, ok := e.(*expr.Subquery); ok {
			if j := subqueryJoin(rc, input, sq, neg); j != nil {
				input = j
				continue
			}
		}
		rest = append(rest, c)
	}
	for i, r := range rest {
		rest[i], input = pullScalarAggs(rc, r, input)
		rest[i], input = pullMarks(rc, rest[i], input)
	}
	if len(rest) == 0 {
		return input
	}
	return &Filter{Input: input, Cond: andOf(rest)}
}

func decorrelateProject(rc *RuleCtx, p *Project) Node {
	input := p.Input
	exprs := make([]expr.Expr, len(p.Exprs))
	changed := false
	for i, e := range p.Exprs {
		exprs[i], input = pullScalarAggs(rc, e, input)
		exprs[i], input = pullMarks(rc, exprs[i], input)
		if exprs[i] != e {
			changed = true
		}
	}
	if !changed {
		return p
	}
	return &Project{Input: input, Exprs: exprs, Cols: p.Cols}
}

func subPlanNode(sq *expr.Subquery) *LogicalSubPlan {
	lp, _ := sq.Plan.(*LogicalSubPlan)
	return lp
}

// decorrelateInner decorrelates the subqueries nested inside a
// subquery's plan first, so its own shape can be recognized.
func decorrelateInner(rc *RuleCtx, lp *LogicalSubPlan) {
	if lp.innerDone {
		return
	}
	lp.innerDone = true
	if n, err := decorrelateSubqueries(rc, lp.Node); err == nil {
		lp.Node = n
	}
}

// noOuterRefs reports whether no expression in the subtree reads an outer column.
func noOuterRefs(n Node) bool {
	for _, e := range nodeExprs(n) {
		if hasOuterRef(e) {
			return false
		}
	}
	for _, c := range n.Children() {
		if !noOuterRefs(c) {
			return false
		}
	}
	return true
}

// correlated splits a subquery plan of shape [Project] → [Filter] → X into
// the Project (nil if none), the correlated conjuncts (outer refs turned
// into columns), and X with the uncorrelated conjuncts still filtering it.
func correlated(n Node) (proj *Project, corr []expr.Expr, rest Node, ok bool) {
	if p, isP := n.(*Project); isP {
		for _, e := range p.Exprs {
			if hasOuterRef(e) {
				return nil, nil, nil, false
			}
		}
		proj, n = p, p.Input
	}
	if d, isD := n.(*Distinct); isD && proj == nil {
		n = d.Input
	}
	if f, isF := n.(*Filter); isF {
		var keep []expr.Expr
		for _, c := range factorAll(splitConjuncts(f.Cond)) {
			if hasOuterRef(c) {
				if hasSubquery(c) {
					return nil, nil, nil, false
				}
				corr = append(corr, outerToCol(c))
			} else {
				keep = append(keep, c)
			}
		}
		n = f.Input
		if len(keep) > 0 {
			n = &Filter{Input: n, Cond: andOf(keep)}
		}
	}
	if !noOuterRefs(n) {
		return nil, nil, nil, false
	}
	return proj, corr, n, true
}

// subqueryJoin rewrites a WHERE conjunct [NOT] EXISTS / IN as a join.
func subqueryJoin(rc *RuleCtx, input Node, sq *expr.Subquery, neg bool) Node {
	lp := subPlanNode(sq)
	if lp == nil {
		return nil
	}
	decorrelateInner(rc, lp)
	outerCols := colSet(input)
	switch {
	case sq.Kind == "exists":
		proj, corr, rest, ok := correlated(lp.Node)
		if !ok {
			return nil
		}
		_ = proj // EXISTS ignores the select list
		for _, c := range corr {
			if !within(colsOf(c), union(outerCols, colSet(rest))) {
				return nil
			}
		}
		jt := JoinSemi
		if neg {
			jt = JoinAnti
		}
		return &Join{Type: jt, Left: input, Right: rest, Cond: andOf(corr)}
	case sq.Kind == "any" && sq.Op == "=":
		if !within(colsOf(sq.Test), outerCols) || hasOuterRef(sq.Test) {
			return nil
		}
		proj, corr, rest, ok := correlated(lp.Node)
		if !ok {
			return nil
		}
		if neg && len(corr) > 0 {
			return nil // correlated NOT IN keeps its NULL rules per row
		}
		var right Node
		var col Column
		if proj != nil {
			// keep the projected column and pass through what the correlation reads
			p := &Project{Input: rest, Exprs: append([]expr.Expr{}, proj.Exprs...), Cols: append([]Column{}, proj.Cols...)}
			have := colSet(p)
			for _, c := range corr {
				for id := range colsOf(c) {
					if outerCols[id] || have[id] {
						continue
					}
					for _, rc := range rest.Columns() {
						if rc.ID == id {
							p.Exprs = append(p.Exprs, colRef(rc))
							p.Cols = append(p.Cols, rc)
							have[id] = true
						}
					}
				}
			}
			right, col = p, proj.Cols[0]
		} else {
			if len(rest.Columns()) == 0 {
				return nil
			}
			right, col = rest, rest.Columns()[0]
		}
		if col.Type.Kind != sq.ElemT.Kind {
			return nil
		}
		eq := &expr.Call{Name: "=", Kernel: sq.Cmp, Args: []expr.Expr{sq.Test, colRef(col)}, T: types.BoolT}
		cond := append([]expr.Expr{eq}, corr...)
		for _, c := range corr {
			if !within(colsOf(c), union(outerCols, colSet(right))) {
				return nil
			}
		}
		jt := JoinSemi
		if neg {
			jt = JoinNullAnti
		}
		return &Join{Type: jt, Left: input, Right: right, Cond: andOf(cond)}
	}
	return nil
}

func union(a, b map[ColumnID]bool) map[ColumnID]bool {
	m := make(map[ColumnID]bool, len(a)+len(b))
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return m
}

// pullScalarAggs replaces correlated scalar aggregate subqueries in e by
// columns of a left join added to input.
func pullScalarAggs(rc *RuleCtx, e expr.Expr, input Node) (expr.Expr, Node) {
	out := replaceTopDown(e, func(x expr.Expr) expr.Expr {
		sq, ok := x.(*expr.Subquery)
		if !ok || sq.Kind != "scalar" || len(sq.Outer) == 0 {
			return nil
		}
		r, j := scalarAggJoin(rc, input, sq)
		if r == nil {
			return nil
		}
		input = j
		return r
	})
	return out, input
}

// scalarAggJoin handles (SELECT f(aggs) FROM X WHERE inner = outer ...).
func scalarAggJoin(rc *RuleCtx, input Node, sq *expr.Subquery) (expr.Expr, Node) {
	lp := subPlanNode(sq)
	if lp == nil {
		return nil, nil
	}
	decorrelateInner(rc, lp)
	n := lp.Node
	var proj *Project
	if p, ok := n.(*Project); ok {
		proj, n = p, p.Input
	}
	agg, ok := n.(*Aggregate)
	if !ok || len(agg.Keys) > 0 || agg.Sets != nil {
		return nil, nil
	}
	if proj != nil {
		for _, e := range proj.Exprs {
			if hasOuterRef(e) || hasSubquery(e) {
				return nil, nil
			}
		}
	}
	for _, a := range agg.Aggs {
		for _, x := range a.Args {
			if hasOuterRef(x) {
				return nil, nil
			}
		}
		if a.Filter != nil && hasOuterRef(a.Filter) {
			return nil, nil
		}
	}
	f, ok := agg.Input.(*Filter)
	if !ok {
		return nil, nil
	}
	outerCols := colSet(input)
	var keep []expr.Expr
	var outerKeys, innerKeys []expr.Expr
	for _, c := range factorAll(splitConjuncts(f.Cond)) {
		if !hasOuterRef(c) {
			keep = append(keep, c)
			continue
		}
		call, ok := c.(*expr.Call)
		if !ok || call.Name != "=" || hasSubquery(c) {
			return nil, nil
		}
		l, r := call.Args[0], call.Args[1]
		if hasOuterRef(r) && !hasOuterRef(l) {
			l, r = r, l
		}
		// l: outer side only (outer refs / constants); r: inner columns only
		if hasOuterRef(r) || len(colsOf(l)) > 0 {
			return nil, nil
		}
		lo := outerToCol(l)
		if !within(colsOf(lo), outerCols) {
			return nil, nil
		}
		outerKeys = append(outerKeys, lo)
		innerKeys = append(innerKeys, r)
	}
	below := f.Input
	if !noOuterRefs(below) {
		return nil, nil
	}
	if len(keep) > 0 {
		below = &Filter{Input: below, Cond: andOf(keep)}
	}
	// count(*) over no rows is 0, not NULL: only plain count outputs can be fixed up
	isCount := map[ColumnID]bool{}
	for i, a := range agg.Aggs {
		if a.Name == "count" {
			isCount[agg.AggCols[i].ID] = true
		}
	}
	var result expr.Expr
	var resultT types.T
	if proj != nil {
		result = proj.Exprs[0]
		resultT = proj.Cols[0].Type
	} else {
		c := agg.Columns()[0]
		result, resultT = colRef(c), c.Type
	}
	countFix := false
	for id := range colsOf(result) {
		if isCount[id] {
			if c, ok := result.(*expr.Col); ok && c.ID == id {
				countFix = true
			} else {
				return nil, nil
			}
		}
	}
	keyCols := make([]Column, len(innerKeys))
	for i, k := range innerKeys {
		keyCols[i] = Column{ID: rc.NewID(), Name: "?corr?", Type: k.Type()}
	}
	na := &Aggregate{Input: below, Keys: innerKeys, KeyCols: keyCols, Aggs: agg.Aggs, AggCols: agg.AggCols}
	resCol := Column{ID: rc.NewID(), Name: "?subquery?", Type: resultT}
	pe := []expr.Expr{result}
	pc := []Column{resCol}
	for _, k := range keyCols {
		pe = append(pe, colRef(k))
		pc = append(pc, k)
	}
	right := &Project{Input: na, Exprs: pe, Cols: pc}
	var conds []expr.Expr
	for i := range outerKeys {
		conds = append(conds, eqCall(outerKeys[i], colRef(keyCols[i])))
	}
	j := &Join{Type: JoinLeft, Left: input, Right: right, Cond: andOf(conds)}
	var out expr.Expr = colRef(resCol)
	if countFix {
		out = &expr.Coalesce{Args: []expr.Expr{out, &expr.Const{V: int64(0), T: types.Int8T}}, T: types.Int8T}
	}
	return out, j
}

// pullMarks replaces EXISTS and uncorrelated IN subqueries that are not
// top-level WHERE conjuncts (under OR, CASE, in the select list) by the
// boolean column of a mark join added to input.
func pullMarks(rc *RuleCtx, e expr.Expr, input Node) (expr.Expr, Node) {
	out := replaceTopDown(e, func(x expr.Expr) expr.Expr {
		sq, ok := x.(*expr.Subquery)
		if !ok || (sq.Kind != "exists" && !(sq.Kind == "any" && sq.Op == "=")) {
			return nil
		}
		j := subqueryJoin(rc, input, sq, false)
		join, ok := j.(*Join)
		if !ok {
			return nil
		}
		if sq.Kind == "any" && len(sq.Outer) > 0 {
			return nil // correlated IN: its NULL rules need the per-row form
		}
		mark := Column{ID: rc.NewID(), Name: "?mark?", Type: types.BoolT}
		join.Type = JoinMark
		join.MarkCol = &mark
		join.NullAware = sq.Kind == "any"
		input = join
		return colRef(mark)
	})
	return out, input
}
