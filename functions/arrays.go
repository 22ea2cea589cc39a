package functions

import (
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// PostgreSQL's array functions and operators over lakeq's arrays, which
// are one-dimensional with lower bound 1 (an array of arrays for
// ARRAY[[…]]). Searches (array_position, array_positions,
// array_remove, array_replace) match as IS NOT DISTINCT FROM, so they
// find NULLs; containment and overlap (@>, <@, &&) compare with =, so a
// NULL element matches nothing.

// arrayEq is IS NOT DISTINCT FROM on two elements.
func arrayEq(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return types.Compare(a, b) == 0
}

// arrayHas reports whether arr holds an element = v (v not NULL).
func arrayHas(arr []any, v any) bool {
	for _, e := range arr {
		if e != nil && types.Compare(e, v) == 0 {
			return true
		}
	}
	return false
}

// arrayContains is a @> b: every element of b is = to one of a.
func arrayContains(a, b []any) bool {
	for _, e := range b {
		if e == nil || !arrayHas(a, e) {
			return false
		}
	}
	return true
}

// arrayDepth is the number of dimensions an array type has.
func arrayDepth(t types.T) int {
	d := 0
	for t.Kind == types.Array {
		d++
		t = *t.Elem
	}
	return d
}

// StringToArray is string_to_array(s, delim, null): the pieces of s
// between delimiters (each character when delim is NULL, s whole when it
// is empty, nothing when s is empty), a piece equal to null as NULL.
func StringToArray(s string, delim, null *string) []any {
	out := []any{}
	if s == "" {
		return out
	}
	var parts []string
	switch {
	case delim == nil:
		for _, r := range s {
			parts = append(parts, string(r))
		}
	case *delim == "":
		parts = []string{s}
	default:
		parts = strings.Split(s, *delim)
	}
	for _, p := range parts {
		if null != nil && p == *null {
			out = append(out, nil)
		} else {
			out = append(out, p)
		}
	}
	return out
}

func optString(v types.Value) *string {
	if v == nil {
		return nil
	}
	s := v.(string)
	return &s
}

func arrayScalars() []*Scalar {
	anyArr := Arg{Kind: ArgArray}
	elem := Arg{Kind: ArgElemOf}
	arrRet := func(ts []types.T) types.T {
		for _, t := range ts {
			if t.Kind == types.Array {
				return t
			}
		}
		return ts[0]
	}
	// lax marks overloads that run on NULL elements (the search ones)
	lax := func(args []Arg, ret func([]types.T) types.T, f RowFunc) Overload {
		return Overload{Args: args, Ret: ret, Kernel: RowWise(ret, false, f)}
	}
	position := func(_ *Ctx, a []types.Value) (types.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		start := int64(1)
		if len(a) > 2 {
			if a[2] == nil {
				return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "initial position must not be null")
			}
			start = a[2].(int64)
		}
		for i, e := range a[0].([]any) {
			if int64(i+1) >= start && arrayEq(e, a[1]) {
				return int64(i + 1), nil
			}
		}
		return nil, nil
	}
	textArr := types.ArrayOf(types.TextT)
	stringToArray := func(_ *Ctx, a []types.Value) (types.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		var null *string
		if len(a) > 2 {
			null = optString(a[2])
		}
		return StringToArray(a[0].(string), optString(a[1]), null), nil
	}
	return []*Scalar{
		{Name: "array_position", Description: "position of the first element IS NOT DISTINCT FROM the value, from an optional start", Overloads: []Overload{
			lax([]Arg{anyArr, elem}, fixed(types.Int4T), position),
			lax([]Arg{anyArr, elem, aInt4}, fixed(types.Int4T), position),
		}},
		{Name: "array_positions", Description: "positions of the elements IS NOT DISTINCT FROM the value", Overloads: []Overload{
			lax([]Arg{anyArr, elem}, fixed(types.ArrayOf(types.Int4T)), func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return nil, nil
				}
				out := []any{}
				for i, e := range a[0].([]any) {
					if arrayEq(e, a[1]) {
						out = append(out, int64(i+1))
					}
				}
				return out, nil
			}),
		}},
		{Name: "array_prepend", Description: "the element, then the array", Overloads: []Overload{
			lax([]Arg{elem, anyArr}, arrRet, func(_ *Ctx, a []types.Value) (types.Value, error) {
				arr, _ := a[1].([]any)
				return append([]any{a[0]}, arr...), nil
			}),
		}},
		{Name: "array_remove", Description: "the array without the elements IS NOT DISTINCT FROM the value", Overloads: []Overload{
			lax([]Arg{anyArr, elem}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return nil, nil
				}
				out := []any{}
				for _, e := range a[0].([]any) {
					if !arrayEq(e, a[1]) {
						out = append(out, e)
					}
				}
				return out, nil
			}),
		}},
		{Name: "array_replace", Description: "the array with each element IS NOT DISTINCT FROM the second argument replaced by the third", Overloads: []Overload{
			lax([]Arg{anyArr, elem, elem}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return nil, nil
				}
				src := a[0].([]any)
				out := make([]any, len(src))
				for i, e := range src {
					if arrayEq(e, a[1]) {
						e = a[2]
					}
					out[i] = e
				}
				return out, nil
			}),
		}},
		{Name: "trim_array", Description: "the array without its last n elements", Overloads: []Overload{
			rowPoly([]Arg{anyArr, aInt4}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				arr, n := a[0].([]any), a[1].(int64)
				if n < 0 || n > int64(len(arr)) {
					return nil, sqlerr.New(sqlerr.ArraySubscriptError, "number of elements to trim must be between 0 and %d", len(arr))
				}
				return append([]any{}, arr[:int64(len(arr))-n]...), nil
			}),
		}},
		{Name: "array_ndims", Description: "number of dimensions (NULL for an empty array)", Overloads: []Overload{
			{Args: []Arg{anyArr}, Ret: fixed(types.Int4T), Bind: func(ts []types.T) Kernel {
				d := int64(arrayDepth(ts[0]))
				return RowWise(fixed(types.Int4T), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
					if len(a[0].([]any)) == 0 {
						return nil, nil
					}
					return d, nil
				})
			}},
		}},
		{Name: "array_dims", Description: "the array's dimensions as text ([1:3]; NULL for an empty array)", Overloads: []Overload{
			{Args: []Arg{anyArr}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
				var b strings.Builder
				for v := a[0]; ; {
					arr, ok := v.([]any)
					if !ok || len(arr) == 0 {
						break
					}
					b.WriteString("[1:" + strconv.Itoa(len(arr)) + "]")
					v = arr[0]
				}
				if b.Len() == 0 {
					return nil, nil
				}
				return b.String(), nil
			})},
		}},
		{Name: "array_fill", Description: "an array of the value repeated (one dimension)", Overloads: []Overload{
			lax([]Arg{aAny, ex(types.ArrayOf(types.Int4T))}, func(ts []types.T) types.T { return types.ArrayOf(ts[0]) }, arrayFill),
			lax([]Arg{aAny, ex(types.ArrayOf(types.Int4T)), ex(types.ArrayOf(types.Int4T))}, func(ts []types.T) types.T { return types.ArrayOf(ts[0]) }, arrayFill),
		}},
		{Name: "array_cat", Description: "the arrays one after the other (a NULL one is empty)", Overloads: []Overload{
			lax([]Arg{anyArr, {Kind: ArgSame}}, arrRet, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil && a[1] == nil {
					return nil, nil
				}
				x, _ := a[0].([]any)
				y, _ := a[1].([]any)
				return append(append([]any{}, x...), y...), nil
			}),
		}},
		{Name: "cardinality", Description: "number of elements in all dimensions", Overloads: []Overload{
			row([]Arg{anyArr}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(countLeaves(a[0].([]any))), nil
			}),
		}},
		{Name: "string_to_array", Description: "the string split at each delimiter (each character for a NULL one), pieces equal to the third argument as NULL", Overloads: []Overload{
			lax([]Arg{aText, aText}, fixed(textArr), stringToArray),
			lax([]Arg{aText, aText, aText}, fixed(textArr), stringToArray),
		}},
	}
}

