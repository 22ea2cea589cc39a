package parquet

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// rowGroupMayMatch checks a row group's column statistics against preds.
func (d *Dataset) rowGroupMayMatch(rg *metadata.RowGroupMetaData, leaves [][]int, preds []storage.Pred) bool {
	for _, p := range preds {
		if p.Col < 0 || p.Col >= d.nFile || len(leaves[p.Col]) != 1 {
			continue
		}
		cc, err := rg.ColumnChunk(leaves[p.Col][0])
		if err != nil {
			continue
		}
		if ok, _ := cc.StatsSet(); !ok {
			continue
		}
		st, err := cc.Statistics()
		if err != nil || st == nil {
			continue
		}
		var min, max types.Value
		if st.HasMinMax() {
			min, max = p.Widen(d.statValue(p.Col, st, true)), p.Widen(d.statValue(p.Col, st, false))
		}
		if !p.MayMatch(min, max, st.NullCount(), cc.NumValues(), st.HasNullCount()) {
			return false
		}
	}
	return true
}

// rowGroupAllMatch reports whether row group rg's statistics show that
// every non-NULL value of p's column satisfies p (text excepted: some
// writers truncate its statistics).
func (d *Dataset) rowGroupAllMatch(rg *metadata.RowGroupMetaData, leaves [][]int, p storage.Pred) bool {
	if p.Col < 0 || p.Col >= d.nFile || len(leaves[p.Col]) != 1 || p.ColT.IsString() {
		return false
	}
	cc, err := rg.ColumnChunk(leaves[p.Col][0])
	if err != nil {
		return false
	}
	if ok, _ := cc.StatsSet(); !ok {
		return false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return false
	}
	return p.MustMatch(p.Widen(d.statValue(p.Col, st, true)), p.Widen(d.statValue(p.Col, st, false)))
}

// rowGroupNoNulls reports whether row group rg's statistics show column
// col holds no NULL.
func (d *Dataset) rowGroupNoNulls(rg *metadata.RowGroupMetaData, leaves [][]int, col int) bool {
	if col < 0 || col >= d.nFile || len(leaves[col]) != 1 {
		return false
	}
	cc, err := rg.ColumnChunk(leaves[col][0])
	if err != nil {
		return false
	}
	if ok, _ := cc.StatsSet(); !ok {
		return false
	}
	st, err := cc.Statistics()
	return err == nil && st != nil && st.HasNullCount() && st.NullCount() == 0
}

// statValue converts a min or max statistic to the column's SQL value
// (nil when the type is not handled).
func (d *Dataset) statValue(col int, st metadata.TypedStatistics, isMin bool) types.Value {
	pick := func(min, max any) any {
		if isMin {
			return min
		}
		return max
	}
	switch s := st.(type) {
	case *metadata.Int32Statistics:
		return d.convertStat(col, pick(s.Min(), s.Max()))
	case *metadata.Int64Statistics:
		return d.convertStat(col, pick(s.Min(), s.Max()))
	case *metadata.Float32Statistics:
		return d.convertStat(col, pick(s.Min(), s.Max()))
	case *metadata.Float64Statistics:
		return d.convertStat(col, pick(s.Min(), s.Max()))
	case *metadata.ByteArrayStatistics:
		return d.convertStat(col, []byte(pick(s.Min(), s.Max()).(pq.ByteArray)))
	case *metadata.FixedLenByteArrayStatistics:
		return d.convertStat(col, flba(pick(s.Min(), s.Max()).(pq.FixedLenByteArray)))
	}
	return nil
}

// flba marks fixed-length byte array statistics (decimals only).
type flba []byte

// convertStat turns a physical statistic (int32, int64, float32, float64,
// []byte for BYTE_ARRAY, flba) into column col's SQL value, or nil when
// the type is not handled or its order differs from the statistic's.
func (d *Dataset) convertStat(col int, raw any) types.Value {
	t := d.Columns[col].Type
	at := d.arrowTypes[col]
	switch v := raw.(type) {
	case int32:
		switch t.Kind {
		case types.Int2, types.Int4, types.Int8:
			if at.ID() == arrow.UINT32 || at.ID() == arrow.UINT16 || at.ID() == arrow.UINT8 {
				return nil // unsigned order differs from the signed statistic
			}
			return int64(v)
		case types.Date:
			return types.DateVal(v)
		case types.Numeric:
			return types.Decimal{V: decimal128.FromI64(int64(v)), Scale: t.Scale}
		}
	case int64:
		switch t.Kind {
		case types.Int8:
			if at.ID() == arrow.UINT64 || at.ID() == arrow.UINT32 {
				return nil
			}
			return v
		case types.Numeric:
			if at.ID() == arrow.UINT64 {
				return nil
			}
			return types.Decimal{V: decimal128.FromI64(v), Scale: t.Scale}
		case types.Timestamp, types.TimestampTZ:
			ts, ok := at.(*arrow.TimestampType)
			if !ok {
				return nil
			}
			switch ts.Unit {
			case arrow.Second:
				return types.TimestampVal(v * 1_000_000)
			case arrow.Millisecond:
				return types.TimestampVal(v * 1000)
			case arrow.Microsecond:
				return types.TimestampVal(v)
			case arrow.Nanosecond:
				return types.TimestampVal(v / 1000)
			}
		}
	case float32:
		return float64(v)
	case float64:
		return v
	case []byte:
		switch t.Kind {
		case types.Text, types.Varchar:
			return string(v)
		case types.Numeric:
			return decimalFromBytes(v, t.Scale)
		}
	case flba:
		if t.Kind == types.Numeric {
			return decimalFromBytes(v, t.Scale)
		}
	}
	return nil
}

