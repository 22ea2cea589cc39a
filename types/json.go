package types

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

func badJSON(typ, s string) error {
	return sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type %s", typ).WithHint("Token in \"" + clipText(s) + "\" is invalid.")
}

func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// ValidJSON checks json input (kept as written, like PostgreSQL's json).
func ValidJSON(s string) error {
	if !json.Valid([]byte(s)) {
		return badJSON("json", s)
	}
	return nil
}

// NormalizeJSONB renders a document the way PostgreSQL prints jsonb:
// keys deduplicated (last wins) and sorted (shorter first, then
// bytewise), ", " and ": " separators, numbers as written.
func NormalizeJSONB(s string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", badJSON("json", s)
	}
	if dec.More() {
		return "", badJSON("json", s)
	}
	var buf bytes.Buffer
	writeJSONB(&buf, v)
	return buf.String(), nil
}

func writeJSONB(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(keys[i]) != len(keys[j]) {
				return len(keys[i]) < len(keys[j])
			}
			return keys[i] < keys[j]
		})
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteString(", ")
			}
			writeJSONString(buf, k)
			buf.WriteString(": ")
			writeJSONB(buf, x[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteString(", ")
			}
			writeJSONB(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeJSONString(buf, x)
	case json.Number:
		buf.WriteString(jsonbNumber(x.String()))
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case nil:
		buf.WriteString("null")
	}
}

// jsonbNumber prints a JSON number as jsonb keeps it, a numeric: without
// an exponent, at the scale its digits and exponent give (1e2 is 100,
// 1.50e1 is 15.0, 1e-3 is 0.001), and no negative zero.
func jsonbNumber(n string) string {
	neg := strings.HasPrefix(n, "-")
	n = strings.TrimPrefix(n, "-")
	mant, exp := n, 0
	if i := strings.IndexAny(n, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(n[i+1:], "+"))
		if err != nil || e > 1000 || e < -1000 {
			return n // past numeric's range; JSON's own text
		}
		mant, exp = n[:i], e
	} else if !strings.ContainsAny(n, ".") && !neg {
		return n // the common integer
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	all := intPart + frac
	point := len(intPart) + exp // the point's place in all
	scale := max(0, len(frac)-exp)
	var b strings.Builder
	switch {
	case point <= 0:
		b.WriteString("0")
		digits := strings.Repeat("0", -point) + all
		b.WriteString("." + digits[:scale])
	case point >= len(all):
		b.WriteString(all + strings.Repeat("0", point-len(all)))
	default:
		b.WriteString(all[:point])
		if scale > 0 {
			b.WriteString("." + all[point:point+scale])
		}
	}
	out := b.String()
	ip, fp, hasFrac := strings.Cut(out, ".")
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	out = ip
	if hasFrac {
		out += "." + fp
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

func writeJSONString(buf *bytes.Buffer, s string) {
	buf.Write(AppendJSONString(buf.AvailableBuffer(), s))
}

// AppendJSONString appends s as a JSON string the way PostgreSQL's
// escape_json writes it: \b \f \n \r \t \" and \\ escaped, other
// control characters as \u00xx, everything else (<, &, U+2028, any
// non-ASCII) as is.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '"', '\\':
			dst = append(dst, '\\', c)
		default:
			if c < ' ' {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// JSONGet implements -> and ->>: the member (string key) or element
// (integer index) of a document, as json text, or as plain text when
// asText; ok is false when absent.
func JSONGet(doc string, key Value, asText bool) (string, bool, error) {
	var raw json.RawMessage
	switch k := key.(type) {
	case string:
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			if !json.Valid([]byte(doc)) {
				return "", false, badJSON("json", doc)
			}
			return "", false, nil
		}
		r, ok := m[k]
		if !ok {
			return "", false, nil
		}
		raw = r
	case int64:
		var a []json.RawMessage
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			if !json.Valid([]byte(doc)) {
				return "", false, badJSON("json", doc)
			}
			return "", false, nil
		}
		if k < 0 {
			k += int64(len(a))
		}
		if k < 0 || k >= int64(len(a)) {
			return "", false, nil
		}
		raw = a[k]
	default:
		return "", false, nil
	}
	text := strings.TrimSpace(string(raw))
	if asText {
		if text == "null" {
			return "", false, nil
		}
		if strings.HasPrefix(text, `"`) {
			var s string
			if err := json.Unmarshal([]byte(text), &s); err == nil {
				return s, true, nil
			}
		}
	}
	return text, true, nil
}
