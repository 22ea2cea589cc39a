package exec

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// JoinKind is the semantics of a join probe.
type JoinKind int

// Join kinds. The build side is always the right input; the planner
// swaps inputs to turn RIGHT joins into LEFT ones.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	FullJoin
	SemiJoin
	AntiJoin
	MarkJoin     // probe row + boolean: matched (NULL when unknown, IN semantics)
	RightOnly    // emit only unmatched build rows (not used directly)
	NullAntiJoin // NOT IN: anti join that yields nothing if the build side has a NULL key
	// RightSemiJoin and RightAntiJoin are semi and anti joins with the
	// outer (kept) side as the build: probes only mark build rows, and
	// FinalEmit emits the matched (semi) or unmatched (anti) ones. The
	// planner picks them when the outer side is much the smaller (TPC-H
	// q04: 57 thousand orders against 3.8 million lineitems).
	RightSemiJoin
	RightAntiJoin
	// RightOuterJoin is a LEFT join with its preserved side as the build:
	// probes emit the matched pairs and mark build rows, FinalEmit the
	// unmatched build rows with NULLs. The planner picks it when the
	// preserved side is much the smaller (TPC-H q13: 150 thousand
	// customers against 1.5 million orders), so that the large side
	// streams instead of being hashed and walked in long chains.
	RightOuterJoin
)

func (k JoinKind) String() string {
	return [...]string{"Inner", "Left", "Full", "Semi", "Anti", "Mark", "RightOnly", "NullAwareAnti", "RightSemi", "RightAnti", "RightOuter"}[k]
}

// JoinBuild materializes the build side and, with keys, a hash table.
type JoinBuild struct {
	Label   string
	Keys    []expr.Expr // over the build input; none = nested loop
	KeyT    []types.T
	Collect Collect

	// Spillable: the join has keys, so past the memory limit its rows
	// spill and it runs partition by partition
	Spillable bool
	spilling  atomic.Bool
	spillOnce sync.Once
	spill     *joinSpill
	whole     *wholeBuild // set on one partition of a spilled build

	// Filters receive the build keys' range when the build completes
	// without spilling (JoinFilter)
	Filters []*JoinFilter

	rec      arrow.Record // all build rows
	table    map[string]int32
	intTable *intIndex // integer keys packed into an int64 (no encoding)
	pack     *keyPack  // how several integer keys were packed, if they were
	next     []int32
	keyNull  []bool
	anyNull  bool
	matched  []bool
	matchMu  sync.Mutex
	built    bool
	buildCol []types.T
}

func (b *JoinBuild) Name() string  { return b.Label }
func (b *JoinBuild) NewLocal() any { return b.Collect.NewLocal() }
func (b *JoinBuild) Consume(ctx *Ctx, local any, in arrow.Record) error {
	if !b.canSpill(ctx) {
		return b.Collect.Consume(ctx, local, in)
	}
	return b.consumeSpillable(ctx, local.(*collectLocal), in)
}
func (b *JoinBuild) Combine(ctx *Ctx, local any) error {
	if b.spilling.Load() {
		return b.spillHeld(ctx, local.(*collectLocal))
	}
	return b.Collect.Combine(ctx, local)
}

// Finalize concatenates the build rows and hashes their keys (or, when
// they spilled, leaves them in their partitions for the probe).
func (b *JoinBuild) Finalize(ctx *Ctx) error {
	if !b.spilling.Load() && b.canSpill(ctx) {
		// the rows fit; if their hash table would not, spill them
		table := b.Collect.Rows() * 48
		if !ctx.TryGrow(b.Label, table) {
			b.startSpill()
		} else {
			ctx.Shrink(b.Label, table)
		}
	}
	if b.spilling.Load() {
		return b.finishBuildSpill(ctx)
	}
	recs := b.Collect.Records()
	rec, err := concatRecords(recs)
	if err != nil {
		return err
	}
	// the batches now live on in rec alone: dropping them halves what
	// the build side holds while the probe runs
	b.Collect.Reset()
	if err := b.index(ctx, rec, func(n int64) error { return ctx.Grow(b.Label, n) }); err != nil {
		return err
	}
	return b.publish(ctx)
}

