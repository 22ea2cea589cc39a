package functions

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Accumulator holds the state of one aggregate over many groups. One
// accumulator is used by one goroutine at a time (each worker has its
// own; Merge folds them together single-threaded).
type Accumulator interface {
	// Update folds rows in: groups[i] is row i's group (< nGroups), or -1
	// to skip the row (FILTER, DISTINCT duplicates).
	Update(groups []int32, nGroups int, args []arrow.Array) error
	// Merge folds other (same kind) in: other's group g goes to mapping[g].
	Merge(other Accumulator, mapping []int32, nGroups int) error
	// Finalize returns one value per group, in group order.
	Finalize(nGroups int) (arrow.Array, error)
}

// Sharer is an Accumulator that can take its state from another of its
// kind over the same argument: sum(x) and avg(x) both keep x's sum and
// count (TPC-H q01 has two such pairs among its seven aggregates). Share
// reports whether it will; the caller then skips its Update and Merge,
// and its Finalize reads the leader's state, which finalizing does not
// change.
type Sharer interface {
	Share(leader Accumulator) bool
}

// Grower is an Accumulator whose state grows with the rows it takes
// (array_agg, string_agg keep every value): TakeAdded returns the bytes
// it added since it was last asked, which the executor counts against
// the query's memory limit.
type Grower interface {
	TakeAdded() int64
}

// AggOverload is one signature of an aggregate.
type AggOverload struct {
	Args []Arg
	Ret  func([]types.T) types.T
	New  func(args []types.T, ret types.T) Accumulator
	Dyn  bool // as Overload.Dyn
	// NewIn, when set, makes an accumulator whose result reads the
	// session's time zone; the binder makes New from it.
	NewIn func(args []types.T, ret types.T, loc *time.Location) Accumulator
	// NewOrdered, for an ordered-set aggregate, makes an accumulator
	// for its WITHIN GROUP key's direction; the binder makes New from it.
	NewOrdered func(args []types.T, ret types.T, desc, nullsFirst bool) Accumulator
}

// Aggregate is an aggregate function declaration.
type Aggregate struct {
	Name        string
	Aliases     []string
	Overloads   []AggOverload
	Description string
	// WithinGroup marks ordered-set aggregates (percentile_cont): the
	// direct arguments come first, the WITHIN GROUP key last.
	WithinGroup bool
	// Hypothetical marks the hypothetical-set aggregates (rank(x) WITHIN
	// GROUP (ORDER BY k)): the direct argument is a value of the key's
	// type, placed among the group's keys.
	Hypothetical bool
}

// Overloads lists the candidate signatures (the binder resolves among them).
func (a *Aggregate) Sigs() []Overload {
	out := make([]Overload, len(a.Overloads))
	for i, o := range a.Overloads {
		out[i] = Overload{Args: o.Args, Ret: o.Ret, Dyn: o.Dyn}
	}
	return out
}

func grow[E any](s []E, n int) []E {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		return s[:n]
	}
	ns := make([]E, n, max(n, 2*cap(s)))
	copy(ns, s)
	return ns
}

// ---- count ----

// OneGroup is an accumulator that can take a whole batch of rows that
// all belong to group 0 (an aggregate without GROUP BY, no row filtered
// out) at once. UpdateOne reports false, having changed nothing, for a
// batch it does not take that way: the caller passes it to Update.
type OneGroup interface {
	UpdateOne(n int, args []arrow.Array) bool
}

type countAcc struct {
	star bool
	n    []int64
}

func (c *countAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	c.n = grow(c.n, nGroups)
	if c.star || args[0].NullN() == 0 {
		for _, g := range groups {
			if g >= 0 {
				c.n[g]++
			}
		}
		return nil
	}
	a := args[0]
	for i, g := range groups {
		if g >= 0 && a.IsValid(i) {
			c.n[g]++
		}
	}
	return nil
}

// UpdateOne implements OneGroup: count(*) adds the batch's rows, count(x)
// its non-NULL values, without a pass over group numbers.
func (c *countAcc) UpdateOne(n int, args []arrow.Array) bool {
	c.n = grow(c.n, 1)
	if c.star {
		c.n[0] += int64(n)
		return true
	}
	c.n[0] += int64(n - args[0].NullN())
	return true
}

func (c *countAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	c.n = grow(c.n, nGroups)
	for g, v := range o.(*countAcc).n {
		c.n[mapping[g]] += v
	}
	return nil
}

func (c *countAcc) Finalize(nGroups int) (arrow.Array, error) {
	c.n = grow(c.n, nGroups)
	return types.NewFixedArray(arrow.PrimitiveTypes.Int64, append([]int64(nil), c.n[:nGroups]...), nil, 0), nil
}

// ---- sum / avg over integers (exact, 128-bit) ----

type intSumAcc struct {
	in    types.T
	ret   types.T
	avg   bool
	sum   []decimal128.Num
	count []int64
	from  *intSumAcc // the leader whose state this one finalizes (Sharer)
}

func (s *intSumAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	s.sum = grow(s.sum, nGroups)
	s.count = grow(s.count, nGroups)
	a := args[0]
	add := func(i int, v int64) {
		g := groups[i]
		if g < 0 || (a.NullN() > 0 && a.IsNull(i)) {
			return
		}
		s.sum[g] = s.sum[g].Add(decimal128.FromI64(v))
		s.count[g]++
	}
	switch x := a.(type) {
	case *array.Int16:
		for i, v := range x.Int16Values() {
			add(i, int64(v))
		}
	case *array.Int32:
		for i, v := range x.Int32Values() {
			add(i, int64(v))
		}
	case *array.Int64:
		for i, v := range x.Int64Values() {
			add(i, v)
		}
	}
	return nil
}

func (s *intSumAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	s.sum = grow(s.sum, nGroups)
	s.count = grow(s.count, nGroups)
	ot := o.(*intSumAcc)
	for g := range ot.sum {
		m := mapping[g]
		s.sum[m] = s.sum[m].Add(ot.sum[g])
		s.count[m] += ot.count[g]
	}
	return nil
}

// Share implements Sharer.
func (s *intSumAcc) Share(leader Accumulator) bool {
	l, ok := leader.(*intSumAcc)
	if !ok || l.from != nil || l.in.Kind != s.in.Kind {
		return false
	}
	s.from = l
	return true
}

func (s *intSumAcc) Finalize(nGroups int) (arrow.Array, error) {
	if s.from != nil {
		s.sum, s.count = s.from.sum, s.from.count
	}
	s.sum = grow(s.sum, nGroups)
	s.count = grow(s.count, nGroups)
	vals := make([]types.Value, nGroups)
	for g := 0; g < nGroups; g++ {
		if s.count[g] == 0 {
			continue
		}
		d := types.Decimal{V: s.sum[g]}
		switch {
		case s.avg:
			n := types.DecimalFromInt(s.count[g])
			q, err := DecimalOp("/", d, n, PGDivScale(d, n))
			if err != nil {
				return nil, err
			}
			vals[g] = q
		case s.ret.Kind == types.Int8:
			b := d.V.BigInt()
			if !b.IsInt64() {
				return nil, types.OutOfRange(types.Int8T)
			}
			vals[g] = b.Int64()
		default:
			vals[g] = d
		}
	}
	return types.BuildArray(s.ret, vals), nil
}

