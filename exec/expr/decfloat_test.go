package expr

import (
	"math/rand"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// decimalsToFloat must give the double PostgreSQL's numeric → float8
// gives (the nearest to the decimal: strconv's parse of its text), and
// refuse values past 2^53 rather than round twice.
func TestDecimalsToFloat(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for _, scale := range []int32{0, 1, 2, 4, 9, 15, 18} {
		b := array.NewDecimal64Builder(memory.DefaultAllocator, &arrow.Decimal64Type{Precision: 18, Scale: scale})
		var vals []int64
		for i := 0; i < 20000; i++ {
			v := r.Int63n(1<<53) - 1<<52
			if i%3 == 0 {
				v = r.Int63n(100000) - 50000
			}
			vals = append(vals, v)
			b.Append(decimal.Decimal64(v))
		}
		a := b.NewArray()
		out, ok := decimalsToFloat(a, scale)
		if !ok {
			t.Fatalf("scale %d: refused", scale)
		}
		fs := out.(*array.Float64).Float64Values()
		for i, v := range vals {
			text := types.Decimal{V: types.DecimalFromInt(v).V, Scale: scale}.String()
			want, _ := strconv.ParseFloat(text, 64)
			if fs[i] != want {
				t.Fatalf("scale %d: %s gave %v, want %v", scale, text, fs[i], want)
			}
		}
	}
	b := array.NewDecimal64Builder(memory.DefaultAllocator, &arrow.Decimal64Type{Precision: 18, Scale: 2})
	b.Append(decimal.Decimal64(1<<53 + 1))
	if _, ok := decimalsToFloat(b.NewArray(), 2); ok {
		t.Fatal("a value past 2^53 was converted in one rounding")
	}
}
