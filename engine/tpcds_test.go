package engine_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakeq/lakeq/sqlerr"
)

const tpcdsDir = "../../shared/tpcds"

var tpcdsTables = []string{"call_center", "catalog_page", "catalog_returns", "catalog_sales", "customer",
	"customer_address", "customer_demographics", "date_dim", "household_demographics", "income_band",
	"inventory", "item", "promotion", "reason", "ship_mode", "store", "store_returns", "store_sales",
	"time_dim", "warehouse", "web_page", "web_returns", "web_sales", "web_site"}

// tpcdsExpected lists the queries whose DuckDB answer lakeq does not
// match because PostgreSQL's semantics differ from DuckDB's: the error
// PostgreSQL raises, and why (../shared/tpcds/README.md: PostgreSQL's
// behaviour wins).
var tpcdsExpected = map[int]struct{ code, why string }{
	// 49 of the 15,288 joined rows have a weekday whose sales sum to
	// 0.00 in the second year; every row is projected before ORDER BY …
	// LIMIT, so PostgreSQL divides by that zero and fails, where DuckDB
	// returns NULL.
	59: {sqlerr.DivisionByZero, "sun_sales1/sun_sales2 … divide by a zero sum"},
}

// TestTPCDS runs the 99 TPC-DS queries over views on the sample Parquet
// files and compares each with DuckDB's answer as a multiset of rows
// (the README's rules). q85 has no answer (DuckDB did not finish it on
// this sample): it must finish within a minute.
func TestTPCDS(t *testing.T) {
	s := sharedViews(t, tpcdsDir, tpcdsTables)
	only := os.Getenv("TPCDS_QUERIES") // e.g. "6,14,23" while investigating
	for q := 1; q <= 99; q++ {
		q := q
		if only != "" && !strings.Contains(","+only+",", ","+strconv.Itoa(q)+",") {
			continue
		}
		t.Run(fmt.Sprintf("q%02d", q), func(t *testing.T) {
			sql, err := os.ReadFile(fmt.Sprintf("%s/queries/%02d.sql", tpcdsDir, q))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			res, err := s.Query(ctx, string(sql))
			took := time.Since(start)
			if exp, ok := tpcdsExpected[q]; ok {
				if sqlerr.Code(err) != exp.code {
					t.Fatalf("q%02d: %v, want SQLSTATE %s as PostgreSQL (%s)", q, err, exp.code, exp.why)
				}
				return
			}
			if err != nil {
				t.Fatalf("q%02d after %v: %v", q, took, err)
			}
			t.Logf("q%02d: %d rows in %v", q, res.NumRows(), took)
			path := fmt.Sprintf("%s/answers/sf0.1/%02d.csv", tpcdsDir, q)
			if _, err := os.Stat(path); err != nil {
				return // no reference answer: finishing in time is the test
			}
			if msg := sameMultiset(rows(res), readAnswer(t, path)); msg != "" {
				t.Fatalf("q%02d: %s", q, msg)
			}
		})
	}
}

// normCell applies the README's rules: trailing blanks trimmed (CHAR(n)),
// NULL and the empty string not distinguished.
func normCell(s string) string {
	s = strings.TrimRight(s, " ")
	if s == "NULL" {
		return ""
	}
	return s
}

// cellLess orders cells numerically when both are numbers, else as text.
func cellLess(a, b string) int {
	x, e1 := strconv.ParseFloat(a, 64)
	y, e2 := strconv.ParseFloat(b, 64)
	if e1 == nil && e2 == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

func tpcdsSame(got, want string) bool {
	if got == want {
		return true
	}
	a, err1 := strconv.ParseFloat(got, 64)
	b, err2 := strconv.ParseFloat(want, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	d := math.Abs(a - b)
	return d <= 0.01 || d <= 1e-6*math.Max(math.Abs(a), math.Abs(b))
}

// sameMultiset compares two results as multisets of rows: both sorted by
// the same order, then compared row by row with the numeric tolerance.
func sameMultiset(got, want [][]string) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d\n got: %v\nwant: %v", len(got), len(want), head(got), head(want))
	}
	norm := func(rows [][]string) [][]string {
		out := make([][]string, len(rows))
		for i, r := range rows {
			out[i] = make([]string, len(r))
			for c, v := range r {
				out[i][c] = normCell(v)
			}
		}
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i], out[j]
			for c := 0; c < len(a) && c < len(b); c++ {
				if k := cellLess(a[c], b[c]); k != 0 {
					return k < 0
				}
			}
			return len(a) < len(b)
		})
		return out
	}
	g, w := norm(got), norm(want)
	for i := range w {
		if len(g[i]) != len(w[i]) {
			return fmt.Sprintf("row %d: %d columns, want %d", i, len(g[i]), len(w[i]))
		}
		for c := range w[i] {
			if !tpcdsSame(g[i][c], w[i][c]) {
				return fmt.Sprintf("sorted row %d col %d: got %q, want %q\n got: %v\nwant: %v", i, c, g[i][c], w[i][c], g[i], w[i])
			}
		}
	}
	return ""
}
