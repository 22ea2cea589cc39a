package types

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BuildArray of text values, NULLs among them, gives the same array
// through the reserved path as value by value; a non-string value takes
// the general path whole.
func TestBuildArrayStrings(t *testing.T) {
	vals := []Value{"a", nil, "", "ßeta", nil, "long value of some bytes"}
	a := BuildArray(TextT, vals)
	defer a.Release()
	s := a.(*array.String)
	if s.Len() != len(vals) || s.NullN() != 2 {
		t.Fatalf("%d values, %d NULL", s.Len(), s.NullN())
	}
	for i, v := range vals {
		if v == nil {
			if !s.IsNull(i) {
				t.Errorf("value %d not NULL", i)
			}
			continue
		}
		if s.Value(i) != v.(string) {
			t.Errorf("value %d is %q, want %q", i, s.Value(i), v)
		}
	}
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	defer sb.Release()
	if appendStrings(sb, []Value{"x", int64(1)}) || sb.Len() != 0 {
		t.Errorf("a non-string value took the string path (%d appended)", sb.Len())
	}
}
