package planner

import "github.com/lakeq/lakeq/parser/ast"

// athenaParts are Athena's (Trino's) date and time field functions, each
// EXTRACT of a PostgreSQL field as a bigint: year(x) is
// CAST(EXTRACT(year FROM x) AS bigint); day_of_week is ISO (Monday 1).
var athenaParts = map[string]string{
	"year": "year", "quarter": "quarter", "month": "month", "week": "week", "week_of_year": "week",
	"day": "day", "day_of_month": "day", "day_of_week": "isodow", "dow": "isodow",
	"day_of_year": "doy", "doy": "doy", "year_of_week": "isoyear", "yow": "isoyear",
	"hour": "hour", "minute": "minute", "second": "second", "millisecond": "milliseconds",
}

// athenaRewrite turns Athena's functions that are PostgreSQL constructs
// under another name into those constructs: the field functions above,
// if(c, a [, b]) (a CASE), and the aggregate count_if(c) (count(*)
// FILTER (WHERE c)). Only names the registry lacks reach it.
func athenaRewrite(f *ast.FuncCall, name string) (ast.Expr, bool) {
	if len(f.Name) != 1 || f.Over != nil {
		return nil, false
	}
	loc := f.Location
	plain := !f.Distinct && !f.Star && f.Filter == nil && len(f.OrderBy) == 0 && !f.WithinGroup
	if field, ok := athenaParts[name]; ok && plain && len(f.Args) == 1 {
		x := &ast.FuncCall{Name: []string{"extract"}, Args: []ast.Expr{&ast.Const{Kind: "string", Val: field, Location: loc}, f.Args[0]}, Location: loc}
		if name == "second" {
			// the whole seconds of the minute (EXTRACT has the fraction)
			x = &ast.FuncCall{Name: []string{"floor"}, Args: []ast.Expr{x}, Location: loc}
		}
		if name == "millisecond" {
			// the milliseconds of the second
			x = &ast.FuncCall{Name: []string{"mod"}, Args: []ast.Expr{&ast.FuncCall{Name: []string{"floor"}, Args: []ast.Expr{x}, Location: loc}, &ast.Const{Kind: "int", Val: "1000"}}, Location: loc}
		}
		return &ast.Cast{X: x, Type: &ast.TypeName{Names: []string{"int8"}}, Location: loc}, true
	}
	switch name {
	case "if":
		if plain && (len(f.Args) == 2 || len(f.Args) == 3) {
			c := &ast.Case{Whens: []ast.When{{Cond: f.Args[0], Result: f.Args[1]}}, Location: loc}
			if len(f.Args) == 3 {
				c.Else = f.Args[2]
			}
			return c, true
		}
	case "count_if":
		if len(f.Args) == 1 && !f.Distinct && !f.Star && len(f.OrderBy) == 0 && !f.WithinGroup {
			cond := f.Args[0]
			if f.Filter != nil {
				cond = &ast.BoolExpr{Op: "and", Args: []ast.Expr{f.Filter, cond}, Location: loc}
			}
			return &ast.FuncCall{Name: []string{"count"}, Star: true, Filter: cond, Location: loc}, true
		}
	}
	return nil, false
}
