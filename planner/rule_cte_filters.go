package planner

import "github.com/lakeq/lakeq/exec/expr"

// cteFilters pushes into a WITH query read several times the disjunction
// of the filters its readers apply, when every reader filters it: TPC-DS
// q75 reads all_sales for 2001 and for 2002, so the shared plan computes
// those two years (d_year = 2001 OR d_year = 2002 reaches date_dim through
// the aggregate and the unions) instead of all of them. Each reader keeps
// its own filter. A CTE with a reader this pass cannot see filtered (in a
// subquery not yet optimized, say) is left whole: the references found
// must be all the binder counted.
func cteFilters(_ *RuleCtx, n Node) (Node, error) {
	type uses struct {
		found int
		whole bool // a reader takes every row
		conds []expr.Expr
	}
	seen := map[*SharedCTE]*uses{}
	var order []*SharedCTE
	use := func(s *SharedCTE) *uses {
		u := seen[s]
		if u == nil {
			u = &uses{}
			seen[s] = u
			order = append(order, s)
		}
		return u
	}
	var visit func(n Node)
	visitExprs := func(n Node) {
		for _, e := range nodeExprs(n) {
			expr.Walk(e, func(x expr.Expr) bool {
				if sq, ok := x.(*expr.Subquery); ok {
					if lp, ok := sq.Plan.(*LogicalSubPlan); ok {
						visit(lp.Node)
					}
				}
				return true
			})
		}
	}
	visit = func(n Node) {
		visitExprs(n)
		if f, ok := n.(*Filter); ok {
			if c, ok := f.Input.(*CTEScan); ok {
				first := seen[c.Shared] == nil
				u := use(c.Shared)
				u.found++
				if cond := readerFilter(f.Cond, c); cond != nil {
					u.conds = append(u.conds, cond)
				} else {
					u.whole = true
				}
				if first {
					visit(c.Shared.Plan)
				}
				return
			}
		}
		if c, ok := n.(*CTEScan); ok {
			first := seen[c.Shared] == nil
			u := use(c.Shared)
			u.found++
			u.whole = true
			if first {
				visit(c.Shared.Plan)
			}
			return
		}
		for _, ch := range n.Children() {
			visit(ch)
		}
	}
	visit(n)
	for _, s := range order {
		u := seen[s]
		if u.whole || u.found < 2 || u.found != s.refs {
			continue
		}
		s.Plan = pushInto(s.Plan, []expr.Expr{orOf(u.conds)})
	}
	return n, nil
}

// readerFilter is the part of a reader's filter over the CTE's rows that
// may run inside it, restated over the shared plan's columns; nil when
// none may.
func readerFilter(cond expr.Expr, c *CTEScan) expr.Expr {
	own := map[ColumnID]bool{}
	for _, col := range c.Cols {
		own[col.ID] = true
	}
	var keep []expr.Expr
	for _, p := range splitConjuncts(cond) {
		pc := colsOf(p)
		if len(pc) > 0 && within(pc, own) && !isVolatile(p) && !hasSubquery(p) && !hasOuterRef(p) {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return andOf(restate(keep, c.Cols, c.Shared.Plan.Columns()))
}

func orOf(ps []expr.Expr) expr.Expr {
	if len(ps) == 1 {
		return ps[0]
	}
	return &expr.Or{Args: ps}
}
