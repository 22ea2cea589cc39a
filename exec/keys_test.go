package exec

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// TestDecimalKeys checks that numeric keys are equal exactly when the
// values are, whatever their scale or width: a join of numeric(10,2)
// with numeric(12,3), or of a cast to unconstrained numeric, matches
// 1.50 with 1.5 and never -1.5 with 1.5.
func TestDecimalKeys(t *testing.T) {
	d64 := func(scale int32, vals ...int64) arrow.Array {
		b := array.NewDecimal64Builder(memory.DefaultAllocator, &arrow.Decimal64Type{Precision: 18, Scale: scale})
		for _, v := range vals {
			b.Append(decimal.Decimal64(v))
		}
		return b.NewArray()
	}
	d128 := func(scale int32, vals ...decimal128.Num) arrow.Array {
		b := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: 38, Scale: scale})
		for _, v := range vals {
			b.Append(v)
		}
		return b.NewArray()
	}
	big := decimal128.FromI64(1).Mul(decimal128.FromU64(1 << 63)).Mul(decimal128.FromI64(100)) // 2^63·100
	cols := []arrow.Array{
		d64(1, 15, -15, 0, 10, 1),         // 1.5 -1.5 0 1.0 0.1
		d64(3, 1500, -1500, 0, 1000, 100), // same values at scale 3
		d128(2, decimal128.FromI64(150), decimal128.FromI64(-150), decimal128.Num{}, decimal128.FromI64(100), decimal128.FromI64(10)),
	}
	ts := []types.T{types.NumericT, types.NumericT, types.NumericT}
	enc := func(c arrow.Array, tt types.T) []string {
		keys := make([][]byte, c.Len())
		encodeKeys([]arrow.Array{c}, []types.T{tt}, c.Len(), keys, make([]bool, c.Len()))
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = string(k)
		}
		return out
	}
	want := enc(cols[0], ts[0])
	for c := 1; c < len(cols); c++ {
		got := enc(cols[c], ts[c])
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("column %d row %d: key differs from the scale-1 encoding of the same value", c, i)
			}
		}
	}
	seen := map[string]int{}
	for i, k := range want {
		if j, dup := seen[k]; dup {
			t.Errorf("rows %d and %d hold different values but share a key", j, i)
		}
		seen[k] = i
	}
	// a value past 64 bits and the same value at a larger scale
	a := enc(d128(0, big), types.NumericT)
	b := enc(d128(2, big.Mul(decimal128.FromI64(100))), types.NumericT)
	if a[0] != b[0] {
		t.Error("a 128-bit value and itself at scale 2 encode differently")
	}
}

// TestStrDictEncode checks that text keys get one code per distinct
// value whatever path a batch takes: one-byte values only (read from the
// bytes), mixed lengths, NULLs; codes agree across batches.
func TestStrDictEncode(t *testing.T) {
	d := &strDict{codes: map[string]int32{}}
	mk := func(vals []string, valid []bool) *array.String {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.AppendValues(vals, valid)
		return b.NewStringArray()
	}
	batches := []*array.String{
		mk([]string{"A", "N", "R", "A", "N"}, nil),
		mk([]string{"N", "AIR", "A", "", "RAIL", "AIR"}, nil),
		mk([]string{"R", "F", "x", "A"}, []bool{true, true, false, true}),
		mk([]string{"F", "O", "A"}, nil),
		// as many bytes as values, but not one byte each
		mk([]string{"", "", "ong", "", "%b", "", "'y"}, nil),
		mk([]string{"ab", "", "c"}, nil),
	}
	code := map[string]int32{}
	for bi, a := range batches {
		got := d.encode(a, nil).(*array.Int32)
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			v := a.Value(i)
			c := got.Value(i)
			if d.value(int64(c)) != v {
				t.Fatalf("batch %d row %d: code %d decodes to %q, want %q", bi, i, c, d.value(int64(c)), v)
			}
			if prev, ok := code[v]; ok && prev != c {
				t.Fatalf("batch %d: %q coded %d, earlier %d", bi, v, c, prev)
			}
			code[v] = c
		}
	}
	if len(d.vals) != len(code) {
		t.Fatalf("%d codes for %d distinct values", len(d.vals), len(code))
	}
}

