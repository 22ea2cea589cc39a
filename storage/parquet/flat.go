package parquet

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/lakeq/lakeq/types"
)

// The flat reader decodes a top-level, non-repeated column chunk with the
// typed column readers straight into the Arrow array the engine wants:
// values land in their final slice and strings are copied once, where
// pqarrow's generic path appends value by value to builders and widens
// integer decimals one value at a time. Decimals stored as INT32/INT64
// are read as their scaled integers and widened in one loop. Columns it
// does not cover (nested ones, unsigned, FIXED_LEN_BYTE_ARRAY, INT96,
// mismatched scales) keep going through pqarrow.

// int32Array is an INT32 chunk's values as the array kind makes of them.
func int32Array(kind flatKind, want arrow.DataType, vals []int32, valid []byte, nulls int) arrow.Array {
	switch kind {
	case flatInt16From32:
		out := types.NoZero[int16](len(vals))
		for i, v := range vals {
			out[i] = int16(v)
		}
		return types.NewFixedArray(want, out, valid, nulls)
	case flatDecimal32:
		if _, ok := want.(*arrow.Decimal64Type); ok {
			out := types.NoZero[int64](len(vals))
			for i, v := range vals {
				out[i] = int64(v)
			}
			return types.NewFixedArray(want, out, valid, nulls)
		}
		out := types.NoZero[decimal128.Num](len(vals))
		for i, v := range vals {
			out[i] = decimal128.New(int64(v)>>63, uint64(int64(v)))
		}
		return types.NewFixedArray(want, out, valid, nulls)
	}
	return types.NewFixedArray(want, vals, valid, nulls)
}

// flatKind says how a leaf becomes an array of the wanted type.
type flatKind int

const (
	flatNone flatKind = iota
	flatInt32
	flatInt16From32
	flatDate32
	flatInt64
	flatFloat32
	flatFloat64
	flatBool
	flatString
	flatDecimal32
	flatDecimal64
	flatTimestamp
)

// flatPlan returns how to read col as want, or flatNone.
func flatPlan(col *schema.Column, want arrow.DataType) (flatKind, int64) {
	if col.MaxRepetitionLevel() != 0 || col.MaxDefinitionLevel() > 1 {
		return flatNone, 0
	}
	lt := col.LogicalType()
	plain := lt == nil || lt.Equals(schema.NoLogicalType{})
	signedInt := func(bits int8) bool {
		if plain {
			return true
		}
		it, ok := lt.(schema.IntLogicalType)
		return ok && it.IsSigned() && it.BitWidth() <= bits
	}
	switch col.PhysicalType() {
	case pq.Types.Int32:
		switch w := want.(type) {
		case *arrow.Int32Type:
			if signedInt(32) {
				return flatInt32, 0
			}
		case *arrow.Int16Type:
			if signedInt(16) {
				return flatInt16From32, 0
			}
		case *arrow.Date32Type:
			if lt != nil && lt.Equals(schema.DateLogicalType{}) {
				return flatDate32, 0
			}
		case *arrow.Decimal128Type:
			if d, ok := lt.(schema.DecimalLogicalType); ok && d.Scale() == w.Scale {
				return flatDecimal32, 0
			}
		case *arrow.Decimal64Type:
			if d, ok := lt.(schema.DecimalLogicalType); ok && d.Scale() == w.Scale {
				return flatDecimal32, 0
			}
		}
	case pq.Types.Int64:
		switch w := want.(type) {
		case *arrow.Int64Type:
			if signedInt(64) {
				return flatInt64, 0
			}
		case *arrow.Decimal128Type:
			if d, ok := lt.(schema.DecimalLogicalType); ok && d.Scale() == w.Scale {
				return flatDecimal64, 0
			}
		case *arrow.Decimal64Type:
			// the scaled int64s are the array: no widening at all
			if d, ok := lt.(schema.DecimalLogicalType); ok && d.Scale() == w.Scale {
				return flatDecimal64, 0
			}
		case *arrow.TimestampType:
			ts, ok := lt.(schema.TimestampLogicalType)
			if !ok || w.Unit != arrow.Microsecond {
				break
			}
			switch ts.TimeUnit() {
			case schema.TimeUnitMicros:
				return flatTimestamp, 1
			case schema.TimeUnitMillis:
				return flatTimestamp, 1000
			case schema.TimeUnitNanos:
				return flatTimestamp, -1000
			}
		}
	case pq.Types.Float:
		if _, ok := want.(*arrow.Float32Type); ok && plain {
			return flatFloat32, 0
		}
	case pq.Types.Double:
		if _, ok := want.(*arrow.Float64Type); ok && plain {
			return flatFloat64, 0
		}
	case pq.Types.Boolean:
		if _, ok := want.(*arrow.BooleanType); ok && plain {
			return flatBool, 0
		}
	case pq.Types.ByteArray:
		if _, ok := want.(*arrow.StringType); ok && lt != nil && lt.Equals(schema.StringLogicalType{}) {
			return flatString, 0
		}
	}
	return flatNone, 0
}

