// Package connectortest holds what the connectors' tests share: reading
// every split of a scan into sorted text rows.
package connectortest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/types"
)

// ReadAll reads every split of scan (want of them asked) and returns its
// rows as a|b|c text (NULL as "NULL"), sorted.
func ReadAll(t testing.TB, c connectors.Connector, scan *connectors.Scan, want int) []string {
	t.Helper()
	ctx := context.Background()
	splits, err := c.Splits(ctx, scan, want)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sp := range splits {
		r, err := c.Read(ctx, scan, sp)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if rec == nil {
				break
			}
			out = append(out, rows(scan, rec)...)
		}
		r.Close()
	}
	sort.Strings(out)
	return out
}

func rows(scan *connectors.Scan, rec arrow.Record) []string {
	_, ts, _ := scan.Output()
	var out []string
	for i := 0; i < int(rec.NumRows()); i++ {
		parts := make([]string, len(ts))
		for j, ct := range ts {
			if v := types.GetValue(ct, rec.Column(j), i); v == nil {
				parts[j] = "NULL"
			} else {
				parts[j] = types.FormatText(ct, v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}
