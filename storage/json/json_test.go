package json

import (
	"context"
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
