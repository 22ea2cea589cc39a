package planner

import (
	"slices"

	"github.com/lakeq/lakeq/exec/expr"
)

// predicatePushdown moves filter conjuncts as close to the scans as they
// can go: into both sides of joins, below projections, sorts, DISTINCT
// and aggregates (for predicates on grouping keys); conjuncts reading
// both sides of a join become its condition, turning cross joins into
// equi-joins the physical planner hashes. WHERE conditions that reject
// NULLs from the outer side of a LEFT/RIGHT join make it an inner join.
func predicatePushdown(_ *RuleCtx, n Node) (Node, error) { return pushNode(n), nil }

func pushNode(n Node) Node {
	if f, ok := n.(*Filter); ok {
		return pushInto(f.Input, factorAll(splitConjuncts(f.Cond)))
	}
	if j, ok := n.(*Join); ok {
		return pushInto(j, nil)
	}
	ch := n.Children()
	if len(ch) == 0 {
		return n
	}
	nc := make([]Node, len(ch))
	for i, c := range ch {
		nc[i] = pushNode(c)
	}
	return n.WithChildren(nc)
}

func wrap(n Node, preds []expr.Expr) Node {
	var keep []expr.Expr
	for _, p := range preds {
		if v, ok := boolConst(p); ok && v {
			continue
		}
		keep = append(keep, p)
	}
	if len(keep) == 0 {
		return n
	}
	return &Filter{Input: n, Cond: andOf(keep)}
}

// pushInto places preds over n, as low as they can go.
func pushInto(n Node, preds []expr.Expr) Node {
	switch x := n.(type) {
	case *Filter:
		// the filter's own conjuncts first, then those pushed from above,
		// as PostgreSQL appends a pushed qual after a subquery's own: of
		// equal cost (orderConjuncts keeps the order) the inner WHERE
		// runs first and guards what the outer one evaluates
		own := splitConjuncts(x.Cond)
		return pushInto(x.Input, append(append(make([]expr.Expr, 0, len(own)+len(preds)), own...), preds...))
	case *Join:
		return pushJoin(x, preds)
	case *Project:
		m := map[ColumnID]expr.Expr{}
		for i, c := range x.Cols {
			m[c.ID] = x.Exprs[i]
		}
		var down, up []expr.Expr
		for _, p := range preds {
			ok := !isVolatile(p)
			for id := range colsOf(p) {
				e, in := m[id]
				if !in || isVolatile(e) || hasSubquery(e) {
					ok = false
				}
			}
			if ok {
				down = append(down, substitute(p, m))
			} else {
				up = append(up, p)
			}
		}
		c := *x
		c.Input = pushInto(x.Input, down)
		return wrap(&c, up)
	case *Sort:
		c := *x
		c.Input = pushInto(x.Input, preds)
		return &c
	case *Apply:
		// a conjunct on the input's columns alone filters the rows the
		// lateral side is run for, before it runs (as PostgreSQL does:
		// jsonb_each(j) is not called for the rows WHERE rules out)
		in := colSet(x.Input)
		var down, up []expr.Expr
		for _, p := range preds {
			if pc := colsOf(p); len(pc) > 0 && within(pc, in) && !isVolatile(p) && !hasSubquery(p) {
				down = append(down, p)
			} else {
				up = append(up, p)
			}
		}
		c := *x
		c.Input = pushInto(x.Input, down)
		c.Sub = pushNode(x.Sub)
		return wrap(&c, up)
	case *Scan:
		c := *x
		have := map[string]bool{}
		for _, f := range c.Filters {
			have[f.String()] = true
		}
		for _, p := range preds {
			// a plan pushed into again (cte_filters) brings its filters back
			if have[p.String()] {
				continue
			}
			if !hasSubquery(p) && !isVolatile(p) && !hasOuterRef(p) {
				c.Filters = append(append([]expr.Expr{}, c.Filters...), p)
				for _, q := range perColumn(p) {
					if !have[q.String()] {
						have[q.String()] = true
						c.Filters = append(c.Filters, q)
					}
				}
			}
		}
		return wrap(&c, preds)
	case *Distinct:
		c := *x
		c.Input = pushInto(x.Input, preds)
		return &c
	case *SetOp:
		// a row of a union, intersection or difference passes a
		// deterministic filter exactly when it does in its input
		var down, up []expr.Expr
		for _, p := range preds {
			if !isVolatile(p) && !hasSubquery(p) && !hasOuterRef(p) && len(colsOf(p)) > 0 && sameTypesBelow(p, x) {
				down = append(down, p)
			} else {
				up = append(up, p)
			}
		}
		if len(down) == 0 {
			return wrap(pushNode(n), preds)
		}
		c := *x
		c.Left = pushInto(x.Left, restate(down, x.Cols, x.Left.Columns()))
		c.Right = pushInto(x.Right, restate(down, x.Cols, x.Right.Columns()))
		return wrap(&c, up)
	case *Aggregate:
		var down, up []expr.Expr
		// A predicate on group keys filters whole groups, so it may run
		// before grouping — but only with keys: an aggregate without
		// GROUP BY returns one row even from no input, so HAVING 1 > 2
		// pushed below it would leave that row standing.
		if x.Sets == nil && len(x.Keys) > 0 {
			m := map[ColumnID]expr.Expr{}
			for i, c := range x.KeyCols {
				m[c.ID] = x.Keys[i]
			}
			for _, p := range preds {
				ok := !isVolatile(p) && !hasSubquery(p)
				for id := range colsOf(p) {
					if _, in := m[id]; !in {
						ok = false
					}
				}
				if ok {
					down = append(down, substitute(p, m))
					continue
				}
				up = append(up, p)
				// an OR whose every branch restricts the keys implies a
				// filter on them that may go below (cte_filters' OR of
				// TPC-DS q04's readers: a year and sum > 0, or a year)
				if _, isOr := p.(*expr.Or); isOr && !isVolatile(p) && !hasSubquery(p) {
					if q := impliedFor(p, keySet(x)); q != nil {
						down = append(down, substitute(q, m))
					}
				}
			}
		} else {
			up = preds
		}
		c := *x
		c.Input = pushInto(x.Input, down)
		return wrap(&c, up)
	}
	return wrap(pushNode(n), preds)
}

