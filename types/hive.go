package types

import (
	"fmt"
	"strings"

	"github.com/lakeq/lakeq/sqlerr"
)

// ParseHive parses a column type as Athena/Glue DDL writes it — Hive's
// names (string, int, tinyint, float, double, binary, array<T>,
// map<K,V>, struct<a:T,…>) as well as PostgreSQL's — into a SQL type.
// Hive's float is 4 bytes (real), its string unbounded text; maps and
// structs surface as jsonb, the same reading the Parquet reader takes
// for nested columns.
func ParseHive(s string) (T, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if strings.HasPrefix(s, "array<") && strings.HasSuffix(s, ">") {
		el, err := ParseHive(s[len("array<") : len(s)-1])
		if err != nil {
			return T{}, err
		}
		if el.Kind == Array || el.Kind == JSONB {
			return JSONBT, nil
		}
		return ArrayOf(el), nil
	}
	if strings.HasPrefix(s, "map<") || strings.HasPrefix(s, "struct<") || strings.HasPrefix(s, "uniontype<") {
		if !strings.HasSuffix(s, ">") || strings.Count(s, "<") != strings.Count(s, ">") {
			return T{}, sqlerr.New(sqlerr.UndefinedObject, "type \"%s\" does not exist", s)
		}
		return JSONBT, nil
	}
	switch s {
	case "string":
		return TextT, nil
	case "tinyint":
		return Int2T, nil
	case "int":
		return Int4T, nil
	case "float":
		return Float4T, nil
	case "double":
		return Float8T, nil
	case "binary":
		return ByteaT, nil
	}
	return Parse(s)
}

// HiveName is the Hive spelling of t, for SHOW CREATE TABLE and DESCRIBE
// output that Athena users recognise; types Hive lacks keep their SQL name.
func HiveName(t T) string {
	switch t.Kind {
	case Text:
		return "string"
	case Int2:
		return "smallint"
	case Int4:
		return "int"
	case Int8:
		return "bigint"
	case Float4:
		return "float"
	case Float8:
		return "double"
	case Bytea:
		return "binary"
	case Timestamp:
		return "timestamp"
	case Numeric:
		if t.Prec > 0 {
			return fmt.Sprintf("decimal(%d,%d)", t.Prec, t.Scale)
		}
	case Array:
		if t.Elem != nil {
			return "array<" + HiveName(*t.Elem) + ">"
		}
	}
	return t.String()
}

// Widen is the narrowest type both a and b convert to without loss, as
// schema inference merges the types seen in different files or rows:
// integers widen, integers and floats meet in double precision, dates
// and timestamps in timestamp, arrays element-wise; nested and
// incompatible values end in jsonb or text.
func Widen(a, b T) T {
	switch {
	case a.Equal(b):
		return a
	case a.Kind == Unknown:
		return b
	case b.Kind == Unknown:
		return a
	case a.IsInteger() && b.IsInteger():
		if a.Kind > b.Kind {
			return a
		}
		return b
	case (a.IsInteger() || a.IsFloat() || a.Kind == Numeric) && (b.IsInteger() || b.IsFloat() || b.Kind == Numeric):
		return Float8T
	case (a.Kind == Date || a.Kind == Timestamp) && (b.Kind == Date || b.Kind == Timestamp):
		return TimestampT
	case (a.Kind == Timestamp || a.Kind == TimestampTZ) && (b.Kind == Timestamp || b.Kind == TimestampTZ):
		return TimestampTZT
	case a.Kind == Array && b.Kind == Array:
		e := Widen(*a.Elem, *b.Elem)
		if e.Kind == JSONB {
			return JSONBT
		}
		return ArrayOf(e)
	case a.Kind == Array || b.Kind == Array || a.Kind == JSONB || b.Kind == JSONB:
		return JSONBT
	}
	return TextT
}
