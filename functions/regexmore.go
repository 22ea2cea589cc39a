package functions

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// PostgreSQL's other regular-expression functions: regexp_split_to_array
// (and the set-returning regexp_split_to_table, planner/physical.go),
// and PostgreSQL 15's regexp_like, regexp_count, regexp_substr and
// regexp_instr. Positions are characters, counted from 1.

func regexMoreScalars() []*Scalar {
	return []*Scalar{
		{Name: "regexp_split_to_array", Overloads: []Overload{
			row([]Arg{aText, aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return splitArray(a[0].(string), a[1].(string), "")
			}),
			row([]Arg{aText, aText, aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
				return splitArray(a[0].(string), a[1].(string), a[2].(string))
			}),
		}},
		{Name: "regexp_like", Overloads: []Overload{
			row([]Arg{aText, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexLike(a[0].(string), a[1].(string), "")
			}),
			row([]Arg{aText, aText, aText}, types.BoolT, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexLike(a[0].(string), a[1].(string), a[2].(string))
			}),
		}},
		{Name: "regexp_count", Overloads: []Overload{
			row([]Arg{aText, aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexCount(a[0].(string), a[1].(string), 1, "")
			}),
			row([]Arg{aText, aText, aInt4}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexCount(a[0].(string), a[1].(string), a[2].(int64), "")
			}),
			row([]Arg{aText, aText, aInt4, aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
				return regexCount(a[0].(string), a[1].(string), a[2].(int64), a[3].(string))
			}),
		}},
		{Name: "regexp_substr", Overloads: regexPosOverloads(false)},
		{Name: "regexp_instr", Overloads: regexPosOverloads(true)},
	}
}

// noGlobal refuses the g flag where PostgreSQL does.
func noGlobal(fn, flags string) error {
	if strings.ContainsRune(flags, 'g') {
		return sqlerr.New(sqlerr.InvalidParameterValue, "%s() does not support the \"global\" option", fn)
	}
	return nil
}

// RegexpSplit is regexp_split_to_table's rows and regexp_split_to_array's
// elements: the text between matches, a zero-length match at either end
// or right after another ignored, as PostgreSQL ignores them.
func RegexpSplit(s, pat, flags, fn string) ([]string, error) {
	if err := noGlobal(fn, flags); err != nil {
		return nil, err
	}
	re, err := compileRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	var out []string
	prev := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] >= len(s) || m[1] <= prev {
			continue
		}
		out = append(out, s[prev:m[0]])
		prev = m[1]
	}
	return append(out, s[prev:]), nil
}

