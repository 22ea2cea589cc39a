package functions

import (
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Amazon Redshift's date and string functions that Redshift users write
// in every query, as Redshift's documentation defines them: DATEADD,
// DATEDIFF (date-part boundaries crossed), ADD_MONTHS (a month's last day
// goes to the last day), LAST_DAY, TRUNC(timestamp), GETDATE (to the
// second), CONVERT_TIMEZONE, LEN and CHARINDEX. NVL, NVL2, DECODE, MEDIAN,
// LISTAGG and SYSDATE are rewritten by the binder into PostgreSQL's forms.
// A date part may be written bare (DATEADD(day, 1, d)) or quoted.

// redshiftPart resolves a Redshift date part name (with its
// abbreviations and plurals) to a unit: year, quarter, month, week, day,
// hour, minute, second, millisecond, microsecond.
func redshiftPart(p string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(p)) {
	case "millennium", "millennia", "mil", "mils":
		return "millennium", nil
	case "century", "centuries", "c", "cent", "cents":
		return "century", nil
	case "decade", "decades", "dec", "decs":
		return "decade", nil
	case "year", "years", "y", "yr", "yrs":
		return "year", nil
	case "quarter", "quarters", "qtr", "qtrs":
		return "quarter", nil
	case "month", "months", "mon", "mons":
		return "month", nil
	case "week", "weeks", "w":
		return "week", nil
	case "day", "days", "d":
		return "day", nil
	case "hour", "hours", "h", "hr", "hrs":
		return "hour", nil
	case "minute", "minutes", "m", "min", "mins":
		return "minute", nil
	case "second", "seconds", "s", "sec", "secs":
		return "second", nil
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "msecond", "mseconds", "millisec", "millisecs", "millisecon":
		return "millisecond", nil
	case "microsecond", "microseconds", "microsec", "microsecs", "microsecond1", "usecond", "useconds", "us", "usec", "usecs":
		return "microsecond", nil
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "date part \"%s\" is not supported", p)
}

// dateAdd is DATEADD over microseconds in l's calendar.
func dateAdd(part string, n int64, us int64, l *time.Location) (int64, error) {
	u, err := redshiftPart(part)
	if err != nil {
		return 0, err
	}
	var iv types.IntervalVal
	switch u {
	case "millennium":
		iv.Months = int32(n * 12000)
	case "century":
		iv.Months = int32(n * 1200)
	case "decade":
		iv.Months = int32(n * 120)
	case "year":
		iv.Months = int32(n * 12)
	case "quarter":
		iv.Months = int32(n * 3)
	case "month":
		iv.Months = int32(n)
	case "week":
		iv.Days = int32(n * 7)
	case "day":
		iv.Days = int32(n)
	case "hour":
		iv.Micros = n * 3600_000_000
	case "minute":
		iv.Micros = n * 60_000_000
	case "second":
		iv.Micros = n * 1_000_000
	case "millisecond":
		iv.Micros = n * 1000
	case "microsecond":
		iv.Micros = n
	}
	return addInterval(us, iv, l), nil
}

// dateDiff is DATEDIFF: the boundaries of part crossed from a to b (in
// l's calendar), weeks starting on Monday as DATE_TRUNC's do.
func dateDiff(part string, a, b int64, l *time.Location) (int64, error) {
	u, err := redshiftPart(part)
	if err != nil {
		return 0, err
	}
	ta, tb := types.TimestampToTime(a), types.TimestampToTime(b)
	if l != nil {
		ta, tb = ta.In(l), tb.In(l)
	}
	months := func(t time.Time) int64 { return int64(t.Year())*12 + int64(t.Month()) - 1 }
	days := func(t time.Time) int64 {
		y, m, d := t.Date()
		return int64(types.TimeToDate(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
	}
	floorDiv := func(x, y int64) int64 {
		q := x / y
		if x%y != 0 && (x < 0) != (y < 0) {
			q--
		}
		return q
	}
	local := func(t time.Time) int64 { // the wall clock as microseconds
		return int64(types.TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)))
	}
	switch u {
	case "millennium":
		return floorDiv(int64(tb.Year())-1, 1000) - floorDiv(int64(ta.Year())-1, 1000), nil
	case "century":
		return floorDiv(int64(tb.Year())-1, 100) - floorDiv(int64(ta.Year())-1, 100), nil
	case "decade":
		return floorDiv(int64(tb.Year()), 10) - floorDiv(int64(ta.Year()), 10), nil
	case "year":
		return int64(tb.Year() - ta.Year()), nil
	case "quarter":
		return floorDiv(months(tb), 3) - floorDiv(months(ta), 3), nil
	case "month":
		return months(tb) - months(ta), nil
	case "week":
		// days since a Monday (1970-01-05 was one)
		return floorDiv(days(tb)-4, 7) - floorDiv(days(ta)-4, 7), nil
	case "day":
		return days(tb) - days(ta), nil
	case "hour":
		return floorDiv(local(tb), 3600_000_000) - floorDiv(local(ta), 3600_000_000), nil
	case "minute":
		return floorDiv(local(tb), 60_000_000) - floorDiv(local(ta), 60_000_000), nil
	case "second":
		return floorDiv(local(tb), 1_000_000) - floorDiv(local(ta), 1_000_000), nil
	case "millisecond":
		return floorDiv(local(tb), 1000) - floorDiv(local(ta), 1000), nil
	}
	return local(tb) - local(ta), nil
}

// addMonths is ADD_MONTHS: a date on its month's last day lands on the
// target month's last day; any other day is kept, or clamped to the
// target month's length.
func addMonths(us int64, n int64) int64 {
	t := types.TimestampToTime(us)
	y, m, d := t.Date()
	lastOf := func(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }
	total := int(m) - 1 + int(n)
	ny := y + floorDivInt(total, 12)
	nm := time.Month(floorModInt(total, 12) + 1)
	if d == lastOf(y, m) || d > lastOf(ny, nm) {
		d = lastOf(ny, nm)
	}
	return int64(types.TimeToTimestamp(time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)))
}

func redshiftScalars() []*Scalar {
	ts := func(a types.Value) int64 { return int64(a.(types.TimestampVal)) }
	dateTS := func(a types.Value) int64 { return int64(a.(types.DateVal)) * types.UsPerDay }
	loc := func(ctx *Ctx) *time.Location {
		if ctx != nil && ctx.Loc != nil {
			return ctx.Loc
		}
		return time.UTC
	}
	return []*Scalar{
		{Name: "dateadd", Description: "Redshift's DATEADD: a date or timestamp moved by n date parts", Overloads: []Overload{
			row([]Arg{aText, aInt8, aDate}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				v, err := dateAdd(a[0].(string), a[1].(int64), dateTS(a[2]), nil)
				return types.TimestampVal(v), err
			}),
			row([]Arg{aText, aInt8, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				v, err := dateAdd(a[0].(string), a[1].(int64), ts(a[2]), nil)
				return types.TimestampVal(v), err
			}),
			row([]Arg{aText, aInt8, aTSTZ}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				v, err := dateAdd(a[0].(string), a[1].(int64), ts(a[2]), loc(ctx))
				return types.TimestampVal(v), err
			}),
		}},
		{Name: "datediff", Description: "Redshift's DATEDIFF: the date-part boundaries crossed between two dates or timestamps", Overloads: []Overload{
			row([]Arg{aText, aTS, aTS}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return dateDiff(a[0].(string), ts(a[1]), ts(a[2]), nil)
			}),
			row([]Arg{aText, aDate, aDate}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return dateDiff(a[0].(string), dateTS(a[1]), dateTS(a[2]), nil)
			}),
			row([]Arg{aText, aTSTZ, aTSTZ}, types.Int8T, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				return dateDiff(a[0].(string), ts(a[1]), ts(a[2]), loc(ctx))
			}),
		}},
		{Name: "add_months", Description: "Redshift's ADD_MONTHS: a month's last day stays its last day", Overloads: []Overload{
			row([]Arg{aDate, aInt8}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addMonths(dateTS(a[0]), a[1].(int64))), nil
			}),
			row([]Arg{aTS, aInt8}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.TimestampVal(addMonths(ts(a[0]), a[1].(int64))), nil
			}),
		}},
		{Name: "last_day", Description: "Redshift's LAST_DAY: the last day of the date's month", Overloads: []Overload{
			row([]Arg{aDate}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				t := types.DateToTime(a[0].(types.DateVal))
				return types.TimeToDate(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)), nil
			}),
			row([]Arg{aTS}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				t := types.TimestampToTime(ts(a[0]))
				return types.TimeToDate(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC)), nil
			}),
		}},
		{Name: "getdate", Description: "Redshift's GETDATE: the statement's start as a timestamp, to the second", Overloads: []Overload{
			row(nil, types.TimestampT, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				now := time.Now()
				if ctx != nil && !ctx.Now.IsZero() {
					now = ctx.Now
				}
				t := now.In(loc(ctx)).Truncate(time.Second)
				return types.TimestampVal(int64(types.TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)))), nil
			}),
		}},
		{Name: "convert_timezone", Description: "Redshift's CONVERT_TIMEZONE: a timestamp from one time zone's wall clock (UTC when omitted) to another's", Overloads: []Overload{
			row([]Arg{aText, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return convertTZ("UTC", a[0].(string), ts(a[1]))
			}),
			row([]Arg{aText, aText, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return convertTZ(a[0].(string), a[1].(string), ts(a[2]))
			}),
			row([]Arg{aText, aTSTZ}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return convertTZ("", a[0].(string), ts(a[1]))
			}),
		}},
		{Name: "months_between", Description: "Redshift's MONTHS_BETWEEN: months from the second date to the first, a fraction of a 31-day month for the days", Overloads: []Overload{
			row([]Arg{aDate, aDate}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				t1, t2 := types.DateToTime(a[0].(types.DateVal)), types.DateToTime(a[1].(types.DateVal))
				months := float64((t1.Year()-t2.Year())*12 + int(t1.Month()) - int(t2.Month()))
				last := func(t time.Time) bool { return t.AddDate(0, 0, 1).Month() != t.Month() }
				if t1.Day() == t2.Day() || last(t1) && last(t2) {
					return months, nil
				}
				return months + float64(t1.Day()-t2.Day())/31, nil
			}),
		}},
		{Name: "next_day", Description: "Redshift's NEXT_DAY: the first date after the given one that falls on a weekday", Overloads: []Overload{
			row([]Arg{aDate, aText}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				name := strings.ToLower(strings.TrimSpace(a[1].(string)))
				want := -1
				for i, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
					if len(name) >= 2 && strings.HasPrefix(d, name) {
						want = i
					}
				}
				if want < 0 {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid day of week \"%s\"", a[1].(string))
				}
				d := a[0].(types.DateVal)
				t := types.DateToTime(d)
				step := (want - int(t.Weekday()) + 7) % 7
				if step == 0 {
					step = 7
				}
				return d + types.DateVal(step), nil
			}),
		}},
		{Name: "replicate", Description: "Redshift's REPLICATE: repeat", Overloads: []Overload{
			row([]Arg{aText, aInt4}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				n := a[1].(int64)
				if n <= 0 {
					return "", nil
				}
				return strings.Repeat(a[0].(string), int(n)), nil
			}),
		}},
		{Name: "len", Description: "Redshift's LEN: the number of characters", Overloads: []Overload{
			row([]Arg{aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(len([]rune(a[0].(string)))), nil
			}),
		}},
		{Name: "charindex", Description: "Redshift's CHARINDEX: the position of a substring (0 when absent)", Overloads: []Overload{
			row([]Arg{aText, aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				s, sub := a[1].(string), a[0].(string)
				i := strings.Index(s, sub)
				if i < 0 {
					return int64(0), nil
				}
				return int64(len([]rune(s[:i])) + 1), nil
			}),
		}},
	}
}

