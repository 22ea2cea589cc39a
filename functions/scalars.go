package functions

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/internal/libm"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

func row(args []Arg, ret types.T, f RowFunc) Overload {
	// row-wise kernels read each value with its own scale
	return Overload{Args: args, Ret: fixed(ret), Kernel: RowWise(fixed(ret), true, f), Dyn: true}
}

func rowPoly(args []Arg, ret func([]types.T) types.T, f RowFunc) Overload {
	return Overload{Args: args, Ret: ret, Kernel: RowWise(ret, true, f), Dyn: true}
}

func toF(v types.Value) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case types.Decimal:
		return x.Float64()
	}
	return 0
}

func f1(name string, f func(float64) float64, desc string) *Scalar {
	return &Scalar{Name: name, Description: desc, Overloads: []Overload{
		row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return f(toF(a[0])), nil }),
	}}
}

func mathDomain(name string) error {
	return sqlerr.New("2201F", "cannot take %s of a negative number", name)
}

func logZero() error { return sqlerr.New("2201E", "cannot take logarithm of zero") }

func logNeg() error { return sqlerr.New("2201E", "cannot take logarithm of a negative number") }

func decFn(f func(d types.Decimal) (types.Decimal, error)) RowFunc {
	return func(_ *Ctx, a []types.Value) (types.Value, error) { return f(a[0].(types.Decimal)) }
}

// roundDec rounds half away from zero to scale s (may be negative).
func roundDec(d types.Decimal, s int32, trunc bool) (types.Decimal, error) {
	if s >= d.Scale {
		return d, nil
	}
	target := s
	if target < 0 {
		target = 0
	}
	if trunc {
		b := d.Big()
		div := pow10big(int64(d.Scale - s))
		b.Quo(b, div)
		if s < 0 {
			b.Mul(b, pow10big(int64(-s)))
		}
		return bigDec(b, max(s, 0), target)
	}
	if s < 0 {
		b := d.Big()
		r, err := bigDec(b, d.Scale-s, 0)
		if err != nil {
			return r, err
		}
		b = r.Big()
		b.Mul(b, pow10big(int64(-s)))
		return bigDec(b, 0, 0)
	}
	return d.Rescale(s)
}

