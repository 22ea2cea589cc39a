// Package types maps SQL types to Arrow types and PostgreSQL OIDs, and
// holds their text encodings and casts with PostgreSQL's semantics.
package types

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/lakeq/lakeq/sqlerr"
)

// Kind is a SQL type family.
type Kind uint8

// Kinds, in PostgreSQL's numeric-promotion order where it matters.
const (
	Unknown Kind = iota // an untyped string literal or NULL, resolved by context
	Bool
	Int2
	Int4
	Int8
	Numeric
	Float4
	Float8
	Text
	Varchar
	Char
	Bytea
	Date
	Time
	Timestamp
	TimestampTZ
	Interval
	UUID
	JSON
	JSONB
	Array
	Oid
)

// T is a SQL type. Zero Prec on Numeric means unconstrained precision;
// Scale is then the static display scale lakeq computes for the value,
// unless Dyn is set: then each value keeps its own scale, as PostgreSQL's
// numeric does (see numdyn.go), and Scale is 0.
type T struct {
	Kind  Kind
	Prec  int32 // numeric precision; 0 = unconstrained
	Scale int32 // numeric scale
	Dyn   bool  // unconstrained numeric whose values keep their own scale
	Width int32 // varchar(n) / char(n) length; 0 = unlimited
	Elem  *T    // array element type
}

// Common types.
var (
	UnknownT     = T{Kind: Unknown}
	BoolT        = T{Kind: Bool}
	Int2T        = T{Kind: Int2}
	Int4T        = T{Kind: Int4}
	Int8T        = T{Kind: Int8}
	Float4T      = T{Kind: Float4}
	Float8T      = T{Kind: Float8}
	NumericT     = T{Kind: Numeric}
	NumericDynT  = T{Kind: Numeric, Dyn: true}
	TextT        = T{Kind: Text}
	ByteaT       = T{Kind: Bytea}
	DateT        = T{Kind: Date}
	TimeT        = T{Kind: Time}
	TimestampT   = T{Kind: Timestamp}
	TimestampTZT = T{Kind: TimestampTZ}
	IntervalT    = T{Kind: Interval}
	UUIDT        = T{Kind: UUID}
	JSONT        = T{Kind: JSON}
	JSONBT       = T{Kind: JSONB}
	OidT         = T{Kind: Oid}
)

// ArrayOf returns the array type with element e.
func ArrayOf(e T) T { return T{Kind: Array, Elem: &e} }

// Small reports numeric(p,s) with p ≤ 18, held as a scaled int64
// (Arrow Decimal64); other numerics are 128-bit (Decimal128).
func (t T) Small() bool { return t.Kind == Numeric && t.Prec > 0 && t.Prec <= 18 }

// NumericOf returns numeric(p,s).
func NumericOf(p, s int32) T { return T{Kind: Numeric, Prec: p, Scale: s} }

// NumericRank orders the numeric types for implicit promotion (int2 <
// int4 < int8 < numeric < real < double precision); 0 for others.
func NumericRank(k Kind) int {
	switch k {
	case Int2:
		return 1
	case Int4:
		return 2
	case Int8:
		return 3
	case Numeric:
		return 4
	case Float4:
		return 5
	case Float8:
		return 6
	}
	return 0
}

// IsInteger reports int2/int4/int8.
func (t T) IsInteger() bool { return t.Kind == Int2 || t.Kind == Int4 || t.Kind == Int8 }

// IsNumeric reports any number type.
func (t T) IsNumeric() bool {
	return t.IsInteger() || t.Kind == Numeric || t.Kind == Float4 || t.Kind == Float8
}

// IsFloat reports float4/float8.
func (t T) IsFloat() bool { return t.Kind == Float4 || t.Kind == Float8 }

// IsString reports the character types (and unknown literals).
func (t T) IsString() bool {
	return t.Kind == Text || t.Kind == Varchar || t.Kind == Char || t.Kind == Unknown
}

// IsTemporal reports date/time types.
func (t T) IsTemporal() bool {
	return t.Kind == Date || t.Kind == Time || t.Kind == Timestamp || t.Kind == TimestampTZ
}

// Equal compares types including modifiers.
func (t T) Equal(o T) bool {
	if t.Kind != o.Kind || t.Prec != o.Prec || t.Scale != o.Scale || t.Width != o.Width || t.Dyn != o.Dyn {
		return false
	}
	if t.Kind == Array {
		return t.Elem.Equal(*o.Elem)
	}
	return true
}

