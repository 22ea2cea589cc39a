package functions

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// pow10big is 10^n as a new big.Int (callers may change it), from a
// table for the exponents decimals use.
func pow10big(n int64) *big.Int {
	if n >= 0 && n < int64(len(pow10bigs)) {
		return new(big.Int).Set(pow10bigs[n])
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

var pow10bigs = func() [80]*big.Int {
	var t [80]*big.Int
	t[0] = big.NewInt(1)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], big.NewInt(10))
	}
	return t
}()

func loc(ctx *Ctx) *time.Location {
	if ctx != nil && ctx.Loc != nil {
		return ctx.Loc
	}
	return time.UTC
}

// addInterval adds iv to a timestamp (microseconds), months first with
// day-of-month clamping, then days, then time — PostgreSQL's order. For
// timestamptz the month/day steps happen in the session time zone.
func addInterval(us int64, iv types.IntervalVal, l *time.Location) int64 {
	t := types.TimestampToTime(us)
	if l != nil {
		t = t.In(l)
	}
	if iv.Months != 0 {
		y, m, d := t.Date()
		total := int(m) - 1 + int(iv.Months)
		ny := y + floorDivInt(total, 12)
		nm := time.Month(floorModInt(total, 12) + 1)
		last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day()
		if d > last {
			d = last
		}
		t = time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	}
	if iv.Days != 0 {
		t = t.AddDate(0, 0, int(iv.Days))
	}
	return int64(types.TimeToTimestamp(t)) + iv.Micros
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorModInt(a, b int) int { return a - floorDivInt(a, b)*b }

func negIv(iv types.IntervalVal) types.IntervalVal {
	return types.IntervalVal{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}
}

func tsTZ(ctx *Ctx, tz bool) *time.Location {
	if tz {
		return loc(ctx)
	}
	return nil
}

func temporalOverloads(op string) []Overload {
	switch op {
	case "+":
		return []Overload{
			row([]Arg{aDate, aInt4}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.DateVal(int64(a[0].(types.DateVal)) + a[1].(int64)), nil
			}),
			row([]Arg{aInt4, aDate}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.DateVal(int64(a[1].(types.DateVal)) + a[0].(int64)), nil
			}),
			row([]Arg{aDate, aIntv}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.DateVal))*types.UsPerDay, a[1].(types.IntervalVal), nil)), nil
			}),
			row([]Arg{aIntv, aDate}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[1].(types.DateVal))*types.UsPerDay, a[0].(types.IntervalVal), nil)), nil
			}),
			row([]Arg{aDate, aTime}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(int64(a[0].(types.DateVal))*types.UsPerDay + int64(a[1].(types.TimeVal))), nil
			}),
			row([]Arg{aTS, aIntv}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.TimestampVal)), a[1].(types.IntervalVal), nil)), nil
			}),
			row([]Arg{aIntv, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[1].(types.TimestampVal)), a[0].(types.IntervalVal), nil)), nil
			}),
			row([]Arg{aTSTZ, aIntv}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.TimestampVal)), a[1].(types.IntervalVal), loc(ctx))), nil
			}),
			row([]Arg{aTime, aIntv}, types.TimeT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				us := (int64(a[0].(types.TimeVal)) + a[1].(types.IntervalVal).Micros) % types.UsPerDay
				if us < 0 {
					us += types.UsPerDay
				}
				return types.TimeVal(us), nil
			}),
			row([]Arg{aIntv, aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, y := a[0].(types.IntervalVal), a[1].(types.IntervalVal)
				return types.IntervalVal{Months: x.Months + y.Months, Days: x.Days + y.Days, Micros: x.Micros + y.Micros}, nil
			}),
		}
	case "-":
		return []Overload{
			row([]Arg{aDate, aDate}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(a[0].(types.DateVal)) - int64(a[1].(types.DateVal)), nil
			}),
			row([]Arg{aDate, aInt4}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.DateVal(int64(a[0].(types.DateVal)) - a[1].(int64)), nil
			}),
			row([]Arg{aDate, aIntv}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.DateVal))*types.UsPerDay, negIv(a[1].(types.IntervalVal)), nil)), nil
			}),
			row([]Arg{aTS, aIntv}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.TimestampVal)), negIv(a[1].(types.IntervalVal)), nil)), nil
			}),
			row([]Arg{aTSTZ, aIntv}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addInterval(int64(a[0].(types.TimestampVal)), negIv(a[1].(types.IntervalVal)), loc(ctx))), nil
			}),
			row([]Arg{aTS, aTS}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return tsDiff(int64(a[0].(types.TimestampVal)) - int64(a[1].(types.TimestampVal))), nil
			}),
			row([]Arg{aTSTZ, aTSTZ}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return tsDiff(int64(a[0].(types.TimestampVal)) - int64(a[1].(types.TimestampVal))), nil
			}),
			row([]Arg{aTime, aTime}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.IntervalVal{Micros: int64(a[0].(types.TimeVal)) - int64(a[1].(types.TimeVal))}, nil
			}),
			row([]Arg{aTime, aIntv}, types.TimeT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				us := (int64(a[0].(types.TimeVal)) - a[1].(types.IntervalVal).Micros) % types.UsPerDay
				if us < 0 {
					us += types.UsPerDay
				}
				return types.TimeVal(us), nil
			}),
			row([]Arg{aIntv, aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				x, y := a[0].(types.IntervalVal), a[1].(types.IntervalVal)
				return types.IntervalVal{Months: x.Months - y.Months, Days: x.Days - y.Days, Micros: x.Micros - y.Micros}, nil
			}),
		}
	case "*":
		return []Overload{
			row([]Arg{aIntv, aFloat8}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return scaleInterval(a[0].(types.IntervalVal), a[1].(float64), false)
			}),
			row([]Arg{aFloat8, aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return scaleInterval(a[1].(types.IntervalVal), a[0].(float64), false)
			}),
		}
	case "/":
		return []Overload{
			row([]Arg{aIntv, aFloat8}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return scaleInterval(a[0].(types.IntervalVal), a[1].(float64), true)
			}),
		}
	}
	return nil
}

