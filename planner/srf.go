package planner

import (
	"slices"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Set-returning functions in a select list (SELECT unnest(a) FROM t)
// run as PostgreSQL 10+ runs them: evaluated per input row after WHERE,
// several of them side by side (the shorter padded with NULL), a row
// whose functions return nothing dropped. The binder moves each call
// into a lateral table function over the FROM list and leaves a column
// reference in its place.

var selectListSRFs = map[string]bool{"unnest": true, "generate_series": true, "generate_subscripts": true,
	"_pg_expandarray": true, "regexp_matches": true, "regexp_split_to_table": true, "string_to_table": true,
	"jsonb_path_query": true, "jsonb_path_query_tz": true}

func isSelectListSRF(name string) bool {
	_, _, _, isJSON := functions.JSONSetFunc(name)
	return selectListSRFs[name] || isJSON
}

// compositeField names the hidden column that carries one field of a
// composite select item ("keys" → "keys\x00x"): derived tables expose it
// by name only (never in *), so (t.keys).x can read it, and the query's
// result leaves it out. lakeq has no composite values of its own; this
// serves information_schema._pg_expandarray, which pgjdbc's
// getPrimaryKeys selects and then takes apart.
func compositeField(col, field string) string { return col + "\x00" + field }

func isCompositeField(name string) bool { return strings.IndexByte(name, 0) >= 0 }

// srfTarget finds a set-returning call that is a select item, the
// operand of a cast that is, or a field of one ((f(a)).x); rebuild puts a
// replacement in its place.
func srfTarget(e ast.Expr) (*ast.FuncCall, string, func(ast.Expr) ast.Expr) {
	switch x := e.(type) {
	case *ast.FuncCall:
		if x.Over == nil && isSelectListSRF(strings.ToLower(x.Name[len(x.Name)-1])) {
			return x, "", func(r ast.Expr) ast.Expr { return r }
		}
	case *ast.Field:
		if fc, ok := x.X.(*ast.FuncCall); ok {
			if call, field, rebuild := srfTarget(fc); call != nil && field == "" {
				return call, strings.ToLower(x.Name), rebuild
			}
		}
	case *ast.Cast:
		if call, field, rebuild := srfTarget(x.X); call != nil {
			return call, field, func(r ast.Expr) ast.Expr { c := *x; c.X = rebuild(r); return &c }
		}
	}
	return nil, "", nil
}

// bindSelectSRFs rewrites the select list's set-returning calls; n is
// the FROM list (after WHERE), sc its scope.
func (b *Binder) bindSelectSRFs(n Node, sc *scope, targets []ast.Target, hasAgg bool) (Node, []ast.Target, error) {
	type found struct {
		i       int
		call    *ast.FuncCall
		field   string
		rebuild func(ast.Expr) ast.Expr
	}
	var fs []found
	for i, t := range targets {
		if call, field, rebuild := srfTarget(t.Expr); call != nil {
			fs = append(fs, found{i, call, field, rebuild})
		}
	}
	if len(fs) == 0 {
		return n, targets, nil
	}
	if hasAgg {
		return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "set-returning functions in a select list with aggregates are not supported"), fs[0].call.Location)
	}
	const qual = "__srf"
	zip := &TableFunc{Name: "ROWS FROM"}
	var outer []Column
	seen := map[ColumnID]bool{}
	out := append([]ast.Target(nil), targets...)
	for k, f := range fs {
		m, _, err := b.bindTableFunc(&ast.FuncTable{Func: f.call, Alias: &ast.Alias{Name: qual}}, sc)
		if err != nil {
			return nil, nil, err
		}
		if lr, ok := m.(*lateralRef); ok {
			m = lr.Sub
			for _, c := range lr.Outer {
				if !seen[c.ID] {
					seen[c.ID] = true
					outer = append(outer, c)
				}
			}
		}
		tf, ok := m.(*TableFunc)
		if ok && tf.Zip != nil {
			// unnest(a, b) is a FROM clause function only
			args, _ := b.bindExprs(f.call.Args, sc)
			return nil, nil, b.errAt(noFunction(f.call.Name[len(f.call.Name)-1], args), f.call.Location)
		}
		if !ok {
			return nil, nil, b.errAt(sqlerr.New(sqlerr.FeatureNotSupported, "set-returning function %s is not supported in a select list", f.call.Name[len(f.call.Name)-1]), f.call.Location)
		}
		// Each of the function's columns becomes a hidden column of the
		// select list's scope; fields are the function's column names.
		var refs []ast.Expr
		var fieldNames []string
		for j, c := range tf.Cols {
			name := qual + strconv.Itoa(k) + "_" + strconv.Itoa(j)
			col := b.newCol(name, c.Type, qual)
			fieldNames = append(fieldNames, c.Name)
			tf.Cols[j] = col
			zip.Cols = append(zip.Cols, col)
			sc.cols = append(sc.cols, scopeCol{Column: col, qual: qual, hidden: true})
			refs = append(refs, &ast.ColumnRef{Parts: []string{qual, name}, Location: f.call.Location})
		}
		zip.Zip = append(zip.Zip, tf)
		t := out[f.i]
		if t.Alias == "" {
			t.Alias = figureName(t.Expr)
			if f.field != "" {
				t.Alias = f.field
			}
		}
		var value ast.Expr
		switch {
		case f.field != "":
			for j, fn := range fieldNames {
				if fn == f.field {
					value = refs[j]
				}
			}
			if value == nil {
				return nil, nil, b.errAt(sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" not found in data type record", f.field), f.call.Location)
			}
		case len(refs) == 1:
			value = refs[0]
		default:
			// A composite value: shown as PostgreSQL prints a record,
			// its fields carried beside it for (item).field.
			for j, r := range refs {
				out = append(out, ast.Target{Expr: r, Alias: compositeField(t.Alias, fieldNames[j]), Pos: t.Pos})
			}
			value = &ast.FuncCall{Name: []string{recordOutName}, Args: refs, Location: f.call.Location}
		}
		t.Expr = f.rebuild(value)
		out[f.i] = t
	}
	var sub Node = zip
	if len(zip.Zip) == 1 {
		sub = zip.Zip[0]
		sub.(*TableFunc).Cols = zip.Cols
	}
	if len(outer) > 0 {
		return &Apply{Input: n, Sub: sub, Outer: outer}, out, nil
	}
	return &Join{Type: JoinCross, Left: n, Right: sub}, out, nil
}

