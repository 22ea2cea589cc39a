package parquet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

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
// evaluates exactly (of preds, the morsel's and its dynamic bounds');
// cols are the morsel's columns by decoded position.
// A predicate the row group's statistics show every row satisfies (a
// join's key range over the whole table, often) is not evaluated.
func (m *Morsel) rowPredsFor(preds []storage.Pred, decoded []int, kinds []flatKind) []rowPred {
	var out []rowPred
	md := m.d.meta(m.path)
	for _, p := range preds {
		if p.CastTo != nil || p.Col >= m.d.nFile {
			continue
		}
		if p.KeepNulls && (md == nil || !m.d.rowGroupNoNulls(md.RowGroup(m.rowGroup), m.leaves, p.Col)) {
			continue // the row filter drops NULLs; this one must keep them
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
			case "keys":
				if kinds[k] != flatString {
					out = append(out, rowPred{k: k, Pred: p})
				}
			}
		}
	}
	return withoutImplied(out)
}

// withoutImplied drops the bounds a key set on the same column implies:
// a join filter sends its keys' range beside the keys (for sources that
// take only ranges), and testing the range again cost a tenth of a scan
// the keys already select.
func withoutImplied(rps []rowPred) []rowPred {
	type span struct{ lo, hi int64 }
	var sets map[int]span
	for _, rp := range rps {
		if rp.Op == "keys" && rp.Keys != nil {
			if lo, hi, ok := rp.Keys.Range(); ok {
				if sets == nil {
					sets = map[int]span{}
				}
				sets[rp.k] = span{lo, hi}
			}
		}
	}
	if sets == nil {
		return rps
	}
	out := rps[:0]
	for _, rp := range rps {
		if sp, ok := sets[rp.k]; ok && len(rp.Vals) == 1 {
			if v, known := storage.KeyInt(rp.Vals[0]); known {
				implied := false
				switch rp.Op {
				case ">=":
					implied = sp.lo >= v
				case ">":
					implied = sp.lo > v
				case "<=":
					implied = sp.hi <= v
				case "<":
					implied = sp.hi < v
				}
				if implied {
					continue
				}
			}
		}
		out = append(out, rp)
	}
	return out
}

// selectRows evaluates the predicates over the morsel's rows in ranges
// (n of them) and returns the rows passing all it evaluates, ascending.
// A text predicate is tested on the column's pages (once per dictionary
// entry); the others on the column decoded whole, left in flat[k] for
// the caller. A predicate not evaluated here is skipped: the rest are
// conjuncts too.
func (m *Morsel) selectRows(rgr *file.RowGroupReader, src io.ReaderAt, fmd *metadata.FileMetaData, rps []rowPred, decoded []int, kinds []flatKind, scales []int64, fields []arrow.Field, ranges []rowRange, flat []arrow.Array, lazy []lazyFlat, n int) ([]int32, error) {
	if sel, ok := m.selectDirect(rgr, src, fmd, rps, decoded, kinds, fields, ranges, flat, lazy, n); ok {
		return sel, nil
	}
	keep := keepFlags(n) // 1: the row passes so far
	defer keepPool.Put(&keep)
	done := make([]bool, len(rps)) // evaluated with another of its column
	for j, rp := range rps {
		if done[j] {
			continue
		}
		i := decoded[rp.k]
		leaf := m.leaves[m.cols[i]][0]
		if src != nil && flat[rp.k] == nil {
			lz, err := evalIntDict(rgr, src, fmd, leaf, rps, j, done, kinds[rp.k], fields[i].Type, ranges, keep, nil)
			if err == nil {
				lazy[rp.k] = lz
				continue
			}
			// keep may be partly cleared, rightly: the column is read
			// whole below and each of its predicates applied again
			for k := j; k < len(rps); k++ {
				if rps[k].k == rp.k {
					done[k] = false
				}
			}
		}
		if kinds[rp.k] == flatString && src != nil {
			if t, ok := newStrTest(rp.Pred); ok {
				maxDef := rgr.MetaData().Schema.Column(leaf).MaxDefinitionLevel()
				if pr, err := newPageReader(src, fmd, rgr.MetaData(), leaf, maxDef); err == nil {
					err = evalStringPages(pr, ranges, t, keep)
					pr.release()
					if err == nil {
						continue
					}
					// keep may be partly cleared by a pass that failed
					// midway: no selection at all (the plan filters)
					return nil, nil
				}
			}
		}
		if flat[rp.k] == nil {
			var err error
			if flat[rp.k], err = readFlat(rgr, src, fmd, leaf, kinds[rp.k], scales[rp.k], fields[i].Type, ranges, nil); err != nil {
				return nil, fmt.Errorf("column %s: %w", fields[i].Name, err)
			}
		}
		evalPred(rp.Pred, flat[rp.k], keep)
	}
	return selection(keep), nil
}