// JoinFilter is what a hash join's build tells a scan on its probe side
// (DuckDB's join filter pushdown): the range of one integer build key,
// and the keys themselves when there are few, or that there are none.
// The scan lists only the files, row groups and pages that may hold a
// matching key; the join still checks every row, so the filter only
// saves reading. The build publishes it once, in Finalize; the probe
// pipeline, which depends on the build, lists its scan afterwards. A
// scan listed earlier (ahead of the run, for progress) or a build that
// spilled publishes nothing and the scan reads everything.
type JoinFilter struct {
	Key   int // the build key it describes
	ready atomic.Bool
	empty bool    // no build row has a non-NULL key
	lo    int64   // the keys' range
	hi    int64   //
	vals  []int64 // the distinct keys, ascending, when at most joinFilterVals
	// bits: the keys as a bitmap over [lo, hi] when there are more than
	// joinFilterVals and the span is at most joinFilterBits
	bits []uint64
}

// joinFilterVals bounds the keys a JoinFilter lists one by one.
const joinFilterVals = 32

// joinFilterBits bounds the span of keys a JoinFilter holds as a bitmap
// (16 MiB: TPC-H SF 10's order keys span 60 million).
const joinFilterBits = 1 << 27

// Bits is the published keys' bitmap over [lo, lo+64·len(bits)), or nil
// (few keys, listed by State; or a span too wide).
func (f *JoinFilter) Bits() (lo int64, bits []uint64) {
	if !f.ready.Load() {
		return 0, nil
	}
	return f.lo, f.bits
}

// State is the filter once published: ok is false before.
func (f *JoinFilter) State() (lo, hi int64, vals []int64, empty, ok bool) {
	if !f.ready.Load() {
		return 0, 0, nil, false, false
	}
	return f.lo, f.hi, f.vals, f.empty, true
}

// publish computes the filters from the build rows.
func (b *JoinBuild) publish(ctx *Ctx) error {
	for _, f := range b.Filters {
		if b.rec == nil || b.rec.NumRows() == 0 {
			f.empty = true
			f.ready.Store(true)
			continue
		}
		c, err := b.Keys[f.Key].Eval(ctx.Expr, b.rec)
		if err != nil {
			return err
		}
		n := int(b.rec.NumRows())
		vals, ok := intColumn(c, n)
		if !ok {
			continue
		}
		seen := map[int64]struct{}{}
		first := true
		for i, v := range vals {
			if c.IsNull(i) {
				continue
			}
			if first || v < f.lo {
				f.lo = v
			}
			if first || v > f.hi {
				f.hi = v
			}
			first = false
			if seen != nil {
				seen[v] = struct{}{}
				if len(seen) > joinFilterVals {
					seen = nil
				}
			}
		}
		f.empty = first
		if seen != nil {
			for v := range seen {
				f.vals = append(f.vals, v)
			}
			slices.Sort(f.vals)
		} else if words := (uint64(f.hi)-uint64(f.lo))/64 + 1; !first && f.hi >= f.lo && uint64(f.hi)-uint64(f.lo) < joinFilterBits &&
			ctx.TryGrow(b.Label, int64(words)*8) {
			// held with the build's table until the query ends; past the
			// memory limit the scan does without it
			f.bits = make([]uint64, words)
			for i, v := range vals {
				if c.IsValid(i) {
					d := uint64(v) - uint64(f.lo)
					f.bits[d/64] |= 1 << (d % 64)
				}
			}
		}
		f.ready.Store(true)
	}
	return nil
}

// index makes rec the build rows and hashes their keys; grow reserves
// the table's memory.
func (b *JoinBuild) index(ctx *Ctx, rec arrow.Record, grow func(int64) error) error {
	b.rec = rec
	if rec == nil { // empty build side
		b.built = true
		return nil
	}
	b.buildCol = make([]types.T, rec.NumCols())
	for i := range b.buildCol {
		b.buildCol[i] = mustFromArrow(rec.Column(i).DataType())
	}
	n := int(rec.NumRows())
	b.matched = make([]bool, n)
	if len(b.Keys) > 0 && n > 0 {
		cols := make([]arrow.Array, len(b.Keys))
		for i, k := range b.Keys {
			c, err := k.Eval(ctx.Expr, rec)
			if err != nil {
				return err
			}
			cols[i] = c
		}
		b.next = make([]int32, n)
		ik, nulls, ok := intKeys(cols, n)
		if !ok {
			if p := newKeyPack(cols, n); p != nil {
				b.pack = p
				ik, nulls, _ = p.pack(cols, n)
				ok = true
			}
		}
		if ok {
			cols = nil // ik holds the keys; evaluated key columns may be copies
			b.keyNull = nulls
			b.intTable = buildIntIndex(ik, nulls, b.next)
			b.anyNull = nulls != nil && anyTrue(nulls)
			b.built = true
			return grow(int64(n)*4 + b.intTable.Bytes())
		}
		keys := make([][]byte, n)
		b.keyNull = make([]bool, n)
		encodeKeys(cols, b.KeyT, n, keys, b.keyNull)
		b.table = make(map[string]int32, n)
		for i := n - 1; i >= 0; i-- {
			if b.keyNull[i] {
				b.anyNull = true
				b.next[i] = -1
				continue
			}
			k := string(keys[i])
			if h, ok := b.table[k]; ok {
				b.next[i] = h
			} else {
				b.next[i] = -1
			}
			b.table[k] = int32(i)
		}
		if err := grow(int64(n) * 48); err != nil {
			return err
		}
	}
	b.built = true
	return nil
}

