package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// formats are the output formats of --format and \pset format.
var formats = map[string]bool{"table": true, "aligned": true, "csv": true, "tsv": true, "json": true, "jsonl": true, "markdown": true}

// printer prints results in the shell's current format.
type printer struct {
	format   string // table (aligned), csv, tsv, json, jsonl, markdown
	expanded string // off, on, auto: one line per column (psql's \x)
	null     string // how aligned, expanded and markdown output show NULL
	// width is the terminal's width, to which table rows are truncated
	// (0: not a terminal, nothing is truncated)
	width int
}

// alignedChunk is how many rows the table format reads before it fixes
// its column widths and starts printing: the whole result when it is
// smaller, else a result of any size prints as it streams, its later
// rows fitted to the widths of the first ones.
const alignedChunk = 1000

// print writes a result's rows as they arrive; count is told each
// batch's rows (for the progress line). It returns the rows printed; an
// error is the query's (after the rows before it) or the writer's.
func (p *printer) print(w io.Writer, r result, count func(int)) (int64, error) {
	cols := r.Columns()
	var total int64
	next := func() (rowBatch, error) {
		b, err := r.Next()
		if err == nil && b.rows != nil {
			total += int64(len(b.rows))
			count(len(b.rows))
		}
		return b, err
	}
	switch p.format {
	case "csv", "tsv":
		sep := byte(',')
		if p.format == "tsv" {
			sep = '\t'
		}
		hdr := make([]string, len(cols))
		for i, c := range cols {
			hdr[i] = c.name
		}
		bw := bufio.NewWriter(w)
		writeCSVRow(bw, hdr, sep)
		for {
			b, err := next()
			if err != nil || b.rows == nil {
				if ferr := bw.Flush(); err == nil {
					err = ferr
				}
				return total, err
			}
			for _, row := range b.rows {
				writeCSVRow(bw, row, sep)
			}
			if err := bw.Flush(); err != nil {
				return total, err
			}
		}
	case "jsonl", "json":
		if p.format == "json" {
			io.WriteString(w, "[")
		}
		first := true
		for {
			b, err := next()
			if err != nil || b.rows == nil {
				if p.format == "json" {
					io.WriteString(w, "]\n")
				}
				return total, err
			}
			for i := range b.rows {
				line := jsonRow(cols, b.rows[i], b.nulls[i])
				switch {
				case p.format == "jsonl":
					line += "\n"
				case !first:
					line = ",\n " + line
				}
				first = false
				if _, err := io.WriteString(w, line); err != nil {
					return total, err
				}
			}
		}
	case "markdown":
		hdr, sep := make([]string, len(cols)), make([]string, len(cols))
		for i, c := range cols {
			hdr[i], sep[i] = mdEscape(c.name), "---"
			if c.numeric {
				sep[i] = "---:"
			}
		}
		fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(hdr, " | "), strings.Join(sep, " | "))
		for {
			b, err := next()
			if err != nil || b.rows == nil {
				return total, err
			}
			for i, row := range b.rows {
				cs := make([]string, len(row))
				for c, v := range row {
					if b.nulls[i][c] {
						v = p.null
					}
					cs[c] = mdEscape(v)
				}
				if _, err := fmt.Fprintf(w, "| %s |\n", strings.Join(cs, " | ")); err != nil {
					return total, err
				}
			}
		}
	}
	return p.aligned(w, cols, next, &total)
}

func mdEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", "<br>")
}

// jsonRow is one row as a JSON object, its keys in column order: numbers
// and booleans as such, NULL as null.
func jsonRow(cols []column, row []string, nulls []bool) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for c, col := range cols {
		if c > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(col.name)
		sb.Write(k)
		sb.WriteByte(':')
		v := row[c]
		switch {
		case nulls[c]:
			sb.WriteString("null")
		case col.boolean:
			sb.WriteString(strconv.FormatBool(v == "t" || v == "true"))
		case col.numeric && json.Valid([]byte(v)) && !strings.ContainsAny(v, "aInN\""):
			sb.WriteString(v)
		default:
			b, _ := json.Marshal(v)
			sb.Write(b)
		}
	}
	sb.WriteByte('}')
	return sb.String()
}

// display is a cell as the table format shows it: NULL distinctly, line
// breaks as ↵ so that a row stays on one line.
func (p *printer) display(v string, null bool) string {
	if null {
		return p.null
	}
	if strings.ContainsAny(v, "\n\r\t") {
		v = strings.NewReplacer("\r\n", "↵", "\n", "↵", "\r", "↵", "\t", " ").Replace(v)
	}
	return v
}

