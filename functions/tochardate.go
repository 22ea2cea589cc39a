package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// to_char over dates, timestamps and intervals, as PostgreSQL's
// formatting.c does it: a template is parsed once into nodes (keywords
// with their FM/TM prefix and TH/th/SP suffix, and literal characters),
// and a value is first broken into PostgreSQL's struct pg_tm fields, so
// an interval's fields (36 hours is hour 36, day 0, month 0) go through
// the same arithmetic PostgreSQL's do — its Julian day of "month 0, day
// 0" included. The golden test holds 12,000 of PostgreSQL 15's answers.

// dtKey is a template keyword.
type dtKey uint8

const (
	dkAD dtKey = iota // AD, BC and their dotted and lower forms
	dkAM              // AM, PM and their dotted and lower forms
	dkCC
	dkDAY // DAY, Day, day
	dkDY  // DY, Dy, dy
	dkDDD
	dkIDDD
	dkDD
	dkD
	dkID
	dkFF // FF1 … FF6, MS (FF3) and US (FF6): digits in n
	dkFX
	dkHH24
	dkHH12 // HH and HH12
	dkIW
	dkJ
	dkMI
	dkMM
	dkMONTH // MONTH, Month, month
	dkMON   // MON, Mon, mon
	dkOF
	dkQ
	dkRM
	dkSSSS // SSSS and SSSSS
	dkSS
	dkTZH
	dkTZM
	dkTZ
	dkWW
	dkW
	dkYCOMMA // Y,YYY
	dkYear   // YYYY … Y and IYYY … I: digits in n, ISO in iso
)

// letter case of a keyword's text output
const (
	caseUpper = iota
	caseCap
	caseLower
)

// dtKeyword is one entry of the keyword table: its spelling, what it
// prints, and for the dotted and two-letter forms of AD/AM the exact
// strings.
type dtKeyword struct {
	name string
	key  dtKey
	n    int  // FF's and a year's digit count
	iso  bool // IYYY … I
	cas  int  // caseUpper, caseCap, caseLower
	dots bool // A.D., A.M. …
}

// dtKeywords is PostgreSQL's DCH_keywords: case-sensitive, matched
// longest first among those that share a first letter (the order of
// PostgreSQL's table, which lists "DDD" before "DD" before "D").
var dtKeywords = func() []dtKeyword {
	k := []dtKeyword{
		{name: "A.D.", key: dkAD, dots: true}, {name: "A.M.", key: dkAM, dots: true}, {name: "AD", key: dkAD}, {name: "AM", key: dkAM},
		{name: "B.C.", key: dkAD, dots: true}, {name: "BC", key: dkAD}, {name: "CC", key: dkCC},
		{name: "DAY", key: dkDAY}, {name: "DDD", key: dkDDD}, {name: "DD", key: dkDD}, {name: "DY", key: dkDY},
		{name: "Day", key: dkDAY, cas: caseCap}, {name: "Dy", key: dkDY, cas: caseCap}, {name: "D", key: dkD},
		{name: "FF1", key: dkFF, n: 1}, {name: "FF2", key: dkFF, n: 2}, {name: "FF3", key: dkFF, n: 3}, {name: "FF4", key: dkFF, n: 4},
		{name: "FF5", key: dkFF, n: 5}, {name: "FF6", key: dkFF, n: 6}, {name: "FX", key: dkFX},
		{name: "HH24", key: dkHH24}, {name: "HH12", key: dkHH12}, {name: "HH", key: dkHH12},
		{name: "IDDD", key: dkIDDD}, {name: "ID", key: dkID}, {name: "IW", key: dkIW},
		{name: "IYYY", key: dkYear, n: 4, iso: true}, {name: "IYY", key: dkYear, n: 3, iso: true}, {name: "IY", key: dkYear, n: 2, iso: true}, {name: "I", key: dkYear, n: 1, iso: true},
		{name: "J", key: dkJ}, {name: "MI", key: dkMI}, {name: "MM", key: dkMM}, {name: "MONTH", key: dkMONTH}, {name: "MON", key: dkMON},
		{name: "MS", key: dkFF, n: 3}, {name: "Month", key: dkMONTH, cas: caseCap}, {name: "Mon", key: dkMON, cas: caseCap},
		{name: "OF", key: dkOF}, {name: "P.M.", key: dkAM, dots: true}, {name: "PM", key: dkAM}, {name: "Q", key: dkQ}, {name: "RM", key: dkRM},
		{name: "SSSSS", key: dkSSSS}, {name: "SSSS", key: dkSSSS}, {name: "SS", key: dkSS},
		{name: "TZH", key: dkTZH}, {name: "TZM", key: dkTZM}, {name: "TZ", key: dkTZ}, {name: "US", key: dkFF, n: 6},
		{name: "WW", key: dkWW}, {name: "W", key: dkW}, {name: "Y,YYY", key: dkYCOMMA},
		{name: "YYYY", key: dkYear, n: 4}, {name: "YYY", key: dkYear, n: 3}, {name: "YY", key: dkYear, n: 2}, {name: "Y", key: dkYear, n: 1},
	}
	// the lower-case forms: every keyword but the capitalized ones
	// ("Day", "Month" …), which already have theirs
	var lower []dtKeyword
	for _, kw := range k {
		if kw.cas == caseCap {
			continue
		}
		l := kw
		l.name = strings.ToLower(kw.name)
		l.cas = caseLower
		lower = append(lower, l)
	}
	return append(k, lower...)
}()

