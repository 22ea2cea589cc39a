// Package catalog holds lakeq's Glue-style object model — catalog →
// database → table {columns, partition keys, storage descriptor,
// parameters, type} → partitions → column statistics — plus the query
// history, and the stores that persist them: an embedded SQLite file
// (the default) and a shared PostgreSQL database.
package catalog

import (
	"context"
	"time"
)

// Table types, as Glue names them.
const (
	ManagedTable  = "MANAGED_TABLE"
	ExternalTable = "EXTERNAL_TABLE"
	VirtualView   = "VIRTUAL_VIEW"
	// Sequence is a sequence (CREATE SEQUENCE, serial columns): its
	// options and state are parameters, its value changes by
	// compare-and-swap of the entry
	Sequence = "SEQUENCE"
)

// Database is a Glue database (a PostgreSQL schema over the wire).
type Database struct {
	Name        string
	Description string
	LocationURI string
	Parameters  map[string]string
	CreatedAt   time.Time
}

// Column is a table column. Type is the SQL type name as lakeq parses it.
type Column struct {
	Name    string
	Type    string
	Comment string `json:",omitempty"`
	NotNull bool   `json:",omitempty"`
	Default string `json:",omitempty"` // SQL expression text, "" for none
	// FileName is a managed table's column's name in its data files when
	// it is not Name: a renamed column keeps its files' name, and an added
	// one gets a name no older file holds (a dropped column's values stay
	// in the files under its old name until they are rewritten).
	FileName string `json:",omitempty"`
	// Identity is "always" or "by default" for an identity column (its
	// default takes the next value of its sequence)
	Identity string `json:",omitempty"`
}

// InFiles is the column's name in a managed table's data files.
func (c Column) InFiles() string {
	if c.FileName != "" {
		return c.FileName
	}
	return c.Name
}

// StorageDescriptor says where and how a table's data is stored.
type StorageDescriptor struct {
	Location     string
	InputFormat  string
	OutputFormat string
	SerDe        string
	SerDeParams  map[string]string
	Compressed   bool
	// BucketColumns and NumBuckets are Hive's CLUSTERED BY (…) INTO n
	// BUCKETS: each file holds the rows of one bucket, numbered in its
	// name (Hive's hash of BucketColumns mod NumBuckets).
	BucketColumns []string `json:",omitempty"`
	NumBuckets    int      `json:",omitempty"`
}

// Table is a table or view.
type Table struct {
	Database      string
	Name          string
	Type          string
	Columns       []Column
	PartitionKeys []Column
	Storage       StorageDescriptor
	Parameters    map[string]string
	ViewSQL       string // VIRTUAL_VIEW: the query text
	Comment       string
	Owner         string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64 // bumped on every update; guards concurrent writers
}

// Partition is one registered partition of a table: its key values (in
// PartitionKeys order, as text) and where its files are.
type Partition struct {
	Values     []string
	Location   string
	Parameters map[string]string `json:",omitempty"`
	CreatedAt  time.Time
}

// PartitionSwap replaces a partition's location: Old is the one the
// writer read ("" when the partition did not exist).
type PartitionSwap struct {
	Values     []string
	Old, New   string
	Parameters map[string]string // the partition's parameters after it
}

// ColumnStats are statistics of one column of a table or of one of its
// partitions (Partition holds the partition's values joined by "/", ""
// for the whole table). Column "" carries the row count alone.
type ColumnStats struct {
	Partition string
	Column    string
	RowCount  int64
	NullCount int64
	Distinct  int64
	Min, Max  string // text form; "" with HasMinMax false when unknown
	HasMinMax bool
	AvgLen    float64 // average length in bytes of variable-length values
	HasAvgLen bool
	UpdatedAt time.Time
}

// User is a role. Verifier is PostgreSQL's SCRAM-SHA-256 secret format
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"), "" when
// the role has no password.
type User struct {
	Name      string
	Verifier  string
	Superuser bool
	CanLogin  bool
	CreatedAt time.Time
}

