// Package connectors is the connector SPI of DESIGN.md (Connectors):
// every table lakeq reads comes from a Connector — lake files and
// external tables, managed tables, system tables, a mounted PostgreSQL or
// MySQL database — through one contract modelled on Trino's
// ConnectorMetadata and Athena's Query Federation SDK:
//
//   - metadata: schemas, tables, columns and their types, row estimates
//     and column statistics (Table);
//   - pushdown by negotiation: the planner offers a Scan its projection,
//     filters, limit, top-N and aggregation (Apply*); the connector takes
//     what it evaluates with PostgreSQL's semantics and hands back the
//     rest, which lakeq evaluates above the scan;
//   - Splits for parallel reads, and Read(split) → a stream of Arrow
//     batches.
//
// The planner imports this package, never the other way: filters and
// aggregates cross the boundary in the small expression form below, not
// as planner nodes.
package connectors

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/types"
)

// Connector is one source of tables. Implementations are safe for
// concurrent use by many sessions and queries; a Connector lives as long
// as its mount (the engine for built-in ones) and Close releases its
// pools.
type Connector interface {
	// Name identifies the connector in EXPLAIN and errors ("postgres",
	// "mysql", "lake", …).
	Name() string
	// Schemas lists the schemas the source offers.
	Schemas(ctx context.Context) ([]string, error)
	// Tables lists the tables of a schema.
	Tables(ctx context.Context, schema string) ([]string, error)
	// Table describes one table, or returns nil (no error) when it does
	// not exist. A column whose type lakeq cannot map is described with
	// Unsupported set, so that mounting and listing work and only reading
	// it fails (0A000 naming the column).
	Table(ctx context.Context, schema, name string) (*Table, error)
	// Splits cuts a negotiated scan into independently readable parts;
	// workers read them in parallel. None when the connector knows no row
	// can match (every partition pruned). ctx carries the query's
	// exec.Ctx (exec.FromContext) for its scan statistics.
	Splits(ctx context.Context, scan *Scan, want int) ([]Split, error)
	// Read streams a split's batches: the scan's projected columns (or
	// the aggregation's outputs), in the order Scan.Columns lists them.
	Read(ctx context.Context, scan *Scan, split Split) (RecordReader, error)
	Close() error
}

// Table is what a connector tells the planner about a table.
type Table struct {
	Schema, Name string
	Columns      []Column
	// Rows is the estimated row count (0 = unknown).
	Rows int64
	// Handle is the connector's own reference (an OID, a file list).
	Handle any
}

// Column is a table column.
type Column struct {
	Name    string
	Type    types.T
	NotNull bool
	// Unsupported is the source's type name when lakeq cannot map it:
	// reading the column is 0A000 naming it and this type.
	Unsupported string
	// Stats are what the source knows of the values (zero: nothing).
	Stats ColumnStats
	// Hidden columns are selectable by name but not part of SELECT *
	// (a lake table's "$path", "$file_size", …).
	Hidden bool
}

// ColumnStats are a column's statistics for cardinality estimation.
type ColumnStats struct {
	Distinct  int64   // estimated distinct values; 0 = unknown
	NullFrac  float64 // fraction of NULLs; -1 = unknown
	Min, Max  types.Value
	HasMinMax bool
}

// Scan is a scan of one table as negotiated so far. The planner builds it
// with every column and no pushdown, then offers each pushdown in turn;
// a connector's Apply methods change it only for what they accept.
type Scan struct {
	Table *Table
	// Columns are the table column indices the scan returns, in order.
	Columns []int
	// Filters are the conjuncts the connector evaluates (accepted).
	Filters []Expr
	// Residual are the offered conjuncts the connector did not take:
	// lakeq evaluates them above the scan, and the connector may use
	// them to skip data no row of which can pass (partitions, files,
	// row groups by their min/max), never to drop a row that could.
	Residual []Expr
	// Limit is the row limit the connector applies (-1: none).
	Limit int64
	// TopN orders (and limits, with Limit) the rows at the source.
	TopN []SortKey
	// Agg, when set, replaces the scan's rows by the aggregation's:
	// the group keys, then the aggregates, in order.
	Agg *Aggregation
	// Remote is what the connector will run, for EXPLAIN (for a
	// database, its SQL); filled in by the connector.
	Remote string
	// Private is the connector's own negotiated state.
	Private any
}

