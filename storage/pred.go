package storage

import "github.com/lakeq/lakeq/types"

// Column is a column of a file dataset (Parquet, CSV, JSON).
type Column struct {
	Name string
	Type types.T
}

// Pred is a simple predicate on one column that a scan may use to skip
// data (row groups, files, partitions) it proves has no matching rows.
// Vals hold constants of the column's SQL type.
type Pred struct {
	Col  int    // table column index
	Op   string // "=", "<", "<=", ">", ">=", "in", "isnull", "notnull", "keys"
	Vals []types.Value
	// Keys, for "keys": the column is one of a join's integer build keys
	// (so never NULL)
	Keys *types.KeyBits
	// CastTo, when set, is a widening type the column is compared in
	// (int2 < int4 constant): statistics are converted to it first.
	CastTo *types.T
	ColT   types.T
	// KeepNulls: rows whose column is NULL satisfy the predicate too (a
	// DynBound's, where NULLs sort first)
	KeepNulls bool
}

// Widen converts a statistic to the comparison type.
func (p Pred) Widen(v types.Value) types.Value {
	if p.CastTo == nil || v == nil {
		return v
	}
	w, err := types.CastScalar(v, p.ColT, *p.CastTo, nil)
	if err != nil {
		return nil
	}
	return w
}

// MayMatch reports whether a chunk whose non-NULL values lie in [min, max]
// (nil when unknown) and which holds nulls NULLs out of rows values can
// contain a row satisfying p. It answers true when unsure.
func (p Pred) MayMatch(min, max types.Value, nulls, rows int64, nullsKnown bool) bool {
	switch p.Op {
	case "isnull":
		return !nullsKnown || nulls > 0
	case "notnull":
		return !nullsKnown || nulls < rows
	}
	if p.KeepNulls && (!nullsKnown || nulls > 0) {
		return true
	}
	if nullsKnown && nulls == rows {
		return false // only NULLs: no comparison is true
	}
	if min == nil || max == nil {
		return true
	}
	for _, v := range p.Vals {
		if v == nil && p.Op != "in" {
			return false
		}
	}
	c := func(a, b types.Value) int { return types.Compare(a, b) }
	switch p.Op {
	case "keys":
		lo, ok1 := KeyInt(min)
		hi, ok2 := KeyInt(max)
		return !ok1 || !ok2 || p.Keys.AnyIn(lo, hi)
	case "=":
		v := p.Vals[0]
		return c(v, min) >= 0 && c(v, max) <= 0
	case "<":
		return c(min, p.Vals[0]) < 0
	case "<=":
		return c(min, p.Vals[0]) <= 0
	case ">":
		return c(max, p.Vals[0]) > 0
	case ">=":
		return c(max, p.Vals[0]) >= 0
	case "in":
		for _, v := range p.Vals {
			if v != nil && c(v, min) >= 0 && c(v, max) <= 0 {
				return true
			}
		}
		return false
	}
	return true
}

// MustMatch reports whether every non-NULL value of a chunk whose values
// lie in [min, max] satisfies p (false when unsure): a reader need not
// evaluate p on its rows.
func (p Pred) MustMatch(min, max types.Value) bool {
	if min == nil || max == nil || len(p.Vals) == 0 {
		return false
	}
	for _, v := range p.Vals {
		if v == nil {
			return false
		}
	}
	c := func(a, b types.Value) int { return types.Compare(a, b) }
	switch p.Op {
	case "=":
		return c(min, p.Vals[0]) == 0 && c(max, p.Vals[0]) == 0
	case "<":
		return c(max, p.Vals[0]) < 0
	case "<=":
		return c(max, p.Vals[0]) <= 0
	case ">":
		return c(min, p.Vals[0]) > 0
	case ">=":
		return c(min, p.Vals[0]) >= 0
	case "in":
		if c(min, max) != 0 {
			return false
		}
		for _, v := range p.Vals {
			if c(v, min) == 0 {
				return true
			}
		}
	}
	return false
}

// KeyInt is an integer or date value (a statistic, a constant) as an
// int64.
func KeyInt(v types.Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case types.DateVal:
		return int64(x), true
	}
	return 0, false
}
