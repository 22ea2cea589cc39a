package functions

import (
	"regexp"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

// compileRegex compiles a PostgreSQL regular expression (an ARE) with
// its flags into Go's RE2. Their common ground is most of both; where
// PostgreSQL's meaning differs from RE2's reading of the same text, the
// pattern is rewritten: a dot and a negated bracket match a newline
// unless a newline-sensitive flag (n, p) says not, \y \Y \Z are \b \B \z,
// x (expanded) drops spaces and comments, q takes the pattern literally.
// What RE2 cannot do — back-references, lookaround, \m \M and [[:<:]]
// [[:>:]] word edges, basic and extended REs — is 0A000, named.
func compileRegex(pat, flags string) (*regexp.Regexp, error) {
	dotNL, multiline, ci, expanded, literal := true, false, false, false, false
	for _, f := range flags {
		switch f {
		case 'i':
			ci = true
		case 'c':
			ci = false
		case 'n', 'm': // newline-sensitive
			dotNL, multiline = false, true
		case 'p': // partial: . and [^…] stop at newlines, ^ $ do not
			dotNL, multiline = false, false
		case 'w': // inverse partial: ^ $ at newlines, . and [^…] cross them
			dotNL, multiline = true, true
		case 's':
			dotNL, multiline = true, false
		case 'x':
			expanded = true
		case 't':
			expanded = false
		case 'q':
			literal = true
		case 'g':
		case 'b', 'e':
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "regular expression option \"%c\" (basic or extended REs) is not supported: lakeq reads advanced REs", f)
		default:
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	body := regexp.QuoteMeta(pat)
	if !literal {
		var err error
		if body, err = translateARE(pat, !dotNL, expanded); err != nil {
			return nil, err
		}
	}
	prefix := ""
	if ci {
		prefix += "(?i)"
	}
	if dotNL {
		prefix += "(?s)"
	}
	if multiline {
		prefix += "(?m)"
	}
	re, err := regexp.Compile(prefix + body)
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegex, "invalid regular expression: %s", err.Error())
	}
	return re, nil
}

func unsupportedRegex(what string) error {
	return sqlerr.New(sqlerr.FeatureNotSupported, "regular expressions with %s are not supported (lakeq runs them on RE2)", what)
}

// translateARE rewrites the parts of an ARE whose RE2 reading differs.
// negNL adds the newline to negated brackets (newline-sensitive modes).
func translateARE(p string, negNL, expanded bool) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			i++
			switch e := p[i]; {
			case e >= '1' && e <= '9':
				return "", unsupportedRegex("back-references")
			case e == 'y':
				b.WriteString(`\b`)
			case e == 'Y':
				b.WriteString(`\B`)
			case e == 'Z':
				b.WriteString(`\z`)
			case e == 'm' || e == 'M':
				return "", unsupportedRegex(`\m and \M (start and end of a word)`)
			case e == 'w': // PostgreSQL's word characters are Unicode's, RE2's \w ASCII's
				b.WriteString(`[\p{L}\p{N}_]`)
			case e == 'W':
				b.WriteString(`[^\p{L}\p{N}_]`)
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		case c == '[':
			end, err := bracketEnd(p, i)
			if err != nil {
				return "", err
			}
			cls := p[i:end]
			if cls == "[[:<:]]" || cls == "[[:>:]]" {
				return "", unsupportedRegex("[[:<:]] and [[:>:]] (start and end of a word)")
			}
			if negNL && strings.HasPrefix(cls, "[^") {
				cls = `[^\n` + cls[2:]
			}
			cls = unicodeClasses.Replace(cls)
			b.WriteString(cls)
			i = end - 1
		case c == '(' && (strings.HasPrefix(p[i:], "(?=") || strings.HasPrefix(p[i:], "(?!") || strings.HasPrefix(p[i:], "(?<=") || strings.HasPrefix(p[i:], "(?<!")):
			return "", unsupportedRegex("lookahead or lookbehind constraints")
		case expanded && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'):
		case expanded && c == '#':
			for i < len(p) && p[i] != '\n' {
				i++
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// unicodeClasses rewrites a bracket's classes whose members PostgreSQL
// takes from Unicode and RE2 from ASCII.
var unicodeClasses = strings.NewReplacer(
	"[:alpha:]", `\p{L}`, "[:alnum:]", `\p{L}\p{N}`, "[:upper:]", `\p{Lu}`, "[:lower:]", `\p{Ll}`,
	`\w`, `\p{L}\p{N}_`)

// bracketEnd is the index just past the bracket expression starting at
// p[i] ('['): a ']' right after '[' or '[^' is a member, and [: :], [. .]
// and [= =] hold their own brackets.
func bracketEnd(p string, i int) (int, error) {
	j := i + 1
	if j < len(p) && p[j] == '^' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for j < len(p) {
		switch {
		case p[j] == '[' && j+1 < len(p) && (p[j+1] == ':' || p[j+1] == '.' || p[j+1] == '='):
			close := strings.Index(p[j+2:], string(p[j+1])+"]")
			if close < 0 {
				return 0, sqlerr.New(sqlerr.InvalidRegex, "invalid regular expression: brackets [] not balanced")
			}
			j += 2 + close + 2
		case p[j] == '\\' && j+1 < len(p):
			j += 2
		case p[j] == ']':
			return j + 1, nil
		default:
			j++
		}
	}
	return 0, sqlerr.New(sqlerr.InvalidRegex, "invalid regular expression: brackets [] not balanced")
}