func builtinScalars() []*Scalar {
	out := []*Scalar{
		{Name: "+", Overloads: append(arithOverloads("+"), temporalOverloads("+")...)},
		{Name: "-", Overloads: append(arithOverloads("-"), temporalOverloads("-")...)},
		{Name: "*", Overloads: append(arithOverloads("*"), temporalOverloads("*")...)},
		{Name: "/", Overloads: append(arithOverloads("/"), temporalOverloads("/")...)},
		{Name: "%", Aliases: []string{"mod"}, Overloads: arithOverloads("%")},
		{Name: "&", Description: "bitwise and", Overloads: bitOverloads("&")},
		{Name: "|", Description: "bitwise or", Overloads: bitOverloads("|")},
		{Name: "#", Description: "bitwise exclusive or", Overloads: bitOverloads("#")},
		{Name: "<<", Description: "bitwise shift left", Overloads: bitOverloads("<<")},
		{Name: ">>", Description: "bitwise shift right", Overloads: bitOverloads(">>")},
		{Name: "u~", Description: "bitwise not", Overloads: bitOverloads("~")},
		{Name: "u-", Description: "negation", Overloads: []Overload{
			{Args: []Arg{ex(types.Int2T)}, Ret: fixed(types.Int2T), Kernel: negate(types.Int2T)},
			{Args: []Arg{aInt4}, Ret: fixed(types.Int4T), Kernel: negate(types.Int4T)},
			{Args: []Arg{aInt8}, Ret: fixed(types.Int8T), Kernel: negate(types.Int8T)},
			{Args: []Arg{ex(types.Float4T)}, Ret: fixed(types.Float4T), Kernel: negate(types.Float4T)},
			{Args: []Arg{aFloat8}, Ret: fixed(types.Float8T), Kernel: negate(types.Float8T)},
			{Args: []Arg{aNum}, Ret: firstArg, Kernel: negate(types.NumericT), Dyn: true},
			{Args: []Arg{aIntv}, Ret: fixed(types.IntervalT), Kernel: negate(types.IntervalT)},
		}},
		{Name: "||", Description: "concatenation", Overloads: []Overload{
			textKernelOf([]Arg{aText, aText}, 2, textConcat, func(_ *Ctx, a []types.Value) (types.Value, error) { return a[0].(string) + a[1].(string), nil }),
			row([]Arg{aBytea, aBytea}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return append(append([]byte{}, a[0].([]byte)...), a[1].([]byte)...), nil
			}),
			{Args: []Arg{{Kind: ArgArray}, {Kind: ArgSame}}, Ret: firstArg, Kernel: RowWise(firstArg, false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return a[1], nil
				}
				if a[1] == nil {
					return a[0], nil
				}
				return append(append([]any{}, a[0].([]any)...), a[1].([]any)...), nil
			})},
			{Args: []Arg{{Kind: ArgArray}, {Kind: ArgElemOf}}, Ret: firstArg, Kernel: RowWise(firstArg, false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				arr, _ := a[0].([]any)
				return append(append([]any{}, arr...), a[1]), nil
			})},
			{Args: []Arg{{Kind: ArgElemOf}, {Kind: ArgArray}}, Ret: func(ts []types.T) types.T { return ts[1] }, Kernel: RowWise(func(ts []types.T) types.T { return ts[1] }, false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				arr, _ := a[1].([]any)
				return append([]any{a[0]}, arr...), nil
			})},
		}},
		{Name: "abs", Description: "absolute value", Example: "abs(-17.4)", Overloads: []Overload{
			rowPoly([]Arg{{Type: types.Int2T}}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(int64)
				if x == math.MinInt16 {
					return nil, types.OutOfRange(types.Int2T)
				}
				return max(x, -x), nil
			}),
			rowPoly([]Arg{aInt4}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(int64)
				if x == math.MinInt32 {
					return nil, types.OutOfRange(types.Int4T)
				}
				return max(x, -x), nil
			}),
			rowPoly([]Arg{aInt8}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(int64)
				if x == math.MinInt64 {
					return nil, types.OutOfRange(types.Int8T)
				}
				return max(x, -x), nil
			}),
			rowPoly([]Arg{aFloat8}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.Abs(a[0].(float64)), nil }),
			// real stays real (PostgreSQL's float4abs): round, sqrt and the
			// rest go through double precision, abs does not
			rowPoly([]Arg{ex(types.Float4T)}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.Abs(a[0].(float64)), nil }),
			rowPoly([]Arg{aNum}, firstArg, func(_ *Ctx, a []types.Value) (types.Value, error) {
				d := a[0].(types.Decimal)
				if d.V.Sign() < 0 {
					d.V = d.V.Negate()
				}
				return d, nil
			}),
		}},
		{Name: "ceil", Aliases: []string{"ceiling"}, Description: "nearest integer greater than or equal to argument", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.Ceil(a[0].(float64)), nil }),
			row([]Arg{aNum}, types.NumericT, decFn(func(d types.Decimal) (types.Decimal, error) {
				t, err := roundDec(d, 0, true)
				if err == nil && types.Compare(t, d) < 0 {
					return DecimalOp("+", t, types.DecimalFromInt(1), 0)
				}
				return t, err
			})),
		}},
		{Name: "floor", Description: "nearest integer less than or equal to argument", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.Floor(a[0].(float64)), nil }),
			row([]Arg{aNum}, types.NumericT, decFn(func(d types.Decimal) (types.Decimal, error) {
				t, err := roundDec(d, 0, true)
				if err == nil && types.Compare(t, d) > 0 {
					return DecimalOp("-", t, types.DecimalFromInt(1), 0)
				}
				return t, err
			})),
		}},
		{Name: "round", Description: "round to nearest integer or to s decimal places", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.RoundToEven(a[0].(float64)), nil }),
			row([]Arg{aNum}, types.NumericT, decFn(func(d types.Decimal) (types.Decimal, error) { return roundDec(d, 0, false) })),
			Overload{Args: []Arg{aNum, aInt4}, Ret: fixed(types.T{Kind: types.Numeric, Scale: -1}), Kernel: roundScaleKernel(false), Dyn: true},
		}},
		{Name: "trunc", Description: "truncate toward zero", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) { return math.Trunc(a[0].(float64)), nil }),
			row([]Arg{aNum}, types.NumericT, decFn(func(d types.Decimal) (types.Decimal, error) { return roundDec(d, 0, true) })),
			Overload{Args: []Arg{aNum, aInt4}, Ret: fixed(types.T{Kind: types.Numeric, Scale: -1}), Kernel: roundScaleKernel(true), Dyn: true},
		}},
		{Name: "sign", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(float64)
				switch {
				case x > 0:
					return 1.0, nil
				case x < 0:
					return -1.0, nil
				}
				return 0.0, nil
			}),
			row([]Arg{aNum}, types.NumericT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.DecimalFromInt(int64(a[0].(types.Decimal).V.Sign())), nil
			}),
		}},
		{Name: "sqrt", Description: "square root", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(float64)
				if x < 0 {
					return nil, mathDomain("square root")
				}
				return math.Sqrt(x), nil
			}),
		}},
		f1("cbrt", libm.Cbrt, "cube root"),
		{Name: "ln", Description: "natural logarithm", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(float64)
				if x == 0 {
					return nil, logZero()
				}
				if x < 0 {
					return nil, logNeg()
				}
				return libm.Log(x), nil
			}),
		}},
		{Name: "log", Aliases: []string{"log10"}, Description: "base 10 logarithm, or log(b, x)", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x := a[0].(float64)
				if x == 0 {
					return nil, logZero()
				}
				if x < 0 {
					return nil, logNeg()
				}
				return libm.Log10(x), nil
			}),
			row([]Arg{aFloat8, aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				b, x := a[0].(float64), a[1].(float64)
				if b <= 0 || x <= 0 {
					return nil, logNeg()
				}
				if b == 1 {
					return nil, divByZero()
				}
				return libm.Log(x) / libm.Log(b), nil
			}),
		}},
		{Name: "exp", Overloads: []Overload{
			row([]Arg{aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				r := libm.Exp(a[0].(float64))
				if math.IsInf(r, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
				return r, nil
			}),
		}},
		{Name: "power", Aliases: []string{"pow"}, Overloads: []Overload{
			row([]Arg{aFloat8, aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, y := a[0].(float64), a[1].(float64)
				if x == 0 && y < 0 {
					return nil, sqlerr.New("2201F", "zero raised to a negative power is undefined")
				}
				if x < 0 && y != math.Trunc(y) {
					return nil, sqlerr.New("2201F", "a negative number raised to a non-integer power yields a complex result")
				}
				r := libm.Pow(x, y)
				// PostgreSQL's dpow: an infinite argument gives POSIX's
				// answer; finite ones that overflow, or underflow to zero,
				// are errors (pow's ERANGE)
				finite := !math.IsInf(x, 0) && !math.IsInf(y, 0) && !math.IsNaN(x) && !math.IsNaN(y)
				if finite && math.IsInf(r, 0) {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
				}
				if finite && r == 0 && x != 0 {
					return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: underflow")
				}
				return r, nil
			}),
		}},
		{Name: "pi", Overloads: []Overload{{Args: nil, Ret: fixed(types.Float8T), Kernel: RowWise(fixed(types.Float8T), false, func(*Ctx, []types.Value) (types.Value, error) { return math.Pi, nil })}}},
		{Name: "random", Volatile: true, Overloads: []Overload{{Args: nil, Ret: fixed(types.Float8T), Kernel: RowWise(fixed(types.Float8T), false, func(*Ctx, []types.Value) (types.Value, error) { return rand.Float64(), nil })}}},
		f1("degrees", func(x float64) float64 { return x * 180 / math.Pi }, "radians to degrees"),
		f1("radians", func(x float64) float64 { return x * math.Pi / 180 }, "degrees to radians"),
		{Name: "atan2", Overloads: []Overload{row([]Arg{aFloat8, aFloat8}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return libm.Atan2(a[0].(float64), a[1].(float64)), nil
		})}},
		{Name: "div", Overloads: []Overload{row([]Arg{aNum, aNum}, types.NumericT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			q, err := DecimalOp("/", a[0].(types.Decimal), a[1].(types.Decimal), 20)
			if err != nil {
				return nil, err
			}
			return roundDec(q, 0, true)
		})}},
		{Name: "width_bucket", Overloads: []Overload{row([]Arg{aFloat8, aFloat8, aFloat8, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			x, lo, hi, n := a[0].(float64), a[1].(float64), a[2].(float64), a[3].(int64)
			if n <= 0 {
				return nil, sqlerr.New(sqlerr.InvalidArgument, "count must be greater than zero")
			}
			switch {
			case x < lo:
				return int64(0), nil
			case x >= hi:
				return n + 1, nil
			}
			return int64((x-lo)/(hi-lo)*float64(n)) + 1, nil
		})}},

		// ---- strings ----
		{Name: "length", Aliases: []string{"char_length", "character_length"}, Description: "number of characters", Overloads: []Overload{
			{Args: []Arg{aText}, Ret: fixed(types.Int4T), Kernel: func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
				return strToInt(args[0], func(s string) int32 { return int32(utf8.RuneCountInString(s)) }), nil
			}},
			row([]Arg{aBytea}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) { return int64(len(a[0].([]byte))), nil }),
		}},
		{Name: "octet_length", Overloads: []Overload{
			{Args: []Arg{aText}, Ret: fixed(types.Int4T), Kernel: func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
				return strToInt(args[0], func(s string) int32 { return int32(len(s)) }), nil
			}},
		}},
		{Name: "bit_length", Overloads: []Overload{row([]Arg{aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) { return int64(8 * len(a[0].(string))), nil })}},
		{Name: "lower", Overloads: []Overload{strMap(strings.ToLower)}},
		{Name: "upper", Overloads: []Overload{strMap(strings.ToUpper)}},
		{Name: "initcap", Overloads: []Overload{strMap(initcap)}},
		{Name: "reverse", Overloads: []Overload{strMap(func(s string) string {
			r := []rune(s)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r)
		})}},
		{Name: "substring", Aliases: []string{"substr"}, Description: "extract substring", Example: "substring('Thomas', 2, 3)", Overloads: []Overload{
			textKernelOf([]Arg{aText, aInt4}, 1, textSubstring(false), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return substr(a[0].(string), a[1].(int64), math.MaxInt32, false)
			}),
			textKernelOf([]Arg{aText, aInt4, aInt4}, 1, textSubstring(true), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return substr(a[0].(string), a[1].(int64), a[2].(int64), true)
			}),
			row([]Arg{aText, aText, aText}, types.TextT, similarSubstring()),
			row([]Arg{aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				re, err := compileRegex(a[1].(string), "")
				if err != nil {
					return nil, err
				}
				m := re.FindStringSubmatch(a[0].(string))
				if m == nil {
					return nil, nil
				}
				if len(m) > 1 {
					return m[1], nil
				}
				return m[0], nil
			}),
		}},
		{Name: "position", Aliases: []string{"strpos"}, Overloads: []Overload{
			row([]Arg{aText, aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				i := strings.Index(a[0].(string), a[1].(string))
				if i < 0 {
					return int64(0), nil
				}
				return int64(utf8.RuneCountInString(a[0].(string)[:i]) + 1), nil
			}),
		}},
		{Name: "split_part", Overloads: []Overload{
			textKernelOf([]Arg{aText, aText, aInt4}, 2, textSplitPart, splitPartRow),
		}},
		{Name: "replace", Overloads: []Overload{
			textKernelOf([]Arg{aText, aText, aText}, 3, textReplace, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[1].(string) == "" {
					return a[0], nil
				}
				return strings.ReplaceAll(a[0].(string), a[1].(string), a[2].(string)), nil
			}),
		}},
		{Name: "overlay", Overloads: []Overload{
			textKernelOf([]Arg{aText, aText, aInt4}, 2, textOverlay, overlayRow),
			textKernelOf([]Arg{aText, aText, aInt4, aInt4}, 2, textOverlay, overlayRow),
		}},
		{Name: "translate", Overloads: []Overload{
			row([]Arg{aText, aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				from, to := []rune(a[1].(string)), []rune(a[2].(string))
				var sb strings.Builder
				for _, r := range a[0].(string) {
					idx := -1
					for i, f := range from {
						if f == r {
							idx = i
							break
						}
					}
					switch {
					case idx < 0:
						sb.WriteRune(r)
					case idx < len(to):
						sb.WriteRune(to[idx])
					}
				}
				return sb.String(), nil
			}),
		}},
		{Name: "btrim", Aliases: []string{"trim"}, Overloads: trimOverloads(strings.Trim, strings.TrimSpace)},
		{Name: "ltrim", Overloads: trimOverloads(strings.TrimLeft, func(s string) string { return strings.TrimLeft(s, " ") })},
		{Name: "rtrim", Overloads: trimOverloads(strings.TrimRight, func(s string) string { return strings.TrimRight(s, " ") })},
		{Name: "lpad", Overloads: padOverloads(true)},
		{Name: "rpad", Overloads: padOverloads(false)},
		{Name: "left", Overloads: []Overload{textKernelOf([]Arg{aText, aInt4}, 1, textLeft, func(_ *Ctx, a []types.Value) (types.Value, error) {
			r, n := []rune(a[0].(string)), int(a[1].(int64))
			if n < 0 {
				n = max(len(r)+n, 0)
			}
			return string(r[:min(n, len(r))]), nil
		})}},
		{Name: "right", Overloads: []Overload{textKernelOf([]Arg{aText, aInt4}, 1, textRight, func(_ *Ctx, a []types.Value) (types.Value, error) {
			r, n := []rune(a[0].(string)), int(a[1].(int64))
			if n < 0 {
				n = max(len(r)+n, 0)
			}
			return string(r[len(r)-min(n, len(r)):]), nil
		})}},
		{Name: "repeat", Overloads: []Overload{textKernelOf([]Arg{aText, aInt4}, 1, textRepeat, repeatRow)}},
		{Name: "starts_with", Overloads: []Overload{row([]Arg{aText, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return strings.HasPrefix(a[0].(string), a[1].(string)), nil
		})}},
		{Name: "ascii", Overloads: []Overload{row([]Arg{aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			r, _ := utf8.DecodeRuneInString(a[0].(string))
			if r == utf8.RuneError {
				return int64(0), nil
			}
			return int64(r), nil
		})}},
		{Name: "chr", Overloads: []Overload{row([]Arg{aInt4}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			c := a[0].(int64)
			if c <= 0 || c > unicode.MaxRune {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested character too large for encoding: %d", c)
			}
			return string(rune(c)), nil
		})}},
		{Name: "to_hex", Overloads: []Overload{
			// integer's two's complement in 32 bits (to_hex(-1) is ffffffff)
			row([]Arg{aInt4}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return fmt.Sprintf("%x", uint32(a[0].(int64))), nil
			}),
			row([]Arg{aInt8}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return fmt.Sprintf("%x", uint64(a[0].(int64))), nil
			}),
		}},
		{Name: "concat", Description: "concatenate, ignoring NULLs", Overloads: []Overload{
			{Args: []Arg{aAny}, Variadic: true, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				var sb strings.Builder
				for _, v := range a {
					if v != nil {
						sb.WriteString(textOf(v))
					}
				}
				return sb.String(), nil
			})},
		}},
		{Name: "__record_text", Description: "a row value's text, as PostgreSQL's record_out writes it (the elements of a CYCLE path)", Overloads: []Overload{
			{Args: []Arg{aAny}, Variadic: true, Ret: fixed(types.TextT), Kernel: recordText},
		}},
		{Name: "concat_ws", Overloads: []Overload{
			{Args: []Arg{aText, aAny}, Variadic: true, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil {
					return nil, nil
				}
				var parts []string
				for _, v := range a[1:] {
					if v != nil {
						parts = append(parts, textOf(v))
					}
				}
				return strings.Join(parts, a[0].(string)), nil
			})},
		}},
		{Name: "quote_ident", Overloads: []Overload{row([]Arg{aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return QuoteIdent(a[0].(string)), nil
		})}},
		{Name: "regexp_replace", Overloads: []Overload{regexReplaceKernel(3), regexReplaceKernel(4)}},
		{Name: "regexp_match", Overloads: []Overload{
			row([]Arg{aText, aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexMatch(a[0].(string), a[1].(string), "")
			}),
			row([]Arg{aText, aText, aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexMatch(a[0].(string), a[1].(string), a[2].(string))
			}),
		}},
		{Name: "~", Overloads: []Overload{regexOp(false, false)}},
		{Name: "~*", Overloads: []Overload{regexOp(true, false)}},
		{Name: "!~", Overloads: []Overload{regexOp(false, true)}},
		{Name: "!~*", Overloads: []Overload{regexOp(true, true)}},
		{Name: "array_to_string", Aliases: []string{"array_join"}, Overloads: []Overload{
			row([]Arg{{Kind: ArgArray}, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				var parts []string
				for _, e := range a[0].([]any) {
					if e != nil {
						parts = append(parts, textOf(e))
					}
				}
				return strings.Join(parts, a[1].(string)), nil
			}),
			row([]Arg{{Kind: ArgArray}, aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				var parts []string
				for _, e := range a[0].([]any) {
					if e != nil {
						parts = append(parts, textOf(e))
					} else {
						parts = append(parts, a[2].(string))
					}
				}
				return strings.Join(parts, a[1].(string)), nil
			}),
		}},
		{Name: "array_length", Overloads: []Overload{row([]Arg{{Kind: ArgArray}, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			n, ok := dimLen(a[0].([]any), a[1].(int64))
			if !ok {
				return nil, nil
			}
			return int64(n), nil
		})}},
		{Name: "array_upper", Overloads: []Overload{row([]Arg{{Kind: ArgArray}, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			n, ok := dimLen(a[0].([]any), a[1].(int64))
			if !ok {
				return nil, nil
			}
			return int64(n), nil
		})}},
		{Name: "array_lower", Overloads: []Overload{row([]Arg{{Kind: ArgArray}, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			_, ok := dimLen(a[0].([]any), a[1].(int64))
			if !ok {
				return nil, nil
			}
			return int64(1), nil
		})}},
		{Name: "array_append", Overloads: []Overload{{Args: []Arg{{Kind: ArgArray}, {Kind: ArgElemOf}}, Ret: firstArg, Kernel: RowWise(firstArg, false, func(_ *Ctx, a []types.Value) (types.Value, error) {
			arr, _ := a[0].([]any)
			return append(append([]any{}, arr...), a[1]), nil
		})}}},
		{Name: "gen_random_uuid", Volatile: true, Overloads: []Overload{{Ret: fixed(types.UUIDT), Kernel: RowWise(fixed(types.UUIDT), false, func(*Ctx, []types.Value) (types.Value, error) {
			var b [16]byte
			for i := range b {
				b[i] = byte(rand.UintN(256))
			}
			b[6] = b[6]&0x0f | 0x40
			b[8] = b[8]&0x3f | 0x80
			h := hex.EncodeToString(b[:])
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
		})}}},
		{Name: "->", Overloads: jsonOverloads(false)},
		{Name: "->>", Overloads: jsonOverloads(true)},
	}
	out = append(out, temporalScalars()...)
	out = append(out, systemScalars()...)
	out = append(out, settingFuncs()...)
	out = append(out, catalogScalars()...)
	out = append(out, jsonScalars()...)
	out = append(out, jsonbOpsScalars()...)
	out = append(out, jsonbModScalars()...)
	out = append(out, arrayScalars()...)
	out = append(out, formatScalars()...)
	out = append(out, mathMoreScalars()...)
	out = append(out, zoneScalars()...)
	out = append(out, bytesMiscScalars()...)
	out = append(out, jsonRawScalars()...)
	out = append(out, textMoreScalars()...)
	out = append(out, jsonPathScalars()...)
	out = append(out, convertScalars()...)
	out = append(out, redshiftScalars()...)
	out = append(out, athenaScalars()...)
	out = append(out, athenaMoreScalars()...)
	return out
}

func roundScaleKernel(trunc bool) Kernel {
	// The result scale comes from the scale argument, which the binder
	// requires to be constant (it also fixes the result type from it).
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		scale := int32(0)
		for i := 0; i < n; i++ {
			if args[1].IsValid(i) {
				scale = int32(types.GetValue(types.Int4T, args[1], i).(int64))
				break
			}
		}
		rt := types.T{Kind: types.Numeric, Scale: max(scale, 0)}
		if out, ok := roundDecimals(args[0], scale, trunc, rt); ok {
			return out, nil
		}
		return RowWise(fixed(rt), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
			r, err := roundDec(a[0].(types.Decimal), scale, trunc)
			if err != nil {
				return nil, err
			}
			return r.Rescale(rt.Scale)
		})(ctx, args, n)
	}
}

// roundDecimals is round (or trunc) of a decimal array to scale s ≥ 0 in
// one loop over 64-bit unscaled values, halves away from zero as
// PostgreSQL's numeric rounds; false when a value is wider than 64 bits
// or s is negative (the row-wise path takes those).
func roundDecimals(in arrow.Array, s int32, trunc bool, rt types.T) (arrow.Array, bool) {
	var from int32
	switch dt := in.DataType().(type) {
	case *arrow.Decimal64Type:
		from = dt.Scale
	case *arrow.Decimal128Type:
		from = dt.Scale
	default:
		return nil, false
	}
	if s < 0 || from > 18 || s-from > 18 {
		return nil, false
	}
	vals := make([]int64, in.Len())
	switch x := in.(type) {
	case *array.Decimal64:
		for i, v := range x.Values() {
			vals[i] = int64(v)
		}
	case *array.Decimal128:
		for i, v := range x.Values() {
			lo := int64(v.LowBits())
			if v.HighBits() != lo>>63 {
				if x.IsNull(i) {
					continue
				}
				return nil, false
			}
			vals[i] = lo
		}
	default:
		return nil, false
	}
	out := make([]decimal128.Num, len(vals))
	if s >= from {
		mul := pow10i64[s-from]
		for i, v := range vals {
			hi, lo := bits.Mul64(uint64(abs64(v)), uint64(mul))
			if hi != 0 || lo > math.MaxInt64 {
				return nil, false
			}
			out[i] = decimal128.FromI64(v * mul)
		}
	} else {
		div := pow10i64[from-s]
		for i, v := range vals {
			q, r := v/div, v%div
			if !trunc && 2*abs64(r) >= div {
				if v < 0 {
					q--
				} else {
					q++
				}
			}
			out[i] = decimal128.FromI64(q)
		}
	}
	return types.NewFixedArray(rt.Arrow(), out, types.ValidityBits(in), in.NullN()), true
}