// concatRecords joins batches into one record (an empty one for none).
func concatRecords(recs []arrow.Record) (arrow.Record, error) {
	if len(recs) == 1 {
		return recs[0], nil
	}
	if len(recs) == 0 {
		return nil, nil
	}
	sch := recs[0].Schema()
	cols := make([]arrow.Array, sch.NumFields())
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for c := range cols {
		parts := make([]arrow.Array, len(recs))
		for i, r := range recs {
			parts[i] = r.Column(c)
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.Internal, "concatenating batches")
		}
		cols[c] = a
	}
	return array.NewRecord(sch, cols, rows), nil
}

// JoinProbe joins each probe batch against a JoinBuild.
type JoinProbe struct {
	Label    string
	Kind     JoinKind
	Build    *JoinBuild
	Keys     []expr.Expr // over the probe input, parallel to Build.Keys
	KeyT     []types.T
	Residual expr.Expr // over probe cols ++ build cols; nil = none
	// BuildSchema gives the build columns' types when the build side is empty.
	BuildTypes []types.T
	OutSchema  *arrow.Schema
	// NullAware: a MarkJoin for IN, whose mark is NULL (not false) when
	// nothing matched and a key was NULL; EXISTS marks are never NULL.
	NullAware bool
}

func (j *JoinProbe) Name() string  { return j.Label }
func (j *JoinProbe) NewLocal() any { return nil }

func (j *JoinProbe) buildRows() int {
	if j.Build.rec == nil {
		return 0
	}
	return int(j.Build.rec.NumRows())
}

func (j *JoinProbe) buildCols(idx []int32) []arrow.Array {
	out := make([]arrow.Array, len(j.BuildTypes))
	for c, t := range j.BuildTypes {
		if j.Build.rec == nil {
			out[c] = types.ConstArray(t, nil, len(idx))
		} else {
			out[c] = types.Take(t, j.Build.rec.Column(c), idx)
		}
	}
	return out
}

