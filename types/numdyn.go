package types

import (
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Unconstrained numeric with a scale per value.
//
// lakeq's decimals are Arrow decimals: one scale per array, which is what
// every typed kernel loops over. PostgreSQL's numeric without a typmod
// keeps each value's display scale instead (1.5 and 2.25 in one column
// read back as written). Only some values need that: a table column
// declared plain `numeric`, text or floats cast to numeric, and the rows
// written into such a column. Those have type NumericDynT, and their
// arrays are the extension type lakeq.numeric, stored as the canonical
// text of each value ("2.25", "-0.001"). Text keeps the scale, prints
// as it is, and is what a managed table's Parquet file holds for the
// column. Kernels that do not understand the extension never receive it:
// it is not a Decimal128, so a type switch cannot mistake it for one,
// and the binder hands non-Dyn kernels a static-scale cast (planner,
// typing.go). Every other unconstrained numeric keeps one static scale
// per expression, as before, so TPC-style decimal work stays on the
// typed loops.

// dynNumericType is the Arrow extension type of NumericDynT arrays.
type dynNumericType struct{ arrow.ExtensionBase }

var dynNumeric = &dynNumericType{ExtensionBase: arrow.ExtensionBase{Storage: arrow.BinaryTypes.String}}

// DynNumericArray is an array of NumericDynT values.
type DynNumericArray struct{ array.ExtensionArrayBase }

func (*dynNumericType) ArrayType() reflect.Type { return reflect.TypeOf(DynNumericArray{}) }
func (*dynNumericType) ExtensionName() string   { return "lakeq.numeric" }
func (*dynNumericType) String() string          { return "lakeq.numeric" }
func (*dynNumericType) Serialize() string       { return "" }
func (t *dynNumericType) ExtensionEquals(o arrow.ExtensionType) bool {
	return o.ExtensionName() == t.ExtensionName()
}
func (t *dynNumericType) Deserialize(arrow.DataType, string) (arrow.ExtensionType, error) {
	return t, nil
}

// IsDynNumeric reports an array type of NumericDynT.
func IsDynNumeric(dt arrow.DataType) bool {
	_, ok := dt.(*dynNumericType)
	return ok
}

// DynText returns the text storage of a NumericDynT array.
func DynText(a arrow.Array) *array.String {
	return a.(array.ExtensionArray).Storage().(*array.String)
}

// WrapDyn makes a NumericDynT array of canonical numeric text.
func WrapDyn(s *array.String) arrow.Array {
	return array.NewExtensionArrayWithStorage(dynNumeric, s)
}

// CanonicalDyn reports whether every value of s is the text lakeq writes
// for a per-value-scale numeric (as Decimal.String writes it: optional
// '-', no leading zeros, '.' only before digits, no negative zero, at
// most 38 digits), so that s is such an array as it is: a managed
// table's column of plain numeric, stored as that text, is read without
// parsing and printing every value again.
func CanonicalDyn(s *array.String) bool {
	offs, data := StringWindow(s)
	hasNull := s.NullN() > 0
	for i := 0; i < s.Len(); i++ {
		if hasNull && s.IsNull(i) {
			continue
		}
		if !canonicalNumber(data[offs[i]:offs[i+1]]) {
			return false
		}
	}
	return true
}

func canonicalNumber(b []byte) bool {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 39 {
		return false
	}
	nonzero := false
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		nonzero = nonzero || b[i] != '0'
		i++
	}
	if i == 0 || i > 1 && b[0] == '0' {
		return false
	}
	digits := i
	if i < len(b) {
		if b[i] != '.' || i+1 == len(b) {
			return false
		}
		for _, c := range b[i+1:] {
			if c < '0' || c > '9' {
				return false
			}
			nonzero = nonzero || c != '0'
			digits++
		}
	}
	return digits <= 38 && (nonzero || !neg)
}

// DynValue reads element i of a NumericDynT array (not NULL).
func DynValue(s *array.String, i int) Decimal {
	d, ok := parseCanonical(s.Value(i))
	if !ok {
		d, _ = ParseDecimal(s.Value(i))
	}
	return d
}

// parseCanonical reads the text lakeq writes for a decimal (optional
// '-', digits, optional '.' and digits) without big.Int when it has at
// most 18 digits.
func parseCanonical(s string) (Decimal, bool) {
	if s == "" || len(s) > 41 {
		return Decimal{}, false
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var v int64
	var wide decimal128.Num // past 18 digits
	ten := decimal128.FromI64(10)
	scale, digits, dot := int32(0), 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			digits++
			switch {
			case digits <= 18:
				v = v*10 + int64(c-'0')
			case digits == 19:
				wide = decimal128.FromI64(v).Mul(ten).Add(decimal128.FromI64(int64(c - '0')))
			default:
				wide = wide.Mul(ten).Add(decimal128.FromI64(int64(c - '0')))
			}
			if dot {
				scale++
			}
		default:
			return Decimal{}, false
		}
	}
	if digits == 0 || digits > 38 {
		return Decimal{}, false
	}
	n := decimal128.FromI64(v)
	if digits > 18 {
		n = wide
	}
	if neg {
		n = n.Negate()
	}
	return Decimal{V: n, Scale: scale}, true
}

// DynDecimals reads the values of a NumericDynT array as decimals (zero
// where NULL).
func DynDecimals(a arrow.Array) []Decimal {
	s := DynText(a)
	out := make([]Decimal, s.Len())
	for i := range out {
		if s.IsValid(i) {
			out[i] = DynValue(s, i)
		}
	}
	return out
}

// NewDynBuilder returns a builder of n NumericDynT values: append with
// AppendValue (a Decimal) or through Storage with canonical text.
func NewDynBuilder(n int) *array.ExtensionBuilder {
	b := array.NewExtensionBuilder(memory.DefaultAllocator, dynNumeric)
	b.Reserve(n)
	return b
}

// DynFromDecimals makes a NumericDynT array of ds, NULL where valid is
// false (valid nil: all valid).
func DynFromDecimals(ds []Decimal, valid func(i int) bool) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(len(ds))
	for i, d := range ds {
		if valid != nil && !valid(i) {
			b.AppendNull()
			continue
		}
		b.Append(d.String())
	}
	s := b.NewStringArray()
	defer s.Release()
	return WrapDyn(s)
}

// CompareDecimal orders two decimals by value, whatever their scales.
func CompareDecimal(a, b Decimal) int { return compareDecimal(a, b) }
