package types

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Date and timestamp input as PostgreSQL 15 reads it (datetime.c:
// ParseDateTime cuts the text into typed fields, DecodeDateTime gives
// them meaning), with DateStyle's MDY field order: "Jan 5 2024",
// "5-Jan-2024", "2024.01.05", "20240105 101112", "January 5, 2024
// 10:00 PM EST", "J2460315", ISO 8601's "T" — every spelling PostgreSQL
// takes, and the same errors for the rest.

// field types of ParseDateTime
const (
	ftNumber = iota
	ftString
	ftDate
	ftTime
	ftTZ
	ftSpecial
)

// token types (DTK_M bits) of DecodeDateTime
const (
	tkReserv = iota
	tkMonth
	tkYear
	tkDay
	tkJulian
	tkTZ
	tkDTZ
	tkDynTZ
	tkIgnore
	tkAMPM
	tkHour
	tkMinute
	tkSecond
	tkMillisecond
	tkMicrosecond
	tkDOY
	tkDOW
	tkUnits
	tkADBC
	tkAgo
	tkAbsBefore
	tkAbsAfter
	tkISODate
	tkISOTime
	tkWeek
	tkDecade
	tkCentury
	tkMillennium
	tkDTZMod
	tkUnknown = 31
)

func dtkM(t int) int { return 1 << t }

var (
	dateMask = dtkM(tkYear) | dtkM(tkMonth) | dtkM(tkDay)
	timeMask = dtkM(tkHour) | dtkM(tkMinute) | dtkM(tkSecond) | dtkM(tkMillisecond) | dtkM(tkMicrosecond)
)

// the kinds of value a date/time text denotes (dtype)
const (
	dtDate = iota
	dtEpoch
	dtLate  // infinity
	dtEarly // -infinity
	dtNow
	dtToday
	dtTomorrow
	dtYesterday
)

// unit labels (UNITS tokens' values)
const (
	unYear = iota + 1
	unMonth
	unDay
	unHour
	unMinute
	unSecond
	unJulian
	unTime // ISO 8601's "t"
)

const (
	merAM = iota
	merPM
	merHR24
)

// error kinds, as PostgreSQL's DTERR_*
const (
	dtErrBadFormat = iota + 1
	dtErrFieldOverflow
	dtErrMDFieldOverflow
	dtErrTZDispOverflow
	dtErrBadTimezone
)

type dtToken struct {
	typ, val int
}

// datetktbl: PostgreSQL's keywords of date/time input, and the time zone
// abbreviations of its Default set most often met (offsets in seconds
// east of UTC).
var datetktbl = map[string]dtToken{
	"-infinity": {tkReserv, dtEarly}, "infinity": {tkReserv, dtLate}, "+infinity": {tkReserv, dtLate},
	"epoch": {tkReserv, dtEpoch}, "now": {tkReserv, dtNow}, "today": {tkReserv, dtToday},
	"tomorrow": {tkReserv, dtTomorrow}, "yesterday": {tkReserv, dtYesterday},
	"ad": {tkADBC, 0}, "bc": {tkADBC, 1}, "am": {tkAMPM, merAM}, "pm": {tkAMPM, merPM},
	"a.m.": {tkAMPM, merAM}, "p.m.": {tkAMPM, merPM},
	"jan": {tkMonth, 1}, "january": {tkMonth, 1}, "feb": {tkMonth, 2}, "february": {tkMonth, 2},
	"mar": {tkMonth, 3}, "march": {tkMonth, 3}, "apr": {tkMonth, 4}, "april": {tkMonth, 4},
	"may": {tkMonth, 5}, "jun": {tkMonth, 6}, "june": {tkMonth, 6}, "jul": {tkMonth, 7}, "july": {tkMonth, 7},
	"aug": {tkMonth, 8}, "august": {tkMonth, 8}, "sep": {tkMonth, 9}, "sept": {tkMonth, 9}, "september": {tkMonth, 9},
	"oct": {tkMonth, 10}, "october": {tkMonth, 10}, "nov": {tkMonth, 11}, "november": {tkMonth, 11},
	"dec": {tkMonth, 12}, "december": {tkMonth, 12},
	"sun": {tkDOW, 0}, "sunday": {tkDOW, 0}, "mon": {tkDOW, 1}, "monday": {tkDOW, 1},
	"tue": {tkDOW, 2}, "tues": {tkDOW, 2}, "tuesday": {tkDOW, 2}, "wed": {tkDOW, 3}, "wednesday": {tkDOW, 3},
	"thu": {tkDOW, 4}, "thur": {tkDOW, 4}, "thurs": {tkDOW, 4}, "thursday": {tkDOW, 4},
	"fri": {tkDOW, 5}, "friday": {tkDOW, 5}, "sat": {tkDOW, 6}, "saturday": {tkDOW, 6},
	"on": {tkIgnore, 0}, "at": {tkIgnore, 0},
	"y": {tkUnits, unYear}, "m": {tkUnits, unMonth}, "d": {tkUnits, unDay}, "h": {tkUnits, unHour},
	"mm": {tkUnits, unMinute}, "s": {tkUnits, unSecond}, "j": {tkUnits, unJulian}, "jd": {tkUnits, unJulian},
	"julian": {tkUnits, unJulian}, "t": {tkISOTime, unTime},
	"allballs": {tkReserv, -1}, // time input's, not a date's
}

// tzAbbrevs is a part of PostgreSQL's Default abbreviation set: zones as
// offsets east of UTC (dst: a daylight-saving abbreviation).
var tzAbbrevs = map[string]struct {
	off int
	dst bool
}{
	"utc": {0, false}, "gmt": {0, false}, "ut": {0, false}, "z": {0, false}, "zulu": {0, false}, "wet": {0, false},
	"west": {3600, true}, "bst": {3600, true}, "cet": {3600, false}, "cest": {7200, true}, "met": {3600, false},
	"mest": {7200, true}, "eet": {7200, false}, "eest": {10800, true}, "msk": {10800, false}, "ist": {7200, false},
	"est": {-5 * 3600, false}, "edt": {-4 * 3600, true}, "cst": {-6 * 3600, false}, "cdt": {-5 * 3600, true},
	"mst": {-7 * 3600, false}, "mdt": {-6 * 3600, true}, "pst": {-8 * 3600, false}, "pdt": {-7 * 3600, true},
	"akst": {-9 * 3600, false}, "akdt": {-8 * 3600, true}, "hst": {-10 * 3600, false}, "ast": {-4 * 3600, false},
	"adt": {-3 * 3600, true}, "nst": {-(3*3600 + 1800), false}, "ndt": {-(2*3600 + 1800), true},
	"jst": {9 * 3600, false}, "kst": {9 * 3600, false}, "hkt": {8 * 3600, false}, "sgt": {8 * 3600, false},
	"awst": {8 * 3600, false}, "acst": {9*3600 + 1800, false}, "acdt": {10*3600 + 1800, true},
	"aest": {10 * 3600, false}, "aedt": {11 * 3600, true}, "nzst": {12 * 3600, false}, "nzdt": {13 * 3600, true},
}

// pgTM is what DecodeDateTime fills: PostgreSQL's struct pg_tm.
type pgTM struct {
	year, mon, mday, hour, min, sec, yday int
	fsec                                  int64 // microseconds
	dtype                                 int
	// the zone the text named: an offset (seconds east) or a location
	hasTZ bool
	tzOff int
	tzLoc *time.Location
	// badZone is the field naming no zone (dtErrBadTimezone)
	badZone string
}

type dtField struct {
	typ  int
	s    string // lower-cased
	orig string // as written (for zone names)
}

// parseDateTimeFields is PostgreSQL's ParseDateTime.
func parseDateTimeFields(s string) ([]dtField, int) {
	var out []dtField
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isAlpha := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' }
	lower := func(c byte) byte {
		if c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	i := 0
	for i < len(s) {
		c := s[i]
		if isSpace(c) {
			i++
			continue
		}
		start := i
		var b []byte
		typ := ftNumber
		switch {
		case isDigit(c):
			for i < len(s) && isDigit(s[i]) {
				b = append(b, s[i])
				i++
			}
			switch {
			case i < len(s) && s[i] == ':':
				typ = ftTime
				for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.') {
					b = append(b, s[i])
					i++
				}
			case i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.'):
				delim := s[i]
				b = append(b, delim)
				i++
				if i < len(s) && isDigit(s[i]) {
					typ = ftDate
					if delim == '.' {
						typ = ftNumber
					}
					for i < len(s) && isDigit(s[i]) {
						b = append(b, s[i])
						i++
					}
					if i < len(s) && s[i] == delim {
						typ = ftDate
						b = append(b, delim)
						i++
						for i < len(s) && (isDigit(s[i]) || s[i] == delim) {
							b = append(b, s[i])
							i++
						}
					}
				} else {
					typ = ftDate
					for i < len(s) && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == delim) {
						b = append(b, lower(s[i]))
						i++
					}
				}
			}
		case c == '.':
			b = append(b, c)
			i++
			for i < len(s) && isDigit(s[i]) {
				b = append(b, s[i])
				i++
			}
		case isAlpha(c):
			typ = ftString
			for i < len(s) && isAlpha(s[i]) {
				b = append(b, lower(s[i]))
				i++
			}
			isDate := false
			if i < len(s) && (s[i] == '-' || s[i] == '/' || s[i] == '.') {
				isDate = true
			} else if i < len(s) && (s[i] == '+' || isDigit(s[i])) {
				_, known := datetktbl[string(b)]
				isDate = !known
			}
			if isDate {
				typ = ftDate
				for i < len(s) && (s[i] == '+' || s[i] == '-' || s[i] == '/' || s[i] == '_' || s[i] == '.' || s[i] == ':' || isAlpha(s[i]) || isDigit(s[i])) {
					b = append(b, lower(s[i]))
					i++
				}
			}
		case c == '+' || c == '-':
			b = append(b, c)
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			switch {
			case i < len(s) && isDigit(s[i]):
				typ = ftTZ
				b = append(b, s[i])
				i++
				for i < len(s) && (isDigit(s[i]) || s[i] == ':' || s[i] == '.' || s[i] == '-') {
					b = append(b, s[i])
					i++
				}
			case i < len(s) && isAlpha(s[i]):
				typ = ftSpecial
				for i < len(s) && isAlpha(s[i]) {
					b = append(b, lower(s[i]))
					i++
				}
			default:
				return nil, dtErrBadFormat
			}
		case c < 0x80 && (c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'):
			i++ // other punctuation separates fields
			continue
		default:
			return nil, dtErrBadFormat
		}
		out = append(out, dtField{typ: typ, s: string(b), orig: s[start:i]})
		if len(out) > 25 {
			return nil, dtErrBadFormat
		}
	}
	return out, 0
}

// strtoint reads a leading decimal integer as C's strtol does for
// PostgreSQL's strtoint: the value, the rest, and whether it overflowed
// 32 bits.
func strtoint(s string) (int, string, bool) {
	v, rest, over := strtoint64(s)
	return int(v), rest, over || v > math.MaxInt32 || v < math.MinInt32
}

// parseFractionalSecond reads ".123" as microseconds, rounded as rint.
func parseFractionalSecond(s string) (int64, int) {
	if s == "." {
		return 0, 0 // PostgreSQL takes a bare point as no fraction
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, dtErrBadFormat
	}
	return int64(math.RoundToEven(f * 1e6)), 0
}

// decodeNumberField is PostgreSQL's DecodeNumberField: run-together
// yyyymmdd, yymmdd, hhmmss or hhmm, and fractional seconds.
func decodeNumberField(str string, fmask int, tm *pgTM, is2digits *bool) (int, int) {
	if dot := strings.IndexByte(str, '.'); dot >= 0 {
		if dot+1 == len(str) {
			tm.fsec = 0
		} else {
			f, err := strconv.ParseFloat(str[dot:], 64)
			if err != nil {
				return 0, dtErrBadFormat
			}
			tm.fsec = int64(math.RoundToEven(f * 1e6))
		}
		str = str[:dot]
	} else if fmask&dateMask != dateMask {
		if len(str) >= 6 {
			n := len(str)
			tm.mday = atoiPrefix(str[n-2:])
			tm.mon = atoiPrefix(str[n-4 : n-2])
			tm.year = atoiPrefix(str[:n-4])
			if n-4 == 2 {
				*is2digits = true
			}
			return dateMask, 0
		}
	}
	if fmask&timeMask != timeMask {
		switch len(str) {
		case 6:
			tm.sec, tm.min, tm.hour = atoiPrefix(str[4:]), atoiPrefix(str[2:4]), atoiPrefix(str[:2])
			return timeMask, 0
		case 4:
			tm.sec, tm.min, tm.hour = 0, atoiPrefix(str[2:]), atoiPrefix(str[:2])
			return timeMask, 0
		}
	}
	return 0, dtErrBadFormat
}

// atoiPrefix is C's atoi: the leading digits' value.
func atoiPrefix(s string) int {
	v, _, _ := strtoint(s)
	return v
}

// decodeNumber is PostgreSQL's DecodeNumber, for DateStyle MDY.
func decodeNumber(str string, haveTextMonth bool, fmask int, tm *pgTM, is2digits *bool) (int, int) {
	flen := len(str)
	val, rest, over := strtoint(str)
	if over {
		return 0, dtErrFieldOverflow
	}
	if rest == str {
		return 0, dtErrBadFormat
	}
	if strings.HasPrefix(rest, ".") {
		if len(str)-len(rest) > 2 {
			return decodeNumberField(str, fmask|dateMask, tm, is2digits)
		}
		fs, e := parseFractionalSecond(rest)
		if e != 0 {
			return 0, e
		}
		tm.fsec = fs
	} else if rest != "" {
		return 0, dtErrBadFormat
	}
	if flen == 3 && fmask&dateMask == dtkM(tkYear) && val >= 1 && val <= 366 {
		tm.yday = val
		return dtkM(tkDOY) | dtkM(tkMonth) | dtkM(tkDay), 0
	}
	var tmask int
	switch fmask & dateMask {
	case 0:
		if flen >= 3 {
			tmask, tm.year = dtkM(tkYear), val
		} else {
			tmask, tm.mon = dtkM(tkMonth), val
		}
	case dtkM(tkYear):
		tmask, tm.mon = dtkM(tkMonth), val
	case dtkM(tkMonth):
		if haveTextMonth && flen >= 3 {
			tmask, tm.year = dtkM(tkYear), val
		} else {
			tmask, tm.mday = dtkM(tkDay), val
		}
	case dtkM(tkYear) | dtkM(tkMonth):
		if haveTextMonth && flen >= 3 && *is2digits {
			tmask = dtkM(tkDay)
			tm.mday, tm.year = tm.year, val
			*is2digits = false
		} else {
			tmask, tm.mday = dtkM(tkDay), val
		}
	case dtkM(tkDay):
		tmask, tm.mon = dtkM(tkMonth), val
	case dtkM(tkMonth) | dtkM(tkDay):
		tmask, tm.year = dtkM(tkYear), val
	case dateMask:
		return decodeNumberField(str, fmask, tm, is2digits)
	default:
		return 0, dtErrBadFormat
	}
	if tmask == dtkM(tkYear) {
		*is2digits = flen <= 2
	}
	return tmask, 0
}

// decodeDate is PostgreSQL's DecodeDate: a date field with delimiters,
// perhaps with a month name.
func decodeDate(str string, fmask int, tm *pgTM, is2digits *bool) (int, int) {
	var fields []string
	i := 0
	isAlnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for i < len(str) {
		for i < len(str) && !isAlnum(str[i]) {
			i++
		}
		if i >= len(str) {
			return 0, dtErrBadFormat
		}
		start := i
		if str[i] >= '0' && str[i] <= '9' {
			for i < len(str) && str[i] >= '0' && str[i] <= '9' {
				i++
			}
		} else {
			for i < len(str) && isAlnum(str[i]) && !(str[i] >= '0' && str[i] <= '9') {
				i++
			}
		}
		fields = append(fields, str[start:i])
		if i < len(str) {
			i++ // the separator (any byte)
		}
	}
	haveTextMonth := false
	var tmask int
	for k, f := range fields {
		if f[0] >= '0' && f[0] <= '9' {
			continue
		}
		tok, ok := datetktbl[f]
		if ok && tok.typ == tkIgnore {
			fields[k] = ""
			continue
		}
		if !ok || tok.typ != tkMonth {
			return 0, dtErrBadFormat
		}
		dmask := dtkM(tkMonth)
		if fmask&dmask != 0 {
			return 0, dtErrBadFormat
		}
		tm.mon, haveTextMonth = tok.val, true
		fmask |= dmask
		tmask |= dmask
		fields[k] = ""
	}
	for _, f := range fields {
		if f == "" {
			continue
		}
		dmask, e := decodeNumber(f, haveTextMonth, fmask, tm, is2digits)
		if e != 0 {
			return 0, e
		}
		if fmask&dmask != 0 {
			return 0, dtErrBadFormat
		}
		fmask |= dmask
		tmask |= dmask
	}
	if fmask&^(dtkM(tkDOY)|dtkM(tkTZ)) != dateMask {
		return 0, dtErrBadFormat
	}
	return tmask, 0
}

// decodeTime is PostgreSQL's DecodeTime: hh:mm[:ss[.f]] (mm:ss.f).
func decodeTime(str string, tm *pgTM) (int, int) {
	var rest string
	var over bool
	tm.hour, rest, over = strtoint(str)
	if over {
		return 0, dtErrFieldOverflow
	}
	if !strings.HasPrefix(rest, ":") {
		return 0, dtErrBadFormat
	}
	tm.min, rest, over = strtoint(rest[1:])
	if over {
		return 0, dtErrFieldOverflow
	}
	switch {
	case rest == "":
		tm.sec, tm.fsec = 0, 0
	case rest[0] == '.':
		fs, e := parseFractionalSecond(rest)
		if e != 0 {
			return 0, e
		}
		tm.fsec = fs
		tm.sec, tm.min, tm.hour = tm.min, tm.hour, 0
	case rest[0] == ':':
		tm.sec, rest, over = strtoint(rest[1:])
		if over {
			return 0, dtErrFieldOverflow
		}
		if strings.HasPrefix(rest, ".") {
			fs, e := parseFractionalSecond(rest)
			if e != 0 {
				return 0, e
			}
			tm.fsec = fs
		} else if rest != "" {
			return 0, dtErrBadFormat
		}
	default:
		return 0, dtErrBadFormat
	}
	if tm.hour < 0 || tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 60 || tm.fsec < 0 || tm.fsec > 1_000_000 {
		return 0, dtErrFieldOverflow
	}
	return timeMask, 0
}

// decodeTimezone is PostgreSQL's DecodeTimezone: +hh, +hh:mm, +hhmm,
// +hh:mm:ss; the offset in seconds east.
func decodeTimezone(str string) (int, int) {
	if str == "" || str[0] != '+' && str[0] != '-' {
		return 0, dtErrBadFormat
	}
	hr, rest, over := strtoint(str[1:])
	if over {
		return 0, dtErrTZDispOverflow
	}
	if rest == str[1:] && rest != "" && (rest[0] == '+' || rest[0] == '-') {
		return 0, dtErrBadFormat
	}
	mn, sec := 0, 0
	if strings.HasPrefix(rest, ":") {
		if mn, rest, over = strtoint(rest[1:]); over {
			return 0, dtErrTZDispOverflow
		}
		if strings.HasPrefix(rest, ":") {
			if sec, rest, over = strtoint(rest[1:]); over {
				return 0, dtErrTZDispOverflow
			}
		}
	} else if rest == "" && len(str) > 3 {
		mn, hr = hr%100, hr/100
	}
	if hr < 0 || hr > 15 || mn < 0 || mn >= 60 || sec < 0 || sec >= 60 {
		return 0, dtErrTZDispOverflow
	}
	off := (hr*60+mn)*60 + sec
	if str[0] == '-' {
		off = -off
	}
	if rest != "" {
		return 0, dtErrBadFormat
	}
	return off, 0
}

// posixTZ is a POSIX zone without daylight rules: a name of three or
// more letters and an offset west of UTC (BCT10, XYZ-5:30).
var posixTZ = regexp.MustCompile(`^([A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?$`)

// zoneByName finds a time zone by a name of any case, or a POSIX zone.
func zoneByName(name string) *time.Location {
	if name == "" {
		return nil
	}
	if m := posixTZ.FindStringSubmatch(name); m != nil {
		h, _ := strconv.Atoi(m[3])
		mi, _ := strconv.Atoi(m[4] + "0")
		sec, _ := strconv.Atoi(m[5] + "0")
		west := h*3600 + mi/10*60 + sec/10
		if m[2] == "-" {
			west = -west
		}
		if h <= 24 {
			return time.FixedZone(strings.ToUpper(m[1]), -west)
		}
	}
	try := []string{name}
	parts := strings.Split(strings.ToLower(name), "/")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j, w := range words {
			if w != "" {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	try = append(try, strings.Join(parts, "/"), strings.ToUpper(name))
	for _, n := range try {
		if n == "Local" || n == "" {
			continue
		}
		if l, err := time.LoadLocation(n); err == nil {
			return l
		}
	}
	return nil
}

// decodeDateTime is PostgreSQL's DecodeDateTime.
func decodeDateTime(fields []dtField) (pgTM, int) {
	var tm pgTM
	tm.dtype = dtDate
	fmask, ptype := 0, 0
	haveTextMonth, isJulian, is2digits, bc := false, false, false, false
	mer := merHR24
	for i, f := range fields {
		var tmask int
		switch f.typ {
		case ftDate:
			switch {
			case ptype == unJulian:
				v, rest, _ := strtoint(f.s)
				if v < 0 {
					return tm, dtErrFieldOverflow
				}
				tm.year, tm.mon, tm.mday = PGJ2Date(v)
				isJulian = true
				off, e := decodeTimezone(rest)
				if e != 0 {
					return tm, e
				}
				tm.hasTZ, tm.tzOff = true, off
				tmask = dateMask | dtkM(tkTZ)
				ptype = 0
			case ptype != 0 || fmask&(dtkM(tkMonth)|dtkM(tkDay)) == dtkM(tkMonth)|dtkM(tkDay):
				if f.s[0] >= '0' && f.s[0] <= '9' || ptype != 0 {
					if ptype != 0 {
						if ptype != unTime {
							return tm, dtErrBadFormat
						}
						ptype = 0
					}
					if fmask&timeMask == timeMask {
						return tm, dtErrBadFormat
					}
					dash := strings.IndexByte(f.s, '-')
					if dash < 0 {
						return tm, dtErrBadFormat
					}
					off, e := decodeTimezone(f.s[dash:])
					if e != 0 {
						return tm, e
					}
					tm.hasTZ, tm.tzOff = true, off
					m, e := decodeNumberField(f.s[:dash], fmask, &tm, &is2digits)
					if e != 0 {
						return tm, e
					}
					tmask = m | dtkM(tkTZ)
				} else {
					loc := zoneByName(f.orig)
					if loc == nil {
						tm.badZone = f.s
						return tm, dtErrBadTimezone
					}
					tm.hasTZ, tm.tzLoc = true, loc
					tmask = dtkM(tkTZ)
				}
			default:
				m, e := decodeDate(f.s, fmask, &tm, &is2digits)
				if e != 0 {
					return tm, e
				}
				tmask = m
			}
		case ftTime:
			if ptype != 0 {
				if ptype != unTime {
					return tm, dtErrBadFormat
				}
				ptype = 0
			}
			m, e := decodeTime(f.s, &tm)
			if e != 0 {
				return tm, e
			}
			tmask = m
			if tm.hour > 24 || tm.hour == 24 && (tm.min > 0 || tm.sec > 0 || tm.fsec > 0) {
				return tm, dtErrFieldOverflow
			}
		case ftTZ:
			off, e := decodeTimezone(f.s)
			if e != 0 {
				return tm, e
			}
			tm.hasTZ, tm.tzOff, tm.tzLoc = true, off, nil
			tmask = dtkM(tkTZ)
		case ftNumber:
			if ptype != 0 {
				val, rest, over := strtoint(f.s)
				if over {
					return tm, dtErrFieldOverflow
				}
				if strings.HasPrefix(rest, ".") {
					if ptype != unJulian && ptype != unTime && ptype != unSecond {
						return tm, dtErrBadFormat
					}
				} else if rest != "" {
					return tm, dtErrBadFormat
				}
				switch ptype {
				case unYear:
					tm.year, tmask = val, dtkM(tkYear)
				case unMonth:
					if fmask&dtkM(tkMonth) != 0 && fmask&dtkM(tkHour) != 0 {
						tm.min, tmask = val, dtkM(tkMinute)
					} else {
						tm.mon, tmask = val, dtkM(tkMonth)
					}
				case unDay:
					tm.mday, tmask = val, dtkM(tkDay)
				case unHour:
					tm.hour, tmask = val, dtkM(tkHour)
				case unMinute:
					tm.min, tmask = val, dtkM(tkMinute)
				case unSecond:
					tm.sec, tmask = val, dtkM(tkSecond)
					if strings.HasPrefix(rest, ".") {
						fs, e := parseFractionalSecond(rest)
						if e != 0 {
							return tm, e
						}
						tm.fsec = fs
						tmask = dtkM(tkSecond) | dtkM(tkMillisecond) | dtkM(tkMicrosecond)
					}
				case unJulian:
					if val < 0 {
						return tm, dtErrFieldOverflow
					}
					tmask = dateMask
					tm.year, tm.mon, tm.mday = PGJ2Date(val)
					isJulian = true
					if strings.HasPrefix(rest, ".") {
						frac, err := strconv.ParseFloat(rest, 64)
						if err != nil {
							return tm, dtErrBadFormat
						}
						us := int64(math.RoundToEven(frac * 86400e6))
						tm.hour = int(us / 3600e6)
						tm.min = int(us / 60e6 % 60)
						tm.sec = int(us / 1e6 % 60)
						tm.fsec = us % 1e6
						tmask |= timeMask
					}
				case unTime:
					m, e := decodeNumberField(f.s, fmask|dateMask, &tm, &is2digits)
					if e != 0 {
						return tm, e
					}
					tmask = m
					if tmask != timeMask {
						return tm, dtErrBadFormat
					}
				default:
					return tm, dtErrBadFormat
				}
				ptype = 0
				tm.dtype = dtDate
				break
			}
			flen := len(f.s)
			dot := strings.IndexByte(f.s, '.')
			var m, e int
			switch {
			case dot >= 0 && fmask&dateMask == 0:
				m, e = decodeDate(f.s, fmask, &tm, &is2digits)
			case dot >= 0 && flen-(flen-dot) > 2:
				m, e = decodeNumberField(f.s, fmask, &tm, &is2digits)
			case flen >= 6 && (fmask&dateMask == 0 || fmask&timeMask == 0):
				m, e = decodeNumberField(f.s, fmask, &tm, &is2digits)
			default:
				m, e = decodeNumber(f.s, haveTextMonth, fmask, &tm, &is2digits)
			}
			if e != 0 {
				return tm, e
			}
			tmask = m
		case ftString, ftSpecial:
			tok, ok := datetktbl[f.s]
			if z, isZone := tzAbbrevs[f.s]; isZone {
				tok, ok = dtToken{tkTZ, 0}, true
				tm.tzOff, tm.tzLoc = z.off, nil
				if z.dst {
					tok.typ = tkDTZ
				}
			}
			if !ok {
				tok = dtToken{tkUnknown, 0}
			}
			if tok.typ == tkIgnore {
				continue
			}
			tmask = dtkM(tok.typ)
			switch tok.typ {
			case tkReserv:
				switch tok.val {
				case dtNow, dtToday, dtTomorrow, dtYesterday:
					tmask = dateMask
					if tok.val == dtNow {
						tmask |= timeMask | dtkM(tkTZ)
					}
					tm.dtype = tok.val
				case -1: // allballs: a time input's
					return tm, dtErrBadFormat
				default:
					tm.dtype = tok.val
				}
			case tkMonth:
				if fmask&dtkM(tkMonth) != 0 && !haveTextMonth && fmask&dtkM(tkDay) == 0 && tm.mon >= 1 && tm.mon <= 31 {
					tm.mday = tm.mon
					tmask = dtkM(tkDay)
				}
				haveTextMonth = true
				tm.mon = tok.val
			case tkDTZ, tkTZ:
				// a daylight-saving abbreviation's offset includes its DST;
				// its own bit makes it a field a date cannot follow
				tm.hasTZ = true
				tmask |= dtkM(tkTZ)
			case tkAMPM:
				mer = tok.val
			case tkADBC:
				bc = tok.val == 1
			case tkDOW:
			case tkUnits:
				tmask, ptype = 0, tok.val
			case tkISOTime:
				tmask = 0
				if fmask&dateMask != dateMask {
					return tm, dtErrBadFormat
				}
				if i >= len(fields)-1 || fields[i+1].typ != ftNumber && fields[i+1].typ != ftTime && fields[i+1].typ != ftDate {
					return tm, dtErrBadFormat
				}
				ptype = tok.val
			case tkUnknown:
				loc := zoneByName(f.orig)
				if loc == nil {
					return tm, dtErrBadFormat
				}
				tm.hasTZ, tm.tzLoc = true, loc
				tmask = dtkM(tkTZ)
			default:
				return tm, dtErrBadFormat
			}
		}
		if tmask&fmask != 0 {
			return tm, dtErrBadFormat
		}
		fmask |= tmask
	}
	if tm.dtype == dtDate {
		if e := validateDate(fmask, isJulian, is2digits, bc, &tm); e != 0 {
			return tm, e
		}
	}
	if mer != merHR24 && tm.hour > 12 {
		return tm, dtErrFieldOverflow
	}
	if tm.dtype != dtDate {
		return tm, 0 // epoch, infinity, now…: the other fields are not used
	}
	if mer == merAM && tm.hour == 12 {
		tm.hour = 0
	} else if mer == merPM && tm.hour != 12 {
		tm.hour += 12
	}
	if tm.dtype == dtDate && fmask&dateMask != dateMask {
		return tm, dtErrBadFormat
	}
	return tm, 0
}

// validateDate is PostgreSQL's ValidateDate.
func validateDate(fmask int, isJulian, is2digits, bc bool, tm *pgTM) int {
	if fmask&dtkM(tkYear) != 0 {
		switch {
		case isJulian:
		case bc:
			if tm.year <= 0 {
				return dtErrFieldOverflow
			}
			tm.year = -(tm.year - 1)
		case is2digits:
			if tm.year < 0 {
				return dtErrFieldOverflow
			}
			if tm.year < 70 {
				tm.year += 2000
			} else if tm.year < 100 {
				tm.year += 1900
			}
		default:
			if tm.year <= 0 {
				return dtErrFieldOverflow
			}
		}
	}
	if fmask&dtkM(tkDOY) != 0 {
		tm.year, tm.mon, tm.mday = PGJ2Date(PGDate2J(tm.year, 1, 1) + tm.yday - 1)
	}
	if fmask&dtkM(tkMonth) != 0 && (tm.mon < 1 || tm.mon > 12) {
		return dtErrMDFieldOverflow
	}
	if fmask&dtkM(tkDay) != 0 && (tm.mday < 1 || tm.mday > 31) {
		return dtErrMDFieldOverflow
	}
	if fmask&dateMask == dateMask && tm.mday > DaysInMonth(tm.year, tm.mon) {
		return dtErrFieldOverflow
	}
	return 0
}

// DaysInMonth is the number of days of month m (1-12) of year y.
func DaysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// PGDate2J and PGJ2Date are PostgreSQL's date2j and j2date (Julian
// days; year 0 is 1 BC), which its calendar arithmetic is made of.
func PGDate2J(y, m, d int) int {
	if m > 2 {
		m++
		y += 4800
	} else {
		m += 13
		y += 4799
	}
	century := y / 100
	julian := y*365 - 32167
	julian += y/4 - century + century/4
	julian += 7834*m/256 + d
	return julian
}

func PGJ2Date(jd int) (int, int, int) {
	julian := uint32(jd) + 32044
	quad := julian / 146097
	extra := (julian-quad*146097)*4 + 3
	julian += 60 + quad*3 + extra/146097
	quad = julian / 1461
	julian -= quad * 1461
	y := int(julian * 4 / 1461)
	if y != 0 {
		julian = (julian+305)%365 + 123
	} else {
		julian = (julian+306)%366 + 123
	}
	y += int(quad * 4)
	year := y - 4800
	quad = julian * 2141 / 65536
	day := int(julian - 7834*quad/256)
	month := int((quad+10)%12 + 1)
	return year, month, day
}

// dateTimeError is PostgreSQL's DateTimeParseError.
func dateTimeError(code int, s, typ, zone string) error {
	switch code {
	case dtErrFieldOverflow, dtErrMDFieldOverflow:
		return sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	case dtErrTZDispOverflow:
		return sqlerr.New("22009", "time zone displacement out of range: \"%s\"", s)
	case dtErrBadTimezone:
		return sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", zone)
	}
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", typ, s)
}

// epochJulian is 1970-01-01's Julian day.
const epochJulian = 2440588

// isoFast reads the common spelling YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]]
// [(+|-)HH[:MM]] without the general parser; ok is false for anything
// else (which the general parser then reads), and for values it would
// refuse.
func isoFast(s string) (days, us int64, hasTZ bool, off int, ok bool) {
	d2 := func(i int) (int, bool) {
		if i+2 > len(s) || s[i] < '0' || s[i] > '9' || s[i+1] < '0' || s[i+1] > '9' {
			return 0, false
		}
		return int(s[i]-'0')*10 + int(s[i+1]-'0'), true
	}
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return 0, 0, false, 0, false
	}
	hi, ok1 := d2(0)
	lo, ok2 := d2(2)
	m, ok3 := d2(5)
	d, ok4 := d2(8)
	y := hi*100 + lo
	if !ok1 || !ok2 || !ok3 || !ok4 || y < 1 || m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m) {
		return 0, 0, false, 0, false
	}
	days = int64(PGDate2J(y, m, d) - epochJulian)
	i := 10
	if i == len(s) {
		return days, 0, false, 0, true
	}
	if s[i] != ' ' && s[i] != 'T' || i+6 > len(s) || s[i+3] != ':' {
		return 0, 0, false, 0, false
	}
	h, okh := d2(i + 1)
	mi, okm := d2(i + 4)
	if !okh || !okm || h > 23 || mi > 59 {
		return 0, 0, false, 0, false
	}
	us = int64(h)*usPerHour + int64(mi)*usPerMin
	i += 6
	if i < len(s) && s[i] == ':' {
		sec, oks := d2(i + 1)
		if !oks || sec > 59 {
			return 0, 0, false, 0, false
		}
		us += int64(sec) * usPerSec
		i += 3
		if i < len(s) && s[i] == '.' {
			i++
			frac, n := int64(0), 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if n == 6 {
					return 0, 0, false, 0, false // rounding: the general parser's
				}
				frac = frac*10 + int64(s[i]-'0')
				n++
				i++
			}
			if n == 0 {
				return 0, 0, false, 0, false
			}
			for ; n < 6; n++ {
				frac *= 10
			}
			us += frac
		}
	}
	if i == len(s) {
		return days, us, false, 0, true
	}
	if s[i] != '+' && s[i] != '-' {
		return 0, 0, false, 0, false
	}
	zh, okz := d2(i + 1)
	if !okz || zh > 15 {
		return 0, 0, false, 0, false
	}
	zm := 0
	switch j := i + 3; {
	case j == len(s):
	case j+3 == len(s) && s[j] == ':':
		v, okv := d2(j + 1)
		if !okv || v > 59 {
			return 0, 0, false, 0, false
		}
		zm = v
	default:
		return 0, 0, false, 0, false
	}
	off = zh*3600 + zm*60
	if s[i] == '-' {
		off = -off
	}
	return days, us, true, off, true
}

