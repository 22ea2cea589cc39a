package functions

import (
	"encoding/json"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The json (not jsonb) forms of the path operators and functions: json
// keeps its text as written, so a value found by #>, #>>,
// json_extract_path and json_extract_path_text is the text of that value
// in the document (its spaces, its key order), and of duplicate keys the
// last one counts, as PostgreSQL's json functions read them.

// rawMembers lists the members of a json object (keys, raw values in
// order) or the elements of an array (raw values); kind is 'o', 'a' or
// 's'.
func rawMembers(doc string) (keys []string, vals []string, kind byte, err error) {
	return jsonMembers(doc, false)
}

// rawPath follows path through a json document's text; ok is false where
// a step is missing or meets a scalar.
func rawPath(doc string, path []any) (string, bool, error) {
	cur := strings.TrimSpace(doc)
	for _, p := range path {
		if p == nil {
			return "", false, nil
		}
		step := p.(string)
		keys, vals, kind, err := rawMembers(cur)
		if err != nil {
			return "", false, err
		}
		switch kind {
		case 'o':
			found := -1
			for i, k := range keys {
				if k == step {
					found = i // the last duplicate counts
				}
			}
			if found < 0 {
				return "", false, nil
			}
			cur = vals[found]
		case 'a':
			i, ok := pathIndex(step)
			if !ok {
				return "", false, nil
			}
			if i < 0 {
				i += len(vals)
			}
			if i < 0 || i >= len(vals) {
				return "", false, nil
			}
			cur = vals[i]
		default:
			return "", false, nil
		}
	}
	return cur, true, nil
}

// rawText is #>>'s text of a json value: a string unquoted, null NULL,
// anything else its text.
func rawText(raw string) (types.Value, error) {
	switch {
	case raw == "null":
		return nil, nil
	case strings.HasPrefix(raw, `"`):
		var s string
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type json")
		}
		return s, nil
	}
	return raw, nil
}

// stripNullsJSON is json_strip_nulls: the document written without
// whitespace, object members whose value is null left out (array
// elements stay), strings escaped as escape_json does.
func stripNullsJSON(doc string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var b strings.Builder
	var walk func() (isNull bool, err error)
	walk = func() (bool, error) {
		tok, err := dec.Token()
		if err != nil {
			return false, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type json")
		}
		switch x := tok.(type) {
		case json.Delim:
			if x == '{' {
				b.WriteByte('{')
				first := true
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return false, err
					}
					// the value is written after the key only when not null
					mark := b.Len()
					if !first {
						b.WriteByte(',')
					}
					b.Write(types.AppendJSONString(nil, kt.(string)))
					b.WriteByte(':')
					null, err := walk()
					if err != nil {
						return false, err
					}
					if null {
						s := b.String()[:mark]
						b.Reset()
						b.WriteString(s)
						continue
					}
					first = false
				}
				if _, err := dec.Token(); err != nil {
					return false, err
				}
				b.WriteByte('}')
				return false, nil
			}
			b.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					b.WriteByte(',')
				}
				if _, err := walk(); err != nil {
					return false, err
				}
			}
			if _, err := dec.Token(); err != nil {
				return false, err
			}
			b.WriteByte(']')
		case string:
			b.Write(types.AppendJSONString(nil, x))
		case json.Number:
			b.WriteString(x.String())
		case bool:
			if x {
				b.WriteString("true")
			} else {
				b.WriteString("false")
			}
		case nil:
			b.WriteString("null")
			return true, nil
		}
		return false, nil
	}
	if _, err := walk(); err != nil {
		return "", err
	}
	return b.String(), nil
}

func jsonRawScalars() []*Scalar {
	aJ := ex(types.JSONT)
	path := func(asText bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			var p []any
			if len(a) == 2 {
				if arr, ok := a[1].([]any); ok {
					p = arr
				}
			}
			if p == nil {
				for _, s := range a[1:] {
					p = append(p, s)
				}
			}
			raw, ok, err := rawPath(a[0].(string), p)
			if err != nil || !ok {
				return nil, err
			}
			if asText {
				return rawText(raw)
			}
			return raw, nil
		}
	}
	var extract, extractText []Overload
	for n := 1; n <= 8; n++ {
		args := []Arg{aJ}
		for i := 0; i < n; i++ {
			args = append(args, aText)
		}
		extract = append(extract, row(args, types.JSONT, path(false)))
		extractText = append(extractText, row(args, types.TextT, path(true)))
	}
	return []*Scalar{
		{Name: "json_extract_path", Description: "the json value at a path", Overloads: extract},
		{Name: "json_extract_path_text", Description: "the json value at a path, as text", Overloads: extractText},
		{Name: "json_strip_nulls", Description: "the json without object members that are null", Overloads: []Overload{
			row([]Arg{aJ}, types.JSONT, func(_ *Ctx, a []types.Value) (types.Value, error) { return stripNullsJSON(a[0].(string)) }),
		}},
	}
}

// jsonPathOperatorOverloads are json's #> and #>> beside jsonb's.
func jsonPathOperatorOverloads() map[string][]Overload {
	aJ := ex(types.JSONT)
	aTextArr := ex(types.ArrayOf(types.TextT))
	op := func(asText bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			raw, ok, err := rawPath(a[0].(string), a[1].([]any))
			if err != nil || !ok {
				return nil, err
			}
			if asText {
				return rawText(raw)
			}
			return raw, nil
		}
	}
	return map[string][]Overload{
		"#>":  {row([]Arg{aJ, aTextArr}, types.JSONT, op(false))},
		"#>>": {row([]Arg{aJ, aTextArr}, types.TextT, op(true))},
	}
}