// aligned prints psql's aligned table (or, expanded, one line per
// column), reading the first alignedChunk rows to size the columns.
func (p *printer) aligned(w io.Writer, cols []column, next func() (rowBatch, error), total *int64) (int64, error) {
	var head rowBatch
	var ended bool
	var qerr error
	for len(head.rows) < alignedChunk {
		b, err := next()
		if err != nil {
			qerr = err
			ended = true
			break
		}
		if b.rows == nil {
			ended = true
			break
		}
		head.rows = append(head.rows, b.rows...)
		head.nulls = append(head.nulls, b.nulls...)
	}
	if qerr != nil && len(head.rows) == 0 {
		return *total, qerr // nothing to show but the error
	}
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = runewidth.StringWidth(c.name)
	}
	for i, row := range head.rows {
		for c, v := range row {
			widths[c] = max(widths[c], runewidth.StringWidth(p.display(v, head.nulls[i][c])))
		}
	}
	lineWidth := func() int {
		n := 1
		for _, x := range widths {
			n += x + 3
		}
		return n - 1
	}
	expanded := p.expanded == "on" || p.expanded == "auto" && p.width > 0 && lineWidth() > p.width && len(cols) > 1
	// a table that cannot fit the terminal even with every column cut
	// to a few characters shows one line per column instead
	expanded = expanded || !p.fit(widths) && len(cols) > 1
	var printed int64
	emit := func(b rowBatch) error {
		for i, row := range b.rows {
			printed++
			var err error
			if expanded {
				err = p.record(w, cols, row, b.nulls[i], printed)
			} else {
				err = p.row(w, cols, widths, row, b.nulls[i])
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if !expanded {
		hdr, sep := make([]string, len(cols)), make([]string, len(cols))
		for i, c := range cols {
			name := runewidth.Truncate(c.name, widths[i], "…")
			pad := widths[i] - runewidth.StringWidth(name)
			hdr[i] = strings.Repeat(" ", pad/2) + name + strings.Repeat(" ", pad-pad/2)
			sep[i] = strings.Repeat("-", widths[i])
		}
		if _, err := fmt.Fprintf(w, " %s \n-%s-\n", strings.Join(hdr, " | "), strings.Join(sep, "-+-")); err != nil {
			return *total, err
		}
	}
	if err := emit(head); err != nil {
		return *total, err
	}
	for !ended {
		b, err := next()
		if err != nil {
			qerr = err
			break
		}
		if b.rows == nil {
			break
		}
		if err := emit(b); err != nil {
			return *total, err
		}
	}
	if qerr != nil {
		return *total, qerr
	}
	if printed == 1 {
		fmt.Fprintln(w, "(1 row)")
	} else {
		fmt.Fprintf(w, "(%d rows)\n", printed)
	}
	return *total, nil
}

// fit narrows the widest columns until a row fits the terminal, keeping
// each at least a few characters wide; false when that is not enough.
func (p *printer) fit(widths []int) bool {
	if p.width <= 0 {
		return true
	}
	const minWidth = 4
	for {
		n := 1
		widest := -1
		for i, x := range widths {
			n += x + 3
			if widest < 0 || x > widths[widest] {
				widest = i
			}
		}
		n--
		if n <= p.width {
			return true
		}
		if widest < 0 || widths[widest] <= minWidth {
			return false
		}
		widths[widest] = max(minWidth, widths[widest]-(n-p.width))
	}
}

// row prints one table row, values past their column's width truncated
// on a terminal (off a terminal a later, wider value widens its line).
func (p *printer) row(w io.Writer, cols []column, widths []int, row []string, nulls []bool) error {
	var sb strings.Builder
	sb.WriteByte(' ')
	for c, v := range row {
		if c > 0 {
			sb.WriteString(" | ")
		}
		v = p.display(v, nulls[c])
		if p.width > 0 {
			v = runewidth.Truncate(v, widths[c], "…")
		}
		pad := strings.Repeat(" ", max(0, widths[c]-runewidth.StringWidth(v)))
		if cols[c].numeric && !nulls[c] {
			sb.WriteString(pad + v)
		} else {
			sb.WriteString(v + pad)
		}
	}
	// trailing blanks trimmed as psql does
	_, err := io.WriteString(w, strings.TrimRight(sb.String(), " ")+"\n")
	return err
}

// record prints one row expanded, psql's \x layout.
func (p *printer) record(w io.Writer, cols []column, row []string, nulls []bool, n int64) error {
	nameW := 0
	for _, c := range cols {
		nameW = max(nameW, runewidth.StringWidth(c.name))
	}
	title := fmt.Sprintf("-[ RECORD %d ]", n)
	var sb strings.Builder
	sb.WriteString(title + strings.Repeat("-", max(1, nameW+2-len(title))) + "+" + strings.Repeat("-", 10) + "\n")
	for c, col := range cols {
		v := p.display(row[c], nulls[c])
		if p.width > 0 {
			v = runewidth.Truncate(v, max(4, p.width-nameW-3), "…")
		}
		sb.WriteString(col.name + strings.Repeat(" ", nameW-runewidth.StringWidth(col.name)) + " | " + v + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// humanBytes is a size as Athena's console shows it.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<40:
		return fmt.Sprintf("%.2f TB", float64(n)/(1<<40))
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// writeCSVRow writes one CSV line as psql --csv does: a field is quoted
// (its quotes doubled) only when it holds the separator, a quote or a
// line end, or is \. — not for leading spaces, which encoding/csv quotes.
func writeCSVRow(w *bufio.Writer, fields []string, sep byte) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(sep)
		}
		if f == `\.` || strings.IndexByte(f, sep) >= 0 || strings.ContainsAny(f, "\"\r\n") {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			w.WriteByte('"')
			continue
		}
		w.WriteString(f)
	}
	w.WriteByte('\n')
}
