package functions

import (
	"github.com/lakeq/lakeq/types"
)

// The hypothetical-set aggregates: rank(h), dense_rank(h),
// percent_rank(h) and cume_dist(h) WITHIN GROUP (ORDER BY k) answer what
// the window function would for a row with key h added to the group, as
// PostgreSQL's hypothetical_rank_common does: the key's direction and
// NULLS FIRST/LAST order the group, NULL keys included, and h sorts after
// its peers.

// hypoCmp orders two keys as the WITHIN GROUP clause says.
func hypoCmp(a, b types.Value, desc, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	c := types.Compare(a, b)
	if desc {
		return -c
	}
	return c
}

func hypotheticalAggregates() []*Aggregate {
	mk := func(kind string) func(args []types.T, ret types.T, desc, nullsFirst bool) Accumulator {
		return func(args []types.T, ret types.T, desc, nullsFirst bool) Accumulator {
			// exec order: the key, then the hypothetical value
			return &collectAcc{ts: []types.T{args[1], args[0]}, ret: ret, keepNull: true, final: func(rows [][]types.Value) (types.Value, error) {
				n := len(rows)
				if n == 0 {
					switch kind {
					case "percent_rank":
						return 0.0, nil
					case "cume_dist":
						return 1.0, nil
					}
					return int64(1), nil
				}
				h := rows[0][1]
				before, notAfter := 0, 0
				var distinct []types.Value
				for _, r := range rows {
					c := hypoCmp(r[0], h, desc, nullsFirst)
					if c < 0 {
						before++
						if kind == "dense_rank" {
							seen := false
							for _, d := range distinct {
								if hypoCmp(d, r[0], false, false) == 0 {
									seen = true
									break
								}
							}
							if !seen {
								distinct = append(distinct, r[0])
							}
						}
					}
					if c <= 0 {
						notAfter++
					}
				}
				switch kind {
				case "rank":
					return int64(before + 1), nil
				case "dense_rank":
					return int64(len(distinct) + 1), nil
				case "percent_rank":
					return float64(before) / float64(n), nil
				}
				return float64(notAfter+1) / float64(n+1), nil
			}}
		}
	}
	agg := func(name, desc string, ret types.T) *Aggregate {
		newOrdered := mk(name)
		return &Aggregate{Name: name, Description: desc, WithinGroup: true, Hypothetical: true, Overloads: []AggOverload{{
			Args: []Arg{aAny, aSame}, Ret: fixed(ret),
			New:        func(args []types.T, ret types.T) Accumulator { return newOrdered(args, ret, false, false) },
			NewOrdered: newOrdered,
		}}}
	}
	return []*Aggregate{
		agg("rank", "rank of the hypothetical row, with gaps", types.Int8T),
		agg("dense_rank", "rank of the hypothetical row, without gaps", types.Int8T),
		agg("percent_rank", "relative rank of the hypothetical row, from 0 to 1", types.Float8T),
		agg("cume_dist", "cumulative distribution of the hypothetical row, from 1/N to 1", types.Float8T),
	}
}
