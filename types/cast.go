package types

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/lakeq/lakeq/sqlerr"
)

func invalidInput(t T, s string) error {
	return sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type %s: \"%s\"", t.String(), s)
}

func outOfRange(t T) error {
	switch t.Kind {
	case Int2:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "smallint out of range")
	case Int4:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
	case Int8:
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "bigint out of range")
	}
	return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range for type %s", t.String())
}

// OutOfRange is the error for a value that does not fit t.
func OutOfRange(t T) error { return outOfRange(t) }

// IntRange returns the bounds of an integer type.
func IntRange(k Kind) (int64, int64) {
	switch k {
	case Int2:
		return math.MinInt16, math.MaxInt16
	case Int4:
		return math.MinInt32, math.MaxInt32
	case Oid:
		return 0, math.MaxUint32
	}
	return math.MinInt64, math.MaxInt64
}

// typmodInfinity is PostgreSQL's error for an infinity read into a
// numeric(p,s), which no typmod holds (22003), in place of lakeq's own
// for an infinity read into plain numeric (0A000).
func typmodInfinity(t T, s string, err error) error {
	if !t.Dyn && sqlerr.Code(err) == sqlerr.FeatureNotSupported && strings.Contains(strings.ToLower(s), "inf") {
		return sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow")
	}
	return err
}

// parsePGFloat reads a float as PostgreSQL's float4in/float8in: C's
// strtod over the text after leading spaces (decimal, hexadecimal, inf,
// infinity, nan, any case), an overflow or an underflow to zero out of
// range (22003) before trailing text is looked at, then only spaces may
// follow.
func parsePGFloat(t T, s string) (Value, error) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' }
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	num := s[i:]
	n := strtodPrefix(num)
	if n == 0 {
		return nil, invalidInput(t, s)
	}
	text := num[:n]
	var f float64
	body := strings.TrimLeft(text, "+-")
	neg := strings.HasPrefix(text, "-")
	bits := 64
	if t.Kind == Float4 {
		bits = 32
	}
	var err error
	switch lb := strings.ToLower(body); {
	case strings.HasPrefix(lb, "inf"):
		f = math.Inf(1)
	case strings.HasPrefix(lb, "nan"):
		f = math.NaN()
	default:
		if strings.HasPrefix(lb, "0x") && !strings.ContainsAny(lb, "p") {
			body += "p0"
		}
		f, err = strconv.ParseFloat(body, bits)
		if err == nil && f == 0 && strings.ContainsAny(mantissa(body), "123456789abcdefABCDEF") && !strings.HasPrefix(lb, "0x0p") {
			err = &strconv.NumError{Func: "ParseFloat", Num: body, Err: strconv.ErrRange}
		}
	}
	if neg {
		f = -f
	}
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "\"%s\" is out of range for type %s", s, t.String())
		}
		return nil, invalidInput(t, s)
	}
	for _, c := range []byte(num[n:]) {
		if !isSpace(c) {
			return nil, invalidInput(t, s)
		}
	}
	return f, nil
}

// strtodPrefix is the length of the longest prefix of s C's strtod
// reads (0: none): a sign, then infinity, inf, nan, hexadecimal with an
// optional binary exponent, or decimal with an optional exponent.
func strtodPrefix(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return i + 8
	case strings.HasPrefix(rest, "inf"):
		return i + 3
	case strings.HasPrefix(rest, "nan"):
		return i + 3
	}
	digit := func(c byte, hex bool) bool {
		return c >= '0' && c <= '9' || hex && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')
	}
	hex := strings.HasPrefix(rest, "0x") && len(rest) > 2 && (digit(rest[2], true) || rest[2] == '.' && len(rest) > 3 && digit(rest[3], true))
	j := i
	if hex {
		j += 2
	}
	nd := 0
	for j < len(s) && digit(s[j], hex) {
		j++
		nd++
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && digit(s[k], hex) {
			k++
			nd++
		}
		j = k
	}
	if nd == 0 {
		return 0
	}
	if j < len(s) && (!hex && (s[j] == 'e' || s[j] == 'E') || hex && (s[j] == 'p' || s[j] == 'P')) {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	return j
}

