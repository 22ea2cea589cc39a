package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Replays of what BI tools send that cannot run here: Grafana's
// PostgreSQL data source (version probe, schema/table/column pickers,
// macro-expanded time series), Metabase's connection setup and sync, and
// DBeaver's navigator. The statements are the tools' own (Grafana's from
// its postgresMetaQuery.ts and macros.go; Metabase's and DBeaver's as
// they issue them through pgjdbc), run over pgx's extended protocol as
// the tools' drivers do, each with a check of what the tool reads back.

type replayStep struct {
	sql   string
	args  []any
	check func(t *testing.T, rows [][]any)
}

// texts renders every value as text for comparisons.
func texts(rows [][]any) []string {
	var out []string
	for _, r := range rows {
		var cells []string
		for _, v := range r {
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case pgtype.Numeric:
				f, _ := x.Float64Value()
				v = strconv.FormatFloat(f.Float64, 'f', -1, 64)
			}
			cells = append(cells, fmt.Sprint(v))
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

func wantRows(want ...string) func(*testing.T, [][]any) {
	return func(t *testing.T, rows [][]any) {
		t.Helper()
		got := texts(rows)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func wantContains(want ...string) func(*testing.T, [][]any) {
	return func(t *testing.T, rows [][]any) {
		t.Helper()
		got := texts(rows)
		for _, w := range want {
			found := false
			for _, g := range got {
				if g == w {
					found = true
				}
			}
			if !found {
				t.Errorf("missing row %q in:\n%s", w, strings.Join(got, "\n"))
			}
		}
	}
}

func anyRows(t *testing.T, rows [][]any) {}

func replay(t *testing.T, steps []replayStep) {
	t.Helper()
	host, port := clientServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakeq@%s:%s/lakeq?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for i, st := range steps {
		rows, err := conn.Query(ctx, st.sql, st.args...)
		if err != nil {
			t.Fatalf("step %d: %v\n%s", i, err, st.sql)
		}
		var got [][]any
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			got = append(got, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("step %d: %v\n%s", i, err, st.sql)
		}
		if st.check != nil {
			t.Run(fmt.Sprintf("step%02d", i), func(t *testing.T) { st.check(t, got) })
		}
	}
}

// grafanaSearchPath is Grafana's buildSchemaConstraint(): the schemas on
// the session's search_path, "$user" resolved.
const grafanaSearchPath = `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`

func TestReplayGrafana(t *testing.T) {
	// Dashboard time range 2024-01-01T00:00:00Z .. 2024-01-01T02:00:00Z, interval 1h.
	from, to := "'2024-01-01T00:00:00Z'", "'2024-01-01T02:00:00Z'"
	timeFilter := func(col string) string { return col + " BETWEEN " + from + " AND " + to }
	timeGroup := func(col string, secs int) string {
		return fmt.Sprintf("floor(extract(epoch from %s)/%d)*%d", col, secs, secs)
	}
	replay(t, []replayStep{
		{sql: "SELECT current_setting('server_version_num')::int/100 as version", check: wantRows("1500")},
		{sql: "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", check: wantRows()},
		{sql: `SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name`, check: wantRows("lake", "public", "sys")},
		{sql: `SELECT
    CASE WHEN ` + grafanaSearchPath + `
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN ` + grafanaSearchPath + ` THEN 0 ELSE 1 END, 1`,
			check: wantContains("lake.events", "lake.recent", "lake.sales", "sys.query_history")},
		{sql: `SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'lake'
      ORDER BY 1`, check: wantRows("events", "recent", "sales")},
		{sql: `SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('lake.events'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('lake.events'))[1]
          AND quote_ident(table_name) = (parse_ident('lake.events'))[2]
        ELSE quote_ident(table_name) = 'lake.events'
          AND ` + grafanaSearchPath + `
      END`, check: wantRows("id|integer", "name|character varying", "amount|numeric", "at|timestamp without time zone")},
		// The time series panel: $__timeGroupAlias(at,'1h'), $__timeFilter(at).
		{sql: "SELECT\n  " + timeGroup("at", 3600) + " AS \"time\",\n  sum(amount) AS \"amount\"\nFROM lake.events\nWHERE\n  " +
			timeFilter("at") + "\nGROUP BY 1\nORDER BY 1",
			check: wantRows("1704067200|3.75", "1704070800|3.75")},
		// $__time(at), a metric column, $__timeFrom()/$__timeTo().
		{sql: "SELECT at AS \"time\", name AS metric, amount FROM lake.events WHERE at >= " + from + " AND at < " + to +
			" AND " + timeFilter("at") + " ORDER BY 1",
			check: func(t *testing.T, rows [][]any) {
				if len(rows) != 3 {
					t.Fatalf("rows %v", rows)
				}
				if ts, ok := rows[0][0].(time.Time); !ok || !ts.Equal(time.Date(2024, 1, 1, 0, 10, 0, 0, time.UTC)) {
					t.Errorf("time column %#v", rows[0][0])
				}
			}},
		// $__unixEpochFilter over an epoch column, $__unixEpochGroupAlias.
		// (floor of a bigint is double precision, as in PostgreSQL)
		{sql: "SELECT floor((e)/3600)*3600 AS \"time\", count(*) FROM (SELECT extract(epoch from at)::bigint AS e FROM lake.events) x WHERE e >= 1704067200 AND e <= 1704074400 GROUP BY 1 ORDER BY 1",
			check: wantRows("1.7040672e+09|2", "1.7040708e+09|1")},
		// A variable query: $__timeFilter inside a template variable.
		{sql: "SELECT DISTINCT name FROM lake.events WHERE " + timeFilter("at") + " ORDER BY 1", check: wantRows("a", "b", "c")},
	})
}

func TestReplayMetabase(t *testing.T) {
	replay(t, []replayStep{
		{sql: "SET extra_float_digits = 2"},
		{sql: "SET application_name = 'Metabase v0.55.1 [f8f63fdf-d8f8-4573-86ea-4fe4a9548041]'"},
		{sql: "SHOW TRANSACTION ISOLATION LEVEL", check: wantRows("read committed")},
		{sql: "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"},
		{sql: `SELECT nspname AS "TABLE_SCHEM", current_database() AS "TABLE_CATALOG" FROM pg_catalog.pg_namespace  WHERE nspname <> 'pg_toast' AND (nspname !~ '^pg_temp_'  OR nspname = (pg_catalog.current_schemas(true))[1]) AND (nspname !~ '^pg_toast_temp_'  OR nspname = replace((pg_catalog.current_schemas(true))[1], 'pg_temp_', 'pg_toast_temp_'))  ORDER BY "TABLE_SCHEM"`,
			check: wantRows("information_schema|lakeq", "lake|lakeq", "pg_catalog|lakeq", "public|lakeq", "sys|lakeq")},
		{sql: `with table_privileges as (
         select
           NULL as role,
           t.schemaname as schema,
           t.objectname as table,
           pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'update') as update,
           pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'select') as select,
           pg_catalog.has_any_column_privilege(current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'insert') as insert,
           pg_catalog.has_table_privilege(     current_user, '"' || replace(t.schemaname, '"', '""') || '"' || '.' || '"' || replace(t.objectname, '"', '""') || '"',  'delete') as delete
         from (
           select schemaname, tablename as objectname from pg_catalog.pg_tables
           union
           select schemaname, viewname as objectname from pg_catalog.pg_views
           union
           select schemaname, matviewname as objectname from pg_catalog.pg_matviews
         ) t
         where t.schemaname !~ '^pg_'
           and t.schemaname <> 'information_schema'
           and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')
        )
        select t.*
        from table_privileges t`, check: wantContains("<nil>|lake|events|true|true|true|true", "<nil>|lake|sales|true|true|true|true", "<nil>|lake|recent|true|true|true|true")},
		{sql: `SELECT "n"."nspname" AS "schema", "c"."relname" AS "name", CASE "c"."relkind" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS "type", "d"."description" AS "description", "stat"."n_live_tup" AS "estimated_row_count" FROM "pg_catalog"."pg_class" AS "c" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "c"."relnamespace" = "n"."oid" LEFT JOIN "pg_catalog"."pg_description" AS "d" ON ("c"."oid" = "d"."objoid") AND ("d"."objsubid" = '0') AND ("d"."classoid" = 'pg_class'::regclass) LEFT JOIN "pg_stat_user_tables" AS "stat" ON ("n"."nspname" = "stat"."schemaname") AND ("c"."relname" = "stat"."relname") WHERE ("c"."relnamespace" = "n"."oid") AND ("n"."nspname" !~ '^pg_') AND ("n"."nspname" <> 'information_schema') AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND ("n"."nspname" IN ('lake')) ORDER BY "type" ASC, "schema" ASC, "name" ASC`,
			check: wantRows("lake|events|TABLE|lake events|<nil>", "lake|sales|TABLE|<nil>|<nil>", "lake|recent|VIEW|<nil>|<nil>")},
		// Field sync: Metabase samples a table with a fully qualified select.
		{sql: `SELECT "lake"."events"."id" AS "id", "lake"."events"."name" AS "name", "lake"."events"."amount" AS "amount", "lake"."events"."at" AS "at" FROM "lake"."events" LIMIT 10000`,
			check: func(t *testing.T, rows [][]any) {
				if len(rows) != 3 {
					t.Errorf("sampled %d rows", len(rows))
				}
			}},
		{sql: "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED"},
		{sql: "show timezone", check: wantRows("UTC")},
	})
}

func TestReplayDBeaver(t *testing.T) {
	var lakeOID uint32
	replay(t, []replayStep{
		{sql: "SET extra_float_digits = 3"},
		{sql: "SET application_name = 'DBeaver 25.1.5 - Main <lakeq>'"},
		{sql: "SELECT current_schema(),session_user", check: wantRows("public|lakeq")},
		{sql: "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass ORDER BY nspname",
			check: func(t *testing.T, rows [][]any) {
				for _, r := range rows {
					if r[2] == "lake" {
						lakeOID = r[0].(uint32)
					}
				}
				if lakeOID == 0 {
					t.Errorf("no lake schema in %v", texts(rows))
				}
			}},
		{sql: "SELECT n.nspname = ANY(current_schemas(true)), n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON t.typnamespace = n.oid WHERE t.oid = 1034",
			check: wantRows("true|pg_catalog|_aclitem")},
		{sql: "SELECT typinput='pg_catalog.array_in'::regproc as is_array, typtype, typname, pg_type.oid   FROM pg_catalog.pg_type   LEFT JOIN (select ns.oid as nspoid, ns.nspname, r.r           from pg_namespace as ns           join ( select s.r, (current_schemas(false))[s.r] as nspname                    from generate_series(1, array_upper(current_schemas(false), 1)) as s(r) ) as r          using ( nspname )        ) as sp     ON sp.nspoid = typnamespace  WHERE pg_type.oid = 1034  ORDER BY sp.r, pg_type.oid DESC",
			check: wantRows("true|b|_aclitem|1034")},
		{sql: "SHOW search_path", check: wantRows("public")},
		{sql: "SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE datname='lakeq'", check: func(t *testing.T, rows [][]any) {
			if len(rows) != 1 {
				t.Errorf("pg_database rows %v", texts(rows))
			}
		}},
		{sql: "SELECT * FROM pg_catalog.pg_settings where name='standard_conforming_strings'", check: func(t *testing.T, rows [][]any) {
			if len(rows) != 1 || rows[0][1] != "on" {
				t.Errorf("pg_settings %v", texts(rows))
			}
		}},
		{sql: "SELECT string_agg(word, ',' ) from pg_catalog.pg_get_keywords() where word <> ALL ('{a,abs,absolute,action,ada,add,admin,after,all,allocate,alter,always,and,any,are,array,as,asc}'::text[])",
			check: func(t *testing.T, rows [][]any) {
				if s, _ := rows[0][0].(string); !strings.Contains(s, "analyze") || strings.Contains(s, ",all,") {
					t.Errorf("keywords %.200s", s)
				}
			}},
		{sql: "SELECT version()", check: func(t *testing.T, rows [][]any) {
			if s, _ := rows[0][0].(string); !strings.HasPrefix(s, "PostgreSQL 15.") || !strings.Contains(s, "lakeq") {
				t.Errorf("version %q", s)
			}
		}},
		{sql: "SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1", check: wantRows()},
		{sql: "SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1", check: wantRows()},
		{sql: "SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description FROM pg_catalog.pg_type t LEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem LEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid LEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid WHERE t.typname IS NOT NULL AND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C')",
			check: func(t *testing.T, rows [][]any) {
				if len(rows) < 50 {
					t.Errorf("only %d types", len(rows))
				}
			}},
	})
	if lakeOID == 0 {
		return
	}
	// The navigator, once a schema is opened: its tables, then a table's columns.
	var eventsOID uint32
	replay(t, []replayStep{
		{sql: "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.relpartbound is not null then p.inhparent::regclass::text else null end as partition_parent FROM pg_catalog.pg_class c LEFT OUTER JOIN pg_catalog.pg_class t ON t.oid=c.reltoastrelid LEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.reltype LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass LEFT OUTER JOIN pg_catalog.pg_inherits p ON p.inhrelid=c.oid WHERE c.relnamespace=$1 AND c.relkind not in ('i','I','c') ORDER BY c.oid",
			args: []any{lakeOID}, check: func(t *testing.T, rows [][]any) {
				var names []string
				for _, r := range rows {
					names = append(names, r[2].(string))
					if r[2] == "events" {
						eventsOID = r[0].(uint32)
					}
				}
				if len(rows) != 3 || eventsOID == 0 {
					t.Errorf("tables %v", names)
				}
			}},
	})
	replay(t, []replayStep{
		{sql: "SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid FROM pg_catalog.pg_attribute a INNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid) LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum) LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid) LEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid WHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid=$1 ORDER BY a.attnum",
			args: []any{eventsOID}, check: func(t *testing.T, rows [][]any) {
				var cols []string
				for _, r := range rows {
					cols = append(cols, fmt.Sprint(r[2], ":", r[len(r)-2]))
				}
				if strings.Join(cols, ",") != "id:the event id,name:<nil>,amount:<nil>,at:<nil>" {
					t.Errorf("columns %v", cols)
				}
			}},
	})
}
