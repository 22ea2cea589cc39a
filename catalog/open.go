package catalog

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/lakeq/lakeq/sqlerr"
)

// Open opens the catalog named by url: "" or a file path (the embedded
// SQLite store), or postgres://… / postgresql://… (a shared PostgreSQL
// database; several lakeq processes may use it at once).
func Open(ctx context.Context, url string) (Store, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return OpenPostgres(ctx, url)
	}
	return OpenSQLite(ctx, strings.TrimPrefix(url, "sqlite://"))
}

// OpenSQLite opens (creating if needed) the catalog file at path.
func OpenSQLite(ctx context.Context, path string) (Store, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "opening catalog %s", path)
	}
	// One connection: SQLite serialises writers anyway, and a single
	// connection keeps BEGIN IMMEDIATE from deadlocking against itself.
	db.SetMaxOpenConns(1)
	s := &sqlStore{db: db, d: dialect{name: "SQLite", isUnique: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "UNIQUE")
	}}}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenPostgres opens a catalog kept in a PostgreSQL database, creating
// its tables on first use.
func OpenPostgres(ctx context.Context, url string) (Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "opening catalog %s", redact(url))
	}
	db.SetMaxOpenConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, sqlerr.Wrap(err, sqlerr.IOError, "connecting to catalog %s", redact(url))
	}
	s := &sqlStore{db: db, d: dialect{name: "PostgreSQL", dollar: true, isUnique: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	}}}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// redact hides a password in a connection URL.
func redact(url string) string {
	at := strings.LastIndexByte(url, '@')
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 {
		return url
	}
	userinfo := url[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return url[:scheme+3] + userinfo[:i] + ":***" + url[at:]
	}
	return url
}
