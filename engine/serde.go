package engine

import (
	"context"
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage/csv"
	jsonl "github.com/lakeq/lakeq/storage/json"
)

// storedAs is what STORED AS <name> means: input format, output format
// and the SerDe used when ROW FORMAT does not name one. CSV and TSV are
// lakeq's shorthands (OpenCSVSerde with ',' and LazySimpleSerDe with
// tabs); JSON is the Hive JSON SerDe.
var storedAs = map[string][3]string{
	"PARQUET":  {catalog.InputParquet, catalog.OutputParquet, catalog.SerDeParquet},
	"TEXTFILE": {catalog.InputText, catalog.OutputText, catalog.SerDeLazySimple},
	"CSV":      {catalog.InputText, catalog.OutputText, catalog.SerDeOpenCSV},
	"TSV":      {catalog.InputText, catalog.OutputText, catalog.SerDeLazySimple},
	"JSON":     {catalog.InputText, catalog.OutputText, catalog.SerDeHiveJSON},
	"ORC":      {catalog.InputORC, "org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat", catalog.SerDeORC},
	"AVRO":     {catalog.InputAvro, "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat", catalog.SerDeAvro},
}

// tableFormat is how an external table's files are read.
type tableFormat struct {
	kind string // parquet, text, json
	csv  csv.Options
	json jsonl.Options
}

// formatOf derives the reader from a table's storage descriptor and
// parameters; unsupported SerDes and formats are 0A000.
func formatOf(t *catalog.Table) (*tableFormat, error) {
	sd := t.Storage
	serde := sd.SerDe
	switch {
	case serde == catalog.SerDeORC || sd.InputFormat == catalog.InputORC:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "table \"%s\": ORC files are not supported yet", t.Name)
	case serde == catalog.SerDeAvro || sd.InputFormat == catalog.InputAvro:
		return nil, sqlerr.New(sqlerr.FeatureNotSupported, "table \"%s\": Avro files are not supported yet", t.Name)
	case serde == catalog.SerDeParquet || sd.InputFormat == catalog.InputParquet:
		return &tableFormat{kind: "parquet"}, nil
	case serde == catalog.SerDeHiveJSON || serde == catalog.SerDeOpenXJSON:
		f := &tableFormat{kind: "json"}
		p := sd.SerDeParams
		f.json.IgnoreErrors = strings.EqualFold(p["ignore.malformed.json"], "true")
		f.json.CaseSensitive = strings.EqualFold(p["case.insensitive"], "false")
		for k, v := range p {
			if col, ok := strings.CutPrefix(k, "mapping."); ok {
				if f.json.Keys == nil {
					f.json.Keys = map[string]string{}
				}
				f.json.Keys[strings.ToLower(col)] = v
			}
		}
		comp, err := compressionOf(t)
		if err != nil {
			return nil, err
		}
		f.json.Compression = comp
		return f, nil
	case serde == catalog.SerDeLazySimple || serde == catalog.SerDeOpenCSV:
		f := &tableFormat{kind: "text"}
		o := &f.csv
		o.Hive = true
		o.Header, o.HeaderSet = false, true
		p := sd.SerDeParams
		one := func(k, def string) (byte, error) {
			v, ok := p[k]
			if !ok {
				v = def
			}
			if len(v) > 1 {
				// Hive allows a decimal byte value (field.delim = '9').
				if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < 256 {
					return byte(n), nil
				}
				return 0, sqlerr.New(sqlerr.InvalidParameterValue, "table \"%s\": %s must be a single character, got \"%s\"", t.Name, k, v)
			}
			if v == "" {
				return 0, nil
			}
			return v[0], nil
		}
		var err error
		if serde == catalog.SerDeOpenCSV {
			if o.Delim, err = one("separatorChar", ","); err != nil {
				return nil, err
			}
			if o.Quote, err = one("quoteChar", "\""); err != nil {
				return nil, err
			}
			if o.Escape, err = one("escapeChar", "\\"); err != nil {
				return nil, err
			}
			// OpenCSVSerde has no NULL token: an empty field is an empty
			// string (and NULL for other types, which cannot convert it).
			// NUL never occurs as a whole field of a text file.
			o.NullStr, o.NullSet = "\x00", true
		} else {
			def := "\x01"
			if v, ok := p["serialization.format"]; ok && len(v) == 1 {
				def = v
			}
			if o.Delim, err = one("field.delim", def); err != nil {
				return nil, err
			}
			if o.Escape, err = one("escape.delim", ""); err != nil {
				return nil, err
			}
			o.EscapeCRLF = strings.EqualFold(p["serialization.escape.crlf"], "true")
			if ld, ok := p["line.delim"]; ok && ld != "\n" {
				return nil, sqlerr.New(sqlerr.FeatureNotSupported, "table \"%s\": LINES TERMINATED BY must be '\\n'", t.Name)
			}
			o.NullStr, o.NullSet = `\N`, true
			o.Quote = csv.NoQuote // LazySimpleSerDe has no quoting: a quote is data
		}
		nullFmt, ok := p["serialization.null.format"]
		if !ok {
			nullFmt, ok = t.Parameters["serialization.null.format"]
		}
		if ok {
			o.NullStr, o.NullSet = nullFmt, true
		}
		if v, ok := t.Parameters["skip.header.line.count"]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "table \"%s\": skip.header.line.count must be a non-negative integer, got \"%s\"", t.Name, v)
			}
			o.Skip = n
		}
		comp, err := compressionOf(t)
		if err != nil {
			return nil, err
		}
		o.Compression = comp
		return f, nil
	}
	return nil, sqlerr.New(sqlerr.FeatureNotSupported, "table \"%s\": SerDe \"%s\" is not supported", t.Name, serde)
}

// compressionOf reads the compressionType table property ("" = by extension).
func compressionOf(t *catalog.Table) (string, error) {
	v := strings.ToLower(strings.TrimSpace(t.Parameters["compressionType"]))
	switch v {
	case "", "auto":
		return "", nil
	case "none", "gzip", "bzip2", "zstd", "snappy", "lz4", "deflate":
		return v, nil
	}
	return "", sqlerr.New(sqlerr.InvalidParameterValue, "table \"%s\": compressionType \"%s\" is not one of none, gzip, bzip2, zstd, snappy, lz4, deflate", t.Name, v)
}

// tableRows is the planner's row estimate: ANALYZE's count, else the
// numRows/recordCount a crawler or writer left in the parameters, else 0.
func (e *Engine) tableRows(ctx context.Context, t *catalog.Table) int64 {
	st, err := e.store.GetStats(ctx, t.Database, t.Name)
	if err == nil {
		for _, c := range st {
			if c.Partition == "" && c.Column == "" {
				return c.RowCount
			}
		}
	}
	for _, k := range []string{"numRows", "recordCount"} {
		if n, err := strconv.ParseInt(t.Parameters[k], 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return 0
}
