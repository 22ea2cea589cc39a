package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lakeq/lakeq/sqlerr"
)

// dialect is what differs between the SQL stores.
type dialect struct {
	name string
	// dollar placeholders ($1…) instead of ?
	dollar bool
	// isUnique reports a unique-constraint violation.
	isUnique func(error) bool
}

// sqlStore is the catalog over a database/sql connection. Every table is
// one row whose body is the JSON of Table; partitions, statistics and
// history are rows of their own so that adding one never rewrites the
// table (MSCK over 10,000 partitions stays one batch of inserts).
type sqlStore struct {
	db *sql.DB
	d  dialect
}

const schemaSQL = `
CREATE TABLE IF NOT EXISTS databases (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  parameters TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS tables (
  db TEXT NOT NULL,
  name TEXT NOT NULL,
  body TEXT NOT NULL,
  version BIGINT NOT NULL,
  PRIMARY KEY (db, name)
);
CREATE TABLE IF NOT EXISTS partitions (
  db TEXT NOT NULL,
  tbl TEXT NOT NULL,
  vals TEXT NOT NULL,
  location TEXT NOT NULL,
  parameters TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  PRIMARY KEY (db, tbl, vals)
);
CREATE TABLE IF NOT EXISTS column_stats (
  db TEXT NOT NULL,
  tbl TEXT NOT NULL,
  part TEXT NOT NULL,
  col TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (db, tbl, part, col)
);
CREATE TABLE IF NOT EXISTS query_history (
  query_id TEXT PRIMARY KEY,
  usr TEXT NOT NULL,
  query TEXT NOT NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  elapsed_ms BIGINT NOT NULL,
  rows_returned BIGINT NOT NULL,
  bytes_scanned BIGINT NOT NULL,
  files_scanned BIGINT NOT NULL,
  partitions_scanned BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS query_history_started ON query_history (started_at);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  verifier TEXT NOT NULL,
  superuser BOOLEAN NOT NULL,
  can_login BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS role_members (
  role TEXT NOT NULL,
  member TEXT NOT NULL,
  PRIMARY KEY (role, member)
);
`

// init creates the schema and the database "public".
func (s *sqlStore) init(ctx context.Context) error {
	for _, stmt := range strings.Split(schemaSQL, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := s.db.ExecContext(ctx, stmt); err != nil && !s.d.isUnique(err) {
			// Two processes creating the schema at once may race on
			// PostgreSQL's catalog: the loser sees a unique violation.
			return ioErr(err, "initialising the "+s.d.name+" catalog")
		}
	}
	if err := s.CreateDatabase(ctx, Database{Name: "public", Description: "standard public schema"}); err != nil {
		if e, ok := err.(*sqlerr.Error); !ok || e.Code != sqlerr.DuplicateSchema {
			return err
		}
	}
	// The first superuser, lakeq, has no password until one is set
	// (trust authentication on loopback lets it in to set one).
	if err := s.CreateUser(ctx, User{Name: "lakeq", Superuser: true, CanLogin: true}); err != nil {
		if e, ok := err.(*sqlerr.Error); !ok || e.Code != sqlerr.DuplicateObject {
			return err
		}
	}
	return nil
}

// q rewrites ? placeholders for the dialect.
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (s *sqlStore) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.q(query), args...)
}

func ioErr(err error, what string) error {
	if errors.Is(err, context.Canceled) {
		return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
	}
	return sqlerr.Wrap(err, sqlerr.IOError, "catalog: %s", what)
}

func encodeMap(m map[string]string) string {
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMap(s string) map[string]string {
	if s == "" || s == "{}" {
		return nil
	}
	var m map[string]string
	_ = json.Unmarshal([]byte(s), &m)
	return m
}

// ListDatabases implements Store.
func (s *sqlStore) ListDatabases(ctx context.Context) ([]Database, error) {
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
		d.Parameters = decodeMap(params)
		d.CreatedAt = time.Unix(created, 0)
		out = append(out, d)
	}
	return out, rows.Err()
}