// selectDirect is selectRows for predicates all on one column that its
// dictionary answers, page by page: the rows that pass are listed as the
// indices are read, with no pass flags to fill, clear and scan (a fifth
// of a one-year l_shipdate scan went to those). False when that does
// not apply; nothing is changed then.
func (m *Morsel) selectDirect(rgr *file.RowGroupReader, src io.ReaderAt, fmd *metadata.FileMetaData, rps []rowPred, decoded []int, kinds []flatKind, fields []arrow.Field, ranges []rowRange, flat []arrow.Array, lazy []lazyFlat, n int) ([]int32, bool) {
	k := rps[0].k
	for _, rp := range rps {
		if rp.k != k {
			return nil, false
		}
	}
	if src == nil || flat[k] != nil {
		return nil, false
	}
	i := decoded[k]
	leaf := m.leaves[m.cols[i]][0]
	// only where every page will do (else the pages listed before one
	// that does not are decoded twice): the whole row group, of a
	// dictionary chunk its statistics say holds no NULLs
	rgm := rgr.MetaData()
	if len(ranges) != 1 || ranges[0].start != 0 || ranges[0].end != rgm.NumRows() {
		return nil, false
	}
	cc, err := rgm.ColumnChunk(leaf)
	if err != nil || !cc.HasDictionaryPage() {
		return nil, false
	}
	if rgm.Schema.Column(leaf).MaxDefinitionLevel() > 0 {
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasNullCount() || st.NullCount() > 0 {
			return nil, false
		}
	}
	scratch := selScratch(n)
	defer selPool.Put(&scratch)
	so := &selOut{rows: scratch}
	done := make([]bool, len(rps))
	lz, err := evalIntDict(rgr, src, fmd, leaf, rps, 0, done, kinds[k], fields[i].Type, ranges, nil, so)
	if err != nil {
		return nil, false
	}
	for _, d := range done {
		if !d {
			lz.release()
			return nil, false
		}
	}
	lazy[k] = lz
	// the listing is as long as the rows that pass (it lives with the
	// batch); the scratch goes back to the pool
	return append(make([]int32, 0, so.n), so.rows[:so.n]...), true
}

// selPool holds selectDirect's row listings (*[]int32) between morsels.
var selPool sync.Pool

// selScratch returns n rows of listing space.
func selScratch(n int) []int32 { return fromPool[int32](&selPool, n) }

// evalIntDict evaluates rps[j] and the other predicates of its column
// after it (marked in done) by the column's dictionary (evalIntPages);
// an error when the column is not an integer one, a predicate is not a
// comparison, IN list or key set, or the chunk is not evaluated there.
func evalIntDict(rgr *file.RowGroupReader, src io.ReaderAt, fmd *metadata.FileMetaData, leaf int, rps []rowPred, j int, done []bool, kind flatKind, want arrow.DataType, ranges []rowRange, keep []uint8, so *selOut) (lazyFlat, error) {
	var scale int32
	wide := false
	switch kind {
	case flatInt32, flatDate32, flatInt16From32:
	case flatInt64:
		wide = true
	case flatDecimal32, flatDecimal64:
		if _, ok := want.(*arrow.Decimal64Type); !ok {
			return nil, errNotDict
		}
		scale, wide = types.DecimalScale(want), kind == flatDecimal64
	default:
		return nil, errNotDict
	}
	var ps []storage.Pred
	for k := j; k < len(rps); k++ {
		if rps[k].k == rps[j].k {
			if rps[k].Op == "keys" && kind != flatInt32 && kind != flatDate32 && kind != flatInt16From32 && kind != flatInt64 {
				return nil, errNotDict // as evalPred: key sets of integers only
			}
			ps = append(ps, rps[k].Pred)
			done[k] = true
		}
	}
	t, ok := newIntTest(ps, scale)
	if !ok {
		return nil, errNotDict
	}
	maxDef := rgr.MetaData().Schema.Column(leaf).MaxDefinitionLevel()
	pr, err := newPageReader(src, fmd, rgr.MetaData(), leaf, maxDef)
	if err != nil {
		return nil, err
	}
	defer pr.release()
	if wide {
		d, err := evalIntPages[int64](pr, ranges, t, keep, so)
		if d == nil {
			return nil, err
		}
		return d, err
	}
	d, err := evalIntPages[int32](pr, ranges, t, keep, so)
	if d == nil {
		return nil, err
	}
	return d, err
}