// QuoteIdent quotes an identifier when PostgreSQL would.
func QuoteIdent(s string) string {
	safe := s != ""
	for i, r := range s {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && r >= '0' && r <= '9')) {
			safe = false
			break
		}
	}
	if safe && !IsReservedWord(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// IsReservedWord reports PostgreSQL's reserved keywords (the common ones).
func IsReservedWord(s string) bool {
	switch s {
	case "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check", "collate",
		"column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time", "current_timestamp",
		"current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
		"foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit",
		"localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing", "primary", "references",
		"returning", "select", "session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique",
		"user", "using", "variadic", "when", "where", "window", "with":
		return true
	}
	return false
}

func textOf(v types.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return types.FormatFloat(x, 64)
	case types.TimestampVal:
		return types.FormatTimestamp(int64(x))
	}
	return types.FormatText(types.TextT, v)
}

func strToInt(a arrow.Array, f func(string) int32) arrow.Array {
	s := a.(interface {
		Value(int) string
		IsNull(int) bool
		Len() int
	})
	out := make([]int32, a.Len())
	for i := range out {
		if !s.IsNull(i) {
			out[i] = f(s.Value(i))
		}
	}
	return types.NewFixedArray(arrow.PrimitiveTypes.Int32, out, types.ValidityBits(a), a.NullN())
}

