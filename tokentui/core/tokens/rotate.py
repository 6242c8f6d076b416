"""Rotating a token: a new secret with the old one's settings; the old one stops now or after a grace period.

The new token is made by creation's own path (:func:`~tokentui.core.tokens.create.check_request`
and :func:`~tokentui.core.tokens.create.create_in`), so a rotation is refused wherever a
creation of the same token would be: who may create the kind, its space, environment and
branches, its scopes, its limit. Revoking the old token asks
:func:`~tokentui.core.rules.check_may_revoke`. Both, and the ``token.rotate`` event linking
them (actions are verbs, as ``token.create`` and ``token.revoke``), are one transaction.

A legacy access token is rotated by resetting it (:func:`~tokentui.core.tokens.lifecycle.reset`):
a space keeps exactly one, so it has no grace period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from tokentui.core.audit import record_token_event
from tokentui.core.dates import Clock, minute_utc
from tokentui.core.errors import Conflict, InvalidInput, LimitReached, NotAllowed
from tokentui.core.listing.reading import view_of
from tokentui.core.listing.visibility import visible_token
from tokentui.core.models import AuditEvent, Space, Token, User
from tokentui.core.people.actors import Actor
from tokentui.core.results import RotatedToken
from tokentui.core.store import Store
from tokentui.core.tokens import lifecycle
from tokentui.core.tokens.create import check_request, create_in
from tokentui.core.tokens.expiry import NEVER, lifetime, parse_duration
from tokentui.core.vocabulary import RevokeReason, TokenField, TokenKind
from tokentui.settings import LIMITS

ROTATE = "token.rotate"

# What rotate takes as a grace period: text ("12h", "3d"), a duration, or None for none.
Grace = str | timedelta | None


def check_grace(grace: Grace) -> timedelta | None:
    """The grace period asked for, longer than nothing and at most ``LIMITS.max_rotation_grace``."""
    most = LIMITS.max_rotation_grace
    if grace is None:
        return None
    if isinstance(grace, str):
        return parse_duration(grace, "grace period", at_most=most)
    if grace <= timedelta(0):
        raise InvalidInput("a grace period must be longer than nothing")
    if grace > most:
        raise InvalidInput(f"a grace period is at most {most.days} days")
    return grace


def rotate(store: Store, clock: Clock, actor: Actor, token_id: str, grace: Grace = None) -> RotatedToken:
    """Replace a token by a new one of the same settings and lifetime; the answer holds the new secret.

    The old secret stops at once, or after ``grace`` (never later than it would have).
    """
    period = check_grace(grace)
    with store.read() as session:
        kind = TokenKind(visible_token(session, actor, token_id).kind)
    if kind.spec.resets:
        return _reset(store, clock, actor, token_id, period)
    now = clock()
    with store.write() as session:
        _lock_what_creation_locks(session, actor, visible_token(session, actor, token_id))
        old = visible_token(session, actor, token_id, lock=True)
        lifecycle.check_revocable(session, actor, old)
        _check_live(session, old, now)
        span = lifetime(old.created_at, old.expires_at)
        request = check_request(
            kind,
            now,
            name=old.name,
            space=_space_name(session, old),
            environment=old.environment,
            scopes=old.scopes.split(),
            app=old.app_name,
            expires=NEVER if span is None else now + span,
            branches=old.branches.split(),
            # Only a management token has the switch; any other kind is created with it on.
            notify=old.notify or not kind.spec.takes(TokenField.NOTIFY),
        )
        stops_at = _stop(old, actor, now, period)
        # The old token changes first: stopped at once, it no longer counts towards the kind's limit.
        session.flush()
        try:
            created = create_in(session, clock, actor, request, make_way=False)
        except LimitReached as refused:
            if period is None:
                raise
            raise LimitReached(
                f"{refused}, or rotate without a grace period: the old one then stops at once and makes room"
            ) from None
        new = created.token
        when = "at once" if period is None else f"at {minute_utc(stops_at)}"
        record_token_event(
            session,
            old,
            at=clock(),
            actor_id=actor.user_id,
            action=ROTATE,
            summary=(
                f"rotated {kind.label.lower()} {old.name!r}: {old.id} …{old.last4} replaced by "
                f"{new.id} …{new.last4}; the old one stops {when}"
            ),
        )
        return RotatedToken(created, view_of(session, old, now), stops_at)


def _reset(store: Store, clock: Clock, actor: Actor, token_id: str, period: timedelta | None) -> RotatedToken:
    """A legacy access token rotates as its reset does: one token a space, the old secret stopped at once."""
    if period is not None:
        raise NotAllowed(
            "a legacy access token is reset, not rotated with a grace period: its space keeps exactly "
            "one, so the old secret stops at once; omit the grace period"
        )
    created = lifecycle.reset(store, clock, actor, token_id)
    with store.read() as session:
        old = visible_token(session, actor, token_id)
        view = view_of(session, old, clock())
    return RotatedToken(created, view, view.revoked_at or created.token.created_at)


def _lock_what_creation_locks(session: Session, actor: Actor, token: Token) -> None:
    """Take the row creation will lock (the space, or the author) before the token's own row.

    Creation locks that row and then the tokens it counts or retires; taking the
    same order here keeps a rotation and a creation from waiting on each other
    (PostgreSQL).
    """
    if token.space_id is not None:
        session.exec(select(Space).where(col(Space.id) == token.space_id).with_for_update()).first()
    else:
        session.exec(select(User).where(col(User.id) == actor.user_id).with_for_update()).first()


def _check_live(session: Session, token: Token, now: datetime) -> None:
    """Only an active token that has not been rotated already is rotated."""
    if token.revoked_at is not None:
        raise Conflict(
            f"token {token.id} was revoked at {minute_utc(token.revoked_at)}: there is nothing to rotate"
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise NotAllowed(
            f"token {token.id} expired at {minute_utc(token.expires_at)}: an expired token is not rotated; "
            "create a new one"
        )
    rotated = session.exec(
        select(AuditEvent.at).where(
            col(AuditEvent.action) == ROTATE,
            col(AuditEvent.target_type) == "token",
            col(AuditEvent.target_id) == token.id,
        )
    ).first()
    if rotated is not None:
        raise Conflict(
            f"token {token.id} was already rotated at {minute_utc(rotated)} and is in its grace period; "
            "rotate its replacement"
        )


def _space_name(session: Session, token: Token) -> str | None:
    space = session.get(Space, token.space_id) if token.space_id is not None else None
    return space.name if space is not None else None


def _stop(old: Token, actor: Actor, now: datetime, period: timedelta | None) -> datetime:
    """Stop the old token now, or move its expiry to the end of the grace period; when it stops."""
    old.updated_at = now
    if period is None:
        old.revoked_at = now
        old.revoked_reason = RevokeReason.ROTATED.value
        old.revoked_by_id = actor.user_id
        return now
    stops_at = now + period if old.expires_at is None else min(now + period, old.expires_at)
    old.expires_at = stops_at
    # Its replacement exists: no reminder to replace it is sent while it runs out.
    old.notify = False
    return stops_at
