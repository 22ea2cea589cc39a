package testmysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// TestServer: the server starts, the test user connects over TCP with its
// password and not without it, and a database it creates holds data.
func TestServer(t *testing.T) {
	s := Start(t)
	dsn := s.CreateDB(t, "shop")
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (k INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO t VALUES (1, 'a'), (2, 'b')"); err != nil {
		t.Fatal(err)
	}
	var n int
	var version string
	if err := db.QueryRowContext(ctx, "SELECT count(*), version() FROM t").Scan(&n, &version); err != nil {
		t.Fatal(err)
	}
	if n != 2 || !strings.Contains(strings.ToLower(version), "mariadb") {
		t.Errorf("count %d, version %q: want 2 rows from MariaDB", n, version)
	}
	bad, err := sql.Open("mysql", strings.Replace(dsn, s.Password, "wrong", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.PingContext(ctx); err == nil || !strings.Contains(err.Error(), "1045") {
		t.Errorf("a wrong password: %v, want access denied (1045)", err)
	}
}
