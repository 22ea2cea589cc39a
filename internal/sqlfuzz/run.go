package sqlfuzz

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakeq/lakeq/engine"
	"github.com/lakeq/lakeq/slt"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Config controls a run.
type Config struct {
	Seed     int64
	Rounds   int           // data sets generated (each with its own tables)
	Queries  int           // queries per round
	Duration time.Duration // stop after this long (0: no limit)
	PG       string        // PostgreSQL URL of an empty database with C collation ("" skips that oracle)
	// Mount is the URL of a second empty PostgreSQL database, with a
	// collation other than C (CreateMountDB): the tables are loaded there
	// too and one more lakeq instance reads them through a mounted schema
	// (CREATE EXTERNAL SCHEMA … FROM POSTGRES), so that every query also
	// checks what the PostgreSQL connector pushes down. "" skips it.
	Mount    string
	DuckDB   string   // folder of duckdb_oracle.mjs and its node_modules, bench/ ("" skips that oracle)
	Storages []string // lakeq layouts each query runs on (default: all)
	Workers  []int    // worker counts each query runs on (default 1 and 4)
	OutDir   string   // where regression records go ("" keeps none)
	Log      func(format string, args ...any)
}

// Report counts a run.
type Report struct {
	Queries, Checks int
	PGErrors        int // queries PostgreSQL refused (lakeq must refuse them too)
	// DuckDB's figures: queries it answered and compared with lakeq's
	// answer, refused (its dialect), and answered otherwise where
	// PostgreSQL agreed with lakeq (a dialect difference, not a finding)
	DuckDBCompared, DuckDBRefused, DuckDBDialect int
	Mismatches                                   []Mismatch
	Elapsed                                      time.Duration
}

// Mismatch is one disagreement, minimized.
type Mismatch struct {
	Oracle string // "postgres", "duckdb", "layout", "tlp", "norec"
	Query  string
	Detail string
	Record string // the regression record's path, if written
}

// a lakeq instance for one storage layout and worker count
type instance struct {
	name   string
	eng    *engine.Engine
	sess   *engine.Session
	layout *slt.Layout
}

func (in *instance) query(ctx context.Context, sql string) (*engine.Result, error) {
	if in.layout != nil {
		in.sess.ReadAs = in.layout.ReadAs
		defer func() { in.sess.ReadAs = nil }()
	}
	qctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return in.sess.Query(qctx, sql)
}

func (in *instance) exec(ctx context.Context, sql string) error {
	_, err := in.sess.Exec(ctx, sql)
	if in.layout != nil {
		in.layout.Touch()
	}
	return err
}

