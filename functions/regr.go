package functions

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// The two-argument statistics aggregates of PostgreSQL 15 (corr,
// covar_pop, covar_samp and the regr_* family), all f(Y, X) over the
// rows where neither is NULL, in double precision. The state is
// PostgreSQL's float8_regr_accum: N, Sx, Sxx, Sy, Syy, Sxy kept with
// the Youngs-Cramer updates and combined with float8_regr_combine, so
// results agree with PostgreSQL's to the rounding of the order rows
// arrive in.

type regrState struct{ n, sx, sxx, sy, syy, sxy float64 }

type regrAcc struct {
	kind string
	st   []regrState
}

func (r *regrAcc) Update(groups []int32, nGroups int, args []arrow.Array) error {
	r.st = grow(r.st, nGroups)
	ys, xs := toFloats(args[0]), toFloats(args[1])
	ya, xa := args[0], args[1]
	for i, g := range groups {
		if g < 0 || ya.IsNull(i) || xa.IsNull(i) {
			continue
		}
		if err := r.st[g].add(ys[i], xs[i]); err != nil {
			return err
		}
	}
	return nil
}

// add is float8_regr_accum.
func (s *regrState) add(y, x float64) error {
	n0, sx0, sy0 := s.n, s.sx, s.sy
	s.n++
	s.sx += x
	s.sy += y
	if n0 > 0 {
		tx, ty := x*s.n-s.sx, y*s.n-s.sy
		scale := 1 / (s.n * n0)
		s.sxx += tx * tx * scale
		s.syy += ty * ty * scale
		s.sxy += tx * ty * scale
		// an error only where finite inputs overflow; a sum an infinite
		// input made infinite is NaN
		inf := func(f float64) bool { return math.IsInf(f, 0) }
		if inf(s.sx) || inf(s.sxx) || inf(s.sy) || inf(s.syy) || inf(s.sxy) {
			if (inf(s.sx) || inf(s.sxx)) && !inf(sx0) && !inf(x) ||
				(inf(s.sy) || inf(s.syy)) && !inf(sy0) && !inf(y) ||
				inf(s.sxy) && !inf(sx0) && !inf(x) && !inf(sy0) && !inf(y) {
				return sqlerr.New(sqlerr.NumericValueOutOfRange, "value out of range: overflow")
			}
			if inf(s.sxx) {
				s.sxx = math.NaN()
			}
			if inf(s.syy) {
				s.syy = math.NaN()
			}
			if inf(s.sxy) {
				s.sxy = math.NaN()
			}
		}
		return nil
	}
	// a first input of Inf or NaN makes the dependent sums NaN
	if math.IsNaN(x) || math.IsInf(x, 0) {
		s.sxx, s.sxy = math.NaN(), math.NaN()
	}
	if math.IsNaN(y) || math.IsInf(y, 0) {
		s.syy, s.sxy = math.NaN(), math.NaN()
	}
	return nil
}

func (r *regrAcc) Merge(other Accumulator, mapping []int32, nGroups int) error {
	r.st = grow(r.st, nGroups)
	for g, b := range other.(*regrAcc).st {
		a := &r.st[mapping[g]]
		switch {
		case b.n == 0:
		case a.n == 0:
			*a = b
		default:
			n := a.n + b.n
			t1 := a.sx/a.n - b.sx/b.n
			t2 := a.sy/a.n - b.sy/b.n
			a.sxx += b.sxx + a.n*b.n*t1*t1/n
			a.syy += b.syy + a.n*b.n*t2*t2/n
			a.sxy += b.sxy + a.n*b.n*t1*t2/n
			a.sx += b.sx
			a.sy += b.sy
			a.n = n
		}
	}
	return nil
}

func (r *regrAcc) Finalize(nGroups int) (arrow.Array, error) {
	r.st = grow(r.st, nGroups)
	if r.kind == "regr_count" {
		b := array.NewInt64Builder(memory.DefaultAllocator)
		defer b.Release()
		for _, s := range r.st[:nGroups] {
			b.Append(int64(s.n))
		}
		return b.NewArray(), nil
	}
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, s := range r.st[:nGroups] {
		v, ok := s.final(r.kind)
		if ok {
			b.Append(v)
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// final is each aggregate's final function; ok false is NULL.
func (s regrState) final(kind string) (float64, bool) {
	if s.n < 1 {
		return 0, false
	}
	switch kind {
	case "regr_sxx":
		return s.sxx, true
	case "regr_syy":
		return s.syy, true
	case "regr_sxy":
		return s.sxy, true
	case "regr_avgx":
		return s.sx / s.n, true
	case "regr_avgy":
		return s.sy / s.n, true
	case "covar_pop":
		return s.sxy / s.n, true
	case "covar_samp":
		if s.n < 2 {
			return 0, false
		}
		return s.sxy / (s.n - 1), true
	case "corr":
		if s.sxx == 0 || s.syy == 0 {
			return 0, false
		}
		return s.sxy / math.Sqrt(s.sxx*s.syy), true
	case "regr_r2":
		if s.sxx == 0 {
			return 0, false
		}
		if s.syy == 0 {
			return 1, true
		}
		return s.sxy * s.sxy / (s.sxx * s.syy), true
	case "regr_slope":
		if s.sxx == 0 {
			return 0, false
		}
		return s.sxy / s.sxx, true
	case "regr_intercept":
		if s.sxx == 0 {
			return 0, false
		}
		return (s.sy - s.sx*s.sxy/s.sxx) / s.n, true
	}
	return 0, false
}

func regrAggregates() []*Aggregate {
	desc := map[string]string{
		"corr":           "correlation coefficient",
		"covar_pop":      "population covariance",
		"covar_samp":     "sample covariance",
		"regr_avgx":      "average of the independent variable (sum(X)/N)",
		"regr_avgy":      "average of the dependent variable (sum(Y)/N)",
		"regr_count":     "number of input rows in which both expressions are not null",
		"regr_intercept": "y-intercept of the least-squares-fit linear equation",
		"regr_r2":        "square of the correlation coefficient",
		"regr_slope":     "slope of the least-squares-fit linear equation",
		"regr_sxx":       "sum of squares of the independent variable",
		"regr_sxy":       "sum of products of the independent and dependent variables",
		"regr_syy":       "sum of squares of the dependent variable",
	}
	var out []*Aggregate
	for _, name := range []string{"corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy"} {
		kind := name
		ret := types.Float8T
		if kind == "regr_count" {
			ret = types.Int8T
		}
		out = append(out, &Aggregate{Name: name, Description: desc[name], Overloads: []AggOverload{{
			Args: []Arg{aFloat8, aFloat8}, Ret: fixed(ret),
			New: func([]types.T, types.T) Accumulator { return &regrAcc{kind: kind} },
		}}})
	}
	return out
}
