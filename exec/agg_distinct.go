package exec

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/functions"
	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// countDistinctInts is count(DISTINCT x) over an integer or date x: the
// (group, value) pairs seen, in one set, and a count per group — where
// bufferedAcc keeps each group's argument rows boxed and counts them at
// Finalize. TPC-H q16 spent 40% of its time in bufferedAcc.
type countDistinctInts struct {
	seen   map[distinctKey]struct{}
	counts []int64
	// added is the bytes kept since the owner last took the count
	added int64
}

type distinctKey struct {
	g int32
	v int64
}

// distinctKeyBytes is what a pair costs in the set (key, and a Go map's
// overhead per entry, about).
const distinctKeyBytes = 40

// countDistinctIntsFor reports whether spec is count(DISTINCT x) over an
// integer or date x with no ordering.
func countDistinctIntsFor(s *AggSpec) bool {
	if !s.Distinct || len(s.OrderBy) > 0 || s.Name != "count" || len(s.ArgT) != 1 {
		return false
	}
	switch s.ArgT[0].Kind {
	case types.Int2, types.Int4, types.Int8, types.Date:
		return true
	}
	return false
}

func (c *countDistinctInts) Update(groups []int32, nGroups int, args []arrow.Array) error {
	c.counts = grow(c.counts, nGroups)
	if c.seen == nil {
		c.seen = map[distinctKey]struct{}{}
	}
	a := args[0]
	vals, ok := intColumn(a, len(groups))
	if !ok {
		return sqlerr.New(sqlerr.Internal, "count(DISTINCT) over %s", a.DataType())
	}
	nulls := a.NullN() > 0
	for i, g := range groups {
		if g < 0 || nulls && a.IsNull(i) {
			continue
		}
		k := distinctKey{g, vals[i]}
		if _, dup := c.seen[k]; dup {
			continue
		}
		c.seen[k] = struct{}{}
		c.counts[g]++
		c.added += distinctKeyBytes
	}
	return nil
}

func (c *countDistinctInts) Merge(o functions.Accumulator, mapping []int32, nGroups int) error {
	c.counts = grow(c.counts, nGroups)
	if c.seen == nil {
		c.seen = map[distinctKey]struct{}{}
	}
	for k := range o.(*countDistinctInts).seen {
		k.g = mapping[k.g]
		if _, dup := c.seen[k]; dup {
			continue
		}
		c.seen[k] = struct{}{}
		c.counts[k.g]++
	}
	return nil
}

func (c *countDistinctInts) Finalize(nGroups int) (arrow.Array, error) {
	c.counts = grow(c.counts, nGroups)
	out := make([]int64, nGroups)
	copy(out, c.counts)
	return types.NewFixedArray(arrow.PrimitiveTypes.Int64, out, nil, 0), nil
}

// takeAdded returns the bytes kept since the last call.
func (c *countDistinctInts) takeAdded() int64 {
	n := c.added
	c.added = 0
	return n
}
