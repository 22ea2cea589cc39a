package engine

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/lakeq/lakeq/catalog"
	"github.com/lakeq/lakeq/connectors/system"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
)

// Sequences, as PostgreSQL's: CREATE / ALTER / DROP SEQUENCE, nextval,
// currval, setval, lastval, and the serial column types. A sequence is
// a catalog entry (type catalog.Sequence) whose parameters hold its
// options and state; nextval advances it by compare-and-swap of the
// entry, so sessions and processes sharing a catalog never get one value
// twice. A batch of rows takes its values in one update (an INSERT of a
// million rows into a serial column updates the catalog once per batch,
// not per row); values are not returned when a statement fails, as in
// PostgreSQL, so sequences have gaps.

const (
	seqIncrement = "seq.increment"
	seqMin       = "seq.min"
	seqMax       = "seq.max"
	seqStart     = "seq.start"
	seqCycle     = "seq.cycle"
	seqLast      = "seq.last"
	seqCalled    = "seq.called"
	seqType      = "seq.type"
	seqOwnedBy   = "seq.owned_by" // "table.column" of a serial column
	seqCache     = "seq.cache"
)

// seqRetries bounds nextval's compare-and-swap attempts.
const seqRetries = 1000

// seqState is a sequence's parameters, parsed.
type seqState struct {
	inc, min, max, start, last, cache int64
	cycle, called                     bool
	typ                               string
}

func readSeq(t *catalog.Table) seqState {
	p := t.Parameters
	n := func(k string) int64 { v, _ := strconv.ParseInt(p[k], 10, 64); return v }
	return seqState{inc: n(seqIncrement), min: n(seqMin), max: n(seqMax), start: n(seqStart), last: n(seqLast),
		cache: n(seqCache), cycle: p[seqCycle] == "true", called: p[seqCalled] == "true", typ: p[seqType]}
}

func (st seqState) write(t *catalog.Table) {
	params := map[string]string{}
	for k, v := range t.Parameters {
		params[k] = v
	}
	f := func(v int64) string { return strconv.FormatInt(v, 10) }
	params[seqIncrement], params[seqMin], params[seqMax], params[seqStart] = f(st.inc), f(st.min), f(st.max), f(st.start)
	params[seqLast], params[seqCache], params[seqType] = f(st.last), f(st.cache), st.typ
	params[seqCycle], params[seqCalled] = strconv.FormatBool(st.cycle), strconv.FormatBool(st.called)
	t.Parameters = params
}

// typeBounds is the range of a sequence's AS type.
func typeBounds(typ string) (int64, int64, string, error) {
	switch strings.ToLower(typ) {
	case "smallint", "int2":
		return math.MinInt16, math.MaxInt16, "smallint", nil
	case "integer", "int", "int4":
		return math.MinInt32, math.MaxInt32, "integer", nil
	case "", "bigint", "int8":
		return math.MinInt64, math.MaxInt64, "bigint", nil
	}
	return 0, 0, "", sqlerr.New(sqlerr.InvalidParameterValue, "sequence type must be smallint, integer, or bigint")
}

