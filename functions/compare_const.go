package functions

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/lakeq/lakeq/types"
)

// CompareBytesConst returns a kernel comparing a string (or byte string)
// argument with the constant c, in byte order as CompareKernel does. The
// constant is captured when the plan is built: the kernel does not read
// the constant's array (but for an argument array of another encoding,
// which goes to the general kernel), so the loop touches one column's
// offsets and bytes and nothing else. constLeft says the
// constant is the left operand (c op x), which flips the operator.
//
// This is DataFusion's ColumnarValue::Scalar argument for the case that
// dominates filters (col = 'literal'), chosen by expr.Resolve.
func CompareBytesConst(op string, c []byte, constLeft bool) Kernel {
	general := cmpBytes(op)
	if constLeft {
		op = FlipCompare(op)
	}
	cs := string(c)
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0]
		if constLeft {
			a = args[1]
		}
		var offs []int32
		var data []byte
		switch x := a.(type) {
		case *array.String:
			offs, data = types.StringWindow(x)
		case *array.Binary:
			offs, data = types.BinaryWindow(x)
		default:
			return general(nil, args, n)
		}
		validity, nulls := types.AndValidity(n, a)
		bits := make([]byte, bitutil.BytesForBits(int64(n)))
		offs = offs[:n+1]
		l := int32(len(cs))
		switch {
		case op == "=" && l == 1:
			// one-byte codes ('M', 'Y') are common in dimension tables
			c0 := cs[0]
			for i := 0; i < n; i++ {
				s, e := offs[i], offs[i+1]
				bits[i>>3] |= b2u8(e-s == 1 && data[s] == c0) << (uint(i) & 7)
			}
		case op == "=":
			for i := 0; i < n; i++ {
				s, e := offs[i], offs[i+1]
				bits[i>>3] |= b2u8(e-s == l && string(data[s:e]) == cs) << (uint(i) & 7)
			}
		case op == "<>" || op == "!=":
			for i := 0; i < n; i++ {
				s, e := offs[i], offs[i+1]
				bits[i>>3] |= b2u8(e-s != l || string(data[s:e]) != cs) << (uint(i) & 7)
			}
		default:
			for i := 0; i < n; i++ {
				bits[i>>3] |= b2u8(opTest(op, bytes.Compare(data[offs[i]:offs[i+1]], c))) << (uint(i) & 7)
			}
		}
		return boolFromBits(bits, n, validity, nulls), nil
	}
}

// FlipCompare is the operator with its operands swapped: c < x is x > c.
func FlipCompare(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}

// ByteOrdered reports whether values of t compare by CompareKernel in
// plain byte order, so a constant of t may be compared as bytes.
func ByteOrdered(t types.T) bool {
	switch t.Kind {
	case types.Text, types.Varchar, types.Char, types.Unknown, types.Bytea:
		return true
	}
	return false
}
