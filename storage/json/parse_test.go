package json

import (
	encjson "encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// The line parser must read every line as the map-based reader it
// replaced did: the reference below is that reader (encoding/json into a
// map, keys in sorted order so the greatest of those folding alike wins,
// each value through convert).

func diffDataset(t testing.TB) *Dataset {
	t.Helper()
	cols := []Column{
		{Name: "id", Type: types.Int8T}, {Name: "name", Type: types.TextT}, {Name: "x", Type: types.Float8T},
		{Name: "b", Type: types.BoolT}, {Name: "d", Type: types.DateT}, {Name: "ts", Type: types.TimestampT},
		{Name: "j", Type: types.JSONBT}, {Name: "arr", Type: types.ArrayOf(types.Int8T)},
		{Name: "v", Type: types.T{Kind: types.Varchar, Width: 3}}, {Name: "n", Type: types.NumericOf(10, 2)},
		{Name: "i", Type: types.Int4T}, {Name: "tz", Type: types.TimestampTZT},
	}
	d := &Dataset{Columns: cols, index: map[string]int{}}
	for i, c := range cols {
		d.index[c.Name] = i
	}
	return d
}

// reference reads one line the old way: the text of each column's value,
// or an error mark; ok false for a line that is not one JSON object.
func reference(d *Dataset, line []byte) ([]string, bool) {
	if !encjson.Valid(line) {
		return nil, false
	}
	obj, err := decodeLine(line)
	if err != nil {
		return nil, false
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]any, len(d.Columns))
	errs := make([]bool, len(d.Columns))
	for _, k := range keys {
		col, ok := d.index[d.fold(k)]
		if !ok {
			continue
		}
		v, err := convert(obj[k], d.Columns[col].Type)
		vals[col], errs[col] = v, err != nil
	}
	out := make([]string, len(d.Columns))
	for i, v := range vals {
		switch {
		case errs[i]:
			out[i] = "ERROR"
		case v == nil:
			out[i] = "NULL"
		default:
			// through a builder, as the reader stores it
			w := newColWriter(d.Columns[i].Type)
			types.AppendValue(w.b, v)
			out[i] = formatCell(d.Columns[i].Type, w.b.NewArray(), 0)
		}
	}
	return out, true
}

func formatCell(t types.T, a arrow.Array, i int) string {
	v := types.GetValue(t, a, i)
	if v == nil {
		return "NULL"
	}
	return types.FormatText(t, v)
}

// parsed reads one line with the line parser.
func parsed(d *Dataset, p *lineParser, line []byte) ([]string, bool) {
	if err := p.parse(line); err != nil {
		return nil, false
	}
	out := make([]string, len(d.Columns))
	for i := range d.Columns {
		w := newColWriter(d.Columns[i].Type)
		if err := w.append(p, p.slots[i]); err != nil {
			out[i] = "ERROR"
			continue
		}
		out[i] = formatCell(d.Columns[i].Type, w.b.NewArray(), 0)
	}
	return out, true
}

func checkLine(t *testing.T, d *Dataset, p *lineParser, line string) {
	t.Helper()
	if !types.ValidUTF8([]byte(line)) {
		return // the reader refuses such a line before parsing it
	}
	want, wok := reference(d, []byte(line))
	got, gok := parsed(d, p, []byte(line))
	if wok != gok {
		t.Fatalf("line %q: reference ok=%v, parser ok=%v", line, wok, gok)
	}
	if strings.Join(want, "|") != strings.Join(got, "|") {
		t.Fatalf("line %q:\nreference %q\nparser    %q", line, want, got)
	}
}

var fragments = map[string][]string{
	"id":   {`1`, `-42`, `0`, `123456789012345678`, `9223372036854775807`, `9223372036854775808`, `1.0`, `1e3`, `"17"`, `" 5 "`, `true`, `null`, `"x"`, `-0`},
	"name": {`"a"`, `""`, `"caf\u00e9"`, `"tab\tquote\"slash\/"`, `"\ud83d\ude00"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800x"`, `12.50`, `false`, `{"k": [1, "2"]}`, `[1,2]`, `"€uro"`, `null`, `"<&>"`},
	"x":    {`1.5`, `-0.25`, `3`, `1e308`, `1e309`, `1e-400`, `"NaN"`, `"Infinity"`, `0.1000000000000000055511151231257827`, `"2.5"`, `true`, `null`, `-0.0`},
	"b":    {`true`, `false`, `"t"`, `"yes"`, `1`, `0`, `"maybe"`, `null`},
	"d":    {`"2024-02-29"`, `"2023-02-29"`, `"Jan 5 2024"`, `20240101`, `"infinity"`, `null`},
	"ts":   {`"2024-01-01T10:00:00"`, `"2024-01-01 10:00:00.123456"`, `"2024-13-01 00:00:00"`, `"epoch"`, `null`, `1`},
	"j":    {`{"b": 1, "a": [true, null]}`, `"s"`, `1.50`, `[]`, `null`, `{"a": {"b": "\u0041"}}`},
	"arr":  {`[1, 2, 3]`, `[]`, `[1, null]`, `["1"]`, `[1.5]`, `5`, `null`, `[[1]]`},
	"v":    {`"ab"`, `"abcd"`, `"abc   "`, `7`, `null`},
	"n":    {`1.005`, `12345678.9`, `123456789.12`, `"3.14"`, `-0.5`, `null`},
	"i":    {`2147483647`, `2147483648`, `-2147483648`, `"12"`, `null`},
	"tz":   {`"2024-01-01T10:00:00Z"`, `"2024-01-01 10:00:00+02"`, `"2024-06-01 00:00:00"`, `null`},
}

