package engine

import (
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Redshift's DATEFORMAT and TIMEFORMAT patterns: datetime parts (YYYY,
// YY, MM, MON, MONTH, DD, HH24, HH12, HH, MI, SS, AM/PM) and literal
// characters between them. SS also takes a fraction (.ffffff) when the
// input has one.

type datePart struct {
	kind string // a part name, or "" for the literal lit
	lit  byte
}

var dateParts = []string{"YYYY", "MONTH", "HH24", "HH12", "MON", "YY", "MM", "DD", "HH", "MI", "SS", "AM", "PM"}

func compileDateFormat(f string) ([]datePart, error) {
	var out []datePart
	u := strings.ToUpper(f)
	for i := 0; i < len(u); {
		matched := false
		for _, p := range dateParts {
			if strings.HasPrefix(u[i:], p) {
				k := p
				if k == "PM" {
					k = "AM"
				}
				out = append(out, datePart{kind: k})
				i += len(p)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		c := u[i]
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid DATEFORMAT/TIMEFORMAT \"%s\": unknown part at \"%s\"", f, f[i:])
		}
		out = append(out, datePart{lit: c})
		i++
	}
	return out, nil
}

var monthNames = []string{"JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER", "NOVEMBER", "DECEMBER"}

// parseWithFormat reads s by a compiled pattern into a time (UTC);
// ok is false when s does not match it.
func parseWithFormat(s []byte, parts []datePart) (time.Time, bool) {
	year, month, day, hour, min_, sec, usec := 1, 1, 1, 0, 0, 0, 0
	pm, ampm, hour12 := false, false, false
	num := func(i, maxDigits int) (int, int, bool) {
		n, j := 0, i
		for j < len(s) && j-i < maxDigits && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		return n, j, j > i
	}
	i := 0
	var ok bool
	for _, p := range parts {
		switch p.kind {
		case "":
			if i >= len(s) || s[i] != p.lit && !(p.lit == ' ' && s[i] == 'T') {
				return time.Time{}, false
			}
			i++
			continue
		case "YYYY":
			year, i, ok = num(i, 4)
		case "YY":
			year, i, ok = num(i, 2)
			if year < 70 {
				year += 2000
			} else {
				year += 1900
			}
		case "MM":
			month, i, ok = num(i, 2)
		case "DD":
			day, i, ok = num(i, 2)
		case "HH24", "HH":
			hour, i, ok = num(i, 2)
		case "HH12":
			hour, i, ok = num(i, 2)
			hour12 = true
		case "MI":
			min_, i, ok = num(i, 2)
		case "SS":
			sec, i, ok = num(i, 2)
			if ok && i < len(s) && s[i] == '.' {
				j := i + 1
				digits := 0
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					if digits < 6 {
						usec = usec*10 + int(s[j]-'0')
						digits++
					}
					j++
				}
				for ; digits < 6; digits++ {
					usec *= 10
				}
				i = j
			}
		case "MON", "MONTH":
			ok = false
			rest := strings.ToUpper(string(s[i:min(len(s), i+9)]))
			for m, name := range monthNames {
				switch {
				case p.kind == "MONTH" && strings.HasPrefix(rest, name):
					month, i, ok = m+1, i+len(name), true
				case p.kind == "MON" && strings.HasPrefix(rest, name[:3]):
					month, i, ok = m+1, i+3, true
				}
				if ok {
					break
				}
			}
		case "AM":
			ok = i+2 <= len(s)
			if ok {
				switch strings.ToUpper(string(s[i : i+2])) {
				case "AM":
				case "PM":
					pm = true
				default:
					ok = false
				}
				i += 2
				ampm = true
			}
		}
		if !ok {
			return time.Time{}, false
		}
	}
	if i != len(s) {
		return time.Time{}, false
	}
	if ampm || hour12 {
		if hour < 1 || hour > 12 {
			return time.Time{}, false
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || min_ > 59 || sec > 60 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, min_, sec, usec*1000, time.UTC)
	if t.Day() != day { // 31 February
		return time.Time{}, false
	}
	return t, true
}