// applySeqOptions sets o on st (a new sequence when create), with
// PostgreSQL's defaults and checks.
func applySeqOptions(st *seqState, o ast.SeqOptions, create bool) error {
	_, _, typ, err := typeBounds(o.As)
	if err != nil {
		return err
	}
	if create && o.As == "" {
		typ = "bigint"
	}
	if create || o.As != "" {
		st.typ = typ
	}
	typMin, typMax, _, err := typeBounds(st.typ)
	if err != nil {
		return err
	}
	if create {
		st.inc, st.cache = 1, 1
	}
	if o.Increment != nil {
		if *o.Increment == 0 {
			return sqlerr.New(sqlerr.InvalidParameterValue, "INCREMENT must not be zero")
		}
		st.inc = *o.Increment
	}
	if create || o.NoMin || o.As != "" && o.Min == nil {
		st.min = 1
		if st.inc < 0 {
			st.min = typMin
		}
	}
	if create || o.NoMax || o.As != "" && o.Max == nil {
		st.max = typMax
		if st.inc < 0 {
			st.max = -1
		}
	}
	if o.Min != nil {
		st.min = *o.Min
	}
	if o.Max != nil {
		st.max = *o.Max
	}
	if st.min < typMin || st.max > typMax {
		return sqlerr.New(sqlerr.InvalidParameterValue, "MINVALUE (%d) and MAXVALUE (%d) are out of range for sequence data type %s", st.min, st.max, st.typ)
	}
	if st.min >= st.max {
		return sqlerr.New(sqlerr.InvalidParameterValue, "MINVALUE (%d) must be less than MAXVALUE (%d)", st.min, st.max)
	}
	if create {
		st.start = st.min
		if st.inc < 0 {
			st.start = st.max
		}
	}
	if o.Start != nil {
		st.start = *o.Start
	}
	if st.start < st.min {
		return sqlerr.New(sqlerr.InvalidParameterValue, "START value (%d) cannot be less than MINVALUE (%d)", st.start, st.min)
	}
	if st.start > st.max {
		return sqlerr.New(sqlerr.InvalidParameterValue, "START value (%d) cannot be greater than MAXVALUE (%d)", st.start, st.max)
	}
	if create {
		st.last, st.called = st.start, false
	}
	if o.RestartDefault {
		st.last, st.called = st.start, false
	}
	if o.Restart != nil {
		if *o.Restart < st.min || *o.Restart > st.max {
			return sqlerr.New(sqlerr.InvalidParameterValue, "RESTART value (%d) cannot be outside MINVALUE (%d) and MAXVALUE (%d)", *o.Restart, st.min, st.max)
		}
		st.last, st.called = *o.Restart, false
	}
	if o.Cache != nil {
		if *o.Cache <= 0 {
			return sqlerr.New(sqlerr.InvalidParameterValue, "CACHE (%d) must be greater than zero", *o.Cache)
		}
		st.cache = *o.Cache
	}
	if o.Cycle != nil {
		st.cycle = *o.Cycle
	}
	return nil
}

// take computes the next n values of st, advancing it.
func (st *seqState) take(name string, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	v, called := st.last, st.called
	for len(out) < n {
		if called {
			next := v + st.inc
			overflow := (st.inc > 0 && next < v) || (st.inc < 0 && next > v)
			switch {
			case st.inc > 0 && (overflow || next > st.max):
				if !st.cycle {
					return nil, sqlerr.New(sqlerr.SequenceGeneratorLimit, "nextval: reached maximum value of sequence \"%s\" (%d)", name, st.max)
				}
				next = st.min
			case st.inc < 0 && (overflow || next < st.min):
				if !st.cycle {
					return nil, sqlerr.New(sqlerr.SequenceGeneratorLimit, "nextval: reached minimum value of sequence \"%s\" (%d)", name, st.min)
				}
				next = st.max
			}
			v = next
		}
		called = true
		out = append(out, v)
	}
	st.last, st.called = v, true
	return out, nil
}

// seqSession is a session's view of sequences: currval and lastval.
type seqSession struct {
	mu      sync.Mutex
	current map[string]int64 // by "schema.name"
	last    *int64
}

// sessionSequences implements functions.Sequences for a session's
// statement (its workers call it at once).
type sessionSequences struct {
	s   *Session
	ctx context.Context
}

// resolve finds the sequence a regclass-style name names.
func (q sessionSequences) resolve(name string) (*catalog.Table, error) {
	schema, rel := splitRegclass(name)
	q.s.mu.Lock() // search_path may change under set_config
	t, err := q.s.lookupTable(q.ctx, schema, rel)
	q.s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
	}
	if t.Type != catalog.Sequence {
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a sequence", t.Name)
	}
	return t, nil
}

// splitRegclass reads 'name' and 'schema.name' as regclass input does.
func splitRegclass(s string) (schema, name string) {
	parts := system.SplitQualified(s)
	if len(parts) >= 2 {
		return parts[len(parts)-2], parts[len(parts)-1]
	}
	return "", parts[0]
}

