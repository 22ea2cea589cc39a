package expr

import (
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/types"
)

// KeySet is "X is one of a join's build keys": the keys as a bitmap over
// [Lo, Lo+64·len(Bits)). The planner gives it to the scans under a join
// whose probe rows without a match are dropped (a join filter, which a
// reader may use to skip rows and pages), never as a row filter of the
// plan; Eval answers it all the same. X is resolved to the scan's table
// column. A leaf for the rewriting helpers: nothing rewrites it.
type KeySet struct {
	X    *Col
	Keys *types.KeyBits
}

func (k *KeySet) Type() types.T { return types.BoolT }

func (k *KeySet) String() string {
	n := 0
	for _, w := range k.Keys.Bits {
		n += bits.OnesCount64(w)
	}
	return fmt.Sprintf("%s IN (%d join keys)", k.X, n)
}

func (k *KeySet) Eval(ctx *Ctx, b arrow.Record) (arrow.Array, error) {
	a, err := k.X.Eval(ctx, b)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	n := a.Len()
	out := make([]bool, n)
	var valid []byte
	nulls := a.NullN()
	if nulls > 0 {
		valid = make([]byte, (n+7)/8)
	}
	at := func(i int, v int64) {
		if a.IsNull(i) {
			return
		}
		if valid != nil {
			valid[i>>3] |= 1 << (i & 7)
		}
		out[i] = k.Keys.Contains(v)
	}
	switch x := a.(type) {
	case *array.Int16:
		for i, v := range x.Int16Values() {
			at(i, int64(v))
		}
	case *array.Int32:
		for i, v := range x.Int32Values() {
			at(i, int64(v))
		}
	case *array.Int64:
		for i, v := range x.Int64Values() {
			at(i, v)
		}
	case *array.Date32:
		for i, v := range x.Date32Values() {
			at(i, int64(v))
		}
	default:
		return nil, sqlerr.New(sqlerr.Internal, "join key set over %s", a.DataType())
	}
	return types.NewBoolArray(out, valid, nulls), nil
}
