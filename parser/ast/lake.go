package ast

// Lake statements: Athena/Hive DDL that PostgreSQL's grammar lacks. The
// parser's hand-written front produces them.

// LakeColumn is a column in lake DDL. Type is the type's text as
// written (Hive names like string, array<int>, struct<a:int> included);
// the engine maps it to a SQL type.
type LakeColumn struct {
	Name    string
	Type    string
	Comment string
}

// CreateExternalTable is Athena's CREATE EXTERNAL TABLE.
type CreateExternalTable struct {
	Name          QualifiedName
	IfNotExists   bool
	Columns       []LakeColumn
	Comment       string
	PartitionedBy []LakeColumn
	// ClusteredBy and Buckets are CLUSTERED BY (c, …) INTO n BUCKETS.
	ClusteredBy []string
	Buckets     int
	// RowFormat is "", "DELIMITED" or "SERDE". DELIMITED's clauses land
	// in SerDeProps under Hive's names (field.delim, escape.delim,
	// line.delim, serialization.null.format, collection.delim, mapkey.delim).
	RowFormat    string
	SerDe        string
	SerDeProps   map[string]string
	StoredAs     string // PARQUET, TEXTFILE, … (upper case); "" when InputFormat is given
	InputFormat  string
	OutputFormat string
	Location     string
	TblProps     map[string]string
	// Query is Spectrum's CREATE EXTERNAL TABLE … AS query (QuerySQL its
	// text); PartitionedBy then names its columns, without types.
	Query    *Select
	QuerySQL string
}

// CreateDatabase is CREATE DATABASE|SCHEMA with Hive's options.
type CreateDatabase struct {
	Name        string
	IfNotExists bool
	Comment     string
	Location    string
	Props       map[string]string
}

// CreateExternalSchema is Redshift's CREATE EXTERNAL SCHEMA [IF NOT
// EXISTS] name FROM POSTGRES|MYSQL DATABASE 'db' [SCHEMA 's'] URI 'host'
// [PORT n] USER 'u' PASSWORD 'p': a live database mounted as a schema.
type CreateExternalSchema struct {
	Name        string
	IfNotExists bool
	Source      string // "postgres" or "mysql"
	Database    string
	Schema      string // POSTGRES only; "" = every schema (public first)
	Host        string
	Port        int // 0 = the source's default
	User        string
	Password    string
}

// DropDatabase is DROP DATABASE [IF EXISTS] name [CASCADE|RESTRICT].
type DropDatabase struct {
	Name     string
	IfExists bool
	Cascade  bool
}

// ShowLake is SHOW DATABASES|SCHEMAS|TABLES|VIEWS|PARTITIONS|COLUMNS|
// CREATE TABLE|CREATE VIEW|TBLPROPERTIES.
type ShowLake struct {
	What  string // "databases", "tables", "views", "partitions", "columns", "create table", "create view", "tblproperties"
	Table QualifiedName
	In    string // SHOW TABLES IN db
	Like  string // pattern ('*' and '|' as Hive; % and _ as SQL)
}

// Describe is DESCRIBE [FORMATTED|EXTENDED] t [PARTITION (…)].
type Describe struct {
	Table     QualifiedName
	Formatted bool
	Partition *PartitionSpec
}

// PartitionSpec is PARTITION (k = 'v', …) [LOCATION '…'].
type PartitionSpec struct {
	Keys     []string
	Values   []string
	Location string
}

// AlterTableLake is ALTER TABLE with Athena's actions. Action is one of
// "add partition", "drop partition", "set tblproperties",
// "unset tblproperties", "set location", "add columns",
// "replace columns", "rename", "set serdeproperties".
type AlterTableLake struct {
	Table       QualifiedName
	Action      string
	IfNotExists bool
	IfExists    bool
	Partitions  []PartitionSpec
	Props       map[string]string
	PropKeys    []string
	Location    string
	Columns     []LakeColumn
	NewName     QualifiedName
}

// MsckRepair is MSCK REPAIR TABLE t.
type MsckRepair struct{ Table QualifiedName }

// Analyze is ANALYZE [TABLE] t [PARTITION (…)] [COMPUTE STATISTICS [FOR
// COLUMNS a, … | FOR ALL COLUMNS]] (or PostgreSQL's ANALYZE t (a, …)).
type Analyze struct {
	Table     QualifiedName
	Columns   []string // nil = all
	Partition *PartitionSpec
	NoScan    bool // row counts from file footers only
}

// Vacuum is VACUUM [(options)] [table, …]: a managed table's small data
// files and delta rows folded into Parquet files.
type Vacuum struct {
	Tables  []QualifiedName // none: every managed table on the search path
	Analyze bool            // VACUUM ANALYZE: ANALYZE the tables after
}

func (*Vacuum) stmt() {}

// Call is CALL procedure(args), e.g. CALL crawl('s3://…', 'db').
type Call struct{ Func *FuncCall }

func (*CreateExternalTable) stmt()  {}
func (*CreateDatabase) stmt()       {}
func (*DropDatabase) stmt()         {}
func (*CreateExternalSchema) stmt() {}
func (*ShowLake) stmt()             {}
func (*Describe) stmt()             {}
func (*AlterTableLake) stmt()       {}
func (*MsckRepair) stmt()           {}
func (*Analyze) stmt()              {}
func (*Call) stmt()                 {}
