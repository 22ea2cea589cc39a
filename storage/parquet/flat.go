package parquet

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
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

// readFlat reads the whole chunk of leaf in rgr (rows rows) as kind.
func readFlat(rgr *file.RowGroupReader, leaf int, kind flatKind, scale int64, want arrow.DataType, rows int64) (arrow.Array, error) {
	cr, err := rgr.Column(leaf)
	if err != nil {
		return nil, err
	}
	maxDef := cr.Descriptor().MaxDefinitionLevel()
	switch kind {
	case flatInt32, flatDate32, flatInt16From32, flatDecimal32:
		r := cr.(*file.Int32ColumnChunkReader)
		vals, valid, nulls, err := readDense(rows, maxDef, r.ReadBatch)
		if err != nil {
			return nil, err
		}
		switch kind {
		case flatInt16From32:
			out := make([]int16, len(vals))
			for i, v := range vals {
				out[i] = int16(v)
			}
			return types.NewFixedArray(want, out, valid, nulls), nil
		case flatDecimal32:
			if _, ok := want.(*arrow.Decimal64Type); ok {
				out := make([]int64, len(vals))
				for i, v := range vals {
					out[i] = int64(v)
				}
				return types.NewFixedArray(want, out, valid, nulls), nil
			}
			out := make([]decimal128.Num, len(vals))
			for i, v := range vals {
				out[i] = decimal128.New(int64(v)>>63, uint64(int64(v)))
			}
			return types.NewFixedArray(want, out, valid, nulls), nil
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatInt64, flatDecimal64, flatTimestamp:
		r := cr.(*file.Int64ColumnChunkReader)
		vals, valid, nulls, err := readDense(rows, maxDef, r.ReadBatch)
		if err != nil {
			return nil, err
		}
		switch kind {
		case flatDecimal64:
			if _, ok := want.(*arrow.Decimal64Type); ok {
				return types.NewFixedArray(want, vals, valid, nulls), nil
			}
			out := make([]decimal128.Num, len(vals))
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
		vals, valid, nulls, err := readDense(rows, maxDef, cr.(*file.Float32ColumnChunkReader).ReadBatch)
		if err != nil {
			return nil, err
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatFloat64:
		vals, valid, nulls, err := readDense(rows, maxDef, cr.(*file.Float64ColumnChunkReader).ReadBatch)
		if err != nil {
			return nil, err
		}
		return types.NewFixedArray(want, vals, valid, nulls), nil
	case flatBool:
		vals, valid, nulls, err := readDense(rows, maxDef, cr.(*file.BooleanColumnChunkReader).ReadBatch)
		if err != nil {
			return nil, err
		}
		return types.NewBoolArray(vals, valid, nulls), nil
	case flatString:
		return readStrings(cr.(*file.ByteArrayColumnChunkReader), rows, maxDef)
	}
	return nil, fmt.Errorf("parquet: no flat reader for column %d", leaf)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// readDense reads rows values with read (a typed ReadBatch) and spreads
// them over their rows when some are NULL. It returns the values, the
// validity bitmap (nil without NULLs) and the NULL count.
func readDense[T any](rows int64, maxDef int16, read func(int64, []T, []int16, []int16) (int64, int, error)) ([]T, []byte, int, error) {
	vals := make([]T, rows)
	var def []int16
	if maxDef > 0 {
		def = make([]int16, rows)
	}
	var got int64
	nv := 0
	for got < rows {
		var d []int16
		if def != nil {
			d = def[got:]
		}
		total, n, err := read(rows-got, vals[nv:], d, nil)
		if err != nil {
			return nil, nil, 0, err
		}
		if total == 0 {
			return nil, nil, 0, fmt.Errorf("parquet: column chunk ends after %d of %d rows", got, rows)
		}
		got += total
		nv += n
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
func readStrings(r *file.ByteArrayColumnChunkReader, rows int64, maxDef int16) (arrow.Array, error) {
	const batch = 8192
	vals := make([]pq.ByteArray, batch)
	var def []int16
	if maxDef > 0 {
		def = make([]int16, batch)
	}
	offsets := make([]int32, rows+1)
	var valid []byte
	nulls := 0
	var data []byte
	var got int64
	for got < rows {
		want := min(rows-got, batch)
		// within one page the values point into the page's buffer and are
		// copied right below (ReadBatch would clone them first)
		total, n, err := r.ReadBatchInPage(want, vals, def, nil)
		if err != nil {
			return nil, err
		}
		if total == 0 {
			return nil, fmt.Errorf("parquet: column chunk ends after %d of %d rows", got, rows)
		}
		size := 0
		for _, v := range vals[:n] {
			size += len(v)
		}
		if data == nil {
			// room for the whole chunk at this batch's average length
			data = make([]byte, 0, int64(size)*rows/total+64)
		}
		if int64(n) == total {
			for k, v := range vals[:n] {
				data = append(data, v...)
				offsets[got+int64(k)+1] = int32(len(data))
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
		if valid != nil && int64(n) == total {
			bitutil.SetBitsTo(valid, got, total, true)
		}
		got += total
	}
	var vb *memory.Buffer
	if nulls > 0 {
		vb = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.BinaryTypes.String, int(rows), []*memory.Buffer{vb, memory.NewBufferBytes(arrow.GetBytes(offsets)), memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}
