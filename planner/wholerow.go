package planner

import (
	"strings"
	"time"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/types"
)

// A FROM item's name as a value — a whole-row reference — given to the
// JSON functions PostgreSQL users turn rows into JSON with:
// row_to_json(t [, pretty]), to_json(t), to_jsonb(t), json_agg(t) and
// jsonb_agg(t). lakeq has no row values, so the binder rewrites the call
// over t's columns: an internal call that prints the row as PostgreSQL's
// composite_to_json does ({"a":1,"b":"x"}, keys in column order), and,
// for json_agg, an aggregate that separates such elements as PostgreSQL
// separates composite ones (", " and a newline). A name that is also a
// column of the scope stays the column, as in PostgreSQL. (A row a
// LEFT JOIN null-extends prints with null fields where PostgreSQL's
// whole row is NULL.)

const (
	rowToJSONName  = "__row_to_json"
	rowToJSONBName = "__row_to_jsonb"
)

// wholeRowJSON rewrites f when its first argument is a whole-row
// reference of a FROM item of sc; ok is false when it is not one.
func (b *Binder) wholeRowJSON(f *ast.FuncCall, name string, sc *scope) (*ast.FuncCall, bool) {
	switch name {
	case "row_to_json", "to_json", "to_jsonb", "json_agg", "jsonb_agg":
	default:
		return nil, false
	}
	if len(f.Args) == 0 || f.Star {
		return nil, false
	}
	ref, ok := f.Args[0].(*ast.ColumnRef)
	if !ok || ref.Star || len(ref.Parts) != 1 {
		return nil, false
	}
	alias := ref.Parts[0]
	for s := sc; s != nil; s = s.parent {
		for _, c := range s.cols {
			if c.Name == alias && !c.hidden {
				return nil, false // a column of that name
			}
		}
		if s.agg == nil && len(s.cols) > 0 {
			break // the FROM items of this query level only
		}
	}
	cols, err := b.expandStar(sc, &ast.ColumnRef{Parts: []string{alias}, Star: true, Location: ref.Location})
	if err != nil || len(cols) == 0 {
		return nil, false
	}
	seen := map[string]int{}
	for _, c := range cols {
		seen[c.Name]++
	}
	pretty := ast.Expr(&ast.Const{Kind: "bool", Val: "false"})
	if name == "row_to_json" && len(f.Args) == 2 {
		pretty = f.Args[1]
	} else if len(f.Args) != 1 {
		return nil, false
	}
	args := []ast.Expr{pretty}
	for _, c := range cols {
		r := &ast.ColumnRef{Parts: []string{c.qualName, c.Name}, Location: ref.Location}
		if seen[c.Name] > 1 {
			r.BoundID = int(c.ID)
		}
		args = append(args, &ast.Const{Kind: "string", Val: c.Name}, r)
	}
	row := &ast.FuncCall{Name: []string{rowToJSONName}, Args: args, Location: f.Location}
	switch name {
	case "to_jsonb", "jsonb_agg":
		row.Name = []string{rowToJSONBName}
	}
	switch name {
	case "json_agg", "jsonb_agg":
		out := *f
		out.Args = []ast.Expr{row}
		if name == "json_agg" {
			out.Name = []string{functions.JSONAggRowsName}
		}
		return &out, true
	}
	return row, true
}

// rowToJSON binds the internal row printers: args are pretty, then name
// and value pairs.
func (b *Binder) rowToJSON(f *ast.FuncCall, jsonb bool, sc *scope) (expr.Expr, error) {
	args, err := b.bindExprs(f.Args, sc)
	if err != nil {
		return nil, err
	}
	if args[0], err = b.coerce(args[0], types.BoolT, false); err != nil {
		return nil, err
	}
	ts := make([]types.T, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	ret := types.JSONT
	if jsonb {
		ret = types.JSONBT
	}
	return &expr.Call{Name: f.Name[0], Args: args, T: ret, Kernel: functions.RowWise(func([]types.T) types.T { return ret }, false,
		func(ctx *functions.Ctx, v []types.Value) (types.Value, error) {
			var loc *time.Location
			if ctx != nil {
				loc = ctx.Loc
			}
			pretty, _ := v[0].(bool)
			var sb strings.Builder
			sb.WriteByte('{')
			for i := 1; i+1 < len(v); i += 2 {
				if i > 1 {
					sb.WriteByte(',')
					if pretty {
						sb.WriteString("\n ")
					}
				}
				functions.WriteJSONString(&sb, v[i].(string))
				sb.WriteByte(':')
				functions.AppendJSONIn(&sb, ts[i+1], v[i+1], loc)
			}
			sb.WriteByte('}')
			if jsonb {
				return types.NormalizeJSONB(sb.String())
			}
			return sb.String(), nil
		})}, nil
}