// readFlat reads the rows in ranges (ascending, disjoint) of the chunk of
// leaf in rgr as kind. The page reader (pagereader.go) reads the chunk
// from src when it covers it, passing over pages outside the ranges;
// otherwise arrow-go's column reader does, skipping the rows between
// ranges without decoding them (their pages still read and decompressed).
// src nil: arrow-go's reader only.
//
// With sel (ascending positions among the ranges' rows), only those rows
// are returned: the page reader decodes no others and passes over pages
// holding none.
func readFlat(rgr *file.RowGroupReader, src io.ReaderAt, fmd *metadata.FileMetaData, leaf int, kind flatKind, scale int64, want arrow.DataType, ranges []rowRange, sel []int32) (arrow.Array, error) {
	maxDef := rgr.MetaData().Schema.Column(leaf).MaxDefinitionLevel()
	// the page reader, or nil when it does not cover the chunk; any
	// error of its own leaves the chunk to arrow-go's reader, whose error
	// (if it fails too) is the one reported
	var pr *pageReader
	if src != nil && kind != flatBool {
		if pr, _ = newPageReader(src, fmd, rgr.MetaData(), leaf, maxDef); pr != nil {
			defer pr.release()
		}
	}
	// arrow-go's column reader reads its whole chunk when it is made:
	// made only when the page reader cannot do it
	column := func() (file.ColumnChunkReader, func(int64) error, error) {
		cr, err := rgr.Column(leaf)
		if err != nil {
			return nil, nil, err
		}
		skip := func(n int64) error {
			type skipper interface {
				Skip(int64) (int64, error)
			}
			sk, ok := cr.(skipper)
			if !ok {
				return fmt.Errorf("parquet: column reader %T cannot skip", cr)
			}
			_, err := sk.Skip(n)
			return err
		}
		return cr, skip, nil
	}
	switch kind {
	case flatInt32, flatDate32, flatInt16From32, flatDecimal32:
		vals, valid, nulls, err := readFixed(pr, column, ranges, sel, maxDef, func(cr file.ColumnChunkReader) func(int64, []int32, []int16, []int16) (int64, int, error) {
			return cr.(*file.Int32ColumnChunkReader).ReadBatch
		})
		if err != nil {
			return nil, err
		}
		return int32Array(kind, want, vals, valid, nulls), nil
	case flatInt64, flatDecimal64, flatTimestamp:
		vals, valid, nulls, err := readFixed(pr, column, ranges, sel, maxDef, func(cr file.ColumnChunkReader) func(int64, []int64, []int16, []int16) (int64, int, error) {
			return cr.(*file.Int64ColumnChunkReader).ReadBatch
		})
		if err != nil {
			return nil, err
		}
		switch kind {
		case flatDecimal64:
			if _, ok := want.(*arrow.Decimal64Type); ok {
				return types.NewFixedArray(want, vals, valid, nulls), nil
			}
			out := types.NoZero[decimal128.Num](len(vals))
			for i, v := range vals {
				out[i] = decimal128.New(v>>63, uint64(v))
			}
			return types.NewFixedArray(want, out, valid, nulls), nil
		case flatTimestamp:
			switch {
			case scale > 1:
				for i := range vals {
					vals[i] *= scale
				}
			case scale < 0:
				for i := range vals {
					vals[i] = floorDiv(vals[i], -scale)
				}
			}
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatFloat32:
		vals, valid, nulls, err := readFixed(pr, column, ranges, sel, maxDef, func(cr file.ColumnChunkReader) func(int64, []float32, []int16, []int16) (int64, int, error) {
			return cr.(*file.Float32ColumnChunkReader).ReadBatch
		})
		if err != nil {
			return nil, err
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatFloat64:
		vals, valid, nulls, err := readFixed(pr, column, ranges, sel, maxDef, func(cr file.ColumnChunkReader) func(int64, []float64, []int16, []int16) (int64, int, error) {
			return cr.(*file.Float64ColumnChunkReader).ReadBatch
		})
		if err != nil {
			return nil, err
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatBool:
		cr, skip, err := column()
		if err != nil {
			return nil, err
		}
		vals, valid, nulls, err := readDense(ranges, maxDef, func(n int) []bool { return make([]bool, n) }, cr.(*file.BooleanColumnChunkReader).ReadBatch, skip)
		if err != nil {
			return nil, err
		}
		vals, valid, nulls = selectDense(vals, valid, nulls, sel)
		return types.NewBoolArray(vals, valid, nulls), nil
	case flatString:
		if pr != nil {
			if offsets, data, valid, nulls, err := readPagesStrings(pr, ranges, sel); err == nil {
				return types.NewStringArray(offsets, data, valid, nulls), nil
			}
		}
		cr, skip, err := column()
		if err != nil {
			return nil, err
		}
		a, err := readStrings(cr.(*file.ByteArrayColumnChunkReader), ranges, maxDef, skip)
		if err != nil || sel == nil {
			return a, err
		}
		defer a.Release()
		return types.Take(types.TextT, a, sel), nil
	}
	return nil, fmt.Errorf("parquet: no flat reader for column %d", leaf)
}

// readFixed reads a fixed-width chunk with the page reader pr when it
// can, else with arrow-go's typed reader (read picks its ReadBatch).
func readFixed[T fixedValue](pr *pageReader, column func() (file.ColumnChunkReader, func(int64) error, error), ranges []rowRange, sel []int32, maxDef int16, read func(file.ColumnChunkReader) func(int64, []T, []int16, []int16) (int64, int, error)) ([]T, []byte, int, error) {
	if pr != nil {
		if vals, valid, nulls, err := readPagesFixed[T](pr, ranges, sel); err == nil {
			return vals, valid, nulls, nil
		}
	}
	cr, skip, err := column()
	if err != nil {
		return nil, nil, 0, err
	}
	vals, valid, nulls, err := readDense(ranges, maxDef, types.NoZero[T], read(cr), skip)
	if err != nil {
		return nil, nil, 0, err
	}
	vals, valid, nulls = selectDense(vals, valid, nulls, sel)
	return vals, valid, nulls, nil
}

// selectDense keeps the rows sel lists (nil: all).
func selectDense[T any](vals []T, valid []byte, nulls int, sel []int32) ([]T, []byte, int) {
	if sel == nil {
		return vals, valid, nulls
	}
	out := make([]T, len(sel))
	for i, r := range sel {
		out[i] = vals[r]
	}
	if valid == nil {
		return out, nil, 0
	}
	ov := make([]byte, (len(sel)+7)/8)
	n := 0
	for i, r := range sel {
		if valid[r>>3]&(1<<(r&7)) != 0 {
			ov[i>>3] |= 1 << (i & 7)
		} else {
			n++
		}
	}
	if n == 0 {
		return out, nil, 0
	}
	return out, ov, n
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// rangeRows is the number of rows in ranges.
func rangeRows(ranges []rowRange) int64 {
	var n int64
	for _, r := range ranges {
		n += r.end - r.start
	}
	return n
}

// readDense reads the rows in ranges with read (a typed ReadBatch),
// skipping the rows between them, and spreads the values over their rows
// when some are NULL. It returns the values, the validity bitmap (nil
// without NULLs) and the NULL count. mk makes the values' buffer: it need
// not be zeroed (every row is written, a NULL's with the zero value).
func readDense[T any](ranges []rowRange, maxDef int16, mk func(int) []T, read func(int64, []T, []int16, []int16) (int64, int, error), skip func(int64) error) ([]T, []byte, int, error) {
	rows := rangeRows(ranges)
	vals := mk(int(rows))
	var def []int16
	if maxDef > 0 {
		def = types.NoZero[int16](int(rows))
	}
	var got, pos int64 // rows produced; position in the chunk
	nv := 0
	for _, r := range ranges {
		if r.start > pos {
			if err := skip(r.start - pos); err != nil {
				return nil, nil, 0, err
			}
			pos = r.start
		}
		for pos < r.end {
			var d []int16
			if def != nil {
				d = def[got:]
			}
			total, n, err := read(r.end-pos, vals[nv:], d, nil)
			if err != nil {
				return nil, nil, 0, err
			}
			if total == 0 {
				return nil, nil, 0, fmt.Errorf("parquet: column chunk ends at row %d, before row %d", pos, r.end)
			}
			got += total
			pos += total
			nv += n
		}
	}
	if int64(nv) == rows {
		return vals, nil, 0, nil
	}
	valid := make([]byte, bitutil.BytesForBits(rows))
	var zero T
	j := nv - 1
	for i := rows - 1; i >= 0; i-- {
		if def[i] == maxDef {
			vals[i] = vals[j]
			j--
			bitutil.SetBit(valid, int(i))
		} else {
			vals[i] = zero
		}
	}
	return vals, valid, int(rows) - nv, nil
}

// readStrings reads a string chunk into offsets and one data buffer. The
// values a batch returns point into page buffers the next batch may
// reuse, so each batch is copied before the next is read.
func readStrings(r *file.ByteArrayColumnChunkReader, ranges []rowRange, maxDef int16, skip func(int64) error) (arrow.Array, error) {
	const batch = 8192
	rows := rangeRows(ranges)
	vals := make([]pq.ByteArray, batch)
	var def []int16
	if maxDef > 0 {
		def = make([]int16, batch)
	}
	offsets := types.NoZero[int32](int(rows) + 1) // each row writes its end
	offsets[0] = 0
	var valid []byte
	nulls := 0
	var data []byte
	var got, pos int64 // rows produced; position in the chunk
	for _, rg := range ranges {
		if rg.start > pos {
			if err := skip(rg.start - pos); err != nil {
				return nil, err
			}
			pos = rg.start
		}
		for pos < rg.end {
			want := min(rg.end-pos, batch)
			// within one page the values point into the page's buffer and
			// are copied right below (ReadBatch would clone them first)
			total, n, err := r.ReadBatchInPage(want, vals, def, nil)
			if err != nil {
				return nil, err
			}
			if total == 0 {
				return nil, fmt.Errorf("parquet: column chunk ends at row %d, before row %d", pos, rg.end)
			}
			size := 0
			for _, v := range vals[:n] {
				size += len(v)
			}
			if data == nil {
				// room for all the rows at this batch's average length
				data = types.NoZero[byte](int(int64(size)*rows/total + 64))[:0]
			}
			if int64(n) == total {
				// one growth per batch; one-byte values (flags, codes) are
				// stored without a copy call each
				if cap(data)-len(data) < size {
					grown := types.NoZero[byte](2*cap(data) + size)[:len(data)]
					copy(grown, data)
					data = grown
				}
				base := len(data)
				d := data[base : base+size]
				p := 0
				for k, v := range vals[:n] {
					if len(v) == 1 {
						d[p] = v[0]
						p++
					} else {
						p += copy(d[p:], v)
					}
					offsets[got+int64(k)+1] = int32(base + p)
				}
				data = data[:base+size]
				if valid != nil {
					bitutil.SetBitsTo(valid, got, total, true)
				}
			} else {
				if valid == nil {
					valid = make([]byte, bitutil.BytesForBits(rows))
					bitutil.SetBitsTo(valid, 0, got, true)
				}
				j := 0
				for k := int64(0); k < total; k++ {
					if def[k] == maxDef {
						data = append(data, vals[j]...)
						j++
						bitutil.SetBit(valid, int(got+k))
					} else {
						nulls++
					}
					offsets[got+k+1] = int32(len(data))
				}
			}
			got += total
			pos += total
		}
	}
	return types.NewStringArray(offsets, data, valid, nulls), nil
}