// dtKeywordsByFirst indexes dtKeywords by first byte, longest first.
var dtKeywordsByFirst = func() [128][]int {
	var idx [128][]int
	for i, kw := range dtKeywords {
		c := kw.name[0]
		idx[c] = append(idx[c], i)
	}
	for c := range idx {
		l := idx[c]
		for i := 1; i < len(l); i++ { // insertion sort by length, stable
			for j := i; j > 0 && len(dtKeywords[l[j]].name) > len(dtKeywords[l[j-1]].name); j-- {
				l[j], l[j-1] = l[j-1], l[j]
			}
		}
	}
	return idx
}()

// dtNode is one node of a parsed template: a keyword (kw ≥ 0) with its
// prefix and suffix flags, or literal text.
type dtNode struct {
	kw      int // index into dtKeywords, -1 for literal text
	fm, tm  bool
	th      int // 0, or caseUpper/caseLower + 1 for TH/th
	literal string
}

// parseDateTemplate parses a to_char/to_date template as PostgreSQL's
// parse_format does: one FM/fm/TM/tm prefix before a keyword (lost when
// no keyword follows), one TH/th/SP suffix after it, text in double
// quotes literal (a backslash in it quotes the next character), and
// outside quotes a backslash special only before a double quote.
func parseDateTemplate(pat string) []dtNode {
	var out []dtNode
	lit := func(s string) {
		if n := len(out); n > 0 && out[n-1].kw < 0 {
			out[n-1].literal += s
			return
		}
		out = append(out, dtNode{kw: -1, literal: s})
	}
	for i := 0; i < len(pat); {
		var fm, tm bool
		if i+2 <= len(pat) {
			switch pat[i : i+2] {
			case "FM", "fm":
				fm, i = true, i+2
			case "TM", "tm":
				tm, i = true, i+2
			}
		}
		if i >= len(pat) {
			break
		}
		if kw := matchDateKeyword(pat[i:]); kw >= 0 {
			i += len(dtKeywords[kw].name)
			n := dtNode{kw: kw, fm: fm, tm: tm}
			if i+2 <= len(pat) {
				switch pat[i : i+2] {
				case "TH":
					n.th, i = caseUpper+1, i+2
				case "th":
					n.th, i = caseLower+1, i+2
				case "SP": // accepted and, as in PostgreSQL, not implemented
					i += 2
				}
			}
			out = append(out, n)
			continue
		}
		switch c := pat[i]; {
		case c == '"':
			i++
			var sb strings.Builder
			for i < len(pat) {
				if pat[i] == '"' {
					i++
					break
				}
				if pat[i] == '\\' && i+1 < len(pat) {
					i++
				}
				_, size := utf8.DecodeRuneInString(pat[i:])
				sb.WriteString(pat[i : i+size])
				i += size
			}
			lit(sb.String())
		case c == '\\' && i+1 < len(pat) && pat[i+1] == '"':
			lit(`"`)
			i += 2
		default:
			_, size := utf8.DecodeRuneInString(pat[i:])
			lit(pat[i : i+size])
			i += size
		}
	}
	return out
}

