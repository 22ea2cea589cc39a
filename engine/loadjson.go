package engine

import (
	"bytes"
	"context"
	"encoding/json"
	jsonl "github.com/lakeq/lakeq/storage/json"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	lqparquet "github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// COPY … FORMAT JSON: each record is a JSON object (one per line, or
// spread over lines: the record reader follows braces). 'auto' maps keys
// to column names exactly, 'auto ignorecase' without case; a jsonpaths
// file ({"jsonpaths": ["$.a", "$['b']", "$.c[0]", …]}) maps its
// expressions to the columns in order. A string value loads as its
// text, a number, true or false as written, null as NULL, and an object
// or array as its JSON text.

// jsonStep is one step of a JSONPath: a key, or an array index.
type jsonStep struct {
	key   string
	index int // -1 for a key
}

// parseJSONPath reads $.a.b, $['a']["b"] and [n] steps.
func parseJSONPath(p string) ([]jsonStep, error) {
	bad := func() ([]jsonStep, error) {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "invalid JSONPath expression \"%s\" in the jsonpaths file", p)
	}
	if !strings.HasPrefix(p, "$") {
		return bad()
	}
	var out []jsonStep
	for i := 1; i < len(p); {
		switch p[i] {
		case '.':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			if j == i+1 {
				return bad()
			}
			out = append(out, jsonStep{key: p[i+1 : j], index: -1})
			i = j
		case '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return bad()
			}
			in := p[i+1 : i+end]
			i += end + 1
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
				out = append(out, jsonStep{key: in[1 : len(in)-1], index: -1})
				continue
			}
			n, err := strconv.Atoi(in)
			if err != nil || n < 0 {
				return bad()
			}
			out = append(out, jsonStep{index: n})
		default:
			return bad()
		}
	}
	if len(out) == 0 {
		return bad()
	}
	return out, nil
}

