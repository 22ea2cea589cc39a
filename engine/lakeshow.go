package engine

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// likeMatcher compiles a SHOW … LIKE pattern. Hive's patterns use * and
// | (alternatives); SQL's % and _ are accepted too. Matching ignores case.
func likeMatcher(pat string) (func(string) bool, error) {
	if pat == "" {
		return func(string) bool { return true }, nil
	}
	var alts []string
	for _, a := range strings.Split(pat, "|") {
		var b strings.Builder
		for _, r := range strings.TrimSpace(a) {
			switch r {
			case '*', '%':
				b.WriteString(".*")
			case '_':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		alts = append(alts, b.String())
	}
	re, err := regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		return nil, sqlerr.New(sqlerr.InvalidRegex, "invalid pattern \"%s\"", pat)
	}
	return re.MatchString, nil
}

func (s *Session) showLake(ctx context.Context, x *ast.ShowLake) (*Result, error) {
	match, err := likeMatcher(x.Like)
	if err != nil {
		return nil, err
	}
	var rows [][]types.Value
	switch x.What {
	case "databases":
		dbs, err := s.eng.store.ListDatabases(ctx)
		if err != nil {
			return nil, err
		}
		for _, d := range dbs {
			if match(d.Name) {
				rows = append(rows, []types.Value{d.Name})
			}
		}
		return textResult([]string{"database_name"}, rows, "SHOW"), nil
	case "tables", "views":
		db := x.In
		if db == "" {
			if len(s.SearchPath) == 0 {
				return nil, sqlerr.New(sqlerr.InvalidSchemaName, "no schema has been selected")
			}
			db = s.SearchPath[0]
		}
		if d, err := s.eng.store.GetDatabase(ctx, db); err != nil {
			return nil, err
		} else if d == nil {
			return nil, sqlerr.New(sqlerr.InvalidSchemaName, "schema \"%s\" does not exist", db)
		}
		ts, err := s.eng.store.ListTables(ctx, db)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if x.What == "views" && t.Type != catalog.VirtualView {
				continue
			}
			if match(t.Name) {
				rows = append(rows, []types.Value{t.Name})
			}
		}
		return textResult([]string{"tab_name"}, rows, "SHOW"), nil
	}
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	switch x.What {
	case "partitions":
		if len(t.PartitionKeys) == 0 {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "table \"%s\" is not partitioned", t.Name)
		}
		ps, err := s.eng.store.ListPartitions(ctx, t.Database, t.Name)
		if err != nil {
			return nil, err
		}
		names := keyNames(t)
		for _, p := range ps {
			parts := make([]string, len(p.Values))
			for i, v := range p.Values {
				parts[i] = names[i] + "=" + v
			}
			rows = append(rows, []types.Value{strings.Join(parts, "/")})
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i][0].(string) < rows[j][0].(string) })
		return textResult([]string{"partition"}, rows, "SHOW"), nil
	case "columns":
		for _, c := range append(append([]catalog.Column{}, t.Columns...), t.PartitionKeys...) {
			rows = append(rows, []types.Value{c.Name})
		}
		return textResult([]string{"field"}, rows, "SHOW"), nil
	case "tblproperties":
		keys := make([]string, 0, len(t.Parameters))
		for k := range t.Parameters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			rows = append(rows, []types.Value{k, t.Parameters[k]})
		}
		return textResult([]string{"prpt_name", "prpt_value"}, rows, "SHOW"), nil
	case "create table", "create view":
		if x.What == "create view" && t.Type != catalog.VirtualView {
			return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a view", t.Name)
		}
		for _, l := range strings.Split(showCreate(t), "\n") {
			rows = append(rows, []types.Value{l})
		}
		return textResult([]string{"createtab_stmt"}, rows, "SHOW"), nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "SHOW %s is not supported", strings.ToUpper(x.What))
}

// hiveQuote writes s as a lake-DDL string literal the lake parser reads
// back: backslash escapes for quotes, backslashes and control bytes.
func hiveQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'':
			b.WriteString(`\'`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

func btick(s string) string { return "`" + strings.ReplaceAll(s, "`", "``") + "`" }

func hiveType(c catalog.Column) string {
	t, err := types.Parse(c.Type)
	if err != nil {
		return c.Type
	}
	return types.HiveName(t)
}

func sortedProps(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "  " + hiveQuote(k) + "=" + hiveQuote(m[k])
	}
	return out
}

