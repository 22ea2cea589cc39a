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
