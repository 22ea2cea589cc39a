package system

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/lakeq/lakeq/types"
)

// TableDef declares one system table: its columns and how to compute
// its rows from a snapshot. Rows run on each scan; they read the
// snapshot only, so concurrent scans are safe.
type TableDef struct {
	Name    string
	OID     int64 // PostgreSQL's fixed OID, 0 to hash one
	View    bool  // listed as a view (relkind 'v')
	Columns []ColDef
	Rows    func(ctx context.Context, s *Snapshot) ([][]types.Value, error)
}

// ColDef is a system table column.
type ColDef struct {
	Name string
	Type types.T
}

// cols reads "name type, name type, …" with PostgreSQL's catalog type
// names; lakeq stores name and "char" as text, regproc as its text, and
// the vector types as arrays.
func cols(spec string) []ColDef {
	var out []ColDef
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		sp := strings.IndexByte(f, ' ')
		name, typ := f[:sp], strings.TrimSpace(f[sp+1:])
		out = append(out, ColDef{Name: name, Type: catalogType(typ)})
	}
	return out
}

func catalogType(t string) types.T {
	switch t {
	case "name", "char", "text", "pg_node_tree", "regproc", "anyarray", "pg_lsn", "xid", "inet":
		return types.TextT
	case "oid", "regclass", "regtype", "regnamespace", "regrole":
		return types.OidT
	case "int2vector", "int2[]":
		return types.ArrayOf(types.Int2T)
	case "oidvector", "oid[]":
		return types.ArrayOf(types.OidT)
	case "aclitem[]", "text[]", "name[]", "char[]", "regproc[]":
		return types.ArrayOf(types.TextT)
	case "float4[]":
		return types.ArrayOf(types.Float4T)
	}
	ty, err := types.Parse(t)
	if err != nil {
		panic("system: bad column type " + t) // a bug in the declarations below
	}
	return ty
}

// Tables returns the tables of a system schema. The declarations are
// built once and shared: callers must not modify them.
func Tables(schema string) []TableDef {
	switch schema {
	case "pg_catalog":
		return pgCatalogDefs()
	case "information_schema":
		return infoSchemaDefs()
	}
	return nil
}

var (
	pgCatalogDefs  = sync.OnceValue(pgCatalog)
	infoSchemaDefs = sync.OnceValue(infoSchema)
)

// Lookup finds a system table by schema and name, including the
// set-returning functions served as tables (pg_get_keywords).
func Lookup(schema, name string) *TableDef {
	for _, d := range Tables(schema) {
		if d.Name == name {
			return &d
		}
	}
	if schema == "pg_catalog" && name == "pg_get_keywords" {
		return &TableDef{Name: name, Columns: cols("word text, catcode char, barelabel bool, catdesc text, baredesc text"),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) { return keywordRows(), nil }}
	}
	return nil
}

func keywordRows() [][]types.Value {
	desc := map[string]string{"U": "unreserved", "C": "unreserved (cannot be function or type name)",
		"T": "reserved (can be function or type name)", "R": "reserved"}
	var rows [][]types.Value
	for _, f := range strings.Fields(keywords) {
		p := strings.Split(f, ":")
		if len(p) != 3 {
			continue
		}
		bare := "can be bare label"
		if p[2] != "t" {
			bare = "requires AS"
		}
		rows = append(rows, []types.Value{p[0], p[1], p[2] == "t", desc[p[1]], bare})
	}
	return rows
}

// empty is the row function of catalogs lakeq has nothing for (no
// triggers, policies, publications): they exist so that clients'
// queries over them bind and return no rows.
func empty(context.Context, *Snapshot) ([][]types.Value, error) { return nil, nil }

// relations visits every relation of the snapshot in schema order.
func (s *Snapshot) relations(f func(r *Relation)) {
	for _, sc := range s.Schemas {
		for _, r := range sc.Relations {
			f(r)
		}
	}
}

