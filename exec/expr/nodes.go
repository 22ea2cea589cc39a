package expr

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Cast converts X to To.
type Cast struct {
	X  Expr
	To types.T
}

func (c *Cast) Type() types.T  { return c.To }
func (c *Cast) String() string { return "CAST(" + c.X.String() + " AS " + c.To.String() + ")" }

func (c *Cast) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	in, err := c.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	from := c.X.Type()
	return CastArray(ctx, in, from, c.To)
}

// CastArray converts an array between SQL types.
func CastArray(ctx *Ctx, in arrow.Array, from, to types.T) (arrow.Array, error) {
	if from.Equal(to) || (from.Kind == to.Kind && (to.Kind == types.Text || to.Kind == types.Int4 || to.Kind == types.Int8 || to.Kind == types.Float8 || to.Kind == types.Bool || to.Kind == types.Date)) {
		return in, nil
	}
	if arrow.TypeEqual(in.DataType(), to.Arrow()) && from.Kind != types.Char && to.Kind != types.Numeric && to.Kind != types.Varchar && to.Kind != types.Char && to.Kind != types.Array && to.Kind != types.JSON && to.Kind != types.JSONB && to.Kind != types.UUID {
		return in, nil
	}
	n := in.Len()
	if n == 0 {
		return types.BuildArray(to, nil), nil
	}
	if d, ok := in.(*types.DynNumericArray); ok && to.Kind == types.Text {
		// a per-value-scale numeric is stored as its text
		s := types.DynText(d)
		s.Retain()
		return s, nil
	}
	if to.Dyn && to.Kind == types.Numeric && from.Kind != types.Char {
		// text already as lakeq writes a numeric: the same bytes
		if s, ok := in.(*array.String); ok && types.CanonicalDyn(s) {
			return types.WrapDyn(s), nil
		}
	}
	if to.Dyn || types.IsDynNumeric(in.DataType()) {
		return castRows(ctx, in, from, to)
	}
	if from.Kind == types.Numeric && to.Kind == types.Numeric {
		if r, ok := rescaleDecimals(in, from, to); ok {
			return r, nil
		}
	}
	if in.NullN() == n {
		return types.ConstArray(to, nil, n), nil
	}
	if to.Kind == types.Text && (from.IsInteger() || from.Kind == types.Numeric || from.Kind == types.Date) {
		return castToText(in, from), nil
	}
	// Fast paths: integer widening and integer → float.
	if from.IsInteger() {
		vals := intValues(in)
		validity := types.ValidityBits(in)
		switch to.Kind {
		case types.Int2, types.Int4, types.Int8:
			lo, hi := types.IntRange(to.Kind)
			for i, v := range vals {
				if (v < lo || v > hi) && (validity == nil || bitutil.BitIsSet(validity, i)) {
					return nil, types.OutOfRange(to)
				}
			}
			switch to.Kind {
			case types.Int2:
				return types.NewFixedArray(to.Arrow(), convert[int64, int16](vals), validity, in.NullN()), nil
			case types.Int4:
				return types.NewFixedArray(to.Arrow(), convert[int64, int32](vals), validity, in.NullN()), nil
			default:
				return types.NewFixedArray(to.Arrow(), vals, validity, in.NullN()), nil
			}
		case types.Float8:
			return types.NewFixedArray(to.Arrow(), convert[int64, float64](vals), validity, in.NullN()), nil
		case types.Float4:
			return types.NewFixedArray(to.Arrow(), convert[int64, float32](vals), validity, in.NullN()), nil
		case types.Numeric:
			if to.Prec == 0 || to.Prec-to.Scale >= 19 {
				out := make([]decimal128.Num, n)
				mul := decimal128.GetScaleMultiplier(int(to.Scale))
				for i, v := range vals {
					out[i] = decimal128.FromI64(v).Mul(mul)
				}
				return types.NewFixedArray(to.Arrow(), out, validity, in.NullN()), nil
			}
		}
	}
	if from.Kind == types.Numeric && to.Kind == types.Float8 {
		if out, ok := decimalsToFloat(in, from.Scale); ok {
			return out, nil
		}
	}
	if from.Kind == types.Float4 && to.Kind == types.Float8 {
		return types.NewFixedArray(to.Arrow(), convert[float32, float64](types.Values[float32](in)), types.ValidityBits(in), in.NullN()), nil
	}
	if from.Kind == types.Float8 && to.IsInteger() {
		vals := types.Values[float64](in)
		validity := types.ValidityBits(in)
		lo, hi := types.IntRange(to.Kind)
		out := make([]int64, n)
		for i, v := range vals {
			if validity != nil && !bitutil.BitIsSet(validity, i) {
				continue
			}
			r := math.RoundToEven(v)
			if math.IsNaN(r) || r < float64(lo) || r > float64(hi) || r >= 9.2233720368547758e18 {
				return nil, types.OutOfRange(to)
			}
			out[i] = int64(r)
		}
		switch to.Kind {
		case types.Int2:
			return types.NewFixedArray(to.Arrow(), convert[int64, int16](out), validity, in.NullN()), nil
		case types.Int4:
			return types.NewFixedArray(to.Arrow(), convert[int64, int32](out), validity, in.NullN()), nil
		}
		return types.NewFixedArray(to.Arrow(), out, validity, in.NullN()), nil
	}
	return castRows(ctx, in, from, to)
}

