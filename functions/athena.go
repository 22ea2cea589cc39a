package functions

import (
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// athenaMoreScalars are Athena's (Trino's) everyday functions that
// PostgreSQL spells otherwise, as Trino's documentation defines them.
// Athena's field functions (year(x), day_of_week(x), …), if() and
// count_if() are rewritten by the planner (planner/athena.go).
func athenaMoreScalars() []*Scalar {
	docs := []Arg{aText, ex(types.JSONT), ex(types.JSONBT)}
	var jsonExtract, jsonScalar []Overload
	for _, d := range docs {
		jsonScalar = append(jsonScalar, row([]Arg{d, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, ok, err := trinoJSONPath(a[0].(string), a[1].(string))
			if err != nil || !ok {
				return nil, err
			}
			switch x := v.(type) {
			case nil, map[string]any, []any:
				return nil, nil
			case string:
				return x, nil
			}
			return jpItemText(v)
		}))
		jsonExtract = append(jsonExtract, row([]Arg{d, aText}, types.JSONT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			v, ok, err := trinoJSONPath(a[0].(string), a[1].(string))
			if err != nil || !ok {
				return nil, err
			}
			return jpItemText(v)
		}))
	}
	var regexCache sync.Map
	re := func(p string) (*regexp.Regexp, error) {
		if r, ok := regexCache.Load(p); ok {
			return r.(*regexp.Regexp), nil
		}
		r, err := regexp.Compile(p)
		if err != nil {
			return nil, sqlerr.New(sqlerr.InvalidRegex, "invalid regular expression: %s", err.Error())
		}
		regexCache.Store(p, r)
		return r, nil
	}
	regexpExtract := func(_ *Ctx, a []types.Value) (types.Value, error) {
		r, err := re(a[1].(string))
		if err != nil {
			return nil, err
		}
		g := int64(0)
		if len(a) > 2 {
			g = a[2].(int64)
		}
		if g < 0 || g > int64(r.NumSubexp()) {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "Pattern has %d groups. Cannot access group %d", r.NumSubexp(), g)
		}
		s := a[0].(string)
		m := r.FindStringSubmatchIndex(s)
		if m == nil || m[2*g] < 0 {
			return nil, nil
		}
		return s[m[2*g]:m[2*g+1]], nil
	}
	urlPart := func(name string, f func(u *url.URL) (types.Value, bool)) *Scalar {
		return &Scalar{Name: name, Description: "Athena's " + name, Overloads: []Overload{
			row([]Arg{aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := url.Parse(a[0].(string))
				if err != nil {
					return nil, nil
				}
				if v, ok := f(u); ok {
					return v, nil
				}
				return nil, nil
			}),
		}}
	}
	tsOf := func(ctx *Ctx, v types.Value, t types.T) time.Time {
		tt := types.TimestampToTime(int64(v.(types.TimestampVal)))
		if t.Kind == types.TimestampTZ && ctx != nil && ctx.Loc != nil {
			tt = tt.In(ctx.Loc)
		}
		return tt
	}
	dateFormat := func(t types.T) Overload {
		return row([]Arg{ex(t), aText}, types.TextT, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			var tt time.Time
			if t.Kind == types.Date {
				tt = types.DateToTime(a[0].(types.DateVal))
			} else {
				tt = tsOf(ctx, a[0], t)
			}
			return mysqlFormat(tt, a[1].(string))
		})
	}
	return []*Scalar{
		{Name: "json_extract_scalar", Description: "Athena's json_extract_scalar: the scalar at a JSONPath as text (NULL for an object, an array or no match)", Overloads: jsonScalar},
		{Name: "json_extract", Description: "Athena's json_extract: the JSON value at a JSONPath", Overloads: jsonExtract},
		{Name: "date_format", Description: "Athena's date_format: a timestamp formatted with MySQL's specifiers (%Y-%m-%d %H:%i:%s)", Overloads: []Overload{
			dateFormat(types.TimestampT), dateFormat(types.TimestampTZT), dateFormat(types.DateT),
		}},
		{Name: "date_parse", Description: "Athena's date_parse: a timestamp read with MySQL's specifiers", Overloads: []Overload{
			row([]Arg{aText, aText}, types.TimestampT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				tt, err := mysqlParse(a[0].(string), a[1].(string))
				if err != nil {
					return nil, err
				}
				return types.TimestampVal(types.TimeToTimestamp(tt)), nil
			}),
		}},
		{Name: "from_unixtime", Description: "Athena's from_unixtime: the instant of a Unix time in seconds", Overloads: []Overload{
			row([]Arg{aFloat8}, types.TimestampTZT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				s := a[0].(float64)
				if math.IsNaN(s) || math.IsInf(s, 0) || math.Abs(s) > 9e12 {
					return nil, sqlerr.New(sqlerr.DatetimeFieldOverflow, "timestamp out of range")
				}
				return types.TimestampVal(int64(math.Round(s * 1e6))), nil
			}),
		}},
		{Name: "to_unixtime", Description: "Athena's to_unixtime: a timestamp's Unix time in seconds", Overloads: []Overload{
			row([]Arg{aTSTZ}, types.Float8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return float64(int64(a[0].(types.TimestampVal))) / 1e6, nil
			}),
		}},
		{Name: "split", Description: "Athena's split: the pieces of a string between delimiters, at most limit of them", Overloads: []Overload{
			row([]Arg{aText, aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return splitN(a[0].(string), a[1].(string), -1)
			}),
			row([]Arg{aText, aText, aInt8}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[2].(int64) <= 0 {
					return nil, sqlerr.New(sqlerr.InvalidParameterValue, "Limit must be positive")
				}
				return splitN(a[0].(string), a[1].(string), int(min(a[2].(int64), math.MaxInt32)))
			}),
		}},
		{Name: "contains", Description: "Athena's contains: whether the array has the element (NULL when not found and the array has NULLs)", Overloads: []Overload{
			{Args: []Arg{{Kind: ArgArray}, {Kind: ArgElemOf}}, Ret: fixed(types.BoolT), Kernel: RowWise(fixed(types.BoolT), false, func(_ *Ctx, a []types.Value) (types.Value, error) {
				if a[0] == nil || a[1] == nil {
					return nil, nil
				}
				nulls := false
				for _, e := range a[0].([]any) {
					if e == nil {
						nulls = true
					} else if arrayEq(e, a[1]) {
						return true, nil
					}
				}
				if nulls {
					return nil, nil
				}
				return false, nil
			})},
		}},
		{Name: "regexp_extract", Description: "Athena's regexp_extract: the first match of a pattern, or of one of its groups", Overloads: []Overload{
			row([]Arg{aText, aText}, types.TextT, regexpExtract),
			row([]Arg{aText, aText, aInt8}, types.TextT, regexpExtract),
		}},
		{Name: "sequence", Description: "Athena's sequence: the integers from start to stop by step", Overloads: []Overload{
			row([]Arg{aInt8, aInt8}, types.ArrayOf(types.Int8T), func(_ *Ctx, a []types.Value) (types.Value, error) {
				step := int64(1)
				if a[1].(int64) < a[0].(int64) {
					step = -1
				}
				return sequence(a[0].(int64), a[1].(int64), step)
			}),
			row([]Arg{aInt8, aInt8, aInt8}, types.ArrayOf(types.Int8T), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return sequence(a[0].(int64), a[1].(int64), a[2].(int64))
			}),
		}},
		{Name: "levenshtein_distance", Description: "Athena's levenshtein_distance: the fewest single-character edits from one string to the other", Overloads: []Overload{
			row([]Arg{aText, aText}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return int64(levenshtein([]rune(a[0].(string)), []rune(a[1].(string)))), nil
			}),
		}},
		{Name: "current_timezone", Description: "Athena's current_timezone: the session's time zone", Overloads: []Overload{
			row(nil, types.TextT, func(ctx *Ctx, _ []types.Value) (types.Value, error) {
				if ctx == nil || ctx.Loc == nil {
					return "UTC", nil
				}
				return ctx.Loc.String(), nil
			}),
		}},
		urlPart("url_extract_host", func(u *url.URL) (types.Value, bool) { return u.Hostname(), u.Host != "" }),
		urlPart("url_extract_protocol", func(u *url.URL) (types.Value, bool) { return u.Scheme, u.Scheme != "" }),
		urlPart("url_extract_path", func(u *url.URL) (types.Value, bool) { return u.EscapedPath(), true }),
		urlPart("url_extract_query", func(u *url.URL) (types.Value, bool) { return u.RawQuery, true }),
		urlPart("url_extract_fragment", func(u *url.URL) (types.Value, bool) { return u.EscapedFragment(), true }),
		{Name: "url_extract_port", Description: "Athena's url_extract_port", Overloads: []Overload{
			row([]Arg{aText}, types.Int8T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := url.Parse(a[0].(string))
				if err != nil || u.Port() == "" {
					return nil, nil
				}
				p, err := strconv.ParseInt(u.Port(), 10, 64)
				if err != nil {
					return nil, nil
				}
				return p, nil
			}),
		}},
		{Name: "url_extract_parameter", Description: "Athena's url_extract_parameter: the first value of a query parameter", Overloads: []Overload{
			row([]Arg{aText, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				u, err := url.Parse(a[0].(string))
				if err != nil {
					return nil, nil
				}
				vs, ok := u.Query()[a[1].(string)]
				if !ok || len(vs) == 0 {
					return nil, nil
				}
				return vs[0], nil
			}),
		}},
	}
}