func randomLine(r *rand.Rand) string {
	keys := make([]string, 0, len(fragments))
	for k := range fragments {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ws := []string{"", " ", "  ", "\t"}
	var sb strings.Builder
	sb.WriteString(ws[r.Intn(len(ws))] + "{")
	n := r.Intn(6)
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString("," + ws[r.Intn(len(ws))])
		}
		k := keys[r.Intn(len(keys))]
		switch r.Intn(6) {
		case 0:
			k = strings.ToUpper(k)
		case 1:
			k = "other" // a key no column has
		case 2:
			if len(k) > 1 {
				k = k[:1] + `\u00` + fmt.Sprintf("%02x", k[1]) + k[2:] // an escaped key
			}
		}
		base := strings.ToLower(strings.ReplaceAll(k, `\u00`, ""))
		frs := fragments[base]
		if frs == nil {
			frs = fragments["name"]
		}
		fmt.Fprintf(&sb, `"%s"%s:%s%s`, k, ws[r.Intn(len(ws))], ws[r.Intn(len(ws))], frs[r.Intn(len(frs))])
	}
	sb.WriteString("}" + ws[r.Intn(len(ws))])
	line := sb.String()
	// now and then a broken line: a byte cut, doubled or swapped
	if r.Intn(8) == 0 && len(line) > 2 {
		i := r.Intn(len(line) - 1)
		switch r.Intn(3) {
		case 0:
			line = line[:i] + line[i+1:]
		case 1:
			line = line[:i] + line[i:i+1] + line[i:]
		default:
			const junk = "{}[],:\"\\ax1"
			line = line[:i] + string(junk[r.Intn(len(junk))]) + line[i+1:]
		}
	}
	return line
}

func TestLineParserMatchesReference(t *testing.T) {
	d := diffDataset(t)
	all := make([]int, len(d.Columns))
	for i := range all {
		all[i] = i
	}
	p := newLineParser(d, all)
	for _, line := range []string{
		`{}`, `{"id": 1}`, `{"ID": 1, "id": 2}`, `{"id": 2, "ID": 1}`, `{"id": 1, "id": 2}`,
		`{"id": 1} x`, `{"id": 1}{"id": 2}`, `[1]`, `"s"`, `{"id": }`, `{"id": 1,}`, `{"id" 1}`,
		`{"name": "a\u0000b"}`, `{"name": "bad \x"}`, `{"name": "\u12"}`, `{"name": "raw` + "\x01" + `"}`,
		`{"j": {"deep": [[[[{"a": 1}]]]]}}`, `{"x": 01}`, `{"x": 1.}`, `{"x": .5}`, `{"x": -}`, `{"x": 1e}`,
		`{"b": tru}`, `{"b": nul}`, `{"name": "unterminated}`,
	} {
		checkLine(t, d, p, line)
	}
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	seed := r.Int63()
	r = rand.New(rand.NewSource(seed))
	t.Logf("seed %d", seed)
	for i := 0; i < 20000; i++ {
		checkLine(t, d, p, randomLine(r))
	}
}

// FuzzLineParser compares the parser with the reference on any line.
func FuzzLineParser(f *testing.F) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 50; i++ {
		f.Add(randomLine(r))
	}
	d := diffDataset(f)
	all := make([]int, len(d.Columns))
	for i := range all {
		all[i] = i
	}
	p := newLineParser(d, all)
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\n") {
			return // a newline ends a line before the parser sees it
		}
		checkLine(t, d, p, strings.TrimSpace(line))
	})
}

// COPY … JSON's fields: strings unescaped, other values as written,
// NULL for null or a missing key; keys exact or without case.
func TestFieldParser(t *testing.T) {
	rec := []byte(`{"ID": 1, "id": 2, "Name": "a\tb", "tags": [1, {"k": null}], "ok": true, "gone": null}`)
	for _, c := range []struct {
		ignoreCase bool
		want       string
	}{
		{false, `2|NULL|[1, {"k": null}]|true|NULL|NULL`},
		{true, "2|a\tb|[1, {\"k\": null}]|true|NULL|NULL"},
	} {
		f := NewFieldParser([]string{"id", "name", "tags", "ok", "gone", "absent"}, c.ignoreCase)
		fields, nulls, err := f.Parse(rec)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range fields {
			if nulls[i] {
				got = append(got, "NULL")
			} else {
				got = append(got, string(fields[i]))
			}
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("ignore case %v: %q, want %q", c.ignoreCase, strings.Join(got, "|"), c.want)
		}
	}
	f := NewFieldParser([]string{"a"}, false)
	for _, bad := range []string{`{"a": 1} x`, `[1]`, ``, `{"a": }`} {
		if _, _, err := f.Parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
