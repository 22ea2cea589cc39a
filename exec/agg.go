package exec

import (
	"encoding/binary"
	"math"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/types"
)

// AggSpec is one aggregate call of a HashAgg.
type AggSpec struct {
	Name     string // the aggregate's name (sum, count, …)
	Func     *functions.AggOverload
	Args     []expr.Expr
	ArgT     []types.T
	Ret      types.T
	Distinct bool
	Filter   expr.Expr
	// OrderBy: ordered aggregates (string_agg(x ORDER BY y), WITHIN GROUP).
	OrderBy    []expr.Expr
	OrderDesc  []bool
	OrderNulls []bool // nulls first
}

func (s *AggSpec) newAcc() functions.Accumulator {
	if countDistinctIntsFor(s) && s.Ret.Kind == types.Int8 {
		return &countDistinctInts{}
	}
	inner := s.Func.New(s.ArgT, s.Ret)
	if s.Distinct || len(s.OrderBy) > 0 {
		return &bufferedAcc{spec: s, inner: func() functions.Accumulator { return s.Func.New(s.ArgT, s.Ret) }}
	}
	return inner
}

// HashAgg groups rows by key expressions and computes aggregates. With
// several grouping sets, each set has its own table; keys outside a set
// are NULL and GroupingID holds the GROUPING() bitmask.
type HashAgg struct {
	Label     string
	Keys      []expr.Expr
	KeyT      []types.T
	Aggs      []AggSpec
	Sets      [][]int // indices into Keys; nil = one set of all keys
	WithGID   bool    // append a grouping-id column
	OutSchema *arrow.Schema

	mu     sync.Mutex
	global []*aggTable
	out    []arrow.Record
	// spill is the rows spilled past the memory limit (agg_spill.go)
	spillOnce sync.Once
	spill     *aggSpill

	// dicts code the values of text group keys (per key column, shared by
	// all workers so codes agree at Combine), letting one or two keys of
	// text and small integers take the integer table
	dictOnce sync.Once
	dicts    []*strDict

	// Pack, when the planner knows every key's range, packs them into
	// one int64 (agg_pack.go); nil keeps intKeys' one or two keys
	Pack     []PackField
	packOnce sync.Once
	pack     *aggPack

	// ByMorsel, when set, lets a worker emit its groups at the end of a
	// morsel (agg_morsel.go); early holds them until Finalize
	ByMorsel *ByMorsel
	early    []arrow.Record

	// Mask: the input is masked (mask.go): rows its mask rejects join no
	// group and feed no aggregate
	Mask bool

	// lead is leaders' answer, made once
	leadOnce sync.Once
	lead     []int

	// keeps is keepsRows' answer (agg_spill.go), made once
	keepsOnce sync.Once
	keeps     bool
	// derive is deriveFrom's answer (agg_sets.go), made once
	deriveOnce sync.Once
	derive     []int

	// EstGroups is the planner's estimate of a grouping set's groups: a
	// table that takes the encoded-key path sizes its map for it once,
	// instead of growing it by rehashing (0: no estimate)
	EstGroups int
}

// maxPresize bounds the groups a map is sized for up front.
const maxPresize = 1 << 18

// strDict numbers distinct strings; safe for concurrent use.
type strDict struct {
	mu    sync.Mutex
	codes map[string]int32
	vals  []string
}

// oneByteEach reports whether every value of offsets is one byte long.
// As many bytes as values is not enough: empty values and longer ones
// can add up to it (found by the fuzzer: four empty strings, "ong", "%b"
// and "'y").
func oneByteEach(offs []int32) bool {
	for i := 1; i < len(offs); i++ {
		if offs[i]-offs[i-1] != 1 {
			return false
		}
	}
	return true
}

