package types

import (
	"math"
	"testing"
)

func TestFormatFloat(t *testing.T) {
	for _, c := range []struct {
		f    float64
		bits int
		want string
	}{
		{0.1, 64, "0.1"}, {1e15, 64, "1e+15"}, {123456789012345, 64, "123456789012345"}, {1.2345e-05, 64, "1.2345e-05"},
		{0.0001, 64, "0.0001"}, {math.Inf(-1), 64, "-Infinity"}, {math.NaN(), 64, "NaN"}, {1234567, 32, "1.234567e+06"},
		{float64(float32(0.1)), 32, "0.1"}, {-0.0, 64, "0"},
	} {
		if got := FormatFloat(c.f, c.bits); got != c.want {
			t.Errorf("FormatFloat(%v, %d) = %s, want %s", c.f, c.bits, got, c.want)
		}
	}
}

func TestIntervals(t *testing.T) {
	for in, want := range map[string]string{
		"1 day 2 hours":    "1 day 02:00:00",
		"-1 days 02:00:00": "-1 days +02:00:00",
		"1 year 14 months": "2 years 2 mons",
		"90 minutes":       "01:30:00",
		"P1Y2M3DT4H5M6S":   "1 year 2 mons 3 days 04:05:06",
		"@ 3 days ago":     "-3 days",
		"1.5 days":         "1 day 12:00:00",
		"00:00:00.25":      "00:00:00.25",
		"2 weeks":          "14 days",
	} {
		iv, err := ParseInterval(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if got := FormatInterval(iv); got != want {
			t.Errorf("interval %q = %q, want %q", in, got, want)
		}
	}
	if _, err := ParseInterval("3 fortnights"); err == nil {
		t.Error("bad unit accepted")
	}
}

func TestDecimals(t *testing.T) {
	d, err := ParseDecimal("-12.345")
	if err != nil || d.String() != "-12.345" {
		t.Fatalf("%v %v", d, err)
	}
	r, _ := d.Rescale(2)
	if r.String() != "-12.35" { // half away from zero
		t.Errorf("rescale: %s", r)
	}
	if _, err := d.CheckPrecision(3, 2); err == nil {
		t.Error("numeric(3,2) accepted -12.35")
	}
	e, _ := ParseDecimal("1.5e3")
	if e.String() != "1500" {
		t.Errorf("exponent: %s", e)
	}
	if _, err := ParseDecimal("1.2.3"); err == nil {
		t.Error("bad numeric accepted")
	}
}

func TestTypeNames(t *testing.T) {
	for _, s := range []string{"integer", "numeric(10,2)", "character varying(20)", "text[]", "timestamp with time zone", "character(3)", "interval", "jsonb"} {
		ty, err := Parse(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		if ty.String() != s {
			t.Errorf("round trip %q -> %q", s, ty.String())
		}
	}
}

func TestParseHive(t *testing.T) {
	for in, want := range map[string]string{
		"string": "text", "int": "integer", "tinyint": "smallint", "float": "real", "double": "double precision",
		"decimal(10,2)": "numeric(10,2)", "array<string>": "text[]", "map<string,int>": "jsonb",
		"struct<a:int,b:array<string>>": "jsonb", "varchar(20)": "character varying(20)", "timestamp": "timestamp without time zone",
		"binary": "bytea", "date": "date", "bigint": "bigint", "boolean": "boolean",
	} {
		got, err := ParseHive(in)
		if err != nil || got.String() != want {
			t.Errorf("%s: %v %v, want %s", in, got, err, want)
		}
	}
	if _, err := ParseHive("struct<a:int"); err == nil {
		t.Error("unbalanced struct accepted")
	}
	if _, err := ParseHive("nosuch"); err == nil {
		t.Error("unknown type accepted")
	}
}