// parsePGDate is date_in.
func parsePGDate(s string) (DateVal, error) {
	if days, _, _, _, ok := isoFast(s); ok {
		return DateVal(days), nil
	}
	fields, e := parseDateTimeFields(s)
	var tm pgTM
	if e == 0 {
		tm, e = decodeDateTime(fields)
	}
	if e != 0 {
		return 0, dateTimeError(e, s, "date", tm.badZone)
	}
	now := time.Now().UTC()
	switch tm.dtype {
	case dtDate:
	case dtEpoch:
		return 0, nil
	case dtLate, dtEarly:
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "infinite dates are not supported")
	case dtNow, dtToday:
		return TimeToDate(now), nil
	case dtTomorrow:
		return TimeToDate(now) + 1, nil
	case dtYesterday:
		return TimeToDate(now) - 1, nil
	default:
		return 0, dateTimeError(dtErrBadFormat, s, "date", "")
	}
	// PostgreSQL's range: 4714-11-24 BC to 5874897-12-31
	if tm.year < -4713 || tm.year == -4713 && tm.mon < 11 || tm.year == -4713 && tm.mon == 11 && tm.mday < 24 || tm.year > 5874897 {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return DateVal(PGDate2J(tm.year, tm.mon, tm.mday) - epochJulian), nil
}