// Run fuzzes until cfg.Rounds rounds of cfg.Queries queries are done or
// cfg.Duration has passed.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if len(cfg.Storages) == 0 {
		cfg.Storages = slt.Storages
	}
	if len(cfg.Workers) == 0 {
		cfg.Workers = []int{1, 4}
	}
	if cfg.Log == nil {
		cfg.Log = func(string, ...any) {}
	}
	start := time.Now()
	rep := &Report{}
	var pg *pgx.Conn
	if cfg.PG != "" {
		var err error
		if pg, err = pgx.Connect(ctx, cfg.PG); err != nil {
			return nil, fmt.Errorf("sqlfuzz: connecting to PostgreSQL: %w", err)
		}
		defer pg.Close(ctx)
		if _, err := pg.Exec(ctx, "SET statement_timeout = '10s'"); err != nil {
			return nil, err
		}
	}
	var mount *pgx.Conn
	if cfg.Mount != "" {
		var err error
		if mount, err = pgx.Connect(ctx, cfg.Mount); err != nil {
			return nil, fmt.Errorf("sqlfuzz: connecting to the mounted PostgreSQL database: %w", err)
		}
		defer mount.Close(ctx)
	}
	var dk *duck
	if cfg.DuckDB != "" {
		var err error
		if dk, err = newDuck(cfg.DuckDB); err != nil {
			return nil, err
		}
		defer dk.stop()
	}
	r := rand.New(rand.NewSource(cfg.Seed))
	for round := 0; round < cfg.Rounds; round++ {
		if cfg.Duration > 0 && time.Since(start) > cfg.Duration {
			break
		}
		tables := GenTables(r, 3, 40)
		f := &fuzzer{cfg: cfg, pg: pg, mount: mount, duck: dk, rep: rep, tables: tables}
		if err := f.setup(ctx, tables); err != nil {
			f.close()
			return nil, err
		}
		g := &gen{r: r, tables: tables}
		for q := 0; q < cfg.Queries; q++ {
			if cfg.Duration > 0 && time.Since(start) > cfg.Duration {
				break
			}
			if err := f.check(ctx, g.Next()); err != nil {
				f.close()
				return nil, err
			}
		}
		f.close()
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

type fuzzer struct {
	cfg    Config
	pg     *pgx.Conn
	mount  *pgx.Conn // the mounted database's (Config.Mount)
	duck   *duck
	rep    *Report
	tables []*Table
	ins    []*instance
	dirs   []string
}

func (f *fuzzer) close() {
	for _, in := range f.ins {
		in.sess.Close()
		in.eng.Close()
	}
	for _, d := range f.dirs {
		os.RemoveAll(d)
	}
	f.ins, f.dirs = nil, nil
}

func setupSQL(tables []*Table, rows map[string][][]string) []string {
	var out []string
	for _, t := range tables {
		out = append(out, "DROP TABLE IF EXISTS "+t.Name, t.CreateSQL())
		rs := t.Rows
		if rows != nil {
			rs = rows[t.Name]
		}
		if ins := t.InsertSQL(rs); ins != "" {
			out = append(out, ins)
		}
	}
	return out
}

// setup loads tables into PostgreSQL and one lakeq per layout × workers.
func (f *fuzzer) setup(ctx context.Context, tables []*Table) error {
	return f.load(ctx, setupSQL(tables, nil))
}

func (f *fuzzer) load(ctx context.Context, stmts []string) error {
	f.close()
	for _, c := range []*pgx.Conn{f.pg, f.mount} {
		if c == nil {
			continue
		}
		for _, s := range stmts {
			if _, err := c.Exec(ctx, s); err != nil {
				return fmt.Errorf("sqlfuzz: PostgreSQL: %s: %w", s, err)
			}
		}
	}
	for _, st := range f.cfg.Storages {
		for _, w := range f.cfg.Workers {
			dir, err := os.MkdirTemp("", "lakeq-fuzz-")
			if err != nil {
				return err
			}
			f.dirs = append(f.dirs, dir)
			eng, err := engine.Open(ctx, engine.Config{DataDir: dir, Workers: w, HistoryRetention: -1})
			if err != nil {
				return err
			}
			in := &instance{name: fmt.Sprintf("%s/w%d", st, w), eng: eng, sess: eng.NewSession()}
			if st != slt.StorageManaged {
				if in.layout, err = slt.NewLayout(st, dir, eng); err != nil {
					return err
				}
			}
			f.ins = append(f.ins, in)
			for _, s := range stmts {
				if err := in.exec(ctx, s); err != nil {
					return fmt.Errorf("sqlfuzz: lakeq: %s: %w", s, err)
				}
			}
		}
	}
	if f.mount != nil {
		for _, w := range f.cfg.Workers {
			if err := f.mountInstance(ctx, w); err != nil {
				return err
			}
		}
	}
	if f.duck != nil {
		return f.loadDuck(ctx)
	}
	return nil
}

// StorageMount names the instances that read the tables from the
// mounted PostgreSQL database.
const StorageMount = "pgmount"

// mountInstance adds a lakeq whose search_path is a schema mounted from
// Config.Mount, so that the queries' unqualified tables are the remote
// ones.
func (f *fuzzer) mountInstance(ctx context.Context, workers int) error {
	pc, err := pgx.ParseConfig(f.cfg.Mount)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "lakeq-fuzz-")
	if err != nil {
		return err
	}
	f.dirs = append(f.dirs, dir)
	eng, err := engine.Open(ctx, engine.Config{DataDir: dir, Workers: workers, HistoryRetention: -1})
	if err != nil {
		return err
	}
	in := &instance{name: fmt.Sprintf("%s/w%d", StorageMount, workers), eng: eng, sess: eng.NewSession()}
	f.ins = append(f.ins, in)
	pw := pc.Password
	if pw == "" {
		pw = "unused" // trust authentication; the statement requires one
	}
	for _, s := range []string{
		fmt.Sprintf("CREATE EXTERNAL SCHEMA fz FROM POSTGRES DATABASE '%s' URI '%s' PORT %d USER '%s' PASSWORD '%s'", pc.Database, pc.Host, pc.Port, pc.User, pw),
		"SET search_path = fz",
	} {
		if err := in.exec(ctx, s); err != nil {
			return fmt.Errorf("sqlfuzz: lakeq: %s: %w", s, err)
		}
	}
	return nil
}

