package planner

import (
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// bindFromList binds FROM items into a left-deep cross product, adding
// their columns to sc.
func (b *Binder) bindFromList(items []ast.TableExpr, sc *scope) (Node, error) {
	var n Node
	for _, it := range items {
		m, cols, err := b.bindFromItem(it, sc)
		if err != nil {
			return nil, err
		}
		if err := checkDupAliases(sc, cols); err != nil {
			return nil, err
		}
		sc.cols = append(sc.cols, cols...)
		if lr, ok := m.(*lateralRef); ok {
			if n == nil {
				// Nothing precedes it in this FROM list, so its outer
				// references are the enclosing query's: an ordinary
				// correlation, handled by the subquery around it.
				n = lr.Sub
				continue
			}
			n = &Apply{Input: n, Sub: lr.Sub, Outer: lr.Outer}
			continue
		}
		if n == nil {
			n = m
		} else {
			n = &Join{Type: JoinCross, Left: n, Right: m}
		}
	}
	return n, nil
}

func checkDupAliases(sc *scope, cols []scopeCol) error {
	newQ := map[string]bool{}
	for _, c := range cols {
		if c.qual != "" && !c.merged {
			newQ[c.qual] = true
		}
	}
	for _, c := range sc.cols {
		if c.qual != "" && !c.merged && newQ[c.qual] {
			return sqlerr.New(sqlerr.DuplicateAlias, "table name \"%s\" specified more than once", c.qual)
		}
	}
	for q := range newQ {
		sc.addQual(q)
	}
	return nil
}

func aliasOf(a *ast.Alias, def string) string {
	if a != nil && a.Name != "" {
		return a.Name
	}
	return def
}

// renameCols applies an alias column list.
func renameCols(cols []scopeCol, a *ast.Alias) ([]scopeCol, error) {
	if a == nil || len(a.Columns) == 0 {
		return cols, nil
	}
	if len(a.Columns) > len(cols) {
		return nil, sqlerr.New(sqlerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", a.Name, len(cols), len(a.Columns))
	}
	for i, n := range a.Columns {
		cols[i].Name = n
	}
	return cols, nil
}

func (b *Binder) bindFromItem(it ast.TableExpr, sc *scope) (Node, []scopeCol, error) {
	switch x := it.(type) {
	case *ast.TableName:
		return b.bindTableName(x)
	case *ast.SubqueryTable:
		var outer []Column
		var parent *scope
		if x.Lateral {
			parent = &scope{parent: sc, outer: &outer}
		} else if sc != nil && sc.parent != nil {
			// not LATERAL: the FROM list's other items are out of sight,
			// but the enclosing queries' columns are not (PostgreSQL): a
			// reference to them is the enclosing subquery's correlation
			parent = &scope{parent: sc.parent}
		}
		n, err := b.bindSelect(x.Query, parent)
		if err != nil {
			return nil, nil, err
		}
		if len(outer) > 0 {
			n = &lateralRef{Sub: n, Outer: outer}
		}
		if x.Alias == nil {
			// PostgreSQL 16 allows it; 15 requires an alias. Accept it.
		}
		q := aliasOf(x.Alias, "")
		var cols []scopeCol
		for _, c := range n.Columns() {
			cols = append(cols, scopeCol{Column: Column{ID: c.ID, Name: c.Name, Type: c.Type, Table: q}, qual: q, pseudo: isCompositeField(c.Name)})
		}
		cols, err = renameCols(cols, x.Alias)
		return n, cols, err
	case *ast.FuncTable:
		return b.bindTableFunc(x, sc)
	case *ast.Join:
		return b.bindJoin(x, sc)
	}
	return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported FROM item")
}

func (b *Binder) bindTableName(x *ast.TableName) (Node, []scopeCol, error) {
	alias := aliasOf(x.Alias, x.Name.Name)
	if x.Name.Schema == "" {
		if def := b.findCTE(x.Name.Name); def != nil {
			if x.Sample != nil {
				return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "TABLESAMPLE clause can only be applied to tables and materialized views"), x.Sample.Pos)
			}
			return b.bindCTERef(def, x, alias)
		}
	}
	t, err := b.Cat.Table(b.Ctx, x.Name.Schema, x.Name.Name)
	if err != nil {
		return nil, nil, b.errAt(err, x.Name.Pos)
	}
	if t == nil {
		return nil, nil, b.errAt(sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", x.Name.String()), x.Name.Pos)
	}
	if t.View != nil && x.Sample != nil {
		return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "TABLESAMPLE clause can only be applied to tables and materialized views"), x.Sample.Pos)
	}
	if t.View != nil {
		cat := b.Cat
		if vs, ok := cat.(ViewScoper); ok {
			cat = vs.ForView(t)
		}
		vb := &Binder{Ctx: b.Ctx, Cat: cat, Reg: b.Reg, Loc: b.Loc, nextID: b.nextID, depth: b.depth + 1}
		if vb.depth > 50 {
			return nil, nil, sqlerr.New(sqlerr.InvalidRecursion, "infinite recursion detected in view \"%s\"", t.Name)
		}
		n, err := vb.bindSelect(t.View, nil)
		if err != nil {
			return nil, nil, sqlerr.Wrap(err, sqlerr.Code(err), "view \"%s\"", t.Name)
		}
		b.nextID = vb.nextID
		var cols []scopeCol
		for i, c := range n.Columns() {
			name := c.Name
			if i < len(t.Columns) {
				name = t.Columns[i].Name
			}
			cols = append(cols, scopeCol{Column: Column{ID: c.ID, Name: name, Type: c.Type, Table: alias}, qual: alias})
		}
		cols, err = renameCols(cols, x.Alias)
		return n, cols, err
	}
	scan := &Scan{Table: t, Alias: alias}
	if x.Sample != nil {
		if scan.Sample, err = b.bindSample(x.Sample); err != nil {
			return nil, nil, err
		}
	}
	var cols []scopeCol
	for i, c := range t.Columns {
		col := b.newCol(c.Name, c.Type, alias)
		scan.Cols = append(scan.Cols, col)
		scan.ColIdx = append(scan.ColIdx, i)
		cols = append(cols, scopeCol{Column: col, qual: alias, pseudo: c.Pseudo})
	}
	cols, err = renameCols(cols, x.Alias)
	return scan, cols, err
}