// scaleInterval is PostgreSQL's interval_mul (div: interval_div): the
// months and days scaled and truncated, their fractions cascaded down to
// days and seconds (rounded to microseconds) and never up, the time
// rounded half to even — so '1 mon -1 day' * 0.5 is '15 days -12:00:00'.
func scaleInterval(iv types.IntervalVal, f float64, div bool) (types.IntervalVal, error) {
	if div && f == 0 {
		return types.IntervalVal{}, divByZero()
	}
	op := func(x float64) float64 {
		if div {
			return x / f
		}
		return x * f
	}
	outOfRange := func() (types.IntervalVal, error) {
		return types.IntervalVal{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
	}
	tsround := func(x float64) float64 { return math.RoundToEven(x*1e6) / 1e6 }
	m, d := op(float64(iv.Months)), op(float64(iv.Days))
	if math.IsNaN(m) || m > math.MaxInt32 || m < math.MinInt32 || math.IsNaN(d) || d > math.MaxInt32 || d < math.MinInt32 {
		return outOfRange()
	}
	r := types.IntervalVal{Months: int32(m), Days: int32(d)}
	monthDays := tsround((m - float64(r.Months)) * 30)
	secs := tsround((d - float64(r.Days) + monthDays - math.Trunc(monthDays)) * 86400)
	if math.Abs(secs) >= 86400 {
		r.Days += int32(secs / 86400)
		secs -= math.Trunc(secs/86400) * 86400
	}
	r.Days += int32(monthDays)
	t := math.RoundToEven(op(float64(iv.Micros)) + secs*1e6)
	if math.IsNaN(t) || t >= math.MaxInt64 || t < math.MinInt64 {
		return outOfRange()
	}
	r.Micros = int64(t)
	return r, nil
}

// tsDiff is timestamp - timestamp: days and time, no months (PostgreSQL).
func tsDiff(us int64) types.IntervalVal {
	return types.IntervalVal{Days: int32(us / types.UsPerDay), Micros: us % types.UsPerDay}
}

// extractNumeric is extract's numeric result: PostgreSQL's scale for the
// field (seconds and epoch 6, milliseconds 3, whole numbers otherwise;
// every field of a date is whole), each value keeping its own (the
// result is plain numeric). Values a float64 holds exactly to that scale
// are converted without formatting and parsing them.
func extractNumeric(f float64, field string, at types.T) (types.Value, error) {
	scale := int32(0)
	if at.Kind != types.Date {
		switch field {
		case "second", "seconds", "epoch", "julian":
			scale = 6
		case "millisecond", "milliseconds":
			scale = 3
		}
	}
	if v := f * float64(pow10i64[scale]); math.Abs(v) < 1<<53 {
		return types.Decimal{V: decimal128.FromI64(int64(math.Round(v))), Scale: scale}, nil
	}
	return types.DecimalFromFloat(f, scale)
}

// julianNumeric is extract(julian FROM timestamp): the local date's
// Julian day plus the fraction of the day as PostgreSQL's numeric
// division gives it (its scale from the two operands, 20 digits or more).
func julianNumeric(ctx *Ctx, at types.T, us int64) (types.Value, error) {
	tm := types.TimestampToTime(us)
	if at.Kind == types.TimestampTZ {
		tm = tm.In(loc(ctx))
	}
	micros := types.DecimalFromInt(int64(tm.Hour()*3600+tm.Minute()*60+tm.Second())*1_000_000 + int64(tm.Nanosecond()/1000))
	perDay := types.DecimalFromInt(types.UsPerDay)
	frac, err := DecimalOp("/", micros, perDay, PGDivScale(micros, perDay))
	if err != nil {
		return nil, err
	}
	return DecimalOp("+", types.DecimalFromInt(int64(pgDate2j(tm.Year(), int(tm.Month()), tm.Day()))), frac, frac.Scale)
}

// extractField implements extract/date_part for all temporal types.
func extractField(ctx *Ctx, field string, t types.T, v types.Value) (float64, error) {
	field = strings.ToLower(strings.TrimSpace(field))
	if iv, ok := v.(types.IntervalVal); ok {
		switch field {
		case "year", "years":
			return float64(iv.Months / 12), nil
		case "month", "months", "mon":
			return float64(iv.Months % 12), nil
		case "day", "days":
			return float64(iv.Days), nil
		case "hour", "hours":
			return float64(iv.Micros / 3_600_000_000), nil
		case "minute", "minutes":
			return float64(iv.Micros / 60_000_000 % 60), nil
		case "second", "seconds":
			return float64(iv.Micros%60_000_000) / 1e6, nil
		case "millisecond", "milliseconds":
			return float64(iv.Micros%60_000_000) / 1e3, nil
		case "microsecond", "microseconds":
			return float64(iv.Micros % 60_000_000), nil
		case "epoch":
			return float64(iv.Months/12)*365.25*86400 + float64(iv.Months%12)*30*86400 + float64(iv.Days)*86400 + float64(iv.Micros)/1e6, nil
		case "quarter":
			return float64(iv.Months%12/3 + 1), nil
		}
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type interval", field)
	}
	var tm time.Time
	var us int64
	switch x := v.(type) {
	case types.DateVal:
		tm = types.DateToTime(x)
		us = int64(x) * types.UsPerDay
		switch field {
		case "hour", "minute", "second", "millisecond", "microsecond", "timezone", "timezone_hour", "timezone_minute":
			return 0, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type date", field)
		}
	case types.TimestampVal:
		us = int64(x)
		tm = types.TimestampToTime(us)
		if t.Kind == types.TimestampTZ {
			tm = tm.In(loc(ctx))
		}
	case types.TimeVal:
		us = int64(x)
		switch field {
		case "hour":
			return float64(us / 3_600_000_000), nil
		case "minute":
			return float64(us / 60_000_000 % 60), nil
		case "second":
			return float64(us%60_000_000) / 1e6, nil
		case "millisecond":
			return float64(us%60_000_000) / 1e3, nil
		case "microsecond":
			return float64(us % 60_000_000), nil
		case "epoch":
			return float64(us) / 1e6, nil
		}
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "unit \"%s\" not supported for type time without time zone", field)
	default:
		return 0, sqlerr.New(sqlerr.DatatypeMismatch, "cannot extract from %s", t.String())
	}
	switch field {
	case "year", "years", "y":
		return float64(tm.Year()), nil
	case "month", "months", "mon":
		return float64(tm.Month()), nil
	case "day", "days", "d":
		return float64(tm.Day()), nil
	case "hour", "hours", "h":
		return float64(tm.Hour()), nil
	case "minute", "minutes", "m", "min":
		return float64(tm.Minute()), nil
	case "second", "seconds", "s", "sec":
		return float64(tm.Second()) + float64(tm.Nanosecond())/1e9, nil
	case "millisecond", "milliseconds", "ms":
		return float64(tm.Second())*1e3 + float64(tm.Nanosecond())/1e6, nil
	case "microsecond", "microseconds", "us":
		return float64(tm.Second())*1e6 + float64(tm.Nanosecond()/1000), nil
	case "dow":
		return float64(tm.Weekday()), nil
	case "isodow":
		d := int(tm.Weekday())
		if d == 0 {
			d = 7
		}
		return float64(d), nil
	case "doy":
		return float64(tm.YearDay()), nil
	case "week":
		_, w := tm.ISOWeek()
		return float64(w), nil
	case "isoyear":
		y, _ := tm.ISOWeek()
		return float64(y), nil
	case "quarter":
		return float64((int(tm.Month())-1)/3 + 1), nil
	case "decade":
		return math.Floor(float64(tm.Year()) / 10), nil
	case "century":
		y := tm.Year()
		if y > 0 {
			return float64((y + 99) / 100), nil
		}
		return -float64((99 - (y - 1)) / 100), nil
	case "millennium":
		y := tm.Year()
		if y > 0 {
			return float64((y + 999) / 1000), nil
		}
		return -float64((999 - (y - 1)) / 1000), nil
	case "epoch":
		return float64(us) / 1e6, nil
	case "julian": // of the local date and time (a timestamptz's in the session zone)
		day := tm.Hour()*3600 + tm.Minute()*60 + tm.Second()
		return float64(pgDate2j(tm.Year(), int(tm.Month()), tm.Day())) + (float64(day)*1e6+float64(tm.Nanosecond()/1000))/float64(types.UsPerDay), nil
	case "timezone":
		_, off := tm.Zone()
		return float64(off), nil
	case "timezone_hour":
		_, off := tm.Zone()
		return float64(off / 3600), nil
	case "timezone_minute":
		_, off := tm.Zone()
		return float64(off / 60 % 60), nil
	}
	return 0, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type %s", field, t.String())
}

