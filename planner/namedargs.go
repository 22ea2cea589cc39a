package planner

import (
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
)

// placeArgs puts a call's arguments where its function's parameters are,
// as PostgreSQL does for named notation (make_interval(days => 3)) and
// for parameters with defaults: positional arguments first, then each
// named one at its parameter, then the defaults of the parameters left
// out at the end. A function without declared parameters takes no names:
// a named argument is never read as a positional one.
func placeArgs(name string, params []functions.Param, names []string, args []expr.Expr) ([]expr.Expr, error) {
	if !hasNamedArgs(names) && len(args) >= len(params) {
		return args, nil
	}
	missing := func() error { return noNamedFunction(name, names, args) }
	if params == nil {
		return nil, missing()
	}
	out := make([]expr.Expr, len(params))
	last := -1
	for i, a := range args {
		k := i
		if i < len(names) && names[i] != "" {
			k = -1
			for j, p := range params {
				if p.Name == names[i] {
					k = j
				}
			}
			if k < 0 {
				return nil, missing()
			}
			if out[k] != nil {
				if k < i && names[k] == "" {
					return nil, missing() // named where a positional one went
				}
				return nil, sqlerr.New(sqlerr.SyntaxError, "argument name \"%s\" used more than once", names[i])
			}
		} else if k >= len(params) {
			return nil, missing()
		}
		out[k] = a
		last = max(last, k)
	}
	// parameters left out take their defaults; a trailing one without a
	// default ends the call there (another overload's extra parameter)
	n := len(params)
	for k := range params {
		if out[k] != nil {
			continue
		}
		if params[k].Default != nil {
			out[k] = &expr.Const{V: params[k].Default, T: params[k].T}
			continue
		}
		if k > last {
			n = k
			break
		}
		return nil, missing()
	}
	return out[:n], nil
}

// noNamedFunction is 42883 showing the call as written, names included.
func noNamedFunction(name string, names []string, args []expr.Expr) error {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.Type().String()
		if i < len(names) && names[i] != "" {
			parts[i] = names[i] + " => " + parts[i]
		}
	}
	return sqlerr.New(sqlerr.UndefinedFunction, "function %s(%s) does not exist", name, strings.Join(parts, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.")
}

func hasNamedArgs(names []string) bool {
	for _, n := range names {
		if n != "" {
			return true
		}
	}
	return false
}
