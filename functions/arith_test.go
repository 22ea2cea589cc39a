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
		math.MaxInt64, math.MinInt64, math.MaxInt64/2 + 1, 3037000499, -3037000500,
		1<<32 - 1, -(1<<32 - 1), 1<<33 + 7, 1<<30 + 3, -(1 << 29)}
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
		// a batch of a few rows, the operands in each form (64-bit
		// slices, 128-bit ones) and the output narrow or wide, so that
		// the loops of every shape run and may stop midway
		n := 1 + rng.Intn(5)
		xs, ys := make([]int64, n), make([]int64, n)
		for i := range xs {
			xs[i], ys[i] = pick(), pick()
		}
		src := func(vs []int64, wide bool) dec64Src {
			if !wide {
				return dec64Src{i64: vs}
			}
			d := make([]decimal128.Num, len(vs))
			for i, v := range vs {
				d[i] = decimal128.FromI64(v)
			}
			return dec64Src{d128: d}
		}
		narrow := rng.Intn(3) == 0
		out := make([]decimal128.Num, n)
		o := newDecOut(n, narrow, out)
		ok := dec64Loop(op[0], src(xs, rng.Intn(2) == 0), src(ys, rng.Intn(2) == 0), ma, mb, o)
		for i := range xs {
			x, y := xs[i], ys[i]
			want, err := DecimalOp(op, types.Decimal{V: decimal128.FromI64(x), Scale: sa}, types.Decimal{V: decimal128.FromI64(y), Scale: sb}, rs)
			if !ok {
				// declining is always allowed, but only for results that
				// cannot be represented in 64 bits (or might not be)
				if err == nil && want.V.HighBits() == int64(want.V.LowBits())>>63 && op != "*" && max(abs64(x), abs64(y)) < 1<<52 && n == 1 {
					t.Fatalf("%d(s%d) %s %d(s%d): declined a result that fits: %v", x, sa, op, y, sb, want)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%d(s%d) %s %d(s%d): loop gave %v, exact path failed: %v", x, sa, op, y, sb, out[i], err)
			}
			got := out[i]
			if narrow {
				got = decimal128.FromI64(o.d64[i])
			}
			if got != want.V {
				t.Fatalf("row %d of %d (narrow %v): %d(s%d) %s %d(s%d) = %v, want %v", i, n, narrow, x, sa, op, y, sb, got, want.V)
			}
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

// TestSumLanes checks the few-groups sums against 128-bit sums row by
// row, with rows in no group, values near the 2^50 bound and 128-bit
// values that do not fit in 64 bits (declined, the sums untouched).
func TestSumLanes(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(9000)
		nGroups := 1 + rng.Intn(laneGroups)
		groups := make([]int32, n)
		i64 := make([]int64, n)
		for i := range groups {
			groups[i] = int32(rng.Intn(nGroups+1)) - 1 // -1: in no group
			i64[i] = rng.Int63n(1<<51) - 1<<50
			if iter%3 == 0 {
				i64[i] >>= 20
			}
		}
		if iter%5 == 2 {
			i64[rng.Intn(n)] = 1 << 50 // the first magnitude declined
		}
		var d128 []decimal128.Num
		if iter%2 == 1 {
			d128 = make([]decimal128.Num, n)
			for i, v := range i64 {
				d128[i] = decimal128.FromI64(v)
			}
			if iter%7 == 1 {
				d128[rng.Intn(n)] = decimal128.New(1, 5) // past 64 bits
			}
			i64 = nil
		}
		st := make([]decSum, nGroups)
		st[0].sum, st[0].count = decimal128.FromI64(12345), 3
		want := append([]decSum(nil), st...)
		ok := sumLanes(i64, d128, groups, st)
		fits := n <= 8192
		for i, g := range groups {
			v := decimal128.Num{}
			if i64 != nil {
				v = decimal128.FromI64(i64[i])
			} else {
				v = d128[i]
			}
			lo := int64(v.LowBits())
			if v.HighBits() != lo>>63 || lo >= 1<<50 || lo < -(1<<50) {
				fits = false
			}
			if g >= 0 {
				want[g].sum = want[g].sum.Add(v)
				want[g].count++
			}
		}
		if ok != fits {
			t.Fatalf("iteration %d: sumLanes gave %v for a batch that fits: %v", iter, ok, fits)
		}
		for g := range st {
			if ok && st[g] != want[g] || !ok && (g == 0 && st[g].count != 3 || g > 0 && st[g].count != 0) {
				t.Fatalf("iteration %d (ok %v): group %d sums %v/%d, want %v/%d", iter, ok, g, st[g].sum, st[g].count, want[g].sum, want[g].count)
			}
		}
	}
}

// constLoop's narrow loops give c op x exactly and report any overflow,
// wherever in the column it falls.
func TestConstLoopNarrow(t *testing.T) {
	const big = int64(1) << 62
	for _, tc := range []struct {
		op        byte
		constLeft bool
		c         int64
		x         []int64
		want      []int64 // nil: overflows
	}{
		{'-', true, 100, []int64{1, 7, -3}, []int64{99, 93, 103}},
		{'-', false, 100, []int64{1, 7, -3}, []int64{-99, -93, -103}},
		{'+', false, 5, []int64{1, -7}, []int64{6, -2}},
		{'+', false, big, []int64{0, big, 1}, nil},
		{'-', true, -big, []int64{0, 1, big + 1}, nil},
		{'-', false, big, []int64{-big - 1, 0}, nil},
	} {
		out := newDecOut(len(tc.x), true, nil)
		ok := constLoop(tc.op, tc.constLeft, tc.c, dec64Src{i64: tc.x}, out)
		if ok != (tc.want != nil) {
			t.Errorf("%c %v %d over %v: ok %v", tc.op, tc.constLeft, tc.c, tc.x, ok)
			continue
		}
		for i, w := range tc.want {
			if out.d64[i] != w {
				t.Errorf("%c %v %d over %v: row %d is %d, want %d", tc.op, tc.constLeft, tc.c, tc.x, i, out.d64[i], w)
			}
		}
	}
}
