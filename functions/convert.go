package functions

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// convert_from, convert_to and convert between text (UTF-8, lakeq's only
// server encoding) and bytes in another encoding: UTF8, SQL_ASCII and
// PostgreSQL's single-byte encodings (LATIN1-10, the ISO 8859 Cyrillic,
// Arabic, Greek and Hebrew sets, WIN866/874/1250-1258, KOI8R/U), named as
// PostgreSQL names them (case and punctuation ignored). A byte or
// character the other side cannot hold is PostgreSQL's error; the
// multibyte Asian encodings are not converted (0A000).

var singleByteEncodings = map[string]*charmap.Charmap{
	"LATIN1": charmap.ISO8859_1, "LATIN2": charmap.ISO8859_2, "LATIN3": charmap.ISO8859_3, "LATIN4": charmap.ISO8859_4,
	"LATIN5": charmap.ISO8859_9, "LATIN6": charmap.ISO8859_10, "LATIN7": charmap.ISO8859_13, "LATIN8": charmap.ISO8859_14,
	"LATIN9": charmap.ISO8859_15, "LATIN10": charmap.ISO8859_16,
	"ISO_8859_5": charmap.ISO8859_5, "ISO_8859_6": charmap.ISO8859_6, "ISO_8859_7": charmap.ISO8859_7, "ISO_8859_8": charmap.ISO8859_8,
	"WIN866": charmap.CodePage866, "WIN874": charmap.Windows874, "WIN1250": charmap.Windows1250, "WIN1251": charmap.Windows1251,
	"WIN1252": charmap.Windows1252, "WIN1253": charmap.Windows1253, "WIN1254": charmap.Windows1254, "WIN1255": charmap.Windows1255,
	"WIN1256": charmap.Windows1256, "WIN1257": charmap.Windows1257, "WIN1258": charmap.Windows1258,
	"KOI8R": charmap.KOI8R, "KOI8U": charmap.KOI8U,
}

var multiByteEncodings = map[string]bool{"EUC_JP": true, "EUC_CN": true, "EUC_KR": true, "EUC_TW": true, "EUC_JIS_2004": true,
	"MULE_INTERNAL": true, "SJIS": true, "BIG5": true, "GBK": true, "UHC": true, "GB18030": true, "JOHAB": true, "SHIFT_JIS_2004": true}

// encodingAliases are PostgreSQL's other names (pg_encname_tbl), keyed
// by the name without case or punctuation.
var encodingAliases = map[string]string{
	"unicode": "UTF8", "utf8": "UTF8", "sqlascii": "SQL_ASCII", "iso88591": "LATIN1", "iso88592": "LATIN2", "iso88593": "LATIN3",
	"iso88594": "LATIN4", "iso88599": "LATIN5", "iso885910": "LATIN6", "iso885913": "LATIN7", "iso885914": "LATIN8",
	"iso885915": "LATIN9", "iso885916": "LATIN10", "iso88595": "ISO_8859_5", "iso88596": "ISO_8859_6", "iso88597": "ISO_8859_7",
	"iso88598": "ISO_8859_8", "win": "WIN1251", "alt": "WIN866", "koi8": "KOI8R", "koi8r": "KOI8R", "koi8u": "KOI8U",
	"shiftjis2004": "SHIFT_JIS_2004", "mskanji": "SJIS", "shiftjis": "SJIS", "windows932": "SJIS", "windows936": "GBK",
	"windows949": "UHC", "windows950": "BIG5", "tcvn": "WIN1258", "tcvn5712": "WIN1258", "abc": "WIN1258", "vscii": "WIN1258",
}

// encodingName resolves an encoding name as pg_char_to_encoding does.
func encodingName(name string) (string, bool) {
	var k strings.Builder
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			k.WriteRune(r)
		}
	}
	key := k.String()
	if a, ok := encodingAliases[key]; ok {
		return a, true
	}
	for n := range singleByteEncodings {
		if strings.ToLower(strings.ReplaceAll(n, "_", "")) == key {
			return n, true
		}
	}
	for n := range multiByteEncodings {
		if strings.ToLower(strings.ReplaceAll(n, "_", "")) == key {
			return n, true
		}
	}
	return "", false
}

func hexBytes(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("0x%02x", c)
	}
	return strings.Join(parts, " ")
}

