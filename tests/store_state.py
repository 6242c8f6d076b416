"""A comparable picture of everything in a store, to prove a refusal changed nothing."""

from __future__ import annotations

import warnings
from typing import Any

from sqlalchemy import MetaData, create_engine, select
from sqlalchemy.exc import SAWarning


def store_state(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, keyed by table name."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        with warnings.catch_warnings():
            # Only rows are compared; an expression index (lower(name)) need not be reflected.
            warnings.simplefilter("ignore", SAWarning)
            metadata.reflect(engine)
        with engine.connect() as conn:
            return {
                name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()
