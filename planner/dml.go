package planner

import (
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// assignable reports whether PostgreSQL would assign a value of type
// from to a column of type to (implicit or assignment cast).
func assignable(from, to types.T) bool {
	if from.Kind == types.Unknown || implicitCost(from, to) >= 0 {
		return true
	}
	if from.IsNumeric() && to.IsNumeric() {
		return true
	}
	if to.IsString() {
		return true
	}
	if from.Kind == to.Kind {
		return true
	}
	switch {
	case from.Kind == types.Timestamp && (to.Kind == types.Date || to.Kind == types.Time),
		from.Kind == types.TimestampTZ && (to.Kind == types.Date || to.Kind == types.Time || to.Kind == types.Timestamp),
		from.Kind == types.JSON && to.Kind == types.JSONB, from.Kind == types.JSONB && to.Kind == types.JSON:
		return true
	}
	return false
}

// Assignable reports whether PostgreSQL assigns a value of type from to
// a column of type to without an explicit cast (ALTER COLUMN … TYPE
// without USING needs one).
func Assignable(from, to types.T) bool { return assignable(from, to) }

func (b *Binder) assign(e expr.Expr, to types.T, col string) (expr.Expr, error) {
	if !assignable(e.Type(), to) {
		return nil, sqlerr.New(sqlerr.DatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", col, to.String(), e.Type().String()).
			WithHint("You will need to rewrite or cast the expression.")
	}
	if (to.Kind == types.Varchar || to.Kind == types.Char) && to.Width > 0 {
		// assignment, unlike an explicit cast, fails on a value too long
		// (trailing spaces aside) and blank-pads char(n)
		txt, err := b.coerce(e, types.TextT, true)
		if err != nil {
			return nil, err
		}
		w := int(to.Width)
		kind := "character varying"
		if to.Kind == types.Char {
			kind = "character"
		}
		pad := to.Kind == types.Char
		return &expr.Call{Name: "assign_" + to.String(), Args: []expr.Expr{txt}, T: to, Kernel: functions.RowWise(func([]types.T) types.T { return to }, true,
			func(_ *functions.Ctx, v []types.Value) (types.Value, error) {
				r := []rune(v[0].(string))
				if len(r) > w {
					if strings.TrimRight(string(r[w:]), " ") != "" {
						return nil, sqlerr.New(sqlerr.StringDataRightTrunc, "value too long for type %s(%d)", kind, w)
					}
					r = r[:w]
				}
				for pad && len(r) < w {
					r = append(r, ' ')
				}
				return string(r), nil
			})}, nil
	}
	return b.coerce(e, to, true)
}

func (b *Binder) tableScan(t *Table, alias string) (*Scan, *scope) {
	if alias == "" {
		alias = t.Name
	}
	scan := &Scan{Table: t, Alias: alias}
	sc := &scope{}
	for i, c := range t.Columns {
		col := b.newCol(c.Name, c.Type, alias)
		scan.Cols = append(scan.Cols, col)
		scan.ColIdx = append(scan.ColIdx, i)
		sc.cols = append(sc.cols, scopeCol{Column: col, qual: alias})
	}
	sc.addQual(alias)
	return scan, sc
}

func (b *Binder) defaultExpr(c TableColumn) (expr.Expr, error) {
	if c.Default == nil {
		return &expr.Const{T: c.Type}, nil
	}
	e, err := b.bindExpr(c.Default, &scope{noAgg: "DEFAULT expressions", noWindow: "DEFAULT expressions"})
	if err != nil {
		return nil, err
	}
	return b.assign(e, c.Type, c.Name)
}

// BindInsert binds INSERT's source into a plan whose columns are the
// table's columns, in order, with assignment casts and defaults applied.
func (b *Binder) BindInsert(t *Table, cols []string, src *ast.Select) (Node, error) {
	pos := make([]int, 0, len(t.Columns))
	if len(cols) == 0 {
		for i := range t.Columns {
			pos = append(pos, i)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range cols {
			idx := -1
			for i, tc := range t.Columns {
				if tc.Name == c {
					idx = i
				}
			}
			if idx < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c, t.Name)
			}
			if seen[idx] {
				return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c)
			}
			seen[idx] = true
			pos = append(pos, idx)
		}
	}
	outCols := make([]Column, len(t.Columns))
	for i, c := range t.Columns {
		outCols[i] = b.newCol(c.Name, c.Type, "")
	}
	// DEFAULT VALUES
	if src == nil {
		row := make([]expr.Expr, len(t.Columns))
		for i, c := range t.Columns {
			d, err := b.defaultExpr(c)
			if err != nil {
				return nil, err
			}
			row[i] = d
		}
		return &Values{Rows: [][]expr.Expr{row}, Cols: outCols}, nil
	}
	// without a column list the values go to the table's first columns,
	// as many as there are, the rest taking their defaults
	implicit := len(cols) == 0
	// VALUES rows bind straight to the target types (and may say DEFAULT)
	if src.Values != nil && src.Op == "" && len(src.OrderBy) == 0 && src.Limit == nil && src.With == nil {
		for _, r := range src.Values[1:] {
			if len(r) != len(src.Values[0]) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "VALUES lists must all be the same length")
			}
		}
		if implicit && len(src.Values) > 0 && len(src.Values[0]) < len(pos) {
			pos = pos[:len(src.Values[0])]
		}
		var rows [][]expr.Expr
		sc := &scope{noAgg: "VALUES", noWindow: "VALUES"}
		for _, r := range src.Values {
			if len(r) > len(pos) {
				return nil, b.errAt(sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns"), r[len(pos)].Pos())
			}
			if len(r) < len(pos) {
				return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
			}
			row := make([]expr.Expr, len(t.Columns))
			set := make([]bool, len(t.Columns))
			for j, v := range r {
				c := t.Columns[pos[j]]
				set[pos[j]] = true
				if _, ok := v.(*ast.Default); ok {
					d, err := b.defaultExpr(c)
					if err != nil {
						return nil, err
					}
					row[pos[j]] = d
					continue
				}
				e, err := b.bindExpr(v, sc)
				if err != nil {
					return nil, err
				}
				if row[pos[j]], err = b.assign(e, c.Type, c.Name); err != nil {
					return nil, b.errAt(err, v.Pos())
				}
			}
			for i, c := range t.Columns {
				if !set[i] {
					d, err := b.defaultExpr(c)
					if err != nil {
						return nil, err
					}
					row[i] = d
				}
			}
			rows = append(rows, row)
		}
		return &Values{Rows: rows, Cols: outCols}, nil
	}
	n, err := b.bindSelect(src, nil)
	if err != nil {
		return nil, err
	}
	sc := n.Columns()
	if implicit && len(sc) < len(pos) {
		pos = pos[:len(sc)]
	}
	if len(sc) > len(pos) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more expressions than target columns")
	}
	if len(sc) < len(pos) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "INSERT has more target columns than expressions")
	}
	exprs := make([]expr.Expr, len(t.Columns))
	for j, p := range pos {
		c := t.Columns[p]
		e, err := b.assign(colRef(sc[j]), c.Type, c.Name)
		if err != nil {
			return nil, err
		}
		exprs[p] = e
	}
	for i, c := range t.Columns {
		if exprs[i] == nil {
			d, err := b.defaultExpr(c)
			if err != nil {
				return nil, err
			}
			exprs[i] = d
		}
	}
	return &Project{Input: n, Exprs: exprs, Cols: outCols}, nil
}

