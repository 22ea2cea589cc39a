package functions

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// DecArithConst is decArith(op) for a numeric column and a numeric
// constant c of type ct (on the left when constLeft): the constant is scaled once
// and held as an integer, where decArith would read it from an array of
// n copies and rescale it on every row (1 - l_discount, 1 + l_tax). The
// constant's argument is not read: the caller need not evaluate it
// (expr.Call's ConstArg). Rows where the 64-bit form does not fit, and
// constants too wide for it, take decArith with the constant as an
// array.
//
// narrow is as for DecArith.
func DecArithConst(op string, c types.Decimal, ct types.T, constLeft, narrow bool) Kernel {
	general := decArith(op)
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		ci, xi := 1, 0
		if constLeft {
			ci, xi = 0, 1
		}
		x := args[xi]
		slow := func() (arrow.Array, error) {
			full := make([]arrow.Array, 2)
			full[xi] = x
			full[ci] = types.ConstArray(ct, c, n)
			defer full[ci].Release()
			return general(ctx, full, n)
		}
		if anyDyn([]arrow.Array{x}) || n == 0 {
			return slow()
		}
		xs := types.DecimalScale(x.DataType())
		cl := int64(c.V.LowBits())
		if c.V.HighBits() != cl>>63 || cl >= 1<<62 || cl <= -1<<62 {
			return slow()
		}
		var rs int32
		var cv int64 // the constant at the scale it enters the loop
		switch op {
		case "+", "-":
			rs = max(xs, c.Scale)
			if rs-xs != 0 || rs-c.Scale > 18 {
				return slow() // the column would need rescaling per row
			}
			hi, lo := bits.Mul64(uint64(abs64(cl)), uint64(pow10i64[rs-c.Scale]))
			if hi != 0 || lo >= 1<<62 {
				return slow()
			}
			cv = int64(lo) * sign64(cl)
		case "*":
			rs = xs + c.Scale
			if rs > 37 {
				return slow()
			}
			cv = cl
		default:
			return slow()
		}
		xv, ok := dec64Of(x, n)
		if !ok {
			return slow()
		}
		out := newDecOut(n, narrow, nil)
		if !constLoop(op[0], constLeft, cv, xv, out) {
			return slow()
		}
		validity, nulls := types.AndValidity(n, x)
		return out.array(rs, validity, nulls), nil
	}
}

// constLoop computes out[i] = c op x[i] (x[i] op c unless constLeft)
// over 64-bit scaled values already at the result's scale (for + and -);
// false as soon as a value or a result does not fit.
func constLoop(op byte, constLeft bool, c int64, x dec64Src, out decOut) bool {
	if x.i64 != nil && !out.wide {
		// narrow results written straight, overflow checked once at
		// the end (a failed loop's results are all written again)
		xs, o := x.i64[:out.n], out.w[:out.n]
		var bad int64
		switch {
		case op == '+':
			for i, v := range xs {
				r := v + c
				bad |= (v ^ r) & (c ^ r)
				o[i] = r
			}
			return bad >= 0
		case op == '-' && constLeft:
			for i, v := range xs {
				r := c - v
				bad |= (c ^ v) & (c ^ r)
				o[i] = r
			}
			return bad >= 0
		case op == '-':
			for i, v := range xs {
				r := v - c
				bad |= (v ^ c) & (v ^ r)
				o[i] = r
			}
			return bad >= 0
		}
	}
	if x.i64 != nil {
		xs := x.i64[:out.n]
		switch {
		case op == '+':
			for i, v := range xs {
				r := v + c
				if (v^r)&(c^r) < 0 {
					return false
				}
				out.set(i, r)
			}
			return true
		case op == '-' && constLeft:
			for i, v := range xs {
				r := c - v
				if (c^v)&(c^r) < 0 {
					return false
				}
				out.set(i, r)
			}
			return true
		case op == '-':
			for i, v := range xs {
				r := v - c
				if (v^c)&(v^r) < 0 {
					return false
				}
				out.set(i, r)
			}
			return true
		}
	}
	// '*', and 128-bit inputs
	for i := 0; i < out.n; i++ {
		v, ok := x.at(i)
		if !ok {
			return false
		}
		var r int64
		switch op {
		case '+':
			r = v + c
			if (v^r)&(c^r) < 0 {
				return false
			}
		case '-':
			a, b := v, c
			if constLeft {
				a, b = c, v
			}
			r = a - b
			if (a^b)&(a^r) < 0 {
				return false
			}
		case '*':
			if uint64(v+1<<31) < 1<<32 && uint64(c+1<<31) < 1<<32 {
				r = v * c
			} else {
				hi, lo := bits.Mul64(uint64(abs64(v)), uint64(abs64(c)))
				if hi != 0 || lo > 1<<63-1 || v == -1<<63 {
					return false
				}
				r = int64(lo)
				if (v < 0) != (c < 0) {
					r = -r
				}
			}
		}
		out.set(i, r)
	}
	return true
}