// arrayFill is array_fill(v, dims [, lbounds]) for one dimension from 1.
func arrayFill(_ *Ctx, a []types.Value) (types.Value, error) {
	if a[1] == nil || len(a) > 2 && a[2] == nil {
		return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "dimension array or low bound array cannot be null")
	}
	dims := a[1].([]any)
	if len(a) > 2 {
		lb := a[2].([]any)
		if len(lb) != len(dims) {
			return nil, sqlerr.New(sqlerr.ArraySubscriptError, "wrong number of array subscripts").
				WithDetail("Low bound array has different size than dimensions array.")
		}
		for _, l := range lb {
			if l == nil || l.(int64) != 1 {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array_fill with a lower bound other than 1 is not supported (lakeq's arrays start at 1)")
			}
		}
	}
	switch len(dims) {
	case 0:
		return []any{}, nil
	case 1:
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array_fill of %d dimensions is not supported (lakeq's arrays have one)", len(dims))
	}
	if dims[0] == nil {
		return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "dimension values cannot be null")
	}
	n := dims[0].(int64)
	if n < 0 || n > 134217727 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "array size exceeds the maximum allowed (134217727)")
	}
	out := make([]any, n)
	for i := range out {
		out[i] = a[0]
	}
	return out, nil
}

// arrayOperatorOverloads are the array overloads of operators jsonb
// declares too (@>, <@) and of && (overlap).
func arrayOperatorOverloads() map[string][]Overload {
	anyArr := Arg{Kind: ArgArray}
	same := Arg{Kind: ArgSameArray}
	both := func(f func(a, b []any) bool) Overload {
		return row([]Arg{anyArr, same}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return f(a[0].([]any), a[1].([]any)), nil
		})
	}
	return map[string][]Overload{
		"@>": {both(arrayContains)},
		"<@": {both(func(a, b []any) bool { return arrayContains(b, a) })},
		"&&": {both(func(a, b []any) bool {
			for _, e := range b {
				if e != nil && arrayHas(a, e) {
					return true
				}
			}
			return false
		})},
	}
}

// countLeaves counts the elements of an array of arrays (ARRAY[[1,2],[3,4]]
// has 4), as cardinality does over every dimension.
func countLeaves(a []any) int {
	n := 0
	for _, e := range a {
		if sub, ok := e.([]any); ok {
			n += countLeaves(sub)
		} else {
			n++
		}
	}
	return n
}
