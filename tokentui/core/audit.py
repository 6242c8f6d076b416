"""The audit log: recording an event inside the change's own transaction, reading it, checking its chain.

Importing this module installs the hash chain (:mod:`tokentui.core.audit_chain`),
so every event recorded through :func:`record` is chained as it is inserted.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from tokentui.core.audit_chain import CHAIN_COLUMNS, ChainCheck, verify_chain
from tokentui.core.errors import InvalidInput, NotAllowed
from tokentui.core.lookups import current_role
from tokentui.core.models import AuditEvent, Membership, Token, User
from tokentui.core.people.actors import Actor
from tokentui.core.results import AuditView
from tokentui.core.store import Store
from tokentui.core.tokens.expiry import start_of_day

# Rows fetched at a time by the chain's walk (a server-side cursor on PostgreSQL).
_VERIFY_BATCH = 5_000
# ``--since``: hours, days or weeks back from now; more digits than this is beyond any log.
_SINCE = re.compile(r"^([0-9]+)([hdw])$")
_SINCE_HOURS = {"h": 1, "d": 24, "w": 24 * 7}
_SINCE_MAX_DIGITS = 7


def record(
    session: Session,
    *,
    at: datetime,
    org_id: int | None,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: object,
    summary: str,
) -> None:
    """Append one audit event in the same transaction as the change it describes."""
    session.add(
        AuditEvent(
            at=at,
            org_id=org_id,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            summary=summary,
        )
    )


def record_token_event(
    session: Session, token: Token, *, at: datetime, actor_id: int | None, action: str, summary: str
) -> None:
    """Append an event about ``token`` to every organization's log it reaches (:func:`token_orgs`)."""
    for org_id in token_orgs(session, token):
        record(
            session,
            at=at,
            org_id=org_id,
            actor_id=actor_id,
            action=action,
            target_type="token",
            target_id=token.id,
            summary=summary,
        )


def token_orgs(session: Session, token: Token) -> list[int | None]:
    """The audit logs an event about ``token`` belongs in, one event row each.

    A space token reaches its space's organization; a user's token (personal,
    OAuth, authtoken) reaches every organization its author is a member of, so
    each of those logs shows it. One row per organization keeps each log a plain
    indexed query. A token whose author is in no organization gets one row with none.
    """
    if token.org_id is not None:
        return [token.org_id]
    orgs = session.exec(
        select(Membership.org_id)
        .where(col(Membership.user_id) == token.author_id)
        .order_by(col(Membership.org_id))
    ).all()
    return list(orgs) or [None]


def parse_since(text: str, now: datetime) -> datetime:
    """The start of ``--since``: a duration back from now (``24h``, ``7d``) or a day (``YYYY-MM-DD``, from its midnight UTC)."""
    value = text.strip().lower()
    match = _SINCE.match(value)
    if match:
        digits = match.group(1)
        if len(digits) > _SINCE_MAX_DIGITS:
            raise InvalidInput(f"since {text!r} is too far back")
        try:
            return now - timedelta(hours=int(digits) * _SINCE_HOURS[match.group(2)])
        except OverflowError:
            raise InvalidInput(f"since {text!r} is too far back") from None
    try:
        return start_of_day(date.fromisoformat(value))
    except ValueError:
        raise InvalidInput(f"since {text!r} is not a duration (24h, 7d) or a date (YYYY-MM-DD)") from None


def events(
    store: Store,
    actor: Actor,
    *,
    action: str | None,
    search: str,
    offset: int,
    limit: int,
    since: datetime | None = None,
    actor_email: str | None = None,
    until: datetime | None = None,
) -> list[AuditView]:
    """Events of the actor's organization (owners and admins), filtered, newest first.

    ``action`` keeps events whose action starts with it (``token.``); ``since`` keeps events
    at or after that instant, ``until`` those before it; ``actor_email`` keeps events by the
    user with that e-mail (case-insensitive, exact: an audit names one person).
    """
    if offset < 0 or limit < 0:
        raise InvalidInput("offset and limit must not be negative")
    with store.read() as session:
        if not actor.is_admin or not current_role(session, actor).is_admin:
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
        if since is not None:
            stmt = stmt.where(col(AuditEvent.at) >= since)
        if until is not None:
            stmt = stmt.where(col(AuditEvent.at) < until)
        if actor_email is not None and actor_email.strip():
            stmt = stmt.where(func.lower(col(User.email)) == actor_email.strip().lower())
        stmt = stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()).offset(offset).limit(limit)
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


def verify_audit_chain(store: Store) -> ChainCheck:
    """Walk the whole log's hash chain, streamed in id order, and report the first break."""
    stmt = (
        select_columns(*CHAIN_COLUMNS).order_by(CHAIN_COLUMNS[0]).execution_options(yield_per=_VERIFY_BATCH)
    )
    with store.read() as session:
        return verify_chain(tuple(row) for row in session.connection().execute(stmt))


def change_counter(store: Store) -> tuple[int, datetime | None]:
    """A value that changes whenever the store's tokens do, cheap enough to poll every few seconds.

    Every write that changes a token (create, revoke, reset, the expiry sweep, a member's
    removal, a bulk load) records an audit event in its own transaction, so the
    newest event's id (the primary key: one index lookup) moves with each of them. A
    successful verify writes no event, only ``last_used_at`` (at most once a minute a
    token), and the token table shows when each token was last used ("never" becoming
    "just now" is worth seeing), so the newest ``last_used_at`` is part of the value: its
    index's first column makes it one lookup too, and a recorded use is always newer than
    the one before. Events of other organizations move it as well: a reload too many is
    cheaper than a query per organization.
    """
    with store.read() as session:
        newest_event = session.exec(select(func.max(AuditEvent.id))).one()
        newest_use = session.exec(select(func.max(Token.last_used_at))).one()
    return (newest_event or 0, newest_use)
