package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

const invalidTableDefinition = "42P16"

// lakeColumns converts DDL columns (Hive or SQL type names) to catalog columns.
func lakeColumns(cols []ast.LakeColumn, seen map[string]bool, what string) ([]catalog.Column, error) {
	var out []catalog.Column
	for _, c := range cols {
		if seen[c.Name] {
			return nil, sqlerr.New(sqlerr.DuplicateColumn, "column \"%s\" specified more than once", c.Name)
		}
		seen[c.Name] = true
		if c.Type == "" {
			return nil, sqlerr.New(sqlerr.SyntaxError, "%s \"%s\" needs a type", what, c.Name)
		}
		t, err := types.ParseHive(c.Type)
		if err != nil {
			return nil, sqlerr.Wrap(err, sqlerr.UndefinedObject, "type \"%s\" of %s \"%s\" does not exist", c.Type, what, c.Name)
		}
		out = append(out, catalog.Column{Name: c.Name, Type: columnStorageType(t).String(), Comment: c.Comment})
	}
	return out, nil
}

// checkScheme requires a LOCATION lakeq can reach: a local path, file://
// or s3:// (when S3 is configured).
func (s *Session) checkScheme(loc string) error {
	_, _, err := s.fs().For(loc)
	return err
}

var errStopList = errors.New("stop listing")

// checkLocation requires a LOCATION to exist: a local folder or file; on
// an object store, where folders are only key prefixes and a new table's
// is empty, that it can be listed (the bucket exists and answers).
func (s *Session) checkLocation(ctx context.Context, loc string) error {
	fsys, p, err := s.fs().For(loc)
	if err != nil {
		return err
	}
	if storage.IsURL(p) {
		err := fsys.List(ctx, strings.TrimRight(p, "/")+"/", "/", func(storage.ListPage) error { return errStopList })
		if errors.Is(err, errStopList) {
			return nil
		}
		return err
	}
	ok, err := storage.Exists(ctx, fsys, p)
	if err != nil {
		return err
	}
	if !ok {
		return sqlerr.New(sqlerr.UndefinedFile, "location \"%s\" does not exist", loc)
	}
	return nil
}

// validateExternal checks that a table can be read as described.
func validateExternal(t *catalog.Table) error {
	if _, err := formatOf(t); err != nil {
		return err
	}
	names := keyNames(t)
	if _, err := catalog.ParseProjection(t.Parameters, names); err != nil {
		return err
	}
	for _, k := range t.PartitionKeys {
		kt, _ := types.Parse(k.Type)
		if kt.Kind == types.Array || kt.Kind == types.JSONB || kt.Kind == types.JSON {
			return sqlerr.New(invalidTableDefinition, "partition key \"%s\" must have a scalar type, not %s", k.Name, k.Type)
		}
	}
	return nil
}

