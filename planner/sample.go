package planner

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/parser/ast"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// bindSample binds TABLESAMPLE BERNOULLI|SYSTEM (percent) [REPEATABLE
// (seed)]: constant arguments, PostgreSQL's checks and SQLSTATEs.
func (b *Binder) bindSample(x *ast.TableSample) (*Sample, error) {
	method := strings.ToLower(x.Method)
	if method != "bernoulli" && method != "system" {
		return nil, b.errAt(sqlerr.New(sqlerr.UndefinedObject, "tablesample method %s does not exist", x.Method), x.Pos)
	}
	if len(x.Args) != 1 {
		return nil, b.errAt(sqlerr.New("2202H", "tablesample method %s requires 1 argument, not %d", method, len(x.Args)), x.Pos)
	}
	constant := func(e ast.Expr, t types.T, what string) (types.Value, error) {
		v, err := b.bindExpr(e, &scope{noAgg: what, noWindow: what})
		if err != nil {
			return nil, err
		}
		if v, err = b.coerce(v, t, false); err != nil {
			return nil, err
		}
		return expr.EvalScalar(b.evalCtx(), v)
	}
	pv, err := constant(x.Args[0], types.Float4T, "TABLESAMPLE")
	if err != nil {
		return nil, err
	}
	if pv == nil {
		return nil, sqlerr.New("2202H", "TABLESAMPLE parameter cannot be null")
	}
	p := pv.(float64)
	if p < 0 || p > 100 || p != p {
		return nil, sqlerr.New("2202H", "sample percentage must be between 0 and 100")
	}
	s := &Sample{Method: method, Percent: p}
	if x.Repeatable != nil {
		sv, err := constant(x.Repeatable, types.Float8T, "REPEATABLE")
		if err != nil {
			return nil, err
		}
		if sv == nil {
			return nil, sqlerr.New("2202G", "TABLESAMPLE REPEATABLE parameter cannot be null")
		}
		// PostgreSQL hashes the float8 seed; lakeq keeps its bits
		s.Seed, s.Repeatable, s.SeedArg = int64(math.Float64bits(sv.(float64))), true, sv.(float64)
	} else {
		s.Seed = rand.Int64()
	}
	return s, nil
}

// sampleMorsels applies a sample to a scan's morsels, listed in the
// table's order: SYSTEM keeps each morsel, BERNOULLI each row of each
// morsel, with probability Percent/100, drawn from a generator seeded by
// the sample's seed and the morsel's place in the listing — so a
// REPEATABLE seed picks the same rows whichever worker reads a morsel.
func sampleMorsels(ms []exec.Morsel, s *Sample) []exec.Morsel {
	var out []exec.Morsel
	for i, m := range ms {
		seed := uint64(s.Seed) ^ uint64(i+1)*0x9E3779B97F4A7C15
		if s.Method == "system" {
			if rand.New(rand.NewPCG(seed, 0x5359_5354)).Float64()*100 < s.Percent {
				out = append(out, m)
			}
			continue
		}
		out = append(out, &sampledMorsel{Morsel: m, seed: seed, percent: s.Percent})
	}
	return out
}

// sampledMorsel keeps each row of its morsel with probability percent/100.
type sampledMorsel struct {
	exec.Morsel
	seed    uint64
	percent float64
}

func (m *sampledMorsel) Read(ctx *exec.Ctx) ([]arrow.Record, error) {
	recs, err := m.Morsel.Read(ctx)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(m.seed, 0x4245_524E))
	out := make([]arrow.Record, 0, len(recs))
	for _, r := range recs {
		mb := array.NewBooleanBuilder(memory.DefaultAllocator)
		mb.Reserve(int(r.NumRows()))
		for i := int64(0); i < r.NumRows(); i++ {
			mb.UnsafeAppend(rng.Float64()*100 < m.percent)
		}
		mask := mb.NewArray()
		out = append(out, exec.FilterRecord(r, mask))
		mask.Release()
	}
	return out, nil
}

// Prefetch passes a prefetching morsel's Prefetch through.
func (m *sampledMorsel) Prefetch(ctx *exec.Ctx) int64 {
	if p, ok := m.Morsel.(exec.Prefetcher); ok {
		return p.Prefetch(ctx)
	}
	return 0
}

// Bytes passes a sized morsel's Bytes through: BERNOULLI reads it all.
func (m *sampledMorsel) Bytes() int64 {
	if s, ok := m.Morsel.(exec.Sized); ok {
		return s.Bytes()
	}
	return 0
}
