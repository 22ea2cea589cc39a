package functions

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// CompareOps are the comparison operators.
var CompareOps = []string{"=", "<>", "<", "<=", ">", ">="}

func cmpOrdered[E int16 | int32 | int64 | uint32 | arrow.Date32 | arrow.Time64 | arrow.Timestamp](op string) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0], args[1]
		validity, nulls := types.AndValidity(n, a, b)
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		cmpLoop(op, types.Values[E](a)[:n], types.Values[E](b)[:n], bits)
		return boolFromBits(bits, n, validity, nulls), nil
	}
}

// cmpLoop sets bit i of out when av[i] op bv[i]. One loop per operator
// keeps the comparison inline (no call per value); eight results are
// gathered in a register and stored as one byte (setting each bit in
// memory chained every comparison to the last one's store).
func cmpLoop[E int16 | int32 | int64 | uint32 | arrow.Date32 | arrow.Time64 | arrow.Timestamp](op string, av, bv []E, out []byte) {
	bv = bv[:len(av)]
	n := len(av) &^ 7
	out = out[:(len(av)+7)/8]
	switch op {
	case "=":
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] == b[0]) | b2u8(a[1] == b[1])<<1 | b2u8(a[2] == b[2])<<2 | b2u8(a[3] == b[3])<<3 |
				b2u8(a[4] == b[4])<<4 | b2u8(a[5] == b[5])<<5 | b2u8(a[6] == b[6])<<6 | b2u8(a[7] == b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] == bv[i]) << (uint(i) & 7)
		}
	case "<>", "!=":
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] != b[0]) | b2u8(a[1] != b[1])<<1 | b2u8(a[2] != b[2])<<2 | b2u8(a[3] != b[3])<<3 |
				b2u8(a[4] != b[4])<<4 | b2u8(a[5] != b[5])<<5 | b2u8(a[6] != b[6])<<6 | b2u8(a[7] != b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] != bv[i]) << (uint(i) & 7)
		}
	case "<":
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] < b[0]) | b2u8(a[1] < b[1])<<1 | b2u8(a[2] < b[2])<<2 | b2u8(a[3] < b[3])<<3 |
				b2u8(a[4] < b[4])<<4 | b2u8(a[5] < b[5])<<5 | b2u8(a[6] < b[6])<<6 | b2u8(a[7] < b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] < bv[i]) << (uint(i) & 7)
		}
	case "<=":
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] <= b[0]) | b2u8(a[1] <= b[1])<<1 | b2u8(a[2] <= b[2])<<2 | b2u8(a[3] <= b[3])<<3 |
				b2u8(a[4] <= b[4])<<4 | b2u8(a[5] <= b[5])<<5 | b2u8(a[6] <= b[6])<<6 | b2u8(a[7] <= b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] <= bv[i]) << (uint(i) & 7)
		}
	case ">":
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] > b[0]) | b2u8(a[1] > b[1])<<1 | b2u8(a[2] > b[2])<<2 | b2u8(a[3] > b[3])<<3 |
				b2u8(a[4] > b[4])<<4 | b2u8(a[5] > b[5])<<5 | b2u8(a[6] > b[6])<<6 | b2u8(a[7] > b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] > bv[i]) << (uint(i) & 7)
		}
	default:
		for i := 0; i < n; i += 8 {
			a, b := av[i:i+8:i+8], bv[i:i+8:i+8]
			out[i>>3] |= b2u8(a[0] >= b[0]) | b2u8(a[1] >= b[1])<<1 | b2u8(a[2] >= b[2])<<2 | b2u8(a[3] >= b[3])<<3 |
				b2u8(a[4] >= b[4])<<4 | b2u8(a[5] >= b[5])<<5 | b2u8(a[6] >= b[6])<<6 | b2u8(a[7] >= b[7])<<7
		}
		for i := n; i < len(av); i++ {
			out[i>>3] |= b2u8(av[i] >= bv[i]) << (uint(i) & 7)
		}
	}
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// floatCmp orders NaN above all numbers and equal to itself (PostgreSQL).
func floatCmp(x, y float64) int {
	xn, yn := math.IsNaN(x), math.IsNaN(y)
	switch {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func opTest(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "<>", "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

func cmpFloat[E float32 | float64](op string) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		return zipBool(args[0], args[1], n, func(x, y E) bool { return opTest(op, floatCmp(float64(x), float64(y))) }), nil
	}
}

func cmpDecimal(op string) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		if anyDyn(args) {
			return dynCompare(op, args, n), nil
		}
		a, b := args[0], args[1]
		sa, sb := types.DecimalScale(a.DataType()), types.DecimalScale(b.DataType())
		if sa == sb {
			// values that fit 64 bits (all of a Decimal64, almost all of a
			// Decimal128) compare as int64
			x64, okx := decimalInt64s(a, n)
			y64, oky := decimalInt64s(b, n)
			if okx && oky {
				validity, nulls := types.AndValidity(n, a, b)
				bits := make([]byte, bitutil.BytesForBits(int64(n)))
				cmpLoop(op, x64, y64, bits)
				return boolFromBits(bits, n, validity, nulls), nil
			}
		}
		a, b = types.Decimal128Of(a), types.Decimal128Of(b)
		if sa == sb {
			return zipBool(a, b, n, func(x, y decimal128.Num) bool { return opTest(op, x.Cmp(y)) }), nil
		}
		return zipBool(a, b, n, func(x, y decimal128.Num) bool {
			dx, dy := types.Decimal{V: x, Scale: sa}, types.Decimal{V: y, Scale: sb}
			if p, ok1 := small(dx); ok1 {
				if q, ok2 := small(dy); ok2 {
					s := max(sa, sb)
					p2, ok3 := rescale64(p, s-sa)
					q2, ok4 := rescale64(q, s-sb)
					if ok3 && ok4 {
						switch {
						case p2 < q2:
							return opTest(op, -1)
						case p2 > q2:
							return opTest(op, 1)
						}
						return opTest(op, 0)
					}
				}
			}
			return opTest(op, types.Compare(dx, dy))
		}), nil
	}
}

func cmpBool(op string) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a, b := args[0].(*array.Boolean), args[1].(*array.Boolean)
		validity, nulls := types.AndValidity(n, a, b)
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		for i := 0; i < n; i++ {
			x, y := 0, 0
			if a.Value(i) {
				x = 1
			}
			if b.Value(i) {
				y = 1
			}
			if opTest(op, x-y) {
				bitutil.SetBit(bits, i)
			}
		}
		return boolFromBits(bits, n, validity, nulls), nil
	}
}

// cmpBytes compares strings or byte strings in byte order (the C collation).
func cmpBytes(op string) Kernel {
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		validity, nulls := types.AndValidity(n, args[0], args[1])
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		get := func(a arrow.Array) func(int) []byte {
			switch x := a.(type) {
			case *array.String:
				offs, data := types.StringWindow(x)
				return func(i int) []byte { return data[offs[i]:offs[i+1]] }
			case *array.Binary:
				return x.Value
			}
			return func(int) []byte { return nil }
		}
		ga, gb := get(args[0]), get(args[1])
		for i := 0; i < n; i++ {
			if !valid(validity, i) {
				continue
			}
			if opTest(op, bytes.Compare(ga(i), gb(i))) {
				bitutil.SetBit(bits, i)
			}
		}
		return boolFromBits(bits, n, validity, nulls), nil
	}
}

func cmpGeneric(op string) Kernel {
	return func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		ta, _ := types.FromArrow(args[0].DataType())
		tb, _ := types.FromArrow(args[1].DataType())
		validity, nulls := types.AndValidity(n, args[0], args[1])
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		for i := 0; i < n; i++ {
			if !valid(validity, i) {
				continue
			}
			if opTest(op, types.Compare(types.GetValue(ta, args[0], i), types.GetValue(tb, args[1], i))) {
				bitutil.SetBit(bits, i)
			}
		}
		return boolFromBits(bits, n, validity, nulls), nil
	}
}

// CompareKernel returns the kernel comparing two arrays of type t.
func CompareKernel(op string, t types.T) Kernel {
	switch t.Kind {
	case types.Int2:
		return cmpOrdered[int16](op)
	case types.Int4:
		return cmpOrdered[int32](op)
	case types.Int8:
		return cmpOrdered[int64](op)
	case types.Oid:
		return cmpOrdered[uint32](op)
	case types.Float4:
		return cmpFloat[float32](op)
	case types.Float8:
		return cmpFloat[float64](op)
	case types.Numeric:
		return cmpDecimal(op)
	case types.Bool:
		return cmpBool(op)
	case types.Text, types.Varchar, types.Char, types.Unknown, types.JSON, types.JSONB, types.UUID, types.Bytea:
		return cmpBytes(op)
	case types.Date:
		return cmpOrdered[arrow.Date32](op)
	case types.Time:
		return cmpOrdered[arrow.Time64](op)
	case types.Timestamp, types.TimestampTZ:
		return cmpOrdered[arrow.Timestamp](op)
	}
	return cmpGeneric(op)
}

func compareOverloads(op string) []Overload {
	var out []Overload
	for _, t := range []types.T{types.BoolT, types.Int2T, types.Int4T, types.Int8T, types.Float4T, types.Float8T, types.NumericT,
		types.TextT, types.ByteaT, types.DateT, types.TimeT, types.TimestampT, types.TimestampTZT, types.IntervalT, types.UUIDT, types.OidT, types.JSONBT} {
		out = append(out, Overload{Args: []Arg{ex(t), ex(t)}, Ret: fixed(types.BoolT), Kernel: CompareKernel(op, t), Dyn: t.Kind == types.Numeric})
	}
	out = append(out, Overload{Args: []Arg{{Kind: ArgArray}, {Kind: ArgSame}}, Ret: fixed(types.BoolT), Kernel: cmpGeneric(op)})
	return out
}

// decimalInt64s returns the first n scaled values of a decimal array as
// int64s: a Decimal64's own values, or a Decimal128's when all fit.
func decimalInt64s(a arrow.Array, n int) ([]int64, bool) {
	switch x := a.(type) {
	case *array.Decimal64:
		return types.Values[int64](x)[:n], true
	case *array.Decimal128:
		vals := x.Values()[:n]
		out := types.NoZero[int64](n) // every value written, or none used
		for i, v := range vals {
			lo := int64(v.LowBits())
			if v.HighBits() != lo>>63 {
				return nil, false
			}
			out[i] = lo
		}
		return out, true
	}
	return nil, false
}