func (b *Binder) bindCTERef(def *cteDef, x *ast.TableName, alias string) (Node, []scopeCol, error) {
	var n Node
	if def.work != nil {
		// self-reference inside the recursive term
		if b.subDepth != def.workSub {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.InvalidRecursion, "recursive reference to query \"%s\" must not appear within a subquery", def.name), x.Name.Pos)
		}
		if def.workRefs++; def.workRefs > 1 {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.InvalidRecursion, "recursive reference to query \"%s\" must not appear more than once", def.name), x.Name.Pos)
		}
		n = def.work
	} else if def.rec != nil {
		// a fresh copy of the recursive CTE: rebinding keeps column ids unique
		// rebinding the recursive CTE gives fresh ids for this reference
		saved := def.rec
		def.rec = nil
		err := b.bindRecursiveCTE(def, def.query.(*ast.Select), nil)
		rec := def.rec
		def.rec = saved
		if err != nil {
			return nil, nil, err
		}
		rec.Cols = b.freshCols(rec.Work.Cols)
		n = rec
	} else {
		q, ok := def.query.(*ast.Select)
		if !ok {
			return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "WITH query \"%s\" must be a SELECT", def.name)
		}
		// hide this and later CTE names of the same WITH from itself: bind
		// in the frames that existed when the CTE was defined. Bound once;
		// later references read it under fresh column ids.
		if def.shared == nil {
			p, err := b.bindSelect(q, def.outer)
			if err != nil {
				return nil, nil, err
			}
			def.shared = &SharedCTE{Plan: p}
			def.shared.refs = 1
			n = &CTEScan{Name: def.name, Shared: def.shared, Cols: p.Columns()}
		} else {
			def.shared.refs++
			n = &CTEScan{Name: def.name, Shared: def.shared, Cols: b.freshCols(def.shared.columns())}
		}
	}
	var cols []scopeCol
	for i, c := range n.Columns() {
		name := c.Name
		if i < len(def.columns) {
			name = def.columns[i]
		}
		cols = append(cols, scopeCol{Column: Column{ID: c.ID, Name: name, Type: c.Type, Table: alias}, qual: alias})
	}
	if len(def.columns) > len(cols) {
		return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified", def.name, len(cols), len(def.columns))
	}
	cols, err := renameCols(cols, x.Alias)
	return n, cols, err
}

