package functions

import (
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// ToNumber is PostgreSQL 15's to_number(text, text) in the C locale: the
// template (to_char's) is walked node by node over the input, and what
// the digit nodes read — a sign, digits, one decimal point — becomes a
// numeric of the template's precision. It reads as leniently as
// PostgreSQL does: a digit node skips an input character that is not a
// digit, a literal skips one character whatever it is, a group separator
// is taken only where the input has one, the input may end early. An
// empty template is NULL; EEEE and RN are not read (0A000).
func ToNumber(in, pat string) (types.Value, error) {
	if pat == "" {
		return nil, nil
	}
	t, err := parseNumTemplate(pat)
	if err != nil {
		return nil, err
	}
	if t.eeee {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "\"EEEE\" not supported for input")
	}
	r := numReader{t: t, in: in, number: []byte{' '}}
	if err := r.run(); err != nil {
		return nil, err
	}
	num := r.number
	if len(num) > 1 && num[len(num)-1] == '.' {
		num = num[:len(num)-1]
	}
	return numericIn(string(num), t.pre+t.multi+r.readPost, r.readPost, t.v, t.multi)
}

// numReader is one to_number's walk: the input position and the number
// read so far (its first byte the sign: ' ', '-' or '+').
type numReader struct {
	t                 *numTemplate
	in                string
	p                 int
	number            []byte
	readPre, readPost int
	readDec           bool
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// skipChar moves past one (UTF-8) character of the input.
func (r *numReader) skipChar() {
	_, n := utf8.DecodeRuneInString(r.in[r.p:])
	r.p += max(n, 1)
}

// eatNonData skips up to n characters that cannot be part of the number.
func (r *numReader) eatNonData(n int) {
	for ; n > 0 && r.p < len(r.in); n-- {
		if strings.IndexByte("0123456789.,+-", r.in[r.p]) >= 0 {
			return
		}
		r.skipChar()
	}
}

func (r *numReader) run() error {
	t := r.t
	for _, tok := range t.toks {
		if r.p >= len(r.in) {
			return nil
		}
		switch tok.kind {
		case ntDigit9, ntDigit0, ntDec:
			r.numPart(tok.kind)
			r.p++
		case ntGroup:
			// ',' and G (',' in the C locale): taken where the input has
			// one; never under FM
			if !t.fill && r.in[r.p] == ',' {
				r.p++
			}
		case ntL:
			r.eatNonData(1) // the C locale's currency symbol is one blank
		case ntTH:
			if !t.decimal {
				r.eatNonData(2)
			}
		case ntMI, ntPL, ntSG:
			c := r.in[r.p]
			if c == '-' && tok.kind != ntPL || c == '+' && tok.kind != ntMI {
				r.number[0] = c
				r.p++
			} else {
				r.eatNonData(1)
			}
		case ntRN:
			return sqlerr.New(sqlerr.FeatureNotSupported, "\"RN\" not supported for input")
		case ntLit:
			// one input character per template character, matching or not
			for i := 0; i < len(tok.lit); i++ {
				if utf8.RuneStart(tok.lit[i]) {
					if r.p >= len(r.in) {
						return nil
					}
					r.skipChar()
				}
			}
		}
	}
	return nil
}

// numPart reads at a digit or decimal point node: a sign ahead of the
// first digit, a digit (past the template's fraction digits, skipped) or
// the decimal point, and a sign right behind the last digit.
func (r *numReader) numPart(kind numTokKind) {
	t, in := r.t, r.in
	if r.p >= len(in) {
		return
	}
	if in[r.p] == ' ' {
		r.p++
	}
	if r.p >= len(in) {
		return
	}
	if r.number[0] == ' ' && kind != ntDec && r.readPre+r.readPost == 0 {
		c := in[r.p]
		switch {
		case t.lsign == 1 && (c == '-' || c == '+'):
			r.number[0] = c
			r.p++
		case t.lsign == 1:
		case c == '-' || t.bracket && c == '<':
			r.number[0] = '-'
			r.p++
		case c == '+':
			r.number[0] = '+'
			r.p++
		}
	}
	if r.p >= len(in) {
		return
	}
	read := false
	if c := in[r.p]; isDigitByte(c) {
		if r.readDec && r.readPost == t.post {
			return
		}
		r.number = append(r.number, c)
		if r.readDec {
			r.readPost++
		} else {
			r.readPre++
		}
		read = true
	} else if t.decimal && !r.readDec && c == '.' {
		r.number = append(r.number, '.')
		r.readDec, read = true, true
	}
	if r.number[0] != ' ' || r.readPre+r.readPost == 0 {
		return
	}
	switch {
	case t.lsign != 0 && read && r.p+1 < len(in) && !isDigitByte(in[r.p+1]):
		if c := in[r.p+1]; c == '-' || c == '+' {
			r.number[0] = c
			r.p++
		}
	case !read && t.lsign == 0 && (t.plus || t.minus):
		if c := in[r.p]; c == '-' || c == '+' {
			r.number[0] = c
		}
	}
}

// numericIn is numeric_in of to_number's digits with the typmod
// (precision, scale) the template gives, then, for V, the value times
// 10^-multi as PostgreSQL computes it (numeric power, then numeric
// multiplication adding the scales).
func numericIn(s string, precision, scale int, v bool, multi int) (types.Value, error) {
	t := strings.TrimLeft(s, " ")
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	intPart, frac := t, ""
	if i := strings.IndexByte(t, '.'); i >= 0 {
		intPart, frac = t[:i], t[i+1:]
	}
	if intPart == "" && frac == "" {
		return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type numeric: \"%s\"", s)
	}
	b, _ := new(big.Int).SetString(intPart+frac+"0", 10)
	b.Quo(b, big.NewInt(10)) // the appended 0 makes "" read as zero
	if b.Sign() != 0 {
		lead := strings.TrimLeft(intPart, "0")
		if maxDigits := precision - scale; len(lead) > maxDigits {
			bound := "1"
			if maxDigits > 0 {
				bound = "10^" + strconv.Itoa(maxDigits)
			}
			return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "numeric field overflow").
				WithDetail("A field with precision " + strconv.Itoa(precision) + ", scale " + strconv.Itoa(scale) + " must round to an absolute value less than " + bound + ".")
		}
	}
	if neg {
		b.Neg(b)
	}
	if b.BitLen() > 126 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	d := types.Decimal{V: decimal128.FromBigInt(b), Scale: int32(len(frac))}
	if !v {
		return d, nil
	}
	pw, err := numericPower(types.DecimalFromInt(10), types.DecimalFromInt(int64(-multi)))
	if err != nil {
		return nil, err
	}
	f := pw.(types.Decimal)
	prod := new(big.Int).Mul(d.Big(), f.Big())
	if prod.BitLen() > 126 {
		return nil, sqlerr.New(sqlerr.NumericValueOutOfRange, "value overflows numeric format")
	}
	return types.Decimal{V: decimal128.FromBigInt(prod), Scale: d.Scale + f.Scale}, nil
}