func (s *Session) createExternal(ctx context.Context, x *ast.CreateExternalTable) (*Result, error) {
	if x.Query != nil {
		return s.createExternalAsSelect(ctx, x)
	}
	db, err := s.externalSchema(ctx, x.Name)
	if err != nil {
		return nil, err
	}
	if existing, err := s.eng.store.GetTable(ctx, db, x.Name.Name); err != nil {
		return nil, err
	} else if existing != nil {
		if x.IfNotExists {
			return &Result{Tag: "CREATE EXTERNAL TABLE", Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", x.Name.Name)}}, nil
		}
		return nil, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", x.Name.Name)
	}
	if len(x.Columns) == 0 {
		return nil, sqlerr.New(invalidTableDefinition, "CREATE EXTERNAL TABLE %s needs a column list", x.Name.Name)
	}
	if x.Location == "" {
		return nil, sqlerr.New(invalidTableDefinition, "CREATE EXTERNAL TABLE %s needs a LOCATION", x.Name.Name)
	}
	t := catalog.Table{Database: db, Name: x.Name.Name, Type: catalog.ExternalTable, Owner: s.User, Comment: x.Comment,
		Parameters: map[string]string{"EXTERNAL": "TRUE"}}
	seen := map[string]bool{}
	if t.Columns, err = lakeColumns(x.Columns, seen, "column"); err != nil {
		return nil, err
	}
	if t.PartitionKeys, err = lakeColumns(x.PartitionedBy, seen, "partition column"); err != nil {
		return nil, err
	}
	sd := catalog.StorageDescriptor{Location: x.Location, SerDeParams: map[string]string{}}
	for k, v := range x.SerDeProps {
		sd.SerDeParams[k] = v
	}
	var dflt [3]string
	if x.StoredAs != "" {
		d, ok := storedAs[x.StoredAs]
		if !ok {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "STORED AS %s is not supported (PARQUET, TEXTFILE, CSV, TSV, JSON)", x.StoredAs)
		}
		dflt = d
		if x.StoredAs == "TSV" {
			if _, ok := sd.SerDeParams["field.delim"]; !ok {
				sd.SerDeParams["field.delim"] = "\t"
			}
		}
	} else if x.InputFormat != "" {
		dflt = [3]string{x.InputFormat, x.OutputFormat, ""}
		if x.InputFormat == catalog.InputParquet {
			dflt[2] = catalog.SerDeParquet
		}
	} else {
		dflt = storedAs["TEXTFILE"]
	}
	sd.InputFormat, sd.OutputFormat = dflt[0], dflt[1]
	switch x.RowFormat {
	case "SERDE":
		sd.SerDe = x.SerDe
	case "DELIMITED":
		sd.SerDe = catalog.SerDeLazySimple
	default:
		sd.SerDe = dflt[2]
	}
	if sd.SerDe == "" {
		return nil, sqlerr.New(invalidTableDefinition, "table \"%s\": no SerDe for input format \"%s\"", t.Name, sd.InputFormat)
	}
	if len(sd.SerDeParams) == 0 {
		sd.SerDeParams = nil
	}
	if len(x.ClusteredBy) > 0 {
		names, ts, err := tableTypes(&t)
		if err != nil {
			return nil, err
		}
		cols := make([]string, len(x.ClusteredBy))
		for i, c := range x.ClusteredBy {
			cols[i] = strings.ToLower(c)
		}
		if _, err := checkBuckets(t.Name, cols, x.Buckets, names, ts); err != nil {
			return nil, err
		}
		sd.BucketColumns, sd.NumBuckets = cols, x.Buckets
	}
	t.Storage = sd
	for k, v := range x.TblProps {
		t.Parameters[k] = v
	}
	if _, ok := t.Parameters["classification"]; !ok {
		t.Parameters["classification"] = classificationOf(sd)
	}
	if err := validateExternal(&t); err != nil {
		return nil, err
	}
	if err := s.checkLocation(ctx, x.Location); err != nil {
		return nil, err
	}
	if err := s.eng.store.CreateTable(ctx, t); err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE EXTERNAL TABLE"}, nil
}

// classificationOf is Glue's classification of a storage descriptor.
func classificationOf(sd catalog.StorageDescriptor) string {
	switch sd.SerDe {
	case catalog.SerDeParquet:
		return "parquet"
	case catalog.SerDeOpenCSV:
		return "csv"
	case catalog.SerDeHiveJSON, catalog.SerDeOpenXJSON:
		return "json"
	case catalog.SerDeORC:
		return "orc"
	case catalog.SerDeAvro:
		return "avro"
	}
	if sd.SerDeParams["field.delim"] == "\t" {
		return "tsv"
	}
	return "csv"
}

