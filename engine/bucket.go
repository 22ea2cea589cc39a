package engine

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/lakeq/lakeq/sqlerr"
	"github.com/lakeq/lakeq/storage"
	"github.com/lakeq/lakeq/types"
)

// Bucketing, as Athena's CTAS (bucketed_by, bucket_count) and Hive's
// CLUSTERED BY (…) INTO n BUCKETS write it: a row's bucket is Hive's
// hash of its bucket columns (bucketing version 1, which Athena, Trino
// and Spark's Hive tables all compute the same way) modulo the count,
// and each file holds one bucket, its number leading the file name as
// Trino names them (000007_0_<query id>.parquet). Files written so can
// be read by those engines as the table's buckets, and lakeq reads only
// the bucket an equality on the bucket columns selects.

// bucketable reports whether Hive's bucket hash is defined for t here;
// other types are refused when a table is declared, not at write time.
func bucketable(t types.T) bool {
	switch t.Kind {
	case types.Bool, types.Int2, types.Int4, types.Int8, types.Float4, types.Float8,
		types.Text, types.Varchar, types.Date, types.Timestamp:
		return true
	}
	return false
}

// checkBuckets checks bucket columns against a table's data columns and
// returns their positions.
func checkBuckets(table string, cols []string, n int, names []string, ts []types.T) ([]int, error) {
	if len(cols) == 0 && n == 0 {
		return nil, nil
	}
	if len(cols) == 0 || n == 0 {
		return nil, sqlerr.New(invalidTableDefinition, "bucketed_by and bucket_count go together: %s names one without the other", table)
	}
	if n < 1 || n > 100000 {
		return nil, sqlerr.New(sqlerr.InvalidParameterValue, "bucket_count of %s must be between 1 and 100000, got %d", table, n)
	}
	var at []int
	for _, c := range cols {
		i := -1
		for j, nm := range names {
			if nm == c {
				i = j
			}
		}
		if i < 0 {
			return nil, sqlerr.New(invalidTableDefinition, "bucketed_by column \"%s\" is not a data column of %s (partition columns cannot be bucket columns)", c, table)
		}
		if !bucketable(ts[i]) {
			return nil, sqlerr.New(sqlerr.FeatureNotSupported, "bucketed_by column \"%s\" of type %s: Hive's bucket hash is computed for boolean, smallint, integer, bigint, real, double precision, text, varchar, date and timestamp", c, ts[i])
		}
		at = append(at, i)
	}
	return at, nil
}

// hiveBuckets sets out[i] to the bucket of row i of r: h = 31*h + hash(c)
// over the bucket columns (a NULL hashes to 0), then (h & MaxInt32) % n.
func hiveBuckets(r arrow.Record, cols []int, n int, out []int32) {
	h := make([]int32, r.NumRows())
	for _, c := range cols {
		a := r.Column(c)
		for i := range h {
			h[i] *= 31
		}
		switch a := a.(type) {
		case *array.Boolean:
			for i := range h {
				if a.IsValid(i) && a.Value(i) {
					h[i]++
				}
			}
		case *array.Int16:
			hashFixed(h, a, a.Int16Values(), func(v int16) int32 { return int32(v) })
		case *array.Int32:
			hashFixed(h, a, a.Int32Values(), func(v int32) int32 { return v })
		case *array.Int64:
			hashFixed(h, a, a.Int64Values(), hashLong)
		case *array.Date32:
			hashFixed(h, a, a.Date32Values(), func(v arrow.Date32) int32 { return int32(v) })
		case *array.Float32:
			hashFixed(h, a, a.Float32Values(), func(v float32) int32 {
				if v != v {
					return 0x7fc00000 // Java's floatToIntBits: one NaN
				}
				return int32(math.Float32bits(v))
			})
		case *array.Float64:
			hashFixed(h, a, a.Float64Values(), func(v float64) int32 {
				if v != v {
					return hashLong(0x7ff8000000000000)
				}
				return hashLong(int64(math.Float64bits(v)))
			})
		case *array.Timestamp:
			hashFixed(h, a, a.TimestampValues(), func(v arrow.Timestamp) int32 {
				// Hive: (epoch seconds << 30) + nanos, hashed as a long
				us := int64(v)
				sec, frac := us/1e6, us%1e6
				if frac < 0 {
					sec, frac = sec-1, frac+1e6
				}
				return hashLong(sec<<30 + frac*1000)
			})
		case *array.String:
			for i := range h {
				if a.IsValid(i) {
					var x int32
					s := a.Value(i)
					for j := 0; j < len(s); j++ {
						x = 31*x + int32(int8(s[j])) // Java's signed bytes
					}
					h[i] += x
				}
			}
		}
	}
	for i, x := range h {
		out[i] = int32(int(x&math.MaxInt32) % n)
	}
}

// hashLong is Java's Long.hashCode.
func hashLong(v int64) int32 {
	return int32(uint64(v)>>32 ^ uint64(v))
}

func hashFixed[E any](h []int32, a arrow.Array, vals []E, f func(E) int32) {
	vals = vals[:len(h)]
	for i := range h {
		if a.IsValid(i) {
			h[i] += f(vals[i])
		}
	}
}