// decimalsToFloat converts a decimal array to double precision in one
// loop: v / 10^scale with v and 10^scale both exact doubles (|v| ≤ 2^53,
// scale ≤ 22) is one correctly rounded division, the double nearest the
// decimal, which is what PostgreSQL's conversion through the text gives.
// false when a value is wider (it would round twice).
func decimalsToFloat(in arrow.Array, scale int32) (arrow.Array, bool) {
	if scale < 0 || scale > 22 {
		return nil, false
	}
	div := math.Pow10(int(scale))
	const exact = 1 << 53
	out := make([]float64, in.Len())
	switch x := in.(type) {
	case *array.Decimal64:
		for i, v := range x.Values() {
			if v > exact || v < -exact {
				return nil, false
			}
			out[i] = float64(v) / div
		}
	case *array.Decimal128:
		for i, v := range x.Values() {
			lo := int64(v.LowBits())
			if v.HighBits() != lo>>63 || lo > exact || lo < -exact {
				if x.IsNull(i) {
					continue
				}
				return nil, false
			}
			out[i] = float64(lo) / div
		}
	default:
		return nil, false
	}
	return types.NewFixedArray(arrow.PrimitiveTypes.Float64, out, types.ValidityBits(in), in.NullN()), true
}

// castToText renders integers, decimals and dates as text with their
// output functions, straight from the array's buffers.
func castToText(in arrow.Array, from types.T) arrow.Array {
	n := in.Len()
	app := types.NewTextAppender(from, in, nil)
	offs := make([]int32, n+1)
	data := make([]byte, 0, 8*n)
	for i := 0; i < n; i++ {
		if !in.IsNull(i) {
			data = app(data, i)
		}
		offs[i+1] = int32(len(data))
	}
	return types.NewStringArray(offs, data, types.ValidityBits(in), in.NullN())
}

// castRows converts value by value, through the scalar casts.
func castRows(ctx *Ctx, in arrow.Array, from, to types.T) (arrow.Array, error) {
	n := in.Len()
	loc := ctx.F.Loc
	bld := array.NewBuilder(memory.DefaultAllocator, to.Arrow())
	defer bld.Release()
	bld.Reserve(n)
	for i := 0; i < n; i++ {
		v := types.GetValue(from, in, i)
		r, err := types.CastScalar(v, from, to, loc)
		if err != nil {
			return nil, err
		}
		types.AppendValue(bld, r)
	}
	return bld.NewArray(), nil
}

func convert[A, B types.Fixed](in []A) []B {
	out := make([]B, len(in))
	for i, v := range in {
		out[i] = B(v)
	}
	return out
}

func intValues(a arrow.Array) []int64 {
	switch x := a.(type) {
	case *array.Int16:
		return convert[int16, int64](x.Int16Values())
	case *array.Int32:
		return convert[int32, int64](x.Int32Values())
	case *array.Int64:
		return append([]int64(nil), x.Int64Values()...)
	case *array.Uint32:
		return convert[uint32, int64](x.Uint32Values())
	}
	return make([]int64, a.Len())
}

// tri is a three-valued logic state per row.
const (
	triFalse = 0
	triTrue  = 1
	triNull  = 2
)

func toTri(a arrow.Array) []uint8 {
	out := make([]uint8, a.Len())
	switch b := a.(type) {
	case *array.Boolean:
		for i := range out {
			switch {
			case b.IsNull(i):
				out[i] = triNull
			case b.Value(i):
				out[i] = triTrue
			}
		}
	case *array.Null:
		for i := range out {
			out[i] = triNull
		}
	}
	return out
}

func fromTri(t []uint8) arrow.Array {
	n := len(t)
	vals := make([]bool, n)
	var validity []byte
	nulls := 0
	for i, v := range t {
		if v == triNull {
			if validity == nil {
				validity = make([]byte, bitutil.BytesForBits(int64(n)))
				bitutil.SetBitsTo(validity, 0, int64(n), true)
			}
			bitutil.ClearBit(validity, i)
			nulls++
		} else {
			vals[i] = v == triTrue
		}
	}
	return types.NewBoolArray(vals, validity, nulls)
}

// boolBits returns offset-0 copies of a boolean array's value and
// validity bitmaps (validity all-ones when there are no NULLs).
func boolBits(a arrow.Array) (vals, valid []byte) {
	n := a.Len()
	nb := (n + 7) / 8
	vals = make([]byte, nb)
	valid = make([]byte, nb)
	switch b := a.(type) {
	case *array.Boolean:
		d := b.Data()
		if buf := d.Buffers()[1]; buf != nil {
			bitutil.CopyBitmap(buf.Bytes(), d.Offset(), n, vals, 0)
		}
		if b.NullN() > 0 {
			bitutil.CopyBitmap(d.Buffers()[0].Bytes(), d.Offset(), n, valid, 0)
		} else {
			for i := range valid {
				valid[i] = 0xff
			}
		}
	default: // NULL-typed input: all unknown
	}
	return vals, valid
}