func (s *Session) createDatabase(ctx context.Context, x *ast.CreateDatabase) (*Result, error) {
	if x.Location != "" {
		if err := s.checkScheme(x.Location); err != nil {
			return nil, err
		}
	}
	err := s.eng.store.CreateDatabase(ctx, catalog.Database{Name: x.Name, Description: x.Comment, LocationURI: x.Location, Parameters: x.Props})
	if e, ok := err.(*sqlerr.Error); ok && e.Code == sqlerr.DuplicateSchema && x.IfNotExists {
		return &Result{Tag: "CREATE DATABASE", Notices: []string{fmt.Sprintf("schema \"%s\" already exists, skipping", x.Name)}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "CREATE DATABASE"}, nil
}

// missingRelation is the error for a relation the catalog lacks: 42P01,
// or 0A000 for a table of a mounted database (read through its connector
// only, so read-only here).
func (s *Session) missingRelation(ctx context.Context, q ast.QualifiedName) error {
	if q.Schema != "" {
		if d, err := s.eng.store.GetDatabase(ctx, q.Schema); err == nil && isMount(d) {
			return sqlerr.New(sqlerr.FeatureNotSupported, "relation \"%s\" belongs to the mounted %s database of schema \"%s\": its tables are read-only in lakeq", q.String(), d.Parameters[mountSource], q.Schema)
		}
	}
	return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", q.String())
}

// resolveTable finds a table or fails with 42P01.
func (s *Session) resolveTable(ctx context.Context, q ast.QualifiedName) (*catalog.Table, error) {
	t, err := s.lookupTable(ctx, q.Schema, q.Name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, s.missingRelation(ctx, q)
	}
	return t, nil
}

// updateTable applies change to the stored table, re-reading and
// retrying when another session or process changed it in between, so
// concurrent ALTERs never lose each other's work.
func (s *Session) updateTable(ctx context.Context, db, name string, change func(t *catalog.Table) error) error {
	for try := 0; ; try++ {
		t, err := s.eng.store.GetTable(ctx, db, name)
		if err != nil {
			return err
		}
		if t == nil {
			return sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
		}
		if err := change(t); err != nil {
			return err
		}
		err = s.eng.store.UpdateTable(ctx, *t)
		if e, ok := err.(*sqlerr.Error); ok && e.Code == sqlerr.SerializationFailure && try < 50 {
			continue
		}
		return err
	}
}

// partitionValues orders a PARTITION (k=v, …) spec by the table's keys
// and checks every value converts to its key's type.
func partitionValues(t *catalog.Table, ps ast.PartitionSpec) ([]string, error) {
	if len(t.PartitionKeys) == 0 {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "table \"%s\" is not partitioned", t.Name)
	}
	byKey := map[string]string{}
	for i, k := range ps.Keys {
		byKey[k] = ps.Values[i]
	}
	if len(byKey) != len(ps.Keys) {
		return nil, sqlerr.New(sqlerr.DuplicateColumn, "a partition key is given twice in PARTITION (%s)", strings.Join(ps.Keys, ", "))
	}
	vals := make([]string, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		v, ok := byKey[k.Name]
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidParameterValue, "partition key \"%s\" of table \"%s\" has no value", k.Name, t.Name)
		}
		kt, err := types.Parse(k.Type)
		if err != nil {
			return nil, err
		}
		c, err := canonicalValue(kt, v)
		if err != nil {
			return nil, sqlerr.New(sqlerr.InvalidTextRepr, "invalid input syntax for type %s: \"%s\" (partition key \"%s\" of table \"%s\")", kt, v, k.Name, t.Name)
		}
		vals[i] = c
		delete(byKey, k.Name)
	}
	for k := range byKey {
		return nil, sqlerr.New(sqlerr.UndefinedColumn, "\"%s\" is not a partition key of table \"%s\"", k, t.Name)
	}
	return vals, nil
}

