"""The rules of the token kinds table, as pure functions.

Every face goes through :mod:`tokentui.core.service`, whose operations load the
facts (roles, counts, the token row) and ask these functions; nothing else
decides who may do what. What each kind is (its scopes, fields, limits, who
creates it) is its row of :data:`tokentui.core.vocabulary.KINDS`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from tokentui.core.errors import InvalidInput, NotAllowed
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import (
    CONTENT_ACTIONS,
    READ_ACTIONS,
    Action,
    CreatedBy,
    DenyReason,
    OrgRole,
    Scope,
    SpaceRole,
    Status,
    TokenKind,
)
from tokentui.text import a_or_an


@dataclass(frozen=True)
class SpaceStanding:
    """How an actor stands towards one space."""

    org_role: OrgRole
    space_role: SpaceRole | None
    is_owner: bool

    @property
    def is_org_admin(self) -> bool:
        """Organization owners and admins reach every space as its admin."""
        return self.org_role.is_admin

    @property
    def is_space_admin(self) -> bool:
        """Space owner, space admin, or organization owner/admin."""
        return self.is_owner or self.is_org_admin or self.space_role is SpaceRole.ADMIN

    @property
    def reaches_space(self) -> bool:
        """Whether the actor can use the space at all."""
        return self.is_space_admin or self.space_role is not None


def token_status(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> Status:
    """Revoked wins; otherwise expired from the expiry instant on, whether or not a sweep ran."""
    if revoked_at is not None:
        return Status.REVOKED
    if expires_at is not None and expires_at <= now:
        return Status.EXPIRED
    return Status.ACTIVE


# -- creation -----------------------------------------------------------------


def check_may_create_space_token(kind: TokenKind, standing: SpaceStanding) -> None:
    """Delivery tokens: owner, admins, developers. Management tokens: owner and admins only.

    Which of the two a kind is, is its KindSpec's ``created_by``.
    """
    who = kind.spec.created_by
    plural = f"{kind.label.lower()}s"
    if who is CreatedBy.SPACE_DEVELOPER:
        if standing.is_space_admin or standing.space_role is SpaceRole.DEVELOPER:
            return
        raise NotAllowed(f"only the space owner, space admins and developers can create {plural}")
    if who is CreatedBy.SPACE_ADMIN:
        if standing.is_space_admin:
            return
        raise NotAllowed(
            f"only the space owner and space admins can create {plural} (developers and content managers cannot)"
        )
    raise NotAllowed(f"{kind.label}s are not created per space")


def check_may_create_authtoken(org_role: OrgRole, sso_enabled: bool, sso_bypass: bool) -> None:
    """In an SSO-enabled organization only the owner and members allowed to bypass SSO log in."""
    if sso_enabled and org_role is not OrgRole.OWNER and not sso_bypass:
        raise NotAllowed(
            "this organization uses SSO: only its owner and members with SSO bypass can create authtokens"
        )


def check_may_reset(kind: TokenKind, standing: SpaceStanding) -> None:
    """Only legacy access tokens reset, by the space owner, admins and developers."""
    if kind is TokenKind.DELIVERY:
        raise NotAllowed("delivery tokens cannot be reset; revoke it and create a new one")
    if not kind.spec.resets:
        raise NotAllowed(f"only legacy access tokens can be reset, not {a_or_an(kind.label.lower())}")
    if not (standing.is_space_admin or standing.space_role is SpaceRole.DEVELOPER):
        raise NotAllowed("only the space owner, space admins and developers can reset the access token")


def check_may_revoke(kind: TokenKind, is_author: bool, standing: SpaceStanding | None) -> None:
    """Authors revoke their own tokens; space admins revoke a space's tokens.

    An admin cannot revoke another user's personal token: as in Contentful, the
    way to cut its access is to remove its author from the organization.
    """
    if kind.spec.resets:
        raise NotAllowed("the legacy access token cannot be revoked; reset it to replace its secret")
    if is_author:
        return
    if kind.is_user_token:
        raise NotAllowed(
            f"only its author can revoke {a_or_an(kind.label.lower())}; "
            "remove the author from the organization to cut its access"
        )
    if standing is not None and standing.is_space_admin:
        return
    raise NotAllowed("only the token's author, the space owner and space admins can revoke it")


def normalise_scopes(kind: TokenKind, requested: Iterable[str]) -> tuple[str, ...]:
    """The scopes to store for a new token: the kind's fixed scope, or a checked choice."""
    requested = [s.strip() for s in requested if s.strip()]
    spec = kind.spec
    if spec.fixed_scopes:
        fixed = tuple(s.value for s in spec.fixed_scopes)
        if requested and tuple(requested) != fixed:
            raise InvalidInput(f"{kind.label.lower()}s have a fixed scope ({', '.join(fixed)}); omit --scope")
        return fixed
    allowed = [s.value for s in spec.choosable_scopes]
    unknown = [s for s in requested if s not in allowed]
    if unknown:
        raise InvalidInput(
            f"unknown scope {unknown[0]!r} for {a_or_an(kind.label.lower())}; choose from: {', '.join(allowed)}"
        )
    if not requested:
        raise InvalidInput(f"{a_or_an(kind.label.lower())} needs at least one scope: {', '.join(allowed)}")
    return tuple(s for s in allowed if s in requested)


# -- verify -------------------------------------------------------------------


# verify's two inputs to :func:`decide` are named tuples: it makes one of each per call, and a
# frozen dataclass sets each of its fields through object.__setattr__ where a tuple is made at once.
class TokenFacts(NamedTuple):
    """What verify knows of the presented token."""

    kind: TokenKind
    status: Status
    scopes: frozenset[str]
    space_id: int | None
    environment: str | None
    branches: frozenset[str]