// decimalFromBytes reads a big-endian two's-complement unscaled value.
func decimalFromBytes(b []byte, scale int32) types.Value {
	if len(b) == 0 || len(b) > 16 {
		return nil
	}
	n := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return types.Decimal{V: decimal128.FromBigInt(n), Scale: scale}
}

// ColumnRange is what a dataset's footers say of one column's values.
type ColumnRange struct {
	Min, Max    types.Value
	HasMinMax   bool
	NullFrac    float64
	HasNullFrac bool
	// Distinct is the column's distinct values where its dictionaries
	// tell (small files, every chunk dictionary-encoded; the largest
	// dictionary of several files), else 0
	Distinct int64
}

// ColumnRanges folds the row-group statistics of the first files'
// footers (cached; the files EstimateRows reads) into each column's
// range and NULL fraction, for the planner's estimates. A range is given
// only when every file was read and every row group had statistics.
// Each file's part is kept with its cached footer: decoding every row
// group's statistics again was a twentieth of a selective scan of TPC-H
// lineitem, spent before the scan starts.
func (d *Dataset) ColumnRanges(ctx context.Context) []ColumnRange {
	out := make([]ColumnRange, len(d.Columns))
	if len(d.Files) > 64 {
		return out
	}
	minmax := make([]bool, len(d.Columns))
	hasNulls := make([]bool, len(d.Columns))
	dict := make([]int64, len(d.Columns))
	for c := range dict {
		dict[c] = -1 // every file must tell
	}
	nulls := make([]int64, len(d.Columns))
	for c := range minmax {
		minmax[c], hasNulls[c] = true, true
	}
	sig := d.rangeSig()
	var rows int64
	for _, f := range d.Files {
		if _, ok := d.footerRows(ctx, f.Path); !ok {
			return make([]ColumnRange, len(d.Columns))
		}
		d.mu.Lock()
		md := d.metas[f.Path]
		d.mu.Unlock()
		leaves, err := d.leavesOf(ctx, f.Path)
		if md == nil || err != nil {
			return make([]ColumnRange, len(d.Columns))
		}
		fr := d.opt.Footers.ranges(d.info(f.Path), sig, func() fileRanges {
			r := d.fileRanges(md, leaves)
			d.dictionarySizes(ctx, f.Path, md, leaves, r.cols)
			return r
		})
		rows += fr.rows
		for c, r := range fr.cols {
			if dict[c] != 0 {
				dict[c] = max(dict[c], r.dict)
				if r.dict == 0 {
					dict[c] = 0
				}
			}
			minmax[c] = minmax[c] && r.minmax
			hasNulls[c] = hasNulls[c] && r.hasNulls
			nulls[c] += r.nulls
			if r.min == nil || r.max == nil {
				continue
			}
			o := &out[c]
			if !o.HasMinMax || types.Compare(r.min, o.Min) < 0 {
				o.Min = r.min
			}
			if !o.HasMinMax || types.Compare(r.max, o.Max) > 0 {
				o.Max = r.max
			}
			o.HasMinMax = true
		}
	}
	for c := range out {
		if !minmax[c] {
			out[c].Min, out[c].Max, out[c].HasMinMax = nil, nil, false
		}
		if hasNulls[c] && rows > 0 && c < d.nFile {
			out[c].NullFrac, out[c].HasNullFrac = float64(nulls[c])/float64(rows), true
		}
		if dict[c] > 0 {
			out[c].Distinct = dict[c]
		}
	}
	return out
}

// fileRanges is one file's part of ColumnRanges, per file column: its
// values' range over the row groups that have one, whether every row
// group had a range (or held only NULLs), and the NULLs counted where
// every row group counted them.
type fileRanges struct {
	rows int64
	cols []fileColRange
}

type fileColRange struct {
	min, max         types.Value // nil: no row group had a range
	minmax, hasNulls bool
	nulls            int64
	dict             int64 // the largest dictionary of its chunks (0: unknown)
}