// ---- sum / avg over numeric ----

type decSumAcc struct {
	ret   types.T
	scale int32
	avg   bool
	st    []decSum   // per group: one cache line per update, not two
	from  *decSumAcc // the leader whose state this one finalizes (Sharer)
}

// Share implements Sharer.
func (s *decSumAcc) Share(leader Accumulator) bool {
	l, ok := leader.(*decSumAcc)
	if !ok || l.from != nil {
		return false
	}
	s.from = l
	return true
}

type decSum struct {
	sum   decimal128.Num
	count int64
}

func (s *decSumAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	s.st = grow(s.st, nGroups)
	s.scale = types.DecimalScale(args[0].DataType())
	st := s.st
	if d64, ok := args[0].(*array.Decimal64); ok {
		// 64-bit inputs add into the 128-bit sums without widening first
		vals := types.Values[int64](d64)[:len(groups)]
		nulls := d64.NullN() > 0
		if !nulls && nGroups <= laneGroups && sumLanes(vals, nil, groups, st) {
			return nil
		}
		for i, g := range groups {
			if g < 0 || (nulls && d64.IsNull(i)) {
				continue
			}
			p := &st[g]
			v := vals[i]
			p.sum = p.sum.Add(decimal128.New(v>>63, uint64(v)))
			p.count++
		}
		return nil
	}
	a := types.Decimal128Of(args[0])
	vals := a.Values()[:len(groups)]
	if a.NullN() == 0 && nGroups <= laneGroups && sumLanes(nil, vals, groups, st) {
		return nil
	}
	if a.NullN() == 0 {
		for i, g := range groups {
			if g < 0 {
				continue
			}
			p := &st[g]
			p.sum = p.sum.Add(vals[i])
			p.count++
		}
		return nil
	}
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		p := &st[g]
		p.sum = p.sum.Add(vals[i])
		p.count++
	}
	return nil
}

// laneGroups is the most groups whose sums a batch adds up in 64-bit
// lanes (sumLanes).
const laneGroups = 64

// sumLanes adds a batch of values without NULLs (i64, or d128 when i64
// is nil) into the sums of a few groups: in 64-bit sums, four lanes of
// them taken in turn, so that rows of one group in a row (most of them,
// with four groups) do not each wait on the 128-bit add before. It
// declines (false, st untouched) a batch longer than 8,192 rows or
// holding a value of 2^50 or more in magnitude, whose 64-bit sums could
// overflow. q01's sums took a sixth less time.
func sumLanes(i64 []int64, d128 []decimal128.Num, groups []int32, st []decSum) bool {
	const lanes = 4
	n := len(groups)
	if n > 8192 {
		return false
	}
	var sums, counts [lanes][laneGroups + 1]int64 // the last slot: rows in no group
	var bad uint64
	slot := func(g int32) int { return int(min(uint32(g), laneGroups)) }
	if i64 != nil {
		i64 = i64[:n]
		for i, g := range groups {
			v := i64[i]
			bad |= uint64(v+1<<50) >> 51
			l, k := i&(lanes-1), slot(g)
			sums[l][k] += v
			counts[l][k]++
		}
	} else {
		d128 = d128[:n]
		for i, g := range groups {
			lo, hi := int64(d128[i].LowBits()), d128[i].HighBits()
			bad |= uint64(hi^lo>>63) | uint64(lo+1<<50)>>51
			l, k := i&(lanes-1), slot(g)
			sums[l][k] += lo
			counts[l][k]++
		}
	}
	if bad != 0 {
		return false
	}
	for l := range lanes {
		for g := range st[:min(len(st), laneGroups)] {
			if c := counts[l][g]; c != 0 {
				v := sums[l][g]
				st[g].sum = st[g].sum.Add(decimal128.New(v>>63, uint64(v)))
				st[g].count += c
			}
		}
	}
	return true
}

func (s *decSumAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	s.st = grow(s.st, nGroups)
	ot := o.(*decSumAcc)
	if ot.scale != 0 {
		s.scale = ot.scale
	}
	for g, x := range ot.st {
		p := &s.st[mapping[g]]
		p.sum = p.sum.Add(x.sum)
		p.count += x.count
	}
	return nil
}

func (s *decSumAcc) Finalize(nGroups int) (arrow.Array, error) {
	if s.from != nil {
		s.st, s.scale = s.from.st, s.from.scale
	}
	s.st = grow(s.st, nGroups)
	if dt, ok := s.ret.Arrow().(*arrow.Decimal128Type); ok && !s.avg && s.ret.Scale == s.scale {
		// sums at their inputs' scale: the array built directly, not
		// through a boxed value per group (millions of groups)
		out := types.NoZero[decimal128.Num](nGroups)
		var valid []byte
		nulls := 0
		for g, x := range s.st[:nGroups] {
			if x.count == 0 {
				if valid == nil {
					valid = make([]byte, (nGroups+7)/8)
					for i := 0; i < g; i++ {
						valid[i>>3] |= 1 << (i & 7)
					}
				}
				out[g] = decimal128.Num{}
				nulls++
				continue
			}
			if x.sum.Greater(maxDec) || x.sum.Less(maxDec.Negate()) {
				return nil, decOverflow()
			}
			out[g] = x.sum
			if valid != nil {
				valid[g>>3] |= 1 << (g & 7)
			}
		}
		return types.NewFixedArray(dt, out, valid, nulls), nil
	}
	vals := make([]types.Value, nGroups)
	for g := 0; g < nGroups; g++ {
		x := s.st[g]
		if x.count == 0 {
			continue
		}
		if x.sum.Greater(maxDec) || x.sum.Less(maxDec.Negate()) {
			return nil, decOverflow()
		}
		d := types.Decimal{V: x.sum, Scale: s.scale}
		if s.avg {
			n := types.DecimalFromInt(x.count)
			rs := PGDivScale(d, n)
			if q, ok := avg64(x.sum, x.count, rs-s.scale); ok {
				vals[g] = types.Decimal{V: q, Scale: rs}
				continue
			}
			q, err := DecimalOp("/", d, n, rs)
			if err != nil {
				return nil, err
			}
			vals[g] = q
		} else {
			r, err := d.Rescale(s.ret.Scale)
			if err != nil {
				return nil, err
			}
			vals[g] = r
		}
	}
	return types.BuildArray(s.ret, vals), nil
}

// avg64 is sum·10^up / count rounded half away from zero, when sum fits
// 64 bits and the scaled dividend 128 (else ok is false and the exact
// path runs): the common avg, without big-number arithmetic per group.
func avg64(sum decimal128.Num, count int64, up int32) (decimal128.Num, bool) {
	lo := int64(sum.LowBits())
	if sum.HighBits() != lo>>63 || up < 0 || up > 18 || count <= 0 || lo == math.MinInt64 {
		return decimal128.Num{}, false
	}
	neg := lo < 0
	if neg {
		lo = -lo
	}
	hi, low := bits.Mul64(uint64(lo), uint64(pow10i64[up]))
	if hi >= uint64(count) {
		return decimal128.Num{}, false
	}
	q, r := bits.Div64(hi, low, uint64(count))
	if r >= uint64(count)-r { // r*2 >= count without overflow
		q++
	}
	if q > math.MaxInt64 {
		return decimal128.Num{}, false
	}
	v := int64(q)
	if neg {
		v = -v
	}
	return decimal128.New(v>>63, uint64(v)), true
}

