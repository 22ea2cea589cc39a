package types

import (
	"math/big"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

func dec(t *testing.T, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatalf("ParseDecimal(%q): %v", s, err)
	}
	return d
}

// CompareDecimal's 64-bit path must agree with exact comparison across
// scales, signs and the edge where the scaled operand overflows.
func TestCompareDecimalScales(t *testing.T) {
	vals := []string{"0", "-0.0", "1.5", "1.50", "1.500000000000000000", "-1.5", "2.25", "-2.250",
		"9223372036854775807", "922337203685477580.7", "-922337203685477580.8", "0.000000000000000001",
		"12345678901234567890.5", "100.10", "100.1", "-100.100"}
	exact := func(a, b Decimal) int {
		x, y := new(big.Int).Set(a.V.BigInt()), new(big.Int).Set(b.V.BigInt())
		for s := a.Scale; s < b.Scale; s++ {
			x.Mul(x, big.NewInt(10))
		}
		for s := b.Scale; s < a.Scale; s++ {
			y.Mul(y, big.NewInt(10))
		}
		return x.Cmp(y)
	}
	for _, p := range vals {
		for _, q := range vals {
			a, b := dec(t, p), dec(t, q)
			if got, want := CompareDecimal(a, b), exact(a, b); got != want {
				t.Errorf("CompareDecimal(%s, %s) = %d, want %d", p, q, got, want)
			}
		}
	}
	// the 128-bit path: random magnitudes of up to 38 digits at scales
	// 0 to 38, near each other (one a rescaled copy of the other, nudged)
	// and far apart, either sign, against the exact comparison
	rng := rand.New(rand.NewSource(5))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.Intn(10))
		}
		return string(b)
	}
	for range 20000 {
		sa, sb := int32(rng.Intn(39)), int32(rng.Intn(39))
		na := 1 + rng.Intn(38)
		x, _ := new(big.Int).SetString(digits(na), 10)
		y := new(big.Int).Set(x)
		if rng.Intn(2) == 0 {
			y, _ = new(big.Int).SetString(digits(1+rng.Intn(38)), 10)
		} else {
			// the same value at b's scale when it fits, then nudged
			for s := sa; s < sb; s++ {
				y.Mul(y, big.NewInt(10))
			}
			for s := sb; s < sa; s++ {
				y.Quo(y, big.NewInt(10))
			}
			y.Add(y, big.NewInt(int64(rng.Intn(3)-1)))
		}
		if rng.Intn(3) == 0 {
			x.Neg(x)
		}
		if rng.Intn(3) == 0 {
			y.Neg(y)
		}
		if y.BitLen() > 126 {
			continue
		}
		a, b := Decimal{V: decimal128.FromBigInt(x), Scale: sa}, Decimal{V: decimal128.FromBigInt(y), Scale: sb}
		if got, want := CompareDecimal(a, b), exact(a, b); got != want {
			t.Fatalf("CompareDecimal(%s e-%d, %s e-%d) = %d, want %d", x, sa, y, sb, got, want)
		}
	}
}

// The text a per-value-scale array holds reads back as the same value
// and scale, through the fast parser or the general one.
func TestDynRoundTrip(t *testing.T) {
	in := []string{"1.5", "2.25", "-0.001", "3", "100.10", "0.0000000000000000000001", "-12345678901234567890.5"}
	ds := make([]Decimal, len(in))
	for i, s := range in {
		ds[i] = dec(t, s)
	}
	a := DynFromDecimals(ds, func(i int) bool { return i != 3 })
	if !IsDynNumeric(a.DataType()) {
		t.Fatalf("type %s is not lakeq.numeric", a.DataType())
	}
	if ty, err := FromArrow(a.DataType()); err != nil || !ty.Equal(NumericDynT) {
		t.Fatalf("FromArrow = %v, %v", ty, err)
	}
	for i, s := range in {
		v := GetValue(NumericDynT, a, i)
		if i == 3 {
			if v != nil {
				t.Errorf("row 3: got %v, want NULL", v)
			}
			continue
		}
		if got := v.(Decimal).String(); got != s {
			t.Errorf("row %d: got %s, want %s", i, got, s)
		}
	}
	taken := Take(NumericDynT, a, []int32{6, -1, 0})
	if got := GetValue(NumericDynT, taken, 0).(Decimal).String(); got != in[6] {
		t.Errorf("Take row 0: %s", got)
	}
	if !taken.IsNull(1) || GetValue(NumericDynT, taken, 2).(Decimal).String() != "1.5" {
		t.Errorf("Take rows 1-2 wrong")
	}
	c := ConstArray(NumericDynT, Decimal{V: decimal128.FromI64(150), Scale: 2}, 3)
	if got := GetValue(NumericDynT, c, 2).(Decimal).String(); got != "1.50" {
		t.Errorf("ConstArray: %s", got)
	}
}

// A stored plain numeric is per-value scale; a typed one is not.
func TestParseStoredNumeric(t *testing.T) {
	for s, want := range map[string]T{"numeric": NumericDynT, "numeric(10,2)": NumericOf(10, 2), "numeric[]": ArrayOf(NumericDynT)} {
		got, err := Parse(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if got, _ := ParseText(NumericDynT, "2.250", nil); got.(Decimal).String() != "2.250" {
		t.Errorf("ParseText keeps the scale: %v", got)
	}
}

// canonicalNumber must accept exactly the strings Decimal.String writes
// for what ParseDecimal reads: a string it accepts is taken as the value
// without parsing.
func TestCanonicalNumber(t *testing.T) {
	for _, s := range []string{"0", "0.50", "-0.5", "7.10", "1000", "-12.340", "0.000", "12345678901234567890123456789012345678",
		"0.0000000000000000000000000000000000001", "1.5", "", "-", "-0", "-0.00", "007.10", ".5", "5.", "+5", "1e3", " 12", "12 ",
		"1..2", "1.2.3", "--1", "00", "0x10", "123456789012345678901234567890123456789", "NaN"} {
		got := canonicalNumber([]byte(s))
		d, err := ParseDecimal(s)
		want := err == nil && d.String() == s && len(s) <= 40
		if got != want {
			t.Errorf("canonicalNumber(%q) = %v, want %v (parsed %q, %v)", s, got, want, d.String(), err)
		}
	}
}
