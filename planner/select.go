package planner

import (
	"errors"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// aggCtx collects GROUP BY keys and aggregate calls while the select
// list, HAVING and ORDER BY are bound.
type aggCtx struct {
	input   *scope
	keys    []expr.Expr
	keyStr  []string
	keyCols []Column
	aggs    []*AggCall
	aggCols []Column
	gid     *Column
	sets    [][]int
	// outerAggs counts the aggregate calls bound for an outer query
	outerAggs int
	// byTarget maps a select-list expression that GROUP BY named by
	// position or alias to its key: binding it again would give a
	// subquery in it a new plan, and a key that matches nothing.
	byTarget map[ast.Expr]int
	// subs are the subqueries bound in GROUP BY keys: a select-list,
	// HAVING or ORDER BY expression that writes the same subquery again
	// (PostgreSQL matches GROUP BY expressions structurally) gets the
	// same bound subquery, so that its key matches
	subs []boundSub
}

// boundSub is a subquery as written and as bound.
type boundSub struct {
	ast   *ast.SubLink
	bound expr.Expr
}

// sameSub returns the subquery bound in a GROUP BY key that x writes
// again, if any.
func (ac *aggCtx) sameSub(x *ast.SubLink) (expr.Expr, bool) {
	if ac == nil {
		return nil, false
	}
	for _, s := range ac.subs {
		if sameAST(s.ast, x) {
			return s.bound, true
		}
	}
	return nil, false
}

// keyOf reports the GROUP BY key bound from select-list expression e.
func (ac *aggCtx) keyOf(e ast.Expr) (int, bool) {
	if ac == nil {
		return 0, false
	}
	k, ok := ac.byTarget[e]
	return k, ok
}

// winCtx collects window function calls.
type winCtx struct {
	specs []*winSpec
	named map[string]*ast.WindowDef
}

type winSpec struct {
	key   string
	node  *Window
	calls []string
}

type target struct {
	e    expr.Expr
	name string
	ast  ast.Expr
}

// errOuterAggregate is raised by an aggregate in a subquery that belongs
// to sel, an outer query not yet bound as an aggregate query.
type errOuterAggregate struct{ sel *ast.Select }

func (e *errOuterAggregate) Error() string {
	return "aggregate of an outer query level" // never reaches a user: bindSimpleSelect rebinds
}

// errLocalAggregate is raised, in a select bound again as a plain query
// (Binder.aggsOuter), by an aggregate call of its own level after all.
var errLocalAggregate = errors.New("aggregate of the query's own level") // never reaches a user

func (b *Binder) bindSimpleSelect(sel *ast.Select, parent *scope) (Node, error) {
	n, err := b.bindSimpleSelectOnce(sel, parent)
	var oa *errOuterAggregate
	if errors.As(err, &oa) && oa.sel == sel && !b.outerAgg[sel] {
		if b.outerAgg == nil {
			b.outerAgg = map[*ast.Select]bool{}
		}
		b.outerAgg[sel] = true
		n, err = b.bindSimpleSelectOnce(sel, parent)
	}
	// A select is an aggregate query only through aggregates of its own
	// level: when the calls that made it one all belong to an outer query
	// (SELECT (SELECT max(o.a) + i.a FROM t i) FROM t o), it is a plain
	// query reading their results, as PostgreSQL binds it.
	ac := b.lastAgg[sel]
	if ac != nil && len(ac.aggs) == 0 && len(sel.GroupBy) == 0 && sel.Having == nil && !b.outerAgg[sel] && !b.aggsOuter[sel] &&
		(err == nil && ac.outerAggs > 0 || sqlerr.Code(err) == sqlerr.GroupingError) {
		if b.aggsOuter == nil {
			b.aggsOuter = map[*ast.Select]bool{}
		}
		b.aggsOuter[sel] = true
		n2, err2 := b.bindSimpleSelectOnce(sel, parent)
		if err2 == nil || !errors.Is(err2, errLocalAggregate) {
			return n2, err2
		}
		delete(b.aggsOuter, sel)
		// an aggregate of its own level after all: the first binding stands
	}
	return n, err
}

func (b *Binder) bindSimpleSelectOnce(sel *ast.Select, parent *scope) (Node, error) {
	sc := &scope{parent: parent}
	if parent != nil {
		sc.outer = parent.outer
	}
	var n Node
	if len(sel.From) == 0 {
		n = &Values{Rows: [][]expr.Expr{{}}}
	} else {
		var err error
		n, err = b.bindFromList(sel.From, sc)
		if err != nil {
			return nil, err
		}
	}
	if sel.Where != nil {
		sc.noAgg, sc.noWindow = "WHERE", "WHERE"
		b.markWhereRowIns(sel.Where)
		cond, err := b.bindCond(sel.Where, sc, "WHERE")
		if err != nil {
			return nil, err
		}
		sc.noAgg, sc.noWindow = "", ""
		n = &Filter{Input: n, Cond: cond}
	}

	// Expand the select list's stars first: later clauses see its items.
	var targetsAST []ast.Target
	for _, t := range sel.Targets {
		if cr, ok := t.Expr.(*ast.ColumnRef); ok && cr.Star {
			cols, err := b.expandStar(sc, cr)
			if err != nil {
				return nil, err
			}
			seen := map[[2]string]int{}
			for _, c := range cols {
				seen[[2]string{c.qualName, c.Name}]++
			}
			for _, c := range cols {
				ref := &ast.ColumnRef{Parts: []string{c.qualName, c.Name}, Location: cr.Location}
				if seen[[2]string{c.qualName, c.Name}] > 1 {
					ref.BoundID = int(c.ID) // a name the item has twice
				}
				targetsAST = append(targetsAST, ast.Target{Expr: ref, Alias: c.Name, Pos: t.Pos})
			}
			continue
		}
		targetsAST = append(targetsAST, t)
	}

	hasAgg := len(sel.GroupBy) > 0 || sel.Having != nil || b.outerAgg[sel]
	if !hasAgg && !b.aggsOuter[sel] {
		for _, t := range targetsAST {
			if b.containsAggregate(t.Expr) {
				hasAgg = true
				break
			}
		}
		for _, o := range sel.OrderBy {
			if b.containsAggregate(o.Expr) {
				hasAgg = true
			}
		}
	}
	if len(sel.From) > 0 || !hasAgg {
		var err error
		if n, targetsAST, err = b.bindSelectSRFs(n, sc, targetsAST, hasAgg); err != nil {
			return nil, err
		}
	}
	post := sc // scope for select list / having / order by
	var ac *aggCtx
	if hasAgg {
		ac = &aggCtx{input: sc}
		if b.lastAgg == nil {
			b.lastAgg = map[*ast.Select]*aggCtx{}
		}
		b.lastAgg[sel] = ac
		if err := b.bindGroupBy(sel, targetsAST, sc, ac); err != nil {
			return nil, err
		}
		post = &scope{parent: sc.parent, cols: sc.cols, quals: sc.quals, outer: sc.outer, agg: ac}
	}
	post.sel = sel
	wc := &winCtx{named: map[string]*ast.WindowDef{}}
	for i := range sel.Windows {
		w := &sel.Windows[i]
		if _, dup := wc.named[w.Name]; dup {
			return nil, sqlerr.New(sqlerr.WindowingError, "window \"%s\" is already defined", w.Name)
		}
		wc.named[w.Name] = w
	}
	post.win = wc

	// select list
	var targets []target
	for _, t := range targetsAST {
		var e expr.Expr
		var err error
		if k, ok := ac.keyOf(t.Expr); ok {
			e = colRef(ac.keyCols[k])
		} else if e, err = b.bindPost(t.Expr, post); err != nil {
			return nil, err
		}
		name := t.Alias
		if name == "" {
			name = figureName(t.Expr)
		}
		targets = append(targets, target{e: e, name: name, ast: t.Expr})
	}
	var having expr.Expr
	if sel.Having != nil {
		post.noWindow = "HAVING"
		h, err := b.bindPost(sel.Having, post)
		if err != nil {
			return nil, err
		}
		post.noWindow = ""
		if h, err = b.asBool(h, "HAVING", sel.Having.Pos()); err != nil {
			return nil, err
		}
		having = h
	}
	// ORDER BY: output names and ordinals first, then expressions
	type orderItem struct {
		key    SortKey
		target int // index into targets, or -1
	}
	var orders []orderItem
	for _, o := range sel.OrderBy {
		idx := -1
		if err := b.checkNonIntConst(o.Expr, "ORDER BY"); err != nil {
			return nil, err
		}
		if k, ok := o.Expr.(*ast.Const); ok && k.Kind == "int" {
			i, _ := strconv.Atoi(k.Val)
			if i < 1 || i > len(targets) {
				return nil, b.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "ORDER BY position %d is not in select list", i), k.Location)
			}
			idx = i - 1
		} else if cr, ok := o.Expr.(*ast.ColumnRef); ok && len(cr.Parts) == 1 && !cr.Star {
			for i, t := range targets {
				if t.name == cr.Parts[0] {
					if idx >= 0 && exprKey(targets[idx].e) != exprKey(t.e) {
						return nil, b.errAt(sqlerr.New(sqlerr.AmbiguousColumn, "ORDER BY \"%s\" is ambiguous", cr.Parts[0]), cr.Location)
					}
					if idx < 0 {
						idx = i
					}
				}
			}
		}
		if idx >= 0 {
			orders = append(orders, orderItem{key: sortKey(targets[idx].e, o), target: idx})
			continue
		}
		e, err := b.bindPost(o.Expr, post)
		if err != nil {
			return nil, err
		}
		k := exprKey(e)
		for i, t := range targets {
			if exprKey(t.e) == k {
				idx = i
				break
			}
		}
		orders = append(orders, orderItem{key: sortKey(e, o), target: idx})
	}
	// DISTINCT ON keys
	var distinctOn []expr.Expr
	for _, d := range sel.DistinctOn {
		var e expr.Expr
		if err := b.checkNonIntConst(d, "DISTINCT ON"); err != nil {
			return nil, err
		}
		if k, ok := d.(*ast.Const); ok && k.Kind == "int" {
			i, _ := strconv.Atoi(k.Val)
			if i < 1 || i > len(targets) {
				return nil, b.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "SELECT DISTINCT ON position %d is not in select list", i), k.Location)
			}
			e = targets[i-1].e
		} else {
			x, err := b.bindPost(d, post)
			if err != nil {
				return nil, err
			}
			e = x
		}
		distinctOn = append(distinctOn, e)
	}

	// assemble: Aggregate → HAVING → Window → Project → Distinct → Sort → Limit
	if ac != nil {
		agg := &Aggregate{Input: n, Keys: ac.keys, KeyCols: ac.keyCols, AggCols: ac.aggCols, Sets: ac.sets, GIDCol: ac.gid}
		for _, a := range ac.aggs {
			agg.Aggs = append(agg.Aggs, *a)
		}
		n = agg
		if having != nil {
			n = &Filter{Input: n, Cond: having}
		}
	}
	for _, ws := range wc.specs {
		ws.node.Input = n
		n = ws.node
	}
	var projExprs []expr.Expr
	var projCols []Column
	for _, t := range targets {
		projExprs = append(projExprs, t.e)
		projCols = append(projCols, b.newCol(t.name, t.e.Type(), ""))
	}
	visible := len(projCols)
	var sortKeys []SortKey
	for _, o := range orders {
		if o.target >= 0 {
			k := o.key
			k.Expr = colRef(projCols[o.target])
			sortKeys = append(sortKeys, k)
			continue
		}
		if sel.Distinct {
			return nil, b.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list"), sel.OrderBy[len(sortKeys)].Expr.Pos())
		}
		projExprs = append(projExprs, o.key.Expr)
		c := b.newCol("?order?", o.key.Expr.Type(), "")
		projCols = append(projCols, c)
		k := o.key
		k.Expr = colRef(c)
		sortKeys = append(sortKeys, k)
	}
	var donKeys []expr.Expr
	for _, d := range distinctOn {
		found := false
		for i := 0; i < len(projExprs); i++ {
			if exprKey(projExprs[i]) == exprKey(d) {
				donKeys = append(donKeys, colRef(projCols[i]))
				found = true
				break
			}
		}
		if !found {
			projExprs = append(projExprs, d)
			c := b.newCol("?distinct?", d.Type(), "")
			projCols = append(projCols, c)
			donKeys = append(donKeys, colRef(c))
		}
	}
	n = &Project{Input: n, Exprs: projExprs, Cols: projCols}
	if sel.Distinct {
		n = &Distinct{Input: n}
	}
	if len(donKeys) > 0 {
		// DISTINCT ON: sort by the keys (then ORDER BY), keep the first of each
		var keys []SortKey
		for i, k := range donKeys {
			if i < len(sortKeys) && exprKey(sortKeys[i].Expr) == exprKey(k) {
				keys = append(keys, sortKeys[i])
			} else {
				if i < len(sortKeys) {
					return nil, sqlerr.New(sqlerr.InvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions")
				}
				keys = append(keys, SortKey{Expr: k})
			}
		}
		for i := len(donKeys); i < len(sortKeys); i++ {
			keys = append(keys, sortKeys[i])
		}
		n = &DistinctOn{Input: &Sort{Input: n, Keys: keys, Limit: -1}, Keys: donKeys}
	} else if len(sortKeys) > 0 {
		n = &Sort{Input: n, Keys: sortKeys, Limit: -1}
	}
	n, err := b.bindLimit(n, sel, sortKeys)
	if err != nil {
		return nil, err
	}
	if len(projCols) > visible {
		var es []expr.Expr
		for _, c := range projCols[:visible] {
			es = append(es, colRef(c))
		}
		n = &Project{Input: n, Exprs: es, Cols: b.freshCols(projCols[:visible])}
	}
	return n, nil
}