class Target(NamedTuple):
    """Where the action is aimed: an organization, maybe a space and an environment."""

    org_id: int | None
    space_id: int | None
    environment: str | None
    environment_is_known: bool
    # The requested branch and the aliases that point at it; empty when no branch was named.
    branch_names: frozenset[str] = frozenset()


_USER_SPACE_ADMIN_ACTIONS = frozenset(
    {Action.TOKENS_MANAGE, Action.USERS_MANAGE, Action.PUBLISH_REVIEW, Action.SPACE_MANAGE}
)


def decide(
    facts: TokenFacts,
    action: Action,
    target: Target,
    org_role: OrgRole | None,
    standing: SpaceStanding | None,
) -> DenyReason | None:
    """None to allow, or the one reason to deny (SPEC.md, "Actions for verify").

    ``org_role`` is the token user's role in the target organization (None: not a
    member) and ``standing`` their standing in the target space; both only matter
    for user tokens.
    """
    if facts.status is Status.REVOKED:
        return DenyReason.REVOKED
    if facts.status is Status.EXPIRED:
        return DenyReason.EXPIRED
    if facts.kind.is_user_token:
        return _decide_for_user(facts, action, target, org_role, standing)
    return _decide_for_space_token(facts, action, target)


def _decide_for_user(
    facts: TokenFacts,
    action: Action,
    target: Target,
    org_role: OrgRole | None,
    standing: SpaceStanding | None,
) -> DenyReason | None:
    if target.org_id is not None and org_role is None:
        return DenyReason.NO_ACCESS
    if target.space_id is not None and target.environment is not None and not target.environment_is_known:
        return DenyReason.ENVIRONMENT
    is_read = action in READ_ACTIONS
    if facts.kind is not TokenKind.SESSION and not is_read and Scope.CM_MANAGE.value not in facts.scopes:
        return DenyReason.SCOPE
    if action in (Action.ORG_MANAGE,) or (action is Action.USERS_MANAGE and target.space_id is None):
        if org_role is None:
            return DenyReason.NO_ACCESS
        return None if org_role.is_admin else DenyReason.NO_ACCESS
    if action is Action.TOKENS_MANAGE and target.space_id is None:
        # Every user manages their own tokens.
        return None
    if target.space_id is None:
        # Content actions need a space to aim at.
        return DenyReason.NO_ACCESS
    if standing is None or not standing.reaches_space:
        return DenyReason.NO_ACCESS
    if action in CONTENT_ACTIONS:
        return None
    if action in _USER_SPACE_ADMIN_ACTIONS:
        if action is Action.TOKENS_MANAGE and standing.space_role is SpaceRole.DEVELOPER:
            return None  # developers create delivery tokens
        return None if standing.is_space_admin else DenyReason.NO_ACCESS
    return DenyReason.NO_ACCESS


def _decide_for_space_token(facts: TokenFacts, action: Action, target: Target) -> DenyReason | None:
    if target.space_id is not None and target.space_id != facts.space_id:
        return DenyReason.NO_ACCESS
    if action not in CONTENT_ACTIONS:
        return DenyReason.KIND
    if facts.kind is TokenKind.DELIVERY:
        if action is not Action.CONTENT_READ:
            return DenyReason.KIND
        if target.environment is not None and target.environment != facts.environment:
            return DenyReason.ENVIRONMENT
        return _branch_check(facts, target)
    if target.environment is not None and not target.environment_is_known:
        return DenyReason.ENVIRONMENT
    if facts.kind is TokenKind.LEGACY_ACCESS:
        return None if action in READ_ACTIONS else DenyReason.KIND
    # Management token: "read" covers reads, "write" covers writes.
    needed = Scope.READ.value if action in READ_ACTIONS else Scope.WRITE.value
    if needed not in facts.scopes:
        return DenyReason.SCOPE
    return _branch_check(facts, target)


def _branch_check(facts: TokenFacts, target: Target) -> DenyReason | None:
    """A token limited to some branches or aliases serves only those."""
    if facts.branches and target.branch_names and not (facts.branches & target.branch_names):
        return DenyReason.ENVIRONMENT
    return None


def normalise_name(name: str) -> str:
    """A name as it is stored and looked up: without surrounding whitespace.

    Creation stores a name through this and every lookup by name goes through it
    too, so ``" Website "`` finds the space created as ``Website``.
    """
    return name.strip()


def check_name(name: str, max_length: int, what: str = "name") -> str:
    """A trimmed, non-empty name without control characters beyond what is stored faithfully."""
    cleaned = normalise_name(name)
    if not cleaned:
        raise InvalidInput(f"the {what} must not be empty")
    if len(cleaned) > max_length:
        raise InvalidInput(f"the {what} is longer than {max_length} characters")
    if "\x00" in cleaned:
        raise InvalidInput(f"the {what} must not contain NUL characters")
    check_no_secret(cleaned, what)
    return cleaned


def check_no_secret(text: str, what: str = "name") -> None:
    """Refuse text that holds a tokentui secret (its prefix and a valid checksum), wherever it is.

    A name is shown to others and quoted in the audit log, so a secret pasted
    into one would leak; the refusal names neither the secret nor the text.
    """
    if secret_format.find_in(text):
        raise InvalidInput(
            f"the {what} looks like it contains a tokentui secret; "
            "choose another, and revoke that token if the secret is real"
        )