// decodeTo turns b in encoding enc into UTF-8 text.
func decodeFrom(b []byte, enc string) (string, error) {
	switch {
	case enc == "UTF8" || enc == "SQL_ASCII":
		if !utf8.Valid(b) {
			i := 0
			for i < len(b) {
				r, n := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && n <= 1 {
					break
				}
				i += n
			}
			return "", sqlerr.New(sqlerr.CharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", hexBytes(b[i:i+1]))
		}
		return string(b), nil
	case multiByteEncodings[enc]:
		return "", sqlerr.New(sqlerr.FeatureNotSupported, "conversion from %s to UTF8 is not supported", enc)
	}
	cm := singleByteEncodings[enc]
	var sb strings.Builder
	for _, c := range b {
		r := cm.DecodeByte(c)
		if r == utf8.RuneError {
			return "", sqlerr.New("22P05", "character with byte sequence %s in encoding \"%s\" has no equivalent in encoding \"UTF8\"", hexBytes([]byte{c}), enc)
		}
		sb.WriteRune(r)
	}
	return sb.String(), nil
}

// encodeTo turns UTF-8 text into bytes in encoding enc.
func encodeTo(s, enc string) ([]byte, error) {
	switch {
	case enc == "UTF8" || enc == "SQL_ASCII":
		return []byte(s), nil
	case multiByteEncodings[enc]:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "conversion from UTF8 to %s is not supported", enc)
	}
	cm := singleByteEncodings[enc]
	out := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := cm.EncodeRune(r)
		if !ok {
			return nil, sqlerr.New("22P05", "character with byte sequence %s in encoding \"UTF8\" has no equivalent in encoding \"%s\"", hexBytes([]byte(string(r))), enc)
		}
		out = append(out, c)
	}
	return out, nil
}

func convertScalars() []*Scalar {
	src := func(name string) (string, error) {
		enc, ok := encodingName(name)
		if !ok {
			return "", sqlerr.New(sqlerr.UndefinedObject, "invalid source encoding name \"%s\"", name)
		}
		return enc, nil
	}
	dst := func(name string) (string, error) {
		enc, ok := encodingName(name)
		if !ok {
			return "", sqlerr.New(sqlerr.UndefinedObject, "invalid destination encoding name \"%s\"", name)
		}
		return enc, nil
	}
	bit := func(b []byte, n int64) (int, byte, error) {
		if n < 0 || n >= int64(len(b))*8 {
			return 0, 0, sqlerr.New(sqlerr.ArraySubscriptError, "index %d out of valid range, 0..%d", n, int64(len(b))*8-1)
		}
		return int(n / 8), byte(1) << (n % 8), nil
	}
	return []*Scalar{
		{Name: "convert_from", Description: "convert bytes in an encoding to text", Overloads: []Overload{row([]Arg{aBytea, aText}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			enc, err := src(a[1].(string))
			if err != nil {
				return nil, err
			}
			return decodeFrom(a[0].([]byte), enc)
		})}},
		{Name: "convert_to", Description: "convert text to bytes in an encoding", Overloads: []Overload{row([]Arg{aText, aText}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			enc, err := dst(a[1].(string))
			if err != nil {
				return nil, err
			}
			return encodeTo(a[0].(string), enc)
		})}},
		{Name: "convert", Description: "convert bytes from one encoding to another", Overloads: []Overload{row([]Arg{aBytea, aText, aText}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			from, err := src(a[1].(string))
			if err != nil {
				return nil, err
			}
			to, err := dst(a[2].(string))
			if err != nil {
				return nil, err
			}
			s, err := decodeFrom(a[0].([]byte), from)
			if err != nil {
				return nil, err
			}
			return encodeTo(s, to)
		})}},
		{Name: "get_bit", Description: "a bit of bytes", Overloads: []Overload{row([]Arg{aBytea, aInt8}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			b := a[0].([]byte)
			i, m, err := bit(b, a[1].(int64))
			if err != nil {
				return nil, err
			}
			if b[i]&m != 0 {
				return int64(1), nil
			}
			return int64(0), nil
		})}},
		{Name: "set_bit", Description: "bytes with a bit set", Overloads: []Overload{row([]Arg{aBytea, aInt8, aInt4}, types.ByteaT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			b := append([]byte{}, a[0].([]byte)...)
			i, m, err := bit(b, a[1].(int64))
			if err != nil {
				return nil, err
			}
			v := a[2].(int64)
			if v != 0 && v != 1 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "new bit must be 0 or 1")
			}
			if v == 1 {
				b[i] |= m
			} else {
				b[i] &^= m
			}
			return b, nil
		})}},
	}
}
