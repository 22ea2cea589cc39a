package functions

// strictNames are the functions lakeq implements that PostgreSQL 15
// declares strict in every overload (pg_proc.proisstrict): a call with a
// NULL argument is NULL, the function never called. PostgreSQL's
// constant folding (eval_const_expressions) therefore turns a call with
// a NULL constant argument into NULL without evaluating the others, even
// ones that would fail — `rpad(j #- '{b,0}', NULL, 'x')` is NULL for a
// scalar j, not "cannot delete path in scalar". TestStrictNamesMatchPostgres
// checks the list against a running PostgreSQL. Names PostgreSQL does
// not have, or declares non-strict in some overload (concat, format,
// array_append, json_build_object, …), are not here: lakeq-only
// functions keep their own NULL handling.
var strictNames = map[string]bool{
	"abs": true, "acos": true, "acosd": true, "acosh": true, "age": true,
	"array_dims": true, "array_length": true, "array_lower": true,
	"array_ndims": true, "array_to_json": true, "array_upper": true,
	"ascii": true, "asin": true, "asind": true, "asinh": true, "atan": true,
	"atan2": true, "atan2d": true, "atand": true, "atanh": true,
	"bit_count": true, "bit_length": true, "btrim": true, "cardinality": true,
	"cbrt": true, "ceil": true, "ceiling": true, "char_length": true,
	"character_length": true, "chr": true, "clock_timestamp": true,
	"col_description": true, "convert": true, "convert_from": true,
	"convert_to": true, "cos": true, "cosd": true, "cosh": true, "cot": true,
	"cotd": true, "current_database": true, "current_schema": true,
	"current_schemas": true, "current_setting": true, "current_user": true,
	"currval": true, "date_bin": true, "date_part": true, "date_trunc": true,
	"decode": true, "degrees": true, "div": true, "encode": true, "exp": true,
	"extract": true, "factorial": true, "floor": true, "gcd": true,
	"gen_random_uuid": true, "get_bit": true, "get_byte": true,
	"has_any_column_privilege": true, "has_column_privilege": true,
	"has_database_privilege": true, "has_function_privilege": true,
	"has_schema_privilege": true, "has_sequence_privilege": true,
	"has_table_privilege": true, "initcap": true, "is_normalized": true,
	"isfinite": true, "json_array_length": true, "json_extract_path": true,
	"json_extract_path_text": true, "json_object": true,
	"json_strip_nulls": true, "json_typeof": true, "jsonb_array_length": true,
	"jsonb_extract_path": true, "jsonb_extract_path_text": true,
	"jsonb_insert": true, "jsonb_object": true, "jsonb_path_exists": true,
	"jsonb_path_exists_tz": true, "jsonb_path_match": true,
	"jsonb_path_match_tz": true, "jsonb_path_query_array": true,
	"jsonb_path_query_array_tz": true, "jsonb_path_query_first": true,
	"jsonb_path_query_first_tz": true, "jsonb_pretty": true,
	"jsonb_set": true, "jsonb_strip_nulls": true, "jsonb_typeof": true,
	"justify_days": true, "justify_hours": true, "justify_interval": true,
	"lastval": true, "lcm": true, "left": true, "length": true, "ln": true,
	"log": true, "log10": true, "lower": true, "lpad": true, "ltrim": true,
	"make_date": true, "make_interval": true, "make_time": true,
	"make_timestamp": true, "make_timestamptz": true, "md5": true,
	"min_scale": true, "mod": true, "nextval": true, "normalize": true,
	"now": true, "obj_description": true, "octet_length": true,
	"overlay": true, "parse_ident": true, "pg_backend_pid": true,
	"pg_cancel_backend": true, "pg_char_to_encoding": true,
	"pg_collation_is_visible": true, "pg_encoding_to_char": true,
	"pg_function_is_visible": true, "pg_get_constraintdef": true,
	"pg_get_expr": true, "pg_get_function_arguments": true,
	"pg_get_function_identity_arguments": true,
	"pg_get_function_result":             true, "pg_get_functiondef": true,
	"pg_get_indexdef": true, "pg_get_partkeydef": true,
	"pg_get_ruledef": true, "pg_get_serial_sequence": true,
	"pg_get_statisticsobjdef_columns": true, "pg_get_triggerdef": true,
	"pg_get_userbyid": true, "pg_get_viewdef": true, "pg_has_role": true,
	"pg_is_in_recovery": true, "pg_is_other_temp_schema": true,
	"pg_my_temp_schema": true, "pg_relation_is_publishable": true,
	"pg_relation_size": true, "pg_size_pretty": true,
	"pg_table_is_visible": true, "pg_table_size": true,
	"pg_terminate_backend": true, "pg_total_relation_size": true,
	"pg_type_is_visible": true, "pi": true, "position": true, "pow": true,
	"power": true, "quote_ident": true, "quote_literal": true,
	"radians": true, "random": true, "regexp_count": true,
	"regexp_instr": true, "regexp_like": true, "regexp_match": true,
	"regexp_replace": true, "regexp_split_to_array": true,
	"regexp_substr": true, "repeat": true, "replace": true, "reverse": true,
	"right": true, "round": true, "rpad": true, "rtrim": true, "scale": true,
	"session_user": true, "set_bit": true, "set_byte": true, "setval": true,
	"sha224": true, "sha256": true, "sha384": true, "sha512": true,
	"shobj_description": true, "sign": true, "sin": true, "sind": true,
	"sinh": true, "split_part": true, "sqrt": true, "starts_with": true,
	"statement_timestamp": true, "strpos": true, "substr": true,
	"substring": true, "tan": true, "tand": true, "tanh": true,
	"timeofday": true, "timezone": true, "to_char": true, "to_date": true,
	"to_hex": true, "to_json": true, "to_jsonb": true, "to_number": true,
	"to_regclass": true, "to_regtype": true, "to_timestamp": true,
	"transaction_timestamp": true, "translate": true, "trim_array": true,
	"trim_scale": true, "trunc": true, "txid_current": true, "unistr": true,
	"upper": true, "version": true, "width_bucket": true,
}

// Strict reports whether the function name is strict as PostgreSQL's:
// a call with a NULL constant argument may be folded to NULL.
func Strict(name string) bool { return strictNames[name] }
