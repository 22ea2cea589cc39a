package functions

import (
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

func divByZero() error { return sqlerr.New(sqlerr.DivisionByZero, "division by zero") }

// intArith builds checked integer arithmetic for one width. Values are
// widened to int64, computed, and range-checked for the type, giving
// PostgreSQL's "integer out of range" errors.
func intArith[E int16 | int32 | int64](t types.T, op string) Kernel {
	lo, hi := types.IntRange(t.Kind)
	dt := t.Arrow()
	check := func(r int64) (E, error) {
		if r < lo || r > hi {
			return 0, types.OutOfRange(t)
		}
		return E(r), nil
	}
	var f func(a, b E) (E, error)
	switch op {
	case "+":
		f = func(a, b E) (E, error) {
			if t.Kind == types.Int8 {
				r := int64(a) + int64(b)
				if (r > int64(a)) != (int64(b) > 0) {
					return 0, types.OutOfRange(t)
				}
				return E(r), nil
			}
			return check(int64(a) + int64(b))
		}
	case "-":
		f = func(a, b E) (E, error) {
			if t.Kind == types.Int8 {
				r := int64(a) - int64(b)
				if (r < int64(a)) != (int64(b) > 0) {
					return 0, types.OutOfRange(t)
				}
				return E(r), nil
			}
			return check(int64(a) - int64(b))
		}
	case "*":
		f = func(a, b E) (E, error) {
			if t.Kind == types.Int8 {
				x, y := int64(a), int64(b)
				if x == 0 || y == 0 {
					return 0, nil
				}
				r := x * y
				if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
					return 0, types.OutOfRange(t)
				}
				return E(r), nil
			}
			return check(int64(a) * int64(b))
		}
	case "/":
		f = func(a, b E) (E, error) {
			if b == 0 {
				return 0, divByZero()
			}
			if b == -1 {
				if int64(a) == math.MinInt64 { // -MinInt64 does not fit: Go wraps, PostgreSQL refuses
					return 0, types.OutOfRange(t)
				}
				return check(-int64(a))
			}
			return a / b, nil
		}
	case "%":
		f = func(a, b E) (E, error) {
			if b == 0 {
				return 0, divByZero()
			}
			if b == -1 {
				return 0, nil
			}
			return a % b, nil
		}
	}
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		return zipFixed(dt, args[0], args[1], n, f)
	}
}

func floatArith[E float32 | float64](t types.T, op string) Kernel {
	dt := t.Arrow()
	overflow := func(r, a, b E) (E, error) {
		if math.IsInf(float64(r), 0) && !math.IsInf(float64(a), 0) && !math.IsInf(float64(b), 0) {
			return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
		}
		return r, nil
	}
	var f func(a, b E) (E, error)
	switch op {
	case "+":
		f = func(a, b E) (E, error) { return overflow(a+b, a, b) }
	case "-":
		f = func(a, b E) (E, error) { return overflow(a-b, a, b) }
	case "*":
		f = func(a, b E) (E, error) { return overflow(a*b, a, b) }
	case "/":
		f = func(a, b E) (E, error) {
			if b == 0 {
				return 0, divByZero()
			}
			return overflow(a/b, a, b)
		}
	case "%":
		f = func(a, b E) (E, error) {
			if b == 0 {
				return 0, divByZero()
			}
			return E(math.Mod(float64(a), float64(b))), nil
		}
	}
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		return zipFixed(dt, args[0], args[1], n, f)
	}
}

var maxDec = decimal128.GetMaxValue(38)

func decOverflow() error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
}

// DivScale is the result scale lakeq gives numeric division. PostgreSQL
// picks it per value (at least 16 significant digits); lakeq's arrays
// carry one scale, so it uses 16 fraction digits more than... capped.
func DivScale(s1, s2 int32) int32 {
	s := max(s1, s2, 16)
	if s > 30 {
		s = 30
	}
	return s
}

// decArith implements numeric + - * / %. For + and - both inputs carry
// the result scale (the binder casts them); * adds scales; / divides to
// the result type's scale with half-away-from-zero rounding.
func decArith(op string) Kernel { return DecArith(op, false) }

