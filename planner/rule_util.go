package planner

import (
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

func colSet(n Node) map[ColumnID]bool {
	m := map[ColumnID]bool{}
	for _, c := range n.Columns() {
		m[c.ID] = true
	}
	return m
}

// colEquality matches p = (a = b) over two plain columns.
func colEquality(p expr.Expr) (a, b *expr.Col, ok bool) {
	c, isCall := p.(*expr.Call)
	if !isCall || c.Name != "=" || len(c.Args) != 2 {
		return nil, nil, false
	}
	a, ok1 := c.Args[0].(*expr.Col)
	b, ok2 := c.Args[1].(*expr.Col)
	return a, b, ok1 && ok2
}

func within(cols map[ColumnID]bool, set map[ColumnID]bool) bool {
	for id := range cols {
		if !set[id] {
			return false
		}
	}
	return true
}

func andOf(preds []expr.Expr) expr.Expr {
	switch len(preds) {
	case 0:
		return nil
	case 1:
		return preds[0]
	}
	return &expr.And{Args: preds}
}

func hasOuterRef(e expr.Expr) bool {
	found := false
	expr.Walk(e, func(x expr.Expr) bool {
		if _, ok := x.(*expr.OuterRef); ok {
			found = true
		}
		return !found
	})
	return found
}

// outerToCol turns outer references into plain column references.
func outerToCol(e expr.Expr) expr.Expr {
	return expr.Transform(e, func(x expr.Expr) expr.Expr {
		if o, ok := x.(*expr.OuterRef); ok {
			return &expr.Col{ID: o.ID, Idx: -1, T: o.T, Name: o.Name}
		}
		return x
	})
}

func isVolatile(e expr.Expr) bool {
	v := false
	expr.Walk(e, func(x expr.Expr) bool {
		if c, ok := x.(*expr.Call); ok && (c.Name == "random" || c.Name == "clock_timestamp" || c.Name == "gen_random_uuid") {
			v = true
		}
		return !v
	})
	return v
}

// substitute replaces column references by expressions.
func substitute(e expr.Expr, m map[ColumnID]expr.Expr) expr.Expr {
	return expr.Transform(e, func(x expr.Expr) expr.Expr {
		if c, ok := x.(*expr.Col); ok {
			if r, ok := m[c.ID]; ok {
				return r
			}
		}
		return x
	})
}

// nodeExprs lists the expressions a node evaluates (for rules that visit
// subquery plans inside expressions).
func nodeExprs(n Node) []expr.Expr {
	switch x := n.(type) {
	case *Filter:
		return []expr.Expr{x.Cond}
	case *Project:
		return x.Exprs
	case *Join:
		if x.Cond != nil {
			return []expr.Expr{x.Cond}
		}
	case *Aggregate:
		out := append([]expr.Expr{}, x.Keys...)
		for _, a := range x.Aggs {
			out = append(out, a.Args...)
			if a.Filter != nil {
				out = append(out, a.Filter)
			}
		}
		return out
	case *Values:
		var out []expr.Expr
		for _, r := range x.Rows {
			out = append(out, r...)
		}
		return out
	case *Sort:
		var out []expr.Expr
		for _, k := range x.Keys {
			out = append(out, k.Expr)
		}
		return out
	case *Window:
		out := append([]expr.Expr{}, x.Partition...)
		for _, o := range x.Order {
			out = append(out, o.Expr)
		}
		for _, f := range x.Funcs {
			out = append(out, f.Args...)
			if f.Agg != nil && f.Agg.Filter != nil {
				out = append(out, f.Agg.Filter)
			}
		}
		return out
	case *DistinctOn:
		return x.Keys
	case *TableFunc:
		out := append([]expr.Expr{}, x.Args...)
		for _, p := range x.Zip {
			out = append(out, p.Args...)
		}
		return out
	}
	return nil
}

// nullRejecting reports whether pred is false or NULL whenever any of
// cols is NULL (so an outer join producing NULLs there can be inner).
func nullRejecting(pred expr.Expr, cols map[ColumnID]bool) bool {
	switch x := pred.(type) {
	case *expr.Call:
		// x op ANY (array) is NULL or false for a NULL x; x op ALL (array)
		// too, unless the array is empty (then it is true)
		if strings.HasSuffix(x.Name, " ANY") || strings.HasSuffix(x.Name, " ALL") && nonEmptyArray(x.Args[1]) {
			return strictOver(x.Args[0], cols)
		}
		if !isCompareName(x.Name) && x.Name != "~" && x.Name != "~*" {
			return false
		}
		for _, a := range x.Args {
			if strictOver(a, cols) {
				return true
			}
		}
	case *expr.IsNull:
		return x.Not && strictOver(x.X, cols)
	case *expr.Like:
		return strictOver(x.X, cols)
	case *expr.InList:
		return !x.Not && strictOver(x.X, cols)
	case *expr.And:
		for _, a := range x.Args {
			if nullRejecting(a, cols) {
				return true
			}
		}
	case *expr.Or:
		for _, a := range x.Args {
			if !nullRejecting(a, cols) {
				return false
			}
		}
		return len(x.Args) > 0
	}
	return false
}

func isCompareName(n string) bool {
	switch n {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// strictOver reports whether e is NULL whenever a column of cols is NULL:
// a column, or arithmetic/casts over one.
func strictOver(e expr.Expr, cols map[ColumnID]bool) bool {
	switch x := e.(type) {
	case *expr.Col:
		return cols[x.ID]
	case *expr.Cast:
		return strictOver(x.X, cols)
	case *expr.Call:
		switch x.Name {
		case "||":
			// text || is strict; array || NULL keeps the array
			if !x.T.IsString() {
				return false
			}
			for _, a := range x.Args {
				if strictOver(a, cols) {
					return true
				}
			}
		case "+", "-", "*", "/", "%", "u-", "upper", "lower", "substring", "abs":
			for _, a := range x.Args {
				if strictOver(a, cols) {
					return true
				}
			}
		}
	}
	return false
}

// nonEmptyArray reports an array constant or constructor with elements.
func nonEmptyArray(e expr.Expr) bool {
	switch x := e.(type) {
	case *expr.Const:
		vs, ok := x.V.([]any)
		return ok && len(vs) > 0
	case *expr.ArrayCtor:
		return len(x.Elems) > 0
	}
	return false
}

func boolConst(e expr.Expr) (bool, bool) {
	if c, ok := e.(*expr.Const); ok && c.T.Kind == types.Bool {
		if c.V == nil {
			return false, true
		}
		return c.V.(bool), true
	}
	return false, false
}

func eqKernel(t types.T) functions.Kernel { return functions.CompareKernel("=", t) }

func eqCall(a, b expr.Expr) expr.Expr {
	return &expr.Call{Name: "=", Kernel: eqKernel(a.Type()), Args: []expr.Expr{a, b}, T: types.BoolT}
}