// encode must give every string one code across batches and paths: one
// byte, up to 16 bytes (packed in the worker's cache), longer (its
// arena), trailing NUL bytes, empty strings and NULLs; with the worker's
// cache kept across batches and with none.
func TestStrDictEncodeCache(t *testing.T) {
	d := &strDict{codes: map[string]int32{}}
	var want []string
	b := array.NewStringBuilder(memory.DefaultAllocator)
	for i := 0; i < 3000; i++ {
		var s string
		switch i % 6 {
		case 0:
			s = string(rune('a' + i%26))
		case 1:
			s = fmt.Sprintf("k%d", i%700) // 700 distinct short strings: past the cache
		case 2:
			s = "a\x00"
		case 3:
			s = fmt.Sprintf("a long key past sixteen bytes %d", i%11)
		case 4:
			s = []string{"", "exactly16bytes!!", "exactly16bytes!?", "eight+1b", "eight+1b\x00", "twelve bytes"}[i%5]
		default:
			s = fmt.Sprintf("%0*d", i%20, i%13)
		}
		if i%97 == 0 {
			b.AppendNull()
			want = append(want, "<NULL>")
			continue
		}
		b.Append(s)
		want = append(want, s)
	}
	a := b.NewStringArray()
	local := newStrCodes()
	for round := 0; round < 3; round++ { // later batches meet known codes
		c := local
		if round == 2 {
			c = nil
		}
		codes := d.encode(a, c).(*array.Int32)
		for i, w := range want {
			if w == "<NULL>" {
				if codes.IsValid(i) {
					t.Fatalf("row %d: NULL coded", i)
				}
				continue
			}
			if got := d.value(int64(codes.Value(i))); got != w {
				t.Fatalf("round %d row %d: code %d is %q, want %q", round, i, codes.Value(i), got, w)
			}
		}
	}
	if len(d.vals) != len(d.codes) {
		t.Fatalf("%d values, %d codes", len(d.vals), len(d.codes))
	}
}

// strCodes must find what it was given, across growth, for short, long
// and prefix-sharing strings, and stop taking entries at its bound.
func TestStrCodes(t *testing.T) {
	c := newStrCodes()
	key := func(i int) []byte {
		switch i % 4 {
		case 0:
			return []byte(fmt.Sprint(i))
		case 1:
			return []byte(fmt.Sprintf("%016d", i))
		case 2:
			return []byte(fmt.Sprintf("%d a key longer than sixteen bytes", i))
		}
		return append([]byte(fmt.Sprint(i)), 0)
	}
	const n = 20000
	for i := 0; i < n; i++ {
		if got := c.find(key(i)); got != -1 {
			t.Fatalf("%q found (%d) before it was put", key(i), got)
		}
		c.put(key(i), int32(i))
	}
	for i := 0; i < n; i++ {
		if got := c.find(key(i)); got != int32(i) {
			t.Fatalf("%q: code %d, want %d", key(i), got, i)
		}
	}
	if c.find([]byte("absent and long enough to be long")) != -1 || c.find([]byte("x")) != -1 {
		t.Fatal("an absent string was found")
	}
	full := &strCodes{n: maxStrCodes}
	full.alloc(64)
	full.put([]byte("late"), 1)
	if full.find([]byte("late")) != -1 {
		t.Fatal("a full cache took an entry")
	}
}

// pack16 reads past a short value's end when its slice has room and
// must mask what it read: every length, with and without room, packs the
// same words.
func TestPack16Masked(t *testing.T) {
	buf := []byte("0123456789abcdefXYZXYZXYZXYZXYZXYZ")
	for n := 0; n <= 16; n++ {
		roomy := buf[3 : 3+n]
		tight := append([]byte(nil), roomy...)[:n:n]
		a1, b1 := pack16(roomy)
		a2, b2 := pack16(tight)
		if a1 != a2 || b1 != b2 {
			t.Fatalf("length %d: %x %x with room, %x %x without", n, a1, b1, a2, b2)
		}
	}
}