type starCol struct {
	Column
	qualName string
}

func (b *Binder) expandStar(sc *scope, cr *ast.ColumnRef) ([]starCol, error) {
	var out []starCol
	if len(cr.Parts) == 0 {
		for _, c := range sc.cols {
			if c.hidden || c.pseudo {
				continue
			}
			out = append(out, starCol{Column: c.Column, qualName: c.qual})
		}
		if len(sc.cols) == 0 {
			return nil, b.errAt(sqlerr.New(sqlerr.SyntaxError, "SELECT * with no tables specified is not valid"), cr.Location)
		}
		return out, nil
	}
	q := cr.Parts[len(cr.Parts)-1]
	found := false
	for _, c := range sc.cols {
		if c.qual == q && !c.merged && !c.pseudo {
			found = true
			out = append(out, starCol{Column: c.Column, qualName: c.qual})
		}
	}
	if !found && !sc.quals[q] {
		return nil, b.errAt(sqlerr.New(sqlerr.UndefinedTable, "missing FROM-clause entry for table \"%s\"", q), cr.Location)
	}
	return out, nil
}

// weakName reports an expression whose figured name is one a cast
// around it replaces (FigureColname's strength 1): a cast whose own
// name is its type, a typed literal, CASE.
func weakName(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.TypedLiteral, *ast.Case:
		return true
	case *ast.Cast:
		return figureName(x.X) == "?column?" || weakName(x.X)
	}
	return false
}

