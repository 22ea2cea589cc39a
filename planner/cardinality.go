package planner

import (
	"math"
	"sort"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// ColStats are what is known of a table column's values, for estimating
// how many rows a plan makes: from ANALYZE, a file's footers or a
// connector. The zero value knows nothing.
type ColStats struct {
	Distinct    int64 // distinct non-NULL values; 0 = unknown
	NullFrac    float64
	HasNullFrac bool
	Min, Max    types.Value
	HasMinMax   bool
}

// card is a plan node's estimated output: rows, and what is known of
// some columns — distinct values, the fraction that is NULL, and the
// range of values — carried up from the scans through filters, joins
// and aggregates. A column absent from ndv has an unknown distinct
// count.
type card struct {
	rows  float64
	ndv   map[ColumnID]float64
	nulls map[ColumnID]float64
	rng   map[ColumnID][2]float64 // min, max as numbers
	// base is the rows of the relation a column comes from, before any
	// filter or join: the bound on its distinct values when they are
	// not known, and the size of the key domain a dimension's filter
	// has cut (joinDistincts).
	base map[ColumnID]float64
	// integral marks columns of integer and date types, whose range
	// counts their possible values
	integral map[ColumnID]bool
}

// Default selectivities where nothing is known of a column: PostgreSQL's
// (selfuncs.h) for ranges and LIKE; for equality a column of about 20
// values (PostgreSQL's 0.005 suits keys, but the columns filters compare
// with constants are mostly a dimension's attributes: a category, a
// segment, a quarter); the previous fixed guess for anything else.
const (
	selEqDefault    = 0.05
	selRangeDefault = 1.0 / 3
	selLikeDefault  = 0.05
	selNullDefault  = 0.05
	selOther        = 0.25
	unknownRows     = 1000
)

// estimator computes cards, each node's once. Not safe for concurrent
// use; one per planning pass.
type estimator struct{ memo map[Node]*card }

func newEstimator() *estimator { return &estimator{memo: map[Node]*card{}} }

// Estimates gives the planner's row estimates of a plan's nodes, for
// EXPLAIN ANALYZE. Not safe for concurrent use.
type Estimates struct{ e *estimator }

// NewEstimates starts an estimate of one plan.
func NewEstimates() *Estimates { return &Estimates{newEstimator()} }

// Rows is node n's estimated output rows.
func (x *Estimates) Rows(n Node) float64 { return x.e.of(n).rows }

// estimateRows is a node's estimated output rows.
func estimateRows(n Node) float64 { return newEstimator().of(n).rows }

func (e *estimator) of(n Node) *card {
	if c, ok := e.memo[n]; ok {
		return c
	}
	c := e.compute(n)
	if c.rows < 1 {
		c.rows = 1
	}
	e.memo[n] = c
	return c
}

func newCard(rows float64) *card {
	return &card{rows: rows, ndv: map[ColumnID]float64{}, nulls: map[ColumnID]float64{}, rng: map[ColumnID][2]float64{}, base: map[ColumnID]float64{}, integral: map[ColumnID]bool{}}
}

// scaled is c cut to rows: distinct counts cannot exceed the rows left.
func (c *card) scaled(rows float64) *card {
	out := newCard(rows)
	out.absorb(c, rows)
	return out
}

// only is c restricted to the columns in keep: what a join order's
// search needs of its inputs (their join keys), where copying every
// column of every input into each subset's card cost most of the
// planning of a star join (TPC-DS q17: 10 ms of its 50).
func (c *card) only(keep map[ColumnID]bool) *card {
	out := newCard(c.rows)
	for id := range keep {
		out.copyCol(c, id, id)
	}
	return out
}

// absorb adds what o knows of its columns to c, distinct counts cut to
// rows.
func (c *card) absorb(o *card, rows float64) {
	for id, d := range o.ndv {
		c.ndv[id] = math.Max(1, math.Min(d, rows))
	}
	for id, f := range o.nulls {
		c.nulls[id] = f
	}
	for id, r := range o.rng {
		c.rng[id] = r
	}
	for id, b := range o.base {
		c.base[id] = b
	}
	for id := range o.integral {
		c.integral[id] = true
	}
}

// copyCol gives column to what in knows of column from (a projection's
// or a CTE reference's new name for a column).
func (c *card) copyCol(in *card, from, to ColumnID) {
	if d, ok := in.ndv[from]; ok {
		c.ndv[to] = d
	}
	if f, ok := in.nulls[from]; ok {
		c.nulls[to] = f
	}
	if r, ok := in.rng[from]; ok {
		c.rng[to] = r
	}
	if b, ok := in.base[from]; ok {
		c.base[to] = b
	}
	if in.integral[from] {
		c.integral[to] = true
	}
}

// baseOf is column id's base rows (the card's rows when not tracked).
func (c *card) baseOf(id ColumnID) float64 {
	if b, ok := c.base[id]; ok {
		return b
	}
	return c.rows
}

// distinct is column id's distinct count, or ok=false when unknown.
func (c *card) distinct(id ColumnID) (float64, bool) {
	d, ok := c.ndv[id]
	if !ok {
		return 0, false
	}
	return math.Max(1, math.Min(d, c.rows)), true
}

// width bounds an integer or date column's distinct values by its
// range: a foreign key whose values span 1,826 days of a 73,049-day
// dimension has at most 1,826 of them. Only a bound: keys may be sparse.
func (c *card) width(id ColumnID) (float64, bool) {
	r, ok := c.rng[id]
	if !ok || !c.integral[id] {
		return 0, false
	}
	return r[1] - r[0] + 1, true
}

// distinctOrBound is the distinct count, else the range's bound on it.
func (c *card) distinctOrBound(id ColumnID) (float64, bool) {
	if d, ok := c.distinct(id); ok {
		return d, true
	}
	if w, ok := c.width(id); ok {
		return math.Max(1, math.Min(w, c.rows)), true
	}
	return 0, false
}

func (e *estimator) compute(n Node) *card {
	switch x := n.(type) {
	case *Scan:
		rows := float64(x.Table.Rows)
		if rows <= 0 {
			rows = unknownRows
		}
		c := newCard(rows)
		for _, col := range x.Cols {
			c.base[col.ID] = rows
			if isIntegral(col.Type) {
				c.integral[col.ID] = true
			}
		}
		for i, col := range x.Cols {
			if i >= len(x.ColIdx) || x.ColIdx[i] < 0 || x.ColIdx[i] >= len(x.Table.Columns) {
				continue
			}
			st := x.Table.Columns[x.ColIdx[i]].Stats
			if st.Distinct > 0 {
				c.ndv[col.ID] = float64(st.Distinct)
			}
			if st.HasNullFrac {
				c.nulls[col.ID] = st.NullFrac
			}
			if st.HasMinMax {
				lo, ok1 := numberOf(st.Min)
				hi, ok2 := numberOf(st.Max)
				if ok1 && ok2 && hi >= lo {
					c.rng[col.ID] = [2]float64{lo, hi}
				}
			}
		}
		return c
	case *Values:
		return newCard(float64(len(x.Rows)))
	case *Filter:
		in := e.of(x.Input)
		return e.filtered(in, splitConjuncts(x.Cond))
	case *Project:
		in := e.of(x.Input)
		c := in.scaled(in.rows)
		for i, ex := range x.Exprs {
			if col, ok := ex.(*expr.Col); ok && i < len(x.Cols) {
				c.copyCol(in, col.ID, x.Cols[i].ID)
			}
		}
		return c
	case *Join:
		lc, rc := colSet(x.Left), colSet(x.Right)
		return e.joined(x.Type, e.of(x.Left), e.of(x.Right), func(id ColumnID) int {
			switch {
			case lc[id]:
				return 0
			case rc[id]:
				return 1
			}
			return -1
		}, splitConjuncts(x.Cond))
	case *Aggregate:
		in := e.of(x.Input)
		if len(x.Keys) == 0 {
			return newCard(1)
		}
		groups, known := 1.0, true
		for _, k := range x.Keys {
			col, ok := k.(*expr.Col)
			d, dk := 0.0, false
			if ok {
				d, dk = in.distinctOrBound(col.ID)
			}
			if !dk {
				known = false
				continue
			}
			groups *= d
		}
		rows := math.Min(in.rows, groups)
		if !known {
			rows = math.Min(in.rows, math.Max(groups, in.rows*0.1))
		}
		if len(x.Sets) > 1 {
			rows *= float64(len(x.Sets))
		}
		c := newCard(rows)
		for _, kc := range x.KeyCols {
			c.base[kc.ID] = rows
		}
		for i, k := range x.Keys {
			if col, ok := k.(*expr.Col); ok && i < len(x.KeyCols) {
				// a key keeps its input's range (the aggregate above
				// eager_aggregate's packs its keys by it)
				if r, ok := in.rng[col.ID]; ok {
					c.rng[x.KeyCols[i].ID] = r
				}
				if in.integral[col.ID] {
					c.integral[x.KeyCols[i].ID] = true
				}
				if d, ok := in.distinctOrBound(col.ID); ok {
					c.ndv[x.KeyCols[i].ID] = math.Min(d, rows)
				}
			}
			if i < len(x.KeyCols) && len(x.Keys) == 1 && known {
				c.ndv[x.KeyCols[i].ID] = rows
			}
		}
		return c
	case *Distinct:
		in := e.of(x.Input)
		return in.scaled(in.rows * 0.5)
	case *Limit:
		in := e.of(x.Input)
		if x.Count >= 0 && float64(x.Count) < in.rows {
			return in.scaled(float64(x.Count))
		}
		return in
	case *SetOp:
		l, r := e.of(x.Left), e.of(x.Right)
		switch x.Kind {
		case "INTERSECT":
			return newCard(math.Min(l.rows, r.rows))
		case "EXCEPT":
			return newCard(l.rows)
		}
		return newCard(l.rows + r.rows)
	case *CTEScan:
		if x.Shared == nil || x.Shared.Plan == nil {
			return newCard(unknownRows)
		}
		in := e.of(x.Shared.Plan)
		c := newCard(in.rows)
		for i, col := range x.Shared.Plan.Columns() {
			if i >= len(x.Cols) {
				break
			}
			c.copyCol(in, col.ID, x.Cols[i].ID)
		}
		return c
	}
	ch := n.Children()
	if len(ch) == 1 {
		return e.of(ch[0])
	}
	total := 0.0
	for _, c := range ch {
		total += e.of(c).rows
	}
	if total == 0 {
		total = unknownRows
	}
	return newCard(total)
}

// filtered is in after conjuncts preds.
func (e *estimator) filtered(in *card, preds []expr.Expr) *card {
	out := in.scaled(in.rows * e.conjunction(in, preds))
	for _, p := range preds {
		if col, _, ok := colEqConst(p); ok {
			out.ndv[col] = 1
		}
	}
	return out
}

// conjunction is the selectivity of preds all true: independent but for
// bounds on one column, which make one range (a BETWEEN keeps what lies
// between its bounds, not the product of two halves).
func (e *estimator) conjunction(in *card, preds []expr.Expr) float64 {
	type bounds struct{ lo, hi float64 }
	ranges := map[ColumnID]*bounds{}
	sel := 1.0
	for _, p := range preds {
		if col, op, v, ok := rangeBound(p); ok {
			if r, known := in.rng[col.ID]; known {
				b := ranges[col.ID]
				if b == nil {
					b = &bounds{r[0], r[1]}
					if isIntegral(col.T) {
						b.hi++ // an integral range [lo, hi] spans hi-lo+1 values
					}
					ranges[col.ID] = b
				}
				switch op {
				case ">", ">=":
					b.lo = math.Max(b.lo, v)
				default:
					b.hi = math.Min(b.hi, v)
				}
				continue
			}
		}
		sel *= e.selectivity(in, p)
	}
	for id, b := range ranges {
		r := in.rng[id]
		width := r[1] - r[0]
		if width <= 0 {
			continue
		}
		sel *= math.Max(clamp01((b.hi-b.lo)/width), 1/width)
	}
	return sel
}

// rangeBound matches column op constant with a numeric constant.
func rangeBound(p expr.Expr) (*expr.Col, string, float64, bool) {
	c, ok := p.(*expr.Call)
	if !ok || len(c.Args) != 2 {
		return nil, "", 0, false
	}
	a, b, op := c.Args[0], c.Args[1], c.Name
	if isConstExpr(a) {
		a, b, op = b, a, functions.FlipCompare(op)
	}
	switch op {
	case "<", "<=", ">", ">=":
	default:
		return nil, "", 0, false
	}
	col, ok := a.(*expr.Col)
	if !ok {
		return nil, "", 0, false
	}
	for {
		cast, ok := b.(*expr.Cast)
		if !ok {
			break
		}
		b = cast.X
	}
	k, ok := b.(*expr.Const)
	if !ok {
		return nil, "", 0, false
	}
	v, ok := numberOf(k.V)
	if !ok {
		return nil, "", 0, false
	}
	if isIntegral(col.T) && (op == "<=" || op == ">") {
		v++ // col <= 5 keeps [lo, 6); col > 5 starts at 6
	}
	return col, op, v, true
}

// selectivity is the fraction of in's rows predicate p keeps.
func (e *estimator) selectivity(in *card, p expr.Expr) float64 {
	switch x := p.(type) {
	case *expr.And:
		return e.conjunction(in, x.Args)
	case *expr.Or:
		keep := 1.0
		for _, a := range x.Args {
			keep *= 1 - e.selectivity(in, a)
		}
		return clamp01(1 - keep)
	case *expr.Not:
		return clamp01(1 - e.selectivity(in, x.X))
	case *expr.IsNull:
		f := selNullDefault
		if col, ok := x.X.(*expr.Col); ok {
			if nf, ok := in.nulls[col.ID]; ok {
				f = nf
			}
		}
		if x.Not {
			return 1 - f
		}
		return f
	case *expr.InList:
		s := 0.0
		for range x.List {
			s += e.eqSel(in, x.X)
		}
		s = clamp01(s)
		if x.Not {
			return 1 - s
		}
		return s
	case *expr.Like:
		if x.Not {
			return 1 - selLikeDefault
		}
		return selLikeDefault
	case *expr.Const:
		if b, ok := x.V.(bool); ok && !b || x.V == nil {
			return 0
		}
		return 1
	case *expr.Call:
		if len(x.Args) != 2 {
			break
		}
		a, b := x.Args[0], x.Args[1]
		op := x.Name
		if isConstExpr(a) && !isConstExpr(b) {
			a, b, op = b, a, functions.FlipCompare(op)
		}
		switch op {
		case "=":
			if isConstExpr(b) {
				return e.eqSel(in, a)
			}
			// two columns of one input (a join's residual)
			da, oka := e.colDistinct(in, a)
			db, okb := e.colDistinct(in, b)
			if oka && okb {
				return 1 / math.Max(da, db)
			}
			return selEqDefault
		case "<>", "!=":
			return 1 - e.eqSel(in, a)
		case "<", "<=", ">", ">=":
			if isConstExpr(b) {
				return e.rangeSel(in, a, op, b)
			}
			return selRangeDefault
		}
	}
	return selOther
}

// eqSel is the selectivity of x = constant.
func (e *estimator) eqSel(in *card, x expr.Expr) float64 {
	if d, ok := e.colDistinct(in, x); ok {
		return 1 / d
	}
	if col, ok := x.(*expr.Col); ok {
		if r, ok := in.rng[col.ID]; ok && isIntegral(col.T) && r[1]-r[0] >= 0 {
			return 1 / (r[1] - r[0] + 1)
		}
	}
	return selEqDefault
}

// rangeSel is the selectivity of x op constant, by where the constant
// falls in x's known range (uniform between min and max).
func (e *estimator) rangeSel(in *card, x expr.Expr, op string, k expr.Expr) float64 {
	col, ok := x.(*expr.Col)
	if !ok {
		return selRangeDefault
	}
	r, ok := in.rng[col.ID]
	if !ok {
		return selRangeDefault
	}
	for {
		c, ok := k.(*expr.Cast)
		if !ok {
			break
		}
		k = c.X
	}
	kc, ok := k.(*expr.Const)
	if !ok {
		return selRangeDefault
	}
	v, ok := numberOf(kc.V)
	if !ok {
		return selRangeDefault
	}
	lo, hi := r[0], r[1]
	width := hi - lo
	if isIntegral(col.T) {
		width++
	}
	if width <= 0 {
		return selRangeDefault
	}
	below := clamp01((v - lo) / width) // fraction under v
	switch op {
	case "<", "<=":
		return math.Max(below, 1/width)
	}
	return math.Max(1-below, 1/width)
}

// colDistinct is the distinct count of a column expression.
func (e *estimator) colDistinct(in *card, x expr.Expr) (float64, bool) {
	if col, ok := x.(*expr.Col); ok {
		return in.distinct(col.ID)
	}
	return 0, false
}

// joined estimates a join of l and r on conjuncts preds: |l|·|r| /
// max(d(l.a), d(r.b)) over the equi-join keys, with the distinct counts
// of joinDistincts; other conditions by their selectivity.
func (e *estimator) joined(jt JoinType, l, r *card, side func(ColumnID) int, preds []expr.Expr) *card {
	var denoms []float64
	other := 1.0
	match := 1.0 // fraction of l's rows with a partner in r
	// the side whose key columns come from the smaller relations is the
	// referenced ("primary key") side; its base rows and keys' counts
	var baseL, baseR float64
	var dL, dR []float64
	for _, p := range preds {
		a, b, ok := equiSides(p, side)
		if !ok {
			if len(colsOf(p)) > 0 {
				other *= e.selectivity(merge(l, r, l.rows*r.rows), p)
			}
			continue
		}
		da, db := joinDistincts(l, a, r, b)
		denoms = append(denoms, math.Max(da, db))
		match = math.Min(match, db/da)
		baseL, baseR = math.Max(baseL, l.baseOf(a)), math.Max(baseR, r.baseOf(b))
		dL, dR = append(dL, da), append(dR, db)
	}
	// several keys are seldom independent (a ticket number and an item
	// number of one sale): the most selective counts in full, the next
	// by its square root, the next by its fourth root (SQL Server's
	// exponential backoff)
	sort.Sort(sort.Reverse(sort.Float64Slice(denoms)))
	denom := 0.0
	for i, d := range denoms {
		if i == 0 {
			denom = d
			continue
		}
		denom *= math.Pow(d, 1/math.Pow(2, float64(i)))
	}
	// keys that only together identify a row of the referenced side (a
	// partsupp row by part and supplier) cannot select more finely than
	// one row of it: each row of the other side then finds its one row
	if len(denoms) > 1 {
		basep, dp := baseR, dR
		if baseL < baseR {
			basep, dp = baseL, dL
		}
		full := false
		for _, d := range dp {
			full = full || d >= 0.9*basep
		}
		if !full && denom > basep {
			denom = math.Max(basep, denoms[0])
		}
	}
	inner := l.rows * r.rows * other
	if denom > 0 {
		inner /= denom
	}
	switch jt {
	case JoinSemi, JoinAnti, JoinNullAnti:
		frac := clamp01(match)
		if denom == 0 && other < 1 {
			frac = other
		}
		if jt == JoinSemi {
			return l.scaled(l.rows * frac)
		}
		return l.scaled(math.Max(l.rows*(1-frac), l.rows*0.1))
	case JoinMark:
		return l.scaled(l.rows)
	case JoinCross:
		return merge(l, r, l.rows*r.rows*other)
	case JoinLeft:
		out := math.Max(inner, l.rows)
		return outerNulls(merge(l, r, out), r, inner, out)
	case JoinRight:
		out := math.Max(inner, r.rows)
		return outerNulls(merge(l, r, out), l, inner, out)
	case JoinFull:
		out := math.Max(inner, math.Max(l.rows, r.rows))
		return outerNulls(outerNulls(merge(l, r, out), l, inner, out), r, inner, out)
	}
	return merge(l, r, inner)
}

// outerNulls marks the columns of an outer join's padded side as NULL
// in the rows that found no partner, the share 1 - inner/out of them
// (LEFT JOIN … WHERE r.key IS NULL keeps those rows, not none).
func outerNulls(c, padded *card, inner, out float64) *card {
	pad := clamp01(1 - inner/math.Max(out, 1))
	for id := range padded.base {
		f := pad
		if g, ok := padded.nulls[id]; ok {
			f = clamp01(pad + (1-pad)*g)
		}
		c.nulls[id] = f
	}
	return c
}

// joinDistincts estimates the distinct values of join keys a (of l) and
// b (of r). Known counts are used as they are. An unknown one follows
// the foreign-key assumption of a star schema: the key from the smaller
// relation is that relation's key, unique over its base rows, and the
// other side's values lie in that domain. So a fact table joined to a
// whole dimension keeps its rows, and joined to a filtered dimension
// keeps the share of the dimension the filter left.
func joinDistincts(l *card, a ColumnID, r *card, b ColumnID) (float64, float64) {
	da, oka := l.distinct(a)
	db, okb := r.distinct(b)
	if oka && okb {
		return da, db
	}
	domain := math.Min(l.baseOf(a), r.baseOf(b))
	if oka {
		domain = math.Max(domain, da)
	}
	if okb {
		domain = math.Max(domain, db)
	}
	bound := func(c *card, id ColumnID) float64 {
		d := math.Min(c.rows, domain)
		if w, ok := c.width(id); ok {
			d = math.Min(d, w)
		}
		return math.Max(1, d)
	}
	if !oka {
		da = bound(l, a)
	}
	if !okb {
		db = bound(r, b)
	}
	return da, db
}

// merge is the card of the columns of l and r side by side, cut to rows.
func merge(l, r *card, rows float64) *card {
	out := l.scaled(rows)
	out.absorb(r, rows)
	return out
}

// equiSides matches p = (a = b) with column a from the left input and b
// from the right; side tells a column's input (0 left, 1 right).
func equiSides(p expr.Expr, side func(ColumnID) int) (ColumnID, ColumnID, bool) {
	c, ok := p.(*expr.Call)
	if !ok || c.Name != "=" || len(c.Args) != 2 {
		return 0, 0, false
	}
	x, ok1 := unwrapCol(c.Args[0])
	y, ok2 := unwrapCol(c.Args[1])
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	sx, sy := side(x), side(y)
	if sx == 0 && sy == 1 {
		return x, y, true
	}
	if sx == 1 && sy == 0 {
		return y, x, true
	}
	return 0, 0, false
}

// unwrapCol sees a column through casts (a join of int4 with int8 keys).
func unwrapCol(x expr.Expr) (ColumnID, bool) {
	for {
		switch y := x.(type) {
		case *expr.Col:
			return y.ID, true
		case *expr.Cast:
			x = y.X
		default:
			return 0, false
		}
	}
}

// colEqConst matches column = constant.
func colEqConst(p expr.Expr) (ColumnID, expr.Expr, bool) {
	c, ok := p.(*expr.Call)
	if !ok || c.Name != "=" || len(c.Args) != 2 {
		return 0, nil, false
	}
	a, b := c.Args[0], c.Args[1]
	if isConstExpr(a) {
		a, b = b, a
	}
	col, ok := a.(*expr.Col)
	if !ok || !isConstExpr(b) {
		return 0, nil, false
	}
	return col.ID, b, true
}

func isConstExpr(x expr.Expr) bool {
	switch y := x.(type) {
	case *expr.Const, *expr.Param:
		return true
	case *expr.Cast:
		return isConstExpr(y.X)
	}
	return false
}

func isIntegral(t types.T) bool {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Date:
		return true
	}
	return false
}

// numberOf places a value on the number line for range estimates.
func numberOf(v types.Value) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case types.Decimal:
		return x.Float64(), true
	case types.DateVal:
		return float64(x), true
	case types.TimestampVal:
		return float64(x), true
	}
	return 0, false
}

func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }
