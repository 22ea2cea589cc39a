package functions

import (
	"math"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// AT TIME ZONE (PostgreSQL's timezone(zone, value)) and the other
// zone-taking date/time functions. A zone is looked up as
// timestamptz_zone does: an abbreviation of the Default set (EST, a fixed
// offset), then a zone name of any case or a POSIX zone (UTC+3 is three
// hours west); an interval zone is an offset east and must have no months
// or days.

// zoneSpec is a resolved zone: a fixed offset (seconds east) or a
// location.
type zoneSpec struct {
	off int
	loc *time.Location
}

func resolveZone(name string) (zoneSpec, error) {
	off, loc, ok := types.LookupZone(name)
	if !ok {
		return zoneSpec{}, sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", name)
	}
	return zoneSpec{off: off, loc: loc}, nil
}

func intervalZone(iv types.IntervalVal) (zoneSpec, error) {
	if iv.Months != 0 || iv.Days != 0 {
		return zoneSpec{}, sqlerr.New(sqlerr.InvalidParameterValue, "interval time zone \"%s\" must not include months or days", types.FormatText(types.IntervalT, iv))
	}
	return zoneSpec{off: int(iv.Micros / 1_000_000)}, nil
}

// toLocal is timestamptz → the wall clock in the zone (a timestamp).
func (z zoneSpec) toLocal(us int64) (types.Value, error) {
	off := z.off
	if z.loc != nil {
		_, off = types.TimestampToTime(us).In(z.loc).Zone()
	}
	return checkTimestamp(us + int64(off)*1_000_000)
}

// fromLocal is a wall clock in the zone → the instant (a timestamptz);
// a time a change skips or repeats reads as PostgreSQL reads it.
func (z zoneSpec) fromLocal(us int64) (types.Value, error) {
	off := z.off
	if z.loc != nil {
		off = types.ZoneOffsetAt(us, z.loc)
	}
	return checkTimestamp(us - int64(off)*1_000_000)
}

func checkTimestamp(us int64) (types.Value, error) {
	if !types.TimestampInRange(us) {
		return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
	}
	return types.TimestampVal(us), nil
}

func zoneScalars() []*Scalar {
	byName := func(toLocal bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			z, err := resolveZone(a[0].(string))
			if err != nil {
				return nil, err
			}
			us := int64(a[1].(types.TimestampVal))
			if toLocal {
				return z.toLocal(us)
			}
			return z.fromLocal(us)
		}
	}
	byInterval := func(toLocal bool) RowFunc {
		return func(_ *Ctx, a []types.Value) (types.Value, error) {
			z, err := intervalZone(a[0].(types.IntervalVal))
			if err != nil {
				return nil, err
			}
			us := int64(a[1].(types.TimestampVal))
			if toLocal {
				return z.toLocal(us)
			}
			return z.fromLocal(us)
		}
	}
	return []*Scalar{
		{Name: "timezone", Description: "the value at a time zone (AT TIME ZONE): a timestamptz's wall clock there, or a timestamp read as that zone's wall clock", Overloads: []Overload{
			row([]Arg{aText, aTSTZ}, types.TimestampT, byName(true)),
			row([]Arg{aText, aTS}, types.TimestampTZT, byName(false)),
			row([]Arg{aIntv, aTSTZ}, types.TimestampT, byInterval(true)),
			row([]Arg{aIntv, aTS}, types.TimestampTZT, byInterval(false)),
		}},
		{Name: "make_time", Description: "a time from hour, minute and seconds", Params: []Param{{Name: "hour"}, {Name: "min"}, {Name: "sec"}}, Overloads: []Overload{
			row([]Arg{aInt4, aInt4, aFloat8}, types.TimeT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				h, m, s := a[0].(int64), a[1].(int64), a[2].(float64)
				if types.TimeFieldsOverflow(h, m, s) {
					return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", h, m, types.FormatSecG(s))
				}
				return types.TimeVal((h*3600+m*60)*1_000_000 + int64(math.RoundToEven(s*1e6))), nil
			}),
		}},
		{Name: "make_timestamp", Description: "a timestamp from fields", Params: timestampParams[:6], Overloads: []Overload{
			row([]Arg{aInt4, aInt4, aInt4, aInt4, aInt4, aFloat8}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return makeTimestamp(a)
			}),
		}},
		{Name: "make_timestamptz", Description: "a timestamptz from fields, in the session's or the given zone", Params: timestampParams, Overloads: []Overload{
			row([]Arg{aInt4, aInt4, aInt4, aInt4, aInt4, aFloat8}, types.TimestampTZT, makeTimestampTZ),
			row([]Arg{aInt4, aInt4, aInt4, aInt4, aInt4, aFloat8, aText}, types.TimestampTZT, makeTimestampTZ),
		}},
		{Name: "isfinite", Description: "whether the value is finite (lakeq's always are)", Overloads: []Overload{
			row([]Arg{aDate}, types.BoolT, alwaysTrue), row([]Arg{aTS}, types.BoolT, alwaysTrue),
			row([]Arg{aTSTZ}, types.BoolT, alwaysTrue), row([]Arg{aIntv}, types.BoolT, alwaysTrue),
		}},
	}
}

// timestampParams are make_timestamp(tz)'s parameter names.
var timestampParams = []Param{{Name: "year"}, {Name: "month"}, {Name: "mday"}, {Name: "hour"}, {Name: "min"}, {Name: "sec"}, {Name: "timezone"}}

func alwaysTrue(*Ctx, []types.Value) (types.Value, error) { return true, nil }

// makeTimestampTZ is make_timestamptz: make_timestamp's wall clock read
// in the given zone, or the session's.
func makeTimestampTZ(ctx *Ctx, a []types.Value) (types.Value, error) {
	ts, err := makeTimestamp(a[:6])
	if err != nil {
		return nil, err
	}
	z := zoneSpec{loc: loc(ctx)}
	if z.loc == nil {
		z.loc = time.UTC
	}
	if len(a) > 6 {
		if z, err = resolveZone(a[6].(string)); err != nil {
			return nil, err
		}
	}
	return z.fromLocal(int64(ts.(types.TimestampVal)))
}

func makeTimestamp(a []types.Value) (types.Value, error) {
	return types.MakeTimestamp(a[0].(int64), a[1].(int64), a[2].(int64), a[3].(int64), a[4].(int64), a[5].(float64))
}