func (b *Binder) bindJoin(x *ast.Join, sc *scope) (Node, []scopeCol, error) {
	l, lcols, err := b.bindFromItem(x.Left, sc)
	if err != nil {
		return nil, nil, err
	}
	lsc := &scope{parent: sc.parent, cols: append(append([]scopeCol{}, sc.cols...), lcols...), quals: sc.quals, outer: sc.outer}
	r, rcols, err := b.bindFromItem(x.Right, lsc)
	if err != nil {
		return nil, nil, err
	}
	if lr, ok := r.(*lateralRef); ok {
		if x.Type != "inner" && x.Type != "cross" && x.Type != "left" {
			return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s JOIN LATERAL is not supported", strings.ToUpper(x.Type))
		}
		var ap Node = &Apply{Input: l, Sub: lr.Sub, Outer: lr.Outer, Left: x.Type == "left"}
		out := append(append([]scopeCol{}, lcols...), rcols...)
		if x.On != nil {
			js := &scope{parent: sc.parent, cols: out, outer: sc.outer, noAgg: "JOIN conditions", noWindow: "JOIN conditions"}
			cond, err := b.bindCond(x.On, js, "JOIN/ON")
			if err != nil {
				return nil, nil, err
			}
			if v, ok := boolConst(cond); !(ok && v) {
				if x.Type == "left" {
					return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "LEFT JOIN LATERAL supports only ON true")
				}
				ap = &Filter{Input: ap, Cond: cond}
			}
		}
		return ap, out, nil
	}
	js := &scope{parent: sc.parent, outer: sc.outer, noAgg: "JOIN conditions", noWindow: "JOIN conditions"}
	tmp := &scope{}
	if err := checkDupAliases(tmp, lcols); err != nil {
		return nil, nil, err
	}
	tmp.cols = lcols
	if err := checkDupAliases(tmp, rcols); err != nil {
		return nil, nil, err
	}
	js.quals = tmp.quals
	js.cols = append(append([]scopeCol{}, lcols...), rcols...)
	jt := map[string]JoinType{"inner": JoinInner, "left": JoinLeft, "right": JoinRight, "full": JoinFull, "cross": JoinCross}[x.Type]
	join := &Join{Type: jt, Left: l, Right: r}
	using := x.Using
	if x.Natural {
		using = nil
		for _, lc := range lcols {
			// pseudo columns ("$path") are in no table's * and join nothing
			if lc.hidden || lc.pseudo {
				continue
			}
			for _, rc := range rcols {
				if !rc.hidden && !rc.pseudo && rc.Name == lc.Name {
					using = append(using, lc.Name)
				}
			}
		}
		if len(using) == 0 && jt == JoinInner {
			join.Type = JoinCross
		}
	}
	var out []scopeCol
	if len(using) > 0 {
		var conds []expr.Expr
		var mergedExprs []expr.Expr
		var merged []scopeCol
		usedL, usedR := map[ColumnID]bool{}, map[ColumnID]bool{}
		for _, name := range using {
			lc, err := findUnique(lcols, name, "left")
			if err != nil {
				return nil, nil, err
			}
			rc, err := findUnique(rcols, name, "right")
			if err != nil {
				return nil, nil, err
			}
			eq, err := b.bindOperator("=", colRef(lc.Column), colRef(rc.Column))
			if err != nil {
				return nil, nil, err
			}
			conds = append(conds, eq)
			usedL[lc.ID], usedR[rc.ID] = true, true
			t, _ := commonType(lc.Type, rc.Type)
			le, _ := b.coerce(colRef(lc.Column), t, false)
			re, _ := b.coerce(colRef(rc.Column), t, false)
			var m expr.Expr
			switch jt {
			case JoinRight:
				m = re
			case JoinFull:
				m = &expr.Coalesce{Args: []expr.Expr{le, re}, T: t}
			default:
				m = le
			}
			mergedExprs = append(mergedExprs, m)
			merged = append(merged, scopeCol{Column: b.newCol(name, t, ""), merged: true})
		}
		if len(conds) == 1 {
			join.Cond = conds[0]
		} else {
			join.Cond = &expr.And{Args: conds}
		}
		// project the merged columns next to the originals
		var pe []expr.Expr
		var pc []Column
		for i, m := range merged {
			pe = append(pe, mergedExprs[i])
			pc = append(pc, m.Column)
		}
		for _, c := range join.Columns() {
			pe = append(pe, colRef(c))
			pc = append(pc, c)
		}
		out = append(out, merged...)
		for _, c := range lcols {
			c.hidden = c.hidden || usedL[c.ID]
			out = append(out, c)
		}
		for _, c := range rcols {
			c.hidden = c.hidden || usedR[c.ID]
			out = append(out, c)
		}
		var n Node = join
		n = &Project{Input: n, Exprs: pe, Cols: pc}
		if x.Alias != nil {
			out = aliasJoin(out, x.Alias.Name)
		}
		return n, out, nil
	}
	if x.On != nil {
		cond, err := b.bindCond(x.On, js, "JOIN/ON")
		if err != nil {
			return nil, nil, err
		}
		join.Cond = cond
	}
	out = append(append(out, lcols...), rcols...)
	if x.Alias != nil {
		out = aliasJoin(out, x.Alias.Name)
	}
	return join, out, nil
}

