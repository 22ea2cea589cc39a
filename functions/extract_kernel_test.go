package functions

import (
	"math/rand"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/types"
)

// The civil-calendar loop must give what extractField gives, for
// timestamps and dates from 4000 BC to AD 4000, leap days and the
// instants either side of midnight.
func TestExtractKernelCivil(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	var us []int64
	for i := 0; i < 20000; i++ {
		us = append(us, r.Int63n(2*126_000_000_000_000_000)-126_000_000_000_000_000)
	}
	for _, d := range []int64{0, -1, 59, 60, 365, 11016, -719528, 10956, 10957, 11016 + 365} {
		us = append(us, d*types.UsPerDay, d*types.UsPerDay-1, d*types.UsPerDay+1)
	}
	tb := array.NewInt64Builder(memory.DefaultAllocator)
	db := array.NewDate32Builder(memory.DefaultAllocator)
	for _, u := range us {
		tb.Append(u)
		db.Append(arrow.Date32(floorDivI(u, types.UsPerDay)))
	}
	ts := array.NewData(types.TimestampT.Arrow(), len(us), tb.NewArray().Data().Buffers(), nil, 0, 0)
	tsArr := array.MakeFromData(ts)
	dates := db.NewArray()
	ctx := &Ctx{}
	for _, field := range []string{"year", "month", "day", "quarter", "dow", "isodow", "doy", "hour", "minute", "second", "epoch", "week"} {
		for _, c := range []struct {
			at types.T
			a  arrow.Array
		}{{types.TimestampT, tsArr}, {types.DateT, dates}} {
			if c.at.Kind == types.Date && (field == "hour" || field == "minute" || field == "second") {
				continue
			}
			_, k, ok := ExtractKernel(field, c.at)
			if !ok {
				t.Fatalf("%s: no kernel", field)
			}
			out, err := k(ctx, []arrow.Array{nil, c.a}, len(us))
			if err != nil {
				t.Fatal(err)
			}
			for i := range us {
				v, err := extractField(ctx, field, c.at, types.GetValue(c.at, c.a, i))
				if err != nil {
					t.Fatal(err)
				}
				want, _ := extractNumeric(v, field, c.at)
				got := types.GetValue(types.T{Kind: types.Numeric, Scale: want.(types.Decimal).Scale}, out, i)
				if types.Compare(got, want) != 0 {
					t.Fatalf("%s of %s %v: got %v, want %v", field, c.at, types.GetValue(c.at, c.a, i), got, want)
				}
			}
		}
	}
}
