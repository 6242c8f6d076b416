"""Run the migrations against an engine (imported only when the schema is behind)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged scripts (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade to ``revision`` in one transaction that other starting processes wait for."""
    config = alembic_config()
    with engine.connect().execution_options(tokentui_write=True) as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            # Two servers starting at once must not both create the tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(727272)"))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
