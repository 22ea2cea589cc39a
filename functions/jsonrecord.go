package functions

import (
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// json_to_record, jsonb_to_record, json_to_recordset and
// jsonb_to_recordset, which return PostgreSQL's record and so need a
// column definition list in FROM (AS x(a int, b text)): each column is
// the object's member of its name (NULL when missing or JSON null),
// converted as PostgreSQL's populate functions convert it — a json or
// jsonb column takes the value's JSON text, an array column a JSON
// array's elements one by one (or a string through array input), any
// other column the value's text (a string unquoted, a number or object
// as written) through the type's input function, so '"x"' into integer
// is 22P02 and 'abc' into varchar(2) 22001, as in PostgreSQL.

// JSONRecordFunc reports whether name is one of these functions and the
// document type it reads.
func JSONRecordFunc(name string) (doc types.T, ok bool) {
	switch name {
	case "json_to_record", "json_to_recordset":
		return types.JSONT, true
	case "jsonb_to_record", "jsonb_to_recordset":
		return types.JSONBT, true
	}
	return types.T{}, false
}

// JSONRecordRows computes one call's rows, a slice of values per column
// (names and ts are the column definition list).
func JSONRecordRows(name, doc string, names []string, ts []types.T, loc *time.Location) ([][]types.Value, error) {
	docT, _ := JSONRecordFunc(name)
	jsonb := docT.Kind == types.JSONB
	noun := map[byte]string{'s': "a scalar", 'a': "an array", 'o': "an object"}
	var objects []string
	if strings.HasSuffix(name, "_recordset") {
		_, elems, kind, err := jsonMembers(doc, jsonb)
		if err != nil {
			return nil, err
		}
		if kind != 'a' {
			if jsonb {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot call %s on a non-array", name)
			}
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot call %s on %s", name, noun[kind])
		}
		objects = elems
	} else {
		objects = []string{doc}
	}
	out := make([][]types.Value, len(names))
	for _, obj := range objects {
		keys, vals, kind, err := jsonMembers(obj, jsonb)
		if err != nil {
			return nil, err
		}
		if kind != 'o' {
			if len(objects) == 1 && !strings.HasSuffix(name, "_recordset") {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot call populate_composite on %s", noun[kind])
			}
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "argument of %s must be an array of objects", name)
		}
		member := map[string]string{}
		for i, k := range keys {
			member[k] = vals[i] // json keeps duplicates: the last one wins
		}
		for c, nm := range names {
			raw, ok := member[nm]
			var v types.Value
			if ok {
				if v, err = populateValue(raw, ts[c], jsonb, loc, `key "`+nm+`"`); err != nil {
					return nil, err
				}
			}
			out[c] = append(out[c], v)
		}
	}
	return out, nil
}

// populateValue converts one JSON value's text (raw: as written for
// json, as jsonb prints it for jsonb) to t; where names it for errors.
func populateValue(raw string, t types.T, jsonb bool, loc *time.Location, where string) (types.Value, error) {
	if raw == "null" {
		return nil, nil
	}
	switch t.Kind {
	case types.JSON:
		return raw, nil
	case types.JSONB:
		if jsonb {
			return raw, nil
		}
		v, err := decodeJSON(raw)
		if err != nil {
			return nil, err
		}
		return encodeJSONB(v)
	case types.Array:
		if !strings.HasPrefix(raw, "[") {
			if strings.HasPrefix(raw, `"`) { // array input text: '{1,2}'
				s, err := rawText(raw)
				if err != nil {
					return nil, err
				}
				return types.ParseText(t, s.(string), loc)
			}
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "expected JSON array").WithHint("See the value of " + where + ".")
		}
		_, elems, _, err := jsonMembers(raw, jsonb)
		if err != nil {
			return nil, err
		}
		if len(elems) > 0 && strings.HasPrefix(elems[0], "[") {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported (the value of %s)", where)
		}
		out := make([]any, len(elems))
		for i, e := range elems {
			// like PostgreSQL, the first element fixes the dimensions:
			// a later nested array is an element's text
			et := *t.Elem
			if et.Kind == types.Array {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional arrays are not supported (the value of %s)", where)
			}
			v, err := populateScalar(e, et, loc)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return populateScalar(raw, t, loc)
}

// populateScalar reads a JSON value's text through t's input function:
// a string unquoted, anything else as written.
func populateScalar(raw string, t types.T, loc *time.Location) (types.Value, error) {
	if raw == "null" {
		return nil, nil
	}
	s := raw
	if strings.HasPrefix(raw, `"`) {
		v, err := rawText(raw)
		if err != nil {
			return nil, err
		}
		s = v.(string)
	}
	if t.Kind == types.JSON || t.Kind == types.JSONB {
		return raw, nil
	}
	return types.ParseText(t, s, loc)
}