func (s *Snapshot) roleOID(name string) int64 {
	for _, r := range s.Roles {
		if r.Name == name {
			return r.OID
		}
	}
	return OIDBootstrap
}

// typeOID is a column type's pg_type OID (text for unknown).
func typeOID(t types.T) int64 {
	if t.Kind == types.Unknown {
		return 25
	}
	return int64(t.OID())
}

func boolv(b bool) types.Value { return b }

func nullable(s string) types.Value {
	if s == "" {
		return nil
	}
	return s
}

func pgCatalog() []TableDef {
	return []TableDef{
		{Name: "pg_namespace", OID: OIDPgNamespace, Columns: cols("oid oid, nspname name, nspowner oid, nspacl aclitem[]"),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, sc := range s.Schemas {
					rows = append(rows, []types.Value{sc.OID, sc.Name, s.roleOID(sc.Owner), nil})
				}
				return rows, nil
			}},
		{Name: "pg_class", OID: OIDPgClass, Columns: cols(`oid oid, relname name, relnamespace oid, reltype oid, reloftype oid,
			relowner oid, relam oid, relfilenode oid, reltablespace oid, relpages int4, reltuples float4, relallvisible int4,
			reltoastrelid oid, relhasindex bool, relisshared bool, relpersistence char, relkind char, relnatts int2,
			relchecks int2, relhasrules bool, relhastriggers bool, relhassubclass bool, relrowsecurity bool,
			relforcerowsecurity bool, relispopulated bool, relreplident char, relispartition bool, relrewrite oid,
			relfrozenxid xid, relminmxid xid, relacl aclitem[], reloptions text[], relpartbound pg_node_tree`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					am := any(int64(OIDHeap))
					if r.Kind == "v" {
						am = int64(0)
					}
					persistence := "p"
					if r.Schema.Temp {
						persistence = "t"
					}
					rows = append(rows, []types.Value{r.OID, r.Name, r.Schema.OID, int64(0), int64(0), s.roleOID(r.Owner), am,
						r.OID, int64(0), int64(0), float64(-1), int64(0), int64(0), false, false, persistence, r.Kind,
						int64(len(r.Columns)), int64(0), false, false, false, false, false, true, "d", false,
						int64(0), "0", "1", nil, nil, nil})
				})
				return rows, nil
			}},
		{Name: "pg_attribute", OID: OIDPgAttribute, Columns: cols(`attrelid oid, attname name, atttypid oid, attstattarget int4,
			attlen int2, attnum int2, attndims int4, attcacheoff int4, atttypmod int4, attbyval bool, attalign char,
			attstorage char, attcompression char, attnotnull bool, atthasdef bool, atthasmissing bool, attidentity char,
			attgenerated char, attisdropped bool, attislocal bool, attinhcount int4, attcollation oid, attacl aclitem[],
			attoptions text[], attfdwoptions text[], attmissingval anyarray`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					for i, c := range r.Columns {
						t := c.Type
						dims := int64(0)
						for e := t; e.Kind == types.Array; e = *e.Elem {
							dims++
						}
						coll := int64(0)
						if t.IsString() {
							coll = 100
						}
						byval := t.WireSize() > 0 && t.WireSize() <= 8
						identity := map[string]string{"always": "a", "by default": "d"}[c.Identity]
						rows = append(rows, []types.Value{r.OID, c.Name, typeOID(t), int64(-1), int64(t.WireSize()),
							int64(i + 1), dims, int64(-1), int64(t.TypeMod()), byval, alignOf(t), storageOf(t), "",
							c.NotNull, c.Default != "" && identity == "", false, identity, "", false, true, int64(0), coll, nil, nil, nil, nil})
					}
				})
				return rows, nil
			}},
		{Name: "pg_type", OID: OIDPgType, Columns: cols(`oid oid, typname name, typnamespace oid, typowner oid, typlen int2,
			typbyval bool, typtype char, typcategory char, typispreferred bool, typisdefined bool, typdelim char,
			typrelid oid, typsubscript regproc, typelem oid, typarray oid, typinput regproc, typoutput regproc,
			typreceive regproc, typsend regproc, typmodin regproc, typmodout regproc, typanalyze regproc, typalign char,
			typstorage char, typnotnull bool, typbasetype oid, typtypmod int4, typndims int4, typcollation oid,
			typdefaultbin pg_node_tree, typdefault text, typacl aclitem[]`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				rows := make([][]types.Value, 0, len(s.Types))
				for _, t := range s.Types {
					sub := "-"
					if t.Elem != 0 && strings.HasPrefix(t.Name, "_") {
						sub = "array_subscript_handler"
					}
					rows = append(rows, []types.Value{t.OID, t.Name, int64(OIDPgCatalog), int64(OIDBootstrap), t.Len, t.ByVal,
						t.Kind, t.Category, t.Preferred, true, t.Delim, int64(0), sub, t.Elem, t.Array, t.Input, t.Output,
						t.Receive, t.Send, "-", "-", "-", t.Align, t.Storage, false, int64(0), int64(-1), int64(0),
						t.Collation, nil, nil, nil})
				}
				return rows, nil
			}},
		{Name: "pg_database", OID: OIDPgDatabase, Columns: cols(`oid oid, datname name, datdba oid, encoding int4,
			datlocprovider char, datistemplate bool, datallowconn bool, datconnlimit int4, datfrozenxid xid,
			datminmxid xid, dattablespace oid, datcollate text, datctype text, daticulocale text, datcollversion text,
			datacl aclitem[]`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{{s.DBOID, s.Session.Database, int64(OIDBootstrap), int64(6), "c", false, true,
					int64(-1), "0", "1", int64(1663), "C", "C", nil, nil, nil}}, nil
			}},
		{Name: "pg_description", OID: 2609, Columns: cols("objoid oid, classoid oid, objsubid int4, description text"),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, sc := range s.Schemas {
					if sc.Comment != "" {
						rows = append(rows, []types.Value{sc.OID, int64(OIDPgNamespace), int64(0), sc.Comment})
					}
				}
				s.relations(func(r *Relation) {
					if r.Comment != "" {
						rows = append(rows, []types.Value{r.OID, int64(OIDPgClass), int64(0), r.Comment})
					}
					for i, c := range r.Columns {
						if c.Comment != "" {
							rows = append(rows, []types.Value{r.OID, int64(OIDPgClass), int64(i + 1), c.Comment})
						}
					}
				})
				return rows, nil
			}},
		{Name: "pg_shdescription", OID: 2396, Columns: cols("objoid oid, classoid oid, description text"), Rows: empty},
		{Name: "pg_settings", View: true, Columns: cols(`name text, setting text, unit text, category text, short_desc text,
			extra_desc text, context text, vartype text, source text, min_val text, max_val text, enumvals text[],
			boot_val text, reset_val text, sourcefile text, sourceline int4, pending_restart bool`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				return settingsRows(s), nil
			}},
		{Name: "pg_roles", View: true, Columns: cols(`rolname name, rolsuper bool, rolinherit bool, rolcreaterole bool,
			rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolconnlimit int4, rolpassword text,
			rolvaliduntil timestamptz, rolbypassrls bool, rolconfig text[], oid oid`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, r := range s.Roles {
					rows = append(rows, []types.Value{r.Name, r.Superuser, true, r.Superuser, r.Superuser, r.CanLogin,
						false, int64(-1), "********", nil, r.Superuser, nil, r.OID})
				}
				return rows, nil
			}},
		{Name: "pg_user", View: true, Columns: cols(`usename name, usesysid oid, usecreatedb bool, usesuper bool,
			userepl bool, usebypassrls bool, passwd text, valuntil timestamptz, useconfig text[]`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, r := range s.Roles {
					if r.CanLogin {
						rows = append(rows, []types.Value{r.Name, r.OID, r.Superuser, r.Superuser, false, r.Superuser,
							"********", nil, nil})
					}
				}
				return rows, nil
			}},
		{Name: "pg_authid", OID: 1260, Columns: cols(`oid oid, rolname name, rolsuper bool, rolinherit bool,
			rolcreaterole bool, rolcreatedb bool, rolcanlogin bool, rolreplication bool, rolbypassrls bool,
			rolconnlimit int4, rolpassword text, rolvaliduntil timestamptz`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, r := range s.Roles {
					rows = append(rows, []types.Value{r.OID, r.Name, r.Superuser, true, r.Superuser, r.Superuser,
						r.CanLogin, false, r.Superuser, int64(-1), nil, nil})
				}
				return rows, nil
			}},
		{Name: "pg_auth_members", OID: 1261, Columns: cols("roleid oid, member oid, grantor oid, admin_option bool"), Rows: empty},
		{Name: "pg_am", OID: 2601, Columns: cols("oid oid, amname name, amhandler regproc, amtype char"),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{{int64(OIDHeap), "heap", "heap_tableam_handler", "t"},
					{int64(403), "btree", "bthandler", "i"}, {int64(405), "hash", "hashhandler", "i"}}, nil
			}},
		{Name: "pg_index", OID: 2610, Columns: cols(`indexrelid oid, indrelid oid, indnatts int2, indnkeyatts int2,
			indisunique bool, indnullsnotdistinct bool, indisprimary bool, indisexclusion bool, indimmediate bool,
			indisclustered bool, indisvalid bool, indcheckxmin bool, indisready bool, indislive bool,
			indisreplident bool, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector,
			indexprs pg_node_tree, indpred pg_node_tree`), Rows: empty},
		{Name: "pg_constraint", OID: OIDPgConstr, Columns: cols(`oid oid, conname name, connamespace oid, contype char,
			condeferrable bool, condeferred bool, convalidated bool, conrelid oid, contypid oid, conindid oid,
			conparentid oid, confrelid oid, confupdtype char, confdeltype char, confmatchtype char, conislocal bool,
			coninhcount int4, connoinherit bool, conkey int2[], confkey int2[], conpfeqop oid[], conppeqop oid[],
			conffeqop oid[], confdelsetcols int2[], conexclop oid[], conbin pg_node_tree`), Rows: empty},
		{Name: "pg_attrdef", OID: 2604, Columns: cols("oid oid, adrelid oid, adnum int2, adbin pg_node_tree"),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					for i, c := range r.Columns {
						if c.Default != "" && c.Identity == "" {
							rows = append(rows, []types.Value{hashOID("attrdef", r.Schema.Name+"."+r.Name+"."+c.Name),
								r.OID, int64(i + 1), c.Default})
						}
					}
				})
				return rows, nil
			}},
		{Name: "pg_proc", OID: OIDPgProc, Columns: cols(`oid oid, proname name, pronamespace oid, proowner oid,
			prolang oid, procost float4, prorows float4, provariadic oid, prosupport regproc, prokind char,
			prosecdef bool, proleakproof bool, proisstrict bool, proretset bool, provolatile char, proparallel char,
			pronargs int2, pronargdefaults int2, prorettype oid, proargtypes oidvector, proallargtypes oid[],
			proargmodes char[], proargnames text[], proargdefaults pg_node_tree, protrftypes oid[], prosrc text,
			probin text, prosqlbody pg_node_tree, proconfig text[], proacl aclitem[]`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				rows := make([][]types.Value, 0, len(s.Functions))
				for i, f := range s.Functions {
					args := make([]any, len(f.ArgTypes))
					for j, a := range f.ArgTypes {
						args[j] = typeOID(a)
					}
					vol := "i"
					if f.Volatile {
						vol = "v"
					}
					variadic := int64(0)
					if f.Variadic && len(f.ArgTypes) > 0 {
						variadic = typeOID(f.ArgTypes[len(f.ArgTypes)-1])
					}
					rows = append(rows, []types.Value{s.procOIDs[i], f.Name, int64(OIDPgCatalog), int64(OIDBootstrap),
						int64(12), float64(1), float64(0), variadic, "-", string(f.Kind), false, false, false, false, vol,
						"s", int64(len(args)), int64(0), typeOID(f.Ret), args, nil, nil, nil, nil, nil, f.Name, nil, nil,
						nil, nil})
				}
				return rows, nil
			}},
		{Name: "pg_enum", OID: 3501, Columns: cols("oid oid, enumtypid oid, enumsortorder float4, enumlabel name"), Rows: empty},
		{Name: "pg_tables", View: true, Columns: cols(`schemaname name, tablename name, tableowner name, tablespace name,
			hasindexes bool, hasrules bool, hastriggers bool, rowsecurity bool`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Kind == "r" {
						rows = append(rows, []types.Value{r.Schema.Name, r.Name, r.Owner, nil, false, false, false, false})
					}
				})
				return rows, nil
			}},
		{Name: "pg_views", View: true, Columns: cols("schemaname name, viewname name, viewowner name, definition text"),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Kind == "v" {
						def, _ := s.ViewDef(r.OID)
						rows = append(rows, []types.Value{r.Schema.Name, r.Name, r.Owner, nullable(def)})
					}
				})
				return rows, nil
			}},
		{Name: "pg_matviews", View: true, Columns: cols(`schemaname name, matviewname name, matviewowner name,
			tablespace name, hasindexes bool, ispopulated bool, definition text`), Rows: empty},
		{Name: "pg_stat_user_tables", View: true, Columns: cols(`relid oid, schemaname name, relname name, seq_scan int8,
			seq_tup_read int8, idx_scan int8, idx_tup_fetch int8, n_tup_ins int8, n_tup_upd int8, n_tup_del int8,
			n_tup_hot_upd int8, n_live_tup int8, n_dead_tup int8, n_mod_since_analyze int8, n_ins_since_vacuum int8,
			last_vacuum timestamptz, last_autovacuum timestamptz, last_analyze timestamptz,
			last_autoanalyze timestamptz, vacuum_count int8, autovacuum_count int8, analyze_count int8,
			autoanalyze_count int8`),
			Rows: func(ctx context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Kind != "r" || r.Schema.System {
						return
					}
					var live types.Value
					if s.Stats != nil {
						if n, ok := s.Stats(ctx, r.Schema.Name, r.Name); ok {
							live = n
						}
					}
					z := int64(0)
					rows = append(rows, []types.Value{r.OID, r.Schema.Name, r.Name, z, z, nil, nil, z, z, z, z, live, z, z,
						z, nil, nil, nil, nil, z, z, z, z})
				})
				return rows, nil
			}},
		{Name: "pg_extension", OID: 3079, Columns: cols(`oid oid, extname name, extowner oid, extnamespace oid,
			extrelocatable bool, extversion text, extconfig oid[], extcondition text[]`),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{{int64(13001), "plpgsql", int64(OIDBootstrap), int64(OIDPgCatalog), false, "1.0", nil, nil}}, nil
			}},
		{Name: "pg_collation", OID: 3456, Columns: cols(`oid oid, collname name, collnamespace oid, collowner oid,
			collprovider char, collisdeterministic bool, collencoding int4, collcollate text, collctype text,
			colliculocale text, collversion text`),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{
					{int64(100), "default", int64(OIDPgCatalog), int64(OIDBootstrap), "d", true, int64(-1), nil, nil, nil, nil},
					{int64(950), "C", int64(OIDPgCatalog), int64(OIDBootstrap), "c", true, int64(-1), "C", "C", nil, nil},
					{int64(951), "POSIX", int64(OIDPgCatalog), int64(OIDBootstrap), "c", true, int64(-1), "POSIX", "POSIX", nil, nil},
				}, nil
			}},
		{Name: "pg_inherits", OID: 2611, Columns: cols("inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool"), Rows: empty},
		{Name: "pg_tablespace", OID: 1213, Columns: cols("oid oid, spcname name, spcowner oid, spcacl aclitem[], spcoptions text[]"),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{{int64(1663), "pg_default", int64(OIDBootstrap), nil, nil},
					{int64(1664), "pg_global", int64(OIDBootstrap), nil, nil}}, nil
			}},
		{Name: "pg_depend", OID: 2608, Columns: cols(`classid oid, objid oid, objsubid int4, refclassid oid, refobjid oid,
			refobjsubid int4, deptype char`), Rows: empty},
		{Name: "pg_shdepend", OID: 1214, Columns: cols(`dbid oid, classid oid, objid oid, objsubid int4, refclassid oid,
			refobjid oid, deptype char`), Rows: empty},
		{Name: "pg_policy", OID: 3256, Columns: cols(`oid oid, polname name, polrelid oid, polcmd char, polpermissive bool,
			polroles oid[], polqual pg_node_tree, polwithcheck pg_node_tree`), Rows: empty},
		{Name: "pg_trigger", OID: 2620, Columns: cols(`oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid,
			tgtype int2, tgenabled char, tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid,
			tgdeferrable bool, tginitdeferred bool, tgnargs int2, tgattr int2vector, tgqual pg_node_tree`), Rows: empty},
		{Name: "pg_rewrite", OID: 2618, Columns: cols(`oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char,
			is_instead bool, ev_qual pg_node_tree, ev_action pg_node_tree`), Rows: empty},
		{Name: "pg_sequence", OID: 2224, Columns: cols(`seqrelid oid, seqtypid oid, seqstart int8, seqincrement int8,
			seqmax int8, seqmin int8, seqcache int8, seqcycle bool`), Rows: empty},
		{Name: "pg_statistic_ext", OID: 3381, Columns: cols(`oid oid, stxrelid oid, stxname name, stxnamespace oid,
			stxowner oid, stxstattarget int4, stxkeys int2vector, stxkind char[], stxexprs pg_node_tree`), Rows: empty},
		{Name: "pg_publication", OID: 6104, Columns: cols(`oid oid, pubname name, pubowner oid, puballtables bool,
			pubinsert bool, pubupdate bool, pubdelete bool, pubtruncate bool, pubviaroot bool`), Rows: empty},
		{Name: "pg_publication_namespace", OID: 6237, Columns: cols("oid oid, pnpubid oid, pnnspid oid"), Rows: empty},
		{Name: "pg_publication_rel", OID: 6106, Columns: cols("oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector"), Rows: empty},
		{Name: "pg_partitioned_table", OID: 3350, Columns: cols(`partrelid oid, partstrat char, partnatts int2,
			partdefid oid, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs pg_node_tree`), Rows: empty},
		{Name: "pg_foreign_table", OID: 3118, Columns: cols("ftrelid oid, ftserver oid, ftoptions text[]"), Rows: empty},
		{Name: "pg_foreign_server", OID: 1417, Columns: cols(`oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text,
			srvversion text, srvacl aclitem[], srvoptions text[]`), Rows: empty},
		{Name: "pg_event_trigger", OID: 3466, Columns: cols(`oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid,
			evtenabled char, evttags text[]`), Rows: empty},
		{Name: "pg_language", OID: 2612, Columns: cols(`oid oid, lanname name, lanowner oid, lanispl bool, lanpltrusted bool,
			lanplcallfoid oid, laninline oid, lanvalidator oid, lanacl aclitem[]`),
			Rows: func(context.Context, *Snapshot) ([][]types.Value, error) {
				return [][]types.Value{{int64(12), "internal", int64(OIDBootstrap), false, false, int64(0), int64(0), int64(0), nil},
					{int64(14), "sql", int64(OIDBootstrap), false, true, int64(0), int64(0), int64(0), nil}}, nil
			}},
		{Name: "pg_cast", OID: 2605, Columns: cols("oid oid, castsource oid, casttarget oid, castfunc oid, castcontext char, castmethod char"), Rows: empty},
		{Name: "pg_operator", OID: 2617, Columns: cols(`oid oid, oprname name, oprnamespace oid, oprowner oid, oprkind char,
			oprcanmerge bool, oprcanhash bool, oprleft oid, oprright oid, oprresult oid, oprcom oid, oprnegate oid,
			oprcode regproc, oprrest regproc, oprjoin regproc`), Rows: empty},
		{Name: "pg_aggregate", OID: 2600, Columns: cols(`aggfnoid regproc, aggkind char, aggnumdirectargs int2,
			aggtransfn regproc, aggfinalfn regproc, aggtranstype oid, agginitval text`), Rows: empty},
		{Name: "pg_stat_activity", View: true, Columns: cols(`datid oid, datname name, pid int4, leader_pid int4, usesysid oid,
			usename name, application_name text, client_addr inet, client_hostname text, client_port int4,
			backend_start timestamptz, xact_start timestamptz, query_start timestamptz, state_change timestamptz,
			wait_event_type text, wait_event text, state text, backend_xid xid, backend_xmin xid, query_id int8,
			query text, backend_type text`), Rows: activityRows},
	}
}

