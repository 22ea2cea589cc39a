package types

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// LookupZone resolves a time zone as AT TIME ZONE does
// (timestamptz_zone): an abbreviation of PostgreSQL's Default set first
// (a fixed offset, seconds east), then a zone name of any case or a
// POSIX zone (loc). ok is false for a name that is neither.
func LookupZone(name string) (off int, loc *time.Location, ok bool) {
	if z, isAbbrev := tzAbbrevs[strings.ToLower(name)]; isAbbrev {
		return z.off, nil, true
	}
	if l := zoneByName(name); l != nil {
		return 0, l, true
	}
	return 0, nil, false
}

// ZoneOffsetAt is the offset (seconds east) loc has at the wall time
// wall (microseconds as if UTC), as PostgreSQL's DetermineTimeZoneOffset
// reads it.
func ZoneOffsetAt(wall int64, loc *time.Location) int { return zoneOffsetAt(wall, loc) }

// timestampLow is PostgreSQL's first timestamp, 4714-11-24 00:00 BC.
var timestampLow = int64(PGDate2J(-4713, 11, 24)-epochJulian) * usPerDay

// TimestampInRange reports whether us (microseconds from 1970) is a
// timestamp lakeq holds.
func TimestampInRange(us int64) bool { return us >= timestampLow }

// TimeFieldsOverflow is PostgreSQL's float_time_overflows: hour 0-24,
// minute 0-59, seconds 0-60 rounded to microseconds, and no more than
// 24:00:00 in all.
func TimeFieldsOverflow(hour, min int64, sec float64) bool {
	if hour < 0 || hour > 24 || min < 0 || min >= 60 || math.IsNaN(sec) {
		return true
	}
	us := math.RoundToEven(sec * 1e6)
	if us < 0 || us > 60e6 {
		return true
	}
	return ((hour*60+min)*60)*1_000_000+int64(us) > usPerDay
}

// FormatSecG prints seconds as C's %02g does in PostgreSQL's messages.
func FormatSecG(sec float64) string { return fmt.Sprintf("%02.6g", sec) }

// MakeTimestamp is make_timestamp: a valid date (a year from 1; no BC),
// then a time of day that may be 24:00:00.
func MakeTimestamp(year, month, day, hour, min int64, sec float64) (TimestampVal, error) {
	if year <= 0 || month < 1 || month > 12 || day < 1 || day > int64(DaysInMonth(int(year), int(month))) {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date field value out of range: %d-%02d-%02d", year, month, day)
	}
	if year > 294276 {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: %d-%02d-%02d", year, month, day)
	}
	if TimeFieldsOverflow(hour, min, sec) {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "time field value out of range: %d:%02d:%s", hour, min, FormatSecG(sec))
	}
	days := int64(PGDate2J(int(year), int(month), int(day)) - epochJulian)
	tod := ((hour*60+min)*60)*1_000_000 + int64(math.RoundToEven(sec*1e6))
	if days >= math.MaxInt64/usPerDay-1 || days*usPerDay > math.MaxInt64-tod {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: %d-%02d-%02d %d:%02d:%s", year, month, day, hour, min, FormatSecG(sec))
	}
	return TimestampVal(days*usPerDay + tod), nil
}
