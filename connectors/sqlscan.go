package connectors

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// SQLSource is what a SQL database's connector tells the shared SQL
// pushdown below: its dialect, how it groups and orders a column as
// lakeq does, and a table's FROM item.
type SQLSource interface {
	Dialect
	// Key renders a column as a group key, a DISTINCT or min/max operand
	// or a sort key, so that the source groups and orders as lakeq does.
	Key(col string, t types.T) string
	// Nulls renders the ORDER BY terms of one sort key, with NULLs placed
	// as lakeq places them; false when the source cannot order the type
	// as lakeq does.
	Nulls(key string, t types.T, k SortKey) ([]string, bool)
	// From is a table's FROM item (a table, or a query as a subquery with
	// alias when alias is set).
	From(t *Table, alias string) string
}

// SQLPlan is a SQL connector's negotiated remote query, kept in
// Scan.Private.
type SQLPlan struct {
	Where []string // conjuncts, with the dialect's placeholders
	Args  []any
	Order string // ORDER BY list of a top-N
	Limit int64
}

// SQLPlanOf returns the scan's plan, made on first use.
func SQLPlanOf(scan *Scan) *SQLPlan {
	if p, ok := scan.Private.(*SQLPlan); ok {
		return p
	}
	p := &SQLPlan{Limit: -1}
	scan.Private = p
	return p
}

// SQLApplyFilter is ApplyFilter for a SQL source: a conjunct is taken
// when all of it translates (and keep, when set, agrees).
func SQLApplyFilter(src SQLSource, scan *Scan, filters []Expr, keep func(Expr) bool) []Expr {
	p := SQLPlanOf(scan)
	var rest []Expr
	for _, f := range filters {
		pf := PortableOf(f)
		if pf == nil {
			rest = append(rest, f)
			continue
		}
		args := p.Args
		s, ok := Translate(src, scan.Table, pf, &args)
		if !ok || keep != nil && !keep(pf) {
			rest = append(rest, f)
			continue
		}
		p.Where, p.Args = append(p.Where, s), args
		scan.Filters = append(scan.Filters, pf)
	}
	scan.Remote, _ = SQLQuery(src, scan, "")
	return rest
}

// SQLApplyLimit is ApplyLimit for a SQL source.
func SQLApplyLimit(src SQLSource, scan *Scan, n int64) bool {
	SQLPlanOf(scan).Limit = n
	scan.Limit = n
	scan.Remote, _ = SQLQuery(src, scan, "")
	return true
}

// SQLApplyTopN is ApplyTopN for a SQL source: ORDER BY the keys as the
// source renders them, then LIMIT.
func SQLApplyTopN(src SQLSource, scan *Scan, keys []SortKey, n int64) bool {
	var parts []string
	for _, k := range keys {
		if k.Col < 0 || k.Col >= len(scan.Table.Columns) {
			return false
		}
		col := scan.Table.Columns[k.Col]
		if col.Unsupported != "" || !Orderable(col.Type) {
			return false
		}
		terms, ok := src.Nulls(src.Key(src.Quote(col.Name), col.Type), col.Type, k)
		if !ok {
			return false
		}
		parts = append(parts, terms...)
	}
	p := SQLPlanOf(scan)
	p.Order, p.Limit = strings.Join(parts, ", "), n
	scan.TopN, scan.Limit = keys, n
	scan.Remote, _ = SQLQuery(src, scan, "")
	return true
}

// SQLApplyAggregation is ApplyAggregation for a SQL source.
func SQLApplyAggregation(src SQLSource, scan *Scan, agg *Aggregation) bool {
	if !Aggregable(scan.Table, agg) {
		return false
	}
	if _, ok := AggSQL(src, scan.Table, agg, src.Key); !ok {
		return false
	}
	scan.Agg = agg
	scan.Remote, _ = SQLQuery(src, scan, "")
	return true
}

// SQLQuery is the remote SQL of a negotiated scan, restricted to a
// split's condition.
func SQLQuery(src SQLSource, scan *Scan, splitCond string) (string, []any) {
	p := SQLPlanOf(scan)
	cols := make([]string, len(scan.Columns))
	for i, ci := range scan.Columns {
		cols[i] = src.Quote(scan.Table.Columns[ci].Name)
	}
	if scan.Agg != nil {
		cols, _ = AggSQL(src, scan.Table, scan.Agg, src.Key)
	}
	list := strings.Join(cols, ", ")
	if list == "" {
		list = "NULL" // count(*): rows without columns
	}
	q := "SELECT " + list + " FROM " + src.From(scan.Table, "lakeq_query")
	where := append([]string(nil), p.Where...)
	if splitCond != "" {
		where = append(where, splitCond)
	}
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if scan.Agg != nil && len(scan.Agg.GroupBy) > 0 {
		ps := make([]string, len(scan.Agg.GroupBy))
		for i := range ps {
			ps[i] = strconv.Itoa(i + 1)
		}
		q += " GROUP BY " + strings.Join(ps, ", ")
	}
	if p.Order != "" {
		q += " ORDER BY " + p.Order
	}
	if p.Limit >= 0 {
		q += " LIMIT " + strconv.FormatInt(p.Limit, 10)
	}
	return q, p.Args
}

