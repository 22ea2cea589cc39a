package parquet

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// Nested Parquet columns — structs, maps, and lists whose elements are
// nested — decode through pqarrow as Arrow nested arrays and reach SQL as
// jsonb: {"field": value} for a struct, {"key": value} for a map, [...]
// for such a list. PostgreSQL clients have no anonymous record or map
// type to receive, while jsonb is what they already query with ->, ->>
// and the jsonb functions; read_json surfaces nested objects the same
// way. Lists of scalars stay SQL arrays.

// isNested reports Arrow types that surface as jsonb.
func isNested(dt arrow.DataType) bool {
	switch d := dt.(type) {
	case *arrow.StructType, *arrow.MapType:
		return true
	case *arrow.ListType:
		return isNested(d.Elem())
	case *arrow.LargeListType:
		return isNested(d.Elem())
	}
	return false
}

// nestedToJSONB renders each row of a nested array as a jsonb text value
// (NULL rows stay NULL).
func nestedToJSONB(a arrow.Array) (arrow.Array, error) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(a.Len())
	var buf bytes.Buffer
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		buf.Reset()
		if err := appendJSON(&buf, a, i); err != nil {
			return nil, err
		}
		s, err := types.NormalizeJSONB(buf.String())
		if err != nil {
			return nil, err
		}
		b.Append(s)
	}
	return b.NewArray(), nil
}

// appendJSON writes row i of a as JSON.
func appendJSON(buf *bytes.Buffer, a arrow.Array, i int) error {
	if a.IsNull(i) {
		buf.WriteString("null")
		return nil
	}
	switch x := a.(type) {
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		buf.WriteByte('{')
		for f := 0; f < x.NumField(); f++ {
			if f > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, st.Field(f).Name)
			buf.WriteByte(':')
			if err := appendJSON(buf, x.Field(f), i); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case *array.Map:
		start, end := x.ValueOffsets(i)
		keys, items := x.Keys(), x.Items()
		buf.WriteByte('{')
		for k := start; k < end; k++ {
			if k > start {
				buf.WriteByte(',')
			}
			kt, err := types.FromArrow(keys.DataType())
			if err != nil {
				return err
			}
			writeJSONString(buf, types.FormatText(kt, types.GetValue(kt, keys, int(k))))
			buf.WriteByte(':')
			if err := appendJSON(buf, items, int(k)); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case array.ListLike:
		start, end := x.ValueOffsets(i)
		vals := x.ListValues()
		buf.WriteByte('[')
		for k := start; k < end; k++ {
			if k > start {
				buf.WriteByte(',')
			}
			if err := appendJSON(buf, vals, int(k)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	t, err := types.FromArrow(a.DataType())
	if err != nil {
		return err
	}
	v := types.GetValue(t, a, i)
	switch x := v.(type) {
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			writeJSONString(buf, types.FormatText(t, v)) // JSON has no NaN or Infinity
		} else {
			buf.WriteString(types.FormatText(t, v))
		}
	case types.Decimal:
		buf.WriteString(x.String())
	case string:
		writeJSONString(buf, x)
	case []byte:
		writeJSONString(buf, "\\x"+hex.EncodeToString(x))
	default:
		writeJSONString(buf, types.FormatText(t, v))
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	q, _ := json.Marshal(s) // valid JSON escapes; jsonb normalizing rewrites them
	buf.Write(q)
}
