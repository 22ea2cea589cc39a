package planner

import (
	"slices"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// eagerAggregate groups the inputs that feed an aggregate's arguments
// before they are joined to the inputs that only supply its text group
// keys (Yan and Larson's eager aggregation; TPC-DS q04, q11, q74):
//
//	SELECT c_id, c_name, d_year, sum(ss_price)
//	FROM customer JOIN store_sales ON c_sk = ss_c_sk JOIN date_dim …
//	GROUP BY c_id, c_name, d_year
//
// becomes a sum grouped by (ss_c_sk, d_year) over store_sales ⋈ date_dim,
// joined to customer and summed again by the original keys. The joins and
// the text gathers then see one row per customer and year instead of one
// per sale. It is exact for inner joins: a partial row joined to k rows of
// the key side contributes k times its partial sum, as its rows would
// have; count becomes a sum of counts, min and max stay themselves.
//
// It applies only where it cannot cost much: the partial aggregate groups
// by at most three fixed-width columns (one packed integer key), its keys
// besides the join keys take few values, so where it reduces nothing it
// adds one cheap hash table, while the rows it saves would each have
// gathered and hashed text columns.
func eagerAggregate(rc *RuleCtx, n Node) (Node, error) {
	return transformUp(n, func(n Node) (Node, error) {
		if a, ok := n.(*Aggregate); ok {
			if r := rc.eager(a); r != nil {
				return r, nil
			}
		}
		return n, nil
	})
}

// eagerMaxKeys bounds the partial aggregate's group keys.
const eagerMaxKeys = 3

// eagerMaxCombos bounds the combinations of the partial keys that are not
// join keys.
const eagerMaxCombos = 1000

func (rc *RuleCtx) eager(x *Aggregate) Node {
	if x.eager || x.Sets != nil || len(x.Keys) == 0 || len(x.Aggs) == 0 {
		return nil
	}
	for _, a := range x.Aggs {
		if !eagerSplittable(a) {
			return nil
		}
	}
	j, ok := x.Input.(*Join)
	if !ok || (j.Type != JoinInner && j.Type != JoinCross) {
		return nil
	}
	var leaves []Node
	var preds []expr.Expr
	flattenJoins(j, &leaves, &preds)
	argCols := map[ColumnID]bool{}
	for _, a := range x.Aggs {
		addCols(argCols, a.Args...)
	}
	// the key side: unfiltered inputs no argument reads that supply a
	// text key. A filtered one stays below: its join drops rows the
	// partial aggregate would otherwise have grouped.
	var keySide, rest []Node
	for _, l := range leaves {
		cols := colSet(l)
		if !anyIn(argCols, cols) && suppliesTextKey(x.Keys, cols) && !filtered(l) {
			keySide = append(keySide, l)
		} else {
			rest = append(rest, l)
		}
	}
	if len(keySide) == 0 || len(rest) == 0 {
		return nil
	}
	kc, rcols := map[ColumnID]bool{}, map[ColumnID]bool{}
	for _, l := range keySide {
		for id := range colSet(l) {
			kc[id] = true
		}
	}
	for _, l := range rest {
		for id := range colSet(l) {
			rcols[id] = true
		}
	}
	// the partial aggregate's keys: the rest's columns that keys and the
	// joins to the key side read
	var lowerIDs []ColumnID
	lowerSet := map[ColumnID]bool{}
	need := func(cols map[ColumnID]bool) {
		for id := range cols {
			if rcols[id] && !lowerSet[id] {
				lowerSet[id] = true
				lowerIDs = append(lowerIDs, id)
			}
		}
	}
	for _, k := range x.Keys {
		cols := colsOf(k)
		if !within(cols, kc) && !within(cols, rcols) {
			return nil // a key over both sides
		}
		need(cols)
	}
	var keyPreds, restPreds, mixed []expr.Expr
	for _, p := range preds {
		cols := colsOf(p)
		switch {
		case len(cols) > 0 && within(cols, rcols):
			restPreds = append(restPreds, p)
		case within(cols, kc):
			keyPreds = append(keyPreds, p)
		default:
			mixed = append(mixed, p)
			need(cols)
		}
	}
	if len(mixed) == 0 || len(lowerIDs) == 0 || len(lowerIDs) > eagerMaxKeys {
		return nil
	}
	// the rest must join among itself: an input reached only through the
	// key side (TPC-H q05's region, through nation) would filter nothing
	// until after the partial aggregate, which would group its cross
	// product
	if !connected(rest, restPreds) {
		return nil
	}
	// the partial keys besides the join keys must be coarse (a year, a
	// quarter): with a fine one (a date, TPC-DS q23's item by day) the
	// partial groups hold a row or two each and reducing nothing costs a
	// hash table. Known from the statistics' ranges or distinct counts;
	// an unknown one is taken as coarse.
	joinCols := map[ColumnID]bool{}
	for _, p := range mixed {
		addCols(joinCols, p)
	}
	in := newEstimator().of(wrapJoin(rest, restPreds))
	combos := 1.0
	for _, id := range lowerIDs {
		if joinCols[id] {
			continue
		}
		if d, ok := in.distinctOrBound(id); ok {
			combos *= d
		}
	}
	if combos > eagerMaxCombos {
		return nil
	}
	byID := map[ColumnID]Column{}
	for _, l := range rest {
		for _, c := range l.Columns() {
			byID[c.ID] = c
		}
	}
	// in id order, so that the plan does not depend on map order
	slices.Sort(lowerIDs)
	lower := &Aggregate{Input: wrapJoin(rest, restPreds), eager: true}
	remap := map[ColumnID]expr.Expr{}
	for _, id := range lowerIDs {
		c := byID[id]
		if !fixedWidth(c.Type) {
			return nil
		}
		out := Column{ID: rc.NewID(), Name: c.Name, Type: c.Type, Table: c.Table}
		lower.Keys = append(lower.Keys, colRef(c))
		lower.KeyCols = append(lower.KeyCols, out)
		remap[id] = colRef(out)
	}
	upper := &Aggregate{Keys: make([]expr.Expr, len(x.Keys)), KeyCols: x.KeyCols, AggCols: x.AggCols, eager: true}
	for i, k := range x.Keys {
		upper.Keys[i] = substitute(k, remap)
	}
	for i, a := range x.Aggs {
		part := Column{ID: rc.NewID(), Name: x.AggCols[i].Name, Type: a.Ret}
		lower.Aggs = append(lower.Aggs, a)
		lower.AggCols = append(lower.AggCols, part)
		upper.Aggs = append(upper.Aggs, rc.combine(a, part))
	}
	for i, p := range mixed {
		mixed[i] = substitute(p, remap)
	}
	upper.Input = wrapJoin(append(append([]Node{}, keySide...), lower), append(keyPreds, mixed...))
	return upper
}

// eagerSplittable reports an aggregate that a sum, min or max of its
// partial results computes.
func eagerSplittable(a AggCall) bool {
	if a.Distinct || a.Filter != nil || len(a.OrderBy) > 0 || a.WithinKey {
		return false
	}
	switch a.Name {
	case "count":
		return true
	case "min", "max":
		return len(a.Args) == 1
	case "sum":
		// float sums would round differently; intervals are summed as values
		switch a.Ret.Kind {
		case types.Int8, types.Numeric:
			return len(a.Args) == 1
		}
	}
	return false
}

// combine is the aggregate over partial results part that finishes a:
// the sum of counts and sums (in a's result type: a count stays bigint),
// the min of minima, the max of maxima.
func (rc *RuleCtx) combine(a AggCall, part Column) AggCall {
	name := a.Name
	if name == "count" {
		name = "sum"
	}
	fn := rc.b.Reg.Aggregate(name)
	return AggCall{Name: name, Agg: fn, Overload: &fn.Overloads[0], Args: []expr.Expr{colRef(part)},
		ArgT: []types.T{part.Type}, Ret: a.Ret}
}

// suppliesTextKey reports a text group key read only from cols.
func suppliesTextKey(keys []expr.Expr, cols map[ColumnID]bool) bool {
	for _, k := range keys {
		switch k.Type().Kind {
		case types.Text, types.Varchar, types.Char:
			if c := colsOf(k); len(c) > 0 && within(c, cols) {
				return true
			}
		}
	}
	return false
}

// connected reports whether preds join inputs into one tree.
func connected(inputs []Node, preds []expr.Expr) bool {
	sets := make([]map[ColumnID]bool, len(inputs))
	for i, in := range inputs {
		sets[i] = colSet(in)
	}
	reached := map[int]bool{0: true}
	cur := copySet(sets[0])
	for grew := true; grew; {
		grew = false
		for i := range inputs {
			if reached[i] {
				continue
			}
			for _, p := range preds {
				pc := colsOf(p)
				if anyIn(pc, sets[i]) && anyIn(pc, cur) {
					reached[i], grew = true, true
					for id := range sets[i] {
						cur[id] = true
					}
					break
				}
			}
		}
	}
	return len(reached) == len(inputs)
}

// fixedWidth reports a type whose values pack into an integer key.
func fixedWidth(t types.T) bool {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Date, types.Oid:
		return true
	}
	return false
}

// wrapJoin joins inputs under preds; join_order picks the order later.
func wrapJoin(inputs []Node, preds []expr.Expr) Node {
	n := inputs[0]
	for _, in := range inputs[1:] {
		n = &Join{Type: JoinCross, Left: n, Right: in}
	}
	if j, ok := n.(*Join); ok && len(preds) > 0 {
		j.Type, j.Cond = JoinInner, andOf(preds)
		return j
	}
	return wrap(n, preds)
}
