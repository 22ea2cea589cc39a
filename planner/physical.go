package planner

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec"
	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// Physical is an executable plan: run Root (which runs its dependencies),
// then read Result's batches; their columns follow Cols.
type Physical struct {
	Root   *exec.Pipeline
	Result *exec.Collect
	Cols   []Column
	// Ops maps logical nodes to operator labels, for EXPLAIN ANALYZE.
	Labels map[Node][]string
}

type stream struct {
	pipe   *exec.Pipeline // open: Sink not yet set
	cols   []Column
	layout map[ColumnID]int
}

type physBuilder struct {
	labels map[Node][]string
	n      int
	// scanFilters are the join filters each scan lists with
	scanFilters map[*Scan]*scanJoinFilters
}

// BuildPhysical turns a logical plan into pipelines.
func BuildPhysical(n Node) (*Physical, error) {
	pb := &physBuilder{labels: map[Node][]string{}}
	s, err := pb.build(n)
	if err != nil {
		return nil, err
	}
	res := &exec.Collect{Label: pb.label(n, "Result")}
	s.pipe.Sink = res
	return &Physical{Root: s.pipe, Result: res, Cols: n.Columns(), Labels: pb.labels}, nil
}

func (pb *physBuilder) label(n Node, kind string) string {
	pb.n++
	l := fmt.Sprintf("%s#%d", kind, pb.n)
	pb.labels[n] = append(pb.labels[n], l)
	return l
}

func layoutOf(cols []Column) map[ColumnID]int {
	m := make(map[ColumnID]int, len(cols))
	for i, c := range cols {
		m[c.ID] = i
	}
	return m
}

