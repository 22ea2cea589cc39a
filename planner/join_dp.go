package planner

import (
	"math"
	"math/bits"

	"github.com/lakeq/lakeq/exec/expr"
)

// dpMaxLeaves bounds the exhaustive search: 3^n splits are tried, a few
// milliseconds at 10 inputs. Larger join groups keep the greedy order.
const dpMaxLeaves = 10

// dpOrder finds the cheapest join tree of leaves — bushy trees included
// — by dynamic programming over sets of inputs (DPsub), where a tree's
// cost is the sum of the estimated rows of every join in it (C_out): the
// rows a plan makes and hashes are what it spends its time on. Only
// splits a predicate connects are considered, so no cross product is
// formed; a join graph that is not connected returns nil (the greedy
// order handles it). Each set's estimate is computed once, from the
// first split that reaches it, so all trees of one set agree on its size
// and differ only in what they build on the way.
func dpOrder(leaves []Node, preds []expr.Expr) Node {
	n := len(leaves)
	if n < 3 || n > dpMaxLeaves {
		return nil
	}
	est := newEstimator()
	owner := map[ColumnID]int{}
	for i, l := range leaves {
		for id := range colSet(l) {
			owner[id] = i
		}
	}
	// each predicate's inputs; one over no column stays on top, one over
	// a single input (unusual after pushdown) filters that input
	pmask := make([]uint32, len(preds))
	var top []expr.Expr
	single := map[int][]expr.Expr{}
	var multi []int
	for p, e := range preds {
		for id := range colsOf(e) {
			if i, ok := owner[id]; ok {
				pmask[p] |= 1 << uint(i)
			} else {
				pmask[p] = math.MaxUint32 // reads a column of no input: keep it on top
			}
		}
		switch {
		case pmask[p] == 0 || pmask[p] == math.MaxUint32:
			top = append(top, e)
		case bits.OnesCount32(pmask[p]) == 1:
			i := bits.TrailingZeros32(pmask[p])
			single[i] = append(single[i], e)
		default:
			multi = append(multi, p)
		}
	}
	leaves = append([]Node(nil), leaves...)
	for i, ps := range single {
		leaves[i] = &Filter{Input: leaves[i], Cond: andOf(ps)}
	}

	type entry struct {
		card        *card
		cost        float64
		left, right uint32 // 0 for a leaf
		ok          bool
	}
	full := uint32(1)<<uint(n) - 1
	best := make([]entry, full+1)
	// the search reads of its inputs' cards only the columns of the
	// predicates between them
	keys := map[ColumnID]bool{}
	for _, p := range multi {
		for id := range colsOf(preds[p]) {
			keys[id] = true
		}
	}
	for i, l := range leaves {
		best[1<<uint(i)] = entry{card: est.of(l).only(keys), ok: true}
	}
	side := func(l, r uint32) func(ColumnID) int {
		return func(id ColumnID) int {
			i, ok := owner[id]
			if !ok {
				return -1
			}
			switch {
			case l&(1<<uint(i)) != 0:
				return 0
			case r&(1<<uint(i)) != 0:
				return 1
			}
			return -1
		}
	}
	between := func(l, r uint32) []expr.Expr {
		var out []expr.Expr
		for _, p := range multi {
			m := pmask[p]
			if m&^(l|r) == 0 && m&l != 0 && m&r != 0 {
				out = append(out, preds[p])
			}
		}
		return out
	}
	for mask := uint32(3); mask <= full; mask++ {
		if bits.OnesCount32(mask) < 2 {
			continue
		}
		low := mask & -mask
		for sub := (mask - 1) & mask; sub > 0; sub = (sub - 1) & mask {
			if sub&low == 0 { // each split once: the left part holds the lowest input
				continue
			}
			rest := mask &^ sub
			a, b := &best[sub], &best[rest]
			if !a.ok || !b.ok {
				continue
			}
			ps := between(sub, rest)
			if len(ps) == 0 {
				continue
			}
			e := &best[mask]
			if !e.ok {
				e.card = est.joined(JoinInner, a.card, b.card, side(sub, rest), ps)
			}
			cost := a.cost + b.cost + e.card.rows
			if !hasEquiJoin(ps) {
				// no hash key: every pair of rows is tried
				cost += a.card.rows * b.card.rows
			}
			if !e.ok || cost < e.cost {
				e.cost, e.left, e.right, e.ok = cost, sub, rest, true
			}
		}
	}
	if !best[full].ok {
		return nil
	}
	var build func(mask uint32) Node
	build = func(mask uint32) Node {
		e := best[mask]
		if e.left == 0 {
			return leaves[bits.TrailingZeros32(mask)]
		}
		l, r := e.left, e.right
		// the larger side streams (probe), the smaller is hashed
		if best[r].card.rows > best[l].card.rows {
			l, r = r, l
		}
		return &Join{Type: JoinInner, Left: build(l), Right: build(r), Cond: andOf(between(l, r))}
	}
	return wrap(build(full), top)
}

// hasEquiJoin reports an equality between columns of the two sides among
// ps, which a hash join can use as its key.
func hasEquiJoin(ps []expr.Expr) bool {
	for _, p := range ps {
		if isEquiJoin(p) {
			return true
		}
	}
	return false
}
