"""the audit's filters in the creation order, and live authtokens by author

A filtered page in the creation order (the token list's own) walks that order's
index and tests each row until the page is full (core/listing/pages.py). The
audit's filters test status and kind (expired, active, expiring, the kinds), so
each row walked cost a read of the table; with ``kind``, ``revoked_at`` and
``expires_at`` in ``ix_token_created_order`` the walk reads the index alone.
``last_used_at`` is left out: it changes as tokens are used, and every change
would move the entry in this index too.

"Authtokens of authors at their limit" groups the live authtokens by author
(the same count creation makes to enforce the limit). ``ix_token_live_authtokens``
holds them in (kind, revoked_at, author_id) order with their expiry, so both the
grouping and a page of those authors' authtokens are read off it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_CREATED = "ix_token_created_order"
_CREATED_BEFORE = ["created_at", "id", "org_id", "author_id", "name", "last4"]
_CREATED_AFTER = [*_CREATED_BEFORE, "kind", "revoked_at", "expires_at"]
_AUTHTOKENS = "ix_token_live_authtokens"


def upgrade() -> None:
    op.drop_index(_CREATED, table_name="token")
    op.create_index(_CREATED, "token", _CREATED_AFTER, unique=False)
    op.create_index(_AUTHTOKENS, "token", ["kind", "revoked_at", "author_id", "expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(_AUTHTOKENS, table_name="token")
    op.drop_index(_CREATED, table_name="token")
    op.create_index(_CREATED, "token", _CREATED_BEFORE, unique=False)
