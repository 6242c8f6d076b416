"""Reading the audit log and checking its hash chain (writing happens inside each operation's transaction)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from tokentui.core.audit_chain import CHAIN_COLUMNS, ChainCheck, verify_chain
from tokentui.core.base import Actor, ServiceBase
from tokentui.core.errors import InvalidInput, NotAllowed
from tokentui.core.models import AuditEvent, User
from tokentui.core.views import AuditView


class AuditLog(ServiceBase):
    """The organization's audit log, newest first."""

    def audit(
        self,
        actor: Actor,
        *,
        action: str | None = None,
        search: str = "",
        offset: int = 0,
        limit: int = 100,
    ) -> list[AuditView]:
        """Events of the actor's organization (owners and admins), filtered, newest first."""
        if offset < 0 or limit < 0:
            raise InvalidInput("offset and limit must not be negative")
        with self.store.read() as session:
            if not actor.is_admin or self._current_role(session, actor) not in ("owner", "admin"):
                raise NotAllowed("only organization owners and admins can read the audit log")
            stmt = (
                select(AuditEvent, col(User.email))
                .outerjoin(User, col(User.id) == col(AuditEvent.actor_id))
                .where(col(AuditEvent.org_id) == actor.org_id)
            )
            if action:
                stmt = stmt.where(col(AuditEvent.action).startswith(action))
            if search.strip():
                stmt = stmt.where(func.lower(col(AuditEvent.summary)).contains(search.strip().lower()))
            stmt = (
                stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
                .offset(offset)
                .limit(limit)
            )
            return [
                AuditView(
                    id=event.id or 0,
                    at=event.at,
                    actor=email,
                    action=event.action,
                    target_type=event.target_type,
                    target_id=event.target_id,
                    summary=event.summary,
                )
                for event, email in session.exec(stmt).all()
            ]

    def verify_audit_chain(self) -> ChainCheck:
        """Walk the whole log's hash chain, streamed in id order, and report the first break."""
        stmt = (
            select_columns(*CHAIN_COLUMNS)
            .order_by(CHAIN_COLUMNS[0])
            .execution_options(yield_per=_VERIFY_BATCH)
        )
        with self.store.read() as session:
            return verify_chain(tuple(row) for row in session.connection().execute(stmt))


# Rows fetched at a time by the chain's walk (a server-side cursor on PostgreSQL).
_VERIFY_BATCH = 5_000
