package engine

import (
	"context"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/connectors"
	"github.com/lakeq/lakeq/connectors/system"
	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/sqlerr"
)

// lakeConnector is the connector of the tables lakeq reads itself: lake
// files (read_parquet and its kin), external tables and managed tables.
// Its metadata is the catalog's. It takes no filter: every one still runs
// above the scan, and it lists its splits — the executor's morsels (row
// groups, byte ranges) — after pruning by them (Scan.Residual):
// partitions and files by the filters over partition keys and pseudo
// columns, files by bucket, files and row groups by min/max.
type lakeConnector struct{ s *Session }

var _ connectors.Connector = lakeConnector{}

func (lakeConnector) Name() string { return "lake" }

// Schemas implements connectors.Connector: the catalog's databases that
// are not mounts.
func (l lakeConnector) Schemas(ctx context.Context) ([]string, error) {
	dbs, err := l.s.eng.store.ListDatabases(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range dbs {
		if !isMount(&dbs[i]) {
			out = append(out, dbs[i].Name)
		}
	}
	return out, nil
}

// Tables implements connectors.Connector: a schema's managed and
// external tables.
func (l lakeConnector) Tables(ctx context.Context, schema string) ([]string, error) {
	ts, err := l.s.eng.store.ListTables(ctx, schema)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		if t.Type == catalog.ManagedTable || t.Type == catalog.ExternalTable {
			out = append(out, t.Name)
		}
	}
	return out, nil
}

// Table implements connectors.Connector.
func (l lakeConnector) Table(ctx context.Context, schema, name string) (*connectors.Table, error) {
	t, err := l.s.eng.store.GetTable(ctx, schema, name)
	if err != nil || t == nil || t.Type != catalog.ManagedTable && t.Type != catalog.ExternalTable {
		return nil, err
	}
	pt, err := l.s.planTable(ctx, t)
	if err != nil {
		return nil, err
	}
	return pt.Source.(*connectorSource).table, nil
}

// queryCtx is the query context a connector call carries (its scan
// statistics), or else a serial one of the session's.
func (l lakeConnector) queryCtx(ctx context.Context) *exec.Ctx {
	if ec := exec.FromContext(ctx); ec != nil {
		return ec
	}
	ec := l.s.execCtx(ctx, nil)
	ec.Workers = 1
	return ec
}

// Splits implements connectors.Connector: one split per morsel that
// survives pruning (none when no partition, file or row group can match).
func (l lakeConnector) Splits(ctx context.Context, scan *connectors.Scan, _ int) ([]connectors.Split, error) {
	ec := l.queryCtx(ctx)
	filters := nativeFilters(scan.Residual)
	var ms []exec.Morsel
	var err error
	switch h := scan.Table.Handle.(type) {
	case *extSource:
		ms, err = h.PrunedMorsels(ec, scan.Columns, predsOf(filters), overColumns(filters, h.PruneColumns()))
	case *fileSource:
		ms, err = h.Morsels(ec, scan.Columns, predsOf(filters))
	default:
		return nil, sqlerr.New(sqlerr.Internal, "table %s is not a lake table", scan.Table.Name)
	}
	if err != nil {
		return nil, err
	}
	out := make([]connectors.Split, len(ms))
	for i, m := range ms {
		out[i] = connectors.Split{Describe: "morsel", Private: m}
	}
	return out, nil
}

// Read implements connectors.Connector: the morsel's batches.
func (l lakeConnector) Read(ctx context.Context, _ *connectors.Scan, sp connectors.Split) (connectors.RecordReader, error) {
	m, ok := sp.Private.(exec.Morsel)
	if !ok {
		return nil, sqlerr.New(sqlerr.Internal, "split %s is not a lake morsel", sp.Describe)
	}
	recs, err := m.Read(l.queryCtx(ctx))
	if err != nil {
		return nil, err
	}
	return &recordsReader{recs: recs}, nil
}

func (lakeConnector) Close() error { return nil }

// systemConnector is the connector of the system tables — sys.*,
// pg_catalog and information_schema — each computed from the catalog and
// the engine's state when read, in one split.
type systemConnector struct{ s *Session }

var _ connectors.Connector = systemConnector{}

func (systemConnector) Name() string { return "system" }

func (systemConnector) Schemas(context.Context) ([]string, error) {
	return []string{"information_schema", "pg_catalog", "sys"}, nil
}

func (systemConnector) Tables(_ context.Context, schema string) ([]string, error) {
	if schema == "sys" {
		return sysTableNames, nil
	}
	var out []string
	for _, d := range system.Tables(schema) {
		out = append(out, d.Name)
	}
	return out, nil
}

func (c systemConnector) Table(ctx context.Context, schema, name string) (*connectors.Table, error) {
	pt := c.s.systemTable(ctx, schema, name)
	if schema == "sys" {
		pt = c.s.sysTable(ctx, name)
	}
	if pt == nil {
		return nil, nil
	}
	return pt.Source.(*connectorSource).table, nil
}

func (systemConnector) Splits(context.Context, *connectors.Scan, int) ([]connectors.Split, error) {
	return []connectors.Split{{Describe: "computed rows"}}, nil
}

func (systemConnector) Read(ctx context.Context, scan *connectors.Scan, _ connectors.Split) (connectors.RecordReader, error) {
	r, ok := scan.Table.Handle.(*rowsSource)
	if !ok {
		return nil, sqlerr.New(sqlerr.Internal, "table %s is not a system table", scan.Table.Name)
	}
	recs, err := r.Scan(ctx, scan.Columns)
	if err != nil {
		return nil, err
	}
	return &recordsReader{recs: recs}, nil
}

func (systemConnector) Close() error { return nil }
