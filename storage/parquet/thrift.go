package parquet

import "encoding/binary"

// thriftWriter appends Thrift's compact protocol (the encoding of every
// Parquet page header and footer) to a byte slice. It is what lakeq's
// own Parquet writer (filewriter.go) needs and no more: structs, lists,
// i8/i16/i32/i64, booleans and binaries, written field by field in
// increasing id order. Not safe for concurrent use.
type thriftWriter struct {
	b []byte
	// last is the id of the previous field of each open struct: the
	// compact protocol writes ids as deltas from it
	last []int16
	id   int16
}

// Compact protocol type nibbles.
const (
	ctTrue   = 1
	ctFalse  = 2
	ctByte   = 3
	ctI16    = 4
	ctI32    = 5
	ctI64    = 6
	ctBinary = 8
	ctList   = 9
	ctStruct = 12
)

func (t *thriftWriter) uvarint(v uint64) { t.b = binary.AppendUvarint(t.b, v) }

func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

func (t *thriftWriter) field(id int16, typ byte) {
	if d := id - t.id; d > 0 && d <= 15 {
		t.b = append(t.b, byte(d)<<4|typ)
	} else {
		t.b = append(t.b, typ)
		t.uvarint(zigzag(int64(id)))
	}
	t.id = id
}

// begin opens a struct (the top-level one, a field's or a list element's).
func (t *thriftWriter) begin() {
	t.last = append(t.last, t.id)
	t.id = 0
}

// end writes the struct's stop byte.
func (t *thriftWriter) end() {
	t.b = append(t.b, 0)
	t.id = t.last[len(t.last)-1]
	t.last = t.last[:len(t.last)-1]
}

func (t *thriftWriter) structField(id int16) {
	t.field(id, ctStruct)
	t.begin()
}

func (t *thriftWriter) i32(id int16, v int32) {
	t.field(id, ctI32)
	t.uvarint(zigzag(int64(v)))
}

func (t *thriftWriter) i64(id int16, v int64) {
	t.field(id, ctI64)
	t.uvarint(zigzag(v))
}

func (t *thriftWriter) i8(id int16, v int8) {
	t.field(id, ctByte)
	t.b = append(t.b, byte(v))
}

func (t *thriftWriter) boolean(id int16, v bool) {
	if v {
		t.field(id, ctTrue)
	} else {
		t.field(id, ctFalse)
	}
}

func (t *thriftWriter) binary(id int16, v []byte) {
	t.field(id, ctBinary)
	t.uvarint(uint64(len(v)))
	t.b = append(t.b, v...)
}

func (t *thriftWriter) str(id int16, v string) {
	t.field(id, ctBinary)
	t.uvarint(uint64(len(v)))
	t.b = append(t.b, v...)
}

// list writes a list field's header; n elements of type elem follow
// (structs each between begin and end, i32s with listI32, strings with
// listStr).
func (t *thriftWriter) list(id int16, elem byte, n int) {
	t.field(id, ctList)
	if n < 15 {
		t.b = append(t.b, byte(n)<<4|elem)
		return
	}
	t.b = append(t.b, 0xf0|elem)
	t.uvarint(uint64(n))
}

func (t *thriftWriter) listI32(v int32) { t.uvarint(zigzag(int64(v))) }

func (t *thriftWriter) listStr(v string) {
	t.uvarint(uint64(len(v)))
	t.b = append(t.b, v...)
}