func matchDateKeyword(s string) int {
	c := s[0]
	if c >= 128 {
		return -1
	}
	for _, k := range dtKeywordsByFirst[c] {
		if strings.HasPrefix(s, dtKeywords[k].name) {
			return k
		}
	}
	return -1
}

// pgTm is PostgreSQL's struct pg_tm with the fraction of a second: the
// fields of a timestamp (year 0 is 1 BC) or of an interval (each field
// may be negative or beyond its calendar range).
type pgTm struct {
	year, mon, mday, hour, min, sec int
	usec                            int
	wday, yday                      int
	gmtoff                          int    // seconds east of UTC
	zone                            string // "" for a timestamp without time zone
	interval                        bool
}

func tmOfTime(t time.Time, zoned bool) pgTm {
	tm := pgTm{year: t.Year(), mon: int(t.Month()), mday: t.Day(), hour: t.Hour(), min: t.Minute(), sec: t.Second(),
		usec: t.Nanosecond() / 1000, wday: int(t.Weekday()), yday: t.YearDay()}
	if zoned {
		tm.zone, tm.gmtoff = t.Zone()
	}
	return tm
}

// tmOfInterval is PostgreSQL's interval2tm, with interval_to_char's
// day of year (30-day months).
func tmOfInterval(iv types.IntervalVal) pgTm {
	us := iv.Micros
	tm := pgTm{year: int(iv.Months / 12), mon: int(iv.Months % 12), mday: int(iv.Days), interval: true}
	tm.hour = int(us / 3_600_000_000)
	us -= int64(tm.hour) * 3_600_000_000
	tm.min = int(us / 60_000_000)
	us -= int64(tm.min) * 60_000_000
	tm.sec = int(us / 1_000_000)
	tm.usec = int(us - int64(tm.sec)*1_000_000)
	tm.yday = (tm.year*12+tm.mon)*30 + tm.mday
	return tm
}

// PostgreSQL's calendar arithmetic (datetime.c), which defines what
// "month 0, day 0" of an interval is.
func pgDate2j(y, m, d int) int { return types.PGDate2J(y, m, d) }

func pgJ2day(j int) int {
	j = (j + 1) % 7
	if j < 0 {
		j += 7
	}
	return j
}

// pgIsoWeek and pgIsoYear are PostgreSQL's date2isoweek and
// date2isoyear: the ISO week starts on the Monday of the week holding 4
// January, and the last days of December may be week 1 of the next year.
func pgIsoWeek(y, m, d int) int {
	w, _ := pgIsoWeekYear(y, m, d)
	return w
}

func pgIsoYear(y, m, d int) int {
	_, iy := pgIsoWeekYear(y, m, d)
	return iy
}

func pgIsoWeekYear(y, m, d int) (week, year int) {
	dayn := pgDate2j(y, m, d)
	start := func(y int) int { // the Julian day of the Monday of week 1
		day4 := pgDate2j(y, 1, 4)
		return day4 - pgJ2day(day4-1)
	}
	first := start(y)
	if dayn < first {
		y--
		first = start(y)
	}
	week = (dayn-first)/7 + 1
	if week >= 52 {
		if next := start(y + 1); dayn >= next {
			return (dayn-next)/7 + 1, y + 1
		}
	}
	return week, y
}

func pgIsoYearDay(y, m, d int) int {
	iy := pgIsoYear(y, m, d)
	day4 := pgDate2j(iy, 1, 4)
	day0 := pgJ2day(day4 - 1)
	return pgDate2j(y, m, d) - (day4 - day0) + 1
}

