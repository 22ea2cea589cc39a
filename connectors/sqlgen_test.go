package connectors

import (
	"testing"

	"github.com/lakeq/lakeq/types"
)

// byteDialect marks every compared column, as a dialect whose source
// collates text other than in byte order does.
type byteDialect struct{}

func (byteDialect) Quote(s string) string { return `"` + s + `"` }
func (byteDialect) Param(n int, v types.Value, t types.T) (string, any, bool) {
	return "$" + string(rune('0'+n)), v, true
}
func (byteDialect) Compared(col string, t types.T, op string) string {
	if t.IsString() {
		return col + " BYTES"
	}
	return col
}

// A comparison reads its column's bytes on either side: 'zz' < s once
// went to the source as 'zz' < s, ordered by the source's collation.
func TestTranslateComparesColumnsOnEitherSide(t *testing.T) {
	tab := &Table{Columns: []Column{{Name: "s", Type: types.TextT}, {Name: "k", Type: types.Int4T}}}
	s := ColRef{Col: 0, Type: types.TextT}
	zz := Const{Value: "zz", Type: types.TextT}
	for _, c := range []struct {
		e    Expr
		want string
	}{
		{Call{Op: "<", Args: []Expr{zz, s}}, `($1 < "s" BYTES)`},
		{Call{Op: ">=", Args: []Expr{s, zz}}, `("s" BYTES >= $1)`},
		{Call{Op: "<", Args: []Expr{s, s}}, `("s" BYTES < "s" BYTES)`},
		{Call{Op: "=", Args: []Expr{Const{Value: int32(1), Type: types.Int4T}, ColRef{Col: 1, Type: types.Int4T}}}, `($1 = "k")`},
		{Call{Op: "isnull", Args: []Expr{s}}, `("s" IS NULL)`},
	} {
		var args []any
		got, ok := Translate(byteDialect{}, tab, c.e, &args)
		if !ok || got != c.want {
			t.Errorf("Translate(%s) = %q, %v; want %q", Format(c.e, []string{"s", "k"}), got, ok, c.want)
		}
	}
}