func schemaOf(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.Arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

func newStream(src exec.Source, cols []Column, deps ...*exec.Pipeline) *stream {
	return &stream{pipe: &exec.Pipeline{Source: src, Deps: deps}, cols: cols, layout: layoutOf(cols)}
}

// close ends the stream's pipeline in sink and returns it.
func (s *stream) close(sink exec.Sink) *exec.Pipeline {
	s.pipe.Sink = sink
	return s.pipe
}

func (s *stream) resolve(e expr.Expr) (expr.Expr, error) {
	if e == nil {
		return nil, nil
	}
	return expr.Resolve(e, s.layout)
}

func (s *stream) resolveAll(es []expr.Expr) ([]expr.Expr, error) {
	out := make([]expr.Expr, len(es))
	for i, e := range es {
		r, err := s.resolve(e)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

func (pb *physBuilder) build(n Node) (*stream, error) {
	switch x := n.(type) {
	case *Scan:
		src := x.Table.Source
		if src == nil {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "relation \"%s\" cannot be scanned", x.Table.Name)
		}
		idx := x.ColIdx
		if x.Sample != nil {
			// a sampled scan lists the whole table (no pruning by the
			// query's filters), so that a REPEATABLE seed picks the same
			// rows whatever the query around it filters
			smp := x.Sample
			return newStream(&exec.MorselSource{Label: pb.label(n, "Scan "+x.Table.Name), List: func(ctx *exec.Ctx) ([]exec.Morsel, error) {
				ms, err := src.Morsels(ctx, idx, nil)
				if err != nil {
					return nil, err
				}
				return sampleMorsels(ms, smp), nil
			}}, x.Cols), nil
		}
		filters := tableFilters(x)
		jf := pb.joinFilters(x)
		jf.built++
		return newStream(&exec.MorselSource{Label: pb.label(n, "Scan "+x.Table.Name), List: func(ctx *exec.Ctx) ([]exec.Morsel, error) {
			extra, none := jf.exprs()
			if none {
				return nil, nil // an inner join above has no build rows
			}
			fs := filters
			if len(extra) > 0 {
				fs = append(append([]expr.Expr{}, filters...), extra...)
			}
			ms, err := src.Morsels(ctx, idx, fs)
			if err != nil {
				return nil, err
			}
			jf.giveBounds(ms)
			return ms, nil
		}, Defer: jf.pending}, x.Cols), nil
	case *Values:
		sch := schemaOf(x.Cols)
		rows := x.Rows
		return newStream(&exec.RecordsSource{Label: pb.label(n, "Values"), Serial: true, Fetch: func(ctx *exec.Ctx) ([]arrow.Record, error) {
			return evalValues(ctx, rows, x.Cols, sch)
		}}, x.Cols), nil
	case *TableFunc:
		sch := schemaOf(x.Cols)
		return newStream(&exec.RecordsSource{Label: pb.label(n, "TableFunction "+x.Name), Serial: true, Fetch: func(ctx *exec.Ctx) ([]arrow.Record, error) {
			return evalTableFunc(ctx, x, sch)
		}}, x.Cols), nil
	case *WorkTable:
		st := x.state
		return newStream(&exec.RecordsSource{Label: pb.label(n, "WorkTable "+x.Name), Fetch: func(*exec.Ctx) ([]arrow.Record, error) {
			return st.recs, nil
		}}, x.Cols), nil
	case *Filter:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		c, err := s.resolve(x.Cond)
		if err != nil {
			return nil, err
		}
		s.pipe.Ops = append(s.pipe.Ops, &exec.Filter{Cond: orderConjuncts(c), Label: pb.label(n, "Filter")})
		return s, nil
	case *Project:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		es, err := s.resolveAll(x.Exprs)
		if err != nil {
			return nil, err
		}
		s.pipe.Ops = append(s.pipe.Ops, &exec.Project{Exprs: es, Schema: schemaOf(x.Cols), Label: pb.label(n, "Project")})
		s.cols, s.layout = x.Cols, layoutOf(x.Cols)
		return s, nil
	case *Join:
		return pb.buildJoin(x)
	case *Aggregate:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		h := &exec.HashAgg{Label: pb.label(n, "HashAggregate"), Sets: x.Sets, WithGID: x.GIDCol != nil, OutSchema: schemaOf(x.Columns())}
		if h.Keys, err = s.resolveAll(x.Keys); err != nil {
			return nil, err
		}
		for _, k := range x.Keys {
			h.KeyT = append(h.KeyT, k.Type())
		}
		h.Pack = packLayout(x)
		if est := estimateRows(x) / float64(max(len(x.Sets), 1)); est > 0 && est < 1<<30 {
			h.EstGroups = int(est)
		}
		for _, a := range x.Aggs {
			spec, err := aggSpec(s, a)
			if err != nil {
				return nil, err
			}
			if (a.Name == "sum" || a.Name == "avg") && !a.Distinct && len(spec.Args) == 1 {
				// their numeric accumulator takes 64-bit arrays as they are
				spec.Args[0] = expr.Narrowed(spec.Args[0])
			}
			h.Aggs = append(h.Aggs, *spec)
		}
		maskFilter(s.pipe, h)
		h.ByMorsel = byMorsel(s.pipe, h)
		p := s.close(h)
		return newStream(h.AsSource(), x.Columns(), p), nil
	case *Window:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		w := &exec.Window{Label: pb.label(n, "Window"), Frame: x.Frame, OutSchema: schemaOf(x.Columns()), RankLimit: x.RankLimit}
		w.SetCollectLabel(w.Label)
		for _, p := range x.Partition {
			r, err := s.resolve(p)
			if err != nil {
				return nil, err
			}
			w.Partition = append(w.Partition, exec.SortKey{Expr: r})
		}
		for _, o := range x.Order {
			r, err := s.resolve(o.Expr)
			if err != nil {
				return nil, err
			}
			w.Order = append(w.Order, exec.SortKey{Expr: r, Desc: o.Desc, NullsFirst: o.NullsFirst})
		}
		for _, f := range x.Funcs {
			args, err := s.resolveAll(f.Args)
			if err != nil {
				return nil, err
			}
			wf := exec.WindowFunc{Win: f.Win, Args: args, ArgT: f.ArgT, Ret: f.Ret}
			if f.Agg != nil {
				spec, err := aggSpec(s, *f.Agg)
				if err != nil {
					return nil, err
				}
				wf.Agg = spec
			}
			w.Funcs = append(w.Funcs, wf)
		}
		p := s.close(w)
		return newStream(w.AsSource(), x.Columns(), p), nil
	case *Sort:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		so := &exec.Sort{Label: pb.label(n, "Sort"), Limit: x.Limit}
		for _, k := range x.Keys {
			r, err := s.resolve(k.Expr)
			if err != nil {
				return nil, err
			}
			so.Keys = append(so.Keys, exec.SortKey{Expr: r, Desc: k.Desc, NullsFirst: k.NullsFirst})
		}
		so.Bound = pb.topNBound(x)
		p := s.close(so)
		return newStream(so.AsSource(), x.Columns(), p), nil
	case *Limit:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		if x.Count == 0 {
			// still a valid plan: nothing passes
			s.pipe.Ops = append(s.pipe.Ops, &exec.Filter{Cond: &expr.Const{V: false, T: types.BoolT}, Label: pb.label(n, "Limit")})
			return s, nil
		}
		s.pipe.Ops = append(s.pipe.Ops, &exec.Limit{Count: x.Count, Offset: x.Offset, Label: pb.label(n, "Limit")})
		return s, nil
	case *Distinct:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		h := &exec.HashAgg{Label: pb.label(n, "Distinct"), OutSchema: schemaOf(x.Columns())}
		for _, c := range s.cols {
			r, _ := s.resolve(colRef(c))
			h.Keys = append(h.Keys, r)
			h.KeyT = append(h.KeyT, c.Type)
		}
		p := s.close(h)
		return newStream(h.AsSource(), x.Columns(), p), nil
	case *DistinctOn:
		s, err := pb.build(x.Input)
		if err != nil {
			return nil, err
		}
		keys, err := s.resolveAll(x.Keys)
		if err != nil {
			return nil, err
		}
		d := &exec.DistinctOn{Label: pb.label(n, "DistinctOn"), Keys: keys}
		for _, k := range x.Keys {
			d.KeyT = append(d.KeyT, k.Type())
		}
		s.pipe.Ops = append(s.pipe.Ops, d)
		return s, nil
	case *SetOp:
		return pb.buildSetOp(x)
	case *RecursiveCTE:
		return pb.buildRecursive(x)
	case *CTEScan:
		return pb.buildCTEScan(x)
	case *Apply:
		return pb.buildApply(x)
	}
	return nil, sqlerr.New(sqlerr.Internal, "no physical plan for %T", n)
}

func aggSpec(s *stream, a AggCall) (*exec.AggSpec, error) {
	args, err := s.resolveAll(a.Args)
	if err != nil {
		return nil, err
	}
	spec := &exec.AggSpec{Name: a.Name, Func: a.Overload, Args: args, ArgT: a.ArgT, Ret: a.Ret, Distinct: a.Distinct}
	if a.Filter != nil {
		if spec.Filter, err = s.resolve(a.Filter); err != nil {
			return nil, err
		}
	}
	for _, o := range a.OrderBy {
		r, err := s.resolve(o.Expr)
		if err != nil {
			return nil, err
		}
		spec.OrderBy = append(spec.OrderBy, r)
		spec.OrderDesc = append(spec.OrderDesc, o.Desc)
		spec.OrderNulls = append(spec.OrderNulls, o.NullsFirst)
	}
	return spec, nil
}

func evalValues(ctx *exec.Ctx, rows [][]expr.Expr, cols []Column, sch *arrow.Schema) ([]arrow.Record, error) {
	one := array.NewRecord(arrow.NewSchema(nil, nil), nil, 1)
	if len(cols) == 0 {
		return []arrow.Record{array.NewRecord(sch, nil, int64(len(rows)))}, nil
	}
	vals := make([][]types.Value, len(cols))
	for _, row := range rows {
		for c, e := range row {
			a, err := e.Eval(ctx.Expr, one)
			if err != nil {
				return nil, err
			}
			if !arrow.TypeEqual(a.DataType(), cols[c].Type.Arrow()) {
				if a, err = expr.CastArray(ctx.Expr, a, e.Type(), cols[c].Type); err != nil {
					return nil, err
				}
			}
			vals[c] = append(vals[c], types.GetValue(cols[c].Type, a, 0))
		}
	}
	arrs := make([]arrow.Array, len(cols))
	for c := range cols {
		arrs[c] = types.BuildArray(cols[c].Type, vals[c])
	}
	return []arrow.Record{array.NewRecord(sch, arrs, int64(len(rows)))}, nil
}

func evalTableFunc(ctx *exec.Ctx, tf *TableFunc, sch *arrow.Schema) ([]arrow.Record, error) {
	if len(tf.Zip) > 0 {
		return evalZip(ctx, tf, sch)
	}
	outs, err := tableFuncColumns(ctx, tf)
	if err != nil {
		return nil, err
	}
	out := outs[0]
	var recs []arrow.Record
	for start := 0; start < len(out) || (start == 0 && len(out) == 0); start += exec.BatchSize {
		end := min(start+exec.BatchSize, len(out))
		var cols []arrow.Array
		for c, o := range outs {
			cols = append(cols, types.BuildArray(tf.Cols[c].Type, o[start:end]))
		}
		if tf.Ordinality {
			ord := make([]types.Value, end-start)
			for i := range ord {
				ord[i] = int64(start + i + 1)
			}
			cols = append(cols, types.BuildArray(types.Int8T, ord))
		}
		recs = append(recs, array.NewRecord(sch, cols, int64(end-start)))
		if len(out) == 0 {
			break
		}
	}
	return recs, nil
}

// evalZip runs set-returning functions side by side, as PostgreSQL runs
// several in one select list: row i holds each function's i-th value,
// NULL once a shorter one is exhausted.
func evalZip(ctx *exec.Ctx, tf *TableFunc, sch *arrow.Schema) ([]arrow.Record, error) {
	var parts [][]types.Value
	n := 0
	for _, p := range tf.Zip {
		vs, err := tableFuncColumns(ctx, p)
		if err != nil {
			return nil, err
		}
		parts = append(parts, vs...)
		v := vs[0]
		if p.Ordinality {
			ord := make([]types.Value, len(v))
			for i := range ord {
				ord[i] = int64(i + 1)
			}
			parts = append(parts, ord)
		}
		n = max(n, len(v))
	}
	if tf.Ordinality {
		// WITH ORDINALITY over the whole ROWS FROM
		ord := make([]types.Value, n)
		for i := range ord {
			ord[i] = int64(i + 1)
		}
		parts = append(parts, ord)
	}
	cols := make([]arrow.Array, len(parts))
	for i, v := range parts {
		for len(v) < n {
			v = append(v, nil)
		}
		cols[i] = types.BuildArray(tf.Cols[i].Type, v)
	}
	return []arrow.Record{array.NewRecord(sch, cols, int64(n))}, nil
}

// tableFuncColumns computes a table function's values, one slice per
// column before ordinality.
func tableFuncColumns(ctx *exec.Ctx, tf *TableFunc) ([][]types.Value, error) {
	if tf.Name == "jsonb_path_query" || tf.Name == "jsonb_path_query_tz" {
		vals := make([]types.Value, len(tf.Args))
		for i, a := range tf.Args {
			v, err := expr.EvalScalar(ctx.Expr, a)
			if err != nil || v == nil {
				return [][]types.Value{nil}, err // strict: NULL in, no rows
			}
			vals[i] = v
		}
		vars, silent := "", false
		if len(vals) > 2 {
			vars = vals[2].(string)
		}
		if len(vals) > 3 {
			silent = vals[3].(bool)
		}
		items, err := functions.JSONPathQuery(vals[0].(string), vals[1].(string), vars, silent)
		out := make([]types.Value, len(items))
		for i, it := range items {
			out[i] = it
		}
		return [][]types.Value{out}, err
	}
	if _, ok := functions.JSONRecordFunc(tf.Name); ok {
		v, err := expr.EvalScalar(ctx.Expr, tf.Args[0])
		if err != nil || v == nil {
			return make([][]types.Value, len(tf.Cols)-boolInt(tf.Ordinality)), err
		}
		names := make([]string, len(tf.Cols))
		ts := make([]types.T, len(tf.Cols))
		for i, c := range tf.Cols {
			names[i], ts[i] = c.Name, c.Type
		}
		var loc *time.Location
		if ctx.Expr.F != nil {
			loc = ctx.Expr.F.Loc
		}
		return functions.JSONRecordRows(tf.Name, v.(string), names, ts, loc)
	}
	if _, _, _, ok := functions.JSONSetFunc(tf.Name); ok && !tf.Scalar {
		v, err := expr.EvalScalar(ctx.Expr, tf.Args[0])
		if err != nil || v == nil {
			return make([][]types.Value, len(tf.Cols)-boolInt(tf.Ordinality)), err
		}
		return functions.JSONSetRows(tf.Name, v.(string))
	}
	v, err := tableFuncValues(ctx, tf)
	return [][]types.Value{v}, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tableFuncValues computes a one-column table function's values.
func tableFuncValues(ctx *exec.Ctx, tf *TableFunc) ([]types.Value, error) {
	args := make([]types.Value, len(tf.Args))
	for i, a := range tf.Args {
		v, err := expr.EvalScalar(ctx.Expr, a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	var out []types.Value
	t := tf.Cols[0].Type
	if tf.Scalar {
		return []types.Value{args[0]}, nil
	}
	switch tf.Name {
	case "generate_series":
		if args[0] == nil || args[1] == nil || (len(args) > 2 && args[2] == nil) {
			break
		}
		switch t.Kind {
		case types.Int4, types.Int8:
			start, stop, step := args[0].(int64), args[1].(int64), int64(1)
			if len(args) > 2 {
				step = args[2].(int64)
			}
			if step == 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
			}
			for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
				out = append(out, v)
				if len(out)%65536 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, err
					}
				}
				if (step > 0 && v > math.MaxInt64-step) || (step < 0 && v < math.MinInt64-step) {
					break
				}
			}
		case types.Timestamp, types.TimestampTZ:
			if len(args) < 3 {
				return nil, sqlerr.New(sqlerr.UndefinedFunction, "function generate_series(timestamp, timestamp) does not exist")
			}
			iv := args[2].(types.IntervalVal)
			if iv.Months == 0 && iv.Days == 0 && iv.Micros == 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
			}
			// each value is the previous one plus the step, as
			// PostgreSQL steps (Jan 31 + 1 month is Feb 29, then Mar 29);
			// a timestamptz steps its days and months in the session's
			// time zone
			var loc *time.Location
			if t.Kind == types.TimestampTZ {
				loc = ctx.Expr.F.Loc
				if loc == nil {
					loc = time.UTC
				}
			}
			cur := args[0].(types.TimestampVal)
			stop := args[1].(types.TimestampVal)
			positive := types.IntervalSortKey(iv) > 0
			for i := 0; (positive && cur <= stop) || (!positive && cur >= stop); i++ {
				out = append(out, cur)
				cur = types.TimestampVal(functions.AddInterval(int64(cur), iv, loc))
				if i%65536 == 0 {
					if err := ctx.Err(); err != nil {
						return nil, err
					}
				}
			}
		default:
			d0, _ := args[0].(types.Decimal)
			_ = d0
			start, stop, step := toF(args[0]), toF(args[1]), 1.0
			if len(args) > 2 {
				step = toF(args[2])
			}
			if step == 0 {
				return nil, sqlerr.New(sqlerr.InvalidParameterValue, "step size cannot equal zero")
			}
			for v := start; (step > 0 && v <= stop) || (step < 0 && v >= stop); v += step {
				cv, err := types.CastScalar(v, types.Float8T, t, nil)
				if err != nil {
					return nil, err
				}
				out = append(out, cv)
			}
		}
	case "unnest":
		if a, ok := args[0].([]any); ok {
			out = flattenArray(a, nil)
		}
	case "regexp_matches", "regexp_split_to_table":
		if args[0] == nil || args[1] == nil || len(args) > 2 && args[2] == nil {
			break
		}
		flags := ""
		if len(args) > 2 {
			flags = args[2].(string)
		}
		if tf.Name == "regexp_split_to_table" {
			parts, err := functions.RegexpSplit(args[0].(string), args[1].(string), flags, tf.Name)
			for _, p := range parts {
				out = append(out, p)
			}
			return out, err
		}
		return functions.RegexpMatches(args[0].(string), args[1].(string), flags)
	case "string_to_table":
		// string_to_array's pieces (NULL delimiter: each character)
		if args[0] == nil {
			break
		}
		var null *string
		if len(args) > 2 && args[2] != nil {
			s := args[2].(string)
			null = &s
		}
		var delim *string
		if args[1] != nil {
			s := args[1].(string)
			delim = &s
		}
		return functions.StringToArray(args[0].(string), delim, null), nil
	case "generate_subscripts":
		// lakeq's arrays are one-dimensional and 1-based
		if a, ok := args[0].([]any); ok && args[1] == int64(1) {
			desc := len(args) > 2 && args[2] == true
			for i := range a {
				k := int64(i + 1)
				if desc {
					k = int64(len(a) - i)
				}
				out = append(out, k)
			}
		}
	}
	return out, nil
}