// loadDuck gives DuckDB the Parquet files lakeq's parquet layout wrote
// for each table (written here if no query has read them yet): both
// engines then read the same files.
func (f *fuzzer) loadDuck(ctx context.Context) error {
	var pq *instance
	for _, in := range f.ins {
		if in.layout != nil && strings.HasPrefix(in.name, slt.StorageParquet+"/") {
			pq = in
			break
		}
	}
	if pq == nil {
		return errors.New("sqlfuzz: the DuckDB oracle reads the parquet layout's files: include parquet in the storages")
	}
	files := map[string]string{}
	for _, t := range f.tables {
		ct, err := pq.eng.Catalog().GetTable(ctx, "public", t.Name)
		if err != nil || ct == nil {
			return fmt.Errorf("sqlfuzz: table %s: %v", t.Name, err)
		}
		ext, err := pq.layout.ReadAs(ctx, ct)
		if err != nil || ext == nil {
			return fmt.Errorf("sqlfuzz: writing %s as Parquet: %v", t.Name, err)
		}
		files[t.Name] = ext.Storage.Location
	}
	return f.duck.load(ctx, f.tables, files)
}

// checkDuck compares DuckDB's answer with lakeq's (got, from the first
// instance that answered; lqErr its error). It returns the mismatch's
// detail, "" when they agree or the difference is not lakeq's: DuckDB
// refused the query, or PostgreSQL answered it as lakeq did.
func (f *fuzzer) checkDuck(ctx context.Context, q Query, got rows, lqErr error, pgAgrees bool, count bool) (string, error) {
	dw, dErr, err := f.duck.query(ctx, q.SQL)
	if errors.Is(err, errDuckTimeout) {
		if count {
			f.rep.DuckDBRefused++
		}
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if dErr != "" {
		if count {
			f.rep.DuckDBRefused++
		}
		return "", nil
	}
	if count {
		f.rep.DuckDBCompared++
	}
	if lqErr != nil {
		if sqlerr.Code(lqErr) == sqlerr.Internal {
			return fmt.Sprintf("lakeq failed [%s] %v where DuckDB answered", sqlerr.Code(lqErr), lqErr), nil
		}
		return "", nil // lakeq refuses what DuckDB's dialect accepts; PostgreSQL judges refusals
	}
	d := diff(got, dw, q.Ordered)
	if d == "" {
		return "", nil
	}
	if pgAgrees {
		if count {
			f.rep.DuckDBDialect++
		}
		return "", nil
	}
	return d, nil
}

// rows is a result as text cells, for comparison.
type rows [][]string

func lakeqRows(res *engine.Result) rows {
	var out rows
	for _, b := range res.Records {
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]string, len(res.Columns))
			for c := range res.Columns {
				v := types.GetValue(res.Columns[c].Type, b.Column(c), i)
				if s, ok := res.Text(c, v); ok {
					row[c] = s
				} else {
					row[c] = "NULL"
				}
			}
			out = append(out, row)
		}
	}
	return out
}

