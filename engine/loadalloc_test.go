package engine

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// A released array's buffers come back, zeroed, to the next builder.
func TestBufPoolReuse(t *testing.T) {
	var p bufPool
	b := array.NewInt64Builder(&p)
	defer b.Release()
	b.Reserve(8192)
	for i := range 8192 {
		b.Append(int64(i) + 1)
	}
	a := b.NewInt64Array()
	first := &a.Int64Values()[0]
	a.Release()
	b.Reserve(8192)
	for range 8192 {
		b.AppendNull()
	}
	a2 := b.NewInt64Array()
	defer a2.Release()
	if &a2.Int64Values()[0] != first {
		t.Errorf("the released buffer was not reused")
	}
	if a2.NullN() != 8192 {
		t.Errorf("%d NULLs, want 8192", a2.NullN())
	}
}