func toF(v types.Value) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case types.Decimal:
		return x.Float64()
	}
	return 0
}

// splitConjuncts flattens AND.
func splitConjuncts(e expr.Expr) []expr.Expr {
	if e == nil {
		return nil
	}
	if a, ok := e.(*expr.And); ok {
		var out []expr.Expr
		for _, x := range a.Args {
			out = append(out, splitConjuncts(x)...)
		}
		return out
	}
	return []expr.Expr{e}
}

// colsOf returns the set of column ids an expression reads (not outer refs).
func colsOf(e expr.Expr) map[ColumnID]bool {
	m := map[ColumnID]bool{}
	expr.Walk(e, func(x expr.Expr) bool {
		if c, ok := x.(*expr.Col); ok {
			m[c.ID] = true
		}
		return true
	})
	return m
}

func subset(a map[ColumnID]bool, layout map[ColumnID]int) bool {
	for id := range a {
		if _, ok := layout[id]; !ok {
			return false
		}
	}
	return true
}

func (pb *physBuilder) buildJoin(x *Join) (*stream, error) {
	left, right := x.Left, x.Right
	jt := x.Type
	if jt == JoinRight {
		left, right, jt = right, left, JoinLeft
	}
	// hash the smaller input of an inner join; the larger one streams
	if (jt == JoinInner || jt == JoinCross) && estimateRows(right) > 2*estimateRows(left) {
		left, right = right, left
	}
	// a semi or anti join whose kept side is much the smaller hashes that
	// side and lets the other stream past it, marking what it meets
	rightKept := false
	if (jt == JoinSemi || jt == JoinAnti) && x.Cond != nil {
		if l, r := estimateRows(left), estimateRows(right); l > 0 && r > 4*l {
			left, right, rightKept = right, left, true
		}
	}
	// a LEFT join whose preserved side is much the smaller hashes that
	// side (a right outer join of the swapped inputs): the large side
	// streams past it instead of filling a table with long key chains
	rightOuter := false
	if jt == JoinLeft && x.Cond != nil {
		if l, r := estimateRows(left), estimateRows(right); l > 0 && r > 4*l {
			left, right, rightOuter = right, left, true
		}
	}
	ls, err := pb.build(left)
	if err != nil {
		return nil, err
	}
	rs, err := pb.build(right)
	if err != nil {
		return nil, err
	}
	build := &exec.JoinBuild{Label: pb.label(x, "HashBuild")}
	probe := &exec.JoinProbe{Label: pb.label(x, "HashProbe"), Build: build}
	var residual []expr.Expr
	var probeKeys, buildKeys []expr.Expr // logical, for join filters
	// NOT IN's comparison must stay a key even when its probe side reads
	// no column (NULL::int NOT IN (…)): as a residual its NULL would read
	// as false and keep the row, where NULL NOT IN a non-empty set is NULL
	nullAware := jt == JoinNullAnti || jt == JoinMark && x.NullAware
	for _, c := range splitConjuncts(x.Cond) {
		if call, ok := c.(*expr.Call); ok && call.Name == "=" && len(call.Args) == 2 {
			a, b := call.Args[0], call.Args[1]
			ca, cb := colsOf(a), colsOf(b)
			if nullAware && len(ca) == 0 && len(cb) > 0 && !hasSubquery(a) && !hasSubquery(b) && subset(cb, rs.layout) {
				pk, _ := ls.resolve(a)
				bk, _ := rs.resolve(b)
				probe.Keys, build.Keys = append(probe.Keys, pk), append(build.Keys, bk)
				probe.KeyT, build.KeyT = append(probe.KeyT, a.Type()), append(build.KeyT, b.Type())
				continue
			}
			if len(ca) > 0 && len(cb) > 0 && !hasSubquery(a) && !hasSubquery(b) {
				if subset(ca, ls.layout) && subset(cb, rs.layout) {
					pk, _ := ls.resolve(a)
					bk, _ := rs.resolve(b)
					probe.Keys, build.Keys = append(probe.Keys, pk), append(build.Keys, bk)
					probe.KeyT, build.KeyT = append(probe.KeyT, a.Type()), append(build.KeyT, b.Type())
					probeKeys, buildKeys = append(probeKeys, a), append(buildKeys, b)
					continue
				}
				if subset(cb, ls.layout) && subset(ca, rs.layout) {
					pk, _ := ls.resolve(b)
					bk, _ := rs.resolve(a)
					probe.Keys, build.Keys = append(probe.Keys, pk), append(build.Keys, bk)
					probe.KeyT, build.KeyT = append(probe.KeyT, b.Type()), append(build.KeyT, a.Type())
					probeKeys, buildKeys = append(probeKeys, b), append(buildKeys, a)
					continue
				}
			}
		}
		residual = append(residual, c)
	}
	if len(probe.Keys) == 0 {
		build.Label = pb.label(x, "NestedLoopBuild")
		probe.Label = pb.label(x, "NestedLoopJoin")
	}
	build.Collect.Label = build.Label
	combined := append(append([]Column{}, ls.cols...), rs.cols...)
	if len(residual) > 0 {
		var r expr.Expr = &expr.And{Args: residual}
		if len(residual) == 1 {
			r = residual[0]
		}
		res, err := expr.Resolve(r, layoutOf(combined))
		if err != nil {
			return nil, err
		}
		probe.Residual = res
	}
	for _, c := range rs.cols {
		probe.BuildTypes = append(probe.BuildTypes, c.Type)
	}
	var outCols []Column
	switch jt {
	case JoinInner, JoinCross:
		probe.Kind = exec.InnerJoin
		outCols = combined
	case JoinLeft:
		probe.Kind = exec.LeftJoin
		if rightOuter {
			probe.Kind = exec.RightOuterJoin
		}
		outCols = combined
	case JoinFull:
		probe.Kind = exec.FullJoin
		outCols = combined
	case JoinSemi, JoinAnti:
		probe.Kind, outCols = exec.SemiJoin, ls.cols
		if jt == JoinAnti {
			probe.Kind = exec.AntiJoin
		}
		if rightKept {
			probe.Kind, outCols = exec.RightSemiJoin, rs.cols
			if jt == JoinAnti {
				probe.Kind = exec.RightAntiJoin
			}
		}
	case JoinNullAnti:
		probe.Kind = exec.NullAntiJoin
		outCols = ls.cols
	case JoinMark:
		probe.Kind = exec.MarkJoin
		probe.NullAware = x.NullAware
		outCols = append(append([]Column{}, ls.cols...), *x.MarkCol)
	}
	probe.OutSchema = schemaOf(outCols)
	// a probe row needs only its own key's build rows, so a keyed join
	// runs partition by partition past the memory limit
	build.Spillable = len(probe.Keys) > 0
	// probe rows that match no build row are dropped: the probe side's
	// scans need not read what cannot match
	switch probe.Kind {
	case exec.InnerJoin, exec.SemiJoin, exec.RightSemiJoin, exec.RightAntiJoin, exec.RightOuterJoin:
		if len(probeKeys) == len(probe.Keys) {
			pb.addJoinFilters(build, left, probeKeys, buildKeys)
		}
	}
	bp := rs.close(build)
	ls.pipe.Deps = append(ls.pipe.Deps, bp)
	ls.pipe.Ops = append(ls.pipe.Ops, probe)
	ls.cols, ls.layout = outCols, layoutOf(outCols)
	// keep the logical column order (a swapped RIGHT join lists right first)
	want := x.Columns()
	if !sameOrder(outCols, want) {
		var es []expr.Expr
		for _, c := range want {
			r, err := ls.resolve(colRef(c))
			if err != nil {
				return nil, err
			}
			es = append(es, r)
		}
		ls.pipe.Ops = append(ls.pipe.Ops, &exec.Project{Exprs: es, Schema: schemaOf(want), Label: pb.label(x, "Project")})
		ls.cols, ls.layout = want, layoutOf(want)
	}
	return ls, nil
}