// DecArith is decArith(op); narrow lets it return a Decimal64 array when
// every result fits 64 bits, for a caller that takes either (an argument
// of another numeric operator or of sum and avg: an expression's result
// never enters a batch narrowed, since batches carry the declared type).
func DecArith(op string, narrow bool) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		if anyDyn(args) || op == "/" {
			return dynArith(op, args, n)
		}
		sa, sb := types.DecimalScale(args[0].DataType()), types.DecimalScale(args[1].DataType())
		var rs int32
		switch op {
		case "+", "-", "%":
			rs = max(sa, sb)
		case "*":
			rs = min(sa+sb, 37)
		case "/":
			rs = DivScale(sa, sb)
		}
		validity, nulls := types.AndValidity(n, args[0], args[1])
		// every row is written: by the 64-bit loop, or below (NULLs with
		// 0); out is made only when wide results need it (a narrowed
		// product's 128-bit buffer, never written, was a quarter of a
		// selective scan's allocations)
		var out []decimal128.Num
		// 64-bit loop for + - * when operands fit; other rows take DecimalOp
		var ma, mb int64 = 1, 1
		fast := false
		switch op {
		case "+", "-":
			if rs-sa <= 18 && rs-sb <= 18 && rs >= sa && rs >= sb {
				ma, mb, fast = pow10i64[rs-sa], pow10i64[rs-sb], true
			}
		case "*":
			fast = rs == sa+sb
		}
		if fast && n > 0 {
			x64, okx := dec64Of(args[0], n)
			y64, oky := dec64Of(args[1], n)
			if okx && oky {
				o := newDecOut(n, narrow, nil)
				if dec64Loop(op[0], x64, y64, ma, mb, o) {
					return o.array(rs, validity, nulls), nil
				}
				out = o.d128 // nil when narrow
			}
		}
		if out == nil {
			out = types.NoZero[decimal128.Num](n)
		}
		a, b := types.Decimal128Of(args[0]), types.Decimal128Of(args[1])
		av, bv := a.Values(), b.Values()
		for i := 0; i < n; i++ {
			if !valid(validity, i) {
				out[i] = decimal128.Num{}
				continue
			}
			if fast {
				x, y := av[i], bv[i]
				xl, yl := int64(x.LowBits()), int64(y.LowBits())
				if x.HighBits() == xl>>63 && y.HighBits() == yl>>63 && xl > math.MinInt32*65536*65536 && yl > math.MinInt32*65536*65536 {
					switch op {
					case "*":
						hi, lo := bits.Mul64(uint64(abs64(xl)), uint64(abs64(yl)))
						if hi == 0 && lo <= math.MaxInt64 {
							r := int64(lo)
							if (xl < 0) != (yl < 0) {
								r = -r
							}
							out[i] = decimal128.FromI64(r)
							continue
						}
					default:
						h1, p := bits.Mul64(uint64(abs64(xl)), uint64(ma))
						h2, q := bits.Mul64(uint64(abs64(yl)), uint64(mb))
						if h1 == 0 && h2 == 0 && p < 1<<62 && q < 1<<62 {
							pv, qv := int64(p), int64(q)
							if xl < 0 {
								pv = -pv
							}
							if yl < 0 {
								qv = -qv
							}
							if op == "+" {
								out[i] = decimal128.FromI64(pv + qv)
							} else {
								out[i] = decimal128.FromI64(pv - qv)
							}
							continue
						}
					}
				}
			}
			x, y := types.Decimal{V: av[i], Scale: sa}, types.Decimal{V: bv[i], Scale: sb}
			r, err := DecimalOp(op, x, y, rs)
			if err != nil {
				return nil, err
			}
			out[i] = r.V
		}
		return types.NewFixedArray(&arrow.Decimal128Type{Precision: 38, Scale: rs}, out, validity, nulls), nil
	}
}

