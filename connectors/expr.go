package connectors

import (
	"fmt"
	"strings"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// Expr is a filter or value offered to a connector: a column, a constant
// or a call of one of the operators below. It is what every source can
// be asked to evaluate; anything else stays in lakeq.
type Expr interface{ expr() }

// ColRef is a table column.
type ColRef struct {
	Col  int // table column index
	Type types.T
}

// Const is a constant (Value nil: NULL).
type Const struct {
	Value types.Value
	Type  types.T
}

// Call is an operator applied to arguments. Ops:
//
//	"=", "<>", "<", "<=", ">", ">="  two arguments
//	"in"                            the first argument in the others (constants)
//	"isnull", "notnull"             one argument
//	"like", "notlike"               column, pattern constant (PostgreSQL's LIKE, escape '\')
//	"and", "or"                     two or more boolean arguments
//	"not"                           one boolean argument
type Call struct {
	Op   string
	Args []Expr
}

// Native is a filter in lakeq's own expression form, its columns
// resolved to table column indices, offered with its portable form
// (ColRef/Const/Call) when it has one. Connectors inside lakeq (files,
// managed and system tables) run lakeq's evaluator and use Expr, to prune
// partitions whatever the expression; a database connector sees only
// Portable (PortableOf), and takes nothing without one.
type Native struct {
	Expr     expr.Expr
	Portable Expr // nil: no portable form
}

func (ColRef) expr() {}
func (Const) expr()  {}
func (Call) expr()   {}
func (Native) expr() {}

// PortableOf is e's portable form: e itself, or a Native's Portable; nil
// when it has none.
func PortableOf(e Expr) Expr {
	if n, ok := e.(Native); ok {
		return n.Portable
	}
	return e
}

// Ops lists the operators a Call may carry.
var Ops = map[string]bool{
	"=": true, "<>": true, "<": true, "<=": true, ">": true, ">=": true,
	"in": true, "isnull": true, "notnull": true, "like": true, "notlike": true,
	"and": true, "or": true, "not": true,
}

// Columns returns the table columns e reads.
func Columns(e Expr) []int {
	var out []int
	var walk func(Expr)
	walk = func(e Expr) {
		switch x := e.(type) {
		case ColRef:
			out = append(out, x.Col)
		case Native:
			expr.Walk(x.Expr, func(e expr.Expr) bool {
				if c, ok := e.(*expr.Col); ok {
					out = append(out, c.Idx)
				}
				return true
			})
		case Call:
			for _, a := range x.Args {
				walk(a)
			}
		}
	}
	walk(e)
	return out
}

// Format renders e for EXPLAIN with the table's column names.
func Format(e Expr, names []string) string {
	switch x := e.(type) {
	case Native:
		if x.Portable != nil {
			return Format(x.Portable, names)
		}
		return x.Expr.String()
	case ColRef:
		if x.Col >= 0 && x.Col < len(names) {
			return names[x.Col]
		}
		return fmt.Sprintf("$col%d", x.Col)
	case Const:
		if x.Value == nil {
			return "NULL"
		}
		return "'" + strings.ReplaceAll(types.FormatText(x.Type, x.Value), "'", "''") + "'"
	case Call:
		args := make([]string, len(x.Args))
		for i, a := range x.Args {
			args[i] = Format(a, names)
		}
		switch x.Op {
		case "isnull":
			return args[0] + " IS NULL"
		case "notnull":
			return args[0] + " IS NOT NULL"
		case "not":
			return "NOT (" + args[0] + ")"
		case "and", "or":
			return "(" + strings.Join(args, " "+strings.ToUpper(x.Op)+" ") + ")"
		case "in":
			return args[0] + " IN (" + strings.Join(args[1:], ", ") + ")"
		case "like":
			return args[0] + " LIKE " + args[1]
		case "notlike":
			return args[0] + " NOT LIKE " + args[1]
		default:
			return args[0] + " " + x.Op + " " + args[1]
		}
	}
	return "?"
}