// Output is what a scan returns, in order: its columns, or with an
// aggregation its group keys then its aggregates. Unsupported names the
// first column a read would fail on ("" when none).
func (s *Scan) Output() (names []string, ts []types.T, unsupported string) {
	col := func(i int) {
		c := s.Table.Columns[i]
		names, ts = append(names, c.Name), append(ts, c.Type)
		if c.Unsupported != "" && unsupported == "" {
			unsupported = c.Name + " (" + c.Unsupported + ")"
		}
	}
	if s.Agg == nil {
		for _, i := range s.Columns {
			col(i)
		}
		return names, ts, unsupported
	}
	for _, i := range s.Agg.GroupBy {
		col(i)
	}
	for _, a := range s.Agg.Aggs {
		if a.Col >= 0 && s.Table.Columns[a.Col].Unsupported != "" && unsupported == "" {
			unsupported = s.Table.Columns[a.Col].Name + " (" + s.Table.Columns[a.Col].Unsupported + ")"
		}
		names, ts = append(names, a.Func), append(ts, a.Type)
	}
	return names, ts, unsupported
}

// Aggregable reports whether every aggregate is one a SQL database
// computes as lakeq does for its column's type: sum of numbers; min and
// max of numbers, strings and date/time types; count of anything,
// DISTINCT of types with a plain equality (not JSON or arrays).
func Aggregable(t *Table, agg *Aggregation) bool {
	for _, k := range agg.GroupBy {
		if k < 0 || k >= len(t.Columns) || t.Columns[k].Unsupported != "" || !comparable(t.Columns[k].Type) {
			return false
		}
	}
	for _, a := range agg.Aggs {
		if a.Col < 0 {
			continue
		}
		if a.Col >= len(t.Columns) || t.Columns[a.Col].Unsupported != "" {
			return false
		}
		ct := t.Columns[a.Col].Type
		switch {
		case a.Func == "sum":
			if !ct.IsNumeric() || ct.Kind == types.Float4 || ct.Kind == types.Float8 {
				return false // float sums depend on the order of addition
			}
		case a.Func == "min" || a.Func == "max":
			if !(ct.IsNumeric() || ct.IsString() || ct.IsTemporal()) {
				return false
			}
		case a.Func == "count" && a.Distinct:
			if !comparable(ct) {
				return false
			}
		}
	}
	return true
}

// Orderable reports a type a SQL database orders as lakeq does once
// strings are compared as bytes: numbers, strings, dates and times,
// booleans.
func Orderable(t types.T) bool {
	return t.IsNumeric() || t.IsString() || t.Kind == types.Bool || t.Kind == types.Date ||
		t.Kind == types.Time || t.Kind == types.Timestamp || t.Kind == types.TimestampTZ
}

func comparable(t types.T) bool {
	switch t.Kind {
	case types.JSON, types.JSONB, types.Array, types.Interval:
		return false
	}
	return true
}

// AggSQL renders an aggregation's select list (keys, then aggregates)
// in dialect d over table t: key renders a group key or a min/max/DISTINCT
// operand so that the source groups and orders as lakeq does; false for
// an aggregate the SQL form lacks.
func AggSQL(d Dialect, t *Table, agg *Aggregation, key func(col string, typ types.T) string) ([]string, bool) {
	var out []string
	for _, k := range agg.GroupBy {
		c := t.Columns[k]
		out = append(out, key(d.Quote(c.Name), c.Type))
	}
	for _, a := range agg.Aggs {
		if a.Col < 0 {
			if a.Func != "count" {
				return nil, false
			}
			out = append(out, "count(*)")
			continue
		}
		c := t.Columns[a.Col]
		arg := d.Quote(c.Name)
		switch {
		case a.Func == "count" && a.Distinct:
			out = append(out, "count(DISTINCT "+key(arg, c.Type)+")")
		case a.Func == "count" || a.Func == "sum":
			if a.Distinct {
				return nil, false
			}
			out = append(out, a.Func+"("+arg+")")
		case a.Func == "min" || a.Func == "max":
			out = append(out, a.Func+"("+key(arg, c.Type)+")")
		default:
			return nil, false
		}
	}
	return out, true
}

