package engine

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/types"
)

// sysTable resolves the tables of the "sys" schema (lakeq's own views of
// its state, like Redshift's SYS_* views); nil when name is not one.
func (s *Session) sysTable(ctx context.Context, name string) *planner.Table {
	switch name {
	case "query_history":
		cols := []Column{
			{"query_id", types.TextT}, {"user_name", types.TextT}, {"query_text", types.TextT}, {"state", types.TextT},
			{"error_message", types.TextT}, {"start_time", types.TimestampTZT}, {"elapsed_ms", types.Int8T},
			{"rows_returned", types.Int8T}, {"bytes_scanned", types.Int8T}, {"files_scanned", types.Int8T},
			{"partitions_scanned", types.Int8T},
		}
		return s.sysSource(name, cols, func(ctx context.Context) ([][]types.Value, error) {
			if s.eng.hist != nil {
				if err := s.eng.hist.Flush(ctx); err != nil {
					return nil, err
				}
			}
			since := time.Time{}
			if s.eng.cfg.HistoryRetention > 0 {
				since = time.Now().Add(-s.eng.cfg.HistoryRetention)
			}
			qs, err := s.eng.store.ListQueries(ctx, since)
			if err != nil {
				return nil, err
			}
			rows := make([][]types.Value, len(qs))
			for i, q := range qs {
				var errMsg types.Value
				if q.Error != "" {
					errMsg = q.Error
				}
				rows[i] = []types.Value{q.QueryID, q.User, q.Query, q.State, errMsg, types.TimestampVal(q.StartedAt.UnixMicro()),
					q.ElapsedMs, q.Rows, q.Bytes, q.Files, q.Partitions}
			}
			return rows, nil
		})
	case "load_history":
		cols := []Column{
			{"query_id", types.TextT}, {"user_name", types.TextT}, {"table_name", types.TextT}, {"source", types.TextT},
			{"status", types.TextT}, {"start_time", types.TimestampTZT}, {"duration_ms", types.Int8T}, {"files", types.Int8T},
			{"slices", types.Int8T}, {"bytes_read", types.Int8T}, {"rows_loaded", types.Int8T}, {"rows_rejected", types.Int8T},
		}
		return s.sysSource(name, cols, func(context.Context) ([][]types.Value, error) {
			loads, _ := s.eng.loads.snapshot()
			rows := make([][]types.Value, len(loads))
			for i, l := range loads {
				rows[i] = []types.Value{l.QueryID, l.User, l.Table, l.Source, l.Status, types.TimestampVal(l.Start.UnixMicro()),
					l.Duration.Milliseconds(), int64(l.Files), int64(l.Slices), l.Bytes, l.Rows, l.Rejected}
			}
			return rows, nil
		})
	case "load_errors":
		cols := []Column{
			{"query_id", types.TextT}, {"user_name", types.TextT}, {"slice", types.Int4T}, {"table_name", types.TextT},
			{"starttime", types.TimestampTZT}, {"filename", types.TextT}, {"line_number", types.Int8T}, {"colname", types.TextT},
			{"type", types.TextT}, {"position", types.Int4T}, {"raw_line", types.TextT}, {"raw_field_value", types.TextT},
			{"err_code", types.Int4T}, {"sqlstate", types.TextT}, {"err_reason", types.TextT},
		}
		return s.sysSource(name, cols, func(context.Context) ([][]types.Value, error) {
			_, errs := s.eng.loads.snapshot()
			rows := make([][]types.Value, len(errs))
			opt := func(v string) types.Value {
				if v == "" {
					return nil
				}
				return v
			}
			for i, e := range errs {
				var pos types.Value
				if e.Position > 0 {
					pos = int64(e.Position)
				}
				rows[i] = []types.Value{e.QueryID, e.User, int64(e.Slice), e.Table, types.TimestampVal(e.At.UnixMicro()), e.File, e.Line,
					opt(e.Column), opt(e.Type), pos, e.RawLine, opt(e.RawField), int64(e.ErrCode), e.state, e.Reason}
			}
			return rows, nil
		})
	case "column_stats":
		cols := []Column{
			{"schema_name", types.TextT}, {"table_name", types.TextT}, {"partition", types.TextT}, {"column_name", types.TextT},
			{"row_count", types.Int8T}, {"null_count", types.Int8T}, {"distinct_count", types.Int8T},
			{"min_value", types.TextT}, {"max_value", types.TextT}, {"avg_length", types.Float8T}, {"analyzed_at", types.TimestampTZT},
		}
		return s.sysSource(name, cols, func(ctx context.Context) ([][]types.Value, error) {
			dbs, err := s.eng.store.ListDatabases(ctx)
			if err != nil {
				return nil, err
			}
			var rows [][]types.Value
			for _, d := range dbs {
				ts, err := s.eng.store.ListTables(ctx, d.Name)
				if err != nil {
					return nil, err
				}
				for _, t := range ts {
					st, err := s.eng.store.GetStats(ctx, d.Name, t.Name)
					if err != nil {
						return nil, err
					}
					for _, c := range st {
						var part, col, lo, hi types.Value
						if c.Partition != "" {
							part = c.Partition
						}
						if c.Column != "" {
							col = c.Column
						}
						if c.HasMinMax {
							lo, hi = c.Min, c.Max
						}
						var nulls, distinct, avg types.Value
						if c.Column != "" {
							nulls, distinct = c.NullCount, c.Distinct
						}
						if c.HasAvgLen {
							avg = c.AvgLen
						}
						rows = append(rows, []types.Value{d.Name, t.Name, part, col, c.RowCount, nulls, distinct, lo, hi, avg,
							types.TimestampVal(c.UpdatedAt.UnixMicro())})
					}
				}
			}
			return rows, nil
		})
	}
	return nil
}

// rowsSource is a table computed on each scan.
type rowsSource struct {
	cols []Column
	rows func(ctx context.Context) ([][]types.Value, error)
}

// sysTableNames are the tables of schema sys.
var sysTableNames = []string{"column_stats", "load_errors", "load_history", "query_history"}

func (s *Session) sysSource(name string, cols []Column, rows func(ctx context.Context) ([][]types.Value, error)) *planner.Table {
	t := &planner.Table{Schema: "sys", Name: name, Kind: "SYSTEM"}
	for _, c := range cols {
		t.Columns = append(t.Columns, planner.TableColumn{Name: c.Name, Type: c.Type})
	}
	bindConnector(t, systemConnector{s}, &rowsSource{cols: cols, rows: rows})
	return t
}

func (r *rowsSource) Scan(ctx context.Context, cols []int) ([]arrow.Record, error) {
	rows, err := r.rows(ctx)
	if err != nil {
		return nil, err
	}
	sel := make([]Column, len(cols))
	proj := make([][]types.Value, len(rows))
	for i, c := range cols {
		sel[i] = r.cols[c]
	}
	for j, row := range rows {
		p := make([]types.Value, len(cols))
		for i, c := range cols {
			p[i] = row[c]
		}
		proj[j] = p
	}
	return recordsFromRows(sel, proj), nil
}