// mantissa is a decimal float's text before its exponent.
func mantissa(s string) string {
	if len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return s[2:]
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		return s[:i]
	}
	return s
}

// parsePGInt reads an integer as PostgreSQL's pg_strtoint16/32/64 do:
// spaces around it, a sign, digits accumulated as a negative number down
// to lo (an overflow there is out of range, code 2, whatever follows),
// then anything but spaces is a syntax error (code 1), and last the
// positive side's range.
func parsePGInt(s string, lo int64) (int64, int) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' }
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v int64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := int64(s[i] - '0')
		if v < (lo+d)/10 {
			return 0, 2
		}
		v = v*10 - d
		i++
	}
	if i == start {
		return 0, 1
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, 1
	}
	if !neg {
		if v == lo {
			return 0, 2
		}
		v = -v
	}
	return v, 0
}

// parseUUID reads a UUID as PostgreSQL's uuid_in: 32 hex digits, a
// hyphen allowed after any group of four, optionally in braces; the
// digits lower-cased.
func parseUUID(s string) (string, bool) {
	i := 0
	braces := len(s) > 0 && s[0] == '{'
	if braces {
		i++
	}
	var b [32]byte
	for k := 0; k < 16; k++ {
		if i+2 > len(s) || !isHexDigit(s[i]) || !isHexDigit(s[i+1]) {
			return "", false
		}
		b[2*k], b[2*k+1] = lowerHex(s[i]), lowerHex(s[i+1])
		i += 2
		if i < len(s) && s[i] == '-' && k%2 == 1 && k < 15 {
			i++
		}
	}
	if braces {
		if i >= len(s) || s[i] != '}' {
			return "", false
		}
		i++
	}
	return string(b[:]), i == len(s)
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// parseBytea reads bytea input as PostgreSQL's byteain: \x and hex
// digit pairs (spaces between pairs), or the escape format (\\ and
// \ooo octal, any other backslash an error).
func parseBytea(s string) ([]byte, error) {
	if strings.HasPrefix(s, `\x`) {
		out := make([]byte, 0, (len(s)-2)/2)
		for i := 2; i < len(s); {
			c := s[i]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				i++
				continue
			}
			if !isHexDigit(c) {
				_, size := utf8.DecodeRuneInString(s[i:])
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[i:i+size])
			}
			if i+1 >= len(s) {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			if !isHexDigit(s[i+1]) {
				_, size := utf8.DecodeRuneInString(s[i+1:])
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid hexadecimal digit: \"%s\"", s[i+1:i+1+size])
			}
			out = append(out, hexNibble(c)<<4|hexNibble(s[i+1]))
			i += 2
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		switch {
		case s[i] != '\\':
			out = append(out, s[i])
			i++
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && s[i+2] >= '0' && s[i+2] <= '7' && s[i+3] >= '0' && s[i+3] <= '7':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		default:
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func hexNibble(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// ParseBool reads a boolean as PostgreSQL's boolin does: surrounding
// spaces ignored, case-insensitive, any prefix of true, false, yes or no,
// two letters at least of on and off, 1 and 0.
func ParseBool(s string) (bool, bool) {
	v := strings.ToLower(strings.TrimSpace(s))
	if v == "" {
		return false, false
	}
	switch v[0] {
	case 't':
		return true, strings.HasPrefix("true", v)
	case 'f':
		return false, strings.HasPrefix("false", v)
	case 'y':
		return true, strings.HasPrefix("yes", v)
	case 'n':
		return false, strings.HasPrefix("no", v)
	case 'o':
		if len(v) >= 2 && strings.HasPrefix("on", v) {
			return true, true
		}
		return false, len(v) >= 2 && strings.HasPrefix("off", v)
	case '1':
		return true, v == "1"
	case '0':
		return false, v == "0"
	}
	return false, false
}

// ParseText converts text input to a value of t (PostgreSQL's input functions).
func ParseText(t T, s string, loc *time.Location) (Value, error) {
	switch t.Kind {
	case Bool:
		if b, ok := ParseBool(s); ok {
			return b, nil
		}
		return nil, invalidInput(t, s)
	case Int2, Int4, Int8, Oid:
		lo, hi := IntRange(t.Kind)
		if t.Kind == Oid {
			lo, hi = math.MinInt64, math.MaxInt64
		}
		v, code := parsePGInt(s, lo)
		switch code {
		case 1:
			return nil, invalidInput(t, s)
		case 2:
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, t.String())
		}
		if t.Kind == Oid {
			lo, hi = IntRange(Oid)
		}
		if v < lo || v > hi {
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", s, t.String())
		}
		return v, nil
	case Float4, Float8:
		return parsePGFloat(t, s)
	case Numeric:
		d, err := ParseDecimal(s)
		if err != nil {
			return nil, typmodInfinity(t, s, err)
		}
		if t.Dyn {
			return d, err
		}
		return d.CheckPrecision(t.Prec, t.Scale)
	case Text, Unknown:
		return s, nil
	case JSON:
		if err := ValidJSON(s); err != nil {
			return nil, err
		}
		return s, nil
	case JSONB:
		n, err := NormalizeJSONB(s)
		if err != nil {
			return nil, err
		}
		return n, nil
	case Varchar:
		if t.Width > 0 && int32(len([]rune(s))) > t.Width {
			trimmed := strings.TrimRight(s, " ")
			if int32(len([]rune(trimmed))) > t.Width {
				return nil, sqlerr.New(sqlerr.StringDataRightTrunc, "value too long for type character varying(%d)", t.Width)
			}
			return string([]rune(s)[:t.Width]), nil
		}
		return s, nil
	case Char:
		r := []rune(s)
		if t.Width > 0 {
			if int32(len(r)) > t.Width {
				if strings.TrimRight(string(r[t.Width:]), " ") != "" {
					return nil, sqlerr.New(sqlerr.StringDataRightTrunc, "value too long for type character(%d)", t.Width)
				}
				r = r[:t.Width]
			}
			for int32(len(r)) < t.Width {
				r = append(r, ' ')
			}
		}
		return string(r), nil
	case Bytea:
		return parseBytea(s)
	case Date:
		d, err := ParseDate(s)
		return d, err
	case Time:
		v, err := ParseTime(s)
		return v, err
	case Timestamp:
		v, err := ParseTimestamp(s, false, nil)
		return v, err
	case TimestampTZ:
		v, err := ParseTimestamp(s, true, loc)
		return v, err
	case Interval:
		v, err := ParseInterval(s)
		return v, err
	case UUID:
		h, ok := parseUUID(s)
		if !ok {
			return nil, invalidInput(t, s)
		}
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	case Array:
		return parseArray(*t.Elem, s, loc)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot read text as %s", t.String())
}

func parseArray(elem T, s string, loc *time.Location) (Value, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "[") {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "array literals with explicit bounds are not supported (lakeq's arrays start at 1): \"%s\"", s)
	}
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' {
		return nil, sqlerr.New(sqlerr.InvalidTextRepr, "malformed array literal: \"%s\"", s)
	}
	body := t[1 : len(t)-1]
	if strings.HasPrefix(strings.TrimSpace(body), "{") {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "multidimensional array literals are not supported (lakeq's arrays have one dimension; ARRAY[[…]] nests them): \"%s\"", s)
	}
	out := []any{}
	if strings.TrimSpace(body) == "" {
		return out, nil
	}
	var cur strings.Builder
	quoted, inQuote, esc := false, false, false
	// after is set once an element's closing quote is read: what follows
	// up to the comma is whitespace, ignored as PostgreSQL ignores it
	after := false
	flush := func() error {
		item := cur.String()
		cur.Reset()
		if !quoted {
			item = strings.TrimSpace(item)
			if strings.EqualFold(item, "null") {
				out = append(out, nil)
				return nil
			}
		}
		v, err := ParseText(elem, item, loc)
		if err != nil {
			return err
		}
		out = append(out, v)
		quoted = false
		return nil
	}
	for _, r := range body {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			if !inQuote && !quoted && strings.TrimSpace(cur.String()) == "" {
				cur.Reset() // blanks before an element's opening quote
			}
			inQuote = !inQuote
			quoted = true
			after = !inQuote
		case r == ',' && !inQuote:
			after = false
			if err := flush(); err != nil {
				return nil, err
			}
		case after && unicode.IsSpace(r):
		case after:
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "malformed array literal: \"%s\"", s).WithDetail("Unexpected array element.")
		default:
			cur.WriteRune(r)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// CastScalar converts v from type from to type to with PostgreSQL's
// cast semantics (rounding, range checks, text I/O for other pairs).
func CastScalar(v Value, from, to T, loc *time.Location) (Value, error) {
	if v == nil {
		return nil, nil
	}
	if from.Kind == to.Kind && from.Kind != Numeric && from.Kind != Varchar && from.Kind != Char && from.Kind != Array {
		return v, nil
	}
	if from.Kind == JSONB && (to.IsNumeric() || to.Kind == Bool) {
		return castJSONB(v.(string), to, loc)
	}
	switch to.Kind {
	case Int2, Int4, Int8, Oid:
		var i int64
		switch x := v.(type) {
		case int64:
			i = x
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, outOfRange(to)
			}
			r := math.RoundToEven(x)
			if r < -9.223372036854775808e18 || r >= 9.223372036854775808e18 {
				return nil, outOfRange(to)
			}
			i = int64(r)
		case Decimal:
			r, err := x.Rescale(0)
			if err != nil {
				return nil, err
			}
			if !r.V.FitsInPrecision(19) || r.V.BigInt().BitLen() > 63 {
				return nil, outOfRange(to)
			}
			i = r.V.BigInt().Int64()
		case bool:
			if to.Kind != Int4 {
				return nil, cannotCast(from, to)
			}
			if x {
				i = 1
			}
		case string:
			return ParseText(to, x, loc)
		default:
			return nil, cannotCast(from, to)
		}
		lo, hi := IntRange(to.Kind)
		if i < lo || i > hi {
			return nil, outOfRange(to)
		}
		return i, nil
	case Float4, Float8:
		var f float64
		switch x := v.(type) {
		case int64:
			f = float64(x)
		case float64:
			f = x
		case Decimal:
			f = x.Float64()
		case string:
			return ParseText(to, x, loc)
		default:
			return nil, cannotCast(from, to)
		}
		if to.Kind == Float4 {
			if !math.IsInf(f, 0) && math.Abs(f) > math.MaxFloat32 {
				return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			f = float64(float32(f))
		}
		return f, nil
	case Numeric:
		var d Decimal
		switch x := v.(type) {
		case int64:
			d = DecimalFromInt(x)
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot convert %s to numeric", FormatFloat(x, 64))
			}
			s := strconv.FormatFloat(x, 'g', 15, 64)
			if from.Kind == Float4 {
				s = strconv.FormatFloat(x, 'g', 6, 64)
			}
			var err error
			if d, err = ParseDecimal(s); err != nil {
				return nil, err
			}
		case Decimal:
			d = x
		case string:
			var err error
			if d, err = ParseDecimal(x); err != nil {
				return nil, typmodInfinity(to, x, err)
			}
		default:
			return nil, cannotCast(from, to)
		}
		if to.Dyn {
			return d, nil
		}
		if to.Prec > 0 {
			return d.CheckPrecision(to.Prec, to.Scale)
		}
		return d.Rescale(to.Scale)
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			if from.Kind != Int4 {
				return nil, cannotCast(from, to)
			}
			return x != 0, nil
		case string:
			return ParseText(to, x, loc)
		}
		return nil, cannotCast(from, to)
	case Text, Varchar, Char, Unknown, JSON, JSONB:
		var s string
		switch x := v.(type) {
		case string:
			s = x
			if from.Kind == Char && to.Kind != Char {
				s = strings.TrimRight(s, " ")
			}
		case bool:
			s = strconv.FormatBool(x)
		default:
			if to.Kind == JSON || to.Kind == JSONB {
				if from.Kind != Text && from.Kind != Unknown && from.Kind != Varchar {
					return nil, cannotCast(from, to)
				}
			}
			if from.Kind == TimestampTZ {
				if ts, ok := v.(TimestampVal); ok {
					s = FormatTimestampTZ(int64(ts), loc)
					break
				}
			}
			s = FormatText(from, v)
		}
		if (to.Kind == JSON || to.Kind == JSONB) && from.Kind != JSON && from.Kind != JSONB {
			return ParseText(to, s, loc)
		}
		if to.Kind == JSONB && from.Kind == JSON {
			return ParseText(to, s, loc)
		}
		if to.Kind == Varchar && to.Width > 0 && int32(len([]rune(s))) > to.Width {
			// An explicit cast truncates silently, as in PostgreSQL.
			return string([]rune(s)[:to.Width]), nil
		}
		if to.Kind == Char && to.Width > 0 {
			r := []rune(s)
			if int32(len(r)) > to.Width {
				r = r[:to.Width]
			}
			for int32(len(r)) < to.Width {
				r = append(r, ' ')
			}
			return string(r), nil
		}
		return s, nil
	case Date:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case TimestampVal:
			us := int64(x)
			if from.Kind == TimestampTZ && loc != nil {
				return TimeToDate(TimestampToTime(us).In(loc)), nil
			}
			return DateVal(floorDiv(us, usPerDay)), nil
		}
	case Timestamp, TimestampTZ:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case DateVal:
			us := int64(x) * usPerDay
			if to.Kind == TimestampTZ && loc != nil && loc != time.UTC {
				t := DateToTime(x)
				return TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)), nil
			}
			return TimestampVal(us), nil
		case TimestampVal:
			if loc == nil || loc == time.UTC || from.Kind == to.Kind {
				return x, nil
			}
			if from.Kind == TimestampTZ { // to local wall time
				t := TimestampToTime(int64(x)).In(loc)
				return TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)), nil
			}
			t := TimestampToTime(int64(x))
			return TimeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)), nil
		}
	case Time:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case TimestampVal:
			return TimeVal(floorMod(int64(x), usPerDay)), nil
		case IntervalVal:
			return TimeVal(floorMod(x.Micros, usPerDay)), nil
		}
	case Interval:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case TimeVal:
			return IntervalVal{Micros: int64(x)}, nil
		}
	case Bytea:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case []byte:
			return x, nil
		}
	case UUID:
		if x, ok := v.(string); ok {
			return ParseText(to, x, loc)
		}
	case Array:
		switch x := v.(type) {
		case string:
			return ParseText(to, x, loc)
		case []any:
			out := make([]any, len(x))
			ef := TextT
			if from.Elem != nil {
				ef = *from.Elem
			}
			for i, e := range x {
				c, err := CastScalar(e, ef, *to.Elem, loc)
				if err != nil {
					return nil, err
				}
				out[i] = c
			}
			return out, nil
		}
	}
	return nil, cannotCast(from, to)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func cannotCast(from, to T) error {
	return sqlerr.New(sqlerr.CannotCoerce, "cannot cast type %s to %s", from.String(), to.String())
}

