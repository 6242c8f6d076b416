"""A comparable picture of everything in a store, to prove a refusal changed nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, create_engine, select


def store_state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, keyed by table name."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()