// truncTime implements date_trunc.
// truncYear is the first year of the decade, century or millennium of
// astronomical year y (1 BC is 0), as PostgreSQL counts them: centuries
// and millennia start at years ending in 1 (1801, 1001) and, before
// year 1, run back from the year ending in 00 BC (100 BC = -99); decades
// start at years ending in 0 on both sides (51 BC = -50 holds 44 BC).
func truncYear(unit string, y int64) int64 {
	switch unit {
	case "decade":
		if y > 0 {
			return y / 10 * 10
		}
		return -((8 - (y - 1)) / 10) * 10
	case "century":
		if y > 0 {
			return (y+99)/100*100 - 99
		}
		return -((99-(y-1))/100)*100 + 1
	}
	if y > 0 {
		return (y+999)/1000*1000 - 999
	}
	return -((999-(y-1))/1000)*1000 + 1
}

func truncTime(field string, tm time.Time) (time.Time, error) {
	y, m, d := tm.Date()
	l := tm.Location()
	switch strings.ToLower(field) {
	case "microseconds", "microsecond":
		return tm.Truncate(time.Microsecond), nil
	case "milliseconds", "millisecond":
		return time.Date(y, m, d, tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond()/1e6*1e6, l), nil
	case "second", "seconds":
		return time.Date(y, m, d, tm.Hour(), tm.Minute(), tm.Second(), 0, l), nil
	case "minute", "minutes":
		return time.Date(y, m, d, tm.Hour(), tm.Minute(), 0, 0, l), nil
	case "hour", "hours":
		return time.Date(y, m, d, tm.Hour(), 0, 0, 0, l), nil
	case "day", "days":
		return time.Date(y, m, d, 0, 0, 0, 0, l), nil
	case "week", "weeks":
		wd := (int(tm.Weekday()) + 6) % 7
		return time.Date(y, m, d-wd, 0, 0, 0, 0, l), nil
	case "month", "months":
		return time.Date(y, m, 1, 0, 0, 0, 0, l), nil
	case "quarter":
		return time.Date(y, (m-1)/3*3+1, 1, 0, 0, 0, 0, l), nil
	case "year", "years":
		return time.Date(y, 1, 1, 0, 0, 0, 0, l), nil
	case "decade", "century", "millennium":
		return time.Date(int(truncYear(strings.ToLower(field), int64(y))), 1, 1, 0, 0, 0, 0, l), nil
	}
	return tm, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not recognized for type timestamp", field)
}