// CanCast reports whether an explicit cast from → to exists.
func CanCast(from, to T) bool {
	if from.Kind == Unknown || from.Kind == to.Kind {
		return true
	}
	if to.IsString() || from.IsString() {
		return true
	}
	switch {
	case from.IsNumeric() && to.IsNumeric():
		return true
	case from.Kind == Bool && to.Kind == Int4, from.Kind == Int4 && to.Kind == Bool:
		return true
	case from.Kind == Date && (to.Kind == Timestamp || to.Kind == TimestampTZ):
		return true
	case (from.Kind == Timestamp || from.Kind == TimestampTZ) && (to.Kind == Date || to.Kind == Time || to.Kind == Timestamp || to.Kind == TimestampTZ):
		return true
	case from.Kind == Time && to.Kind == Interval, from.Kind == Interval && to.Kind == Time:
		return true
	case from.Kind == Array && to.Kind == Array:
		return CanCast(*from.Elem, *to.Elem)
	case from.IsInteger() && to.Kind == Oid, from.Kind == Oid && to.IsInteger():
		return true
	case from.Kind == JSON && to.Kind == JSONB, from.Kind == JSONB && to.Kind == JSON:
		return true
	case from.Kind == JSONB && (to.IsNumeric() || to.Kind == Bool):
		return true
	}
	return false
}