func (s *Session) alterTable(ctx context.Context, x *ast.AlterTableLake) (*Result, error) {
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	res := &Result{Tag: "ALTER TABLE"}
	if t.Type != catalog.ExternalTable && x.Action != "rename" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "ALTER TABLE … %s applies to external tables; \"%s\" is a %s", strings.ToUpper(x.Action), t.Name, strings.ToLower(strings.ReplaceAll(t.Type, "_", " ")))
	}
	switch x.Action {
	case "add partition":
		existing, err := s.partitionSet(ctx, t)
		if err != nil {
			return nil, err
		}
		var add []catalog.Partition
		for _, ps := range x.Partitions {
			vals, err := partitionValues(t, ps)
			if err != nil {
				return nil, err
			}
			if existing[strings.Join(vals, "\x00")] {
				if x.IfNotExists {
					continue
				}
				return nil, sqlerr.New(sqlerr.DuplicateObject, "partition (%s) of table \"%s\" already exists", specText(t, vals), t.Name)
			}
			loc := ps.Location
			if loc == "" {
				loc = catalog.HivePath(t.Storage.Location, keyNames(t), vals)
			} else if err := s.checkScheme(loc); err != nil {
				return nil, err
			}
			add = append(add, catalog.Partition{Values: vals, Location: loc})
		}
		if _, err := s.eng.store.AddPartitions(ctx, t.Database, t.Name, add); err != nil {
			return nil, err
		}
	case "drop partition":
		existing, err := s.partitionSet(ctx, t)
		if err != nil {
			return nil, err
		}
		var drop [][]string
		for _, ps := range x.Partitions {
			vals, err := partitionValues(t, ps)
			if err != nil {
				return nil, err
			}
			if !existing[strings.Join(vals, "\x00")] {
				if x.IfExists {
					continue
				}
				return nil, sqlerr.New(sqlerr.UndefinedObject, "partition (%s) of table \"%s\" does not exist", specText(t, vals), t.Name)
			}
			drop = append(drop, vals)
		}
		if _, err := s.eng.store.DropPartitions(ctx, t.Database, t.Name, drop); err != nil {
			return nil, err
		}
	case "rename":
		if x.NewName.Schema != "" && x.NewName.Schema != t.Database {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "cannot move table \"%s\" to another database", t.Name)
		}
		if existing, err := s.eng.store.GetTable(ctx, t.Database, x.NewName.Name); err != nil {
			return nil, err
		} else if existing != nil {
			return nil, sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", x.NewName.Name)
		}
		// a managed table's files stay at the location the catalog names
		// (one an earlier lakeq wrote is adopted first: its folder is named
		// after the table)
		if err := s.eng.adoptLegacy(ctx, t); err != nil {
			return nil, err
		}
		what := "rename table"
		if t.Type == catalog.VirtualView {
			what = "rename view"
		}
		if err := s.refuseWithDependents(ctx, t, what); err != nil {
			return nil, err
		}
		seqs, err := s.ownedSequences(ctx, t.Database, t.Name)
		if err != nil {
			return nil, err
		}
		if err := s.eng.store.RenameTable(ctx, t.Database, t.Name, x.NewName.Name); err != nil {
			return nil, err
		}
		for _, q := range seqs { // its serial columns' sequences stay its own
			col := strings.TrimPrefix(q.Parameters[seqOwnedBy], t.Name+".")
			if err := s.updateTable(ctx, q.Database, q.Name, func(cur *catalog.Table) error {
				cur.Parameters[seqOwnedBy] = x.NewName.Name + "." + col
				return nil
			}); err != nil {
				return nil, err
			}
		}
		if s.temp != nil && t.Database == s.temp.name {
			if a := s.temp.onCommit[t.Name]; a != nil {
				delete(s.temp.onCommit, t.Name)
				s.temp.onCommit[x.NewName.Name] = a
			}
		}
	case "set location":
		if err := s.checkLocation(ctx, x.Location); err != nil {
			return nil, err
		}
		err = s.updateTable(ctx, t.Database, t.Name, func(t *catalog.Table) error {
			t.Storage.Location = x.Location
			return nil
		})
	case "set tblproperties", "unset tblproperties", "set serdeproperties":
		err = s.updateTable(ctx, t.Database, t.Name, func(t *catalog.Table) error {
			switch x.Action {
			case "set tblproperties":
				if t.Parameters == nil {
					t.Parameters = map[string]string{}
				}
				for k, v := range x.Props {
					t.Parameters[k] = v
				}
			case "unset tblproperties":
				for _, k := range x.PropKeys {
					delete(t.Parameters, k)
				}
			default:
				if t.Storage.SerDeParams == nil {
					t.Storage.SerDeParams = map[string]string{}
				}
				for k, v := range x.Props {
					t.Storage.SerDeParams[k] = v
				}
			}
			return validateExternal(t)
		})
	case "add columns", "replace columns":
		err = s.updateTable(ctx, t.Database, t.Name, func(t *catalog.Table) error {
			seen := map[string]bool{}
			for _, k := range t.PartitionKeys {
				seen[k.Name] = true
			}
			if x.Action == "add columns" {
				for _, c := range t.Columns {
					seen[c.Name] = true
				}
			}
			cols, err := lakeColumns(x.Columns, seen, "column")
			if err != nil {
				return err
			}
			if x.Action == "add columns" {
				t.Columns = append(t.Columns, cols...)
			} else {
				t.Columns = cols
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// partitionSet is the set of a table's registered partitions, keyed by
// their values joined with NUL.
func (s *Session) partitionSet(ctx context.Context, t *catalog.Table) (map[string]bool, error) {
	ps, err := s.eng.store.ListPartitions(ctx, t.Database, t.Name)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(ps))
	for _, p := range ps {
		out[strings.Join(p.Values, "\x00")] = true
	}
	return out, nil
}

func specText(t *catalog.Table, vals []string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = t.PartitionKeys[i].Name + "='" + v + "'"
	}
	return strings.Join(parts, ", ")
}

// msckBatch is how many partitions one catalog transaction adds: a
// repair interrupted midway keeps the batches it committed and the next
// run adds only the rest.
const msckBatch = 1000

// msck is MSCK REPAIR TABLE: it walks the table's location for k=v
// folders of its partition keys and registers those not in the catalog.
func (s *Session) msck(ctx context.Context, x *ast.MsckRepair) (*Result, error) {
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if t.Type != catalog.ExternalTable || len(t.PartitionKeys) == 0 {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "MSCK REPAIR TABLE needs a partitioned external table; \"%s\" is not one", t.Name)
	}
	root := t.Storage.Location
	if err := s.checkLocation(ctx, root); err != nil {
		return nil, err
	}
	existing, err := s.partitionSet(ctx, t)
	if err != nil {
		return nil, err
	}
	found, skipped, err := walkPartitions(ctx, s.fs(), root, t)
	if err != nil {
		return nil, err
	}
	var add []catalog.Partition
	for _, p := range found {
		if !existing[strings.Join(p.Values, "\x00")] {
			add = append(add, p)
		}
	}
	added := 0
	for i := 0; i < len(add); i += msckBatch {
		end := min(i+msckBatch, len(add))
		n, err := s.eng.store.AddPartitions(ctx, t.Database, t.Name, add[i:end])
		if err != nil {
			return nil, err
		}
		added += n
	}
	rows := [][]types.Value{{fmt.Sprintf("Partitions added: %d (already registered: %d, skipped: %d)", added, len(found)-len(add), len(skipped))}}
	for _, sk := range skipped {
		rows = append(rows, []types.Value{"Skipped: " + sk})
	}
	res := textResult([]string{"result"}, rows, "MSCK REPAIR TABLE")
	return res, nil
}

