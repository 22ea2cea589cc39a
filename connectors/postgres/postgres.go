// Package postgres is the PostgreSQL connector: a mounted database's
// tables read through pgx, with projection, filters (comparisons, IN,
// IS [NOT] NULL, LIKE, AND/OR/NOT) and LIMIT pushed down as SQL, and
// parallel reads split by ctid ranges. One connection pool per mount.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Config is a mount's connection: Redshift's CREATE EXTERNAL SCHEMA …
// FROM POSTGRES DATABASE 'db' [SCHEMA 's'] URI 'host' [PORT n] USER 'u'
// PASSWORD 'p'.
type Config struct {
	Host     string
	Port     int // 0 = 5432
	Database string
	Schema   string // "" = every schema; else the one schema offered
	User     string
	Password string
	// MaxConns bounds the pool (0 = 4).
	MaxConns int32
}

// Connector is a mounted PostgreSQL database. Safe for concurrent use.
type Connector struct {
	cfg   Config
	pool  *pgxpool.Pool
	where string // host:port/db, for messages (never the password)
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Pushdown  = (*Connector)(nil)
)

// New makes the pool; it connects lazily, so a server that is down
// fails the first read (08001), not the mount.
func New(ctx context.Context, cfg Config) (*Connector, error) {
	if cfg.Port == 0 {
		cfg.Port = 5432
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	cc := pc.ConnConfig
	cc.Host, cc.Port, cc.Database, cc.User, cc.Password = cfg.Host, uint16(cfg.Port), cfg.Database, cfg.User, cfg.Password
	cc.ConnectTimeout = 10 * time.Second
	// text output lakeq parses exactly as PostgreSQL writes it
	cc.RuntimeParams = map[string]string{
		"TimeZone": "UTC", "DateStyle": "ISO, MDY", "IntervalStyle": "postgres",
		"extra_float_digits": "3", "application_name": "lakeq",
	}
	// no statement cache: a remote table altered or dropped after a read
	// must fail or succeed as a fresh query would, not on a stale plan
	cc.DefaultQueryExecMode = pgx.QueryExecModeDescribeExec
	pc.MaxConns = cfg.MaxConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InvalidParameterValue, "PostgreSQL mount of %s", cfg.Database)
	}
	return &Connector{cfg: cfg, pool: pool, where: fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "postgres" }

// Close implements connectors.Connector.
func (c *Connector) Close() error { c.pool.Close(); return nil }

// fail turns a pgx error into a sqlerr naming the source: a remote error
// keeps its SQLSTATE and message; an unreachable server is 08001.
func (c *Connector) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return sqlerr.New(pe.Code, "PostgreSQL %s (%s): %s", c.where, what, pe.Message)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return sqlerr.New("08001", "could not connect to PostgreSQL %s: %v", c.where, errors.Unwrap(err))
	}
	if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		// the query's deadline (statement_timeout): pgx has cancelled the
		// remote query
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout (PostgreSQL %s, %s)", c.where, what)
	}
	return sqlerr.Wrap(err, "08006", "PostgreSQL %s (%s)", c.where, what)
}

// Schemas implements connectors.Connector.
func (c *Connector) Schemas(ctx context.Context) ([]string, error) {
	if c.cfg.Schema != "" {
		return []string{c.cfg.Schema}, nil
	}
	return c.strings(ctx, "list schemas", `SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
		ORDER BY 1`)
}

// Tables implements connectors.Connector.
func (c *Connector) Tables(ctx context.Context, schema string) ([]string, error) {
	return c.strings(ctx, "list tables", `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1`, c.remoteSchema(schema))
}

func (c *Connector) remoteSchema(schema string) string {
	if c.cfg.Schema != "" {
		return c.cfg.Schema
	}
	return schema
}

func (c *Connector) strings(ctx context.Context, what, sql string, args ...any) ([]string, error) {
	rows, err := c.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, c.fail(err, what)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, c.fail(err, what)
}

// handle is a table's remote identity.
type handle struct {
	schema, name string
	kind         byte // pg_class.relkind; 'q' for a passthrough query
	pages        int64
	query        string // a passthrough query, read as a subquery
}

var (
	_ connectors.Passthrough = (*Connector)(nil)
	_ connectors.Joiner      = (*Connector)(nil)
)

// from is a table's FROM item: the table, or a passthrough or joined
// query as a subquery.
func (h *handle) from() string {
	if h.query != "" {
		return "(" + h.query + ")"
	}
	return quoteIdent(h.schema) + "." + quoteIdent(h.name)
}

