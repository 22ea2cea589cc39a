// Package system presents the lakeq catalog as PostgreSQL's own
// catalogs: pg_catalog (pg_class, pg_attribute, pg_type, …) and
// information_schema, generated from a Snapshot of the Glue-style
// catalog so that psql's \d, JDBC's DatabaseMetaData, SQLAlchemy's
// reflection and BI tools' schema browsers see lake tables, views and
// schemas as they would see PostgreSQL's.
//
// OIDs are derived from names (a hash into PostgreSQL's user range,
// 16384 and up), so one table keeps its OID across statements, sessions
// and processes sharing a catalog: clients look an OID up in one query
// and use it in the next. Built-in types, schemas and system tables keep
// PostgreSQL's fixed OIDs.
package system

import (
	"context"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Fixed OIDs (PostgreSQL's).
const (
	OIDPgCatalog   = 11
	OIDPublic      = 2200
	OIDInfoSchema  = 13000 // PostgreSQL assigns it at initdb; any stable value serves
	OIDBootstrap   = 10    // the first superuser
	OIDPgClass     = 1259
	OIDPgNamespace = 2615
	OIDPgType      = 1247
	OIDPgProc      = 1255
	OIDPgDatabase  = 1262
	OIDPgAttribute = 1249
	OIDPgConstr    = 2606
	OIDHeap        = 2 // table access method
	firstUserOID   = 16384
)

// Session is what a snapshot needs to know about the session reading it.
type Session struct {
	Database   string
	User       string
	SearchPath []string
	// Settings are the session's settings, for pg_settings.
	Settings map[string]string
	// TempSchema is the session's temporary schema ("" when it has
	// none): searched first for relations, its tables temporary.
	TempSchema string
}

// Backend is one live session as pg_stat_activity shows it.
type Backend struct {
	PID                                    int64
	Database, User, AppName                string
	ClientAddr                             string // "" when not over the network
	ClientPort                             int
	BackendStart, XactStart                time.Time
	QueryStart, StateChange                time.Time
	State, Query, WaitEventType, WaitEvent string
}

// Function is a function as pg_proc lists it.
type Function struct {
	Name      string
	Kind      byte // 'f' function, 'a' aggregate, 'w' window
	ArgTypes  []types.T
	Ret       types.T
	Variadic  bool
	Volatile  bool
	Describes string
}

// Column is a relation's column.
type Column struct {
	Name    string
	Type    types.T
	NotNull bool
	Default string
	Comment string
	// Identity is "always" or "by default" for an identity column (its
	// Default is then its sequence's nextval, which PostgreSQL does not
	// show as a default)
	Identity string
}

// Relation is a table or view in a schema.
type Relation struct {
	OID       int64
	Schema    *Schema
	Name      string
	Kind      string // 'r' table, 'v' view
	Columns   []Column
	Comment   string
	Owner     string
	ViewSQL   string
	LakeType  string // MANAGED_TABLE, EXTERNAL_TABLE, VIRTUAL_VIEW, SYSTEM
	Location  string
	Partition []string // partition key names (also among Columns)
}

// Schema is a Glue database, or one of the system schemas.
type Schema struct {
	OID       int64
	Name      string
	Owner     string
	Comment   string
	System    bool
	Temp      bool // the session's temporary schema
	Relations []*Relation
}

// Type is a row of pg_type.
type Type struct {
	OID                          int64
	Name                         string
	Len                          int64
	ByVal                        bool
	Kind, Category               string
	Preferred                    bool
	Delim                        string
	Elem, Array                  int64
	Input, Output, Receive, Send string
	Align, Storage               string
	Collation                    int64
}

// Role is a row of pg_roles.
type Role struct {
	OID       int64
	Name      string
	Superuser bool
	CanLogin  bool
}

// Snapshot is the catalog as one statement sees it. It is built once and
// then read concurrently (by a query's workers); it never changes.
type Snapshot struct {
	Session   Session
	DBOID     int64
	Schemas   []*Schema
	Types     []Type
	Roles     []Role
	Functions []Function
	Stats     func(ctx context.Context, schema, table string) (int64, bool) // row count from statistics
	Backends  []Backend                                                     // live sessions, for pg_stat_activity

	relByOID  map[int64]*Relation
	nsByOID   map[int64]*Schema
	nsByName  map[string]*Schema
	typByOID  map[int64]*Type
	typByName map[string]*Type
	roleByOID map[int64]*Role
	procOIDs  []int64
}

// MountLister lists the tables of a schema that mounts a live database
// (ok false: the schema is not a mount). Its errors are not the
// snapshot's: a source that is down lists no tables.
type MountLister func(ctx context.Context, schema string) (tables []catalog.Table, ok bool)

// Load reads the catalog store into a snapshot. sys lists lakeq's own
// "sys" schema tables so they are listed like pg_catalog's; mounts, when
// set, lists mounted databases' tables.
func Load(ctx context.Context, store catalog.Store, sess Session, funcs []Function, sys []TableDef, mounts MountLister) (*Snapshot, error) {
	s := &Snapshot{Session: sess, Functions: funcs}
	s.DBOID = hashOID("database", sess.Database)
	dbs, err := store.ListDatabases(ctx)
	if err != nil {
		return nil, err
	}
	users, err := store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	sysNames := []string{"pg_catalog", "information_schema", "sys"}
	for _, n := range sysNames {
		sc := &Schema{Name: n, Owner: "lakeq", System: true, OID: schemaOID(n)}
		defs := Tables(n)
		if n == "sys" {
			defs = sys
		}
		for _, d := range defs {
			r := &Relation{Schema: sc, Name: d.Name, Kind: "r", Owner: "lakeq", LakeType: "SYSTEM", OID: d.OID}
			if d.View {
				r.Kind = "v"
			}
			for _, c := range d.Columns {
				r.Columns = append(r.Columns, Column{Name: c.Name, Type: c.Type})
			}
			sc.Relations = append(sc.Relations, r)
		}
		s.Schemas = append(s.Schemas, sc)
	}
	for _, d := range dbs {
		sc := &Schema{Name: d.Name, Owner: "lakeq", Comment: d.Description, OID: schemaOID(d.Name), Temp: d.Name == sess.TempSchema && d.Name != ""}
		ts, mounted := []catalog.Table(nil), false
		if mounts != nil {
			ts, mounted = mounts(ctx, d.Name)
		}
		if !mounted {
			if ts, err = store.ListTables(ctx, d.Name); err != nil {
				return nil, err
			}
		}
		for _, t := range ts {
			sc.Relations = append(sc.Relations, relationOf(sc, t))
		}
		s.Schemas = append(s.Schemas, sc)
	}
	s.assignOIDs()
	s.Types = builtinTypeRows()
	for _, u := range users {
		oid := hashOID("role", u.Name)
		if u.Name == "lakeq" {
			oid = OIDBootstrap
		}
		s.Roles = append(s.Roles, Role{OID: oid, Name: u.Name, Superuser: u.Superuser, CanLogin: u.CanLogin})
	}
	s.index()
	return s, nil
}

func relationOf(sc *Schema, t catalog.Table) *Relation {
	r := &Relation{Schema: sc, Name: t.Name, Kind: "r", Comment: t.Comment, Owner: t.Owner, LakeType: t.Type,
		Location: t.Storage.Location}
	if r.Owner == "" {
		r.Owner = "lakeq"
	}
	if t.Type == catalog.VirtualView {
		r.Kind, r.ViewSQL = "v", t.ViewSQL
	}
	if t.Type == catalog.Sequence {
		r.Kind = "S"
	}
	add := func(c catalog.Column) {
		ct, err := types.Parse(c.Type)
		if err != nil {
			ct = types.TextT
		}
		r.Columns = append(r.Columns, Column{Name: c.Name, Type: ct, NotNull: c.NotNull, Default: c.Default, Comment: c.Comment, Identity: c.Identity})
	}
	for _, c := range t.Columns {
		add(c)
	}
	for _, c := range t.PartitionKeys {
		add(c)
		r.Partition = append(r.Partition, c.Name)
	}
	return r
}

func schemaOID(name string) int64 {
	switch name {
	case "pg_catalog":
		return OIDPgCatalog
	case "public":
		return OIDPublic
	case "information_schema":
		return OIDInfoSchema
	}
	return hashOID("schema", name)
}

// hashOID maps a name into PostgreSQL's user OID range.
func hashOID(kind, name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return firstUserOID + int64(h.Sum32()%(1<<31-firstUserOID))
}

// assignOIDs gives every relation without a fixed OID one hashed from its
// qualified name; a collision moves the later name (in name order) on.
func (s *Snapshot) assignOIDs() {
	var rels []*Relation
	for _, sc := range s.Schemas {
		rels = append(rels, sc.Relations...)
	}
	sort.Slice(rels, func(i, j int) bool {
		a, b := rels[i], rels[j]
		if a.Schema.Name != b.Schema.Name {
			return a.Schema.Name < b.Schema.Name
		}
		return a.Name < b.Name
	})
	used := map[int64]bool{}
	for _, sc := range s.Schemas {
		used[sc.OID] = true
	}
	for _, r := range rels {
		if r.OID != 0 {
			used[r.OID] = true
		}
	}
	for _, r := range rels {
		if r.OID != 0 {
			continue
		}
		oid := hashOID("relation", r.Schema.Name+"."+r.Name)
		for used[oid] {
			oid++
			if oid >= 1<<31 {
				oid = firstUserOID
			}
		}
		used[oid] = true
		r.OID = oid
	}
}

func (s *Snapshot) index() {
	s.relByOID = map[int64]*Relation{}
	s.nsByOID = map[int64]*Schema{}
	s.nsByName = map[string]*Schema{}
	for _, sc := range s.Schemas {
		s.nsByOID[sc.OID] = sc
		s.nsByName[sc.Name] = sc
		for _, r := range sc.Relations {
			s.relByOID[r.OID] = r
		}
	}
	s.typByOID = map[int64]*Type{}
	s.typByName = map[string]*Type{}
	for i := range s.Types {
		t := &s.Types[i]
		s.typByOID[t.OID] = t
		s.typByName[t.Name] = t
	}
	s.roleByOID = map[int64]*Role{}
	for i := range s.Roles {
		s.roleByOID[s.Roles[i].OID] = &s.Roles[i]
	}
	s.procOIDs = make([]int64, len(s.Functions))
	for i := range s.Functions {
		s.procOIDs[i] = int64(100000 + i)
	}
}

var builtinTypeRows = sync.OnceValue(func() []Type {
	var out []Type
	for _, line := range strings.Split(strings.TrimSpace(builtinTypes), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 17 {
			continue
		}
		n := func(i int) int64 { v, _ := strconv.ParseInt(f[i], 10, 64); return v }
		out = append(out, Type{OID: n(0), Name: f[1], Len: n(2), ByVal: f[3] == "t", Kind: f[4], Category: f[5],
			Preferred: f[6] == "t", Delim: f[7], Elem: n(8), Array: n(9), Input: f[10], Output: f[11], Receive: f[12],
			Send: f[13], Align: f[14], Storage: f[15], Collation: n(16)})
	}
	return out
})

// visible reports whether a schema is on the search path (pg_catalog
// always is).
func (s *Snapshot) visibleSchema(name string) bool {
	if name == "pg_catalog" || (name == s.Session.TempSchema && name != "") {
		return true
	}
	for _, p := range s.Session.SearchPath {
		if p == name {
			return true
		}
	}
	return false
}

// Relation returns the relation with an OID.
func (s *Snapshot) Relation(oid int64) *Relation { return s.relByOID[oid] }

// RelationByName resolves a possibly qualified name as regclass input
// does: a bare name through pg_catalog and the search path.
func (s *Snapshot) RelationByName(schema, name string) *Relation {
	find := func(sc string) *Relation {
		ns := s.nsByName[sc]
		if ns == nil {
			return nil
		}
		for _, r := range ns.Relations {
			if r.Name == name {
				return r
			}
		}
		return nil
	}
	if schema == "pg_temp" {
		schema = s.Session.TempSchema
	}
	if schema != "" {
		return find(schema)
	}
	if s.Session.TempSchema != "" {
		if r := find(s.Session.TempSchema); r != nil {
			return r
		}
	}
	if r := find("pg_catalog"); r != nil {
		return r
	}
	for _, sc := range s.Session.SearchPath {
		if r := find(sc); r != nil {
			return r
		}
	}
	return nil
}

// RelName renders a relation OID as regclass output does: qualified
// only when its schema is not on the search path; the number when no
// relation has it.
func (s *Snapshot) RelName(oid int64) string {
	r := s.relByOID[oid]
	if r == nil {
		return strconv.FormatInt(oid, 10)
	}
	if s.visibleSchema(r.Schema.Name) && s.RelationByName("", r.Name) == r {
		return quoteIdent(r.Name)
	}
	return quoteIdent(r.Schema.Name) + "." + quoteIdent(r.Name)
}

// RelOID is regclass input: a name, "schema.name", or a number.
func (s *Snapshot) RelOID(text string) (int64, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
		return n, nil
	}
	parts := SplitQualified(text)
	var r *Relation
	switch len(parts) {
	case 1:
		r = s.RelationByName("", parts[0])
	case 2:
		r = s.RelationByName(parts[0], parts[1])
	case 3:
		if parts[0] == s.Session.Database {
			r = s.RelationByName(parts[1], parts[2])
		}
	}
	if r == nil {
		return 0, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", text)
	}
	return r.OID, nil
}

// RelVisible is pg_table_is_visible.
func (s *Snapshot) RelVisible(oid int64) bool {
	r := s.relByOID[oid]
	return r != nil && s.visibleSchema(r.Schema.Name) && s.RelationByName("", r.Name) == r
}

// TypeVisible is pg_type_is_visible: every type lakeq has is in pg_catalog.
func (s *Snapshot) TypeVisible(oid int64) bool { return s.typByOID[oid] != nil }

// TypeName is regtype output (format_type without a modifier).
func (s *Snapshot) TypeName(oid int64) string {
	if t, ok := types.FromOID(uint32(oid)); ok && oid != 0 && oid != 705 && oid != 19 {
		if t.Kind == types.Char {
			return "character"
		}
		if t.Kind == types.Array {
			return s.TypeName(s.typByOIDElem(oid)) + "[]"
		}
		return t.String()
	}
	if t := s.typByOID[oid]; t != nil {
		switch t.Name {
		case "char":
			return "\"char\""
		case "bpchar":
			return "character"
		}
		if strings.HasPrefix(t.Name, "_") {
			return s.TypeName(t.Elem) + "[]"
		}
		return t.Name
	}
	return strconv.FormatInt(oid, 10)
}

// FormatType is format_type(oid, typmod); hasMod false is a NULL typmod.
func (s *Snapshot) FormatType(oid int64, typmod int64, hasMod bool) string {
	if oid == 0 {
		return "-"
	}
	t, ok := types.FromOID(uint32(oid))
	if !ok || oid == 705 || oid == 19 {
		if s.typByOID[oid] == nil {
			return "???"
		}
		if tt := s.typByOID[oid]; tt.Elem != 0 && strings.HasPrefix(tt.Name, "_") {
			return s.FormatType(tt.Elem, typmod, hasMod) + "[]"
		}
		return s.TypeName(oid)
	}
	if t.Kind == types.Array {
		return s.FormatType(s.typByOIDElem(oid), typmod, hasMod) + "[]"
	}
	if !hasMod {
		if t.Kind == types.Char {
			return "bpchar"
		}
		return s.TypeName(oid)
	}
	mod := int32(typmod)
	if mod < 0 {
		if t.Kind == types.Char {
			return "character"
		}
		return s.TypeName(oid)
	}
	switch t.Kind {
	case types.Numeric:
		mod -= 4
		t.Prec, t.Scale = mod>>16, mod&0xffff
	case types.Varchar, types.Char:
		t.Width = mod - 4
	}
	return t.String()
}

func (s *Snapshot) typByOIDElem(oid int64) int64 {
	if t := s.typByOID[oid]; t != nil {
		return t.Elem
	}
	return 0
}

// TypeOID is regtype input.
func (s *Snapshot) TypeOID(text string) (int64, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
		return n, nil
	}
	name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(text)), "pg_catalog.")
	if t := s.typByName[strings.Trim(name, "\"")]; t != nil {
		return t.OID, nil
	}
	if t, err := types.Parse(name); err == nil {
		return int64(t.OID()), nil
	}
	return 0, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", text)
}

