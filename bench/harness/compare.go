package harness

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// AgreeUnordered compares two answers as multisets (TPC-DS leaves ORDER
// BY ties open; a query's LIMIT after a total order is the same either
// way): numbers within 0.01 or a millionth, trailing blanks ignored,
// true and false as t and f.
func AgreeUnordered(a, b Result) (bool, string) {
	if len(a.Rows) != len(b.Rows) {
		return false, fmt.Sprintf("%d rows vs %d", len(a.Rows), len(b.Rows))
	}
	x, y := sortedRows(a.Rows), sortedRows(b.Rows)
	norm := func(p *string) string {
		if p == nil {
			return ""
		}
		switch *p { // booleans as PostgreSQL prints them, and as DuckDB does
		case "true":
			return "t"
		case "false":
			return "f"
		}
		return strings.TrimRight(*p, " ")
	}
	for i := range x {
		if len(x[i]) != len(y[i]) {
			return false, fmt.Sprintf("row %d width", i)
		}
		for c := range x[i] {
			u, v := norm(x[i][c]), norm(y[i][c])
			if u == v {
				continue
			}
			fu, e1 := strconv.ParseFloat(u, 64)
			fv, e2 := strconv.ParseFloat(v, 64)
			if e1 == nil && e2 == nil && (math.Abs(fu-fv) <= 0.01 || math.Abs(fu-fv) <= 1e-6*math.Max(math.Abs(fu), math.Abs(fv))) {
				continue
			}
			return false, fmt.Sprintf("sorted row %d col %d: %q vs %q", i, c, u, v)
		}
	}
	return true, ""
}

// Table is the Markdown table of each query's medians, their ratio and
// whether the answers agree (AgreeUnordered), then the worst ratios, the
// peak RSS and a last line "geomean ratio X.XX" over the queries that
// agree. expected names the queries whose lakeq error is by design.
func Table(j Job, lq, dk map[string]Result, lqRSS, dkRSS int64, expected map[string]string) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "| query | lakeq ms | DuckDB ms | lakeq/DuckDB | answers |\n|---|---:|---:|---:|---|\n")
	var logSum float64
	var n, agreeN int
	type worst struct {
		name  string
		ratio float64
	}
	var ws []worst
	for _, q := range j.Queries {
		a, b := lq[q.Name], dk[q.Name]
		la, db := Median(a.Times), Median(b.Times)
		ratio := la / db
		status := "agree"
		switch {
		case expected[q.Name] != "" && a.Error != "":
			status = "expected: " + expected[q.Name]
			ratio = math.NaN()
		case a.Error != "":
			status = "lakeq error: " + a.Error
		case q.SkipDuckDB:
			status = "lakeq only (DuckDB does not finish it)"
		case b.Error != "":
			status = "duckdb error: " + b.Error
		default:
			if ok, why := AgreeUnordered(a, b); !ok {
				status = "DIFFER: " + why
			} else {
				agreeN++
			}
		}
		fmt.Fprintf(&sb, "| %s | %.1f | %.1f | %.2f | %s |\n", q.Name, la, db, ratio, status)
		if status == "agree" && ratio > 0 && !math.IsInf(ratio, 0) {
			logSum += math.Log(ratio)
			n++
			ws = append(ws, worst{q.Name, ratio})
		}
	}
	sort.Slice(ws, func(i, k int) bool { return ws[i].ratio > ws[k].ratio })
	var top []string
	for i := 0; i < len(ws) && i < 5; i++ {
		top = append(top, fmt.Sprintf("%s %.2fx", ws[i].name, ws[i].ratio))
	}
	fmt.Fprintf(&sb, "\n%d of %d answers agree; worst ratios: %s\n", agreeN, len(j.Queries), strings.Join(top, ", "))
	fmt.Fprintf(&sb, "peak RSS: lakeq %.0f MB, DuckDB %.0f MB (ratio %.2f)\n", float64(lqRSS)/1e6, float64(dkRSS)/1e6, float64(lqRSS)/float64(dkRSS))
	fmt.Fprintf(&sb, "geomean ratio %.2f (over the %d queries that agree)\n", math.Exp(logSum/float64(max(n, 1))), n)
	return sb.String()
}

func cellLess(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b != nil
	}
	x, e1 := strconv.ParseFloat(*a, 64)
	y, e2 := strconv.ParseFloat(*b, 64)
	if e1 == nil && e2 == nil {
		return x < y
	}
	return *a < *b
}

func sortedRows(rs [][]*string) [][]*string {
	out := append([][]*string(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool {
		for c := range out[i] {
			if c >= len(out[j]) {
				return false
			}
			if cellLess(out[i][c], out[j][c]) {
				return true
			}
			if cellLess(out[j][c], out[i][c]) {
				return false
			}
		}
		return false
	})
	return out
}
