package functions

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// The typed date_trunc answers as truncTime (the general overload) for
// every unit, over timestamps before 1970, before year 1, around month
// and leap-day boundaries and far ahead, with NULLs kept.
func TestDateTruncKernelMatchesTruncTime(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 12))
	var vals []int64
	for i := 0; i < 3000; i++ {
		switch i % 4 {
		case 0:
			vals = append(vals, r.Int64N(200*365*types.UsPerDay)-100*365*types.UsPerDay)
		case 1:
			vals = append(vals, r.Int64N(4000*365*types.UsPerDay)-2500*365*types.UsPerDay)
		case 2: // around midnight of some day
			vals = append(vals, r.Int64N(40000)*types.UsPerDay+r.Int64N(3)-1)
		default:
			vals = append(vals, -r.Int64N(90*types.UsPerDay))
		}
	}
	valid := make([]bool, len(vals))
	for i := range valid {
		valid[i] = i%17 != 0
	}
	in := types.BuildArray(types.TimestampT, func() []types.Value {
		out := make([]types.Value, len(vals))
		for i, v := range vals {
			if valid[i] {
				out[i] = types.TimestampVal(v)
			}
		}
		return out
	}())
	for _, f := range []string{"microseconds", "millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year", "decade", "century", "millennium", "MONTH"} {
		k, ok := DateTruncKernel(f, types.TimestampT)
		if !ok {
			t.Fatalf("%s: no kernel", f)
		}
		got, err := k(nil, []arrow.Array{nil, in}, len(vals))
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			g := types.GetValue(types.TimestampT, got, i)
			if !valid[i] {
				if g != nil {
					t.Fatalf("%s: row %d NULL in, %v out", f, i, g)
				}
				continue
			}
			want, err := truncTime(f, types.TimestampToTime(v))
			if err != nil {
				t.Fatal(err)
			}
			if w := types.TimestampVal(types.TimeToTimestamp(want)); g != w {
				t.Fatalf("%s of %v: %v, want %v", f, types.TimestampToTime(v), types.TimestampToTime(int64(g.(types.TimestampVal))), want)
			}
		}
	}
	if _, ok := DateTruncKernel("fortnight", types.TimestampT); ok {
		t.Error("an unknown unit got a kernel")
	}
	if _, ok := DateTruncKernel("day", types.TimestampTZT); ok {
		t.Error("timestamptz got the zone-free kernel")
	}
}