// GetDatabase implements Store.
func (s *sqlStore) GetDatabase(ctx context.Context, name string) (*Database, error) {
	var d Database
	var params string
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, description, location, parameters, created_at FROM databases WHERE name = ?`), name).
		Scan(&d.Name, &d.Description, &d.LocationURI, &params, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, ioErr(err, "reading database "+name)
	}
	d.Parameters = decodeMap(params)
	d.CreatedAt = time.Unix(created, 0)
	return &d, nil
}

// CreateDatabase implements Store.
func (s *sqlStore) CreateDatabase(ctx context.Context, d Database) error {
	_, err := s.exec(ctx, `INSERT INTO databases (name, description, location, parameters, created_at) VALUES (?, ?, ?, ?, ?)`,
		d.Name, d.Description, d.LocationURI, encodeMap(d.Parameters), time.Now().Unix())
	if err != nil {
		if s.d.isUnique(err) {
			return sqlerr.New(sqlerr.DuplicateSchema, "schema \"%s\" already exists", d.Name)
		}
		return ioErr(err, "creating database "+d.Name)
	}
	return nil
}

// DropDatabase implements Store.
func (s *sqlStore) DropDatabase(ctx context.Context, name string) error {
	return s.tx(ctx, "dropping database "+name, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM partitions WHERE db = ?`, `DELETE FROM column_stats WHERE db = ?`,
			`DELETE FROM tables WHERE db = ?`, `DELETE FROM databases WHERE name = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), name); err != nil {
				return err
			}
		}
		return nil
	})
}

// tx runs f in a transaction.
func (s *sqlStore) tx(ctx context.Context, what string, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return ioErr(err, what)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		if _, ok := err.(*sqlerr.Error); ok {
			return err
		}
		return ioErr(err, what)
	}
	if err := tx.Commit(); err != nil {
		return ioErr(err, what)
	}
	return nil
}

func decodeTable(body string, v int64, what string) (Table, error) {
	var t Table
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return t, sqlerr.Wrap(err, sqlerr.DataCorrupted, "catalog entry for %s is corrupt", what)
	}
	t.Version = v
	return t, nil
}

// ListTables implements Store.
func (s *sqlStore) ListTables(ctx context.Context, db string) ([]Table, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, body, version FROM tables WHERE db = ? ORDER BY name`), db)
	if err != nil {
		return nil, ioErr(err, "listing tables")
	}
	defer rows.Close()
	var out []Table
	for rows.Next() {
		var name, body string
		var v int64
		if err := rows.Scan(&name, &body, &v); err != nil {
			return nil, ioErr(err, "listing tables")
		}
		t, err := decodeTable(body, v, db+"."+name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetTable implements Store.
func (s *sqlStore) GetTable(ctx context.Context, db, name string) (*Table, error) {
	var body string
	var v int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT body, version FROM tables WHERE db = ? AND name = ?`), db, name).Scan(&body, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, ioErr(err, fmt.Sprintf("reading table %s.%s", db, name))
	}
	t, err := decodeTable(body, v, db+"."+name)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateTable implements Store.
func (s *sqlStore) CreateTable(ctx context.Context, t Table) error {
	return s.CreateTableWithPartitions(ctx, t, nil)
}

// CreateTableWithPartitions implements Store: one transaction.
func (s *sqlStore) CreateTableWithPartitions(ctx context.Context, t Table, ps []Partition) error {
	t.Version = 1
	now := time.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	body, err := json.Marshal(t)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.Internal, "encoding table %s", t.Name)
	}
	return s.tx(ctx, "creating table "+t.Name, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tables (db, name, body, version) VALUES (?, ?, ?, 1)`), t.Database, t.Name, string(body)); err != nil {
			if s.d.isUnique(err) {
				return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", t.Name)
			}
			return err
		}
		// no table had the name: partitions under it are stale
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM partitions WHERE db = ? AND tbl = ?`), t.Database, t.Name); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO partitions (db, tbl, vals, location, parameters, created_at) VALUES (?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, p := range ps {
			if _, err := stmt.ExecContext(ctx, t.Database, t.Name, encodeValues(p.Values), p.Location, encodeMap(p.Parameters), now.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateTable implements Store with optimistic concurrency on Version.
func (s *sqlStore) UpdateTable(ctx context.Context, t Table) error {
	old := t.Version
	t.Version = old + 1
	t.UpdatedAt = time.Now()
	body, err := json.Marshal(t)
	if err != nil {
		return sqlerr.Wrap(err, sqlerr.Internal, "encoding table %s", t.Name)
	}
	res, err := s.exec(ctx, `UPDATE tables SET body = ?, version = ? WHERE db = ? AND name = ? AND version = ?`, string(body), t.Version, t.Database, t.Name, old)
	if err != nil {
		return ioErr(err, "updating table "+t.Name)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return sqlerr.New(sqlerr.SerializationFailure, "could not update table \"%s\": it was changed concurrently", t.Name)
	}
	return nil
}

// RenameTable implements Store.
func (s *sqlStore) RenameTable(ctx context.Context, db, name, newName string) error {
	return s.tx(ctx, "renaming table "+name, func(tx *sql.Tx) error {
		var body string
		var v int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT body, version FROM tables WHERE db = ? AND name = ?`), db, name).Scan(&body, &v); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
			}
			return err
		}
		t, err := decodeTable(body, v, db+"."+name)
		if err != nil {
			return err
		}
		t.Name = newName
		t.UpdatedAt = time.Now()
		nb, _ := json.Marshal(t)
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tables (db, name, body, version) VALUES (?, ?, ?, ?)`), db, newName, string(nb), v+1); err != nil {
			if s.d.isUnique(err) {
				return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", newName)
			}
			return err
		}
		for _, q := range []string{
			`DELETE FROM tables WHERE db = ? AND name = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), db, name); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`UPDATE partitions SET tbl = ? WHERE db = ? AND tbl = ?`,
			`UPDATE column_stats SET tbl = ? WHERE db = ? AND tbl = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), newName, db, name); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropTable implements Store.
func (s *sqlStore) DropTable(ctx context.Context, db, name string) error {
	return s.tx(ctx, "dropping table "+name, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM partitions WHERE db = ? AND tbl = ?`, `DELETE FROM column_stats WHERE db = ? AND tbl = ?`,
			`DELETE FROM tables WHERE db = ? AND name = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), db, name); err != nil {
				return err
			}
		}
		return nil
	})
}

func encodeValues(vals []string) string {
	b, _ := json.Marshal(vals)
	return string(b)
}

// AddPartitions implements Store.
func (s *sqlStore) AddPartitions(ctx context.Context, db, table string, ps []Partition) (int, error) {
	added := 0
	err := s.tx(ctx, "adding partitions to "+table, func(tx *sql.Tx) error {
		added = 0
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO partitions (db, tbl, vals, location, parameters, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		now := time.Now().Unix()
		for _, p := range ps {
			res, err := stmt.ExecContext(ctx, db, table, encodeValues(p.Values), p.Location, encodeMap(p.Parameters), now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		return nil
	})
	return added, err
}

// ReplacePartitions implements Store. Each swap is one conditional
// write (no read first), so two processes sharing a SQLite catalog
// serialize on its write lock instead of failing to upgrade a read.
func (s *sqlStore) ReplacePartitions(ctx context.Context, db, table string, swaps []PartitionSwap) error {
	return s.tx(ctx, "replacing partitions of "+table, func(tx *sql.Tx) error {
		now := time.Now().Unix()
		for _, sw := range swaps {
			vals := encodeValues(sw.Values)
			var res sql.Result
			var err error
			if sw.Old == "" {
				res, err = tx.ExecContext(ctx, s.q(`INSERT INTO partitions (db, tbl, vals, location, parameters, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`), db, table, vals, sw.New, encodeMap(sw.Parameters), now)
			} else {
				res, err = tx.ExecContext(ctx, s.q(`UPDATE partitions SET location = ?, parameters = ? WHERE db = ? AND tbl = ? AND vals = ? AND location = ?`), sw.New, encodeMap(sw.Parameters), db, table, vals, sw.Old)
			}
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return sqlerr.New(sqlerr.SerializationFailure, "could not replace partition %s of \"%s\": it was changed concurrently", strings.Join(sw.Values, "/"), table)
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM column_stats WHERE db = ? AND tbl = ? AND part = ?`), db, table, strings.Join(sw.Values, "/")); err != nil {
				return err
			}
		}
		return nil
	})
}