func pushJoin(j *Join, preds []expr.Expr) Node {
	left, right := colSet(j.Left), colSet(j.Right)
	jt := j.Type
	// WHERE conjuncts that reject NULLs of the outer side's partner make
	// the outer join inner.
	for _, p := range preds {
		pc := colsOf(p)
		if jt == JoinLeft && nullRejecting(p, right) && anyIn(pc, right) {
			jt = JoinInner
		} else if jt == JoinRight && nullRejecting(p, left) && anyIn(pc, left) {
			jt = JoinInner
		} else if jt == JoinFull {
			if nullRejecting(p, left) && anyIn(pc, left) {
				jt = JoinLeft
			} else if nullRejecting(p, right) && anyIn(pc, right) {
				jt = JoinRight
			}
		}
	}
	var lp, rp, jp, up []expr.Expr
	on := factorAll(splitConjuncts(j.Cond))
	switch jt {
	case JoinInner, JoinCross:
		for _, p := range append(preds, on...) {
			pc := colsOf(p)
			switch {
			case len(pc) == 0 && !hasOuterRef(p):
				lp = append(lp, p)
			case within(pc, left):
				lp = append(lp, p)
			case within(pc, right):
				rp = append(rp, p)
			default:
				jp = append(jp, p)
				// an OR over both sides still implies a filter on each
				// side that every branch restricts
				if _, isOr := p.(*expr.Or); isOr && !hasSubquery(p) && !isVolatile(p) {
					if q := impliedFor(p, left); q != nil {
						lp = append(lp, q)
					}
					if q := impliedFor(p, right); q != nil {
						rp = append(rp, q)
					}
				}
			}
		}
		if len(jp) > 0 {
			jt = JoinInner
		} else {
			jt = JoinCross
		}
	case JoinLeft, JoinRight:
		outer, inner := left, right
		op, ip := &lp, &rp
		if jt == JoinRight {
			outer, inner = right, left
			op, ip = &rp, &lp
		}
		for _, p := range preds {
			if within(colsOf(p), outer) && !hasSubquery(p) {
				*op = append(*op, p)
			} else {
				up = append(up, p)
			}
		}
		for _, p := range on {
			if within(colsOf(p), inner) && len(colsOf(p)) > 0 && !hasSubquery(p) {
				*ip = append(*ip, p)
			} else {
				jp = append(jp, p)
			}
		}
		// a filter on the outer side's join column holds for every
		// inner row that can match: the inner side drops the others
		// early (TPC-DS q78's year, through ws_sold_year = ss_sold_year)
		*ip = append(*ip, transferred(*op, on, outer, inner)...)
	case JoinSemi, JoinAnti, JoinNullAnti, JoinMark:
		for _, p := range preds {
			if within(colsOf(p), left) && !hasSubquery(p) {
				lp = append(lp, p)
			} else {
				up = append(up, p)
			}
		}
		for _, p := range on {
			if jt != JoinNullAnti && jt != JoinMark && within(colsOf(p), right) && len(colsOf(p)) > 0 && !hasSubquery(p) {
				rp = append(rp, p)
			} else {
				jp = append(jp, p)
			}
		}
	default: // full
		up = preds
		jp = on
	}
	c := *j
	c.Type = jt
	c.Left = pushInto(j.Left, lp)
	c.Right = pushInto(j.Right, rp)
	c.Cond = andOf(jp)
	return wrap(&c, up)
}