// activityRows are pg_stat_activity's: one per live session.
func activityRows(_ context.Context, s *Snapshot) ([][]types.Value, error) {
	ts := func(t time.Time) types.Value {
		if t.IsZero() {
			return nil
		}
		return types.TimestampVal(t.UnixMicro())
	}
	str := func(v string) types.Value {
		if v == "" {
			return nil
		}
		return v
	}
	var out [][]types.Value
	for _, b := range s.Backends {
		var addr, port types.Value
		if b.ClientAddr != "" {
			addr, port = b.ClientAddr, int64(b.ClientPort)
		}
		var usesysid types.Value
		for _, r := range s.Roles {
			if r.Name == b.User {
				usesysid = r.OID
			}
		}
		out = append(out, []types.Value{s.DBOID, b.Database, b.PID, nil, usesysid,
			b.User, b.AppName, addr, nil, port,
			ts(b.BackendStart), ts(b.XactStart), ts(b.QueryStart), ts(b.StateChange),
			str(b.WaitEventType), str(b.WaitEvent), b.State, nil, nil, nil,
			b.Query, "client backend"})
	}
	return out, nil
}

func alignOf(t types.T) string {
	switch t.WireSize() {
	case 1:
		return "c"
	case 2:
		return "s"
	case 8, 16:
		return "d"
	}
	return "i"
}

func storageOf(t types.T) string {
	if t.WireSize() > 0 {
		return "p"
	}
	return "x"
}

// settingsRows lists the session's settings as pg_settings does.
func settingsRows(s *Snapshot) [][]types.Value {
	names := make([]string, 0, len(s.Session.Settings))
	for k := range s.Session.Settings {
		names = append(names, k)
	}
	sortStrings(names)
	rows := make([][]types.Value, 0, len(names))
	for _, n := range names {
		v := s.Session.Settings[n]
		vartype := "string"
		switch v {
		case "on", "off":
			vartype = "bool"
		}
		name := n
		if n == "timezone" {
			name = "TimeZone"
		} else if n == "datestyle" {
			name = "DateStyle"
		} else if n == "intervalstyle" {
			name = "IntervalStyle"
		}
		rows = append(rows, []types.Value{name, v, nil, "Client Connection Defaults", "", nil, "user", vartype,
			"session", nil, nil, nil, v, v, nil, nil, false})
	}
	return rows
}