func strMap(f func(string) string) Overload {
	return Overload{Args: []Arg{aText}, Ret: fixed(types.TextT), Kernel: func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		return mapString(args[0], func(s string) (string, error) { return f(s), nil })
	}}
}

func initcap(s string) string {
	var sb strings.Builder
	prevAlnum := false
	for _, r := range s {
		if prevAlnum {
			sb.WriteRune(unicode.ToLower(r))
		} else {
			sb.WriteRune(unicode.ToUpper(r))
		}
		prevAlnum = unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return sb.String()
}

func substr(s string, from, count int64, hasCount bool) (types.Value, error) {
	if hasCount && count < 0 {
		return nil, sqlerr.New(sqlerr.SubstringError, "negative substring length not allowed")
	}
	r := []rune(s)
	start := from - 1
	end := int64(len(r))
	if hasCount {
		end = start + count
	}
	if start < 0 {
		start = 0
	}
	if end > int64(len(r)) {
		end = int64(len(r))
	}
	if start >= end {
		return "", nil
	}
	return string(r[start:end]), nil
}

func trimOverloads(withChars func(string, string) string, plain func(string) string) []Overload {
	return []Overload{
		strMap(func(s string) string {
			return plain(s)
		}),
		row([]Arg{aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return withChars(a[0].(string), a[1].(string)), nil
		}),
	}
}

func padOverloads(left bool) []Overload {
	pad := func(s string, n int64, fill string) (types.Value, error) {
		r := []rune(s)
		if n <= 0 {
			return "", nil
		}
		if n > 1<<28 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
		}
		if int64(len(r)) >= n {
			return string(r[:n]), nil
		}
		f := []rune(fill)
		if len(f) == 0 {
			return s, nil
		}
		padding := make([]rune, 0, n-int64(len(r)))
		for i := 0; int64(len(padding)) < n-int64(len(r)); i++ {
			padding = append(padding, f[i%len(f)])
		}
		if left {
			return string(padding) + s, nil
		}
		return s + string(padding), nil
	}
	return []Overload{
		row([]Arg{aText, aInt4}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) { return pad(a[0].(string), a[1].(int64), " ") }),
		row([]Arg{aText, aInt4, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return pad(a[0].(string), a[1].(int64), a[2].(string))
		}),
	}
}