func boolFromBitmaps(vals, valid []byte, n int) arrow.Array {
	nulls := n - bitutil.CountSetBits(valid, 0, n)
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{vb, memory.NewBufferBytes(vals)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// And is n-ary AND with SQL three-valued logic, computed on bitmaps:
// false if any input is false, else NULL if any is NULL, else true.
type And struct{ Args []Expr }

func (a *And) Type() types.T { return types.BoolT }
func (a *And) String() string {
	parts := make([]string, len(a.Args))
	for i, x := range a.Args {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}
func (a *And) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	return logic(ctx, b, a.Args, true)
}

// logic evaluates AND (and=true) or OR over bitmaps.
func logic(ctx *Ctx, b arrow.Record, args []Expr, and bool) (arrow.Array, error) {
	n := int(b.NumRows())
	nb := (n + 7) / 8
	decided := make([]byte, nb) // some input is false (AND) / true (OR)
	unknown := make([]byte, nb) // some input is NULL
	for k, x := range args {
		if k > 0 && !CannotFail(x) {
			// an input that may fail runs on the rows still open only (see
			// CannotFail)
			var open []int32
			for r := 0; r < n; r++ {
				if decided[r>>3]&(1<<(uint(r)&7)) == 0 {
					open = append(open, int32(r))
				}
			}
			if len(open) == 0 {
				break
			}
			if len(open) < n {
				v, err := evalOn(ctx, x, b, open)
				if err != nil {
					return nil, err
				}
				vals, valid := boolBits(v)
				for j, r := range open {
					bit := byte(1) << (uint(r) & 7)
					switch {
					case valid[j>>3]&(1<<(uint(j)&7)) == 0:
						unknown[r>>3] |= bit
					case (vals[j>>3]&(1<<(uint(j)&7)) != 0) != and:
						decided[r>>3] |= bit
					}
				}
				continue
			}
		}
		v, err := x.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		vals, valid := boolBits(v)
		for i := 0; i < nb; i++ {
			if and {
				decided[i] |= valid[i] &^ vals[i]
			} else {
				decided[i] |= valid[i] & vals[i]
			}
			unknown[i] |= ^valid[i]
		}
	}
	vals := make([]byte, nb)
	valid := make([]byte, nb)
	for i := 0; i < nb; i++ {
		valid[i] = decided[i] | ^unknown[i]
		if and {
			vals[i] = ^decided[i] & ^unknown[i]
		} else {
			vals[i] = decided[i]
		}
	}
	if rem := n % 8; rem != 0 {
		mask := byte(1<<uint(rem)) - 1
		vals[nb-1] &= mask
		valid[nb-1] &= mask
	}
	return boolFromBitmaps(vals, valid, n), nil
}

// Or is n-ary OR with SQL three-valued logic.
type Or struct{ Args []Expr }

func (o *Or) Type() types.T { return types.BoolT }
func (o *Or) String() string {
	parts := make([]string, len(o.Args))
	for i, x := range o.Args {
		parts[i] = x.String()
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}
func (o *Or) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	return logic(ctx, b, o.Args, false)
}

// Not is logical negation.
type Not struct{ X Expr }

func (n *Not) Type() types.T  { return types.BoolT }
func (n *Not) String() string { return "(NOT " + n.X.String() + ")" }
func (n *Not) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	v, err := n.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	vals, valid := boolBits(v)
	rows := int(b.NumRows())
	for i := range vals {
		vals[i] = ^vals[i] & valid[i]
	}
	if rem := rows % 8; rem != 0 && len(vals) > 0 {
		mask := byte(1<<uint(rem)) - 1
		vals[len(vals)-1] &= mask
		valid[len(valid)-1] &= mask
	}
	return boolFromBitmaps(vals, valid, rows), nil
}

// IsNull is IS [NOT] NULL.
type IsNull struct {
	X   Expr
	Not bool
}

func (n *IsNull) Type() types.T { return types.BoolT }
func (n *IsNull) String() string {
	if n.Not {
		return "(" + n.X.String() + " IS NOT NULL)"
	}
	return "(" + n.X.String() + " IS NULL)"
}
func (n *IsNull) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	v, err := n.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	out := make([]bool, v.Len())
	for i := range out {
		out[i] = v.IsNull(i) != n.Not
	}
	return types.NewBoolArray(out, nil, 0), nil
}

// BoolTest is IS [NOT] TRUE/FALSE/UNKNOWN.
type BoolTest struct {
	X    Expr
	Kind string
	Not  bool
}

