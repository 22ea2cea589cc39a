package planner

import (
	"math"

	"github.com/lakeq/lakeq/exec/expr"
)

// windowRankLimit tells a window that its rows matter only up to a rank:
// under WHERE rk <= N (or rk < N, rk = N) where rk is the window's
// row_number() or rank(), no row ranked past N in its partition can pass,
// so the window may drop them before it sorts (TPC-DS q67 sorted 137,602
// groups to keep the 100 best of each category). Every function of the
// window must depend only on the rows ordered before a row and its peers
// (row_number, rank, dense_rank), so that the rows kept get the values
// they would have had among all of them; the Filter stays above and
// removes what the window kept beyond N (the peers of the N-th row, rows
// numbered past N). Spark calls this WindowGroupLimit.
func windowRankLimit(_ *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		f, ok := n.(*Filter)
		if !ok {
			return n, nil
		}
		w, ok := f.Input.(*Window)
		if !ok || w.RankLimit > 0 {
			return n, nil
		}
		limiting := map[ColumnID]bool{}
		for i, fn := range w.Funcs {
			if fn.Win == nil {
				return n, nil
			}
			switch fn.Name {
			case "row_number", "rank":
				limiting[w.FuncCols[i].ID] = true
			case "dense_rank":
			default:
				return n, nil
			}
		}
		var limit int64
		for _, c := range splitConjuncts(f.Cond) {
			col, l, ok := rankBound(c)
			if ok && limiting[col.ID] && l >= 1 && (limit == 0 || l < limit) {
				limit = l
			}
		}
		if limit == 0 {
			return n, nil
		}
		nw := *w
		nw.RankLimit = limit
		nf := *f
		nf.Input = &nw
		return &nf, nil
	})
}

// rankBound matches rk <= N, rk < N or rk = N (either side) with an
// integral constant N: the highest value of rk that may pass.
func rankBound(p expr.Expr) (*expr.Col, int64, bool) {
	if c, ok := p.(*expr.Call); ok && c.Name == "=" && len(c.Args) == 2 {
		a, b := c.Args[0], c.Args[1]
		if isConstExpr(a) {
			a, b = b, a
		}
		col, ok := a.(*expr.Col)
		for {
			cast, isCast := b.(*expr.Cast)
			if !isCast {
				break
			}
			b = cast.X
		}
		k, isConst := b.(*expr.Const)
		if !ok || !isConst || !isIntegral(col.T) {
			return nil, 0, false
		}
		v, ok := numberOf(k.V)
		if !ok || v != math.Trunc(v) || v > math.MaxInt32 {
			return nil, 0, false
		}
		return col, int64(v), true
	}
	col, op, v, ok := rangeBound(p)
	if !ok || (op != "<" && op != "<=") || !isIntegral(col.T) || v != math.Trunc(v) || v > math.MaxInt32 {
		return nil, 0, false
	}
	// rangeBound made both forms "below v": rk <= 5 is rk < 6
	return col, int64(v) - 1, true
}
