package engine

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/planner"
)

// connectorTable is the planner's view of a connector's table: its
// columns, row estimate and a source that negotiates each scan with the
// connector. Every table the planner reads is one (DESIGN.md,
// Connectors): lake files, external and managed tables (lakeConnector),
// system tables (systemConnector) and mounted databases.
func connectorTable(schema, name, kind string, conn connectors.Connector, t *connectors.Table) *planner.Table {
	pt := &planner.Table{Schema: schema, Name: name, Kind: kind, Rows: t.Rows}
	for _, c := range t.Columns {
		pt.Columns = append(pt.Columns, planner.TableColumn{Name: c.Name, Type: c.Type, NotNull: c.NotNull, Pseudo: c.Hidden, Stats: connectorStats(c.Stats)})
	}
	pt.Source = &connectorSource{conn: conn, table: t}
	return pt
}

// connectorStats is what a connector knows of a column, for the planner.
func connectorStats(s connectors.ColumnStats) planner.ColStats {
	out := planner.ColStats{Distinct: s.Distinct, Min: s.Min, Max: s.Max, HasMinMax: s.HasMinMax}
	if s.NullFrac >= 0 && (s.Distinct > 0 || s.NullFrac > 0) {
		out.NullFrac, out.HasNullFrac = s.NullFrac, true
	}
	return out
}

// foreignTable is a mounted database's table.
func foreignTable(schema, name string, conn connectors.Connector, t *connectors.Table) *planner.Table {
	return connectorTable(schema, name, "FOREIGN_TABLE", conn, t)
}

// bindConnector points pt's source at a built-in connector's table of
// pt's columns whose handle is h (the connector's reader of it).
func bindConnector(pt *planner.Table, conn connectors.Connector, h any) {
	t := &connectors.Table{Schema: pt.Schema, Name: pt.Name, Rows: pt.Rows, Handle: h}
	for _, c := range pt.Columns {
		t.Columns = append(t.Columns, connectors.Column{Name: c.Name, Type: c.Type, NotNull: c.NotNull, Hidden: c.Pseudo})
	}
	pt.Source = &connectorSource{conn: conn, table: t}
}

// connectorSource reads a connector's table for the planner: the scan's
// columns and filters are offered to the connector, which takes what it
// evaluates at the source and may use the rest (Scan.Residual) to skip
// data; the filters still run above the scan, so a connector that takes
// none changes nothing. Each split is a morsel.
type connectorSource struct {
	conn  connectors.Connector
	table *connectors.Table
}

var _ planner.TableSource = (*connectorSource)(nil)

func (c *connectorSource) negotiate(cols []int, fs []connectors.Expr) *connectors.Scan {
	scan := &connectors.Scan{Table: c.table, Columns: cols, Limit: -1}
	if pd, ok := c.conn.(connectors.Pushdown); ok {
		scan.Residual = pd.ApplyFilter(scan, fs) // with none too: it fills in Remote
	} else {
		scan.Residual = fs
	}
	return scan
}

// offered are the scan filters as the SPI offers them: lakeq's own form,
// with the portable one where there is one.
func offered(filters []expr.Expr) []connectors.Expr {
	fs := make([]connectors.Expr, len(filters))
	for i, f := range filters {
		n := connectors.Native{Expr: f}
		if cf, ok := connectorFilter(f); ok {
			n.Portable = cf
		}
		fs[i] = n
	}
	return fs
}

// portable are the scan filters in the portable form, or false when one
// has none (a source then cannot take them all).
func portable(filters []expr.Expr) ([]connectors.Expr, bool) {
	fs := make([]connectors.Expr, len(filters))
	for i, f := range filters {
		cf, ok := connectorFilter(f)
		if !ok {
			return nil, false
		}
		fs[i] = cf
	}
	return fs, true
}

// nativeFilters are the lakeq expressions of offered filters.
func nativeFilters(fs []connectors.Expr) []expr.Expr {
	var out []expr.Expr
	for _, f := range fs {
		if n, ok := f.(connectors.Native); ok {
			out = append(out, n.Expr)
		}
	}
	return out
}

// Morsels implements planner.TableSource: the filters the connector can
// evaluate run at the source, one morsel per split.
func (c *connectorSource) Morsels(ctx *exec.Ctx, cols []int, filters []expr.Expr) ([]exec.Morsel, error) {
	return c.morsels(ctx, c.negotiate(cols, offered(filters)))
}

// Remote implements planner.TableSource: what the source runs.
func (c *connectorSource) Remote(cols []int, filters []expr.Expr) string {
	if r := c.negotiate(cols, offered(filters)).Remote; r != "" {
		return c.conn.Name() + ": " + r
	}
	return ""
}

// allFiltered negotiates a scan of cols whose every filter the source
// takes (what an aggregation or a limit at the source needs), or nil.
func (c *connectorSource) allFiltered(cols []int, filters []expr.Expr) (*connectors.Scan, connectors.Pushdown) {
	pd, ok := c.conn.(connectors.Pushdown)
	if !ok {
		return nil, nil
	}
	fs, ok := portable(filters)
	if !ok {
		return nil, nil
	}
	scan := &connectors.Scan{Table: c.table, Columns: cols, Limit: -1}
	if rest := pd.ApplyFilter(scan, fs); len(rest) > 0 {
		return nil, nil
	}
	return scan, pd
}