func (q sessionSequences) Next(name string, n int) ([]int64, error) {
	t, err := q.resolve(name)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		st := readSeq(t)
		vals, err := st.take(t.Name, n)
		if err != nil {
			return nil, err
		}
		upd := *t
		st.write(&upd)
		err = q.s.eng.store.UpdateTable(q.ctx, upd)
		if err == nil {
			q.s.seqs.remember(t.Database+"."+t.Name, vals[len(vals)-1], true)
			return vals, nil
		}
		if sqlerr.Code(err) != sqlerr.SerializationFailure || attempt >= seqRetries {
			return nil, err
		}
		if t, err = q.s.eng.store.GetTable(q.ctx, t.Database, t.Name); err != nil {
			return nil, err
		} else if t == nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", name)
		}
	}
}

func (r *seqSession) remember(key string, v int64, last bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current == nil {
		r.current = map[string]int64{}
	}
	r.current[key] = v
	if last {
		r.last = &v
	}
}

func (q sessionSequences) Current(name string) (int64, error) {
	t, err := q.resolve(name)
	if err != nil {
		return 0, err
	}
	q.s.seqs.mu.Lock()
	defer q.s.seqs.mu.Unlock()
	v, ok := q.s.seqs.current[t.Database+"."+t.Name]
	if !ok {
		return 0, sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "currval of sequence \"%s\" is not yet defined in this session", t.Name)
	}
	return v, nil
}

