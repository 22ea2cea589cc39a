package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

// Projection is Athena's partition projection: partition values computed
// from table properties instead of read from the catalog.
//
//	projection.enabled = true
//	projection.<col>.type = enum | integer | date | injected
//	  enum:     .values = a,b,c
//	  integer:  .range = lo,hi  [.interval = n] [.digits = n]
//	  date:     .range = lo,hi (absolute in .format, or NOW[±n UNIT])
//	            .format = Java date pattern  [.interval = n] [.interval.unit = DAYS…]
//	  injected: values come from the query's equality filters
//	storage.location.template = s3://…/${col}/… (else LOCATION/col=value/…)
type Projection struct {
	Keys     []ProjectedKey
	Template string
}

// ProjectedKey is the projection of one partition column.
type ProjectedKey struct {
	Name string
	Type string // enum, integer, date, injected

	Values []string // enum

	Lo, Hi, Step int64 // integer range, interval
	Digits       int   // integer zero padding

	DateLo, DateHi string // date range bounds as written
	Layout         string // Go layout of .format
	Unit           string // YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS
}

func projErr(format string, args ...any) error {
	return sqlerr.New(sqlerr.InvalidParameterValue, format, args...)
}

// ParseProjection reads the projection of a table's partition keys from
// its parameters; nil when projection.enabled is not true. Every key
// must be configured, as Athena requires.
func ParseProjection(params map[string]string, keys []string) (*Projection, error) {
	if !strings.EqualFold(strings.TrimSpace(params["projection.enabled"]), "true") {
		return nil, nil
	}
	p := &Projection{Template: params["storage.location.template"]}
	for _, k := range keys {
		get := func(s string) string { return strings.TrimSpace(params["projection."+k+"."+s]) }
		pk := ProjectedKey{Name: k, Type: strings.ToLower(get("type"))}
		switch pk.Type {
		case "":
			return nil, projErr("partition column \"%s\" is not configured for projection: set projection.%s.type", k, k)
		case "enum":
			v := get("values")
			if v == "" {
				return nil, projErr("projection.%s.values must list the enum values", k)
			}
			for _, x := range strings.Split(v, ",") {
				pk.Values = append(pk.Values, strings.TrimSpace(x))
			}
		case "integer":
			lo, hi, ok := strings.Cut(get("range"), ",")
			var err1, err2 error
			pk.Lo, err1 = strconv.ParseInt(strings.TrimSpace(lo), 10, 64)
			pk.Hi, err2 = strconv.ParseInt(strings.TrimSpace(hi), 10, 64)
			if !ok || err1 != nil || err2 != nil || pk.Lo > pk.Hi {
				return nil, projErr("projection.%s.range \"%s\" is not a range of integers lo,hi", k, get("range"))
			}
			step, err := interval(k, get("interval"))
			if err != nil {
				return nil, err
			}
			pk.Step = step
			if s := get("digits"); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 || n > 30 {
					return nil, projErr("projection.%s.digits \"%s\" is not a digit count", k, s)
				}
				pk.Digits = n
			}
		case "date":
			f := get("format")
			if f == "" {
				return nil, projErr("projection.%s.format is required for a date projection", k)
			}
			layout, err := javaLayout(f)
			if err != nil {
				return nil, projErr("projection.%s.format: %v", k, err)
			}
			pk.Layout = layout
			lo, hi, ok := strings.Cut(get("range"), ",")
			if !ok {
				return nil, projErr("projection.%s.range \"%s\" is not a range lo,hi", k, get("range"))
			}
			pk.DateLo, pk.DateHi = strings.TrimSpace(lo), strings.TrimSpace(hi)
			step, err := interval(k, get("interval"))
			if err != nil {
				return nil, err
			}
			pk.Step = step
			pk.Unit = strings.ToUpper(get("interval.unit"))
			if pk.Unit == "" {
				pk.Unit = inferUnit(f)
			}
			if _, ok := unitStep[pk.Unit]; !ok {
				return nil, projErr("projection.%s.interval.unit \"%s\" is not one of YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS", k, pk.Unit)
			}
			// Check both bounds now, so a bad range fails at DDL time.
			now := time.Now().UTC()
			if _, err := pk.bound(pk.DateLo, now); err != nil {
				return nil, err
			}
			if _, err := pk.bound(pk.DateHi, now); err != nil {
				return nil, err
			}
		case "injected":
		default:
			return nil, projErr("projection.%s.type \"%s\" is not one of enum, integer, date, injected", k, pk.Type)
		}
		p.Keys = append(p.Keys, pk)
	}
	return p, nil
}

