package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/types"
)

// Key is a canonical text of e's whole tree — every node's kind, every
// field that changes its value (operator, negation, test kind, target
// type, result type), every child and every constant with its type — so
// two expressions share a key only when they compute the same thing.
// The planner identifies expressions by it: common subexpressions,
// GROUP BY and ORDER BY matching, pushdown. A node kind this function
// does not know gets a key of its own identity, which is never shared:
// an unknown node is at worst computed twice, never merged with another.
func Key(e Expr) string {
	var sb strings.Builder
	writeKey(&sb, e)
	return sb.String()
}

func writeKey(sb *strings.Builder, e Expr) {
	if e == nil {
		sb.WriteString("nil")
		return
	}
	typ := func(t types.T) {
		sb.WriteByte(':')
		sb.WriteString(t.String())
	}
	list := func(xs []Expr) {
		sb.WriteByte('(')
		for i, x := range xs {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeKey(sb, x)
		}
		sb.WriteByte(')')
	}
	flag := func(name string, on bool) {
		if on {
			sb.WriteString(name)
		}
	}
	switch x := e.(type) {
	case *Col:
		sb.WriteString("#" + strconv.Itoa(int(x.ID)))
	case *OuterRef:
		sb.WriteString("^" + strconv.Itoa(int(x.ID)))
	case *Param:
		sb.WriteString("$" + strconv.Itoa(x.N))
		typ(x.T)
	case *Const:
		if x.V == nil {
			sb.WriteString("null")
		} else {
			sb.WriteString(strconv.Quote(types.FormatText(x.T, x.V)))
		}
		typ(x.T)
	case *Call:
		sb.WriteString("call " + strconv.Quote(x.Name))
		typ(x.T)
		list(x.Args)
	case *Cast:
		sb.WriteString("cast")
		typ(x.To)
		list([]Expr{x.X})
	case *And:
		sb.WriteString("and")
		list(x.Args)
	case *Or:
		sb.WriteString("or")
		list(x.Args)
	case *Not:
		sb.WriteString("not")
		list([]Expr{x.X})
	case *IsNull:
		sb.WriteString("isnull")
		flag("!", x.Not)
		list([]Expr{x.X})
	case *BoolTest:
		sb.WriteString("is " + strconv.Quote(x.Kind))
		flag("!", x.Not)
		list([]Expr{x.X})
	case *IsDistinct:
		sb.WriteString("distinct")
		flag("!", x.Not)
		list([]Expr{x.L, x.R})
	case *Case:
		sb.WriteString("case")
		typ(x.T)
		sb.WriteByte('(')
		for _, w := range x.Whens {
			sb.WriteString("when ")
			writeKey(sb, w.Cond)
			sb.WriteString(" then ")
			writeKey(sb, w.Then)
			sb.WriteByte(';')
		}
		sb.WriteString("else ")
		writeKey(sb, x.Else)
		sb.WriteByte(')')
	case *Coalesce:
		sb.WriteString("coalesce")
		typ(x.T)
		list(x.Args)
	case *InList:
		sb.WriteString("in")
		flag("!", x.Not)
		list(append([]Expr{x.X}, x.List...))
	case *Like:
		sb.WriteString("like")
		flag("!", x.Not)
		flag("i", x.CI)
		flag("s", x.Similar)
		list([]Expr{x.X, x.Pattern, x.Escape})
	case *ArrayCtor:
		sb.WriteString("array")
		typ(x.T)
		list(x.Elems)
	case *Subquery:
		// one subquery is one plan: equal only to itself
		fmt.Fprintf(sb, "sub %s %s %p", strconv.Quote(x.Kind), strconv.Quote(x.Op), x.Plan)
		typ(x.T)
		list(append(append([]Expr{}, x.OuterArgs...), x.Test))
	default:
		fmt.Fprintf(sb, "%T@%p", e, e)
	}
}
