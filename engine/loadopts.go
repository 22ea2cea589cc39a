package engine

import (
	"strconv"
	"strings"

	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
)

// loadOpts is a COPY FROM resolved from PostgreSQL's or Redshift's
// options: one loader (engine/load.go) runs both.
type loadOpts struct {
	redshift bool
	csv      bool
	// pgText is PostgreSQL's text format: backslash escapes always, the
	// \. end marker; Redshift's text format knows escapes only with ESCAPE.
	pgText bool
	delim  byte
	quote  byte // CSV
	escape byte // CSV: the quote's escape (the quote itself unless ESCAPE)
	null   string
	header int64 // lines skipped at the start of each file
	// comp is the codec named by the statement; unset, each file's
	// extension decides (a .gz read as text is never what was meant)
	comp    storage.Compression
	compSet bool

	emptyAsNull, blanksAsNull, truncate, fill, trim      bool
	removeQuotes, bsEscape, ignoreBlank, noload, roundec bool
	dateFmt, timeFmt                                     string
	acceptInv                                            string // "" = invalid UTF-8 rejects the row
	maxErr                                               int64
	manifest                                             bool
	// json is FORMAT JSON's argument: "auto", "auto ignorecase", or a
	// jsonpaths file's path ("" = not JSON); paths are its expressions
	json  string
	paths [][]jsonStep
	// headerMatch (HEADER MATCH): the header line must name the columns
	headerMatch bool
	// forceNotNull, forceNull (PostgreSQL's CSV): per loaded column, the
	// NULL marker read as a string, a quoted one read as NULL
	forceNotNull, forceNull []bool
	// parquet: columns map to the table's by name (case-insensitive),
	// or with byPosition (FORMAT PARQUET BY POSITION) in order
	parquet, byPosition bool
}

// pg reports PostgreSQL's text or CSV format (not Redshift's, JSON or
// Parquet): lines, fields and NULLs read as PostgreSQL reads them.
func (o *loadOpts) pg() bool { return !o.redshift && o.json == "" && !o.parquet }

// pgLoadOpts maps PostgreSQL's COPY options: the first bad row fails the
// load with its own SQLSTATE, as in PostgreSQL.
func pgLoadOpts(x *ast.Copy) (loadOpts, error) {
	d, err := dialectOf(x)
	if err != nil {
		return loadOpts{}, err
	}
	o := loadOpts{csv: d.csv, pgText: !d.csv, delim: d.delim, quote: d.quote, escape: d.escape, null: d.null, comp: storage.NoCompression, compSet: true}
	if d.header {
		o.header = 1
	}
	o.headerMatch = x.HeaderMatch
	return o, nil
}

// forceColumns resolves FORCE_NOT_NULL and FORCE_NULL to the loaded
// columns, with PostgreSQL's errors for a column the table lacks or the
// COPY does not load.
func (o *loadOpts) forceColumns(x *ast.Copy, tgt *loadTarget) error {
	resolve := func(option string, names []string) ([]bool, error) {
		if len(names) == 0 {
			return nil, nil
		}
		flags := make([]bool, len(tgt.cols))
		for _, name := range names {
			ti := -1
			for i, c := range tgt.pt.Columns {
				if c.Name == name && !c.Pseudo {
					ti = i
				}
			}
			if ti < 0 {
				return nil, sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", name, x.Table.Name)
			}
			j := -1
			for k, c := range tgt.cols {
				if c == ti {
					j = k
				}
			}
			if j < 0 {
				return nil, sqlerr.New(sqlerr.InvalidColumnReference, "%s column \"%s\" not referenced by COPY", option, name)
			}
			flags[j] = true
		}
		return flags, nil
	}
	var err error
	if o.forceNotNull, err = resolve("FORCE_NOT_NULL", x.ForceNotNull); err != nil {
		return err
	}
	o.forceNull, err = resolve("FORCE_NULL", x.ForceNull)
	return err
}

