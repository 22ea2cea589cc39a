package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// A masked batch carries, as its last column, a boolean mask of the rows
// that count: a Filter that keeps most rows of a batch passes it on whole
// with its mask instead of copying every column to drop the few (TPC-H
// q01 keeps 98.5% of lineitem). Only a Filter in mask mode makes one, and
// only Projects in mask mode and a HashAgg that reads the mask follow it
// (the planner sets all three together, physical.go's maskFilter).
//
// The operators after the Filter evaluate their expressions on rows the
// filter rejected. An expression that fails on such a row (a division by
// a zero the WHERE clause excluded) must not fail the query, so an
// operator whose evaluation fails on a masked batch compacts it to the
// rows that count and evaluates again: only an error on those is real.

// MaskName names the mask column; the NUL keeps it from meeting a user's.
const MaskName = "\x00mask"

// maskShare is the share of a batch's rows a Filter must keep to pass
// the batch on whole with a mask rather than compact it.
const maskShare = 0.8

// MaskField is the mask column's field.
var MaskField = arrow.Field{Name: MaskName, Type: arrow.FixedWidthTypes.Boolean}

// masked reports whether rec ends in a mask column.
func masked(rec arrow.Record) bool {
	n := int(rec.NumCols())
	return n > 0 && rec.Schema().Field(n-1).Name == MaskName
}

// maskOf returns rec's mask as bits (true = the row counts) and the
// number of rows that count; bits is nil when every row does.
func maskOf(rec arrow.Record) ([]byte, int) {
	n := int(rec.NumRows())
	m := rec.Column(int(rec.NumCols()) - 1).(*array.Boolean)
	d := m.Data()
	buf := d.Buffers()[1].Bytes()
	live := bitutil.CountSetBits(buf, d.Offset(), n)
	if live == n {
		return nil, n
	}
	if d.Offset() == 0 {
		return buf, live
	}
	bits := make([]byte, (n+7)/8)
	bitutil.CopyBitmap(buf, d.Offset(), n, bits, 0)
	return bits, live
}

// liveRows is the number of rows of rec that count.
func liveRows(rec arrow.Record) int64 {
	if !masked(rec) {
		return rec.NumRows()
	}
	_, live := maskOf(rec)
	return int64(live)
}

// unmask compacts a masked batch to the rows that count (its mask then
// all true); a batch whose rows all count is returned as is.
func unmask(rec arrow.Record) arrow.Record {
	bits, live := maskOf(rec)
	if bits == nil {
		return rec
	}
	out := selectBits(rec, bits, live)
	cols := out.Columns()
	cols[len(cols)-1] = allTrue(live)
	return array.NewRecord(out.Schema(), cols, int64(live))
}

// withMask appends mask column bits (n rows) to rec, whose schema then
// is sch.
func withMask(sch *arrow.Schema, rec arrow.Record, bits []byte) arrow.Record {
	n := int(rec.NumRows())
	cols := append(rec.Columns()[:rec.NumCols():rec.NumCols()], array.NewBoolean(n, memory.NewBufferBytes(bits), nil, 0))
	return array.NewRecord(sch, cols, int64(n))
}

// allTrue is a mask of n rows that all count.
func allTrue(n int) arrow.Array {
	return array.NewBoolean(n, memory.NewBufferBytes(allTrueBits(n)), nil, 0)
}

func allTrueBits(n int) []byte {
	bits := make([]byte, (n+7)/8)
	for i := range bits {
		bits[i] = 0xff
	}
	return bits
}
