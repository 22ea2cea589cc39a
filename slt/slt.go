// Package slt runs sqllogictest scripts (SQLite's format plus
// "statement error <SQLSTATE|regex>" and "query error") against a fresh
// lakeq engine per file, as engine "postgresql".
package slt

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/storage/s3"
	"github.com/lakeq/lakeq/types"
)

// Record is one test record.
type Record struct {
	Kind      string // "statement", "query"
	Line      int
	SQL       string
	ExpectErr bool
	ErrMatch  string // SQLSTATE or regex, "" = any error
	Types     string
	Sort      string
	Label     string
	Expected  []string // result lines as written
	Skip      bool
	// LowMem: "skipif lowmem" — the record holds more than a small
	// memory_limit allows (Options.MemLimit), by design
	LowMem bool
	// position of the expected block in the file (for -rewrite)
	expStart, expEnd int
}

// Result counts outcomes.
type Result struct {
	File                    string
	Passed, Failed, Skipped int
	Failures                []string
	Elapsed                 time.Duration
	Rewritten               []string // the file's lines after -rewrite
}

// Options control a run.
type Options struct {
	Engine      string // the engine name for skipif/onlyif, default "postgresql"
	Rewrite     bool
	MaxFailures int // failures kept in Result.Failures
	StmtTimeout time.Duration
	Workers     int
	Verbose     bool
	// Storage is the layout the script's tables are read from: managed
	// (the default), parquet, csv or json (see layout.go).
	Storage string
	// LayoutRoot, when set, is where the layout's copies go instead of the
	// scratch folder: an s3:// prefix (each script gets its own below it)
	// with S3 configuring the engine.
	LayoutRoot string
	S3         s3.Config
	// MountAdmin is a PostgreSQL superuser's URL, for the pgmount
	// layout (StorageMount).
	MountAdmin string
	// PostgresDiffers lists records ("file.test:line") whose expected
	// answer PostgreSQL 15 itself does not give, with its answer: they
	// are skipped (the corpus was written for SQLite).
	PostgresDiffers map[string]string
	// MemLimit is the engine's memory_limit in bytes (0: its default): a
	// small one makes every operator that can spill do so, and the
	// answers must not change.
	MemLimit int64
}

// Parse reads a script.
func Parse(path string) ([]*Record, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	var recs []*Record
	var conds []string
	i := 0
	for i < len(lines) {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			i++
			continue
		}
		fields := strings.Fields(line)
		switch fields[0] {
		case "skipif", "onlyif":
			conds = append(conds, fields[0]+" "+fields[1])
			i++
			continue
		case "hash-threshold":
			i++
			continue
		case "halt":
			recs = append(recs, &Record{Kind: "halt", Line: i + 1, Skip: skipFor(conds)})
			conds = nil
			i++
			continue
		case "statement", "query":
		default:
			return nil, nil, fmt.Errorf("%s:%d: unknown record %q", path, i+1, fields[0])
		}
		r := &Record{Kind: fields[0], Line: i + 1}
		r.Skip = skipFor(conds)
		r.LowMem = slices.Contains(conds, "skipif lowmem")
		conds = nil
		if r.Kind == "statement" {
			if len(fields) > 1 && fields[1] == "error" {
				r.ExpectErr = true
				r.ErrMatch = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "statement"), " error"))
			}
		} else {
			if len(fields) > 1 && fields[1] == "error" {
				r.ExpectErr = true
				r.ErrMatch = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(line, "query"), " error"))
			} else {
				if len(fields) > 1 {
					r.Types = fields[1]
				}
				r.Sort = "nosort"
				if len(fields) > 2 {
					r.Sort = fields[2]
				}
				if len(fields) > 3 {
					r.Label = fields[3]
				}
			}
		}
		i++
		var sqlLines []string
		for i < len(lines) && strings.TrimSpace(lines[i]) != "" && strings.TrimSpace(lines[i]) != "----" {
			sqlLines = append(sqlLines, lines[i])
			i++
		}
		r.SQL = strings.Join(sqlLines, "\n")
		if i < len(lines) && strings.TrimSpace(lines[i]) == "----" {
			i++
			r.expStart = i
			for i < len(lines) && lines[i] != "" {
				r.Expected = append(r.Expected, lines[i])
				i++
			}
			r.expEnd = i
		} else {
			r.expStart, r.expEnd = -1, -1
		}
		recs = append(recs, r)
	}
	return recs, lines, nil
}