// JoinTable implements connectors.Joiner: the join as a subquery; text
// keys compare as bytes under PostgreSQL's deterministic collations, as
// lakeq compares them.
func (c *Connector) JoinTable(left *connectors.Table, lcols []int, right *connectors.Table, rcols []int, on [][2]int) (*connectors.Table, bool) {
	lh, ok1 := left.Handle.(*handle)
	rh, ok2 := right.Handle.(*handle)
	if !ok1 || !ok2 || len(on) == 0 {
		return nil, false
	}
	cols := connectors.JoinedColumns(left, lcols, right, rcols)
	var sel []string
	for i, ci := range lcols {
		if left.Columns[ci].Unsupported != "" {
			return nil, false
		}
		sel = append(sel, "l."+quoteIdent(left.Columns[ci].Name)+" AS "+quoteIdent(cols[i].Name))
	}
	for i, ci := range rcols {
		if right.Columns[ci].Unsupported != "" {
			return nil, false
		}
		sel = append(sel, "r."+quoteIdent(right.Columns[ci].Name)+" AS "+quoteIdent(cols[len(lcols)+i].Name))
	}
	var conds []string
	for _, p := range on {
		conds = append(conds, "l."+quoteIdent(left.Columns[p[0]].Name)+" = r."+quoteIdent(right.Columns[p[1]].Name))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + lh.from() + " AS l JOIN " + rh.from() + " AS r ON " + strings.Join(conds, " AND ")
	return &connectors.Table{Schema: left.Schema, Name: left.Name + "⋈" + right.Name, Columns: cols,
		Handle: &handle{kind: 'q', query: q}}, true
}

// QueryTable implements connectors.Passthrough: the query is described by
// preparing it (PostgreSQL's extended protocol takes one statement), and
// read as a subquery of a SELECT, which admits no data-changing statement.
func (c *Connector) QueryTable(ctx context.Context, sql string) (*connectors.Table, error) {
	q := strings.TrimRight(strings.TrimSpace(sql), "; \t\n")
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	defer conn.Release()
	sd, err := conn.Conn().PgConn().Prepare(ctx, "", "SELECT * FROM ("+q+") AS lakeq_query", nil)
	if err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	oids := make([]uint32, len(sd.Fields))
	for i, f := range sd.Fields {
		oids[i] = f.DataTypeOID
	}
	rows, err := conn.Query(ctx, `SELECT t.oid, t.typname, coalesce(et.typname, '') FROM pg_type t
		LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' WHERE t.oid = ANY($1)`, oids)
	if err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	names := map[uint32][2]string{}
	for rows.Next() {
		var oid uint32
		var typ, elem string
		if err := rows.Scan(&oid, &typ, &elem); err != nil {
			rows.Close()
			return nil, c.fail(err, "passthrough query")
		}
		names[oid] = [2]string{typ, elem}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	t := &connectors.Table{Name: "query", Handle: &handle{kind: 'q', query: q}}
	for _, f := range sd.Fields {
		n := names[f.DataTypeOID]
		ct, ok := mapType(n[0], f.TypeModifier, n[1])
		col := connectors.Column{Name: f.Name, Type: ct}
		if !ok {
			col.Unsupported = n[0]
			if col.Unsupported == "" {
				col.Unsupported = fmt.Sprintf("type %d", f.DataTypeOID)
			}
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

// Table implements connectors.Connector.
func (c *Connector) Table(ctx context.Context, schema, name string) (*connectors.Table, error) {
	rs := c.remoteSchema(schema)
	var kind string
	var pages int64
	var tuples float64
	var oid uint32
	err := c.pool.QueryRow(ctx, `SELECT c.oid, c.relkind::text, c.relpages::int8, c.reltuples::float8 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`, rs, name).Scan(&oid, &kind, &pages, &tuples)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, c.fail(err, "describe "+rs+"."+name)
	}
	rows, err := c.pool.Query(ctx, `SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.atttypmod, a.attnotnull,
			coalesce(et.typname, ''), a.attndims
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, oid)
	if err != nil {
		return nil, c.fail(err, "describe "+rs+"."+name)
	}
	defer rows.Close()
	t := &connectors.Table{Schema: schema, Name: name, Handle: &handle{schema: rs, name: name, kind: kind[0], pages: pages}}
	if tuples > 0 {
		t.Rows = int64(tuples)
	}
	for rows.Next() {
		var col, typ, formatted, elem string
		var mod, dims int32
		var notNull bool
		if err := rows.Scan(&col, &typ, &formatted, &mod, &notNull, &elem, &dims); err != nil {
			return nil, c.fail(err, "describe "+rs+"."+name)
		}
		ct, ok := mapType(typ, mod, elem)
		cc := connectors.Column{Name: col, Type: ct, NotNull: notNull}
		if !ok {
			cc.Unsupported = formatted
		}
		t.Columns = append(t.Columns, cc)
	}
	if err := rows.Err(); err != nil {
		return nil, c.fail(err, "describe "+rs+"."+name)
	}
	return t, nil
}

// mapType maps a PostgreSQL type (pg_type.typname, atttypmod, and for an
// array its element's typname) to lakeq's; false when lakeq has none.
func mapType(typ string, mod int32, elem string) (types.T, bool) {
	if elem != "" {
		e, ok := mapType(elem, mod, "")
		if !ok || e.Kind == types.Array {
			return types.T{}, false
		}
		return types.ArrayOf(e), true
	}
	switch typ {
	case "bool":
		return types.BoolT, true
	case "int2":
		return types.Int2T, true
	case "int4":
		return types.Int4T, true
	case "int8":
		return types.Int8T, true
	case "float4":
		return types.Float4T, true
	case "float8":
		return types.Float8T, true
	case "numeric":
		if mod < 4 {
			return types.NumericDynT, true
		}
		m := mod - 4
		return types.NumericOf(m>>16&0xffff, m&0xffff), true
	case "text", "name":
		return types.TextT, true
	case "varchar":
		if mod >= 4 {
			return types.T{Kind: types.Varchar, Width: mod - 4}, true
		}
		return types.T{Kind: types.Varchar}, true
	case "bpchar":
		w := int32(1)
		if mod >= 4 {
			w = mod - 4
		}
		return types.T{Kind: types.Char, Width: w}, true
	case "bytea":
		return types.ByteaT, true
	case "date":
		return types.DateT, true
	case "time":
		return types.TimeT, true
	case "timestamp":
		return types.TimestampT, true
	case "timestamptz":
		return types.TimestampTZT, true
	case "interval":
		return types.IntervalT, true
	case "uuid":
		return types.UUIDT, true
	case "json":
		return types.JSONT, true
	case "jsonb":
		return types.JSONBT, true
	}
	return types.T{}, false
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// plan is the remote query a scan negotiated.
type plan struct {
	where []string // SQL conjuncts, with $n parameters
	args  []any
	order string // ORDER BY list of a top-N
	limit int64
}

func planOf(scan *connectors.Scan) *plan {
	if p, ok := scan.Private.(*plan); ok {
		return p
	}
	p := &plan{limit: -1}
	scan.Private = p
	return p
}

// ApplyFilter implements connectors.Pushdown: a conjunct is taken when
// every part of it translates to SQL PostgreSQL evaluates as lakeq
// would. Ordering comparisons of text compare in the "C" collation, as
// lakeq does (byte order), whatever the remote database's collation.
func (c *Connector) ApplyFilter(scan *connectors.Scan, filters []connectors.Expr) []connectors.Expr {
	p := planOf(scan)
	var rest []connectors.Expr
	for _, f := range filters {
		args := p.args
		sql, ok := connectors.Translate(dialect{}, scan.Table, f, &args)
		if !ok {
			rest = append(rest, f)
			continue
		}
		p.where, p.args = append(p.where, sql), args
		scan.Filters = append(scan.Filters, f)
	}
	c.describe(scan)
	return rest
}

// ApplyLimit implements connectors.Pushdown.
func (c *Connector) ApplyLimit(scan *connectors.Scan, n int64) bool {
	planOf(scan).limit = n
	scan.Limit = n
	c.describe(scan)
	return true
}

// ApplyTopN implements connectors.Pushdown: ORDER BY columns, text in the
// "C" collation, NULLs placed as lakeq places them, then LIMIT.
func (c *Connector) ApplyTopN(scan *connectors.Scan, keys []connectors.SortKey, n int64) bool {
	var parts []string
	for _, k := range keys {
		if k.Col < 0 || k.Col >= len(scan.Table.Columns) {
			return false
		}
		col := scan.Table.Columns[k.Col]
		if col.Unsupported != "" || !connectors.Orderable(col.Type) {
			return false
		}
		s := pgKey(quoteIdent(col.Name), col.Type)
		if k.Desc {
			s += " DESC"
		}
		if k.NullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
		parts = append(parts, s)
	}
	p := planOf(scan)
	p.order, p.limit = strings.Join(parts, ", "), n
	scan.TopN, scan.Limit = keys, n
	c.describe(scan)
	return true
}

// ApplyAggregation implements connectors.Pushdown: count, sum, min and
// max grouped by columns, text grouped and ordered in the "C" collation;
// aggregates PostgreSQL lacks for a type (sum of text, min of boolean or
// uuid, DISTINCT json) are not taken.
func (c *Connector) ApplyAggregation(scan *connectors.Scan, agg *connectors.Aggregation) bool {
	if !connectors.Aggregable(scan.Table, agg) {
		return false
	}
	if _, ok := connectors.AggSQL(dialect{}, scan.Table, agg, pgKey); !ok {
		return false
	}
	scan.Agg = agg
	c.describe(scan)
	return true
}

// pgKey groups and orders text in the "C" collation, lakeq's byte order.
func pgKey(col string, t types.T) string {
	if t.IsString() {
		return col + ` COLLATE "C"`
	}
	return col
}

// dialect is PostgreSQL's SQL for connectors.Translate.
type dialect struct{}

func (dialect) Quote(s string) string { return quoteIdent(s) }

// Param sends a constant as text, cast remotely to its type.
func (dialect) Param(n int, v types.Value, t types.T) (string, any, bool) {
	pt, ok := paramType(t)
	if !ok {
		return "", nil, false
	}
	return "$" + strconv.Itoa(n) + "::" + pt, types.FormatText(t, v), true
}

// Compared orders text in the "C" collation, lakeq's byte order, whatever
// the remote database's; equality and LIKE are the same in every
// deterministic collation.
func (dialect) Compared(col string, t types.T, op string) string {
	if t.IsString() && (op == "<" || op == "<=" || op == ">" || op == ">=") {
		return col + ` COLLATE "C"`
	}
	return col
}

// query is the remote SQL of a scan, restricted to a split's condition.
func (c *Connector) query(scan *connectors.Scan, splitCond string) (string, []any) {
	h := scan.Table.Handle.(*handle)
	p := planOf(scan)
	cols := make([]string, len(scan.Columns))
	for i, ci := range scan.Columns {
		cols[i] = quoteIdent(scan.Table.Columns[ci].Name)
	}
	if scan.Agg != nil {
		cols, _ = connectors.AggSQL(dialect{}, scan.Table, scan.Agg, pgKey)
	}
	list := strings.Join(cols, ", ")
	if list == "" {
		list = "NULL" // count(*): rows without columns
	}
	from := h.from()
	if h.query != "" {
		from += " AS lakeq_query"
	}
	sql := "SELECT " + list + " FROM " + from
	where := append([]string(nil), p.where...)
	if splitCond != "" {
		where = append(where, splitCond)
	}
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	if scan.Agg != nil && len(scan.Agg.GroupBy) > 0 {
		sql += " GROUP BY " + positions(len(scan.Agg.GroupBy))
	}
	if p.order != "" {
		sql += " ORDER BY " + p.order
	}
	if p.limit >= 0 {
		sql += " LIMIT " + strconv.FormatInt(p.limit, 10)
	}
	return sql, p.args
}

func (c *Connector) describe(scan *connectors.Scan) {
	scan.Remote, _ = c.query(scan, "")
}

// Splits implements connectors.Connector: a plain table of more than a
// few pages is cut into want ranges of ctid pages (PostgreSQL scans a
// ctid range without reading the rest); views and small tables, and a
// scan with a LIMIT, are one split.
func (c *Connector) Splits(ctx context.Context, scan *connectors.Scan, want int) ([]connectors.Split, error) {
	h := scan.Table.Handle.(*handle)
	c.describe(scan)
	if want <= 1 || h.kind != 'r' || h.pages < 64 || planOf(scan).limit >= 0 || scan.Agg != nil {
		return []connectors.Split{{Describe: "whole table"}}, nil
	}
	step := (h.pages + int64(want) - 1) / int64(want)
	var out []connectors.Split
	for i := 0; i < want; i++ {
		lo, hi := int64(i)*step, int64(i+1)*step
		var cond string
		switch {
		case i == 0:
			cond = fmt.Sprintf("ctid < '(%d,0)'::tid", hi)
		case i == want-1: // open-ended: pages added since relpages was counted
			cond = fmt.Sprintf("ctid >= '(%d,0)'::tid", lo)
		default:
			cond = fmt.Sprintf("ctid >= '(%d,0)'::tid AND ctid < '(%d,0)'::tid", lo, hi)
		}
		out = append(out, connectors.Split{Describe: cond, Private: cond})
	}
	return out, nil
}

// batchRows is how many rows a batch holds.
const batchRows = 8192

// Read implements connectors.Connector: the split's rows in PostgreSQL's
// text format, parsed by lakeq's own input functions, in batches.
func (c *Connector) Read(ctx context.Context, scan *connectors.Scan, split connectors.Split) (connectors.RecordReader, error) {
	names, ts, bad := scan.Output()
	if bad != "" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "column %s of %s.%s has a PostgreSQL type lakeq cannot read", bad, scan.Table.Schema, scan.Table.Name)
	}
	cond, _ := split.Private.(string)
	sql, args := c.query(scan, cond)
	formats := pgx.QueryResultFormats{pgx.TextFormatCode} // for SELECT NULL (no columns)
	decs := make([]decoder, len(ts))
	if len(ts) > 0 {
		formats = make(pgx.QueryResultFormats, len(ts))
		for i, t := range ts {
			formats[i], decs[i] = decoderFor(t)
		}
	}
	qargs := append([]any{formats}, args...)
	rows, err := c.pool.Query(ctx, sql, qargs...)
	if err != nil {
		return nil, c.fail(err, "read "+scan.Table.Schema+"."+scan.Table.Name)
	}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: ts[i].Arrow(), Nullable: true}
	}
	r := &reader{c: c, scan: scan, rows: rows, schema: arrow.NewSchema(fields, nil), types: ts, decs: decs}
	// the first batch now: a remote error (a table dropped since it was
	// described) is Read's, and the connection goes back at once
	first, err := r.Next()
	if err != nil {
		r.Close()
		return nil, err
	}
	r.first = first
	return r, nil
}

type reader struct {
	c      *Connector
	scan   *connectors.Scan
	rows   pgx.Rows
	schema *arrow.Schema
	types  []types.T
	decs   []decoder
	done   bool
	first  arrow.Record // read by Read, returned by the first Next
}

func (r *reader) Next() (arrow.Record, error) {
	if f := r.first; f != nil {
		r.first = nil
		return f, nil
	}
	if r.done {
		return nil, nil
	}
	bs := make([]array.Builder, len(r.types))
	for i := range bs {
		bs[i] = array.NewBuilder(memory.DefaultAllocator, r.schema.Field(i).Type)
		defer bs[i].Release()
	}
	n := 0
	for n < batchRows && r.rows.Next() {
		raw := r.rows.RawValues()
		for i, dec := range r.decs {
			if raw[i] == nil {
				bs[i].AppendNull()
				continue
			}
			if err := dec(bs[i], raw[i]); err != nil {
				r.Close()
				return nil, sqlerr.Wrap(err, sqlerr.InvalidTextRepr, "column %s of %s.%s", r.schema.Field(i).Name, r.scan.Table.Schema, r.scan.Table.Name)
			}
		}
		n++
	}
	if n < batchRows {
		r.done = true
		err := r.rows.Err()
		r.rows.Close()
		if err != nil {
			return nil, r.c.fail(err, "read "+r.scan.Table.Schema+"."+r.scan.Table.Name)
		}
		if n == 0 {
			return nil, nil
		}
	}
	arrs := make([]arrow.Array, len(bs))
	for i, b := range bs {
		arrs[i] = b.NewArray()
	}
	return array.NewRecordBatch(r.schema, arrs, int64(n)), nil
}

func (r *reader) Close() error {
	r.done = true
	r.rows.Close()
	return nil
}

// paramType is the PostgreSQL type a constant of t is sent as (text,
// cast remotely), or false for a type not sent.
func paramType(t types.T) (string, bool) {
	switch t.Kind {
	case types.Bool:
		return "bool", true
	case types.Int2, types.Int4, types.Int8:
		return "int8", true
	case types.Numeric:
		return "numeric", true
	case types.Float4, types.Float8:
		return "float8", true
	case types.Text, types.Varchar, types.Char:
		return "text", true
	case types.Date:
		return "date", true
	case types.Timestamp:
		return "timestamp", true
	case types.TimestampTZ:
		return "timestamptz", true
	case types.UUID:
		return "uuid", true
	}
	return "", false
}

// positions is "1, 2, …, n" (GROUP BY by select-list position).
func positions(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(ps, ", ")
}
