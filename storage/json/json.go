// Package json reads JSON Lines files with Hive JSON SerDe behaviour:
// keys match columns case-insensitively, missing keys read as NULL,
// arrays of scalars become list columns and nested objects jsonb.
package json

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Column is a column of a JSON dataset.
type Column = storage.Column

// Options are read_json's options.
type Options struct {
	Columns      []Column
	Compression  string
	IgnoreErrors bool // skip lines that are not JSON objects
	// Keys maps a column name to the JSON key it reads (the JSON SerDes'
	// mapping.<column> = key); matching is case-insensitive.
	Keys map[string]string
	// CaseSensitive matches keys to columns exactly (the JSON SerDes'
	// case.insensitive = false); by default case is ignored, as Hive does.
	CaseSensitive bool
}

// Dataset is a set of JSON Lines files.
type Dataset struct {
	FS      storage.FileSystem
	Files   []storage.FileInfo
	Opt     Options
	Columns []Column
	index   map[string]int // lower-case key → column
}

func decodeLine(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON object")
	}
	return obj, nil
}

// Open infers the columns from the union of keys of a sample.
func Open(ctx context.Context, fs storage.FileSystem, files []storage.FileInfo, opt Options) (*Dataset, error) {
	if len(files) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFile, "no files to read")
	}
	d := &Dataset{FS: fs, Files: files, Opt: opt}
	if len(opt.Columns) > 0 {
		d.Columns = opt.Columns
	} else {
		order := []string{}
		kinds := map[string]types.T{}
		names := map[string]string{}
		seenKind := map[string]bool{}
		rc, closer, err := d.open(ctx, files[0], nil)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(rc)
		sc.Buffer(make([]byte, 64<<10), 64<<20) // grows to the longest line
		for n := 0; n < 2048 && sc.Scan(); n++ {
			line := bytes.TrimSpace(sc.Bytes())
			if len(line) == 0 {
				continue
			}
			obj, err := decodeLine(line)
			if err != nil {
				if opt.IgnoreErrors {
					continue
				}
				closer()
				return nil, sqlerr.New("22P04", "malformed JSON in file \"%s\" line %d: %v", files[0].Path, n+1, err)
			}
			for _, k := range objectKeys(line) {
				v, ok := obj[k]
				if !ok {
					continue
				}
				lk := strings.ToLower(k)
				if _, ok := names[lk]; !ok {
					names[lk] = lk // Hive lower-cases column names
					order = append(order, lk)
				}
				if v == nil {
					continue
				}
				t := typeOf(v)
				if !seenKind[lk] {
					kinds[lk], seenKind[lk] = t, true
				} else {
					kinds[lk] = unify(kinds[lk], t)
				}
			}
		}
		closer()
		if err := sc.Err(); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", files[0].Path)
		}
		if len(order) == 0 {
			return nil, sqlerr.New(sqlerr.DataCorrupted, "could not detect the columns of \"%s\": no JSON objects", files[0].Path)
		}
		for _, lk := range order {
			t, ok := kinds[lk]
			if !ok {
				t = types.TextT
			}
			d.Columns = append(d.Columns, Column{Name: names[lk], Type: t})
		}
	}
	d.index = map[string]int{}
	for i, c := range d.Columns {
		key := c.Name
		if k, ok := opt.Keys[c.Name]; ok {
			key = k
		}
		d.index[d.fold(key)] = i
	}
	return d, nil
}

func typeOf(v any) types.T {
	switch x := v.(type) {
	case bool:
		return types.BoolT
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return types.Int8T
		}
		return types.Float8T
	case string:
		if len(x) == 10 && x[4] == '-' && x[7] == '-' {
			if _, err := types.ParseDate(x); err == nil {
				return types.DateT
			}
		}
		if len(x) >= 19 && x[4] == '-' && x[10] != ' ' || len(x) >= 19 && x[4] == '-' {
			if _, err := types.ParseTimestamp(x, false, nil); err == nil && !strings.ContainsAny(x[10:], "Zz+") && !strings.Contains(x[10:], "-") {
				return types.TimestampT
			}
			if _, err := types.ParseTimestamp(x, true, time.UTC); err == nil {
				return types.TimestampTZT
			}
		}
		return types.TextT
	case []any:
		var et *types.T
		for _, e := range x {
			if e == nil {
				continue
			}
			t := typeOf(e)
			if t.Kind == types.Array || t.Kind == types.JSONB {
				return types.JSONBT
			}
			if et == nil {
				et = &t
			} else {
				u := unify(*et, t)
				et = &u
			}
		}
		if et == nil {
			return types.ArrayOf(types.TextT)
		}
		return types.ArrayOf(*et)
	case map[string]any:
		return types.JSONBT
	}
	return types.TextT
}

// unify merges the types of one key seen in different lines.
func unify(a, b types.T) types.T { return types.Widen(a, b) }

