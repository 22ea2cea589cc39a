package functions

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// to_char for numbers, as PostgreSQL's: the value is rounded to the
// template's fraction digits and turned into a digit string, which is
// then laid over the template's digit positions from the left, with
// blank (or, from the first 0, zero) positions in front of it, the sign
// just ahead of the first printed character unless a sign pattern (S,
// MI, PL, SG, PR) places it, and '#' in every position when the integer
// part does not fit. Template and quirks are PostgreSQL 15's
// (formatting.c), checked against its output in tocharnum_test.go.

type numTokKind uint8

const (
	ntLit numTokKind = iota
	ntDigit9
	ntDigit0
	ntDec   // D or .
	ntGroup // G or ,
	ntS
	ntMI
	ntPL
	ntSG
	ntPR
	ntV
	ntEEEE
	ntRN
	ntTH
	ntL
	ntFM
	ntB    // B: prints nothing, but EEEE refuses it
	ntNone // C, SP: recognized, print nothing
)

type numTok struct {
	kind  numTokKind
	lit   string
	lower bool
}

// numTemplate is a parsed template: its tokens and what they add up to.
type numTemplate struct {
	toks       []numTok
	pre, post  int // digit positions before and after the decimal point
	v          bool
	multi      int // digits after V (the value is multiplied by 10^multi)
	zero       bool
	zeroStart  int // first integer position printed as 0 (0-based)
	zeroEnd    int // last 0 position, counted from 1 over all digits
	decimal    bool
	fill       bool
	lsign      int // 0 none, 1 before the digits, 2 after them
	preLsign   int // pre when S was seen
	bracket    bool
	minus      bool
	plus       bool
	eeee       bool
	blank      bool // B (which EEEE refuses)
	roman      bool
	romanLower bool
}

var numKeywords = []struct {
	s    string
	kind numTokKind
}{
	{"EEEE", ntEEEE}, {"eeee", ntEEEE},
	{"FM", ntFM}, {"fm", ntFM}, {"MI", ntMI}, {"mi", ntMI}, {"PL", ntPL}, {"pl", ntPL},
	{"SG", ntSG}, {"sg", ntSG}, {"PR", ntPR}, {"pr", ntPR}, {"RN", ntRN}, {"rn", ntRN},
	{"TH", ntTH}, {"th", ntTH}, {"SP", ntNone}, {"sp", ntNone},
	{"S", ntS}, {"s", ntS}, {"V", ntV}, {"v", ntV}, {"D", ntDec}, {"d", ntDec},
	{"G", ntGroup}, {"g", ntGroup}, {"L", ntL}, {"l", ntL}, {"B", ntB}, {"b", ntB},
	{"C", ntNone}, {"c", ntNone}, {"9", ntDigit9}, {"0", ntDigit0}, {".", ntDec}, {",", ntGroup},
}

func numSyntax(format string, args ...any) error {
	return sqlerr.New(sqlerr.SyntaxError, format, args...)
}

func parseNumTemplate(pat string) (*numTemplate, error) {
	t := &numTemplate{zeroStart: -1}
	for i := 0; i < len(pat); {
		if pat[i] == '"' {
			var sb strings.Builder
			j := i + 1
			for ; j < len(pat) && pat[j] != '"'; j++ {
				if pat[j] == '\\' && j+1 < len(pat) && pat[j+1] == '"' {
					j++
				}
				sb.WriteByte(pat[j])
			}
			t.toks = append(t.toks, numTok{kind: ntLit, lit: sb.String()})
			i = j + 1
			continue
		}
		matched := false
		for _, k := range numKeywords {
			if strings.HasPrefix(pat[i:], k.s) {
				lower := k.s[0] >= 'a' && k.s[0] <= 'z'
				if err := t.add(k.kind, lower); err != nil {
					return nil, err
				}
				t.toks = append(t.toks, numTok{kind: k.kind, lower: lower})
				i += len(k.s)
				matched = true
				break
			}
		}
		if !matched {
			t.toks = append(t.toks, numTok{kind: ntLit, lit: pat[i : i+1]})
			i++
		}
	}
	if t.eeee && (t.lsign != 0 || t.bracket || t.minus || t.plus || t.roman || t.v || t.fill || t.blank) {
		return nil, sqlerr.New(sqlerr.SyntaxError, "\"EEEE\" is incompatible with other formats").
			WithDetail("\"EEEE\" may only be used together with digit and decimal point patterns.")
	}
	return t, nil
}

