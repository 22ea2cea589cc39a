package engine

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Redshift's load error codes (STL_LOAD_ERRORS.err_code), the ones a
// lakeq load reports.
const (
	errUnknownParse   = 1200
	errExtraColumns   = 1202
	errFewerColumns   = 1203
	errOutOfRange     = 1204
	errDateFormat     = 1205
	errTimestampFmt   = 1206
	errInvalidDigit   = 1207
	errFloatFormat    = 1208
	errDecimalFormat  = 1209
	errBoolFormat     = 1210
	errNotNull        = 1213
	errUnterminated   = 1214
	errInvalidUTF8    = 1220
	errMissingFileErr = 1212
)

// loadCol converts one column's fields to its type, appending to an
// Arrow builder. A row is checked field by field into each column's
// pending value first and appended only when every field converted, so
// a rejected row leaves nothing behind. One per slice: not shared.
type loadCol struct {
	name    string
	t       types.T
	notNull bool
	o       *loadOpts
	loc     *time.Location
	b       array.Builder
	fmt     []datePart // DATEFORMAT/TIMEFORMAT pattern, nil for the default

	// valid says the next field is known to be valid UTF-8 (its whole
	// line was checked at once), so set need not check it again
	valid bool

	null bool
	i    int64
	f    float64
	s    []byte
	v    types.Value
	buf  []byte
}

func newLoadCol(name string, t types.T, notNull bool, o *loadOpts, loc *time.Location, mem memory.Allocator) *loadCol {
	c := &loadCol{name: name, t: t, notNull: notNull, o: o, loc: loc, b: array.NewBuilder(mem, t.Arrow())}
	switch {
	case t.Kind == types.Date && o.dateFmt != "" && o.dateFmt != "auto":
		c.fmt, _ = compileDateFormat(o.dateFmt)
	case (t.Kind == types.Timestamp || t.Kind == types.TimestampTZ) && o.timeFmt != "" && o.timeFmt != "auto" && o.timeFmt[0] != 'e':
		c.fmt, _ = compileDateFormat(o.timeFmt)
	}
	return c
}

func (c *loadCol) isChar() bool {
	k := c.t.Kind
	return k == types.Text || k == types.Varchar || k == types.Char
}

// convError is one field that did not convert: a Redshift error code
// and a sqlerr error with PostgreSQL's SQLSTATE and message.
type convError struct {
	code int
	err  *sqlerr.Error
}

func convErr(code int, state, format string, args ...any) *convError {
	return &convError{code: code, err: sqlerr.New(state, format, args...)}
}

