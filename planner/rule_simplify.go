package planner

import (
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// simplifyExpressions folds what the binder's call folding leaves: any
// expression whose operands are all constants (CASE, COALESCE, NULLIF,
// IN lists, NOT, IS NULL, casts) becomes its value, and AND/OR/CASE
// drop the arms a constant decides — as PostgreSQL's
// eval_const_expressions does. WHERE 'x' NOT IN ('y', NULL) is then the
// NULL it always is, which propagate_empty turns into no scan at all;
// CASE WHEN false THEN … never runs its arm. An expression that fails
// to evaluate stays as it is, to fail only if a row reaches it.
// Volatile calls, columns, parameters and subqueries are never folded.
func simplifyExpressions(rc *RuleCtx, n Node) (Node, error) {
	s := simplifier{rc: rc}
	var visit func(Node)
	visit = func(n Node) {
		switch x := n.(type) {
		case *Filter:
			x.Cond = s.simplify(x.Cond)
		case *Join:
			// an IN's null-aware or mark join reads its comparison as
			// three-valued: NULL = k must stay a comparison
			if x.Cond != nil && !x.NullAware && x.Type != JoinNullAnti && x.Type != JoinMark {
				x.Cond = s.simplify(x.Cond)
			}
		case *Project:
			for i, e := range x.Exprs {
				x.Exprs[i] = s.simplify(e)
			}
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
	return n, nil
}

type simplifier struct{ rc *RuleCtx }

func (s simplifier) simplify(e expr.Expr) expr.Expr {
	return expr.Transform(e, func(x expr.Expr) expr.Expr {
		switch y := x.(type) {
		case *expr.And:
			return simplifyJunction(y.Args, false, func(k []expr.Expr) expr.Expr { return &expr.And{Args: k} })
		case *expr.Or:
			return simplifyJunction(y.Args, true, func(k []expr.Expr) expr.Expr { return &expr.Or{Args: k} })
		case *expr.Case:
			x = simplifyCase(y)
		case *expr.Call:
			// a strict operator on an operand that folded to NULL
			if strictOps[y.Name] || y.Name == "||" && y.T.IsString() {
				for _, a := range y.Args {
					if k, ok := a.(*expr.Const); ok && k.V == nil {
						return &expr.Const{T: y.T}
					}
				}
			}
		}
		if s.foldable(x) {
			if v, err := expr.EvalScalar(s.rc.b.evalCtx(), x); err == nil {
				return &expr.Const{V: v, T: x.Type()}
			}
		}
		return x
	})
}

// foldable: an operator node (not a leaf) all of whose operands are
// constants already, and which may be evaluated once for the statement.
func (s simplifier) foldable(x expr.Expr) bool {
	switch y := x.(type) {
	case *expr.Const, *expr.Col, *expr.OuterRef, *expr.Param, *expr.Subquery:
		return false
	case *expr.Call:
		if fn := s.rc.b.Reg.Scalar(y.Name); fn != nil && fn.Volatile || isVolatile(y) {
			return false
		}
	}
	return allConst(x)
}

// allConst reports whether every direct operand of x is a constant (and
// that it has one).
func allConst(x expr.Expr) bool {
	all, any := true, false
	expr.MapChildren(x, func(c expr.Expr) expr.Expr {
		any = true
		if _, ok := c.(*expr.Const); !ok {
			all = false
		}
		return c
	})
	return all && any
}

func constBool(e expr.Expr) (v, isNull, ok bool) {
	k, isConst := e.(*expr.Const)
	if !isConst {
		return false, false, false
	}
	if k.V == nil {
		return false, true, true
	}
	b, isBool := k.V.(bool)
	return b, false, isBool
}

// simplifyJunction folds AND (absorbing false) or OR (absorbing true):
// the absorbing constant anywhere is the result, the other constant
// drops out, and one operand left stands alone.
func simplifyJunction(args []expr.Expr, absorbing bool, rebuild func([]expr.Expr) expr.Expr) expr.Expr {
	var keep []expr.Expr
	for _, x := range args {
		if v, null, ok := constBool(x); ok && !null {
			if v == absorbing {
				return x
			}
			continue
		}
		keep = append(keep, x)
	}
	switch len(keep) {
	case 0:
		return boolValue(!absorbing)
	case 1:
		return keep[0]
	}
	return rebuild(keep)
}

// simplifyCase drops the arms whose condition is constantly false or
// NULL, and ends the CASE at the first constantly true one.
func simplifyCase(c *expr.Case) expr.Expr {
	// a branch that stands for the CASE keeps the CASE's type: a NULL
	// branch may have been typed apart (ELSE NULL read as plain numeric
	// in a CASE of numeric(38,0)), and its column must be the CASE's
	branch := func(e expr.Expr) expr.Expr {
		if k, ok := e.(*expr.Const); ok && k.V == nil {
			return &expr.Const{T: c.T}
		}
		return e
	}
	var whens []expr.When
	for _, w := range c.Whens {
		v, null, ok := constBool(w.Cond)
		if ok && (null || !v) {
			continue
		}
		if ok && v {
			if len(whens) == 0 {
				return branch(w.Then)
			}
			return &expr.Case{Whens: whens, Else: w.Then, T: c.T}
		}
		whens = append(whens, w)
	}
	if len(whens) == 0 {
		if c.Else == nil {
			return &expr.Const{T: c.T}
		}
		return branch(c.Else)
	}
	if len(whens) == len(c.Whens) {
		return c
	}
	return &expr.Case{Whens: whens, Else: c.Else, T: c.T}
}

func boolValue(v bool) expr.Expr { return &expr.Const{V: v, T: types.BoolT} }
