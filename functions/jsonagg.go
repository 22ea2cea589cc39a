package functions

import (
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The JSON aggregates as PostgreSQL 15 builds them: json_agg and
// jsonb_agg keep NULL inputs as null elements; json_object_agg and
// jsonb_object_agg refuse a NULL key (22023) and keep NULL values. The
// json forms keep PostgreSQL's spacing (", " between elements, a newline
// before an array element after the first, "{ "k" : v }") and every
// duplicate key; the jsonb forms print as jsonb prints, the last
// duplicate winning. An empty group is NULL.

// JSONAggRowsName is json_agg over whole rows (the binder's rewrite of
// json_agg(t)): its elements are separated as PostgreSQL separates
// composite ones.
const JSONAggRowsName = "__json_agg_rows"

// aggOf is json_agg's (jsonb: jsonb_agg's) accumulator; composite makes
// every element after the first start a new line, as a composite
// element does in PostgreSQL (an array element always does).
func aggOf(jsonb, composite bool) func(args []types.T, ret types.T, loc *time.Location) Accumulator {
	return func(args []types.T, ret types.T, loc *time.Location) Accumulator {
		return &collectAcc{ts: args, ret: ret, keepNull: true, final: func(rows [][]types.Value) (types.Value, error) {
			if len(rows) == 0 {
				return nil, nil
			}
			var b strings.Builder
			b.WriteByte('[')
			for i, r := range rows {
				if i > 0 {
					b.WriteString(", ")
					if r[0] != nil && (args[0].Kind == types.Array || composite) && !jsonb {
						b.WriteString("\n ")
					}
				}
				appendJSON(&b, args[0], r[0], loc)
			}
			b.WriteByte(']')
			if jsonb {
				return types.NormalizeJSONB(b.String())
			}
			return b.String(), nil
		}}
	}
}

func jsonAggregates() []*Aggregate {
	agg := func(jsonb bool) func(args []types.T, ret types.T, loc *time.Location) Accumulator {
		return aggOf(jsonb, false)
	}
	objectAgg := func(jsonb bool) func(args []types.T, ret types.T, loc *time.Location) Accumulator {
		return func(args []types.T, ret types.T, loc *time.Location) Accumulator {
			return &collectAcc{ts: args, ret: ret, keepNull: true, final: func(rows [][]types.Value) (types.Value, error) {
				if len(rows) == 0 {
					return nil, nil
				}
				var b strings.Builder
				b.WriteString("{ ")
				for i, r := range rows {
					if r[0] == nil {
						return nil, sqlerr.New(sqlerr.InvalidParameterValue, "field name must not be null")
					}
					if i > 0 {
						b.WriteString(", ")
					}
					writeJSONString(&b, types.FormatTextIn(args[0], r[0], loc))
					b.WriteString(" : ")
					appendJSON(&b, args[1], r[1], loc)
				}
				b.WriteString(" }")
				if jsonb {
					return types.NormalizeJSONB(b.String())
				}
				return b.String(), nil
			}}
		}
	}
	return []*Aggregate{
		{Name: "json_agg", Description: "input values, including nulls, as a json array", Overloads: []AggOverload{
			{Args: []Arg{aAnyElement}, Ret: fixed(types.JSONT), NewIn: agg(false)}}},
		{Name: "jsonb_agg", Description: "input values, including nulls, as a jsonb array", Overloads: []AggOverload{
			{Args: []Arg{aAnyElement}, Ret: fixed(types.JSONBT), NewIn: agg(true)}}},
		{Name: JSONAggRowsName, Description: "json_agg of whole rows (internal)", Overloads: []AggOverload{
			{Args: []Arg{aAnyElement}, Ret: fixed(types.JSONT), NewIn: aggOf(false, true)}}},
		{Name: "json_object_agg", Description: "name/value pairs as a json object", Overloads: []AggOverload{
			{Args: []Arg{aAny, aAny}, Ret: fixed(types.JSONT), NewIn: objectAgg(false)}}},
		{Name: "jsonb_object_agg", Description: "name/value pairs as a jsonb object", Overloads: []AggOverload{
			{Args: []Arg{aAny, aAny}, Ret: fixed(types.JSONBT), NewIn: objectAgg(true)}}},
	}
}
