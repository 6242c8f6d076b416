"""The service: every operation of tokentui, for the console, the CLI and the API alike.

Usage from another program::

    from tokentui.core.service import open_service

    service = open_service()                      # or open_service("postgresql+psycopg://...")
    decision = service.verify(secret, "content.read", space="Marketing", environment="master")
    if not decision.allowed:
        print(decision.reason)                    # unknown, revoked, expired, no_access, ...
"""

from __future__ import annotations

from sqlmodel import select

from tokentui.core.audit import AuditLog
from tokentui.core.base import Actor, Clock, utc_now
from tokentui.core.creation import CreationOptions
from tokentui.core.directory import Directory
from tokentui.core.models import User
from tokentui.core.reminders import Reminders
from tokentui.core.store import Store
from tokentui.core.tokens import Tokens
from tokentui.core.verify import Verifier

__all__ = ["Actor", "Service", "open_service"]


class Service(Directory, Tokens, Verifier, AuditLog, CreationOptions, Reminders):
    """One object offering every operation; each method is one transaction."""

    def user_exists(self, email: str) -> bool:
        """Whether a user with this e-mail is known."""
        with self.store.read() as session:
            return (
                session.exec(select(User.id).where(User.email == email.strip().lower())).first() is not None
            )


def open_service(url: str | None = None, clock: Clock = utc_now) -> Service:
    """Open the store at ``url`` (default: the SQLite file in the user data directory)."""
    return Service(Store(url), clock)
