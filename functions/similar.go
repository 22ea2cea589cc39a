package functions

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lakeq/lakeq/types"

	"github.com/lakeq/lakeq/sqlerr"
)

// SimilarToRegex translates a SQL regular expression (SIMILAR TO, and
// substring(… SIMILAR … ESCAPE …)) as PostgreSQL's similar_escape does:
// % and _ are .* and ., parentheses do not capture, \ . ^ $ are literal,
// a bracket expression passes as it is, the escape character (hasEsc;
// PostgreSQL's default is backslash) makes the next character literal,
// and up to two escape-double-quote separators split the pattern into
// the parts before, of and after what substring returns (the one
// capturing group). The whole string must match.
func SimilarToRegex(pat string, esc rune, hasEsc bool) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("(?s)^(?:")
	afterEsc, inClass, classLen, quotes := false, false, 0, 0
	for _, r := range pat {
		switch {
		case afterEsc:
			switch {
			case r == '"' && !inClass:
				switch quotes {
				case 0:
					sb.WriteString("){1,1}?(")
				case 1:
					sb.WriteString("){1,1}(?:")
				default:
					return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "SQL regular expression may not contain more than two escape-double-quote separators")
				}
				quotes++
			case strings.ContainsRune("dDsSwW", r):
				// the regex engine's class escapes, as PostgreSQL passes
				// every escaped character on
				sb.WriteByte('\\')
				sb.WriteRune(r)
			default:
				sb.WriteString(regexp.QuoteMeta(string(r)))
			}
			afterEsc = false
		case hasEsc && r == esc:
			afterEsc = true
		case inClass:
			if r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
			switch {
			case r == ']' && classLen > 0:
				inClass = false
			case r == '^' && classLen == 0:
				// [^ : the next ] is still a member
			default:
				classLen++
			}
		case r == '[':
			sb.WriteRune(r)
			inClass, classLen = true, 0
		case r == '%':
			sb.WriteString(".*")
		case r == '_':
			sb.WriteByte('.')
		case r == '(':
			sb.WriteString("(?:")
		case r == '\\' || r == '.' || r == '^' || r == '$':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		default:
			sb.WriteRune(r)
		}
	}
	// an escape character at the end escapes nothing (PostgreSQL drops it)
	sb.WriteString(")$")
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegex, "invalid regular expression: %s", err.Error())
	}
	return re, nil
}

// similarSubstring is substring(s SIMILAR pattern ESCAPE esc) — PostgreSQL
// rewrites it to substring(s, pattern, esc): the part of s between the
// pattern's escape-double-quote separators (the whole match without
// them), NULL when s does not match. Compiled patterns are kept by
// pattern and escape for the statement's rows.
func similarSubstring() func(*Ctx, []types.Value) (types.Value, error) {
	var cache sync.Map
	var cached atomic.Int64
	return func(_ *Ctx, a []types.Value) (types.Value, error) {
		pat, e := a[1].(string), a[2].(string)
		esc, hasEsc := rune(0), false
		switch rs := []rune(e); len(rs) {
		case 0:
		case 1:
			esc, hasEsc = rs[0], true
		default:
			return nil, sqlerr.New(sqlerr.InvalidEscapeSequence, "invalid escape string").WithHint("Escape string must be empty or one character.")
		}
		key := e + "\x00" + pat
		var re *regexp.Regexp
		if v, ok := cache.Load(key); ok {
			re = v.(*regexp.Regexp)
		} else {
			var err error
			if re, err = SimilarToRegex(pat, esc, hasEsc); err != nil {
				return nil, err
			}
			if cached.Add(1) <= 1000 { // a pattern per row is not kept
				cache.Store(key, re)
			}
		}
		s := a[0].(string)
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return nil, nil
		}
		if len(m) >= 4 {
			if m[2] < 0 {
				return nil, nil
			}
			return s[m[2]:m[3]], nil
		}
		return s[m[0]:m[1]], nil
	}
}
