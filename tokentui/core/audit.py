"""Reading the audit log (writing happens inside each operation's transaction)."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

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