// dec64Loop computes out = av op bv (op one of + - *) over scaled 64-bit
// decimal values, with mul scaling for + and -. It reports false,
// leaving out partly written, as soon as a value or result does not fit;
// the caller then takes the exact path for every row. Rows that are NULL
// hold arbitrary values and are computed like the rest.
func dec64Loop(op byte, av, bv dec64Src, ma, mb int64, out decOut) bool {
	start := 0
	if op == '*' {
		start = mulSmall(av, bv, out)
	}
	for i := start; i < out.n; i++ {
		xl, okx := av.at(i)
		yl, oky := bv.at(i)
		if !okx || !oky {
			return false // a value past 64 bits: the exact path takes the batch
		}
		var r int64
		switch op {
		case '*':
			// operands below 2^31 in magnitude cannot overflow
			if uint64(xl+1<<31) < 1<<32 && uint64(yl+1<<31) < 1<<32 {
				r = xl * yl
			} else {
				hi, lo := bits.Mul64(uint64(abs64(xl)), uint64(abs64(yl)))
				if hi != 0 || lo > math.MaxInt64 || xl == math.MinInt64 || yl == math.MinInt64 {
					return false
				}
				r = int64(lo)
				if (xl < 0) != (yl < 0) {
					r = -r
				}
			}
		default:
			if ma != 1 {
				hi, lo := bits.Mul64(uint64(abs64(xl)), uint64(ma))
				if hi != 0 || lo >= 1<<62 {
					return false
				}
				xl = int64(lo) * sign64(xl)
			}
			if mb != 1 {
				hi, lo := bits.Mul64(uint64(abs64(yl)), uint64(mb))
				if hi != 0 || lo >= 1<<62 {
					return false
				}
				yl = int64(lo) * sign64(yl)
			}
			if op == '-' {
				r = xl - yl
				if (xl^yl)&(xl^r) < 0 {
					return false
				}
			} else {
				r = xl + yl
				if (xl^r)&(yl^r) < 0 {
					return false
				}
			}
		}
		out.set(i, r)
	}
	return true
}

// mulSmall multiplies the leading rows whose product surely fits in 63
// bits (the operands' bit lengths add up to at most 63) in loops over
// the slices themselves, for the common shapes — two 64-bit columns, or
// a 128-bit one (a product before) and a 64-bit one, into either width —
// and returns how
// many rows it did; dec64Loop's general loop takes the rest. The general
// loop's per-value reads and stores branched on each operand's form and
// the output's width: a fifth of TPC-H q01 was its two products.
func mulSmall(av, bv dec64Src, out decOut) int {
	n := out.n
	if av.i64 != nil && bv.i64 == nil {
		av, bv = bv, av // a 128-bit operand first
	}
	switch {
	case av.i64 != nil && bv.i64 != nil:
		xs, ys := av.i64[:n], bv.i64[:n]
		if !out.wide {
			w := out.w[:n]
			for i := range w {
				x, y := xs[i], ys[i]
				if !mulFits(x, y) {
					return i
				}
				w[i] = x * y
			}
			return n
		}
		w := out.w[:2*n]
		for i := range xs {
			x, y := xs[i], ys[i]
			if !mulFits(x, y) {
				return i
			}
			r := x * y
			w[2*i], w[2*i+1] = r, r>>63
		}
		return n
	case av.d128 != nil && bv.i64 != nil && !out.wide:
		// a shared product column (q01's) times a 64-bit one, narrowed
		xs, ys := av.d128[:n], bv.i64[:n]
		w := out.w[:n]
		for i := range xs {
			x, y := int64(xs[i].LowBits()), ys[i]
			if xs[i].HighBits() != x>>63 || !mulFits(x, y) {
				return i
			}
			w[i] = x * y
		}
		return n
	case av.d128 != nil && bv.i64 != nil:
		xs, ys := av.d128[:n], bv.i64[:n]
		w := out.w[:2*n]
		for i := range xs {
			x, y := int64(xs[i].LowBits()), ys[i]
			// the high word only extends the low one's sign
			if xs[i].HighBits() != x>>63 || !mulFits(x, y) {
				return i
			}
			r := x * y
			w[2*i], w[2*i+1] = r, r>>63
		}
		return n
	}
	return 0
}

// mulFits reports that |x|·|y| < 2^63 by the operands' bit lengths (a
// sufficient test; math.MinInt64 never passes).
func mulFits(x, y int64) bool {
	ax := uint64((x ^ x>>63) - x>>63)
	ay := uint64((y ^ y>>63) - y>>63)
	return bits.Len64(ax)+bits.Len64(ay) <= 63
}