// SortKey is one ORDER BY key of a top-N.
type SortKey struct {
	Col        int // table column index
	Desc       bool
	NullsFirst bool
}

// Aggregation is GROUP BY keys and aggregate calls over the scan's rows.
type Aggregation struct {
	GroupBy []int // table column indices
	Aggs    []AggCall
}

// AggCall is one aggregate: count(*) (Col < 0), count, sum, min, max,
// avg, with DISTINCT for count.
type AggCall struct {
	Func     string
	Col      int
	Distinct bool
	Type     types.T // the result type lakeq expects
}

// Pushdown is implemented by connectors that can evaluate more than a
// plain projection. Each method is offered the scan and returns what it
// did not take; it must keep PostgreSQL's semantics for what it takes
// (NULLs, collation, types), or take nothing.
type Pushdown interface {
	// ApplyFilter takes the conjuncts it can evaluate and returns the
	// rest, for lakeq to evaluate above the scan.
	ApplyFilter(scan *Scan, filters []Expr) (rest []Expr)
	// ApplyLimit reports whether the source applies the limit (only
	// offered when every filter was taken).
	ApplyLimit(scan *Scan, n int64) bool
	// ApplyTopN reports whether the source orders and limits.
	ApplyTopN(scan *Scan, keys []SortKey, n int64) bool
	// ApplyAggregation reports whether the source aggregates (only
	// offered when every filter was taken).
	ApplyAggregation(scan *Scan, agg *Aggregation) bool
}

// Passthrough is a connector that runs a query in the source's own
// dialect and offers its result as a table (SELECT * FROM pg.query('…')):
// QueryTable describes the result's columns; Splits and Read then treat
// the table like any other (a connector may push filters on top of it).
// The query must be one read-only SELECT.
type Passthrough interface {
	QueryTable(ctx context.Context, sql string) (*Table, error)
}

// Joiner is a connector that joins two of its tables at the source: the
// joined table has left's columns lcols, then right's rcols, and the rows
// where each pair of on (left column, right column) is equal (an inner
// join; NULLs never match). It is read like any table — filters,
// aggregates and limits are offered on top of it. ok false when the
// connector does not join those tables as lakeq would.
type Joiner interface {
	JoinTable(left *Table, lcols []int, right *Table, rcols []int, on [][2]int) (*Table, bool)
}

// JoinedColumns are the columns of a joined table: left's lcols then
// right's rcols, renamed where a name repeats so that each is unique.
func JoinedColumns(left *Table, lcols []int, right *Table, rcols []int) []Column {
	var out []Column
	seen := map[string]int{}
	add := func(c Column) {
		name := c.Name
		for seen[name] > 0 {
			seen[c.Name]++
			name = fmt.Sprintf("%s_%d", c.Name, seen[c.Name])
		}
		seen[name] = 1
		c.Name = name
		out = append(out, c)
	}
	for _, i := range lcols {
		add(left.Columns[i])
	}
	for _, i := range rcols {
		add(right.Columns[i])
	}
	return out
}

// Split is one independently readable part of a scan (a key range, a
// ctid range, a row group). Splits are values a connector makes and
// reads back; lakeq only hands them out. A connector inside lakeq may
// make Private an exec.Morsel: lakeq then reads it in place, fetching
// ahead where it can, rather than through Read.
type Split struct {
	// Describe is shown by EXPLAIN ANALYZE.
	Describe string
	Private  any
}

// RecordReader streams batches. Next returns nil, nil at the end; a
// batch stays valid until the next call to Next. Close is idempotent and
// stops a read in flight.
type RecordReader interface {
	Next() (arrow.Record, error)
	Close() error
}
