package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/parquet"
	"github.com/lakeq/lakeq/types"
)

// analyze is ANALYZE t [PARTITION (…)] [COMPUTE STATISTICS [FOR COLUMNS …]]:
// one aggregate query over the table, grouped by GROUPING SETS ((keys),
// ()), yields per-partition and whole-table row counts and, per column,
// NULL count, min, max, distinct count (HyperLogLog) and average length.
// NOSCAN on a Parquet table takes row counts from the file footers
// without reading data.
func (s *Session) analyze(ctx context.Context, x *ast.Analyze, noscan bool) (*Result, error) {
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if t.Type == catalog.VirtualView {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is a view; ANALYZE needs a table", t.Name)
	}
	cols := t.Columns
	if x.Columns != nil {
		cols = nil
		for _, name := range x.Columns {
			found := false
			for _, c := range t.Columns {
				if c.Name == name {
					cols, found = append(cols, c), true
				}
			}
			if !found {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, t.Name)
			}
		}
	}
	where := ""
	if x.Partition != nil {
		vals, err := partitionValues(t, *x.Partition)
		if err != nil {
			return nil, err
		}
		var conds []string
		for i, k := range t.PartitionKeys {
			conds = append(conds, fmt.Sprintf("%s = %s", quoteIdent(k.Name), sqlLiteral(vals[i])))
		}
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	if noscan {
		return s.analyzeFooters(ctx, t, where != "")
	}
	keys := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		keys[i] = quoteIdent(k.Name)
	}
	sel := []string{"count(*)"}
	type colAgg struct {
		c      catalog.Column
		minMax bool
		length bool
	}
	var aggs []colAgg
	for _, c := range cols {
		ct, err := types.Parse(c.Type)
		if err != nil {
			return nil, err
		}
		q := quoteIdent(c.Name)
		a := colAgg{c: c}
		sel = append(sel, fmt.Sprintf("count(*) - count(%s)", q), fmt.Sprintf("approx_distinct(%s)", q))
		switch ct.Kind {
		case types.Array, types.JSON, types.JSONB, types.Bool, types.Bytea, types.UUID, types.Interval:
		default:
			a.minMax = true
			sel = append(sel, fmt.Sprintf("min(%s)::text", q), fmt.Sprintf("max(%s)::text", q))
		}
		if ct.IsString() || ct.Kind == types.Bytea || ct.Kind == types.JSONB || ct.Kind == types.JSON {
			a.length = true
			sel = append(sel, fmt.Sprintf("avg(octet_length(%s::text))::float8", q))
		}
		aggs = append(aggs, a)
	}
	query := "SELECT " + strings.Join(sel, ", ")
	if len(keys) > 0 {
		query = "SELECT " + strings.Join(keys, ", ") + ", GROUPING(" + keys[0] + ") AS lakeq_all, " + strings.Join(sel, ", ")
	}
	query += " FROM " + quoteIdent(t.Database) + "." + quoteIdent(t.Name) + where
	if len(keys) > 0 {
		query += " GROUP BY GROUPING SETS ((" + strings.Join(keys, ", ") + "), ())"
	}
	st, err := parser.ParseOne(query)
	if err != nil {
		return nil, err
	}
	res, err := s.runQuery(ctx, st.(*ast.Select), query, nil)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []catalog.ColumnStats
	parts := 0
	for r := 0; r < int(res.NumRows()); r++ {
		i := 0
		part := ""
		if len(keys) > 0 {
			vals := make([]string, len(keys))
			for k := range keys {
				if v := res.Value(r, k); v != nil {
					vals[k] = types.FormatText(res.Columns[k].Type, v)
				}
			}
			i = len(keys)
			if res.Value(r, i).(int64) == 0 {
				part = strings.Join(vals, "/")
				parts++
			}
			i++
		}
		if where != "" && part == "" {
			continue // the whole-table row of a one-partition ANALYZE
		}
		rows := res.Value(r, i).(int64)
		i++
		out = append(out, catalog.ColumnStats{Partition: part, RowCount: rows, UpdatedAt: now})
		for _, a := range aggs {
			cs := catalog.ColumnStats{Partition: part, Column: a.c.Name, RowCount: rows, UpdatedAt: now}
			cs.NullCount = res.Value(r, i).(int64)
			cs.Distinct, _ = res.Value(r, i+1).(int64)
			i += 2
			if a.minMax {
				if v, ok := res.Value(r, i).(string); ok {
					cs.Min, cs.Max, cs.HasMinMax = v, res.Value(r, i+1).(string), true
				}
				i += 2
			}
			if a.length {
				cs.AvgLen, cs.HasAvgLen = res.Value(r, i).(float64)
				i++
			}
			out = append(out, cs)
		}
	}
	if err := s.eng.store.PutStats(ctx, t.Database, t.Name, out); err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("Statistics computed for %d columns", len(aggs))
	if len(keys) > 0 {
		msg += fmt.Sprintf(" in %d partitions", parts)
	}
	return &Result{Tag: "ANALYZE", Notices: []string{msg}}, nil
}

// analyzeFooters stores row counts read from Parquet footers.
func (s *Session) analyzeFooters(ctx context.Context, t *catalog.Table, onePart bool) (*Result, error) {
	if t.Type != catalog.ExternalTable || t.Storage.SerDe != catalog.SerDeParquet {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ANALYZE … NOSCAN needs a Parquet table; \"%s\" is not one", t.Name)
	}
	x := &extSource{eng: s.eng, t: t, fs: s.fs()}
	var parts []part
	if len(t.PartitionKeys) == 0 {
		parts = []part{{location: t.Storage.Location}}
	} else {
		ps, err := s.eng.store.ListPartitions(ctx, t.Database, t.Name)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			parts = append(parts, part{values: p.Values, location: p.Location})
		}
	}
	var total int64
	var out []catalog.ColumnStats
	now := time.Now()
	for _, p := range parts {
		files, err := x.listFiles(ctx, p.location, nil)
		if err != nil {
			return nil, err
		}
		var n int64
		if len(files) > 0 {
			ds, err := parquet.Open(ctx, x.fs, files, parquet.Options{UnionByName: true, Footers: x.eng.footers})
			if err != nil {
				return nil, err
			}
			n = ds.RowCount(ctx)
		}
		total += n
		if len(t.PartitionKeys) > 0 {
			out = append(out, catalog.ColumnStats{Partition: strings.Join(p.values, "/"), RowCount: n, UpdatedAt: now})
		}
	}
	if !onePart {
		out = append(out, catalog.ColumnStats{RowCount: total, UpdatedAt: now})
	}
	if err := s.eng.store.PutStats(ctx, t.Database, t.Name, out); err != nil {
		return nil, err
	}
	return &Result{Tag: "ANALYZE", Notices: []string{fmt.Sprintf("Row count %d from Parquet footers", total)}}, nil
}

// sqlLiteral quotes s as a SQL string literal.
func sqlLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// analyzeAll is ANALYZE with no table: every table on the search path.
func (s *Session) analyzeAll(ctx context.Context) (*Result, error) {
	res := &Result{Tag: "ANALYZE"}
	for _, db := range s.SearchPath {
		ts, err := s.eng.store.ListTables(ctx, db)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Type == catalog.VirtualView || t.Type == catalog.Sequence {
				continue
			}
			r, err := s.analyze(ctx, &ast.Analyze{Table: ast.QualifiedName{Schema: db, Name: t.Name}}, false)
			if err != nil {
				return nil, err
			}
			for _, n := range r.Notices {
				res.Notices = append(res.Notices, t.Name+": "+n)
			}
		}
	}
	return res, nil
}
