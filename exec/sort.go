package exec

import (
	"bytes"
	"cmp"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// SortKey is one ORDER BY key.
type SortKey struct {
	Expr       expr.Expr
	Desc       bool
	NullsFirst bool
}

// Sort materializes its input and emits it ordered by Keys. With Limit
// >= 0 only the first Limit rows are kept (top-N).
type Sort struct {
	Label string
	Keys  []SortKey
	Limit int64

	mu   sync.Mutex
	recs []arrow.Record
	keys [][]arrow.Array
	out  []arrow.Record
}

type sortLocal struct {
	recs []arrow.Record
	keys [][]arrow.Array
}

func (s *Sort) Name() string  { return s.Label }
func (s *Sort) NewLocal() any { return &sortLocal{} }
func (s *Sort) Consume(ctx *Ctx, local any, in arrow.Record) error {
	l := local.(*sortLocal)
	ks := make([]arrow.Array, len(s.Keys))
	for i, k := range s.Keys {
		c, err := k.Expr.Eval(ctx.Expr, in)
		if err != nil {
			return err
		}
		ks[i] = c
	}
	l.recs = append(l.recs, in)
	l.keys = append(l.keys, ks)
	return ctx.Grow(s.Label, RecordSize(in))
}
func (s *Sort) Combine(_ *Ctx, local any) error {
	l := local.(*sortLocal)
	s.mu.Lock()
	s.recs = append(s.recs, l.recs...)
	s.keys = append(s.keys, l.keys...)
	s.mu.Unlock()
	return nil
}

// compareFunc orders rows i and j of one key column (non-NULL rows).
type compareFunc func(i, j int) int

func cmpOf[E int16 | int32 | int64 | float32 | float64 | arrow.Date32 | arrow.Timestamp | arrow.Time64](vals []E) compareFunc {
	return func(i, j int) int {
		a, b := vals[i], vals[j]
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		if a != a || b != b { // NaN sorts last
			if a != a && b != b {
				return 0
			}
			if a != a {
				return 1
			}
			return -1
		}
		return 0
	}
}

// ColumnComparer returns a comparator for one column of type t.
func ColumnComparer(t types.T, a arrow.Array) compareFunc {
	switch x := a.(type) {
	case *array.Int16:
		return cmpOf(x.Int16Values())
	case *array.Int32:
		return cmpOf(x.Int32Values())
	case *array.Int64:
		return cmpOf(x.Int64Values())
	case *array.Float32:
		return cmpOf(x.Float32Values())
	case *array.Float64:
		return cmpOf(x.Float64Values())
	case *array.Date32:
		return cmpOf(x.Date32Values())
	case *array.Timestamp:
		return cmpOf(x.TimestampValues())
	case *array.Time64:
		return cmpOf(x.Time64Values())
	case *array.String:
		return func(i, j int) int { return bytes.Compare([]byte(x.Value(i)), []byte(x.Value(j))) }
	case *array.Boolean:
		return func(i, j int) int {
			a, b := x.Value(i), x.Value(j)
			switch {
			case a == b:
				return 0
			case !a:
				return -1
			}
			return 1
		}
	case *types.DynNumericArray:
		ds := types.DynDecimals(x) // read each value once, not per comparison
		return func(i, j int) int { return types.CompareDecimal(ds[i], ds[j]) }
	case *array.Decimal128:
		return func(i, j int) int { return x.Value(i).Cmp(x.Value(j)) }
	case *array.Decimal64:
		vals := types.Values[int64](x)
		return func(i, j int) int { return cmp.Compare(vals[i], vals[j]) }
	}
	return func(i, j int) int { return types.Compare(types.GetValue(t, a, i), types.GetValue(t, a, j)) }
}

// RowComparer builds a multi-key comparator over parallel key columns.
func RowComparer(keys []SortKey, cols []arrow.Array) func(i, j int) int {
	cmps := make([]compareFunc, len(cols))
	for k, c := range cols {
		cmps[k] = ColumnComparer(keys[k].Expr.Type(), c)
	}
	return func(i, j int) int {
		for k, c := range cols {
			ni, nj := c.IsNull(i), c.IsNull(j)
			if ni || nj {
				if ni && nj {
					continue
				}
				// NULL position is independent of direction
				if ni == keys[k].NullsFirst {
					return -1
				}
				return 1
			}
			r := cmps[k](i, j)
			if r != 0 {
				if keys[k].Desc {
					return -r
				}
				return r
			}
		}
		return 0
	}
}

func (s *Sort) Finalize(ctx *Ctx) error {
	s.out = nil
	if len(s.recs) == 0 {
		return nil
	}
	rec, err := concatRecords(s.recs)
	if err != nil {
		return err
	}
	keyCols := make([]arrow.Array, len(s.Keys))
	for k := range s.Keys {
		parts := make([]arrow.Record, len(s.keys))
		for i, ks := range s.keys {
			parts[i] = array.NewRecord(arrow.NewSchema([]arrow.Field{{Name: "k", Type: ks[k].DataType(), Nullable: true}}, nil), []arrow.Array{ks[k]}, int64(ks[k].Len()))
		}
		kr, err := concatRecords(parts)
		if err != nil {
			return err
		}
		keyCols[k] = kr.Column(0)
	}
	n := int(rec.NumRows())
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	cmp := RowComparer(s.Keys, keyCols)
	less := func(a, b int32) bool {
		if c := cmp(int(a), int(b)); c != 0 {
			return c < 0
		}
		return a < b // stable: input order breaks ties
	}
	if s.Limit >= 0 && s.Limit < int64(n)/4 {
		idx = topN(idx, int(s.Limit), less)
	} else {
		sort.Slice(idx, func(a, b int) bool { return less(idx[a], idx[b]) })
		if s.Limit >= 0 && int64(len(idx)) > s.Limit {
			idx = idx[:s.Limit]
		}
	}
	for start := 0; start < len(idx); start += BatchSize {
		part := idx[start:min(start+BatchSize, len(idx))]
		s.out = append(s.out, expr.SubRecord(rec, part))
	}
	s.recs, s.keys = nil, nil
	return nil
}

// AsSource emits the sorted result in order (one worker).
func (s *Sort) AsSource() Source {
	return &RecordsSource{Label: s.Label + " result", Serial: true, Fetch: func(*Ctx) ([]arrow.Record, error) { return s.out, nil }}
}

// topN returns the k smallest rows in order, keeping a max-heap of k.
func topN(idx []int32, k int, less func(a, b int32) bool) []int32 {
	if k == 0 {
		return nil
	}
	h := make([]int32, 0, k)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(h[l], h[r]) {
				m = r
			}
			if !less(h[i], h[m]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for _, x := range idx {
		if len(h) < k {
			h = append(h, x)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !less(h[p], h[i]) {
					break
				}
				h[p], h[i] = h[i], h[p]
				i = p
			}
			continue
		}
		if less(x, h[0]) {
			h[0] = x
			down(0)
		}
	}
	sort.Slice(h, func(a, b int) bool { return less(h[a], h[b]) })
	return h
}
