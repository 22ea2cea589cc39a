package planner

import "github.com/lakeq/lakeq/exec/expr"

// pruneColumns drops columns nobody reads: scans read only the columns
// the query uses (what a columnar file reader then decodes), and
// projections stop computing unused expressions.
func pruneColumns(_ *RuleCtx, n Node) (Node, error) {
	need := map[ColumnID]bool{}
	for _, c := range n.Columns() {
		need[c.ID] = true
	}
	return prune(n, need), nil
}

func addCols(need map[ColumnID]bool, es ...expr.Expr) {
	for _, e := range es {
		if e == nil {
			continue
		}
		for id := range colsOf(e) {
			need[id] = true
		}
	}
}

func copySet(m map[ColumnID]bool) map[ColumnID]bool {
	out := make(map[ColumnID]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func allCols(n Node) map[ColumnID]bool { return colSet(n) }

// narrow projects a join input read by a shared CTE down to the columns
// the join and what is above it read. A CTE's scan returns every column
// of the WITH query, whichever its reference uses, and a join hashes and
// gathers every column of its inputs: TPC-DS q04 carried seven text
// columns of customers through six joins to print three of them.
func narrow(n Node, need map[ColumnID]bool) Node {
	if !readsCTE(n) {
		return n
	}
	cols := n.Columns()
	var keep []Column
	for _, c := range cols {
		if need[c.ID] {
			keep = append(keep, c)
		}
	}
	if len(keep) == len(cols) || len(keep) == 0 {
		return n
	}
	p := &Project{Input: n, Cols: keep}
	for _, c := range keep {
		p.Exprs = append(p.Exprs, colRef(c))
	}
	return p
}

// readsCTE reports a CTE scan, or filters over one.
func readsCTE(n Node) bool {
	switch x := n.(type) {
	case *CTEScan:
		return true
	case *Filter:
		return readsCTE(x.Input)
	}
	return false
}

func prune(n Node, need map[ColumnID]bool) Node {
	switch x := n.(type) {
	case *Scan:
		c := *x
		c.Cols, c.ColIdx = nil, nil
		for i, col := range x.Cols {
			if need[col.ID] {
				c.Cols = append(c.Cols, col)
				c.ColIdx = append(c.ColIdx, x.ColIdx[i])
			}
		}
		return &c
	case *Project:
		c := *x
		c.Exprs, c.Cols = nil, nil
		in := map[ColumnID]bool{}
		for i, col := range x.Cols {
			if need[col.ID] || isVolatile(x.Exprs[i]) {
				c.Exprs = append(c.Exprs, x.Exprs[i])
				c.Cols = append(c.Cols, col)
				addCols(in, x.Exprs[i])
			}
		}
		c.Input = prune(x.Input, in)
		return &c
	case *Filter:
		in := copySet(need)
		addCols(in, x.Cond)
		c := *x
		c.Input = prune(x.Input, in)
		return &c
	case *Join:
		in := copySet(need)
		addCols(in, x.Cond)
		c := *x
		c.Left = narrow(prune(x.Left, in), in)
		c.Right = narrow(prune(x.Right, in), in)
		return &c
	case *Aggregate:
		in := map[ColumnID]bool{}
		addCols(in, x.Keys...)
		for _, a := range x.Aggs {
			addCols(in, a.Args...)
			addCols(in, a.Filter)
			for _, o := range a.OrderBy {
				addCols(in, o.Expr)
			}
		}
		c := *x
		c.Input = prune(x.Input, in)
		return &c
	case *Sort:
		in := copySet(need)
		for _, k := range x.Keys {
			addCols(in, k.Expr)
		}
		c := *x
		c.Input = prune(x.Input, in)
		return &c
	case *Limit:
		c := *x
		c.Input = prune(x.Input, need)
		return &c
	case *DistinctOn:
		in := copySet(need)
		addCols(in, x.Keys...)
		c := *x
		c.Input = prune(x.Input, in)
		return &c
	case *Window:
		in := copySet(need)
		addCols(in, x.Partition...)
		for _, o := range x.Order {
			addCols(in, o.Expr)
		}
		for _, f := range x.Funcs {
			addCols(in, f.Args...)
			if f.Agg != nil && f.Agg.Filter != nil {
				addCols(in, f.Agg.Filter)
			}
		}
		c := *x
		c.Input = prune(x.Input, in)
		return &c
	case *Apply:
		in := copySet(need)
		for _, o := range x.Outer {
			in[o.ID] = true
		}
		c := *x
		c.Input = prune(x.Input, in)
		c.Sub = prune(x.Sub, allCols(x.Sub))
		return &c
	}
	// Distinct, set operations, CTEs, values: every input column matters
	ch := n.Children()
	if len(ch) == 0 {
		return n
	}
	nc := make([]Node, len(ch))
	for i, c := range ch {
		nc[i] = prune(c, allCols(c))
	}
	return n.WithChildren(nc)
}
