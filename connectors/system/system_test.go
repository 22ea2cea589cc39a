package system

import (
	"testing"

	"github.com/lakeq/lakeq/types"
)

func testSnapshot(searchPath ...string) *Snapshot {
	s := &Snapshot{Session: Session{Database: "lakeq", SearchPath: searchPath}}
	pg := &Schema{Name: "pg_catalog", OID: OIDPgCatalog, System: true}
	pg.Relations = []*Relation{{Schema: pg, Name: "pg_class", Kind: "r", OID: OIDPgClass}}
	pub := &Schema{Name: "public", OID: OIDPublic}
	shop := &Schema{Name: "Shop", OID: schemaOID("Shop")}
	pub.Relations = []*Relation{{Schema: pub, Name: "orders", Kind: "r"}}
	shop.Relations = []*Relation{{Schema: shop, Name: "orders", Kind: "r", Comment: "shop orders",
		Columns: []Column{{Name: "id", Type: types.Int4T, Comment: "key"}}}, {Schema: shop, Name: "v", Kind: "v", ViewSQL: "SELECT 1"}}
	s.Schemas = []*Schema{pg, pub, shop}
	s.assignOIDs()
	s.Types = builtinTypeRows()
	s.Roles = []Role{{OID: OIDBootstrap, Name: "lakeq", Superuser: true}}
	s.index()
	return s
}

func TestOIDsStableAndDistinct(t *testing.T) {
	a, b := testSnapshot("public"), testSnapshot("public")
	pa, _ := a.RelOID("public.orders")
	pb, _ := b.RelOID("public.orders")
	sa, _ := a.RelOID(`"Shop".orders`)
	if pa != pb || pa < firstUserOID || pa == sa {
		t.Fatalf("OIDs: %d %d %d", pa, pb, sa)
	}
	if got := hashOID("relation", "public.orders"); got != pa {
		t.Errorf("OID %d is not the name's hash %d", pa, got)
	}
	if oid, _ := a.RelOID("pg_class"); oid != OIDPgClass {
		t.Errorf("pg_class OID %d", oid)
	}
}

func TestOIDCollisionsMoveOn(t *testing.T) {
	s := &Snapshot{}
	sc := &Schema{Name: "x", OID: 99}
	r1 := &Relation{Schema: sc, Name: "a"}
	r2 := &Relation{Schema: sc, Name: "b", OID: hashOID("relation", "x.a")} // a fixed OID taking a's hash
	sc.Relations = []*Relation{r1, r2}
	s.Schemas = []*Schema{sc}
	s.assignOIDs()
	if r1.OID == r2.OID {
		t.Fatalf("collision kept: %d", r1.OID)
	}
}

func TestRegclassNames(t *testing.T) {
	s := testSnapshot("public")
	pub, _ := s.RelOID("orders")
	shop, _ := s.RelOID(`"Shop"."orders"`)
	if got := s.RelName(pub); got != "orders" {
		t.Errorf("visible: %q", got)
	}
	if got := s.RelName(shop); got != `"Shop".orders` {
		t.Errorf("off the path: %q", got)
	}
	if s.RelVisible(shop) || !s.RelVisible(pub) {
		t.Error("visibility")
	}
	if got := s.RelName(12345); got != "12345" {
		t.Errorf("unknown oid: %q", got)
	}
	if _, err := s.RelOID("nope"); err == nil {
		t.Error("missing relation resolved")
	}
	if oid, _ := s.RelOID("lakeq.public.orders"); oid != pub {
		t.Error("three-part name")
	}
	// A second schema on the path: the first one's table wins the bare name.
	s2 := testSnapshot("Shop", "public")
	if oid, _ := s2.RelOID("orders"); oid != shop {
		t.Error("search path order")
	}
	if s2.RelVisible(pub) {
		t.Error("a shadowed table is not visible")
	}
}

func TestFormatType(t *testing.T) {
	s := testSnapshot()
	for _, c := range []struct {
		oid, mod int64
		has      bool
		want     string
	}{
		{23, -1, true, "integer"}, {1043, 24, true, "character varying(20)"}, {1043, -1, true, "character varying"},
		{1700, (10<<16 | 2) + 4, true, "numeric(10,2)"}, {1042, 12, true, "character(8)"}, {1042, -1, true, "character"},
		{1042, 0, false, "bpchar"}, {1015, 24, true, "character varying(20)[]"}, {1009, -1, true, "text[]"},
		{1114, -1, true, "timestamp without time zone"}, {19, -1, true, "name"}, {18, -1, true, `"char"`},
		{0, -1, true, "-"}, {999999, -1, true, "???"}, {2205, -1, true, "regclass"},
	} {
		if got := s.FormatType(c.oid, c.mod, c.has); got != c.want {
			t.Errorf("format_type(%d, %d) = %q, want %q", c.oid, c.mod, got, c.want)
		}
	}
	if oid, _ := s.TypeOID("character varying"); oid != 1043 {
		t.Errorf("regtype input: %d", oid)
	}
}

func TestDescriptionsAndViews(t *testing.T) {
	s := testSnapshot()
	shop, _ := s.RelOID(`"Shop".orders`)
	if d, ok := s.Description(shop, 0); !ok || d != "shop orders" {
		t.Errorf("table comment %q", d)
	}
	if d, ok := s.Description(shop, 1); !ok || d != "key" {
		t.Errorf("column comment %q", d)
	}
	v, _ := s.RelOID(`"Shop".v`)
	if d, ok := s.ViewDef(v); !ok || d != " SELECT 1;" {
		t.Errorf("view def %q", d)
	}
}

func TestIdentifiers(t *testing.T) {
	for in, want := range map[string]string{"orders": "orders", "Orders": `"Orders"`, "select": `"select"`, "a b": `"a b"`, `q"x`: `"q""x"`, "1a": `"1a"`} {
		if got := quoteIdent(in); got != want {
			t.Errorf("quoteIdent(%q) = %q, want %q", in, got, want)
		}
	}
	got := SplitQualified(`Lake."My ""T"".x"`)
	if len(got) != 2 || got[0] != "lake" || got[1] != `My "T".x` {
		t.Errorf("SplitQualified: %q", got)
	}
}

func TestEveryTableDeclaresItsRows(t *testing.T) {
	s := testSnapshot("public")
	s.Session.Settings = map[string]string{"timezone": "UTC"}
	for _, schema := range []string{"pg_catalog", "information_schema"} {
		for _, d := range Tables(schema) {
			rows, err := d.Rows(t.Context(), s)
			if err != nil {
				t.Fatalf("%s.%s: %v", schema, d.Name, err)
			}
			for _, r := range rows {
				if len(r) != len(d.Columns) {
					t.Fatalf("%s.%s: a row of %d values for %d columns", schema, d.Name, len(r), len(d.Columns))
				}
			}
		}
	}
	if kw := Lookup("pg_catalog", "pg_get_keywords"); kw == nil {
		t.Fatal("pg_get_keywords")
	} else if rows, _ := kw.Rows(t.Context(), s); len(rows) < 400 {
		t.Errorf("%d keywords", len(rows))
	}
}
