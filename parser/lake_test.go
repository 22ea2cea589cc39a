package parser

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

func TestCreateExternalTable(t *testing.T) {
	sql := `CREATE EXTERNAL TABLE IF NOT EXISTS sales.orders (
  id bigint COMMENT 'order id',
  price decimal(10,2),
  tags array<string>,
  addr struct<city:string,zip:int>,
  "Mixed" string
) COMMENT 'orders'
PARTITIONED BY (year int, month int)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n' NULL DEFINED AS '\N'
STORED AS TEXTFILE
LOCATION 's3://bucket/orders/'
TBLPROPERTIES ('skip.header.line.count'='1', 'projection.enabled'='true');`
	ss, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	x := ss[0].AST.(*ast.CreateExternalTable)
	if !x.IfNotExists || x.Name.String() != "sales.orders" || len(x.Columns) != 5 || x.Comment != "orders" {
		t.Fatalf("%+v", x)
	}
	wantTypes := []string{"bigint", "decimal(10,2)", "array<string>", "struct<city:string,zip:int>", "string"}
	for i, c := range x.Columns {
		if c.Type != wantTypes[i] {
			t.Errorf("column %d type %q, want %q", i, c.Type, wantTypes[i])
		}
	}
	if x.Columns[0].Comment != "order id" || x.Columns[4].Name != "Mixed" {
		t.Fatalf("%+v", x.Columns)
	}
	if len(x.PartitionedBy) != 2 || x.PartitionedBy[1].Name != "month" {
		t.Fatalf("%+v", x.PartitionedBy)
	}
	want := map[string]string{"field.delim": "\t", "escape.delim": "\\", "line.delim": "\n", "serialization.null.format": "\\N"}
	if x.RowFormat != "DELIMITED" || !reflect.DeepEqual(x.SerDeProps, want) {
		t.Fatalf("%q %q", x.RowFormat, x.SerDeProps)
	}
	if x.StoredAs != "TEXTFILE" || x.Location != "s3://bucket/orders/" || x.TblProps["skip.header.line.count"] != "1" {
		t.Fatalf("%+v", x)
	}
}

func TestLakeStatements(t *testing.T) {
	cases := map[string]ast.Stmt{
		"MSCK REPAIR TABLE db.t":         &ast.MsckRepair{Table: ast.QualifiedName{Schema: "db", Name: "t", Pos: 18}},
		"show tables in sales like 'o*'": &ast.ShowLake{What: "tables", In: "sales", Like: "o*"},
		"SHOW DATABASES":                 &ast.ShowLake{What: "databases"},
		"SHOW PARTITIONS t":              &ast.ShowLake{What: "partitions", Table: ast.QualifiedName{Name: "t", Pos: 16}},
		"DESCRIBE FORMATTED t":           &ast.Describe{Table: ast.QualifiedName{Name: "t", Pos: 19}, Formatted: true},
		"ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='2024-01-01', h=3) LOCATION '/x' PARTITION (dt='2024-01-02', h=4)": &ast.AlterTableLake{
			Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "add partition", IfNotExists: true,
			Partitions: []ast.PartitionSpec{{Keys: []string{"dt", "h"}, Values: []string{"2024-01-01", "3"}, Location: "/x"}, {Keys: []string{"dt", "h"}, Values: []string{"2024-01-02", "4"}}}},
		"ALTER TABLE t DROP IF EXISTS PARTITION (dt='a'), PARTITION (dt='b')": &ast.AlterTableLake{
			Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "drop partition", IfExists: true,
			Partitions: []ast.PartitionSpec{{Keys: []string{"dt"}, Values: []string{"a"}}, {Keys: []string{"dt"}, Values: []string{"b"}}}},
		"ALTER TABLE t SET TBLPROPERTIES ('a'='1')":        &ast.AlterTableLake{Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "set tblproperties", Props: map[string]string{"a": "1"}},
		"ALTER TABLE t RENAME TO u":                        &ast.AlterTableLake{Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "rename", NewName: ast.QualifiedName{Name: "u", Pos: 24}},
		"ALTER TABLE t ADD COLUMNS (c string COMMENT 'x')": &ast.AlterTableLake{Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "add columns", Columns: []ast.LakeColumn{{Name: "c", Type: "string", Comment: "x"}}},
		"ANALYZE t COMPUTE STATISTICS FOR COLUMNS a, b":    &ast.Analyze{Table: ast.QualifiedName{Name: "t", Pos: 8}, Columns: []string{"a", "b"}},
		"DROP DATABASE IF EXISTS s CASCADE":                &ast.DropDatabase{Name: "s", IfExists: true, Cascade: true},
		"CREATE DATABASE IF NOT EXISTS s COMMENT 'sales'":  &ast.CreateDatabase{Name: "s", IfNotExists: true, Comment: "sales"},
		"ALTER TABLE t SET LOCATION 's3://b/x'":            &ast.AlterTableLake{Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "set location", Location: "s3://b/x"},
		"ALTER TABLE t REPLACE COLUMNS (a int, b double)":  &ast.AlterTableLake{Table: ast.QualifiedName{Name: "t", Pos: 12}, Action: "replace columns", Columns: []ast.LakeColumn{{Name: "a", Type: "int"}, {Name: "b", Type: "double"}}},
		"SHOW COLUMNS IN t":                                &ast.ShowLake{What: "columns", Table: ast.QualifiedName{Name: "t", Pos: 16}},
		"SHOW CREATE TABLE s.t":                            &ast.ShowLake{What: "create table", Table: ast.QualifiedName{Schema: "s", Name: "t", Pos: 18}},
	}
	for sql, want := range cases {
		got, err := ParseOne(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", sql, got, want)
		}
	}
}

