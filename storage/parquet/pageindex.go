package parquet

import (
	"encoding/binary"
	"math"

	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// rowRange is the rows [start, end) of a row group.
type rowRange struct{ start, end int64 }

// pageRanges narrows row group rg (rows rows) to the rows whose pages the
// page index (ColumnIndex min/max and null counts, OffsetIndex first rows)
// says may satisfy every pred. all is true when it cannot narrow: no page
// index, or every page may match. pruned counts pages ruled out.
func (d *Dataset) pageRanges(pf *file.Reader, rg int, rows int64, leaves [][]int, preds []storage.Pred) (ranges []rowRange, all bool, pruned int64) {
	// a damaged page index only costs the pruning: the reader decodes
	// every page and reports any corruption there, naming the file
	defer func() {
		if r := recover(); r != nil {
			ranges, all, pruned = nil, true, 0
		}
	}()
	pir := pf.GetPageIndexReader()
	if pir == nil {
		return nil, true, 0
	}
	rgpi, err := pir.RowGroup(rg)
	if err != nil || rgpi == nil {
		return nil, true, 0
	}
	cur := []rowRange{{0, rows}}
	narrowed := false
	for _, p := range preds {
		if p.Col < 0 || p.Col >= d.nFile || len(leaves[p.Col]) != 1 {
			continue
		}
		leaf := leaves[p.Col][0]
		ci, err1 := rgpi.GetColumnIndex(leaf)
		oi, err2 := rgpi.GetOffsetIndex(leaf)
		if err1 != nil || err2 != nil || ci == nil || oi == nil {
			continue
		}
		locs := oi.GetPageLocations()
		mins, maxs, nullPages := ci.GetMinValues(), ci.GetMaxValues(), ci.GetNullPages()
		if len(locs) != len(mins) || len(maxs) != len(mins) || len(nullPages) != len(mins) {
			continue
		}
		var nullCounts []int64
		if ci.IsSetNullCounts() {
			nullCounts = ci.GetNullCounts()
		}
		phys := pf.MetaData().Schema.Column(leaf).PhysicalType()
		var keep []rowRange
		for pg, loc := range locs {
			first, end := loc.FirstRowIndex, rows
			if pg+1 < len(locs) {
				end = locs[pg+1].FirstRowIndex
			}
			var min, max types.Value
			if !nullPages[pg] {
				min = p.Widen(d.convertStat(p.Col, decodePlain(phys, mins[pg])))
				max = p.Widen(d.convertStat(p.Col, decodePlain(phys, maxs[pg])))
			}
			nulls, known := int64(0), nullCounts != nil && len(nullCounts) == len(locs)
			if known {
				nulls = nullCounts[pg]
			}
			if nullPages[pg] {
				nulls, known = end-first, true
			}
			if p.MayMatch(min, max, nulls, end-first, known) {
				if n := len(keep); n > 0 && keep[n-1].end == first {
					keep[n-1].end = end
				} else {
					keep = append(keep, rowRange{first, end})
				}
			} else {
				pruned++
				narrowed = true
			}
		}
		cur = intersectRanges(cur, keep)
	}
	if !narrowed {
		return nil, true, 0
	}
	return cur, false, pruned
}

// decodePlain reads a page index bound (PLAIN encoding without length).
func decodePlain(t pq.Type, b []byte) any {
	switch t {
	case pq.Types.Int32:
		if len(b) == 4 {
			return int32(binary.LittleEndian.Uint32(b))
		}
	case pq.Types.Int64:
		if len(b) == 8 {
			return int64(binary.LittleEndian.Uint64(b))
		}
	case pq.Types.Float:
		if len(b) == 4 {
			return math.Float32frombits(binary.LittleEndian.Uint32(b))
		}
	case pq.Types.Double:
		if len(b) == 8 {
			return math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
	case pq.Types.ByteArray:
		return b
	case pq.Types.FixedLenByteArray:
		return flba(b)
	}
	return nil
}

// intersectRanges is the rows in both sorted, disjoint range lists.
func intersectRanges(a, b []rowRange) []rowRange {
	var out []rowRange
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].start, b[j].start), min(a[i].end, b[j].end)
		if lo < hi {
			out = append(out, rowRange{lo, hi})
		}
		if a[i].end < b[j].end {
			i++
		} else {
			j++
		}
	}
	return out
}

// selectRanges keeps the rows of batches (consecutive from row 0 of the
// row group) that fall in ranges.
func selectRanges(batches []batchAt, ranges []rowRange) []batchAt {
	var out []batchAt
	for _, b := range batches {
		n := b.rec.NumRows()
		for _, r := range ranges {
			lo, hi := max(r.start, b.off), min(r.end, b.off+n)
			if lo < hi {
				out = append(out, batchAt{rec: b.rec.NewSlice(lo-b.off, hi-b.off), off: lo})
			}
		}
	}
	return out
}

// hasPageIndex reports whether a predicate column of the row group has a
// column index to consult.
func hasPageIndex(rgm *metadata.RowGroupMetaData, leaves [][]int, preds []storage.Pred, nFile int) bool {
	for _, p := range preds {
		if p.Col < 0 || p.Col >= nFile || len(leaves[p.Col]) != 1 {
			continue
		}
		cc, err := rgm.ColumnChunk(leaves[p.Col][0])
		if err == nil && cc.GetColumnIndexLocation() != nil && cc.GetOffsetIndexLocation() != nil {
			return true
		}
	}
	return false
}