var (
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	// December first, as PostgreSQL's rm_months_upper
	romanMonths = [...]string{"XII", "XI", "X", "IX", "VIII", "VII", "VI", "V", "IV", "III", "II", "I"}
)

// errIntervalFormat is PostgreSQL's error for a keyword that needs a
// calendar date (a day name, a time zone, an era) in an interval's template.
func errIntervalFormat() error {
	return sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid format specification for an interval value").
		WithHint("Intervals are not tied to specific calendar dates.")
}

// formatDate is DCH_to_char: the template's nodes over tm.
func formatDate(nodes []dtNode, tm pgTm) (string, error) {
	var sb strings.Builder
	buf := make([]byte, 0, 16)
	// num appends v zero-padded to width (none under FM), then TH
	num := func(n dtNode, v, width int) {
		if n.fm {
			width = 0
		}
		buf = appendPadded(buf[:0], v, width)
		if n.th > 0 {
			buf = appendOrdinal(buf, n.th-1)
		}
		sb.Write(buf)
	}
	text := func(n dtNode, s string, width int) {
		kw := dtKeywords[n.kw]
		switch kw.cas {
		case caseUpper:
			s = strings.ToUpper(s)
		case caseLower:
			s = strings.ToLower(s)
		}
		sb.WriteString(s)
		if !n.fm && !n.tm {
			for i := len(s); i < width; i++ {
				sb.WriteByte(' ')
			}
		}
	}
	// a year as PostgreSQL prints it: 1 BC is 1 (an interval's year is
	// its own), the zero padding decided by the year's sign
	adjust := func(y int) int {
		if !tm.interval && y <= 0 {
			return -(y - 1)
		}
		return y
	}
	for _, n := range nodes {
		if n.kw < 0 {
			sb.WriteString(n.literal)
			continue
		}
		kw := dtKeywords[n.kw]
		switch kw.key {
		case dkAD, dkDAY, dkDY, dkD, dkID, dkMONTH, dkMON, dkOF, dkTZ, dkTZH, dkTZM:
			if tm.interval {
				return "", errIntervalFormat()
			}
		}
		signed := func(v, width int) int { // one more place for a minus
			if v < 0 {
				return width + 1
			}
			return width
		}
		switch kw.key {
		case dkAD:
			sb.WriteString(marker(kw, tm.year <= 0, "AD", "BC"))
		case dkAM:
			sb.WriteString(marker(kw, tm.hour%24 >= 12, "AM", "PM"))
		case dkHH24:
			num(n, tm.hour, signed(tm.hour, 2))
		case dkHH12:
			h := tm.hour % 12
			if h == 0 {
				h = 12
			}
			num(n, h, signed(tm.hour, 2))
		case dkMI:
			num(n, tm.min, signed(tm.min, 2))
		case dkSS:
			num(n, tm.sec, signed(tm.sec, 2))
		case dkFF:
			v := tm.usec
			for i := kw.n; i < 6; i++ {
				v /= 10
			}
			m := n
			m.fm = false // fractions keep their digits under FM
			num(m, v, kw.n)
		case dkSSSS:
			m := n
			m.fm = true
			num(m, tm.hour*3600+tm.min*60+tm.sec, 0)
		case dkTZ:
			z := tm.zone
			if kw.cas == caseLower {
				z = strings.ToLower(z)
			}
			sb.WriteString(z)
		case dkTZH:
			sign := byte('+')
			if tm.gmtoff < 0 {
				sign = '-'
			}
			sb.WriteByte(sign)
			sb.Write(appendPadded(buf[:0], abs(tm.gmtoff)/3600, 2))
		case dkTZM:
			sb.Write(appendPadded(buf[:0], abs(tm.gmtoff)%3600/60, 2))
		case dkOF:
			sign := byte('+')
			if tm.gmtoff < 0 {
				sign = '-'
			}
			sb.WriteByte(sign)
			w := 2
			if n.fm {
				w = 0
			}
			sb.Write(appendPadded(buf[:0], abs(tm.gmtoff)/3600, w))
			if m := abs(tm.gmtoff) % 3600 / 60; m != 0 {
				sb.WriteByte(':')
				sb.Write(appendPadded(buf[:0], m, 2))
			}
		case dkMONTH:
			if tm.mon == 0 {
				break
			}
			text(n, monthNames[tm.mon-1], 9)
		case dkMON:
			if tm.mon == 0 {
				break
			}
			text(n, monthNames[tm.mon-1][:3], 0)
		case dkMM:
			num(n, tm.mon, signed(tm.mon, 2))
		case dkDAY:
			text(n, dayNames[tm.wday], 9)
		case dkDY:
			text(n, dayNames[tm.wday][:3], 0)
		case dkDDD:
			num(n, tm.yday, 3)
		case dkIDDD:
			num(n, pgIsoYearDay(tm.year, tm.mon, tm.mday), 3)
		case dkDD:
			num(n, tm.mday, 2)
		case dkD:
			num(n, tm.wday+1, 0)
		case dkID:
			d := tm.wday
			if d == 0 {
				d = 7
			}
			num(n, d, 0)
		case dkWW:
			num(n, (tm.yday-1)/7+1, 2)
		case dkIW:
			num(n, pgIsoWeek(tm.year, tm.mon, tm.mday), 2)
		case dkQ:
			if tm.mon == 0 {
				break
			}
			num(n, (tm.mon-1)/3+1, 0)
		case dkCC:
			var c int
			switch {
			case tm.interval:
				c = tm.year / 100
			case tm.year > 0:
				c = (tm.year-1)/100 + 1
			default:
				c = tm.year/100 - 1
			}
			w := 0
			if c <= 99 && c >= -99 {
				w = signed(c, 2)
			}
			num(n, c, w)
		case dkYCOMMA:
			y := adjust(tm.year)
			buf = strconv.AppendInt(buf[:0], int64(y/1000), 10)
			buf = append(buf, ',')
			buf = appendPadded(buf, y-y/1000*1000, 3)
			if n.th > 0 {
				buf = appendOrdinal(buf, n.th-1)
			}
			sb.Write(buf)
		case dkYear:
			y := tm.year
			if kw.iso {
				y = pgIsoYear(tm.year, tm.mon, tm.mday)
			}
			y = adjust(y)
			switch kw.n {
			case 3:
				y %= 1000
			case 2:
				y %= 100
			case 1:
				y %= 10
			}
			w := kw.n
			if adjust(tm.year) < 0 {
				w++
			}
			num(n, y, w)
		case dkRM:
			if tm.mon == 0 && tm.year == 0 {
				break
			}
			var i int
			switch {
			case tm.mon == 0: // an interval of whole years
				if tm.year < 0 {
					i = 11
				}
			case tm.mon < 0:
				i = -(tm.mon + 1)
			default:
				i = 12 - tm.mon
			}
			s := romanMonths[i]
			if kw.cas == caseLower {
				s = strings.ToLower(s)
			}
			sb.WriteString(s)
			if !n.fm {
				for j := len(s); j < 4; j++ {
					sb.WriteByte(' ')
				}
			}
		case dkW:
			num(n, (tm.mday-1)/7+1, 0)
		case dkJ:
			num(n, pgDate2j(tm.year, tm.mon, tm.mday), 0)
		case dkFX:
			// a parsing flag: prints nothing
		}
	}
	return sb.String(), nil
}

