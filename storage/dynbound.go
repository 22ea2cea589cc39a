package storage

import (
	"sync"

	"github.com/lakeq/lakeq/types"
)

// DynBound is a bound on one column that an operator above a scan
// tightens while the scan runs — a top-N's worst kept key: once a
// worker holds N rows, a row whose key sorts after the N-th cannot reach
// the result. A reader that sees it before a morsel may skip the row
// groups whose statistics lie beyond it and the rows that compare beyond
// it (DuckDB's dynamic top-N filter): `SELECT * … ORDER BY price DESC
// LIMIT 10` then decodes the other columns at the few rows left instead
// of all of them. Like every storage predicate it only lets a reader drop
// rows the plan would drop anyway; a reader that ignores it is correct.
//
// Safe for concurrent use: the top-N's workers tighten it while the
// scan's workers read it.
type DynBound struct {
	Col  int     // table column
	ColT types.T // its type; integers, dates, timestamps and decimals only
	// Desc: rows whose key is at least the bound are kept (a descending
	// order); otherwise those at most the bound
	Desc bool
	// NullsFirst: NULL keys sort before every value, so a row with a
	// NULL key is never beyond the bound
	NullsFirst bool

	at *dynValue // shared by the bound's views on other columns (OnColumn)
}

type dynValue struct {
	mu sync.Mutex
	v  types.Value // nil: no bound yet
}

// NewDynBound is a bound on table column col, none yet.
func NewDynBound(col int, t types.T, desc, nullsFirst bool) *DynBound {
	return &DynBound{Col: col, ColT: t, Desc: desc, NullsFirst: nullsFirst, at: &dynValue{}}
}

// OnColumn is the same bound on column col of another numbering (a
// file's columns where the table's differ): tightening either tightens
// both.
func (b *DynBound) OnColumn(col int) *DynBound {
	c := *b
	c.Col = col
	return &c
}

// DynBoundType reports whether a column type has a bound readers can
// apply: ordered the same by statistics, by the row filter and by ORDER
// BY. Floats are not (NaN sorts last in ORDER BY, and writers leave it
// out of statistics); nor is text (writers may truncate its statistics).
func DynBoundType(t types.T) bool {
	switch t.Kind {
	case types.Int2, types.Int4, types.Int8, types.Date, types.Timestamp, types.TimestampTZ, types.Numeric:
		return true
	}
	return false
}

// Tighten lowers (or raises, for Desc) the bound to v when v is tighter;
// a NULL v says nothing.
func (b *DynBound) Tighten(v types.Value) {
	if v == nil {
		return
	}
	a := b.at
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.v == nil {
		a.v = v
		return
	}
	c := types.Compare(v, a.v)
	if b.Desc && c > 0 || !b.Desc && c < 0 {
		a.v = v
	}
}

// Pred is the bound now as a predicate (false: none yet). With
// NullsFirst the predicate's KeepNulls is set: NULL rows pass it.
func (b *DynBound) Pred() (Pred, bool) {
	b.at.mu.Lock()
	v := b.at.v
	b.at.mu.Unlock()
	if v == nil {
		return Pred{}, false
	}
	op := "<="
	if b.Desc {
		op = ">="
	}
	return Pred{Col: b.Col, Op: op, Vals: []types.Value{v}, ColT: b.ColT, KeepNulls: b.NullsFirst}, true
}
