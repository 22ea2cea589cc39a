// Package mysql is the MySQL/MariaDB connector: a mounted database's
// tables read through go-sql-driver/mysql, with projection and filters
// pushed down as SQL that compares strings in bytes (PostgreSQL's
// semantics, not MySQL's case-insensitive collations), and parallel reads
// split by ranges of an integer primary key.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	driver "github.com/go-sql-driver/mysql"

	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Config is a mount's connection: Redshift's CREATE EXTERNAL SCHEMA …
// FROM MYSQL DATABASE 'db' URI 'host' [PORT n] USER 'u' PASSWORD 'p'.
type Config struct {
	Host     string
	Port     int // 0 = 3306
	Database string
	User     string
	Password string
	MaxConns int // 0 = 4
}

// Connector is a mounted MySQL or MariaDB database. Safe for concurrent
// use.
type Connector struct {
	cfg   Config
	db    *sql.DB
	where string
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Pushdown  = (*Connector)(nil)
)

// New makes the pool; it connects lazily, so a server that is down fails
// the first read (08001), not the mount.
func New(cfg Config) (*Connector, error) {
	if cfg.Port == 0 {
		cfg.Port = 3306
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	dc := driver.NewConfig()
	dc.User, dc.Passwd, dc.Net = cfg.User, cfg.Password, "tcp"
	dc.Addr = net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dc.DBName = cfg.Database
	dc.Timeout = 10 * time.Second
	// every value as text (the text protocol), parsed by lakeq's own input
	// functions; timestamps in UTC
	dc.InterpolateParams = true
	dc.Params = map[string]string{"time_zone": "'+00:00'"}
	conn, err := driver.NewConnector(dc)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.InvalidParameterValue, "MySQL mount of %s", cfg.Database)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	return &Connector{cfg: cfg, db: db, where: fmt.Sprintf("%s/%s", dc.Addr, cfg.Database)}, nil
}

// Name implements connectors.Connector.
func (c *Connector) Name() string { return "mysql" }

// Close implements connectors.Connector.
func (c *Connector) Close() error { return c.db.Close() }

// fail turns a driver error into a sqlerr naming the source: MySQL's
// SQLSTATE and message, PostgreSQL's codes for what PostgreSQL clients
// act on (a missing table, refused credentials, an unreachable server).
func (c *Connector) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	var me *driver.MySQLError
	if errors.As(err, &me) {
		code := string(me.SQLState[:])
		switch me.Number {
		case 1146: // ER_NO_SUCH_TABLE
			code = sqlerr.UndefinedTable
		case 1045: // ER_ACCESS_DENIED_ERROR
			code = "28P01"
		case 1049: // ER_BAD_DB_ERROR
			code = "3D000"
		}
		if code == "" || code == "HY000" {
			code = "XX000"
		}
		return sqlerr.New(code, "MySQL %s (%s): %s", c.where, what, me.Message)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to statement timeout (MySQL %s, %s)", c.where, what)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) || errors.Is(err, driver.ErrInvalidConn) {
		return sqlerr.New("08001", "could not connect to MySQL %s: %v", c.where, err)
	}
	return sqlerr.Wrap(err, "08006", "MySQL %s (%s)", c.where, what)
}

// Schemas implements connectors.Connector: a MySQL database is a schema.
func (c *Connector) Schemas(context.Context) ([]string, error) {
	return []string{c.cfg.Database}, nil
}