// ---- float sum / avg / variance (PostgreSQL's Youngs-Cramer sums) ----

type floatAcc struct {
	ret  types.T
	kind string // "sum", "avg", "var_samp", "var_pop", "stddev_samp", "stddev_pop"
	n    []float64
	sx   []float64
	sxx  []float64
	// exact moments for integer and numeric inputs (PostgreSQL computes
	// them in numeric): sums of x and x² as scaled big integers.
	exact bool
	scale int32
	bx    []*big.Int
	bxx   []*big.Int
	// px and pxx hold what rows of 64-bit values at the current scale
	// add to bx and bxx in 128-bit words (x as two's complement, x² as
	// unsigned), settled into them before a merge, a rescale or the
	// result: a big.Int addition and allocation per row made stddev of
	// a decimal six times DuckDB's time.
	px, pxx []u128
}

// u128 is a 128-bit word: hi, lo.
type u128 struct{ hi, lo uint64 }

// addSigned adds v (sign-extended) to w as a two's complement number;
// sums of fewer than 2^64 values cannot overflow.
func (w *u128) addSigned(v int64) {
	var c uint64
	w.lo, c = bits.Add64(w.lo, uint64(v), 0)
	w.hi += uint64(v>>63) + c
}

// big is w as a signed (two's complement) or unsigned integer.
func (w u128) big(signed bool) *big.Int {
	if signed && int64(w.hi) < 0 {
		n := u128{^w.hi, ^w.lo}
		n.addSigned(1)
		return new(big.Int).Neg(n.big(false))
	}
	b := new(big.Int).SetUint64(w.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(w.lo))
}

// settle adds the 128-bit partial sums into the exact ones.
func (f *floatAcc) settle() {
	for g := range f.px {
		if f.px[g] != (u128{}) {
			f.bx[g].Add(f.bx[g], f.px[g].big(true))
			f.px[g] = u128{}
		}
		if f.pxx[g] != (u128{}) {
			f.bxx[g].Add(f.bxx[g], f.pxx[g].big(false))
			f.pxx[g] = u128{}
		}
	}
}

// addExact64 adds v (at the current scale) to group g's exact moments.
func (f *floatAcc) addExact64(g int32, v int64) {
	if v == math.MinInt64 {
		b := big.NewInt(v)
		f.bx[g].Add(f.bx[g], b)
		f.bxx[g].Add(f.bxx[g], new(big.Int).Mul(b, b))
		return
	}
	f.px[g].addSigned(v)
	u := uint64(v)
	if v < 0 {
		u = uint64(-v)
	}
	h, l := bits.Mul64(u, u)
	w := &f.pxx[g]
	lo, c := bits.Add64(w.lo, l, 0)
	hi, c2 := bits.Add64(w.hi, h, c)
	if c2 != 0 { // past 128 bits: the partial goes into the big sum
		f.bxx[g].Add(f.bxx[g], w.big(false))
		*w = u128{h, l}
		return
	}
	w.hi, w.lo = hi, lo
}

func toFloats(a arrow.Array) []float64 {
	out := make([]float64, a.Len())
	switch x := a.(type) {
	case *array.Float64:
		copy(out, x.Float64Values())
	case *array.Float32:
		for i, v := range x.Float32Values() {
			out[i] = float64(v)
		}
	case *array.Int16:
		for i, v := range x.Int16Values() {
			out[i] = float64(v)
		}
	case *array.Int32:
		for i, v := range x.Int32Values() {
			out[i] = float64(v)
		}
	case *array.Int64:
		for i, v := range x.Int64Values() {
			out[i] = float64(v)
		}
	case *array.Decimal128:
		sc := x.DataType().(*arrow.Decimal128Type).Scale
		for i, v := range x.Values() {
			out[i] = types.Decimal{V: v, Scale: sc}.Float64()
		}
	case *array.Decimal64:
		sc := x.DataType().(*arrow.Decimal64Type).Scale
		for i, v := range types.Values[int64](x) {
			out[i] = types.Decimal{V: decimal128.FromI64(v), Scale: sc}.Float64()
		}
	}
	return out
}

func (f *floatAcc) growTo(n int) {
	f.n = grow(f.n, n)
	f.sx = grow(f.sx, n)
	f.sxx = grow(f.sxx, n)
	if f.exact {
		for len(f.bx) < n {
			f.bx = append(f.bx, new(big.Int))
			f.bxx = append(f.bxx, new(big.Int))
		}
		f.px = grow(f.px, n)
		f.pxx = grow(f.pxx, n)
	}
}

func (f *floatAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	a := args[0]
	if _, ok := a.(*array.Decimal64); ok {
		a = types.Decimal128Of(a)
	}
	switch x := a.(type) {
	case *array.Int16, *array.Int32, *array.Int64:
		f.exact = true
	case *array.Decimal128:
		f.exact = true
		f.rescale(x.DataType().(*arrow.Decimal128Type).Scale)
	case *types.DynNumericArray:
		f.exact = true
		f.growTo(nGroups)
		ds := types.DynDecimals(x)
		for i, g := range groups {
			if g < 0 || x.IsNull(i) {
				continue
			}
			d := ds[i]
			f.rescale(d.Scale)
			v := d.V.BigInt()
			if d.Scale < f.scale {
				v.Mul(v, pow10(int(f.scale-d.Scale)))
			}
			f.n[g]++
			f.bx[g].Add(f.bx[g], v)
			f.bxx[g].Add(f.bxx[g], new(big.Int).Mul(v, v))
		}
		return nil
	}
	f.growTo(nGroups)
	if f.exact {
		for i, g := range groups {
			if g < 0 || a.IsNull(i) {
				continue
			}
			var v *big.Int
			switch x := a.(type) {
			case *array.Int16:
				f.n[g]++
				f.addExact64(g, int64(x.Value(i)))
				continue
			case *array.Int32:
				f.n[g]++
				f.addExact64(g, int64(x.Value(i)))
				continue
			case *array.Int64:
				f.n[g]++
				f.addExact64(g, x.Value(i))
				continue
			case *array.Decimal128:
				d := x.Value(i)
				if lo := int64(d.LowBits()); d.HighBits() == lo>>63 && x.DataType().(*arrow.Decimal128Type).Scale == f.scale {
					f.n[g]++
					f.addExact64(g, lo)
					continue
				}
				v = d.BigInt()
				if sc := x.DataType().(*arrow.Decimal128Type).Scale; sc < f.scale {
					v.Mul(v, pow10(int(f.scale-sc)))
				}
			}
			f.n[g]++
			f.bx[g].Add(f.bx[g], v)
			f.bxx[g].Add(f.bxx[g], new(big.Int).Mul(v, v))
		}
		return nil
	}
	vals := toFloats(a)
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		x := vals[i]
		f.n[g]++
		f.sx[g] += x
		if f.n[g] > 1 {
			tmp := x*f.n[g] - f.sx[g]
			f.sxx[g] += tmp * tmp / (f.n[g] * (f.n[g] - 1))
		}
	}
	return nil
}

