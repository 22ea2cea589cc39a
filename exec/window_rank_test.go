package exec

import (
	"cmp"
	"math/rand"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// rankCandidates keeps exactly the rows whose rank in their partition is
// within the limit, and every row a kept row's row_number depends on:
// checked against a sort of each partition for random partitions
// (NULLs among them), order keys with many ties and NULLs, ascending and
// descending, and limits from 1 past the largest partition.
func TestRankCandidates(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for round := range 200 {
		n := 1 + rng.Intn(3000)
		parts, vals := 1+rng.Intn(20), 1+rng.Intn(60)
		pb := array.NewInt32Builder(memory.DefaultAllocator)
		ob := array.NewInt64Builder(memory.DefaultAllocator)
		for range n {
			if rng.Intn(15) == 0 {
				pb.AppendNull()
			} else {
				pb.Append(int32(rng.Intn(parts)))
			}
			if rng.Intn(10) == 0 {
				ob.AppendNull()
			} else {
				ob.Append(int64(rng.Intn(vals)))
			}
		}
		pcol, ocol := pb.NewArray(), ob.NewArray()
		okey := SortKey{Expr: &expr.Col{T: types.Int8T}, Desc: round%2 == 1, NullsFirst: round%3 == 0}
		cmpOrder := sortComparer([]SortKey{okey}, []arrow.Array{ocol})
		limit := 1 + rng.Intn(n/max(1, parts)+5)
		got := rankCandidates([]arrow.Array{pcol}, []types.T{types.Int4T}, cmpOrder, n, limit)

		// the answer by sorting: per partition, rows in (order, input)
		// order; a row is wanted when its rank is within the limit
		byPart := map[int32][]int{}
		for i := range n {
			p := int32(-1)
			if pcol.IsValid(i) {
				p = pcol.(*array.Int32).Value(i)
			}
			byPart[p] = append(byPart[p], i)
		}
		var want []int32
		for _, rows := range byPart {
			slices.SortFunc(rows, func(a, b int) int {
				if c := cmpOrder(a, b); c != 0 {
					return c
				}
				return cmp.Compare(a, b)
			})
			for j, r := range rows {
				rank := j + 1
				for rank > 1 && cmpOrder(rows[rank-2], r) == 0 {
					rank--
				}
				if rank <= limit {
					want = append(want, int32(r))
				}
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (n %d, limit %d): kept %d rows, want %d", round, n, limit, len(got), len(want))
		}
	}
}

// sortIndex on several workers orders rows as a stable sort does, for
// sizes around its chunk size and key columns with many ties.
func TestSortIndexParallel(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{0, 1, sortChunkRows - 1, sortChunkRows * 2, sortChunkRows*3 + 17, 100000} {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = int64(rng.Intn(50))
		}
		cmpRows := func(i, j int) int { return cmp.Compare(vals[i], vals[j]) }
		want := make([]int32, n)
		for i := range want {
			want[i] = int32(i)
		}
		slices.SortStableFunc(want, func(a, b int32) int { return cmpRows(int(a), int(b)) })
		for _, workers := range []int{1, 2, 3, 4} {
			got := make([]int32, n)
			for i := range got {
				got[i] = int32(i)
			}
			sortIndex(got, cmpRows, workers)
			if !slices.Equal(got, want) {
				t.Fatalf("n %d, %d workers: not the stable order", n, workers)
			}
		}
	}
}
