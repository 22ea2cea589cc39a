package main

import "strings"

// splitStatements cuts SQL text into statements at the semicolons that
// are outside string literals, quoted identifiers, dollar quotes and
// comments, as psql does before it sends anything. rest is the text after
// the last complete statement (an unfinished one, or blanks); open
// reports that rest ends inside a literal or comment.
func splitStatements(text string) (stmts []string, rest string, open bool) {
	start := 0
	i := 0
	n := len(text)
	for i < n {
		c := text[i]
		switch {
		case c == '\'' || c == '"':
			// E'…' strings take backslash escapes
			esc := c == '\'' && i > 0 && (text[i-1] == 'E' || text[i-1] == 'e') && (i == 1 || !isIdentByte(text[i-2]))
			j := i + 1
			for {
				if j >= n {
					return stmts, text[start:], true
				}
				if esc && text[j] == '\\' {
					j += 2
					continue
				}
				if text[j] == c {
					if j+1 < n && text[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '-' && i+1 < n && text[i+1] == '-':
			j := strings.IndexByte(text[i:], '\n')
			if j < 0 {
				return stmts, text[start:], false
			}
			i += j + 1
		case c == '/' && i+1 < n && text[i+1] == '*':
			depth, j := 1, i+2
			for depth > 0 {
				if j+1 >= n {
					return stmts, text[start:], true
				}
				switch {
				case text[j] == '/' && text[j+1] == '*':
					depth, j = depth+1, j+2
				case text[j] == '*' && text[j+1] == '/':
					depth, j = depth-1, j+2
				default:
					j++
				}
			}
			i = j
		case c == '$' && (i == 0 || !isIdentByte(text[i-1])):
			tag, ok := dollarTag(text[i:])
			if !ok {
				i++
				continue
			}
			end := strings.Index(text[i+len(tag):], tag)
			if end < 0 {
				return stmts, text[start:], true
			}
			i += len(tag) + end + len(tag)
		case c == ';':
			if s := strings.TrimSpace(text[start:i]); s != "" {
				stmts = append(stmts, s)
			}
			i++
			start = i
		default:
			i++
		}
	}
	return stmts, text[start:], false
}

// dollarTag returns the $tag$ that s begins with, if it is one.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[:j+1], true
		case isIdentByte(s[j]) && !(j == 1 && s[j] >= '0' && s[j] <= '9'):
		default:
			return "", false
		}
	}
	return "", false
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b >= 0x80
}