func aliasJoin(cols []scopeCol, alias string) []scopeCol {
	var out []scopeCol
	for _, c := range cols {
		if c.hidden {
			continue
		}
		c.qual = alias
		c.merged = false
		out = append(out, c)
	}
	return out
}

func findUnique(cols []scopeCol, name, side string) (scopeCol, error) {
	var found []scopeCol
	for _, c := range cols {
		if !c.hidden && c.Name == name {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return scopeCol{}, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" specified in USING clause does not exist in %s table", name, side)
	}
	if len(found) > 1 {
		return scopeCol{}, sqlerr.New(sqlerr.AmbiguousColumn, "common column name \"%s\" appears more than once in %s table", name, side)
	}
	return found[0], nil
}

// bindTableFunc binds a function in FROM: generate_series, unnest.
func (b *Binder) bindTableFunc(x *ast.FuncTable, sc *scope) (Node, []scopeCol, error) {
	// functions in FROM are implicitly LATERAL
	var outer []Column
	fsc := &scope{parent: &scope{parent: sc, outer: &outer}, outer: &outer, noAgg: "functions in FROM", noWindow: "functions in FROM"}
	if len(x.RowsFrom) > 0 {
		n, cols, err := b.bindRowsFrom(x, fsc)
		if err != nil || len(outer) == 0 {
			return n, cols, err
		}
		return &lateralRef{Sub: n, Outer: outer}, cols, nil
	}
	name := x.Func.Name[len(x.Func.Name)-1]
	args, err := b.bindExprs(x.Func.Args, fsc)
	if err != nil {
		return nil, nil, err
	}
	// mount.query('…'): a query in a mounted database's own dialect
	if len(x.Func.Name) == 2 && strings.EqualFold(name, "query") {
		return b.bindFileTable(x, x.Func.Name[0]+".query", args, fsc)
	}
	if isFileTableFunc(name) {
		return b.bindFileTable(x, name, args, fsc)
	}
	switch name {
	case "pg_get_keywords":
		if len(args) == 0 {
			return b.bindTableName(&ast.TableName{Name: ast.QualifiedName{Schema: "pg_catalog", Name: name}, Alias: x.Alias})
		}
	}
	if hasNamedArgs(x.Func.ArgNames) {
		// only functions with declared parameters take names
		params := srfParams[name]
		if params == nil {
			fn := b.Reg.Scalar(name)
			if fn == nil || isSelectListSRF(name) {
				return nil, nil, b.errAt(noNamedFunction(name, x.Func.ArgNames, args), x.Func.Location)
			}
			params = fn.Params
		}
		if args, err = placeArgs(name, params, x.Func.ArgNames, args); err != nil {
			return nil, nil, err
		}
	}
	n, cols, err := b.tableFuncNode(x, name, args)
	if err != nil || len(outer) == 0 {
		return n, cols, err
	}
	return &lateralRef{Sub: n, Outer: outer}, cols, nil
}