// marker is an era or meridiem keyword's text: second when alt, dotted
// (A.D., p.m.) and cased as the keyword is written.
func marker(kw dtKeyword, alt bool, first, second string) string {
	s := first
	if alt {
		s = second
	}
	if kw.dots {
		s = s[:1] + "." + s[1:] + "."
	}
	if kw.cas == caseLower {
		s = strings.ToLower(s)
	}
	return s
}

// appendPadded appends v in decimal, zero-padded to width characters
// (a minus sign counted), as C's "%0*d".
func appendPadded(b []byte, v, width int) []byte {
	neg := v < 0
	u := v
	if neg {
		u = -v
		b = append(b, '-')
		width--
	}
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(u), 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// appendOrdinal appends the English ordinal suffix of the number b ends
// with (st, nd, rd, th; every teen th), upper case when cas is caseUpper.
func appendOrdinal(b []byte, cas int) []byte {
	last := b[len(b)-1]
	if len(b) > 1 && b[len(b)-2] == '1' {
		last = '0'
	}
	s := "th"
	switch last {
	case '1':
		s = "st"
	case '2':
		s = "nd"
	case '3':
		s = "rd"
	}
	if cas == caseUpper {
		s = strings.ToUpper(s)
	}
	return append(b, s...)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// toCharDate is to_char over a timestamp, timestamptz or interval, its
// template parsed once per distinct template in a batch (a constant,
// almost always) rather than once per row.
func toCharDate(arg Arg) Overload {
	tmOf := func(ctx *Ctx, v types.Value) pgTm {
		switch arg {
		case aIntv:
			return tmOfInterval(v.(types.IntervalVal))
		case aTSTZ:
			return tmOfTime(types.TimestampToTime(int64(v.(types.TimestampVal))).In(loc(ctx)), true)
		}
		return tmOfTime(types.TimestampToTime(int64(v.(types.TimestampVal))), false)
	}
	o := row([]Arg{arg, aText}, types.TextT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
		if a[1].(string) == "" {
			return nil, nil // PostgreSQL's answer to an empty template
		}
		return formatDate(parseDateTemplate(a[1].(string)), tmOf(ctx, a[0]))
	})
	o.Kernel = func(ctx *Ctx, in []arrow.Array, n int) (arrow.Array, error) {
		var nodes []dtNode
		pat, parsed := "", false
		return RowWise(fixed(types.TextT), true, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			if a[1].(string) == "" {
				return nil, nil
			}
			if p := a[1].(string); !parsed || p != pat {
				nodes, pat, parsed = parseDateTemplate(p), p, true
			}
			return formatDate(nodes, tmOf(ctx, a[0]))
		})(ctx, in, n)
	}
	return o
}

