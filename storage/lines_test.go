package storage

import (
	"io"
	"strings"
	"testing"
)

// A byte order mark opening a stream is dropped; anything else, however
// short, comes through whole.
func TestBOMSkipper(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"a":                        "a",
		"ab":                       "ab",
		"\xef\xbb":                 "\xef\xbb",
		"\xef\xbb\xbf":             "",
		"\xef\xbb\xbf{}\n":         "{}\n",
		"\xef\xbb\xbf\xef\xbb\xbf": "\xef\xbb\xbf", // only the first
		"{\"a\": 1}\n":             "{\"a\": 1}\n",
	} {
		got, err := io.ReadAll(&bomSkipper{r: io.MultiReader(strings.NewReader(in[:len(in)/2]), strings.NewReader(in[len(in)/2:]))})
		if err != nil || string(got) != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
		if got := string(TrimBOM([]byte(in))); got != want {
			t.Errorf("TrimBOM(%q) = %q, want %q", in, got, want)
		}
	}
}
