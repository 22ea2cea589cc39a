package engine

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/types"
)

// TestHiveBuckets checks the bucket hash against values Hive computes
// (ObjectInspectorUtils.hashCode, bucketing version 1): a string hashes
// its UTF-8 bytes as signed Java bytes from 0 ("abc" is 96354, as
// ClickHouse's hiveHash also gives), a bigint as Long.hashCode, and
// several columns combine as 31*h + hash.
func TestHiveBuckets(t *testing.T) {
	col := func(ty types.T, vs ...types.Value) arrow.Array { return types.BuildArray(ty, vs) }
	rec := func(cols ...arrow.Array) arrow.Record {
		fields := make([]arrow.Field, len(cols))
		for i, c := range cols {
			fields[i] = arrow.Field{Name: string(rune('a' + i)), Type: c.DataType(), Nullable: true}
		}
		return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(cols[0].Len()))
	}
	const big = 1 << 31 // no modulo: the masked hash itself
	type tc struct {
		name string
		r    arrow.Record
		cols []int
		n    int
		want []int32
	}
	cases := []tc{
		{"text", rec(col(types.TextT, "abc", "", nil, "é")), []int{0}, big, []int32{96354, 0, 0, (-61*31 - 87) & 0x7fffffff}},
		{"int", rec(col(types.Int4T, int64(7), int64(-1), int64(0))), []int{0}, 4, []int32{3, 3, 0}},
		{"bigint", rec(col(types.Int8T, int64(1)<<32|1, int64(-1))), []int{0}, big, []int32{0, 0}},
		{"bool", rec(col(types.BoolT, true, false)), []int{0}, big, []int32{1, 0}},
		{"date", rec(col(types.DateT, types.DateVal(19000))), []int{0}, big, []int32{19000}},
		// Double.doubleToLongBits(1.0) = 0x3ff0000000000000: hash 0x3ff00000
		{"double", rec(col(types.Float8T, 1.0)), []int{0}, big, []int32{0x3ff00000}},
		// Float.floatToIntBits(1.0f) = 0x3f800000
		{"real", rec(col(types.Float4T, 1.0)), []int{0}, big, []int32{0x3f800000}},
		// two columns: 31 * hash("a") + 5
		{"two", rec(col(types.TextT, "a"), col(types.Int4T, int64(5))), []int{0, 1}, big, []int32{31*97 + 5}},
	}
	for _, c := range cases {
		got := make([]int32, c.r.NumRows())
		hiveBuckets(c.r, c.cols, c.n, got)
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s row %d: bucket %d, want %d", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestBucketOfFile(t *testing.T) {
	for name, want := range map[string]int{"000007_0_abc.parquet": 7, "000000_0": 0, "bucket_00012.txt": 12, "012345_0_q.json": 12345} {
		if b, ok := bucketOfFile(name); !ok || b != want {
			t.Errorf("%s: %d %v, want %d", name, b, ok, want)
		}
	}
	for _, name := range []string{"7cfd1f78ea87436a-0000.parquet", "part-0001.csv", "100000_0_x"} {
		if _, ok := bucketOfFile(name); ok {
			t.Errorf("%s: a bucket, want none", name)
		}
	}
	if got := bucketFileName(7, "q", ".parquet"); got != "000007_0_q.parquet" {
		t.Errorf("bucketFileName = %s", got)
	}
}