// add records a pattern in the template's totals, refusing the
// combinations PostgreSQL refuses.
func (t *numTemplate) add(k numTokKind, lower bool) error {
	if t.eeee && k == ntEEEE {
		return numSyntax("cannot use \"EEEE\" twice")
	}
	if t.eeee {
		return numSyntax("\"EEEE\" must be the last pattern used")
	}
	switch k {
	case ntDigit9, ntDigit0:
		if t.bracket {
			return numSyntax("\"%s\" must be ahead of \"PR\"", map[bool]string{true: "0", false: "9"}[k == ntDigit0])
		}
		if k == ntDigit9 && t.v {
			t.multi++
			return nil
		}
		if k == ntDigit0 && !t.zero && !t.decimal {
			t.zero, t.zeroStart = true, t.pre
		}
		if t.decimal {
			t.post++
		} else {
			t.pre++
		}
		if k == ntDigit0 {
			t.zeroEnd = t.pre + t.post
		}
	case ntDec:
		if t.decimal {
			return numSyntax("multiple decimal points")
		}
		if t.v {
			return numSyntax("cannot use \"V\" and decimal point together")
		}
		t.decimal = true
	case ntFM:
		t.fill = true
	case ntS:
		if t.lsign != 0 {
			return numSyntax("cannot use \"S\" twice")
		}
		if t.plus || t.minus || t.bracket {
			return numSyntax("cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together")
		}
		if !t.decimal {
			t.lsign, t.preLsign = 1, t.pre
		} else {
			t.lsign = 2
		}
	case ntMI, ntPL, ntSG:
		if t.lsign != 0 {
			return numSyntax("cannot use \"S\" and \"%s\" together", map[numTokKind]string{ntMI: "MI", ntPL: "PL", ntSG: "SG"}[k])
		}
		if k != ntPL {
			t.minus = true
		}
		if k != ntMI {
			t.plus = true
		}
	case ntPR:
		if t.lsign != 0 || t.plus || t.minus {
			return numSyntax("cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together")
		}
		t.bracket = true
	case ntV:
		if t.decimal {
			return numSyntax("cannot use \"V\" and decimal point together")
		}
		t.v = true
	case ntRN:
		t.roman, t.romanLower = true, lower
	case ntB:
		if t.pre == 0 && t.post == 0 && !t.zero {
			t.blank = true // only a B ahead of every digit counts
		}
	case ntEEEE:
		if t.roman || t.lsign != 0 || t.bracket || t.plus || t.minus || t.v || t.fill || t.blank {
			return sqlerr.New(sqlerr.SyntaxError, "\"EEEE\" is incompatible with other formats").
				WithDetail("\"EEEE\" may only be used together with digit and decimal point patterns.")
		}
		t.eeee = true
	}
	return nil
}

// numberDigits is a value rounded for the template: its digits without
// sign ("123.46", "0.50", "5"), whether it is negative, and its exact
// decimal text for EEEE.
type numberDigits struct {
	digits string
	neg    bool
}

// decimalDigits rounds d (times 10^multi) half away from zero to post
// fraction digits, as numeric_round does.
func decimalDigits(d types.Decimal, multi, post int) numberDigits {
	b := d.Big()
	neg := b.Sign() < 0
	abs := new(big.Int).Abs(b).String()
	scale := int(d.Scale) - multi
	if scale < 0 {
		abs += strings.Repeat("0", -scale)
		scale = 0
	}
	if scale > post {
		cut := len(abs) - (scale - post)
		up := false
		if cut < 0 {
			abs, cut = "0", 1
		} else {
			up = cut < len(abs) && abs[cut] >= '5'
			abs = abs[:cut]
		}
		if abs == "" {
			abs = "0"
		}
		if up {
			abs = incDigits(abs)
		}
		scale = post
	}
	abs += strings.Repeat("0", post-scale)
	if t := strings.TrimLeft(abs, "0"); len(t) < len(abs) {
		abs = t // 0 times 10^multi is still one 0
	}
	if len(abs) <= post {
		abs = strings.Repeat("0", post-len(abs)+1) + abs
	}
	if post > 0 {
		abs = abs[:len(abs)-post] + "." + abs[len(abs)-post:]
	}
	if strings.Trim(abs, "0.") == "" {
		neg = false // numeric has no negative zero
	}
	return numberDigits{digits: abs, neg: neg}
}