// srfParams declares the parameters of set-returning functions that take
// names (jsonb_path_query(target, path, vars => …, silent => …)).
var srfParams = map[string][]functions.Param{
	"jsonb_path_query":    jsonPathParams,
	"jsonb_path_query_tz": jsonPathParams,
}

var jsonPathParams = []functions.Param{{Name: "target"}, {Name: "path"}, {Name: "vars", T: types.JSONBT, Default: "{}"}, {Name: "silent", T: types.BoolT, Default: false}}

// bindRowsFrom binds ROWS FROM (f(…), g(…), …): each function as it
// would be alone in FROM, run side by side (row i holds each one's i-th
// row, NULLs once one is exhausted), its columns named after the
// function (or its output columns), WITH ORDINALITY numbering the
// whole; an alias's column list renames them in order.
func (b *Binder) bindRowsFrom(x *ast.FuncTable, fsc *scope) (Node, []scopeCol, error) {
	if len(x.ColDefs) > 0 {
		return nil, nil, sqlerr.New(sqlerr.SyntaxError, "a column definition list is only allowed for functions returning \"record\"")
	}
	zip := &TableFunc{Name: "ROWS FROM"}
	for _, f := range x.RowsFrom {
		name := f.Name[len(f.Name)-1]
		if len(f.Name) == 2 && strings.EqualFold(name, "query") || isFileTableFunc(name) {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s in ROWS FROM is not supported", name), f.Location)
		}
		args, err := b.bindExprs(f.Args, fsc)
		if err != nil {
			return nil, nil, err
		}
		if hasNamedArgs(f.ArgNames) {
			fn := b.Reg.Scalar(name)
			if fn == nil || isSelectListSRF(name) {
				return nil, nil, b.errAt(noNamedFunction(name, f.ArgNames, args), f.Location)
			}
			if args, err = placeArgs(name, fn.Params, f.ArgNames, args); err != nil {
				return nil, nil, err
			}
		}
		part, _, err := b.tableFuncNode(&ast.FuncTable{Func: f}, name, args)
		if err != nil {
			return nil, nil, err
		}
		tf, ok := part.(*TableFunc)
		if !ok {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "%s in ROWS FROM is not supported", name), f.Location)
		}
		if len(tf.Zip) > 0 {
			// unnest(a, b) is already ROWS FROM (unnest(a), unnest(b))
			zip.Zip = append(zip.Zip, tf.Zip...)
		} else {
			zip.Zip = append(zip.Zip, tf)
		}
		zip.Cols = append(zip.Cols, tf.Cols...)
	}
	alias := aliasOf(x.Alias, "")
	if x.WithOrdinality {
		zip.Ordinality = true
		zip.Cols = append(zip.Cols, b.newCol("ordinality", types.Int8T, alias))
	}
	var cols []scopeCol
	for i, c := range zip.Cols {
		c.Table = alias
		zip.Cols[i] = c
		cols = append(cols, scopeCol{Column: c, qual: alias})
	}
	if x.Alias != nil {
		if len(x.Alias.Columns) > len(cols) {
			return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(cols), len(x.Alias.Columns))
		}
		for i, nm := range x.Alias.Columns {
			cols[i].Name = nm
		}
	}
	return zip, cols, nil
}

// isFileTableFunc reports whether name reads files (read_parquet, …).
func isFileTableFunc(name string) bool {
	switch name {
	case "read_parquet", "read_csv", "read_csv_auto", "read_tsv", "read_json", "read_json_auto", "read_auto", "parquet_scan":
		return true
	}
	return false
}

