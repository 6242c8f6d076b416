"""indexes for the audit's sorts: last used, and what a token may do

The token table sorts by when a token was last used and by its access (kind and
scopes), and the audit filters by both (never used, unused for a while, able to
write). Like 0002's, each index ends in ``id`` and carries ``org_id`` and
``author_id``, so a page of any depth is read from the index
(core/listing/pages.py): last use by (last_used_at, id), access one (kind,
scopes) at a time by id. Recording a use moves a token in the last-used index
at most once a minute (core/access/last_used.py).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_token_last_used_order", ("last_used_at", "id", "org_id", "author_id")),
    ("ix_token_access_order", ("kind", "scopes", "id", "org_id", "author_id")),
)


def upgrade() -> None:
    for name, columns in _INDEXES:
        op.create_index(name, "token", list(columns), unique=False)


def downgrade() -> None:
    for name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name="token")