// interval reads projection.<col>.interval (default 1).
func interval(k, s string) (int64, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, projErr("projection.%s.interval \"%s\" is not a positive integer", k, s)
	}
	return n, nil
}

var unitStep = map[string]bool{"YEARS": true, "MONTHS": true, "WEEKS": true, "DAYS": true, "HOURS": true, "MINUTES": true, "SECONDS": true}

// inferUnit is the interval unit a date format implies (its finest field).
func inferUnit(f string) string {
	switch {
	case strings.Contains(f, "s"):
		return "SECONDS"
	case strings.Contains(f, "m"):
		return "MINUTES"
	case strings.ContainsAny(f, "Hh"):
		return "HOURS"
	case strings.Contains(f, "d"):
		return "DAYS"
	case strings.Contains(f, "M"):
		return "MONTHS"
	}
	return "YEARS"
}

// javaLayout converts a java.time DateTimeFormatter pattern (as Athena
// takes) into a Go layout.
func javaLayout(f string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		j := i
		for j < len(f) && f[j] == c {
			j++
		}
		n := j - i
		switch {
		case c == '\'':
			k := strings.IndexByte(f[i+1:], '\'')
			if k < 0 {
				return "", fmt.Errorf("unterminated quote in \"%s\"", f)
			}
			b.WriteString(f[i+1 : i+1+k])
			i += k + 2
			continue
		case c == 'y' || c == 'u':
			if n == 2 {
				b.WriteString("06")
			} else {
				b.WriteString("2006")
			}
		case c == 'M':
			switch n {
			case 1:
				b.WriteString("1")
			case 2:
				b.WriteString("01")
			case 3:
				b.WriteString("Jan")
			default:
				b.WriteString("January")
			}
		case c == 'd':
			if n == 1 {
				b.WriteString("2")
			} else {
				b.WriteString("02")
			}
		case c == 'H':
			b.WriteString("15")
		case c == 'm':
			b.WriteString("04")
		case c == 's':
			b.WriteString("05")
		case c == 'S':
			b.WriteString(strings.Repeat("0", n))
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			return "", fmt.Errorf("pattern letter %q in \"%s\" is not supported", c, f)
		default:
			b.WriteString(f[i:j])
		}
		i = j
	}
	return b.String(), nil
}

// bound parses a date range bound: a date in the key's format, or
// NOW[±n UNIT].
func (k *ProjectedKey) bound(s string, now time.Time) (time.Time, error) {
	u := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if strings.HasPrefix(u, "NOW") {
		rest := u[3:]
		if rest == "" {
			return now, nil
		}
		sign := int64(1)
		switch rest[0] {
		case '-':
			sign = -1
		case '+':
		default:
			return time.Time{}, projErr("projection.%s.range bound \"%s\" is not NOW±n UNIT", k.Name, s)
		}
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		n, err := strconv.ParseInt(rest[1:i], 10, 64)
		unit := rest[i:]
		if !strings.HasSuffix(unit, "S") {
			unit += "S"
		}
		if err != nil || !unitStep[unit] {
			return time.Time{}, projErr("projection.%s.range bound \"%s\" is not NOW±n UNIT", k.Name, s)
		}
		return addUnit(now, unit, sign*n), nil
	}
	t, err := time.Parse(k.Layout, s)
	if err != nil {
		return time.Time{}, projErr("projection.%s.range bound \"%s\" does not match the format", k.Name, s)
	}
	return t, nil
}

