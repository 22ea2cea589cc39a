package functions

import (
	"math"
	"math/big"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// sqrt, ln, log, exp and power of numerics, as PostgreSQL 15's numeric.c
// computes them: the result is a numeric whose scale is chosen to give at
// least 16 significant digits (NUMERIC_MIN_SIG_DIGITS) and no fewer
// decimals than the inputs show, from the same estimates of the
// result's decimal weight, and the value is rounded (half away from
// zero) at that scale. The values themselves are computed exactly
// (square roots, integer powers) or in binary floating point with ample
// guard digits (logarithms, exponentials).

const (
	numMinSigDigits     = 16
	numMaxDisplayScale  = 1000
	numMaxResultScale   = 2000
	decDigits           = 4 // a base-10000 digit of PostgreSQL's numeric
	invalidPowerArgCode = "2201F"
)

// numVar is a numeric as an exact rational: unscaled * 10^-scale.
type numVar struct {
	u     *big.Int
	scale int
}

func toNumVar(d types.Decimal) numVar { return numVar{u: d.Big(), scale: int(d.Scale)} }

// pgDigits gives PostgreSQL's base-10000 form of |v|: the weight of its
// first digit group and its groups, most significant first, without
// trailing zero groups; ok is false for zero.
func (v numVar) pgDigits() (weight int, groups []int64, ok bool) {
	if v.u.Sign() == 0 {
		return 0, nil, false
	}
	a := new(big.Int).Abs(v.u)
	sc := v.scale
	if pad := (decDigits - sc%decDigits) % decDigits; pad > 0 {
		a.Mul(a, pow10(pad))
		sc += pad
	}
	tenK := big.NewInt(10000)
	m := new(big.Int)
	for {
		q, r := new(big.Int).QuoRem(a, tenK, m)
		if r.Sign() != 0 {
			break
		}
		a = q
		sc -= decDigits
	}
	var rev []int64
	for t := new(big.Int).Set(a); t.Sign() > 0; {
		q, r := new(big.Int).QuoRem(t, tenK, m)
		rev = append(rev, r.Int64())
		t = q
	}
	for i := len(rev) - 1; i >= 0; i-- {
		groups = append(groups, rev[i])
	}
	return len(groups) - 1 - sc/decDigits, groups, true
}

// overflowsNumeric is PostgreSQL's message for a result too large for
// numeric; lakeq's numerics end at 38 digits.
func overflowsNumeric() error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func (v numVar) float() *big.Float {
	f := new(big.Float).SetPrec(64).SetInt(v.u)
	return f.Quo(f, new(big.Float).SetPrec(64).SetInt(pow10(v.scale)))
}

func (v numVar) float64() float64 {
	f, _ := v.float().Float64()
	return f
}

// estimateLnDweight is estimate_ln_dweight.
func estimateLnDweight(v numVar) int {
	if v.u.Sign() <= 0 {
		return 0
	}
	f := v.float64()
	if f >= 0.9 && f <= 1.1 && v.cmp(numVar{big.NewInt(9), 1}) >= 0 && v.cmp(numVar{big.NewInt(11), 1}) <= 0 {
		x := numVar{new(big.Int).Sub(v.u, pow10(v.scale)), v.scale}
		w, g, ok := x.pgDigits()
		if !ok {
			return 0
		}
		return w*decDigits + int(math.Log10(float64(g[0])))
	}
	w, g, _ := v.pgDigits()
	digits := float64(g[0])
	dweight := w * decDigits
	if len(g) > 1 {
		digits = digits*10000 + float64(g[1])
		dweight -= decDigits
	}
	ln := math.Log(digits) + float64(dweight)*2.302585092994046
	return int(math.Log10(math.Abs(ln)))
}

func (v numVar) cmp(o numVar) int {
	s := max(v.scale, o.scale)
	a := new(big.Int).Mul(v.u, pow10(s-v.scale))
	b := new(big.Int).Mul(o.u, pow10(s-o.scale))
	return a.Cmp(b)
}

func clampScale(s int) int { return min(max(s, 0), numMaxDisplayScale) }

// roundRat rounds the rational r at scale decimals, half away from zero.
func roundRat(r *big.Rat, scale int) (types.Value, error) {
	n := new(big.Int).Mul(r.Num(), pow10(scale))
	d := r.Denom()
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if twice.Cmp(d) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return decimalOf(q, scale)
}

// roundFloat rounds f at scale decimals, half away from zero.
func roundFloat(f *big.Float, scale int) (types.Value, error) {
	r, _ := f.Rat(nil)
	return roundRat(r, scale)
}

func decimalOf(u *big.Int, scale int) (types.Value, error) {
	if !fitsDecimal128(u) || scale > 38 {
		return nil, overflowsNumeric()
	}
	return types.Decimal{V: decimal128.FromBigInt(u), Scale: int32(scale)}, nil
}

// precFor is a binary precision ample for a result of scale decimals
// whose integer part has intDigits digits.
func precFor(scale, intDigits int) uint {
	return uint(float64(scale+max(intDigits, 0)+30)*3.33) + 64
}

// bigLn is ln(x) for x > 0 at precision prec: x = m·2^k with m in
// [0.5, 1), ln m by the series of 2·atanh((m-1)/(m+1)).
func bigLn(x *big.Float, prec uint) *big.Float {
	m := new(big.Float).SetPrec(prec)
	k := x.MantExp(m)
	r := atanh2(new(big.Float).SetPrec(prec).Quo(
		new(big.Float).SetPrec(prec).Sub(m, big.NewFloat(1)),
		new(big.Float).SetPrec(prec).Add(m, big.NewFloat(1))), prec)
	if k != 0 {
		third := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), new(big.Float).SetPrec(prec).SetInt64(3))
		ln2 := atanh2(third, prec)
		r.Add(r, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(int64(k))))
	}
	return r
}

