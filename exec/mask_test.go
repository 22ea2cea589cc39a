package exec

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/lakeq/lakeq/exec/expr"
	"github.com/lakeq/lakeq/types"
)

// notMultiple is x % m <> 0 over the first column.
type notMultiple struct{ m int64 }

func (e notMultiple) Type() types.T  { return types.BoolT }
func (e notMultiple) String() string { return "x % m <> 0" }
func (e notMultiple) Eval(_ *expr.Ctx, b arrow.Record) (arrow.Array, error) {
	bld := array.NewBooleanBuilder(memory.DefaultAllocator)
	for _, v := range b.Column(0).(*array.Int64).Int64Values() {
		bld.Append(v%e.m != 0)
	}
	return bld.NewArray(), nil
}

// TestFilterMask checks a Filter in mask mode: a batch it mostly keeps
// passes whole with its mask, one it mostly drops is compacted (its mask
// all true), and either way the rows that count, and unmask's compaction,
// are exactly the filter's.
func TestFilterMask(t *testing.T) {
	in := intBatches(1, 1000)[0]
	for _, tc := range []struct {
		m          int64
		rows, live int
	}{{10, 1000, 900}, {2, 500, 500}, {1, 0, 0}} {
		var got []arrow.Record
		f := &Filter{Cond: notMultiple{tc.m}, Mask: true}
		if err := f.Execute(&Ctx{}, nil, in, func(r arrow.Record) error { got = append(got, r); return nil }); err != nil {
			t.Fatal(err)
		}
		if tc.rows == 0 {
			if len(got) != 0 {
				t.Fatalf("m=%d: a batch with no row kept was passed on", tc.m)
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("m=%d: %d batches", tc.m, len(got))
		}
		out := got[0]
		if !masked(out) || out.NumCols() != 2 {
			t.Fatalf("m=%d: output not masked: %v", tc.m, out.Schema())
		}
		if int(out.NumRows()) != tc.rows || liveRows(out) != int64(tc.live) {
			t.Fatalf("m=%d: %d rows, %d live; want %d, %d", tc.m, out.NumRows(), liveRows(out), tc.rows, tc.live)
		}
		c := unmask(out)
		if int(c.NumRows()) != tc.live || liveRows(c) != int64(tc.live) {
			t.Fatalf("m=%d: unmasked %d rows (%d live), want %d", tc.m, c.NumRows(), liveRows(c), tc.live)
		}
		for _, v := range c.Column(0).(*array.Int64).Int64Values() {
			if v%tc.m == 0 {
				t.Fatalf("m=%d: row %d kept", tc.m, v)
			}
		}
	}
	// without mask mode the batch is compacted and unmasked
	var got arrow.Record
	f := &Filter{Cond: notMultiple{10}}
	if err := f.Execute(&Ctx{}, nil, in, func(r arrow.Record) error { got = r; return nil }); err != nil {
		t.Fatal(err)
	}
	if masked(got) || got.NumRows() != 900 {
		t.Fatalf("plain filter: %d rows, masked %v", got.NumRows(), masked(got))
	}
}