// DropPartitions implements Store.
func (s *sqlStore) DropPartitions(ctx context.Context, db, table string, values [][]string) (int, error) {
	dropped := 0
	err := s.tx(ctx, "dropping partitions of "+table, func(tx *sql.Tx) error {
		dropped = 0
		for _, v := range values {
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM partitions WHERE db = ? AND tbl = ? AND vals = ?`), db, table, encodeValues(v))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				dropped++
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM column_stats WHERE db = ? AND tbl = ? AND part = ?`), db, table, strings.Join(v, "/")); err != nil {
				return err
			}
		}
		return nil
	})
	return dropped, err
}

// ListPartitions implements Store.
func (s *sqlStore) ListPartitions(ctx context.Context, db, table string) ([]Partition, error) {
	return s.partitions(ctx, table, `SELECT vals, location, parameters, created_at FROM partitions WHERE db = ? AND tbl = ? ORDER BY vals`, db, table)
}

// LookupPartitions implements Store: an index lookup when prefix names
// every key, else a comparison of the encoded values' leading text.
func (s *sqlStore) LookupPartitions(ctx context.Context, db, table string, prefix []string) ([]Partition, error) {
	full := encodeValues(prefix)
	ps, err := s.partitions(ctx, table, `SELECT vals, location, parameters, created_at FROM partitions WHERE db = ? AND tbl = ? AND vals = ?`, db, table, full)
	if err != nil || len(ps) > 0 {
		return ps, err
	}
	lead := strings.TrimSuffix(full, "]") + ","
	return s.partitions(ctx, table, `SELECT vals, location, parameters, created_at FROM partitions WHERE db = ? AND tbl = ? AND substr(vals, 1, ?) = ? ORDER BY vals`, db, table, utf8.RuneCountInString(lead), lead)
}

