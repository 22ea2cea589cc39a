package engine

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// FileTable implements planner.Catalog for read_parquet(...), FROM 'path'.
func (c *catAdapter) FileTable(ctx context.Context, fn string, args []types.Value, named map[string]types.Value) (*planner.Table, error) {
	if len(args) == 0 {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "%s needs a path", fn)
	}
	var patterns []string
	switch v := args[0].(type) {
	case string:
		patterns = []string{v}
	case []any:
		for _, p := range v {
			s, ok := p.(string)
			if !ok {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: paths must be text", fn)
			}
			patterns = append(patterns, s)
		}
	default:
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "%s: the path must be text or a text array", fn)
	}
	fs := storage.Local{}
	var files []storage.FileInfo
	for _, p := range patterns {
		got, err := fs.Glob(ctx, p)
		if err != nil {
			return nil, err
		}
		if len(got) == 0 {
			return nil, sqlerr.New(sqlerr.UndefinedFile, "no files found that match the pattern \"%s\"", p)
		}
		files = append(files, got...)
	}
	format := fn
	if fn == "read_auto" {
		format = formatByName(files[0].Path)
	}
	switch format {
	case "read_parquet", "parquet_scan", "parquet":
		ds, err := parquet.Open(ctx, fs, files)
		if err != nil {
			return nil, err
		}
		t := &planner.Table{Name: tableNameOf(patterns[0]), Kind: "FILE", Source: &parquetSource{ds: ds}}
		for _, col := range ds.Columns {
			t.Columns = append(t.Columns, planner.TableColumn{Name: col.Name, Type: col.Type})
		}
		return t, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "reading %s files is not supported yet (\"%s\")", strings.TrimPrefix(format, "read_"), files[0].Path)
}

func formatByName(path string) string {
	p := strings.ToLower(path)
	for _, ext := range []string{".gz", ".bz2", ".zst", ".snappy", ".lz4", ".deflate"} {
		p = strings.TrimSuffix(p, ext)
	}
	switch {
	case strings.HasSuffix(p, ".parquet"), strings.HasSuffix(p, ".pq"):
		return "parquet"
	case strings.HasSuffix(p, ".csv"), strings.HasSuffix(p, ".tsv"), strings.HasSuffix(p, ".txt"), strings.HasSuffix(p, ".tbl"):
		return "read_csv"
	case strings.HasSuffix(p, ".json"), strings.HasSuffix(p, ".jsonl"), strings.HasSuffix(p, ".ndjson"):
		return "read_json"
	}
	return "parquet"
}

func tableNameOf(pattern string) string {
	base := filepath.Base(pattern)
	if i := strings.IndexByte(base, '.'); i > 0 {
		base = base[:i]
	}
	if base == "" || strings.ContainsAny(base, "*?[{") {
		return "files"
	}
	return base
}

// parquetSource scans a Parquet dataset, one morsel per row group.
type parquetSource struct{ ds *parquet.Dataset }

func (p *parquetSource) Scan(ctx context.Context, cols []int) ([]arrow.Record, error) {
	ms, err := p.ds.Morsels(ctx, cols, nil, nil)
	if err != nil {
		return nil, err
	}
	var out []arrow.Record
	for _, m := range ms {
		recs, err := m.Read(ctx, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

func (p *parquetSource) Morsels(ctx *exec.Ctx, cols []int, preds []storage.Pred) ([]exec.Morsel, error) {
	ms, err := p.ds.Morsels(ctx.Context(), cols, preds, ctx.Scan)
	if err != nil {
		return nil, err
	}
	out := make([]exec.Morsel, len(ms))
	for i, m := range ms {
		out[i] = parquetMorsel{m}
	}
	return out, nil
}

type parquetMorsel struct{ m *parquet.Morsel }

func (pm parquetMorsel) Read(ctx *exec.Ctx) ([]arrow.Record, error) {
	return pm.m.Read(ctx.Context(), ctx.Scan)
}
