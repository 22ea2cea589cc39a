package planner

import (
	"strings"

	"github.com/lakeq/lakeq/parser/ast"
)

// redshiftRewrite turns Amazon Redshift's functions that are PostgreSQL
// constructs under another name into those constructs: NVL(a, b, …) is
// COALESCE; NVL2(e, x, y) is CASE WHEN e IS NOT NULL THEN x ELSE y END;
// DECODE(e, s1, r1, …, [default]) (three or more arguments: two are
// PostgreSQL's decode(bytea, format)) is a CASE in which a NULL search
// matches a NULL expression, as Redshift's does; MEDIAN(x) is
// percentile_cont(0.5) WITHIN GROUP (ORDER BY x); LISTAGG(x [, delim])
// [WITHIN GROUP (ORDER BY …)] is string_agg. DATEADD's and DATEDIFF's
// date part may be a bare word (day), made a string here. A function of
// the scope's registry by that name is never rewritten.
// redshiftAggregates are the rewritten names that are aggregates.
var redshiftAggregates = map[string]bool{"median": true, "listagg": true, "approx_percentile": true, "count_if": true}

func redshiftRewrite(f *ast.FuncCall, name string) (ast.Expr, bool) {
	if len(f.Name) != 1 {
		return nil, false
	}
	loc := f.Location
	plain := !f.Distinct && !f.Star && f.Filter == nil && len(f.OrderBy) == 0 && !f.WithinGroup
	switch name {
	case "nvl":
		if plain && len(f.Args) >= 2 {
			return &ast.Coalesce{Args: f.Args, Location: loc}, true
		}
	case "nvl2":
		if plain && len(f.Args) == 3 {
			return &ast.Case{Whens: []ast.When{{Cond: &ast.NullTest{X: f.Args[0], Not: true, Location: loc}, Result: f.Args[1]}}, Else: f.Args[2], Location: loc}, true
		}
	case "decode":
		if plain && len(f.Args) >= 3 {
			e := f.Args[0]
			var whens []ast.When
			i := 1
			for ; i+1 < len(f.Args); i += 2 {
				s := f.Args[i]
				cond := &ast.BoolExpr{Op: "or", Args: []ast.Expr{
					&ast.BinaryOp{Op: "=", L: e, R: s, Location: loc},
					&ast.BoolExpr{Op: "and", Args: []ast.Expr{&ast.NullTest{X: e, Location: loc}, &ast.NullTest{X: s, Location: loc}}},
				}}
				whens = append(whens, ast.When{Cond: cond, Result: f.Args[i+1]})
			}
			var def ast.Expr
			if i < len(f.Args) {
				def = f.Args[i]
			}
			return &ast.Case{Whens: whens, Else: def, Location: loc}, true
		}
	case "median":
		if len(f.Args) == 1 && !f.Distinct && !f.Star && len(f.OrderBy) == 0 && !f.WithinGroup {
			return &ast.FuncCall{Name: []string{"percentile_cont"}, Args: []ast.Expr{&ast.Const{Kind: "float", Val: "0.5"}},
				OrderBy: []ast.OrderItem{{Expr: f.Args[0]}}, WithinGroup: true, Filter: f.Filter, Location: loc}, true
		}
	case "approx_percentile":
		// Athena's approximation, answered exactly by a value of the data
		if len(f.Args) == 2 && !f.Distinct && !f.Star && len(f.OrderBy) == 0 && !f.WithinGroup {
			return &ast.FuncCall{Name: []string{"percentile_disc"}, Args: []ast.Expr{f.Args[1]},
				OrderBy: []ast.OrderItem{{Expr: f.Args[0]}}, WithinGroup: true, Filter: f.Filter, Location: loc}, true
		}
	case "listagg":
		if len(f.Args) >= 1 && len(f.Args) <= 2 && !f.Star {
			delim := ast.Expr(&ast.Const{Kind: "string", Val: ""})
			if len(f.Args) == 2 {
				delim = f.Args[1]
			}
			return &ast.FuncCall{Name: []string{"string_agg"}, Args: []ast.Expr{&ast.Cast{X: f.Args[0], Type: &ast.TypeName{Names: []string{"text"}}, Location: loc}, delim},
				OrderBy: f.OrderBy, Distinct: f.Distinct, Filter: f.Filter, Location: loc}, true
		}
	case "date_part", "datepart", "date_trunc":
		// Redshift writes the part bare: date_part(year, ts). Only a word
		// that names a date part is taken for one (a text column holding
		// units stays a column).
		if len(f.Args) >= 2 {
			if ref, ok := f.Args[0].(*ast.ColumnRef); ok && len(ref.Parts) == 1 && !ref.Star && isDatePartWord(ref.Parts[0]) {
				g := *f
				g.Args = append([]ast.Expr{&ast.Const{Kind: "string", Val: strings.ToLower(ref.Parts[0])}}, f.Args[1:]...)
				if name == "datepart" {
					g.Name = []string{"date_part"}
				}
				return &g, true
			}
		}
	case "dateadd", "datediff":
		if len(f.Args) == 3 {
			if ref, ok := f.Args[0].(*ast.ColumnRef); ok && len(ref.Parts) == 1 && !ref.Star {
				g := *f
				g.Args = append([]ast.Expr{&ast.Const{Kind: "string", Val: strings.ToLower(ref.Parts[0])}}, f.Args[1:]...)
				g.Name = []string{"__" + name}
				return &g, true
			}
		}
	}
	return nil, false
}

// isDatePartWord reports the words Redshift and PostgreSQL take for date
// parts.
func isDatePartWord(w string) bool {
	switch strings.ToLower(w) {
	case "millennium", "millennia", "mil", "mils", "century", "centuries", "c", "cent", "cents", "decade", "decades", "dec", "decs",
		"year", "years", "y", "yr", "yrs", "quarter", "quarters", "qtr", "qtrs", "month", "months", "mon", "mons",
		"week", "weeks", "w", "day", "days", "d", "hour", "hours", "h", "hr", "hrs", "minute", "minutes", "m", "min", "mins",
		"second", "seconds", "s", "sec", "secs", "millisecond", "milliseconds", "ms", "msec", "msecs",
		"microsecond", "microseconds", "us", "usec", "usecs", "dow", "dayofweek", "isodow", "doy", "dayofyear", "epoch", "isoyear", "timezone", "timezone_hour", "timezone_minute":
		return true
	}
	return false
}