// recordOutName is the internal call the binder puts where a select item
// is a composite value (a set-returning function of several columns).
const recordOutName = "__record_out"

// recordOut prints its arguments as PostgreSQL's record_out prints a
// row: (a,b), a NULL field empty, a field that is empty or holds a quote,
// backslash, parenthesis, comma or space in double quotes with quotes
// and backslashes doubled.
func recordOut(args []expr.Expr) expr.Expr {
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return &expr.Call{Name: recordOutName, Args: args, T: types.TextT, Kernel: functions.RowWise(func([]types.T) types.T { return types.TextT }, false,
		func(ctx *functions.Ctx, v []types.Value) (types.Value, error) {
			// every field NULL is the padding past a shorter function's
			// end, a NULL record (each function here has a field that is
			// never NULL: a key, a position)
			if !slices.ContainsFunc(v, func(x types.Value) bool { return x != nil }) {
				return nil, nil
			}
			var sb strings.Builder
			sb.WriteByte('(')
			for i, x := range v {
				if i > 0 {
					sb.WriteByte(',')
				}
				if x == nil {
					continue
				}
				s := types.FormatTextIn(ts[i], x, ctx.Loc)
				if s != "" && !strings.ContainsAny(s, "\"\\(),") && !strings.ContainsFunc(s, isRecordSpace) {
					sb.WriteString(s)
					continue
				}
				sb.WriteByte('"')
				for _, r := range s {
					if r == '"' || r == '\\' {
						sb.WriteRune(r)
					}
					sb.WriteRune(r)
				}
				sb.WriteByte('"')
			}
			sb.WriteByte(')')
			return sb.String(), nil
		})}
}

// isRecordSpace is C's isspace, which record_out tests.
func isRecordSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}
