package exec

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// DistinctOn keeps the first row of each key in arrival order (its input
// is sorted and read by one worker).
type DistinctOn struct {
	Label string
	Keys  []expr.Expr
	KeyT  []types.T
	seen  map[string]struct{}
	mu    sync.Mutex
}

func (d *DistinctOn) Name() string  { return d.Label }
func (d *DistinctOn) NewLocal() any { return nil }
func (d *DistinctOn) Execute(ctx *Ctx, _ any, in arrow.Record, emit Emit) error {
	n := int(in.NumRows())
	cols, err := evalAll(ctx, d.Keys, in)
	if err != nil {
		return err
	}
	keys := make([][]byte, n)
	nulls := make([]bool, n)
	encodeKeys(cols, d.KeyT, n, keys, nulls)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]struct{}{}
	}
	var keep []int32
	for i := 0; i < n; i++ {
		if _, ok := d.seen[string(keys[i])]; !ok {
			d.seen[string(keys[i])] = struct{}{}
			keep = append(keep, int32(i))
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return emit(expr.SubRecord(in, keep))
}

// SetOpCopies makes an INTERSECT's or EXCEPT's rows from its groups: each
// distinct row with, in its last two columns, how many copies of it each
// side had (a hash aggregate's counts, which run on every worker and
// spill). INTERSECT keeps a row both sides have (ALL: the fewer copies),
// EXCEPT one only the left has (ALL: the left's copies less the right's).
type SetOpCopies struct {
	Label     string
	Intersect bool
	All       bool
	Schema    *arrow.Schema // the output: the row without its counts
}

func (o *SetOpCopies) Name() string  { return o.Label }
func (o *SetOpCopies) NewLocal() any { return nil }
func (o *SetOpCopies) Execute(_ *Ctx, _ any, in arrow.Record, emit Emit) error {
	n, nc := int(in.NumRows()), int(in.NumCols())-2
	l := in.Column(nc).(*array.Int64).Int64Values()
	r := in.Column(nc + 1).(*array.Int64).Int64Values()
	var idx []int32
	for i := range n {
		var copies int64
		switch {
		case o.Intersect && o.All:
			copies = min(l[i], r[i])
		case o.Intersect:
			if l[i] > 0 && r[i] > 0 {
				copies = 1
			}
		case o.All:
			copies = max(l[i]-r[i], 0)
		default:
			if l[i] > 0 && r[i] == 0 {
				copies = 1
			}
		}
		for range copies {
			idx = append(idx, int32(i))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	rows := array.NewRecord(o.Schema, in.Columns()[:nc], int64(n))
	for start := 0; start < len(idx); start += BatchSize {
		if err := emit(expr.SubRecord(rows, idx[start:min(start+BatchSize, len(idx))])); err != nil {
			return err
		}
	}
	return nil
}
