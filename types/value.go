package types

import (
	"encoding/hex"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
)

// Scalar values are plain Go values, used for constants, parameters and
// row-at-a-time paths (never in vectorized kernels):
//
//	nil        NULL
//	bool       boolean
//	int64      smallint, integer, bigint, oid
//	float64    real, double precision
//	Decimal    numeric
//	string     text, varchar, char, json, jsonb, uuid, unknown
//	[]byte     bytea
//	DateVal       date (days since 1970-01-01)
//	TimeVal       time (microseconds since midnight)
//	TimestampVal  timestamp, timestamptz (microseconds since 1970-01-01 UTC)
//	IntervalVal   interval
//	[]any      arrays
type Value = any

// Decimal is a numeric scalar: an unscaled 128-bit integer and its scale.
type Decimal struct {
	V     decimal128.Num
	Scale int32
}

// DateVal is days since the Unix epoch.
type DateVal int32

// TimeVal is microseconds since midnight.
type TimeVal int64

// TimestampVal is microseconds since the Unix epoch (UTC for timestamptz).
type TimestampVal int64

// IntervalVal is PostgreSQL's three-part interval.
type IntervalVal struct {
	Months int32
	Days   int32
	Micros int64
}

// String renders a decimal with its scale.
func (d Decimal) String() string {
	if lo := d.V.LowBits(); d.V.HighBits() == int64(lo)>>63 {
		// int64-sized: digits by arithmetic (ToString goes through big)
		switch {
		case d.Scale == 0:
			return strconv.FormatInt(int64(lo), 10)
		case d.Scale > 0 && d.Scale <= 18:
			return string(appendScaled(make([]byte, 0, 24), int64(lo), d.Scale))
		}
	}
	return string(appendDecimal(make([]byte, 0, 48), d.V, d.Scale))
}

// Float64 converts a decimal to float64.
func (d Decimal) Float64() float64 {
	// through the decimal text: the nearest float64, as PostgreSQL's numeric → float8
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return d.V.ToFloat64(d.Scale)
	}
	return f
}

// Big returns the unscaled value as a big.Int.
func (d Decimal) Big() *big.Int { return d.V.BigInt() }

// Rescale changes the scale, rounding half away from zero (PostgreSQL's
// numeric rounding) when reducing it.
func (d Decimal) Rescale(scale int32) (Decimal, error) {
	if scale == d.Scale {
		return d, nil
	}
	if scale > d.Scale {
		b := new(big.Int).Mul(d.V.BigInt(), pow10(scale-d.Scale))
		if b.BitLen() > 126 {
			return Decimal{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
		}
		return Decimal{V: decimal128.FromBigInt(b), Scale: scale}, nil
	}
	div := pow10(d.Scale - scale)
	q, r := new(big.Int).QuoRem(d.V.BigInt(), div, new(big.Int))
	r2 := new(big.Int).Abs(r)
	r2.Lsh(r2, 1)
	if r2.Cmp(div) >= 0 {
		if d.V.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Decimal{V: decimal128.FromBigInt(q), Scale: scale}, nil
}

// pow10 is 10^n (n ≥ 0), past the 38 digits Arrow's table holds too:
// a value written 0e-100 has scale 100.
func pow10(n int32) *big.Int {
	if n <= 38 {
		return decimal128.GetScaleMultiplier(int(n)).BigInt()
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// DecimalFromInt makes a scale-0 decimal.
func DecimalFromInt(i int64) Decimal { return Decimal{V: decimal128.FromI64(i)} }

// numericMaxScale is PostgreSQL's bound on a numeric's display scale
// (NUMERIC_DSCALE_MAX): '1e-100000' overflows.
const numericMaxScale = 0x3FFF

// ParseDecimal parses numeric text; the scale is the number of fraction
// digits written (PostgreSQL's display scale), exponents applied.
func ParseDecimal(s string) (Decimal, error) {
	t := strings.TrimSpace(s)
	bad := func() (Decimal, error) {
		return Decimal{}, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type numeric: \"%s\"", s)
	}
	if t == "" {
		return bad()
	}
	switch strings.ToLower(t) {
	case "nan", "infinity", "+infinity", "-infinity", "inf", "+inf", "-inf":
		return Decimal{}, sqlerr.New(sqlerr.FeatureNotSupported, "numeric value \"%s\" is not supported (lakeq's numeric holds finite numbers)", t)
	}
	neg := false
	if t[0] == '+' || t[0] == '-' {
		neg = t[0] == '-'
		t = t[1:]
	}
	exp := 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		// PostgreSQL reads the exponent with strtol, which skips spaces
		e, err := strconv.Atoi(strings.TrimLeft(t[i+1:], " \t\n\r\f\v"))
		if err != nil {
			return bad()
		}
		exp = e
		t = t[:i]
	}
	intPart, frac := t, ""
	if i := strings.IndexByte(t, '.'); i >= 0 {
		intPart, frac = t[:i], t[i+1:]
	}
	if intPart == "" && frac == "" {
		return bad()
	}
	digits := intPart + frac
	for _, c := range digits {
		if c < '0' || c > '9' {
			return bad()
		}
	}
	scale := len(frac) - exp
	if digits == "" {
		digits = "0"
	}
	overflow := func() (Decimal, error) {
		return Decimal{}, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	// bounds before arithmetic: 1e56789512 must not compute its digits
	if scale > numericMaxScale {
		return overflow()
	}
	if scale < 0 {
		if sig := strings.TrimLeft(digits, "0"); sig == "" {
			scale = 0 // zero, at any exponent
		} else if len(sig)-scale > 39 {
			return overflow()
		}
	}
	b, _ := new(big.Int).SetString(digits, 10)
	if scale < 0 {
		b.Mul(b, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-scale)), nil))
		scale = 0
	}
	if neg {
		b.Neg(b)
	}
	if b.BitLen() > 126 {
		return overflow()
	}
	return Decimal{V: decimal128.FromBigInt(b), Scale: int32(scale)}, nil
}