func temporalScalars() []*Scalar {
	extract := func(ret types.T, dec bool) []Overload {
		var out []Overload
		for _, at := range []types.T{types.TimestampT, types.TimestampTZT, types.DateT, types.TimeT, types.IntervalT} {
			at := at
			out = append(out, Overload{Args: []Arg{aText, ex(at)}, Ret: fixed(ret), Kernel: rowWiseTyped(fixed(ret), []types.T{types.TextT, at}, true, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				f, err := extractField(ctx, a[0].(string), at, a[1])
				if err != nil {
					return nil, err
				}
				if dec {
					field := strings.ToLower(strings.TrimSpace(a[0].(string)))
					if field == "julian" && (at.Kind == types.Timestamp || at.Kind == types.TimestampTZ) {
						return julianNumeric(ctx, at, int64(a[1].(types.TimestampVal)))
					}
					return extractNumeric(f, field, at)
				}
				return f, nil
			})})
		}
		return out
	}
	now := func(ctx *Ctx) int64 { return int64(types.TimeToTimestamp(ctx.Now)) }
	return []*Scalar{
		{Name: "date_part", Description: "get subfield of a date/time value", Example: "date_part('hour', timestamp '2001-02-16 20:38:40')", Overloads: extract(types.Float8T, false)},
		{Name: "extract", Description: "get subfield (numeric result)", Overloads: extract(types.NumericDynT, true)},
		{Name: "date_trunc", Description: "truncate to precision", Example: "date_trunc('hour', timestamp '2001-02-16 20:38:40')", Overloads: []Overload{
			row([]Arg{aText, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				r, err := truncTime(a[0].(string), types.TimestampToTime(int64(a[1].(types.TimestampVal))))
				return types.TimeToTimestamp(r), err
			}),
			row([]Arg{aText, aTSTZ}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				r, err := truncTime(a[0].(string), types.TimestampToTime(int64(a[1].(types.TimestampVal))).In(loc(ctx)))
				return types.TimeToTimestamp(r), err
			}),
			// truncated in the given zone rather than the session's
			row([]Arg{aText, aTSTZ, aText}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				z, err := resolveZone(a[2].(string))
				if err != nil {
					return nil, err
				}
				l := z.loc
				if l == nil {
					l = time.FixedZone("", z.off)
				}
				r, err := truncTime(a[0].(string), types.TimestampToTime(int64(a[1].(types.TimestampVal))).In(l))
				return types.TimeToTimestamp(r), err
			}),
			row([]Arg{aText, aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				iv := a[1].(types.IntervalVal)
				switch strings.ToLower(a[0].(string)) {
				case "year":
					return types.IntervalVal{Months: iv.Months / 12 * 12}, nil
				case "month":
					return types.IntervalVal{Months: iv.Months}, nil
				case "day":
					return types.IntervalVal{Months: iv.Months, Days: iv.Days}, nil
				case "hour":
					return types.IntervalVal{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / 3_600_000_000 * 3_600_000_000}, nil
				case "minute":
					return types.IntervalVal{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / 60_000_000 * 60_000_000}, nil
				case "second":
					return types.IntervalVal{Months: iv.Months, Days: iv.Days, Micros: iv.Micros / 1_000_000 * 1_000_000}, nil
				}
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "unit \"%s\" not supported for type interval", a[0])
			}),
		}},
		{Name: "now", Aliases: []string{"current_timestamp", "transaction_timestamp", "statement_timestamp"}, Overloads: []Overload{
			{Ret: fixed(types.TimestampTZT), Kernel: RowWise(fixed(types.TimestampTZT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				return types.TimestampVal(now(ctx)), nil
			})},
		}},
		{Name: "timeofday", Volatile: true, Description: "the current time as text, as PostgreSQL's timeofday prints it", Overloads: []Overload{
			{Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				t := time.Now().In(loc(ctx))
				return t.Format("Mon Jan 02 15:04:05.000000 2006 MST"), nil
			})},
		}},
		{Name: "clock_timestamp", Volatile: true, Overloads: []Overload{
			{Ret: fixed(types.TimestampTZT), Kernel: RowWise(fixed(types.TimestampTZT), false, func(*Ctx, []types.Value) (types.Value, error) {
				return types.TimeToTimestamp(time.Now()), nil
			})},
		}},
		{Name: "localtimestamp", Overloads: []Overload{
			{Ret: fixed(types.TimestampT), Kernel: RowWise(fixed(types.TimestampT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				t := ctx.Now.In(loc(ctx))
				return types.TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)), nil
			})},
		}},
		{Name: "current_date", Overloads: []Overload{
			{Ret: fixed(types.DateT), Kernel: RowWise(fixed(types.DateT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				return types.TimeToDate(ctx.Now.In(loc(ctx))), nil
			})},
		}},
		{Name: "current_time", Aliases: []string{"localtime"}, Overloads: []Overload{
			{Ret: fixed(types.TimeT), Kernel: RowWise(fixed(types.TimeT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				t := ctx.Now.In(loc(ctx))
				return types.TimeVal(int64(t.Hour())*3_600_000_000 + int64(t.Minute())*60_000_000 + int64(t.Second())*1_000_000 + int64(t.Nanosecond()/1000)), nil
			})},
		}},
		{Name: "age", Overloads: []Overload{
			row([]Arg{aTS, aTS}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return age(types.TimestampToTime(int64(a[0].(types.TimestampVal))), types.TimestampToTime(int64(a[1].(types.TimestampVal)))), nil
			}),
			row([]Arg{aTS}, types.IntervalT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				n := ctx.Now.UTC()
				today := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
				return age(today, types.TimestampToTime(int64(a[0].(types.TimestampVal)))), nil
			}),
		}},
		{Name: "make_date", Params: []Param{{Name: "year"}, {Name: "month"}, {Name: "day"}}, Overloads: []Overload{row([]Arg{aInt4, aInt4, aInt4}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return types.ParseDate(fmt.Sprintf("%04d-%02d-%02d", a[0], a[1], a[2]))
		})}},
		{Name: "make_interval", Description: "an interval from years, months, weeks, days, hours, minutes and seconds (each defaults to 0)",
			Params: []Param{{"years", types.Int4T, int64(0)}, {"months", types.Int4T, int64(0)}, {"weeks", types.Int4T, int64(0)},
				{"days", types.Int4T, int64(0)}, {"hours", types.Int4T, int64(0)}, {"mins", types.Int4T, int64(0)}, {"secs", types.Float8T, 0.0}},
			Overloads: []Overload{row([]Arg{aInt4, aInt4, aInt4, aInt4, aInt4, aInt4, aFloat8}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				secs := a[6].(float64)
				if math.IsInf(secs, 0) || math.IsNaN(secs) {
					return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
				}
				return types.IntervalVal{Months: int32(a[0].(int64)*12 + a[1].(int64)), Days: int32(a[2].(int64)*7 + a[3].(int64)),
					Micros: a[4].(int64)*3_600_000_000 + a[5].(int64)*60_000_000 + int64(math.RoundToEven(secs*1e6))}, nil
			})}},
		{Name: "to_timestamp", Overloads: []Overload{
			row([]Arg{aFloat8}, types.TimestampTZT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(int64(math.Round(a[0].(float64) * 1e6))), nil
			}),
			row([]Arg{aText, aText}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				tm, err := parseWithFormat(a[0].(string), a[1].(string), loc(ctx))
				if err != nil {
					return nil, err
				}
				return types.TimeToTimestamp(tm), nil
			}),
		}},
		{Name: "to_date", Overloads: []Overload{
			row([]Arg{aText, aText}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				tm, err := parseWithFormat(a[0].(string), a[1].(string), time.UTC)
				if err != nil {
					return nil, err
				}
				return types.TimeToDate(tm), nil
			}),
		}},
		{Name: "to_char", Overloads: []Overload{
			toCharDate(aTS), toCharDate(aTSTZ), toCharDate(aIntv),
			row([]Arg{aNum, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return NumberToChar(a[0].(types.Decimal), a[1].(string))
			}),
			// integers format as numerics (smallint resolves to double
			// precision, as in PostgreSQL); an integer's EEEE goes
			// through double precision as PostgreSQL's int4_to_char does
			row([]Arg{aInt4, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if strings.Contains(strings.ToUpper(a[1].(string)), "EEEE") {
					return FloatToChar(float64(a[0].(int64)), a[1].(string))
				}
				return NumberToChar(types.Decimal{V: decimal128.FromI64(a[0].(int64))}, a[1].(string))
			}),
			row([]Arg{aInt8, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return NumberToChar(types.Decimal{V: decimal128.FromI64(a[0].(int64))}, a[1].(string))
			}),
			row([]Arg{aFloat8, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return FloatToChar(a[0].(float64), a[1].(string))
			}),
		}},
		{Name: "to_number", Description: "convert string to numeric by template", Overloads: []Overload{
			row([]Arg{aText, aText}, types.NumericDynT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return ToNumber(a[0].(string), a[1].(string))
			}),
		}},
		{Name: "justify_days", Overloads: []Overload{row([]Arg{aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return justifyDays(a[0].(types.IntervalVal)), nil
		})}},
		{Name: "justify_hours", Overloads: []Overload{row([]Arg{aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return justifyHours(a[0].(types.IntervalVal)), nil
		})}},
		{Name: "justify_interval", Overloads: []Overload{row([]Arg{aIntv}, types.IntervalT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return justifyInterval(a[0].(types.IntervalVal)), nil
		})}},
		{Name: "date_bin", Description: "bin a timestamp into the stride-long interval it falls in, counted from origin", Example: "date_bin('15 minutes', timestamp '2001-02-16 20:38:40', timestamp '2001-02-16 20:05:00')", Overloads: []Overload{
			row([]Arg{aIntv, aTS, aTS}, types.TimestampT, dateBin), row([]Arg{aIntv, aTSTZ, aTSTZ}, types.TimestampTZT, dateBin),
		}},
	}
}

