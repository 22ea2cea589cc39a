package exec

import (
	"math"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// rangeKeys are a partition's ORDER BY values for RANGE frames with an
// offset (RANGE BETWEEN x PRECEDING AND y FOLLOWING): the frame of a
// row holds the rows whose key lies within the offset of its own, found
// by binary search over the sorted keys, the key ± offset computed
// exactly in the key's type as PostgreSQL's in_range functions do —
// integers saturating, numerics at their scale, timestamps moved by
// calendar months and days (in the session's zone for timestamptz), a
// date as the timestamp of its midnight when the offset is an interval.
type rangeKeys struct {
	t      types.T
	keys   []types.Value
	lo, hi int // the rows with a non-NULL key: NULLs sort together at one end
}

func newRangeKeys(t types.T, col arrow.Array, base, n int) *rangeKeys {
	rk := &rangeKeys{t: t, keys: make([]types.Value, n), lo: n, hi: n}
	for j := 0; j < n; j++ {
		rk.keys[j] = types.GetValue(t, col, base+j)
	}
	for j := 0; j < n; j++ {
		if rk.keys[j] != nil {
			rk.lo = j
			break
		}
	}
	for j := n; j > rk.lo; j-- {
		if rk.keys[j-1] != nil {
			rk.hi = j
			break
		}
	}
	return rk
}

// bound is the first row of row i's frame (isStart) or the row after its
// last, for an offset PRECEDING (preceding) or FOLLOWING bound.
func (rk *rangeKeys) bound(i int, preceding, desc bool, off types.Value, isStart bool, loc *time.Location, p *functions.WindowPartition) (int, error) {
	if off == nil {
		which := "ending"
		if isStart {
			which = "starting"
		}
		return 0, sqlerr.New(sqlerr.NullValueNotAllowed, "frame %s offset must not be null", which)
	}
	cur := rk.keys[i]
	if cur == nil { // a NULL key's frame bound is its peers' (the other NULLs)
		if isStart {
			return p.PeerStart[i], nil
		}
		return p.PeerEnd[i], nil
	}
	// PRECEDING walks toward the start of the order: smaller keys
	// ascending, larger ones descending
	subtract := preceding != desc
	target, err := rk.shift(cur, off, subtract, loc)
	if err != nil {
		return 0, err
	}
	before := func(x types.Value) bool { // x sorts before target
		c := types.Compare(rk.asTarget(x, off), target)
		if desc {
			return c > 0
		}
		return c < 0
	}
	span := rk.hi - rk.lo
	if isStart {
		return rk.lo + sort.Search(span, func(k int) bool { return !before(rk.keys[rk.lo+k]) }), nil
	}
	after := func(x types.Value) bool {
		c := types.Compare(rk.asTarget(x, off), target)
		if desc {
			return c < 0
		}
		return c > 0
	}
	return rk.lo + sort.Search(span, func(k int) bool { return after(rk.keys[rk.lo+k]) }), nil
}

// asTarget is a key in the type its shifted value has: a date beside an
// interval offset is the timestamp of its midnight.
func (rk *rangeKeys) asTarget(x, off types.Value) types.Value {
	if d, ok := x.(types.DateVal); ok {
		if _, iv := off.(types.IntervalVal); iv {
			return types.TimestampVal(int64(d) * types.UsPerDay)
		}
	}
	return x
}

// shift is cur minus (subtract) or plus the offset, refusing a negative
// offset as PostgreSQL does (22013).
func (rk *rangeKeys) shift(cur, off types.Value, subtract bool, loc *time.Location) (types.Value, error) {
	negative := func() error {
		return sqlerr.New(sqlerr.InvalidPrecedingOrFollowingSize, "invalid preceding or following size in window function")
	}
	switch o := off.(type) {
	case int64:
		if o < 0 {
			return nil, negative()
		}
		switch c := cur.(type) {
		case int64:
			if subtract {
				if c < math.MinInt64+o {
					return int64(math.MinInt64), nil
				}
				return c - o, nil
			}
			if c > math.MaxInt64-o {
				return int64(math.MaxInt64), nil
			}
			return c + o, nil
		case types.DateVal:
			if subtract {
				o = -o
			}
			return types.DateVal(int64(c) + o), nil
		case float64:
			return shiftFloat(c, float64(o), subtract), nil
		case types.Decimal:
			return shiftDecimal(c, types.DecimalFromInt(o), subtract)
		}
	case float64:
		if o < 0 || math.IsNaN(o) {
			return nil, negative()
		}
		if c, ok := cur.(float64); ok {
			return shiftFloat(c, o, subtract), nil
		}
		if c, ok := cur.(int64); ok {
			return shiftFloat(float64(c), o, subtract), nil
		}
	case types.Decimal:
		if o.V.Sign() < 0 {
			return nil, negative()
		}
		switch c := cur.(type) {
		case types.Decimal:
			return shiftDecimal(c, o, subtract)
		case int64:
			return shiftDecimal(types.DecimalFromInt(c), o, subtract)
		case float64:
			return shiftFloat(c, o.Float64(), subtract), nil
		}
	case types.IntervalVal:
		if types.IntervalSortKey(o) < 0 {
			return nil, negative()
		}
		if subtract {
			o = types.IntervalVal{Months: -o.Months, Days: -o.Days, Micros: -o.Micros}
		}
		switch c := cur.(type) {
		case types.TimestampVal:
			var l *time.Location // a timestamp's calendar is UTC's; a timestamptz's the session's
			if rk.t.Kind == types.TimestampTZ {
				l = loc
			}
			return types.TimestampVal(functions.AddInterval(int64(c), o, l)), nil
		case types.DateVal:
			return types.TimestampVal(functions.AddInterval(int64(c)*types.UsPerDay, o, nil)), nil
		case types.IntervalVal:
			return types.IntervalVal{Months: c.Months + o.Months, Days: c.Days + o.Days, Micros: c.Micros + o.Micros}, nil
		}
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "RANGE with offset PRECEDING/FOLLOWING is not supported for column type %s and this offset", rk.t)
}

func shiftFloat(c, o float64, subtract bool) float64 {
	if subtract {
		return c - o
	}
	return c + o
}

// shiftDecimal is c ± o at the larger of their scales.
func shiftDecimal(c, o types.Decimal, subtract bool) (types.Value, error) {
	scale := max(c.Scale, o.Scale)
	c, err := c.Rescale(scale)
	if err != nil {
		return nil, err
	}
	if o, err = o.Rescale(scale); err != nil {
		return nil, err
	}
	if subtract {
		return types.Decimal{V: c.V.Sub(o.V), Scale: scale}, nil
	}
	return types.Decimal{V: c.V.Add(o.V), Scale: scale}, nil
}
