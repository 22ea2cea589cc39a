package slt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lakeq/lakeq/engine"
)

// StorageMount is the layout whose tables live in PostgreSQL: each
// statement of the script runs in lakeq and in a database of its own on
// the server Options.MountAdmin names, mounted into lakeq as schema fz
// (CREATE EXTERNAL SCHEMA … FROM POSTGRES), and queries read the mounted
// tables. Scripts whose statements PostgreSQL runs as lakeq does (the
// fuzzer's records) check there what the PostgreSQL connector pushes
// down. It is not in Storages: it needs a server.
const StorageMount = "pgmount"

// MountSchema is the schema a pgmount run mounts.
const MountSchema = "fz"

// mount is one script's database for the pgmount layout.
type mount struct {
	admin, name string
	conn        *pgx.Conn
}

// MountDBOptions is how the pgmount layout's databases are created: the
// default collation is ICU's English ('a' < 'B' < 'b', where lakeq's
// byte order has 'B' < 'a' < 'b'), so that what a connector runs there
// must say how text compares rather than take the database's default.
const MountDBOptions = "TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"

// newMount creates a database on the server at adminURL (a superuser's
// URL with trust authentication, as internal/testpg starts) and mounts
// it into sess as MountSchema.
func newMount(ctx context.Context, adminURL string, sess *engine.Session) (*mount, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	m := &mount{admin: adminURL, name: "slt_" + hex.EncodeToString(b[:])}
	ac, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("pgmount: %w", err)
	}
	_, err = ac.Exec(ctx, "CREATE DATABASE "+m.name+" "+MountDBOptions)
	ac.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgmount: creating %s: %w", m.name, err)
	}
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return nil, err
	}
	cfg.Database = m.name
	if m.conn, err = pgx.ConnectConfig(ctx, cfg); err != nil {
		m.close(ctx)
		return nil, fmt.Errorf("pgmount: %w", err)
	}
	if _, err := sess.Exec(ctx, fmt.Sprintf("CREATE EXTERNAL SCHEMA %s FROM POSTGRES DATABASE '%s' URI '%s' PORT %d USER '%s' PASSWORD 'unused'",
		MountSchema, m.name, cfg.Host, cfg.Port, cfg.User)); err != nil {
		m.close(ctx)
		return nil, fmt.Errorf("pgmount: mounting %s: %w", m.name, err)
	}
	return m, nil
}

// exec runs a statement of the script in the mounted database.
func (m *mount) exec(ctx context.Context, sql string) error {
	_, err := m.conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	return err
}

// close drops the database, whatever still holds connections to it.
func (m *mount) close(ctx context.Context) {
	if m.conn != nil {
		m.conn.Close(ctx)
	}
	if ac, err := pgx.Connect(ctx, m.admin); err == nil {
		ac.Exec(ctx, "DROP DATABASE IF EXISTS "+m.name+" WITH (FORCE)")
		ac.Close(ctx)
	}
}
