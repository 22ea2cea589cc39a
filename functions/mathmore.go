package functions

import (
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/internal/libm"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Trigonometry, hyperbolic functions and integer and numeric helpers as
// PostgreSQL 15's float.c and numeric.c define them. The degree-based
// functions are float.c's: the input reduced to the first quadrant and
// scaled by constants computed the same way, so sind(30) is exactly 0.5
// and tand(45) exactly 1.

func outOfRangeInput() error {
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "input is out of range")
}

// radiansPerDegree is a variable so that products with it round in
// float64 as C's do (a Go constant expression would be exact)
var radiansPerDegree = 0.0174532925199432957692

// degree constants, computed as init_degree_constants does
var (
	sin30         = libm.Sin(float64s(30) * radiansPerDegree)
	oneMinusCos60 = 1 - libm.Cos(float64s(60)*radiansPerDegree)
	asin05        = libm.Asin(0.5)
	acos05        = libm.Acos(0.5)
	atan10        = libm.Atan(1)
	tan45         = sindQ1(45) / cosdQ1(45)
	cot45         = cosdQ1(45) / sindQ1(45)
)

// float64s returns x as a run-time value.
func float64s(x float64) float64 { return x }

func sind0To30(x float64) float64 { return libm.Sin(x*radiansPerDegree) / sin30 / 2 }

func cosd0To60(x float64) float64 {
	return 1 - ((1 - libm.Cos(x*radiansPerDegree)) / oneMinusCos60 / 2)
}

func sindQ1(x float64) float64 {
	if x <= 30 {
		return sind0To30(x)
	}
	return cosd0To60(90 - x)
}

func cosdQ1(x float64) float64 {
	if x <= 60 {
		return cosd0To60(x)
	}
	return sind0To30(90 - x)
}

func asindQ1(x float64) float64 {
	if x <= 0.5 {
		return libm.Asin(x) / asin05 * 30
	}
	return 90 - libm.Acos(x)/acos05*60
}

func acosdQ1(x float64) float64 {
	if x <= 0.5 {
		return 90 - libm.Asin(x)/asin05*30
	}
	return libm.Acos(x) / acos05 * 60
}

// degreeQuadrant reduces x (degrees) to [0, 90], returning the sign the
// function's result takes; odd says whether f(-x) = -f(x), flip180
// whether f(180-x) = -f(x).
func degreeQuadrant(x float64, odd, flip180, flip360 bool) (float64, float64) {
	sign := 1.0
	x = math.Mod(x, 360)
	if x < 0 {
		x = -x
		if odd {
			sign = -sign
		}
	}
	if x > 180 {
		x = 360 - x
		if flip360 {
			sign = -sign
		}
	}
	if x > 90 {
		x = 180 - x
		if flip180 {
			sign = -sign
		}
	}
	return x, sign
}