// atanh2 is 2·atanh(z) = 2·(z + z³/3 + z⁵/5 + …) for |z| <= 1/3.
func atanh2(z *big.Float, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(z)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	term := new(big.Float).SetPrec(prec).Set(z)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec)-8)
	for n := int64(3); ; n += 2 {
		term.Mul(term, z2)
		t := new(big.Float).SetPrec(prec).Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		sum.Add(sum, t)
		if new(big.Float).Abs(t).Cmp(eps) < 0 {
			break
		}
	}
	return sum.Mul(sum, big.NewFloat(2))
}

// bigExp is e^x at precision prec: x = k·ln2 + r, e^r by its series.
func bigExp(x *big.Float, prec uint) *big.Float {
	third := new(big.Float).SetPrec(prec).Quo(big.NewFloat(1), new(big.Float).SetPrec(prec).SetInt64(3))
	ln2 := atanh2(third, prec)
	kf := new(big.Float).SetPrec(prec).Quo(x, ln2)
	k, _ := kf.Int64()
	r := new(big.Float).SetPrec(prec).Sub(x, new(big.Float).SetPrec(prec).Mul(ln2, new(big.Float).SetPrec(prec).SetInt64(k)))
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec)-8)
	for n := int64(1); ; n++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	return sum.SetMantExp(sum, int(k))
}

// numericSqrt is numeric_sqrt.
func numericSqrt(d types.Decimal) (types.Value, error) {
	v := toNumVar(d)
	if v.u.Sign() < 0 {
		return nil, sqlerr.New(invalidPowerArgCode, "cannot take square root of a negative number")
	}
	w, _, _ := v.pgDigits()
	sweight := (w+1)*decDigits/2 - 1
	rscale := clampScale(max(numMinSigDigits-sweight, v.scale))
	// floor(sqrt(x)·10^(rscale+1)), then round the last digit
	e := 2*(rscale+1) - v.scale
	r := new(big.Int).Sqrt(new(big.Int).Mul(v.u, pow10(e)))
	q, m := new(big.Int).QuoRem(r, big.NewInt(10), new(big.Int))
	if m.Int64() >= 5 {
		q.Add(q, big.NewInt(1))
	}
	return decimalOf(q, rscale)
}

