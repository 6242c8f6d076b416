"""the audit log's hash chain; REPLACE and TRUNCATE refused

The audit log's triggers refused UPDATE and DELETE, but SQLite's REPLACE (whose
implicit delete fires no trigger) rewrote events and PostgreSQL's TRUNCATE
emptied the log. Both are now refused: on SQLite a BEFORE INSERT trigger fails an
insert that would take an existing event's id or place in the chain (it runs
before REPLACE's conflict resolution), on PostgreSQL a BEFORE TRUNCATE trigger.
What the database's owner can still do (drop the triggers, then edit) is made
detectable by a hash chain (``tokentui.core.audit_chain``): each event stores
the previous event's hash and a SHA-256 over its content and that hash. The
existing events are chained here, in id order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tokentui.core.audit_chain import CHAIN_COLUMNS, GENESIS, event_hash

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 10_000
_REFUSE = "SELECT RAISE(ABORT, 'the audit log is append-only')"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("chain_hash", sa.String(length=64), nullable=True))
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
    _chain_existing_events()
    if dialect == "sqlite":
        op.execute(f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN {_REFUSE}; END")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
    op.create_index("ux_audit_event_prev_hash", "audit_event", ["prev_hash"], unique=True)
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_event_no_replace BEFORE INSERT ON audit_event WHEN EXISTS "
            "(SELECT 1 FROM audit_event WHERE id = NEW.id OR prev_hash = NEW.prev_hash) "
            f"BEGIN {_REFUSE}; END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )


def _chain_existing_events() -> None:
    conn = op.get_bind()
    events = CHAIN_COLUMNS[0].table
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("event_id"))
        .values(prev_hash=sa.bindparam("prev"), chain_hash=sa.bindparam("hash"))
    )
    last_id, prev = None, GENESIS
    while True:
        query = sa.select(*CHAIN_COLUMNS[:8]).order_by(events.c.id).limit(_BATCH)
        if last_id is not None:
            query = query.where(events.c.id > last_id)
        rows = conn.execute(query).all()
        if not rows:
            return
        changes = []
        for row in rows:
            digest = event_hash(*row, prev)
            changes.append({"event_id": row[0], "prev": prev, "hash": digest})
            prev = digest
        conn.execute(update, changes)
        last_id = rows[-1][0]


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_replace")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
    op.drop_index("ux_audit_event_prev_hash", table_name="audit_event")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("prev_hash")
