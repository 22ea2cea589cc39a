package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/types"
)

// cells renders a result as text cells (NULL as "", like psql).
func cells(r *engine.Result) ([][]string, [][]bool) { return batchCells(r, r.Records...) }

// batchCells renders batches of a result as text cells.
func batchCells(r *engine.Result, recs ...arrow.Record) ([][]string, [][]bool) {
	var rows [][]string
	var nulls [][]bool
	for _, b := range recs {
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]string, len(r.Columns))
			nl := make([]bool, len(r.Columns))
			for c, col := range r.Columns {
				v := types.GetValue(col.Type, b.Column(c), i)
				if v == nil {
					nl[c] = true
					continue
				}
				row[c], _ = r.Text(c, v)
			}
			rows = append(rows, row)
			nulls = append(nulls, nl)
		}
	}
	return rows, nulls
}

func isNumeric(t types.T) bool { return t.IsNumeric() }

func notices(r *engine.Result) {
	for _, n := range r.Notices {
		fmt.Fprintf(os_stderr, "NOTICE:  %s\n", n)
	}
	r.Notices = nil
}

// writeResult prints a result. In csv, tsv and jsonl rows print as the
// query's batches arrive; the other formats need every row first (column
// widths, a JSON array), as psql's aligned output does. An error is the
// query's (after the rows before it) or the writer's.
func writeResult(w io.Writer, r *engine.Result, format string) error {
	notices(r)
	defer notices(r) // a streamed query's, at its end
	if r.Columns == nil {
		if format == "table" {
			fmt.Fprintln(w, r.Tag)
		}
		return nil
	}
	switch format {
	case "csv", "tsv":
		cw := csv.NewWriter(w)
		if format == "tsv" {
			cw.Comma = '\t'
		}
		var hdr []string
		for _, c := range r.Columns {
			hdr = append(hdr, c.Name)
		}
		cw.Write(hdr)
		for {
			rec, err := r.Next()
			if err != nil || rec == nil {
				cw.Flush()
				if err == nil {
					err = cw.Error()
				}
				return err
			}
			rows, _ := batchCells(r, rec)
			for _, row := range rows {
				cw.Write(row)
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
		}
	case "jsonl":
		enc := json.NewEncoder(w)
		for {
			rec, err := r.Next()
			if err != nil || rec == nil {
				return err
			}
			rows, nulls := batchCells(r, rec)
			for _, o := range jsonObjects(r, rows, nulls) {
				if err := enc.Encode(orderedObj(o, r.Columns)); err != nil {
					return err
				}
			}
		}
	}
	if err := r.Collect(); err != nil {
		return err
	}
	rows, nulls := cells(r)
	switch format {
	case "json":
		objs := jsonObjects(r, rows, nulls)
		var parts []string
		for _, o := range objs {
			b, _ := json.Marshal(orderedObj(o, r.Columns))
			parts = append(parts, string(b))
		}
		fmt.Fprintf(w, "[%s]\n", strings.Join(parts, ",\n "))
		return nil
	case "markdown":
		var hdr, sep []string
		for _, c := range r.Columns {
			hdr = append(hdr, c.Name)
			if isNumeric(c.Type) {
				sep = append(sep, "---:")
			} else {
				sep = append(sep, "---")
			}
		}
		fmt.Fprintf(w, "| %s |\n| %s |\n", strings.Join(hdr, " | "), strings.Join(sep, " | "))
		for _, row := range rows {
			esc := make([]string, len(row))
			for i, v := range row {
				esc[i] = strings.ReplaceAll(v, "|", `\|`)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(esc, " | "))
		}
		return nil
	}
	// psql's aligned format
	widths := make([]int, len(r.Columns))
	for i, c := range r.Columns {
		widths[i] = utf8.RuneCountInString(c.Name)
	}
	for _, row := range rows {
		for i, v := range row {
			if n := utf8.RuneCountInString(v); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var hdr, sep []string
	for i, c := range r.Columns {
		pad := widths[i] - utf8.RuneCountInString(c.Name)
		hdr = append(hdr, strings.Repeat(" ", pad/2)+c.Name+strings.Repeat(" ", pad-pad/2))
		sep = append(sep, strings.Repeat("-", widths[i]))
	}
	fmt.Fprintf(w, " %s \n-%s-\n", strings.Join(hdr, " | "), strings.Join(sep, "-+-"))
	for _, row := range rows {
		var cs []string
		for i, v := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v))
			if isNumeric(r.Columns[i].Type) {
				cs = append(cs, pad+v)
			} else {
				cs = append(cs, v+pad)
			}
		}
		// trailing blanks trimmed as psql does; a row of NULLs is blank
		fmt.Fprintf(w, " %s\n", strings.TrimRight(strings.Join(cs, " | "), " "))
	}
	if len(rows) == 1 {
		fmt.Fprintln(w, "(1 row)")
	} else {
		fmt.Fprintf(w, "(%d rows)\n", len(rows))
	}
	// What Athena bills for, after every query that read storage.
	if sc := r.Scanned; sc.Bytes > 0 || sc.Files > 0 {
		line := fmt.Sprintf("Data scanned: %s (%d files", humanBytes(sc.Bytes), sc.Files)
		if sc.Partitions > 0 || sc.PartitionsPruned > 0 {
			line += fmt.Sprintf("; %d partitions read, %d pruned", sc.Partitions, sc.PartitionsPruned)
		}
		fmt.Fprintln(w, line+")")
	}
	fmt.Fprintln(w)
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

type kv struct {
	k string
	v any
}

type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(p.k)
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		sb.Write(k)
		sb.WriteByte(':')
		sb.Write(v)
	}
	sb.WriteByte('}')
	return []byte(sb.String()), nil
}

func orderedObj(m map[string]any, cols []engine.Column) ordered {
	var o ordered
	for _, c := range cols {
		o = append(o, kv{c.Name, m[c.Name]})
	}
	return o
}

// jsonObjects are rows as JSON objects: numbers and booleans as such.
func jsonObjects(r *engine.Result, rows [][]string, nulls [][]bool) []map[string]any {
	var objs []map[string]any
	for i, row := range rows {
		obj := map[string]any{}
		for c, col := range r.Columns {
			switch {
			case nulls[i][c]:
				obj[col.Name] = nil
			case col.Type.Kind == types.Bool:
				obj[col.Name] = row[c] == "t"
			case isNumeric(col.Type) && !strings.ContainsAny(row[c], "aInN"):
				obj[col.Name] = json.Number(row[c])
			default:
				obj[col.Name] = row[c]
			}
		}
		objs = append(objs, obj)
	}
	return objs
}