func (j *JoinProbe) Execute(ctx *Ctx, _ any, in arrow.Record, emit Emit) error {
	if j.Build.spilling.Load() {
		return j.spillProbe(ctx, in)
	}
	n := int(in.NumRows())
	nb := j.buildRows()
	// NOT IN with a NULL on the build side: no row qualifies.
	if j.Kind == NullAntiJoin && j.Build.allNull() {
		return nil
	}
	if (j.Kind == RightSemiJoin || j.Kind == RightAntiJoin) && nb == 0 {
		return nil // no outer row to mark
	}
	var probeNull []bool
	var keys [][]byte
	var ikeys []int64
	var miss []bool // keys outside a packed build side's range
	if len(j.Keys) > 0 {
		cols := make([]arrow.Array, len(j.Keys))
		for i, k := range j.Keys {
			c, err := k.Eval(ctx.Expr, in)
			if err != nil {
				return err
			}
			cols[i] = c
		}
		if j.Build.pack != nil {
			ikeys, probeNull, miss = j.Build.pack.pack(cols, n)
			if probeNull == nil {
				probeNull = make([]bool, n)
			}
		} else if j.Build.intTable != nil || (j.Build.table == nil && nb == 0) {
			ik, nulls, ok := intKeys(cols, n)
			if ok {
				ikeys, probeNull = ik, nulls
				if probeNull == nil {
					probeNull = make([]bool, n)
				}
			}
		}
		if ikeys == nil {
			keys = make([][]byte, n)
			probeNull = make([]bool, n)
			encodeKeys(cols, j.KeyT, n, keys, probeNull)
		}
	}
	matched := make([]bool, n)
	// A semi, anti or mark join without a residual asks only whether a
	// key matches: walking the whole chain of equal build keys would make
	// a pair per duplicate (a semi join on a low-cardinality key against
	// a large build side made billions of them).
	exists := j.Residual == nil && (j.Kind == SemiJoin || j.Kind == AntiJoin ||
		j.Kind == NullAntiJoin || j.Kind == MarkJoin)
	var outProbe, outBuild []int32
	flush := func() error {
		if len(outProbe) == 0 {
			return nil
		}
		pi, bi := outProbe, outBuild
		outProbe, outBuild = nil, nil
		ok, err := j.residual(ctx, in, pi, bi)
		if err != nil {
			return err
		}
		var keepP, keepB []int32
		marksBuild := j.Kind == FullJoin || j.Kind == RightSemiJoin || j.Kind == RightAntiJoin || j.Kind == RightOuterJoin
		func() {
			if marksBuild {
				j.Build.matchMu.Lock()
				defer j.Build.matchMu.Unlock()
			}
			for k := range pi {
				if ok != nil && !ok[k] {
					continue
				}
				matched[pi[k]] = true
				if j.Kind == InnerJoin || j.Kind == LeftJoin || j.Kind == FullJoin || j.Kind == RightOuterJoin {
					keepP = append(keepP, pi[k])
					keepB = append(keepB, bi[k])
				}
				if marksBuild {
					j.Build.matched[bi[k]] = true
				}
			}
		}()
		if len(keepP) > 0 {
			return emit(j.joined(in, keepP, keepB))
		}
		return nil
	}
	for i := 0; i < n; i++ {
		if ikeys != nil {
			if probeNull[i] || j.Build.intTable == nil || miss != nil && miss[i] {
				continue
			}
			h, ok := j.Build.intTable.Get(ikeys[i])
			if !ok {
				continue
			}
			if exists {
				matched[i] = true
				continue
			}
			for r := h; r >= 0; r = j.Build.next[r] {
				outProbe = append(outProbe, int32(i))
				outBuild = append(outBuild, r)
			}
		} else if keys != nil {
			if probeNull[i] {
				continue
			}
			h, ok := j.Build.table[string(keys[i])]
			if !ok {
				continue
			}
			if exists {
				matched[i] = true
				continue
			}
			for r := h; r >= 0; r = j.Build.next[r] {
				outProbe = append(outProbe, int32(i))
				outBuild = append(outBuild, r)
			}
		} else if exists {
			matched[i] = nb > 0
		} else {
			for r := 0; r < nb; r++ {
				outProbe = append(outProbe, int32(i))
				outBuild = append(outBuild, int32(r))
			}
		}
		if len(outProbe) >= BatchSize {
			// one probe batch can make millions of pairs (a cross join
			// with a residual): notice a cancel between output batches
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	switch j.Kind {
	case LeftJoin, FullJoin:
		var miss []int32
		for i, m := range matched {
			if !m {
				miss = append(miss, int32(i))
			}
		}
		if len(miss) > 0 {
			bi := make([]int32, len(miss))
			for k := range bi {
				bi[k] = -1
			}
			return emit(j.joined(in, miss, bi))
		}
	case SemiJoin, AntiJoin, NullAntiJoin:
		want := j.Kind == SemiJoin
		var keep []int32
		for i, m := range matched {
			if m == want {
				if !want && j.Kind == NullAntiJoin && probeNull != nil && probeNull[i] && j.Build.allRows() > 0 {
					continue // NULL NOT IN (non-empty set) is NULL
				}
				keep = append(keep, int32(i))
			}
		}
		if len(keep) == n {
			return emit(in)
		}
		if len(keep) > 0 {
			return emit(expr.SubRecord(in, keep))
		}
	case MarkJoin:
		vals := make([]bool, n)
		validity := make([]byte, (n+7)/8)
		nulls := 0
		some, null := j.Build.allRows() > 0, j.Build.allNull()
		for i := range vals {
			vals[i] = matched[i]
			unknown := j.NullAware && !matched[i] && some && ((probeNull != nil && probeNull[i]) || null)
			if unknown {
				nulls++
			} else {
				validity[i>>3] |= 1 << (uint(i) & 7)
			}
		}
		mark := types.NewBoolArray(vals, validity, nulls)
		cols := append(append([]arrow.Array{}, in.Columns()...), mark)
		return emit(array.NewRecord(j.OutSchema, cols, int64(n)))
	}
	return nil
}

// residual evaluates the non-equi condition on candidate pairs.
func (j *JoinProbe) residual(ctx *Ctx, in arrow.Record, pi, bi []int32) ([]bool, error) {
	if j.Residual == nil {
		return nil, nil
	}
	rec := j.pairs(in, pi, bi)
	m, err := j.Residual.Eval(ctx.Expr, rec)
	if err != nil {
		return nil, err
	}
	b := m.(*array.Boolean)
	out := make([]bool, len(pi))
	for k := range out {
		out[k] = b.IsValid(k) && b.Value(k)
	}
	return out, nil
}

// pairs gathers probe and build columns side by side (schema: probe ++ build).
func (j *JoinProbe) pairs(in arrow.Record, pi, bi []int32) arrow.Record {
	var cols []arrow.Array
	var fields []arrow.Field
	for c := 0; c < int(in.NumCols()); c++ {
		cols = append(cols, types.Take(mustFromArrow(in.Column(c).DataType()), in.Column(c), pi))
		fields = append(fields, in.Schema().Field(c))
	}
	for c, a := range j.buildCols(bi) {
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: "b" + itoa(c), Type: a.DataType(), Nullable: true})
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(len(pi)))
}