// String renders the type as PostgreSQL's format_type does.
func (t T) String() string {
	switch t.Kind {
	case Unknown:
		return "unknown"
	case Bool:
		return "boolean"
	case Int2:
		return "smallint"
	case Int4:
		return "integer"
	case Int8:
		return "bigint"
	case Float4:
		return "real"
	case Float8:
		return "double precision"
	case Numeric:
		if t.Prec > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Prec, t.Scale)
		}
		return "numeric"
	case Text:
		return "text"
	case Varchar:
		if t.Width > 0 {
			return fmt.Sprintf("character varying(%d)", t.Width)
		}
		return "character varying"
	case Char:
		return fmt.Sprintf("character(%d)", max(t.Width, 1))
	case Bytea:
		return "bytea"
	case Date:
		return "date"
	case Time:
		return "time without time zone"
	case Timestamp:
		return "timestamp without time zone"
	case TimestampTZ:
		return "timestamp with time zone"
	case Interval:
		return "interval"
	case UUID:
		return "uuid"
	case JSON:
		return "json"
	case JSONB:
		return "jsonb"
	case Oid:
		return "oid"
	case Array:
		return t.Elem.String() + "[]"
	}
	return "?"
}

// OID returns the PostgreSQL type OID.
func (t T) OID() uint32 {
	switch t.Kind {
	case Bool:
		return 16
	case Int2:
		return 21
	case Int4:
		return 23
	case Int8:
		return 20
	case Float4:
		return 700
	case Float8:
		return 701
	case Numeric:
		return 1700
	case Text:
		return 25
	case Varchar:
		return 1043
	case Char:
		return 1042
	case Bytea:
		return 17
	case Date:
		return 1082
	case Time:
		return 1083
	case Timestamp:
		return 1114
	case TimestampTZ:
		return 1184
	case Interval:
		return 1186
	case UUID:
		return 2950
	case JSON:
		return 114
	case JSONB:
		return 3802
	case Oid:
		return 26
	case Unknown:
		return 705
	case Array:
		switch t.Elem.Kind {
		case Bool:
			return 1000
		case Int2:
			return 1005
		case Int4:
			return 1007
		case Int8:
			return 1016
		case Float4:
			return 1021
		case Float8:
			return 1022
		case Numeric:
			return 1231
		case Text, Unknown:
			return 1009
		case Varchar:
			return 1015
		case Char:
			return 1014
		case Bytea:
			return 1001
		case Date:
			return 1182
		case Time:
			return 1183
		case Timestamp:
			return 1115
		case TimestampTZ:
			return 1185
		case Interval:
			return 1187
		case UUID:
			return 2951
		case JSON:
			return 199
		case JSONB:
			return 3807
		}
	}
	return 0
}

// Arrow returns the Arrow type that holds values of t.
func (t T) Arrow() arrow.DataType {
	switch t.Kind {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int2:
		return arrow.PrimitiveTypes.Int16
	case Int4:
		return arrow.PrimitiveTypes.Int32
	case Int8:
		return arrow.PrimitiveTypes.Int64
	case Oid:
		return arrow.PrimitiveTypes.Uint32
	case Float4:
		return arrow.PrimitiveTypes.Float32
	case Float8:
		return arrow.PrimitiveTypes.Float64
	case Numeric:
		if t.Dyn {
			return dynNumeric
		}
		if t.Small() {
			// scaled int64: half the bytes, and plain integer loops
			return &arrow.Decimal64Type{Precision: t.Prec, Scale: t.Scale}
		}
		return &arrow.Decimal128Type{Precision: 38, Scale: t.Scale}
	case Text, Varchar, Char, JSON, JSONB, UUID, Unknown:
		return arrow.BinaryTypes.String
	case Bytea:
		return arrow.BinaryTypes.Binary
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Time:
		return arrow.FixedWidthTypes.Time64us
	case Timestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond}
	case TimestampTZ:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case Interval:
		return arrow.FixedWidthTypes.MonthDayNanoInterval
	case Array:
		return arrow.ListOf(t.Elem.Arrow())
	}
	return arrow.Null
}

// FromArrow maps an Arrow type back to a SQL type (for files and managed tables).
func FromArrow(dt arrow.DataType) (T, error) {
	switch d := dt.(type) {
	case *arrow.BooleanType:
		return BoolT, nil
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return Int2T, nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return Int4T, nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return Int8T, nil
	case *arrow.Uint64Type:
		return NumericOf(20, 0), nil
	case *arrow.Float16Type, *arrow.Float32Type:
		return Float4T, nil
	case *arrow.Float64Type:
		return Float8T, nil
	case *arrow.Decimal128Type:
		return NumericOf(d.Precision, d.Scale), nil
	case *arrow.Decimal64Type:
		return NumericOf(d.Precision, d.Scale), nil
	case *arrow.Decimal32Type:
		return NumericOf(d.Precision, d.Scale), nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return TextT, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType, *arrow.BinaryViewType:
		return ByteaT, nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return DateT, nil
	case *arrow.Time32Type, *arrow.Time64Type:
		return TimeT, nil
	case *arrow.TimestampType:
		if d.TimeZone != "" {
			return TimestampTZT, nil
		}
		return TimestampT, nil
	case *arrow.MonthDayNanoIntervalType:
		return IntervalT, nil
	case *arrow.StructType, *arrow.MapType:
		// nested records reach SQL as jsonb (storage/parquet/nested.go)
		return JSONBT, nil
	case *arrow.ListType:
		e, err := FromArrow(d.Elem())
		if err != nil {
			return T{}, err
		}
		if e.Kind == JSONB {
			return JSONBT, nil // a list of records is one JSON array
		}
		return ArrayOf(e), nil
	case *arrow.DictionaryType:
		return FromArrow(d.ValueType)
	case *dynNumericType:
		return NumericDynT, nil
	case *arrow.NullType:
		return TextT, nil
	}
	return T{}, sqlerr.New(sqlerr.FeatureNotSupported, "unsupported Arrow type %s", dt)
}

