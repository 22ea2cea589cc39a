package types

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

const (
	usPerSec  = int64(1_000_000)
	usPerMin  = 60 * usPerSec
	usPerHour = 60 * usPerMin
	usPerDay  = 24 * usPerHour
)

// UsPerDay is microseconds per day.
const UsPerDay = usPerDay

// DateToTime converts days since epoch to a UTC time.Time.
func DateToTime(d DateVal) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// TimeToDate converts a time (its calendar date in its location) to days since epoch.
func TimeToDate(t time.Time) DateVal {
	y, m, d := t.Date()
	return DateVal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// TimestampToTime converts microseconds since epoch to time.Time in UTC.
func TimestampToTime(us int64) time.Time {
	sec := us / usPerSec
	rem := us % usPerSec
	if rem < 0 {
		sec--
		rem += usPerSec
	}
	return time.Unix(sec, rem*1000).UTC()
}

// TimeToTimestamp converts a time.Time to microseconds since epoch.
func TimeToTimestamp(t time.Time) TimestampVal {
	return TimestampVal(t.Unix()*usPerSec + int64(t.Nanosecond()/1000))
}

func yearStr(y int) (string, string) {
	if y <= 0 {
		return fmt.Sprintf("%04d", 1-y), " BC"
	}
	return fmt.Sprintf("%04d", y), ""
}

// FormatDate renders ISO date output.
func FormatDate(d DateVal) string {
	t := DateToTime(d)
	ys, bc := yearStr(t.Year())
	return fmt.Sprintf("%s-%02d-%02d%s", ys, int(t.Month()), t.Day(), bc)
}

func fracStr(us int64) string {
	if us == 0 {
		return ""
	}
	s := fmt.Sprintf(".%06d", us)
	return strings.TrimRight(s, "0")
}

// FormatTime renders time of day.
func FormatTime(us int64) string {
	h := us / usPerHour
	m := us / usPerMin % 60
	s := us / usPerSec % 60
	return fmt.Sprintf("%02d:%02d:%02d%s", h, m, s, fracStr(us%usPerSec))
}

// FormatTimestamp renders a timestamp without time zone.
func FormatTimestamp(us int64) string {
	t := TimestampToTime(us)
	ys, bc := yearStr(t.Year())
	return fmt.Sprintf("%s-%02d-%02d %02d:%02d:%02d%s%s", ys, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), fracStr(int64(t.Nanosecond()/1000)), bc)
}

// FormatTimestampTZ renders a timestamptz in loc (UTC when nil) with its offset.
func FormatTimestampTZ(us int64, loc *time.Location) string {
	t := TimestampToTime(us)
	if loc != nil {
		t = t.In(loc)
	}
	ys, bc := yearStr(t.Year())
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	offs := fmt.Sprintf("%s%02d", sign, off/3600)
	if off%3600 != 0 {
		offs += fmt.Sprintf(":%02d", off%3600/60)
	}
	if off%60 != 0 { // local mean time before standard zones: -04:56:02
		offs += fmt.Sprintf(":%02d", off%60)
	}
	return fmt.Sprintf("%s-%02d-%02d %02d:%02d:%02d%s%s%s", ys, int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), fracStr(int64(t.Nanosecond()/1000)), offs, bc)
}

// FormatInterval renders PostgreSQL's "postgres" IntervalStyle: each
// nonzero field with its unit, and a "+" on a positive field right after
// a negative one (PostgreSQL's AddPostgresIntPart: only the field just
// before decides).
func FormatInterval(iv IntervalVal) string {
	var b strings.Builder
	prevNeg := false
	field := func(n int64, unit string) {
		if n == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if prevNeg && n > 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.FormatInt(n, 10))
		b.WriteByte(' ')
		b.WriteString(unit)
		if n != 1 {
			b.WriteByte('s')
		}
		prevNeg = n < 0
	}
	field(int64(iv.Months/12), "year")
	field(int64(iv.Months%12), "mon")
	field(int64(iv.Days), "day")
	if iv.Micros != 0 || b.Len() == 0 {
		us := iv.Micros
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if us < 0 {
			b.WriteByte('-')
			us = -us
		} else if prevNeg {
			b.WriteByte('+')
		}
		fmt.Fprintf(&b, "%02d:%02d:%02d%s", us/usPerHour, us/usPerMin%60, us/usPerSec%60, fracStr(us%usPerSec))
	}
	return b.String()
}

