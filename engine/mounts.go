package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/connectors/mysql"
	"github.com/lakeq/lakeq/connectors/postgres"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// A mount is a live database attached as a schema (Redshift's CREATE
// EXTERNAL SCHEMA … FROM POSTGRES): a catalog database whose parameters
// name the source, so that every process sharing the catalog sees it; its
// password is sealed under the secret key (secrets.go), never stored in
// clear. Its tables come from the connector, not the catalog.
const (
	mountSource   = "lakeq.mount.source"
	mountHost     = "lakeq.mount.host"
	mountPort     = "lakeq.mount.port"
	mountDatabase = "lakeq.mount.database"
	mountSchema   = "lakeq.mount.schema"
	mountUser     = "lakeq.mount.user"
	mountPassword = "lakeq.mount.password"
)

// mounts holds one connector per mounted schema, made at first use and
// kept while the mount's parameters stay the same. Safe for concurrent
// use.
type mounts struct {
	mu  sync.Mutex
	m   map[string]*mounted
	box *secretBox // opened at first use: the key file is made only when needed
}

type mounted struct {
	params string // the catalog parameters it was made from
	conn   connectors.Connector
}

// closeAll closes every connector (Engine.Close).
func (ms *mounts) closeAll() {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	for k, m := range ms.m {
		m.conn.Close()
		delete(ms.m, k)
	}
}

// forget closes the connector of a dropped mount.
func (ms *mounts) forget(name string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if m, ok := ms.m[name]; ok {
		m.conn.Close()
		delete(ms.m, name)
	}
}

func (e *Engine) secrets() (*secretBox, error) {
	e.mounts.mu.Lock()
	defer e.mounts.mu.Unlock()
	if e.mounts.box == nil {
		b, err := openSecretBox(e.cfg.SecretKey, e.cfg.DataDir)
		if err != nil {
			return nil, err
		}
		e.mounts.box = b
	}
	return e.mounts.box, nil
}

// isMount reports whether a catalog database is a mount.
func isMount(d *catalog.Database) bool { return d != nil && d.Parameters[mountSource] != "" }

// mountDescription is what SHOW and the catalog views say of a mount:
// where it points, never its password.
func mountDescription(d *catalog.Database) string {
	p := d.Parameters
	s := fmt.Sprintf("%s database %s at %s:%s as %s", p[mountSource], p[mountDatabase], p[mountHost], p[mountPort], p[mountUser])
	if p[mountSchema] != "" {
		s += ", schema " + p[mountSchema]
	}
	return s
}