func (j *JoinProbe) joined(in arrow.Record, pi, bi []int32) arrow.Record {
	r := j.pairs(in, pi, bi)
	return array.NewRecord(j.OutSchema, r.Columns(), r.NumRows())
}

// FinalEmit outputs the unmatched build rows of a FULL join, a right
// outer or a right anti join, and the matched ones of a right semi join.
func (j *JoinProbe) FinalEmit(ctx *Ctx, emit Emit) error {
	if j.Build.spilling.Load() {
		return j.joinPartitions(ctx, emit)
	}
	if j.Kind != FullJoin && j.Kind != RightSemiJoin && j.Kind != RightAntiJoin && j.Kind != RightOuterJoin || j.Build.rec == nil {
		return nil
	}
	want := j.Kind == RightSemiJoin
	var miss []int32
	for i, m := range j.Build.matched {
		if m == want {
			miss = append(miss, int32(i))
		}
	}
	for start := 0; start < len(miss); start += BatchSize {
		part := miss[start:min(start+BatchSize, len(miss))]
		var cols []arrow.Array
		nProbe := j.OutSchema.NumFields() - len(j.BuildTypes)
		for c := 0; c < nProbe; c++ {
			// NULLs of the output's own Arrow type (an oid column is
			// uint32, which no SQL type's constant array makes)
			cols = append(cols, array.MakeArrayOfNull(memory.DefaultAllocator, j.OutSchema.Field(c).Type, len(part)))
		}
		cols = append(cols, j.buildCols(part)...)
		if err := emit(array.NewRecord(j.OutSchema, cols, int64(len(part)))); err != nil {
			return err
		}
	}
	return nil
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// intKeys packs one integer-like key column, or two of at most 32 bits,
// into int64 values; ok is false for other key shapes. nulls is nil when
// no key is NULL.
func intKeys(cols []arrow.Array, n int) ([]int64, []bool, bool) {
	get := func(a arrow.Array) ([]int64, bool) { return intColumn(a, n) }
	narrow := func(a arrow.Array) bool {
		switch a.(type) {
		case *array.Int16, *array.Int32, *array.Date32:
			return true
		}
		return false
	}
	var keys []int64
	switch len(cols) {
	case 1:
		k, ok := get(cols[0])
		if !ok {
			return nil, nil, false
		}
		keys = k
	case 2:
		if !narrow(cols[0]) || !narrow(cols[1]) {
			return nil, nil, false
		}
		if a, ok := cols[0].(*array.Int32); ok {
			if b, ok := cols[1].(*array.Int32); ok {
				// two text keys' codes, most often: packed in one pass
				keys = types.NoZero[int64](n)
				av, bv := a.Int32Values()[:n], b.Int32Values()[:n]
				for i := range keys {
					keys[i] = int64(uint64(uint32(av[i]))<<32 | uint64(uint32(bv[i])))
				}
				break
			}
		}
		a, _ := get(cols[0])
		b, _ := get(cols[1])
		keys = a
		for i := range keys {
			keys[i] = int64(uint64(uint32(a[i]))<<32 | uint64(uint32(b[i])))
		}
	default:
		return nil, nil, false
	}
	var nulls []bool
	for _, c := range cols {
		if c.NullN() == 0 {
			continue
		}
		if nulls == nil {
			nulls = make([]bool, n)
		}
		for i := 0; i < n; i++ {
			if c.IsNull(i) {
				nulls[i] = true
			}
		}
	}
	return keys, nulls, true
}