func (f *floatAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	ot := o.(*floatAcc)
	f.settle()
	ot.settle()
	if ot.exact {
		f.exact = true
		f.rescale(ot.scale)
		ot.rescale(f.scale)
	}
	f.growTo(nGroups)
	for g := range ot.n {
		m := mapping[g]
		if ot.n[g] == 0 {
			continue
		}
		if f.exact {
			f.n[m] += ot.n[g]
			f.bx[m].Add(f.bx[m], ot.bx[g])
			f.bxx[m].Add(f.bxx[m], ot.bxx[g])
			continue
		}
		if f.n[m] == 0 {
			f.n[m], f.sx[m], f.sxx[m] = ot.n[g], ot.sx[g], ot.sxx[g]
			continue
		}
		n1, n2 := f.n[m], ot.n[g]
		tmp := f.sx[m]/n1 - ot.sx[g]/n2
		f.sxx[m] += ot.sxx[g] + n1*n2*tmp*tmp/(n1+n2)
		f.n[m] += n2
		f.sx[m] += ot.sx[g]
	}
	return nil
}

// rescale brings the exact sums to at least scale fraction digits (the
// largest an input has shown: PostgreSQL's sum of x keeps the largest
// display scale of its inputs).
func (f *floatAcc) rescale(scale int32) {
	if scale <= f.scale {
		return
	}
	f.settle()
	m := pow10(int(scale - f.scale))
	m2 := new(big.Int).Mul(m, m)
	for g := range f.bx {
		f.bx[g].Mul(f.bx[g], m)
		f.bxx[g].Mul(f.bxx[g], m2)
	}
	f.scale = scale
}

// exactMoment computes the variance (or its root) of integer/numeric
// input as numeric_stddev_internal does: the numerator n·Σx² − (Σx)² at
// twice the inputs' scale (0 when not positive), divided at
// select_div_scale's scale and rounded, the root taken of that rounded
// variance at the same scale. lakeq's numerics hold 38 digits: a scale
// that would take more is cut to what fits, as its division does.
func (f *floatAcc) exactMoment(g int) (types.Value, bool, error) {
	n := int64(f.n[g])
	var den int64
	switch f.kind {
	case "var_samp", "stddev_samp":
		if n < 2 {
			return nil, false, nil
		}
		den = n * (n - 1)
	default:
		if n == 0 {
			return nil, false, nil
		}
		den = n * n
	}
	// in units of 10^(-2·scale)
	num := new(big.Int).Mul(big.NewInt(n), f.bxx[g])
	num.Sub(num, new(big.Int).Mul(f.bx[g], f.bx[g]))
	if num.Sign() <= 0 {
		return types.Decimal{}, true, nil
	}
	numScale := 2 * f.scale
	// select_div_scale from the base-10000 weights of both operands
	w1, d1 := nbaseWeightText(scaledText(num, numScale))
	w2, d2 := nbaseWeightText(big.NewInt(den).String())
	qweight := w1 - w2
	if d1 <= d2 {
		qweight--
	}
	rscale := max(int32(16-qweight*4), numScale, 0)
	// the variance's integer digits bound the scale lakeq can hold
	r := new(big.Rat).SetFrac(num, new(big.Int).Mul(big.NewInt(den), pow10(int(numScale))))
	intDigits := int32(len(new(big.Int).Quo(r.Num(), r.Denom()).String()))
	if strings.HasPrefix(f.kind, "stddev") {
		intDigits = (intDigits + 1) / 2
	}
	rscale = min(rscale, 38-intDigits)
	variance := roundRatInt(r, rscale)
	unscaled := variance
	if strings.HasPrefix(f.kind, "stddev") {
		// sqrt of the rounded variance, rounded half up at rscale
		fl := new(big.Float).SetPrec(512).SetInt(variance)
		fl.Quo(fl, new(big.Float).SetPrec(512).SetInt(pow10(int(rscale))))
		fl.Sqrt(fl)
		fl.Mul(fl, new(big.Float).SetPrec(512).SetInt(pow10(int(rscale))))
		fl.Add(fl, big.NewFloat(0.5).SetPrec(512))
		unscaled, _ = fl.Int(nil)
	}
	if len(unscaled.String()) > 38 {
		return nil, false, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail(fmt.Sprintf("The %s does not fit in 38 digits at scale %d.", f.kind, rscale))
	}
	return types.Decimal{V: decimal128.FromBigInt(unscaled), Scale: rscale}, true, nil
}

// roundRatInt is r·10^scale rounded half away from zero.
func roundRatInt(r *big.Rat, scale int32) *big.Int {
	x := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow10(int(scale))))
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if new(big.Int).Mul(m.Abs(m), big.NewInt(2)).Cmp(x.Denom()) >= 0 {
		if x.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// scaledText is v·10^-scale as decimal text.
func scaledText(v *big.Int, scale int32) string {
	s := new(big.Int).Abs(v).String()
	if scale <= 0 {
		return s
	}
	for int32(len(s)) <= scale {
		s = "0" + s
	}
	return s[:int32(len(s))-scale] + "." + s[int32(len(s))-scale:]
}

func (f *floatAcc) Finalize(nGroups int) (arrow.Array, error) {
	f.growTo(nGroups)
	f.settle()
	vals := make([]types.Value, nGroups)
	for g := 0; g < nGroups; g++ {
		n := f.n[g]
		if f.exact && f.kind != "sum" && f.kind != "avg" {
			v, ok, err := f.exactMoment(g)
			if err != nil {
				return nil, err
			}
			if ok {
				if f.ret.Kind != types.Numeric {
					v = v.(types.Decimal).Float64()
				}
				vals[g] = v
			}
			continue
		}
		var r float64
		switch f.kind {
		case "sum":
			if n == 0 {
				continue
			}
			r = f.sx[g]
		case "avg":
			if n == 0 {
				continue
			}
			r = f.sx[g] / n
		case "var_samp", "stddev_samp":
			if n < 2 {
				continue
			}
			r = f.sxx[g] / (n - 1)
		case "var_pop", "stddev_pop":
			if n == 0 {
				continue
			}
			r = f.sxx[g] / n
		}
		if strings.HasPrefix(f.kind, "stddev") {
			r = math.Sqrt(r)
		}
		if f.ret.Kind == types.Numeric {
			d, err := types.DecimalFromFloat(r, f.ret.Scale)
			if err != nil {
				return nil, err
			}
			vals[g] = d
		} else {
			if f.ret.Kind == types.Float4 {
				r = float64(float32(r))
			}
			vals[g] = r
		}
	}
	return types.BuildArray(f.ret, vals), nil
}

// ---- generic value-based accumulators (min/max, bool, collect) ----

type valueAcc struct {
	t    types.T
	ret  types.T
	kind string // "min", "max", "bool_and", "bool_or", "any_value", "bit_and", "bit_or", "bit_xor"
	v    []types.Value
	// ord is min/max's typed state (minmax.go) while inputs suit it
	ord   typedMinMax
	noOrd bool
}

// spill moves the typed state into the generic one.
func (m *valueAcc) spill(nGroups int) {
	m.v = grow(m.v, nGroups)
	for g, v := range m.ord.Values(nGroups) {
		if v != nil {
			m.fold(int32(g), v)
		}
	}
	m.ord, m.noOrd = nil, true
}

func (m *valueAcc) fold(g int32, x types.Value) {
	cur := m.v[g]
	if cur == nil {
		m.v[g] = x
		return
	}
	switch m.kind {
	case "min":
		if types.Compare(x, cur) < 0 {
			m.v[g] = x
		}
	case "max":
		if types.Compare(x, cur) > 0 {
			m.v[g] = x
		}
	case "bool_and":
		m.v[g] = cur.(bool) && x.(bool)
	case "bool_or":
		m.v[g] = cur.(bool) || x.(bool)
	case "bit_and":
		m.v[g] = cur.(int64) & x.(int64)
	case "bit_or":
		m.v[g] = cur.(int64) | x.(int64)
	case "bit_xor":
		m.v[g] = cur.(int64) ^ x.(int64)
	}
}

// UpdateOne implements OneGroup for min and max of 64-bit integers and
// decimals without NULLs (updateOne); other batches go to Update.
func (m *valueAcc) UpdateOne(n int, args []arrow.Array) bool {
	if m.noOrd || m.kind != "min" && m.kind != "max" || len(args) != 1 {
		return false
	}
	if m.ord == nil {
		if m.ord = newTypedMinMax(m.kind, m.t); m.ord == nil {
			m.noOrd = true
			return false
		}
	}
	return updateOne(m.ord, m.kind == "max", args[0])
}

func (m *valueAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	if m.ord == nil && !m.noOrd {
		if m.ord = newTypedMinMax(m.kind, m.t); m.ord == nil {
			m.noOrd = true
		}
	}
	if m.ord != nil {
		if m.ord.Update(groups, nGroups, args[0]) {
			return nil
		}
		m.spill(nGroups)
	}
	m.v = grow(m.v, nGroups)
	a := args[0]
	switch x := a.(type) {
	case *array.Int32:
		vals := x.Int32Values()
		for i, g := range groups {
			if g >= 0 && x.IsValid(i) {
				m.fold(g, int64(vals[i]))
			}
		}
		return nil
	case *array.Float64:
		vals := x.Float64Values()
		for i, g := range groups {
			if g >= 0 && x.IsValid(i) {
				m.fold(g, vals[i])
			}
		}
		return nil
	}
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		m.fold(g, types.GetValue(m.t, a, i))
	}
	return nil
}

