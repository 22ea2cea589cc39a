package tpch

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/storage"
)

// JSON Lines output: one object a row, keys the column names, numbers
// bare (money with its two decimals), text and dates as strings.
func TestWriteJSONLines(t *testing.T) {
	dir := t.TempDir()
	g := New(0.01)
	n, err := g.Write(context.Background(), storage.Local{}, "orders", dir, "json")
	if err != nil || n != g.Rows("orders") {
		t.Fatalf("%d rows, %v", n, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "orders.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if int64(len(lines)) != n {
		t.Fatalf("%d lines for %d rows", len(lines), n)
	}
	var row map[string]json.RawMessage
	if err := json.Unmarshal([]byte(lines[0]), &row); err != nil {
		t.Fatal(err)
	}
	if len(row) != 9 || string(row["o_orderkey"]) != "1" || !strings.HasPrefix(string(row["o_orderdate"]), `"199`) ||
		!strings.Contains(string(row["o_totalprice"]), ".") || !strings.HasPrefix(string(row["o_clerk"]), `"Clerk#`) {
		t.Fatalf("first row: %s", lines[0])
	}
	if s := string(appendJSONString(nil, "a\"b\\c\n\x01é")); s != `"a\"b\\c\n\u0001é"` && s != `"a\"b\\c\u000a\u0001é"` {
		t.Fatalf("escaped: %s", s)
	}
}