// convertTZ reads us as the wall clock of zone from (an instant when
// from is ""), and gives the wall clock of zone to at that instant.
func convertTZ(from, to string, us int64) (types.Value, error) {
	zone := func(name string) (*time.Location, error) {
		off, l, ok := types.LookupZone(name)
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", name)
		}
		if l == nil {
			l = time.FixedZone(name, off)
		}
		return l, nil
	}
	inst := types.TimestampToTime(us)
	if from != "" {
		fl, err := zone(from)
		if err != nil {
			return nil, err
		}
		inst = time.Date(inst.Year(), inst.Month(), inst.Day(), inst.Hour(), inst.Minute(), inst.Second(), inst.Nanosecond(), fl)
	}
	tl, err := zone(to)
	if err != nil {
		return nil, err
	}
	t := inst.In(tl)
	return types.TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)), nil
}

// redshiftOverloads adds Redshift's overloads to PostgreSQL's names:
// TRUNC(timestamp) is the date (in the session's zone for timestamptz).
func redshiftOverloads() map[string][]Overload {
	return map[string][]Overload{
		"trunc": {
			row([]Arg{aTS}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				t := types.TimestampToTime(int64(a[0].(types.TimestampVal)))
				return types.TimeToDate(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)), nil
			}),
			row([]Arg{aTSTZ}, types.DateT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				t := types.TimestampToTime(int64(a[0].(types.TimestampVal)))
				if ctx != nil && ctx.Loc != nil {
					t = t.In(ctx.Loc)
				}
				return types.TimeToDate(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)), nil
			}),
		},
	}
}

// Athena's (Trino's) functions Athena users write, with Trino's
// semantics: date_add(unit, n, x) keeps x's type, date_diff(unit, a, b)
// counts whole units elapsed (a month elapses when the day and time reach
// the start's, as java.time's between), element_at(array, i) is NULL past
// the ends and counts from the end for i < 0, from_iso8601_timestamp and
// from_iso8601_date read ISO 8601. array_join is array_to_string's alias
// and approx_percentile(x, p) the binder's percentile_disc.

// trinoUnit resolves date_add's and date_diff's unit.
func trinoUnit(u string) (string, error) {
	switch v := strings.ToLower(u); v {
	case "millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year":
		return v, nil
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "'%s' is not a valid TIMESTAMP field", u)
}

// elapsed is date_diff over wall-clock microseconds.
func elapsed(unit string, a, b int64) int64 {
	fixed := map[string]int64{"millisecond": 1000, "second": 1_000_000, "minute": 60_000_000, "hour": 3600_000_000,
		"day": types.UsPerDay, "week": 7 * types.UsPerDay}
	if u, ok := fixed[unit]; ok {
		return (b - a) / u // whole units, toward zero
	}
	ta, tb := types.TimestampToTime(a), types.TimestampToTime(b)
	m := int64(tb.Year()-ta.Year())*12 + int64(tb.Month()) - int64(ta.Month())
	// the part of the month: day, then time of day
	rest := func(t time.Time) int64 {
		return int64(t.Day())*types.UsPerDay + int64(t.Hour())*3600_000_000 + int64(t.Minute())*60_000_000 + int64(t.Second())*1_000_000 + int64(t.Nanosecond()/1000)
	}
	if m > 0 && rest(tb) < rest(ta) {
		m--
	} else if m < 0 && rest(tb) > rest(ta) {
		m++
	}
	switch unit {
	case "quarter":
		return m / 3
	case "year":
		return m / 12
	}
	return m
}