// castJSONB is jsonb's casts to numbers and booleans: a jsonb number
// read as numeric and cast on, a jsonb boolean as itself; any other
// document is PostgreSQL's 22023 naming its kind.
func castJSONB(doc string, to T, loc *time.Location) (Value, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badJSON("json", doc)
	}
	kind := "null"
	switch x := v.(type) {
	case json.Number:
		if to.Kind != Bool {
			d, err := ParseDecimal(x.String())
			if err != nil {
				return nil, err
			}
			return CastScalar(d, NumericDynT, to, loc)
		}
		kind = "numeric"
	case bool:
		if to.Kind == Bool {
			return x, nil
		}
		kind = "boolean"
	case string:
		kind = "string"
	case []any:
		kind = "array"
	case map[string]any:
		kind = "object"
	}
	return nil, sqlerr.New(sqlerr.InvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to.String())
}

// GetValue reads element i of arr (of SQL type t) as a scalar.
func GetValue(t T, arr arrow.Array, i int) Value {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return int64(a.Value(i))
	case *array.Uint16:
		return int64(a.Value(i))
	case *array.Uint32:
		return int64(a.Value(i))
	case *array.Uint64:
		return Decimal{V: decimal128.FromU64(a.Value(i))}
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Float64:
		return a.Value(i)
	case *array.Decimal128:
		return Decimal{V: a.Value(i), Scale: a.DataType().(*arrow.Decimal128Type).Scale}
	case *array.Decimal64:
		return Decimal{V: decimal128.FromI64(int64(a.Value(i))), Scale: a.DataType().(*arrow.Decimal64Type).Scale}
	case *array.Decimal32:
		return Decimal{V: decimal128.FromI64(int64(a.Value(i))), Scale: a.DataType().(*arrow.Decimal32Type).Scale}
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return bytes.Clone(a.Value(i))
	case *array.FixedSizeBinary:
		return bytes.Clone(a.Value(i))
	case *array.Date32:
		return DateVal(a.Value(i))
	case *array.Date64:
		return DateVal(int64(a.Value(i)) / 86400000)
	case *array.Time64:
		v := int64(a.Value(i))
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			v /= 1000
		}
		return TimeVal(v)
	case *array.Time32:
		v := int64(a.Value(i))
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Millisecond {
			v *= 1000
		} else {
			v *= 1_000_000
		}
		return TimeVal(v)
	case *array.Timestamp:
		v := int64(a.Value(i))
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			v *= 1_000_000
		case arrow.Millisecond:
			v *= 1000
		case arrow.Nanosecond:
			v = floorDiv(v, 1000)
		}
		return TimestampVal(v)
	case *array.MonthDayNanoInterval:
		x := a.Value(i)
		return IntervalVal{Months: x.Months, Days: x.Days, Micros: x.Nanoseconds / 1000}
	case *array.List:
		et := TextT
		if t.Elem != nil {
			et = *t.Elem
		}
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, GetValue(et, vals, int(j)))
		}
		return out
	case *array.Dictionary:
		return GetValue(t, a.Dictionary(), a.GetValueIndex(i))
	case *array.Null:
		return nil
	case *DynNumericArray:
		return DynValue(DynText(a), i)
	}
	return nil
}