// Tables implements connectors.Connector.
func (c *Connector) Tables(ctx context.Context, _ string) ([]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1`, c.cfg.Database)
	if err != nil {
		return nil, c.fail(err, "list tables")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, c.fail(err, "list tables")
		}
		out = append(out, s)
	}
	return out, c.fail(rows.Err(), "list tables")
}

type handle struct {
	name  string
	view  bool
	pkCol int    // the integer primary key's column index, -1 when none
	query string // a passthrough query, read as a derived table
}

var (
	_ connectors.Passthrough = (*Connector)(nil)
	_ connectors.Joiner      = (*Connector)(nil)
)

// JoinTable implements connectors.Joiner: the join as a derived table,
// string keys compared as bytes (MySQL's collations would match 'a' with
// 'A '); a MySQL timestamp key stays in lakeq.
func (c *Connector) JoinTable(left *connectors.Table, lcols []int, right *connectors.Table, rcols []int, on [][2]int) (*connectors.Table, bool) {
	d := c.dialect()
	q, cols, ok := connectors.SQLJoin(d, left, lcols, right, rcols, on, func(l, r string, lt, rt types.T) (string, bool) {
		if lt.Kind == types.TimestampTZ || rt.Kind == types.TimestampTZ {
			return "", false
		}
		return d.Compared(l, lt, "=") + " = " + d.Compared(r, rt, "="), true
	})
	if !ok {
		return nil, false
	}
	return &connectors.Table{Schema: left.Schema, Name: left.Name + "⋈" + right.Name, Columns: cols,
		Handle: &handle{view: true, pkCol: -1, query: q}}, true
}

// QueryTable implements connectors.Passthrough: the query, as a derived
// table of a SELECT (which admits no data-changing statement), is
// described by reading none of its rows.
func (c *Connector) QueryTable(ctx context.Context, sql string) (*connectors.Table, error) {
	q := strings.TrimRight(strings.TrimSpace(sql), "; \t\n")
	rows, err := c.db.QueryContext(ctx, "SELECT * FROM ("+q+") AS lakeq_query LIMIT 0")
	if err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, c.fail(err, "passthrough query")
	}
	t := &connectors.Table{Name: "query", Handle: &handle{view: true, pkCol: -1, query: q}}
	for _, ct := range cts {
		dt := strings.ToLower(ct.DatabaseTypeName())
		full := dt
		if u, ok := strings.CutPrefix(dt, "unsigned "); ok {
			dt, full = u, u+" unsigned"
		}
		prec, scale, _ := ct.DecimalSize()
		length, _ := ct.Length()
		typ, ok := mapType(dt, full, prec, scale, length)
		if dt == "char" || dt == "varchar" {
			// the driver reports a result column's length in bytes of its
			// character set, not characters: no width to trust
			typ = types.TextT
		}
		col := connectors.Column{Name: ct.Name(), Type: typ}
		if !ok {
			col.Unsupported = dt
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

// Table implements connectors.Connector.
func (c *Connector) Table(ctx context.Context, schema, name string) (*connectors.Table, error) {
	var kind string
	var rowsEst sql.NullInt64
	err := c.db.QueryRowContext(ctx, `SELECT table_type, table_rows FROM information_schema.tables WHERE table_schema = ? AND table_name = ?`, c.cfg.Database, name).Scan(&kind, &rowsEst)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, c.fail(err, "describe "+name)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT column_name, data_type, column_type, coalesce(numeric_precision, 0), coalesce(numeric_scale, 0),
			coalesce(character_maximum_length, 0), is_nullable, column_key
		FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, c.cfg.Database, name)
	if err != nil {
		return nil, c.fail(err, "describe "+name)
	}
	defer rows.Close()
	h := &handle{name: name, view: kind == "VIEW", pkCol: -1}
	t := &connectors.Table{Schema: schema, Name: name, Handle: h, Rows: rowsEst.Int64}
	pks := 0
	for rows.Next() {
		var col, dt, ct, nullable, key string
		var prec, scale, length int64
		if err := rows.Scan(&col, &dt, &ct, &prec, &scale, &length, &nullable, &key); err != nil {
			return nil, c.fail(err, "describe "+name)
		}
		typ, ok := mapType(strings.ToLower(dt), strings.ToLower(ct), prec, scale, length)
		cc := connectors.Column{Name: col, Type: typ, NotNull: nullable == "NO", Stats: connectors.ColumnStats{NullFrac: -1}}
		if !ok {
			cc.Unsupported = ct
		}
		if key == "PRI" {
			pks++
			if ok && typ.IsInteger() {
				h.pkCol = len(t.Columns)
			}
		}
		t.Columns = append(t.Columns, cc)
	}
	if err := rows.Err(); err != nil {
		return nil, c.fail(err, "describe "+name)
	}
	if pks != 1 {
		h.pkCol = -1 // a composite key does not split by one column's ranges
	}
	if err := c.indexStats(ctx, t); err != nil {
		return nil, c.fail(err, "describe "+name)
	}
	return t, nil
}

// indexStats gives the columns that lead an index their distinct count
// (the index's cardinality, InnoDB's estimate), for lakeq's join
// planning; a single-column unique index makes it the row count.
func (c *Connector) indexStats(ctx context.Context, t *connectors.Table) error {
	rows, err := c.db.QueryContext(ctx, `SELECT column_name, coalesce(max(cardinality), 0),
			max(CASE WHEN non_unique = 0 AND NOT EXISTS (SELECT 1 FROM information_schema.statistics s2
				WHERE s2.table_schema = s.table_schema AND s2.table_name = s.table_name AND s2.index_name = s.index_name AND s2.seq_in_index = 2) THEN 1 ELSE 0 END)
		FROM information_schema.statistics s WHERE table_schema = ? AND table_name = ? AND seq_in_index = 1 GROUP BY column_name`, c.cfg.Database, t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var col string
		var card, unique int64
		if err := rows.Scan(&col, &card, &unique); err != nil {
			return err
		}
		for i := range t.Columns {
			if !strings.EqualFold(t.Columns[i].Name, col) {
				continue
			}
			if unique == 1 && t.Rows > 0 {
				card = t.Rows
			}
			if card > 0 {
				t.Columns[i].Stats.Distinct = card
			}
		}
	}
	return rows.Err()
}

// mapType maps a MySQL column (information_schema's data_type and
// column_type) to lakeq's type; false when lakeq has none.
func mapType(dt, ct string, prec, scale, length int64) (types.T, bool) {
	unsigned := strings.Contains(ct, "unsigned")
	switch dt {
	case "tinyint", "smallint", "year":
		if dt == "smallint" && unsigned {
			return types.Int4T, true
		}
		return types.Int2T, true
	case "mediumint":
		return types.Int4T, true
	case "int", "integer":
		if unsigned {
			return types.Int8T, true
		}
		return types.Int4T, true
	case "bigint":
		if unsigned {
			return types.NumericOf(20, 0), true
		}
		return types.Int8T, true
	case "decimal", "numeric":
		return types.NumericOf(int32(prec), int32(scale)), true
	case "float":
		return types.Float4T, true
	case "double", "real":
		return types.Float8T, true
	case "char":
		return types.T{Kind: types.Char, Width: int32(max(length, 1))}, true
	case "varchar":
		return types.T{Kind: types.Varchar, Width: int32(length)}, true
	case "tinytext", "text", "mediumtext", "longtext", "enum", "set":
		return types.TextT, true
	case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob":
		return types.ByteaT, true
	case "date":
		return types.DateT, true
	case "time":
		return types.TimeT, true
	case "datetime":
		return types.TimestampT, true
	case "timestamp": // stored in UTC, read in the session's +00:00
		return types.TimestampTZT, true
	case "json":
		return types.JSONT, true
	}
	return types.T{}, false
}

// dialect is MySQL's SQL for connectors.Translate and the shared SQL
// pushdown; it knows the mount's database, for FROM items.
type dialect struct{ db string }

func (c *Connector) dialect() dialect { return dialect{db: c.cfg.Database} }

// Key compares strings as bytes.
func (dialect) Key(col string, t types.T) string {
	if t.IsString() {
		return "CAST(" + col + " AS BINARY)"
	}
	return col
}

// Nulls places NULLs as lakeq does: MySQL has no NULLS FIRST, so
// "col IS NULL" orders them first. A MySQL timestamp orders in the
// session's zone: not taken.
func (dialect) Nulls(key string, t types.T, k connectors.SortKey) ([]string, bool) {
	if t.Kind == types.TimestampTZ {
		return nil, false
	}
	nulls := key + " IS NULL"
	if k.NullsFirst {
		nulls += " DESC"
	}
	if k.Desc {
		key += " DESC"
	}
	return []string{nulls, key}, true
}

// From is a table's FROM item: the table, or a passthrough or joined
// query as a derived table.
func (d dialect) From(t *connectors.Table, alias string) string {
	h := t.Handle.(*handle)
	f := d.Quote(d.db) + "." + d.Quote(h.name)
	if h.query != "" {
		f = "(" + h.query + ")"
	}
	if alias != "" && (h.query != "" || alias != "lakeq_query") {
		f += " AS " + alias
	}
	return f
}

func (dialect) Quote(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

// Param sends a constant as text (interpolated by the driver, escaped);
// MySQL converts it to the column's type as it compares.
func (dialect) Param(_ int, v types.Value, t types.T) (string, any, bool) {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8:
		n, ok := v.(int64)
		if !ok {
			return "", nil, false
		}
		return "?", n, true
	case types.Numeric, types.Text, types.Varchar, types.Char, types.Date, types.Timestamp:
		return "?", types.FormatText(t, v), true
	case types.Float4, types.Float8:
		f, ok := v.(float64)
		if !ok {
			return "", nil, false
		}
		return "?", f, true
	}
	return "", nil, false
}

// Compared compares strings as bytes: MySQL's default collations ignore
// case and trailing spaces, PostgreSQL's text does neither. LIKE compares
// characters in utf8mb4_bin instead, so that '_' matches one character,
// not one byte of a multi-byte one.
func (dialect) Compared(col string, t types.T, op string) string {
	if !t.IsString() {
		return col
	}
	if op == "like" || op == "notlike" {
		return "CONVERT(" + col + " USING utf8mb4) COLLATE utf8mb4_bin"
	}
	return "BINARY " + col
}

// ApplyFilter implements connectors.Pushdown. A MySQL timestamp compares
// in the session's zone; its constant would need one: such filters stay
// in lakeq.
func (c *Connector) ApplyFilter(scan *connectors.Scan, filters []connectors.Expr) []connectors.Expr {
	return connectors.SQLApplyFilter(c.dialect(), scan, filters, func(f connectors.Expr) bool {
		return !usesTimestampTZ(scan.Table, f)
	})
}

func usesTimestampTZ(t *connectors.Table, e connectors.Expr) bool {
	for _, ci := range connectors.Columns(e) {
		if ci >= 0 && ci < len(t.Columns) && t.Columns[ci].Type.Kind == types.TimestampTZ {
			return true
		}
	}
	return false
}

// ApplyLimit implements connectors.Pushdown.
func (c *Connector) ApplyLimit(scan *connectors.Scan, n int64) bool {
	return connectors.SQLApplyLimit(c.dialect(), scan, n)
}

// ApplyTopN implements connectors.Pushdown: ORDER BY columns, strings as
// bytes, NULLs placed as lakeq places them, then LIMIT.
func (c *Connector) ApplyTopN(scan *connectors.Scan, keys []connectors.SortKey, n int64) bool {
	return connectors.SQLApplyTopN(c.dialect(), scan, keys, n)
}

// ApplyAggregation implements connectors.Pushdown: count, sum, min and
// max grouped by columns, strings grouped, counted DISTINCT and ordered
// as bytes (MySQL's default collations would merge 'a' and 'A').
func (c *Connector) ApplyAggregation(scan *connectors.Scan, agg *connectors.Aggregation) bool {
	return connectors.SQLApplyAggregation(c.dialect(), scan, agg)
}

// Splits implements connectors.Connector: a table with an integer
// primary key and more than a few thousand rows is cut into want ranges
// of the key between its minimum and maximum; others are one split.
func (c *Connector) Splits(ctx context.Context, scan *connectors.Scan, want int) ([]connectors.Split, error) {
	h := scan.Table.Handle.(*handle)
	scan.Remote, _ = connectors.SQLQuery(c.dialect(), scan, "")
	if want <= 1 || h.view || h.pkCol < 0 || scan.Table.Rows < 10000 || connectors.SQLPlanOf(scan).Limit >= 0 || scan.Agg != nil {
		return []connectors.Split{{Describe: "whole table"}}, nil
	}
	pk := c.dialect().Quote(scan.Table.Columns[h.pkCol].Name)
	var lo, hi sql.NullInt64
	if err := c.db.QueryRowContext(ctx, "SELECT MIN("+pk+"), MAX("+pk+") FROM "+c.dialect().From(scan.Table, "")).Scan(&lo, &hi); err != nil {
		return nil, c.fail(err, "split "+h.name)
	}
	if !lo.Valid || hi.Int64-lo.Int64 < int64(want) {
		return []connectors.Split{{Describe: "whole table"}}, nil
	}
	step := (hi.Int64 - lo.Int64 + 1 + int64(want) - 1) / int64(want)
	var out []connectors.Split
	for i := 0; i < want; i++ {
		b := lo.Int64 + int64(i)*step
		var cond string
		switch {
		case i == 0:
			cond = fmt.Sprintf("%s < %d", pk, b+step)
		case i == want-1: // open-ended: keys added since MAX was read
			cond = fmt.Sprintf("%s >= %d", pk, b)
		default:
			cond = fmt.Sprintf("%s >= %d AND %s < %d", pk, b, pk, b+step)
		}
		out = append(out, connectors.Split{Describe: cond, Private: cond})
	}
	return out, nil
}

// Read implements connectors.Connector.
func (c *Connector) Read(ctx context.Context, scan *connectors.Scan, split connectors.Split) (connectors.RecordReader, error) {
	schema, ts, bad := connectors.OutputSchema(scan)
	if bad != "" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "column %s of %s.%s has a MySQL type lakeq cannot read", bad, scan.Table.Schema, scan.Table.Name)
	}
	cond, _ := split.Private.(string)
	q, args := connectors.SQLQuery(c.dialect(), scan, cond)
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, c.fail(err, "read "+scan.Table.Schema+"."+scan.Table.Name)
	}
	decs := make([]connectors.Decoder, len(ts))
	for i, t := range ts {
		decs[i] = func(b array.Builder, raw []byte) error {
			if t.Kind == types.Bytea {
				b.(*array.BinaryBuilder).Append(raw)
				return nil
			}
			v, err := types.ParseText(t, string(raw), time.UTC)
			if err != nil {
				return err
			}
			types.AppendValue(b, v)
			return nil
		}
	}
	what := "read " + scan.Table.Schema + "." + scan.Table.Name
	raw := make([]sql.RawBytes, max(len(ts), 1)) // SELECT NULL has one column
	dest := make([]any, len(raw))
	for i := range raw {
		dest[i] = &raw[i]
	}
	return connectors.NewRowReader(scan, schema, &myRows{Rows: rows, raw: raw, dest: dest}, decs, func(err error) error { return c.fail(err, what) })
}

// myRows is database/sql's rows as connectors.RawRows (every value as
// text, the text protocol's).
type myRows struct {
	*sql.Rows
	raw  []sql.RawBytes
	dest []any
	out  [][]byte
}

func (r *myRows) Values() ([][]byte, error) {
	if err := r.Scan(r.dest...); err != nil {
		return nil, err
	}
	r.out = r.out[:0]
	for _, v := range r.raw {
		r.out = append(r.out, v)
	}
	return r.out, nil
}