func (t *BoolTest) Type() types.T { return types.BoolT }
func (t *BoolTest) String() string {
	s := " IS "
	if t.Not {
		s += "NOT "
	}
	return "(" + t.X.String() + s + strings.ToUpper(t.Kind) + ")"
}
func (t *BoolTest) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	v, err := t.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	tr := toTri(v)
	out := make([]bool, len(tr))
	for i, x := range tr {
		var r bool
		switch t.Kind {
		case "true":
			r = x == triTrue
		case "false":
			r = x == triFalse
		default:
			r = x == triNull
		}
		out[i] = r != t.Not
	}
	return types.NewBoolArray(out, nil, 0), nil
}

// IsDistinct is IS [NOT] DISTINCT FROM: equality where NULL = NULL.
type IsDistinct struct {
	L, R Expr
	Eq   functions.Kernel // equality kernel for the operand type
	Not  bool             // IS NOT DISTINCT FROM
}

func (d *IsDistinct) Type() types.T { return types.BoolT }
func (d *IsDistinct) String() string {
	op := " IS DISTINCT FROM "
	if d.Not {
		op = " IS NOT DISTINCT FROM "
	}
	return "(" + d.L.String() + op + d.R.String() + ")"
}
func (d *IsDistinct) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	l, err := d.L.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	r, err := d.R.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	eq, err := d.Eq(ctx.F, []arrow.Array{l, r}, n)
	if err != nil {
		return nil, err
	}
	out := make([]bool, n)
	for i := range out {
		ln, rn := l.IsNull(i), r.IsNull(i)
		var same bool
		switch {
		case ln && rn:
			same = true
		case ln || rn:
			same = false
		default:
			same = eq.(*array.Boolean).Value(i)
		}
		out[i] = same == d.Not
	}
	return types.NewBoolArray(out, nil, 0), nil
}

// When is one CASE arm.
type When struct{ Cond, Then Expr }

// Case is a searched CASE; arms are evaluated only on the rows that reach them.
type Case struct {
	Whens []When
	Else  Expr
	T     types.T
}

func (c *Case) Type() types.T { return c.T }
func (c *Case) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for _, w := range c.Whens {
		sb.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Then.String())
	}
	if c.Else != nil {
		sb.WriteString(" ELSE " + c.Else.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

// SubRecord gathers rows of b.
func SubRecord(b arrow.Record, idx []int32) arrow.Record {
	cols := make([]arrow.Array, b.NumCols())
	// ascending positions in few runs (a filter that keeps most rows)
	// copy run by run
	if runs, ok := asRuns(idx); ok {
		for i := range cols {
			t, err := types.FromArrow(b.Column(i).DataType())
			if err != nil {
				t = types.TextT
			}
			cols[i] = types.TakeRuns(t, b.Column(i), runs, len(idx))
		}
		return array.NewRecord(b.Schema(), cols, int64(len(idx)))
	}
	for i := range cols {
		t, err := types.FromArrow(b.Column(i).DataType())
		if err != nil {
			t = types.TextT
		}
		cols[i] = types.Take(t, b.Column(i), idx)
	}
	return array.NewRecord(b.Schema(), cols, int64(len(idx)))
}

// asRuns returns idx as runs of consecutive positions when it is
// ascending and has at most one run per 16 rows.
func asRuns(idx []int32) ([]types.Run, bool) {
	if len(idx) < 64 || idx[0] < 0 {
		return nil, false
	}
	var runs []types.Run
	start := 0
	for i := 1; i <= len(idx); i++ {
		if i < len(idx) && idx[i] == idx[i-1]+1 {
			continue
		}
		if i < len(idx) && idx[i] < idx[i-1] {
			return nil, false
		}
		runs = append(runs, types.Run{Start: idx[start], End: idx[i-1] + 1})
		if len(runs)*16 > len(idx) {
			return nil, false
		}
		start = i
	}
	return runs, true
}

// evalOn evaluates e on the rows idx of b (all of b when idx covers it).
func evalOn(ctx *Ctx, e Expr, b arrow.Record, idx []int32) (arrow.Array, error) {
	if len(idx) == int(b.NumRows()) {
		return e.Eval(ctx, b)
	}
	return e.Eval(ctx, subRecordFor(e, b, idx))
}

// subRecordFor is SubRecord cut to the columns e reads: the others stay
// in place (e's column indices still hold) as NULL-typed columns with no
// buffers. A CASE over a wide batch gathered every column for each
// branch (TPC-DS q02's seven CASEs spent half their time there). An
// expression with a node this function does not know gets every column.
func subRecordFor(e Expr, b arrow.Record, idx []int32) arrow.Record {
	used := make([]bool, b.NumCols())
	known := true
	Walk(e, func(x Expr) bool {
		switch y := x.(type) {
		case *Col:
			if y.Idx < 0 || y.Idx >= len(used) {
				known = false
			} else {
				used[y.Idx] = true
			}
		case *Const, *Param, *OuterRef, *Call, *Cast, *And, *Or, *Not, *IsNull, *BoolTest,
			*IsDistinct, *Case, *Coalesce, *InList, *Like, *ArrayCtor, *Subquery:
		default:
			known = false
		}
		return known
	})
	if !known {
		return SubRecord(b, idx)
	}
	all := true
	for _, u := range used {
		all = all && u
	}
	if all {
		return SubRecord(b, idx)
	}
	fields := append([]arrow.Field(nil), b.Schema().Fields()...)
	cols := make([]arrow.Array, len(fields))
	var runs []types.Run
	isRuns := false
	if r, ok := asRuns(idx); ok {
		runs, isRuns = r, true
	}
	for i := range cols {
		if !used[i] {
			fields[i] = arrow.Field{Name: fields[i].Name, Type: arrow.Null, Nullable: true}
			cols[i] = array.NewNull(len(idx))
			continue
		}
		t, err := types.FromArrow(b.Column(i).DataType())
		if err != nil {
			t = types.TextT
		}
		if isRuns {
			cols[i] = types.TakeRuns(t, b.Column(i), runs, len(idx))
		} else {
			cols[i] = types.Take(t, b.Column(i), idx)
		}
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(len(idx)))
}

// assemble builds the result from per-part arrays: row i takes
// parts[which[i]] at position pos[i]; which[i] < 0 means NULL.
func assemble(t types.T, n int, parts []arrow.Array, which []int, pos []int32) (arrow.Array, error) {
	if len(parts) == 1 {
		all := true
		for i := 0; i < n; i++ {
			if which[i] != 0 || pos[i] != int32(i) {
				all = false
				break
			}
		}
		if all {
			return parts[0], nil
		}
	}
	// concatenate the parts (cast to a common Arrow type) and take
	base := make([]int32, len(parts))
	var arrs []arrow.Array
	total := int32(0)
	for i, p := range parts {
		base[i] = total
		total += int32(p.Len())
		arrs = append(arrs, p)
	}
	var cat arrow.Array
	if len(arrs) == 0 {
		return types.ConstArray(t, nil, n), nil
	}
	if len(arrs) == 1 {
		cat = arrs[0]
	} else {
		var err error
		cat, err = array.Concatenate(arrs, memory.DefaultAllocator)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.Internal, "CASE result")
		}
	}
	idx := make([]int32, n)
	for i := 0; i < n; i++ {
		if which[i] < 0 {
			idx[i] = -1
		} else {
			idx[i] = base[which[i]] + pos[i]
		}
	}
	return types.Take(t, cat, idx), nil
}

