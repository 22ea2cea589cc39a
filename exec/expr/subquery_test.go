package expr

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakeq/lakeq/types"
)

// countedPlan is a subquery plan that counts its runs and takes a while.
type countedPlan struct{ runs atomic.Int32 }

func (p *countedPlan) Run(*Ctx, map[ColumnID]types.Value) ([]types.Value, error) {
	p.runs.Add(1)
	time.Sleep(20 * time.Millisecond)
	return []types.Value{int64(42)}, nil
}

func (p *countedPlan) String() string { return "counted" }

// Workers that need an uncorrelated subquery's value at once wait for
// one run of its plan instead of each running it.
func TestSubqueryRunsOnce(t *testing.T) {
	p := &countedPlan{}
	s := NewSubquery(&Subquery{Kind: "scalar", Plan: p, T: types.Int8T})
	ctx := &Ctx{Context: context.Background()}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := s.result(ctx, "", nil)
			if err != nil || len(r.vals) != 1 || r.vals[0] != int64(42) {
				t.Errorf("result %v, %v", r, err)
			}
		}()
	}
	wg.Wait()
	if n := p.runs.Load(); n != 1 {
		t.Errorf("the plan ran %d times, want 1", n)
	}
}
