package functions

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// appendJSON renders a value as PostgreSQL's to_json does: numbers and
// booleans bare, NULL as null, json embedded as is, arrays as JSON
// arrays, dates and times in ISO 8601, everything else as a string of
// its text form.
func appendJSON(b *strings.Builder, t types.T, v types.Value, loc *time.Location) {
	if v == nil {
		b.WriteString("null")
		return
	}
	switch t.Kind {
	case types.Bool:
		if v.(bool) {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
		return
	case types.Int2, types.Int4, types.Int8, types.Oid, types.Numeric:
		b.WriteString(types.FormatTextIn(t, v, nil))
		return
	case types.Float4, types.Float8:
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			writeJSONString(b, types.FormatTextIn(t, v, nil))
			return
		}
		b.WriteString(types.FormatTextIn(t, v, nil))
		return
	case types.JSON, types.JSONB:
		b.WriteString(v.(string))
		return
	case types.Array:
		b.WriteByte('[')
		for i, e := range v.([]any) {
			if i > 0 {
				b.WriteByte(',')
			}
			appendJSON(b, *t.Elem, e, loc)
		}
		b.WriteByte(']')
		return
	case types.Timestamp:
		writeJSONString(b, strings.Replace(types.FormatTextIn(t, v, nil), " ", "T", 1))
		return
	case types.TimestampTZ:
		writeJSONString(b, xsdTimestampTZ(types.FormatTextIn(t, v, loc)))
		return
	}
	writeJSONString(b, types.FormatTextIn(t, v, loc))
}

// xsdTimestampTZ turns timestamptz text ("2024-01-02 08:34:05+05:30",
// "… 10:00:00+00", "… BC") into the XML Schema form PostgreSQL's JSON
// uses: a T between date and time, the offset always with its minutes.
func xsdTimestampTZ(s string) string {
	s = strings.Replace(s, " ", "T", 1)
	body, bc := strings.CutSuffix(s, " BC")
	if i := strings.LastIndexAny(body, "+-"); i > strings.IndexByte(body, 'T') && len(body)-i == 3 {
		body += ":00"
	}
	if bc {
		body += " BC"
	}
	return body
}

func writeJSONString(b *strings.Builder, s string) {
	b.Write(types.AppendJSONString(nil, s))
}

// jsonBind makes the kernel that builds a JSON value per row from its
// arguments' bound types and values: json and jsonb arguments (strings
// in Arrow) embed as they are, text is quoted. Without bound types
// (nil) the types are read off the Arrow arrays.
func jsonBind(ret types.T, build func(ts []types.T, vals []types.Value, loc *time.Location) (string, error), strict bool) func([]types.T) Kernel {
	return func(bound []types.T) Kernel {
		return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
			ts := make([]types.T, len(args))
			for i, a := range args {
				if i < len(bound) && bound[i].Kind != types.Unknown {
					ts[i] = bound[i]
					continue
				}
				t, err := types.FromArrow(a.DataType())
				if err != nil {
					t = types.TextT
				}
				ts[i] = t
			}
			out := make([]types.Value, n)
			vals := make([]types.Value, len(args))
			for r := 0; r < n; r++ {
				null := false
				for j, a := range args {
					vals[j] = types.GetValue(ts[j], a, r)
					null = null || vals[j] == nil
				}
				if strict && null {
					continue // to_json(NULL) is NULL
				}
				s, err := build(ts, vals, ctx.Loc)
				if err != nil {
					return nil, err
				}
				if ret.Kind == types.JSONB {
					if s, err = types.NormalizeJSONB(s); err != nil {
						return nil, err
					}
				}
				out[r] = s
			}
			return types.BuildArray(ret, out), nil
		}
	}
}

func jsonScalars() []*Scalar {
	object := func(ts []types.T, vals []types.Value, loc *time.Location) (string, error) {
		if len(vals)%2 != 0 {
			return "", sqlerr.New(sqlerr.InvalidParameterValue, "argument list must have even number of elements")
		}
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; i < len(vals); i += 2 {
			if vals[i] == nil {
				return "", sqlerr.New(sqlerr.NullValueNotAllowed, "null value not allowed for object key")
			}
			if i > 0 {
				b.WriteString(", ")
			}
			writeJSONString(&b, types.FormatTextIn(ts[i], vals[i], loc))
			b.WriteString(" : ")
			appendJSON(&b, ts[i+1], vals[i+1], loc)
		}
		b.WriteByte('}')
		return b.String(), nil
	}
	array := func(ts []types.T, vals []types.Value, loc *time.Location) (string, error) {
		var b strings.Builder
		b.WriteByte('[')
		for i := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			appendJSON(&b, ts[i], vals[i], loc)
		}
		b.WriteByte(']')
		return b.String(), nil
	}
	one := func(ts []types.T, vals []types.Value, loc *time.Location) (string, error) {
		var b strings.Builder
		appendJSON(&b, ts[0], vals[0], loc)
		return b.String(), nil
	}
	variadic := func(name string, ret types.T, f func([]types.T, []types.Value, *time.Location) (string, error), desc string) *Scalar {
		return &Scalar{Name: name, Description: desc, Overloads: []Overload{
			{Ret: fixed(ret), Kernel: jsonBind(ret, f, false)(nil), Bind: jsonBind(ret, f, false)},
			{Args: []Arg{aAny}, Variadic: true, Ret: fixed(ret), Kernel: jsonBind(ret, f, false)(nil), Bind: jsonBind(ret, f, false)},
		}}
	}
	return []*Scalar{
		variadic("json_build_object", types.JSONT, object, "a JSON object from alternating keys and values"),
		variadic("jsonb_build_object", types.JSONBT, object, "a jsonb object from alternating keys and values"),
		variadic("json_build_array", types.JSONT, array, "a JSON array of the arguments"),
		variadic("jsonb_build_array", types.JSONBT, array, "a jsonb array of the arguments"),
		{Name: "to_json", Overloads: []Overload{{Args: []Arg{aAnyElement}, Ret: fixed(types.JSONT), Kernel: jsonBind(types.JSONT, one, true)(nil), Bind: jsonBind(types.JSONT, one, true)}}},
		{Name: "to_jsonb", Overloads: []Overload{{Args: []Arg{aAnyElement}, Ret: fixed(types.JSONBT), Kernel: jsonBind(types.JSONBT, one, true)(nil), Bind: jsonBind(types.JSONBT, one, true)}}},
	}
}

// AppendJSON renders a value as to_json does (for writers of JSON files).
func AppendJSON(b *strings.Builder, t types.T, v types.Value) { appendJSON(b, t, v, time.UTC) }

// AppendJSONIn is AppendJSON with timestamptz values in loc (nil: UTC).
func AppendJSONIn(b *strings.Builder, t types.T, v types.Value, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	appendJSON(b, t, v, loc)
}

// WriteJSONString writes s as a JSON string.
func WriteJSONString(b *strings.Builder, s string) { writeJSONString(b, s) }
