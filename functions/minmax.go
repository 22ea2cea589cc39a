package functions

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// minMax keeps min or max per group in typed slices: valueAcc's generic
// path boxes every input value and compares through types.Compare, which
// dominated aggregates such as TPC-H q2's min(ps_supplycost) per part.
type minMax[E any] struct {
	max  bool
	vals []E
	set  []bool
	// better reports whether x should replace cur
	better func(x, cur E) bool
	box    func(E) types.Value
}

func (m *minMax[E]) update(groups []int32, nGroups int, vals []E, a arrow.Array) {
	m.vals = grow(m.vals, nGroups)
	m.set = grow(m.set, nGroups)
	nulls := a.NullN() > 0
	vals = vals[:len(groups)]
	for i, g := range groups {
		if g < 0 || (nulls && a.IsNull(i)) {
			continue
		}
		if !m.set[g] || m.better(vals[i], m.vals[g]) {
			m.vals[g], m.set[g] = vals[i], true
		}
	}
}

// offer folds v into group g.
func (m *minMax[E]) offer(g int, v E) {
	m.vals = grow(m.vals, g+1)
	m.set = grow(m.set, g+1)
	if !m.set[g] || m.better(v, m.vals[g]) {
		m.vals[g], m.set[g] = v, true
	}
}

// extreme is the least (or, with max, greatest) of vals; vals not empty.
func extreme[E int64 | decimal.Decimal64](vals []E, max bool) E {
	best := vals[0]
	if max {
		for _, v := range vals[1:] {
			if v > best {
				best = v
			}
		}
		return best
	}
	for _, v := range vals[1:] {
		if v < best {
			best = v
		}
	}
	return best
}

// updateOne folds a batch without NULLs, all of group 0, into the typed
// state by its least or greatest value, found in one tight loop over the
// values instead of a comparison call per row (min(price), max(price)
// over a table: a third of the scan); false for arrays it leaves to
// Update.
func updateOne(o typedMinMax, isMax bool, a arrow.Array) bool {
	n := a.Len()
	if n == 0 || a.NullN() > 0 {
		return n == 0
	}
	switch m := o.(type) {
	case *intMinMax:
		x, ok := a.(*array.Int64)
		if !ok {
			return false
		}
		m.offer(0, extreme(x.Int64Values()[:n], isMax))
		return true
	case *decMinMax:
		x, ok := a.(*array.Decimal64)
		if !ok {
			return false
		}
		sc := x.DataType().(*arrow.Decimal64Type).Scale
		if len(m.set) > 0 && sc != m.scale {
			return false
		}
		m.scale = sc
		m.offer(0, decimal128.FromI64(int64(extreme(x.Values()[:n], isMax))))
		return true
	}
	return false
}

func (m *minMax[E]) merge(o *minMax[E], mapping []int32, nGroups int) {
	m.vals = grow(m.vals, nGroups)
	m.set = grow(m.set, nGroups)
	for g, ok := range o.set {
		if !ok {
			continue
		}
		t := mapping[g]
		if !m.set[t] || m.better(o.vals[g], m.vals[t]) {
			m.vals[t], m.set[t] = o.vals[g], true
		}
	}
}

func (m *minMax[E]) values(nGroups int) []types.Value {
	out := make([]types.Value, nGroups)
	for g := 0; g < nGroups && g < len(m.set); g++ {
		if m.set[g] {
			out[g] = m.box(m.vals[g])
		}
	}
	return out
}

// typedMinMax is the typed state of one valueAcc; nil for kinds and
// types it does not cover.
type typedMinMax interface {
	Update(groups []int32, nGroups int, a arrow.Array) bool
	Merge(o typedMinMax, mapping []int32, nGroups int)
	Values(nGroups int) []types.Value
}

type intMinMax struct{ minMax[int64] }
type floatMinMax struct{ minMax[float64] }
type decMinMax struct {
	minMax[decimal128.Num]
	scale int32
}
type strMinMax struct{ minMax[string] }

