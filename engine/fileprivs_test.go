package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lakeq/lakeq/sqlerr"
)

// Server-side files need a superuser or pg_read_server_files /
// pg_write_server_files, as in PostgreSQL (answers checked against 15).
func TestServerFilePrivileges(t *testing.T) {
	dir := t.TempDir()
	e, admin := open(t, dir)
	mustExec(t, admin, "CREATE ROLE alice LOGIN")
	mustExec(t, admin, "CREATE TABLE cp (a int)")
	mustExec(t, admin, "INSERT INTO cp VALUES (1), (2)")
	out := filepath.Join(dir, "out.csv")
	alice := e.NewSession()
	alice.User = "alice"
	try := func(sql string) error {
		_, err := alice.Query(context.Background(), sql)
		return err
	}
	if err := try("COPY cp TO '" + out + "'"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege ||
		err.Error() != "must be superuser or have privileges of the pg_write_server_files role to COPY to a file" {
		t.Fatalf("COPY TO without the role: %v", err)
	}
	mustExec(t, admin, "COPY cp TO '"+out+"'")
	if err := try("COPY cp FROM '" + out + "'"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("COPY FROM without the role: %v", err)
	}
	r := mustExec(t, admin, "GRANT pg_read_server_files TO alice")
	if r.Tag != "GRANT ROLE" {
		t.Fatalf("tag %q", r.Tag)
	}
	if r := mustExec(t, admin, "GRANT pg_read_server_files TO alice"); len(r.Notices) != 1 || r.Notices[0] != `role "alice" is already a member of role "pg_read_server_files"` {
		t.Fatalf("second grant: %v", r.Notices)
	}
	if err := try("COPY cp FROM '" + out + "'"); err != nil {
		t.Fatalf("COPY FROM with pg_read_server_files: %v", err)
	}
	if err := try("COPY cp TO '" + out + "'"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("reading is not writing: %v", err)
	}
	if err := try("UNLOAD (SELECT 1 AS a) TO '" + filepath.Join(dir, "u1") + "'"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("UNLOAD without pg_write_server_files: %v", err)
	}
	if err := try("CREATE TABLE loc1 WITH (external_location = '" + filepath.Join(dir, "l1") + "') AS SELECT 1 AS a"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("CTAS to a location without pg_write_server_files: %v", err)
	}
	mustExec(t, admin, "GRANT pg_write_server_files TO alice")
	if err := try("UNLOAD (SELECT 1 AS a) TO '" + filepath.Join(dir, "u1") + "'"); err != nil {
		t.Fatalf("UNLOAD with pg_write_server_files: %v", err)
	}
	if err := try("COPY cp TO '" + out + "'"); err != nil {
		t.Fatalf("COPY TO with pg_write_server_files: %v", err)
	}
	if r := mustExec(t, admin, "REVOKE pg_read_server_files FROM alice"); r.Tag != "REVOKE ROLE" {
		t.Fatal(r.Tag)
	}
	if err := try("COPY cp FROM '" + out + "'"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("after REVOKE: %v", err)
	}
	if err := try("GRANT pg_read_server_files TO alice"); sqlerr.Code(err) != sqlerr.InsufficientPrivilege {
		t.Fatalf("GRANT by a non-superuser: %v", err)
	}
	if _, err := admin.Query(context.Background(), "GRANT pg_read_server_files TO nobody"); sqlerr.Code(err) != sqlerr.UndefinedObject {
		t.Fatalf("GRANT to a missing role: %v", err)
	}
	if n := count(t, admin, "SELECT count(*) FROM cp"); n != 4 {
		t.Fatalf("rows %d", n)
	}
	mustExec(t, admin, "DROP ROLE alice") // memberships go with it
}