// regexReplacer is one regexp_replace pattern, flags and replacement,
// compiled once.
type regexReplacer struct {
	re     *regexp.Regexp
	pat    string
	tmpl   string // the replacement in Go's Expand syntax
	global bool
}

func newRegexReplacer(pat, repl, flags string) (*regexReplacer, error) {
	re, err := compileRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	// PostgreSQL writes \1 for a group and \& for the whole match (a
	// bare & is itself); Go's Expand wants ${1} and ${0}.
	var sb strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\' && i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9':
			sb.WriteString("${" + string(repl[i+1]) + "}")
			i++
		case c == '\\' && i+1 < len(repl) && repl[i+1] == '&':
			sb.WriteString("${0}")
			i++
		case c == '\\' && i+1 < len(repl):
			sb.WriteByte(repl[i+1])
			i++
		case c == '$':
			sb.WriteString("$$")
		default:
			sb.WriteByte(c)
		}
	}
	return &regexReplacer{re: re, pat: pat, tmpl: sb.String(), global: strings.Contains(flags, "g")}, nil
}

// appendReplace appends s with the first (or, global, every) match
// replaced, the matches as PostgreSQL finds them (allMatches).
func (r *regexReplacer) appendReplace(dst []byte, s string) []byte {
	if r.global {
		last := 0
		for _, loc := range allMatches(r.re, r.pat, s, -1) {
			dst = append(dst, s[last:loc[0]]...)
			dst = r.re.ExpandString(dst, r.tmpl, s, loc)
			last = loc[1]
		}
		return append(dst, s[last:]...)
	}
	loc := r.re.FindStringSubmatchIndex(s)
	if loc == nil {
		return append(dst, s...)
	}
	dst = append(dst, s[:loc[0]]...)
	dst = r.re.ExpandString(dst, r.tmpl, s, loc)
	return append(dst, s[loc[1]:]...)
}