// trinoJSONPath runs a Trino JSONPath ($.a.b, $.a[0], $["a b"]) on a
// JSON document: the first item it reaches, false for none. A document
// that is not JSON gives NULL, as in Trino; a bad path is an error.
func trinoJSONPath(doc, path string) (any, bool, error) {
	p := bracketKeys.ReplaceAllString(path, `."$1"`)
	if _, err := decodeJSON(doc); err != nil {
		return nil, false, nil
	}
	items, _, err := jsonPathRun(doc, "strict "+p, "", false, false)
	if err != nil || len(items) == 0 {
		if err != nil && sqlerr.Code(err) == sqlerr.SyntaxError {
			return nil, false, err
		}
		return nil, false, nil
	}
	return items[0], true, nil
}

// bracketKeys is Trino's ["key"] member access, SQL/JSON's ."key".
var bracketKeys = regexp.MustCompile(`\["((?:[^"\\]|\\.)*)"\]`)

func splitN(s, sep string, n int) (types.Value, error) {
	var parts []string
	if sep == "" {
		for _, r := range s {
			parts = append(parts, string(r))
		}
		if n > 0 && len(parts) > n {
			parts = append(parts[:n-1], strings.Join(parts[n-1:], ""))
		}
	} else {
		parts = strings.SplitN(s, sep, n)
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func sequence(start, stop, step int64) (types.Value, error) {
	if step == 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "step must not be zero")
	}
	if (step > 0) != (stop >= start) && start != stop {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start")
	}
	n := (stop-start)/step + 1
	if n > 10000 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "result of sequence function must not have more than 10000 entries")
	}
	out := make([]any, 0, n)
	for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
		out = append(out, v)
	}
	return out, nil
}

