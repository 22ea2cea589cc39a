package functions

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// TestScalarsTakeDecimal64 runs every scalar overload that takes a
// numeric of fixed scale twice, once with the numeric arguments as
// Decimal128 arrays and once as Decimal64 (what scans and joins hand on
// for precisions up to 18), and wants the same values back. A kernel
// that read a Decimal64 as 16-byte values panicked (unary minus after an
// outer join, found by sqlfuzz).
func TestScalarsTakeDecimal64(t *testing.T) {
	r := Default()
	num := types.NumericOf(10, 2)
	decs := []int64{150, -225, 0, 12345, 99999999, -1}
	ctx := &Ctx{Loc: time.UTC, Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
	checked := 0
	for _, name := range r.ScalarNames() {
		s := r.Scalar(name)
		if s.Volatile {
			continue
		}
		for oi, o := range s.Overloads {
			if o.Kernel == nil {
				continue
			}
			argTs := make([]types.T, len(o.Args))
			hasNum, ok := false, true
			for i, a := range o.Args {
				switch a.Kind {
				case ArgExact:
					argTs[i] = a.Type
					if a.Type.Kind == types.Numeric {
						argTs[i] = num
					}
				case ArgAny, ArgAnyNum, ArgSame:
					argTs[i] = num
				default:
					ok = false
				}
				if argTs[i].Kind == types.Numeric {
					hasNum = true
				}
			}
			if !ok || !hasNum {
				continue
			}
			n := len(decs) + 1 // and a NULL
			wide := make([]arrow.Array, len(argTs))
			narrow := make([]arrow.Array, len(argTs))
			for i, at := range argTs {
				if at.Kind == types.Numeric {
					vals := make([]types.Value, n)
					for j, d := range decs {
						vals[j] = types.Decimal{V: decimal128.FromI64(d), Scale: 2}
					}
					wide[i] = types.BuildArray(num, vals)
					nv := append(append([]int64(nil), decs...), 0)
					valid := []byte{0x3f}
					narrow[i] = types.NewFixedArray(&arrow.Decimal64Type{Precision: 10, Scale: 2}, nv, valid, 1)
					continue
				}
				vals := sampleValues(at, n)
				if vals == nil {
					ok = false
					break
				}
				wide[i] = types.BuildArray(at, vals)
				narrow[i] = wide[i]
			}
			if !ok {
				continue
			}
			ret := o.Ret(argTs)
			run := func(args []arrow.Array) (out []string, err error) {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				a, err := o.Kernel(ctx, args, n)
				if err != nil {
					return nil, err
				}
				for j := 0; j < n; j++ {
					out = append(out, fmt.Sprint(types.GetValue(ret, a, j)))
				}
				return out, nil
			}
			want, werr := run(wide)
			got, gerr := run(narrow)
			checked++
			if (werr == nil) != (gerr == nil) || fmt.Sprint(want) != fmt.Sprint(got) {
				t.Errorf("%s overload %d %v: Decimal64 arguments give %v (%v), Decimal128 %v (%v)", name, oi, argTs, got, gerr, want, werr)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("only %d overloads checked", checked)
	}
	t.Logf("%d overloads checked", checked)
}

// sampleValues is n values of t, the last NULL (nil for a type this test
// does not build).
func sampleValues(t types.T, n int) []types.Value {
	var pick func(i int) types.Value
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8:
		pick = func(i int) types.Value { return int64(i%3 + 1) }
	case types.Float4, types.Float8:
		pick = func(i int) types.Value { return float64(i) + 0.5 }
	case types.Text, types.Varchar:
		pick = func(i int) types.Value { return []string{"9.99", "FM999D99", "", "abc"}[i%4] }
	case types.Bool:
		pick = func(i int) types.Value { return i%2 == 0 }
	case types.Date:
		pick = func(i int) types.Value { return types.DateVal(19000 + i) }
	default:
		return nil
	}
	out := make([]types.Value, n)
	for i := 0; i < n-1; i++ {
		out[i] = pick(i)
	}
	return out
}
