package planner

import (
	"github.com/apache/arrow-go/v18/arrow"

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

// buildCTEScan reads the shared plan's rows, computed once per query
// into an exec.Materialize (in memory, or past the memory limit in a
// spill file) that every reference reads.
func (pb *physBuilder) buildCTEScan(x *CTEScan) (*stream, error) {
	shared := x.Shared
	// a plan that reads outer columns (a semi-join source under a LATERAL
	// side or a correlated subquery) has one value per outer row: shared
	// by the scans of one run, never across runs
	share := (*exec.Ctx).Shared
	if !noOuterRefs(shared.Plan) {
		share = (*exec.Ctx).SharedLocal
	}
	return newStream(&cteSource{label: pb.label(x, "CTEScan "+x.Name), sch: schemaOf(x.Cols), shared: shared, share: share}, x.Cols), nil
}

// cteSource reads a shared plan's materialized rows.
type cteSource struct {
	label  string
	sch    *arrow.Schema
	shared *SharedCTE
	share  func(*exec.Ctx, any, func() (any, error)) (any, error)
	in     exec.Source
}

func (s *cteSource) Name() string  { return s.label }
func (s *cteSource) NewLocal() any { return nil }
func (s *cteSource) Init(ctx *exec.Ctx) error {
	v, err := s.share(ctx, s.shared, func() (any, error) { return materialize(ctx, s.shared.Plan, s.label) })
	if err != nil {
		return err
	}
	s.in = v.(*exec.Materialize).Source(s.label, s.sch)
	return s.in.Init(ctx)
}
func (s *cteSource) Parallelism() int {
	if s.in == nil {
		return 1
	}
	return s.in.Parallelism()
}
func (s *cteSource) Next(ctx *exec.Ctx, local any) (arrow.Record, error) {
	return s.in.Next(ctx, local)
}

// materialize runs a plan into an exec.Materialize, its spill counted
// under label (the first reference's, which EXPLAIN ANALYZE shows).
func materialize(ctx *exec.Ctx, n Node, label string) (*exec.Materialize, error) {
	pb := &physBuilder{labels: map[Node][]string{}}
	s, err := pb.build(n)
	if err != nil {
		return nil, err
	}
	m := &exec.Materialize{Label: label}
	s.pipe.Sink = m
	if err := s.pipe.Run(ctx); err != nil {
		return nil, err
	}
	return m, nil
}
