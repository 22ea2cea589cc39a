package functions

import (
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// PostgreSQL 15's answers (regexp_match(s, pattern, flags)); "-" is no
// match.
func TestCompileRegexAsPostgreSQL(t *testing.T) {
	for _, c := range []struct{ s, pat, flags, want string }{
		{"a\nb", "a.b", "", "a\nb"},
		{"a\nb", "a.b", "n", "-"},
		{"a\nb", "a.b", "p", "-"},
		{"a\nb", "a.b", "w", "a\nb"},
		{"a\nb", "a.b", "s", "a\nb"},
		{"a\nb", "^b", "", "-"},
		{"a\nb", "^b", "n", "b"},
		{"a\nb", "^b", "p", "-"},
		{"a\nb", "^b", "w", "b"},
		{"a\nb", "a[^x]b", "", "a\nb"},
		{"a\nb", "a[^x]b", "n", "-"},
		{"a\nb", "a[^x]b", "p", "-"},
		{"a\nb", "a[^x]b", "w", "a\nb"},
		{"the cat", `\ycat\y`, "", "cat"},
		{"the cat", `\Ycat`, "", "-"},
		{"concat", `\Ycat`, "", "cat"},
		{"xa", `a\Z`, "", "a"},
		{"aBc", "b", "i", "B"},
		{"aBc", "B", "c", "B"},
		{"a b c", "a b", "x", "-"},
		{"abc", "a # comment\n b", "x", "ab"},
		{"a.c", "a.c", "q", "a.c"},
		{"abc", "a.c", "q", "-"},
		{"a]b", "[]]", "", "]"},
		{"a-b", "[a-]b", "", "-b"},
		{"a1", "[[:digit:]]", "", "1"},
		{"ab", "a{1,2}b", "", "ab"},
		{" ünï", `\w+`, "", "ünï"},
		{"ünï!", `\W`, "", "!"},
		{"xÄb", "[[:upper:]]", "", "Ä"},
		{"1ü", "[[:alpha:]]", "", "ü"},
		{"-ü_", `[\w]+`, "", "ü_"},
	} {
		re, err := compileRegex(c.pat, c.flags)
		if err != nil {
			t.Errorf("%q (%s): %v", c.pat, c.flags, err)
			continue
		}
		got := "-"
		if loc := re.FindStringIndex(c.s); loc != nil {
			got = c.s[loc[0]:loc[1]]
		}
		if got != c.want {
			t.Errorf("regexp_match(%q, %q, %q) = %q, want %q", c.s, c.pat, c.flags, got, c.want)
		}
	}
	// what RE2 cannot run is named, not misread
	for _, pat := range []string{`(a)\1`, `\mcat`, `cat\M`, `[[:<:]]cat`, `a(?=b)`, `(?<!a)b`} {
		if _, err := compileRegex(pat, ""); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
			t.Errorf("%q: %v, want 0A000", pat, err)
		}
	}
	if _, err := compileRegex("a", "z"); sqlerr.Code(err) != sqlerr.InvalidParameterValue {
		t.Errorf("flag z: %v", err)
	}
}
