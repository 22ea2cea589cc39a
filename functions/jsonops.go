package functions

import (
	"bytes"
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// jsonb's operators and functions over paths, keys and containment, as
// PostgreSQL defines them: #> and #>> follow a path of keys and array
// positions (negative from the end), ? ?| ?& test top-level keys (or
// string elements of an array), @> and <@ test containment (objects by
// key, arrays as sets, a top-level array containing a bare scalar,
// numbers by value), and the typeof/length/strip/extract functions. A
// document is decoded once per call with its numbers as written, and a
// jsonb result is printed as jsonb prints (NormalizeJSONB's order).

// decodeJSON is the document as Go values, numbers as json.Number.
func decodeJSON(doc string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type json")
	}
	return v, nil
}

// encodeJSONB prints v as jsonb prints.
func encodeJSONB(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return types.NormalizeJSONB(buf.String())
}

// jsonPath follows path (keys, array positions) from v; ok is false
// where a step is missing, or is not a position of an array.
func jsonPath(v any, path []any) (any, bool) {
	for _, p := range path {
		if p == nil {
			return nil, false
		}
		step := p.(string)
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[step]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i, ok := pathIndex(step)
			if !ok {
				return nil, false
			}
			if i < 0 {
				i += len(x)
			}
			if i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// pathIndex reads a path step as an array position the way PostgreSQL's
// strtoint does: leading blanks and a sign, then digits to the end, in
// int32's range (' +1' is 1; '1 ' and '1x' are no position).
func pathIndex(step string) (int, bool) {
	s := strings.TrimLeft(step, " \t\n\r\v\f")
	i, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, false
	}
	return int(i), true
}

// jsonText is ->>'s text of a value: a string unquoted, JSON null SQL
// NULL, anything else as jsonb prints it.
func jsonText(v any) (types.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	}
	return encodeJSONB(v)
}

func jsonTypeof(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// jsonHasKey is ?: a key of an object, a string element of an array, or
// the string itself.
func jsonHasKey(v any, key string) bool {
	switch x := v.(type) {
	case map[string]any:
		_, ok := x[key]
		return ok
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == key {
				return true
			}
		}
	case string:
		return x == key
	}
	return false
}

// jsonContains is @>: b within a. topLevel lets an array hold a bare
// scalar ('[1, 2]' @> '1'), which PostgreSQL allows only at the top.
func jsonContains(a, b any, topLevel bool) bool {
	switch y := b.(type) {
	case map[string]any:
		x, ok := a.(map[string]any)
		if !ok {
			return false
		}
		for k, bv := range y {
			av, ok := x[k]
			if !ok || !jsonContains(av, bv, false) {
				return false
			}
		}
		return true
	case []any:
		x, ok := a.([]any)
		if !ok {
			return false
		}
		for _, be := range y {
			found := false
			for _, ae := range x {
				if jsonContains(ae, be, false) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	if x, ok := a.([]any); ok && topLevel {
		for _, ae := range x {
			if jsonScalarEqual(ae, b) {
				return true
			}
		}
		return false
	}
	return jsonScalarEqual(a, b)
}

// jsonScalarEqual compares scalars, numbers by value (1.0 = 1).
func jsonScalarEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, ok1 := new(big.Rat).SetString(x.String())
		ry, ok2 := new(big.Rat).SetString(y.String())
		return ok1 && ok2 && rx.Cmp(ry) == 0
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// stripNulls drops the object members whose value is null, at every depth
// (array elements stay).
func stripNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = stripNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripNulls(e)
		}
		return out
	}
	return v
}

func jsonbOpsScalars() []*Scalar {
	aJB := ex(types.JSONBT)
	aTextArr := ex(types.ArrayOf(types.TextT))
	doc := func(a types.Value) (any, error) { return decodeJSON(a.(string)) }
	path := func(ctx *Ctx, a []types.Value) (any, bool, error) {
		v, err := doc(a[0])
		if err != nil {
			return nil, false, err
		}
		r, ok := jsonPath(v, a[1].([]any))
		return r, ok, nil
	}
	keys := func(a types.Value) []string {
		var out []string
		for _, k := range a.([]any) {
			if k != nil {
				out = append(out, k.(string))
			}
		}
		return out
	}
	extract := func(asText bool) RowFunc {
		return func(ctx *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			p := make([]any, len(a)-1)
			for i, s := range a[1:] {
				p[i] = s
			}
			r, ok := jsonPath(v, p)
			if !ok {
				return nil, nil
			}
			if asText {
				return jsonText(r)
			}
			return encodeJSONB(r)
		}
	}
	variadicText := func(n int) []Arg {
		args := []Arg{aJB}
		for i := 0; i < n; i++ {
			args = append(args, aText)
		}
		return args
	}
	// contains is @> (and, flipped, <@)
	contains := func(flip bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			x, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			y, err := doc(a[1])
			if err != nil {
				return nil, err
			}
			if flip {
				x, y = y, x
			}
			return jsonContains(x, y, true), nil
		}
	}
	var extractPath, extractPathText []Overload
	for n := 1; n <= 8; n++ {
		extractPath = append(extractPath, row(variadicText(n), types.JSONBT, extract(false)))
		extractPathText = append(extractPathText, row(variadicText(n), types.TextT, extract(true)))
	}
	return []*Scalar{
		{Name: "#>", Overloads: []Overload{row([]Arg{aJB, aTextArr}, types.JSONBT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			r, ok, err := path(ctx, a)
			if err != nil || !ok {
				return nil, err
			}
			return encodeJSONB(r)
		})}},
		{Name: "#>>", Overloads: []Overload{row([]Arg{aJB, aTextArr}, types.TextT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			r, ok, err := path(ctx, a)
			if err != nil || !ok {
				return nil, err
			}
			return jsonText(r)
		})}},
		{Name: "?", Overloads: []Overload{row([]Arg{aJB, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			return jsonHasKey(v, a[1].(string)), nil
		})}},
		{Name: "?|", Overloads: []Overload{row([]Arg{aJB, aTextArr}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			for _, k := range keys(a[1]) {
				if jsonHasKey(v, k) {
					return true, nil
				}
			}
			return false, nil
		})}},
		{Name: "?&", Overloads: []Overload{row([]Arg{aJB, aTextArr}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			for _, k := range keys(a[1]) {
				if !jsonHasKey(v, k) {
					return false, nil
				}
			}
			return true, nil
		})}},
		{Name: "@>", Overloads: []Overload{row([]Arg{aJB, aJB}, types.BoolT, contains(false))}},
		{Name: "<@", Overloads: []Overload{row([]Arg{aJB, aJB}, types.BoolT, contains(true))}},
		{Name: "jsonb_typeof", Overloads: []Overload{row([]Arg{aJB}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			return jsonTypeof(v), nil
		})}},
		{Name: "json_typeof", Overloads: []Overload{row([]Arg{ex(types.JSONT)}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			return jsonTypeof(v), nil
		})}},
		{Name: "jsonb_array_length", Aliases: []string{"json_array_length"}, Overloads: []Overload{row([]Arg{aJB}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			switch x := v.(type) {
			case []any:
				return int64(len(x)), nil
			case map[string]any:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot get array length of a non-array")
			}
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot get array length of a scalar")
		})}},
		{Name: "jsonb_strip_nulls", Overloads: []Overload{row([]Arg{aJB}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, err := doc(a[0])
			if err != nil {
				return nil, err
			}
			return encodeJSONB(stripNulls(v))
		})}},
		{Name: "jsonb_extract_path", Overloads: extractPath},
		{Name: "jsonb_extract_path_text", Overloads: extractPathText},
	}
}