func sameOrder(a, b []Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}

func hasSubquery(e expr.Expr) bool {
	found := false
	expr.Walk(e, func(x expr.Expr) bool {
		if _, ok := x.(*expr.Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// unionDepth is how many batches a UNION ALL holds between its inputs
// and its reader.
const unionDepth = 4

func (pb *physBuilder) buildSetOp(x *SetOp) (*stream, error) {
	ls, err := pb.build(x.Left)
	if err != nil {
		return nil, err
	}
	rs, err := pb.build(x.Right)
	if err != nil {
		return nil, err
	}
	sch := schemaOf(x.Cols)
	// both sides to the output schema (same types, new names)
	relabel := func(s *stream) {
		var es []expr.Expr
		for i, c := range s.cols {
			es = append(es, &expr.Col{ID: c.ID, Idx: i, T: c.Type, Name: c.Name})
		}
		s.pipe.Ops = append(s.pipe.Ops, &exec.Project{Exprs: es, Schema: sch, Label: pb.label(x, "Project")})
	}
	relabel(ls)
	relabel(rs)
	if x.Kind == "union" {
		// the inputs stream into the pipeline after the union, the rows
		// in flight bounded by the channel (never collected whole)
		label := pb.label(x, "Union")
		u := exec.NewUnionSource(label, unionDepth)
		send := func() *exec.Send { return &exec.Send{Label: label, Ch: u.Ch, Stop: u.Stop} }
		u.Inputs = []*exec.Pipeline{ls.close(send()), rs.close(send())}
		out := newStream(u, x.Cols)
		if x.All {
			return out, nil
		}
		h := &exec.HashAgg{Label: pb.label(x, "Distinct"), OutSchema: sch}
		for i, c := range x.Cols {
			h.Keys = append(h.Keys, &expr.Col{ID: c.ID, Idx: i, T: c.Type, Name: c.Name})
			h.KeyT = append(h.KeyT, c.Type)
		}
		p := out.close(h)
		return newStream(h.AsSource(), x.Cols, p), nil
	}
	// INTERSECT and EXCEPT: both sides streamed into one hash aggregate
	// by the whole row, counting each side's copies (marked by a 1 in
	// that side's column, NULL in the other's), then the copies the
	// operation keeps
	label := pb.label(x, x.Describe())
	n := len(x.Cols)
	marked := arrow.NewSchema(append(append([]arrow.Field{}, sch.Fields()...),
		arrow.Field{Name: "left", Type: types.Int4T.Arrow(), Nullable: true},
		arrow.Field{Name: "right", Type: types.Int4T.Arrow(), Nullable: true}), nil)
	mark := func(s *stream, left bool) {
		es := make([]expr.Expr, 0, n+2)
		for i, c := range x.Cols {
			es = append(es, &expr.Col{ID: c.ID, Idx: i, T: c.Type, Name: c.Name})
		}
		one, none := &expr.Const{V: int64(1), T: types.Int4T}, &expr.Const{T: types.Int4T}
		if left {
			es = append(es, one, none)
		} else {
			es = append(es, none, one)
		}
		s.pipe.Ops = append(s.pipe.Ops, &exec.Project{Exprs: es, Schema: marked, Label: pb.label(x, "Project")})
	}
	mark(ls, true)
	mark(rs, false)
	u := exec.NewUnionSource(label+" input", unionDepth)
	send := func() *exec.Send { return &exec.Send{Label: label + " input", Ch: u.Ch, Stop: u.Stop} }
	u.Inputs = []*exec.Pipeline{ls.close(send()), rs.close(send())}
	counted := arrow.NewSchema(append(append([]arrow.Field{}, sch.Fields()...),
		arrow.Field{Name: "left", Type: types.Int8T.Arrow()},
		arrow.Field{Name: "right", Type: types.Int8T.Arrow()}), nil)
	h := &exec.HashAgg{Label: label, OutSchema: counted}
	for i, c := range x.Cols {
		h.Keys = append(h.Keys, &expr.Col{ID: c.ID, Idx: i, T: c.Type, Name: c.Name})
		h.KeyT = append(h.KeyT, c.Type)
	}
	count := functions.CountAny()
	for side := range 2 {
		h.Aggs = append(h.Aggs, exec.AggSpec{Name: "count", Func: count, Args: []expr.Expr{&expr.Col{Idx: n + side, T: types.Int4T}}, ArgT: []types.T{types.Int4T}, Ret: types.Int8T})
	}
	p := newStream(u, nil).close(h)
	out := newStream(h.AsSource(), x.Cols, p)
	out.pipe.Ops = append(out.pipe.Ops, &exec.SetOpCopies{Label: label + " copies", Intersect: x.Kind == "intersect", All: x.All, Schema: sch})
	return out, nil
}

// recursiveSource runs a recursive CTE to a fixed point at Init.
type recursiveSource struct {
	label string
	node  *RecursiveCTE
	out   []arrow.Record
	exec.RecordsSource
}

func (pb *physBuilder) buildRecursive(x *RecursiveCTE) (*stream, error) {
	label := pb.label(x, "RecursiveCTE "+x.Name)
	sch := schemaOf(x.Columns())
	src := &exec.RecordsSource{Label: label, Fetch: func(ctx *exec.Ctx) ([]arrow.Record, error) {
		return runRecursive(ctx, x, sch)
	}}
	return newStream(src, x.Columns()), nil
}

// runOnce runs a plan to its end and returns its rows; kept: they count
// against the memory limit without failing at it (exec.Collect.Kept).
func runOnce(ctx *exec.Ctx, n Node, kept bool) ([]arrow.Record, error) {
	p, err := BuildPhysical(n)
	if err != nil {
		return nil, err
	}
	p.Result.Kept = kept
	if err := p.Root.Run(ctx); err != nil {
		return nil, err
	}
	return p.Result.Records(), nil
}

func runRecursive(ctx *exec.Ctx, x *RecursiveCTE, sch *arrow.Schema) ([]arrow.Record, error) {
	first, err := runOnce(ctx, x.Anchor, false)
	if err != nil {
		return nil, err
	}
	var ts []types.T
	for _, c := range x.Work.Cols {
		ts = append(ts, c.Type)
	}
	seen := map[string]bool{}
	dedupe := func(recs []arrow.Record) []arrow.Record {
		if !x.Union {
			return recs
		}
		var out []arrow.Record
		for _, r := range recs {
			keys := exec.EncodeRows(r, ts)
			var keep []int32
			for i, k := range keys {
				if !seen[k] {
					seen[k] = true
					keep = append(keep, int32(i))
				}
			}
			if len(keep) > 0 {
				out = append(out, expr.SubRecord(r, keep))
			}
		}
		return out
	}
	relabel := func(recs []arrow.Record, s *arrow.Schema) []arrow.Record {
		out := make([]arrow.Record, len(recs))
		for i, r := range recs {
			out[i] = array.NewRecord(s, r.Columns(), r.NumRows())
		}
		return out
	}
	work := dedupe(first)
	all := relabel(work, sch)
	workSch := schemaOf(x.Work.Cols)
	var mu sync.Mutex
	enough := func() bool {
		if x.MaxRows <= 0 {
			return false
		}
		var n int64
		for _, r := range all {
			n += r.NumRows()
		}
		return n >= x.MaxRows
	}
	for iter := 0; len(work) > 0 && !enough(); iter++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		mu.Lock()
		x.Work.state.recs = relabel(work, workSch)
		mu.Unlock()
		next, err := runOnce(ctx, x.Recursive, false)
		if err != nil {
			return nil, err
		}
		work = dedupe(next)
		all = append(all, relabel(work, sch)...)
		var total int64
		for _, r := range all {
			total += r.NumRows()
		}
		if err := ctx.Mem.Grow(0); err != nil {
			return nil, err
		}
		if total > 100_000_000 {
			return nil, sqlerr.New(sqlerr.ProgramLimitExceeded, "recursive query \"%s\" produced more than 100000000 rows", x.Name)
		}
	}
	return all, nil
}

func errNotInput(c Column) error {
	return sqlerr.New(sqlerr.Internal, "lateral reference %s is not produced by the input", c.Name)
}

// LogicalSubPlan runs a subquery's logical plan for expr.Subquery.
type LogicalSubPlan struct {
	Node      Node
	Outer     []ColumnID
	optimized bool
	innerDone bool
}

// Run implements expr.SubPlan: it plans and executes the subquery with
// the outer values bound. An uncorrelated subquery runs once, on all of
// the query's workers; a correlated one (not decorrelated) runs per outer
// row, single-threaded.
func (s *LogicalSubPlan) Run(ctx *expr.Ctx, outer map[ColumnID]types.Value) ([]types.Value, error) {
	ec := subCtx(ctx, outer)
	recs, err := runOnce(ec, s.Node, true)
	if err != nil {
		return nil, err
	}
	var out []types.Value
	if len(s.Node.Columns()) == 0 { // SELECT with no columns: rows without values
		for _, r := range recs {
			for i := int64(0); i < r.NumRows(); i++ {
				out = append(out, nil)
			}
		}
		return out, nil
	}
	t := s.Node.Columns()[0].Type
	for _, r := range recs {
		c := r.Column(0)
		for i := 0; i < c.Len(); i++ {
			out = append(out, types.GetValue(t, c, i))
		}
	}
	return out, nil
}

func (s *LogicalSubPlan) String() string { return "subquery" }

// subCtx is the execution context of a subquery run from ctx.
func subCtx(ctx *expr.Ctx, outer map[ColumnID]types.Value) *exec.Ctx {
	e := &expr.Ctx{Context: ctx.Context, F: ctx.F, Params: ctx.Params, Outer: outer}
	if q, ok := ctx.Query.(*exec.Ctx); ok {
		workers := 1
		if len(outer) == 0 {
			workers = q.Workers
		}
		return q.Sub(e, workers)
	}
	return &exec.Ctx{Expr: e, Workers: 1}
}

// pruneFilters picks the scan filters that read only the columns a
// pruning source knows up front, bound to those columns' positions.
// Filters with subqueries are left out: they need the query's workers.
func pruneFilters(s *Scan, known []int) []expr.Expr {
	pos := map[int]int{}
	for i, c := range known {
		pos[c] = i
	}
	layout := map[ColumnID]int{}
	for i, c := range s.Cols {
		if p, ok := pos[s.ColIdx[i]]; ok {
			layout[c.ID] = p
		}
	}
	var out []expr.Expr
	for _, f := range s.Filters {
		ok := true
		expr.Walk(f, func(e expr.Expr) bool {
			switch x := e.(type) {
			case *expr.Col:
				if _, known := layout[x.ID]; !known {
					ok = false
				}
			case *expr.OuterRef, *expr.Subquery:
				ok = false
			}
			return ok
		})
		if !ok {
			continue
		}
		if r, err := expr.Resolve(f, layout); err == nil {
			out = append(out, r)
		}
	}
	return out
}

// tableFilters are a scan's filters with their columns resolved to table
// column indices (those without subqueries or outer references).
func tableFilters(s *Scan) []expr.Expr {
	all := make([]int, len(s.Table.Columns))
	for i := range all {
		all[i] = i
	}
	return pruneFilters(s, all)
}

// maskFilter lets the last Filter of a pipeline that ends in h, with only
// Projects after it, pass batches it mostly keeps on whole with a mask
// instead of copying every column to drop a few rows (exec/mask.go): the
// Projects carry the mask and h leaves the rows it rejects out.
func maskFilter(p *exec.Pipeline, h *exec.HashAgg) {
	i := len(p.Ops) - 1
	for i >= 0 {
		if _, ok := p.Ops[i].(*exec.Project); !ok {
			break
		}
		i--
	}
	if i < 0 {
		return
	}
	f, ok := p.Ops[i].(*exec.Filter)
	if !ok {
		return
	}
	f.Mask = true
	for _, op := range p.Ops[i+1:] {
		pr := op.(*exec.Project)
		pr.Mask = true
		pr.Schema = arrow.NewSchema(append(pr.Schema.Fields(), exec.MaskField), nil)
	}
	h.Mask = true
}

// byMorsel finds a group key of h that is a column of the pipeline's
// scan, reaching h unchanged through Filters and Projects, for h to emit
// a worker's groups at the end of each morsel when the morsels' ranges
// of that column are apart (exec/agg_morsel.go decides at run time).
func byMorsel(p *exec.Pipeline, h *exec.HashAgg) *exec.ByMorsel {
	src, ok := p.Source.(*exec.MorselSource)
	if !ok || len(h.Sets) > 1 || h.WithGID {
		return nil
	}
	for _, op := range p.Ops {
		switch op.(type) {
		case *exec.Filter, *exec.Project:
		default:
			return nil // a join's or a limit's output is not the morsel's
		}
	}
	inSet := func(k int) bool {
		if len(h.Sets) == 0 {
			return true
		}
		return slices.Contains(h.Sets[0], k)
	}
	for ki, k := range h.Keys {
		c, ok := k.(*expr.Col)
		if !ok || !inSet(ki) {
			continue
		}
		idx := c.Idx
		for i := len(p.Ops) - 1; i >= 0 && idx >= 0; i-- {
			pr, ok := p.Ops[i].(*exec.Project)
			if !ok {
				continue // a Filter passes its input's columns on
			}
			from := -1
			if idx < len(pr.Exprs) {
				if c2, ok := pr.Exprs[idx].(*expr.Col); ok {
					from = c2.Idx
				}
			}
			idx = from
		}
		if idx >= 0 {
			return &exec.ByMorsel{Src: src, Col: idx, Key: ki}
		}
	}
	return nil
}

// flattenArray appends a nested array's elements in order (unnest of a
// multidimensional array); a one-dimensional array is returned as is.
func flattenArray(a []any, out []any) []any {
	nested := false
	for _, e := range a {
		if _, ok := e.([]any); ok {
			nested = true
			break
		}
	}
	if !nested && out == nil {
		return a
	}
	for _, e := range a {
		if sub, ok := e.([]any); ok {
			out = flattenArray(sub, out)
			if out == nil {
				out = []any{}
			}
			continue
		}
		out = append(out, e)
	}
	return out
}
