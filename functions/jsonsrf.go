package functions

import (
	"encoding/json"
	"io"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The JSON set-returning functions (jsonb_array_elements, jsonb_each,
// jsonb_object_keys and their _text and json forms) as PostgreSQL 15
// returns their rows: jsonb members in jsonb's key order (shorter keys
// first, then bytewise, duplicates already gone), json members in the
// document's order with duplicates kept and each value's text as
// written. The planner's table functions call these once per input
// value.

// JSONSetFunc reports whether name is one of the JSON set-returning
// functions, the type of document it reads (json or jsonb), and its
// result columns.
func JSONSetFunc(name string) (doc types.T, cols []string, colTypes []types.T, ok bool) {
	doc = types.JSONBT
	rest, isJSON := strings.CutPrefix(name, "json_")
	if isJSON {
		doc = types.JSONT
	} else if rest, ok = strings.CutPrefix(name, "jsonb_"); !ok {
		return types.T{}, nil, nil, false
	}
	val := doc
	if strings.HasSuffix(rest, "_text") {
		val = types.TextT
		rest = strings.TrimSuffix(rest, "_text")
	}
	switch rest {
	case "array_elements":
		return doc, []string{"value"}, []types.T{val}, true
	case "each":
		return doc, []string{"key", "value"}, []types.T{types.TextT, val}, true
	case "object_keys":
		if val.Kind == types.Text {
			return types.T{}, nil, nil, false
		}
		return doc, []string{name}, []types.T{types.TextT}, true
	}
	return types.T{}, nil, nil, false
}

// JSONSetRows computes one call's rows, a slice of values per result
// column. A document of the wrong shape is PostgreSQL's 22023.
func JSONSetRows(name, doc string) ([][]types.Value, error) {
	docT, cols, colTypes, ok := JSONSetFunc(name)
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s does not exist", name)
	}
	asText := colTypes[len(colTypes)-1].Kind == types.Text && len(cols) > 0 && cols[len(cols)-1] == "value"
	keys, vals, kind, err := jsonMembers(doc, docT.Kind == types.JSONB)
	if err != nil {
		return nil, err
	}
	out := make([][]types.Value, len(cols))
	value := func(raw string) (types.Value, error) {
		if !asText {
			return raw, nil
		}
		return rawText(raw) // the _text forms
	}
	noun := map[byte]string{'s': "a scalar", 'a': "an array", 'o': "an object"}
	switch {
	case strings.Contains(name, "array_elements"):
		if kind != 'a' {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot extract elements from %s", noun[kind])
		}
		for _, v := range vals {
			x, err := value(v)
			if err != nil {
				return nil, err
			}
			out[0] = append(out[0], x)
		}
	case strings.Contains(name, "object_keys"):
		if kind != 'o' {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot call %s on %s", name, noun[kind])
		}
		for _, k := range keys {
			out[0] = append(out[0], k)
		}
	default: // each
		if kind != 'o' {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot call %s on a non-object", name)
		}
		for i, k := range keys {
			x, err := value(vals[i])
			if err != nil {
				return nil, err
			}
			out[0] = append(out[0], k)
			out[1] = append(out[1], x)
		}
	}
	return out, nil
}

// jsonMembers lists a document's top level: an object's keys and value
// texts, an array's element texts; kind is 'o', 'a' or 's'. jsonb values
// print as jsonb prints; json values keep their text.
func jsonMembers(doc string, jsonb bool) (keys, vals []string, kind byte, err error) {
	bad := func() error { return sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type json") }
	if jsonb {
		v, err := decodeJSON(doc)
		if err != nil {
			return nil, nil, 0, err
		}
		switch x := v.(type) {
		case map[string]any:
			keys = jsonbKeys(x)
			for _, k := range keys {
				s, err := encodeJSONB(x[k])
				if err != nil {
					return nil, nil, 0, err
				}
				vals = append(vals, s)
			}
			return keys, vals, 'o', nil
		case []any:
			for _, e := range x {
				s, err := encodeJSONB(e)
				if err != nil {
					return nil, nil, 0, err
				}
				vals = append(vals, s)
			}
			return nil, vals, 'a', nil
		}
		return nil, nil, 's', nil
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, 0, bad()
	}
	d, ok := tok.(json.Delim)
	if !ok {
		if _, err := dec.Token(); err != io.EOF {
			return nil, nil, 0, bad()
		}
		return nil, nil, 's', nil
	}
	kind = 'a'
	if d == '{' {
		kind = 'o'
	}
	for dec.More() {
		if kind == 'o' {
			k, err := dec.Token()
			if err != nil {
				return nil, nil, 0, bad()
			}
			keys = append(keys, k.(string))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, 0, bad()
		}
		vals = append(vals, string(raw))
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, 0, bad()
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, 0, bad()
	}
	return keys, vals, kind, nil
}
