package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/connectors/mysql"
	"github.com/lakeq/lakeq/connectors/postgres"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
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