// walkPartitions finds root/k1=v1/…/kn=vn folders for the table's keys.
// Folders that do not match the layout, or whose values do not convert
// to the key types, are reported as skipped.
func walkPartitions(ctx context.Context, fsys storage.FileSystem, root string, t *catalog.Table) ([]catalog.Partition, []string, error) {
	keyTypes := make([]types.T, len(t.PartitionKeys))
	for i, k := range t.PartitionKeys {
		kt, err := types.Parse(k.Type)
		if err != nil {
			return nil, nil, err
		}
		keyTypes[i] = kt
	}
	var found []catalog.Partition
	var skipped []string
	root = strings.TrimRight(root, "/")
	rel := func(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, root), "/") }
	var walk func(dir string, level int, vals []string) error
	walk = func(dir string, level int, vals []string) error {
		if err := ctx.Err(); err != nil {
			return sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		if level == len(t.PartitionKeys) {
			found = append(found, catalog.Partition{Values: append([]string(nil), vals...), Location: dir})
			return nil
		}
		dirs, err := storage.Folders(ctx, fsys, dir)
		if err != nil {
			return err
		}
		key := t.PartitionKeys[level].Name
		for _, d := range dirs {
			k, v, ok := strings.Cut(d, "=")
			if !ok || !strings.EqualFold(k, key) {
				skipped = append(skipped, rel(dir+"/"+d))
				continue
			}
			if u, err := url.PathUnescape(v); err == nil {
				v = u // Hive escapes special characters in folder names
			}
			c, err := canonicalValue(keyTypes[level], v)
			if err != nil {
				skipped = append(skipped, fmt.Sprintf("%s (not a valid %s)", rel(dir+"/"+d), keyTypes[level]))
				continue
			}
			if err := walk(dir+"/"+d, level+1, append(vals, c)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root, 0, nil); err != nil {
		return nil, nil, err
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Location < found[j].Location })
	return found, skipped, nil
}

// canonicalValue is a partition value in its key type's canonical text
// (month=01 and month=1 are one partition of an int key).
func canonicalValue(t types.T, v string) (string, error) {
	if t.Kind == types.Text || t.Kind == types.Varchar || t.Kind == types.Char {
		return v, nil
	}
	x, err := types.ParseText(t, v, nil)
	if err != nil {
		return "", err
	}
	return types.FormatText(t, x), nil
}

// comment runs COMMENT ON TABLE|VIEW|COLUMN: the text lands in the
// catalog (Glue's table and column comments), where pg_description,
// DESCRIBE and SHOW CREATE TABLE read it.
func (s *Session) comment(ctx context.Context, x *ast.Comment) (*Result, error) {
	t, err := s.resolveTable(ctx, x.Table)
	if err != nil {
		return nil, err
	}
	if (x.Kind == "view") != (t.Type == catalog.VirtualView) && x.Kind != "column" {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a %s", x.Table.String(), x.Kind)
	}
	text := ""
	if x.Text != nil {
		text = *x.Text
	}
	err = s.updateTable(ctx, t.Database, t.Name, func(t *catalog.Table) error {
		if x.Kind != "column" {
			t.Comment = text
			return nil
		}
		for _, cols := range [][]catalog.Column{t.Columns, t.PartitionKeys} {
			for i := range cols {
				if cols[i].Name == x.Column {
					cols[i].Comment = text
					return nil
				}
			}
		}
		return sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", x.Column, t.Name)
	})
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "COMMENT"}, nil
}

