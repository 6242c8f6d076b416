"""Bearer authentication: a presented secret resolved to the user it acts for.

The HTTP API accepts the secret of a personal, OAuth or session token and acts
as that token's user, as Contentful's Content Management API does. This module
is the one place that decides whether such a secret authenticates, what the
token's scopes allow, and which Actor a request becomes; the API only renders
the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from tokentui.core import secrets
from tokentui.core.base import Actor, ServiceBase
from tokentui.core.errors import NotAllowed, NotFound, TokentuiError
from tokentui.core.kinds import USER_KINDS, Action, DenyReason, OrgRole, Status, TokenKind
from tokentui.core.models import Membership, Organization, Token, User
from tokentui.core.rules import Target, TokenFacts, decide, is_org_admin, token_status


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


def authenticate(service: ServiceBase, secret: str, kinds: frozenset[TokenKind] = USER_KINDS) -> Bearer:
    """The Bearer for ``secret``, or InvalidCredentials.

    A malformed secret is refused before the database is touched. Nothing is
    written here: call :func:`record_use` once the request has succeeded.
    """
    kind = secrets.parse(secret)
    if kind is None:
        raise InvalidCredentials(DenyReason.UNKNOWN)
    if kind not in kinds:
        raise InvalidCredentials(DenyReason.KIND)
    now = service.now()
    with service.store.read() as session:
        row = session.exec(
            select(Token, User.email)
            .join(User, col(User.id) == col(Token.author_id))
            .where(Token.secret_hash == secrets.hash_secret(secret))
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


def record_use(service: ServiceBase, bearer: Bearer) -> None:
    """Record ``lastUsedAt`` for the bearer's token at the service's current instant."""
    service.mark_used([bearer.token_id], service.now())


def user_actor(service: ServiceBase, bearer: Bearer) -> Actor:
    """The bearer's user as an Actor for their own tokens.

    A user in exactly one organization acts in it (so their changes reach that
    organization's audit log, as with the CLI); otherwise in none.
    """
    with service.store.read() as session:
        rows = session.exec(
            select(Organization, Membership)
            .join(Membership, col(Membership.org_id) == col(Organization.id))
            .where(Membership.user_id == bearer.user_id)
            .limit(2)
        ).all()
    if len(rows) == 1:
        org, membership = rows[0]
        return Actor(bearer.user_id, bearer.email, org.id, org.name, OrgRole(membership.role))
    return Actor(bearer.user_id, bearer.email, None, None, None)


def org_actor(service: ServiceBase, bearer: Bearer, org_id: int, *, admin: bool = False) -> Actor:
    """The bearer's user acting in organization ``org_id``.

    NotFound when there is no such organization or the user is not a member (an
    outsider learns nothing of it); NotAllowed when ``admin`` is asked for and the
    member is neither an owner nor an admin.
    """
    with service.store.read() as session:
        row = session.exec(
            select(Organization, Membership)
            .join(Membership, col(Membership.org_id) == col(Organization.id))
            .where(Organization.id == org_id, Membership.user_id == bearer.user_id)
        ).first()
    if row is None:
        raise NotFound(f"no organization {org_id}")
    org, membership = row
    role = OrgRole(membership.role)
    if admin and not is_org_admin(role):
        raise NotAllowed("only the organization's owners and admins can list every token with access to it")
    return Actor(bearer.user_id, bearer.email, org.id, org.name, role)
