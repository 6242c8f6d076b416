"""A comparable picture of everything in a store, to prove a refusal changed nothing."""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning

# The schema as the catalogue states it: every table, column, type, index and constraint.
_SCHEMA = {
    "sqlite": "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name",
    "postgresql": """
        SELECT 'column', c.table_name, c.column_name, c.data_type, c.is_nullable,
               c.column_default, c.ordinal_position::text
        FROM information_schema.columns c
        WHERE c.table_schema = current_schema()
        UNION ALL
        SELECT 'index', tablename, indexname, indexdef, NULL, NULL, NULL
        FROM pg_indexes WHERE schemaname = current_schema()
        UNION ALL
        SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid), NULL, NULL, NULL
        FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
        ORDER BY 1, 2, 3
    """,
}
# Reflected once per schema: reflecting is most of the cost of a picture, and every store
# of the suite has the same schema. A store whose schema differs is reflected anew.
_reflected: dict[tuple[str, tuple[tuple[Any, ...], ...]], MetaData] = {}


def _tables(conn: Connection) -> MetaData:
    dialect = conn.dialect.name
    schema = tuple(tuple(row) for row in conn.execute(text(_SCHEMA[dialect])))
    key = (dialect, schema)
    if key not in _reflected:
        metadata = MetaData()
        with warnings.catch_warnings():
            # Only rows are compared; an expression index (lower(name)) need not be reflected.
            warnings.simplefilter("ignore", SAWarning)
            metadata.reflect(conn)
        _reflected[key] = metadata
    return _reflected[key]


def store_state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, keyed by table name."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            metadata = _tables(conn)
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()