// decOut receives a kernel's 64-bit results: as they are (a Decimal64
// array's values, narrow) or widened into the words of a decimal128
// array. The store branches on a flag that is the same for every value.
type decOut struct {
	n    int
	w    []int64 // n words, or 2n (low, high) when wide
	wide bool
	d128 []decimal128.Num // the wide array's values (w's memory)
	d64  []int64
}

// newDecOut makes the output of n results; wide ones go to buf (n
// values) when it is given.
func newDecOut(n int, narrow bool, buf []decimal128.Num) decOut {
	if narrow {
		w := types.NoZero[int64](n)
		return decOut{n: n, w: w, d64: w}
	}
	if buf == nil {
		buf = types.NoZero[decimal128.Num](n)
	}
	var w []int64
	if n > 0 {
		// decimal128.Num is {lo uint64; hi int64}: two words, low first
		w = unsafe.Slice((*int64)(unsafe.Pointer(&buf[0])), 2*n)
	}
	return decOut{n: n, w: w, wide: true, d128: buf}
}

func (o decOut) set(i int, r int64) {
	if o.wide {
		o.w[2*i] = r
		o.w[2*i+1] = r >> 63
		return
	}
	o.w[i] = r
}

// array is the results as a numeric array of scale rs.
func (o decOut) array(rs int32, validity []byte, nulls int) arrow.Array {
	if o.wide {
		return types.NewFixedArray(&arrow.Decimal128Type{Precision: 38, Scale: rs}, o.d128, validity, nulls)
	}
	return types.NewFixedArray(&arrow.Decimal64Type{Precision: 18, Scale: rs}, o.d64, validity, nulls)
}

// dec64Src reads a decimal column as 64-bit unscaled values in place: a
// Decimal64 array's own, or a Decimal128 array's low words where they
// hold the whole value (no copy of the column into a new slice).
type dec64Src struct {
	i64  []int64
	d128 []decimal128.Num
}

func (s dec64Src) at(i int) (int64, bool) {
	if s.i64 != nil {
		return s.i64[i], true
	}
	v := s.d128[i]
	lo := int64(v.LowBits())
	return lo, v.HighBits() == lo>>63
}

// dec64Of views the first n values of a decimal array as a dec64Src.
func dec64Of(a arrow.Array, n int) (dec64Src, bool) {
	switch x := a.(type) {
	case *array.Decimal64:
		return dec64Src{i64: types.Values[int64](x)[:n]}, true
	case *array.Decimal128:
		return dec64Src{d128: x.Values()[:n]}, true
	}
	return dec64Src{}, false
}

func sign64(v int64) int64 {
	if v < 0 {
		return -1
	}
	return 1
}

// pow10i64 are the powers of ten that fit an int64.
var pow10i64 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < 19; i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// small returns the value as int64 when it fits.
func small(d types.Decimal) (int64, bool) {
	hi, lo := d.V.HighBits(), d.V.LowBits()
	v := int64(lo)
	if (hi == 0 && v >= 0) || (hi == -1 && v < 0) {
		return v, true
	}
	return 0, false
}

