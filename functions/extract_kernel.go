package functions

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/types"
)

// ExtractKernel is extract(field FROM x) for a constant field: its
// numeric result has one scale for every value (extractNumeric's: 6 for
// seconds and epoch, 3 for milliseconds, 0 otherwise, 0 for every field
// of a date), so it is a static-scale numeric — a decimal array the
// typed kernels and the aggregate's integer keys take — instead of the
// per-value-scale numeric the general overload returns, held as text.
// The fields a timestamp without time zone or a date holds in its days
// and microseconds (year, month, day, quarter, hour, minute, dow,
// isodow, doy) are computed in one loop by civil-calendar arithmetic;
// the others through extractField per value. false for julian (its
// scale varies) and types other than timestamps, dates and times.
func ExtractKernel(field string, at types.T) (types.T, Kernel, bool) {
	f := strings.ToLower(strings.TrimSpace(field))
	switch at.Kind {
	case types.Timestamp, types.TimestampTZ, types.Date, types.Time:
	default:
		return types.T{}, nil, false
	}
	if f == "julian" {
		return types.T{}, nil, false
	}
	scale := int32(0)
	if at.Kind != types.Date {
		switch f {
		case "second", "seconds", "s", "sec", "epoch":
			scale = 6
		case "millisecond", "milliseconds", "ms":
			scale = 3
		}
	}
	rt := types.T{Kind: types.Numeric, Scale: scale}
	fast := civilField(f)
	if at.Kind == types.Time || at.Kind == types.TimestampTZ || at.Kind == types.Date && fast >= fieldHour && fast <= fieldMinute {
		fast = fieldNone // a zone to apply, or the error extractField gives
	}
	return rt, func(ctx *Ctx, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[1]
		out := make([]decimal128.Num, n)
		valid := func(i int) bool { return a.IsValid(i) }
		switch {
		case fast != fieldNone && at.Kind == types.Date:
			for i, d := range a.(*array.Date32).Date32Values()[:n] {
				out[i] = decimal128.FromI64(civilOf(int64(d), 0, fast))
			}
		case fast != fieldNone:
			for i, us := range types.Values[int64](a)[:n] {
				days := floorDivI(us, types.UsPerDay)
				out[i] = decimal128.FromI64(civilOf(days, us-days*types.UsPerDay, fast))
			}
		default:
			for i := 0; i < n; i++ {
				if !valid(i) {
					continue
				}
				v, err := extractField(ctx, f, at, types.GetValue(at, a, i))
				if err != nil {
					return nil, err
				}
				d, err := extractNumeric(v, f, at)
				if err != nil {
					return nil, err
				}
				r, err := d.(types.Decimal).Rescale(scale)
				if err != nil {
					return nil, err
				}
				out[i] = r.V
			}
		}
		return types.NewFixedArray(rt.Arrow(), out, types.ValidityBits(a), a.NullN()), nil
	}, true
}

type civil int

const (
	fieldNone civil = iota
	fieldYear
	fieldMonth
	fieldDay
	fieldQuarter
	fieldDow
	fieldIsodow
	fieldDoy
	fieldHour
	fieldMinute
)

func civilField(f string) civil {
	switch f {
	case "year", "years", "y":
		return fieldYear
	case "month", "months", "mon":
		return fieldMonth
	case "day", "days", "d":
		return fieldDay
	case "quarter":
		return fieldQuarter
	case "dow":
		return fieldDow
	case "isodow":
		return fieldIsodow
	case "doy":
		return fieldDoy
	case "hour", "hours", "h":
		return fieldHour
	case "minute", "minutes", "m", "min":
		return fieldMinute
	}
	return fieldNone
}

func floorDivI(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civilOf is field f of the day days after 1970-01-01 (proleptic
// Gregorian, astronomical years as Go's time package counts them) and
// tod microseconds into it.
func civilOf(days, tod int64, f civil) int64 {
	switch f {
	case fieldHour:
		return tod / 3_600_000_000
	case fieldMinute:
		return tod / 60_000_000 % 60
	case fieldDow:
		return (days%7 + 11) % 7 // 1970-01-01 was a Thursday
	case fieldIsodow:
		if d := (days%7 + 11) % 7; d != 0 {
			return d
		}
		return 7
	}
	// days to year, month, day (Hinnant's civil_from_days)
	z := days + 719468
	era := floorDivI(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doyMar := doe - (365*yoe + yoe/4 - yoe/100) // days since March 1st
	mp := (5*doyMar + 2) / 153
	d := doyMar - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	switch f {
	case fieldYear:
		return y
	case fieldMonth:
		return m
	case fieldDay:
		return d
	case fieldQuarter:
		return (m-1)/3 + 1
	}
	// fieldDoy: days since March 1st, shifted to January 1st
	leap := y%4 == 0 && (y%100 != 0 || y%400 == 0)
	if m <= 2 {
		return doyMar - 306 + 1 // January 1st is 306 days after March 1st of the year before
	}
	if leap {
		return doyMar + 60 + 1
	}
	return doyMar + 59 + 1
}
