"""drop an unused token index

``ix_token_org_created`` (organization, creation date) came with the first
schema, before the token list read its pages from the sort indexes of 0002. No
query of the console, CLI or API uses it any more (checked with EXPLAIN QUERY
PLAN for every statement the test suite runs, on a 1,000,000-token store: the
list's "visible to the organization" test is one CASE that no index on
``org_id`` answers). It still cost every insert and a bulk load's rebuild
(about 3 s of a 1,000,000-token load) and 36 MB of such a store.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_token_org_created", table_name="token")


def downgrade() -> None:
    op.create_index("ix_token_org_created", "token", ["org_id", "created_at"], unique=False)