// justifyHours, justifyDays and justifyInterval are PostgreSQL's: whole
// days out of the time (24 hours) and whole months out of the days (30
// days), then the parts given one sign where they had two.
func justifyHours(iv types.IntervalVal) types.IntervalVal {
	iv.Days += int32(iv.Micros / types.UsPerDay)
	iv.Micros %= types.UsPerDay
	return daysTimeOneSign(iv)
}

// daysTimeOneSign moves a day into the time when the two have opposite
// signs (1 day -06:00 is 18:00).
func daysTimeOneSign(iv types.IntervalVal) types.IntervalVal {
	if iv.Days > 0 && iv.Micros < 0 {
		iv.Micros += types.UsPerDay
		iv.Days--
	} else if iv.Days < 0 && iv.Micros > 0 {
		iv.Micros -= types.UsPerDay
		iv.Days++
	}
	return iv
}

func justifyDays(iv types.IntervalVal) types.IntervalVal {
	iv.Months += iv.Days / 30
	iv.Days %= 30
	if iv.Months > 0 && iv.Days < 0 {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && iv.Days > 0 {
		iv.Days -= 30
		iv.Months++
	}
	return iv
}

func justifyInterval(iv types.IntervalVal) types.IntervalVal {
	if iv.Days > 0 && iv.Micros > 0 || iv.Days < 0 && iv.Micros < 0 {
		iv.Months += iv.Days / 30
		iv.Days %= 30
	}
	iv.Days += int32(iv.Micros / types.UsPerDay)
	iv.Micros %= types.UsPerDay
	iv.Months += iv.Days / 30
	iv.Days %= 30
	if iv.Months > 0 && (iv.Days < 0 || iv.Days == 0 && iv.Micros < 0) {
		iv.Days += 30
		iv.Months--
	} else if iv.Months < 0 && (iv.Days > 0 || iv.Days == 0 && iv.Micros > 0) {
		iv.Days -= 30
		iv.Months++
	}
	return daysTimeOneSign(iv)
}

// dateBin is PostgreSQL 14's date_bin: the start of the stride-long bin,
// counted from origin, that holds the timestamp, rounded toward the
// past when the timestamp precedes origin. A stride with months has no
// fixed length (0A000) and must be positive (22023).
func dateBin(_ *Ctx, a []types.Value) (types.Value, error) {
	iv := a[0].(types.IntervalVal)
	ts, origin := int64(a[1].(types.TimestampVal)), int64(a[2].(types.TimestampVal))
	if iv.Months != 0 {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	}
	stride := int64(iv.Days)*types.UsPerDay + iv.Micros
	if stride <= 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "stride must be greater than zero")
	}
	diff := ts - origin
	if (diff > 0) != (ts > origin) { // the difference overflowed
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
	}
	mod := diff % stride
	r := origin + diff - mod
	if diff < 0 && mod != 0 {
		r -= stride
	}
	return types.TimestampVal(r), nil
}