// incDigits adds one to a string of decimal digits.
func incDigits(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// floatDigits formats v (times 10^multi) as C's printf does for
// float8_to_char: at most 15 significant digits, rounded from the binary
// value, and a negative zero keeps its sign.
func floatDigits(v float64, multi, post int) (numberDigits, int) {
	if multi > 0 {
		v *= math.Pow(10, float64(multi))
	}
	intLen := len(strconv.FormatFloat(math.Abs(v), 'f', 0, 64))
	if intLen >= 15 {
		post = 0
	} else if intLen+post > 15 {
		post = 15 - intLen
	}
	s := strconv.FormatFloat(v, 'f', post, 64)
	neg := strings.HasPrefix(s, "-")
	return numberDigits{digits: strings.TrimPrefix(s, "-"), neg: neg}, post
}

// NumberToChar is to_char(numeric, template).
func NumberToChar(d types.Decimal, pat string) (string, error) {
	t, err := parseNumTemplate(pat)
	if err != nil {
		return "", err
	}
	switch {
	case t.roman:
		r := decimalDigits(d, 0, 0)
		n, err := strconv.ParseInt(r.digits, 10, 32)
		if r.neg {
			n = -n
		}
		if err != nil || n < math.MinInt32 || n > math.MaxInt32 {
			return "", sqlerr.New(sqlerr.NumericValueOutOfRange, "integer out of range")
		}
		return t.render(0, 0, toRoman(int(n), false))
	case t.eeee:
		return decimalSci(d, t.post), nil
	}
	pre := t.pre + t.multi
	return t.layout(decimalDigits(d, t.multi, t.post), pre, t.post)
}

// FloatToChar is to_char(double precision, template).
func FloatToChar(v float64, pat string) (string, error) {
	t, err := parseNumTemplate(pat)
	if err != nil {
		return "", err
	}
	if math.IsNaN(v) {
		if t.fill {
			return "NaN", nil
		}
		return " NaN", nil
	}
	switch {
	case t.roman:
		n := 0
		big := math.Abs(v) >= 1e9
		if !big && !math.IsInf(v, 0) {
			n = int(math.RoundToEven(v))
		}
		return t.render(0, 0, toRoman(n, big))
	case t.eeee:
		if math.IsInf(v, 0) {
			return t.overflowSci(v < 0), nil
		}
		s := strconv.FormatFloat(v, 'e', t.post, 64)
		if !strings.HasPrefix(s, "-") {
			s = " " + s
		}
		return s, nil
	}
	pre := t.pre + t.multi
	if math.IsInf(v, 0) {
		return t.layout(numberDigits{digits: strings.Repeat("9", pre+1), neg: v < 0}, pre, t.post)
	}
	nd, post := floatDigits(v, t.multi, t.post)
	return t.layout(nd, pre, post)
}

// overflowSci is EEEE's output for an infinite value: '#' in the
// mantissa's and exponent's places.
func (t *numTemplate) overflowSci(neg bool) string {
	s := "#"
	if t.post > 0 {
		s += "." + strings.Repeat("#", t.post)
	}
	sign := " "
	if neg {
		sign = "-"
	}
	return sign + s + "e+##"
}

// decimalSci is numeric EEEE: the exponent from the value's leading
// digit, then the mantissa rounded (so 99.995 with two digits is
// 10.00e+01, as PostgreSQL prints it).
func decimalSci(d types.Decimal, post int) string {
	b := d.Big()
	neg := b.Sign() < 0
	abs := new(big.Int).Abs(b).String()
	exp := 0
	if b.Sign() != 0 {
		exp = len(abs) - 1 - int(d.Scale)
	}
	// the mantissa's digits: the value with its point moved exp places
	m := types.Decimal{V: d.V, Scale: d.Scale + int32(exp)}
	if neg {
		m = types.Decimal{V: d.V.Negate(), Scale: d.Scale + int32(exp)}
	}
	var mant string
	if m.Scale >= 0 && m.Scale <= 38 {
		mant = decimalDigits(m, 0, post).digits
	} else {
		mant = strconv.FormatFloat(m.Float64(), 'f', post, 64)
	}
	sign := " "
	if neg {
		sign = "-"
	}
	return sign + mant + types.Exponent(exp)
}

var romanDigits = []struct {
	v int
	s string
}{{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}

// toRoman is n in Roman numerals, fifteen '#' outside 1…3999.
func toRoman(n int, tooBig bool) string {
	if tooBig || n < 1 || n > 3999 {
		return strings.Repeat("#", 15)
	}
	var sb strings.Builder
	for _, r := range romanDigits {
		for n >= r.v {
			sb.WriteString(r.s)
			n -= r.v
		}
	}
	return sb.String()
}

// layout lays the rounded digits over the template.
func (t *numTemplate) layout(nd numberDigits, pre, post int) (string, error) {
	number := nd.digits
	preLen := len(number)
	if i := strings.IndexByte(number, '.'); i >= 0 {
		preLen = i
	}
	outPreSpaces := 0
	if preLen < pre {
		outPreSpaces = pre - preLen
	} else if preLen > pre {
		number = strings.Repeat("#", pre) + "." + strings.Repeat("#", post)
	}
	sign := byte('+')
	if nd.neg {
		sign = '-'
	}
	return t.render(sign, outPreSpaces, number)
}

// render walks the template with the number string (or the Roman
// numeral) in hand.
// The sign is '+' or '-', or 0 for a Roman numeral (which has none:
// PL and MI print blanks, SG ends the output as PostgreSQL's NUL does).
func (t *numTemplate) render(sign byte, outPreSpaces int, number string) (string, error) {
	r := numRender{t: t, number: number, sign: sign, outPreSpaces: outPreSpaces, lastRel: -1, cut: -1, bracket: t.bracket, lsign: t.lsign}
	if t.plus || t.minus {
		r.signWrote = !(t.plus && !t.minus)
	} else {
		if sign != '-' && t.fill {
			r.bracket = false
		}
		r.signWrote = sign == '+' && t.fill && t.lsign == 0
		if r.lsign == 1 && t.pre+t.multi == t.preLsign {
			r.lsign = 2 // S after every integer digit
		}
	}
	r.numCount = t.post + t.pre + t.multi - 1
	if t.fill && t.decimal {
		r.lastRel = lastRelevant(number)
		if r.lastRel >= 0 && t.zeroEnd > outPreSpaces {
			lz := min(len(number)-1, t.zeroEnd-outPreSpaces)
			if r.lastRel < lz {
				r.lastRel = lz
			}
		}
	}
	if !r.signWrote && outPreSpaces == 0 {
		r.numCount++
	}
	for _, tok := range t.toks {
		switch tok.kind {
		case ntDigit9, ntDigit0, ntDec:
			r.numPart(tok.kind)
		case ntGroup:
			if !r.numIn {
				if !t.fill {
					r.out = append(r.out, ' ')
				}
			} else {
				r.out = append(r.out, ',')
			}
		case ntL:
			r.out = append(r.out, ' ') // the C locale's currency symbol
		case ntRN:
			if !t.roman {
				continue
			}
			rn := number
			if tok.lower {
				rn = strings.ToLower(rn)
			}
			if t.fill {
				r.out = append(r.out, rn...)
			} else {
				r.out = append(r.out, strings.Repeat(" ", max(15-len(rn), 0))+rn...)
			}
		case ntTH:
			if t.roman || strings.HasPrefix(number, "#") || sign == '-' || t.decimal {
				continue
			}
			if number == "" || number[len(number)-1] < '0' || number[len(number)-1] > '9' {
				return "", sqlerr.New(sqlerr.InvalidTextRepr, "\"%s\" is not a number", number)
			}
			suf := ordinalSuffix(number)
			if tok.lower {
				suf = strings.ToLower(suf)
			}
			r.out = append(r.out, suf...)
		case ntMI:
			if sign == '-' {
				r.out = append(r.out, '-')
			} else if !t.fill {
				r.out = append(r.out, ' ')
			}
		case ntPL:
			if sign == '+' {
				r.out = append(r.out, '+')
			} else if !t.fill {
				r.out = append(r.out, ' ')
			}
		case ntSG:
			if sign == 0 && r.cut < 0 {
				r.cut = len(r.out)
			}
			r.out = append(r.out, sign)
		case ntLit:
			r.out = append(r.out, tok.lit...)
		}
	}
	if r.cut >= 0 {
		return string(r.out[:r.cut]), nil
	}
	return string(r.out), nil
}

// lastRelevant is the index of the last non-zero digit after the point,
// or of the point itself when they are all zero (-1 without a point).
func lastRelevant(number string) int {
	p := strings.IndexByte(number, '.')
	if p < 0 {
		return -1
	}
	res := p
	for i := p + 1; i < len(number); i++ {
		if number[i] != '0' {
			res = i
		}
	}
	return res
}

// ordinalSuffix is the English ordinal suffix of a whole number's digits.
func ordinalSuffix(number string) string {
	n := len(number)
	if n == 0 {
		return "TH"
	}
	last := number[n-1]
	if n > 1 && number[n-2] == '1' {
		return "TH"
	}
	switch last {
	case '1':
		return "ST"
	case '2':
		return "ND"
	case '3':
		return "RD"
	}
	return "TH"
}

// numRender is the state of one rendering.
type numRender struct {
	t            *numTemplate
	out          []byte
	number       string
	np           int // next character of number
	sign         byte
	signWrote    bool
	numIn        bool // a digit has been printed (group separators print from then on)
	numCurr      int  // digit and decimal point positions passed
	numCount     int
	outPreSpaces int
	lastRel      int
	cut          int // where the output ends (-1: at its end)
	bracket      bool
	lsign        int
}

// predecSpace: the number's integer part is a lone 0 printed as a blank
// ("0.5" with 9.9 is " .5"), unless the template has an integer 0.
func (r *numRender) predecSpace() bool {
	return !r.t.zero && r.np == 0 && len(r.number) > 0 && r.number[0] == '0' && r.t.post != 0
}

func (r *numRender) numPart(k numTokKind) {
	t := r.t
	if t.roman {
		return
	}
	if !r.signWrote &&
		(r.numCurr >= r.outPreSpaces || t.zero && t.zeroStart == r.numCurr) &&
		(!r.predecSpace() || r.lastRel >= 0 && r.number[r.lastRel] == '.') {
		switch {
		case r.lsign != 0:
			if r.lsign == 1 {
				r.out = append(r.out, r.sign)
				r.signWrote = true
			}
		case r.bracket:
			if r.sign == '+' {
				r.out = append(r.out, ' ')
			} else {
				r.out = append(r.out, '<')
			}
			r.signWrote = true
		case r.sign == '+':
			if !t.fill {
				r.out = append(r.out, ' ')
			}
			r.signWrote = true
		default:
			r.out = append(r.out, '-')
			r.signWrote = true
		}
	}
	switch {
	case r.numCurr < r.outPreSpaces && (t.zeroStart > r.numCurr || !t.zero):
		if !t.fill {
			r.out = append(r.out, ' ')
		}
	case t.zero && r.numCurr < r.outPreSpaces && t.zeroStart <= r.numCurr:
		r.out = append(r.out, '0')
		r.numIn = true
	default:
		var c byte
		if r.np < len(r.number) {
			c = r.number[r.np]
		}
		switch {
		case c == '.':
			r.out = append(r.out, '.')
			r.numIn = false // a group separator right after the point is blank
		case r.lastRel >= 0 && r.np > r.lastRel && k != ntDigit0:
		case r.predecSpace():
			if !t.fill {
				r.out = append(r.out, ' ')
			} else if r.lastRel >= 0 && r.number[r.lastRel] == '.' {
				r.out = append(r.out, '0')
			}
		case c != 0:
			r.out = append(r.out, c)
			r.numIn = true
		default:
			// PostgreSQL copies the number's terminating NUL here, which
			// ends its output ('999DS' prints no sign)
			if r.cut < 0 {
				r.cut = len(r.out)
			}
		}
		if r.np < len(r.number) {
			r.np++
		}
	}
	end := r.numCount + b2i(r.outPreSpaces > 0) + b2i(t.decimal)
	if r.lastRel >= 0 && r.lastRel == r.np {
		end = r.numCurr
	}
	if r.numCurr+1 == end {
		switch {
		case r.signWrote && r.bracket:
			if r.sign == '+' {
				r.out = append(r.out, ' ')
			} else {
				r.out = append(r.out, '>')
			}
		case r.lsign == 2:
			r.out = append(r.out, r.sign)
		}
	}
	r.numCurr++
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