// figureName is PostgreSQL's FigureColname.
func figureName(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.ColumnRef:
		if len(x.Parts) > 0 {
			return x.Parts[len(x.Parts)-1]
		}
	case *ast.FuncCall:
		if n := x.Name[len(x.Name)-1]; !strings.HasPrefix(n, "__") {
			return n
		}
		return "?column?" // an operator lakeq spells as an internal function (x = ANY(…))
	case *ast.Cast:
		// a name only as strong as a cast's (another cast's type, CASE)
		// gives way to this cast's type: 1.5::numeric::text is "text",
		// x::int8::text is "x"
		if n := figureName(x.X); n != "?column?" && !weakName(x.X) {
			return n
		}
		return typeColName(x.Type)
	case *ast.TypedLiteral:
		return typeColName(x.Type)
	case *ast.Case:
		return "case"
	case *ast.Coalesce:
		return "coalesce"
	case *ast.NullIf:
		return "nullif"
	case *ast.MinMax:
		if x.Greatest {
			return "greatest"
		}
		return "least"
	case *ast.SubLink:
		switch x.Kind {
		case "exists":
			return "exists"
		case "array":
			return "array"
		case "expr":
			if len(x.Query.Targets) > 0 {
				t := x.Query.Targets[0]
				if t.Alias != "" {
					return t.Alias
				}
				return figureName(t.Expr)
			}
		}
	case *ast.Array:
		return "array"
	case *ast.Row:
		return "row"
	case *ast.GroupingFunc:
		return "grouping"
	case *ast.Subscript:
		return figureName(x.X)
	case *ast.Field:
		return x.Name
	case *ast.Collate:
		return figureName(x.X)
	}
	return "?column?"
}