// SQLJoin is the SELECT of a joined table (see Joiner) over the two
// tables' FROM items, aliased l and r, matched with eq (which renders one
// key equality, or false for keys the source does not compare as lakeq);
// its columns are JoinedColumns.
func SQLJoin(src SQLSource, left *Table, lcols []int, right *Table, rcols []int, on [][2]int,
	eq func(l, r string, lt, rt types.T) (string, bool)) (string, []Column, bool) {
	if len(on) == 0 {
		return "", nil, false
	}
	cols := JoinedColumns(left, lcols, right, rcols)
	var sel []string
	for i, ci := range lcols {
		if left.Columns[ci].Unsupported != "" {
			return "", nil, false
		}
		sel = append(sel, "l."+src.Quote(left.Columns[ci].Name)+" AS "+src.Quote(cols[i].Name))
	}
	for i, ci := range rcols {
		if right.Columns[ci].Unsupported != "" {
			return "", nil, false
		}
		sel = append(sel, "r."+src.Quote(right.Columns[ci].Name)+" AS "+src.Quote(cols[len(lcols)+i].Name))
	}
	var conds []string
	for _, p := range on {
		lc, rc := left.Columns[p[0]], right.Columns[p[1]]
		c, ok := eq("l."+src.Quote(lc.Name), "r."+src.Quote(rc.Name), lc.Type, rc.Type)
		if !ok {
			return "", nil, false
		}
		conds = append(conds, c)
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + src.From(left, "l") + " JOIN " + src.From(right, "r") + " ON " + strings.Join(conds, " AND ")
	return q, cols, true
}

// BatchRows is how many rows a SQL connector's batch holds.
const BatchRows = 8192

// Batch builds one batch of a schema's columns. Release it when done.
type Batch struct {
	schema *arrow.Schema
	B      []array.Builder
}

// NewBatch starts a batch.
func NewBatch(schema *arrow.Schema) *Batch {
	b := &Batch{schema: schema, B: make([]array.Builder, schema.NumFields())}
	for i := range b.B {
		b.B[i] = array.NewBuilder(memory.DefaultAllocator, schema.Field(i).Type)
	}
	return b
}

// Record returns the n rows appended as a record.
func (b *Batch) Record(n int) arrow.Record {
	arrs := make([]arrow.Array, len(b.B))
	for i, bb := range b.B {
		arrs[i] = bb.NewArray()
	}
	return array.NewRecordBatch(b.schema, arrs, int64(n))
}

// Release releases the builders.
func (b *Batch) Release() {
	for _, bb := range b.B {
		bb.Release()
	}
}

// OutputSchema is the Arrow schema of what a scan returns (Output).
func OutputSchema(scan *Scan) (*arrow.Schema, []types.T, string) {
	names, ts, bad := scan.Output()
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: ts[i].Arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), ts, bad
}

// RawRows is a database driver's stream of rows as raw values (nil for
// NULL), each valid until the next call to Next.
type RawRows interface {
	Next() bool
	Values() ([][]byte, error)
	Err() error
	Close() error
}

// Decoder appends one non-NULL raw value to b.
type Decoder func(b array.Builder, raw []byte) error

// NewRowReader reads rows into batches of schema, one decoder per column;
// fail turns a driver error into the connector's. It reads the first
// batch at once, so that a remote error (a table dropped since it was
// described) is the caller's, and a short result frees its connection.
func NewRowReader(scan *Scan, schema *arrow.Schema, rows RawRows, decs []Decoder, fail func(error) error) (RecordReader, error) {
	r := &rowReader{scan: scan, schema: schema, rows: rows, decs: decs, fail: fail}
	first, err := r.Next()
	if err != nil {
		r.Close()
		return nil, err
	}
	r.first = first
	return r, nil
}

type rowReader struct {
	scan   *Scan
	schema *arrow.Schema
	rows   RawRows
	decs   []Decoder
	fail   func(error) error
	done   bool
	first  arrow.Record
}

func (r *rowReader) Next() (arrow.Record, error) {
	if f := r.first; f != nil {
		r.first = nil
		return f, nil
	}
	if r.done {
		return nil, nil
	}
	b := NewBatch(r.schema)
	defer b.Release()
	n := 0
	for n < BatchRows && r.rows.Next() {
		raw, err := r.rows.Values()
		if err != nil {
			r.Close()
			return nil, r.fail(err)
		}
		for i, dec := range r.decs {
			if raw[i] == nil {
				b.B[i].AppendNull()
				continue
			}
			if err := dec(b.B[i], raw[i]); err != nil {
				r.Close()
				return nil, sqlerr.Wrap(err, sqlerr.InvalidTextRepr, "column %s of %s.%s", r.schema.Field(i).Name, r.scan.Table.Schema, r.scan.Table.Name)
			}
		}
		n++
	}
	if n < BatchRows {
		r.done = true
		err := r.rows.Err()
		r.rows.Close()
		if err != nil {
			return nil, r.fail(err)
		}
		if n == 0 {
			return nil, nil
		}
	}
	return b.Record(n), nil
}

func (r *rowReader) Close() error {
	r.done = true
	return r.rows.Close()
}