// parsePGTimestamp is timestamp_in and timestamptz_in: UTC microseconds
// for timestamptz (a zone the text names, else loc), the wall time for
// timestamp (a zone in the text ignored, as PostgreSQL ignores it).
func parsePGTimestamp(s string, withTZ bool, loc *time.Location) (TimestampVal, error) {
	if days, us, hasTZ, off, ok := isoFast(s); ok {
		us += days * usPerDay
		switch {
		case !withTZ:
		case hasTZ:
			us -= int64(off) * usPerSec
		case loc != nil && loc != time.UTC:
			us -= int64(zoneOffsetAt(us, loc)) * usPerSec
		}
		return TimestampVal(us), nil
	}
	typ := "timestamp without time zone"
	if withTZ {
		typ = "timestamp with time zone"
	}
	fields, e := parseDateTimeFields(s)
	var tm pgTM
	if e == 0 {
		tm, e = decodeDateTime(fields)
	}
	if e != 0 {
		return 0, dateTimeError(e, s, typ, tm.badZone)
	}
	if loc == nil {
		loc = time.UTC
	}
	switch tm.dtype {
	case dtDate:
	case dtEpoch:
		return 0, nil
	case dtLate, dtEarly:
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "infinite timestamps are not supported")
	case dtNow:
		return TimeToTimestamp(time.Now()), nil
	case dtToday, dtTomorrow, dtYesterday:
		now := time.Now().In(loc)
		d := map[int]int{dtToday: 0, dtTomorrow: 1, dtYesterday: -1}[tm.dtype]
		mid := time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, loc)
		if !withTZ {
			mid = time.Date(now.Year(), now.Month(), now.Day()+d, 0, 0, 0, 0, time.UTC)
		}
		return TimeToTimestamp(mid), nil
	default:
		return 0, dateTimeError(dtErrBadFormat, s, typ, "")
	}
	days := int64(PGDate2J(tm.year, tm.mon, tm.mday) - epochJulian)
	// PostgreSQL's range starts at 4714-11-24 00:00 BC; it ends at
	// 294276-12-31, past what microseconds from 1970 in 64 bits reach
	// (294247-01-10), which is lakeq's end
	lo := int64(PGDate2J(-4713, 11, 24)-epochJulian) * usPerDay
	hi := int64(math.MaxInt64)
	if days >= math.MaxInt64/usPerDay-1 || days < lo/usPerDay-1 {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	us := days*usPerDay + int64(tm.hour)*usPerHour + int64(tm.min)*usPerMin + int64(tm.sec)*usPerSec + tm.fsec
	if !withTZ {
		if us < lo {
			return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
		}
		return TimestampVal(us), nil
	}
	switch {
	case tm.hasTZ && tm.tzLoc == nil:
		us -= int64(tm.tzOff) * usPerSec
	default:
		zl := loc
		if tm.tzLoc != nil {
			zl = tm.tzLoc
		}
		if zl != time.UTC {
			us -= int64(zoneOffsetAt(us, zl)) * usPerSec
		}
	}
	if us < lo || us >= hi {
		return 0, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return TimestampVal(us), nil
}

// zoneOffsetAt is the offset (seconds east) loc has at the wall time
// wall (microseconds as if UTC), as PostgreSQL's
// DetermineTimeZoneOffset: a time a change skips (spring forward) reads
// with the offset before the change, a time it repeats (fall back) with
// the offset after it. (Go's time.Date takes the earlier of two.)
func zoneOffsetAt(wall int64, loc *time.Location) int {
	sec := floorDiv(wall, usPerSec)
	at := func(unix int64) int {
		_, off := time.Unix(unix, 0).In(loc).Zone()
		return off
	}
	// the offsets a day either side: a change between them is the only
	// one near the wall time
	before, after := at(sec-86400), at(sec+86400)
	fits := func(off int) bool { return at(sec-int64(off)) == off }
	switch {
	case before == after:
		if fits(before) {
			return before
		}
		return at(sec - int64(before)) // a zone with two changes in a day
	case fits(before) && fits(after):
		return after // repeated: the later reading
	case fits(before):
		return before
	case fits(after):
		return after
	}
	return before // skipped
}

// parsePGTime is time_in (PostgreSQL's DecodeTimeOnly): a time of day,
// perhaps run together (1011, 101112.5), with AM/PM; a date or a zone
// written with it is read and not used.
func parsePGTime(s string) (TimeVal, error) {
	bad := func(code int) (TimeVal, error) {
		return 0, dateTimeError(code, s, "time without time zone", "")
	}
	fields, e := parseDateTimeFields(s)
	if e != 0 {
		return bad(e)
	}
	var tm pgTM
	fmask := 0
	mer := merHR24
	is2digits := false
	for i, f := range fields {
		var tmask int
		switch f.typ {
		case ftDate:
			if f.s[0] >= '0' && f.s[0] <= '9' || fmask&dateMask != 0 {
				m, e := decodeDate(f.s, fmask, &tm, &is2digits)
				if e != 0 {
					return bad(e)
				}
				tmask = m
			} else if zoneByName(f.orig) == nil {
				return 0, sqlerr.New(sqlerr.InvalidParameterValue, "time zone \"%s\" not recognized", f.s)
			} else {
				tmask = dtkM(tkTZ)
			}
		case ftTime:
			m, e := decodeTime(f.s, &tm)
			if e != 0 {
				return bad(e)
			}
			tmask = m
		case ftTZ:
			if _, e := decodeTimezone(f.s); e != 0 {
				return bad(e)
			}
			tmask = dtkM(tkTZ)
		case ftNumber:
			flen := len(f.s)
			dot := strings.IndexByte(f.s, '.')
			var m, e int
			switch {
			case dot >= 0 && i == 0 && len(fields) >= 2 && fields[len(fields)-1].typ == ftDate:
				m, e = decodeDate(f.s, fmask, &tm, &is2digits)
			case dot >= 0 && dot > 2:
				m, e = decodeNumberField(f.s, fmask|dateMask, &tm, &is2digits)
			case dot >= 0:
				e = dtErrBadFormat
			case flen > 4:
				m, e = decodeNumberField(f.s, fmask|dateMask, &tm, &is2digits)
			default:
				m, e = decodeNumber(f.s, false, fmask|dateMask, &tm, &is2digits)
			}
			if e != 0 {
				return bad(e)
			}
			tmask = m
		case ftString, ftSpecial:
			tok, ok := datetktbl[f.s]
			if _, isZone := tzAbbrevs[f.s]; isZone {
				tok, ok = dtToken{tkTZ, 0}, true
			}
			if !ok {
				if zoneByName(f.orig) == nil {
					return bad(dtErrBadFormat)
				}
				tok = dtToken{tkTZ, 0}
			}
			if tok.typ == tkIgnore {
				continue
			}
			tmask = dtkM(tok.typ)
			switch tok.typ {
			case tkReserv:
				switch tok.val {
				case -1: // allballs
					tm.hour, tm.min, tm.sec, tm.fsec = 0, 0, 0, 0
					tmask = timeMask | dtkM(tkTZ)
				case dtNow:
					n := time.Now().UTC()
					tm.hour, tm.min, tm.sec, tm.fsec = n.Hour(), n.Minute(), n.Second(), int64(n.Nanosecond()/1000)
					tmask = timeMask | dtkM(tkTZ)
				default:
					return bad(dtErrBadFormat)
				}
			case tkTZ, tkDTZ:
				tmask = dtkM(tkTZ)
			case tkAMPM:
				mer = tok.val
			case tkISOTime: // "T10:11": the time follows
				tmask = 0
				if i >= len(fields)-1 || fields[i+1].typ != ftNumber && fields[i+1].typ != ftTime && fields[i+1].typ != ftDate {
					return bad(dtErrBadFormat)
				}
			case tkADBC, tkDOW, tkMonth:
			default:
				return bad(dtErrBadFormat)
			}
		}
		if tmask&fmask != 0 {
			return bad(dtErrBadFormat)
		}
		fmask |= tmask
	}
	if mer != merHR24 && tm.hour > 12 {
		return bad(dtErrFieldOverflow)
	}
	if mer == merAM && tm.hour == 12 {
		tm.hour = 0
	} else if mer == merPM && tm.hour != 12 {
		tm.hour += 12
	}
	if tm.hour < 0 || tm.min < 0 || tm.min > 59 || tm.sec < 0 || tm.sec > 60 || tm.hour > 24 ||
		tm.hour == 24 && (tm.min > 0 || tm.sec > 0 || tm.fsec > 0) || tm.fsec < 0 || tm.fsec > 1_000_000 {
		return bad(dtErrFieldOverflow)
	}
	if fmask&timeMask == 0 {
		return bad(dtErrBadFormat)
	}
	return TimeVal(((int64(tm.hour)*60+int64(tm.min))*60+int64(tm.sec))*usPerSec + tm.fsec), nil
}

// interval units (deltatktbl's values)
const (
	ivMicro = iota + 1
	ivMilli
	ivSecond
	ivMinute
	ivHour
	ivDay
	ivWeek
	ivMonth
	ivYear
	ivDecade
	ivCentury
	ivMillennium
	ivOther // units PostgreSQL knows but an interval does not take
	ivAgo
)

// deltatktbl is PostgreSQL's table of interval units, looked up by the
// first ten characters of a word, as PostgreSQL does.
var deltatktbl = map[string]int{
	"ago": ivAgo, "c": ivCentury, "cent": ivCentury, "centuries": ivCentury, "century": ivCentury,
	"d": ivDay, "day": ivDay, "days": ivDay, "dec": ivDecade, "decade": ivDecade, "decades": ivDecade, "decs": ivDecade,
	"h": ivHour, "hour": ivHour, "hours": ivHour, "hr": ivHour, "hrs": ivHour,
	"m": ivMinute, "microsecon": ivMicro, "mil": ivMillennium, "millennia": ivMillennium, "millennium": ivMillennium,
	"millisecon": ivMilli, "mils": ivMillennium, "min": ivMinute, "mins": ivMinute, "minute": ivMinute, "minutes": ivMinute,
	"mon": ivMonth, "mons": ivMonth, "month": ivMonth, "months": ivMonth,
	"ms": ivMilli, "msec": ivMilli, "msecond": ivMilli, "mseconds": ivMilli, "msecs": ivMilli,
	"qtr": ivOther, "quarter": ivOther, "s": ivSecond, "sec": ivSecond, "second": ivSecond, "seconds": ivSecond, "secs": ivSecond,
	"timezone": ivOther, "timezone_h": ivOther, "timezone_m": ivOther,
	"us": ivMicro, "usec": ivMicro, "usecond": ivMicro, "useconds": ivMicro, "usecs": ivMicro,
	"w": ivWeek, "week": ivWeek, "weeks": ivWeek, "y": ivYear, "year": ivYear, "years": ivYear, "yr": ivYear, "yrs": ivYear,
}

// itmIn is PostgreSQL's struct pg_itm_in: an interval as read.
type itmIn struct {
	usec          int64
	mday, mon, yr int64
}

func (it *itmIn) addMicros(val int64, fval float64, scale int64) bool {
	hi, lo := bitsMul(val, scale)
	if hi {
		return false
	}
	if !addOK(&it.usec, lo) {
		return false
	}
	return it.addFracMicros(fval, scale)
}

func (it *itmIn) addFracMicros(frac float64, scale int64) bool {
	if frac == 0 {
		return true
	}
	frac *= float64(scale)
	if math.Abs(frac) > 9e18 {
		return false
	}
	usec := int64(frac)
	frac -= float64(usec)
	usec += int64(math.RoundToEven(frac))
	return addOK(&it.usec, usec)
}

func (it *itmIn) addFracDays(frac float64, scale int) bool {
	if frac == 0 {
		return true
	}
	frac *= float64(scale)
	extra := int64(frac)
	it.mday += extra
	frac -= float64(extra)
	return it.addFracMicros(frac, usPerDay)
}

// bitsMul multiplies with an overflow flag.
func bitsMul(a, b int64) (bool, int64) {
	if a == 0 || b == 0 {
		return false, 0
	}
	c := a * b
	return c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64), c
}