func typeColName(t *ast.TypeName) string {
	n := strings.ToLower(t.Names[len(t.Names)-1])
	switch n {
	case "integer", "int":
		return "int4"
	case "smallint":
		return "int2"
	case "bigint":
		return "int8"
	case "real":
		return "float4"
	case "double precision", "float":
		return "float8"
	case "boolean":
		return "bool"
	case "decimal":
		return "numeric"
	case "character varying":
		return "varchar"
	case "character", "char":
		return "bpchar"
	}
	return n
}

// containsAggregate reports an aggregate call outside subqueries.
func (b *Binder) containsAggregate(e ast.Expr) bool {
	found := false
	walkAST(e, func(x ast.Expr) bool {
		if found {
			return false
		}
		switch f := x.(type) {
		case *ast.FuncCall:
			if f.Over == nil && len(f.Name) == 1 && (b.Reg.Aggregate(f.Name[0]) != nil || redshiftAggregates[strings.ToLower(f.Name[0])]) {
				found = true
				return false
			}
		case *ast.GroupingFunc:
			found = true
		case *ast.SubLink:
			return false
		}
		return true
	})
	return found
}

// checkNonIntConst rejects a literal other than an integer where an
// integer names an output column (GROUP BY 'a', ORDER BY 1.5): SQL-92
// gives those positions meaning, so PostgreSQL refuses the rest.
func (b *Binder) checkNonIntConst(e ast.Expr, clause string) error {
	if k, ok := e.(*ast.Const); ok && k.Kind != "int" {
		return b.errAt(sqlerr.New(sqlerr.SyntaxError, "non-integer constant in %s", clause), k.Location)
	}
	return nil
}