// rangeSig names what fileRanges depends on besides the file: the
// dataset's file columns, their SQL and file types.
func (d *Dataset) rangeSig() string {
	var b strings.Builder
	for c := 0; c < d.nFile; c++ {
		fmt.Fprintf(&b, "%s\x00%s\x00%v\x00", d.Columns[c].Name, d.Columns[c].Type, d.arrowTypes[c])
	}
	return b.String()
}

// fileRanges folds the row-group statistics of one file's footer md
// (leaves: its leaves of each file column).
func (d *Dataset) fileRanges(md *metadata.FileMetaData, leaves [][]int) fileRanges {
	out := fileRanges{rows: md.NumRows, cols: make([]fileColRange, d.nFile)}
	for c := range out.cols {
		out.cols[c].minmax, out.cols[c].hasNulls = true, true
	}
	for g := 0; g < md.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		for c := 0; c < d.nFile && c < len(leaves); c++ {
			r := &out.cols[c]
			if len(leaves[c]) != 1 {
				r.minmax, r.hasNulls = false, false
				continue
			}
			cc, err := rg.ColumnChunk(leaves[c][0])
			if err != nil {
				r.minmax, r.hasNulls = false, false
				continue
			}
			st, err := cc.Statistics()
			if ok, _ := cc.StatsSet(); !ok || err != nil || st == nil {
				r.minmax, r.hasNulls = false, false
				continue
			}
			if st.HasNullCount() {
				r.nulls += st.NullCount()
			} else {
				r.hasNulls = false
			}
			if !st.HasMinMax() {
				if cc.NumValues() > st.NullCount() {
					r.minmax = false
				}
				continue
			}
			lo, hi := d.statValue(c, st, true), d.statValue(c, st, false)
			if lo == nil || hi == nil {
				r.minmax = false
				continue
			}
			if r.min == nil || types.Compare(lo, r.min) < 0 {
				r.min = lo
			}
			if r.max == nil || types.Compare(hi, r.max) > 0 {
				r.max = hi
			}
		}
	}
	return out
}

// Dictionaries count the distinct values of small tables' columns (a
// dimension's attributes: a quarter's name, a category), which footers
// do not: an equality filter on one is then estimated from the count
// instead of a default share. Small files have every row group's
// dictionary read (a page per column and row group, once per file: the
// footer cache keeps the result); larger ones only their first and last
// row groups', and the count is kept only when it is a small domain
// those row groups hold many times over (a status, a gender: TPC-DS's
// customer_demographics has 1.9 million rows and five marital
// statuses), which one row group is then all but sure to show whole —
// a larger dictionary there says little about the rest of the file.
const (
	dictStatsRows      = 250000
	dictStatsRowGroups = 4
	dictSampleMax      = 1024 // distinct values a sampled count may be
	dictSampleRepeat   = 50   // rows per distinct value a sampled row group must hold
)

// dictionarySizes sets cols[c].dict to the largest dictionary of file
// column c's chunks when every chunk of it is dictionary-encoded.
func (d *Dataset) dictionarySizes(ctx context.Context, path string, md *metadata.FileMetaData, leaves [][]int, cols []fileColRange) {
	ng := md.NumRowGroups()
	if ng == 0 {
		return
	}
	groups := make([]int, 0, ng)
	sampled := md.NumRows > dictStatsRows || ng > dictStatsRowGroups
	if sampled {
		groups = append(groups, 0)
		if ng > 1 {
			groups = append(groups, ng-1)
		}
	} else {
		for g := range ng {
			groups = append(groups, g)
		}
	}
	var want []int
	for c := 0; c < len(cols) && c < len(leaves); c++ {
		if len(leaves[c]) != 1 {
			continue
		}
		all := true
		for g := 0; g < ng && all; g++ {
			cc, err := md.RowGroup(g).ColumnChunk(leaves[c][0])
			all = err == nil && dictionaryOnly(cc)
		}
		if all {
			want = append(want, c)
		}
	}
	if len(want) == 0 {
		return
	}
	fr, _, closer, err := d.reader(ctx, path, nil)
	if err != nil {
		return
	}
	defer closer()
	pf := fr.ParquetReader()
	for _, c := range want {
		var n int64
		for _, g := range groups {
			pr, err := pf.RowGroup(g).GetColumnPageReader(leaves[c][0])
			if err != nil {
				n = 0
				break
			}
			dp, err := pr.GetDictionaryPage()
			if err != nil || dp == nil {
				n = 0
				break
			}
			k := int64(dp.NumValues())
			if sampled && (k > dictSampleMax || k*dictSampleRepeat > md.RowGroup(g).NumRows()) {
				n = 0
				break
			}
			n = max(n, k)
		}
		cols[c].dict = n
	}
}