func (m *valueAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	ov := o.(*valueAcc)
	if ov.ord != nil && m.ord == nil && !m.noOrd {
		m.ord = newTypedMinMax(m.kind, m.t)
	}
	if ov.ord != nil && m.ord != nil {
		m.ord.Merge(ov.ord, mapping, nGroups)
		return nil
	}
	if m.ord != nil {
		m.spill(nGroups)
	}
	m.v = grow(m.v, nGroups)
	if ov.ord != nil {
		for g, x := range ov.ord.Values(len(mapping)) {
			if x != nil {
				m.fold(mapping[g], x)
			}
		}
		return nil
	}
	for g, x := range ov.v {
		if x != nil {
			m.fold(mapping[g], x)
		}
	}
	return nil
}

func (m *valueAcc) Finalize(nGroups int) (arrow.Array, error) {
	if m.ord != nil {
		return types.BuildArray(m.ret, m.ord.Values(nGroups)), nil
	}
	m.v = grow(m.v, nGroups)
	return types.BuildArray(m.ret, m.v[:nGroups]), nil
}

// collectAcc keeps every non-skipped value per group; finalize computes
// the result from the list (string_agg, array_agg, percentiles, mode).
type collectAcc struct {
	ts       []types.T
	ret      types.T
	keepNull bool
	lists    [][][]types.Value // group → rows → args
	final    func(rows [][]types.Value) (types.Value, error)
	added    int64 // bytes kept since TakeAdded
}

// TakeAdded implements Grower.
func (c *collectAcc) TakeAdded() int64 {
	n := c.added
	c.added = 0
	return n
}

func (c *collectAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	c.lists = grow(c.lists, nGroups)
	for i, g := range groups {
		if g < 0 {
			continue
		}
		r := make([]types.Value, len(args))
		for j, a := range args {
			r[j] = types.GetValue(c.ts[j], a, i)
		}
		if r[0] == nil && !c.keepNull {
			continue
		}
		c.added += 40 + 16*int64(len(r))
		for _, v := range r {
			if s, ok := v.(string); ok {
				c.added += int64(len(s))
			}
		}
		c.lists[g] = append(c.lists[g], r)
	}
	return nil
}

func (c *collectAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	c.lists = grow(c.lists, nGroups)
	for g, l := range o.(*collectAcc).lists {
		c.lists[mapping[g]] = append(c.lists[mapping[g]], l...)
	}
	return nil
}

func (c *collectAcc) Finalize(nGroups int) (arrow.Array, error) {
	c.lists = grow(c.lists, nGroups)
	vals := make([]types.Value, nGroups)
	for g := 0; g < nGroups; g++ {
		v, err := c.final(c.lists[g])
		if err != nil {
			return nil, err
		}
		vals[g] = v
	}
	return types.BuildArray(c.ret, vals), nil
}

// SortRows orders collected rows for ordered aggregates (used by exec).
func SortRows(rows [][]types.Value, keyIdx []int, desc, nullsFirst []bool) {
	sort.SliceStable(rows, func(i, j int) bool {
		for k, idx := range keyIdx {
			a, b := rows[i][idx], rows[j][idx]
			if a == nil || b == nil {
				if a == nil && b == nil {
					continue
				}
				return (a == nil) == nullsFirst[k]
			}
			c := types.Compare(a, b)
			if c == 0 {
				continue
			}
			if desc[k] {
				return c > 0
			}
			return c < 0
		}
		return false
	})
}

// percentile is percentile_cont (cont) and percentile_disc over rows of
// [key, fraction], NULL keys already skipped: one fraction, or an array
// of them (an array of results, a NULL fraction giving a NULL element).
// percentile_cont interpolates between the two nearest keys, floats and
// intervals alike (PostgreSQL's float8_lerp and interval_lerp);
// percentile_disc takes the first key whose position reaches the fraction.
func percentile(cont, desc bool) func(rows [][]types.Value) (types.Value, error) {
	return func(rows [][]types.Value) (types.Value, error) {
		if len(rows) == 0 {
			return nil, nil
		}
		vs := make([]types.Value, len(rows))
		for i, r := range rows {
			vs[i] = r[0]
		}
		return percentileOf(cont, desc, nil, vs, rows[0][1])
	}
}