// parseWithFormat is to_date and to_timestamp: s read by the template's
// keywords (each number up to its width, names of months and days in
// any case), a literal character of the template skipping one of s.
// Keywords PostgreSQL reads but lakeq does not (week numbers, ISO days,
// centuries, zone names) are an error naming the keyword, never ignored.
func parseWithFormat(s, pat string, l *time.Location) (time.Time, error) {
	year, month, day, hour, minute, sec, usec := 1, 1, 1, 0, 0, 0, 0
	doy, julian, secOfDay, tzOff := -1, -1, -1, -1
	tzSign := 1
	pm, hasAMPM := false, false
	si := 0
	readNum := func(maxDigits int) (int, error) {
		for si < len(s) && s[si] == ' ' {
			si++
		}
		j := si
		if j < len(s) && (s[j] == '-' || s[j] == '+') {
			j++
		}
		for j < len(s) && j-si < maxDigits && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		v, err := strconv.Atoi(s[si:j])
		if err != nil {
			return 0, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid value \"%s\" for format \"%s\"", s[si:], pat)
		}
		si = j
		return v, nil
	}
	// readName reads one of names (or its first three letters) in any
	// case and returns its index
	readName := func(names []string, kw string) (int, error) {
		for i, name := range names {
			for _, cand := range []string{name, name[:3]} {
				if len(s)-si >= len(cand) && strings.EqualFold(s[si:si+len(cand)], cand) {
					si += len(cand)
					return i, nil
				}
			}
		}
		return 0, sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", s[si:], kw)
	}
	for _, n := range parseDateTemplate(pat) {
		if n.kw < 0 {
			for range n.literal {
				if si < len(s) {
					_, size := utf8.DecodeRuneInString(s[si:])
					si += size
				}
			}
			continue
		}
		kw := dtKeywords[n.kw]
		var err error
		switch kw.key {
		case dkYear:
			var y int
			if y, err = readNum(max(kw.n, 4)); err == nil {
				switch kw.n {
				case 2: // the year nearest 2020
					y += 2000
					if y > 2069 {
						y -= 100
					}
				case 3:
					y += 2000
					if y > 2099 {
						y -= 1000
					}
				case 1:
					y += 2020
				}
				year = y
			}
		case dkYCOMMA:
			var th, rest int
			if th, err = readNum(4); err == nil {
				if si < len(s) && s[si] == ',' {
					si++
				}
				rest, err = readNum(3)
				year = th*1000 + rest
			}
		case dkMM:
			month, err = readNum(2)
		case dkDD:
			day, err = readNum(2)
		case dkDDD:
			doy, err = readNum(3)
		case dkHH24, dkHH12:
			hour, err = readNum(2)
		case dkMI:
			minute, err = readNum(2)
		case dkSS:
			sec, err = readNum(2)
		case dkSSSS:
			secOfDay, err = readNum(5)
		case dkFF:
			start := si
			var f int
			if f, err = readNum(kw.n); err == nil {
				for d := si - start; d < 6; d++ {
					f *= 10
				}
				usec = f
			}
		case dkJ:
			julian, err = readNum(7)
		case dkQ:
			_, err = readNum(1) // read and, as in PostgreSQL, ignored
		case dkMONTH, dkMON:
			var m int
			if m, err = readName(monthNames[:], kw.name); err == nil {
				month = m + 1
			}
		case dkRM:
			m, best := 0, 0 // the longest numeral: VIII, not V
			for j, r := range romanMonths {
				if len(r) > best && len(s)-si >= len(r) && strings.EqualFold(s[si:si+len(r)], r) {
					m, best = 12-j, len(r)
				}
			}
			if m == 0 {
				err = sqlerr.New(sqlerr.InvalidDatetimeFormat, "invalid value \"%s\" for \"%s\"", s[si:], kw.name)
			} else {
				month, si = m, si+best
			}
		case dkDAY, dkDY:
			_, err = readName(dayNames[:], kw.name) // a day name says nothing a date does not
		case dkAM:
			hasAMPM = true
			for _, form := range []string{"a.m.", "p.m.", "am", "pm"} {
				if len(s)-si >= len(form) && strings.EqualFold(s[si:si+len(form)], form) {
					pm = form[0] == 'p' || form[0] == 'P'
					si += len(form)
					break
				}
			}
		case dkTZH:
			for si < len(s) && s[si] == ' ' {
				si++
			}
			if si < len(s) && s[si] == '-' {
				tzSign = -1
			}
			var h int
			if h, err = readNum(3); err == nil {
				tzOff = max(tzOff, 0) + abs(h)*3600
			}
		case dkTZM:
			var m int
			if m, err = readNum(2); err == nil {
				tzOff = max(tzOff, 0) + m*60
			}
		case dkFX:
		default:
			return time.Time{}, sqlerr.New(sqlerr.FeatureNotSupported, "template pattern \"%s\" is not supported in to_date or to_timestamp", kw.name)
		}
		if err != nil {
			return time.Time{}, err
		}
	}
	if hasAMPM {
		if pm && hour < 12 {
			hour += 12
		} else if !pm && hour == 12 {
			hour = 0
		}
	}
	if secOfDay >= 0 {
		hour, minute, sec = secOfDay/3600, secOfDay%3600/60, secOfDay%60
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || doy > 366 || hour > 24 || minute > 59 || sec > 60 {
		return time.Time{}, sqlerr.New(sqlerr.DatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	if doy > 0 {
		month, day = 1, doy
	}
	if julian >= 0 {
		t := time.Unix(int64(julian-2440588)*86400, 0).UTC()
		year, month, day = t.Year(), int(t.Month()), t.Day()
	}
	if tzOff >= 0 {
		l = time.FixedZone("", tzSign*tzOff)
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, usec*1000, l), nil
}