var _ planner.AggregateTableSource = (*connectorSource)(nil)

// PushAggregate implements planner.AggregateTableSource: the source takes
// the aggregation only with every filter, and then only the groups leave
// it.
func (c *connectorSource) PushAggregate(filters []expr.Expr, keys []int, aggs []planner.PushedAgg) *planner.Table {
	scan, pd := c.allFiltered(nil, filters)
	if scan == nil {
		return nil
	}
	agg := &connectors.Aggregation{GroupBy: keys}
	for _, a := range aggs {
		agg.Aggs = append(agg.Aggs, connectors.AggCall{Func: a.Func, Col: a.Col, Distinct: a.Distinct, Type: a.Type})
	}
	if !pd.ApplyAggregation(scan, agg) {
		return nil
	}
	names, ts, bad := scan.Output()
	if bad != "" {
		return nil // read as rows, to fail on the column when it is read
	}
	pt := &planner.Table{Schema: c.table.Schema, Name: c.table.Name, Kind: "FOREIGN_TABLE"}
	for i, n := range names {
		pt.Columns = append(pt.Columns, planner.TableColumn{Name: n, Type: ts[i]})
	}
	pt.Source = &negotiatedSource{conn: c.conn, scan: scan}
	return pt
}

var _ planner.JoinTableSource = (*connectorSource)(nil)

// PushJoin implements planner.JoinTableSource: two tables of one mount
// (one connector) join at the source when it can join them.
func (c *connectorSource) PushJoin(cols []int, other planner.TableSource, ocols []int, on [][2]int) *planner.Table {
	o, ok := other.(*connectorSource)
	if !ok || o.conn != c.conn {
		return nil
	}
	j, ok := c.conn.(connectors.Joiner)
	if !ok {
		return nil
	}
	t, ok := j.JoinTable(c.table, cols, o.table, ocols, on)
	if !ok {
		return nil
	}
	return foreignTable(c.table.Schema, t.Name, c.conn, t)
}

var _ planner.LimitTableSource = (*connectorSource)(nil)

// PushLimit implements planner.LimitTableSource: the source stops after n
// rows (in keys' order) only when it evaluates every filter.
func (c *connectorSource) PushLimit(cols []int, filters []expr.Expr, keys []planner.PushedSortKey, n int64) planner.TableSource {
	scan, pd := c.allFiltered(cols, filters)
	if scan == nil {
		return nil
	}
	if len(keys) > 0 {
		ks := make([]connectors.SortKey, len(keys))
		for i, k := range keys {
			ks[i] = connectors.SortKey{Col: k.Col, Desc: k.Desc, NullsFirst: k.NullsFirst}
		}
		if !pd.ApplyTopN(scan, ks, n) {
			return nil
		}
	} else if !pd.ApplyLimit(scan, n) {
		return nil
	}
	return &negotiatedSource{conn: c.conn, scan: scan}
}

// negotiatedSource reads a scan negotiated at planning (an aggregation
// or a limit the source took): its columns are the scan's output, in
// order.
type negotiatedSource struct {
	conn connectors.Connector
	scan *connectors.Scan
}

var _ planner.TableSource = (*negotiatedSource)(nil)

func (n *negotiatedSource) Morsels(ctx *exec.Ctx, _ []int, _ []expr.Expr) ([]exec.Morsel, error) {
	return (&connectorSource{conn: n.conn, table: n.scan.Table}).morsels(ctx, n.scan)
}

func (n *negotiatedSource) Remote([]int, []expr.Expr) string {
	return n.conn.Name() + ": " + n.scan.Remote
}

// morsels is one morsel per split, as many splits as workers. A split
// that is itself an executor morsel (a built-in connector's row group or
// byte range) is read in place, with its fetch-ahead.
func (c *connectorSource) morsels(ctx *exec.Ctx, scan *connectors.Scan) ([]exec.Morsel, error) {
	splits, err := c.conn.Splits(ctx.Carried(), scan, max(ctx.Workers, 1))
	if err != nil {
		return nil, err
	}
	ms := make([]exec.Morsel, len(splits))
	for i, sp := range splits {
		if m, ok := sp.Private.(exec.Morsel); ok {
			ms[i] = m
			continue
		}
		ms[i] = splitMorsel{conn: c.conn, scan: scan, split: sp}
	}
	return ms, nil
}

type splitMorsel struct {
	conn  connectors.Connector
	scan  *connectors.Scan
	split connectors.Split
}

func (m splitMorsel) Read(ctx *exec.Ctx) ([]arrow.Record, error) {
	return readSplit(ctx.Carried(), m.conn, m.scan, m.split)
}

func readSplit(ctx context.Context, conn connectors.Connector, scan *connectors.Scan, sp connectors.Split) ([]arrow.Record, error) {
	r, err := conn.Read(ctx, scan, sp)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out, err := exec.Drain(r.Next)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// recordsReader is a RecordReader over batches already read.
type recordsReader struct{ recs []arrow.Record }

func (r *recordsReader) Next() (arrow.Record, error) {
	if len(r.recs) == 0 {
		return nil, nil
	}
	rec := r.recs[0]
	r.recs = r.recs[1:]
	return rec, nil
}

func (r *recordsReader) Close() error { r.recs = nil; return nil }
