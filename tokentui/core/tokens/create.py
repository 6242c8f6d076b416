"""Creating a token: the kind's rules checked, the secret made, the row and its audit event written.

What a kind takes (a space, an environment, branches, an application, the e-mail
switch), its scopes, its expiry and its limit come from its row of
:data:`~tokentui.core.vocabulary.KINDS`; who may create it, from
:mod:`tokentui.core.rules`. Each creation is one transaction holding the check,
the change and its audit event, so a crash leaves all three or none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.audit import record_token_event
from tokentui.core.dates import Clock
from tokentui.core.errors import InvalidInput, LimitReached, NotAllowed
from tokentui.core.listing.queries import status_condition
from tokentui.core.models import Environment, Organization, Space, Token, User
from tokentui.core.people.actors import Actor
from tokentui.core.results import CreatedToken, to_view
from tokentui.core.rules import (
    check_may_create_authtoken,
    check_may_create_space_token,
    check_name,
    normalise_name,
    normalise_scopes,
)
from tokentui.core.store import Store
from tokentui.core.tokens import secret_format
from tokentui.core.tokens.expiry import check_expiry, parse_expiry
from tokentui.core.vocabulary import (
    CreatedBy,
    OrgRole,
    RevokeReason,
    Status,
    TokenField,
    TokenKind,
    parse_kind,
)
from tokentui.settings import LIMITS
from tokentui.text import a_or_an

# What create_token takes as an expiry: text ("30d", "2027-01-31", "never"), an instant,
# or None for the kind's default (KindSpec.default_expiry).
Expiry = str | datetime | None


def create_token(
    store: Store,
    clock: Clock,
    actor: Actor,
    kind: TokenKind | str,
    *,
    name: str | None = None,
    space: str | None = None,
    environment: str | None = None,
    scopes: Iterable[str] = (),
    app: str | None = None,
    expires: Expiry = None,
    branches: Iterable[str] = (),
    notify: bool = True,
) -> CreatedToken:
    """Create a token of ``kind`` as ``actor``; the answer holds the secret, shown once."""
    request = check_request(
        kind,
        clock(),
        name=name,
        space=space,
        environment=environment,
        scopes=scopes,
        app=app,
        expires=expires,
        branches=branches,
        notify=notify,
    )
    with store.write() as session:
        return create_in(session, clock, actor, request)


@dataclass(frozen=True)
class TokenRequest:
    """A new token's settings, checked against its kind's row before any query runs."""

    kind: TokenKind
    name: str
    scopes: tuple[str, ...]
    space: str | None
    environment: str | None
    branches: tuple[str, ...]
    app_name: str | None
    expires_at: datetime | None
    notify: bool


def check_request(
    kind: TokenKind | str,
    now: datetime,
    *,
    name: str | None = None,
    space: str | None = None,
    environment: str | None = None,
    scopes: Iterable[str] = (),
    app: str | None = None,
    expires: Expiry = None,
    branches: Iterable[str] = (),
    notify: bool = True,
) -> TokenRequest:
    """What a creation asks for, checked by the kind's rules (no database needed), or InvalidInput."""
    kind = parse_kind(kind)
    spec = kind.spec
    if spec.created_by is CreatedBy.SPACE_CREATION:
        raise NotAllowed(
            "legacy access tokens are not created on request: a space created before "
            f"{LIMITS.legacy_access_cutoff.isoformat()} has exactly one; reset it to get a new secret"
        )
    token_name = check_name(
        name if name is not None else f"{kind.label} {now.date().isoformat()}", LIMITS.max_name_length
    )
    chosen_scopes = normalise_scopes(kind, scopes)
    branch_list = tuple(dict.fromkeys(normalise_name(b) for b in branches if normalise_name(b)))
    expires_at = expiry_for(kind, expires, now)
    app_name = _app_for(kind, app)
    if not spec.takes(TokenField.SPACE):
        if space is not None or environment is not None or branch_list:
            raise InvalidInput(
                f"{a_or_an(kind.label.lower())} is tied to its user, not to a space; omit --space"
            )
    elif not space:
        raise InvalidInput(f"{a_or_an(kind.label.lower())} needs --space")
    if not spec.takes(TokenField.ENVIRONMENT) and environment is not None:
        raise InvalidInput(
            f"only delivery tokens are tied to one environment; omit --env for {a_or_an(kind.label.lower())}"
        )
    if not spec.takes(TokenField.NOTIFY) and not notify:
        raise InvalidInput("the e-mail notification switch belongs to management tokens")
    return TokenRequest(
        kind=kind,
        name=token_name,
        scopes=chosen_scopes,
        space=space,
        environment=environment,
        branches=branch_list,
        app_name=app_name,
        expires_at=expires_at,
        notify=notify,
    )