// encode returns a's codes as an Int32 array with a's validity. The
// worker's cache local (strcodes.go) answers the values it has seen; the
// shared map, under its lock, only the others: the workers no longer
// take turns holding it (GROUP BY a 20-value text column ran on one core,
// one of 100,000 values at 400 ns a row). local nil: a cache for this
// batch alone.
func (d *strDict) encode(a *array.String, local *strCodes) arrow.Array {
	n := a.Len()
	out := make([]int32, n)
	nulls := a.NullN() > 0
	offs, data := types.StringWindow(a)
	var byByte [256]int32 // code+1 of a one-byte string
	if !nulls && n > 0 && int(offs[n]-offs[0]) == n && oneByteEach(offs[:n+1]) {
		// every value one byte (flags, codes): the bytes are the values
		bs := data[offs[0] : int(offs[0])+n]
		for i, b := range bs {
			c := byByte[b]
			if c == 0 {
				c = d.code(bs[i:i+1]) + 1
				byByte[b] = c
			}
			out[i] = c - 1
		}
		return types.NewFixedArray(arrow.PrimitiveTypes.Int32, out, nil, 0)
	}
	if local == nil {
		local = newStrCodes()
	}
	for i := 0; i < n; i++ {
		if nulls && a.IsNull(i) {
			continue
		}
		v := data[offs[i]:offs[i+1]]
		if len(v) == 1 {
			c := byByte[v[0]]
			if c == 0 {
				c = d.code(v) + 1
				byByte[v[0]] = c
			}
			out[i] = c - 1
			continue
		}
		c := local.find(v)
		if c < 0 {
			c = d.code(v)
			local.put(v, c)
		}
		out[i] = c
	}
	return types.NewFixedArray(arrow.PrimitiveTypes.Int32, out, types.ValidityBits(a), a.NullN())
}

// code is v's code, v numbered now if new (v is copied: the batch's
// buffer is not kept alive).
func (d *strDict) code(v []byte) int32 {
	d.mu.Lock()
	defer d.mu.Unlock() // deferred: a panic must not leave the other workers waiting
	c, ok := d.codes[string(v)]
	if !ok {
		c = int32(len(d.vals))
		s := string(v)
		d.codes[s] = c
		d.vals = append(d.vals, s)
	}
	return c
}

func (d *strDict) value(code int64) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.vals[code]
}

// keyDicts returns the per-key-column dictionaries (nil entries for keys
// that are not coded): text keys are coded when every grouping set has at
// most two keys, each text or a 32-bit-or-narrower integer, so that codes
// and integers pack into one int64 (intKeys).
func (h *HashAgg) keyDicts() []*strDict {
	h.dictOnce.Do(func() {
		isText := func(t types.T) bool { return t.Kind == types.Text || t.Kind == types.Varchar }
		narrow := func(t types.T) bool {
			return t.Kind == types.Int2 || t.Kind == types.Int4 || t.Kind == types.Date
		}
		anyText := false
		if h.packing() != nil {
			// the layout has a field for each text key's codes
			h.dicts = make([]*strDict, len(h.Keys))
			for k, t := range h.KeyT {
				if isText(t) {
					h.dicts[k] = &strDict{codes: map[string]int32{}}
				}
			}
			return
		}
		for _, set := range h.sets() {
			if len(set) > 2 {
				return
			}
			for _, k := range set {
				switch t := h.KeyT[k]; {
				case isText(t):
					anyText = true
				case len(set) == 2 && !narrow(t):
					return
				}
			}
		}
		if !anyText {
			return
		}
		h.dicts = make([]*strDict, len(h.Keys))
		for k, t := range h.KeyT {
			if isText(t) {
				h.dicts[k] = &strDict{codes: map[string]int32{}}
			}
		}
	})
	return h.dicts
}

type aggTable struct {
	set    []int
	groups map[string]int32
	// ints maps integer keys packed into int64 (rows without NULL keys).
	// Group g is either such a packed key, ikeys[g], unpacked only at
	// Finalize; or, when slow[g], a row of key values, keyRows[ikeys[g]]
	// (full width, NULL outside set). Flat slices without pointers keep
	// millions of groups cheap to grow and to scan for the GC.
	ints    *int64Table
	ikeys   []int64
	slow    []bool
	keyRows [][]types.Value
	accs    []functions.Accumulator
	// codes[k] caches text key k's dictionary codes for this table's
	// worker (strcodes.go); made on first use
	codes []*strCodes
	// follows[a]: accs[a] finalizes another's state (leaders) and is
	// neither updated nor merged
	follows []bool
	// derived: the set's groups are made at Finalize from a finer set's
	// (agg_sets.go), not from rows
	derived bool
}

// ngroups is the number of groups.
func (t *aggTable) ngroups() int { return len(t.ikeys) }