// QueryRecord is one entry of the query history (sys.query_history).
type QueryRecord struct {
	QueryID    string
	User       string
	Query      string
	State      string // SUCCEEDED, FAILED, CANCELLED
	Error      string
	StartedAt  time.Time
	ElapsedMs  int64
	Rows       int64
	Bytes      int64
	Files      int64
	Partitions int64
}

// Store persists the catalog. Implementations are safe for concurrent
// use by many sessions and, for shared stores, many processes.
// UpdateTable fails with SQLSTATE 40001 when the stored Version differs
// from the given one, so a read-modify-write never loses a concurrent
// update (callers re-read and retry); partition and statistics changes
// are row-level inserts and deletes that need no such guard.
type Store interface {
	ListDatabases(ctx context.Context) ([]Database, error)
	GetDatabase(ctx context.Context, name string) (*Database, error) // nil, nil when absent
	CreateDatabase(ctx context.Context, db Database) error
	// DropDatabase removes the database and everything in it.
	DropDatabase(ctx context.Context, name string) error

	ListTables(ctx context.Context, db string) ([]Table, error)
	GetTable(ctx context.Context, db, name string) (*Table, error) // nil, nil when absent
	CreateTable(ctx context.Context, t Table) error
	UpdateTable(ctx context.Context, t Table) error
	// CreateTableWithPartitions creates a table and its partitions in one
	// transaction: readers see both or neither.
	CreateTableWithPartitions(ctx context.Context, t Table, ps []Partition) error
	// RenameTable moves a table with its partitions and statistics.
	RenameTable(ctx context.Context, db, name, newName string) error
	// DropTable removes a table with its partitions and statistics.
	DropTable(ctx context.Context, db, name string) error

	// AddPartitions registers partitions in one transaction, skipping
	// those already registered, and returns how many were new.
	AddPartitions(ctx context.Context, db, table string, ps []Partition) (int, error)
	// ReplacePartitions points partitions at new folders in one
	// transaction, each checked against the location it replaces ("" for
	// a partition that must not exist yet): INSERT OVERWRITE's publish.
	// A partition changed meanwhile fails it all with 40001. Statistics
	// of the replaced partitions are dropped.
	ReplacePartitions(ctx context.Context, db, table string, swaps []PartitionSwap) error
	// DropPartitions removes the partitions with the given values.
	DropPartitions(ctx context.Context, db, table string, values [][]string) (int, error)
	ListPartitions(ctx context.Context, db, table string) ([]Partition, error)
	// LookupPartitions returns the partitions whose leading values equal
	// prefix (all of them: one partition or none).
	LookupPartitions(ctx context.Context, db, table string, prefix []string) ([]Partition, error)
	CountPartitions(ctx context.Context, db, table string) (int64, error)

	// PutStats replaces the statistics of the given (partition, column)s.
	PutStats(ctx context.Context, db, table string, st []ColumnStats) error
	GetStats(ctx context.Context, db, table string) ([]ColumnStats, error)

	// Users: roles that may log in. Passwords are kept only as SCRAM
	// verifiers. CreateUser fails with 42710 when the name is taken.
	ListUsers(ctx context.Context) ([]User, error)
	GetUser(ctx context.Context, name string) (*User, error) // nil, nil when absent
	CreateUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	DropUser(ctx context.Context, name string) error
	// GrantRole makes member a member of role (again: no change);
	// RevokeRole undoes it, reporting whether it was; RolesOf lists the
	// roles member belongs to directly.
	GrantRole(ctx context.Context, role, member string) error
	RevokeRole(ctx context.Context, role, member string) (bool, error)
	RolesOf(ctx context.Context, member string) ([]string, error)

	RecordQuery(ctx context.Context, q QueryRecord) error
	// RecordQueries writes a batch of entries in one transaction.
	RecordQueries(ctx context.Context, qs []QueryRecord) error
	// ListQueries returns history entries started at or after since, newest first.
	ListQueries(ctx context.Context, since time.Time) ([]QueryRecord, error)
	// PurgeQueries deletes entries started before the given time.
	PurgeQueries(ctx context.Context, before time.Time) (int, error)

	Close() error
}
