package engine

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// catAdapter resolves names for the planner through the session's
// search_path and the catalog store. One serves one statement's
// planning, and keeps what it looked up for the statement: a query that
// names a table or file many times (TPC-DS q88 reads four tables eight
// times each) asks the catalog store, globs and opens footers once, and
// every reference sees the same version of the table.
type catAdapter struct {
	s     *Session
	rels  map[string]relation
	stats map[string][]catalog.ColumnStats
	files map[string]*planner.Table
	// noTemp resolves names past the session's temporary schema: inside
	// the body of a view that is not itself temporary
	noTemp bool
}

// ForView is the catalog a view's body binds with: a view every session
// shares never reads a session's temporary tables, which did not exist
// when it was made (PostgreSQL binds a view's names once, at CREATE).
func (c *catAdapter) ForView(t *planner.Table) planner.Catalog {
	if c.s.temp != nil && t.Schema == c.s.temp.name {
		return c
	}
	if c.rels == nil {
		c.rels = map[string]relation{}
	}
	if c.stats == nil {
		c.stats = map[string][]catalog.ColumnStats{}
	}
	if c.files == nil {
		c.files = map[string]*planner.Table{}
	}
	return &catAdapter{s: c.s, rels: c.rels, stats: c.stats, files: c.files, noTemp: true}
}

// relation is a catalog lookup's answer.
type relation struct {
	t   *catalog.Table
	mt  *planner.Table
	err error
}

// lookup is lookupRelation, once per name in a statement; a mounted
// database's table is looked up each time (its source is per scan).
func (c *catAdapter) lookup(ctx context.Context, schema, name string) (*catalog.Table, *planner.Table, error) {
	key := schema + "\x00" + name
	if c.noTemp {
		key = "\x01" + key
	}
	if r, ok := c.rels[key]; ok {
		return r.t, r.mt, r.err
	}
	t, mt, err := c.s.findRelation(ctx, schema, name, c.noTemp)
	if mt == nil && err == nil {
		if c.rels == nil {
			c.rels = map[string]relation{}
		}
		c.rels[key] = relation{t: t}
	}
	return t, mt, err
}

// readsSchema reports whether a statement b bound read a relation of
// schema db.
func readsSchema(b *planner.Binder, db string) bool {
	c, ok := b.Cat.(*catAdapter)
	if !ok {
		return false
	}
	for _, r := range c.rels {
		if r.t != nil && r.t.Database == db {
			return true
		}
	}
	return false
}

// tableStats is what ANALYZE stored for t, read once per statement.
func (c *catAdapter) tableStats(ctx context.Context, t *catalog.Table) []catalog.ColumnStats {
	key := t.Database + "\x00" + t.Name
	if st, ok := c.stats[key]; ok {
		return st
	}
	st, err := c.s.eng.store.GetStats(ctx, t.Database, t.Name)
	if err != nil {
		return nil
	}
	if c.stats == nil {
		c.stats = map[string][]catalog.ColumnStats{}
	}
	c.stats[key] = st
	return st
}

func (c *catAdapter) Table(ctx context.Context, schema, name string) (*planner.Table, error) {
	if schema == "sys" {
		if t := c.s.sysTable(ctx, name); t != nil {
			return t, nil
		}
	}
	if t := c.s.systemTable(ctx, schema, name); t != nil {
		return t, nil
	}
	t, mt, err := c.lookup(ctx, schema, name)
	if mt != nil || err != nil || t == nil {
		return mt, err
	}
	if c.s.ReadAs != nil && t.Type == catalog.ManagedTable {
		alt, err := c.s.ReadAs(ctx, t)
		if err != nil {
			return nil, err
		}
		if alt != nil {
			return c.s.planTable(ctx, alt)
		}
	}
	pt, err := c.s.planTable(ctx, t)
	if err == nil && pt.Rows == 0 && t.Type == catalog.ManagedTable {
		pt.Rows = c.s.eng.tableRows(ctx, t) // from ANALYZE, for join planning
	}
	if err == nil {
		analyzedStats(c.tableStats(ctx, t), pt)
	}
	return pt, err
}

// analyzedStats gives pt's columns the statistics ANALYZE stored (st:
// the whole table's), for the planner's estimates. Missing statistics
// leave a column as it is.
func analyzedStats(st []catalog.ColumnStats, pt *planner.Table) {
	if len(st) == 0 {
		return
	}
	byName := map[string]catalog.ColumnStats{}
	for _, c := range st {
		if c.Partition == "" && c.Column != "" {
			byName[c.Column] = c
		}
	}
	for i := range pt.Columns {
		col := &pt.Columns[i]
		cs, ok := byName[col.Name]
		if !ok || cs.RowCount <= 0 {
			continue
		}
		if cs.Distinct > 0 {
			col.Stats.Distinct = cs.Distinct
		}
		col.Stats.NullFrac, col.Stats.HasNullFrac = float64(cs.NullCount)/float64(cs.RowCount), true
		if cs.HasMinMax {
			lo, err1 := types.ParseText(col.Type, cs.Min, time.UTC)
			hi, err2 := types.ParseText(col.Type, cs.Max, time.UTC)
			if err1 == nil && err2 == nil && lo != nil && hi != nil {
				col.Stats.Min, col.Stats.Max, col.Stats.HasMinMax = lo, hi, true
			}
		}
	}
}

