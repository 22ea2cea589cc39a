package types

import (
	"math/bits"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// TextAppender appends the text output form of one row of a column to
// b: what FormatTextIn renders for the row's value. The caller checks
// for NULL first (the appender renders a NULL row's stored value).
type TextAppender func(b []byte, i int) []byte

// NewTextAppender returns the appender for arr, a column of type t,
// with timestamptz shown in loc (nil: UTC). The common types are read
// straight from the array's buffers, with no value boxed or string made
// per row (results, COPY TO and text files are formatted row by row,
// and boxing each value cost more than sending it); the others go
// through GetValue and FormatTextIn.
func NewTextAppender(t T, arr arrow.Array, loc *time.Location) TextAppender {
	switch a := arr.(type) {
	case *array.Int16:
		vs := a.Int16Values()
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(vs[i]), 10) }
	case *array.Int32:
		vs := a.Int32Values()
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, int64(vs[i]), 10) }
	case *array.Int64:
		vs := a.Int64Values()
		return func(b []byte, i int) []byte { return strconv.AppendInt(b, vs[i], 10) }
	case *array.String:
		return func(b []byte, i int) []byte { return append(b, a.Value(i)...) }
	case *array.LargeString:
		return func(b []byte, i int) []byte { return append(b, a.Value(i)...) }
	case *array.Boolean:
		return func(b []byte, i int) []byte {
			if a.Value(i) {
				return append(b, 't')
			}
			return append(b, 'f')
		}
	case *array.Decimal64:
		vs := a.Values()
		sc := a.DataType().(*arrow.Decimal64Type).Scale
		return func(b []byte, i int) []byte { return appendScaled(b, int64(vs[i]), sc) }
	case *array.Decimal32:
		vs := a.Values()
		sc := a.DataType().(*arrow.Decimal32Type).Scale
		return func(b []byte, i int) []byte { return appendScaled(b, int64(vs[i]), sc) }
	case *array.Decimal128:
		vs := a.Values()
		sc := a.DataType().(*arrow.Decimal128Type).Scale
		return func(b []byte, i int) []byte {
			v := vs[i]
			if lo := v.LowBits(); v.HighBits() == int64(lo)>>63 {
				return appendScaled(b, int64(lo), sc)
			}
			return appendDecimal(b, v, sc)
		}
	case *array.Date32:
		vs := a.Date32Values()
		return func(b []byte, i int) []byte { return AppendDate(b, DateVal(vs[i])) }
	}
	return func(b []byte, i int) []byte {
		return append(b, FormatTextIn(t, GetValue(t, arr, i), loc)...)
	}
}

// appendScaled appends the decimal v·10^-scale as numeric's text shows
// it: every fraction digit of the scale, a 0 before the point.
func appendScaled(b []byte, v int64, scale int32) []byte {
	if scale <= 0 || scale > 18 {
		return append(b, decimal128.FromI64(v).ToString(scale)...)
	}
	u := uint64(v)
	if v < 0 {
		b = append(b, '-')
		u = uint64(-v) // math.MinInt64 too: its negation wraps to 1<<63
	}
	var digits [24]byte
	n := len(digits)
	for k := int32(0); k < scale; k++ {
		n--
		digits[n] = byte('0' + u%10)
		u /= 10
	}
	n--
	digits[n] = '.'
	for {
		n--
		digits[n] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return append(b, digits[n:]...)
}

// appendDecimal appends n·10^-scale as numeric's text shows it, for a
// scale from 0 to 38 (appendBigDecimal the rest): the magnitude's digits by two 64-bit divisions
// (arrow's ToString goes through big.Int, which cost averages and
// quotients more than computing them).
func appendDecimal(b []byte, n decimal128.Num, scale int32) []byte {
	if scale < 0 || scale > 38 {
		return appendBigDecimal(b, n, scale)
	}
	if n.Sign() < 0 {
		b = append(b, '-')
		n = n.Negate()
	}
	hi, lo := uint64(n.HighBits()), n.LowBits()
	var digits [48]byte
	d := digits[:0]
	if hi >= 1e19 { // past 10^38: not a numeric lakeq makes
		return appendBigDecimal(b, n, scale)
	}
	q, r := bits.Div64(hi, lo, 1e19)
	if q > 0 {
		d = strconv.AppendUint(d, q, 10)
		var pad [19]byte
		rs := strconv.AppendUint(pad[:0], r, 10)
		for k := len(rs); k < 19; k++ {
			d = append(d, '0')
		}
		d = append(d, rs...)
	} else {
		d = strconv.AppendUint(d, r, 10)
	}
	return appendPointed(b, d, int(scale))
}

// appendPointed appends digits d with a decimal point sc digits from
// their end (sc ≥ 0).
func appendPointed(b, d []byte, sc int) []byte {
	if sc == 0 {
		return append(b, d...)
	}
	if len(d) <= sc { // below 1: a 0 and the fraction's leading zeros
		b = append(b, '0', '.')
		for k := len(d); k < sc; k++ {
			b = append(b, '0')
		}
		return append(b, d...)
	}
	b = append(b, d[:len(d)-sc]...)
	b = append(b, '.')
	return append(b, d[len(d)-sc:]...)
}

// AppendDate appends a date as FormatDate renders it.
func AppendDate(b []byte, d DateVal) []byte {
	y, m, day := civil(int64(d))
	if y < 1 || y > 9999 {
		return append(b, FormatDate(d)...)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// civil is the proleptic Gregorian year, month and day of days since
// 1970-01-01 (the days-from-civil algorithm run backwards: eras of
// 400 years, years starting in March).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendBigDecimal formats any unscaled value and scale, past what
// Arrow's ToString takes (a scale above 38: 1.5e-60 has scale 61).
func appendBigDecimal(b []byte, n decimal128.Num, scale int32) []byte {
	v := n.BigInt()
	if v.Sign() < 0 {
		b = append(b, '-')
		v.Neg(v)
	}
	d := v.Append(nil, 10)
	if scale <= 0 {
		b = append(b, d...)
		for k := int32(0); k < -scale; k++ {
			b = append(b, '0')
		}
		return b
	}
	return appendPointed(b, d, int(scale))
}