func (b *Binder) tableFuncNode(x *ast.FuncTable, name string, args []expr.Expr) (Node, []scopeCol, error) {
	alias := aliasOf(x.Alias, name)
	var err error
	var n *TableFunc
	_, isRecordFunc := functions.JSONRecordFunc(name)
	if len(x.ColDefs) > 0 && !isRecordFunc {
		return nil, nil, sqlerr.New(sqlerr.SyntaxError, "a column definition list is only allowed for functions returning \"record\"")
	}
	switch name {
	case "generate_series":
		if len(args) < 2 || len(args) > 3 {
			return nil, nil, noFunction(name, args)
		}
		// the step joins the bounds' type unless it is an interval
		// (generate_series(1, 2, 0.5) is numeric)
		uni := args[:2]
		if len(args) == 3 && args[2].Type().Kind != types.Interval {
			uni = args
		}
		t, args2, err := b.unify(uni, "generate_series")
		if err != nil {
			return nil, nil, err
		}
		args2 = args2[:2]
		if t.Kind == types.Int2 {
			t = types.Int4T
		}
		if t.Kind == types.Date {
			t = types.TimestampTZT // as generate_series(timestamptz, …) takes dates
		}
		for i := range args2 {
			if args2[i], err = b.coerce(args2[i], t, false); err != nil {
				return nil, nil, err
			}
		}
		if len(args) == 3 {
			st := t
			if t.Kind == types.Timestamp || t.Kind == types.TimestampTZ {
				st = types.IntervalT
			}
			step, err := b.coerce(args[2], st, false)
			if err != nil {
				return nil, nil, err
			}
			args2 = append(args2, step)
		}
		if !t.IsNumeric() && t.Kind != types.Timestamp && t.Kind != types.TimestampTZ {
			return nil, nil, noFunction(name, args)
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		n = &TableFunc{Name: name, Args: args2, Cols: []Column{b.newCol(colName, t, alias)}}
	case "regexp_matches", "regexp_split_to_table", "string_to_table":
		if len(args) < 2 || len(args) > 3 {
			return nil, nil, noFunction(name, args)
		}
		for i := range args {
			if args[i], err = b.coerce(args[i], types.TextT, false); err != nil {
				return nil, nil, err
			}
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		ct := types.ArrayOf(types.TextT)
		if name != "regexp_matches" {
			ct = types.TextT
		}
		n = &TableFunc{Name: name, Args: args, Cols: []Column{b.newCol(colName, ct, alias)}}
	case "jsonb_path_query", "jsonb_path_query_tz":
		// jsonb_path_query(target, path [, vars [, silent]]): the items
		// the path returns, one row each
		if len(args) < 2 || len(args) > 4 {
			return nil, nil, noFunction(name, args)
		}
		for i, t := range []types.T{types.JSONBT, types.TextT, types.JSONBT, types.BoolT}[:len(args)] {
			if args[i], err = b.coerce(args[i], t, false); err != nil {
				return nil, nil, noFunction(name, args)
			}
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		n = &TableFunc{Name: name, Args: args, Cols: []Column{b.newCol(colName, types.JSONBT, alias)}}
	case "generate_subscripts":
		if len(args) < 2 || len(args) > 3 || args[0].Type().Kind != types.Array {
			return nil, nil, noFunction(name, args)
		}
		if args[1], err = b.coerce(args[1], types.Int4T, false); err != nil {
			return nil, nil, err
		}
		if len(args) == 3 {
			if args[2], err = b.coerce(args[2], types.BoolT, false); err != nil {
				return nil, nil, err
			}
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		n = &TableFunc{Name: name, Args: args, Cols: []Column{b.newCol(colName, types.Int4T, alias)}}
	case "_pg_expandarray":
		// information_schema._pg_expandarray(a): the elements x and their
		// positions n, as unnest(a) WITH ORDINALITY.
		if len(args) != 1 || args[0].Type().Kind != types.Array {
			return nil, nil, noFunction(name, args)
		}
		n = &TableFunc{Name: "unnest", Args: args, Ordinality: true,
			Cols: []Column{b.newCol("x", *args[0].Type().Elem, alias), b.newCol("n", types.Int8T, alias)}}
		var cols []scopeCol
		for _, c := range n.Cols {
			cols = append(cols, scopeCol{Column: c, qual: alias})
		}
		return n, cols, nil
	case "unnest":
		if len(args) > 1 {
			// unnest(a, b, …) in FROM: the arrays side by side, the
			// shorter ones padded with NULL (ROWS FROM of unnests)
			n = &TableFunc{Name: "ROWS FROM"}
			for _, a := range args {
				at := a.Type()
				if at.Kind == types.Unknown {
					at = types.ArrayOf(types.TextT)
					if a, err = b.coerce(a, at, false); err != nil {
						return nil, nil, err
					}
				}
				if at.Kind != types.Array {
					return nil, nil, noFunction(name, args)
				}
				part := &TableFunc{Name: name, Args: []expr.Expr{a}, Cols: []Column{b.newCol(name, baseElem(at), alias)}}
				n.Zip = append(n.Zip, part)
				n.Cols = append(n.Cols, part.Cols...)
			}
			break
		}
		if len(args) != 1 {
			return nil, nil, noFunction(name, args)
		}
		at := args[0].Type()
		if at.Kind == types.Unknown {
			at = types.ArrayOf(types.TextT)
			if args[0], err = b.coerce(args[0], at, false); err != nil {
				return nil, nil, err
			}
		}
		if at.Kind != types.Array {
			return nil, nil, noFunction(name, args)
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		// a nested (multidimensional) array unnests to its elements in
		// order, as PostgreSQL's
		n = &TableFunc{Name: name, Args: args, Cols: []Column{b.newCol(colName, baseElem(at), alias)}}
	default:
		if docT, ok := functions.JSONRecordFunc(name); ok {
			// json[b]_to_record[set](doc) AS x(a int, …): the columns the
			// definition list names, read from each object's keys
			if len(x.ColDefs) == 0 {
				return nil, nil, sqlerr.New(sqlerr.SyntaxError, "a column definition list is required for functions returning \"record\"")
			}
			if len(args) != 1 {
				return nil, nil, noFunction(name, args)
			}
			if args[0], err = b.coerce(args[0], docT, false); err != nil {
				return nil, nil, noFunction(name, args)
			}
			n = &TableFunc{Name: name, Args: args}
			for _, d := range x.ColDefs {
				t, err := types.FromName(d.Type.Names, d.Type.Mods, d.Type.ArrayDims)
				if err != nil {
					return nil, nil, err
				}
				if t.Kind == types.Numeric && t.Prec == 0 {
					t = types.NumericDynT // plain numeric keeps each value's scale
				}
				n.Cols = append(n.Cols, b.newCol(d.Name, t, alias))
			}
			break
		}
		if docT, names, colTypes, ok := functions.JSONSetFunc(name); ok {
			// jsonb_each and its kin: columns named as PostgreSQL's OUT
			// parameters, or after the alias for jsonb_object_keys
			if len(args) != 1 {
				return nil, nil, noFunction(name, args)
			}
			if args[0], err = b.coerce(args[0], docT, false); err != nil {
				return nil, nil, noFunction(name, args)
			}
			n = &TableFunc{Name: name, Args: args}
			for i, nm := range names {
				if nm == name {
					nm = alias
				}
				if x.Alias != nil && i < len(x.Alias.Columns) {
					nm = x.Alias.Columns[i]
				}
				n.Cols = append(n.Cols, b.newCol(nm, colTypes[i], alias))
			}
			break
		}
		// Any other function in FROM is a one-row table of its value.
		fn := b.Reg.Scalar(name)
		if fn == nil {
			return nil, nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist or is not a table function", name)
		}
		o, cargs, ret, err := b.resolve(name, fn.Overloads, args)
		if err != nil {
			return nil, nil, err
		}
		colName := alias
		if x.Alias != nil && len(x.Alias.Columns) > 0 {
			colName = x.Alias.Columns[0]
		}
		call := &expr.Call{Name: fn.Name, Kernel: o.KernelFor(exprTypes(cargs)), Args: cargs, T: ret}
		n = &TableFunc{Name: name, Args: []expr.Expr{call}, Cols: []Column{b.newCol(colName, ret, alias)}, Scalar: true}
	}
	if x.WithOrdinality {
		n.Ordinality = true
		n.Cols = append(n.Cols, b.newCol("ordinality", types.Int8T, alias))
	}
	if x.Alias != nil && len(x.Alias.Columns) > len(n.Cols) {
		return nil, nil, sqlerr.New(sqlerr.InvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified", alias, len(n.Cols), len(x.Alias.Columns))
	}
	var cols []scopeCol
	for _, c := range n.Cols {
		cols = append(cols, scopeCol{Column: c, qual: alias})
	}
	if x.Alias != nil && len(x.Alias.Columns) > 1 {
		for i, nm := range x.Alias.Columns {
			if i < len(cols) {
				cols[i].Name = nm
			}
		}
	}
	if native := len(n.Cols) - boolInt(n.Ordinality); native == 1 && cols[0].Name != alias {
		// the alias alone names the function's one value (PostgreSQL's
		// whole-row reference to a function of one column):
		// SELECT e FROM jsonb_array_elements(j) e
		whole := cols[0]
		whole.Name, whole.pseudo = alias, true
		cols = append(cols, whole)
	}
	return n, cols, nil
}

// lateralRef marks a FROM item that reads earlier items' columns; the
// FROM list turns it into an Apply.
type lateralRef struct {
	Sub   Node
	Outer []Column
}

func (n *lateralRef) Columns() []Column          { return n.Sub.Columns() }
func (n *lateralRef) Children() []Node           { return []Node{n.Sub} }
func (n *lateralRef) WithChildren(c []Node) Node { return &lateralRef{Sub: c[0], Outer: n.Outer} }
func (n *lateralRef) Describe() string           { return "LateralRef" }

// TableFunc is a set-returning function in FROM with constant arguments.
type TableFunc struct {
	Name       string
	Args       []expr.Expr
	Cols       []Column
	Ordinality bool
	// Zip holds the set-returning functions of one select list, run side
	// by side (Name is then "ROWS FROM" and Cols has one per part).
	Zip []*TableFunc
	// Scalar marks an ordinary function in FROM: one row, its value
	// (Args holds the call).
	Scalar bool
}

func (n *TableFunc) Columns() []Column        { return n.Cols }
func (n *TableFunc) Children() []Node         { return nil }
func (n *TableFunc) WithChildren([]Node) Node { c := *n; return &c }
func (n *TableFunc) Describe() string {
	return "TableFunction " + n.Name + "(" + exprList(n.Args) + ")"
}

// bindFileTable binds read_parquet('glob', name => value, ...) and friends:
// arguments are constants; the catalog opens the files for the schema.
func (b *Binder) bindFileTable(x *ast.FuncTable, name string, args []expr.Expr, sc *scope) (Node, []scopeCol, error) {
	var pos []types.Value
	named := map[string]types.Value{}
	for i, a := range args {
		if hasOuterRef(a) || len(colsOf(a)) > 0 {
			return nil, nil, sqlerr.New(sqlerr.FeatureNotSupported, "arguments of %s must be constants", name)
		}
		v, err := expr.EvalScalar(b.evalCtx(), a)
		if err != nil {
			return nil, nil, err
		}
		if i < len(x.Func.ArgNames) && x.Func.ArgNames[i] != "" {
			named[strings.ToLower(x.Func.ArgNames[i])] = v
		} else {
			pos = append(pos, v)
		}
	}
	t, err := b.Cat.FileTable(b.Ctx, name, pos, named)
	if err != nil {
		return nil, nil, b.errAt(err, x.Func.Location)
	}
	alias := aliasOf(x.Alias, t.Name)
	scan := &Scan{Table: t, Alias: alias}
	var cols []scopeCol
	for i, c := range t.Columns {
		col := b.newCol(c.Name, c.Type, alias)
		scan.Cols = append(scan.Cols, col)
		scan.ColIdx = append(scan.ColIdx, i)
		cols = append(cols, scopeCol{Column: col, qual: alias, pseudo: c.Pseudo})
	}
	cols, err = renameCols(cols, x.Alias)
	return scan, cols, err
}

// baseElem is the element type of an array of any depth.
func baseElem(t types.T) types.T {
	for t.Kind == types.Array && t.Elem != nil {
		t = *t.Elem
	}
	return t
}
