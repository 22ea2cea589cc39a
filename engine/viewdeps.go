package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/planner"
	"github.com/lakeq/lakeq/sqlerr"
)

// A view records the relations it reads when it is made (table
// parameter dependsKey: "schema.name" lines, those of the views it reads
// included), so that dropping one of them fails with 2BP01 unless the
// DROP says CASCADE, which drops the views too — PostgreSQL's
// dependencies, at the level of whole relations. Views made before lakeq
// recorded them have none and are not protected.
const dependsKey = "lakeq.depends"

// viewDepends lists the catalog relations a statement b bound read.
func viewDepends(b *planner.Binder) string {
	c, ok := b.Cat.(*catAdapter)
	if !ok {
		return ""
	}
	var deps []string
	for _, r := range c.rels {
		if r.t != nil {
			deps = append(deps, r.t.Database+"."+r.t.Name)
		}
	}
	slices.Sort(deps)
	return strings.Join(slices.Compact(deps), "\n")
}

// dependentViews lists the views that read db.name: in the shared
// catalog and in the session's temporary schema.
func (s *Session) dependentViews(ctx context.Context, db, name string) ([]catalog.Table, error) {
	dbs, err := s.eng.store.ListDatabases(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(dbs)+1)
	for _, d := range dbs {
		if !isMount(&d) {
			names = append(names, d.Name)
		}
	}
	if s.temp != nil {
		names = append(names, s.temp.name)
	}
	key := db + "." + name
	var out []catalog.Table
	for _, d := range names {
		ts, err := s.eng.store.ListTables(ctx, d)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if t.Type != catalog.VirtualView || (t.Database == db && t.Name == name) {
				continue
			}
			if slices.Contains(strings.Split(t.Parameters[dependsKey], "\n"), key) {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// dropDependents handles the views that read t before t is dropped:
// without cascade their existence is 2BP01 (unless the statement drops
// them too: dropping, by "schema.name"); with it they are dropped (and
// the views that read them), each with a NOTICE.
func (s *Session) dropDependents(ctx context.Context, t *catalog.Table, cascade bool, dropping map[string]bool, res *Result) error {
	deps, err := s.dependentViews(ctx, t.Database, t.Name)
	if err != nil {
		return err
	}
	deps = slices.DeleteFunc(deps, func(d catalog.Table) bool { return dropping[d.Database+"."+d.Name] })
	if len(deps) == 0 {
		return nil
	}
	kind := "table"
	if t.Type == catalog.VirtualView {
		kind = "view"
	}
	if !cascade {
		var detail []string
		for _, d := range deps {
			detail = append(detail, fmt.Sprintf("view %s depends on %s %s", d.Name, kind, t.Name))
		}
		return sqlerr.New(sqlerr.DependentObjects, "cannot drop %s %s because other objects depend on it", kind, t.Name).
			WithDetail(strings.Join(detail, "\n")).WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	for i := range deps {
		d := &deps[i]
		cur, err := s.eng.store.GetTable(ctx, d.Database, d.Name)
		if err != nil {
			return err
		}
		if cur == nil {
			continue // dropped by an earlier cascade of this statement
		}
		if err := s.dropDependents(ctx, cur, true, nil, res); err != nil {
			return err
		}
		if err := s.eng.store.DropTable(ctx, d.Database, d.Name); err != nil && sqlerr.Code(err) != sqlerr.UndefinedTable {
			return err
		}
		res.Notices = append(res.Notices, fmt.Sprintf("drop cascades to view %s", d.Name))
	}
	return nil
}

// refuseWithDependents fails an ALTER that would break the views reading
// t (they name it, so a renamed table would leave them reading nothing).
func (s *Session) refuseWithDependents(ctx context.Context, t *catalog.Table, what string) error {
	deps, err := s.dependentViews(ctx, t.Database, t.Name)
	if err != nil || len(deps) == 0 {
		return err
	}
	return sqlerr.New(sqlerr.DependentObjects, "cannot %s %s because view %s depends on it", what, t.Name, deps[0].Name).
		WithHint("Drop the dependent views first, and create them again after.")
}
