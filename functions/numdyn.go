package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// Kernels over numerics whose values keep their own scale (types.NumericDynT,
// see types/numdyn.go). They follow PostgreSQL's numeric, value by value:
// a sum or difference has the larger scale of its operands, a product the
// sum of their scales, a quotient select_div_scale's. The typed decimal
// kernels call these when an argument is such an array, so an operand of
// either representation gives the same answer.

// anyDyn reports whether any argument is a per-value-scale numeric array.
func anyDyn(args []arrow.Array) bool {
	for _, a := range args {
		if types.IsDynNumeric(a.DataType()) {
			return true
		}
	}
	return false
}

// decimalsOf reads the first n values of any numeric decimal array as
// decimals with their scale (zero where NULL).
func decimalsOf(a arrow.Array, n int) []types.Decimal {
	out := make([]types.Decimal, n)
	switch x := a.(type) {
	case *types.DynNumericArray:
		s := types.DynText(x)
		for i := range out {
			if s.IsValid(i) {
				out[i] = types.DynValue(s, i)
			}
		}
	case *array.Decimal64:
		sc := types.DecimalScale(x.DataType())
		for i, v := range types.Values[int64](x)[:n] {
			out[i] = types.Decimal{V: decimal128.FromI64(v), Scale: sc}
		}
	case *array.Decimal128:
		sc := types.DecimalScale(x.DataType())
		for i, v := range x.Values()[:n] {
			out[i] = types.Decimal{V: v, Scale: sc}
		}
	default:
		t, _ := types.FromArrow(a.DataType())
		for i := range out {
			if v, ok := types.GetValue(t, a, i).(types.Decimal); ok {
				out[i] = v
			} else if iv, ok := types.GetValue(t, a, i).(int64); ok {
				out[i] = types.DecimalFromInt(iv)
			}
		}
	}
	return out
}

// DynResultScale is PostgreSQL's display scale of x op y.
func DynResultScale(op string, x, y types.Decimal) int32 {
	switch op {
	case "*":
		return min(x.Scale+y.Scale, 37)
	case "/":
		return PGDivScale(x, y)
	}
	return max(x.Scale, y.Scale)
}

// dynArith is numeric + - * / % with a scale per value.
func dynArith(op string, args []arrow.Array, n int) (arrow.Array, error) {
	validity, _ := types.AndValidity(n, args[0], args[1])
	xs, ys := decimalsOf(args[0], n), decimalsOf(args[1], n)
	out := make([]types.Decimal, n)
	for i := 0; i < n; i++ {
		if !valid(validity, i) {
			continue
		}
		r, err := DecimalOp(op, xs[i], ys[i], DynResultScale(op, xs[i], ys[i]))
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return types.DynFromDecimals(out, func(i int) bool { return valid(validity, i) }), nil
}

// dynNegate is unary minus with a scale per value.
func dynNegate(a arrow.Array) arrow.Array {
	n := a.Len()
	xs := decimalsOf(a, n)
	for i := range xs {
		xs[i].V = xs[i].V.Negate()
	}
	return types.DynFromDecimals(xs, a.IsValid)
}

// dynCompare compares decimals of any representation by value.
func dynCompare(op string, args []arrow.Array, n int) arrow.Array {
	validity, nulls := types.AndValidity(n, args[0], args[1])
	xs, ys := decimalsOf(args[0], n), decimalsOf(args[1], n)
	bits := make([]byte, bitutil.BytesForBits(int64(n)))
	for i := 0; i < n; i++ {
		if valid(validity, i) && opTest(op, types.CompareDecimal(xs[i], ys[i])) {
			bitutil.SetBit(bits, i)
		}
	}
	return boolFromBits(bits, n, validity, nulls)
}

// dynRet is an arithmetic result type: per-value scale when an operand
// has it, and for every quotient, whose scale PostgreSQL picks per value
// from the operands' magnitudes (select_div_scale: 1.50 / 3 is
// 0.50000000000000000000, 100000.0 / 3 is 33333.333333333333).
func dynRet(op string) func(a []types.T) types.T {
	return func(a []types.T) types.T {
		if a[0].Dyn || a[1].Dyn || op == "/" {
			return types.NumericDynT
		}
		return types.T{Kind: types.Numeric, Scale: NumericResultScale(op, a[0].Scale, a[1].Scale)}
	}
}

// dynSumAcc is sum and avg over per-value-scale numerics: each group's
// sum has the largest scale of its inputs (PostgreSQL's numeric_sum), its
// average select_div_scale's for sum / count.
type dynSumAcc struct {
	avg bool
	st  []dynSum
}

type dynSum struct {
	sum   types.Decimal
	count int64
}

func (s *dynSum) add(x types.Decimal) error {
	if s.count == 0 {
		s.sum, s.count = x, 1
		return nil
	}
	r, err := DecimalOp("+", s.sum, x, max(s.sum.Scale, x.Scale))
	if err != nil {
		return err
	}
	s.sum = r
	s.count++
	return nil
}

func (s *dynSumAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	s.st = grow(s.st, nGroups)
	a := args[0]
	xs := decimalsOf(a, len(groups))
	for i, g := range groups {
		if g < 0 || a.IsNull(i) {
			continue
		}
		if err := s.st[g].add(xs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *dynSumAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	s.st = grow(s.st, nGroups)
	for g, x := range o.(*dynSumAcc).st {
		if x.count == 0 {
			continue
		}
		p := &s.st[mapping[g]]
		n := p.count
		if err := p.add(x.sum); err != nil {
			return err
		}
		p.count = n + x.count
	}
	return nil
}

func (s *dynSumAcc) Finalize(nGroups int) (arrow.Array, error) {
	s.st = grow(s.st, nGroups)
	out := make([]types.Decimal, nGroups)
	for g := range out {
		x := s.st[g]
		if x.count == 0 {
			continue
		}
		out[g] = x.sum
		if s.avg {
			n := types.DecimalFromInt(x.count)
			q, err := DecimalOp("/", x.sum, n, PGDivScale(x.sum, n))
			if err != nil {
				return nil, err
			}
			out[g] = q
		}
	}
	return types.DynFromDecimals(out, func(g int) bool { return s.st[g].count > 0 }), nil
}