// AppendValue appends scalar v (already of the builder's SQL type) to b.
func AppendValue(b array.Builder, v Value) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		bb.Append(v.(bool))
	case *array.Int16Builder:
		bb.Append(int16(v.(int64)))
	case *array.Int32Builder:
		bb.Append(int32(v.(int64)))
	case *array.Int64Builder:
		bb.Append(v.(int64))
	case *array.Uint32Builder:
		bb.Append(uint32(v.(int64)))
	case *array.Float32Builder:
		bb.Append(float32(v.(float64)))
	case *array.Float64Builder:
		bb.Append(v.(float64))
	case *array.Decimal128Builder:
		d := v.(Decimal)
		want := bb.Type().(*arrow.Decimal128Type).Scale
		if d.Scale != want {
			d, _ = d.Rescale(want)
		}
		bb.Append(d.V)
	case *array.Decimal64Builder:
		d := v.(Decimal)
		want := bb.Type().(*arrow.Decimal64Type).Scale
		if d.Scale != want {
			d, _ = d.Rescale(want)
		}
		bb.Append(decimal.Decimal64(int64(d.V.LowBits())))
	case *array.StringBuilder:
		bb.Append(v.(string))
	case *array.BinaryBuilder:
		bb.Append(v.([]byte))
	case *array.Date32Builder:
		bb.Append(arrow.Date32(v.(DateVal)))
	case *array.Time64Builder:
		bb.Append(arrow.Time64(v.(TimeVal)))
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(v.(TimestampVal)))
	case *array.MonthDayNanoIntervalBuilder:
		iv := v.(IntervalVal)
		bb.Append(arrow.MonthDayNanoInterval{Months: iv.Months, Days: iv.Days, Nanoseconds: iv.Micros * 1000})
	case *array.ListBuilder:
		bb.Append(true)
		vb := bb.ValueBuilder()
		for _, e := range v.([]any) {
			AppendValue(vb, e)
		}
	case *array.ExtensionBuilder:
		if IsDynNumeric(bb.Type()) {
			bb.StorageBuilder().(*array.StringBuilder).Append(v.(Decimal).String())
			return
		}
		b.AppendNull()
	default:
		b.AppendNull()
	}
}