// CountPartitions implements Store.
func (s *sqlStore) CountPartitions(ctx context.Context, db, table string) (int64, error) {
	var n int64
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM partitions WHERE db = ? AND tbl = ?`), db, table).Scan(&n); err != nil {
		return 0, ioErr(err, "counting partitions of "+table)
	}
	return n, nil
}

func (s *sqlStore) partitions(ctx context.Context, table, query string, args ...any) ([]Partition, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, ioErr(err, "listing partitions of "+table)
	}
	defer rows.Close()
	var out []Partition
	for rows.Next() {
		var vals, params string
		var p Partition
		var created int64
		if err := rows.Scan(&vals, &p.Location, &params, &created); err != nil {
			return nil, ioErr(err, "listing partitions of "+table)
		}
		if err := json.Unmarshal([]byte(vals), &p.Values); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "catalog entry for a partition of %s is corrupt", table)
		}
		p.Parameters = decodeMap(params)
		p.CreatedAt = time.Unix(created, 0)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PutStats implements Store.
func (s *sqlStore) PutStats(ctx context.Context, db, table string, st []ColumnStats) error {
	return s.tx(ctx, "storing statistics of "+table, func(tx *sql.Tx) error {
		for _, c := range st {
			body, _ := json.Marshal(c)
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM column_stats WHERE db = ? AND tbl = ? AND part = ? AND col = ?`), db, table, c.Partition, c.Column); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO column_stats (db, tbl, part, col, body) VALUES (?, ?, ?, ?, ?)`), db, table, c.Partition, c.Column, string(body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetStats implements Store.
func (s *sqlStore) GetStats(ctx context.Context, db, table string) ([]ColumnStats, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT body FROM column_stats WHERE db = ? AND tbl = ? ORDER BY part, col`), db, table)
	if err != nil {
		return nil, ioErr(err, "reading statistics of "+table)
	}
	defer rows.Close()
	var out []ColumnStats
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, ioErr(err, "reading statistics of "+table)
		}
		var c ColumnStats
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.DataCorrupted, "statistics of %s are corrupt", table)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ListUsers implements Store.
func (s *sqlStore) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, verifier, superuser, can_login, created_at FROM users ORDER BY name`)
	if err != nil {
		return nil, ioErr(err, "listing users")
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created int64
		if err := rows.Scan(&u.Name, &u.Verifier, &u.Superuser, &u.CanLogin, &created); err != nil {
			return nil, ioErr(err, "listing users")
		}
		u.CreatedAt = time.Unix(created, 0)
		out = append(out, u)
	}
	return out, rows.Err()
}

// GetUser implements Store.
func (s *sqlStore) GetUser(ctx context.Context, name string) (*User, error) {
	var u User
	var created int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT name, verifier, superuser, can_login, created_at FROM users WHERE name = ?`), name).
		Scan(&u.Name, &u.Verifier, &u.Superuser, &u.CanLogin, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, ioErr(err, "reading user "+name)
	}
	u.CreatedAt = time.Unix(created, 0)
	return &u, nil
}

// CreateUser implements Store.
func (s *sqlStore) CreateUser(ctx context.Context, u User) error {
	_, err := s.exec(ctx, `INSERT INTO users (name, verifier, superuser, can_login, created_at) VALUES (?, ?, ?, ?, ?)`,
		u.Name, u.Verifier, u.Superuser, u.CanLogin, time.Now().Unix())
	if err != nil {
		if s.d.isUnique(err) {
			return sqlerr.New(sqlerr.DuplicateObject, "role \"%s\" already exists", u.Name)
		}
		return ioErr(err, "creating user "+u.Name)
	}
	return nil
}