// BindUpdate binds UPDATE into a plan producing every row of the table
// with new values where the condition holds, plus a trailing boolean
// column telling whether the row was updated.
func (b *Binder) BindUpdate(t *Table, alias string, sets []ast.SetClause, where ast.Expr) (Node, error) {
	scan, sc := b.tableScan(t, alias)
	var cond expr.Expr = &expr.Const{V: true, T: types.BoolT}
	if where != nil {
		sc.noAgg, sc.noWindow = "WHERE", "WHERE"
		c, err := b.bindCond(where, sc, "WHERE")
		if err != nil {
			return nil, err
		}
		cond = &expr.BoolTest{X: c, Kind: "true"}
	}
	sc.noAgg, sc.noWindow = "UPDATE", "UPDATE"
	newVals := make([]expr.Expr, len(t.Columns))
	for _, s := range sets {
		idx := -1
		for i, c := range t.Columns {
			if c.Name == s.Column {
				idx = i
			}
		}
		if idx < 0 {
			return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", s.Column, t.Name)
		}
		if newVals[idx] != nil {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "multiple assignments to same column \"%s\"", s.Column)
		}
		var e expr.Expr
		var err error
		if s.Value == nil {
			e, err = b.defaultExpr(t.Columns[idx])
		} else {
			if e, err = b.bindExpr(s.Value, sc); err == nil {
				e, err = b.assign(e, t.Columns[idx].Type, t.Columns[idx].Name)
			}
		}
		if err != nil {
			return nil, err
		}
		newVals[idx] = e
	}
	var exprs []expr.Expr
	var cols []Column
	for i, c := range t.Columns {
		old := colRef(scan.Cols[i])
		if newVals[i] == nil {
			exprs = append(exprs, old)
		} else {
			exprs = append(exprs, &expr.Case{Whens: []expr.When{{Cond: cond, Then: newVals[i]}}, Else: old, T: c.Type})
		}
		cols = append(cols, b.newCol(c.Name, c.Type, ""))
	}
	exprs = append(exprs, cond)
	cols = append(cols, b.newCol("?updated?", types.BoolT, ""))
	return &Project{Input: scan, Exprs: exprs, Cols: cols}, nil
}

// BindDelete binds DELETE into a plan producing the rows that remain.
func (b *Binder) BindDelete(t *Table, alias string, where ast.Expr) (Node, error) {
	scan, sc := b.tableScan(t, alias)
	if where == nil {
		return &Filter{Input: scan, Cond: &expr.Const{V: false, T: types.BoolT}}, nil
	}
	sc.noAgg, sc.noWindow = "WHERE", "WHERE"
	c, err := b.bindCond(where, sc, "WHERE")
	if err != nil {
		return nil, err
	}
	return &Filter{Input: scan, Cond: &expr.BoolTest{X: c, Kind: "true", Not: true}}, nil
}

// BindDefault binds a column's DEFAULT expression (to validate it).
func (b *Binder) BindDefault(c TableColumn) (expr.Expr, error) { return b.defaultExpr(c) }