// Compare orders two non-NULL scalars of the same SQL type: -1, 0, 1.
func Compare(a, b Value) int {
	switch x := a.(type) {
	case bool:
		y := b.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case int64:
		switch y := b.(type) {
		case int64:
			return cmp3(x, y)
		case float64:
			return cmpFloat(float64(x), y)
		case Decimal:
			return compareDecimal(DecimalFromInt(x), y)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmpFloat(x, y)
		case int64:
			return cmpFloat(x, float64(y))
		case Decimal:
			return cmpFloat(x, y.Float64())
		}
	case Decimal:
		switch y := b.(type) {
		case Decimal:
			return compareDecimal(x, y)
		case int64:
			return compareDecimal(x, DecimalFromInt(y))
		case float64:
			return cmpFloat(x.Float64(), y)
		}
	case string:
		return strings.Compare(x, b.(string))
	case []byte:
		return bytes.Compare(x, b.([]byte))
	case DateVal:
		switch y := b.(type) {
		case DateVal:
			return cmp3(x, y)
		case TimestampVal:
			return cmp3(int64(x)*usPerDay, int64(y))
		}
	case TimeVal:
		return cmp3(x, b.(TimeVal))
	case TimestampVal:
		switch y := b.(type) {
		case TimestampVal:
			return cmp3(x, y)
		case DateVal:
			return cmp3(int64(x), int64(y)*usPerDay)
		}
	case IntervalVal:
		return cmp3(IntervalSortKey(x), IntervalSortKey(b.(IntervalVal)))
	case []any:
		y := b.([]any)
		for i := 0; i < len(x) && i < len(y); i++ {
			if x[i] == nil || y[i] == nil {
				if x[i] == nil && y[i] == nil {
					continue
				}
				if x[i] == nil {
					return 1
				}
				return -1
			}
			if c := Compare(x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmp3(len(x), len(y))
	}
	return 0
}

// IntervalSortKey orders intervals as PostgreSQL does (30-day months).
func IntervalSortKey(iv IntervalVal) float64 {
	return float64(iv.Months)*30*float64(usPerDay) + float64(iv.Days)*float64(usPerDay) + float64(iv.Micros)
}

func compareDecimal(a, b Decimal) int {
	if a.Scale == b.Scale {
		return a.V.Cmp(b.V)
	}
	// values of 64 bits brought to one scale without big numbers (the
	// common case of per-value-scale numerics)
	x, y, k := int64(a.V.LowBits()), int64(b.V.LowBits()), a.Scale-b.Scale
	if a.V.HighBits() == x>>63 && b.V.HighBits() == y>>63 && k >= -18 && k <= 18 {
		if k < 0 {
			x, y, k = y, x, -k // scale x's partner up, then flip the answer
			if r, ok := cmpScaled64(x, y, k); ok {
				return -r
			}
		} else if r, ok := cmpScaled64(x, y, k); ok {
			return r
		}
	}
	if r, ok := cmpScaled128(a, b); ok {
		return r
	}
	ab, bb := a.V.BigInt(), b.V.BigInt()
	if a.Scale < b.Scale {
		ab.Mul(ab, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(b.Scale-a.Scale)), nil))
	} else {
		bb.Mul(bb, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Scale-b.Scale)), nil))
	}
	return ab.Cmp(bb)
}