func athenaScalars() []*Scalar {
	ts := func(a types.Value) int64 { return int64(a.(types.TimestampVal)) }
	add := func(unit string, n, us int64, l *time.Location) (int64, error) {
		u, err := trinoUnit(unit)
		if err != nil {
			return 0, err
		}
		if u == "millisecond" {
			return us + n*1000, nil
		}
		return dateAdd(u, n, us, l)
	}
	return []*Scalar{
		{Name: "date_add", Description: "Athena's date_add: a date or timestamp moved by n units", Overloads: []Overload{
			row([]Arg{aText, aInt8, aDate}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := trinoUnit(a[0].(string))
				if err != nil {
					return nil, err
				}
				switch u {
				case "day", "week", "month", "quarter", "year":
				default:
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "'%s' is not a valid DATE field", a[0].(string))
				}
				v, err := add(u, a[1].(int64), int64(a[2].(types.DateVal))*types.UsPerDay, nil)
				return types.DateVal(v / types.UsPerDay), err
			}),
			row([]Arg{aText, aInt8, aTS}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				v, err := add(a[0].(string), a[1].(int64), ts(a[2]), nil)
				return types.TimestampVal(v), err
			}),
			row([]Arg{aText, aInt8, aTSTZ}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				var l *time.Location
				if ctx != nil {
					l = ctx.Loc
				}
				v, err := add(a[0].(string), a[1].(int64), ts(a[2]), l)
				return types.TimestampVal(v), err
			}),
		}},
		{Name: "date_diff", Description: "Athena's date_diff: whole units elapsed from the second argument to the third", Overloads: []Overload{
			row([]Arg{aText, aTS, aTS}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := trinoUnit(a[0].(string))
				if err != nil {
					return nil, err
				}
				return elapsed(u, ts(a[1]), ts(a[2])), nil
			}),
			row([]Arg{aText, aDate, aDate}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := trinoUnit(a[0].(string))
				if err != nil {
					return nil, err
				}
				return elapsed(u, int64(a[1].(types.DateVal))*types.UsPerDay, int64(a[2].(types.DateVal))*types.UsPerDay), nil
			}),
			row([]Arg{aText, aTSTZ, aTSTZ}, types.Int8T, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				u, err := trinoUnit(a[0].(string))
				if err != nil {
					return nil, err
				}
				wall := func(us int64) int64 {
					t := types.TimestampToTime(us)
					if ctx != nil && ctx.Loc != nil {
						t = t.In(ctx.Loc)
					}
					return int64(types.TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)))
				}
				if u == "millisecond" || u == "second" || u == "minute" || u == "hour" {
					return elapsed(u, ts(a[1]), ts(a[2])), nil // instants
				}
				return elapsed(u, wall(ts(a[1])), wall(ts(a[2]))), nil
			}),
		}},
		{Name: "element_at", Description: "Athena's element_at: the array's element at a position (from the end when negative), NULL past the ends", Overloads: []Overload{
			rowPoly([]Arg{{Kind: ArgArray}, aInt8}, func(ts []types.T) types.T { return *ts[0].Elem }, func(_ *Ctx, a []types.Value) (types.Value, error) {
				arr, i := a[0].([]any), a[1].(int64)
				if i == 0 {
					return nil, sqlerr.New(sqlerr.ArraySubscriptError, "SQL array indices start at 1")
				}
				if i < 0 {
					i += int64(len(arr)) + 1
				}
				if i < 1 || i > int64(len(arr)) {
					return nil, nil
				}
				return arr[i-1], nil
			}),
		}},
		{Name: "from_iso8601_timestamp", Description: "Athena's from_iso8601_timestamp: an ISO 8601 timestamp", Overloads: []Overload{
			row([]Arg{aText}, types.TimestampTZT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
				var l *time.Location
				if ctx != nil {
					l = ctx.Loc
				}
				return types.ParseText(types.TimestampTZT, a[0].(string), l)
			}),
		}},
		{Name: "from_iso8601_date", Description: "Athena's from_iso8601_date: an ISO 8601 date", Overloads: []Overload{
			row([]Arg{aText}, types.DateT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return types.ParseText(types.DateT, a[0].(string), nil)
			}),
		}},
	}
}