// percentileOf is the percentile (cont: interpolated) at fraction frac
// (a float, an array of them, or NULL) of the keys fs (floats) or else
// vs, which it reorders: only the one or two keys a fraction lands on
// are found, by selection, not by sorting the group.
func percentileOf(cont, desc bool, fs []float64, vs []types.Value, frac types.Value) (types.Value, error) {
	n := len(vs)
	if fs != nil {
		n = len(fs)
	}
	{
		sign := 1
		if desc {
			sign = -1
		}
		// at returns the key at position k of the ordered keys; next the
		// least key after it (at(k) done first)
		at := func(k int) types.Value {
			if fs != nil {
				selectNth(fs, k, func(a, b float64) int { return sign * types.CompareFloat(a, b) })
				return fs[k]
			}
			selectNth(vs, k, func(a, b types.Value) int { return sign * types.Compare(a, b) })
			return vs[k]
		}
		next := func(k int) types.Value {
			if fs != nil {
				best := fs[k+1]
				for _, f := range fs[k+2:] {
					if sign*types.CompareFloat(f, best) < 0 {
						best = f
					}
				}
				return best
			}
			best := vs[k+1]
			for _, v := range vs[k+2:] {
				if sign*types.Compare(v, best) < 0 {
					best = v
				}
			}
			return best
		}
		one := func(fr float64) (types.Value, error) {
			if fr < 0 || fr > 1 || math.IsNaN(fr) {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "percentile value %s is not between 0 and 1", types.FormatFloat(fr, 64))
			}
			if !cont {
				idx := int(math.Ceil(fr*float64(n))) - 1
				return at(max(idx, 0)), nil
			}
			pos := fr * float64(n-1)
			lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
			a := at(lo)
			if hi == lo {
				return a, nil
			}
			b := next(lo)
			if x, ok := a.(types.IntervalVal); ok {
				y := b.(types.IntervalVal)
				d, err := scaleInterval(types.IntervalVal{Months: y.Months - x.Months, Days: y.Days - x.Days, Micros: y.Micros - x.Micros}, pos-float64(lo), false)
				if err != nil {
					return nil, err
				}
				return types.IntervalVal{Months: x.Months + d.Months, Days: x.Days + d.Days, Micros: x.Micros + d.Micros}, nil
			}
			fa, fb := toF(a), toF(b)
			return fa + (fb-fa)*(pos-float64(lo)), nil
		}
		switch fr := frac.(type) {
		case float64:
			return one(fr)
		case []any:
			out := make([]any, len(fr))
			for i, e := range fr {
				if e == nil {
					continue
				}
				v, err := one(toF(e))
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}
		return nil, nil // a NULL fraction
	}
}