func (c *Case) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	if v, ok, err := c.masked(ctx, b); ok || err != nil {
		return v, err
	}
	n := int(b.NumRows())
	which := make([]int, n)
	pos := make([]int32, n)
	for i := range which {
		which[i] = -1
	}
	remaining := make([]int32, n)
	for i := range remaining {
		remaining[i] = int32(i)
	}
	var parts []arrow.Array
	for _, w := range c.Whens {
		if len(remaining) == 0 {
			break
		}
		cond, err := evalOn(ctx, w.Cond, b, remaining)
		if err != nil {
			return nil, err
		}
		cb, _ := cond.(*array.Boolean)
		var hit, miss []int32
		for j, r := range remaining {
			if cb != nil && cb.IsValid(j) && cb.Value(j) {
				hit = append(hit, r)
			} else {
				miss = append(miss, r)
			}
		}
		if len(hit) > 0 {
			v, err := evalOn(ctx, w.Then, b, hit)
			if err != nil {
				return nil, err
			}
			v, err = CastArray(ctx, v, w.Then.Type(), c.T)
			if err != nil {
				return nil, err
			}
			for j, r := range hit {
				which[r], pos[r] = len(parts), int32(j)
			}
			parts = append(parts, v)
		}
		remaining = miss
	}
	if len(remaining) > 0 && c.Else != nil {
		v, err := evalOn(ctx, c.Else, b, remaining)
		if err != nil {
			return nil, err
		}
		v, err = CastArray(ctx, v, c.Else.Type(), c.T)
		if err != nil {
			return nil, err
		}
		for j, r := range remaining {
			which[r], pos[r] = len(parts), int32(j)
		}
		parts = append(parts, v)
	}
	return assemble(c.T, n, parts, which, pos)
}

