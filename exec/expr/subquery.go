package expr

import (
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// SubPlan runs a subquery plan with the given outer-column values and
// returns its first column's values. Implemented by exec; safe for
// concurrent use.
type SubPlan interface {
	Run(ctx *Ctx, outer map[ColumnID]types.Value) ([]types.Value, error)
	String() string
}

// Subquery is a subquery used as an expression. Uncorrelated subqueries
// run once per query; correlated ones (which the planner could not turn
// into joins) run per distinct combination of outer values, memoized.
type Subquery struct {
	Kind      string // "scalar", "exists", "any", "all", "array"
	Plan      SubPlan
	Outer     []ColumnID // outer columns the subquery reads
	OuterArgs []Expr     // their values in the current batch
	Test      Expr       // left operand of ANY/ALL
	Op        string
	Cmp       functions.Kernel // Test op element, for ANY/ALL
	ElemT     types.T          // type of the subquery's column
	T         types.T

	mu    *sync.Mutex
	cache map[string]*subResult
	// running are the runs under way, by key: a worker that needs one
	// waits for it instead of running the plan again (two workers
	// meeting an uncorrelated subquery in their first batches ran it
	// twice, on the cores the rest of the query needed)
	running map[string]*subRun
}

// subRun is one run of the plan for a key, its result once done closes.
type subRun struct {
	done chan struct{}
	r    *subResult
	err  error
}

type subResult struct {
	vals   []types.Value
	set    map[any]struct{}
	hasNul bool
}

// NewSubquery initialises the node's cache.
func NewSubquery(s *Subquery) *Subquery {
	s.mu = &sync.Mutex{}
	return s
}

func (s *Subquery) Type() types.T { return s.T }
func (s *Subquery) String() string {
	inner := "(subquery)"
	if s.Plan != nil {
		inner = "(" + s.Plan.String() + ")"
	}
	switch s.Kind {
	case "exists":
		return "EXISTS" + inner
	case "any", "all":
		return s.Test.String() + " " + s.Op + " " + strings.ToUpper(s.Kind) + inner
	case "array":
		return "ARRAY" + inner
	}
	return inner
}

func (s *Subquery) result(ctx *Ctx, key string, outer map[ColumnID]types.Value) (*subResult, error) {
	s.mu.Lock()
	if r, ok := s.cache[key]; ok {
		s.mu.Unlock()
		return r, nil
	}
	if run, ok := s.running[key]; ok {
		s.mu.Unlock()
		select {
		case <-run.done:
			return run.r, run.err
		case <-ctx.Context.Done():
			return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
	}
	if s.running == nil {
		s.running = map[string]*subRun{}
	}
	run := &subRun{done: make(chan struct{})}
	s.running[key] = run
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, key)
		s.mu.Unlock()
		close(run.done)
	}()
	run.r, run.err = s.run(ctx, key, outer)
	return run.r, run.err
}

// run runs the plan for key and caches its result.
func (s *Subquery) run(ctx *Ctx, key string, outer map[ColumnID]types.Value) (*subResult, error) {
	vals, err := s.Plan.Run(ctx, outer)
	if err != nil {
		return nil, err
	}
	r := &subResult{vals: vals}
	if (s.Kind == "any" || s.Kind == "all") && s.Op == "=" && len(vals) > 8 {
		r.set = make(map[any]struct{}, len(vals))
		for _, v := range vals {
			if v == nil {
				r.hasNul = true
			} else {
				r.set[setKey(v)] = struct{}{}
			}
		}
	}
	s.mu.Lock()
	if s.cache == nil {
		s.cache = map[string]*subResult{}
	}
	if len(s.cache) > 100000 {
		s.cache = map[string]*subResult{}
	}
	s.cache[key] = r
	s.mu.Unlock()
	return r, nil
}

func (s *Subquery) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	n := int(b.NumRows())
	if s.mu == nil {
		s.mu = &sync.Mutex{}
	}
	var outerCols []arrow.Array
	for _, a := range s.OuterArgs {
		v, err := a.Eval(ctx, b)
		if err != nil {
			return nil, err
		}
		outerCols = append(outerCols, v)
	}
	var test arrow.Array
	if s.Test != nil {
		var err error
		if test, err = s.Test.Eval(ctx, b); err != nil {
			return nil, err
		}
	}
	out := make([]types.Value, n)
	var keyB strings.Builder
	for i := 0; i < n; i++ {
		if err := ctx.Context.Err(); err != nil {
			return nil, sqlerr.New(sqlerr.QueryCanceled, "canceling statement due to user request")
		}
		var outer map[ColumnID]types.Value
		keyB.Reset()
		if len(s.Outer) > 0 {
			outer = make(map[ColumnID]types.Value, len(s.Outer)+len(ctx.Outer))
			for k, v := range ctx.Outer {
				outer[k] = v
			}
			for j, id := range s.Outer {
				v := types.GetValue(s.OuterArgs[j].Type(), outerCols[j], i)
				outer[id] = v
				if v == nil {
					keyB.WriteString("\x00N")
				} else {
					keyB.WriteString(types.FormatText(s.OuterArgs[j].Type(), v))
				}
				keyB.WriteByte(0)
			}
		} else {
			outer = ctx.Outer
		}
		r, err := s.result(ctx, keyB.String(), outer)
		if err != nil {
			return nil, err
		}
		switch s.Kind {
		case "exists":
			out[i] = len(r.vals) > 0
		case "scalar":
			if len(r.vals) > 1 {
				return nil, sqlerr.New(sqlerr.CardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			if len(r.vals) == 1 {
				out[i] = r.vals[0]
			}
		case "array":
			out[i] = append([]any{}, r.vals...)
		case "any", "all":
			v, err := s.quantified(ctx, r, test, i)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
	}
	return types.BuildArray(s.T, out), nil
}

// quantified evaluates test[i] op ANY/ALL (values) with SQL NULL rules.
func (s *Subquery) quantified(ctx *Ctx, r *subResult, test arrow.Array, i int) (types.Value, error) {
	isAll := s.Kind == "all"
	if len(r.vals) == 0 {
		return isAll, nil
	}
	x := types.GetValue(s.Test.Type(), test, i)
	if x == nil {
		return nil, nil
	}
	if r.set != nil && !isAll {
		if _, ok := r.set[setKey(x)]; ok {
			return true, nil
		}
		if r.hasNul {
			return nil, nil
		}
		return false, nil
	}
	xa := types.ConstArray(s.Test.Type(), x, len(r.vals))
	ya := types.BuildArray(s.ElemT, r.vals)
	res, err := s.Cmp(ctx.F, []arrow.Array{xa, ya}, len(r.vals))
	if err != nil {
		return nil, err
	}
	sawNull := false
	for j := 0; j < len(r.vals); j++ {
		if res.IsNull(j) {
			sawNull = true
			continue
		}
		v := types.GetValue(types.BoolT, res, j).(bool)
		if v && !isAll {
			return true, nil
		}
		if !v && isAll {
			return false, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return isAll, nil
}