// selectNth reorders xs so that xs[k] is the element an ascending sort
// by cmp would put there, everything before it not greater and
// everything after it not less (Hoare's selection, median-of-three
// pivots, in place): linear on average where sorting is n log n.
func selectNth[T any](xs []T, k int, cmp func(a, b T) int) {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		if hi-lo < 16 {
			for i := lo + 1; i <= hi; i++ {
				for j := i; j > lo && cmp(xs[j], xs[j-1]) < 0; j-- {
					xs[j], xs[j-1] = xs[j-1], xs[j]
				}
			}
			return
		}
		mid := lo + (hi-lo)/2
		if cmp(xs[mid], xs[lo]) < 0 {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if cmp(xs[hi], xs[lo]) < 0 {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if cmp(xs[hi], xs[mid]) < 0 {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for cmp(xs[i], pivot) < 0 {
				i++
			}
			for cmp(pivot, xs[j]) < 0 {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return // j < k < i: xs[k] equals the pivot
		}
	}
}

// floatPercentileAcc is percentile_cont and percentile_disc over double
// precision keys (percentile_cont's always are): each group's keys in a
// plain slice, and the group's fraction, a direct argument PostgreSQL
// evaluates once per group, from its first row.
type floatPercentileAcc struct {
	cont, desc bool
	fracT, ret types.T
	keys       [][]float64
	frac       []types.Value
	seen       []bool
	added      int64
}

// TakeAdded implements Grower.
func (p *floatPercentileAcc) TakeAdded() int64 {
	n := p.added
	p.added = 0
	return n
}

func (p *floatPercentileAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	p.keys, p.frac, p.seen = grow(p.keys, nGroups), grow(p.frac, nGroups), grow(p.seen, nGroups)
	ka, fa := args[0], args[1] // the key, then the fraction (as collectAcc's rows)
	vals := ka.(*array.Float64).Float64Values()
	hasNull := ka.NullN() > 0
	for i, g := range groups {
		if g < 0 || hasNull && ka.IsNull(i) {
			continue
		}
		if !p.seen[g] {
			p.seen[g] = true
			p.frac[g] = types.GetValue(p.fracT, fa, i)
		}
		p.keys[g] = append(p.keys[g], vals[i])
		p.added += 8
	}
	return nil
}

func (p *floatPercentileAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	p.keys, p.frac, p.seen = grow(p.keys, nGroups), grow(p.frac, nGroups), grow(p.seen, nGroups)
	x := o.(*floatPercentileAcc)
	for g, ks := range x.keys {
		m := mapping[g]
		if x.seen[g] && !p.seen[m] {
			p.seen[m], p.frac[m] = true, x.frac[g]
		}
		p.keys[m] = append(p.keys[m], ks...)
	}
	return nil
}

func (p *floatPercentileAcc) Finalize(nGroups int) (arrow.Array, error) {
	p.keys, p.frac, p.seen = grow(p.keys, nGroups), grow(p.frac, nGroups), grow(p.seen, nGroups)
	vals := make([]types.Value, nGroups)
	for g := range vals {
		if !p.seen[g] {
			continue
		}
		v, err := percentileOf(p.cont, p.desc, p.keys[g], nil, p.frac[g])
		if err != nil {
			return nil, err
		}
		vals[g] = v
	}
	return types.BuildArray(p.ret, vals), nil
}

// ---- HyperLogLog for approx_distinct ----

type hllAcc struct {
	t    types.T
	regs [][]uint8
}

const hllP = 14

func (h *hllAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	h.regs = grow(h.regs, nGroups)
	a := args[0]
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		if h.regs[g] == nil {
			h.regs[g] = make([]uint8, 1<<hllP)
		}
		x := hashValue(types.GetValue(h.t, a, i))
		idx := x >> (64 - hllP)
		w := x<<hllP | 1<<(hllP-1)
		rank := uint8(1)
		for w&(1<<63) == 0 {
			rank++
			w <<= 1
		}
		if rank > h.regs[g][idx] {
			h.regs[g][idx] = rank
		}
	}
	return nil
}

func hashValue(v types.Value) uint64 {
	s := types.FormatText(types.TextT, v)
	// FNV-1a then a 64-bit finalizer (splitmix) for good high bits.
	var x uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (h *hllAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	h.regs = grow(h.regs, nGroups)
	for g, r := range o.(*hllAcc).regs {
		if r == nil {
			continue
		}
		m := mapping[g]
		if h.regs[m] == nil {
			h.regs[m] = make([]uint8, 1<<hllP)
		}
		for i, v := range r {
			if v > h.regs[m][i] {
				h.regs[m][i] = v
			}
		}
	}
	return nil
}

func (h *hllAcc) Finalize(nGroups int) (arrow.Array, error) {
	h.regs = grow(h.regs, nGroups)
	out := make([]int64, nGroups)
	m := float64(int(1) << hllP)
	alpha := 0.7213 / (1 + 1.079/m)
	for g := 0; g < nGroups; g++ {
		r := h.regs[g]
		if r == nil {
			continue
		}
		sum, zeros := 0.0, 0
		for _, v := range r {
			sum += math.Pow(2, -float64(v))
			if v == 0 {
				zeros++
			}
		}
		est := alpha * m * m / sum
		if est <= 2.5*m && zeros > 0 {
			est = m * math.Log(m/float64(zeros))
		}
		out[g] = int64(math.Round(est))
	}
	return types.NewFixedArray(arrow.PrimitiveTypes.Int64, out, nil, 0), nil
}

func sumRet(args []types.T) types.T {
	switch args[0].Kind {
	case types.Int2, types.Int4:
		return types.Int8T
	case types.Int8:
		return types.NumericT
	case types.Numeric:
		if args[0].Dyn {
			return types.NumericDynT
		}
		return types.T{Kind: types.Numeric, Scale: args[0].Scale}
	}
	return args[0]
}

// avgRet: the average of integers or numerics is a numeric whose scale
// is per value, as PostgreSQL's numeric division picks it from the
// operands' magnitudes (select_div_scale: avg of 1, 2 and 4 shows 16
// fraction digits, of 1000001, 2000002 and 4000004 twelve).
func avgRet(args []types.T) types.T {
	switch args[0].Kind {
	case types.Int2, types.Int4, types.Int8, types.Numeric:
		return types.NumericDynT
	case types.Interval:
		return types.IntervalT
	}
	return types.Float8T
}

func newSum(avg bool) func(args []types.T, ret types.T) Accumulator {
	return func(args []types.T, ret types.T) Accumulator {
		switch args[0].Kind {
		case types.Int2, types.Int4, types.Int8:
			return &intSumAcc{in: args[0], ret: ret, avg: avg}
		case types.Numeric:
			if args[0].Dyn {
				return &dynSumAcc{avg: avg}
			}
			return &decSumAcc{ret: ret, avg: avg}
		case types.Interval:
			return &collectAcc{ts: args, ret: ret, final: func(rows [][]types.Value) (types.Value, error) {
				if len(rows) == 0 {
					return nil, nil
				}
				var s types.IntervalVal
				for _, r := range rows {
					iv := r[0].(types.IntervalVal)
					s.Months += iv.Months
					s.Days += iv.Days
					s.Micros += iv.Micros
				}
				if avg { // PostgreSQL's interval_avg: the sum divided as interval / float8
					return scaleInterval(s, float64(len(rows)), true)
				}
				return s, nil
			}}
		}
		if !avg && args[0].Kind == types.Float4 {
			return &floatSumAcc[float32]{ret: ret}
		}
		if !avg && args[0].Kind == types.Float8 {
			return &floatSumAcc[float64]{ret: ret}
		}
		kind := "sum"
		if avg {
			kind = "avg"
		}
		return &floatAcc{ret: ret, kind: kind}
	}
}

// floatSumAcc is sum over real (E float32) or double precision, in
// double precision: PostgreSQL's float4pl rounds a real sum to float32
// at every step, so its answer depends on the order of the rows — lakeq's
// must not depend on the worker count, and a real sum here is the double
// sum rounded once. Finite values adding up to an infinity (in the
// result's width) raise "value out of range: overflow", as PostgreSQL's
// float4pl and float8pl do.
type floatSumAcc[E float32 | float64] struct {
	ret types.T
	sum []float64
	has []bool
}

func overflowed(r, a, b float64) error {
	if math.IsInf(r, 0) && !math.IsInf(a, 0) && !math.IsInf(b, 0) {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
	}
	return nil
}

func (f *floatSumAcc[E]) add(g int32, x float64) error {
	r := f.sum[g] + x
	if err := overflowed(r, f.sum[g], x); err != nil {
		return err
	}
	f.sum[g], f.has[g] = r, true
	return nil
}

func (f *floatSumAcc[E]) Update(groups []int32, nGroups int, args []arrow.Array) error {
	f.sum, f.has = grow(f.sum, nGroups), grow(f.has, nGroups)
	a := args[0]
	vals := types.Values[E](a)
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		if err := f.add(g, float64(vals[i])); err != nil {
			return err
		}
	}
	return nil
}

func (f *floatSumAcc[E]) Merge(o Accumulator, mapping []int32, nGroups int) error {
	f.sum, f.has = grow(f.sum, nGroups), grow(f.has, nGroups)
	ot := o.(*floatSumAcc[E])
	for g, ok := range ot.has {
		if ok {
			if err := f.add(mapping[g], ot.sum[g]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *floatSumAcc[E]) Finalize(nGroups int) (arrow.Array, error) {
	f.sum, f.has = grow(f.sum, nGroups), grow(f.has, nGroups)
	out := make([]E, nGroups)
	valid := make([]byte, (nGroups+7)/8)
	nulls := 0
	for g := 0; g < nGroups; g++ {
		if !f.has[g] {
			nulls++
			continue
		}
		out[g] = E(f.sum[g])
		if err := overflowed(float64(out[g]), f.sum[g], 0); err != nil {
			return nil, err
		}
		valid[g/8] |= 1 << (g % 8)
	}
	return types.NewFixedArray(f.ret.Arrow(), out, valid, nulls), nil
}

func momentAgg(name string, aliases ...string) *Aggregate {
	ret := func(args []types.T) types.T {
		if args[0].Kind == types.Float4 || args[0].Kind == types.Float8 {
			return types.Float8T
		}
		// numeric_stddev_internal's scale is the data's: at least 16
		// significant digits of the quotient, no fewer fraction digits
		// than the squares' (select_div_scale)
		return types.NumericDynT
	}
	return &Aggregate{Name: name, Aliases: aliases, Overloads: []AggOverload{{Args: []Arg{{Kind: ArgAnyNum}}, Ret: ret, Dyn: true,
		New: func(args []types.T, ret types.T) Accumulator {
			return &floatAcc{ret: ret, kind: strings.TrimPrefix(strings.TrimPrefix(name, "std"), "")}
		}}}}
}

func builtinAggregates() []*Aggregate {
	vanilla := func(kind string) func(args []types.T, ret types.T) Accumulator {
		return func(args []types.T, ret types.T) Accumulator { return &valueAcc{t: args[0], ret: ret, kind: kind} }
	}
	aggs := []*Aggregate{
		{Name: "count", Description: "number of input rows (for which the argument is not null)", Overloads: []AggOverload{
			{Args: nil, Ret: fixed(types.Int8T), New: func([]types.T, types.T) Accumulator { return &countAcc{star: true} }},
			{Args: []Arg{aAny}, Ret: fixed(types.Int8T), New: func([]types.T, types.T) Accumulator { return &countAcc{} }},
		}},
		{Name: "sum", Description: "sum of the non-null inputs", Overloads: []AggOverload{
			{Args: []Arg{{Kind: ArgAnyNum}}, Ret: sumRet, New: newSum(false), Dyn: true},
			{Args: []Arg{aIntv}, Ret: fixed(types.IntervalT), New: newSum(false)},
		}},
		{Name: "avg", Aliases: []string{"mean"}, Description: "average of the non-null inputs", Overloads: []AggOverload{
			{Args: []Arg{{Kind: ArgAnyNum}}, Ret: avgRet, New: newSum(true), Dyn: true},
			{Args: []Arg{aIntv}, Ret: fixed(types.IntervalT), New: newSum(true)},
		}},
		{Name: "min", Description: "minimum of the non-null inputs", Overloads: []AggOverload{{Args: []Arg{aAny}, Ret: firstArg, New: vanilla("min")}}},
		{Name: "max", Description: "maximum of the non-null inputs", Overloads: []AggOverload{{Args: []Arg{aAny}, Ret: firstArg, New: vanilla("max")}}},
		{Name: "any_value", Aliases: []string{"arbitrary"}, Overloads: []AggOverload{{Args: []Arg{aAny}, Ret: firstArg, New: vanilla("any_value")}}},
		{Name: "bool_and", Aliases: []string{"every"}, Overloads: []AggOverload{{Args: []Arg{aBool}, Ret: fixed(types.BoolT), New: vanilla("bool_and")}}},
		{Name: "bool_or", Overloads: []AggOverload{{Args: []Arg{aBool}, Ret: fixed(types.BoolT), New: vanilla("bool_or")}}},
		bitAgg("bit_and", "bitwise AND of the non-null inputs", vanilla),
		bitAgg("bit_or", "bitwise OR of the non-null inputs", vanilla),
		bitAgg("bit_xor", "bitwise exclusive OR of the non-null inputs", vanilla),
		{Name: "string_agg", Description: "concatenate with a delimiter", Overloads: []AggOverload{
			{Args: []Arg{aText, aText}, Ret: fixed(types.TextT), New: func(args []types.T, ret types.T) Accumulator {
				return &collectAcc{ts: args, ret: ret, final: func(rows [][]types.Value) (types.Value, error) {
					if len(rows) == 0 {
						return nil, nil
					}
					var sb strings.Builder
					for i, r := range rows {
						if i > 0 && r[1] != nil {
							sb.WriteString(r[1].(string))
						}
						sb.WriteString(r[0].(string))
					}
					return sb.String(), nil
				}}
			}},
		}},
		{Name: "array_agg", Description: "input values, including nulls, as an array", Overloads: []AggOverload{
			{Args: []Arg{aAny}, Ret: func(a []types.T) types.T { return types.ArrayOf(a[0]) }, New: func(args []types.T, ret types.T) Accumulator {
				return &collectAcc{ts: args, ret: ret, keepNull: true, final: func(rows [][]types.Value) (types.Value, error) {
					if len(rows) == 0 {
						return nil, nil
					}
					out := make([]any, len(rows))
					for i, r := range rows {
						out[i] = r[0]
					}
					return out, nil
				}}
			}},
		}},
		{Name: "percentile_cont", WithinGroup: true, Description: "continuous percentile", Overloads: []AggOverload{
			percentileOverload([]Arg{aFloat8, aFloat8}, fixed(types.Float8T), true),
			percentileOverload([]Arg{aFloat8, aIntv}, fixed(types.IntervalT), true),
			percentileOverload([]Arg{ex(types.ArrayOf(types.Float8T)), aFloat8}, fixed(types.ArrayOf(types.Float8T)), true),
			percentileOverload([]Arg{ex(types.ArrayOf(types.Float8T)), aIntv}, fixed(types.ArrayOf(types.IntervalT)), true),
		}},
		{Name: "percentile_disc", WithinGroup: true, Description: "discrete percentile", Overloads: []AggOverload{
			percentileOverload([]Arg{aFloat8, aAny}, func(a []types.T) types.T { return a[1] }, false),
			percentileOverload([]Arg{ex(types.ArrayOf(types.Float8T)), aAny}, func(a []types.T) types.T { return types.ArrayOf(a[1]) }, false),
		}},
		{Name: "mode", WithinGroup: true, Description: "most frequent value (the first in the WITHIN GROUP order among ties)", Overloads: []AggOverload{
			{Args: []Arg{aAny}, Ret: firstArg, New: newMode(false), NewOrdered: func(args []types.T, ret types.T, desc, _ bool) Accumulator {
				return newMode(desc)(args, ret)
			}},
		}},
		{Name: "approx_distinct", Aliases: []string{"approx_count_distinct"}, Description: "approximate number of distinct values (HyperLogLog, 16384 registers, ~0.8% standard error)", Overloads: []AggOverload{
			{Args: []Arg{aAny}, Ret: fixed(types.Int8T), New: func(args []types.T, _ types.T) Accumulator { return &hllAcc{t: args[0]} }},
		}},
		momentAgg("stddev_samp", "stddev"),
		momentAgg("stddev_pop"),
		momentAgg("var_samp", "variance"),
		momentAgg("var_pop"),
	}
	// the moment aggregates name their kind after "std" is stripped
	for _, a := range aggs {
		switch a.Name {
		case "stddev_samp", "stddev_pop", "var_samp", "var_pop":
			kind := a.Name
			a.Overloads[0].New = func(args []types.T, ret types.T) Accumulator { return &floatAcc{ret: ret, kind: kind} }
		}
	}
	return append(aggs, athenaAggregates()...)
}

// bitAgg is bit_and, bit_or or bit_xor over each integer type, returning
// the input's type as PostgreSQL's do.
func bitAgg(name, desc string, vanilla func(string) func([]types.T, types.T) Accumulator) *Aggregate {
	var ovs []AggOverload
	for _, t := range []types.T{types.Int2T, types.Int4T, types.Int8T} {
		ovs = append(ovs, AggOverload{Args: []Arg{{Type: t}}, Ret: fixed(t), New: vanilla(name)})
	}
	return &Aggregate{Name: name, Description: desc, Overloads: ovs}
}

// percentileOverload is one signature of percentile_cont (cont) or
// percentile_disc, its keys ordered as WITHIN GROUP says.
func percentileOverload(args []Arg, ret func([]types.T) types.T, cont bool) AggOverload {
	mk := func(args []types.T, ret types.T, desc bool) Accumulator {
		if args[1].Kind == types.Float8 {
			return &floatPercentileAcc{cont: cont, desc: desc, fracT: args[0], ret: ret}
		}
		return &collectAcc{ts: []types.T{args[1], args[0]}, ret: ret, final: percentile(cont, desc)}
	}
	return AggOverload{Args: args, Ret: ret,
		New:        func(args []types.T, ret types.T) Accumulator { return mk(args, ret, false) },
		NewOrdered: func(args []types.T, ret types.T, desc, _ bool) Accumulator { return mk(args, ret, desc) },
	}
}

// newMode is mode(): the most frequent key, the first in the order
// among equally frequent ones.
func newMode(desc bool) func(args []types.T, ret types.T) Accumulator {
	return func(args []types.T, ret types.T) Accumulator {
		return &collectAcc{ts: args, ret: ret, final: func(rows [][]types.Value) (types.Value, error) {
			counts := map[string]int{}
			var best types.Value
			bestN := 0
			for _, r := range rows {
				k := types.FormatText(ret, r[0])
				counts[k]++
				c := counts[k]
				if c > bestN || c == bestN && (types.Compare(r[0], best) < 0) != desc && types.Compare(r[0], best) != 0 {
					best, bestN = r[0], c
				}
			}
			return best, nil
		}}
	}
}

// CountAny is count(x)'s overload, for plans that count without binding a
// call (a set operation's copies on each side).
func CountAny() *AggOverload {
	return &AggOverload{Args: []Arg{aAny}, Ret: fixed(types.Int8T), New: func([]types.T, types.T) Accumulator { return &countAcc{} }}
}