func mathMoreScalars() []*Scalar {
	f := func(name, desc string, fn func(x float64) (float64, error)) *Scalar {
		return &Scalar{Name: name, Description: desc, Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return fn(toF(a[0])) }),
		}}
	}
	// periodic functions refuse an infinite input; NaN passes through
	periodic := func(name, desc string, fn func(x float64) float64) *Scalar {
		return f(name, desc, func(x float64) (float64, error) {
			if math.IsNaN(x) {
				return x, nil
			}
			if math.IsInf(x, 0) {
				return 0, outOfRangeInput()
			}
			r := fn(x)
			if math.IsInf(r, 0) && name != "cotd" && name != "tand" && name != "cot" && name != "tan" {
				return 0, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			if (name == "tand" || name == "cotd") && r == 0 {
				r = 0 // never minus zero
			}
			return r, nil
		})
	}
	// unit takes inputs in [-1, 1]
	unit := func(name, desc string, fn func(x float64) float64) *Scalar {
		return f(name, desc, func(x float64) (float64, error) {
			if math.IsNaN(x) {
				return x, nil
			}
			if x < -1 || x > 1 {
				return 0, outOfRangeInput()
			}
			return fn(x), nil
		})
	}
	return []*Scalar{
		periodic("sin", "sine", libm.Sin),
		periodic("cos", "cosine", libm.Cos),
		periodic("tan", "tangent", libm.Tan),
		periodic("cot", "cotangent", func(x float64) float64 { return 1 / libm.Tan(x) }),
		unit("asin", "arcsine", libm.Asin),
		unit("acos", "arccosine", libm.Acos),
		f("atan", "arctangent", func(x float64) (float64, error) { return libm.Atan(x), nil }),
		periodic("sind", "sine, argument in degrees", func(x float64) float64 {
			x, sign := degreeQuadrant(x, true, false, true)
			return sign * sindQ1(x)
		}),
		periodic("cosd", "cosine, argument in degrees", func(x float64) float64 {
			x, sign := degreeQuadrant(x, false, true, false)
			return sign * cosdQ1(x)
		}),
		periodic("tand", "tangent, argument in degrees", func(x float64) float64 {
			x, sign := degreeQuadrant(x, true, true, true)
			return sign * (sindQ1(x) / cosdQ1(x) / tan45)
		}),
		periodic("cotd", "cotangent, argument in degrees", func(x float64) float64 {
			x, sign := degreeQuadrant(x, true, true, true)
			return sign * (cosdQ1(x) / sindQ1(x) / cot45)
		}),
		unit("asind", "arcsine, result in degrees", func(x float64) float64 {
			if x >= 0 {
				return asindQ1(x)
			}
			return -asindQ1(-x)
		}),
		unit("acosd", "arccosine, result in degrees", func(x float64) float64 {
			if x >= 0 {
				return acosdQ1(x)
			}
			return 90 + asindQ1(-x)
		}),
		f("atand", "arctangent, result in degrees", func(x float64) (float64, error) {
			if math.IsNaN(x) {
				return x, nil
			}
			return libm.Atan(x) / atan10 * 45, nil
		}),
		{Name: "atan2d", Description: "arctangent of y/x, result in degrees", Overloads: []Overload{
			row([]Arg{aFloat8, aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				y, x := a[0].(float64), a[1].(float64)
				if math.IsNaN(x) || math.IsNaN(y) {
					return math.NaN(), nil
				}
				return libm.Atan2(y, x) / atan10 * 45, nil
			}),
		}},
		f("sinh", "hyperbolic sine", func(x float64) (float64, error) { return libm.Sinh(x), nil }),
		f("cosh", "hyperbolic cosine", func(x float64) (float64, error) { return libm.Cosh(x), nil }),
		f("tanh", "hyperbolic tangent", func(x float64) (float64, error) { return libm.Tanh(x), nil }),
		f("asinh", "inverse hyperbolic sine", func(x float64) (float64, error) { return libm.Asinh(x), nil }),
		f("acosh", "inverse hyperbolic cosine", func(x float64) (float64, error) {
			if x < 1 {
				return 0, outOfRangeInput()
			}
			return libm.Acosh(x), nil
		}),
		f("atanh", "inverse hyperbolic tangent", func(x float64) (float64, error) {
			if math.IsNaN(x) {
				return x, nil
			}
			if x < -1 || x > 1 {
				return 0, outOfRangeInput()
			}
			return libm.Atanh(x), nil
		}),
		{Name: "factorial", Description: "factorial", Overloads: []Overload{
			row([]Arg{aInt8}, types.NumericT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				n := a[0].(int64)
				if n < 0 {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "factorial of a negative number is undefined")
				}
				r := new(big.Int).MulRange(1, max(n, 1))
				if n > 40 || !fitsDecimal128(r) {
					return nil, types.OutOfRange(types.NumericT)
				}
				return types.Decimal{V: decimal128.FromBigInt(r)}, nil
			}),
		}},
		{Name: "gcd", Description: "greatest common divisor", Overloads: []Overload{
			intPair(types.Int4T, gcdInt), intPair(types.Int8T, gcdInt),
			row([]Arg{aNum, aNum}, types.NumericDynT, numPair(func(x, y *big.Int) *big.Int { return new(big.Int).GCD(nil, nil, x, y) })),
		}},
		{Name: "lcm", Description: "least common multiple", Overloads: []Overload{
			intPair(types.Int4T, lcmInt), intPair(types.Int8T, lcmInt),
			row([]Arg{aNum, aNum}, types.NumericDynT, numPair(func(x, y *big.Int) *big.Int {
				if x.Sign() == 0 || y.Sign() == 0 {
					return new(big.Int)
				}
				g := new(big.Int).GCD(nil, nil, x, y)
				r := new(big.Int).Quo(x, g)
				return r.Abs(r.Mul(r, y))
			})),
		}},
		{Name: "scale", Description: "number of decimal digits in the fractional part", Overloads: []Overload{
			row([]Arg{aNum}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(a[0].(types.Decimal).Scale), nil
			}),
		}},
		{Name: "min_scale", Description: "minimum scale needed to represent the value without loss", Overloads: []Overload{
			row([]Arg{aNum}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(trimScale(a[0].(types.Decimal)).Scale), nil
			}),
		}},
		{Name: "trim_scale", Description: "the value with trailing fractional zeros removed", Overloads: []Overload{
			{Args: []Arg{aNum}, Ret: fixed(types.NumericDynT), Dyn: true, Kernel: RowWise(fixed(types.NumericDynT), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return trimScale(a[0].(types.Decimal)), nil
			})},
		}},
	}
}