func splitArray(s, pat, flags string) (types.Value, error) {
	parts, err := RegexpSplit(s, pat, flags, "regexp_split_to_array")
	if err != nil {
		return nil, err
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func regexLike(s, pat, flags string) (types.Value, error) {
	if err := noGlobal("regexp_like", flags); err != nil {
		return nil, err
	}
	re, err := compileRegex(pat, flags)
	if err != nil {
		return nil, err
	}
	return re.MatchString(s), nil
}

// fromChar is the byte offset of character start (1-based) of s, for a
// search that begins there. RE2 cannot begin a search inside a string
// and still see what comes before it, so a pattern whose anchors or word
// edges would look there (^, \b, \B, \y, \Y) is 0A000 past the first
// character.
func fromChar(s, pat string, start int64) (int, error) {
	if start <= 0 {
		return 0, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"start\": %d", start)
	}
	if start == 1 {
		return 0, nil
	}
	if looksBehind(pat) {
		return 0, sqlerr.New(sqlerr.FeatureNotSupported, "a regular expression with anchors or word edges searched from a start past 1 is not supported")
	}
	off := 0
	for n := int64(1); n < start && off < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	return off, nil
}

// looksBehind reports whether pat has an anchor or word edge, whose
// match at a position depends on the text before it.
func looksBehind(pat string) bool {
	return strings.ContainsAny(pat, "^") || strings.Contains(pat, `\b`) || strings.Contains(pat, `\B`) || strings.Contains(pat, `\y`) || strings.Contains(pat, `\Y`)
}

// allMatches is every match of re in s (at most n, all when n < 0) as
// PostgreSQL finds them: each search begins where the last match ended,
// one character later after an empty match. Go's matcher also drops an
// empty match right where a non-empty one ended (in "abc", "b*" matches
// empty, "b", empty, empty in PostgreSQL and empty, "b", empty in Go), so
// such a match is looked for after every non-empty match and put back.
// A pattern that looks behind (pat with anchors or word edges) cannot be
// searched from the middle of s with its context, and keeps Go's matches.
func allMatches(re *regexp.Regexp, pat, s string, n int) [][]int {
	ms := re.FindAllStringSubmatchIndex(s, n)
	if len(ms) == 0 || looksBehind(pat) || !re.MatchString("") {
		return ms // no empty match anywhere, or not searchable mid-text
	}
	out := make([][]int, 0, len(ms))
	for i, m := range ms {
		out = append(out, m)
		if n >= 0 && len(out) >= n {
			break
		}
		end := m[1]
		if m[0] == end || i+1 < len(ms) && ms[i+1][0] == end {
			continue // empty itself, or followed by a match where it ended
		}
		if loc := re.FindStringSubmatchIndex(s[end:]); loc != nil && loc[0] == 0 && loc[1] == 0 {
			for j := range loc {
				if loc[j] >= 0 {
					loc[j] += end
				}
			}
			out = append(out, loc)
			if n >= 0 && len(out) >= n {
				break
			}
		}
	}
	return out
}

// searchFrom compiles pat for fn (which takes no g flag) and gives the
// byte offset of character start in s, where the search begins.
func searchFrom(fn, s, pat, flags string, start int64) (*regexp.Regexp, int, error) {
	if err := noGlobal(fn, flags); err != nil {
		return nil, 0, err
	}
	off, err := fromChar(s, pat, start)
	if err != nil {
		return nil, 0, err
	}
	re, err := compileRegex(pat, flags)
	return re, off, err
}

func regexCount(s, pat string, start int64, flags string) (types.Value, error) {
	re, off, err := searchFrom("regexp_count", s, pat, flags, start)
	if err != nil {
		return nil, err
	}
	return int64(len(allMatches(re, pat, s[off:], -1))), nil
}

// regexPosOverloads are regexp_instr's (instr) or regexp_substr's
// signatures: (s, pattern [, start [, N [, endoption,] [flags [, subexpr]]]]).
func regexPosOverloads(instr bool) []Overload {
	ret := types.TextT
	if instr {
		ret = types.Int4T
	}
	args := []Arg{aText, aText, aInt4, aInt4}
	if instr {
		args = append(args, aInt4)
	}
	args = append(args, aText, aInt4)
	var out []Overload
	for n := 2; n <= len(args); n++ {
		out = append(out, row(args[:n], ret, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return regexPos(instr, a)
		}))
	}
	return out
}

func regexPos(instr bool, a []types.Value) (types.Value, error) {
	s, pat := a[0].(string), a[1].(string)
	start, nth, endopt, flags, sub := int64(1), int64(1), int64(0), "", int64(0)
	i := 2
	next := func() types.Value {
		if i < len(a) {
			i++
			return a[i-1]
		}
		return nil
	}
	if v := next(); v != nil {
		start = v.(int64)
	}
	if v := next(); v != nil {
		nth = v.(int64)
	}
	if instr {
		if v := next(); v != nil {
			endopt = v.(int64)
		}
	}
	if v := next(); v != nil {
		flags = v.(string)
	}
	if v := next(); v != nil {
		sub = v.(int64)
	}
	fn := "regexp_substr"
	if instr {
		fn = "regexp_instr"
	}
	if nth <= 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"n\": %d", nth)
	}
	if instr && endopt != 0 && endopt != 1 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"endoption\": %d", endopt)
	}
	if sub < 0 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid value for parameter \"subexpr\": %d", sub)
	}
	re, off, err := searchFrom(fn, s, pat, flags, start)
	if err != nil {
		return nil, err
	}
	ms := allMatches(re, pat, s[off:], int(min(nth, 1<<30)))
	miss := types.Value(nil)
	if instr {
		miss = int64(0)
	}
	if int64(len(ms)) < nth || int(sub) > re.NumSubexp() {
		return miss, nil
	}
	m := ms[nth-1]
	lo, hi := m[2*sub], m[2*sub+1]
	if lo < 0 {
		return miss, nil
	}
	lo, hi = lo+off, hi+off
	if !instr {
		return s[lo:hi], nil
	}
	at := lo
	if endopt == 1 {
		at = hi
	}
	return int64(utf8.RuneCountInString(s[:at]) + 1), nil
}