// masked evaluates CASE WHEN cond THEN col [ELSE NULL] END — the
// conditional aggregate's sum(CASE WHEN day = 'Sunday' THEN price END) —
// without gathering rows: the column as it is, with the rows whose
// condition is not true made NULL in its validity. Reading a column for
// rows the condition rejects cannot fail, so the CASE's evaluation order
// is kept. ok=false leaves the general path to do it.
func (c *Case) masked(ctx *Ctx, b arrow.Record) (arrow.Array, bool, error) {
	if len(c.Whens) != 1 {
		return nil, false, nil
	}
	if k, isConst := c.Else.(*Const); c.Else != nil && (!isConst || k.V != nil) {
		return nil, false, nil
	}
	col, ok := c.Whens[0].Then.(*Col)
	if !ok || !col.T.Equal(c.T) || col.Idx < 0 || col.Idx >= int(b.NumCols()) {
		return nil, false, nil
	}
	v := b.Column(col.Idx)
	d := v.Data()
	if d.Offset() != 0 || len(d.Children()) > 0 || d.DataType().ID() == arrow.NULL {
		return nil, false, nil
	}
	cond, err := c.Whens[0].Cond.Eval(ctx, b)
	if err != nil {
		return nil, true, err
	}
	n := v.Len()
	vals, valid := boolBits(cond)
	keep := make([]byte, len(vals))
	for i := range keep {
		keep[i] = vals[i] & valid[i]
	}
	if v.NullN() > 0 {
		bitutil.BitmapAnd(keep, d.Buffers()[0].Bytes(), 0, 0, keep, 0, int64(n))
	}
	if rem := n % 8; rem != 0 {
		keep[len(keep)-1] &= byte(1<<uint(rem)) - 1
	}
	nulls := n - bitutil.CountSetBits(keep, 0, n)
	bufs := append([]*memory.Buffer{memory.NewBufferBytes(keep)}, d.Buffers()[1:]...)
	out := array.NewData(d.DataType(), n, bufs, nil, nulls, 0)
	defer out.Release()
	return array.MakeFromData(out), true, nil
}

// Coalesce returns the first non-NULL argument, evaluating later
// arguments only on rows still NULL.
type Coalesce struct {
	Args []Expr
	T    types.T
}

func (c *Coalesce) Type() types.T { return c.T }
func (c *Coalesce) String() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	return "COALESCE(" + strings.Join(parts, ", ") + ")"
}
func (c *Coalesce) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	n := int(b.NumRows())
	which := make([]int, n)
	pos := make([]int32, n)
	for i := range which {
		which[i] = -1
	}
	remaining := make([]int32, n)
	for i := range remaining {
		remaining[i] = int32(i)
	}
	var parts []arrow.Array
	for _, a := range c.Args {
		if len(remaining) == 0 {
			break
		}
		v, err := evalOn(ctx, a, b, remaining)
		if err != nil {
			return nil, err
		}
		if v, err = CastArray(ctx, v, a.Type(), c.T); err != nil {
			return nil, err
		}
		var miss []int32
		for j, r := range remaining {
			if v.IsValid(j) {
				which[r], pos[r] = len(parts), int32(j)
			} else {
				miss = append(miss, r)
			}
		}
		parts = append(parts, v)
		remaining = miss
	}
	return assemble(c.T, n, parts, which, pos)
}

// InList is x [NOT] IN (list) with SQL NULL semantics: true on a match,
// else NULL if x or any element is NULL, else false.
type InList struct {
	X    Expr
	List []Expr
	Eq   functions.Kernel
	Not  bool

	prepared bool
	set      map[any]struct{}
	hasNul   bool
	consts   bool
	// the constant strings, for a linear scan: a handful of short
	// strings compare faster than they hash (and box) into set
	strs []string
}

// NewInList builds an InList and precomputes the constant set.
func NewInList(x Expr, list []Expr, eq functions.Kernel, not bool) *InList {
	in := &InList{X: x, List: list, Eq: eq, Not: not}
	in.prepare()
	return in
}

func (in *InList) prepare() {
	in.consts = true
	for _, e := range in.List {
		if _, ok := e.(*Const); !ok {
			in.consts = false
		}
	}
	if in.consts {
		in.set = map[any]struct{}{}
		for _, e := range in.List {
			v := e.(*Const).V
			if v == nil {
				in.hasNul = true
				continue
			}
			in.set[setKey(v)] = struct{}{}
			if str, ok := v.(string); ok {
				in.strs = append(in.strs, str)
			}
		}
	}
	in.prepared = true
}

func (in *InList) Type() types.T { return types.BoolT }
func (in *InList) String() string {
	parts := make([]string, len(in.List))
	for i, a := range in.List {
		parts[i] = a.String()
	}
	op := " IN ("
	if in.Not {
		op = " NOT IN ("
	}
	return "(" + in.X.String() + op + strings.Join(parts, ", ") + "))"
}

// setKey normalizes a scalar for hashing (numbers by value).
func setKey(v types.Value) any {
	switch x := v.(type) {
	case types.Decimal:
		r := x
		for r.Scale > 0 {
			q, rem := r.V.Div(decimal128.FromI64(10))
			if rem.Sign() != 0 {
				break
			}
			r = types.Decimal{V: q, Scale: r.Scale - 1}
		}
		if r.Scale == 0 && r.V.BigInt().IsInt64() {
			return r.V.BigInt().Int64()
		}
		return r.String()
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e18 {
			return int64(x)
		}
		return x
	case []byte:
		return string(x)
	case []any:
		return types.FormatText(types.TextT, x)
	}
	return v
}

