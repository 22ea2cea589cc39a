package functions

import (
	"context"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Meta answers the catalog questions PostgreSQL's system information
// functions ask (pg_get_userbyid, format_type, regclass input and
// output, …). The session provides it over one catalog snapshot per
// statement; it is safe for concurrent use by a query's workers.
type Meta interface {
	RelName(oid int64) string
	RelOID(name string) (int64, error)
	RelVisible(oid int64) bool
	TypeName(oid int64) string
	TypeOID(name string) (int64, error)
	TypeVisible(oid int64) bool
	FormatType(oid, typmod int64, hasMod bool) string
	NamespaceName(oid int64) string
	NamespaceOID(name string) (int64, error)
	RoleName(oid int64) string
	RoleOID(name string) (int64, error)
	Description(oid, sub int64) (string, bool)
	ViewDef(oid int64) (string, bool)
	// RelationSize is the bytes of a relation's files (0 for a view or a
	// system table); false when no relation has the OID.
	RelationSize(oid int64) (int64, bool)
}

// Reg kinds: which object-identifier type a value of Kind Oid names,
// carried in T.Width so regclass output is a name while comparisons and
// joins stay on the number.
const (
	RegNone int32 = iota
	RegClass
	RegType
	RegNamespace
	RegRole
)

// RegKind maps a reg* type name to its kind (RegNone for others).
func RegKind(name string) int32 {
	switch strings.ToLower(name) {
	case "regclass":
		return RegClass
	case "regtype":
		return RegType
	case "regnamespace":
		return RegNamespace
	case "regrole":
		return RegRole
	}
	return RegNone
}

func needMeta(ctx *Ctx) (Meta, error) {
	if ctx == nil || ctx.Meta == nil {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "catalog functions need a session")
	}
	return ctx.Meta, nil
}

// RegIn converts text to a reg* OID (regclass input and friends).
func RegIn(ctx *Ctx, kind int32, text string) (types.Value, error) {
	m, err := needMeta(ctx)
	if err != nil {
		return nil, err
	}
	switch kind {
	case RegClass:
		return m.RelOID(text)
	case RegType:
		return m.TypeOID(text)
	case RegNamespace:
		return m.NamespaceOID(text)
	case RegRole:
		return m.RoleOID(text)
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "unknown object identifier type")
}

// RegOut renders a reg* OID as its name (regclass output and friends).
func RegOut(ctx *Ctx, kind int32, oid int64) (types.Value, error) {
	if oid == 0 {
		return "-", nil
	}
	m, err := needMeta(ctx)
	if err != nil {
		return nil, err
	}
	switch kind {
	case RegClass:
		return m.RelName(oid), nil
	case RegType:
		return m.TypeName(oid), nil
	case RegNamespace:
		return m.NamespaceName(oid), nil
	case RegRole:
		return m.RoleName(oid), nil
	}
	return nil, nil
}

// RegProcIn normalizes regproc input: lakeq keeps function references as
// their bare names ("pg_catalog.array_in" is "array_in").
func RegProcIn(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(strings.ToLower(s), "pg_catalog.")
}

var (
	aOid     = ex(types.OidT)
	aOidText = []Arg{aOid, aText}
)

func trueFn(_ *Ctx, _ []types.Value) (types.Value, error) { return true, nil }

func nullFn(_ *Ctx, _ []types.Value) (types.Value, error) { return nil, nil }

