package planner

import (
	"testing"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// A CASE whose arms fold away to its NULL branch stays of the CASE's
// type: the ELSE NULL of a numeric(38,0) CASE, typed plain numeric, made
// a column the projection did not declare (an internal error, found by
// the fuzzer: fuzz/postgres_785b9d66.slt).
func TestSimplifyCaseKeepsItsType(t *testing.T) {
	dec := types.T{Kind: types.Numeric, Prec: 38, Scale: 0}
	col := &expr.Col{T: dec, Name: "x"}
	c := &expr.Case{
		Whens: []expr.When{{Cond: &expr.Const{T: types.BoolT}, Then: col}}, // WHEN NULL
		Else:  &expr.Const{T: types.NumericDynT},
		T:     dec,
	}
	got := simplifyCase(c)
	if got.Type() != dec {
		t.Fatalf("simplified to %v of type %v, want %v", got, got.Type(), dec)
	}
	c.Whens[0].Cond = &expr.Const{V: true, T: types.BoolT} // WHEN true: the THEN arm
	if got := simplifyCase(c); got != col {
		t.Fatalf("WHEN true simplified to %v", got)
	}
}