// loadJSONPaths reads a jsonpaths file.
func (s *Session) loadJSONPaths(ctx context.Context, path string) ([][]jsonStep, error) {
	data, err := s.readWhole(ctx, path, "jsonpaths file")
	if err != nil {
		return nil, err
	}
	var doc struct {
		Paths []string `json:"jsonpaths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Paths == nil {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "jsonpaths file \"%s\" is not {\"jsonpaths\": [\"$…\", …]}", path)
	}
	out := make([][]jsonStep, len(doc.Paths))
	for i, p := range doc.Paths {
		if out[i], err = parseJSONPath(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// jsonOpen reports whether a JSON text ends inside an open object or
// array (the record goes on past the newline).
func jsonOpen(b []byte) bool {
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth > 0
}

// jsonFields extracts the columns' values from one JSON object.
func (fs *fieldSplitter) jsonFields(rec []byte, names []string) ([][]byte, []bool, error) {
	fs.fields, fs.nulls, fs.offsets = fs.fields[:0], fs.nulls[:0], fs.offsets[:0]
	if fs.o.paths == nil {
		// 'auto' and 'auto ignorecase': one pass over the object, no map
		if fs.jp == nil {
			fs.jp = jsonl.NewFieldParser(names, fs.o.json == "auto ignorecase")
		}
		fields, nulls, err := fs.jp.Parse(rec)
		if err != nil {
			return nil, nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid JSON object: %v", err)
		}
		for range fields {
			fs.offsets = append(fs.offsets, 0)
		}
		return fields, nulls, nil
	}
	// a jsonpaths file: each column's path followed from the object
	var obj map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid JSON object: %s", jsonErr(err))
	}
	for i, n := range names {
		raw, ok := jsonAt(json.RawMessage(rec), fs.o.paths[i])
		fs.offsets = append(fs.offsets, 0)
		raw = bytes.TrimSpace(raw)
		if !ok || string(raw) == "null" {
			fs.fields, fs.nulls = append(fs.fields, nil), append(fs.nulls, true)
			continue
		}
		if raw[0] == '"' {
			var str string
			if err := json.Unmarshal(raw, &str); err != nil {
				return nil, nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid JSON string for column %s", n)
			}
			raw = []byte(str)
		}
		fs.fields, fs.nulls = append(fs.fields, raw), append(fs.nulls, false)
	}
	return fs.fields, fs.nulls, nil
}

// jsonAt follows a JSONPath into a JSON value.
func jsonAt(v json.RawMessage, path []jsonStep) (json.RawMessage, bool) {
	for _, st := range path {
		if st.index < 0 {
			var m map[string]json.RawMessage
			if json.Unmarshal(v, &m) != nil {
				return nil, false
			}
			var ok bool
			if v, ok = m[st.key]; !ok {
				return nil, false
			}
			continue
		}
		var a []json.RawMessage
		if json.Unmarshal(v, &a) != nil || st.index >= len(a) {
			return nil, false
		}
		v = a[st.index]
	}
	return v, true
}

func jsonErr(err error) string {
	if err == nil {
		return "not an object"
	}
	return err.Error()
}

// parquetUnit loads one Parquet file: its columns map to the load's by
// name (case-insensitive); each value goes through the columns'
// converters as text, so a value that does not fit (a string into an
// integer, a number into a too-short varchar) counts toward MAXERROR
// like a bad field of a text file. row is called for each good row.
func (ld *loadRun) parquetUnit(ctx context.Context, slice int, u *loadUnit, cols []*loadCol, row func() error) error {
	ds, err := lqparquet.Open(ctx, ld.s.fs(), []storage.FileInfo{u.file}, lqparquet.Options{Footers: ld.s.eng.footers})
	if err != nil {
		return err
	}
	src := make([]int, len(cols))
	var read []int
	if ld.o.byPosition {
		if len(ds.Columns) != len(cols) {
			return sqlerr.New(sqlerr.BadCopyFileFormat, "%s has %d columns; COPY … FORMAT PARQUET BY POSITION loads %d", u.file.Path, len(ds.Columns), len(cols))
		}
		for j := range cols {
			src[j] = j
			read = append(read, j)
		}
	}
	for j, c := range cols {
		if ld.o.byPosition {
			break
		}
		src[j] = -1
		for k, dc := range ds.Columns {
			if strings.EqualFold(dc.Name, c.name) {
				src[j] = len(read)
				read = append(read, k)
				break
			}
		}
	}
	st := ld.s.scanStats()
	ms, err := ds.Morsels(ctx, read, nil, st)
	if err != nil {
		return err
	}
	var line int64
	for _, m := range ms {
		recs, err := m.Read(ctx, st)
		if err != nil {
			return err
		}
		for _, r := range recs {
			for i := 0; i < int(r.NumRows()); i++ {
				line++
				bad := false
				for j, c := range cols {
					var ce *convError
					var raw []byte
					if src[j] < 0 {
						ce = c.set(nil, true) // a column the file lacks is NULL
					} else {
						t := ds.Columns[read[src[j]]].Type
						if v := types.GetValue(t, r.Column(src[j]), i); v == nil {
							ce = c.set(nil, true)
						} else {
							raw = []byte(types.FormatText(t, v))
							ce = c.set(raw, false)
						}
					}
					if ce != nil {
						le := loadError{Slice: slice, File: u.file.Path, Line: line, Column: c.name, Type: c.t.String(), RawField: clip(raw),
							ErrCode: ce.code, Reason: ce.err.Message, unit: u.idx, state: ce.err.Code}
						if !ld.reject(le) {
							return ld.rejectedPast(u)
						}
						bad = true
						break
					}
				}
				if bad {
					continue
				}
				for _, c := range cols {
					c.commit()
				}
				if err := row(); err != nil {
					return err
				}
			}
			r.Release()
		}
		if ctx.Err() != nil {
			return ctxErr(ctx)
		}
	}
	ld.bytes.Add(u.file.Size)
	u.lines, u.done = line, true
	return nil
}