// catalogScalars are PostgreSQL's system information and catalog
// functions, answered from the session's catalog snapshot. Privileges
// are not modelled: lakeq's users may read every table, so the has_*
// functions answer true.
func catalogScalars() []*Scalar {
	withMeta := func(f func(m Meta, a []types.Value) (types.Value, error)) RowFunc {
		return func(ctx *Ctx, a []types.Value) (types.Value, error) {
			m, err := needMeta(ctx)
			if err != nil {
				return nil, err
			}
			return f(m, a)
		}
	}
	privilege := func(name string, nargs ...int) *Scalar {
		s := &Scalar{Name: name, Volatile: true, Description: "privileges are not modelled: always true"}
		for _, n := range nargs {
			args := make([]Arg, n)
			for i := range args {
				args[i] = aAny
			}
			s.Overloads = append(s.Overloads, Overload{Args: args, Ret: fixed(types.BoolT), Kernel: RowWise(fixed(types.BoolT), true, trueFn)})
		}
		return s
	}
	alwaysNull := func(name string, ret types.T, nargs ...int) *Scalar {
		s := &Scalar{Name: name, Volatile: true}
		for _, n := range nargs {
			args := make([]Arg, n)
			for i := range args {
				args[i] = aAny
			}
			s.Overloads = append(s.Overloads, Overload{Args: args, Ret: fixed(ret), Kernel: RowWise(fixed(ret), false, nullFn)})
		}
		return s
	}
	desc := withMeta(func(m Meta, a []types.Value) (types.Value, error) {
		sub := int64(0)
		if len(a) > 1 {
			if n, ok := a[1].(int64); ok {
				sub = n
			}
		}
		if d, ok := m.Description(a[0].(int64), sub); ok {
			return d, nil
		}
		return nil, nil
	})
	objDesc := withMeta(func(m Meta, a []types.Value) (types.Value, error) {
		if len(a) > 1 {
			switch a[1].(string) {
			case "pg_class", "pg_namespace":
			default:
				return nil, nil
			}
		}
		if d, ok := m.Description(a[0].(int64), 0); ok {
			return d, nil
		}
		return nil, nil
	})
	viewDef := withMeta(func(m Meta, a []types.Value) (types.Value, error) {
		var oid int64
		switch v := a[0].(type) {
		case int64:
			oid = v
		case string:
			o, err := m.RelOID(v)
			if err != nil {
				return nil, err
			}
			oid = o
		}
		if d, ok := m.ViewDef(oid); ok {
			return d, nil
		}
		return nil, nil
	})
	formatType := func(ctx *Ctx, a []types.Value) (types.Value, error) {
		if a[0] == nil {
			return nil, nil
		}
		m, err := needMeta(ctx)
		if err != nil {
			return nil, err
		}
		mod, has := a[1].(int64)
		return m.FormatType(a[0].(int64), mod, has), nil
	}
	return []*Scalar{
		{Name: "pg_get_userbyid", Volatile: true, Overloads: []Overload{row([]Arg{aOid}, types.TextT, withMeta(func(m Meta, a []types.Value) (types.Value, error) {
			return m.RoleName(a[0].(int64)), nil
		}))}},
		{Name: "pg_table_is_visible", Volatile: true, Overloads: []Overload{row([]Arg{aOid}, types.BoolT, withMeta(func(m Meta, a []types.Value) (types.Value, error) {
			return m.RelVisible(a[0].(int64)), nil
		}))}},
		{Name: "pg_type_is_visible", Volatile: true, Overloads: []Overload{row([]Arg{aOid}, types.BoolT, withMeta(func(m Meta, a []types.Value) (types.Value, error) {
			return m.TypeVisible(a[0].(int64)), nil
		}))}},
		{Name: "format_type", Volatile: true, Description: "the SQL name of a type OID with a type modifier", Example: "format_type(1043, 24) = 'character varying(20)'",
			Overloads: []Overload{{Args: []Arg{aOid, aInt4}, Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false, formatType)}}},
		{Name: "obj_description", Volatile: true, Overloads: []Overload{
			row([]Arg{aOid}, types.TextT, objDesc), row(aOidText, types.TextT, objDesc)}},
		{Name: "col_description", Volatile: true, Overloads: []Overload{row([]Arg{aOid, aInt4}, types.TextT, desc)}},
		alwaysNull("shobj_description", types.TextT, 2),
		{Name: "pg_get_viewdef", Volatile: true, Overloads: []Overload{
			row([]Arg{aOid}, types.TextT, viewDef), row([]Arg{aOid, aBool}, types.TextT, viewDef),
			row([]Arg{aText}, types.TextT, viewDef), row([]Arg{aText, aBool}, types.TextT, viewDef)}},
		// pg_attrdef.adbin (and the other pg_node_tree columns) hold SQL text, so pg_get_expr returns it.
		{Name: "pg_get_expr", Overloads: []Overload{
			row([]Arg{aText, aOid}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) { return a[0], nil }),
			row([]Arg{aText, aOid, aBool}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) { return a[0], nil })}},
		alwaysNull("pg_get_indexdef", types.TextT, 1, 3),
		alwaysNull("pg_get_constraintdef", types.TextT, 1, 2),
		alwaysNull("pg_get_ruledef", types.TextT, 1, 2),
		alwaysNull("pg_get_triggerdef", types.TextT, 1, 2),
		alwaysNull("pg_get_functiondef", types.TextT, 1),
		alwaysNull("pg_get_function_arguments", types.TextT, 1),
		alwaysNull("pg_get_function_result", types.TextT, 1),
		alwaysNull("pg_get_function_identity_arguments", types.TextT, 1),
		alwaysNull("pg_get_partkeydef", types.TextT, 1),
		alwaysNull("pg_get_statisticsobjdef_columns", types.TextT, 1),
		alwaysNull("pg_get_serial_sequence", types.TextT, 2),
		{Name: "pg_relation_is_publishable", Overloads: []Overload{{Args: []Arg{aAny}, Ret: fixed(types.BoolT),
			Kernel: RowWise(fixed(types.BoolT), true, func(*Ctx, []types.Value) (types.Value, error) { return false, nil })}}},
		{Name: "pg_function_is_visible", Overloads: []Overload{row([]Arg{aOid}, types.BoolT, func(*Ctx, []types.Value) (types.Value, error) { return true, nil })}},
		{Name: "pg_collation_is_visible", Overloads: []Overload{row([]Arg{aOid}, types.BoolT, func(*Ctx, []types.Value) (types.Value, error) { return true, nil })}},
		privilege("has_table_privilege", 2, 3),
		privilege("has_schema_privilege", 2, 3),
		privilege("has_any_column_privilege", 2, 3),
		privilege("has_column_privilege", 3, 4),
		privilege("has_database_privilege", 2, 3),
		privilege("has_function_privilege", 2, 3),
		privilege("has_sequence_privilege", 2, 3),
		privilege("pg_has_role", 2, 3),
		{Name: "pg_encoding_to_char", Overloads: []Overload{row([]Arg{aInt4}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			switch a[0].(int64) {
			case 0:
				return "SQL_ASCII", nil
			case 6:
				return "UTF8", nil
			}
			return "", nil
		})}},
		{Name: "pg_char_to_encoding", Overloads: []Overload{row([]Arg{aText}, types.Int4T, func(_ *Ctx, a []types.Value) (types.Value, error) {
			switch strings.ToUpper(a[0].(string)) {
			case "SQL_ASCII":
				return int64(0), nil
			case "UTF8", "UTF-8":
				return int64(6), nil
			}
			return int64(-1), nil
		})}},
		{Name: "current_schemas", Volatile: true, Description: "the schemas on the search path that exist, pg_catalog first when asked",
			Overloads: []Overload{row([]Arg{aBool}, types.ArrayOf(types.TextT), func(ctx *Ctx, a []types.Value) (types.Value, error) {
				var out []any
				if a[0].(bool) {
					if ctx.TempSchema != "" {
						out = append(out, ctx.TempSchema)
					}
					out = append(out, "pg_catalog")
				}
				for _, s := range ctx.SearchPath {
					if ctx.Meta != nil {
						if _, err := ctx.Meta.NamespaceOID(s); err != nil {
							continue
						}
					}
					out = append(out, s)
				}
				return out, nil
			})}},
		{Name: "pg_last_query_id", Volatile: true, Description: "the query id in sys.query_history of the session's previous statement (Redshift's function; lakeq's ids are text)", Example: "pg_last_query_id()",
			Overloads: []Overload{{Ret: fixed(types.TextT), Kernel: RowWise(fixed(types.TextT), false,
				func(ctx *Ctx, _ []types.Value) (types.Value, error) {
					if ctx.LastQueryID == "" {
						return nil, nil
					}
					return ctx.LastQueryID, nil
				})}}},
		{Name: "pg_backend_pid", Volatile: true, Overloads: []Overload{{Ret: fixed(types.Int4T), Kernel: RowWise(fixed(types.Int4T), false,
			func(ctx *Ctx, _ []types.Value) (types.Value, error) { return ctx.BackendPID, nil })}}},
		{Name: "pg_cancel_backend", Volatile: true, Description: "cancel a session's running statement", Example: "pg_cancel_backend(12)",
			Overloads: []Overload{row([]Arg{aInt4}, types.BoolT, signalBackend(false))}},
		{Name: "pg_terminate_backend", Volatile: true, Description: "end a session", Example: "pg_terminate_backend(12)",
			Overloads: []Overload{row([]Arg{aInt4}, types.BoolT, signalBackend(true))}},
		{Name: "pg_is_in_recovery", Overloads: []Overload{{Ret: fixed(types.BoolT), Kernel: RowWise(fixed(types.BoolT), false,
			func(*Ctx, []types.Value) (types.Value, error) { return false, nil })}}},
		{Name: "pg_is_other_temp_schema", Overloads: []Overload{row([]Arg{aOid}, types.BoolT, func(*Ctx, []types.Value) (types.Value, error) { return false, nil })}},
		{Name: "pg_my_temp_schema", Overloads: []Overload{{Ret: fixed(types.OidT), Kernel: RowWise(fixed(types.OidT), false,
			func(*Ctx, []types.Value) (types.Value, error) { return int64(0), nil })}}},
		{Name: "to_regclass", Volatile: true, Overloads: []Overload{row([]Arg{aText}, types.T{Kind: types.Oid, Width: RegClass}, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			v, err := RegIn(ctx, RegClass, a[0].(string))
			if err != nil {
				return nil, nil
			}
			return v, nil
		})}},
		{Name: "to_regtype", Volatile: true, Overloads: []Overload{row([]Arg{aText}, types.T{Kind: types.Oid, Width: RegType}, func(ctx *Ctx, a []types.Value) (types.Value, error) {
			v, err := RegIn(ctx, RegType, a[0].(string))
			if err != nil {
				return nil, nil
			}
			return v, nil
		})}},
		{Name: "pg_total_relation_size", Volatile: true, Description: "bytes of the relation's data files", Overloads: []Overload{row([]Arg{ex(types.T{Kind: types.Oid, Width: RegClass})}, types.Int8T, relationSize)}},
		{Name: "pg_relation_size", Volatile: true, Description: "bytes of the relation's data files", Overloads: []Overload{row([]Arg{ex(types.T{Kind: types.Oid, Width: RegClass})}, types.Int8T, relationSize)}},
		{Name: "pg_table_size", Volatile: true, Description: "bytes of the relation's data files", Overloads: []Overload{row([]Arg{ex(types.T{Kind: types.Oid, Width: RegClass})}, types.Int8T, relationSize)}},
		{Name: "pg_size_pretty", Overloads: []Overload{row([]Arg{aInt8}, types.TextT, func(_ *Ctx, a []types.Value) (types.Value, error) {
			return sizePretty(a[0].(int64)), nil
		})}},
		{Name: "parse_ident", Description: "splits a qualified identifier into its parts", Example: "parse_ident('a.\"B\"') = {a,B}",
			Overloads: []Overload{
				row([]Arg{aText}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) { return parseIdent(a[0].(string), true) }),
				row([]Arg{aText, aBool}, types.ArrayOf(types.TextT), func(_ *Ctx, a []types.Value) (types.Value, error) {
					return parseIdent(a[0].(string), a[1].(bool))
				})}},
		{Name: "txid_current", Volatile: true, Overloads: []Overload{{Ret: fixed(types.Int8T), Kernel: RowWise(fixed(types.Int8T), false,
			func(*Ctx, []types.Value) (types.Value, error) { return int64(1), nil })}}},
	}
}

