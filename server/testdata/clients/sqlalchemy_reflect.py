"""SQLAlchemy's PostgreSQL reflection against lakeq, as Superset runs it
when a dataset is added: schemas, tables, views, columns with types,
primary and foreign keys, indexes, comments, view definitions, then a
reflected Table used in a Core query. Prints facts and "SQLALCHEMY OK".
Usage: python3 sqlalchemy_reflect.py URL
"""
import sys

import sqlalchemy as sa


def main(url):
    engine = sa.create_engine(url)
    insp = sa.inspect(engine)
    schemas = insp.get_schema_names()
    print("schemas", schemas)
    assert "public" in schemas and "lake" in schemas, schemas
    tables = insp.get_table_names(schema="lake")
    print("tables", tables)
    assert "events" in tables, tables
    views = insp.get_view_names(schema="lake")
    print("views", views)
    assert views == ["recent"], views
    cols = insp.get_columns("events", schema="lake")
    desc = [(c["name"], str(c["type"]), c["nullable"]) for c in cols]
    print("columns", desc)
    assert desc[0] == ("id", "INTEGER", False), desc
    assert ("amount", "NUMERIC(10, 2)", True) in desc, desc
    assert ("name", "VARCHAR(20)", True) in desc, desc
    assert ("at", "TIMESTAMP", True) in desc, desc
    print("pk", insp.get_pk_constraint("events", schema="lake"))
    print("fks", insp.get_foreign_keys("events", schema="lake"))
    print("indexes", insp.get_indexes("events", schema="lake"))
    print("unique", insp.get_unique_constraints("events", schema="lake"))
    comment = insp.get_table_comment("events", schema="lake")
    print("comment", comment)
    assert comment["text"] == "lake events", comment
    vdef = insp.get_view_definition("recent", schema="lake")
    print("view definition", vdef.strip())
    assert "events" in vdef
    meta = sa.MetaData()
    events = sa.Table("events", meta, schema="lake", autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.name, sa.func.sum(events.c.amount))
                            .where(events.c.id > 1).group_by(events.c.name).order_by(events.c.name)).fetchall()
    print("query", [(r[0], str(r[1])) for r in rows])
    assert [(r[0], str(r[1])) for r in rows] == [("b", "2.50"), ("c", "3.75")], rows
    print("SQLALCHEMY OK")


if __name__ == "__main__":
    main(sys.argv[1])
