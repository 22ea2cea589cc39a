package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// pageHeader is the part of Parquet's PageHeader the page reader uses;
// the rest (statistics, CRC, index pages) is skipped.
type pageHeader struct {
	typ              int32 // 0 data, 1 index, 2 dictionary, 3 data v2
	uncompressedSize int32
	compressedSize   int32

	numValues int32 // data (v1 and v2) and dictionary pages
	encoding  int32 // of the values
	defEnc    int32 // v1: the definition levels' encoding
	repEnc    int32 // v1: the repetition levels' encoding

	// v2 only
	numNulls, numRows    int32
	defBytes, repBytes   int32
	compressed           bool // v2: are the values compressed (default true)
	hasV1, hasV2, hasDic bool
}

// Parquet page types and encodings the reader meets.
// (pageData, pageDict, encPlain, encRLE and encRLEDict are the
// writer's, filewriter.go.)
const (
	pageDataV2 = 3

	encPlainDict      = 2
	thriftMaxNestings = 32
)

var errThrift = errors.New("parquet: malformed page header")

// thriftReader decodes Thrift's compact protocol from a byte slice.
type thriftReader struct {
	b   []byte
	pos int
}

func (t *thriftReader) byte() (byte, error) {
	if t.pos >= len(t.b) {
		return 0, errThrift
	}
	c := t.b[t.pos]
	t.pos++
	return c, nil
}

func (t *thriftReader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(t.b[t.pos:])
	if n <= 0 {
		return 0, errThrift
	}
	t.pos += n
	return v, nil
}

func (t *thriftReader) varint() (int64, error) {
	u, err := t.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

func (t *thriftReader) i32() (int32, error) {
	v, err := t.varint()
	if err == nil && (v < -1<<31 || v > 1<<31-1) {
		err = errThrift
	}
	return int32(v), err
}

// fieldHeader returns the next field's id and type (type 0: the
// struct's end); last is the previous field's id.
func (t *thriftReader) fieldHeader(last int16) (int16, byte, error) {
	c, err := t.byte()
	if err != nil || c == 0 {
		return 0, 0, err
	}
	typ := c & 0x0f
	if d := int16(c >> 4); d != 0 {
		return last + d, typ, nil
	}
	id, err := t.varint()
	return int16(id), typ, err
}

// skip passes over one value of type typ.
func (t *thriftReader) skip(typ byte, depth int) error {
	if depth > thriftMaxNestings {
		return errThrift
	}
	switch typ {
	case ctTrue, ctFalse:
		return nil // in a field header the type is the value
	case ctByte:
		_, err := t.byte()
		return err
	case ctI16, ctI32, ctI64:
		_, err := t.uvarint()
		return err
	case 7: // double
		if t.pos+8 > len(t.b) {
			return errThrift
		}
		t.pos += 8
		return nil
	case ctBinary:
		n, err := t.uvarint()
		if err != nil || n > uint64(len(t.b)-t.pos) {
			return errThrift
		}
		t.pos += int(n)
		return nil
	case ctList, 10: // list, set
		c, err := t.byte()
		if err != nil {
			return err
		}
		n := uint64(c >> 4)
		if n == 15 {
			if n, err = t.uvarint(); err != nil {
				return err
			}
		}
		et := c & 0x0f
		for i := uint64(0); i < n; i++ {
			if et == ctTrue || et == ctFalse {
				// a boolean element is a byte of its own
				if _, err := t.byte(); err != nil {
					return err
				}
				continue
			}
			if err := t.skip(et, depth+1); err != nil {
				return err
			}
		}
		return nil
	case 11: // map
		n, err := t.uvarint()
		if err != nil || n == 0 {
			return err
		}
		kv, err := t.byte()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := t.skip(kv>>4, depth+1); err != nil {
				return err
			}
			if err := t.skip(kv&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case ctStruct:
		var last int16
		for {
			id, ft, err := t.fieldHeader(last)
			if err != nil {
				return err
			}
			if ft == 0 {
				return nil
			}
			if err := t.skip(ft, depth+1); err != nil {
				return err
			}
			last = id
		}
	}
	return fmt.Errorf("parquet: page header holds Thrift type %d", typ)
}

// readStruct calls f for each field of a struct until its end; f skips
// the fields it does not read.
func (t *thriftReader) readStruct(f func(id int16, typ byte) error) error {
	var last int16
	for {
		id, typ, err := t.fieldHeader(last)
		if err != nil {
			return err
		}
		if typ == 0 {
			return nil
		}
		if err := f(id, typ); err != nil {
			return err
		}
		last = id
	}
}

// readI32Field reads an i32 field into *dst, or skips a field of another
// type.
func (t *thriftReader) readI32Field(typ byte, dst *int32) error {
	if typ != ctI32 {
		return t.skip(typ, 1)
	}
	v, err := t.i32()
	*dst = v
	return err
}

// parsePageHeader decodes the page header at the start of b and returns
// it with its length in bytes.
func parsePageHeader(b []byte) (pageHeader, int, error) {
	t := &thriftReader{b: b}
	h := pageHeader{compressed: true}
	err := t.readStruct(func(id int16, typ byte) error {
		switch id {
		case 1:
			return t.readI32Field(typ, &h.typ)
		case 2:
			return t.readI32Field(typ, &h.uncompressedSize)
		case 3:
			return t.readI32Field(typ, &h.compressedSize)
		case 5, 7, 8:
			if typ != ctStruct {
				return t.skip(typ, 1)
			}
			switch id {
			case 5:
				h.hasV1 = true
			case 7:
				h.hasDic = true
			case 8:
				h.hasV2 = true
			}
			return t.readStruct(func(fid int16, ft byte) error {
				switch {
				case fid == 1:
					return t.readI32Field(ft, &h.numValues)
				case fid == 2 && id != 8:
					return t.readI32Field(ft, &h.encoding)
				case fid == 3 && id == 5:
					return t.readI32Field(ft, &h.defEnc)
				case fid == 4 && id == 5:
					return t.readI32Field(ft, &h.repEnc)
				case fid == 2 && id == 8:
					return t.readI32Field(ft, &h.numNulls)
				case fid == 3 && id == 8:
					return t.readI32Field(ft, &h.numRows)
				case fid == 4 && id == 8:
					return t.readI32Field(ft, &h.encoding)
				case fid == 5 && id == 8:
					return t.readI32Field(ft, &h.defBytes)
				case fid == 6 && id == 8:
					return t.readI32Field(ft, &h.repBytes)
				case fid == 7 && id == 8 && (ft == ctTrue || ft == ctFalse):
					h.compressed = ft == ctTrue
					return nil
				}
				return t.skip(ft, 2)
			})
		}
		return t.skip(typ, 1)
	})
	if err != nil {
		return h, 0, err
	}
	if h.compressedSize < 0 || h.uncompressedSize < 0 || h.numValues < 0 || h.defBytes < 0 || h.repBytes < 0 {
		return h, 0, errThrift
	}
	return h, t.pos, nil
}