// addGroup appends a group, by key values (row) or packed key, and
// returns its number.
func (t *aggTable) addGroup(row []types.Value, ikey int64) int32 {
	g := int32(len(t.ikeys))
	if row != nil {
		t.ikeys = append(t.ikeys, int64(len(t.keyRows)))
		t.keyRows = append(t.keyRows, row)
		t.slow = append(t.slow, true)
	} else {
		t.ikeys = append(t.ikeys, ikey)
		t.slow = append(t.slow, false)
	}
	return g
}

// group returns what addGroup was given for group g.
func (t *aggTable) group(g int32) ([]types.Value, int64) {
	if t.slow[g] {
		return t.keyRows[t.ikeys[g]], 0
	}
	return nil, t.ikeys[g]
}

// keyValue returns group g's value of key column k.
func (t *aggTable) keyValue(h *HashAgg, g, k int) types.Value {
	if t.slow[g] {
		return t.keyRows[t.ikeys[g]][k]
	}
	pos := -1
	for i, c := range t.set {
		if c == k {
			pos = i
		}
	}
	if pos < 0 {
		return nil
	}
	v := t.ikeys[g]
	if p := h.packing(); p != nil {
		v = p.unpack(v, k)
	} else if len(t.set) == 2 { // two narrow keys packed high|low (intKeys)
		if pos == 0 {
			v = int64(int32(uint64(v) >> 32))
		} else {
			v = int64(int32(uint32(v)))
		}
	}
	if h.dicts != nil && h.dicts[k] != nil {
		return h.dicts[k].value(v)
	}
	switch h.KeyT[k].Kind {
	case types.Date:
		return types.DateVal(v)
	case types.Numeric: // an unscaled decimal (groupInts)
		return types.Decimal{V: decimal128.FromI64(v), Scale: h.KeyT[k].Scale}
	}
	return v
}

func (h *HashAgg) sets() [][]int {
	if h.Sets != nil {
		return h.Sets
	}
	all := make([]int, len(h.Keys))
	for i := range all {
		all[i] = i
	}
	return [][]int{all}
}

func (h *HashAgg) newTables() []*aggTable {
	derived := h.deriveFrom()
	var ts []*aggTable
	for i, set := range h.sets() {
		t := h.newTable(set)
		t.derived = derived[i] >= 0
		ts = append(ts, t)
	}
	return ts
}

// newTable is an empty table of one grouping set, built from rows.
func (h *HashAgg) newTable(set []int) *aggTable {
	leaders := h.leaders()
	t := &aggTable{set: set, groups: map[string]int32{}, follows: make([]bool, len(h.Aggs))}
	for i := range h.Aggs {
		t.accs = append(t.accs, h.Aggs[i].newAcc())
		if l := leaders[i]; l >= 0 {
			if sh, ok := t.accs[i].(functions.Sharer); ok {
				t.follows[i] = sh.Share(t.accs[l])
			}
		}
	}
	return t
}

// sameColumn reports whether x and y read the same input column (names
// do not tell: an eager aggregation's partial sums are all "sum").
func sameColumn(x, y expr.Expr) bool {
	cx, ok1 := x.(*expr.Col)
	cy, ok2 := y.(*expr.Col)
	return ok1 && ok2 && cx.Idx == cy.Idx
}

// leaders gives each aggregate the earlier one whose state it can share
// (functions.Sharer: sum and avg of one argument), or -1.
func (h *HashAgg) leaders() []int {
	h.leadOnce.Do(func() {
		h.lead = make([]int, len(h.Aggs))
		for i := range h.Aggs {
			h.lead[i] = -1
			a := &h.Aggs[i]
			if (a.Name != "sum" && a.Name != "avg") || a.Distinct || a.Filter != nil || len(a.OrderBy) > 0 || len(a.Args) != 1 {
				continue
			}
			for j := 0; j < i; j++ {
				b := &h.Aggs[j]
				if (b.Name == "sum" || b.Name == "avg") && !b.Distinct && b.Filter == nil && len(b.OrderBy) == 0 && len(b.Args) == 1 &&
					h.lead[j] < 0 && b.ArgT[0].Equal(a.ArgT[0]) && sameColumn(a.Args[0], b.Args[0]) {
					h.lead[i] = j
					break
				}
			}
		}
	})
	return h.lead
}

func (h *HashAgg) Name() string  { return h.Label }
func (h *HashAgg) NewLocal() any { return &aggLocal{tables: h.newTables()} }

