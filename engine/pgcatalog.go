package engine

import (
	"context"
	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/storage"
	"sync"

	"github.com/lakeq/lakeq/connectors/system"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/types"
)

// catalogView is the session's view of the catalog as pg_catalog and
// information_schema present it, loaded at most once per statement (so
// every system table a statement reads, and every regclass it prints,
// agree). Safe for concurrent use by the statement's workers.
type catalogView struct {
	s    *Session
	ctx  context.Context
	once sync.Once
	snap *system.Snapshot
	err  error
}

// freshView drops the catalog view, so the next lookup loads the
// catalog anew (at each statement's start and end).
func (s *Session) freshView() {
	s.mu.Lock()
	s.catView = nil
	s.mu.Unlock()
}

// view returns the running statement's catalog view.
func (s *Session) view(ctx context.Context) *catalogView {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.catView == nil {
		s.catView = &catalogView{s: s, ctx: ctx}
	}
	return s.catView
}

func (v *catalogView) get() (*system.Snapshot, error) {
	v.once.Do(func() {
		s := v.s
		s.mu.Lock()
		sess := system.Session{Database: s.Database, User: s.User, SearchPath: append([]string(nil), s.SearchPath...),
			Settings: make(map[string]string, len(s.Settings))}
		for k, val := range s.Settings {
			sess.Settings[k] = val
		}
		s.mu.Unlock()
		var store catalog.Store = s.eng.store
		if s.temp != nil {
			sess.TempSchema = s.temp.name
			store = sessionCatalog{Store: store, temp: s.temp.name}
		}
		v.snap, v.err = system.Load(v.ctx, store, sess, s.eng.procs(), s.sysDefs(v.ctx), s.listMounted)
		if v.snap != nil {
			v.snap.Stats = s.tableRowCount
			for _, a := range s.eng.Activities() {
				v.snap.Backends = append(v.snap.Backends, system.Backend{PID: a.PID, Database: a.Database, User: a.User,
					AppName: a.AppName, ClientAddr: a.ClientAddr, ClientPort: a.ClientPort, BackendStart: a.BackendStart,
					XactStart: a.XactStart, QueryStart: a.QueryStart, StateChange: a.StateChange, State: a.State,
					Query: a.Query, WaitEventType: a.WaitEventType, WaitEvent: a.WaitEvent})
			}
		}
	})
	return v.snap, v.err
}

// procs lists the registry's functions for pg_proc (computed once).
func (e *Engine) procs() []system.Function {
	e.procsOnce.Do(func() {
		for _, sig := range e.reg.Signatures() {
			e.procList = append(e.procList, system.Function{Name: sig.Name, Kind: sig.Kind, ArgTypes: sig.Args, Ret: sig.Ret,
				Variadic: sig.Variadic, Volatile: sig.Volatile})
		}
	})
	return e.procList
}

// sysDefs describes the sys schema's tables for pg_class.
func (s *Session) sysDefs(ctx context.Context) []system.TableDef {
	var out []system.TableDef
	for _, n := range sysTableNames {
		t := s.sysTable(ctx, n)
		d := system.TableDef{Name: n}
		for _, c := range t.Columns {
			d.Columns = append(d.Columns, system.ColDef{Name: c.Name, Type: c.Type})
		}
		out = append(out, d)
	}
	return out
}

// tableRowCount is a table's analyzed row count (pg_stat_user_tables.n_live_tup).
func (s *Session) tableRowCount(ctx context.Context, schema, table string) (int64, bool) {
	st, err := s.eng.store.GetStats(ctx, schema, table)
	if err != nil {
		return 0, false
	}
	for _, c := range st {
		if c.Column == "" && c.Partition == "" {
			return c.RowCount, true
		}
	}
	return 0, false
}