def create_in(
    session: Session, clock: Clock, actor: Actor, request: TokenRequest, *, make_way: bool = True
) -> CreatedToken:
    """Create the token ``request`` checked, inside the caller's transaction: who may create it,
    where, and the kind's limit.

    ``make_way=False`` (a rotation) refuses at a per-user limit instead of revoking the
    user's oldest token of the kind, as a new token otherwise does.
    """
    now = clock()
    kind = request.kind
    if kind.is_user_token:
        return _create_user_token(session, clock, actor, request, now, make_way=make_way)
    org_role = lookups.current_role(session, actor)
    assert request.space is not None
    space_row = lookups.space(session, actor.org_id, request.space, lock=True)
    check_may_create_space_token(kind, lookups.standing(session, space_row, actor.user_id, org_role))
    env = _environment_for(session, kind, space_row, request.environment)
    _check_branches(session, space_row, request.branches)
    _check_space_limit(session, kind, space_row, now)
    return insert_token(
        session,
        clock,
        kind=kind,
        name=request.name,
        author_id=actor.user_id,
        org_id=space_row.org_id,
        space=space_row,
        environment=env,
        branches=request.branches,
        scopes=request.scopes,
        app_name=None,
        expires_at=request.expires_at,
        notify=request.notify,
        author_email=actor.email,
    )


def insert_token(
    session: Session,
    clock: Clock,
    *,
    kind: TokenKind,
    name: str,
    author_id: int,
    org_id: int | None,
    space: Space | None,
    environment: str | None,
    branches: tuple[str, ...],
    scopes: tuple[str, ...],
    app_name: str | None,
    expires_at: datetime | None,
    notify: bool,
    author_email: str,
    replaces: str | None = None,
) -> CreatedToken:
    """Insert a token with a fresh secret and its audit event; the answer carries the secret."""
    now = clock()
    secret = secret_format.generate(kind)
    token = Token(
        id=secret_format.new_id(),
        kind=kind.value,
        name=name,
        author_id=author_id,
        org_id=org_id,
        space_id=space.id if space else None,
        environment=environment,
        branches=" ".join(branches),
        scopes=" ".join(scopes),
        app_name=app_name,
        secret_hash=secret_format.hash_secret(secret),
        last4=secret_format.last_four(secret),
        notify=notify,
        created_at=now,
        updated_at=now,
        expires_at=expires_at,
    )
    session.add(token)
    where = f" in {space.name!r}" if space else ""
    summary = f"{'reset' if replaces else 'created'} {kind.label.lower()} {name!r} …{token.last4}{where}"
    record_token_event(
        session,
        token,
        at=clock(),
        actor_id=author_id,
        action="token.reset" if replaces else "token.create",
        summary=summary + (f" (replaces {replaces})" if replaces else ""),
    )
    session.flush()
    return CreatedToken(to_view(token, author_email, space.name if space else None, now), secret)


def expiry_for(kind: TokenKind, expires: Expiry, now: datetime) -> datetime | None:
    """The expiry instant of a new token of ``kind``: the choice checked, or the kind's default."""
    if expires is None:
        expires = kind.spec.default_expiry
    if not kind.may_expire:
        if isinstance(expires, str) and expires.strip().lower() == "never":
            return None
        raise InvalidInput(f"{kind.label.lower()}s do not expire; omit --expires")
    if isinstance(expires, datetime):
        return check_expiry(expires, now)
    return parse_expiry(expires, now)


def _create_user_token(
    session: Session,
    clock: Clock,
    actor: Actor,
    request: TokenRequest,
    now: datetime,
    *,
    make_way: bool,
) -> CreatedToken:
    kind = request.kind
    # Lock the author's row: concurrent creations for one user queue here (PostgreSQL).
    session.exec(select(User).where(col(User.id) == actor.user_id).with_for_update()).one()
    if kind.spec.created_by is CreatedBy.USER_WHERE_SSO_ALLOWS and actor.org_id is not None:
        org = session.get(Organization, actor.org_id)
        membership = lookups.membership(session, actor.org_id, actor.user_id)
        if org is None or membership is None:
            raise NotAllowed(f"{actor.email} is not a member of this organization")
        check_may_create_authtoken(OrgRole(membership.role), org.sso_enabled, membership.sso_bypass)
    retired: tuple[str, ...] = ()
    limit = kind.spec.max_per_user
    if limit is not None and make_way:
        retired = _retire_oldest(session, clock, actor, kind, limit, now)
    elif limit is not None and tokens_to_retire(session, actor, kind, limit, now):
        raise LimitReached(
            f"{actor.email} already has {limit} active {kind.label.lower()}s, the most allowed; revoke one first"
        )
    created = insert_token(
        session,
        clock,
        kind=kind,
        name=request.name,
        author_id=actor.user_id,
        org_id=None,
        space=None,
        environment=None,
        branches=(),
        scopes=request.scopes,
        app_name=request.app_name,
        expires_at=request.expires_at,
        notify=True,
        author_email=actor.email,
    )
    return replace(created, retired=retired)