func addOK(dst *int64, v int64) bool {
	s := *dst + v
	if (v > 0 && s < *dst) || (v < 0 && s > *dst) {
		return false
	}
	*dst = s
	return true
}

func fitsInt32(v int64) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }

// decodeInterval is PostgreSQL's DecodeInterval (IntervalStyle postgres):
// fields read right to left, so that a unit comes before its number.
func decodeInterval(fields []dtField) (itmIn, int) {
	var it itmIn
	fmask := 0
	typ := 0 // the unit the next number takes (0: seconds)
	isBefore, parsingUnit := false, false
	timeField := func(s string) (int, bool) {
		var tm pgTM
		m, e := decodeTime(s, &tm)
		if e != 0 {
			return e, false
		}
		// PostgreSQL's DecodeTimeForInterval sets the time, replacing a
		// day fraction read before it ('1:30 1.5 days' is 1 day 01:30)
		it.usec = (int64(tm.hour)*3600+int64(tm.min)*60+int64(tm.sec))*usPerSec + tm.fsec
		return m, true
	}
	for i := len(fields) - 1; i >= 0; i-- {
		f := fields[i]
		var tmask int
		switch f.typ {
		case ftTime:
			m, ok := timeField(f.s)
			if !ok {
				return it, m
			}
			tmask = m
			typ, parsingUnit = ivDay, false
		case ftTZ, ftDate, ftNumber:
			if f.typ == ftTZ && strings.Contains(f.s[1:], ":") {
				before := it.usec
				if m, ok := timeField(f.s[1:]); ok {
					if f.s[0] == '-' {
						it.usec = -it.usec
					}
					tmask = m
					typ, parsingUnit = ivDay, false
					break
				}
				it.usec = before
			}
			if typ == 0 {
				typ = ivSecond // the rightmost number without a unit
			}
			unit := typ
			val, rest, over := strtoint64(f.s)
			if over {
				return it, dtErrFieldOverflow
			}
			var fval float64
			switch {
			case strings.HasPrefix(rest, "-"):
				// SQL's "years-months"
				v2, r2, over2 := strtoint(rest[1:])
				if over2 || v2 < 0 || v2 >= 12 || strings.HasPrefix(rest[1:], "-") || strings.HasPrefix(rest[1:], "+") {
					return it, dtErrFieldOverflow
				}
				if r2 != "" {
					return it, dtErrBadFormat
				}
				unit = ivMonth
				if f.s[0] == '-' {
					v2 = -v2
				}
				hi, v := bitsMul(val, 12)
				if hi || !addOK(&v, int64(v2)) {
					return it, dtErrFieldOverflow
				}
				val = v
			case strings.HasPrefix(rest, "."):
				if rest != "." {
					fr, err := strconv.ParseFloat(rest, 64)
					if err != nil {
						return it, dtErrBadFormat
					}
					fval = fr
				}
				if f.s[0] == '-' {
					fval = -fval
				}
			case rest == "":
			default:
				return it, dtErrBadFormat
			}
			ok := true
			switch unit {
			case ivMicro:
				ok, tmask = it.addMicros(val, fval, 1), dtkM(tkMicrosecond)
			case ivMilli:
				ok, tmask = it.addMicros(val, fval, 1000), dtkM(tkMillisecond)
			case ivSecond:
				ok = it.addMicros(val, fval, usPerSec)
				tmask = dtkM(tkSecond)
				if fval != 0 {
					tmask = dtkM(tkSecond) | dtkM(tkMillisecond) | dtkM(tkMicrosecond)
				}
			case ivMinute:
				ok, tmask = it.addMicros(val, fval, usPerMin), dtkM(tkMinute)
			case ivHour:
				ok, tmask = it.addMicros(val, fval, usPerHour), dtkM(tkHour)
				unit = ivDay
			case ivDay:
				ok = fitsInt32(val) && it.addFracMicros(fval, usPerDay)
				it.mday += val
				tmask = dtkM(tkDay)
			case ivWeek:
				ok = fitsInt32(val) && fitsInt32(val*7) && it.addFracDays(fval, 7)
				it.mday += val * 7
				tmask = dtkM(tkWeek)
			case ivMonth:
				ok = fitsInt32(val) && it.addFracDays(fval, 30)
				it.mon += val
				tmask = dtkM(tkMonth)
			case ivYear, ivDecade, ivCentury, ivMillennium:
				scale := map[int]int64{ivYear: 1, ivDecade: 10, ivCentury: 100, ivMillennium: 1000}[unit]
				ok = fitsInt32(val) && fitsInt32(val*scale)
				it.yr += val * scale
				it.mon += int64(math.RoundToEven(fval * float64(scale) * 12))
				tmask = map[int]int{ivYear: dtkM(tkYear), ivDecade: dtkM(tkDecade), ivCentury: dtkM(tkCentury), ivMillennium: dtkM(tkMillennium)}[unit]
			default:
				return it, dtErrBadFormat
			}
			if !ok || !fitsInt32(it.mday) || !fitsInt32(it.mon) || !fitsInt32(it.yr) {
				return it, dtErrFieldOverflow
			}
			typ = unit // a month after years-months; a day after hours
			parsingUnit = false
		case ftString, ftSpecial:
			if parsingUnit {
				return it, dtErrBadFormat
			}
			key := f.s
			if len(key) > 10 {
				key = key[:10]
			}
			u, ok := deltatktbl[key]
			if !ok {
				return it, dtErrBadFormat
			}
			if u == ivAgo {
				isBefore = true
				break
			}
			typ, parsingUnit = u, true
		default:
			return it, dtErrBadFormat
		}
		if tmask&fmask != 0 {
			return it, dtErrBadFormat
		}
		fmask |= tmask
	}
	if fmask == 0 || parsingUnit {
		return it, dtErrBadFormat
	}
	if isBefore {
		it.usec, it.mday, it.mon, it.yr = -it.usec, -it.mday, -it.mon, -it.yr
	}
	return it, 0
}