func (in *InList) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	if !in.prepared {
		c := NewInList(in.X, in.List, in.Eq, in.Not)
		in = c
	}
	x, err := in.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	n := int(b.NumRows())
	res := make([]uint8, n)
	if in.consts {
		switch xa := x.(type) {
		case *array.String:
			res := make([]uint8, n)
			if len(in.strs) == len(in.set) && len(in.strs) <= 8 {
				nulls := xa.NullN() > 0
				for i := 0; i < n; i++ {
					if nulls && xa.IsNull(i) {
						res[i] = triNull
						continue
					}
					v := xa.Value(i)
					res[i] = triFalse
					if in.hasNul {
						res[i] = triNull
					}
					for _, c := range in.strs {
						if v == c {
							res[i] = triTrue
							break
						}
					}
				}
				return in.finish(res), nil
			}
			for i := 0; i < n; i++ {
				switch {
				case xa.IsNull(i):
					res[i] = triNull
				default:
					if _, ok := in.set[xa.Value(i)]; ok {
						res[i] = triTrue
					} else if in.hasNul {
						res[i] = triNull
					}
				}
			}
			return in.finish(res), nil
		case *array.Int32, *array.Int64, *array.Int16:
			ints := intValues(x)
			res := make([]uint8, n)
			for i := 0; i < n; i++ {
				switch {
				case x.IsNull(i):
					res[i] = triNull
				default:
					if _, ok := in.set[ints[i]]; ok {
						res[i] = triTrue
					} else if in.hasNul {
						res[i] = triNull
					}
				}
			}
			return in.finish(res), nil
		}
		xt := in.X.Type()
		for i := 0; i < n; i++ {
			if x.IsNull(i) {
				res[i] = triNull
				continue
			}
			if _, ok := in.set[setKey(types.GetValue(xt, x, i))]; ok {
				res[i] = triTrue
			} else if in.hasNul {
				res[i] = triNull
			}
		}
	} else {
		for i := range res {
			res[i] = triFalse
		}
		for _, e := range in.List {
			v, err := e.Eval(ctx, b)
			if err != nil {
				return nil, err
			}
			eq, err := in.Eq(ctx.F, []arrow.Array{x, v}, n)
			if err != nil {
				return nil, err
			}
			t := toTri(eq)
			for i, y := range t {
				if res[i] == triTrue {
					continue
				}
				if y == triTrue {
					res[i] = triTrue
				} else if y == triNull {
					res[i] = triNull
				}
			}
		}
	}
	return in.finish(res), nil
}

func (in *InList) finish(res []uint8) arrow.Array {
	if in.Not {
		for i, v := range res {
			if v != triNull {
				res[i] = 1 - v
			}
		}
	}
	return fromTri(res)
}

// Like is LIKE / ILIKE (and SIMILAR TO) matching.
type Like struct {
	X, Pattern, Escape Expr
	CI, Not, Similar   bool

	cache *likeCache
}

type likeCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

// NewLike builds a Like node with its pattern cache.
func NewLike(l *Like) *Like {
	l.cache = &likeCache{m: map[string]*regexp.Regexp{}}
	return l
}

func (l *Like) Type() types.T { return types.BoolT }
func (l *Like) String() string {
	op := " LIKE "
	if l.CI {
		op = " ILIKE "
	}
	if l.Similar {
		op = " SIMILAR TO "
	}
	if l.Not {
		op = " NOT" + op
	}
	return "(" + l.X.String() + op + l.Pattern.String() + ")"
}

// LikeToRegex translates a LIKE pattern with an escape character.
func LikeToRegex(pat string, esc rune, hasEsc bool, ci bool) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("(?s)^")
	if ci {
		sb.WriteString("(?i)")
	}
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case hasEsc && r == esc:
			if i+1 >= len(rs) {
				return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "LIKE pattern must not end with escape character")
			}
			i++
			sb.WriteString(regexp.QuoteMeta(string(rs[i])))
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteString(".")
		default:
			sb.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	sb.WriteString("$")
	return regexp.Compile(sb.String())
}

// simpleLike matches LIKE patterns made of literal runs and % (no _,
// no escapes) with substring searches instead of a regular expression.
func simpleLike(pat string) ([]string, bool) {
	if strings.ContainsAny(pat, "_\\") {
		return nil, false
	}
	return strings.Split(pat, "%"), true
}

func likeMatch(s string, parts []string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, last)
}