// rescale64 multiplies by 10^k without overflow, or reports false.
func rescale64(v int64, k int32) (int64, bool) {
	if k == 0 {
		return v, true
	}
	if k < 0 || k > 18 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(abs64(v)), uint64(pow10i64[k]))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if v < 0 {
		return -int64(lo), true
	}
	return int64(lo), true
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// decimalFast computes + - * in 64-bit arithmetic when operands and
// result fit (the common case: money columns), else reports false.
func decimalFast(op string, x, y types.Decimal, rs int32) (types.Decimal, bool) {
	a, ok1 := small(x)
	b, ok2 := small(y)
	if !ok1 || !ok2 || a == math.MinInt64 || b == math.MinInt64 {
		return types.Decimal{}, false
	}
	switch op {
	case "+", "-":
		s := max(x.Scale, y.Scale)
		a2, ok1 := rescale64(a, s-x.Scale)
		b2, ok2 := rescale64(b, s-y.Scale)
		if !ok1 || !ok2 {
			return types.Decimal{}, false
		}
		var r int64
		if op == "+" {
			r = a2 + b2
			if (r > a2) != (b2 > 0) && b2 != 0 {
				return types.Decimal{}, false
			}
		} else {
			r = a2 - b2
			if (r < a2) != (b2 > 0) && b2 != 0 {
				return types.Decimal{}, false
			}
		}
		if rs != s {
			if r2, ok := rescale64(r, rs-s); ok {
				return types.Decimal{V: decimal128.FromI64(r2), Scale: rs}, true
			}
			return types.Decimal{}, false
		}
		return types.Decimal{V: decimal128.FromI64(r), Scale: rs}, true
	case "*":
		if x.Scale+y.Scale != rs {
			return types.Decimal{}, false
		}
		hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
		if hi != 0 || lo > math.MaxInt64 {
			return types.Decimal{}, false
		}
		r := int64(lo)
		if (a < 0) != (b < 0) {
			r = -r
		}
		return types.Decimal{V: decimal128.FromI64(r), Scale: rs}, true
	case "/":
		return divSmall(a, b, x.Scale, y.Scale, rs)
	}
	return types.Decimal{}, false
}

// divSmall is x/y at scale rs for 64-bit unscaled values, in 128-bit
// integer arithmetic, with DecimalOp's rounding (one digit more, then
// half away from zero); false when an intermediate does not fit 128 bits
// (the big.Int path takes those). TPC-DS's sum(…/2) divides every row,
// at PostgreSQL's division scale (20 digits here), so the quotient is
// 128 bits wide.
func divSmall(a, b int64, sa, sb, rs int32) (types.Decimal, bool) {
	if b == 0 {
		return types.Decimal{}, false // DecimalOp's path reports it
	}
	ua, ub := uint64(abs64(a)), uint64(abs64(b))
	shift := rs + sb - sa + 1
	if shift < 0 {
		if shift < -18 {
			return types.Decimal{}, false
		}
		hi, lo := bits.Mul64(ub, uint64(pow10i64[-shift]))
		if hi != 0 {
			return types.Decimal{}, false
		}
		ub, shift = lo, 0
	}
	// the numerator ua·10^shift in 128 bits
	hi, lo := uint64(0), ua
	for shift > 0 {
		k := min(shift, 18)
		var ok bool
		if hi, lo, ok = mul128(hi, lo, uint64(pow10i64[k])); !ok {
			return types.Decimal{}, false
		}
		shift -= k
	}
	// long division by ub: a 128-bit quotient
	qh, r := hi/ub, hi%ub
	ql, _ := bits.Div64(r, lo, ub)
	// drop the extra digit, rounding half away from zero
	qh, r = qh/10, qh%10
	ql, r = bits.Div64(r, ql, 10)
	if r >= 5 {
		var c uint64
		ql, c = bits.Add64(ql, 1, 0)
		qh += c
	}
	v := decimal128.New(int64(qh), ql)
	if qh > math.MaxInt64 || v.Greater(maxDec) {
		return types.Decimal{}, false
	}
	if (a < 0) != (b < 0) {
		v = v.Negate()
	}
	return types.Decimal{V: v, Scale: rs}, true
}

// mul128 is (hi, lo)·m, false past 128 bits.
func mul128(hi, lo, m uint64) (uint64, uint64, bool) {
	h1, l1 := bits.Mul64(lo, m)
	h2, l2 := bits.Mul64(hi, m)
	if h2 != 0 {
		return 0, 0, false
	}
	top, c := bits.Add64(l2, h1, 0)
	if c != 0 {
		return 0, 0, false
	}
	return top, l1, true
}