// skipFor reports whether a record's conditions skip it here. lakeq
// answers to "postgresql" (the records' expected results are
// PostgreSQL's) and to "lakeq": records of lakeq's own behaviour are
// marked onlyif lakeq, which scripts/pgexpect.py leaves alone.
func skipFor(conds []string) bool {
	skip := false
	for _, c := range conds {
		f := strings.Fields(c)
		switch f[0] {
		case "skipif":
			if f[1] == "postgresql" || f[1] == "lakeq" {
				skip = true
			}
		case "onlyif":
			if f[1] != "postgresql" && f[1] != "lakeq" {
				skip = true
			}
		}
	}
	return skip
}

var sqlstateRe = regexp.MustCompile(`^[0-9A-Z]{5}$`)

// RunFile runs one script in a fresh engine on a scratch data directory.
func RunFile(ctx context.Context, path string, opt Options) (*Result, error) {
	start := time.Now()
	recs, lines, err := Parse(path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "lakeq-slt-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	eng, err := engine.Open(ctx, engine.Config{DataDir: dir, Workers: opt.Workers, S3: opt.S3, MemLimit: opt.MemLimit})
	if err != nil {
		return nil, err
	}
	defer eng.Close()
	sess := eng.NewSession()
	var lay *layout
	var mnt *mount
	if opt.Storage == StorageMount {
		if mnt, err = newMount(ctx, opt.MountAdmin, sess); err != nil {
			return nil, err
		}
		defer mnt.close(context.Background())
	} else if opt.Storage != "" && opt.Storage != StorageManaged {
		root := dir
		if opt.LayoutRoot != "" {
			root = storage.Join(opt.LayoutRoot, filepath.Base(dir))
		}
		if lay, err = newLayout(opt.Storage, root, eng); err != nil {
			return nil, err
		}
	}
	res := &Result{File: path}
	// __SLT_DIR__ is the script's folder (fixtures beside it), and
	// __TEST_DIR__ a scratch folder of the run, as in DuckDB's runner;
	// both are replaced in statements and in expected results.
	sltDir, _ := filepath.Abs(filepath.Dir(path))
	subst := strings.NewReplacer("__SLT_DIR__", sltDir, "__TEST_DIR__", dir)
	if opt.MaxFailures == 0 {
		opt.MaxFailures = 20
	}
	if opt.StmtTimeout == 0 {
		opt.StmtTimeout = 60 * time.Second
	}
	fail := func(r *Record, msg string) {
		res.Failed++
		if len(res.Failures) < opt.MaxFailures {
			res.Failures = append(res.Failures, fmt.Sprintf("%s:%d: %s\n    %s", path, r.Line, msg, strings.ReplaceAll(r.SQL, "\n", "\n    ")))
		}
	}
	type rewrite struct {
		start, end int
		lines      []string
	}
	var rewrites []rewrite
	for _, r := range recs {
		if r.Kind == "halt" {
			if !r.Skip {
				break
			}
			continue
		}
		if _, differs := opt.PostgresDiffers[fmt.Sprintf("%s:%d", filepath.Base(path), r.Line)]; r.Skip || differs || r.LowMem && opt.MemLimit > 0 {
			res.Skipped++
			continue
		}
		qctx, cancel := context.WithTimeout(ctx, opt.StmtTimeout)
		sql := subst.Replace(r.SQL)
		reads := lay != nil && r.Kind == "query" && readOnly(sql)
		if reads {
			sess.ReadAs = lay.readAs
		}
		mounted := mnt != nil && r.Kind == "query" && readOnly(sql)
		var path []string
		if mounted {
			path, sess.SearchPath = sess.SearchPath, []string{MountSchema}
		}
		rs, err := sess.Exec(qctx, sql)
		sess.ReadAs = nil
		if mounted {
			sess.SearchPath = path
		}
		if mnt != nil && !mounted && err == nil {
			if perr := mnt.exec(qctx, sql); perr != nil {
				cancel()
				fail(r, fmt.Sprintf("PostgreSQL refused what lakeq ran: %v", perr))
				continue
			}
		}
		if lay != nil && !reads {
			lay.touch()
		}
		cancel()
		if r.ExpectErr {
			if err == nil {
				fail(r, "expected an error, statement succeeded")
				continue
			}
			if r.ErrMatch != "" {
				code := sqlerr.Code(err)
				// "CODE regex" checks both the SQLSTATE and the message.
				if c, rest, ok := strings.Cut(r.ErrMatch, " "); ok && sqlstateRe.MatchString(c) {
					if code != c {
						fail(r, fmt.Sprintf("expected SQLSTATE %s, got %s: %v", c, code, err))
						continue
					}
					if re, rerr := regexp.Compile(rest); rerr == nil && !re.MatchString(err.Error()) {
						fail(r, fmt.Sprintf("error %q does not match %q", err.Error(), rest))
						continue
					}
				} else if sqlstateRe.MatchString(r.ErrMatch) {
					if code != r.ErrMatch {
						fail(r, fmt.Sprintf("expected SQLSTATE %s, got %s: %v", r.ErrMatch, code, err))
						continue
					}
				} else if re, rerr := regexp.Compile(r.ErrMatch); rerr == nil && !re.MatchString(err.Error()) {
					fail(r, fmt.Sprintf("error %q does not match %q", err.Error(), r.ErrMatch))
					continue
				}
			}
			res.Passed++
			continue
		}
		if err != nil {
			fail(r, fmt.Sprintf("unexpected error [%s]: %v", sqlerr.Code(err), err))
			continue
		}
		if r.Kind == "statement" {
			res.Passed++
			continue
		}
		if len(rs) == 0 {
			fail(r, "query returned no result")
			continue
		}
		out := rs[len(rs)-1]
		vals, err := render(out, r.Types)
		if err != nil {
			fail(r, err.Error())
			continue
		}
		ncol := len(out.Columns)
		switch r.Sort {
		case "rowsort":
			rows := make([][]string, 0, len(vals)/max(ncol, 1))
			for i := 0; i+ncol <= len(vals) && ncol > 0; i += ncol {
				rows = append(rows, vals[i:i+ncol])
			}
			sort.SliceStable(rows, func(a, b int) bool {
				for k := 0; k < ncol; k++ {
					if rows[a][k] != rows[b][k] {
						return rows[a][k] < rows[b][k]
					}
				}
				return false
			})
			sorted := make([]string, 0, len(vals))
			for _, row := range rows {
				sorted = append(sorted, row...)
			}
			vals = sorted
		case "valuesort":
			sort.Strings(vals)
		}
		got := vals
		if opt.Rewrite {
			var lines []string
			if len(got) > 8 {
				lines = []string{fmt.Sprintf("%d values hashing to %s", len(got), hashValues(got))}
			} else {
				lines = append(lines, got...)
			}
			rewrites = append(rewrites, rewrite{r.expStart, r.expEnd, lines})
			res.Passed++
			continue
		}
		want := r.Expected
		if strings.Contains(strings.Join(want, "\n"), "__") {
			want = make([]string, len(r.Expected))
			for i, l := range r.Expected {
				want[i] = subst.Replace(l)
			}
		}
		if msg := compare(want, got, ncol); msg != "" {
			fail(r, msg)
			continue
		}
		res.Passed++
	}
	if opt.Rewrite {
		out := append([]string(nil), lines...)
		// apply from the end so offsets stay valid
		for i := len(rewrites) - 1; i >= 0; i-- {
			rw := rewrites[i]
			if rw.start < 0 {
				continue
			}
			out = append(out[:rw.start], append(rw.lines, out[rw.end:]...)...)
		}
		res.Rewritten = out
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

var hashRe = regexp.MustCompile(`^(\d+) values hashing to ([0-9a-f]{32})$`)

func hashValues(vals []string) string {
	h := md5.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte("\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func compare(expected, got []string, ncol int) string {
	if len(expected) == 1 {
		if m := hashRe.FindStringSubmatch(strings.TrimSpace(expected[0])); m != nil {
			n, _ := strconv.Atoi(m[1])
			if n != len(got) {
				return fmt.Sprintf("expected %d values, got %d", n, len(got))
			}
			if h := hashValues(got); h != m[2] {
				return fmt.Sprintf("hash mismatch: expected %s, got %s", m[2], h)
			}
			return ""
		}
	}
	// expected values may be written one per line or one row per line
	var exp []string
	for _, l := range expected {
		if ncol > 1 && len(expected)*ncol == len(got) {
			exp = append(exp, splitRow(l, ncol)...)
		} else {
			exp = append(exp, l)
		}
	}
	if len(exp) != len(got) {
		return fmt.Sprintf("expected %d values, got %d:\n      expected: %s\n      got:      %s", len(exp), len(got), clip(exp), clip(got))
	}
	for i := range exp {
		if strings.TrimSpace(exp[i]) != strings.TrimSpace(got[i]) {
			return fmt.Sprintf("value %d: expected %q, got %q\n      expected: %s\n      got:      %s", i, exp[i], got[i], clip(exp), clip(got))
		}
	}
	return ""
}

func splitRow(l string, ncol int) []string {
	if strings.Contains(l, "\t") {
		return strings.Split(l, "\t")
	}
	f := strings.Fields(l)
	if len(f) == ncol {
		return f
	}
	return []string{l}
}

func clip(v []string) string {
	s := strings.Join(v, " | ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// render formats every value of the result, row-major, per the type letters.
func render(res *engine.Result, typ string) ([]string, error) {
	ncol := len(res.Columns)
	if typ != "" && len(typ) != ncol {
		return nil, fmt.Errorf("query has %d columns, the record says %d (%s)", ncol, len(typ), typ)
	}
	var out []string
	for _, b := range res.Records {
		n := int(b.NumRows())
		for i := 0; i < n; i++ {
			for c := 0; c < ncol; c++ {
				v := types.GetValue(res.Columns[c].Type, b.Column(c), i)
				letter := byte('T')
				if typ != "" {
					letter = typ[c]
				}
				out = append(out, formatValue(v, res.Columns[c].Type, letter, res.Loc))
			}
		}
	}
	return out, nil
}

func formatValue(v types.Value, t types.T, letter byte, loc *time.Location) string {
	if v == nil {
		return "NULL"
	}
	switch letter {
	case 'I':
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			return strconv.FormatInt(int64(math.Trunc(x)), 10)
		case types.Decimal:
			q := x.V.BigInt()
			q.Quo(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Scale)), nil))
			return q.String()
		case bool:
			if x {
				return "1"
			}
			return "0"
		case string:
			n, _ := strconv.ParseInt(leadingInt(x), 10, 64)
			return strconv.FormatInt(n, 10)
		}
	case 'R':
		switch x := v.(type) {
		case int64:
			return fmt.Sprintf("%.3f", float64(x))
		case float64:
			return fmt.Sprintf("%.3f", x)
		case types.Decimal:
			return fmt.Sprintf("%.3f", x.Float64())
		case string:
			f, _ := strconv.ParseFloat(strings.TrimSpace(x), 64)
			return fmt.Sprintf("%.3f", f)
		}
	}
	return RenderText(types.FormatTextIn(t, v, loc))
}

// RenderText is how a text value appears in a record's expected
// results: "(empty)" for the empty string, bytes outside printable ASCII
// as '@' (so records stay plain ASCII).
func RenderText(s string) string {
	if s == "" {
		return "(empty)"
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = '@'
		}
	}
	return string(b)
}

func leadingInt(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || (end == 0 && (s[end] == '-' || s[end] == '+'))) {
		end++
	}
	return s[:end]
}

// WriteRewritten saves a rewritten script.
func WriteRewritten(res *Result) error {
	if res.Rewritten == nil {
		return nil
	}
	tmp := res.File + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString(strings.Join(res.Rewritten, "\n"))
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	f.Close()
	return os.Rename(tmp, filepath.Clean(res.File))
}
