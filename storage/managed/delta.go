package managed

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The delta: rows of small INSERTs kept in the catalog entry itself
// (table parameter DeltaKey), so that a single-row INSERT costs one
// catalog update, the publish step it needs anyway, and no files. Each
// row is a JSON array of the values' text (null for NULL). Once the
// delta would pass DeltaBytes, the INSERT that overflows it writes the
// delta and its own rows as a Parquet file instead and clears it.
// Readers take the delta from the same catalog read that names the
// snapshot, so they see one consistent version.

// DeltaKey is the catalog table parameter holding the delta rows.
const DeltaKey = "lakeq.delta"

// DeltaBytes bounds the delta's encoded size.
const DeltaBytes = 64 << 10

// DeltaMaxRows is the most rows an INSERT may add to the delta.
const DeltaMaxRows = 1000

// EncodeDelta renders recs as delta rows (one JSON array per row,
// newline-separated).
func EncodeDelta(cols []types.T, recs []arrow.Record) string {
	var b strings.Builder
	for _, r := range recs {
		for i := 0; i < int(r.NumRows()); i++ {
			row := make([]*string, len(cols))
			for c, t := range cols {
				v := types.GetValue(t, r.Column(c), i)
				if v == nil {
					continue
				}
				s := types.FormatText(t, v)
				row[c] = &s
			}
			line, _ := json.Marshal(row)
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// DecodeDelta reads delta rows as batches of the table's columns.
func (t *Table) DecodeDelta(delta string) ([]arrow.Record, int64, error) {
	if delta == "" {
		return nil, 0, nil
	}
	var rows [][]types.Value
	for _, line := range strings.Split(strings.TrimSuffix(delta, "\n"), "\n") {
		var raw []*string
		if err := json.Unmarshal([]byte(line), &raw); err != nil || len(raw) != len(t.cols) {
			return nil, 0, sqlerr.New(sqlerr.DataCorrupted, "the delta rows of the table at %s are corrupt", t.loc)
		}
		row := make([]types.Value, len(raw))
		for i, s := range raw {
			if s == nil {
				continue
			}
			v, err := types.ParseText(t.cols[i], *s, time.UTC)
			if err != nil {
				return nil, 0, sqlerr.Wrap(err, sqlerr.DataCorrupted, "delta rows of the table at %s", t.loc)
			}
			row[i] = v
		}
		rows = append(rows, row)
	}
	cols := make([]arrow.Array, len(t.cols))
	for c, ct := range t.cols {
		vals := make([]types.Value, len(rows))
		for r := range rows {
			vals[r] = rows[r][c]
		}
		cols[c] = types.BuildArray(ct, vals)
	}
	return []arrow.Record{array.NewRecord(t.schema(), cols, int64(len(rows)))}, int64(len(rows)), nil
}

// Types are the table's column types.
func (t *Table) Types() []types.T { return t.cols }
