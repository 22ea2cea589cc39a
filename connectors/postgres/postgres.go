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

// JoinTable implements connectors.Joiner: the join as a subquery; text
// keys compare as bytes under PostgreSQL's deterministic collations, as
// lakeq compares them.
func (c *Connector) JoinTable(left *connectors.Table, lcols []int, right *connectors.Table, rcols []int, on [][2]int) (*connectors.Table, bool) {
	q, cols, ok := connectors.SQLJoin(dialect{}, left, lcols, right, rcols, on, func(l, r string, _, _ types.T) (string, bool) {
		return l + " = " + r, true
	})
	if !ok {
		return nil, false
	}
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
	// pg_stats (ANALYZE's figures, readable for tables the user may
	// read) feed lakeq's join planning: n_distinct is a count when
	// positive, a fraction of the rows when negative
	rows, err := c.pool.Query(ctx, `SELECT a.attname, t.typname, format_type(a.atttypid, a.atttypmod), a.atttypmod, a.attnotnull,
			coalesce(et.typname, ''), a.attndims,
			coalesce(st.n_distinct, 0)::float8, coalesce(st.null_frac, -1)::float8
		FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
		LEFT JOIN LATERAL (SELECT s.n_distinct, s.null_frac FROM pg_stats s
			WHERE s.schemaname = $2 AND s.tablename = $3 AND s.attname = a.attname ORDER BY s.inherited DESC LIMIT 1) st ON true
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, oid, rs, name)
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
		var distinct, nullFrac float64
		if err := rows.Scan(&col, &typ, &formatted, &mod, &notNull, &elem, &dims, &distinct, &nullFrac); err != nil {
			return nil, c.fail(err, "describe "+rs+"."+name)
		}
		ct, ok := mapType(typ, mod, elem)
		cc := connectors.Column{Name: col, Type: ct, NotNull: notNull, Stats: connectors.ColumnStats{NullFrac: nullFrac}}
		switch {
		case distinct > 0:
			cc.Stats.Distinct = int64(distinct)
		case distinct < 0 && tuples > 0:
			cc.Stats.Distinct = max(1, int64(-distinct*tuples))
		}
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

// ApplyFilter implements connectors.Pushdown: a conjunct is taken when
// every part of it translates to SQL PostgreSQL evaluates as lakeq
// would. Ordering comparisons of text compare in the "C" collation, as
// lakeq does (byte order), whatever the remote database's collation.
func (c *Connector) ApplyFilter(scan *connectors.Scan, filters []connectors.Expr) []connectors.Expr {
	return connectors.SQLApplyFilter(dialect{}, scan, filters, nil)
}

// ApplyLimit implements connectors.Pushdown.
func (c *Connector) ApplyLimit(scan *connectors.Scan, n int64) bool {
	return connectors.SQLApplyLimit(dialect{}, scan, n)
}

// ApplyTopN implements connectors.Pushdown: ORDER BY columns, text in the
// "C" collation, NULLs placed as lakeq places them, then LIMIT.
func (c *Connector) ApplyTopN(scan *connectors.Scan, keys []connectors.SortKey, n int64) bool {
	return connectors.SQLApplyTopN(dialect{}, scan, keys, n)
}

// ApplyAggregation implements connectors.Pushdown: count, sum, min and
// max grouped by columns, text grouped and ordered in the "C" collation;
// aggregates PostgreSQL lacks for a type (sum of text, min of boolean or
// uuid, DISTINCT json) are not taken.
func (c *Connector) ApplyAggregation(scan *connectors.Scan, agg *connectors.Aggregation) bool {
	return connectors.SQLApplyAggregation(dialect{}, scan, agg)
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

// Key groups and orders text in the "C" collation, lakeq's byte order.
func (dialect) Key(col string, t types.T) string {
	if t.IsString() {
		return col + ` COLLATE "C"`
	}
	return col
}

// Nulls places NULLs explicitly, as lakeq does.
func (dialect) Nulls(key string, _ types.T, k connectors.SortKey) ([]string, bool) {
	if k.Desc {
		key += " DESC"
	}
	if k.NullsFirst {
		return []string{key + " NULLS FIRST"}, true
	}
	return []string{key + " NULLS LAST"}, true
}

// From is a table's FROM item: the table, or a passthrough or joined
// query as a subquery.
func (dialect) From(t *connectors.Table, alias string) string {
	h := t.Handle.(*handle)
	f := quoteIdent(h.schema) + "." + quoteIdent(h.name)
	if h.query != "" {
		f = "(" + h.query + ")"
	}
	if alias != "" && (h.query != "" || alias != "lakeq_query") {
		f += " AS " + alias
	}
	return f
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

// Splits implements connectors.Connector: a plain table of more than a
// few pages is cut into want ranges of ctid pages (PostgreSQL scans a
// ctid range without reading the rest); views and small tables, and a
// scan with a LIMIT, are one split.
func (c *Connector) Splits(ctx context.Context, scan *connectors.Scan, want int) ([]connectors.Split, error) {
	h := scan.Table.Handle.(*handle)
	scan.Remote, _ = connectors.SQLQuery(dialect{}, scan, "")
	if want <= 1 || h.kind != 'r' || h.pages < 64 || connectors.SQLPlanOf(scan).Limit >= 0 || scan.Agg != nil {
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

// Read implements connectors.Connector: the split's rows in PostgreSQL's
// text format, parsed by lakeq's own input functions, in batches.
func (c *Connector) Read(ctx context.Context, scan *connectors.Scan, split connectors.Split) (connectors.RecordReader, error) {
	schema, ts, bad := connectors.OutputSchema(scan)
	if bad != "" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "column %s of %s.%s has a PostgreSQL type lakeq cannot read", bad, scan.Table.Schema, scan.Table.Name)
	}
	cond, _ := split.Private.(string)
	sql, args := connectors.SQLQuery(dialect{}, scan, cond)
	formats := pgx.QueryResultFormats{pgx.TextFormatCode} // for SELECT NULL (no columns)
	decs := make([]connectors.Decoder, len(ts))
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
	what := "read " + scan.Table.Schema + "." + scan.Table.Name
	return connectors.NewRowReader(scan, schema, pgRows{rows}, decs, func(err error) error { return c.fail(err, what) })
}

// pgRows is pgx's rows as connectors.RawRows.
type pgRows struct{ pgx.Rows }

func (r pgRows) Values() ([][]byte, error) { return r.RawValues(), nil }
func (r pgRows) Close() error              { r.Rows.Close(); return nil }

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