func (l *Like) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	x, err := l.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	if c, ok := l.Pattern.(*Const); ok && c.V != nil && l.Escape == nil && !l.CI && !l.Similar {
		if parts, ok := simpleLike(c.V.(string)); ok {
			xs, ok := x.(*array.String)
			if !ok {
				return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: LIKE on non-text operands")
			}
			n := xs.Len()
			vals := make([]bool, n)
			for i := 0; i < n; i++ {
				vals[i] = likeMatch(xs.Value(i), parts) != l.Not
			}
			return types.NewBoolArray(vals, types.ValidityBits(x), x.NullN()), nil
		}
	}
	p, err := l.Pattern.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	var esc arrow.Array
	if l.Escape != nil {
		if esc, err = l.Escape.Eval(ctx, b); err != nil {
			return nil, err
		}
	}
	n := int(b.NumRows())
	res := make([]uint8, n)
	xs, _ := x.(*array.String)
	ps, _ := p.(*array.String)
	if xs == nil || ps == nil {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "operator does not exist: LIKE on non-text operands")
	}
	for i := 0; i < n; i++ {
		if xs.IsNull(i) || ps.IsNull(i) || (esc != nil && esc.IsNull(i)) {
			res[i] = triNull
			continue
		}
		pat := ps.Value(i)
		escCh, hasEsc := '\\', true
		if esc != nil {
			e := esc.(*array.String).Value(i)
			switch len([]rune(e)) {
			case 0:
				hasEsc = false
			case 1:
				escCh = []rune(e)[0]
			default:
				return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
			}
		}
		key := fmt.Sprintf("%c%v%s", escCh, hasEsc, pat)
		cache := l.cache
		if cache == nil {
			cache = &likeCache{m: map[string]*regexp.Regexp{}}
			l.cache = cache
		}
		cache.mu.Lock()
		re := cache.m[key]
		cache.mu.Unlock()
		if re == nil {
			if l.Similar {
				re, err = functions.SimilarToRegex(pat, escCh, hasEsc)
			} else {
				re, err = LikeToRegex(pat, escCh, hasEsc, l.CI)
			}
			if err != nil {
				return nil, err
			}
			cache.mu.Lock()
			if len(cache.m) < 1024 {
				cache.m[key] = re
			}
			cache.mu.Unlock()
		}
		m := re.MatchString(xs.Value(i))
		if m != l.Not {
			res[i] = triTrue
		}
	}
	return fromTri(res), nil
}

// ArrayCtor is ARRAY[...].
type ArrayCtor struct {
	Elems []Expr
	T     types.T
}

func (a *ArrayCtor) Type() types.T { return a.T }
func (a *ArrayCtor) String() string {
	parts := make([]string, len(a.Elems))
	for i, e := range a.Elems {
		parts[i] = e.String()
	}
	return "ARRAY[" + strings.Join(parts, ", ") + "]"
}
func (a *ArrayCtor) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	n := int(b.NumRows())
	cols := make([]arrow.Array, len(a.Elems))
	for i, e := range a.Elems {
		v, err := e.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		if v, err = CastArray(ctx, v, e.Type(), *a.T.Elem); err != nil {
			return nil, err
		}
		cols[i] = v
	}
	vals := make([]types.Value, n)
	for r := 0; r < n; r++ {
		row := make([]any, len(cols))
		for i, c := range cols {
			row[i] = types.GetValue(*a.T.Elem, c, r)
		}
		vals[r] = row
	}
	return types.BuildArray(a.T, vals), nil
}

// rescaleDecimals converts numeric arrays between scales in one pass; it
// declines (false) when a value needs rounding or may overflow a
// precision, leaving those to the checked scalar path.
func rescaleDecimals(in arrow.Array, from, to types.T) (arrow.Array, bool) {
	fs := types.DecimalScale(in.DataType())
	if to.Prec > 0 && (from.Prec == 0 || to.Prec-to.Scale < from.Prec-from.Scale) {
		return nil, false // may not fit: checked path
	}
	if to.Scale < fs {
		return nil, false // rounding: checked path
	}
	up := int(to.Scale - fs)
	dt := to.Arrow()
	validity, nulls := types.ValidityBits(in), in.NullN()
	switch x := in.(type) {
	case *array.Decimal64:
		vals := types.Values[int64](x)
		if to.Small() {
			// the integer digits fit (checked above), so scaling cannot overflow
			if up == 0 {
				if arrow.TypeEqual(dt, in.DataType()) {
					return in, true
				}
				return types.NewFixedArray(dt, vals, validity, nulls), true
			}
			m := int64(1)
			for i := 0; i < up; i++ {
				m *= 10
			}
			out := make([]int64, len(vals))
			for i, v := range vals {
				out[i] = v * m
			}
			return types.NewFixedArray(dt, out, validity, nulls), true
		}
		mul := decimal128.GetScaleMultiplier(up)
		out := make([]decimal128.Num, len(vals))
		for i, v := range vals {
			out[i] = decimal128.New(v>>63, uint64(v)).Mul(mul)
		}
		return types.NewFixedArray(dt, out, validity, nulls), true
	case *array.Decimal128:
		vals := x.Values()
		if to.Small() {
			// at most 18 digits in all (checked above): fits an int64
			m := int64(1)
			for i := 0; i < up; i++ {
				m *= 10
			}
			out := make([]int64, len(vals))
			for i, v := range vals {
				out[i] = int64(v.LowBits()) * m
			}
			return types.NewFixedArray(dt, out, validity, nulls), true
		}
		if up == 0 {
			return in, true
		}
		mul := decimal128.GetScaleMultiplier(up)
		out := make([]decimal128.Num, len(vals))
		for i, v := range vals {
			out[i] = v.Mul(mul)
		}
		return types.NewFixedArray(dt, out, validity, nulls), true
	}
	return nil, false
}