func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// mysqlFormat formats t with MySQL's date_format specifiers, as Athena's
// date_format does.
func mysqlFormat(t time.Time, f string) (types.Value, error) {
	var sb strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			sb.WriteByte(c)
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			sb.WriteString(pad(t.Year(), 4))
		case 'y':
			sb.WriteString(pad(t.Year()%100, 2))
		case 'm':
			sb.WriteString(pad(int(t.Month()), 2))
		case 'c':
			sb.WriteString(strconv.Itoa(int(t.Month())))
		case 'M':
			sb.WriteString(t.Month().String())
		case 'b':
			sb.WriteString(t.Month().String()[:3])
		case 'd':
			sb.WriteString(pad(t.Day(), 2))
		case 'e':
			sb.WriteString(strconv.Itoa(t.Day()))
		case 'D':
			sb.WriteString(strconv.Itoa(t.Day()) + dayOrdinal(t.Day()))
		case 'j':
			sb.WriteString(pad(t.YearDay(), 3))
		case 'H':
			sb.WriteString(pad(t.Hour(), 2))
		case 'k':
			sb.WriteString(strconv.Itoa(t.Hour()))
		case 'h', 'I':
			sb.WriteString(pad(hour12(t), 2))
		case 'l':
			sb.WriteString(strconv.Itoa(hour12(t)))
		case 'i':
			sb.WriteString(pad(t.Minute(), 2))
		case 's', 'S':
			sb.WriteString(pad(t.Second(), 2))
		case 'f':
			sb.WriteString(pad(t.Nanosecond()/1000, 6))
		case 'p':
			if t.Hour() < 12 {
				sb.WriteString("AM")
			} else {
				sb.WriteString("PM")
			}
		case 'r':
			ap := "AM"
			if t.Hour() >= 12 {
				ap = "PM"
			}
			sb.WriteString(pad(hour12(t), 2) + ":" + pad(t.Minute(), 2) + ":" + pad(t.Second(), 2) + " " + ap)
		case 'T':
			sb.WriteString(pad(t.Hour(), 2) + ":" + pad(t.Minute(), 2) + ":" + pad(t.Second(), 2))
		case 'W':
			sb.WriteString(t.Weekday().String())
		case 'a':
			sb.WriteString(t.Weekday().String()[:3])
		case 'w':
			sb.WriteString(strconv.Itoa(int(t.Weekday())))
		case 'v':
			_, w := t.ISOWeek()
			sb.WriteString(pad(w, 2))
		case 'x':
			y, _ := t.ISOWeek()
			sb.WriteString(pad(y, 4))
		case '%':
			sb.WriteByte('%')
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%%%c not supported in date format string", f[i])
		}
	}
	return sb.String(), nil
}