func (b *Binder) bindGroupBy(sel *ast.Select, targets []ast.Target, sc *scope, ac *aggCtx) error {
	gsc := &scope{parent: sc.parent, cols: sc.cols, quals: sc.quals, outer: sc.outer, noAgg: "GROUP BY", noWindow: "GROUP BY", subs: &ac.subs}
	bindKey := func(e ast.Expr) (int, error) {
		var x expr.Expr
		var from ast.Expr // the select-list expression e names, if any
		if err := b.checkNonIntConst(e, "GROUP BY"); err != nil {
			return 0, err
		}
		if k, ok := e.(*ast.Const); ok && k.Kind == "int" {
			i, _ := strconv.Atoi(k.Val)
			if i < 1 || i > len(targets) {
				return 0, b.errAt(sqlerr.New(sqlerr.InvalidColumnReference, "GROUP BY position %d is not in select list", i), k.Location)
			}
			if b.containsAggregate(targets[i-1].Expr) {
				return 0, b.errAt(sqlerr.New(sqlerr.GroupingError, "aggregate functions are not allowed in GROUP BY"), k.Location)
			}
			var err error
			if x, err = b.bindExpr(targets[i-1].Expr, gsc); err != nil {
				return 0, err
			}
			from = targets[i-1].Expr
		} else {
			var err error
			x, err = b.bindExpr(e, gsc)
			if err != nil {
				// an output column alias, when no input column has the name
				if cr, ok := e.(*ast.ColumnRef); ok && len(cr.Parts) == 1 && sqlerr.Code(err) == sqlerr.UndefinedColumn {
					for _, t := range targets {
						name := t.Alias
						if name == "" {
							name = figureName(t.Expr)
						}
						if name == cr.Parts[0] {
							if x, err = b.bindExpr(t.Expr, gsc); err != nil {
								return 0, err
							}
							from = t.Expr
							break
						}
					}
				}
				if x == nil {
					return 0, err
				}
			}
		}
		k := exprKey(x)
		remember := func(i int) int {
			if from != nil {
				if ac.byTarget == nil {
					ac.byTarget = map[ast.Expr]int{}
				}
				ac.byTarget[from] = i
			}
			return i
		}
		for i, s := range ac.keyStr {
			if s == k {
				return remember(i), nil
			}
		}
		remember(len(ac.keys))
		ac.keys = append(ac.keys, x)
		ac.keyStr = append(ac.keyStr, k)
		ac.keyCols = append(ac.keyCols, b.newCol(keyName(e, targets), x.Type(), ""))
		return len(ac.keys) - 1, nil
	}
	// Expand GROUP BY items into grouping sets (cross product of items).
	sets := [][]int{{}}
	hasSets := false
	for _, g := range sel.GroupBy {
		var itemSets [][]int
		switch g.Kind {
		case "":
			i, err := bindKey(g.Expr)
			if err != nil {
				return err
			}
			itemSets = [][]int{{i}}
		default:
			hasSets = true
			s, err := b.groupingSets(g, bindKey)
			if err != nil {
				return err
			}
			itemSets = s
		}
		var next [][]int
		for _, a := range sets {
			for _, c := range itemSets {
				next = append(next, append(append([]int{}, a...), c...))
			}
		}
		sets = next
	}
	if hasSets {
		ac.sets = sets
		c := b.newCol("?gid?", types.Int8T, "")
		ac.gid = &c
	}
	return nil
}

