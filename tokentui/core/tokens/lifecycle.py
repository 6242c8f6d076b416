"""A token's life after creation: revoked, reset (legacy access tokens), and recorded as expired.

Each write is one transaction holding the rule check, the change and its audit
event, so a crash leaves either all three or none.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.audit import record_token_event
from tokentui.core.dates import Clock, minute_utc
from tokentui.core.errors import Conflict
from tokentui.core.listing.reading import view_of
from tokentui.core.listing.visibility import visible_token
from tokentui.core.models import Space, Token
from tokentui.core.people.actors import Actor
from tokentui.core.results import CreatedToken, TokenView
from tokentui.core.rules import SpaceStanding, check_may_reset, check_may_revoke
from tokentui.core.store import Store
from tokentui.core.tokens.create import insert_token
from tokentui.core.vocabulary import OrgRole, RevokeReason, TokenKind

# Who resets a token outside any space: nobody the rules let through.
_NO_STANDING = SpaceStanding(org_role=OrgRole.MEMBER, space_role=None, is_owner=False)


def revoke(store: Store, clock: Clock, actor: Actor, token_id: str) -> TokenView:
    """Revoke a token: it stops working at once; the reason is kept."""
    now = clock()
    with store.write() as session:
        token = visible_token(session, actor, token_id, lock=True)
        kind = TokenKind(token.kind)
        check_revocable(session, actor, token)
        if token.revoked_at is not None:
            raise Conflict(f"token {token.id} was already revoked at {minute_utc(token.revoked_at)}")
        token.revoked_at = now
        token.updated_at = now
        token.revoked_reason = RevokeReason.BY_USER.value
        token.revoked_by_id = actor.user_id
        session.add(token)
        record_token_event(
            session,
            token,
            at=clock(),
            actor_id=actor.user_id,
            action="token.revoke",
            summary=f"revoked {kind.label.lower()} {token.name!r} …{token.last4}",
        )
        return view_of(session, token, now)


def check_revocable(session: Session, actor: Actor, token: Token) -> None:
    """NotAllowed unless ``actor`` may revoke ``token`` (:func:`~tokentui.core.rules.check_may_revoke`)."""
    standing = None
    if token.space_id is not None:
        space = session.get(Space, token.space_id)
        role = lookups.current_role(session, actor)
        standing = lookups.standing(session, space, actor.user_id, role) if space else None
    check_may_revoke(TokenKind(token.kind), token.author_id == actor.user_id, standing)


def reset(store: Store, clock: Clock, actor: Actor, token_id: str) -> CreatedToken:
    """Reset a legacy access token: a new secret; the old one stops working."""
    now = clock()
    with store.write() as session:
        token = visible_token(session, actor, token_id, lock=True)
        kind = TokenKind(token.kind)
        space = session.get(Space, token.space_id) if token.space_id else None
        standing = None
        if space is not None:
            standing = lookups.standing(session, space, actor.user_id, lookups.current_role(session, actor))
        check_may_reset(kind, standing or _NO_STANDING)
        if token.revoked_at is not None:
            raise Conflict(f"token {token.id} was already replaced or revoked; reset the current one")
        token.revoked_at = now
        token.updated_at = now
        token.revoked_reason = RevokeReason.RESET.value
        token.revoked_by_id = actor.user_id
        session.add(token)
        return insert_token(
            session,
            clock,
            kind=kind,
            name=token.name,
            author_id=actor.user_id,
            org_id=token.org_id,
            space=space,
            environment=None,
            branches=(),
            scopes=tuple(token.scopes.split()),
            app_name=None,
            expires_at=None,
            notify=False,
            author_email=actor.email,
            replaces=f"…{token.last4}",
        )


def record_expiries(store: Store, clock: Clock) -> list[TokenView]:
    """Write one audit event for each token that has expired since the last sweep.

    Safe to run from cron: the ``expiry_recorded_at`` mark is set in the same
    transaction as the event, so a token is recorded once however often this runs.
    """
    now = clock()
    recorded: list[TokenView] = []
    with store.write() as session:
        due = session.exec(
            select(Token)
            .where(
                col(Token.revoked_at).is_(None),
                col(Token.expires_at) <= now,
                col(Token.expiry_recorded_at).is_(None),
            )
            .order_by(col(Token.expires_at))
            # PostgreSQL: a sweep running alongside takes other rows, never these.
            .with_for_update(skip_locked=True)
        ).all()
        for token in due:
            token.expiry_recorded_at = now
            session.add(token)
            record_token_event(
                session,
                token,
                at=token.expires_at or clock(),
                actor_id=None,
                action="token.expire",
                summary=f"{TokenKind(token.kind).label.lower()} {token.name!r} …{token.last4} expired",
            )
            recorded.append(view_of(session, token, now))
    return recorded
