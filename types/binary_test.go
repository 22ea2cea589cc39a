package types

import (
	"reflect"
	"testing"
)

func TestBinaryRoundTrip(t *testing.T) {
	dec := func(s string) Decimal {
		d, err := ParseDecimal(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		t T
		v Value
	}{
		{BoolT, true}, {Int2T, int64(-7)}, {Int4T, int64(123456)}, {Int8T, int64(-1) << 40}, {Float4T, float64(1.5)}, {Float8T, 3.25},
		{NumericT, dec("0")}, {NumericT, dec("12345.6789")}, {NumericT, dec("-0.0001")}, {NumericT, dec("100000000")}, {NumericT, dec("1.50")},
		{NumericT, dec("0.00012300")}, {TextT, "héllo"}, {JSONBT, `{"a": 1}`}, {ByteaT, []byte{0, 1, 255}},
		{DateT, DateVal(-5)}, {DateT, DateVal(19000)}, {TimeT, TimeVal(3723000001)}, {TimestampT, TimestampVal(1700000000123456)},
		{TimestampTZT, TimestampVal(-1)}, {IntervalT, IntervalVal{Months: 14, Days: 3, Micros: 4000}},
		{UUIDT, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}, {ArrayOf(Int4T), []any{int64(1), nil, int64(3)}}, {ArrayOf(TextT), []any{}},
	}
	for _, c := range cases {
		b, err := AppendBinary(nil, c.t, c.v)
		if err != nil {
			t.Fatalf("%s %v: %v", c.t, c.v, err)
		}
		got, err := DecodeBinary(c.t, b)
		if err != nil {
			t.Fatalf("%s %v: decode: %v", c.t, c.v, err)
		}
		if d, ok := c.v.(Decimal); ok {
			if got.(Decimal).String() != d.String() {
				t.Errorf("numeric %s came back as %s", d, got.(Decimal))
			}
			continue
		}
		if !reflect.DeepEqual(got, c.v) {
			t.Errorf("%s: %#v came back as %#v", c.t, c.v, got)
		}
	}
	// PostgreSQL's own encoding of 12345.6789: ndigits 3, weight 1, dscale 4, digits 1 2345 6789
	b, _ := AppendBinary(nil, NumericT, dec("12345.6789"))
	want := []byte{0, 3, 0, 1, 0, 0, 0, 4, 0, 1, 0x09, 0x29, 0x1a, 0x85}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("numeric bytes % x, want % x", b, want)
	}
	if _, err := DecodeBinary(Int4T, []byte{1, 2}); err == nil {
		t.Fatal("short int4 accepted")
	}
}