// age is PostgreSQL's timestamp_age: field-wise difference, borrowing
// days from the month of the earlier argument.
func age(t1, t2 time.Time) types.IntervalVal {
	neg := t1.Before(t2)
	usec := int64(t1.Nanosecond()/1000 - t2.Nanosecond()/1000)
	sec := t1.Second() - t2.Second()
	min := t1.Minute() - t2.Minute()
	hour := t1.Hour() - t2.Hour()
	mday := t1.Day() - t2.Day()
	mon := int(t1.Month()) - int(t2.Month())
	year := t1.Year() - t2.Year()
	if neg {
		usec, sec, min, hour, mday, mon, year = -usec, -sec, -min, -hour, -mday, -mon, -year
	}
	for usec < 0 {
		usec += 1_000_000
		sec--
	}
	for sec < 0 {
		sec += 60
		min--
	}
	for min < 0 {
		min += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		mday--
	}
	for mday < 0 {
		ref := t2
		if neg {
			ref = t1
		}
		mday += time.Date(ref.Year(), ref.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	iv := types.IntervalVal{Months: int32(year*12 + mon), Days: int32(mday),
		Micros: int64(hour)*3_600_000_000 + int64(min)*60_000_000 + int64(sec)*1_000_000 + usec}
	if neg {
		iv = negIv(iv)
	}
	return iv
}

func jsonOverloads(asText bool) []Overload {
	var out []Overload
	for _, jt := range []types.T{types.JSONT, types.JSONBT} {
		ret := jt
		if asText {
			ret = types.TextT
		}
		jsonb := jt.Kind == types.JSONB
		get := func(_ *Ctx, a []types.Value) (types.Value, error) {
			doc := a[0].(string)
			// jsonb keeps a bare scalar as a one-element array, so element
			// 0 (or -1) of '2.50'::jsonb is 2.50; json's is NULL
			if i, isInt := a[1].(int64); jsonb && isInt && (i == 0 || i == -1) {
				if t := strings.TrimSpace(doc); t != "" && t[0] != '[' && t[0] != '{' {
					doc = "[" + t + "]"
				}
			}
			s, ok, err := types.JSONGet(doc, a[1], asText)
			if err != nil || !ok {
				return nil, err
			}
			if ret.Kind == types.JSONB {
				return types.NormalizeJSONB(s)
			}
			return s, nil
		}
		out = append(out, row([]Arg{ex(jt), aText}, ret, get), row([]Arg{ex(jt), aInt4}, ret, get))
	}
	return out
}

// ServerVersion is the PostgreSQL version lakeq reports (server_version,
// version()): clients parse it to pick features, and lakeq follows
// PostgreSQL 15's behaviour. ServerVersionNum is the same as a number.
const (
	ServerVersion    = "15.8"
	ServerVersionNum = "150008"
)

func systemScalars() []*Scalar {
	str := func(name string, f func(ctx *Ctx) string) *Scalar {
		return &Scalar{Name: name, Overloads: []Overload{{Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
			return f(ctx), nil
		})}}}
	}
	return []*Scalar{
		str("version", func(*Ctx) string {
			return "PostgreSQL " + ServerVersion + " (lakeq 0.1) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"
		}),
		str("current_user", func(ctx *Ctx) string { return ctx.User }),
		str("session_user", func(ctx *Ctx) string { return ctx.User }),
		str("current_role", func(ctx *Ctx) string { return ctx.User }),
		str("current_database", func(ctx *Ctx) string { return ctx.Database }),
		str("current_catalog", func(ctx *Ctx) string { return ctx.Database }),
		str("current_schema", func(ctx *Ctx) string { return ctx.Schema }),
	}
}

