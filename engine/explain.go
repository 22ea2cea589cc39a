package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

func (s *Session) explain(ctx context.Context, x *ast.Explain, sql string, params []types.Value) (*Result, error) {
	sel, ok := x.Stmt.(*ast.Select)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN supports queries only")
	}
	n, b, err := s.plan(ctx, sel, sql, params)
	if err != nil {
		return nil, err
	}
	var lines []string
	if x.Cost && x.Analyze {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "EXPLAIN (ANALYZE, COST) is not supported: COST prices a query without running it, ANALYZE runs it")
	}
	if !x.Analyze {
		lines = strings.Split(strings.TrimRight(planner.Format(n), "\n"), "\n")
		if x.Cost {
			if params, err = s.convertParams(b, params); err != nil {
				return nil, err
			}
			more, err := s.priceScan(ctx, n, params)
			if err != nil {
				return nil, err
			}
			lines = append(lines, more...)
		}
	} else {
		if params, err = s.convertParams(b, params); err != nil {
			return nil, err
		}
		phys, err := planner.BuildPhysical(n)
		if err != nil {
			return nil, err
		}
		phys.Result.Discard = true // only counted
		ec := s.execCtx(ctx, params)
		ec.Analyze = true
		ec.Stats = &exec.Stats{}
		start := time.Now()
		if err := runPipelines(ec, phys.Root); err != nil {
			return nil, err
		}
		elapsed := time.Since(start)
		est := planner.NewEstimates()
		lines = formatAnalyze(n, phys, ec.Stats, est, 0, nil, map[*planner.SharedCTE]bool{})
		rows := phys.Result.Rows()
		sc := ec.Scan
		lines = append(lines,
			fmt.Sprintf("Data scanned: %d bytes (files read %d, pruned %d; row groups read %d, pruned %d; pages pruned %d)",
				sc.BytesRead.Load(), sc.FilesRead.Load(), sc.FilesPruned.Load(), sc.RowGroupsRead.Load(), sc.RowGroupsPruned.Load(), sc.PagesPruned.Load()),
		)
		lines = append(lines, fmt.Sprintf("Storage requests: %d reads, %d listings, %d stats; %d footers from the cache; %d morsels fetched ahead",
			sc.Requests.Load(), sc.Listings.Load(), sc.Stats.Load(), sc.CacheHits.Load(), sc.Prefetched.Load()))
		if pr, pp := sc.PartitionsRead.Load(), sc.PartitionsPruned.Load(); pr+pp > 0 {
			lines = append(lines, fmt.Sprintf("Partitions read %d, pruned %d; prefixes listed %d", pr, pp, sc.PrefixesListed.Load()))
		}
		lines = append(lines,
			fmt.Sprintf("Rows returned: %d", rows),
			fmt.Sprintf("Peak memory: %s", humanBytes(ec.Mem.Peak())),
			fmt.Sprintf("Execution time: %.3f ms", float64(elapsed.Microseconds())/1000))
	}
	var rows [][]types.Value
	for _, l := range lines {
		rows = append(rows, []types.Value{l})
	}
	return textResult([]string{"QUERY PLAN"}, rows, "EXPLAIN"), nil
}

func formatAnalyze(n planner.Node, phys *planner.Physical, st *exec.Stats, est *planner.Estimates, depth int, out []string, seen map[*planner.SharedCTE]bool) []string {
	line := strings.Repeat("  ", depth)
	if depth > 0 {
		line += "-> "
	}
	line += n.Describe()
	// the planner's estimate beside what happened, as PostgreSQL's
	// "rows=" in the cost beside "actual … rows="
	parts := []string{fmt.Sprintf("est. rows=%.0f", est.Rows(n))}
	for _, l := range phys.Labels[n] {
		o := st.Get(l)
		if o == nil {
			continue
		}
		name := strings.SplitN(l, "#", 2)[0]
		mem := ""
		if o.Spilled > 0 {
			mem += " spilled=" + humanBytes(o.Spilled)
		}
		if o.Mem > 0 {
			mem = " mem=" + humanBytes(o.Mem) + mem
		}
		// a sink's own figure counts input rows; its result source counts output
		if out := st.Get(l + " result"); out != nil {
			parts = append(parts, fmt.Sprintf("%s rows=%d in=%d time=%.3fms%s", name, out.Rows, o.Rows, float64(o.Time.Microseconds())/1000, mem))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s rows=%d time=%.3fms%s", name, o.Rows, float64(o.Time.Microseconds())/1000, mem))
	}
	if len(parts) > 0 {
		line += "  (" + strings.Join(parts, "; ") + ")"
	}
	out = append(out, line)
	for _, c := range planner.DisplayChildren(n, seen) {
		out = formatAnalyze(c, phys, st, est, depth+1, out, seen)
	}
	return out
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// priceScan lists what each scan of the plan would read — the files,
// partitions and row groups that survive pruning, and of those the
// column chunks or byte ranges the query needs — without reading any
// data (Parquet footers are read), and prices it as Athena would.
func (s *Session) priceScan(ctx context.Context, n planner.Node, params []types.Value) ([]string, error) {
	phys, err := planner.BuildPhysical(n)
	if err != nil {
		return nil, err
	}
	ec := s.execCtx(ctx, params)
	defer ec.Spill.Close()
	if err := exec.Prelist(ec, phys.Root, true); err != nil {
		return nil, err
	}
	sc := ec.Scan
	bytes := sc.BytesPlanned.Load()
	price := s.PricePerTB()
	out := []string{fmt.Sprintf("Data to scan: %s (%d bytes; files %d, pruned %d; row groups pruned %d)",
		humanBytes(bytes), bytes, sc.FilesRead.Load(), sc.FilesPruned.Load(), sc.RowGroupsPruned.Load())}
	if pr, pp := sc.PartitionsRead.Load(), sc.PartitionsPruned.Load(); pr+pp > 0 {
		out = append(out, fmt.Sprintf("Partitions to read %d, pruned %d", pr, pp))
	}
	out = append(out, fmt.Sprintf("Cost: %s at $%s per TB (Athena's billing: whole MB, 10 MB minimum per query)",
		FormatCost(ScanCost(bytes, sc.FilesRead.Load() > 0, price)), strconv.FormatFloat(price, 'f', -1, 64)))
	return out, nil
}