// DecimalOp computes x op y at result scale rs.
func DecimalOp(op string, x, y types.Decimal, rs int32) (types.Decimal, error) {
	if r, ok := decimalFast(op, x, y, rs); ok {
		return r, nil
	}
	switch op {
	case "+", "-", "%":
		var err error
		if x, err = x.Rescale(max(x.Scale, y.Scale)); err != nil {
			return x, err
		}
		if y, err = y.Rescale(x.Scale); err != nil {
			return x, err
		}
		var r decimal128.Num
		switch op {
		case "+":
			r = x.V.Add(y.V)
		case "-":
			r = x.V.Sub(y.V)
		case "%":
			if y.V.Sign() == 0 {
				return x, divByZero()
			}
			_, r = x.V.Div(y.V)
		}
		if r.Greater(maxDec) || r.Less(maxDec.Negate()) {
			return x, decOverflow()
		}
		return types.Decimal{V: r, Scale: x.Scale}.Rescale(rs)
	case "*":
		p := new(big.Int).Mul(x.V.BigInt(), y.V.BigInt())
		if p.BitLen() > 200 {
			return x, decOverflow()
		}
		d, err := bigDec(p, x.Scale+y.Scale, rs)
		return d, err
	case "/":
		if y.V.Sign() == 0 {
			return x, divByZero()
		}
		// x/y at scale rs: (x * 10^(rs + sy - sx + 1)) / y, then round one digit.
		shift := int64(rs + y.Scale - x.Scale + 1)
		num := x.V.BigInt()
		den := y.V.BigInt()
		if shift >= 0 {
			num.Mul(num, pow10big(shift))
		} else {
			den.Mul(den, pow10big(-shift))
		}
		q := new(big.Int).Quo(num, den)
		return bigDec(q, rs+1, rs)
	}
	return x, sqlerr.New(sqlerr.Internal, "unknown numeric operator %s", op)
}

// bigDec rounds an unscaled big integer at scale s to scale rs.
func bigDec(v *big.Int, s, rs int32) (types.Decimal, error) {
	if s > rs {
		div := pow10big(int64(s - rs))
		q, r := new(big.Int).QuoRem(v, div, new(big.Int))
		r.Abs(r).Lsh(r, 1)
		if r.Cmp(div) >= 0 {
			if v.Sign() < 0 {
				q.Sub(q, big.NewInt(1))
			} else {
				q.Add(q, big.NewInt(1))
			}
		}
		v = q
	} else if s < rs {
		v = new(big.Int).Mul(v, pow10big(int64(rs-s)))
	}
	if v.BitLen() > 126 {
		return types.Decimal{}, decOverflow()
	}
	d := types.Decimal{V: decimal128.FromBigInt(v), Scale: rs}
	if d.V.Greater(maxDec) || d.V.Less(maxDec.Negate()) {
		return d, decOverflow()
	}
	return d, nil
}

// NumericResultScale is the static result scale of a numeric operator.
func NumericResultScale(op string, s1, s2 int32) int32 {
	switch op {
	case "*":
		return min(s1+s2, 37)
	case "/":
		return DivScale(s1, s2)
	}
	return max(s1, s2)
}

func negate(t types.T) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0]
		switch t.Kind {
		case types.Int2:
			return mapFixed(a.DataType(), a, func(x int16) (int16, error) {
				if x == math.MinInt16 {
					return 0, types.OutOfRange(t)
				}
				return -x, nil
			})
		case types.Int4:
			return mapFixed(a.DataType(), a, func(x int32) (int32, error) {
				if x == math.MinInt32 {
					return 0, types.OutOfRange(t)
				}
				return -x, nil
			})
		case types.Int8:
			return mapFixed(a.DataType(), a, func(x int64) (int64, error) {
				if x == math.MinInt64 {
					return 0, types.OutOfRange(t)
				}
				return -x, nil
			})
		case types.Float4:
			return mapFixed(a.DataType(), a, func(x float32) (float32, error) { return -x, nil })
		case types.Float8:
			return mapFixed(a.DataType(), a, func(x float64) (float64, error) { return -x, nil })
		case types.Numeric:
			if types.IsDynNumeric(a.DataType()) {
				return dynNegate(a), nil
			}
			if _, narrow := a.(*array.Decimal64); narrow {
				// at most 18 digits: the negation cannot overflow
				return mapFixed(a.DataType(), a, func(x int64) (int64, error) { return -x, nil })
			}
			return mapFixed(a.DataType(), a, func(x decimal128.Num) (decimal128.Num, error) { return x.Negate(), nil })
		}
		return RowWise(fixed(t), true, func(_ *Ctx, v []types.Value) (types.Value, error) {
			iv := v[0].(types.IntervalVal)
			return types.IntervalVal{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}, nil
		})(nil, args, n)
	}
}

