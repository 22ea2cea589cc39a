package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/lakeq/lakeq/sqlerr"
)

// SQLiteStore is the embedded default catalog: one SQLite file.
type SQLiteStore struct {
	db *sql.DB
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS databases (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  parameters TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
  db TEXT NOT NULL,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (db, name)
);
`

// OpenSQLite opens (creating if needed) the catalog file at path and
// ensures the database "public" exists.
func OpenSQLite(ctx context.Context, path string) (*SQLiteStore, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "opening catalog %s", path)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
		db.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "initialising catalog %s", path)
	}
	s := &SQLiteStore{db: db}
	if d, err := s.GetDatabase(ctx, "public"); err != nil {
		db.Close()
		return nil, err
	} else if d == nil {
		if err := s.CreateDatabase(ctx, Database{Name: "public", Description: "standard public schema"}); err != nil {
			db.Close()
			return nil, err
		}
	}
	return s, nil
}

func ioErr(err error, what string) error {
	return sqlerr.Wrap(err, sqlerr.IOError, "catalog: %s", what)
}

// ListDatabases implements Store.
func (s *SQLiteStore) ListDatabases(ctx context.Context) ([]Database, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, description, location, parameters, created_at FROM databases ORDER BY name`)
	if err != nil {
		return nil, ioErr(err, "listing databases")
	}
	defer rows.Close()
	var out []Database
	for rows.Next() {
		var d Database
		var params string
		var created int64
		if err := rows.Scan(&d.Name, &d.Description, &d.LocationURI, &params, &created); err != nil {
			return nil, ioErr(err, "listing databases")
		}
		_ = json.Unmarshal([]byte(params), &d.Parameters)
		d.CreatedAt = time.Unix(created, 0)
		out = append(out, d)
	}
	return out, rows.Err()
}

// GetDatabase implements Store.
func (s *SQLiteStore) GetDatabase(ctx context.Context, name string) (*Database, error) {
	var d Database
	var params string
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT name, description, location, parameters, created_at FROM databases WHERE name = ?`, name).
		Scan(&d.Name, &d.Description, &d.LocationURI, &params, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, ioErr(err, "reading database "+name)
	}
	_ = json.Unmarshal([]byte(params), &d.Parameters)
	d.CreatedAt = time.Unix(created, 0)
	return &d, nil
}

// CreateDatabase implements Store.
func (s *SQLiteStore) CreateDatabase(ctx context.Context, d Database) error {
	params, _ := json.Marshal(d.Parameters)
	_, err := s.db.ExecContext(ctx, `INSERT INTO databases (name, description, location, parameters, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.Name, d.Description, d.LocationURI, string(params), time.Now().Unix())
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return sqlerr.New(sqlerr.DuplicateSchema, "schema \"%s\" already exists", d.Name)
		}
		return ioErr(err, "creating database "+d.Name)
	}
	return nil
}

// DropDatabase implements Store (the caller drops the tables first).
func (s *SQLiteStore) DropDatabase(ctx context.Context, name string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM databases WHERE name = ?`, name)
	if err != nil {
		return ioErr(err, "dropping database "+name)
	}
	return nil
}

// ListTables implements Store.
func (s *SQLiteStore) ListTables(ctx context.Context, db string) ([]Table, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT body, version FROM tables WHERE db = ? ORDER BY name`, db)
	if err != nil {
		return nil, ioErr(err, "listing tables")
	}
	defer rows.Close()
	var out []Table
	for rows.Next() {
		var body string
		var v int64
		if err := rows.Scan(&body, &v); err != nil {
			return nil, ioErr(err, "listing tables")
		}
		var t Table
		if err := json.Unmarshal([]byte(body), &t); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "catalog entry for table in %s is corrupt", db)
		}
		t.Version = v
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetTable implements Store.
func (s *SQLiteStore) GetTable(ctx context.Context, db, name string) (*Table, error) {
	var body string
	var v int64
	err := s.db.QueryRowContext(ctx, `SELECT body, version FROM tables WHERE db = ? AND name = ?`, db, name).Scan(&body, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, ioErr(err, fmt.Sprintf("reading table %s.%s", db, name))
	}
	var t Table
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "catalog entry for %s.%s is corrupt", db, name)
	}
	t.Version = v
	return &t, nil
}

// CreateTable implements Store.
func (s *SQLiteStore) CreateTable(ctx context.Context, t Table) error {
	t.Version = 1
	now := time.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	body, err := json.Marshal(t)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.Internal, "encoding table %s", t.Name)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO tables (db, name, body, version) VALUES (?, ?, ?, 1)`, t.Database, t.Name, string(body))
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", t.Name)
		}
		return ioErr(err, "creating table "+t.Name)
	}
	return nil
}

// UpdateTable implements Store with optimistic concurrency on Version.
func (s *SQLiteStore) UpdateTable(ctx context.Context, t Table) error {
	old := t.Version
	t.Version = old + 1
	t.UpdatedAt = time.Now()
	body, err := json.Marshal(t)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.Internal, "encoding table %s", t.Name)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE tables SET body = ?, version = ? WHERE db = ? AND name = ? AND version = ?`, string(body), t.Version, t.Database, t.Name, old)
	if err != nil {
		return ioErr(err, "updating table "+t.Name)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return sqlerr.New("40001", "could not update table \"%s\": it was changed concurrently", t.Name)
	}
	return nil
}

// DropTable implements Store.
func (s *SQLiteStore) DropTable(ctx context.Context, db, name string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM tables WHERE db = ? AND name = ?`, db, name)
	if err != nil {
		return ioErr(err, "dropping table "+name)
	}
	return nil
}

// Close implements Store.
func (s *SQLiteStore) Close() error { return s.db.Close() }