// lookupRelation finds a table by (optional) schema and name along the
// search path: a catalog table, or a mounted database's table (mt).
func (s *Session) lookupRelation(ctx context.Context, schema, name string) (*catalog.Table, *planner.Table, error) {
	return s.findRelation(ctx, schema, name, false)
}

// findRelation is lookupRelation, past the temporary schema when noTemp
// is set and no schema is named.
func (s *Session) findRelation(ctx context.Context, schema, name string, noTemp bool) (*catalog.Table, *planner.Table, error) {
	schemas, err := s.searchSchemas(schema)
	if err != nil {
		return nil, nil, err
	}
	if noTemp && schema == "" && s.temp != nil {
		schemas = schemas[1:]
	}
	for _, db := range schemas {
		d, err := s.eng.store.GetDatabase(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		if isMount(d) {
			mt, err := s.mountedTable(ctx, d, name)
			if err != nil || mt != nil {
				return nil, mt, err
			}
			continue
		}
		t, err := s.eng.store.GetTable(ctx, db, name)
		if err != nil {
			return nil, nil, err
		}
		if t != nil {
			return t, nil, nil
		}
	}
	return nil, nil, nil
}

// lookupTable finds a catalog table by (optional) schema and name.
func (s *Session) lookupTable(ctx context.Context, schema, name string) (*catalog.Table, error) {
	schemas, err := s.searchSchemas(schema)
	if err != nil {
		return nil, err
	}
	for _, db := range schemas {
		t, err := s.eng.store.GetTable(ctx, db, name)
		if err != nil {
			return nil, err
		}
		if t != nil {
			return t, nil
		}
	}
	return nil, nil
}

// tableTypes parses a catalog table's column types.
func tableTypes(t *catalog.Table) ([]string, []types.T, error) {
	names := make([]string, len(t.Columns))
	ts := make([]types.T, len(t.Columns))
	for i, c := range t.Columns {
		ct, err := types.Parse(c.Type)
		if err != nil {
			return nil, nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "column %s of %s", c.Name, t.Name)
		}
		names[i], ts[i] = c.Name, ct
	}
	return names, ts, nil
}

func (s *Session) planTable(ctx context.Context, t *catalog.Table) (*planner.Table, error) {
	names, ts, err := tableTypes(t)
	if err != nil {
		return nil, err
	}
	pt := &planner.Table{Schema: t.Database, Name: t.Name, Kind: t.Type}
	for i, c := range t.Columns {
		col := planner.TableColumn{Name: names[i], Type: ts[i], NotNull: c.NotNull}
		if c.Default != "" {
			e, err := parser.ParseExpr(c.Default)
			if err != nil {
				return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "default of column %s of %s", c.Name, t.Name)
			}
			col.Default = e
		}
		pt.Columns = append(pt.Columns, col)
	}
	switch t.Type {
	case catalog.VirtualView:
		st, err := parser.ParseOne(t.ViewSQL)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "definition of view %s", t.Name)
		}
		sel, ok := st.(*ast.Select)
		if !ok {
			return nil, sqlerr.New(sqlerr.DataCorrupted, "definition of view %s is not a query", t.Name)
		}
		pt.View = sel
	case catalog.ManagedTable:
		if err := s.planManaged(ctx, t, pt); err != nil {
			return nil, err
		}
	case catalog.ExternalTable:
		if err := s.planExternal(ctx, t, pt); err != nil {
			return nil, err
		}
	case catalog.Sequence:
		st, err := parser.ParseOne(sequenceView(t))
		if err != nil {
			return nil, err
		}
		pt.View = st.(*ast.Select)
		pt.Columns = []planner.TableColumn{{Name: "last_value", Type: types.Int8T}, {Name: "log_cnt", Type: types.Int8T}, {Name: "is_called", Type: types.BoolT}}
	default:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "tables of type %s are not supported yet", t.Type)
	}
	return pt, nil
}

// recordsFromRows builds batches from scalar rows.
func recordsFromRows(cols []Column, rows [][]types.Value) []arrow.Record {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: true}
	}
	sch := arrow.NewSchema(fields, nil)
	arrs := make([]arrow.Array, len(cols))
	for c := range cols {
		vals := make([]types.Value, len(rows))
		for r := range rows {
			vals[r] = rows[r][c]
		}
		arrs[c] = types.BuildArray(cols[c].Type, vals)
	}
	return []arrow.Record{array.NewRecord(sch, arrs, int64(len(rows)))}
}
