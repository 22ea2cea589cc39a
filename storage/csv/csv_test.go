package csv

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

func write(t *testing.T, dir, name, body string) storage.FileInfo {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return storage.FileInfo{Path: p, Size: int64(len(body))}
}

// readAll reads every morsel and renders rows as "a|b|c" (NULL as \N).
func readAll(t *testing.T, d *Dataset) []string {
	t.Helper()
	cols := make([]int, len(d.Columns))
	for i := range cols {
		cols[i] = i
	}
	ms, err := d.Morsels(context.Background(), cols, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		recs, err := m.Read(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			for i := 0; i < int(r.NumRows()); i++ {
				var row []string
				for c := range d.Columns {
					v := types.GetValue(d.Columns[c].Type, r.Column(c), i)
					if v == nil {
						row = append(row, `\N`)
					} else {
						row = append(row, types.FormatText(d.Columns[c].Type, v))
					}
				}
				out = append(out, strings.Join(row, "|"))
			}
		}
	}
	return out
}

func TestSniffAndOptions(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	fs := storage.Local{}
	cases := []struct {
		name, body string
		opt        Options
		cols       string
		rows       []string
	}{
		{"header.csv", "a,b,c\n1,x,2.5\n2,\"y,z\",\n", Options{}, "a bigint,b text,c double precision", []string{"1|x|2.5", `2|y,z|\N`}},
		{"noheader.csv", "1,x\n2,y\n", Options{}, "column0 bigint,column1 text", []string{"1|x", "2|y"}},
		{"pipes.tbl", "1|2024-01-05|t\n2|2024-02-29|f\n", Options{}, "column0 bigint,column1 date,column2 boolean", []string{"1|2024-01-05|t", "2|2024-02-29|f"}},
		{"tabs.tsv", "k\tv\nA\t1\nB\t2\n", Options{}, "k text,v bigint", []string{"A|1", "B|2"}},
		{"nulls.csv", "a,b\n1,NA\nNA,x\n", Options{NullStr: "NA", NullSet: true}, "a bigint,b text", []string{`1|\N`, `\N|x`}},
		{"skip.csv", "# generated\n# by test\nx,y\n1,2\n", Options{Skip: 2}, "x bigint,y bigint", []string{"1|2"}},
		{"escape.csv", "a,b\n1,\"q\\\"uote\"\n", Options{Escape: '\\'}, "a bigint,b text", []string{`1|q"uote`}},
		{"crlf.csv", "a,b\r\n1,2\r\n3,4\r\n", Options{}, "a bigint,b bigint", []string{"1|2", "3|4"}},
		{"explicit.csv", "1,2024-01-01 10:00:00\n", Options{Columns: []Column{{Name: "n", Type: types.Int4T}, {Name: "ts", Type: types.TimestampT}}}, "n integer,ts timestamp without time zone", []string{"1|2024-01-01 10:00:00"}},
		{"quotednl.csv", "a,b\n1,\"two\nlines\"\n", Options{}, "a bigint,b text", []string{"1|two\nlines"}},
	}
	for _, c := range cases {
		fi := write(t, dir, c.name, c.body)
		d, err := Open(ctx, fs, []storage.FileInfo{fi}, c.opt)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var cols []string
		for _, col := range d.Columns {
			cols = append(cols, col.Name+" "+col.Type.String())
		}
		if got := strings.Join(cols, ","); got != c.cols {
			t.Errorf("%s: columns %s, want %s", c.name, got, c.cols)
		}
		if got := readAll(t, d); strings.Join(got, ";") != strings.Join(c.rows, ";") {
			t.Errorf("%s: rows %q, want %q", c.name, got, c.rows)
		}
	}
}

func TestCompressedAndParallel(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,val,txt\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "%d,%d.5,\"row %d, quoted\"\n", i, i%100, i)
	}
	body := sb.String()
	plain := write(t, dir, "big.csv", body)
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write([]byte(body))
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(body))
	zw.Close()
	gzf := write(t, dir, "big.csv.gz", gz.String())
	zsf := write(t, dir, "big.csv.zst", zs.String())
	for _, fi := range []storage.FileInfo{plain, gzf, zsf} {
		d, err := Open(context.Background(), storage.Local{}, []storage.FileInfo{fi}, Options{MorselBytes: 64 << 10})
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := d.Morsels(context.Background(), []int{0}, nil)
		if fi.Path == plain.Path && len(ms) < 5 {
			t.Errorf("plain file split into %d morsels", len(ms))
		}
		rows := readAll(t, d)
		if len(rows) != 20000 {
			t.Fatalf("%s: %d rows", fi.Path, len(rows))
		}
		seen := map[string]bool{}
		for _, r := range rows {
			id := strings.SplitN(r, "|", 2)[0]
			if seen[id] {
				t.Fatalf("%s: row %s read twice", fi.Path, id)
			}
			seen[id] = true
		}
	}
}