func pad(n, w int) string {
	s := strconv.Itoa(n)
	for len(s) < w {
		s = "0" + s
	}
	return s
}

func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}

func dayOrdinal(d int) string {
	if d%100 >= 11 && d%100 <= 13 {
		return "th"
	}
	switch d % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// mysqlParse reads s with MySQL's specifiers (date_parse): numbers for
// %Y %y %m %c %d %e %H %k %h %l %i %s %f %j, names for %M %b %W %a, %p.
func mysqlParse(s, f string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, sqlerr.New(sqlerr.InvalidDatetimeFormat, "Invalid format: \"%s\"", s)
	}
	year, month, day, hour, minute, sec, nanos := 1970, 1, 1, 0, 0, 0, 0
	pm, hasP := false, false
	num := func(maxDigits int) (int, bool) {
		j := 0
		for j < len(s) && j < maxDigits && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == 0 {
			return 0, false
		}
		n, _ := strconv.Atoi(s[:j])
		s = s[j:]
		return n, true
	}
	name := func(names []string, short bool) (int, bool) {
		for i, n := range names {
			if short {
				n = n[:3]
			}
			if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
				s = s[len(n):]
				return i, true
			}
		}
		return 0, false
	}
	months := []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	days := []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			r, size := utf8.DecodeRuneInString(s)
			if size == 0 || byte(r) != c {
				return bad()
			}
			s = s[size:]
			continue
		}
		i++
		var ok bool
		switch f[i] {
		case 'Y':
			year, ok = num(4)
		case 'y':
			year, ok = num(2)
			year += 2000
			if year > 2069 {
				year -= 100
			}
		case 'm', 'c':
			month, ok = num(2)
		case 'd', 'e':
			day, ok = num(2)
		case 'H', 'k':
			hour, ok = num(2)
		case 'h', 'I', 'l':
			hour, ok = num(2)
		case 'i':
			minute, ok = num(2)
		case 's', 'S':
			sec, ok = num(2)
		case 'f':
			var n int
			before := len(s)
			n, ok = num(9)
			for d := before - len(s); d < 9; d++ {
				n *= 10
			}
			nanos = n
		case 'M':
			month, ok = name(months, false)
			month++
		case 'b':
			month, ok = name(months, true)
			month++
		case 'W':
			_, ok = name(days, false)
		case 'a':
			_, ok = name(days, true)
		case 'p':
			hasP = true
			switch {
			case len(s) >= 2 && strings.EqualFold(s[:2], "AM"):
				ok = true
			case len(s) >= 2 && strings.EqualFold(s[:2], "PM"):
				ok, pm = true, true
			}
			if ok {
				s = s[2:]
			}
		case '%':
			ok = len(s) > 0 && s[0] == '%'
			if ok {
				s = s[1:]
			}
		default:
			return time.Time{}, sqlerr.New(sqlerr.InvalidParameterValue, "%%%c not supported in date format string", f[i])
		}
		if !ok {
			return bad()
		}
	}
	if s != "" {
		return bad()
	}
	if hasP {
		hour %= 12
		if pm {
			hour += 12
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	if t.Month() != time.Month(month) || t.Day() != day || hour > 23 || minute > 59 || sec > 59 {
		return bad()
	}
	return t, nil
}

// byAcc is Athena's max_by(x, y) / min_by(x, y): the x of the row with
// the largest (smallest) y; rows with a NULL y are skipped, ties keep the
// first seen.
type byAcc struct {
	max    bool
	xT, yT types.T
	x, y   []types.Value
	set    []bool
}

func (b *byAcc) grow(n int) {
	for len(b.x) < n {
		b.x, b.y, b.set = append(b.x, nil), append(b.y, nil), append(b.set, false)
	}
}

func (b *byAcc) offer(g int, x, y types.Value) {
	if b.set[g] {
		c := types.Compare(y, b.y[g])
		if b.max && c <= 0 || !b.max && c >= 0 {
			return
		}
	}
	b.x[g], b.y[g], b.set[g] = x, y, true
}

func (b *byAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	b.grow(nGroups)
	for i, g := range groups {
		if g < 0 || args[1].IsNull(i) {
			continue
		}
		b.offer(int(g), types.GetValue(b.xT, args[0], i), types.GetValue(b.yT, args[1], i))
	}
	return nil
}

func (b *byAcc) Merge(o Accumulator, mapping []int32, nGroups int) error {
	ob := o.(*byAcc)
	b.grow(nGroups)
	for g := range ob.set {
		if ob.set[g] {
			b.offer(int(mapping[g]), ob.x[g], ob.y[g])
		}
	}
	return nil
}

func (b *byAcc) Finalize(nGroups int) (arrow.Array, error) {
	b.grow(nGroups)
	return types.BuildArray(b.xT, b.x[:nGroups]), nil
}

// athenaAggregates are Athena's max_by and min_by.
func athenaAggregates() []*Aggregate {
	by := func(name string, max bool) *Aggregate {
		return &Aggregate{Name: name, Description: "Athena's " + name + "(x, y): the x of the row with the " + map[bool]string{true: "largest", false: "smallest"}[max] + " y",
			Overloads: []AggOverload{{Args: []Arg{aAny, aAny}, Ret: firstArg, New: func(args []types.T, _ types.T) Accumulator {
				return &byAcc{max: max, xT: args[0], yT: args[1]}
			}}}}
	}
	return []*Aggregate{by("max_by", true), by("min_by", false)}
}