func arithOverloads(op string) []Overload {
	var out []Overload
	for _, t := range []types.T{types.Int2T, types.Int4T, types.Int8T} {
		var k Kernel
		switch t.Kind {
		case types.Int2:
			k = intArith[int16](t, op)
		case types.Int4:
			k = intArith[int32](t, op)
		default:
			k = intArith[int64](t, op)
		}
		out = append(out, Overload{Args: []Arg{ex(t), ex(t)}, Ret: fixed(t), Kernel: k})
	}
	if op != "%" { // PostgreSQL has no % (or mod) of real or double precision
		out = append(out,
			Overload{Args: []Arg{ex(types.Float4T), ex(types.Float4T)}, Ret: fixed(types.Float4T), Kernel: floatArith[float32](types.Float4T, op)},
			Overload{Args: []Arg{aFloat8, aFloat8}, Ret: fixed(types.Float8T), Kernel: floatArith[float64](types.Float8T, op)})
	}
	out = append(out, Overload{Args: []Arg{aNum, aNum}, Ret: dynRet(op), Kernel: decArith(op), Dyn: true})
	return out
}

// PGDivScale is PostgreSQL's select_div_scale for x / y: at least 16
// significant digits, from the base-10000 weights of the operands.
func PGDivScale(x, y types.Decimal) int32 {
	w1, d1 := nbaseWeight(x)
	w2, d2 := nbaseWeight(y)
	qweight := w1 - w2
	if d1 <= d2 {
		qweight--
	}
	rs := int32(16 - qweight*4)
	rs = max(rs, x.Scale, y.Scale, 0)
	return min(rs, 37)
}

// pow10u are the powers of ten that fit a uint64.
var pow10u = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// nbaseWeight returns the weight (power of 10000) and value of the
// leading base-10000 digit of |d|.
func nbaseWeight(d types.Decimal) (int, int) {
	if w, v, ok := nbaseWeight64(d); ok {
		return w, v
	}
	return nbaseWeightText(d.String())
}

// nbaseWeightText is nbaseWeight of a decimal's text.
func nbaseWeightText(s string) (int, int) {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	if intPart != "" {
		n := len(intPart)
		lead := (n-1)%4 + 1
		v, _ := strconv.Atoi(intPart[:lead])
		return (n - 1) / 4, v
	}
	z := len(frac) - len(strings.TrimLeft(frac, "0"))
	if z == len(frac) {
		return 0, 0
	}
	g := z / 4
	for len(frac) < (g+1)*4 {
		frac += "0"
	}
	v, _ := strconv.Atoi(frac[g*4 : g*4+4])
	return -(g + 1), v
}

// nbaseWeight64 is nbaseWeight by arithmetic, for a value that fits an
// int64 at a scale up to 18 (every average and most quotients): the
// string form cost more than the division it scales.
func nbaseWeight64(d types.Decimal) (int, int, bool) {
	lo := d.V.LowBits()
	if d.V.HighBits() != int64(lo)>>63 || d.Scale < 0 || d.Scale > 18 {
		return 0, 0, false
	}
	u := lo
	if int64(lo) < 0 {
		u = -lo
	}
	if u == 0 {
		return 0, 0, true
	}
	nd := 1 // digits of u
	for nd < 20 && u >= pow10u[nd] {
		nd++
	}
	sc := int(d.Scale)
	if n := nd - sc; n > 0 { // n integer digits
		lead := (n-1)%4 + 1
		return (n - 1) / 4, int(u / pow10u[nd-lead]), true
	}
	// below 1: z zeros after the point, then the digits of u
	z := sc - nd
	g := z / 4
	end := (g + 1) * 4 // fraction digits through the leading group
	var v uint64
	if end <= sc {
		v = u / pow10u[sc-end]
	} else {
		v = u * pow10u[end-sc] // end-sc < 4: no overflow below 10^19
	}
	return -(g + 1), int(v % 10000), true
}