func lnChecks(v numVar) error {
	switch v.u.Sign() {
	case 0:
		return sqlerr.New("2201E", "cannot take logarithm of zero")
	case -1:
		return sqlerr.New("2201E", "cannot take logarithm of a negative number")
	}
	return nil
}

// numericLn is numeric_ln.
func numericLn(d types.Decimal) (types.Value, error) {
	v := toNumVar(d)
	if err := lnChecks(v); err != nil {
		return nil, err
	}
	dw := estimateLnDweight(v)
	rscale := clampScale(max(numMinSigDigits-dw, v.scale))
	prec := precFor(rscale, dw+1)
	return roundFloat(bigLn(v.exactFloat(prec), prec), rscale)
}

// exactFloat is v at precision prec.
func (v numVar) exactFloat(prec uint) *big.Float {
	f := new(big.Float).SetPrec(prec).SetInt(v.u)
	return f.Quo(f, new(big.Float).SetPrec(prec).SetInt(pow10(v.scale)))
}

// numericLog is log_var: log base b of x.
func numericLog(b, x types.Decimal) (types.Value, error) {
	bv, xv := toNumVar(b), toNumVar(x)
	if err := lnChecks(bv); err != nil {
		return nil, err
	}
	if err := lnChecks(xv); err != nil {
		return nil, err
	}
	bw, xw := estimateLnDweight(bv), estimateLnDweight(xv)
	rw := xw - bw
	rscale := clampScale(max(numMinSigDigits-rw, bv.scale, xv.scale))
	prec := precFor(rscale+max(0, -bw)+max(0, -xw), rw+1)
	lb := bigLn(bv.exactFloat(prec), prec)
	if lb.Sign() == 0 {
		return nil, sqlerr.New(sqlerr.DivisionByZero, "division by zero")
	}
	return roundFloat(new(big.Float).SetPrec(prec).Quo(bigLn(xv.exactFloat(prec), prec), lb), rscale)
}

// numericExp is numeric_exp.
func numericExp(d types.Decimal) (types.Value, error) {
	v := toNumVar(d)
	val := v.float64() * 0.434294481903252
	val = min(max(val, -numMaxResultScale), numMaxResultScale)
	rscale := clampScale(max(numMinSigDigits-int(val), v.scale))
	if val > 38 {
		return nil, overflowsNumeric()
	}
	prec := precFor(rscale, int(val)+1)
	return roundFloat(bigExp(v.exactFloat(prec), prec), rscale)
}

