package functions

import (
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// unistr, normalize and is_normalized, array_to_json, and json_object /
// jsonb_object from text arrays, as PostgreSQL 15 defines them.

// unistr decodes \XXXX, \+XXXXXX, \uXXXX and \UXXXXXXXX escapes and \\.
func unistr(s string) (string, error) {
	bad := func() error {
		return sqlerr.New(sqlerr.SyntaxError, "invalid Unicode escape").WithHint(`Unicode escapes must be \XXXX, \+XXXXXX, \uXXXX, or \UXXXXXXXX.`)
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		rest := s[i+1:]
		n, skip := 0, 0
		switch {
		case strings.HasPrefix(rest, `\`):
			b.WriteByte('\\')
			i++
			continue
		case strings.HasPrefix(rest, "+"):
			n, skip = 6, 1
		case strings.HasPrefix(rest, "u"):
			n, skip = 4, 1
		case strings.HasPrefix(rest, "U"):
			n, skip = 8, 1
		default:
			n = 4
		}
		if len(rest) < skip+n {
			return "", bad()
		}
		v, err := strconv.ParseUint(rest[skip:skip+n], 16, 32)
		if err != nil || v > 0x10FFFF || v >= 0xD800 && v <= 0xDFFF || v == 0 {
			return "", bad()
		}
		b.WriteRune(rune(v))
		i += skip + n
	}
	return b.String(), nil
}

func normForm(f string) (norm.Form, error) {
	switch strings.ToUpper(strings.TrimSpace(f)) {
	case "NFC":
		return norm.NFC, nil
	case "NFD":
		return norm.NFD, nil
	case "NFKC":
		return norm.NFKC, nil
	case "NFKD":
		return norm.NFKD, nil
	}
	return 0, sqlerr.New(sqlerr.SyntaxError, "invalid normalization form: %s", f)
}

// jsonObjectFromText is json_object/jsonb_object: keys and values from
// one array of alternating keys and values (or pairs), or from two.
func jsonObjectFromText(a []types.Value, jsonb bool) (types.Value, error) {
	var keys, vals []any
	flat := func(v types.Value) []any {
		var out []any
		for _, e := range v.([]any) {
			if sub, ok := e.([]any); ok {
				out = append(out, sub...)
			} else {
				out = append(out, e)
			}
		}
		return out
	}
	if len(a) == 1 {
		all := flat(a[0])
		if len(all)%2 != 0 {
			return nil, sqlerr.New(sqlerr.ArraySubscriptError, "array must have even number of elements")
		}
		for i := 0; i < len(all); i += 2 {
			keys, vals = append(keys, all[i]), append(vals, all[i+1])
		}
	} else {
		keys, vals = flat(a[0]), flat(a[1])
		if len(keys) != len(vals) {
			return nil, sqlerr.New(sqlerr.ArraySubscriptError, "mismatched array dimensions")
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if k == nil {
			return nil, sqlerr.New(sqlerr.NullValueNotAllowed, "null value not allowed for object key")
		}
		if i > 0 {
			b.WriteString(", ")
		}
		writeJSONString(&b, k.(string))
		b.WriteString(" : ")
		if vals[i] == nil {
			b.WriteString("null")
		} else {
			writeJSONString(&b, vals[i].(string))
		}
	}
	b.WriteByte('}')
	if jsonb {
		return types.NormalizeJSONB(b.String())
	}
	return b.String(), nil
}

func textMoreScalars() []*Scalar {
	textArr := ex(types.ArrayOf(types.TextT))
	objOv := func(jsonb bool) []Overload {
		ret := types.JSONT
		if jsonb {
			ret = types.JSONBT
		}
		f := func(_ *Ctx, a []types.Value) (types.Value, error) { return jsonObjectFromText(a, jsonb) }
		return []Overload{row([]Arg{textArr}, ret, f), row([]Arg{textArr, textArr}, ret, f)}
	}
	arrayToJSON := func(ts []types.T) Kernel {
		return RowWise(fixed(types.JSONT), true, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			sep := ","
			if len(a) > 1 && a[1].(bool) {
				sep = ",\n "
			}
			var b strings.Builder
			b.WriteByte('[')
			for i, e := range a[0].([]any) {
				if i > 0 {
					b.WriteString(sep)
				}
				appendJSON(&b, *ts[0].Elem, e, ctx.Loc)
			}
			b.WriteByte(']')
			return b.String(), nil
		})
	}
	anyArr := Arg{Kind: ArgArray}
	textOnly := []types.T{types.ArrayOf(types.TextT)}
	return []*Scalar{
		{Name: "unistr", Description: "the text with its Unicode escapes decoded", Overloads: []Overload{
			row([]Arg{aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) { return unistr(a[0].(string)) }),
		}},
		{Name: "normalize", Description: "the text in a Unicode normal form (NFC by default)", Overloads: []Overload{
			row([]Arg{aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) { return norm.NFC.String(a[0].(string)), nil }),
			row([]Arg{aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				f, err := normForm(a[1].(string))
				if err != nil {
					return nil, err
				}
				return f.String(a[0].(string)), nil
			}),
		}},
		{Name: "is_normalized", Description: "whether the text is in a Unicode normal form (NFC by default)", Overloads: []Overload{
			row([]Arg{aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) { return norm.NFC.IsNormalString(a[0].(string)), nil }),
			row([]Arg{aText, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				f, err := normForm(a[1].(string))
				if err != nil {
					return nil, err
				}
				return f.IsNormalString(a[0].(string)), nil
			}),
		}},
		{Name: "array_to_json", Description: "the array as a json array (pretty: a line per element)", Overloads: []Overload{
			{Args: []Arg{anyArr}, Ret: fixed(types.JSONT), Kernel: arrayToJSON(textOnly), Bind: arrayToJSON},
			{Args: []Arg{anyArr, aBool}, Ret: fixed(types.JSONT), Kernel: arrayToJSON(textOnly), Bind: arrayToJSON},
		}},
		{Name: "json_object", Description: "a json object from an array of keys and values, or of keys and of values", Overloads: objOv(false)},
		{Name: "jsonb_object", Description: "a jsonb object from an array of keys and values, or of keys and of values", Overloads: objOv(true)},
	}
}
