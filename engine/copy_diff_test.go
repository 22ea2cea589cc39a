package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakeq/lakeq/internal/testpg"
	"github.com/lakeq/lakeq/parser"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// copyCol is a column type of the COPY differential test with raw
// fields to write for it: valid input of every spelling PostgreSQL's
// input functions take, and invalid input.
type copyCol struct {
	typ    string
	fields []string
}

// lakeq's numeric holds no NaN and its dates and timestamps no infinity
// (0A000, types/unsupported_special_values.slt): those stay out.
var copyCols = []copyCol{
	{"integer", []string{"1", "-7", " 42", "42 ", "+3", "007", "2147483647", "2147483648", "-2147483648", "x", "1.5", "0x1F", "1_000", "1e3", "- 1"}},
	{"bigint", []string{"9223372036854775807", "-9223372036854775808", "9223372036854775808", "12", " -5 "}},
	{"text", []string{"a", "", " sp ", `quo"te`, `tab\there`, `back\\slash`, `\N`, "NULL", "ü", "a,b", "a|b", `\x41`, `\101`, `\b\f\v\r`, `\q`, `""`, `"a,b"`, "\"multi\nline\"", `"x""y"`, `'s'`, `\,`, `a\`, "\x80"}},
	{"numeric(8,2)", []string{"1.005", "123456.789", "9999999", "1e2", " 3.5 ", "-0", ".5", "5.", "Infinity", "-1.5e-3", "+.1", "1.2.3", "e5"}},
	{"numeric", []string{"0.000100", "-12.50", "1e-3", "123456789012345678901234567890.5", "007.10"}},
	{"date", []string{"2024-01-05", "2024-1-5", "20240105", "01/05/2024", "2024-02-30", "epoch", "2024-01-05 BC", " 2024-01-05 ", "Jan 5 2024", "2024-01-05 10:00", "5874897-12-31", "0001-01-01"}},
	{"boolean", []string{"t", "f", "true", "FALSE", "yes", "no", "on", "off", "1", "0", " t ", "tr", "y", "maybe", "of"}},
	{"timestamp", []string{"2024-01-05 10:11:12", "2024-01-05T10:11:12.123456", "2024-01-05 10:11:12.1234567", "2024-01-05 24:00:00", "2024-01-05 10:11:12+02", "epoch", "2024-01-05", "2024-13-01 00:00:00", "2024-01-05 10:11"}},
	{"double precision", []string{"1.5", "1e308", "1e309", "NaN", "-Infinity", "inf", " 2 ", "0x10", "-0", "1.7976931348623157e308", "4.9e-324", "1e-400"}},
	{"varchar(3)", []string{"abc", "abcd", "ab ", "abc  ", "üüü", "üüüü"}},
}

// copyCase is one generated COPY: the table's columns, the statement's
// options and the data.
type copyCase struct {
	cols []copyCol
	opts []string // inside WITH ( … )
	csv  bool
	data string
}

func (c copyCase) String() string {
	var types []string
	for _, col := range c.cols {
		types = append(types, col.typ)
	}
	return fmt.Sprintf("columns (%s) WITH (%s) data %q", strings.Join(types, ", "), strings.Join(c.opts, ", "), c.data)
}

func genCopyCase(r *rand.Rand) copyCase {
	var c copyCase
	for n := 1 + r.IntN(4); len(c.cols) < n; {
		c.cols = append(c.cols, copyCols[r.IntN(len(copyCols))])
	}
	c.csv = r.IntN(2) == 0
	delim := "\t"
	quote := byte('"')
	if c.csv {
		c.opts = append(c.opts, "FORMAT csv")
		delim = ","
	}
	if r.IntN(3) == 0 {
		delim = []string{",", "|", ";", "\t", "x"}[r.IntN(5)]
		c.opts = append(c.opts, "DELIMITER "+sqlString(delim))
	}
	nullStr := `\N`
	if c.csv {
		nullStr = ""
	}
	if r.IntN(3) == 0 {
		nullStr = []string{`\N`, "", "NULL", "-", "x"}[r.IntN(5)]
		c.opts = append(c.opts, "NULL "+sqlString(nullStr))
	}
	if r.IntN(4) == 0 {
		c.opts = append(c.opts, []string{"HEADER", "HEADER true", "HEADER false", "HEADER match"}[r.IntN(4)])
	}
	if c.csv && r.IntN(4) == 0 {
		q := []string{`'`, "|", `"`}[r.IntN(3)]
		quote = q[0]
		c.opts = append(c.opts, "QUOTE "+sqlString(q))
	}
	if c.csv && r.IntN(4) == 0 {
		c.opts = append(c.opts, "ESCAPE "+sqlString([]string{`\`, `'`, `"`}[r.IntN(3)]))
	}
	if c.csv && r.IntN(4) == 0 { // FORCE_NOT_NULL or FORCE_NULL of a column (FORCE_QUOTE is COPY TO's)
		c.opts = append(c.opts, fmt.Sprintf("%s (c%d)", []string{"FORCE_NOT_NULL", "FORCE_NULL"}[r.IntN(2)], r.IntN(len(c.cols))))
	}
	r.Shuffle(len(c.opts), func(i, j int) { c.opts[i], c.opts[j] = c.opts[j], c.opts[i] })
	var b strings.Builder
	if r.IntN(3) == 0 { // a header line: the columns' names, or others
		names := []string{}
		for i := range c.cols {
			names = append(names, fmt.Sprintf("c%d", i))
		}
		if r.IntN(3) == 0 {
			names[0] = "other"
		}
		b.WriteString(strings.Join(names, delim) + "\n")
	}
	rows := r.IntN(6)
	for i := 0; i < rows; i++ {
		n := len(c.cols)
		if r.IntN(12) == 0 {
			n += []int{-1, 1}[r.IntN(2)]
		}
		var fs []string
		for j := 0; j < n; j++ {
			col := c.cols[min(j, len(c.cols)-1)]
			f := col.fields[r.IntN(len(col.fields))]
			switch r.IntN(12) {
			case 0:
				f = nullStr
			case 1:
				if c.csv { // quoted as a CSV writer quotes
					q := string(quote)
					f = q + strings.ReplaceAll(f, q, q+q) + q
				}
			}
			fs = append(fs, f)
		}
		b.WriteString(strings.Join(fs, delim))
		switch r.IntN(10) {
		case 0:
			b.WriteString("\r\n")
		case 1:
			if i == rows-1 {
				break // no newline at the end
			}
			b.WriteString("\n")
		case 2:
			b.WriteString("\n\n") // a blank line
		default:
			b.WriteString("\n")
		}
	}
	if r.IntN(10) == 0 {
		b.WriteString("\\.\n")
		if r.IntN(2) == 0 {
			b.WriteString("after the end\n")
		}
	}
	c.data = b.String()
	return c
}

func sqlString(s string) string {
	if strings.ContainsAny(s, "\t\\") {
		return "E'" + strings.NewReplacer(`\`, `\\`, "\t", `\t`, "'", `\'`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// TestCopyDifferential loads generated text and CSV data with
// PostgreSQL's COPY options into PostgreSQL 15 and into lakeq: both take
// the same rows or both refuse the data (with the same SQLSTATE), and
// COPY … TO with the same options writes the same bytes.
func TestCopyDifferential(t *testing.T) {
	ctx := context.Background()
	srv := testpg.Start(t)
	pg, err := pgx.Connect(ctx, srv.CreateDB(t, "copydiff"))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close(ctx)
	if _, err := pg.Exec(ctx, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 1"); err != nil {
		t.Fatal(err)
	}
	_, s := open(t, t.TempDir())
	r := rand.New(rand.NewPCG(20261207, 4))
	cases := 600
	if testing.Short() {
		cases = 100
	}
	failures := 0
	for i := 0; i < cases && failures < 25; i++ {
		c := genCopyCase(r)
		if msg := runCopyCase(ctx, t, r, pg, s, fmt.Sprintf("cd%d", i), c); msg != "" {
			failures++
			t.Errorf("case %d: %s\n  %s", i, c, msg)
		}
	}
}

func runCopyCase(ctx context.Context, t *testing.T, r *rand.Rand, pg *pgx.Conn, s *Session, name string, c copyCase) string {
	var defs []string
	for i, col := range c.cols {
		defs = append(defs, fmt.Sprintf("c%d %s", i, col.typ))
	}
	create := fmt.Sprintf("CREATE TABLE %s (%s)", name, strings.Join(defs, ", "))
	if _, err := pg.Exec(ctx, create); err != nil {
		t.Fatalf("PostgreSQL: %s: %v", create, err)
	}
	mustExec(t, s, create)
	with := ""
	if len(c.opts) > 0 {
		with = " WITH (" + strings.Join(c.opts, ", ") + ")"
	}
	in := "COPY " + name + " FROM STDIN" + with
	_, pgErr := pg.PgConn().CopyFrom(ctx, strings.NewReader(c.data), in)
	lx, lqErr := parseCopy(in)
	if lqErr == nil {
		_, lqErr = s.CopyFrom(ctx, lx, strings.NewReader(c.data))
	}
	switch {
	case pgErr != nil && lqErr == nil:
		return fmt.Sprintf("lakeq loaded what PostgreSQL refused: %v", pgErr)
	case pgErr == nil && lqErr != nil:
		return fmt.Sprintf("lakeq refused [%s] %v; PostgreSQL loaded it", sqlerr.Code(lqErr), lqErr)
	case pgErr != nil:
		var pe *pgconn.PgError
		if errors.As(pgErr, &pe) && pe.Code != sqlerr.Code(lqErr) {
			return fmt.Sprintf("lakeq refused with %s (%v), PostgreSQL with %s (%s)", sqlerr.Code(lqErr), lqErr, pe.Code, pe.Message)
		}
		return ""
	}
	want, err := pgText(ctx, pg, "SELECT * FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(ctx, "SELECT * FROM "+name)
	if err != nil {
		return fmt.Sprintf("lakeq: reading the table: %v", err)
	}
	got := resultLines(res)
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Sprintf("rows differ:\n  lakeq      %q\n  PostgreSQL %q", got, want)
	}
	// the rows out again with the same options (HEADER MATCH is for input)
	var outOpts []string
	for _, o := range c.opts {
		if strings.EqualFold(o, "HEADER match") {
			o = "HEADER"
		}
		if strings.HasPrefix(o, "FORCE_N") { // COPY FROM's: the same column's FORCE_QUOTE instead
			o = "FORCE_QUOTE" + o[strings.IndexByte(o, ' '):]
		}
		outOpts = append(outOpts, o)
	}
	if c.csv && len(outOpts) == len(c.opts) && r.IntN(5) == 0 {
		outOpts = append(outOpts, "FORCE_QUOTE *")
	}
	out := "COPY (SELECT * FROM " + name + " ORDER BY 1, 2) TO STDOUT"
	if len(c.cols) == 1 {
		out = "COPY (SELECT * FROM " + name + " ORDER BY 1) TO STDOUT"
	}
	if len(outOpts) > 0 {
		out += " WITH (" + strings.Join(outOpts, ", ") + ")"
	}
	var pgOut bytes.Buffer
	_, pgErr = pg.PgConn().CopyTo(ctx, &pgOut, out)
	var lqOut bytes.Buffer
	ox, lqErr := parseCopy(out)
	if lqErr == nil {
		_, lqErr = s.CopyOut(ctx, ox, func(b []byte) error { lqOut.Write(b); return nil })
	}
	switch {
	case pgErr != nil || lqErr != nil:
		if (pgErr == nil) != (lqErr == nil) {
			return fmt.Sprintf("%s: lakeq %v, PostgreSQL %v", out, lqErr, pgErr)
		}
	case !sameOrderedLines(lqOut.String(), pgOut.String()):
		return fmt.Sprintf("%s wrote\n  lakeq      %q\n  PostgreSQL %q", out, lqOut.String(), pgOut.String())
	}
	return ""
}

// sameOrderedLines compares COPY outputs whose rows may tie on the sort
// keys: the header first, then the lines as multisets.
func sameOrderedLines(a, b string) bool {
	la, lb := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	sort.Strings(la)
	sort.Strings(lb)
	return strings.Join(la, "") == strings.Join(lb, "")
}

func parseCopy(sql string) (*ast.Copy, error) {
	st, err := parser.ParseOne(sql)
	if err != nil {
		return nil, err
	}
	x, ok := st.(*ast.Copy)
	if !ok {
		return nil, fmt.Errorf("%s parsed as %T", sql, st)
	}
	return x, nil
}

// pgText runs a query with the simple protocol: rows as a|b|c text.
func pgText(ctx context.Context, pg *pgx.Conn, sql string) ([]string, error) {
	rs, err := pg.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var parts []string
		for _, v := range rs.RawValues() {
			if v == nil {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, string(v))
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rs.Err()
}

// resultLines is a result's rows as PostgreSQL's text output, a|b|c.
func resultLines(res *Result) []string {
	var out []string
	for i := 0; i < int(res.NumRows()); i++ {
		var parts []string
		for j := range res.Columns {
			if s, ok := res.Text(j, res.Value(i, j)); ok {
				parts = append(parts, s)
			} else {
				parts = append(parts, "NULL")
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}