func addUnit(t time.Time, unit string, n int64) time.Time {
	switch unit {
	case "YEARS":
		return t.AddDate(int(n), 0, 0)
	case "MONTHS":
		return t.AddDate(0, int(n), 0)
	case "WEEKS":
		return t.AddDate(0, 0, 7*int(n))
	case "DAYS":
		return t.AddDate(0, 0, int(n))
	case "HOURS":
		return t.Add(time.Duration(n) * time.Hour)
	case "MINUTES":
		return t.Add(time.Duration(n) * time.Minute)
	}
	return t.Add(time.Duration(n) * time.Second)
}

// MaxProjected bounds how many values one key may project (Athena's own
// limit on partitions a query may touch is one million).
const MaxProjected = 1_000_000

// Domain returns the key's candidate values. eq holds the values an
// equality filter (= or IN) pins the key to, nil when there is none;
// injected keys need one.
func (k *ProjectedKey) Domain(now time.Time, eq []string) ([]string, error) {
	switch k.Type {
	case "injected":
		if eq == nil {
			return nil, projErr("for the injected projected partition column \"%s\", the WHERE clause must contain only static equality conditions, and at least one such condition must be present", k.Name)
		}
		return eq, nil
	case "enum":
		return k.Values, nil
	case "integer":
		if (k.Hi-k.Lo)/k.Step >= MaxProjected {
			if eq != nil {
				return k.filterInts(eq), nil
			}
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "projection of partition column \"%s\" would produce more than %d values; filter it with = or IN", k.Name, MaxProjected)
		}
		var out []string
		for v := k.Lo; v <= k.Hi; v += k.Step {
			out = append(out, k.formatInt(v))
		}
		return out, nil
	case "date":
		lo, err := k.bound(k.DateLo, now)
		if err != nil {
			return nil, err
		}
		hi, err := k.bound(k.DateHi, now)
		if err != nil {
			return nil, err
		}
		var out []string
		for t := lo; !t.After(hi); t = addUnit(t, k.Unit, k.Step) {
			if len(out) >= MaxProjected {
				return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "projection of partition column \"%s\" would produce more than %d values", k.Name, MaxProjected)
			}
			out = append(out, t.Format(k.Layout))
		}
		return out, nil
	}
	return nil, projErr("projection type \"%s\" of column \"%s\" is not supported", k.Type, k.Name)
}

func (k *ProjectedKey) formatInt(v int64) string {
	s := strconv.FormatInt(v, 10)
	if k.Digits > 0 && len(s) < k.Digits {
		if v < 0 {
			return "-" + strings.Repeat("0", k.Digits-len(s)+1) + s[1:]
		}
		s = strings.Repeat("0", k.Digits-len(s)) + s
	}
	return s
}

// filterInts keeps the equality values that fall on the key's grid.
func (k *ProjectedKey) filterInts(eq []string) []string {
	out := []string{}
	for _, s := range eq {
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || v < k.Lo || v > k.Hi || (v-k.Lo)%k.Step != 0 {
			continue
		}
		out = append(out, k.formatInt(v))
	}
	return out
}

// Location is where the partition with the given values (in key order)
// lives: the template with ${col} substituted, else base/col=value/….
func (p *Projection) Location(base string, keys []string, values []string) string {
	if p.Template != "" {
		loc := p.Template
		for i, k := range keys {
			loc = strings.ReplaceAll(loc, "${"+k+"}", values[i])
		}
		return loc
	}
	return HivePath(base, keys, values)
}

// HivePath is base/k1=v1/k2=v2.
func HivePath(base string, keys []string, values []string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	for i, k := range keys {
		b.WriteString("/" + k + "=" + values[i])
	}
	return b.String()
}
