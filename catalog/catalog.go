// Package catalog holds lakeq's Glue-style object model — catalog →
// database → table {columns, partition keys, storage descriptor,
// parameters, type} — and the stores that persist it.
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
	Comment string
	NotNull bool
	Default string // SQL expression text, "" for none
}

// StorageDescriptor says where and how a table's data is stored.
type StorageDescriptor struct {
	Location     string
	InputFormat  string
	OutputFormat string
	SerDe        string
	SerDeParams  map[string]string
	Compressed   bool
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

// Store persists the catalog. Implementations are safe for concurrent
// use by many sessions and, for shared stores, many processes: UpdateTable
// fails with a conflict when the stored Version differs from the given one.
type Store interface {
	ListDatabases(ctx context.Context) ([]Database, error)
	GetDatabase(ctx context.Context, name string) (*Database, error) // nil, nil when absent
	CreateDatabase(ctx context.Context, db Database) error
	DropDatabase(ctx context.Context, name string) error

	ListTables(ctx context.Context, db string) ([]Table, error)
	GetTable(ctx context.Context, db, name string) (*Table, error) // nil, nil when absent
	CreateTable(ctx context.Context, t Table) error
	UpdateTable(ctx context.Context, t Table) error
	DropTable(ctx context.Context, db, name string) error

	Close() error
}