// FromName resolves a type name with modifiers and array dimensions.
func FromName(names []string, mods []int, arrayDims int) (T, error) {
	name := strings.ToLower(names[len(names)-1])
	var t T
	switch name {
	case "bool", "boolean":
		t = BoolT
	case "int2", "smallint", "tinyint":
		t = Int2T
	case "int4", "int", "integer", "mediumint", "signed":
		t = Int4T
	case "int8", "bigint", "long":
		t = Int8T
	case "float4", "real":
		t = Float4T
	case "float8", "double", "double precision", "float":
		t = Float8T
		if len(mods) == 1 && mods[0] <= 24 {
			t = Float4T
		}
	case "numeric", "decimal", "dec":
		t = NumericT
		switch len(mods) {
		case 1:
			t = NumericOf(int32(mods[0]), 0)
		case 2:
			t = NumericOf(int32(mods[0]), int32(mods[1]))
		}
		if t.Prec > 38 || t.Prec < 0 || t.Scale > t.Prec || t.Scale < 0 {
			if t.Prec > 1000 || t.Prec < 1 && len(mods) > 0 {
				return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC precision %d must be between 1 and 1000", t.Prec)
			}
			if t.Prec > 38 {
				return T{}, sqlerr.New(sqlerr.FeatureNotSupported, "NUMERIC precision %d is above lakeq's maximum of 38", t.Prec)
			}
			return T{}, sqlerr.New(sqlerr.InvalidParameterValue, "NUMERIC scale %d must be between 0 and precision %d", t.Scale, t.Prec)
		}
	case "text", "string", "name", "clob":
		t = TextT
	case "varchar", "character varying", "nvarchar":
		t = T{Kind: Varchar}
		if len(mods) > 0 {
			t.Width = int32(mods[0])
		}
	case "bpchar", "char", "character", "nchar":
		t = T{Kind: Char, Width: 1}
		if len(mods) > 0 {
			t.Width = int32(mods[0])
		}
		if name == "bpchar" && len(mods) == 0 {
			t.Width = 0
		}
	case "bytea", "blob", "binary", "varbinary":
		t = ByteaT
	case "date":
		t = DateT
	case "time", "timetz":
		t = TimeT
	case "timestamp", "datetime":
		t = TimestampT
	case "timestamptz":
		t = TimestampTZT
	case "interval":
		t = IntervalT
	case "uuid":
		t = UUIDT
	case "json":
		t = JSONT
	case "jsonb":
		t = JSONBT
	case "oid", "regclass", "regtype", "regproc", "regnamespace", "regprocedure", "regoper":
		t = OidT
	default:
		return T{}, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", name)
	}
	for i := 0; i < arrayDims; i++ {
		t = ArrayOf(t)
	}
	return t, nil
}

// Parse reads a type name as T.String() renders it ("numeric(10,2)",
// "character varying(20)", "integer[]"), as the catalog stores column
// types: plain "numeric" is NumericDynT.
func Parse(s string) (T, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	dims := 0
	for strings.HasSuffix(s, "[]") {
		dims++
		s = strings.TrimSpace(s[:len(s)-2])
	}
	var mods []int
	if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		for _, m := range strings.Split(s[i+1:len(s)-1], ",") {
			var v int
			if _, err := fmt.Sscanf(strings.TrimSpace(m), "%d", &v); err != nil {
				return T{}, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", s)
			}
			mods = append(mods, v)
		}
		s = strings.TrimSpace(s[:i])
	}
	switch s {
	case "timestamp without time zone":
		s = "timestamp"
	case "timestamp with time zone":
		s = "timestamptz"
	case "time without time zone":
		s = "time"
	}
	t, err := FromName([]string{s}, mods, dims)
	if err == nil && len(mods) == 0 {
		// a stored "numeric" is one whose values keep their own scale
		t = dynUnconstrained(t)
	}
	return t, err
}

// dynUnconstrained turns plain numeric (and arrays of it) into NumericDynT.
func dynUnconstrained(t T) T {
	switch {
	case t.Kind == Numeric && t.Prec == 0:
		return NumericDynT
	case t.Kind == Array:
		return ArrayOf(dynUnconstrained(*t.Elem))
	}
	return t
}
