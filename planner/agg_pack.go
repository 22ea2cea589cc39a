package planner

import (
	"math"
	"math/bits"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// packLayout lays out an aggregate's group keys in one int64 when each is
// an integer or date column whose range the statistics give, or a text
// column (dictionary codes, a field for twice its estimated distinct
// values), and together they fit 63 bits: the aggregate then hashes one
// integer per row instead of an encoded byte string (exec.PackField). A
// key outside its field at run time takes the encoded path, so a stale
// range or a low estimate costs speed, never answers. Nil when the keys
// do not qualify or the executor's own packing (one key, or two narrow
// ones) already applies.
func packLayout(x *Aggregate) []exec.PackField {
	if len(x.Keys) < 2 {
		return nil
	}
	narrowOrText := func(t types.T) bool {
		switch t.Kind {
		case types.Int2, types.Int4, types.Date, types.Text, types.Varchar:
			return true
		}
		return false
	}
	if x.Sets == nil && len(x.Keys) == 2 && narrowOrText(x.Keys[0].Type()) && narrowOrText(x.Keys[1].Type()) {
		return nil
	}
	in := newEstimator().of(x.Input)
	var out []exec.PackField
	var used uint
	for _, k := range x.Keys {
		col, ok := k.(*expr.Col)
		if !ok {
			return nil
		}
		var f exec.PackField
		switch col.T.Kind {
		case types.Int2, types.Int4, types.Int8, types.Date:
			r, ok := in.rng[col.ID]
			if !ok || r[1]-r[0] > 1<<62 {
				return nil
			}
			f.Min = int64(math.Floor(r[0]))
			f.Bits = uint(bits.Len64(uint64(r[1]-r[0]))) + 1 // a bit of room past stale statistics
		case types.Text, types.Varchar:
			d, ok := in.distinctOrBound(col.ID)
			if !ok {
				d = math.Min(in.rows, 1<<16)
			}
			f.Bits = uint(bits.Len64(uint64(2*d + 1)))
		default:
			return nil
		}
		used += f.Bits
		if used > 63 {
			return nil
		}
		out = append(out, f)
	}
	return out
}
