package expr

import (
	"testing"

	"github.com/lakeq/lakeq/types"
)

// Every expression below differs from every other in exactly the node or
// field its name says; no two may share a key, and building the same
// expression twice must give the same key.
func TestKeyDistinguishesEveryNode(t *testing.T) {
	col := func(id int) Expr { return &Col{ID: ColumnID(id), T: types.Int8T, Name: "x"} }
	i8 := func(v int64) Expr { return &Const{V: v, T: types.Int8T} }
	txt := func(v string) Expr { return &Const{V: v, T: types.TextT} }
	call := func(name string, tt types.T, args ...Expr) Expr { return &Call{Name: name, T: tt, Args: args} }
	caseOf := func(cond, then, els Expr) Expr {
		return &Case{Whens: []When{{Cond: cond, Then: then}}, Else: els, T: types.Int8T}
	}
	variants := map[string]func() Expr{
		"col 1":             func() Expr { return col(1) },
		"col 2":             func() Expr { return col(2) },
		"outer 1":           func() Expr { return &OuterRef{ID: 1, T: types.Int8T} },
		"param 1":           func() Expr { return &Param{N: 1, T: types.Int8T} },
		"param 1 text":      func() Expr { return &Param{N: 1, T: types.TextT} },
		"param 2":           func() Expr { return &Param{N: 2, T: types.Int8T} },
		"const 1":           func() Expr { return i8(1) },
		"const 1 int4":      func() Expr { return &Const{V: int64(1), T: types.Int4T} },
		"const '1'":         func() Expr { return txt("1") },
		"const 2":           func() Expr { return i8(2) },
		"const null":        func() Expr { return &Const{T: types.Int8T} },
		"const 'NULL'":      func() Expr { return txt("NULL") },
		"const 'a,b'":       func() Expr { return txt("a,b") },
		"const 'a' 'b'":     func() Expr { return call("f", types.Int8T, txt("a"), txt("b")) },
		"const 'a,b' alone": func() Expr { return call("f", types.Int8T, txt("a,b")) },
		"x + 1":             func() Expr { return call("+", types.Int8T, col(1), i8(1)) },
		"x - 1":             func() Expr { return call("-", types.Int8T, col(1), i8(1)) },
		"1 + x":             func() Expr { return call("+", types.Int8T, i8(1), col(1)) },
		"x + 1 numeric":     func() Expr { return call("+", types.NumericT, col(1), i8(1)) },
		"x + 2":             func() Expr { return call("+", types.Int8T, col(1), i8(2)) },
		"y + 1":             func() Expr { return call("+", types.Int8T, col(2), i8(1)) },
		"cast int4":         func() Expr { return &Cast{X: col(1), To: types.Int4T} },
		"cast text":         func() Expr { return &Cast{X: col(1), To: types.TextT} },
		"cast of col 2":     func() Expr { return &Cast{X: col(2), To: types.TextT} },
		"x is null":         func() Expr { return &IsNull{X: col(1)} },
		"x is not null":     func() Expr { return &IsNull{X: col(1), Not: true} },
		"y is null":         func() Expr { return &IsNull{X: col(2)} },
		"x is true":         func() Expr { return &BoolTest{X: col(1), Kind: "TRUE"} },
		"x is not true":     func() Expr { return &BoolTest{X: col(1), Kind: "TRUE", Not: true} },
		"x is false":        func() Expr { return &BoolTest{X: col(1), Kind: "FALSE"} },
		"x is unknown":      func() Expr { return &BoolTest{X: col(1), Kind: "UNKNOWN"} },
		"distinct":          func() Expr { return &IsDistinct{L: col(1), R: col(2)} },
		"not distinct":      func() Expr { return &IsDistinct{L: col(1), R: col(2), Not: true} },
		"distinct swapped":  func() Expr { return &IsDistinct{L: col(2), R: col(1)} },
		"and":               func() Expr { return &And{Args: []Expr{col(1), col(2)}} },
		"or":                func() Expr { return &Or{Args: []Expr{col(1), col(2)}} },
		"and of 3":          func() Expr { return &And{Args: []Expr{col(1), col(2), col(3)}} },
		"not x":             func() Expr { return &Not{X: col(1)} },
		"not y":             func() Expr { return &Not{X: col(2)} },
		"case null→1":       func() Expr { return caseOf(&IsNull{X: col(1)}, i8(1), i8(0)) },
		"case notnull→1":    func() Expr { return caseOf(&IsNull{X: col(1), Not: true}, i8(1), i8(0)) },
		"case null→2":       func() Expr { return caseOf(&IsNull{X: col(1)}, i8(2), i8(0)) },
		"case null→1 else":  func() Expr { return caseOf(&IsNull{X: col(1)}, i8(1), nil) },
		"case else 1":       func() Expr { return caseOf(&IsNull{X: col(1)}, i8(1), i8(1)) },
		"coalesce":          func() Expr { return &Coalesce{Args: []Expr{col(1), i8(0)}, T: types.Int8T} },
		"coalesce 1":        func() Expr { return &Coalesce{Args: []Expr{col(1), i8(1)}, T: types.Int8T} },
		"in (1,2)":          func() Expr { return &InList{X: col(1), List: []Expr{i8(1), i8(2)}} },
		"not in (1,2)":      func() Expr { return &InList{X: col(1), List: []Expr{i8(1), i8(2)}, Not: true} },
		"in (1)":            func() Expr { return &InList{X: col(1), List: []Expr{i8(1)}} },
		"in (2,1)":          func() Expr { return &InList{X: col(1), List: []Expr{i8(2), i8(1)}} },
		"like":              func() Expr { return &Like{X: col(1), Pattern: txt("a%")} },
		"not like":          func() Expr { return &Like{X: col(1), Pattern: txt("a%"), Not: true} },
		"ilike":             func() Expr { return &Like{X: col(1), Pattern: txt("a%"), CI: true} },
		"similar":           func() Expr { return &Like{X: col(1), Pattern: txt("a%"), Similar: true} },
		"like escape":       func() Expr { return &Like{X: col(1), Pattern: txt("a%"), Escape: txt("!")} },
		"like b%":           func() Expr { return &Like{X: col(1), Pattern: txt("b%")} },
		"array[x]":          func() Expr { return &ArrayCtor{Elems: []Expr{col(1)}, T: types.ArrayOf(types.Int8T)} },
		"array[y]":          func() Expr { return &ArrayCtor{Elems: []Expr{col(2)}, T: types.ArrayOf(types.Int8T)} },
		"lower(x)":          func() Expr { return call("lower", types.TextT, col(1)) },
		"upper(x)":          func() Expr { return call("upper", types.TextT, col(1)) },
		"lower(lower(x))":   func() Expr { return call("lower", types.TextT, call("lower", types.TextT, col(1))) },
	}
	seen := map[string]string{}
	for name, build := range variants {
		k := Key(build())
		if k != Key(build()) {
			t.Errorf("%s: two builds give different keys", name)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share the key %q", name, other, k)
		}
		seen[k] = name
	}
	// two distinct subqueries are never one, even with the same text
	a, b := &Subquery{Kind: "scalar", T: types.Int8T}, &Subquery{Kind: "scalar", T: types.Int8T}
	a.Plan, b.Plan = &fakePlan{}, &fakePlan{}
	if Key(a) == Key(b) {
		t.Errorf("two subqueries share a key")
	}
}

type fakePlan struct{ SubPlan }
