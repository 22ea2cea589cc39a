package types

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
)

// ValidUTF8 reports whether b is valid UTF-8 text (lakeq's only encoding).
func ValidUTF8(b []byte) bool { return utf8.Valid(b) }

// InvalidUTF8 is PostgreSQL's 22021 for text that is not valid UTF-8:
// the message shows the offending sequence's bytes as PostgreSQL does
// (as many as its first byte announces), and where (a file and line, a
// parameter, …) when given.
func InvalidUTF8(b []byte, where string) *sqlerr.Error {
	i := 0
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	n := 1
	if i < len(b) {
		switch c := b[i]; {
		case c >= 0xc0 && c <= 0xdf:
			n = 2
		case c >= 0xe0 && c <= 0xef:
			n = 3
		case c >= 0xf0 && c <= 0xf7:
			n = 4
		}
	}
	var hex []string
	for k := i; k < len(b) && k < i+n; k++ {
		hex = append(hex, fmt.Sprintf("0x%02x", b[k]))
	}
	msg := fmt.Sprintf("invalid byte sequence for encoding \"UTF8\": %s", strings.Join(hex, " "))
	if where != "" {
		msg += " (" + where + ")"
	}
	return sqlerr.New(sqlerr.CharacterNotInRepertoire, "%s", msg)
}