// createExternalAsSelect runs Spectrum's CREATE EXTERNAL TABLE t
// [PARTITIONED BY (c, …)] [ROW FORMAT DELIMITED …] STORED AS f LOCATION
// '…' [TABLE PROPERTIES (…)] AS query: Athena's CTAS with its options
// spelled as Hive DDL, written and published the same way.
func (s *Session) createExternalAsSelect(ctx context.Context, x *ast.CreateExternalTable) (*Result, error) {
	what := "CREATE EXTERNAL TABLE … AS"
	if len(x.Columns) > 0 {
		return nil, sqlerr.New(sqlerr.SyntaxError, "%s takes its columns from the query: %s has a column list", what, x.Name.Name)
	}
	if x.Location == "" {
		return nil, sqlerr.New(invalidTableDefinition, "%s %s needs a LOCATION", what, x.Name.Name)
	}
	if x.InputFormat != "" || x.RowFormat == "SERDE" {
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s writes STORED AS PARQUET, TEXTFILE, CSV, TSV or JSON, not a named SerDe or input format", what)
	}
	format := x.StoredAs
	if format == "" {
		format = "TEXTFILE"
	}
	opts := []ast.Option{{Name: "format", Value: format}, {Name: "external_location", Value: x.Location}}
	var parts []string
	for _, c := range x.PartitionedBy {
		if c.Type != "" {
			return nil, sqlerr.New(sqlerr.SyntaxError, "%s: PARTITIONED BY names the query's columns, without types (\"%s %s\")", what, c.Name, c.Type)
		}
		parts = append(parts, c.Name)
	}
	if len(parts) > 0 {
		opts = append(opts, ast.Option{Name: "partitioned_by", Value: strings.Join(parts, ",")})
	}
	if len(x.ClusteredBy) > 0 {
		opts = append(opts, ast.Option{Name: "bucketed_by", Value: strings.Join(x.ClusteredBy, ",")}, ast.Option{Name: "bucket_count", Value: strconv.Itoa(x.Buckets)})
	}
	for k, v := range x.SerDeProps {
		if k != "field.delim" {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: %s is not supported (FIELDS TERMINATED BY is)", what, k)
		}
		opts = append(opts, ast.Option{Name: "field_delimiter", Value: v})
	}
	props := map[string]string{}
	serial := false
	for k, v := range x.TblProps {
		switch strings.ToLower(k) {
		case "compression_type":
			opts = append(opts, ast.Option{Name: "write_compression", Value: v})
		case "write.parallel":
			switch strings.ToLower(v) {
			case "on":
			case "off":
				serial = true
			default:
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "table property write.parallel must be on or off, got '%s'", v)
			}
		case "write.maxfilesize.mb", "write.kms.key.id":
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "%s: table property %s is not supported", what, k)
		default:
			props[k] = v
		}
	}
	o, err := parseCTASOptions(opts)
	if err != nil {
		return nil, err
	}
	o.serial, o.props = serial, props
	ct := &ast.CreateTable{Name: x.Name, IfNotExists: x.IfNotExists, Query: x.Query, WithData: true}
	return s.createTableWith(ctx, ct, x.QuerySQL, nil, o)
}