// strtoint64 is strtoint for 64 bits.
func strtoint64(s string) (int64, string, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	over := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := int64(s[i] - '0')
		if v > (math.MaxInt64-d)/10 {
			over = true
		}
		v = v*10 + d
		i++
	}
	if i == start {
		return 0, s, false
	}
	if neg {
		v = -v
	}
	return v, s[i:], over
}

// parsePGInterval is interval_in: PostgreSQL's words and units, and
// ISO 8601 (P…) when those do not read.
func parsePGInterval(s string, iso func(string) (IntervalVal, error)) (IntervalVal, error) {
	fields, e := parseDateTimeFields(s)
	var it itmIn
	if e == 0 {
		it, e = decodeInterval(fields)
	}
	if e == dtErrBadFormat && strings.HasPrefix(s, "P") || e == dtErrBadFormat && strings.HasPrefix(s, "p") {
		return iso(s)
	}
	if e != 0 {
		if e == dtErrFieldOverflow {
			return IntervalVal{}, sqlerr.New("22015", "interval field value out of range: \"%s\"", s)
		}
		return IntervalVal{}, dateTimeError(e, s, "interval", "")
	}
	months := it.yr*12 + it.mon
	if !fitsInt32(months) {
		return IntervalVal{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "interval out of range")
	}
	return IntervalVal{Months: int32(months), Days: int32(it.mday), Micros: it.usec}, nil
}