// NamespaceName is regnamespace output.
func (s *Snapshot) NamespaceName(oid int64) string {
	if ns := s.nsByOID[oid]; ns != nil {
		return quoteIdent(ns.Name)
	}
	return strconv.FormatInt(oid, 10)
}

// NamespaceOID is regnamespace input.
func (s *Snapshot) NamespaceOID(text string) (int64, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
		return n, nil
	}
	parts := SplitQualified(text)
	if len(parts) == 1 {
		if ns := s.nsByName[parts[0]]; ns != nil {
			return ns.OID, nil
		}
	}
	return 0, sqlerr.New(sqlerr.UndefinedSchema, "schema \"%s\" does not exist", text)
}

// RoleName is pg_get_userbyid (and regrole output).
func (s *Snapshot) RoleName(oid int64) string {
	if r := s.roleByOID[oid]; r != nil {
		return r.Name
	}
	return "unknown (OID=" + strconv.FormatInt(oid, 10) + ")"
}

// RoleOID is regrole input.
func (s *Snapshot) RoleOID(text string) (int64, error) {
	name := strings.Trim(strings.TrimSpace(text), "\"")
	for _, r := range s.Roles {
		if r.Name == name {
			return r.OID, nil
		}
	}
	return 0, sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", text)
}

// Description is obj_description / col_description: the comment on a
// relation (sub 0), one of its columns (sub = attnum) or a schema.
func (s *Snapshot) Description(oid int64, sub int64) (string, bool) {
	if r := s.relByOID[oid]; r != nil {
		if sub == 0 {
			return r.Comment, r.Comment != ""
		}
		if sub >= 1 && int(sub) <= len(r.Columns) {
			c := r.Columns[sub-1].Comment
			return c, c != ""
		}
		return "", false
	}
	if ns := s.nsByOID[oid]; ns != nil && sub == 0 {
		return ns.Comment, ns.Comment != ""
	}
	return "", false
}