// DecimalFromFloat converts with the given scale, rounding half away from zero.
func DecimalFromFloat(f float64, scale int32) (Decimal, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Decimal{}, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert %v to numeric", f)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	d, err := ParseDecimal(s)
	if err != nil {
		return Decimal{}, err
	}
	return d.Rescale(scale)
}

// CheckPrecision enforces numeric(p,s): rescales and checks the integer digits.
func (d Decimal) CheckPrecision(p, s int32) (Decimal, error) {
	r, err := d.Rescale(s)
	if err != nil {
		return r, err
	}
	if p > 0 && !r.V.FitsInPrecision(p) {
		return r, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision " + strconv.Itoa(int(p)) + ", scale " + strconv.Itoa(int(s)) + " must round to an absolute value less than 10^" + strconv.Itoa(int(p-s)) + ".")
	}
	return r, nil
}

// FormatFloat renders a float as PostgreSQL 15 does with extra_float_digits
// = 1: the shortest text that round-trips, in exponent form below 1e-4 and
// from 1e15 (1e6 for real) up.
func FormatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0"
		}
		return "0"
	}
	e := strconv.FormatFloat(f, 'e', -1, bits)
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	limit := 15
	if bits == 32 {
		limit = 6
	}
	if exp < -4 || exp >= limit {
		return mant + Exponent(exp)
	}
	return strconv.FormatFloat(f, 'f', -1, bits)
}

// Exponent is C's printf exponent: "e", a sign, at least two digits.
func Exponent(exp int) string {
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	es := strconv.Itoa(exp)
	if len(es) < 2 {
		es = "0" + es
	}
	return "e" + sign + es
}

// FormatText renders a scalar in PostgreSQL's text output format for t
// (timestamptz in UTC).
func FormatText(t T, v Value) string { return FormatTextIn(t, v, nil) }

// FormatTextIn renders a scalar with timestamptz shown in loc (the
// session TimeZone; nil = UTC).
func FormatTextIn(t T, v Value, loc *time.Location) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		if t.Kind == Float4 {
			return FormatFloat(x, 32)
		}
		return FormatFloat(x, 64)
	case Decimal:
		return x.String()
	case string:
		return x
	case []byte:
		return `\x` + hex.EncodeToString(x)
	case DateVal:
		return FormatDate(x)
	case TimeVal:
		return FormatTime(int64(x))
	case TimestampVal:
		if t.Kind == TimestampTZ {
			return FormatTimestampTZ(int64(x), loc)
		}
		return FormatTimestamp(int64(x))
	case IntervalVal:
		return FormatInterval(x)
	case []any:
		var sb strings.Builder
		sb.WriteByte('{')
		et := TextT
		if t.Elem != nil {
			et = *t.Elem
		}
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			if e == nil {
				sb.WriteString("NULL")
				continue
			}
			s := FormatTextIn(et, e, loc)
			if et.Kind == Array {
				// an inner array is a dimension, as PostgreSQL prints it:
				// {{1,2},{3,4}}, not quoted elements
				sb.WriteString(s)
			} else if needsArrayQuote(s) {
				sb.WriteByte('"')
				sb.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
				sb.WriteByte('"')
			} else {
				sb.WriteString(s)
			}
		}
		sb.WriteByte('}')
		return sb.String()
	}
	return "?"
}

func needsArrayQuote(s string) bool {
	if s == "" || strings.EqualFold(s, "null") {
		return true
	}
	return strings.ContainsAny(s, "{},\"\\ \t\n")
}
