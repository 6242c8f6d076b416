"""token names in the created-order index

The token list opens sorted by creation, newest first, and that is where most
searches are typed. A search common enough to be found by walking that order
(``queries.COMMON_SEARCH``) tested each name by reading its row from the table:
about 4,500 rows for a page of "qa run 9" among a million tokens, 26 ms. With
``name`` and ``last4`` in ``ix_token_created_order`` the walk reads the index
alone (5 ms), and a search that must walk the whole list (a text in no name,
on a store without the trigram index) takes a fifth of the time. The index
grows by about 20 MB on such a store.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_NAME = "ix_token_created_order"
_BEFORE = ["created_at", "id", "org_id", "author_id"]


def upgrade() -> None:
    op.drop_index(_NAME, table_name="token")
    op.create_index(_NAME, "token", [*_BEFORE, "name", "last4"], unique=False)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="token")
    op.create_index(_NAME, "token", _BEFORE, unique=False)