func (d *Dataset) open(ctx context.Context, fi storage.FileInfo, st *storage.ScanStats) (io.Reader, func(), error) {
	raw, err := storage.OpenInfo(ctx, d.FS, fi)
	if err != nil {
		return nil, nil, err
	}
	// on an object store, fetched in windows of storage.SequentialWindow
	f := storage.Sequential(storage.Counted(raw, st), storage.SequentialWindow)
	c, err := storage.ParseCompression(d.Opt.Compression, fi.Path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	rc, err := storage.Decompress(c, io.NewSectionReader(f, 0, f.Size()), fi.Path)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if c == storage.NoCompression {
		return rc, func() { rc.Close(); f.Close() }, nil
	}
	// one stream: decompressed on another core while this one parses
	ra := storage.Ahead(rc, storage.AheadChunk, storage.AheadDepth)
	return ra, func() { ra.Close(); rc.Close(); f.Close() }, nil
}

// Morsel is one file.
type Morsel struct {
	d    *Dataset
	file storage.FileInfo
	cols []int
}

// Morsels returns one morsel per file.
func (d *Dataset) Morsels(_ context.Context, cols []int, st *storage.ScanStats) ([]*Morsel, error) {
	out := make([]*Morsel, len(d.Files))
	for i, f := range d.Files {
		if st != nil {
			st.FilesRead.Add(1)
		}
		out[i] = &Morsel{d: d, file: f, cols: cols}
	}
	return out, nil
}

// convert turns a decoded JSON value into a scalar of type t.
func convert(v any, t types.T) (types.Value, error) {
	if v == nil {
		return nil, nil
	}
	switch t.Kind {
	case types.JSONB, types.JSON:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return types.NormalizeJSONB(string(b))
	case types.Array:
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("expected an array")
		}
		out := make([]any, len(arr))
		for i, e := range arr {
			c, err := convert(e, *t.Elem)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	var text string
	switch x := v.(type) {
	case string:
		text = x
	case json.Number:
		text = x.String()
	case bool:
		text = fmt.Sprint(x)
	default:
		b, _ := json.Marshal(x)
		text = string(b)
	}
	if t.IsString() {
		return text, nil
	}
	return types.ParseText(t, text, time.UTC)
}

// Read decodes the file's lines into batches.
func (m *Morsel) Read(ctx context.Context, st *storage.ScanStats) ([]arrow.Record, error) {
	d := m.d
	r, closer, err := d.open(ctx, m.file, st)
	if err != nil {
		return nil, err
	}
	defer closer()
	fields := make([]arrow.Field, len(m.cols))
	for i, c := range m.cols {
		fields[i] = arrow.Field{Name: d.Columns[c].Name, Type: d.Columns[c].Type.Arrow(), Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	builders := make([]array.Builder, len(m.cols))
	for i, c := range m.cols {
		builders[i] = array.NewBuilder(memory.DefaultAllocator, d.Columns[c].Type.Arrow())
	}
	var out []arrow.Record
	rows := 0
	flush := func() {
		if rows == 0 {
			return
		}
		arrs := make([]arrow.Array, len(builders))
		for i, b := range builders {
			arrs[i] = b.NewArray()
		}
		out = append(out, array.NewRecord(schema, arrs, int64(rows)))
		rows = 0
	}
	want := map[int]int{} // column → position in m.cols
	for i, c := range m.cols {
		want[c] = i
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20) // grows to the longest line
	line := int64(0)
	for sc.Scan() {
		line++
		if line%4096 == 0 && ctx.Err() != nil {
			return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		// Go's decoder would turn invalid UTF-8 into U+FFFD silently
		if !types.ValidUTF8(b) {
			if d.Opt.IgnoreErrors {
				if st != nil {
					st.RowsRejected.Add(1)
				}
				continue
			}
			return nil, types.InvalidUTF8(b, fmt.Sprintf("file \"%s\" line %d", m.file.Path, line))
		}
		obj, err := decodeLine(b)
		if err != nil {
			if d.Opt.IgnoreErrors {
				if st != nil {
					st.RowsRejected.Add(1)
				}
				continue
			}
			return nil, sqlerr.New("22P04", "malformed JSON in file \"%s\" line %d: %v", m.file.Path, line, err)
		}
		vals := make([]types.Value, len(m.cols))
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic choice when keys differ only by case
		for _, k := range keys {
			col, ok := d.index[d.fold(k)]
			if !ok {
				continue
			}
			pos, ok := want[col]
			if !ok {
				continue
			}
			v, err := convert(obj[k], d.Columns[col].Type)
			if err != nil {
				if d.Opt.IgnoreErrors {
					v = nil
				} else {
					return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid value for column %s in file \"%s\" line %d: %v", d.Columns[col].Name, m.file.Path, line, err)
				}
			}
			vals[pos] = v
		}
		for i, v := range vals {
			types.AppendValue(builders[i], v)
		}
		rows++
		if rows >= 8192 {
			flush()
		}
	}
	if err := sc.Err(); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "could not read \"%s\"", m.file.Path)
	}
	flush()
	return out, nil
}

// objectKeys lists a JSON object's top-level keys in document order.
func objectKeys(line []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, ok := t.(string)
		if !ok {
			return keys
		}
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys
		}
	}
	return keys
}

// File is the path of the file the morsel reads.
func (m *Morsel) File() string { return m.file.Path }

// fold is the form keys are matched in.
func (d *Dataset) fold(k string) string {
	if d.Opt.CaseSensitive {
		return k
	}
	return strings.ToLower(k)
}

// Bytes is the size of the morsel's file: what reading it fetches.
func (m *Morsel) Bytes() int64 { return m.file.Size }