// settingFuncs are current_setting and set_config, which read and change
// the session's settings (volatile: never folded at plan time).
func settingFuncs() []*Scalar {
	get := func(ctx *Ctx, args []types.Value) (types.Value, error) {
		name, _ := args[0].(string)
		missingOK := len(args) > 1 && args[1] == true
		if ctx.Settings == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}
		v, ok := ctx.Settings.Get(strings.ToLower(name))
		if !ok {
			if missingOK {
				return nil, nil
			}
			return nil, sqlerr.New(sqlerr.UndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}
		return v, nil
	}
	set := func(ctx *Ctx, args []types.Value) (types.Value, error) {
		name, _ := args[0].(string)
		val, _ := args[1].(string)
		local, _ := args[2].(bool)
		if ctx.Settings == nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "set_config needs a session")
		}
		if err := ctx.Settings.Set(strings.ToLower(name), val, local); err != nil {
			return nil, err
		}
		v, _ := ctx.Settings.Get(strings.ToLower(name))
		return v, nil
	}
	return []*Scalar{
		{Name: "current_setting", Volatile: true, Overloads: []Overload{
			{Args: []Arg{ex(types.TextT)}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), true, get)},
			{Args: []Arg{ex(types.TextT), ex(types.BoolT)}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), true, get)},
		}},
		{Name: "set_config", Volatile: true, Overloads: []Overload{
			{Args: []Arg{ex(types.TextT), ex(types.TextT), ex(types.BoolT)}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), true, set)},
		}},
	}
}

// AddInterval is addInterval for the executor's RANGE frames: a
// timestamp (microseconds) moved by iv, months and days in l's calendar
// (nil: UTC's).
func AddInterval(us int64, iv types.IntervalVal, l *time.Location) int64 {
	return addInterval(us, iv, l)
}