func TestLakeMixedAndErrors(t *testing.T) {
	ss, err := Parse("SELECT 1; SHOW TABLES; SELECT ';' AS x")
	if err != nil || len(ss) != 3 {
		t.Fatalf("%v %v", ss, err)
	}
	if _, ok := ss[1].AST.(*ast.ShowLake); !ok || ss[2].SQL != "SELECT ';' AS x" {
		t.Fatalf("%#v", ss)
	}
	call, err := ParseOne("CALL crawl('/data/lake', 'db', table_prefix => 'raw_')")
	if err != nil {
		t.Fatal(err)
	}
	if f := call.(*ast.Call).Func; len(f.Args) != 3 || f.ArgNames[2] != "table_prefix" {
		t.Fatalf("%#v", f)
	}
	for sql, pos := range map[string]int{
		"SELECT 1; CREATE EXTERNAL TABLE t (a int) STORED AS PARQUET LOCATION": 69,
		"MSCK REPAIR TABLE":                     18,
		"CREATE EXTERNAL TABLE t (a int) BOGUS": 33,
	} {
		_, err := Parse(sql)
		e, ok := err.(*sqlerr.Error)
		if !ok || e.Code != sqlerr.SyntaxError || e.Position != pos {
			t.Errorf("%s: %v (position %d, want %d)", sql, err, e.Position, pos)
		}
	}
}

