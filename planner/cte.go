package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec"
)

// CTEScan reads a WITH query. A query referenced once is inlined by the
// inline_ctes rule (so predicates and column pruning reach into it); one
// referenced several times runs once per execution and every reference
// reads its rows, as PostgreSQL 12+ materializes such CTEs. This also
// gives a volatile CTE one set of values for all references.
type CTEScan struct {
	Name   string
	Shared *SharedCTE
	Cols   []Column // positionally the shared plan's columns
}

// SharedCTE is one WITH query's bound plan and its reference count.
type SharedCTE struct {
	Plan      Node
	refs      int
	optimized bool
}

func (n *CTEScan) Columns() []Column          { return n.Cols }
func (n *CTEScan) Children() []Node           { return nil }
func (n *CTEScan) WithChildren([]Node) Node   { return n }
func (n *CTEScan) Describe() string           { return "CTEScan " + n.Name }
func (n *CTEScan) materialized() bool         { return n.Shared.refs > 1 }
func (s *SharedCTE) columns() []Column        { return s.Plan.Columns() }
func (s *SharedCTE) sameIDs(cs []Column) bool { return sameOrder(s.columns(), cs) }

// buildCTEScan reads the shared plan's rows, computed once per query.
func (pb *physBuilder) buildCTEScan(x *CTEScan) (*stream, error) {
	sch := schemaOf(x.Cols)
	shared := x.Shared
	// a plan that reads outer columns (a semi-join source under a LATERAL
	// side or a correlated subquery) has one value per outer row: shared
	// by the scans of one run, never across runs
	share := (*exec.Ctx).Shared
	if !noOuterRefs(shared.Plan) {
		share = (*exec.Ctx).SharedLocal
	}
	return newStream(&exec.RecordsSource{Label: pb.label(x, "CTEScan "+x.Name), Fetch: func(ctx *exec.Ctx) ([]arrow.Record, error) {
		v, err := share(ctx, shared, func() (any, error) { return runOnce(ctx, shared.Plan) })
		if err != nil {
			return nil, err
		}
		recs := v.([]arrow.Record)
		out := make([]arrow.Record, len(recs))
		for i, r := range recs {
			out[i] = array.NewRecord(sch, r.Columns(), r.NumRows())
		}
		return out, nil
	}}, x.Cols), nil
}
