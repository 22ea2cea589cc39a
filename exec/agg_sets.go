package exec

import (
	"encoding/binary"
	"sort"

	"github.com/lakeq/lakeq/types"
)

// Grouping sets contained in another (ROLLUP's, most of CUBE's) are not
// built from the input rows: each is derived at Finalize from the
// smallest set that contains it, every group of that finer set folding
// into its group of the coarser one with the accumulators' Merge — as a
// worker's groups fold into the merged table at Combine, so every
// aggregate that combines across workers derives alike (DISTINCT and
// ordered ones too: their buffers merge). Each input row then probes one
// table instead of one per set: TPC-DS q22's ROLLUP of four item columns
// over inventory probed five tables per row.

// deriveFrom gives each grouping set the set it is derived from (the
// smallest strict superset, the first of equals), or -1 when its table
// is built from the rows.
func (h *HashAgg) deriveFrom() []int {
	h.deriveOnce.Do(func() {
		sets := h.sets()
		h.derive = make([]int, len(sets))
		for i, s := range sets {
			h.derive[i] = -1
			for j, f := range sets {
				if len(f) <= len(s) || !subsetOf(s, f) {
					continue
				}
				if d := h.derive[i]; d < 0 || len(f) < len(sets[d]) {
					h.derive[i] = j
				}
			}
		}
	})
	return h.derive
}

// subsetOf reports whether every key of s is in f.
func subsetOf(s, f []int) bool {
	for _, k := range s {
		found := false
		for _, x := range f {
			found = found || x == k
		}
		if !found {
			return false
		}
	}
	return true
}

// deriveSets fills the derived tables of h.global, coarsest last (a set
// is derived from a larger one, complete by then).
func (h *HashAgg) deriveSets(ctx *Ctx) error {
	from := h.deriveFrom()
	order := make([]int, 0, len(from))
	for i, j := range from {
		if j >= 0 {
			order = append(order, i)
		}
	}
	sets := h.sets()
	sort.SliceStable(order, func(a, b int) bool { return len(sets[order[a]]) > len(sets[order[b]]) })
	for _, i := range order {
		if err := h.deriveTable(ctx, h.global[i], h.global[from[i]]); err != nil {
			return err
		}
	}
	return nil
}

// deriveTable folds fine's groups into coarse, by coarse's keys.
func (h *HashAgg) deriveTable(ctx *Ctx, coarse, fine *aggTable) error {
	mapping := make([]int32, fine.ngroups())
	var kb []byte
	for g := range mapping {
		row := make([]types.Value, len(h.Keys))
		kb = kb[:0]
		for _, k := range coarse.set {
			v := fine.keyValue(h, g, k)
			row[k] = v
			kb = appendGroupKey(kb, v)
		}
		gg, ok := coarse.groups[string(kb)]
		if !ok {
			gg = coarse.addGroup(row, 0)
			coarse.groups[string(kb)] = gg
		}
		mapping[g] = gg
	}
	ctx.Mem.Force(int64(coarse.ngroups()) * 96)
	return coarse.mergeAccs(fine, mapping)
}

// appendGroupKey encodes a group's key value so that values equal as
// keys encode alike: numerics of any scale (1.5 = 1.50) and floats (-0
// = 0, every NaN one) as encodeKeys makes them; the rest as
// appendRowKey does (one key column's values share a type).
func appendGroupKey(kb []byte, v types.Value) []byte {
	switch x := v.(type) {
	case types.Decimal:
		return appendDecimalKey(append(kb, 8), x)
	case float64:
		return binary.LittleEndian.AppendUint64(append(kb, 2), floatKey(x))
	}
	return appendRowKey(kb, []types.Value{v})
}