// bucketFileName names the file of bucket b written by query qid.
func bucketFileName(b int, qid, ext string) string {
	return fmt.Sprintf("0%05d_0_%s%s", b, qid, ext)
}

// bucketOfFile is the bucket a file's name gives, as Trino reads it
// (000007_0_…, or bucket_00007…); false when the name gives none.
var bucketName = regexp.MustCompile(`^(?:0(\d+)_\d+(?:[-_.].*)?|bucket_(\d+)(?:[-_.].*)?)$`)

func bucketOfFile(base string) (int, bool) {
	m := bucketName.FindStringSubmatch(base)
	if m == nil {
		return 0, false
	}
	d := m[1]
	if d == "" {
		d = m[2]
	}
	b, err := strconv.Atoi(d)
	return b, err == nil
}

// splitBuckets splits recs (data columns) into n groups by bucket.
func splitBuckets(recs []arrow.Record, ts []types.T, cols []int, n int) [][]arrow.Record {
	out := make([][]arrow.Record, n)
	for _, r := range recs {
		rows := int(r.NumRows())
		if rows == 0 {
			continue
		}
		bs := make([]int32, rows)
		hiveBuckets(r, cols, n, bs)
		idx := map[int32][]int32{}
		var order []int32
		for i, b := range bs {
			if _, ok := idx[b]; !ok {
				order = append(order, b)
			}
			idx[b] = append(idx[b], int32(i))
		}
		for _, b := range order {
			sel := idx[b]
			arrs := make([]arrow.Array, len(ts))
			fields := make([]arrow.Field, len(ts))
			for c := range ts {
				arrs[c] = types.Take(ts[c], r.Column(c), sel)
				fields[c] = r.Schema().Field(c)
				fields[c].Type = arrs[c].DataType()
			}
			out[b] = append(out[b], array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(len(sel))))
		}
	}
	return out
}

// maxBucketCombos bounds the value combinations bucket pruning hashes
// (a IN (…) AND b IN (…) multiplies); past it every file is read.
const maxBucketCombos = 256

// bucketFiles keeps, of a bucketed table's files, those of the buckets
// that equalities (= or IN) on every bucket column select; a file whose
// name gives no bucket is kept, and without such equalities all are.
func (x *extSource) bucketFiles(files []storage.FileInfo, preds []storage.Pred) []storage.FileInfo {
	sd := x.t.Storage
	if sd.NumBuckets == 0 || len(sd.BucketColumns) == 0 || len(files) == 0 || !hiveBucketingV1(x.t.Parameters) {
		return files
	}
	cols := make([]int, len(sd.BucketColumns))
	vals := make([][]types.Value, len(sd.BucketColumns))
	combos := 1
	for i, name := range sd.BucketColumns {
		cols[i] = -1
		for j, c := range x.data {
			if c.Name == name {
				cols[i] = j
			}
		}
		if cols[i] < 0 || !bucketable(x.data[cols[i]].Type) {
			return files // a table another tool bucketed on a type lakeq does not hash
		}
		for _, p := range preds {
			if p.Col != cols[i] || p.CastTo != nil || (p.Op != "=" && p.Op != "in") {
				continue
			}
			var vs []types.Value
			for _, v := range p.Vals {
				if v != nil {
					vs = append(vs, v)
				}
			}
			vals[i] = vs
			break
		}
		if vals[i] == nil {
			return files
		}
		if combos *= len(vals[i]); combos > maxBucketCombos {
			return files
		}
	}
	if combos == 0 {
		return nil // = NULL or IN (NULL): no row matches
	}
	// one row per combination of the pinned values
	arrs := make([]arrow.Array, len(cols))
	fields := make([]arrow.Field, len(cols))
	at := make([]int, len(cols))
	for i, c := range cols {
		col := make([]types.Value, 0, combos)
		rep := 1
		for _, v := range vals[i+1:] {
			rep *= len(v)
		}
		for k := 0; k < combos; k++ {
			col = append(col, vals[i][(k/rep)%len(vals[i])])
		}
		t := x.data[c].Type
		arrs[i] = types.BuildArray(t, col)
		fields[i] = arrow.Field{Name: x.data[c].Name, Type: arrs[i].DataType(), Nullable: true}
		at[i] = i
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), arrs, int64(combos))
	bs := make([]int32, combos)
	hiveBuckets(rec, at, sd.NumBuckets, bs)
	want := map[int]bool{}
	for _, b := range bs {
		want[int(b)] = true
	}
	var keep []storage.FileInfo
	for _, f := range files {
		if b, ok := bucketOfFile(storage.Base(f.Path)); !ok || want[b] {
			keep = append(keep, f)
		}
	}
	return keep
}

// hiveBucketingV1 reports whether a table's files are bucketed by the
// hash lakeq computes: Hive 3 marks tables of its murmur3 hash with
// bucketing_version = 2, whose files lakeq neither prunes nor writes.
func hiveBucketingV1(params map[string]string) bool {
	v, ok := params["bucketing_version"]
	return !ok || v == "1"
}
