"""token list indexes

Indexes for every sort of the token list, each ending in ``id`` (the tiebreak)
and carrying ``org_id`` and ``author_id`` so that the visibility filter is
answered from the index: a page of 50 reads 50 rows of the table, whatever the
sort, and deep offsets skip index entries rather than rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (name, columns) in the order they are created; columns may be SQL expressions.
_REPLACED = ("ix_token_created", "ix_token_expires", "ix_token_last4")
_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_token_name_order", ("lower(name)", "id", "org_id", "author_id")),
    ("ix_token_kind_order", ("kind", "id", "org_id", "author_id")),
    ("ix_token_author_order", ("author_id", "id", "org_id")),
    ("ix_token_created_order", ("created_at", "id", "org_id", "author_id")),
    ("ix_token_expires_order", ("expires_at", "id", "org_id", "author_id")),
    ("ix_token_status_order", ("revoked_at", "expires_at", "id", "org_id", "author_id")),
    ("ix_token_last4_order", ("last4", "id", "org_id", "author_id")),
    ("ix_token_space_order", ("space_id", "id", "org_id", "author_id")),
    ("ix_token_visibility", ("org_id", "author_id")),
)


def _columns(names: tuple[str, ...]) -> list[sa.ColumnElement[object] | str]:
    return [sa.text(n) if "(" in n else n for n in names]


def upgrade() -> None:
    with op.batch_alter_table("token", schema=None) as batch_op:
        for name in _REPLACED:
            batch_op.drop_index(name)
    for name, columns in _INDEXES:
        op.create_index(name, "token", _columns(columns), unique=False)


def downgrade() -> None:
    for name, _ in reversed(_INDEXES):
        op.drop_index(name, table_name="token")
    with op.batch_alter_table("token", schema=None) as batch_op:
        batch_op.create_index("ix_token_created", ["created_at"], unique=False)
        batch_op.create_index("ix_token_expires", ["expires_at"], unique=False)
        batch_op.create_index("ix_token_last4", ["last4"], unique=False)