func sizePretty(n int64) string {
	units := []string{"bytes", "kB", "MB", "GB", "TB", "PB"}
	v, i := n, 0
	for i < len(units)-1 && (v >= 10*1024 || v <= -10*1024) {
		v = (v + 512) / 1024
		if v < 0 {
			v = (v - 512) / 1024
		}
		i++
	}
	return itoa(v) + " " + units[i]
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// parseIdent implements parse_ident: dotted identifiers, double-quoted
// parts kept as written, unquoted ones lower-cased.
func parseIdent(s string, strict bool) (types.Value, error) {
	var out []any
	i := 0
	bad := func() error {
		return sqlerr.New(sqlerr.InvalidParameterValue, "string is not a valid identifier: \"%s\"", s)
	}
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var part strings.Builder
		if i < len(s) && s[i] == '"' {
			i++
			closed := false
			for i < len(s) {
				if s[i] == '"' {
					if i+1 < len(s) && s[i+1] == '"' {
						part.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				part.WriteByte(s[i])
				i++
			}
			if !closed || part.Len() == 0 {
				return nil, bad()
			}
		} else {
			start := i
			for i < len(s) && s[i] != '.' && s[i] != ' ' && s[i] != '\t' && s[i] != '"' {
				i++
			}
			if i == start {
				return nil, bad()
			}
			part.WriteString(strings.ToLower(s[start:i]))
		}
		out = append(out, part.String())
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if i < len(s) && strict {
			return nil, bad()
		}
		return out, nil
	}
}

// signalBackend is pg_cancel_backend / pg_terminate_backend.
func signalBackend(terminate bool) func(*Ctx, []types.Value) (types.Value, error) {
	return func(ctx *Ctx, a []types.Value) (types.Value, error) {
		if ctx.Backends == nil {
			return false, nil
		}
		return ctx.Backends.Signal(context.Background(), a[0].(int64), terminate)
	}
}

// relationSize is pg_relation_size and its kin: lakeq's relations have
// no indexes or TOAST, so all three are the size of the table's files;
// NULL for an OID no relation has, as in PostgreSQL.
func relationSize(ctx *Ctx, a []types.Value) (types.Value, error) {
	if ctx.Meta == nil {
		return nil, nil
	}
	n, ok := ctx.Meta.RelationSize(a[0].(int64))
	if !ok {
		return nil, nil
	}
	return n, nil
}