func (h *HashAgg) Consume(ctx *Ctx, local any, in arrow.Record) error {
	l := local.(*aggLocal)
	if l.spill {
		if h.Mask {
			in = unmask(in)
		}
		return h.consumeSpilling(ctx, l, in)
	}
	var skip []int32
	if h.ByMorsel != nil {
		var err error
		if skip, err = h.edges(ctx, l, in); err != nil {
			return err
		}
		if skip != nil {
			l.edge = append(l.edge, expr.SubRecord(in, skip))
		}
	}
	return h.consume(ctx, l.tables, in, func(n int64) error { return h.grow(ctx, l, n) }, skip)
}

// evalKeys evaluates the group keys over a batch.
func (h *HashAgg) evalKeys(ctx *Ctx, in arrow.Record) ([]arrow.Array, error) {
	keyCols := make([]arrow.Array, len(h.Keys))
	for i, k := range h.Keys {
		c, err := k.Eval(ctx.Expr, in)
		if err != nil {
			return nil, err
		}
		keyCols[i] = c
	}
	return keyCols, nil
}

// setKeys are a table's key columns as it looks them up: text keys
// coded through the shared dictionaries where they are.
func (h *HashAgg) setKeys(t *aggTable, keyCols []arrow.Array) ([]arrow.Array, []types.T) {
	cols := make([]arrow.Array, len(t.set))
	ts := make([]types.T, len(t.set))
	dicts := h.keyDicts()
	for i, k := range t.set {
		cols[i], ts[i] = keyCols[k], h.KeyT[k]
		if dicts != nil && dicts[k] != nil {
			if sa, ok := cols[i].(*array.String); ok {
				if t.codes == nil {
					t.codes = make([]*strCodes, len(h.Keys))
				}
				if t.codes[k] == nil {
					t.codes[k] = newStrCodes()
				}
				cols[i] = dicts[k].encode(sa, t.codes[k])
			}
		}
	}
	return cols, ts
}