func pgRows(ctx context.Context, pg *pgx.Conn, sql string) (rows, error) {
	rs, err := pg.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out rows
	for rs.Next() {
		raw := rs.RawValues()
		row := make([]string, len(raw))
		for i, v := range raw {
			if v == nil {
				row[i] = "NULL"
			} else {
				row[i] = string(v)
			}
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// same compares two cells: numbers numerically (averages and float sums
// differ in the last digits between engines), the rest exactly.
func same(a, b string) bool {
	if a == b {
		return true
	}
	// arrays of numbers element by element: numeric elements of a CASE
	// over two scales print at the wider one in lakeq (see the README)
	if len(a) > 1 && len(b) > 1 && a[0] == '{' && b[0] == '{' && a[len(a)-1] == '}' && b[len(b)-1] == '}' && !strings.ContainsAny(a+b, `"{}`[:1]) {
		xs, ys := strings.Split(a[1:len(a)-1], ","), strings.Split(b[1:len(b)-1], ",")
		if len(xs) != len(ys) || strings.ContainsAny(a[1:len(a)-1]+b[1:len(b)-1], "{}") {
			return false
		}
		for i := range xs {
			if !same(xs[i], ys[i]) {
				return false
			}
		}
		return true
	}
	x, e1 := strconv.ParseFloat(a, 64)
	y, e2 := strconv.ParseFloat(b, 64)
	if e1 != nil || e2 != nil {
		return false
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

// diff reports how got differs from want ("" when they agree), as
// ordered lists or as multisets.
func diff(got, want rows, ordered bool) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d (got %v, want %v)", len(got), len(want), head(got), head(want))
	}
	g, w := got, want
	if !ordered {
		g, w = sorted(zeroSign(got)), sorted(zeroSign(want))
	}
	for i := range w {
		if len(g[i]) != len(w[i]) {
			return fmt.Sprintf("%d columns, want %d", len(g[i]), len(w[i]))
		}
		for c := range w[i] {
			if !same(g[i][c], w[i][c]) {
				return fmt.Sprintf("row %d column %d: got %q, want %q (got %v, want %v)", i, c+1, g[i][c], w[i][c], g[i], w[i])
			}
		}
	}
	return ""
}

// zeroSign writes a float's -0 as 0: the two are one value to DISTINCT
// and GROUP BY, which may keep either as the group's (PostgreSQL keeps
// the first it reads), and as text they would sort apart.
func zeroSign(r rows) rows {
	out := make(rows, len(r))
	for i, row := range r {
		out[i] = row
		copied := false
		for j, c := range row {
			if c == "-0" {
				if !copied {
					out[i], copied = append([]string(nil), row...), true
				}
				out[i][j] = "0"
			}
		}
	}
	return out
}

func head(r rows) rows {
	if len(r) > 4 {
		return r[:4]
	}
	return r
}

// sorted orders rows by their cells with numbers written one way (0 and
// 0.00, which diff compares as equal, must not sort apart and pair
// different rows).
func sorted(r rows) rows {
	out := append(rows(nil), r...)
	key := func(row []string) string {
		parts := make([]string, len(row))
		for i, c := range row {
			parts[i] = c
			if f, err := strconv.ParseFloat(c, 64); err == nil && !strings.ContainsAny(c, "eE") {
				parts[i] = strconv.FormatFloat(f, 'g', 12, 64)
			}
		}
		return strings.Join(parts, "\x00")
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// check runs one query through every oracle.
func (f *fuzzer) check(ctx context.Context, q Query) error {
	f.rep.Queries++
	var want rows
	var pgErr error
	if f.pg != nil {
		want, pgErr = pgRows(ctx, f.pg, q.SQL)
		if pgErr != nil && pgCode(pgErr) == "" {
			return fmt.Errorf("sqlfuzz: PostgreSQL: %w", pgErr)
		}
		if pgErr != nil {
			f.rep.PGErrors++
			if _, err := f.pg.Exec(ctx, "SELECT 1"); err != nil { // the connection is still good
				return err
			}
		}
	}
	var first, lqRows rows
	var lqErr error
	for i, in := range f.ins {
		res, err := in.query(ctx, q.SQL)
		f.rep.Checks++
		if i == 0 {
			lqErr = err
			if err == nil {
				lqRows = lakeqRows(res)
			}
		}
		switch {
		case f.pg != nil && pgErr != nil:
			if err == nil {
				f.mismatch(ctx, "postgres", q, fmt.Sprintf("%s: lakeq returned rows where PostgreSQL failed with %s: %v", in.name, pgCode(pgErr), pgErr))
				return nil
			}
			continue
		case err != nil:
			if sqlerr.Code(err) == sqlerr.Internal || f.pg != nil {
				f.mismatch(ctx, "postgres", q, fmt.Sprintf("%s: lakeq failed [%s] %v where PostgreSQL did not", in.name, sqlerr.Code(err), err))
				return nil
			}
			continue
		}
		got := lakeqRows(res)
		if f.pg != nil {
			if d := diff(got, want, q.Ordered); d != "" {
				f.mismatch(ctx, "postgres", q, in.name+": "+d)
				return nil
			}
		} else if i == 0 {
			first = got
		} else if d := diff(got, first, q.Ordered); d != "" {
			f.mismatch(ctx, "layout", q, fmt.Sprintf("%s vs %s: %s", in.name, f.ins[0].name, d))
			return nil
		}
	}
	if f.duck != nil {
		f.rep.Checks++
		d, err := f.checkDuck(ctx, q, lqRows, lqErr, f.pg != nil && pgErr == nil, true)
		if err != nil {
			return err
		}
		if d != "" {
			f.mismatch(ctx, "duckdb", q, f.ins[0].name+": "+d)
			return nil
		}
	}
	if q.From != "" && q.Pred != "" {
		f.selfOracles(ctx, q)
	}
	return nil
}

// selfOracles are SQLancer's: Ternary Logic Partitioning (a predicate,
// its negation and its NULL case partition the rows) and NoREC (a WHERE
// the optimizer sees equals a count it cannot optimize).
func (f *fuzzer) selfOracles(ctx context.Context, q Query) {
	count := func(in *instance, sql string) (int64, bool) {
		res, err := in.query(ctx, sql)
		if err != nil || res.NumRows() != 1 {
			return 0, false
		}
		n, ok := res.Value(0, 0).(int64)
		return n, ok
	}
	for _, in := range f.ins {
		all, ok1 := count(in, "SELECT count(*) FROM "+q.From)
		p, ok2 := count(in, "SELECT count(*) FROM "+q.From+" WHERE "+q.Pred)
		np, ok3 := count(in, "SELECT count(*) FROM "+q.From+" WHERE NOT ("+q.Pred+")")
		nul, ok4 := count(in, "SELECT count(*) FROM "+q.From+" WHERE ("+q.Pred+") IS NULL")
		f.rep.Checks += 4
		if ok1 && ok2 && ok3 && ok4 && all != p+np+nul {
			f.mismatch(ctx, "tlp", Query{SQL: "SELECT count(*) FROM " + q.From + " WHERE " + q.Pred}, fmt.Sprintf("%s: %d rows, but %d + %d + %d over p, NOT p, p IS NULL", in.name, all, p, np, nul))
			return
		}
		unopt, ok5 := count(in, "SELECT coalesce(sum(CASE WHEN "+q.Pred+" THEN 1 ELSE 0 END), 0)::bigint FROM "+q.From)
		f.rep.Checks++
		if ok2 && ok5 && p != unopt {
			f.mismatch(ctx, "norec", Query{SQL: "SELECT count(*) FROM " + q.From + " WHERE " + q.Pred}, fmt.Sprintf("%s: WHERE counts %d, CASE counts %d", in.name, p, unopt))
			return
		}
	}
}

// mismatch minimizes the data of a failing query (removing rows while it
// still fails), records it, and writes a regression record.
func (f *fuzzer) mismatch(ctx context.Context, oracle string, q Query, detail string) {
	m := Mismatch{Oracle: oracle, Query: q.SQL, Detail: detail}
	rowsNow := map[string][][]string{}
	for _, t := range f.tables {
		rowsNow[t.Name] = t.Rows
	}
	fails := func(rs map[string][][]string) bool {
		if err := f.load(ctx, setupSQL(f.tables, rs)); err != nil {
			return false
		}
		before := len(f.rep.Mismatches)
		probe := &fuzzer{cfg: f.cfg, pg: f.pg, rep: &Report{}, tables: f.tables, ins: f.ins}
		switch oracle {
		case "tlp", "norec":
			probe.selfOracles(ctx, Query{From: q.From, Pred: q.Pred})
		case "duckdb":
			res, err := f.ins[0].query(ctx, q.SQL)
			var got rows
			if err == nil {
				got = lakeqRows(res)
			}
			pgAgrees := false
			if f.pg != nil && err == nil {
				if want, perr := pgRows(ctx, f.pg, q.SQL); perr == nil && diff(got, want, q.Ordered) == "" {
					pgAgrees = true
				}
			}
			if d, derr := f.checkDuck(ctx, q, got, err, pgAgrees, false); derr == nil && d != "" {
				probe.rep.Mismatches = append(probe.rep.Mismatches, Mismatch{})
			}
		default:
			probe.checkNoMinimize(ctx, q)
		}
		_ = before
		return len(probe.rep.Mismatches) > 0
	}
	if oracle != "tlp" && oracle != "norec" || q.From != "" {
		for _, t := range f.tables {
			rs := rowsNow[t.Name]
			for i := 0; i < len(rs); {
				try := map[string][][]string{}
				for k, v := range rowsNow {
					try[k] = v
				}
				try[t.Name] = append(append([][]string{}, rs[:i]...), rs[i+1:]...)
				if fails(try) {
					rowsNow = try
					rs = try[t.Name]
				} else {
					i++
				}
			}
		}
	}
	_ = fails(rowsNow) // leave the instances on the minimized data
	if f.cfg.OutDir != "" {
		m.Record = f.writeRecord(ctx, oracle, q, detail, rowsNow)
	}
	f.cfg.Log("mismatch (%s): %s\n  %s\n  %s", oracle, q.SQL, detail, m.Record)
	f.rep.Mismatches = append(f.rep.Mismatches, m)
	_ = f.load(ctx, setupSQL(f.tables, nil))
}

// checkNoMinimize is check that records without minimizing.
func (f *fuzzer) checkNoMinimize(ctx context.Context, q Query) {
	var want rows
	var pgErr error
	if f.pg != nil {
		want, pgErr = pgRows(ctx, f.pg, q.SQL)
	}
	var first rows
	for i, in := range f.ins {
		res, err := in.query(ctx, q.SQL)
		switch {
		case f.pg != nil && pgErr != nil:
			if err == nil {
				f.rep.Mismatches = append(f.rep.Mismatches, Mismatch{})
				return
			}
			continue
		case err != nil:
			f.rep.Mismatches = append(f.rep.Mismatches, Mismatch{})
			return
		}
		got := lakeqRows(res)
		if f.pg != nil {
			if diff(got, want, q.Ordered) != "" {
				f.rep.Mismatches = append(f.rep.Mismatches, Mismatch{})
				return
			}
		} else if i == 0 {
			first = got
		} else if diff(got, first, q.Ordered) != "" {
			f.rep.Mismatches = append(f.rep.Mismatches, Mismatch{})
			return
		}
	}
}

// writeRecord writes testdata-style sqllogictest: the minimized tables,
// then the query with PostgreSQL's (or DuckDB's) answer (or, for the self oracles, the
// counts that must agree).
func (f *fuzzer) writeRecord(ctx context.Context, oracle string, q Query, detail string, rs map[string][][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Found by sqlfuzz (%s oracle, seed %d): %s\n\n", oracle, f.cfg.Seed, strings.ReplaceAll(detail, "\n", " "))
	for _, s := range setupSQL(f.tables, rs) {
		if strings.HasPrefix(s, "DROP") {
			continue
		}
		fmt.Fprintf(&b, "statement ok\n%s\n\n", s)
	}
	switch {
	case oracle == "tlp" || oracle == "norec":
		fmt.Fprintf(&b, "query I\nSELECT (SELECT count(*) FROM %[1]s WHERE %[2]s) + (SELECT count(*) FROM %[1]s WHERE NOT (%[2]s)) + (SELECT count(*) FROM %[1]s WHERE (%[2]s) IS NULL) - (SELECT count(*) FROM %[1]s)\n----\n0\n\n", q.From, q.Pred)
		fmt.Fprintf(&b, "query I\nSELECT (SELECT count(*) FROM %[1]s WHERE %[2]s) - (SELECT coalesce(sum(CASE WHEN %[2]s THEN 1 ELSE 0 END), 0) FROM %[1]s)\n----\n0\n", q.From, q.Pred)
	case oracle == "duckdb" || f.pg != nil:
		var want rows
		var err error
		if oracle == "duckdb" {
			var dErr string
			if want, dErr, err = f.duck.query(ctx, q.SQL); err == nil && dErr != "" {
				err = errors.New(dErr)
			}
		} else {
			want, err = pgRows(ctx, f.pg, q.SQL)
		}
		if err != nil {
			fmt.Fprintf(&b, "statement error %s\n%s\n", pgCode(err), q.SQL)
			break
		}
		ncol := 1
		if len(want) > 0 {
			ncol = len(want[0])
		} else if res, err := f.ins[0].query(ctx, q.SQL); err == nil {
			ncol = len(res.Columns)
		} else if oracle != "duckdb" {
			// lakeq failed and PostgreSQL returned no rows: its columns
			if rs, err := f.pg.Query(ctx, q.SQL, pgx.QueryExecModeSimpleProtocol); err == nil {
				ncol = len(rs.FieldDescriptions())
				rs.Close()
			}
		}
		sortMode := "rowsort"
		if q.Ordered {
			sortMode = "nosort"
		}
		fmt.Fprintf(&b, "query %s %s\n%s\n----\n", strings.Repeat("T", ncol), sortMode, q.SQL)
		// rendered as the slt runner renders text: (empty), non-ASCII as @
		for _, row := range want {
			for i, v := range row {
				row[i] = slt.RenderText(v)
			}
		}
		if !q.Ordered {
			sort.SliceStable(want, func(i, j int) bool {
				for k := range want[i] {
					if want[i][k] != want[j][k] {
						return want[i][k] < want[j][k]
					}
				}
				return false
			})
		}
		for _, row := range want {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
	default:
		return ""
	}
	sum := sha1.Sum([]byte(q.SQL))
	path := filepath.Join(f.cfg.OutDir, oracle+"_"+hex.EncodeToString(sum[:4])+".slt")
	if err := os.MkdirAll(f.cfg.OutDir, 0o755); err != nil {
		return ""
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return ""
	}
	return path
}

// CreateDB creates database name with byte-order collation (lakeq's) on
// the server at adminURL and returns its URL.
func CreateDB(ctx context.Context, adminURL, name string) (string, error) {
	return createDB(ctx, adminURL, name, "LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'")
}

// CreateMountDB creates database name for Config.Mount, whose default
// collation is ICU's English ('a' < 'B' < 'b', where lakeq's byte order
// has 'B' < 'a' < 'b'): what the connector runs there must say how text
// compares, not take the database's default.
func CreateMountDB(ctx context.Context, adminURL, name string) (string, error) {
	return createDB(ctx, adminURL, name, "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'")
}

func createDB(ctx context.Context, adminURL, name, locale string) (string, error) {
	c, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
		return "", err
	}
	if _, err := c.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' "+locale); err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name), nil
}