// lazyFlat is a predicate's column as its evaluation read it, made an
// array once the selection is known (sel nil: every row).
type lazyFlat interface {
	array(kind flatKind, want arrow.DataType, sel []int32) arrow.Array
	release()
}

func (d *dictRows[T]) array(kind flatKind, want arrow.DataType, sel []int32) arrow.Array {
	switch vals := any(d.values(sel)).(type) {
	case []int32:
		return int32Array(kind, want, vals, nil, 0)
	case []int64:
		return types.NewFixedArray(want, vals, nil, 0)
	}
	panic("unreachable")
}

// selection lists the rows whose keep is 1.
// The slice is as long as the rows selected (it lives as long as the
// morsel's batch), so they are counted first.
// Eight rows at a time, their flags gathered into a byte whose set
// bits selPos lists: no step waits on the previous row's count.
func selection(keep []uint8) []int32 {
	sel := types.NoZero[int32](countKept(keep) + 8) // writes pass the count by up to 8
	c, i := 0, 0
	for ; i+8 <= len(keep); i += 8 {
		w := binary.LittleEndian.Uint64(keep[i:])
		if w == 0 {
			continue
		}
		// byte j's flag (bit 8j) moves to bit 56+j; no other product
		// term reaches those bits or carries into them
		m := uint8((w * 0x0102040810204080) >> 56)
		p := &selPos[m]
		o := sel[c : c+8 : c+8]
		b := int32(i)
		o[0], o[1], o[2], o[3] = b+int32(p[0]), b+int32(p[1]), b+int32(p[2]), b+int32(p[3])
		o[4], o[5], o[6], o[7] = b+int32(p[4]), b+int32(p[5]), b+int32(p[6]), b+int32(p[7])
		c += bits.OnesCount8(m)
	}
	for ; i < len(keep); i++ {
		sel[c] = int32(i)
		c += int(keep[i])
	}
	return sel[:c:c]
}

// selPos[m] lists m's set bits, lowest first.
var selPos = func() (t [256][8]uint8) {
	for m := range 256 {
		j := 0
		for b := range 8 {
			if m>>b&1 == 1 {
				t[m][j] = uint8(b)
				j++
			}
		}
	}
	return t
}()

// countKept counts keep's ones (each entry 0 or 1), eight at a time.
func countKept(keep []uint8) int {
	n := 0
	i := 0
	for ; i+8 <= len(keep); i += 8 {
		w := binary.LittleEndian.Uint64(keep[i:])
		// the eight bytes summed into the top byte
		n += int((w * 0x0101010101010101) >> 56)
	}
	for _, k := range keep[i:] {
		n += int(k)
	}
	return n
}

// keepPool holds row groups' pass flags (*[]uint8) between morsels:
// fresh ones per morsel were page faults at their first write.
var keepPool sync.Pool

// keepFlags returns n pass flags, all set.
func keepFlags(n int) []uint8 {
	keep := fromPool[uint8](&keepPool, n)
	if n > 0 {
		keep[0] = 1 // then doubled by copies (memmove, not a byte loop)
		for f := 1; f < n; f *= 2 {
			copy(keep[f:], keep[:f])
		}
	}
	return keep
}