// numericPower is numeric_power and power_var.
func numericPower(b, e types.Decimal) (types.Value, error) {
	bv, ev := toNumVar(b), toNumVar(e)
	if bv.u.Sign() == 0 && ev.u.Sign() < 0 {
		return nil, sqlerr.New(invalidPowerArgCode, "zero raised to a negative power is undefined")
	}
	// an integer exponent: exact, then rounded
	ei := new(big.Rat).SetFrac(ev.u, pow10(ev.scale))
	if ei.IsInt() && ei.Num().IsInt64() && ei.Num().Int64() >= math.MinInt32 && ei.Num().Int64() <= math.MaxInt32 {
		n := ei.Num().Int64()
		// PostgreSQL 15's power_var: scale max(16, the base's)
		rscale := clampScale(max(numMinSigDigits, bv.scale))
		if n == 0 {
			return decimalOf(pow10(rscale), rscale)
		}
		if bv.u.Sign() == 0 {
			return decimalOf(new(big.Int), rscale)
		}
		// log10 of the result from the base's leading digits, for the
		// overflow test and the working precision
		w, g, _ := bv.pgDigits()
		lead := float64(g[0])
		p := w * decDigits
		for i := 1; i < len(g) && i*decDigits < 16; i++ {
			lead = lead*10000 + float64(g[i])
			p -= decDigits
		}
		f := float64(n) * (math.Log10(lead) + float64(p))
		if f > 38 {
			return nil, overflowsNumeric()
		}
		if f+1 < -float64(rscale) {
			return decimalOf(new(big.Int), rscale)
		}
		an := n
		if an < 0 {
			an = -an
		}
		if int64(bv.u.BitLen()+bv.scale*4)*an <= 1<<16 {
			// small enough to compute exactly
			base := new(big.Rat).SetFrac(bv.u, pow10(bv.scale))
			r := new(big.Rat).SetInt64(1)
			for k := an; k > 0; k >>= 1 {
				if k&1 == 1 {
					r.Mul(r, base)
				}
				if k > 1 {
					base.Mul(base, base)
				}
			}
			if n < 0 {
				r.Inv(r)
			}
			return roundRat(r, rscale)
		}
		// by squaring in binary, with guard bits for the rounding of
		// each of the 2·log2(n) multiplications
		prec := precFor(rscale, int(f)+1) + 2*uint(bits.Len64(uint64(an))) + 32
		base := bv.exactFloat(prec)
		r := new(big.Float).SetPrec(prec).SetInt64(1)
		for k := an; k > 0; k >>= 1 {
			if k&1 == 1 {
				r.Mul(r, base)
			}
			if k > 1 {
				base.Mul(base, base)
			}
		}
		if n < 0 {
			r.Quo(new(big.Float).SetPrec(prec).SetInt64(1), r)
		}
		return roundFloat(r, rscale)
	}
	if bv.u.Sign() == 0 {
		return decimalOf(new(big.Int), numMinSigDigits)
	}
	if bv.u.Sign() < 0 {
		return nil, sqlerr.New(invalidPowerArgCode, "a negative number raised to a non-integer power yields a complex result")
	}
	// exp(ln(base)·e) at the scale a low-precision estimate gives
	lnb := bigLn(bv.exactFloat(256), 256)
	est, _ := new(big.Float).Mul(lnb, ev.exactFloat(256)).Float64()
	val := est * 0.434294481903252
	if math.Abs(val) > numMaxResultScale*3.01 || val > 38 {
		return nil, overflowsNumeric()
	}
	rscale := clampScale(max(numMinSigDigits-int(val), bv.scale, ev.scale))
	prec := precFor(rscale, int(val)+1)
	x := new(big.Float).SetPrec(prec).Mul(bigLn(bv.exactFloat(prec), prec), ev.exactFloat(prec))
	return roundFloat(bigExp(x, prec), rscale)
}

// numericMathOverloads are the numeric overloads of sqrt, ln, log, exp
// and power (their double precision ones are in scalars.go).
func numericMathOverloads() map[string][]Overload {
	one := func(f func(types.Decimal) (types.Value, error)) Overload {
		return Overload{Args: []Arg{aNum}, Ret: fixed(types.NumericDynT), Dyn: true, Kernel: RowWise(fixed(types.NumericDynT), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return f(a[0].(types.Decimal))
		})}
	}
	two := func(f func(a, b types.Decimal) (types.Value, error)) Overload {
		return Overload{Args: []Arg{aNum, aNum}, Ret: fixed(types.NumericDynT), Dyn: true, Kernel: RowWise(fixed(types.NumericDynT), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return f(a[0].(types.Decimal), a[1].(types.Decimal))
		})}
	}
	ten := types.DecimalFromInt(10)
	log10 := one(func(x types.Decimal) (types.Value, error) { return numericLog(ten, x) })
	return map[string][]Overload{
		"sqrt":  {one(numericSqrt)},
		"ln":    {one(numericLn)},
		"exp":   {one(numericExp)},
		"log":   {log10, two(numericLog)},
		"power": {two(numericPower)},
	}
}