// ParseDate parses date input as PostgreSQL's date_in (datetime_in.go).
func ParseDate(s string) (DateVal, error) {
	return parsePGDate(s)
}

// ParseTime parses time input as PostgreSQL's time_in (datetime_in.go).
func ParseTime(s string) (TimeVal, error) {
	if us, ok := clockFast(s); ok {
		return TimeVal(us), nil
	}
	return parsePGTime(s)
}

// clockFast reads the common HH:MM:SS[.ffffff] without the general parser.
func clockFast(s string) (int64, bool) {
	if len(s) < 8 || len(s) > 15 || s[2] != ':' || s[5] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4, 6, 7} {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	h, m, sec := int64(s[0]-'0')*10+int64(s[1]-'0'), int64(s[3]-'0')*10+int64(s[4]-'0'), int64(s[6]-'0')*10+int64(s[7]-'0')
	if h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	us := (h*3600 + m*60 + sec) * usPerSec
	if len(s) > 8 {
		if s[8] != '.' || len(s) == 9 {
			return 0, false
		}
		frac := int64(0)
		for _, c := range s[9:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			frac = frac*10 + int64(c-'0')
		}
		for n := len(s) - 9; n < 6; n++ {
			frac *= 10
		}
		us += frac
	}
	return us, true
}

// ParseTimestamp parses timestamp input as PostgreSQL's timestamp_in and
// timestamptz_in (datetime_in.go); with tz it returns UTC microseconds,
// honouring a zone the text names or else interpreting it in loc.
func ParseTimestamp(s string, withTZ bool, loc *time.Location) (TimestampVal, error) {
	return parsePGTimestamp(s, withTZ, loc)
}

// ParseInterval parses PostgreSQL interval input ("1 day 2 hours",
// "1 year -3 mons", "01:02:03", "3 days 04:05:06", "@ 1 day ago", ISO "P1DT2H").
func ParseInterval(s string) (IntervalVal, error) {
	return parsePGInterval(s, func(s string) (IntervalVal, error) {
		return parseISOInterval(strings.ToLower(s), s)
	})
}

func addUnit(iv *IntervalVal, u string, num float64) {
	switch u {
	case "us":
		iv.Micros += int64(num)
	case "ms":
		iv.Micros += int64(num * 1000)
	case "s":
		iv.Micros += int64(num * float64(usPerSec))
	case "min":
		iv.Micros += int64(num * float64(usPerMin))
	case "h":
		iv.Micros += int64(num * float64(usPerHour))
	case "d", "w":
		days := num
		if u == "w" {
			days *= 7
		}
		whole := int32(days)
		iv.Days += whole
		iv.Micros += int64((days - float64(whole)) * float64(usPerDay))
	case "mon", "y", "dec", "c", "mil":
		mult := map[string]float64{"mon": 1, "y": 12, "dec": 120, "c": 1200, "mil": 12000}[u]
		months := num * mult
		whole := int32(months)
		iv.Months += whole
		fracDays := (months - float64(whole)) * 30
		iv.Days += int32(fracDays)
		iv.Micros += int64((fracDays - float64(int32(fracDays))) * float64(usPerDay))
	}
}

func parseISOInterval(t, orig string) (IntervalVal, error) {
	var iv IntervalVal
	inTime := false
	num := ""
	for _, r := range t[1:] {
		switch {
		case r == 't':
			inTime = true
		case (r >= '0' && r <= '9') || r == '.' || r == '-':
			num += string(r)
		default:
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return IntervalVal{}, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", orig)
			}
			u := map[rune]string{'y': "y", 'w': "w", 'd': "d", 'h': "h", 's': "s"}[r]
			if r == 'm' {
				u = "mon"
				if inTime {
					u = "min"
				}
			}
			if u == "" {
				return IntervalVal{}, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", orig)
			}
			addUnit(&iv, u, f)
			num = ""
		}
	}
	return iv, nil
}
