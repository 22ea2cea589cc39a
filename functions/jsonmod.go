package functions

import (
	"sort"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// jsonb's modifying operators and functions as PostgreSQL 15's
// jsonfuncs.c defines them: || (jsonb_concat), - by key, keys or
// position, #- and jsonb_set/jsonb_set_lax/jsonb_insert by path (one
// walk, setPath, for all of them), and jsonb_pretty.

// Path operations of setPath.
const (
	pathCreate = 1 << iota
	pathDelete
	pathReplace
	pathInsertBefore
	pathInsertAfter
	pathCreateOrInsert = pathInsertBefore | pathInsertAfter | pathCreate
)

// setPath returns v with the path applied: at its end newval replaces,
// is inserted or created, or the element is deleted (op); a step that
// is missing, or that meets a scalar, leaves v unchanged.
func setPath(v any, path []any, level int, newval any, op int) (any, error) {
	if path[level] == nil {
		return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "path element at position %d is null", level+1)
	}
	step := path[level].(string)
	last := level == len(path)-1
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x)+1)
		for k, e := range x {
			out[k] = e
		}
		e, found := x[step]
		switch {
		case found && last:
			if op&(pathInsertBefore|pathInsertAfter) != 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot replace existing key").
					WithHint("Try using the function jsonb_set to replace key value.")
			}
			if op&pathDelete != 0 {
				delete(out, step)
			} else {
				out[step] = newval
			}
		case found:
			r, err := setPath(e, path, level+1, newval, op)
			if err != nil {
				return nil, err
			}
			out[step] = r
		case last && op&pathCreateOrInsert != 0:
			out[step] = newval
		}
		return out, nil
	case []any:
		n := len(x)
		idx, ok := pathIndex(step)
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "path element at position %d is not an integer: \"%s\"", level+1, step)
		}
		prepend := false
		if idx < 0 {
			if -idx > n {
				prepend = true
				idx = -1
			} else {
				idx += n
			}
		}
		if idx > n {
			idx = n
		}
		var out []any
		done := false
		if (prepend || n == 0) && last && op&pathCreateOrInsert != 0 {
			out = append(out, newval)
			done = true
		}
		for i, e := range x {
			if i != idx || prepend {
				out = append(out, e)
				continue
			}
			if !last {
				r, err := setPath(e, path, level+1, newval, op)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
				continue
			}
			if op&(pathInsertBefore|pathCreate) != 0 {
				out = append(out, newval)
			}
			if op&(pathInsertAfter|pathInsertBefore) != 0 {
				out = append(out, e)
			}
			if op&(pathInsertAfter|pathReplace) != 0 {
				out = append(out, newval)
			}
			done = true
		}
		if op&pathCreateOrInsert != 0 && !done && last {
			out = append(out, newval)
		}
		if out == nil {
			out = []any{}
		}
		return out, nil
	}
	return v, nil
}

// jsonbConcat is ||: two objects merge (the right's keys win); anything
// else concatenates as arrays, a scalar or an object counting as an
// array of itself.
func jsonbConcat(a, b any) any {
	ma, aObj := a.(map[string]any)
	mb, bObj := b.(map[string]any)
	if aObj && bObj {
		out := make(map[string]any, len(ma)+len(mb))
		for k, v := range ma {
			out[k] = v
		}
		for k, v := range mb {
			out[k] = v
		}
		return out
	}
	elems := func(v any) []any {
		if arr, ok := v.([]any); ok {
			return arr
		}
		return []any{v}
	}
	return append(append([]any{}, elems(a)...), elems(b)...)
}

// jsonbDeleteKeys is jsonb - text and jsonb - text[]: the keys dropped
// from an object, the equal strings from an array.
func jsonbDeleteKeys(v any, keys []string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		for _, k := range keys {
			delete(out, k)
		}
		return out, nil
	case []any:
		out := []any{}
		for _, e := range x {
			if s, ok := e.(string); ok && containsString(keys, s) {
				continue
			}
			out = append(out, e)
		}
		return out, nil
	}
	return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot delete from scalar")
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// jsonbDeleteIndex is jsonb - integer: an array's element at a position
// (negative from the end; out of range, no change).
func jsonbDeleteIndex(v any, i int64) (any, error) {
	switch x := v.(type) {
	case []any:
		n := int64(len(x))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return x, nil
		}
		return append(append([]any{}, x[:i]...), x[i+1:]...), nil
	case map[string]any:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot delete from object using integer index")
	}
	return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot delete from scalar")
}