func (b *Binder) groupingSets(g ast.GroupItem, bindKey func(ast.Expr) (int, error)) ([][]int, error) {
	elems := func(items []ast.GroupItem) ([][]int, error) {
		var out [][]int
		for _, it := range items {
			switch it.Kind {
			case "":
				i, err := bindKey(it.Expr)
				if err != nil {
					return nil, err
				}
				out = append(out, []int{i})
			case "simple":
				var set []int
				for _, sub := range it.Items {
					i, err := bindKey(sub.Expr)
					if err != nil {
						return nil, err
					}
					set = append(set, i)
				}
				out = append(out, set)
			case "empty":
				out = append(out, []int{})
			default:
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "nested grouping sets are not supported")
			}
		}
		return out, nil
	}
	switch g.Kind {
	case "empty":
		return [][]int{{}}, nil
	case "simple":
		e, err := elems(g.Items)
		if err != nil {
			return nil, err
		}
		var set []int
		for _, s := range e {
			set = append(set, s...)
		}
		return [][]int{set}, nil
	case "rollup":
		e, err := elems(g.Items)
		if err != nil {
			return nil, err
		}
		var out [][]int
		for k := len(e); k >= 0; k-- {
			var set []int
			for _, s := range e[:k] {
				set = append(set, s...)
			}
			out = append(out, set)
		}
		return out, nil
	case "cube":
		e, err := elems(g.Items)
		if err != nil {
			return nil, err
		}
		if len(e) > 12 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "CUBE is limited to 12 elements")
		}
		var out [][]int
		for mask := (1 << len(e)) - 1; mask >= 0; mask-- {
			var set []int
			for i, s := range e {
				if mask&(1<<(len(e)-1-i)) != 0 {
					set = append(set, s...)
				}
			}
			out = append(out, set)
		}
		return out, nil
	case "sets":
		var out [][]int
		for _, it := range g.Items {
			switch it.Kind {
			case "":
				i, err := bindKey(it.Expr)
				if err != nil {
					return nil, err
				}
				out = append(out, []int{i})
			default:
				s, err := b.groupingSets(it, bindKey)
				if err != nil {
					return nil, err
				}
				out = append(out, s...)
			}
		}
		return out, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported grouping %s", g.Kind)
}