// systemTable resolves pg_catalog and information_schema tables; nil
// when name is not one. A bare name finds pg_catalog's tables, which
// PostgreSQL searches before the search_path.
func (s *Session) systemTable(ctx context.Context, schema, name string) *planner.Table {
	look := schema
	if look == "" {
		look = "pg_catalog"
	}
	if look != "pg_catalog" && look != "information_schema" {
		return nil
	}
	d := system.Lookup(look, name)
	if d == nil {
		return nil
	}
	v := s.view(ctx)
	var cols []Column
	for _, c := range d.Columns {
		cols = append(cols, Column{Name: c.Name, Type: c.Type})
	}
	t := &planner.Table{Schema: look, Name: name, Kind: "SYSTEM"}
	for _, c := range cols {
		t.Columns = append(t.Columns, planner.TableColumn{Name: c.Name, Type: c.Type})
	}
	bindConnector(t, systemConnector{s}, &rowsSource{cols: cols,
		rows: func(ctx context.Context) ([][]types.Value, error) {
			snap, err := v.get()
			if err != nil {
				return nil, err
			}
			return d.Rows(ctx, snap)
		}})
	return t
}

// meta adapts the view to the functions' catalog interface. Lookups
// that fail to load the catalog answer as for a missing object.
type meta struct{ v *catalogView }

func (m meta) snap() *system.Snapshot {
	s, _ := m.v.get()
	return s
}

func (m meta) RelName(oid int64) string {
	if s := m.snap(); s != nil {
		return s.RelName(oid)
	}
	return itoa(oid)
}

func (m meta) RelOID(name string) (int64, error) {
	s, err := m.v.get()
	if err != nil {
		return 0, err
	}
	return s.RelOID(name)
}

func (m meta) RelVisible(oid int64) bool {
	s := m.snap()
	return s != nil && s.RelVisible(oid)
}

func (m meta) TypeName(oid int64) string {
	if s := m.snap(); s != nil {
		return s.TypeName(oid)
	}
	return itoa(oid)
}

func (m meta) TypeOID(name string) (int64, error) {
	s, err := m.v.get()
	if err != nil {
		return 0, err
	}
	return s.TypeOID(name)
}

func (m meta) TypeVisible(oid int64) bool {
	s := m.snap()
	return s != nil && s.TypeVisible(oid)
}

func (m meta) FormatType(oid, typmod int64, hasMod bool) string {
	if s := m.snap(); s != nil {
		return s.FormatType(oid, typmod, hasMod)
	}
	return "???"
}

func (m meta) NamespaceName(oid int64) string {
	if s := m.snap(); s != nil {
		return s.NamespaceName(oid)
	}
	return itoa(oid)
}

func (m meta) NamespaceOID(name string) (int64, error) {
	s, err := m.v.get()
	if err != nil {
		return 0, err
	}
	return s.NamespaceOID(name)
}

func (m meta) RoleName(oid int64) string {
	if s := m.snap(); s != nil {
		return s.RoleName(oid)
	}
	return itoa(oid)
}

func (m meta) RoleOID(name string) (int64, error) {
	s, err := m.v.get()
	if err != nil {
		return 0, err
	}
	return s.RoleOID(name)
}

func (m meta) Description(oid, sub int64) (string, bool) {
	if s := m.snap(); s != nil {
		return s.Description(oid, sub)
	}
	return "", false
}

func (m meta) ViewDef(oid int64) (string, bool) {
	if s := m.snap(); s != nil {
		return s.ViewDef(oid)
	}
	return "", false
}

func (m meta) RelationSize(oid int64) (int64, bool) {
	snap := m.snap()
	if snap == nil {
		return 0, false
	}
	r := snap.Relation(oid)
	if r == nil {
		return 0, false
	}
	var dir string
	switch r.LakeType {
	case catalog.ManagedTable:
		// the current snapshot's files, not what older ones left
		t, err := m.v.s.eng.store.GetTable(m.v.ctx, r.Schema.Name, r.Name)
		if err != nil || t == nil {
			return 0, true
		}
		_, snap, err := m.v.s.eng.snapshotOf(m.v.ctx, t)
		if err != nil {
			return 0, true
		}
		return snap.Bytes(), true
	case catalog.ExternalTable:
		dir = r.Location
	default:
		return 0, true
	}
	files, err := storage.Glob(m.v.ctx, m.v.s.fs(), dir)
	if err != nil {
		return 0, true
	}
	var n int64
	for _, f := range files {
		n += f.Size
	}
	return n, true
}

var _ functions.Meta = meta{}
