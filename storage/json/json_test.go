package json

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

func TestJSONLines(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.jsonl")
	body := `{"Id": 1, "name": "a", "tags": ["x","y"], "meta": {"k": 1}, "ts": "2024-01-01T10:00:00", "n": 1}
{"id": 2, "NAME": "b", "price": 2.5, "n": 1.5}

{"id": 3, "tags": [], "price": 3, "day": "2024-02-29"}
`
	os.WriteFile(p, []byte(body), 0o644)
	ctx := context.Background()
	d, err := Open(ctx, storage.Local{}, []storage.FileInfo{{Path: p, Size: int64(len(body))}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range d.Columns {
		cols = append(cols, c.Name+" "+c.Type.String())
	}
	want := "id bigint,name text,tags text[],meta jsonb,ts timestamp without time zone,n double precision,price double precision,day date"
	if strings.Join(cols, ",") != want {
		t.Fatalf("columns:\n got %s\nwant %s", strings.Join(cols, ","), want)
	}
	all := make([]int, len(d.Columns))
	for i := range all {
		all[i] = i
	}
	ms, _ := d.Morsels(ctx, all, nil)
	recs, err := ms[0].Read(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	r := recs[0]
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
		rows = append(rows, strings.Join(row, "|"))
	}
	wantRows := []string{
		`1|a|{x,y}|{"k": 1}|2024-01-01 10:00:00|1|\N|\N`,
		`2|b|\N|\N|\N|1.5|2.5|\N`,
		`3|\N|{}|\N|\N|\N|3|2024-02-29`,
	}
	if strings.Join(rows, "\n") != strings.Join(wantRows, "\n") {
		t.Fatalf("rows:\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(wantRows, "\n"))
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"a\": 1}\n[1, 2]\n"), 0o644)
	d2, err := Open(ctx, storage.Local{}, []storage.FileInfo{{Path: bad}}, Options{})
	if err == nil {
		ms, _ := d2.Morsels(ctx, []int{0}, nil)
		_, err = ms[0].Read(ctx, nil)
	}
	if sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), "bad.jsonl") {
		t.Fatalf("malformed: %v", err)
	}
}

// A large file is read in byte ranges: every line once, in order, from
// whichever range it starts in; an error names the line counted from the
// file's start.
func TestJSONRanges(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.jsonl")
	var sb strings.Builder
	for i := 0; i < 500; i++ {
		if i%7 == 0 {
			sb.WriteString("\n") // blank lines count as lines
		}
		fmt.Fprintf(&sb, `{"id": %d, "s": "line \"%d\"\u00e9", "f": %d.5}`+"\n", i, i, i)
	}
	body := sb.String()
	os.WriteFile(p, []byte(body), 0o644)
	ctx := context.Background()
	read := func(morsel int64, file string) ([]string, int, error) {
		fi, _ := os.Stat(file)
		d, err := Open(ctx, storage.Local{}, []storage.FileInfo{{Path: file, Size: fi.Size()}}, Options{MorselBytes: morsel})
		if err != nil {
			return nil, 0, err
		}
		ms, _ := d.Morsels(ctx, []int{0, 1, 2}, nil)
		var rows []string
		for _, m := range ms {
			recs, err := m.Read(ctx, nil)
			if err != nil {
				return nil, len(ms), err
			}
			for _, r := range recs {
				for i := 0; i < int(r.NumRows()); i++ {
					var row []string
					for c := 0; c < 3; c++ {
						row = append(row, types.FormatText(d.Columns[c].Type, types.GetValue(d.Columns[c].Type, r.Column(c), i)))
					}
					rows = append(rows, strings.Join(row, "|"))
				}
			}
		}
		return rows, len(ms), nil
	}
	whole, n, err := read(0, p)
	if err != nil || n != 1 || len(whole) != 500 || whole[499] != `499|line "499"é|499.5` {
		t.Fatalf("whole file: %d morsels, %d rows, %v; last %q", n, len(whole), err, whole[len(whole)-1])
	}
	for _, size := range []int64{37, 64, 1000, 4096} {
		got, n, err := read(size, p)
		if err != nil {
			t.Fatal(err)
		}
		if n < 2 || strings.Join(got, "\n") != strings.Join(whole, "\n") {
			t.Fatalf("morsels of %d bytes (%d): %d rows", size, n, len(got))
		}
	}
	// a bad line deep in the file: its number from the file's start
	lines := strings.Split(body, "\n")
	lines[400] = `{"id": 1,, "s": "x"}`
	os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644)
	for _, size := range []int64{0, 1000} {
		_, _, err := read(size, p)
		if sqlerr.Code(err) != "22P04" || !strings.Contains(err.Error(), `r.jsonl" line 401:`) {
			t.Fatalf("morsels of %d bytes: %v", size, err)
		}
	}
}

// A byte range reads past its end only the line that crosses it: the
// bytes scanned of a file read in ranges are about its size.
func TestRangesScanTheirBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ranges.jsonl")
	var sb strings.Builder
	for i := 0; sb.Len() < 4<<20; i++ {
		fmt.Fprintf(&sb, `{"id": %d, "s": "row %d"}`+"\n", i, i)
	}
	os.WriteFile(p, []byte(sb.String()), 0o644)
	ctx := context.Background()
	size := int64(sb.Len())
	d, err := Open(ctx, storage.Local{}, []storage.FileInfo{{Path: p, Size: size}}, Options{MorselBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	var st storage.ScanStats
	ms, _ := d.Morsels(ctx, []int{0}, &st)
	for _, m := range ms {
		if _, err := m.Read(ctx, &st); err != nil {
			t.Fatal(err)
		}
	}
	if got, limit := st.BytesRead.Load(), size+int64(len(ms))*(32<<10); len(ms) < 4 || got < size || got > limit {
		t.Fatalf("%d ranges of a %d-byte file scanned %d bytes (at most %d)", len(ms), size, got, limit)
	}
}

// A byte order mark opening a file is skipped, and its bytes are
// scanned once, as every other byte.
func TestBOMScannedOnce(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bom.jsonl")
	body := "\xef\xbb\xbf{\"a\": 1}\r\n{\"a\": 2}"
	os.WriteFile(p, []byte(body), 0o644)
	ctx := context.Background()
	d, err := Open(ctx, storage.Local{}, []storage.FileInfo{{Path: p, Size: int64(len(body))}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st storage.ScanStats
	ms, _ := d.Morsels(ctx, []int{0}, &st)
	recs, err := ms[0].Read(ctx, &st)
	if err != nil || len(recs) != 1 || recs[0].NumRows() != 2 {
		t.Fatalf("%v %v", recs, err)
	}
	if got := st.BytesRead.Load(); got != int64(len(body)) {
		t.Fatalf("scanned %d bytes of %d", got, len(body))
	}
}