// selectRowsOf evaluates preds over arrays (all n rows long): the rows
// passing all of them, ascending; false when one is not evaluated here.
func selectRowsOf(preds []rowPred, arrays []arrow.Array, n int) ([]int32, bool) {
	keep := keepFlags(n)
	defer keepPool.Put(&keep)
	for _, p := range preds {
		if !evalPred(p.Pred, arrays[p.k], keep) {
			return nil, false
		}
	}
	return selection(keep), true
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
	if p.Op == "keys" {
		switch x := a.(type) {
		case *array.Int32:
			inKeys(x.Int32Values(), p.Keys, keep)
		case *array.Date32:
			inKeys(types.Values[int32](x), p.Keys, keep)
		case *array.Int16:
			inKeys(x.Int16Values(), p.Keys, keep)
		case *array.Int64:
			inKeys(x.Int64Values(), p.Keys, keep)
		default:
			return false
		}
		dropNulls(a, keep)
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
	t, ok := newIntTest([]storage.Pred{p}, scale)
	if !ok {
		return false
	}
	runIntTest(t, vals[:len(keep)], keep)
	dropNulls(a, keep)
	return true
}

// intTest is a conjunction of comparisons, IN lists and key sets on one
// integer column, its constants at the column's scale.
type intTest struct {
	ops  []string
	cs   [][]int64
	keys []*types.KeyBits
}

// newIntTest is ps as an intTest over a column of the given decimal
// scale (0 for integers, dates); false when one of them is not exact
// there.
func newIntTest(ps []storage.Pred, scale int32) (intTest, bool) {
	var t intTest
	for _, p := range ps {
		var cs []int64
		switch p.Op {
		case "keys":
			if p.Keys == nil || scale != 0 {
				return intTest{}, false
			}
		case "=", "<", "<=", ">", ">=", "in":
			if len(p.Vals) == 0 {
				return intTest{}, false
			}
			cs = make([]int64, len(p.Vals))
			for i, v := range p.Vals {
				c, ok := intConst(v, scale)
				if !ok {
					return intTest{}, false
				}
				cs[i] = c
			}
		default:
			return intTest{}, false
		}
		t.ops = append(t.ops, p.Op)
		t.cs = append(t.cs, cs)
		t.keys = append(t.keys, p.Keys)
	}
	return t, len(t.ops) > 0
}

// runIntTest clears keep[i] where vals[i] fails t.
func runIntTest[T int16 | int32 | int64](t intTest, vals []T, keep []uint8) {
	vals = vals[:len(keep)]
	for j, op := range t.ops {
		var c int64
		if cs := t.cs[j]; len(cs) > 0 {
			c = cs[0]
		}
		switch op {
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
			inList(vals, t.cs[j], keep)
		case "keys":
			inKeys(vals, t.keys[j], keep)
		}
	}
}

// inKeys clears keep where the value is not in k.
func inKeys[T int16 | int32 | int64](vals []T, k *types.KeyBits, keep []uint8) {
	span := uint64(len(k.Bits)) * 64
	for i, v := range vals[:len(keep)] {
		d := uint64(int64(v)) - uint64(k.Lo)
		if d >= span {
			keep[i] = 0
			continue
		}
		keep[i] &= uint8(k.Bits[d/64] >> (d % 64) & 1)
	}
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

// strTest is a text predicate's test of one value (byte order).
type strTest struct {
	op string
	cs [][]byte
}

// newStrTest is p as a strTest; false when p's constants are not text
// or its operator is not a comparison or IN.
func newStrTest(p storage.Pred) (strTest, bool) {
	switch p.Op {
	case "=", "<", "<=", ">", ">=", "in":
	default:
		return strTest{}, false
	}
	if len(p.Vals) == 0 {
		return strTest{}, false
	}
	t := strTest{op: p.Op, cs: make([][]byte, len(p.Vals))}
	for i, v := range p.Vals {
		s, ok := v.(string)
		if !ok {
			return strTest{}, false
		}
		t.cs[i] = []byte(s)
	}
	return t, true
}

func (t strTest) test(v []byte) bool {
	if t.op == "in" {
		for _, c := range t.cs {
			if bytes.Equal(v, c) {
				return true
			}
		}
		return false
	}
	r := bytes.Compare(v, t.cs[0])
	switch t.op {
	case "=":
		return r == 0
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	}
	return r >= 0
}

func cmpStrings(p storage.Pred, a *array.String, keep []uint8) bool {
	t, ok := newStrTest(p)
	if !ok {
		return false
	}
	offs, data := types.StringWindow(a)
	for i := range keep {
		if keep[i] != 0 {
			keep[i] = b2u(t.test(data[offs[i]:offs[i+1]]))
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