// ViewDef is pg_get_viewdef.
func (s *Snapshot) ViewDef(oid int64) (string, bool) {
	r := s.relByOID[oid]
	if r == nil || r.Kind != "v" {
		return "", false
	}
	if r.ViewSQL == "" {
		return "", false
	}
	return " " + strings.TrimSuffix(strings.TrimSpace(r.ViewSQL), ";") + ";", true
}

// SchemaOID is the OID of a schema by name, 0 when there is none.
func (s *Snapshot) SchemaOID(name string) int64 {
	if ns := s.nsByName[name]; ns != nil {
		return ns.OID
	}
	return 0
}

// SplitQualified splits a possibly qualified name as regclass input
// reads it: dots outside double quotes part it, unquoted parts fold to
// lower case.
func SplitQualified(s string) []string {
	var parts []string
	var cur strings.Builder
	inQ := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && inQ && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			inQ = !inQ
		case c == '.' && !inQ:
			parts = append(parts, cur.String())
			cur.Reset()
		case !inQ:
			cur.WriteString(strings.ToLower(string(c)))
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, strings.TrimSpace(cur.String()))
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// quoteIdent quotes an identifier when PostgreSQL would.
func quoteIdent(s string) string {
	if s == "" {
		return `""`
	}
	plain := !(s[0] >= '0' && s[0] <= '9')
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			plain = false
		}
	}
	if plain && !isReserved(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// isReserved is a short list of the reserved words that force quoting.
func isReserved(s string) bool {
	switch s {
	case "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
		"check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
		"current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
		"else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
		"initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
		"null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
		"session_user", "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user",
		"using", "variadic", "when", "where", "window", "with":
		return true
	}
	return false
}
