"""Bearer authentication: a presented secret resolved to the user it acts for.

The HTTP API accepts the secret of a personal, OAuth or session token and acts
as that token's user, as Contentful's Content Management API does. This module
is the one place that decides whether such a secret authenticates, what the
token's scopes allow, and which Actor a request becomes; the API only renders
the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from tokentui.core.errors import NotAllowed, TokentuiError
from tokentui.core.models import Token, User
from tokentui.core.people import actors
from tokentui.core.people.actors import Actor
from tokentui.core.rules import Target, TokenFacts, decide, token_status
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import USER_KINDS, Action, DenyReason, Status, TokenKind

if TYPE_CHECKING:
    from tokentui.core.service import Service


class InvalidCredentials(TokentuiError):
    """The presented secret does not authenticate: malformed, unknown, revoked, expired or of a space kind.

    The message is the same whatever the cause, so a caller learns nothing about
    secrets it does not hold; ``reason`` (and ``token_id`` when the token is
    known) are for the server's own log.
    """

    code = "invalid_credentials"
    http_status = 401
    api_error = "AccessTokenInvalid"

    def __init__(self, reason: DenyReason | str, token_id: str | None = None) -> None:
        super().__init__("the access token you sent could not be found or is invalid")
        self.reason = str(reason)
        self.token_id = token_id


@dataclass(frozen=True)
class Bearer:
    """An authenticated token: who presented it and what it may do. Never holds the secret."""

    token_id: str
    kind: TokenKind
    scopes: frozenset[str]
    user_id: int
    email: str


def authenticate(service: Service, secret: str, kinds: frozenset[TokenKind] = USER_KINDS) -> Bearer:
    """The Bearer for ``secret``, or InvalidCredentials.

    A malformed secret is refused before the database is touched. Nothing is
    written here: call :func:`record_use` once the request has succeeded.
    """
    kind = secret_format.parse(secret)
    if kind is None:
        raise InvalidCredentials(DenyReason.UNKNOWN)
    if kind not in kinds:
        raise InvalidCredentials(DenyReason.KIND)
    now = service.now()
    with service.store.read() as session:
        row = session.exec(
            select(Token, User.email)
            .join(User, col(User.id) == col(Token.author_id))
            .where(Token.secret_hash == secret_format.hash_secret(secret))
        ).first()
    if row is None or row[0].kind != kind.value:
        raise InvalidCredentials(DenyReason.UNKNOWN)
    token, email = row
    status = token_status(token.revoked_at, token.expires_at, now)
    if status is not Status.ACTIVE:
        reason = DenyReason.REVOKED if status is Status.REVOKED else DenyReason.EXPIRED
        raise InvalidCredentials(reason, token.id)
    return Bearer(token.id, kind, frozenset(token.scopes.split()), token.author_id, email)


def require(bearer: Bearer, action: Action) -> None:
    """NotAllowed unless the token's kind and scopes permit ``action`` on the user's own tokens.

    The decision is :func:`tokentui.core.rules.decide`'s, so a read-only token is
    refused here for exactly the reason verify would give.
    """
    facts = TokenFacts(
        kind=bearer.kind,
        status=Status.ACTIVE,
        scopes=bearer.scopes,
        space_id=None,
        environment=None,
        branches=frozenset(),
    )
    reason = decide(facts, action, Target(None, None, None, True), None, None)
    if reason is DenyReason.SCOPE:
        raise NotAllowed(
            f"this {bearer.kind.label.lower()} has the content_management_read scope only; "
            "creating and revoking tokens needs content_management_manage"
        )
    if reason is not None:
        raise NotAllowed(f"this {bearer.kind.label.lower()} may not do {action.value}")


def record_use(service: Service, bearer: Bearer) -> None:
    """Record ``lastUsedAt`` for the bearer's token at the service's current instant."""
    service.mark_used([bearer.token_id], service.now())


def user_actor(service: Service, bearer: Bearer) -> Actor:
    """The bearer's user as an Actor for their own tokens (:func:`~tokentui.core.people.actors.for_own_tokens`)."""
    with service.store.read() as session:
        return actors.for_own_tokens(session, bearer.user_id, bearer.email)


def org_actor(service: Service, bearer: Bearer, org_id: int, *, admin: bool = False) -> Actor:
    """The bearer's user acting in organization ``org_id`` (:func:`~tokentui.core.people.actors.in_organization`)."""
    with service.store.read() as session:
        return actors.in_organization(session, bearer.user_id, bearer.email, org_id, admin=admin)