// jsonbPretty prints v as jsonb_pretty does: four spaces per level, one
// member per line, an empty container open and closed on two lines.
func jsonbPretty(b *strings.Builder, v any, level int) error {
	indent := func(l int) {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("    ", l))
	}
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		for i, k := range jsonbKeys(x) {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(level + 1)
			b.Write(types.AppendJSONString(nil, k))
			b.WriteString(": ")
			if err := jsonbPretty(b, x[k], level+1); err != nil {
				return err
			}
		}
		indent(level)
		b.WriteByte('}')
		return nil
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			indent(level + 1)
			if err := jsonbPretty(b, e, level+1); err != nil {
				return err
			}
		}
		indent(level)
		b.WriteByte(']')
		return nil
	}
	s, err := encodeJSONB(v)
	if err != nil {
		return err
	}
	b.WriteString(s)
	return nil
}

// jsonbKeys is an object's keys in jsonb's order: shorter first, then
// bytewise.
func jsonbKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) < len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}

func jsonbModScalars() []*Scalar {
	aJB := ex(types.JSONBT)
	aTextArr := ex(types.ArrayOf(types.TextT))
	// set is jsonb_set and jsonb_insert over a document that is not a
	// bare scalar; an empty path changes nothing
	set := func(doc, path, newval types.Value, op int) (types.Value, error) {
		d, err := decodeJSON(doc.(string))
		if err != nil {
			return nil, err
		}
		nv, err := decodeJSON(newval.(string))
		if err != nil {
			return nil, err
		}
		switch d.(type) {
		case map[string]any, []any:
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot set path in scalar")
		}
		p := path.([]any)
		if len(p) == 0 {
			return doc, nil
		}
		r, err := setPath(d, p, 0, nv, op)
		if err != nil {
			return nil, err
		}
		return encodeJSONB(r)
	}
	jsonbSet := func(_ *Ctx, a []types.Value) (types.Value, error) {
		op := pathCreate
		if len(a) > 3 && !a[3].(bool) {
			op = pathReplace
		}
		return set(a[0], a[1], a[2], op)
	}
	jsonbInsert := func(_ *Ctx, a []types.Value) (types.Value, error) {
		op := pathInsertBefore
		if len(a) > 3 && a[3].(bool) {
			op = pathInsertAfter
		}
		return set(a[0], a[1], a[2], op)
	}
	// jsonb_set_lax is not strict: a NULL new value is treated as asked
	setLax := func(_ *Ctx, a []types.Value) (types.Value, error) {
		if a[0] == nil || a[1] == nil || (len(a) > 3 && a[3] == nil) {
			return nil, nil
		}
		treatment := "use_json_null"
		if len(a) > 4 {
			if a[4] == nil {
				return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"")
			}
			treatment = a[4].(string)
		}
		switch treatment {
		case "delete_key", "return_target", "use_json_null", "raise_exception":
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "null_value_treatment must be \"delete_key\", \"return_target\", \"use_json_null\", or \"raise_exception\"")
		}
		create := len(a) <= 3 || a[3].(bool)
		if a[2] != nil {
			return jsonbSet(nil, []types.Value{a[0], a[1], a[2], create})
		}
		switch treatment {
		case "raise_exception":
			return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "JSON value must not be null").
				WithDetail("Exception was raised because null_value_treatment is \"raise_exception\".").
				WithHint("To avoid, either change the null_value_treatment argument or ensure that an SQL NULL is not passed.")
		case "return_target":
			return a[0], nil
		case "delete_key":
			return deletePath(a[0], a[1])
		}
		return jsonbSet(nil, []types.Value{a[0], a[1], "null", create})
	}
	laxArgs := func(n int) []Arg {
		args := []Arg{aJB, aTextArr, aJB, aBool, aText}
		return args[:n]
	}
	lax := func(n int) Overload {
		return Overload{Args: laxArgs(n), Ret: fixed(types.JSONBT), Kernel: RowWise(fixed(types.JSONBT), false, setLax)}
	}
	return []*Scalar{
		{Name: "#-", Overloads: []Overload{row([]Arg{aJB, aTextArr}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return deletePath(a[0], a[1])
		})}},
		{Name: "jsonb_set", Description: "the document with the value at a path replaced (or created)", Params: []Param{{Name: "jsonb_in"}, {Name: "path"}, {Name: "replacement"}, {"create_if_missing", types.BoolT, true}}, Overloads: []Overload{
			row([]Arg{aJB, aTextArr, aJB}, types.JSONBT, jsonbSet),
			row([]Arg{aJB, aTextArr, aJB, aBool}, types.JSONBT, jsonbSet),
		}},
		{Name: "jsonb_set_lax", Description: "jsonb_set with a chosen treatment of an SQL NULL value", Params: []Param{{Name: "jsonb_in"}, {Name: "path"}, {Name: "replacement"},
			{"create_if_missing", types.BoolT, true}, {"null_value_treatment", types.TextT, "use_json_null"}}, Overloads: []Overload{lax(3), lax(4), lax(5)}},
		{Name: "jsonb_insert", Description: "the document with a value inserted at a path", Params: []Param{{Name: "jsonb_in"}, {Name: "path"}, {Name: "replacement"}, {"insert_after", types.BoolT, false}}, Overloads: []Overload{
			row([]Arg{aJB, aTextArr, aJB}, types.JSONBT, jsonbInsert),
			row([]Arg{aJB, aTextArr, aJB, aBool}, types.JSONBT, jsonbInsert),
		}},
		{Name: "jsonb_pretty", Description: "the document indented, one member per line", Overloads: []Overload{
			row([]Arg{aJB}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				d, err := decodeJSON(a[0].(string))
				if err != nil {
					return nil, err
				}
				var b strings.Builder
				err = jsonbPretty(&b, d, 0)
				return b.String(), err
			}),
		}},
	}
}