func cmp3[N int | int32 | int64 | DateVal | TimeVal | TimestampVal | float64](a, b N) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// cmpFloat orders NaN above everything, as PostgreSQL does.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp3(a, b)
}

// cmpScaled64 compares x with y·10^k (0 ≤ k ≤ 18) when the product fits
// 64 bits.
// cmpScaled128 compares two decimals of different scales in 128 bits:
// the magnitude of the one of smaller scale is multiplied up to the
// other's scale, and one that outgrows 128 bits is the larger. An avg
// of numeric (scale 16 or more) against a product of constants compared
// through big.Int allocated per row (a tenth of TPC-DS q44).
func cmpScaled128(a, b Decimal) (int, bool) {
	sa, sb := a.V.Sign(), b.V.Sign()
	if sa != sb {
		return cmp3(int64(sa), int64(sb)), true
	}
	if sa == 0 {
		return 0, true
	}
	flip := 1
	if a.Scale > b.Scale {
		a, b, flip = b, a, -1
	}
	k := b.Scale - a.Scale
	if k > 38 {
		return 0, false
	}
	am, bm := a.V.Abs(), b.V.Abs()
	if am.HighBits() < 0 || bm.HighBits() < 0 { // -2^127 has no magnitude
		return 0, false
	}
	hi, lo := uint64(am.HighBits()), am.LowBits()
	for k > 0 {
		step := min(k, 19)
		m := uint64(1)
		for range step {
			m *= 10
		}
		h1, l := bits.Mul64(lo, m)
		h2, l2 := bits.Mul64(hi, m)
		var carry uint64
		hi, carry = bits.Add64(l2, h1, 0)
		lo = l
		if h2 != 0 || carry != 0 || hi >= 1<<63 {
			// past 2^127: larger than b's magnitude
			return flip * sa, true
		}
		k -= step
	}
	bh, bl := uint64(bm.HighBits()), bm.LowBits()
	c := 0
	switch {
	case hi != bh:
		c = cmp3(int64(hi), int64(bh))
	case lo < bl:
		c = -1
	case lo > bl:
		c = 1
	}
	return flip * sa * c, true
}

func cmpScaled64(x, y int64, k int32) (int, bool) {
	m := int64(1)
	for i := int32(0); i < k; i++ {
		m *= 10
	}
	if y > math.MaxInt64/m || y < math.MinInt64/m {
		return 0, false
	}
	return cmp3(x, y*m), true
}

// CompareFloat orders two floats as PostgreSQL sorts them: NaN after
// every number, and equal to itself.
func CompareFloat(a, b float64) int { return cmpFloat(a, b) }
