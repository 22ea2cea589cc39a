package planner

import (
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// Apply is a dependent (LATERAL) join: Sub is run for each distinct
// combination of the Outer columns of Input's rows. Left keeps input
// rows for which Sub returns nothing (LEFT JOIN LATERAL ... ON true).
type Apply struct {
	Input Node
	Sub   Node
	Outer []Column
	Left  bool
}

func (n *Apply) Columns() []Column {
	return append(append([]Column{}, n.Input.Columns()...), n.Sub.Columns()...)
}
func (n *Apply) Children() []Node { return []Node{n.Input, n.Sub} }
func (n *Apply) WithChildren(ch []Node) Node {
	c := *n
	c.Input, c.Sub = ch[0], ch[1]
	return &c
}
func (n *Apply) Describe() string {
	s := "Apply (lateral)"
	if n.Left {
		s = "LeftApply (lateral)"
	}
	return s + " [" + colNames(n.Outer) + "]"
}

// applyOp runs the lateral side per input row (memoized per outer values).
type applyOp struct {
	label  string
	sub    Node
	outer  []Column
	pos    []int
	left   bool
	subT   []types.T
	schema *arrow.Schema

	mu    sync.Mutex
	cache map[string][]arrow.Record
}

func (a *applyOp) Name() string  { return a.label }
func (a *applyOp) NewLocal() any { return nil }

func (a *applyOp) run(ctx *exec.Ctx, outer map[ColumnID]types.Value, key string) ([]arrow.Record, error) {
	a.mu.Lock()
	if r, ok := a.cache[key]; ok {
		a.mu.Unlock()
		return r, nil
	}
	a.mu.Unlock()
	ec := ctx.Sub(&expr.Ctx{Context: ctx.Expr.Context, F: ctx.Expr.F, Params: ctx.Expr.Params, Outer: outer}, 1)
	recs, err := runOnce(ec, a.sub, true)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.cache == nil || len(a.cache) > 10000 {
		a.cache = map[string][]arrow.Record{}
	}
	a.cache[key] = recs
	a.mu.Unlock()
	return recs, nil
}

func (a *applyOp) Execute(ctx *exec.Ctx, _ any, in arrow.Record, emit exec.Emit) error {
	n := int(in.NumRows())
	var kb strings.Builder
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		outer := make(map[ColumnID]types.Value, len(a.outer)+len(ctx.Expr.Outer))
		for k, v := range ctx.Expr.Outer {
			outer[k] = v
		}
		kb.Reset()
		for j, c := range a.outer {
			v := types.GetValue(c.Type, in.Column(a.pos[j]), i)
			outer[c.ID] = v
			if v == nil {
				kb.WriteString("\x00N")
			} else {
				kb.WriteString(types.FormatText(c.Type, v))
			}
			kb.WriteByte(0)
		}
		recs, err := a.run(ctx, outer, kb.String())
		if err != nil {
			return err
		}
		total := 0
		for _, r := range recs {
			total += int(r.NumRows())
		}
		if total == 0 && !a.left {
			continue
		}
		rows := max(total, 1)
		idx := make([]int32, rows)
		for k := range idx {
			idx[k] = int32(i)
		}
		cols := make([]arrow.Array, 0, a.schema.NumFields())
		for c := 0; c < int(in.NumCols()); c++ {
			cols = append(cols, types.Take(mustType(in.Column(c).DataType()), in.Column(c), idx))
		}
		for c, t := range a.subT {
			if total == 0 {
				cols = append(cols, types.ConstArray(t, nil, 1))
				continue
			}
			var vals []types.Value
			for _, r := range recs {
				for k := 0; k < int(r.NumRows()); k++ {
					vals = append(vals, types.GetValue(t, r.Column(c), k))
				}
			}
			cols = append(cols, types.BuildArray(t, vals))
		}
		if err := emit(array.NewRecord(a.schema, cols, int64(rows))); err != nil {
			return err
		}
	}
	return nil
}

func mustType(dt arrow.DataType) types.T {
	t, err := types.FromArrow(dt)
	if err != nil {
		return types.TextT
	}
	return t
}

func (pb *physBuilder) buildApply(x *Apply) (*stream, error) {
	s, err := pb.build(x.Input)
	if err != nil {
		return nil, err
	}
	op := &applyOp{label: pb.label(x, "Apply"), sub: x.Sub, outer: x.Outer, left: x.Left, schema: schemaOf(x.Columns())}
	for _, c := range x.Outer {
		p, ok := s.layout[c.ID]
		if !ok {
			return nil, errNotInput(c)
		}
		op.pos = append(op.pos, p)
	}
	for _, c := range x.Sub.Columns() {
		op.subT = append(op.subT, c.Type)
	}
	s.pipe.Ops = append(s.pipe.Ops, op)
	s.cols, s.layout = x.Columns(), layoutOf(x.Columns())
	return s, nil
}