// UpdateUser implements Store.
func (s *sqlStore) UpdateUser(ctx context.Context, u User) error {
	res, err := s.exec(ctx, `UPDATE users SET verifier = ?, superuser = ?, can_login = ? WHERE name = ?`, u.Verifier, u.Superuser, u.CanLogin, u.Name)
	if err != nil {
		return ioErr(err, "updating user "+u.Name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", u.Name)
	}
	return nil
}

// GrantRole implements Store.
func (s *sqlStore) GrantRole(ctx context.Context, role, member string) error {
	_, err := s.exec(ctx, `INSERT INTO role_members (role, member) VALUES (?, ?)`, role, member)
	if err != nil && !s.d.isUnique(err) { // granted before: PostgreSQL notices and goes on
		return ioErr(err, "granting role "+role)
	}
	return nil
}

// RevokeRole implements Store.
func (s *sqlStore) RevokeRole(ctx context.Context, role, member string) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM role_members WHERE role = ? AND member = ?`, role, member)
	if err != nil {
		return false, ioErr(err, "revoking role "+role)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// RolesOf implements Store.
func (s *sqlStore) RolesOf(ctx context.Context, member string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT role FROM role_members WHERE member = ? ORDER BY role`), member)
	if err != nil {
		return nil, ioErr(err, "reading the roles of "+member)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, ioErr(err, "reading the roles of "+member)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DropUser implements Store.
func (s *sqlStore) DropUser(ctx context.Context, name string) error {
	if _, err := s.exec(ctx, `DELETE FROM role_members WHERE role = ? OR member = ?`, name, name); err != nil {
		return ioErr(err, "dropping user "+name)
	}
	res, err := s.exec(ctx, `DELETE FROM users WHERE name = ?`, name)
	if err != nil {
		return ioErr(err, "dropping user "+name)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", name)
	}
	return nil
}

// RecordQuery implements Store.
func (s *sqlStore) RecordQuery(ctx context.Context, r QueryRecord) error {
	_, err := s.exec(ctx, `INSERT INTO query_history (query_id, usr, query, state, error, started_at, elapsed_ms, rows_returned, bytes_scanned, files_scanned, partitions_scanned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.QueryID, r.User, r.Query, r.State, r.Error, r.StartedAt.UnixMicro(), r.ElapsedMs, r.Rows, r.Bytes, r.Files, r.Partitions)
	if err != nil {
		return ioErr(err, "recording query "+r.QueryID)
	}
	return nil
}

// RecordQueries implements Store: one transaction (one commit, one WAL
// sync) for the whole batch.
func (s *sqlStore) RecordQueries(ctx context.Context, qs []QueryRecord) error {
	if len(qs) == 0 {
		return nil
	}
	return s.tx(ctx, "recording queries", func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.q(`INSERT INTO query_history (query_id, usr, query, state, error, started_at, elapsed_ms, rows_returned, bytes_scanned, files_scanned, partitions_scanned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, r := range qs {
			if _, err := st.ExecContext(ctx, r.QueryID, r.User, r.Query, r.State, r.Error, r.StartedAt.UnixMicro(), r.ElapsedMs, r.Rows, r.Bytes, r.Files, r.Partitions); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListQueries implements Store.
func (s *sqlStore) ListQueries(ctx context.Context, since time.Time) ([]QueryRecord, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT query_id, usr, query, state, error, started_at, elapsed_ms, rows_returned, bytes_scanned, files_scanned, partitions_scanned FROM query_history WHERE started_at >= ? ORDER BY started_at DESC, query_id DESC`), since.UnixMicro())
	if err != nil {
		return nil, ioErr(err, "reading the query history")
	}
	defer rows.Close()
	var out []QueryRecord
	for rows.Next() {
		var r QueryRecord
		var started int64
		if err := rows.Scan(&r.QueryID, &r.User, &r.Query, &r.State, &r.Error, &started, &r.ElapsedMs, &r.Rows, &r.Bytes, &r.Files, &r.Partitions); err != nil {
			return nil, ioErr(err, "reading the query history")
		}
		r.StartedAt = time.UnixMicro(started)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PurgeQueries implements Store.
func (s *sqlStore) PurgeQueries(ctx context.Context, before time.Time) (int, error) {
	res, err := s.exec(ctx, `DELETE FROM query_history WHERE started_at < ?`, before.UnixMicro())
	if err != nil {
		return 0, ioErr(err, "purging the query history")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Close implements Store.
func (s *sqlStore) Close() error { return s.db.Close() }