func (q sessionSequences) Set(name string, v int64, called bool) (int64, error) {
	t, err := q.resolve(name)
	if err != nil {
		return 0, err
	}
	err = q.s.updateTable(q.ctx, t.Database, t.Name, func(cur *catalog.Table) error {
		st := readSeq(cur)
		if v < st.min || v > st.max {
			return sqlerr.New(sqlerr.NumericValueOutOfRange, "setval: value %d is out of bounds for sequence \"%s\" (%d..%d)", v, t.Name, st.min, st.max)
		}
		st.last, st.called = v, called
		st.write(cur)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if called {
		q.s.seqs.remember(t.Database+"."+t.Name, v, false)
	}
	return v, nil
}

func (q sessionSequences) SerialOf(table, column string) (string, error) {
	schema, rel := splitRegclass(table)
	q.s.mu.Lock()
	t, err := q.s.lookupTable(q.ctx, schema, rel)
	q.s.mu.Unlock()
	if err != nil {
		return "", err
	}
	if t == nil {
		return "", sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", table)
	}
	found := false
	for _, c := range t.Columns {
		found = found || c.Name == column
	}
	if !found {
		return "", sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", column, t.Name)
	}
	seqs, err := q.s.ownedSequences(q.ctx, t.Database, t.Name)
	if err != nil {
		return "", err
	}
	for _, sq := range seqs {
		if sq.Parameters[seqOwnedBy] == t.Name+"."+column {
			return quoteIdent(sq.Database) + "." + quoteIdent(sq.Name), nil
		}
	}
	return "", nil
}

func (q sessionSequences) Last() (int64, error) {
	q.s.seqs.mu.Lock()
	defer q.s.seqs.mu.Unlock()
	if q.s.seqs.last == nil {
		return 0, sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
	}
	return *q.s.seqs.last, nil
}

// createSequence is CREATE SEQUENCE.
func (s *Session) createSequence(ctx context.Context, x *ast.CreateSequence) (*Result, error) {
	db, _, err := s.targetSchema(ctx, x.Name, x.Temp)
	if err != nil {
		return nil, err
	}
	owner, err := s.seqOwner(ctx, db, x.Options.OwnedBy)
	if err != nil {
		return nil, err
	}
	if err := s.makeSequence(ctx, db, x.Name.Name, x.Options, owner); err != nil {
		if sqlerr.Code(err) == sqlerr.DuplicateTable && x.IfNotExists {
			return &Result{Tag: "CREATE SEQUENCE", Notices: []string{fmt.Sprintf("relation \"%s\" already exists, skipping", x.Name.Name)}}, nil
		}
		return nil, err
	}
	return &Result{Tag: "CREATE SEQUENCE"}, nil
}

// makeSequence creates sequence db.name (ownedBy: "table.column" of the
// serial column it serves, or "").
func (s *Session) makeSequence(ctx context.Context, db, name string, o ast.SeqOptions, ownedBy string) error {
	if existing, err := s.eng.store.GetTable(ctx, db, name); err != nil {
		return err
	} else if existing != nil {
		return sqlerr.New(sqlerr.DuplicateTable, "relation \"%s\" already exists", name)
	}
	var st seqState
	if err := applySeqOptions(&st, o, true); err != nil {
		return err
	}
	t := catalog.Table{Database: db, Name: name, Type: catalog.Sequence, Owner: s.User}
	st.write(&t)
	if ownedBy != "" {
		t.Parameters[seqOwnedBy] = ownedBy
	}
	return s.eng.store.CreateTable(ctx, t)
}

// alterSequence is ALTER SEQUENCE.
func (s *Session) alterSequence(ctx context.Context, x *ast.AlterSequence) (*Result, error) {
	t, err := s.lookupTable(ctx, x.Name.Schema, x.Name.Name)
	if err != nil {
		return nil, err
	}
	if t == nil || t.Type != catalog.Sequence {
		if t == nil && x.IfExists {
			return &Result{Tag: "ALTER SEQUENCE", Notices: []string{fmt.Sprintf("relation \"%s\" does not exist, skipping", x.Name.Name)}}, nil
		}
		if t == nil {
			return nil, sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", x.Name.String())
		}
		return nil, sqlerr.New(sqlerr.WrongObjectType, "\"%s\" is not a sequence", t.Name)
	}
	owner, err := s.seqOwner(ctx, t.Database, x.Options.OwnedBy)
	if err != nil {
		return nil, err
	}
	err = s.updateTable(ctx, t.Database, t.Name, func(cur *catalog.Table) error {
		st := readSeq(cur)
		if err := applySeqOptions(&st, x.Options, false); err != nil {
			return err
		}
		if len(x.Options.OwnedBy) > 0 {
			if cur.Parameters == nil {
				cur.Parameters = map[string]string{}
			}
			delete(cur.Parameters, seqOwnedBy)
			if owner != "" {
				cur.Parameters[seqOwnedBy] = owner
			}
		}
		st.write(cur) // a last value outside new bounds fails at nextval, as in PostgreSQL
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Result{Tag: "ALTER SEQUENCE"}, nil
}

// seqOwner checks OWNED BY [schema.]table.column (or NONE: "") for a
// sequence of schema db: the table must be in the sequence's schema, as
// PostgreSQL requires, and have the column. The sequence is then
// dropped with the table.
func (s *Session) seqOwner(ctx context.Context, db string, by []string) (string, error) {
	if len(by) == 0 || len(by) == 1 && strings.EqualFold(by[0], "none") {
		return "", nil
	}
	if len(by) < 2 {
		return "", sqlerr.New(sqlerr.SyntaxError, "invalid OWNED BY option").WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	schema, table, col := db, by[len(by)-2], by[len(by)-1]
	if len(by) > 2 {
		schema = by[len(by)-3]
	}
	if schema != db {
		return "", sqlerr.New(sqlerr.ObjectNotInPrerequisiteState, "sequence must be in same schema as table it is linked to")
	}
	t, err := s.eng.store.GetTable(ctx, db, table)
	if err != nil {
		return "", err
	}
	if t == nil {
		return "", sqlerr.New(sqlerr.UndefinedTable, "relation \"%s\" does not exist", table)
	}
	for _, c := range t.Columns {
		if c.Name == col {
			return table + "." + col, nil
		}
	}
	return "", sqlerr.New(sqlerr.UndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", col, table)
}

// sequenceRows is what SELECT * FROM a sequence reads.
func sequenceView(t *catalog.Table) string {
	st := readSeq(t)
	return fmt.Sprintf("SELECT %d::bigint AS last_value, 0::bigint AS log_cnt, %t AS is_called", st.last, st.called)
}

// ownedSequences lists the sequences of serial columns of table db.name.
func (s *Session) ownedSequences(ctx context.Context, db, name string) ([]catalog.Table, error) {
	ts, err := s.eng.store.ListTables(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []catalog.Table
	for _, t := range ts {
		if t.Type == catalog.Sequence && strings.HasPrefix(t.Parameters[seqOwnedBy], name+".") {
			out = append(out, t)
		}
	}
	return out, nil
}

// serialSequence makes the sequence of serial column col of new table
// db.table, named as PostgreSQL names it, and returns the column's
// default.
func (s *Session) serialSequence(ctx context.Context, db, table, col, typ string, opts ast.SeqOptions) (def, seq string, err error) {
	base := table + "_" + col + "_seq"
	name := base
	for i := 1; ; i++ {
		t, err := s.eng.store.GetTable(ctx, db, name)
		if err != nil {
			return "", "", err
		}
		if t == nil {
			break
		}
		name = base + strconv.Itoa(i)
	}
	if opts.As == "" {
		opts.As = typ
	}
	if len(opts.OwnedBy) > 0 {
		return "", "", sqlerr.New(sqlerr.FeatureNotSupported, "OWNED BY in an identity column's sequence options is not supported")
	}
	if err := s.makeSequence(ctx, db, name, opts, table+"."+col); err != nil {
		return "", "", err
	}
	return fmt.Sprintf("nextval('%s'::regclass)", strings.ReplaceAll(quoteIdent(db)+"."+quoteIdent(name), "'", "''")), name, nil
}

// Identity columns (GENERATED ALWAYS / BY DEFAULT AS IDENTITY) are
// serial columns with PostgreSQL's rules: an ALWAYS column takes no
// value but DEFAULT from INSERT (unless OVERRIDING SYSTEM VALUE), and
// UPDATE may set it only to DEFAULT (428C9 otherwise).

// errIdentityAlways is an ALWAYS identity column given a value.
func errIdentityAlways(col string, update bool) error {
	if update {
		return sqlerr.New(sqlerr.GeneratedAlways, "column \"%s\" can only be updated to DEFAULT", col).
			WithDetail(fmt.Sprintf("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", col))
	}
	return sqlerr.New(sqlerr.GeneratedAlways, "cannot insert a non-DEFAULT value into column \"%s\"", col).
		WithDetail(fmt.Sprintf("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", col)).
		WithHint("Use OVERRIDING SYSTEM VALUE to override.")
}

// checkIdentityInsert refuses values for t's ALWAYS identity columns:
// an INSERT names such a column (or lists no columns) only with DEFAULT
// in every VALUES row for it.
func checkIdentityInsert(t *catalog.Table, columns []string, src *ast.Select, overriding bool) error {
	if overriding {
		return nil
	}
	for i, c := range t.Columns {
		if c.Identity != "always" {
			continue
		}
		pos := i
		if len(columns) > 0 {
			pos = slicesIndex(columns, c.Name)
			if pos < 0 {
				continue // not given: its default
			}
		}
		if src == nil {
			continue // DEFAULT VALUES
		}
		if src.Values == nil || src.Op != "" {
			return errIdentityAlways(c.Name, false)
		}
		for _, row := range src.Values {
			if pos < len(row) {
				if _, ok := row[pos].(*ast.Default); !ok {
					return errIdentityAlways(c.Name, false)
				}
			}
		}
	}
	return nil
}

// checkIdentitySet refuses an UPDATE's value for an ALWAYS identity
// column (a nil value is DEFAULT).
func checkIdentitySet(t *catalog.Table, set []ast.SetClause) error {
	for _, sc := range set {
		for _, c := range t.Columns {
			if c.Name == sc.Column && c.Identity == "always" && sc.Value != nil {
				return errIdentityAlways(c.Name, true)
			}
		}
	}
	return nil
}

func slicesIndex(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