func TestMalformed(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	wrong := write(t, dir, "wrong.csv", "a,b\n1,2\n3\n4,5\n")
	d, err := Open(ctx, storage.Local{}, []storage.FileInfo{wrong}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := d.Morsels(ctx, []int{0, 1}, nil)
	_, err = ms[0].Read(ctx, nil)
	if sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), "wrong.csv\" line 3") {
		t.Fatalf("field count: %v", err)
	}
	d2, _ := Open(ctx, storage.Local{}, []storage.FileInfo{wrong}, Options{IgnoreErrors: true})
	if rows := readAll(t, d2); len(rows) != 2 || d2.Rejected.Load() != 1 {
		t.Fatalf("ignore_errors: %v, rejected %d", rows, d2.Rejected.Load())
	}
	unterminated := write(t, dir, "quote.csv", "a,b\n1,\"open\n2,3\n")
	d3, err := Open(ctx, storage.Local{}, []storage.FileInfo{unterminated}, Options{Header: true, HeaderSet: true})
	if err == nil {
		ms, _ := d3.Morsels(ctx, []int{0}, nil)
		_, err = ms[0].Read(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "quote.csv") {
		t.Fatalf("unterminated quote: %v", err)
	}
	badType := write(t, dir, "type.csv", "1\n2\n")
	d4, _ := Open(ctx, storage.Local{}, []storage.FileInfo{badType}, Options{Columns: []Column{{Name: "d", Type: types.DateT}}})
	ms4, _ := d4.Morsels(ctx, []int{0}, nil)
	if _, err := ms4[0].Read(ctx, nil); sqlerr.Code(err) != sqlerr.InvalidTextRepr && sqlerr.Code(err) != sqlerr.InvalidDatetimeFormat {
		t.Fatalf("bad value: %v", err)
	}
	if _, err := Open(ctx, storage.Local{}, []storage.FileInfo{wrong}, Options{Compression: "rar"}); sqlerr.Code(err) != sqlerr.FeatureNotSupported {
		t.Fatalf("unsupported compression: %v", err)
	}
}

// TestLeadingColumnsOnly reads the first column of files whose other
// fields are counted rather than split: rows with an empty first field
// (not blank lines), quotes and escaped delimiters past the first field,
// CRLF, and rows with a field too many or too few, which must still
// be the field-count errors they are when every column is read.
func TestLeadingColumnsOnly(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	cols := []Column{{Name: "a", Type: types.TextT}, {Name: "b", Type: types.TextT}, {Name: "c", Type: types.TextT}}
	read := func(name, body string) ([]string, error) {
		f := write(t, dir, name, body)
		d, err := Open(ctx, storage.Local{}, []storage.FileInfo{f}, Options{Columns: cols, Quote: '"'})
		if err != nil {
			return nil, err
		}
		ms, err := d.Morsels(ctx, []int{0}, nil)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, m := range ms {
			recs, err := m.Read(ctx, nil)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				for i := 0; i < int(r.NumRows()); i++ {
					v := types.GetValue(types.TextT, r.Column(0), i)
					if v == nil {
						out = append(out, `\N`)
					} else {
						out = append(out, v.(string))
					}
				}
			}
		}
		return out, nil
	}
	got, err := read("ok.csv", "x,1,2\n,3,4\n\"q,1\",\"a,b\",c\r\ny,\"5,6\",7\nz,8,9\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"x", `\N`, "q,1", "y", "z"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for _, body := range []string{"x,1,2\ny,1,2,3\n", "x,1,2\ny,1\n", "x,1,2\ny,\"1\",2,3\n"} {
		if _, err := read("bad.csv", body); sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("%q: field count: %v", body, err)
		}
	}
}

// TestTruncatedGzip reads a .csv.gz cut short: an error naming the
// file, never the rows before the cut as if they were all.
func TestTruncatedGzip(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	for i := 0; i < 400000; i++ {
		fmt.Fprintf(zw, "%d,row%d\n", i, i)
	}
	zw.Close()
	// cut past what Open samples: the morsel's read meets the cut
	f := write(t, dir, "cut.csv.gz", string(b.Bytes()[:b.Len()*4/5]))
	d, err := Open(ctx, storage.Local{}, []storage.FileInfo{f}, Options{Columns: []Column{{Name: "a", Type: types.Int8T}, {Name: "b", Type: types.TextT}}})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := d.Morsels(ctx, []int{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ms[0].Read(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "cut.csv.gz") {
		t.Fatalf("truncated gzip: %v", err)
	}
	// the stream's end, not a row cut short that happens to be malformed
	// (a cut at a row's end would leave nothing malformed to see)
	if sqlerr.Code(err) != sqlerr.DataCorrupted || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("truncated gzip: want %s for the cut stream, got %s: %v", sqlerr.DataCorrupted, sqlerr.Code(err), err)
	}
}

// A byte range reads past its end only the line that crosses it: the
// bytes scanned of a file read in ranges are about its size (each range
// had read up to a whole buffer, 1 MB, past its end).
func TestRangesScanTheirBytes(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := 0; sb.Len() < 4<<20; i++ {
		fmt.Fprintf(&sb, "%d,%d.5,row %d\n", i, i%100, i)
	}
	fi := write(t, dir, "ranges.csv", sb.String())
	d, err := Open(context.Background(), storage.Local{}, []storage.FileInfo{fi}, Options{MorselBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var st storage.ScanStats
	ms, _ := d.Morsels(context.Background(), []int{0}, &st)
	for _, m := range ms {
		if _, err := m.Read(context.Background(), &st); err != nil {
			t.Fatal(err)
		}
	}
	if got, limit := st.BytesRead.Load(), fi.Size+int64(len(ms))*(32<<10); len(ms) < 4 || got < fi.Size || got > limit {
		t.Fatalf("%d ranges of a %d-byte file scanned %d bytes (at most %d)", len(ms), fi.Size, got, limit)
	}
}
