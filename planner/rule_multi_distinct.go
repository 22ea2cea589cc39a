package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// multiDistinct turns a global aggregate whose DISTINCT calls read
// several arguments into grouping sets, one per argument (Spark's
// RewriteDistinctAggregates; single_distinct takes the case of one):
//
//	SELECT count(*), count(DISTINCT a), sum(DISTINCT b) FROM t
//
// groups t by the sets (a), (b) and () — the plain calls computed in
// parts over the last — and the aggregate above counts a over the rows of
// set (a), sums b over those of (b) and finishes the plain calls over
// those of (), each picked by its set's GROUPING() id in a FILTER. Each
// argument's de-duplication is then a hash aggregate that runs on every
// worker and spills past memory_limit, where the DISTINCT buffers of the
// one group held every row (a count(DISTINCT a), count(DISTINCT b) failed
// with 53200). The same calls as single_distinct are rewritten. A grouped
// aggregate is left as it is: it spills already (every row to partition
// files once past the limit), and its per-group buffers measured faster
// (2 million rows in 10 groups, two DISTINCT arguments: 1.1 s against
// 1.7 s rewritten). The rewrite itself keeps group keys, should that
// change.
func multiDistinct(rc *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		a, ok := n.(*Aggregate)
		if !ok || a.Sets != nil || a.GIDCol != nil || len(a.Aggs) == 0 || len(a.Keys) > 0 {
			return n, nil
		}
		var args []expr.Expr // the distinct arguments, in order
		argOf := make([]int, len(a.Aggs))
		plain := false
		for i, c := range a.Aggs {
			argOf[i] = -1
			if !c.Distinct {
				if !eagerSplittable(c) {
					return n, nil
				}
				plain = true
				continue
			}
			if c.Filter != nil || len(c.OrderBy) > 0 || c.WithinKey || c.Star || len(c.Args) != 1 || isVolatile(c.Args[0]) {
				return n, nil
			}
			switch c.Name {
			case "count", "sum", "avg", "min", "max":
			default:
				return n, nil
			}
			for j, x := range args {
				if exprKey(x) == exprKey(c.Args[0]) {
					argOf[i] = j
				}
			}
			if argOf[i] < 0 {
				argOf[i] = len(args)
				args = append(args, c.Args[0])
			}
		}
		if len(args) < 2 || aggregatesAtSource(a.Input) {
			return n, nil
		}
		nk := len(a.Keys)
		gidCol := Column{ID: rc.NewID(), Name: "?gid?", Type: types.Int8T}
		inner := &Aggregate{Input: a.Input, GIDCol: &gidCol, eager: a.eager}
		outer := rc.twoLevels(a, inner)
		base := make([]int, nk)
		for i := range base {
			base[i] = i
		}
		// a set's GROUPING() id: a bit per key, the first the highest, set
		// where the key is not in the set
		total := nk + len(args)
		gidOf := func(set []int) int64 {
			in := map[int]bool{}
			for _, k := range set {
				in[k] = true
			}
			var g int64
			for k := 0; k < total; k++ {
				g <<= 1
				if !in[k] {
					g |= 1
				}
			}
			return g
		}
		pick := func(set []int) expr.Expr {
			return eqCall(colRef(gidCol), &expr.Const{V: gidOf(set), T: types.Int8T})
		}
		vals := make([]Column, len(args))
		for j, x := range args {
			vals[j] = Column{ID: rc.NewID(), Name: "distinct", Type: x.Type()}
			inner.Keys = append(inner.Keys, x)
			inner.KeyCols = append(inner.KeyCols, vals[j])
			inner.Sets = append(inner.Sets, append(append([]int{}, base...), nk+j))
		}
		if plain {
			inner.Sets = append(inner.Sets, base)
		}
		zero := map[int]Column{}
		for i, c := range a.Aggs {
			if c.Distinct {
				j := argOf[i]
				c.Distinct = false
				c.Args = []expr.Expr{colRef(vals[j])}
				c.Filter = pick(inner.Sets[j])
				outer.Aggs = append(outer.Aggs, c)
				outer.AggCols = append(outer.AggCols, a.AggCols[i])
				continue
			}
			rc.splitPlain(a, inner, outer, i, pick(base), zero)
		}
		if len(zero) == 0 {
			return outer, nil
		}
		return zeroCounts(outer, zero), nil
	})
}

// splitPlain computes plain call i of a in parts in inner and finishes
// it in outer (over the rows filter picks, if any: a sum of the counts, a
// min of the minima, …). A global aggregate's count gets a new column,
// noted in zero for zeroCounts: a sum of no parts is NULL, a count 0.
func (rc *RuleCtx) splitPlain(a, inner, outer *Aggregate, i int, filter expr.Expr, zero map[int]Column) {
	c := a.Aggs[i]
	part := Column{ID: rc.NewID(), Name: a.AggCols[i].Name, Type: c.Ret}
	inner.Aggs = append(inner.Aggs, c)
	inner.AggCols = append(inner.AggCols, part)
	fin := rc.combine(c, part)
	fin.Filter = filter
	outer.Aggs = append(outer.Aggs, fin)
	col := a.AggCols[i]
	if len(a.Keys) == 0 && c.Name == "count" {
		zero[i] = col
		col = Column{ID: rc.NewID(), Name: col.Name, Type: col.Type}
	}
	outer.AggCols = append(outer.AggCols, col)
}

// zeroCounts puts a Project over a global aggregate that gives its count
// columns zero[i] (the original columns, now computed as sums of counts
// into new ones) 0 where the sum of no parts is NULL.
func zeroCounts(outer *Aggregate, zero map[int]Column) Node {
	p := &Project{Input: outer}
	for i, c := range outer.AggCols {
		var e expr.Expr = colRef(c)
		orig := c
		if z, ok := zero[i]; ok {
			e = &expr.Coalesce{Args: []expr.Expr{e, &expr.Const{V: int64(0), T: z.Type}}, T: z.Type}
			orig = z
		}
		p.Exprs = append(p.Exprs, e)
		p.Cols = append(p.Cols, orig)
	}
	return p
}
