package functions

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// DateTruncKernel is date_trunc(field, x) for a constant field and a
// timestamp without time zone: microseconds floored to the unit below a
// day, and civil-calendar arithmetic above it, in one loop over the
// values — the general overload boxes every value and goes through Go's
// time.Date (GROUP BY date_trunc('month', ts) spent two thirds of its
// time there). The answers are truncTime's, unit for unit. false for
// other types (a zone to apply) and fields truncTime refuses (the error
// stays the overload's).
func DateTruncKernel(field string, at types.T) (Kernel, bool) {
	if at.Kind != types.Timestamp {
		return nil, false
	}
	f := strings.ToLower(field)
	var unit int64 // below a day: the unit in microseconds
	switch f {
	case "microseconds", "microsecond":
		unit = 1
	case "milliseconds", "millisecond":
		unit = 1_000
	case "second", "seconds":
		unit = 1_000_000
	case "minute", "minutes":
		unit = 60_000_000
	case "hour", "hours":
		unit = 3_600_000_000
	case "day", "days":
		unit = types.UsPerDay
	case "week", "weeks", "month", "months", "quarter", "year", "years", "decade", "century", "millennium":
	default:
		return nil, false
	}
	return func(_ *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[1]
		in := types.Values[int64](a)[:n]
		out := make([]int64, n)
		switch {
		case unit > 0:
			for i, us := range in {
				out[i] = floorDivI(us, unit) * unit
			}
		case f == "week" || f == "weeks":
			for i, us := range in {
				days := floorDivI(us, types.UsPerDay)
				monday := days - ((days%7 + 7 + 3) % 7) // 1970-01-05 was a Monday
				out[i] = monday * types.UsPerDay
			}
		default:
			for i, us := range in {
				y, m := civilYM(floorDivI(us, types.UsPerDay))
				switch f {
				case "month", "months":
				case "quarter":
					m = (m-1)/3*3 + 1
				case "year", "years":
					m = 1
				case "decade", "century", "millennium":
					y, m = truncYear(f, y), 1
				}
				out[i] = daysFromCivil(y, m, 1) * types.UsPerDay
			}
		}
		return types.NewFixedArray(types.TimestampT.Arrow(), out, types.ValidityBits(a), a.NullN()), nil
	}, true
}

// civilYM is the year and month of the day days after 1970-01-01.
func civilYM(days int64) (y, m int64) {
	return civilOf(days, 0, fieldYear), civilOf(days, 0, fieldMonth)
}

// daysFromCivil is the day number (from 1970-01-01) of y-m-d in the
// proleptic Gregorian calendar (Hinnant's days_from_civil).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := floorDivI(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
