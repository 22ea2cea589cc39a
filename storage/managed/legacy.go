package managed

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// Tables written by lakeq builds before snapshots live in
// <warehouse>/<schema>/<name>/ as Parquet files listed by manifest.json
// plus an insert log of JSON rows. UpgradeLegacy takes such a folder
// over in place: a snapshot naming its Parquet files where they are, and
// the log's committed rows as the delta (or, past DeltaBytes, a data
// file). The caller publishes the snapshot and delta with the table's
// location, as for any write.

type legacyManifest struct {
	Files     []string `json:"files"`
	Log       string   `json:"log"`
	LogOffset int64    `json:"log_offset"`
	LogEnd    int64    `json:"log_end"`
}

// UpgradeLegacy writes the snapshot of the legacy table folder t names
// and returns its name and the delta rows; found is false when the
// folder holds no legacy manifest (nothing to take over).
func (t *Table) UpgradeLegacy(ctx context.Context, qid string) (name, delta string, found bool, err error) {
	read := func(rel string, off, end int64) ([]byte, error) {
		f, err := t.fs.Open(ctx, t.abs(rel))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if end < 0 || end > f.Size() {
			end = f.Size()
		}
		return io.ReadAll(io.NewSectionReader(f, off, end-off))
	}
	b, err := read("manifest.json", 0, -1)
	if err != nil {
		if sqlerr.Code(err) == sqlerr.UndefinedFile {
			return "", "", false, nil
		}
		if ok, _ := storage.Exists(ctx, t.fs, t.abs("manifest.json")); !ok {
			return "", "", false, nil
		}
		return "", "", false, err
	}
	var m legacyManifest
	if err := json.Unmarshal(b, &m); err != nil {
		return "", "", false, sqlerr.New(sqlerr.DataCorrupted, "manifest of the table at %s is corrupt: %v", t.loc, err)
	}
	var snap Snapshot
	for _, f := range m.Files {
		info, err := t.fs.Stat(ctx, t.abs(f))
		if err != nil {
			return "", "", false, err
		}
		snap.Files = append(snap.Files, File{Path: f, Size: info.Size, ETag: info.ETag, ModTime: info.ModTime})
	}
	// the row counts snapshots keep (a one-time read of each file)
	if err := countRows(ctx, t, snap.Files); err != nil {
		return "", "", false, err
	}
	if m.Log != "" && m.LogEnd > m.LogOffset {
		b, err := read(m.Log, m.LogOffset, m.LogEnd)
		if err != nil {
			return "", "", false, err
		}
		delta = strings.TrimLeft(string(b), "\n")
		if delta != "" && !strings.HasSuffix(delta, "\n") {
			delta += "\n"
		}
	}
	w := t.NewWriter(qid, nil)
	if len(delta) > DeltaBytes {
		recs, _, err := t.DecodeDelta(delta)
		if err != nil {
			return "", "", false, err
		}
		if err := w.Write(ctx, recs); err != nil {
			w.Abort(ctx)
			return "", "", false, err
		}
		delta = ""
	}
	name, _, _, err = w.Publish(ctx, snap, "", false, nil)
	if err != nil {
		w.Abort(ctx)
		return "", "", false, err
	}
	return name, delta, true, nil
}

// countRows fills in each file's row count from its rows.
func countRows(ctx context.Context, t *Table, files []File) error {
	for i := range files {
		recs, err := t.Read(ctx, files[i:i+1])
		if err != nil {
			return err
		}
		files[i].Rows = 0
		for _, r := range recs {
			files[i].Rows += r.NumRows()
		}
	}
	return nil
}