// sameTypesBelow reports whether every column p reads has the type of
// the columns in the same position in both inputs of x (its kernels were
// bound for the output's types).
func sameTypesBelow(p expr.Expr, x *SetOp) bool {
	l, r := x.Left.Columns(), x.Right.Columns()
	for i, c := range x.Cols {
		if colsOf(p)[c.ID] && (i >= len(l) || i >= len(r) || !l[i].Type.Equal(c.Type) || !r[i].Type.Equal(c.Type)) {
			return false
		}
	}
	return true
}

func keySet(x *Aggregate) map[ColumnID]bool {
	m := make(map[ColumnID]bool, len(x.KeyCols))
	for _, c := range x.KeyCols {
		m[c.ID] = true
	}
	return m
}

// restate rewrites preds over columns from as over the columns to in the
// same positions.
func restate(preds []expr.Expr, from, to []Column) []expr.Expr {
	m := make(map[ColumnID]expr.Expr, len(from))
	for i, c := range from {
		m[c.ID] = colRef(to[i])
	}
	out := make([]expr.Expr, len(preds))
	for i, p := range preds {
		out[i] = substitute(p, m)
	}
	return out
}

// transferred returns, for each equality a = b of on with a in from and
// b in to, of one type, the simple filters of preds on a alone restated
// on b. A row of to whose b fails the filter matches no row of from.
func transferred(preds, on []expr.Expr, from, to map[ColumnID]bool) []expr.Expr {
	var out []expr.Expr
	for _, e := range on {
		a, b, ok := colEquality(e)
		if !ok {
			continue
		}
		if to[a.ID] && from[b.ID] {
			a, b = b, a
		}
		if !from[a.ID] || !to[b.ID] || !a.T.Equal(b.T) {
			continue
		}
		for _, p := range preds {
			if pc := colsOf(p); len(pc) == 1 && pc[a.ID] && constFilter(p) {
				out = append(out, substitute(p, map[ColumnID]expr.Expr{a.ID: b}))
			}
		}
	}
	return out
}

// constFilter reports a comparison of a column with constants: x op k,
// x IN (k, …), x IS NOT NULL, or a conjunction of them.
func constFilter(p expr.Expr) bool {
	switch x := p.(type) {
	case *expr.Call:
		if !isCompareName(x.Name) || len(x.Args) != 2 {
			return false
		}
		_, c0 := x.Args[0].(*expr.Col)
		_, k0 := x.Args[0].(*expr.Const)
		_, c1 := x.Args[1].(*expr.Col)
		_, k1 := x.Args[1].(*expr.Const)
		return (c0 && k1) || (k0 && c1)
	case *expr.InList:
		if _, ok := x.X.(*expr.Col); !ok || x.Not {
			return false
		}
		for _, v := range x.List {
			if _, ok := v.(*expr.Const); !ok {
				return false
			}
		}
		return true
	case *expr.IsNull:
		_, ok := x.X.(*expr.Col)
		return ok && x.Not
	case *expr.And:
		for _, a := range x.Args {
			if !constFilter(a) {
				return false
			}
		}
		return len(x.Args) > 0
	}
	return false
}