// createExternalSchema mounts a database as a schema. It does not connect:
// a server that is down fails the first query against the mount (08001),
// and the mount stays.
func (s *Session) createExternalSchema(ctx context.Context, x *ast.CreateExternalSchema) (*Result, error) {
	if x.Source != "postgres" && x.Source != "mysql" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "CREATE EXTERNAL SCHEMA … FROM %s is not supported", strings.ToUpper(x.Source))
	}
	box, err := s.eng.secrets()
	if err != nil {
		return nil, err
	}
	sealed, err := box.seal(x.Password)
	if err != nil {
		return nil, err
	}
	port := x.Port
	if port == 0 {
		port = map[string]int{"postgres": 5432, "mysql": 3306}[x.Source]
	}
	d := catalog.Database{Name: x.Name, Parameters: map[string]string{
		mountSource: x.Source, mountHost: x.Host, mountPort: strconv.Itoa(port), mountDatabase: x.Database,
		mountSchema: x.Schema, mountUser: x.User, mountPassword: sealed,
	}}
	d.Description = mountDescription(&d)
	err = s.eng.store.CreateDatabase(ctx, d)
	if e, ok := err.(*sqlerr.Error); ok && e.Code == sqlerr.DuplicateSchema && x.IfNotExists {
		return &Result{Tag: "CREATE SCHEMA", Notices: []string{fmt.Sprintf("schema \"%s\" already exists, skipping", x.Name)}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE SCHEMA"}, nil
}

// connector returns the mount's connector, made from its catalog entry.
func (e *Engine) connector(ctx context.Context, d *catalog.Database) (connectors.Connector, error) {
	p := d.Parameters
	key := strings.Join([]string{p[mountSource], p[mountHost], p[mountPort], p[mountDatabase], p[mountSchema], p[mountUser], p[mountPassword]}, "\x00")
	e.mounts.mu.Lock()
	if m, ok := e.mounts.m[d.Name]; ok && m.params == key {
		e.mounts.mu.Unlock()
		return m.conn, nil
	}
	e.mounts.mu.Unlock()
	box, err := e.secrets()
	if err != nil {
		return nil, err
	}
	pw, err := box.open(p[mountPassword], "schema \""+d.Name+"\"")
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(p[mountPort])
	var conn connectors.Connector
	switch p[mountSource] {
	case "postgres":
		conn, err = postgres.New(ctx, postgres.Config{Host: p[mountHost], Port: port, Database: p[mountDatabase], Schema: p[mountSchema], User: p[mountUser], Password: pw})
	case "mysql":
		conn, err = mysql.New(mysql.Config{Host: p[mountHost], Port: port, Database: p[mountDatabase], User: p[mountUser], Password: pw})
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "schema \"%s\" mounts a %s database, which this lakeq cannot read", d.Name, p[mountSource])
	}
	if err != nil {
		return nil, err
	}
	e.mounts.mu.Lock()
	defer e.mounts.mu.Unlock()
	if m, ok := e.mounts.m[d.Name]; ok {
		if m.params == key { // another session made it meanwhile
			conn.Close()
			return m.conn, nil
		}
		m.conn.Close()
	}
	if e.mounts.m == nil {
		e.mounts.m = map[string]*mounted{}
	}
	e.mounts.m[d.Name] = &mounted{params: key, conn: conn}
	return conn, nil
}

// mountedTable resolves a table of a mount, or nil when the source has
// none of that name. The mount's schema is the remote one it names, or
// (mounting a whole database) public.
func (s *Session) mountedTable(ctx context.Context, d *catalog.Database, name string) (*planner.Table, error) {
	conn, err := s.eng.connector(ctx, d)
	if err != nil {
		return nil, err
	}
	t, err := conn.Table(ctx, remoteSchema(d), name)
	if err != nil || t == nil {
		return nil, err
	}
	return foreignTable(d.Name, name, conn, t), nil
}

func foreignTable(schema, name string, conn connectors.Connector, t *connectors.Table) *planner.Table {
	pt := &planner.Table{Schema: schema, Name: name, Kind: "FOREIGN_TABLE", Rows: t.Rows}
	for _, c := range t.Columns {
		pt.Columns = append(pt.Columns, planner.TableColumn{Name: c.Name, Type: c.Type, NotNull: c.NotNull})
	}
	pt.Source = &connectorSource{conn: conn, table: t}
	return pt
}

// passthrough is SELECT * FROM mount.query('…'): a query in the mounted
// database's own dialect, its result a table.
func (s *Session) passthrough(ctx context.Context, schema string, args []types.Value, named map[string]types.Value) (*planner.Table, error) {
	d, err := s.eng.store.GetDatabase(ctx, schema)
	if err != nil {
		return nil, err
	}
	if !isMount(d) {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s.query(text) does not exist: schema \"%s\" is not a mounted database", schema, schema)
	}
	q, ok := "", len(args) == 1 && len(named) == 0
	if ok {
		q, ok = args[0].(string)
	}
	if !ok {
		return nil, sqlerr.New(sqlerr.UndefinedFunction, "function %s.query takes one text argument: the query in the source's own SQL", schema)
	}
	conn, err := s.eng.connector(ctx, d)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(connectors.Passthrough)
	if !ok {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "the %s connector of schema \"%s\" runs no passthrough queries", conn.Name(), schema)
	}
	t, err := pc.QueryTable(ctx, q)
	if err != nil {
		return nil, err
	}
	t.Schema = schema // for messages: "column c of pg.query"
	return foreignTable(schema, "query", conn, t), nil
}