// redshiftLoadOpts maps Redshift's COPY options, with its defaults ('|'
// delimiter, ',' for CSV, '\N' as NULL, MAXERROR 0) and its
// incompatible-option errors.
func redshiftLoadOpts(x *ast.Copy) (loadOpts, error) {
	o := loadOpts{redshift: true, delim: '|', null: `\N`, quote: '"', escape: '"'}
	seen := map[string]bool{}
	delimSet, quoteSet := false, false
	conflict := func(a, b string) error {
		return sqlerr.New(sqlerr.SyntaxError, "COPY options %s and %s are not compatible", a, b)
	}
	unsupported := func(name, why string) error {
		return sqlerr.New(sqlerr.FeatureNotSupported, "COPY option %s is not supported%s", name, why)
	}
	count := func(name, v string) (int64, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, sqlerr.New(sqlerr.InvalidParameterValue, "COPY %s needs a non-negative integer, not \"%s\"", name, v)
		}
		return n, nil
	}
	var err error
	for _, op := range x.Options {
		if seen[op.Name] && op.Name != "FORMAT" {
			return o, sqlerr.New(sqlerr.SyntaxError, "COPY option %s given twice", op.Name)
		}
		seen[op.Name] = true
		switch op.Name {
		case "FORMAT":
			if seen["FORMAT:"] {
				return o, sqlerr.New(sqlerr.SyntaxError, "COPY takes one FORMAT")
			}
			seen["FORMAT:"] = true
			switch op.Value {
			case "CSV":
				o.csv = true
			case "JSON":
				o.json = "auto"
			case "PARQUET":
				o.parquet = true
			default:
				return o, unsupported("FORMAT "+op.Value, " (lakeq loads CSV and delimited text)")
			}
		case "PARQUET":
			o.byPosition = op.Value == "POSITION"
		case "JSON":
			o.json = op.Value
			if lv := strings.ToLower(op.Value); lv == "auto" || lv == "auto ignorecase" {
				o.json = lv
			}
		case "DELIMITER":
			c, ok := redshiftChar(op.Value)
			if !ok {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "COPY DELIMITER must be a single one-byte character")
			}
			o.delim, delimSet = c, true
		case "QUOTE":
			if len(op.Value) != 1 {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "COPY QUOTE must be a single one-byte character")
			}
			o.quote, o.escape, quoteSet = op.Value[0], op.Value[0], true
		case "NULL":
			o.null = op.Value
		case "IGNOREHEADER":
			if o.header, err = count(op.Name, op.Value); err != nil {
				return o, err
			}
		case "MAXERROR":
			if o.maxErr, err = count(op.Name, op.Value); err != nil {
				return o, err
			}
		case "GZIP", "BZIP2", "ZSTD":
			if o.compSet {
				return o, sqlerr.New(sqlerr.SyntaxError, "COPY takes one compression option")
			}
			o.comp, o.compSet = map[string]storage.Compression{"GZIP": storage.Gzip, "BZIP2": storage.Bzip2, "ZSTD": storage.Zstd}[op.Name], true
		case "EMPTYASNULL":
			o.emptyAsNull = true
		case "BLANKSASNULL":
			o.blanksAsNull = true
		case "TRUNCATECOLUMNS":
			o.truncate = true
		case "FILLRECORD":
			o.fill = true
		case "TRIMBLANKS":
			o.trim = true
		case "REMOVEQUOTES":
			o.removeQuotes = true
		case "ESCAPE":
			o.bsEscape = true
		case "IGNOREBLANKLINES":
			o.ignoreBlank = true
		case "NOLOAD":
			o.noload = true
		case "ROUNDEC":
			o.roundec = true
		case "MANIFEST":
			o.manifest = true
		case "DATEFORMAT":
			if o.dateFmt, err = checkDateFormat(op.Value, false); err != nil {
				return o, err
			}
		case "TIMEFORMAT":
			if o.timeFmt, err = checkDateFormat(op.Value, true); err != nil {
				return o, err
			}
		case "ACCEPTINVCHARS":
			if len(op.Value) != 1 || op.Value[0] >= 0x80 {
				return o, sqlerr.New(sqlerr.InvalidParameterValue, "COPY ACCEPTINVCHARS replacement must be one ASCII character")
			}
			o.acceptInv = op.Value
		case "ENCODING":
			if op.Value != "UTF8" {
				return o, unsupported("ENCODING "+op.Value, " (lakeq loads UTF8)")
			}
		case "COMPUPDATE", "STATUPDATE":
			// Redshift's column-encoding and statistics passes: lakeq
			// picks each file's encodings as it writes it and keeps no
			// statistics a load must refresh (README: COPY)
		case "IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "REGION":
			return o, unsupported(op.Name, ": lakeq reads S3 with its own credentials (the AWS chain, --s3-* flags or SET s3_access_key_id, s3_secret_access_key, s3_region …)")
		default:
			return o, unsupported(op.Name, "")
		}
	}
	if o.parquet {
		for _, k := range []string{"DELIMITER", "QUOTE", "REMOVEQUOTES", "ESCAPE", "FILLRECORD", "IGNOREHEADER", "NULL", "GZIP", "BZIP2", "ZSTD",
			"EMPTYASNULL", "BLANKSASNULL", "DATEFORMAT", "TIMEFORMAT", "IGNOREBLANKLINES", "ACCEPTINVCHARS", "TRIMBLANKS"} {
			if seen[k] {
				return o, conflict("PARQUET", k)
			}
		}
	}
	if o.json != "" {
		for _, k := range []string{"DELIMITER", "QUOTE", "REMOVEQUOTES", "ESCAPE", "FILLRECORD", "IGNOREHEADER", "NULL"} {
			if seen[k] {
				return o, conflict("JSON", k)
			}
		}
	}
	if o.csv {
		if !delimSet {
			o.delim = ','
		}
		for _, k := range []string{"REMOVEQUOTES", "ESCAPE", "FIXEDWIDTH"} {
			if seen[k] {
				return o, conflict("CSV", k)
			}
		}
	} else if quoteSet {
		return o, sqlerr.New(sqlerr.SyntaxError, "COPY QUOTE needs CSV")
	}
	if o.delim == '\n' || o.delim == '\r' || o.bsEscape && o.delim == '\\' {
		return o, sqlerr.New(sqlerr.InvalidParameterValue, "COPY DELIMITER cannot be %q", o.delim)
	}
	if o.noload && o.maxErr == 0 {
		// NOLOAD checks the whole input: count every error
		o.maxErr = 1 << 62
	}
	return o, nil
}

// checkDateFormat validates a DATEFORMAT/TIMEFORMAT: 'auto', for
// timestamps 'epochsecs' or 'epochmillisecs', or a pattern of Redshift's
// datetime parts. It returns the form the converter uses.
func checkDateFormat(f string, ts bool) (string, error) {
	switch lf := strings.ToLower(f); {
	case lf == "auto":
		return "auto", nil
	case ts && (lf == "epochsecs" || lf == "epochmillisecs"):
		return lf, nil
	}
	if _, err := compileDateFormat(f); err != nil {
		return "", err
	}
	return f, nil
}

// redshiftChar reads a one-character option of Redshift's COPY and
// UNLOAD: the character itself, or written as Redshift allows for
// non-printing ones, '\t' for a tab or '\ddd' in octal ('\001').
func redshiftChar(v string) (byte, bool) {
	switch {
	case len(v) == 1:
		return v[0], true
	case v == `\t`:
		return '\t', true
	case len(v) == 4 && v[0] == '\\':
		n, err := strconv.ParseUint(v[1:], 8, 8)
		return byte(n), err == nil
	}
	return 0, false
}