func newTypedMinMax(kind string, t types.T) typedMinMax {
	if kind != "min" && kind != "max" {
		return nil
	}
	isMax := kind == "max"
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Date, types.Timestamp, types.TimestampTZ:
		box := func(v int64) types.Value { return v }
		switch t.Kind {
		case types.Date:
			box = func(v int64) types.Value { return types.DateVal(v) }
		case types.Timestamp, types.TimestampTZ:
			box = func(v int64) types.Value { return types.TimestampVal(v) }
		}
		better := func(x, cur int64) bool { return x < cur }
		if isMax {
			better = func(x, cur int64) bool { return x > cur }
		}
		return &intMinMax{minMax[int64]{max: isMax, better: better, box: box}}
	case types.Float8:
		// PostgreSQL orders NaN above every number
		better := func(x, cur float64) bool { return floatCmp(x, cur) < 0 }
		if isMax {
			better = func(x, cur float64) bool { return floatCmp(x, cur) > 0 }
		}
		return &floatMinMax{minMax[float64]{max: isMax, better: better, box: func(v float64) types.Value { return v }}}
	case types.Numeric:
		if t.Dyn {
			return nil // values of their own scale: the generic path keeps each
		}
		m := &decMinMax{}
		better := func(x, cur decimal128.Num) bool { return x.Less(cur) }
		if isMax {
			better = func(x, cur decimal128.Num) bool { return x.Greater(cur) }
		}
		m.minMax = minMax[decimal128.Num]{max: isMax, better: better, box: func(v decimal128.Num) types.Value { return types.Decimal{V: v, Scale: m.scale} }}
		return m
	case types.Text, types.Varchar:
		better := func(x, cur string) bool { return x < cur }
		if isMax {
			better = func(x, cur string) bool { return x > cur }
		}
		return &strMinMax{minMax[string]{max: isMax, better: better, box: func(v string) types.Value { return v }}}
	}
	return nil
}

func (m *intMinMax) Update(groups []int32, nGroups int, a arrow.Array) bool {
	var vals []int64
	switch x := a.(type) {
	case *array.Int64:
		vals = x.Int64Values()
	case *array.Timestamp:
		vals = types.Values[int64](x)
	case *array.Int32:
		vals = widen(x.Int32Values())
	case *array.Date32:
		vals = widen(types.Values[int32](x))
	case *array.Int16:
		vals = widen(x.Int16Values())
	default:
		return false
	}
	m.update(groups, nGroups, vals, a)
	return true
}

func widen[E int16 | int32](in []E) []int64 {
	out := make([]int64, len(in))
	for i, v := range in {
		out[i] = int64(v)
	}
	return out
}

func (m *floatMinMax) Update(groups []int32, nGroups int, a arrow.Array) bool {
	x, ok := a.(*array.Float64)
	if !ok {
		return false
	}
	m.update(groups, nGroups, x.Float64Values(), a)
	return true
}

func (m *decMinMax) Update(groups []int32, nGroups int, a arrow.Array) bool {
	x := types.Decimal128Of(a)
	if x == nil {
		return false
	}
	sc := x.DataType().(*arrow.Decimal128Type).Scale
	if len(m.set) > 0 && sc != m.scale {
		return false
	}
	m.scale = sc
	m.update(groups, nGroups, x.Values(), a)
	return true
}

func (m *strMinMax) Update(groups []int32, nGroups int, a arrow.Array) bool {
	x, ok := a.(*array.String)
	if !ok {
		return false
	}
	m.vals = grow(m.vals, nGroups)
	m.set = grow(m.set, nGroups)
	nulls := x.NullN() > 0
	for i, g := range groups {
		if g < 0 || (nulls && x.IsNull(i)) {
			continue
		}
		v := x.Value(i)
		if !m.set[g] || m.better(v, m.vals[g]) {
			// cloned: the batch's buffer is not kept alive for one value
			m.vals[g], m.set[g] = strings.Clone(v), true
		}
	}
	return true
}

func (m *intMinMax) Merge(o typedMinMax, mapping []int32, n int) {
	m.merge(&o.(*intMinMax).minMax, mapping, n)
}
func (m *floatMinMax) Merge(o typedMinMax, mapping []int32, n int) {
	m.merge(&o.(*floatMinMax).minMax, mapping, n)
}
func (m *decMinMax) Merge(o typedMinMax, mapping []int32, n int) {
	od := o.(*decMinMax)
	if len(od.set) > 0 {
		m.scale = od.scale
	}
	m.merge(&od.minMax, mapping, n)
}
func (m *strMinMax) Merge(o typedMinMax, mapping []int32, n int) {
	m.merge(&o.(*strMinMax).minMax, mapping, n)
}

func (m *intMinMax) Values(n int) []types.Value   { return m.values(n) }
func (m *floatMinMax) Values(n int) []types.Value { return m.values(n) }
func (m *decMinMax) Values(n int) []types.Value   { return m.values(n) }
func (m *strMinMax) Values(n int) []types.Value   { return m.values(n) }
