"""psycopg2 against lakeq: parameters of every wire type round-trip.

psycopg2 interpolates parameters into the query text on the client
(quoted literals, ARRAY[...], '...'::date), so this checks that lakeq
reads what the most common Python driver writes. Prints one line per
check and "PSYCOPG2 OK" last; exits non-zero on the first mismatch.
Usage: python3 psycopg2_client.py DSN
"""
import datetime
import decimal
import json
import sys
import uuid

import psycopg2
import psycopg2.extras

psycopg2.extras.register_uuid()


def main(dsn):
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SELECT version()")
    print("version", cur.fetchone()[0].split(" ")[0])
    cases = [
        ("bool", True, "boolean"),
        ("int2", 7, "smallint"),
        ("int4", 2147483647, "integer"),
        ("int8", 9223372036854775807, "bigint"),
        ("float8", 1.5, "double precision"),
        ("float4", 0.25, "real"),
        ("numeric", decimal.Decimal("12345.6789"), "numeric(12,4)"),
        ("text", "it's \"quoted\" \\ ünïcode", "text"),
        ("varchar", "abc", "varchar(10)"),
        ("bpchar", "ab", "char(2)"),
        ("bytea", b"\x00\x01\xffbin", "bytea"),
        ("date", datetime.date(2024, 2, 29), "date"),
        ("time", datetime.time(13, 14, 15, 123456), "time"),
        ("timestamp", datetime.datetime(2024, 1, 2, 3, 4, 5, 678000), "timestamp"),
        ("timestamptz", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), "timestamptz"),
        ("interval", datetime.timedelta(days=3, hours=4, minutes=5, seconds=6), "interval"),
        ("uuid", uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "uuid"),
        ("json", json.dumps({"a": [1, 2, {"b": None}]}), "json"),
        ("int4[]", [1, 2, 3], "integer[]"),
        ("text[]", ["x", "y z", "q'uote"], "text[]"),
        ("float8[]", [1.5, -2.0], "double precision[]"),
        ("bool[]", [True, False], "boolean[]"),
    ]
    for name, value, typ in cases:
        cur.execute("SELECT %s::" + typ + ", %s::" + typ + " IS NULL", (value, None))
        got, isnull = cur.fetchone()
        if name == "json":
            got = json.dumps(got) if not isinstance(got, str) else got
            ok = json.loads(got) == json.loads(value)
        elif name == "float4":
            ok = abs(got - value) < 1e-6
        elif name == "bytea":
            ok = bytes(got) == value
        else:
            ok = got == value
        if not ok or isnull is not True:
            print("MISMATCH", name, repr(value), repr(got), isnull)
            sys.exit(1)
        print("param", name, "ok")

    cur.execute("CREATE TABLE py_t (id int, name text, amount numeric(10,2), at timestamp)")
    psycopg2.extras.execute_values(cur, "INSERT INTO py_t VALUES %s",
                                   [(i, "n%d" % i, decimal.Decimal(i) / 4, datetime.datetime(2024, 1, 1) + datetime.timedelta(hours=i))
                                    for i in range(1, 101)])
    cur.execute("SELECT count(*), sum(amount), max(at) FROM py_t WHERE name LIKE %(p)s", {"p": "n1%"})
    n, total, last = cur.fetchone()
    print("rows", n, total, last)
    if n != 12 or total != decimal.Decimal("61.50") or last != datetime.datetime(2024, 1, 5, 4):
        sys.exit(1)
    try:
        cur.execute("SELECT * FROM no_such_table")
        sys.exit(1)
    except psycopg2.Error as e:
        print("error", e.pgcode)
        if e.pgcode != "42P01":
            sys.exit(1)
    # a transaction block: the error aborts it until ROLLBACK
    conn.autocommit = False
    cur.execute("SELECT 1")
    try:
        cur.execute("SELECT 1/0")
        sys.exit(1)
    except psycopg2.Error as e:
        print("error", e.pgcode)
    try:
        cur.execute("SELECT 1")
        sys.exit(1)
    except psycopg2.Error as e:
        print("in failed block", e.pgcode)
        if e.pgcode != "25P02":
            sys.exit(1)
    conn.rollback()
    cur.execute("SELECT 2")
    print("after rollback", cur.fetchone()[0])
    conn.close()
    print("PSYCOPG2 OK")


if __name__ == "__main__":
    main(sys.argv[1])