func regexReplace(s, pat, repl, flags string) (types.Value, error) {
	r, err := newRegexReplacer(pat, repl, flags)
	if err != nil {
		return nil, err
	}
	return string(r.appendReplace(nil, s)), nil
}

// regexReplaceKernel is regexp_replace over Arrow buffers, the pattern
// compiled once per distinct (pattern, replacement, flags) in a batch —
// constants, almost always — instead of once per row.
func regexReplaceKernel(nText int) Overload {
	args := []Arg{aText, aText, aText, aText}[:nText]
	o := row(args, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
		flags := ""
		if len(a) > 3 {
			flags = a[3].(string)
		}
		return regexReplace(a[0].(string), a[1].(string), a[2].(string), flags)
	})
	fallback := o.Kernel
	o.Kernel = func(ctx *Ctx, in []arrow.Array, n int) (arrow.Array, error) {
		var cur *regexReplacer
		var key [3]string
		return textKernel(nText, func(dst []byte, s []string, _ []int64) ([]byte, bool, error) {
			k := [3]string{s[1], s[2]}
			if nText > 3 {
				k[2] = s[3]
			}
			if cur == nil || k != key {
				r, err := newRegexReplacer(k[0], k[1], k[2])
				if err != nil {
					return nil, false, err
				}
				cur, key = r, k
			}
			return cur.appendReplace(dst, s[0]), false, nil
		}, fallback)(ctx, in, n)
	}
	return o
}

func regexMatch(s, pat, flags string) (types.Value, error) {
	if strings.ContainsRune(flags, 'g') {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "regexp_match() does not support the \"global\" option (use regexp_matches)")
	}
	re, err := compileRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return nil, nil
	}
	return matchArray(s, m), nil
}

// matchArray is a match as regexp_match returns it: the whole match when
// the pattern has no groups, else each group's text (NULL where a group
// took no part).
func matchArray(s string, m []int) []any {
	if len(m) == 2 {
		return []any{s[m[0]:m[1]]}
	}
	out := make([]any, 0, len(m)/2-1)
	for g := 2; g < len(m); g += 2 {
		if m[g] < 0 {
			out = append(out, nil)
			continue
		}
		out = append(out, s[m[g]:m[g+1]])
	}
	return out
}

// RegexpMatches is the set-returning regexp_matches: the first match, or
// with the g flag every match, each as regexp_match's array.
func RegexpMatches(s, pat, flags string) ([]types.Value, error) {
	re, err := compileRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	n := 1
	if strings.ContainsRune(flags, 'g') {
		n = -1
	}
	var out []types.Value
	for _, m := range allMatches(re, pat, s, n) {
		out = append(out, matchArray(s, m))
	}
	return out, nil
}

func regexOp(ci, not bool) Overload {
	return Overload{Args: []Arg{aText, aText}, Ret: fixed(types.BoolT), Kernel: func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		var cache *regexp.Regexp
		var cachePat string
		flags := ""
		if ci {
			flags = "i"
		}
		return RowWise(fixed(types.BoolT), true, func(_ *Ctx, a []types.Value) (types.Value, error) {
			p := a[1].(string)
			if cache == nil || p != cachePat {
				re, err := compileRegex(p, flags)
				if err != nil {
					return nil, err
				}
				cache, cachePat = re, p
			}
			return cache.MatchString(a[0].(string)) != not, nil
		})(ctx, args, n)
	}}
}

