"""Alembic environment: always run online, on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import tokentui.core.models  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only for ad-hoc alembic CLI use
    raise RuntimeError("run migrations through tokentui.core.store.Store.migrate()")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