// set converts f (nil: the NULL marker matched) into the pending value.
func (c *loadCol) set(f []byte, isNull bool) *convError {
	c.null, c.v = false, nil
	o := c.o
	if !isNull && o.redshift {
		if o.trim && c.isChar() {
			f = bytes.TrimRight(f, " \t")
		}
		switch {
		case o.blanksAsNull && len(f) > 0 && len(bytes.TrimSpace(f)) == 0:
			isNull = true
		case len(f) == 0 && (o.emptyAsNull || !c.isChar()):
			// Redshift loads an empty non-character field as NULL
			isNull = true
		}
	}
	if isNull {
		if c.notNull {
			return convErr(errNotNull, sqlerr.NotNullViolation, "null value in column \"%s\" violates not-null constraint", c.name)
		}
		c.null = true
		return nil
	}
	if !c.valid {
		if !utf8.Valid(f) {
			if o.acceptInv == "" {
				return &convError{code: errInvalidUTF8, err: asSQLErr(types.InvalidUTF8(f, "column "+c.name))}
			}
			c.buf = bytes.ToValidUTF8(f, []byte(o.acceptInv))
			f = c.buf
		}
	}
	str := unsafe.String(unsafe.SliceData(f), len(f))
	switch c.t.Kind {
	case types.Text:
		c.s = f
		return nil
	case types.Varchar:
		if w := int(c.t.Width); w > 0 && len(f) > w {
			if n := utf8.RuneCount(f); n > w {
				if t := bytes.TrimRight(f, " "); utf8.RuneCount(t) <= w {
					// spaces past the width are cut, not an error (SQL's rule)
					c.s = truncateRunes(f, w)
					return nil
				}
				if !o.truncate {
					return convErr(errOutOfRange, sqlerr.StringDataRightTrunc, "value too long for type character varying(%d)", w)
				}
				f = truncateRunes(f, w)
			}
		}
		c.s = f
		return nil
	case types.Int2, types.Int4, types.Int8:
		n, ok := parseLoadInt(f)
		lo, hi := int64(-1<<63), int64(1<<63-1)
		switch c.t.Kind {
		case types.Int2:
			lo, hi = -1<<15, 1<<15-1
		case types.Int4:
			lo, hi = -1<<31, 1<<31-1
		}
		if !ok {
			// PostgreSQL's looser forms (spaces, _ separators) or its error
			v, err := types.ParseText(c.t, str, c.loc)
			if err != nil {
				return &convError{code: errInvalidDigit, err: asSQLErr(err)}
			}
			n = toInt64(v)
		}
		if n < lo || n > hi {
			return convErr(errOutOfRange, sqlerr.NumericValueOutOfRange, "value \"%s\" is out of range for type %s", str, c.t)
		}
		c.i = n
		return nil
	case types.Float4, types.Float8:
		v, err := strconv.ParseFloat(string(bytes.TrimSpace(f)), 64)
		// zero may be an underflow, and real has its own range: both are
		// ParseText's to judge
		if err != nil || v == 0 || c.t.Kind == types.Float4 {
			pv, perr := types.ParseText(c.t, str, c.loc)
			if perr != nil {
				return &convError{code: errFloatFormat, err: asSQLErr(perr)}
			}
			v = toFloat64(pv)
		}
		c.f = v
		return nil
	case types.Numeric:
		if !c.t.Dyn && c.t.Small() {
			if n, ok := parseDecimal64(f, c.t.Prec, c.t.Scale, !o.redshift || o.roundec); ok {
				c.i = n
				return nil
			}
		}
		if o.redshift && !o.roundec && !c.t.Dyn {
			str = truncateScale(str, c.t.Scale)
		}
		v, err := types.ParseText(c.t, str, c.loc)
		if err != nil {
			return &convError{code: errDecimalFormat, err: asSQLErr(err)}
		}
		c.v = v
		return nil
	case types.Date:
		if c.fmt != nil {
			t, ok := parseWithFormat(f, c.fmt)
			if !ok {
				return convErr(errDateFormat, sqlerr.InvalidDatetimeFormat, "date \"%s\" does not match DATEFORMAT '%s'", str, o.dateFmt)
			}
			c.i = int64(types.TimeToDate(t))
			return nil
		}
		if d, ok := parseISODate(f); ok {
			c.i = int64(d)
			return nil
		}
		v, err := types.ParseText(c.t, str, c.loc)
		if err != nil {
			return &convError{code: errDateFormat, err: asSQLErr(err)}
		}
		c.v = v
		return nil
	case types.Timestamp, types.TimestampTZ:
		switch {
		case o.timeFmt == "epochsecs" || o.timeFmt == "epochmillisecs":
			n, ok := parseLoadInt(f)
			if !ok {
				return convErr(errTimestampFmt, sqlerr.InvalidDatetimeFormat, "timestamp \"%s\" is not %s", str, o.timeFmt)
			}
			if o.timeFmt == "epochsecs" {
				c.v = types.TimestampVal(n * 1_000_000)
			} else {
				c.v = types.TimestampVal(n * 1000)
			}
			return nil
		case c.fmt != nil:
			t, ok := parseWithFormat(f, c.fmt)
			if !ok {
				return convErr(errTimestampFmt, sqlerr.InvalidDatetimeFormat, "timestamp \"%s\" does not match TIMEFORMAT '%s'", str, o.timeFmt)
			}
			if c.t.Kind == types.TimestampTZ {
				// the pattern's wall time is in the session's zone
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), c.loc)
			}
			c.v = types.TimestampVal(t.UnixMicro())
			return nil
		}
		v, err := types.ParseText(c.t, str, c.loc)
		if err != nil {
			return &convError{code: errTimestampFmt, err: asSQLErr(err)}
		}
		c.v = v
		return nil
	case types.Bool:
		v, err := types.ParseText(c.t, str, c.loc)
		if err != nil {
			return &convError{code: errBoolFormat, err: asSQLErr(err)}
		}
		c.v = v
		return nil
	}
	if c.t.Kind == types.Char && c.t.Width > 0 && len(f) <= int(c.t.Width) && isASCII(f) {
		// the common case: short ASCII, blank-padded to the width as
		// character(n) stores it
		c.buf = append(c.buf[:0], f...)
		for len(c.buf) < int(c.t.Width) {
			c.buf = append(c.buf, ' ')
		}
		c.s = c.buf
		return nil
	}
	if c.t.Kind == types.Char && c.t.Width > 0 && utf8.RuneCount(bytes.TrimRight(f, " ")) > int(c.t.Width) {
		if !o.truncate {
			return convErr(errOutOfRange, sqlerr.StringDataRightTrunc, "value too long for type character(%d)", c.t.Width)
		}
		str = string(truncateRunes(f, int(c.t.Width)))
	}
	v, err := types.ParseText(c.t, str, c.loc)
	if err != nil {
		return &convError{code: errUnknownParse, err: asSQLErr(err)}
	}
	c.v = v
	return nil
}