// bindPost binds an expression of the select list / HAVING / ORDER BY:
// aggregates become aggregate outputs, GROUP BY expressions their key
// columns, and any other input column is an error.
func (b *Binder) bindPost(e ast.Expr, sc *scope) (expr.Expr, error) {
	x, err := b.bindExpr(e, sc)
	if err != nil {
		return nil, err
	}
	if sc.agg == nil {
		return x, nil
	}
	return b.toPostAgg(x, sc.agg, e)
}

func (b *Binder) toPostAgg(x expr.Expr, ac *aggCtx, e ast.Expr) (expr.Expr, error) {
	x = replaceTopDown(x, func(sub expr.Expr) expr.Expr {
		k := exprKey(sub)
		for i, s := range ac.keyStr {
			if s == k && sameOrigin(sub, ac.keys[i]) {
				return colRef(ac.keyCols[i])
			}
		}
		return nil
	})
	var bad *expr.Col
	expr.Walk(x, func(n expr.Expr) bool {
		if c, ok := n.(*expr.Col); ok && ac.input.owns(c.ID) && bad == nil {
			bad = c
		}
		return true
	})
	if bad != nil {
		name := bad.Name
		for _, c := range ac.input.cols {
			if c.ID == bad.ID && c.qual != "" {
				name = c.qual + "." + c.Name
			}
		}
		return nil, b.errAt(sqlerr.New(sqlerr.GroupingError, "column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", name), e.Pos())
	}
	return x, nil
}

// sameOrigin tells apart constants of one value written differently: a
// literal is not the grouping key a folded expression of the same value
// is (under grouping sets the key may be NULL).
func sameOrigin(a, b expr.Expr) bool {
	ka, ok1 := a.(*expr.Const)
	kb, ok2 := b.(*expr.Const)
	return !ok1 || !ok2 || ka.From == kb.From
}

// replaceTopDown replaces the outermost subtrees for which f returns non-nil.
func replaceTopDown(e expr.Expr, f func(expr.Expr) expr.Expr) expr.Expr {
	if e == nil {
		return nil
	}
	if r := f(e); r != nil {
		return r
	}
	return expr.MapChildren(e, func(c expr.Expr) expr.Expr { return replaceTopDown(c, f) })
}

// exprKey identifies a bound expression by its whole tree (expr.Key):
// never a prefix of its text, so expressions that differ in any node
// never share a key.
func exprKey(e expr.Expr) string { return expr.Key(e) }

var _ = exec.BatchSize
var _ = functions.Default

// keyName names a GROUP BY key column (an ordinal takes its target's name).
func keyName(e ast.Expr, targets []ast.Target) string {
	if k, ok := e.(*ast.Const); ok && k.Kind == "int" {
		if i, err := strconv.Atoi(k.Val); err == nil && i >= 1 && i <= len(targets) {
			if targets[i-1].Alias != "" {
				return targets[i-1].Alias
			}
			return figureName(targets[i-1].Expr)
		}
	}
	return figureName(e)
}
