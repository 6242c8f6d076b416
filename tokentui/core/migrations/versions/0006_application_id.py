"""the store's application id

An existing SQLite database given as the store was written into: tokentui's
tables went in beside another application's, and its journal mode was switched.
The store now marks its file with SQLite's ``PRAGMA application_id`` ("ttui",
``tokentui.core.store.APPLICATION_ID``), which ``file(1)`` and the store's own
check before opening read from the header. PostgreSQL has no such mark; there the
Alembic version table is the store's.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Fixed here as it was when this revision was written: "ttui" in ASCII.
_APPLICATION_ID = 0x74747569


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA application_id = {_APPLICATION_ID}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA application_id = 0")
