package functions

import (
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// TestDec64Loop checks the 64-bit decimal loop against DecimalOp, the
// exact path, on values around every overflow boundary.
func TestDec64Loop(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	edges := []int64{0, 1, -1, 99, -99, 1<<31 - 1, -1 << 31, 1 << 31, math.MaxInt64 / 10, math.MinInt64 / 10,
		math.MaxInt64, math.MinInt64, math.MaxInt64/2 + 1, 3037000499, -3037000500}
	pick := func() int64 {
		switch rng.Intn(3) {
		case 0:
			return edges[rng.Intn(len(edges))]
		case 1:
			return rng.Int63n(2_000_000_000) - 1_000_000_000
		}
		return rng.Int63() - rng.Int63()
	}
	for iter := 0; iter < 20000; iter++ {
		op := []string{"+", "-", "*"}[rng.Intn(3)]
		sa, sb := int32(rng.Intn(4)), int32(rng.Intn(4))
		rs := max(sa, sb)
		var ma, mb int64 = pow10i64[rs-sa], pow10i64[rs-sb]
		if op == "*" {
			rs, ma, mb = sa+sb, 1, 1
		}
		x, y := pick(), pick()
		out := make([]decimal128.Num, 1)
		ok := dec64Loop(op[0], dec64Src{i64: []int64{x}}, dec64Src{d128: []decimal128.Num{decimal128.FromI64(y)}}, ma, mb, newDecOut(1, false, out))
		want, err := DecimalOp(op, types.Decimal{V: decimal128.FromI64(x), Scale: sa}, types.Decimal{V: decimal128.FromI64(y), Scale: sb}, rs)
		if !ok {
			// declining is always allowed, but only for results that
			// cannot be represented in 64 bits (or might not be)
			if err == nil && want.V.HighBits() == int64(want.V.LowBits())>>63 && op != "*" && max(abs64(x), abs64(y)) < 1<<52 {
				t.Fatalf("%d(s%d) %s %d(s%d): declined a result that fits: %v", x, sa, op, y, sb, want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d(s%d) %s %d(s%d): loop gave %v, exact path failed: %v", x, sa, op, y, sb, out[0], err)
		}
		if out[0] != want.V {
			t.Fatalf("%d(s%d) %s %d(s%d) = %v, want %v", x, sa, op, y, sb, out[0], want.V)
		}
	}
}

// TestAvg64 checks the 64-bit average against exact decimal division.
func TestAvg64(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for iter := 0; iter < 20000; iter++ {
		sum := rng.Int63n(1<<40) - 1<<39
		if iter%5 == 0 {
			sum = rng.Int63() - rng.Int63()
		}
		count := rng.Int63n(1000) + 1
		if iter%7 == 0 {
			count = 2 // exact halves
		}
		scale, up := int32(rng.Intn(4)), int32(rng.Intn(17))
		got, ok := avg64(decimal128.FromI64(sum), count, up)
		want, err := DecimalOp("/", types.Decimal{V: decimal128.FromI64(sum), Scale: scale}, types.DecimalFromInt(count), scale+up)
		if !ok {
			continue
		}
		if err != nil || got != want.V {
			t.Fatalf("avg64(%d, %d, %d) = %v, DecimalOp gives %v (%v)", sum, count, up, got, want.V, err)
		}
	}
}

// divSmall, the 64-bit fast path of decimal division, agrees with the
// exact big.Int computation (one more digit, then half away from zero)
// wherever it answers, on random values, edges and scales.
func TestDivSmallMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	edges := []int64{0, 1, -1, 2, -2, 5, -5, 9, 10, 99, 1e9, -1e9, math.MaxInt64, math.MinInt64 + 1, 1 << 40, 123456789012345}
	pick := func() int64 {
		switch rng.Intn(3) {
		case 0:
			return edges[rng.Intn(len(edges))]
		case 1:
			return rng.Int63n(2_000_000) - 1_000_000
		}
		return rng.Int63() - rng.Int63()
	}
	answered := 0
	for iter := 0; iter < 50000; iter++ {
		a, b := pick(), pick()
		if b == 0 {
			continue
		}
		sa, sb := int32(rng.Intn(5)), int32(rng.Intn(5))
		rs := int32(rng.Intn(25)) // PostgreSQL divides at 16 digits and more
		got, ok := divSmall(a, b, sa, sb, rs)
		if !ok {
			continue
		}
		answered++
		shift := int64(rs + sb - sa + 1)
		num, den := big.NewInt(a), big.NewInt(b)
		if shift >= 0 {
			num.Mul(num, pow10big(shift))
		} else {
			den.Mul(den, pow10big(-shift))
		}
		want, err := bigDec(new(big.Int).Quo(num, den), rs+1, rs)
		if err != nil || got.V != want.V || got.Scale != rs {
			t.Fatalf("%d(s%d) / %d(s%d) at s%d = %v, want %v (%v)", a, sa, b, sb, rs, got, want, err)
		}
	}
	if answered < 20000 {
		t.Fatalf("the fast path answered only %d of 50000", answered)
	}
}