// showCreate renders DDL that recreates t (lake DDL for external tables,
// PostgreSQL DDL for managed tables and views).
func showCreate(t *catalog.Table) string {
	var b strings.Builder
	switch t.Type {
	case catalog.VirtualView:
		fmt.Fprintf(&b, "CREATE VIEW %s.%s AS\n%s", quoteIdent(t.Database), quoteIdent(t.Name), t.ViewSQL)
		return b.String()
	case catalog.ManagedTable:
		fmt.Fprintf(&b, "CREATE TABLE %s.%s (\n", quoteIdent(t.Database), quoteIdent(t.Name))
		for i, c := range t.Columns {
			fmt.Fprintf(&b, "  %s %s", quoteIdent(c.Name), c.Type)
			if c.NotNull {
				b.WriteString(" NOT NULL")
			}
			if c.Default != "" {
				b.WriteString(" DEFAULT " + c.Default)
			}
			if i < len(t.Columns)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(")")
		return b.String()
	}
	fmt.Fprintf(&b, "CREATE EXTERNAL TABLE %s.%s(\n", btick(t.Database), btick(t.Name))
	cols := func(cs []catalog.Column) {
		for i, c := range cs {
			fmt.Fprintf(&b, "  %s %s", btick(c.Name), hiveType(c))
			if c.Comment != "" {
				b.WriteString(" COMMENT " + hiveQuote(c.Comment))
			}
			if i < len(cs)-1 {
				b.WriteString(",\n")
			}
		}
		b.WriteString(")\n")
	}
	cols(t.Columns)
	if t.Comment != "" {
		b.WriteString("COMMENT " + hiveQuote(t.Comment) + "\n")
	}
	if len(t.PartitionKeys) > 0 {
		b.WriteString("PARTITIONED BY (\n")
		cols(t.PartitionKeys)
	}
	if len(t.Storage.BucketColumns) > 0 {
		bc := make([]string, len(t.Storage.BucketColumns))
		for i, c := range t.Storage.BucketColumns {
			bc[i] = btick(c)
		}
		fmt.Fprintf(&b, "CLUSTERED BY (\n  %s)\nINTO %d BUCKETS\n", strings.Join(bc, ",\n  "), t.Storage.NumBuckets)
	}
	b.WriteString("ROW FORMAT SERDE\n  " + hiveQuote(t.Storage.SerDe) + "\n")
	if len(t.Storage.SerDeParams) > 0 {
		b.WriteString("WITH SERDEPROPERTIES (\n" + strings.Join(sortedProps(t.Storage.SerDeParams), ",\n") + ")\n")
	}
	b.WriteString("STORED AS INPUTFORMAT\n  " + hiveQuote(t.Storage.InputFormat) + "\nOUTPUTFORMAT\n  " + hiveQuote(t.Storage.OutputFormat) + "\n")
	b.WriteString("LOCATION\n  " + hiveQuote(t.Storage.Location))
	if len(t.Parameters) > 0 {
		b.WriteString("\nTBLPROPERTIES (\n" + strings.Join(sortedProps(t.Parameters), ",\n") + ")")
	}
	return b.String()
}

// quoteIdent quotes an identifier the way PostgreSQL's quote_ident does.
func quoteIdent(s string) string {
	simple := s != ""
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || i > 0 && (r >= '0' && r <= '9' || r == '$')) {
			simple = false
			break
		}
	}
	if simple {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// describe is DESCRIBE [FORMATTED] t, in Hive's layout: col_name,
// data_type, comment; partition keys after a "# Partition Information"
// header; FORMATTED adds the table's storage and parameters.
func (s *Session) describe(ctx context.Context, x *ast.Describe) (*Result, error) {
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	var rows [][]types.Value
	add := func(a, b, c string) { rows = append(rows, []types.Value{a, b, c}) }
	for _, c := range t.Columns {
		add(c.Name, hiveType(c), c.Comment)
	}
	for _, c := range t.PartitionKeys {
		add(c.Name, hiveType(c), c.Comment)
	}
	if len(t.PartitionKeys) > 0 {
		add("", "", "")
		add("# Partition Information", "", "")
		add("# col_name", "data_type", "comment")
		for _, c := range t.PartitionKeys {
			add(c.Name, hiveType(c), c.Comment)
		}
	}
	if x.Partition != nil {
		vals, err := partitionValues(t, *x.Partition)
		if err != nil {
			return nil, err
		}
		ps, err := s.eng.store.ListPartitions(ctx, t.Database, t.Name)
		if err != nil {
			return nil, err
		}
		var hit *catalog.Partition
		for i := range ps {
			if strings.Join(ps[i].Values, "\x00") == strings.Join(vals, "\x00") {
				hit = &ps[i]
			}
		}
		if hit == nil {
			return nil, sqlerr.New(sqlerr.UndefinedObject, "partition (%s) of table \"%s\" does not exist", specText(t, vals), t.Name)
		}
		add("", "", "")
		add("# Detailed Partition Information", "", "")
		add("Partition Value:", "["+strings.Join(hit.Values, ", ")+"]", "")
		add("Location:", hit.Location, "")
		add("CreateTime:", hit.CreatedAt.UTC().Format(time.RFC1123), "")
	}
	if x.Formatted {
		add("", "", "")
		add("# Detailed Table Information", "", "")
		add("Database:", t.Database, "")
		add("Table:", t.Name, "")
		add("Owner:", t.Owner, "")
		add("CreateTime:", t.CreatedAt.UTC().Format(time.RFC1123), "")
		add("Table Type:", t.Type, "")
		if t.Comment != "" {
			add("Comment:", t.Comment, "")
		}
		if t.Type == catalog.ExternalTable {
			add("Location:", t.Storage.Location, "")
		}
		add("Table Parameters:", "", "")
		for _, l := range sortedKV(t.Parameters) {
			add("", l[0], l[1])
		}
		if t.Type == catalog.ExternalTable {
			add("", "", "")
			add("# Storage Information", "", "")
			add("SerDe Library:", t.Storage.SerDe, "")
			add("InputFormat:", t.Storage.InputFormat, "")
			add("OutputFormat:", t.Storage.OutputFormat, "")
			add("Storage Desc Params:", "", "")
			for _, l := range sortedKV(t.Storage.SerDeParams) {
				add("", l[0], fmt.Sprintf("%q", l[1]))
			}
		}
		if t.Type == catalog.VirtualView {
			add("View Original Text:", t.ViewSQL, "")
		}
	}
	return textResult([]string{"col_name", "data_type", "comment"}, rows, "DESCRIBE"), nil
}

func sortedKV(m map[string]string) [][2]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([][2]string, len(keys))
	for i, k := range keys {
		out[i] = [2]string{k, m[k]}
	}
	return out
}