// consume folds a batch into tables; grow reserves the memory of new
// groups.
//
// Rows skip lists (ascending) are left out, as are those a mask rejects.
func (h *HashAgg) consume(ctx *Ctx, tables []*aggTable, in arrow.Record, grow func(int64) error, skip []int32) error {
	n := int(in.NumRows())
	var keep []byte // the rows that count; nil: all
	if h.Mask {
		keep, _ = maskOf(in)
	}
	if len(skip) > 0 {
		if keep == nil {
			keep = allTrueBits(n)
		} else {
			keep = append([]byte(nil), keep...)
		}
		for _, i := range skip {
			keep[i>>3] &^= 1 << (i & 7)
		}
	}
	// an error on a masked batch may come from a row the mask rejects:
	// only the rows that count decide
	retry := func(err error) error {
		if keep == nil {
			return err
		}
		live := bitutil.CountSetBits(keep, 0, n)
		if live == n {
			return err
		}
		c := selectBits(in, keep, live)
		if masked(c) {
			cols := c.Columns()
			cols[len(cols)-1] = allTrue(live)
			c = array.NewRecord(c.Schema(), cols, int64(live))
		}
		return h.consume(ctx, tables, c, grow, nil)
	}
	dead := func(i int) bool { return keep != nil && keep[i>>3]&(1<<(i&7)) == 0 }
	keyCols, err := h.evalKeys(ctx, in)
	if err != nil {
		return retry(err)
	}
	argCols := make([][]arrow.Array, len(h.Aggs))
	filters := make([][]bool, len(h.Aggs))
	for a := range h.Aggs {
		if len(tables) > 0 && tables[0].follows[a] {
			continue // its leader's arguments are the same
		}
		spec := &h.Aggs[a]
		for _, e := range spec.Args {
			c, err := e.Eval(ctx.Expr, in)
			if err != nil {
				return retry(err)
			}
			argCols[a] = append(argCols[a], c)
		}
		for _, e := range spec.OrderBy {
			c, err := e.Eval(ctx.Expr, in)
			if err != nil {
				return retry(err)
			}
			argCols[a] = append(argCols[a], c)
		}
		if spec.Filter != nil {
			m, err := spec.Filter.Eval(ctx.Expr, in)
			if err != nil {
				return retry(err)
			}
			b := m.(*array.Boolean)
			f := make([]bool, n)
			for i := range f {
				f[i] = b.IsValid(i) && b.Value(i)
			}
			filters[a] = f
		}
	}
	for _, t := range tables {
		if t.derived {
			continue // built at Finalize from a finer set (agg_sets.go)
		}
		// no keys and no mask: every row is group 0, and the group numbers
		// are made only for an accumulator that needs them (count(*) of a
		// scan with no columns made and cleared 32 KB a batch for nothing)
		var groups []int32
		if len(t.set) == 0 {
			if t.ngroups() == 0 {
				t.addGroup(make([]types.Value, len(h.Keys)), 0)
				t.groups[""] = 0
			}
			if keep != nil {
				groups = make([]int32, n)
				for i := range groups {
					if dead(i) {
						groups[i] = -1
					}
				}
			}
		} else {
			groups = make([]int32, n)
			cols, ts := h.setKeys(t, keyCols)
			newGroup := func(i int) (int32, error) {
				row := make([]types.Value, len(h.Keys))
				for _, k := range t.set {
					row[k] = types.GetValue(h.KeyT[k], keyCols[k], i)
				}
				return t.addGroup(row, 0), grow(96)
			}
			ik, inulls, intOK := h.groupInts(t, cols, n)
			if intOK {
				if t.ints == nil {
					t.ints = newDenseInt64Table()
				}
				var rest []int
				added := 0
				// sorted or clustered input repeats keys: the last key's
				// group is remembered before the table is probed
				lastK, lastG := int64(0), int32(-1)
				for i := 0; i < n; i++ {
					if dead(i) {
						groups[i] = -1
						continue
					}
					if inulls != nil && inulls[i] {
						rest = append(rest, i)
						continue
					}
					k := ik[i]
					if k == lastK && lastG >= 0 {
						groups[i] = lastG
						continue
					}
					g, isNew := t.ints.GetOrPut(k, int32(t.ngroups()))
					if isNew {
						t.addGroup(nil, k)
						added++
					}
					groups[i] = g
					lastK, lastG = k, g
				}
				if err := grow(int64(added) * 48); err != nil {
					return err
				}
				if len(rest) > 0 {
					keys := make([][]byte, n)
					nulls := make([]bool, n)
					encodeKeys(cols, ts, n, keys, nulls)
					for _, i := range rest {
						g, ok := t.groups[string(keys[i])]
						if !ok {
							var err error
							if g, err = newGroup(i); err != nil {
								return err
							}
							t.groups[string(keys[i])] = g
						}
						groups[i] = g
					}
				}
				goto aggregate
			}
			keys := make([][]byte, n)
			nulls := make([]bool, n)
			encodeKeys(cols, ts, n, keys, nulls)
			if len(t.groups) == 0 && h.EstGroups > 64 {
				t.groups = make(map[string]int32, min(h.EstGroups, maxPresize))
			}
			// new groups' memory is reserved once per batch: a reservation
			// per group made the shared counter a point of contention
			var added int64
			for i := 0; i < n; i++ {
				if dead(i) {
					groups[i] = -1
					continue
				}
				g, ok := t.groups[string(keys[i])]
				if !ok {
					row := make([]types.Value, len(h.Keys))
					for _, k := range t.set {
						row[k] = types.GetValue(h.KeyT[k], keyCols[k], i)
					}
					g = t.addGroup(row, 0)
					t.groups[string(keys[i])] = g
					added += int64(len(keys[i]) + 64)
				}
				groups[i] = g
			}
			if err := grow(added); err != nil {
				return err
			}
		}
	aggregate:
		ng := t.ngroups()
		whole := len(t.set) == 0 && keep == nil // every row in group 0
		for a, acc := range t.accs {
			if t.follows[a] {
				continue
			}
			if o, ok := acc.(functions.OneGroup); ok && whole && filters[a] == nil && o.UpdateOne(n, argCols[a]) {
				continue
			}
			gs := groups
			switch {
			case gs == nil:
				gs = make([]int32, n) // all in group 0
			case filters[a] != nil:
				gs = append([]int32(nil), groups...)
			}
			if filters[a] != nil {
				for i, ok := range filters[a] {
					if !ok {
						gs[i] = -1
					}
				}
			}
			if err := acc.Update(gs, ng, argCols[a]); err != nil {
				return err
			}
			if b, ok := acc.(keeper); ok {
				// the rows a DISTINCT or ordered aggregate keeps count
				// against the limit like groups do
				if n := b.TakeAdded(); n > 0 {
					if err := grow(n); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

func (h *HashAgg) Combine(ctx *Ctx, local any) error {
	l := local.(*aggLocal)
	if err := h.finishParts(ctx, l); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.mergeTables(l.tables); err != nil {
		return err
	}
	// rows of keys two morsels share (agg_morsel.go) meet here
	for _, r := range l.edge {
		if err := h.consume(ctx, h.global, r, func(n int64) error { ctx.Mem.Force(n); return nil }, nil); err != nil {
			return err
		}
	}
	l.edge = nil
	return nil
}

// mergeTables folds a worker's tables into the merged ones (h.mu held).
func (h *HashAgg) mergeTables(tables []*aggTable) error {
	if h.global == nil {
		h.global = tables
		return nil
	}
	for ti, lt := range tables {
		gt := h.global[ti]
		mapping := make([]int32, lt.ngroups())
		var kb []byte
		for k, g := range lt.groups {
			kb = kb[:0]
			gg, ok := gt.groups[k]
			if !ok {
				gg = gt.addGroup(lt.group(g))
				gt.groups[k] = gg
			}
			mapping[g] = gg
		}
		if lt.ints != nil && gt.ints == nil {
			if lt.ints.isDense {
				gt.ints = newDenseInt64Table()
			} else {
				gt.ints = newInt64Table(lt.ints.Len())
			}
		}
		if lt.ints != nil {
			if gt.ints.isDense && !lt.ints.isDense {
				gt.ints.undense() // sized below, not grown key by key in lt's hash order
			}
			gt.ints.reserve(max(gt.ints.Len()+lt.ints.Len(), len(lt.ints.slots)/2))
			lt.ints.Each(func(k int64, g int32) {
				gg, added := gt.ints.GetOrPut(k, int32(gt.ngroups()))
				if added {
					gt.addGroup(nil, k)
				}
				mapping[g] = gg
			})
		}
		if err := gt.mergeAccs(lt, mapping); err != nil {
			return err
		}
	}
	return nil
}

// mergeAccs folds src's accumulator states into t's, src's group g into
// t's group mapping[g] (followers share their leader's state).
func (t *aggTable) mergeAccs(src *aggTable, mapping []int32) error {
	for a := range t.accs {
		if t.follows[a] {
			continue
		}
		if err := t.accs[a].Merge(src.accs[a], mapping, t.ngroups()); err != nil {
			return err
		}
	}
	return nil
}

func (h *HashAgg) Finalize(ctx *Ctx) error {
	if h.global == nil {
		h.global = h.newTables()
	}
	h.out, h.early = h.early, nil
	if err := h.deriveSets(ctx); err != nil {
		return err
	}
	if h.spilledRuns() {
		return h.startPartitions(ctx) // the result comes partition by partition
	}
	h.spill, h.spillOnce = nil, sync.Once{}
	for _, t := range h.global {
		// a global aggregate (empty set) yields one row even without input
		if len(t.set) == 0 && t.ngroups() == 0 {
			t.addGroup(make([]types.Value, len(h.Keys)), 0)
		}
		recs, err := h.tableOutput(ctx, t, t.ngroups(), t.ngroups())
		if err != nil {
			return err
		}
		h.out = append(h.out, recs...)
	}
	return nil
}

// tableOutput is the result rows of a table's first ng groups (its
// accumulators may hold more: a spilling merge's discarded group).
func (h *HashAgg) tableOutput(ctx *Ctx, t *aggTable, ng, accGroups int) ([]arrow.Record, error) {
	var out []arrow.Record
	{
		if ng == 0 {
			return nil, nil
		}
		cols := make([]arrow.Array, 0, h.OutSchema.NumFields())
		for k := range h.Keys {
			if a, ok := h.intKeyColumn(t, k, ng); ok {
				cols = append(cols, a)
				continue
			}
			vals := make([]types.Value, ng)
			for g := 0; g < ng; g++ {
				vals[g] = t.keyValue(h, g, k)
			}
			cols = append(cols, types.BuildArray(h.KeyT[k], vals))
		}
		for a, acc := range t.accs {
			r, err := acc.Finalize(accGroups)
			if err != nil {
				return nil, err
			}
			if r.Len() > ng {
				r = array.NewSlice(r, 0, int64(ng))
			}
			if !arrow.TypeEqual(r.DataType(), h.Aggs[a].Ret.Arrow()) {
				if r, err = expr.CastArray(ctx.Expr, r, mustFromArrow(r.DataType()), h.Aggs[a].Ret); err != nil {
					return nil, err
				}
			}
			cols = append(cols, r)
		}
		if h.WithGID {
			gid := int64(0)
			in := map[int]bool{}
			for _, k := range t.set {
				in[k] = true
			}
			for k := range h.Keys {
				gid <<= 1
				if !in[k] {
					gid |= 1
				}
			}
			cols = append(cols, types.ConstArray(types.Int8T, gid, ng))
		}
		rec := array.NewRecord(h.OutSchema, cols, int64(ng))
		for start := int64(0); start < rec.NumRows(); start += BatchSize {
			out = append(out, rec.NewSlice(start, min(start+BatchSize, rec.NumRows())))
		}
	}
	return out, nil
}

// intKeyColumn is key column k of t's first ng groups built straight
// from their integer keys, when t groups by k alone, as a plain integer
// or date (not packed, not dictionary codes) and every group has such a
// key: no boxed value per group (q18 at SF 10 has 15 million).
func (h *HashAgg) intKeyColumn(t *aggTable, k, ng int) (arrow.Array, bool) {
	if len(t.set) != 1 || t.set[0] != k || h.packing() != nil || h.dicts != nil && h.dicts[k] != nil || len(t.ikeys) < ng {
		return nil, false
	}
	for _, slow := range t.slow[:ng] {
		if slow {
			return nil, false
		}
	}
	keys := t.ikeys[:ng]
	dt := h.KeyT[k].Arrow()
	switch h.KeyT[k].Kind {
	case types.Int8:
		return types.NewFixedArray(dt, append([]int64(nil), keys...), nil, 0), true
	case types.Int4, types.Date:
		out := types.NoZero[int32](ng)
		for i, v := range keys {
			out[i] = int32(v)
		}
		return types.NewFixedArray(dt, out, nil, 0), true
	case types.Int2:
		out := types.NoZero[int16](ng)
		for i, v := range keys {
			out[i] = int16(v)
		}
		return types.NewFixedArray(dt, out, nil, 0), true
	case types.Numeric: // unscaled (groupInts)
		switch dt.(type) {
		case *arrow.Decimal64Type:
			out := types.NoZero[decimal.Decimal64](ng)
			for i, v := range keys {
				out[i] = decimal.Decimal64(v)
			}
			return types.NewFixedArray(dt, out, nil, 0), true
		case *arrow.Decimal128Type:
			out := types.NoZero[decimal128.Num](ng)
			for i, v := range keys {
				out[i] = decimal128.FromI64(v)
			}
			return types.NewFixedArray(dt, out, nil, 0), true
		}
	}
	return nil, false
}

// AsSource reads the aggregate's result: from memory, or partition by
// partition when it spilled.
func (h *HashAgg) AsSource() Source { return &aggSource{h: h} }

// bufferedAcc implements DISTINCT and ordered aggregates: it keeps each
// group's argument rows, then feeds them (deduplicated and/or sorted) to
// a fresh accumulator at Finalize.
type bufferedAcc struct {
	spec  *AggSpec
	inner func() functions.Accumulator
	rows  [][][]types.Value
	seen  []map[string]struct{}
	// added is the bytes kept since the owner last took the count
	added int64
}

// keeper is an accumulator that keeps rows or values (DISTINCT, ordered
// aggregates, array_agg, string_agg): the memory it added since the last
// call counts against the query's limit.
type keeper = functions.Grower

func (b *bufferedAcc) TakeAdded() int64 {
	n := b.added
	b.added = 0
	return n
}

func (b *bufferedAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	b.rows = grow(b.rows, nGroups)
	b.seen = grow(b.seen, nGroups)
	nArgs := len(b.spec.Args)
	ts := append(append([]types.T{}, b.spec.ArgT...), make([]types.T, len(args)-nArgs)...)
	for j := nArgs; j < len(args); j++ {
		ts[j] = mustFromArrow(args[j].DataType())
	}
	var key []byte
	for i, g := range groups {
		if g < 0 {
			continue
		}
		row := make([]types.Value, len(args))
		for j, a := range args {
			row[j] = types.GetValue(ts[j], a, i)
		}
		if b.spec.Distinct {
			if b.seen[g] == nil {
				b.seen[g] = map[string]struct{}{}
			}
			key = appendRowKey(key[:0], row[:nArgs])
			if _, dup := b.seen[g][string(key)]; dup {
				continue
			}
			b.seen[g][string(key)] = struct{}{}
			b.added += int64(len(key)) + 48
		}
		b.rows[g] = append(b.rows[g], row)
		b.added += 16*int64(len(row)) + 24
		for _, v := range row {
			if s, ok := v.(string); ok {
				b.added += int64(len(s))
			}
		}
	}
	return nil
}

func grow[E any](s []E, n int) []E {
	for len(s) < n {
		var z E
		s = append(s, z)
	}
	return s
}

func (b *bufferedAcc) Merge(o functions.Accumulator, mapping []int32, nGroups int) error {
	b.rows = grow(b.rows, nGroups)
	b.seen = grow(b.seen, nGroups)
	ot := o.(*bufferedAcc)
	nArgs := len(b.spec.Args)
	for g, rows := range ot.rows {
		m := mapping[g]
		for _, r := range rows {
			if b.spec.Distinct {
				if b.seen[m] == nil {
					b.seen[m] = map[string]struct{}{}
				}
				key := string(appendRowKey(nil, r[:nArgs]))
				if _, dup := b.seen[m][key]; dup {
					continue
				}
				b.seen[m][key] = struct{}{}
			}
			b.rows[m] = append(b.rows[m], r)
		}
	}
	return nil
}

// appendRowKey encodes DISTINCT arguments as one map key, the same way
// in Update and Merge (so Finalize need not dedupe again): integers and
// floats as their 8 bytes, strings length-prefixed, other values as text.
// Values of one argument share a type, so the encodings cannot collide.
func appendRowKey(sb []byte, vals []types.Value) []byte {
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
			sb = append(sb, 0)
		case int64:
			sb = append(sb, 1)
			sb = binary.LittleEndian.AppendUint64(sb, uint64(x))
		case float64:
			sb = append(sb, 2)
			if x == 0 {
				x = 0 // -0 and 0 are one value
			}
			sb = binary.LittleEndian.AppendUint64(sb, math.Float64bits(x))
		case string:
			sb = append(sb, 3)
			sb = binary.AppendUvarint(sb, uint64(len(x)))
			sb = append(sb, x...)
		case types.DateVal:
			sb = append(sb, 5)
			sb = binary.LittleEndian.AppendUint32(sb, uint32(x))
		case types.TimestampVal:
			sb = append(sb, 6)
			sb = binary.LittleEndian.AppendUint64(sb, uint64(x))
		case bool:
			sb = append(sb, 7)
			if x {
				sb = append(sb, 1)
			} else {
				sb = append(sb, 0)
			}
		default:
			t := types.FormatText(types.TextT, v)
			sb = append(sb, 4)
			sb = binary.AppendUvarint(sb, uint64(len(t)))
			sb = append(sb, t...)
		}
	}
	return sb
}

func (b *bufferedAcc) Finalize(nGroups int) (arrow.Array, error) {
	b.rows = grow(b.rows, nGroups)
	nArgs := len(b.spec.Args)
	acc := b.inner()
	for g := 0; g < nGroups; g++ {
		rows := b.rows[g] // distinct already: Update and Merge dedupe by one key
		if len(b.spec.OrderBy) > 0 {
			idx := make([]int, len(b.spec.OrderBy))
			for i := range idx {
				idx[i] = nArgs + i
			}
			functions.SortRows(rows, idx, b.spec.OrderDesc, b.spec.OrderNulls)
		} else if b.spec.Distinct && len(rows) > 1 {
			// PostgreSQL deduplicates by sorting, so an order-sensitive
			// aggregate (array_agg, string_agg, a float sum) sees the
			// distinct values in ascending order, NULLs last; arrival
			// order would differ by layout and worker count
			idx := make([]int, nArgs)
			for i := range idx {
				idx[i] = i
			}
			functions.SortRows(rows, idx, make([]bool, nArgs), make([]bool, nArgs))
		}
		if len(rows) == 0 {
			continue
		}
		groups := make([]int32, len(rows))
		for i := range groups {
			groups[i] = int32(g)
		}
		cols := make([]arrow.Array, nArgs)
		for j := 0; j < nArgs; j++ {
			vals := make([]types.Value, len(rows))
			for i, r := range rows {
				vals[i] = r[j]
			}
			cols[j] = types.BuildArray(b.spec.ArgT[j], vals)
		}
		if err := acc.Update(groups, nGroups, cols); err != nil {
			return nil, err
		}
	}
	return acc.Finalize(nGroups)
}
