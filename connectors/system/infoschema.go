package system

import (
	"context"
	"sort"
	"strings"

	"github.com/lakeq/lakeq/types"
)

func sortStrings(s []string) { sort.Strings(s) }

// infoSchema declares the SQL-standard views PostgreSQL provides, over
// the same snapshot as pg_catalog.
func infoSchema() []TableDef {
	return []TableDef{
		{Name: "schemata", View: true, Columns: cols(`catalog_name name, schema_name name, schema_owner name,
			default_character_set_catalog name, default_character_set_schema name, default_character_set_name name,
			sql_path text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for _, sc := range s.Schemas {
					rows = append(rows, []types.Value{s.Session.Database, sc.Name, sc.Owner, nil, nil, nil, nil})
				}
				return rows, nil
			}},
		{Name: "tables", View: true, Columns: cols(`table_catalog name, table_schema name, table_name name,
			table_type text, self_referencing_column_name name, reference_generation text,
			user_defined_type_catalog name, user_defined_type_schema name, user_defined_type_name name,
			is_insertable_into text, is_typed text, commit_action text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Kind == "S" {
						return // information_schema.sequences lists them
					}
					typ, ins := "BASE TABLE", "YES"
					if r.Schema.Temp {
						typ = "LOCAL TEMPORARY"
					}
					if r.Kind == "v" {
						typ, ins = "VIEW", "NO"
					}
					if r.LakeType == "EXTERNAL_TABLE" || r.Schema.System {
						ins = "NO"
					}
					rows = append(rows, []types.Value{s.Session.Database, r.Schema.Name, r.Name, typ, nil, nil, nil, nil,
						nil, ins, "NO", nil})
				})
				return rows, nil
			}},
		{Name: "columns", View: true, Columns: cols(`table_catalog name, table_schema name, table_name name,
			column_name name, ordinal_position int4, column_default text, is_nullable text, data_type text,
			character_maximum_length int4, character_octet_length int4, numeric_precision int4,
			numeric_precision_radix int4, numeric_scale int4, datetime_precision int4, interval_type text,
			interval_precision int4, character_set_catalog name, character_set_schema name, character_set_name name,
			collation_catalog name, collation_schema name, collation_name name, domain_catalog name,
			domain_schema name, domain_name name, udt_catalog name, udt_schema name, udt_name name,
			scope_catalog name, scope_schema name, scope_name name, maximum_cardinality int4, dtd_identifier name,
			is_self_referencing text, is_identity text, identity_generation text, identity_start text,
			identity_increment text, identity_maximum text, identity_minimum text, identity_cycle text,
			is_generated text, generation_expression text, is_updatable text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					for i, c := range r.Columns {
						rows = append(rows, s.columnRow(r, i, c))
					}
				})
				return rows, nil
			}},
		{Name: "views", View: true, Columns: cols(`table_catalog name, table_schema name, table_name name,
			view_definition text, check_option text, is_updatable text, is_insertable_into text,
			is_trigger_updatable text, is_trigger_deletable text, is_trigger_insertable_into text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Kind == "v" {
						def, _ := s.ViewDef(r.OID)
						rows = append(rows, []types.Value{s.Session.Database, r.Schema.Name, r.Name, nullable(def), "NONE",
							"NO", "NO", "NO", "NO", "NO"})
					}
				})
				return rows, nil
			}},
		{Name: "table_constraints", View: true, Columns: cols(`constraint_catalog name, constraint_schema name,
			constraint_name name, table_catalog name, table_schema name, table_name name, constraint_type text,
			is_deferrable text, initially_deferred text, enforced text, nulls_distinct text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				// NOT NULL is the one constraint lakeq enforces; PostgreSQL lists it as a CHECK.
				var rows [][]types.Value
				s.relations(func(r *Relation) {
					if r.Schema.System {
						return
					}
					for i, c := range r.Columns {
						if c.NotNull {
							name := itoa(r.Schema.OID) + "_" + itoa(r.OID) + "_" + itoa(int64(i+1)) + "_not_null"
							rows = append(rows, []types.Value{s.Session.Database, r.Schema.Name, name, s.Session.Database,
								r.Schema.Name, r.Name, "CHECK", "NO", "NO", "YES", nil})
						}
					}
				})
				return rows, nil
			}},
		{Name: "key_column_usage", View: true, Columns: cols(`constraint_catalog name, constraint_schema name,
			constraint_name name, table_catalog name, table_schema name, table_name name, column_name name,
			ordinal_position int4, position_in_unique_constraint int4`), Rows: empty},
		{Name: "referential_constraints", View: true, Columns: cols(`constraint_catalog name, constraint_schema name,
			constraint_name name, unique_constraint_catalog name, unique_constraint_schema name,
			unique_constraint_name name, match_option text, update_rule text, delete_rule text`), Rows: empty},
		{Name: "constraint_column_usage", View: true, Columns: cols(`table_catalog name, table_schema name,
			table_name name, column_name name, constraint_catalog name, constraint_schema name, constraint_name name`), Rows: empty},
		{Name: "routines", View: true, Columns: cols(`specific_catalog name, specific_schema name, specific_name name,
			routine_catalog name, routine_schema name, routine_name name, routine_type text, data_type text`),
			Rows: func(_ context.Context, s *Snapshot) ([][]types.Value, error) {
				var rows [][]types.Value
				for i, f := range s.Functions {
					if f.Kind != 'f' {
						continue
					}
					rows = append(rows, []types.Value{s.Session.Database, "pg_catalog", f.Name + "_" + itoa(s.procOIDs[i]),
						s.Session.Database, "pg_catalog", f.Name, "FUNCTION", dataType(f.Ret)})
				}
				return rows, nil
			}},
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// dataType is information_schema's data_type spelling.
func dataType(t types.T) string {
	switch t.Kind {
	case types.Array:
		return "ARRAY"
	case types.Varchar:
		return "character varying"
	case types.Char:
		return "character"
	case types.Numeric:
		return "numeric"
	case types.Unknown:
		return "text"
	}
	return t.String()
}

func (s *Snapshot) columnRow(r *Relation, i int, c Column) []types.Value {
	t := c.Type
	isNull := "YES"
	if c.NotNull {
		isNull = "NO"
	}
	var charMax, octet, prec, radix, scale, dtPrec types.Value
	switch t.Kind {
	case types.Varchar, types.Char:
		if t.Width > 0 {
			charMax, octet = int64(t.Width), int64(t.Width)*4
		} else {
			octet = int64(1073741824)
		}
	case types.Text:
		octet = int64(1073741824)
	case types.Int2:
		prec, radix, scale = int64(16), int64(2), int64(0)
	case types.Int4:
		prec, radix, scale = int64(32), int64(2), int64(0)
	case types.Int8:
		prec, radix, scale = int64(64), int64(2), int64(0)
	case types.Float4:
		prec, radix = int64(24), int64(2)
	case types.Float8:
		prec, radix = int64(53), int64(2)
	case types.Numeric:
		radix = int64(10)
		if t.Prec > 0 {
			prec, scale = int64(t.Prec), int64(t.Scale)
		}
	case types.Date:
		dtPrec = int64(0)
	case types.Time, types.Timestamp, types.TimestampTZ, types.Interval:
		dtPrec = int64(6)
	}
	udt := "text"
	if tt := s.typByOID[typeOID(t)]; tt != nil {
		udt = tt.Name
	}
	upd := "YES"
	if r.Kind == "v" || r.Schema.System || r.LakeType == "EXTERNAL_TABLE" {
		upd = "NO"
	}
	db := s.Session.Database
	def, isIdentity, generation := nullable(c.Default), "NO", any(nil)
	if c.Identity != "" {
		def, isIdentity, generation = nil, "YES", strings.ToUpper(c.Identity)
	}
	return []types.Value{db, r.Schema.Name, r.Name, c.Name, int64(i + 1), def, isNull, dataType(t),
		charMax, octet, prec, radix, scale, dtPrec, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
		db, "pg_catalog", udt, nil, nil, nil, nil, itoa(int64(i + 1)), "NO", isIdentity, generation, nil, nil, nil, nil, "NO",
		"NEVER", nil, upd}
}