// commit appends the pending value.
func (c *loadCol) commit() {
	if c.null {
		c.b.AppendNull()
		return
	}
	switch b := c.b.(type) {
	case *array.StringBuilder:
		if c.v != nil {
			types.AppendValue(b, c.v)
			c.v = nil
			return
		}
		b.BinaryBuilder.Append(c.s)
		return
	case *array.Int64Builder:
		b.Append(c.i)
		return
	case *array.Int32Builder:
		b.Append(int32(c.i))
		return
	case *array.Int16Builder:
		b.Append(int16(c.i))
		return
	case *array.Float64Builder:
		b.Append(c.f)
		return
	case *array.Float32Builder:
		b.Append(float32(c.f))
		return
	case *array.Decimal64Builder:
		if c.v == nil {
			b.Append(decimal.Decimal64(c.i))
			return
		}
	case *array.Date32Builder:
		if c.v == nil {
			b.Append(arrow.Date32(c.i))
			return
		}
	}
	types.AppendValue(c.b, c.v)
	c.v = nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func asSQLErr(err error) *sqlerr.Error {
	if se, ok := err.(*sqlerr.Error); ok {
		return se
	}
	return sqlerr.New(sqlerr.InvalidTextRepr, "%v", err)
}

func toInt64(v types.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	}
	return 0
}

func toFloat64(v types.Value) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	}
	return 0
}

func truncateRunes(f []byte, n int) []byte {
	for i := range string(f) {
		if n == 0 {
			return f[:i]
		}
		n--
	}
	return f
}

// truncateScale drops the digits past scale of a plain decimal string
// (Redshift truncates unless ROUNDEC); other forms pass unchanged.
func truncateScale(s string, scale int32) string {
	dot := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if dot >= 0 {
				return s
			}
			dot = i
		case c >= '0' && c <= '9', (c == '-' || c == '+') && i == 0:
		default:
			return s
		}
	}
	if dot >= 0 && len(s)-dot-1 > int(scale) {
		s = s[:dot+1+int(scale)]
		if scale == 0 {
			s = s[:dot]
		}
	}
	return s
}

// parseLoadInt reads [-+]digits; ok is false for anything else.
func parseLoadInt(f []byte) (int64, bool) {
	if len(f) == 0 || len(f) > 20 {
		return 0, false
	}
	neg := false
	i := 0
	if f[0] == '-' || f[0] == '+' {
		neg, i = f[0] == '-', 1
		if len(f) == 1 {
			return 0, false
		}
	}
	var n uint64
	for ; i < len(f); i++ {
		d := f[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (1<<63)/10 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	if neg {
		if n > 1<<63 {
			return 0, false
		}
		return -int64(n), true
	}
	if n > 1<<63-1 {
		return 0, false
	}
	return int64(n), true
}

// parseDecimal64 reads [-+]digits[.digits] as a value of scale scale
// fitting precision prec, rounding half away from zero or truncating
// extra fraction digits; ok is false for other forms or overflow (the
// general parser then gives the error).
func parseDecimal64(f []byte, prec, scale int32, round bool) (int64, bool) {
	if len(f) == 0 || len(f) > 40 {
		return 0, false
	}
	i := 0
	neg := false
	if f[0] == '-' || f[0] == '+' {
		neg, i = f[0] == '-', 1
	}
	var n int64
	intDigits, fracDigits := 0, int32(0)
	seenDot, any := false, false
	roundUp := false
	for ; i < len(f); i++ {
		ch := f[i]
		if ch == '.' {
			if seenDot {
				return 0, false
			}
			seenDot = true
			continue
		}
		d := ch - '0'
		if d > 9 {
			return 0, false
		}
		any = true
		if seenDot {
			if fracDigits == scale {
				if fracDigits == scale && round && !roundUp {
					roundUp = d >= 5
					fracDigits++ // only the first dropped digit decides
				}
				continue
			}
			if fracDigits > scale {
				continue
			}
			fracDigits++
		} else {
			if n == 0 && d == 0 {
				continue // leading zeros
			}
			intDigits++
		}
		n = n*10 + int64(d)
	}
	if !any || intDigits > int(prec-scale) {
		return 0, false
	}
	for fd := min(fracDigits, scale); fd < scale; fd++ {
		n *= 10
	}
	if roundUp {
		n++
		if p := pow10(prec); n >= p {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseISODate reads YYYY-MM-DD exactly.
func parseISODate(f []byte) (types.DateVal, bool) {
	if len(f) != 10 || f[4] != '-' || f[7] != '-' {
		return 0, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(f[:4])
	m, ok2 := num(f[5:7])
	d, ok3 := num(f[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > types.DaysInMonth(y, m) {
		return 0, false
	}
	return types.DateVal(daysFromCivil(y, m, d)), true
}

// daysFromCivil is days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func pow10(n int32) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}