// listMounted is the catalog views' system.MountLister: a mount's tables
// as its source describes them now, within a few seconds; a source that
// is down or slow lists none (the views must not fail for it).
func (s *Session) listMounted(ctx context.Context, schema string) ([]catalog.Table, bool) {
	d, err := s.eng.store.GetDatabase(ctx, schema)
	if err != nil || !isMount(d) {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := s.eng.connector(ctx, d)
	if err != nil {
		return nil, true
	}
	remote := remoteSchema(d)
	names, err := conn.Tables(ctx, remote)
	if err != nil {
		return nil, true
	}
	var out []catalog.Table
	for _, n := range names {
		t, err := conn.Table(ctx, remote, n)
		if err != nil || t == nil {
			continue
		}
		ct := catalog.Table{Database: schema, Name: n, Type: "FOREIGN_TABLE", Comment: "table of the mounted " + d.Parameters[mountSource] + " database " + d.Parameters[mountDatabase]}
		for _, c := range t.Columns {
			col := catalog.Column{Name: c.Name, Type: c.Type.String(), NotNull: c.NotNull}
			if c.Unsupported != "" {
				col.Type, col.Comment = "text", "unsupported type "+c.Unsupported
			}
			ct.Columns = append(ct.Columns, col)
		}
		out = append(out, ct)
	}
	return out, true
}

// remoteSchema is the source schema a mount's tables are in: the one it
// names, a MySQL mount's database, else public.
func remoteSchema(d *catalog.Database) string {
	switch {
	case d.Parameters[mountSource] == "mysql":
		return d.Parameters[mountDatabase]
	case d.Parameters[mountSchema] != "":
		return d.Parameters[mountSchema]
	}
	return "public"
}

// connectorSource reads a connector's table for the planner: the scan's
// columns and its single-column filters are offered to the connector
// (the filters still run above the scan, so a connector that takes none
// changes nothing), and each split is a morsel.
type connectorSource struct {
	conn  connectors.Connector
	table *connectors.Table
}

var _ planner.FilterTableSource = (*connectorSource)(nil)

func (c *connectorSource) negotiate(cols []int, fs []connectors.Expr) *connectors.Scan {
	scan := &connectors.Scan{Table: c.table, Columns: cols, Limit: -1}
	if pd, ok := c.conn.(connectors.Pushdown); ok {
		pd.ApplyFilter(scan, fs) // with none too: it fills in Remote
	}
	return scan
}

// offered are the scan filters in the connector's form.
func offered(filters []expr.Expr) []connectors.Expr {
	var fs []connectors.Expr
	for _, f := range filters {
		if cf, ok := connectorFilter(f); ok {
			fs = append(fs, cf)
		}
	}
	return fs
}

// FilteredMorsels implements planner.FilterTableSource: the filters the
// connector can evaluate run at the source, one morsel per split.
func (c *connectorSource) FilteredMorsels(ctx *exec.Ctx, cols []int, filters []expr.Expr) ([]exec.Morsel, error) {
	return c.morsels(ctx, c.negotiate(cols, offered(filters)))
}

// Remote implements planner.FilterTableSource: what the source runs.
func (c *connectorSource) Remote(cols []int, filters []expr.Expr) string {
	return c.conn.Name() + ": " + c.negotiate(cols, offered(filters)).Remote
}

// predExpr turns a scan predicate into the connector's form.
func predExpr(p storage.Pred) (connectors.Expr, bool) {
	col := connectors.ColRef{Col: p.Col, Type: p.ColT}
	ct := p.ColT
	if p.CastTo != nil {
		ct = *p.CastTo
	}
	switch p.Op {
	case "isnull", "notnull":
		return connectors.Call{Op: p.Op, Args: []connectors.Expr{col}}, true
	case "=", "<", "<=", ">", ">=":
		if len(p.Vals) != 1 || p.Vals[0] == nil {
			return nil, false
		}
		return connectors.Call{Op: p.Op, Args: []connectors.Expr{col, connectors.Const{Value: p.Vals[0], Type: ct}}}, true
	case "in":
		args := []connectors.Expr{col}
		for _, v := range p.Vals {
			if v == nil {
				continue // NULL in an IN list matches nothing
			}
			args = append(args, connectors.Const{Value: v, Type: ct})
		}
		if len(args) == 1 {
			return nil, false
		}
		return connectors.Call{Op: "in", Args: args}, true
	}
	return nil, false
}

var _ planner.AggregateTableSource = (*connectorSource)(nil)

// PushAggregate implements planner.AggregateTableSource: the source takes
// the aggregation only with every filter, and then only the groups leave
// it.
func (c *connectorSource) PushAggregate(filters []expr.Expr, keys []int, aggs []planner.PushedAgg) *planner.Table {
	pd, ok := c.conn.(connectors.Pushdown)
	if !ok {
		return nil
	}
	fs := offered(filters)
	if len(fs) != len(filters) {
		return nil
	}
	scan := &connectors.Scan{Table: c.table, Limit: -1}
	if rest := pd.ApplyFilter(scan, fs); len(rest) > 0 {
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
	pd, ok := c.conn.(connectors.Pushdown)
	if !ok {
		return nil
	}
	fs := offered(filters)
	if len(fs) != len(filters) {
		return nil
	}
	scan := &connectors.Scan{Table: c.table, Columns: cols, Limit: -1}
	if rest := pd.ApplyFilter(scan, fs); len(rest) > 0 {
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
// the source took): its columns are the scan's output, in order.
type negotiatedSource struct {
	conn connectors.Connector
	scan *connectors.Scan
}

var _ planner.FilterTableSource = (*negotiatedSource)(nil)

func (n *negotiatedSource) Scan(ctx context.Context, _ []int) ([]arrow.Record, error) {
	return readSplit(ctx, n.conn, n.scan, connectors.Split{Describe: "whole table"})
}

func (n *negotiatedSource) Morsels(ctx *exec.Ctx, _ []int, _ []storage.Pred) ([]exec.Morsel, error) {
	return (&connectorSource{conn: n.conn, table: n.scan.Table}).morsels(ctx, n.scan)
}

func (n *negotiatedSource) FilteredMorsels(ctx *exec.Ctx, cols []int, _ []expr.Expr) ([]exec.Morsel, error) {
	return n.Morsels(ctx, cols, nil)
}

func (n *negotiatedSource) Remote([]int, []expr.Expr) string {
	return n.conn.Name() + ": " + n.scan.Remote
}

// Scan implements planner.TableSource: every split, one after another.
func (c *connectorSource) Scan(ctx context.Context, cols []int) ([]arrow.Record, error) {
	scan := c.negotiate(cols, nil)
	splits, err := c.conn.Splits(ctx, scan, 1)
	if err != nil {
		return nil, err
	}
	var out []arrow.Record
	for _, sp := range splits {
		recs, err := readSplit(ctx, c.conn, scan, sp)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// Morsels implements planner.MorselTableSource: the single-column
// predicates run at the source.
func (c *connectorSource) Morsels(ctx *exec.Ctx, cols []int, preds []storage.Pred) ([]exec.Morsel, error) {
	var fs []connectors.Expr
	for _, p := range preds {
		if f, ok := predExpr(p); ok {
			fs = append(fs, f)
		}
	}
	return c.morsels(ctx, c.negotiate(cols, fs))
}

// morsels is one morsel per split, as many splits as workers.
func (c *connectorSource) morsels(ctx *exec.Ctx, scan *connectors.Scan) ([]exec.Morsel, error) {
	splits, err := c.conn.Splits(ctx.Context(), scan, max(ctx.Workers, 1))
	if err != nil {
		return nil, err
	}
	ms := make([]exec.Morsel, len(splits))
	for i, sp := range splits {
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
	return readSplit(ctx.Context(), m.conn, m.scan, m.split)
}

func readSplit(ctx context.Context, conn connectors.Connector, scan *connectors.Scan, sp connectors.Split) ([]arrow.Record, error) {
	r, err := conn.Read(ctx, scan, sp)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []arrow.Record
	for {
		rec, err := r.Next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return out, nil
		}
		out = append(out, rec)
	}
}