// Which COPY is which: PostgreSQL's grammar wins unless the source is
// s3:// without PostgreSQL's option list, or PostgreSQL rejects it.
func TestRedshiftCopyRouting(t *testing.T) {
	for _, c := range []struct {
		sql      string
		redshift bool
		opts     string
	}{
		{"COPY t FROM '/x' CSV HEADER", false, ""},
		{"COPY t FROM 's3://b/x' WITH (FORMAT csv, HEADER)", false, ""},
		{"COPY t FROM 's3://b/p'", true, ""},
		{"COPY t (a, b) FROM '/x/y' DELIMITER '|' NULL AS 'nil' EMPTYASNULL ACCEPTINVCHARS DATEFORMAT 'auto' COMPUPDATE OFF", true,
			"DELIMITER=| NULL=nil EMPTYASNULL= ACCEPTINVCHARS=? DATEFORMAT=auto COMPUPDATE=OFF"},
		{"COPY t FROM 's3://b/p' IAM_ROLE default FORMAT AS CSV QUOTE AS '\"' IGNOREHEADER 1 MAXERROR AS 10 GZIP", true,
			"IAM_ROLE=default FORMAT=CSV QUOTE=\" IGNOREHEADER=1 MAXERROR=10 GZIP="},
		{"COPY t FROM STDIN IGNOREHEADER 1", true, "IGNOREHEADER=1"},
	} {
		st, err := ParseOne(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		x := st.(*ast.Copy)
		var opts []string
		for _, o := range x.Options {
			opts = append(opts, o.Name+"="+o.Value)
		}
		if x.Redshift != c.redshift || strings.Join(opts, " ") != c.opts {
			t.Errorf("%s: redshift %v, options %q", c.sql, x.Redshift, strings.Join(opts, " "))
		}
	}
	if _, err := ParseOne("COPY t FROM '/x' BOGUS"); err == nil || !strings.Contains(err.Error(), `"BOGUS": not a COPY option`) {
		t.Fatalf("unknown option: %v", err)
	}
}

func TestRedshiftUnloadParse(t *testing.T) {
	st, err := ParseOne("UNLOAD ('SELECT * FROM t WHERE s = ''x''') TO 's3://b/p/x_' FORMAT AS CSV HEADER GZIP PARALLEL OFF MAXFILESIZE AS 100 MB MANIFEST VERBOSE ALLOWOVERWRITE EXTENSION 'csv.gz'")
	if err != nil {
		t.Fatal(err)
	}
	x := st.(*ast.Unload)
	var opts []string
	for _, o := range x.Options {
		opts = append(opts, o.Name+"="+o.Value)
	}
	want := "FORMAT=CSV HEADER= GZIP= PARALLEL=OFF MAXFILESIZE=100 MB MANIFEST=VERBOSE ALLOWOVERWRITE= EXTENSION=csv.gz"
	if !x.Redshift || x.To != "s3://b/p/x_" || x.QuerySQL != "SELECT * FROM t WHERE s = 'x'" || x.Query == nil || strings.Join(opts, " ") != want {
		t.Fatalf("%+v %q", x, strings.Join(opts, " "))
	}
	if _, err := ParseOne("UNLOAD ('SELECT 1') TO 'x' NOPE"); err == nil || !strings.Contains(err.Error(), "not an UNLOAD option") {
		t.Fatalf("unknown option: %v", err)
	}
	if _, err := ParseOne("UNLOAD ('SELEC 1') TO 'x'"); sqlerr.Code(err) != sqlerr.SyntaxError {
		t.Fatalf("bad query: %v", err)
	}
}

func TestCreateExternalSchema(t *testing.T) {
	st, err := ParseOne(`CREATE EXTERNAL SCHEMA IF NOT EXISTS pg FROM POSTGRES DATABASE 'shop' SCHEMA 'sales'
		URI '127.0.0.1' PORT 5433 USER 'app' PASSWORD 'it''s secret'`)
	if err != nil {
		t.Fatal(err)
	}
	want := &ast.CreateExternalSchema{Name: "pg", IfNotExists: true, Source: "postgres", Database: "shop", Schema: "sales",
		Host: "127.0.0.1", Port: 5433, User: "app", Password: "it's secret"}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("got %+v", st)
	}
	st, err = ParseOne(`create external schema my from mysql database 'shop' uri 'db.local' user 'u' password 'p'`)
	if err != nil || !reflect.DeepEqual(st, &ast.CreateExternalSchema{Name: "my", Source: "mysql", Database: "shop", Host: "db.local", User: "u", Password: "p"}) {
		t.Fatalf("mysql: %+v, %v", st, err)
	}
	for sql, code := range map[string]string{
		`CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'x' IAM_ROLE 'arn'`:                         sqlerr.FeatureNotSupported,
		`CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x' URI 'h' IAM_ROLE 'arn' SECRET_ARN 'a'`:      sqlerr.FeatureNotSupported,
		`CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x' URI 'h' USER 'u'`:                           sqlerr.SyntaxError,
		`CREATE EXTERNAL SCHEMA s FROM MYSQL DATABASE 'x' SCHEMA 'y' URI 'h' USER 'u' PASSWORD 'p'`:      sqlerr.SyntaxError,
		`CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x' DATABASE 'y' URI 'h' USER 'u' PASSWORD 'p'`: sqlerr.SyntaxError,
		`CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x' URI 'h' PORT 99999 USER 'u' PASSWORD 'p'`:   sqlerr.SyntaxError,
		`CREATE EXTERNAL SCHEMA s FROM ORACLE DATABASE 'x'`:                                              sqlerr.FeatureNotSupported,
	} {
		_, err := ParseOne(sql)
		if sqlerr.Code(err) != code {
			t.Errorf("%s: %v, want %s", sql, err, code)
		}
	}
	// a string out of place is never echoed: it may be a password
	_, err = ParseOne(`CREATE EXTERNAL SCHEMA s FROM POSTGRES DATABASE 'x' URI 'h' USER 'u' 'hunter2'`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("a stray string: %v", err)
	}
}
