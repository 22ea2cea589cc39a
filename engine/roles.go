package engine

import (
	"context"
	"fmt"
	"regexp"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// requireSuperuser refuses role management to ordinary users.
func (s *Session) requireSuperuser(ctx context.Context, what string) error {
	u, err := s.eng.store.GetUser(ctx, s.User)
	if err != nil {
		return err
	}
	if u == nil || !u.Superuser {
		return sqlerr.New(sqlerr.InsufficientPrivilege, "permission denied to %s", what)
	}
	return nil
}

// role runs CREATE/ALTER/DROP USER|ROLE. Passwords become SCRAM
// verifiers before they reach the catalog.
func (s *Session) role(ctx context.Context, x *ast.RoleStmt) (*Result, error) {
	kind := "ROLE"
	if x.IsUser {
		kind = "USER"
	}
	switch x.Kind {
	case "create":
		if err := s.requireSuperuser(ctx, "create role"); err != nil {
			return nil, err
		}
		u := catalog.User{Name: x.Names[0], CanLogin: x.IsUser}
		if err := applyRoleOptions(&u, x); err != nil {
			return nil, err
		}
		if err := s.eng.store.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		return &Result{Tag: "CREATE " + kind}, nil
	case "alter":
		u, err := s.eng.store.GetUser(ctx, x.Names[0])
		if err != nil {
			return nil, err
		}
		if u == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", x.Names[0])
		}
		// Users may change their own password; everything else needs a superuser.
		if !(u.Name == s.User && x.Superuser == nil && x.Login == nil) {
			if err := s.requireSuperuser(ctx, "alter role"); err != nil {
				return nil, err
			}
		}
		if err := applyRoleOptions(u, x); err != nil {
			return nil, err
		}
		if err := s.eng.store.UpdateUser(ctx, *u); err != nil {
			return nil, err
		}
		return &Result{Tag: "ALTER ROLE"}, nil
	case "grant", "revoke":
		return s.grantRole(ctx, x)
	default:
		if err := s.requireSuperuser(ctx, "drop role"); err != nil {
			return nil, err
		}
		res := &Result{Tag: "DROP ROLE"}
		for _, n := range x.Names {
			if n == s.User {
				return nil, sqlerr.New("55006", "current user cannot be dropped")
			}
			if err := s.eng.store.DropUser(ctx, n); err != nil {
				if sqlerr.Code(err) == sqlerr.UndefinedObject && x.IfExists {
					res.Notices = append(res.Notices, fmt.Sprintf("role \"%s\" does not exist, skipping", n))
					continue
				}
				return nil, err
			}
		}
		return res, nil
	}
}

func applyRoleOptions(u *catalog.User, x *ast.RoleStmt) error {
	if x.Password != nil {
		if x.NoPasswd || *x.Password == "" {
			u.Verifier = ""
		} else {
			v, err := catalog.NewVerifier(u.Name, *x.Password)
			if err != nil {
				return err
			}
			u.Verifier = v
		}
	}
	if x.Superuser != nil {
		u.Superuser = *x.Superuser
	}
	if x.Login != nil {
		u.CanLogin = *x.Login
	}
	return nil
}

var passwordLiteral = regexp.MustCompile(`(?i)(PASSWORD\s+)(E?'(?:[^']|'')*')`)

// redact hides password literals in statement text kept in the history.
func redact(sql string) string { return passwordLiteral.ReplaceAllString(sql, "${1}'********'") }

// Predefined roles lakeq checks, as PostgreSQL's: members may read or
// write server-side files (COPY FROM/TO a file, UNLOAD, CTAS to a
// location). They exist without being created.
const (
	readServerFiles  = "pg_read_server_files"
	writeServerFiles = "pg_write_server_files"
)

func (s *Session) roleExists(ctx context.Context, name string) (bool, error) {
	if name == readServerFiles || name == writeServerFiles || name == "lakeq" {
		return true, nil
	}
	u, err := s.eng.store.GetUser(ctx, name)
	return u != nil, err
}

// grantRole runs GRANT role TO member and REVOKE role FROM member.
func (s *Session) grantRole(ctx context.Context, x *ast.RoleStmt) (*Result, error) {
	if err := s.requireSuperuser(ctx, x.Kind+" roles"); err != nil {
		return nil, err
	}
	res := &Result{Tag: "GRANT ROLE"}
	if x.Kind == "revoke" {
		res.Tag = "REVOKE ROLE"
	}
	for _, n := range append(append([]string(nil), x.Names...), x.Members...) {
		ok, err := s.roleExists(ctx, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "role \"%s\" does not exist", n)
		}
	}
	for _, role := range x.Names {
		for _, m := range x.Members {
			if x.Kind == "grant" {
				if role == m {
					return nil, sqlerr.New("0LP01", "role \"%s\" is a member of role \"%s\"", m, role)
				}
				have, err := s.memberOf(ctx, m, role)
				if err != nil {
					return nil, err
				}
				if have {
					res.Notices = append(res.Notices, fmt.Sprintf("role \"%s\" is already a member of role \"%s\"", m, role))
					continue
				}
				if err := s.eng.store.GrantRole(ctx, role, m); err != nil {
					return nil, err
				}
				continue
			}
			was, err := s.eng.store.RevokeRole(ctx, role, m)
			if err != nil {
				return nil, err
			}
			if !was {
				res.Notices = append(res.Notices, fmt.Sprintf("role \"%s\" is not a member of role \"%s\"", m, role))
			}
		}
	}
	return res, nil
}

// memberOf reports whether user is a direct member of role.
func (s *Session) memberOf(ctx context.Context, user, role string) (bool, error) {
	roles, err := s.eng.store.RolesOf(ctx, user)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if r == role {
			return true, nil
		}
	}
	return false, nil
}

// requireServerFiles refuses reading (write false) or writing a file on
// the server's side to users who are neither superusers nor members of
// pg_read_server_files / pg_write_server_files, as PostgreSQL does: the
// server process can reach files its clients must not.
func (s *Session) requireServerFiles(ctx context.Context, write bool, what string) error {
	if s.eng.isSuperuser(ctx, s.User) {
		return nil
	}
	role := readServerFiles
	if write {
		role = writeServerFiles
	}
	ok, err := s.memberOf(ctx, s.User, role)
	if err != nil || ok {
		return err
	}
	return sqlerr.New(sqlerr.InsufficientPrivilege, "must be superuser or have privileges of the %s role to %s", role, what)
}
