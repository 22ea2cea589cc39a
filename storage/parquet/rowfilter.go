package parquet

import (
	"bytes"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Late materialization: a morsel whose predicates (the scan's filters, a
// join's key range) bear on columns the flat reader decodes reads those
// columns first, evaluates the predicates on them, and decodes the other
// columns only at the rows that pass — dictionary entries gathered and
// values copied for those rows alone, pages holding none of them not
// even decompressed. The predicates are conjuncts the plan applies above
// the scan anyway (or a join's keys it would not match), so a row kept
// here that should not be is filtered there; only dropping a row that
// should be kept would be wrong, and the evaluation is exact for the
// kinds it takes (integers, dates, timestamps, 64-bit decimals at the
// column's scale, text under byte order) and leaves every other
// predicate to the plan.

// keepShare is the largest share of rows a selection may keep and still
// be applied: above it the other columns are decoded whole (a selection
// costs per row picked; the filter above copies only when rows go).
const keepShare = 0.75

// rowPred is a predicate the reader evaluates: on decoded column k.
type rowPred struct {
	k int
	storage.Pred
}

// rowPredsFor picks the predicates on decoded flat columns the reader
// evaluates exactly; cols are the morsel's columns by decoded position.
// A predicate the row group's statistics show every row satisfies (a
// join's key range over the whole table, often) is not evaluated.
func (m *Morsel) rowPredsFor(decoded []int, kinds []flatKind) []rowPred {
	var out []rowPred
	md := m.d.meta(m.path)
	for _, p := range m.preds {
		if p.CastTo != nil || p.Col >= m.d.nFile {
			continue
		}
		if md != nil && m.d.rowGroupAllMatch(md.RowGroup(m.rowGroup), m.leaves, p) {
			continue
		}
		for k, i := range decoded {
			if m.cols[i] != p.Col || kinds[k] == flatNone || kinds[k] == flatBool || kinds[k] == flatFloat32 || kinds[k] == flatFloat64 {
				continue
			}
			if kinds[k] == flatString && p.ColT.Kind != types.Text && p.ColT.Kind != types.Varchar {
				continue // char(n) compares without its padding
			}
			switch p.Op {
			case "=", "<", "<=", ">", ">=", "in", "isnull", "notnull":
				out = append(out, rowPred{k: k, Pred: p})
			}
		}
	}
	return out
}

// selectRows evaluates preds over the decoded arrays (all n rows long)
// and returns the rows passing all of them, ascending; ok is false when
// a predicate's constants are not of a form evaluated here (the caller
// then applies none).
func selectRows(preds []rowPred, arrays []arrow.Array, n int) (sel []int32, ok bool) {
	keep := types.NoZero[uint8](n) // 1: the row passes so far
	for i := range keep {
		keep[i] = 1
	}
	for _, p := range preds {
		if !evalPred(p.Pred, arrays[p.k], keep) {
			return nil, false
		}
	}
	sel = types.NoZero[int32](n) // the first c are written
	c := 0
	for i, k := range keep {
		sel[c] = int32(i)
		c += int(k)
	}
	return sel[:c], true
}

// b2u is b as 0 or 1, without a branch.
func b2u(b bool) uint8 { return *(*uint8)(unsafe.Pointer(&b)) }

// evalPred clears keep[i] where row i fails p; false when p is not
// evaluated here.
func evalPred(p storage.Pred, a arrow.Array, keep []uint8) bool {
	switch p.Op {
	case "isnull", "notnull":
		want := p.Op == "isnull"
		for i := range keep {
			keep[i] &= b2u(a.IsNull(i) == want)
		}
		return true
	}
	if len(p.Vals) == 0 {
		return false
	}
	switch x := a.(type) {
	case *array.Int32:
		return cmpInts(p, x.Int32Values(), x, keep, 0)
	case *array.Date32:
		return cmpInts(p, types.Values[int32](x), x, keep, 0)
	case *array.Int16:
		return cmpInts(p, x.Int16Values(), x, keep, 0)
	case *array.Int64:
		return cmpInts(p, x.Int64Values(), x, keep, 0)
	case *array.Timestamp:
		return cmpInts(p, types.Values[int64](x), x, keep, 0)
	case *array.Decimal64:
		return cmpInts(p, types.Values[int64](x), x, keep, types.DecimalScale(x.DataType()))
	case *array.String:
		return cmpStrings(p, x, keep)
	}
	return false
}

// intConst is v as the column's scaled integer; false when v is not an
// integer, date or timestamp constant, or a decimal not exact at scale.
func intConst(v types.Value, scale int32) (int64, bool) {
	switch x := v.(type) {
	case int64:
		if scale == 0 {
			return x, true
		}
	case types.DateVal:
		return int64(x), scale == 0
	case types.TimestampVal:
		return int64(x), scale == 0
	case types.Decimal:
		d, err := x.Rescale(scale)
		if err != nil {
			return 0, false
		}
		// exact only: rescaling down must not have dropped digits
		back, err := d.Rescale(x.Scale)
		if err != nil || back.V != x.V {
			return 0, false
		}
		lo := int64(d.V.LowBits())
		if d.V.HighBits() != lo>>63 {
			return 0, false
		}
		return lo, true
	}
	return 0, false
}

func cmpInts[T int16 | int32 | int64](p storage.Pred, vals []T, a arrow.Array, keep []uint8, scale int32) bool {
	cs := make([]int64, len(p.Vals))
	for i, v := range p.Vals {
		c, ok := intConst(v, scale)
		if !ok {
			return false
		}
		cs[i] = c
	}
	vals = vals[:len(keep)]
	c := cs[0]
	switch p.Op {
	case "=":
		for i, v := range vals {
			keep[i] &= b2u(int64(v) == c)
		}
	case "<":
		for i, v := range vals {
			keep[i] &= b2u(int64(v) < c)
		}
	case "<=":
		for i, v := range vals {
			keep[i] &= b2u(int64(v) <= c)
		}
	case ">":
		for i, v := range vals {
			keep[i] &= b2u(int64(v) > c)
		}
	case ">=":
		for i, v := range vals {
			keep[i] &= b2u(int64(v) >= c)
		}
	case "in":
		inList(vals, cs, keep)
	default:
		return false
	}
	dropNulls(a, keep)
	return true
}

// inList clears keep where the value is none of cs: a bitmap over the
// constants' span when it is small (join key lists, IN lists of codes),
// else a set.
func inList[T int16 | int32 | int64](vals []T, cs []int64, keep []uint8) {
	lo, hi := cs[0], cs[0]
	for _, c := range cs {
		lo, hi = min(lo, c), max(hi, c)
	}
	if uint64(hi-lo) < 1<<20 {
		bits := make([]uint64, (hi-lo)/64+1)
		for _, c := range cs {
			bits[(c-lo)/64] |= 1 << ((c - lo) % 64)
		}
		span := uint64(hi - lo)
		for i, v := range vals {
			d := uint64(int64(v) - lo)
			if d > span {
				keep[i] = 0
				continue
			}
			keep[i] &= uint8(bits[d/64] >> (d % 64) & 1)
		}
		return
	}
	set := make(map[int64]struct{}, len(cs))
	for _, c := range cs {
		set[c] = struct{}{}
	}
	for i, v := range vals {
		if keep[i] == 0 {
			continue
		}
		if _, ok := set[int64(v)]; !ok {
			keep[i] = 0
		}
	}
}

func cmpStrings(p storage.Pred, a *array.String, keep []uint8) bool {
	cs := make([][]byte, len(p.Vals))
	for i, v := range p.Vals {
		s, ok := v.(string)
		if !ok {
			return false
		}
		cs[i] = []byte(s)
	}
	offs, data := types.StringWindow(a)
	for i := range keep {
		if keep[i] == 0 {
			continue
		}
		v := data[offs[i]:offs[i+1]]
		switch p.Op {
		case "in":
			in := false
			for _, c := range cs {
				if bytes.Equal(v, c) {
					in = true
					break
				}
			}
			keep[i] = b2u(in)
		default:
			r := bytes.Compare(v, cs[0])
			switch p.Op {
			case "=":
				keep[i] = b2u(r == 0)
			case "<":
				keep[i] = b2u(r < 0)
			case "<=":
				keep[i] = b2u(r <= 0)
			case ">":
				keep[i] = b2u(r > 0)
			case ">=":
				keep[i] = b2u(r >= 0)
			default:
				return false
			}
		}
	}
	dropNulls(a, keep)
	return true
}

// dropNulls clears keep at NULL rows: a comparison with NULL is not true.
func dropNulls(a arrow.Array, keep []uint8) {
	if a.NullN() == 0 {
		return
	}
	for i := range keep {
		keep[i] &= b2u(a.IsValid(i))
	}
}
