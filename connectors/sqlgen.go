package connectors

import (
	"strings"

	"github.com/lakeq/lakeq/types"
)

// Dialect is what a SQL database's connector tells Translate about its
// SQL: how identifiers are quoted, how a constant is sent, and how a
// column is compared so that the source compares as lakeq does.
type Dialect interface {
	// Quote quotes an identifier.
	Quote(ident string) string
	// Param is the placeholder of the n-th argument (from 1), of type t,
	// and the value sent for v; false when the dialect sends no such type.
	Param(n int, v types.Value, t types.T) (placeholder string, arg any, ok bool)
	// Compared is a column as an operand of op ("=", "<", "in", "like",
	// …): where the source's collation could differ from lakeq's byte
	// order or its case sensitivity, the column is compared in bytes.
	Compared(col string, t types.T, op string) string
}

// Translate renders a filter as SQL of dialect d over table t, appending
// its constants to args; false when some part has no faithful SQL (a
// column lakeq cannot read, a constant of a type not sent, an unknown
// operator).
func Translate(d Dialect, t *Table, e Expr, args *[]any) (string, bool) {
	switch x := e.(type) {
	case ColRef:
		if x.Col < 0 || x.Col >= len(t.Columns) || t.Columns[x.Col].Unsupported != "" {
			return "", false
		}
		return d.Quote(t.Columns[x.Col].Name), true
	case Const:
		if x.Value == nil {
			return "NULL", true
		}
		ph, arg, ok := d.Param(len(*args)+1, x.Value, x.Type)
		if !ok {
			return "", false
		}
		*args = append(*args, arg)
		return ph, true
	case Call:
		parts := make([]string, len(x.Args))
		for i, a := range x.Args {
			s, ok := Translate(d, t, a, args)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		// every column a comparison reads is compared as lakeq compares,
		// on either side: 'zz' < s orders s's bytes as s < 'zz' does
		switch x.Op {
		case "=", "<>", "<", "<=", ">", ">=", "in", "like", "notlike":
			for i, a := range x.Args {
				if cr, ok := a.(ColRef); ok {
					parts[i] = d.Compared(parts[i], cr.Type, x.Op)
				}
			}
		}
		switch x.Op {
		case "=", "<>", "<", "<=", ">", ">=":
			if len(parts) != 2 {
				return "", false
			}
			return "(" + parts[0] + " " + x.Op + " " + parts[1] + ")", true
		case "in":
			if len(parts) < 2 {
				return "", false
			}
			return "(" + parts[0] + " IN (" + strings.Join(parts[1:], ", ") + "))", true
		case "isnull", "notnull":
			if len(parts) != 1 {
				return "", false
			}
			if x.Op == "isnull" {
				return "(" + parts[0] + " IS NULL)", true
			}
			return "(" + parts[0] + " IS NOT NULL)", true
		case "like", "notlike":
			if len(parts) != 2 {
				return "", false
			}
			op := " LIKE "
			if x.Op == "notlike" {
				op = " NOT LIKE "
			}
			return "(" + parts[0] + op + parts[1] + ")", true
		case "and", "or":
			if len(parts) < 2 {
				return "", false
			}
			return "(" + strings.Join(parts, " "+strings.ToUpper(x.Op)+" ") + ")", true
		case "not":
			if len(parts) != 1 {
				return "", false
			}
			return "(NOT " + parts[0] + ")", true
		}
	}
	return "", false
}