// trimScale drops trailing fractional zeros.
func trimScale(d types.Decimal) types.Decimal {
	ten := decimal128.FromI64(10)
	for d.Scale > 0 {
		q, r := d.V.Div(ten)
		if r != (decimal128.Num{}) {
			break
		}
		d.V, d.Scale = q, d.Scale-1
	}
	return d
}

func fitsDecimal128(x *big.Int) bool {
	return x.CmpAbs(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)) < 0
}

func gcdInt(x, y int64) (int64, bool) {
	for y != 0 {
		x, y = y, x%y
	}
	if x == math.MinInt64 {
		return 0, false
	}
	return max(x, -x), true
}

func lcmInt(x, y int64) (int64, bool) {
	if x == 0 || y == 0 {
		return 0, true
	}
	g, ok := gcdInt(x, y)
	if !ok {
		return 0, false
	}
	q := x / g
	r := q * y
	if r/y != q || r == math.MinInt64 {
		return 0, false
	}
	return max(r, -r), true
}

// intPair is an integer function of two arguments of type t, its result
// checked against t's range.
func intPair(t types.T, f func(x, y int64) (int64, bool)) Overload {
	return row([]Arg{ex(t), ex(t)}, t, func(_ *Ctx, a []types.Value) (types.Value, error) {
		r, ok := f(a[0].(int64), a[1].(int64))
		if !ok || t.Kind == types.Int4 && (r > math.MaxInt32 || r < math.MinInt32) {
			return nil, types.OutOfRange(t)
		}
		return r, nil
	})
}

// numPair applies f to two numerics brought to their common scale; the
// result keeps that scale.
func numPair(f func(x, y *big.Int) *big.Int) RowFunc {
	return func(_ *Ctx, a []types.Value) (types.Value, error) {
		x, y := a[0].(types.Decimal), a[1].(types.Decimal)
		sc := max(x.Scale, y.Scale)
		x, err := x.Rescale(sc)
		if err != nil {
			return nil, err
		}
		if y, err = y.Rescale(sc); err != nil {
			return nil, err
		}
		r := f(x.Big(), y.Big())
		if !fitsDecimal128(r) {
			return nil, types.OutOfRange(types.NumericT)
		}
		return types.Decimal{V: decimal128.FromBigInt(r), Scale: sc}, nil
	}
}