// recordText is PostgreSQL's record_out over the arguments: "(a,b)", a
// NULL field empty, a field quoted when it is empty or holds a quote,
// backslash, parenthesis, comma or white space (quotes and backslashes
// then doubled). Two rows of the same types are equal exactly when their
// texts are, which is what a CYCLE path compares.
func recordText(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
	ts := make([]types.T, len(args))
	for i, a := range args {
		t, err := types.FromArrow(a.DataType())
		if err != nil {
			return nil, err
		}
		ts[i] = t
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(n)
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.Reset()
		sb.WriteByte('(')
		for j, a := range args {
			if j > 0 {
				sb.WriteByte(',')
			}
			v := types.GetValue(ts[j], a, i)
			if v == nil {
				continue
			}
			writeRecordField(&sb, types.FormatText(ts[j], v))
		}
		sb.WriteByte(')')
		b.Append(sb.String())
	}
	return b.NewArray(), nil
}

func writeRecordField(sb *strings.Builder, f string) {
	quote := f == "" || strings.ContainsAny(f, "\"\\(), \t\n\r\v\f") // isspace in the C locale
	if !quote {
		sb.WriteString(f)
		return
	}
	sb.WriteByte('"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' || f[i] == '\\' {
			sb.WriteByte(f[i])
		}
		sb.WriteByte(f[i])
	}
	sb.WriteByte('"')
}

// bitOverloads are PostgreSQL's bitwise operators on int2, int4 and
// int8: &, |, # of two of one type; << and >> by an int4 count, which
// wraps in the left operand's width as C's shifts do on x86 (the count
// taken mod the width; int2 shifts as an int, then truncates); ~ of one.
func bitOverloads(op string) []Overload {
	var out []Overload
	for _, t := range []types.T{types.Int2T, types.Int4T, types.Int8T} {
		width := map[types.Kind]int64{types.Int2: 16, types.Int4: 32, types.Int8: 64}[t.Kind]
		narrow := func(x int64) int64 {
			switch width {
			case 16:
				return int64(int16(x))
			case 32:
				return int64(int32(x))
			}
			return x
		}
		switch op {
		case "~":
			out = append(out, row([]Arg{ex(t)}, t, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return ^a[0].(int64), nil
			}))
		case "<<", ">>":
			mask := int64(31)
			if width == 64 {
				mask = 63
			}
			out = append(out, row([]Arg{ex(t), aInt4}, t, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, n := a[0].(int64), uint(a[1].(int64)&mask)
				if width == 32 {
					x32 := int32(x)
					if op == "<<" {
						return int64(x32 << n), nil
					}
					return int64(x32 >> n), nil
				}
				if op == "<<" {
					return narrow(x << n), nil
				}
				return narrow(x >> n), nil
			}))
		default:
			out = append(out, row([]Arg{ex(t), ex(t)}, t, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, y := a[0].(int64), a[1].(int64)
				switch op {
				case "&":
					return x & y, nil
				case "|":
					return x | y, nil
				}
				return x ^ y, nil
			}))
		}
	}
	return out
}

// splitPartRow is split_part(s, delimiter, n), row by row.
func splitPartRow(_ *Ctx, a []types.Value) (types.Value, error) {
	s, d, n := a[0].(string), a[1].(string), a[2].(int64)
	if n == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "field position must not be zero")
	}
	var parts []string
	if d == "" {
		parts = []string{s}
	} else {
		parts = strings.Split(s, d)
	}
	if n < 0 {
		n = int64(len(parts)) + n + 1
	}
	if n < 1 || n > int64(len(parts)) {
		return "", nil
	}
	return parts[n-1], nil
}

// repeatRow is repeat(s, n), row by row.
func repeatRow(_ *Ctx, a []types.Value) (types.Value, error) {
	n := a[1].(int64)
	if n <= 0 {
		return "", nil
	}
	if int64(len(a[0].(string)))*n > 1<<28 {
		return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "requested length too large")
	}
	return strings.Repeat(a[0].(string), int(n)), nil
}

// overlayRow is overlay for arguments in other array types.
func overlayRow(_ *Ctx, a []types.Value) (types.Value, error) {
	iv := []int64{a[2].(int64)}
	if len(a) > 3 {
		iv = append(iv, a[3].(int64))
	}
	out, _, err := textOverlay(nil, []string{a[0].(string), a[1].(string)}, iv)
	if err != nil {
		return nil, err
	}
	return string(out), nil
}

// dimLen is the length of a (nested) array's dimension d, 1-based: the
// first element's at each level above it; false past its dimensions or
// for an empty array.
func dimLen(a []any, d int64) (int, bool) {
	for ; d > 1; d-- {
		if len(a) == 0 {
			return 0, false
		}
		sub, ok := a[0].([]any)
		if !ok {
			return 0, false
		}
		a = sub
	}
	if d != 1 || len(a) == 0 {
		return 0, false
	}
	return len(a), true
}
