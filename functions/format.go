package functions

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// format(formatstr, args…) as PostgreSQL's text_format: %s (the value's
// text, NULL as nothing), %I (quote_ident; NULL is an error), %L
// (quote_literal; NULL as NULL) and %%, each with an optional argument
// position n$, a - flag and a width (digits, * or *n$; a negative width
// left-justifies). A specifier without a position takes the argument
// after the last one used.

func formatErr(msg string, args ...any) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, msg, args...).WithHint(`For a single "%" use "%%".`)
}

// textFormat formats vals (typed ts) by the format string.
func textFormat(f string, ts []types.T, vals []types.Value, loc *time.Location) (string, error) {
	var b strings.Builder
	next := 0 // the next argument, 0-based
	// number reads digits at f[i:], ok false when there are none
	number := func(i int) (n, j int, ok bool) {
		j = i
		for j < len(f) && f[j] >= '0' && f[j] <= '9' {
			if n > (1<<31-1)/10 {
				return 0, 0, false
			}
			n = n*10 + int(f[j]-'0')
			j++
		}
		return n, j, j > i
	}
	// position reads "n$" at f[i:]
	position := func(i int) (n, j int, ok bool, err error) {
		n, j, ok = number(i)
		if !ok || j >= len(f) || f[j] != '$' {
			return 0, i, false, nil
		}
		if n == 0 {
			return 0, 0, false, sqlerr.New(sqlerr.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
		}
		return n, j + 1, true, nil
	}
	arg := func(pos int) (int, error) {
		i := next
		if pos > 0 {
			i = pos - 1
		}
		if i >= len(vals) {
			return 0, sqlerr.New(sqlerr.InvalidParameterValue, "too few arguments for format()")
		}
		next = i + 1
		return i, nil
	}
	unterminated := func() error { return formatErr("unterminated format() type specifier") }
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			b.WriteByte(f[i])
			continue
		}
		i++
		if i >= len(f) {
			return "", unterminated()
		}
		if f[i] == '%' {
			b.WriteByte('%')
			continue
		}
		argPos, j, _, err := position(i)
		if err != nil {
			return "", err
		}
		i = j
		left := false
		if i < len(f) && f[i] == '-' {
			left = true
			i++
		}
		width, widthArg, widthPos := 0, false, 0
		if i < len(f) && f[i] == '*' {
			widthArg = true
			i++
			if p, j, ok, err := position(i); err != nil {
				return "", err
			} else if ok {
				widthPos, i = p, j
			}
		} else if n, j, ok := number(i); ok {
			width, i = n, j
		}
		if i >= len(f) {
			return "", unterminated()
		}
		if widthArg {
			k, err := arg(widthPos)
			if err != nil {
				return "", err
			}
			if vals[k] != nil {
				// the width is read as integer input of the value's text
				wv, err := types.ParseText(types.Int4T, types.FormatTextIn(ts[k], vals[k], loc), loc)
				if err != nil {
					return "", err
				}
				w := wv.(int64)
				if w < 0 {
					left, w = true, -w
				}
				width = int(w)
			}
		}
		typ := f[i]
		if typ != 's' && typ != 'I' && typ != 'L' {
			r, _ := utf8.DecodeRuneInString(f[i:])
			return "", formatErr("unrecognized format() type specifier \"%c\"", r)
		}
		k, err := arg(argPos)
		if err != nil {
			return "", err
		}
		var s string
		switch v := vals[k]; {
		case typ == 'L' && v == nil:
			s = "NULL"
		case v == nil && typ == 'I':
			return "", sqlerr.New(sqlerr.NullValueNotAllowed, "null values cannot be formatted as an SQL identifier")
		case v == nil:
		default:
			s = types.FormatTextIn(ts[k], v, loc)
			switch typ {
			case 'I':
				s = QuoteIdent(s)
			case 'L':
				s = QuoteLiteral(s)
			}
		}
		if pad := width - utf8.RuneCountInString(s); pad > 0 {
			if left {
				s += strings.Repeat(" ", pad)
			} else {
				s = strings.Repeat(" ", pad) + s
			}
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// QuoteLiteral is quote_literal: s in single quotes, quotes doubled; a
// string holding a backslash becomes an E” string with it doubled.
func QuoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

func formatScalars() []*Scalar {
	bind := func(ts []types.T) Kernel {
		return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
			out := make([]types.Value, n)
			vals := make([]types.Value, len(args)-1)
			for r := 0; r < n; r++ {
				f := types.GetValue(types.TextT, args[0], r)
				if f == nil {
					continue
				}
				for j := range vals {
					vals[j] = types.GetValue(ts[j+1], args[j+1], r)
				}
				s, err := textFormat(f.(string), ts[1:], vals, ctx.Loc)
				if err != nil {
					return nil, err
				}
				out[r] = s
			}
			return types.BuildArray(types.TextT, out), nil
		}
	}
	textOnly := []types.T{types.TextT}
	// quote is quote_literal (strict) and quote_nullable (NULL as NULL)
	quote := func(nullable bool) func([]types.T) Kernel {
		return func(ts []types.T) Kernel {
			return RowWise(fixed(types.TextT), !nullable, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return "NULL", nil
				}
				return QuoteLiteral(types.FormatTextIn(ts[0], a[0], ctx.Loc)), nil
			})
		}
	}
	return []*Scalar{
		{Name: "format", Description: "text formatted as PostgreSQL's format: %s, %I, %L with positions and widths", Overloads: []Overload{
			{Args: []Arg{aText}, Ret: fixed(types.TextT), Kernel: bind(textOnly), Bind: bind},
			{Args: []Arg{aText, aAny}, Variadic: true, Ret: fixed(types.TextT), Kernel: bind(textOnly), Bind: bind},
		}},
		{Name: "quote_literal", Description: "the value as an SQL string literal", Overloads: []Overload{
			{Args: []Arg{aAny}, Ret: fixed(types.TextT), Kernel: quote(false)(textOnly), Bind: quote(false)},
		}},
		{Name: "quote_nullable", Description: "the value as an SQL literal, NULL as NULL", Overloads: []Overload{
			{Args: []Arg{aAny}, Ret: fixed(types.TextT), Kernel: quote(true)(textOnly), Bind: quote(true)},
		}},
	}
}