def tokens_to_retire(
    session: Session, actor: Actor, kind: TokenKind, limit: int, now: datetime
) -> list[Token]:
    """The oldest active tokens of a per-user limited kind that one more would make way for."""
    active = session.exec(
        select(Token)
        .where(
            col(Token.author_id) == actor.user_id,
            col(Token.kind) == kind.value,
            status_condition(Status.ACTIVE, now),
        )
        .order_by(col(Token.created_at), col(Token.id))
    ).all()
    excess = len(active) - (limit - 1)
    return list(active[: max(excess, 0)])


def describe_retired(token: Token) -> str:
    """How the dialog and the result name a token that made way: its name and last four."""
    return f"{token.name!r} (…{token.last4})"


def _retire_oldest(
    session: Session, clock: Clock, actor: Actor, kind: TokenKind, limit: int, now: datetime
) -> tuple[str, ...]:
    """A user's tokens of a per-user limited kind make way: a new one beyond the limit revokes the
    oldest. Returns how each revoked token is named, for the result to say so."""
    label = kind.label.lower()
    retired = []
    for token in tokens_to_retire(session, actor, kind, limit, now):
        token.revoked_at = now
        token.updated_at = now
        token.revoked_reason = RevokeReason.AUTHTOKEN_LIMIT.value
        session.add(token)
        record_token_event(
            session,
            token,
            at=clock(),
            actor_id=actor.user_id,
            action="token.revoke",
            summary=f"{label} …{token.last4} revoked: a new {label} exceeded {limit} active",
        )
        retired.append(describe_retired(token))
    return tuple(retired)


def _app_for(kind: TokenKind, app: str | None) -> str | None:
    if kind.spec.takes(TokenField.APP):
        if app is None:
            raise InvalidInput("an OAuth application token needs --app, the application's name")
        return check_name(app, LIMITS.max_app_name_length, "application name")
    if app is not None:
        raise InvalidInput("--app names the application of an OAuth token; omit it for other kinds")
    return None


def _environment_for(session: Session, kind: TokenKind, space: Space, environment: str | None) -> str | None:
    if not kind.spec.takes(TokenField.ENVIRONMENT):
        return None
    names = session.exec(
        select(col(Environment.name)).where(
            col(Environment.space_id) == space.id, col(Environment.is_branch).is_(False)
        )
    ).all()
    if environment is not None:
        environment = normalise_name(environment)
    if environment is None:
        if len(names) == 1:
            return names[0]
        raise InvalidInput(
            f"a delivery token serves exactly one environment; choose one with --env ({', '.join(names)})"
        )
    if environment not in names:
        raise InvalidInput(f"space {space.name!r} has no environment {environment!r} ({', '.join(names)})")
    return environment


def _check_branches(session: Session, space: Space, branches: tuple[str, ...]) -> None:
    if not branches:
        return
    known = set(
        session.exec(
            select(col(Environment.name)).where(
                col(Environment.space_id) == space.id, col(Environment.is_branch)
            )
        ).all()
    )
    for branch in branches:
        if branch not in known:
            raise InvalidInput(f"space {space.name!r} has no branch or alias {branch!r}")


def _check_space_limit(session: Session, kind: TokenKind, space: Space, now: datetime) -> None:
    limit = kind.spec.max_per_space
    if limit is None:
        return
    count = session.exec(
        select(func.count())
        .select_from(Token)
        .where(
            col(Token.space_id) == space.id,
            col(Token.kind) == kind.value,
            status_condition(Status.ACTIVE, now),
        )
    ).one()
    if count >= limit:
        raise LimitReached(
            f"space {space.name!r} already has {limit} {kind.label.lower()}s, the most allowed; "
            "revoke one first"
        )