// deletePath is #-.
func deletePath(doc, path types.Value) (types.Value, error) {
	d, err := decodeJSON(doc.(string))
	if err != nil {
		return nil, err
	}
	switch d.(type) {
	case map[string]any, []any:
	default:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot delete path in scalar")
	}
	p := path.([]any)
	if len(p) == 0 {
		return doc, nil
	}
	r, err := setPath(d, p, 0, nil, pathDelete)
	if err != nil {
		return nil, err
	}
	return encodeJSONB(r)
}

// jsonbOperatorOverloads are the jsonb overloads of operators other
// types declare too (|| and -).
func jsonbOperatorOverloads() map[string][]Overload {
	aJB := ex(types.JSONBT)
	one := func(a types.Value) (any, error) { return decodeJSON(a.(string)) }
	enc := func(v any, err error) (types.Value, error) {
		if err != nil {
			return nil, err
		}
		return encodeJSONB(v)
	}
	return map[string][]Overload{
		"||": {row([]Arg{aJB, aJB}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			x, err := one(a[0])
			if err != nil {
				return nil, err
			}
			y, err := one(a[1])
			if err != nil {
				return nil, err
			}
			return encodeJSONB(jsonbConcat(x, y))
		})},
		"-": {
			row([]Arg{aJB, aText}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, err := one(a[0])
				if err != nil {
					return nil, err
				}
				return enc(jsonbDeleteKeys(x, []string{a[1].(string)}))
			}),
			row([]Arg{aJB, ex(types.ArrayOf(types.TextT))}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, err := one(a[0])
				if err != nil {
					return nil, err
				}
				return enc(jsonbDeleteKeys(x, strsOf(a[1])))
			}),
			row([]Arg{aJB, aInt4}, types.JSONBT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, err := one(a[0])
				if err != nil {
					return nil, err
				}
				return enc(jsonbDeleteIndex(x, a[1].(int64)))
			}),
		},
	}
}

// strsOf is a text array's non-NULL elements.
func strsOf(v types.Value) []string {
	var out []string
	for _, e := range v.([]any) {
		if e != nil {
			out = append(out, e.(string))
		}
	}
	return out
}