// impliedFor returns a predicate over cols only that p implies, or nil:
// (a1 AND b1) OR (a2 AND b2), with a1 and a2 over cols, implies a1 OR a2.
// The original predicate stays where it was; the implied one lets a
// join input drop rows early (TPC-H q7's pairs of nations, q19's
// brands and containers).
func impliedFor(p expr.Expr, cols map[ColumnID]bool) expr.Expr {
	switch x := p.(type) {
	case *expr.Or:
		branches := make([]expr.Expr, len(x.Args))
		for i, a := range x.Args {
			b := impliedFor(a, cols)
			if b == nil {
				return nil
			}
			branches[i] = b
		}
		return &expr.Or{Args: branches}
	case *expr.And:
		var keep []expr.Expr
		for _, a := range x.Args {
			if b := impliedFor(a, cols); b != nil {
				keep = append(keep, b)
			}
		}
		return andOf(keep)
	}
	if pc := colsOf(p); len(pc) > 0 && within(pc, cols) {
		return p
	}
	return nil
}

// perColumn returns, for an OR over several columns of one scan, what it
// implies about each column alone: (a = 1 AND b = 'x') OR (a = 2 AND
// b = 'y') implies a = 1 OR a = 2, and b = 'x' OR b = 'y'. The scan
// gets them beside the OR (which still filters above it) for its
// readers to test column by column — a dictionary's entries once each,
// row groups by their statistics — before the OR is evaluated on the
// rows left (TPC-DS q48's customer_demographics, TPC-H q19's part).
func perColumn(p expr.Expr) []expr.Expr {
	if _, ok := p.(*expr.Or); !ok {
		return nil
	}
	cols := colsOf(p)
	if len(cols) < 2 {
		return nil
	}
	ids := make([]ColumnID, 0, len(cols))
	for id := range cols {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []expr.Expr
	for _, id := range ids {
		if q := impliedFor(p, map[ColumnID]bool{id: true}); q != nil {
			out = append(out, q)
		}
	}
	return out
}

func anyIn(cols, set map[ColumnID]bool) bool {
	for id := range cols {
		if set[id] {
			return true
		}
	}
	return false
}

// factorAll pulls conjuncts common to every branch of an OR out of it:
// (a AND b) OR (a AND c) becomes a AND (b OR c), so a join key repeated
// in each branch (TPC-H q19) becomes a hash-join key.
func factorAll(preds []expr.Expr) []expr.Expr {
	var out []expr.Expr
	for _, p := range preds {
		out = append(out, factorOr(p)...)
	}
	return out
}

func factorOr(p expr.Expr) []expr.Expr {
	or, ok := p.(*expr.Or)
	if !ok || len(or.Args) < 2 {
		return []expr.Expr{p}
	}
	branches := make([][]expr.Expr, len(or.Args))
	for i, a := range or.Args {
		branches[i] = splitConjuncts(a)
	}
	var common []expr.Expr
	for _, c := range branches[0] {
		k := exprKey(c)
		inAll := true
		for _, b := range branches[1:] {
			found := false
			for _, x := range b {
				if exprKey(x) == k {
					found = true
					break
				}
			}
			if !found {
				inAll = false
				break
			}
		}
		if inAll && !isVolatile(c) {
			dup := false
			for _, x := range common {
				if exprKey(x) == k {
					dup = true
				}
			}
			if !dup {
				common = append(common, c)
			}
		}
	}
	if len(common) == 0 {
		return []expr.Expr{p}
	}
	keys := map[string]bool{}
	for _, c := range common {
		keys[exprKey(c)] = true
	}
	var rest []expr.Expr
	for _, b := range branches {
		var keep []expr.Expr
		for _, x := range b {
			if !keys[exprKey(x)] {
				keep = append(keep, x)
			}
		}
		if len(keep) == 0 {
			return common // one branch is just the common part: the OR is implied
		}
		rest = append(rest, andOf(keep))
	}
	return append(common, &expr.Or{Args: rest})
}
