"""The vocabulary of the domain: token kinds, scopes, roles, statuses and verify actions."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar


class TokenKind(StrEnum):
    """The six kinds of token (SPEC.md, "Token kinds")."""

    PERSONAL = "personal"
    OAUTH = "oauth"
    DELIVERY = "delivery"
    MANAGEMENT = "management"
    SESSION = "session"
    LEGACY_ACCESS = "legacy_access"

    @property
    def label(self) -> str:
        """The name the UI shows."""
        return KIND_LABELS[self]

    @property
    def is_user_token(self) -> bool:
        """Tied to a user and acting with the user's role, rather than tied to a space."""
        return self in USER_KINDS

    @property
    def may_expire(self) -> bool:
        """Whether an expiry can be chosen at creation."""
        return self in EXPIRING_KINDS


KIND_LABELS = {
    TokenKind.PERSONAL: "Personal access token",
    TokenKind.OAUTH: "OAuth application token",
    TokenKind.DELIVERY: "Delivery token",
    TokenKind.MANAGEMENT: "Management token",
    TokenKind.SESSION: "Authtoken",
    TokenKind.LEGACY_ACCESS: "Access token (legacy)",
}
USER_KINDS = frozenset({TokenKind.PERSONAL, TokenKind.OAUTH, TokenKind.SESSION})
SPACE_KINDS = frozenset({TokenKind.DELIVERY, TokenKind.MANAGEMENT, TokenKind.LEGACY_ACCESS})
EXPIRING_KINDS = frozenset({TokenKind.PERSONAL, TokenKind.OAUTH, TokenKind.MANAGEMENT})


class Scope(StrEnum):
    """Scopes a token may carry; which ones apply depends on the kind."""

    CM_READ = "content_management_read"
    CM_MANAGE = "content_management_manage"
    READ = "read"
    WRITE = "write"
    DELIVERY = "content_delivery"
    LEGACY = "content_delivery_preview"
    SESSION = "user_session"


# Scopes a user may choose at creation, per kind; the others get a fixed scope.
CHOOSABLE_SCOPES: dict[TokenKind, tuple[Scope, ...]] = {
    TokenKind.PERSONAL: (Scope.CM_READ, Scope.CM_MANAGE),
    TokenKind.OAUTH: (Scope.CM_READ, Scope.CM_MANAGE),
    TokenKind.MANAGEMENT: (Scope.READ, Scope.WRITE),
}
# What a new token gets when no scope is chosen (Contentful's PATs default to manage).
DEFAULT_SCOPES: dict[TokenKind, tuple[Scope, ...]] = {
    TokenKind.PERSONAL: (Scope.CM_MANAGE,),
    TokenKind.OAUTH: (Scope.CM_MANAGE,),
    TokenKind.MANAGEMENT: (Scope.READ, Scope.WRITE),
}
FIXED_SCOPES: dict[TokenKind, tuple[Scope, ...]] = {
    TokenKind.DELIVERY: (Scope.DELIVERY,),
    TokenKind.SESSION: (Scope.SESSION,),
    TokenKind.LEGACY_ACCESS: (Scope.LEGACY,),
}


def default_scopes(kind: TokenKind) -> tuple[str, ...]:
    """The scopes a new token of ``kind`` gets when none is chosen; none for a kind of fixed scope."""
    return tuple(scope.value for scope in DEFAULT_SCOPES.get(kind, ()))


class Status(StrEnum):
    """A token's status, derived from its revocation and expiry instants."""

    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class OrgRole(StrEnum):
    """A member's role in an organization."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class SpaceRole(StrEnum):
    """A member's role in a space."""

    ADMIN = "admin"
    DEVELOPER = "developer"
    CONTENT_MANAGER = "content_manager"


class Action(StrEnum):
    """What a presented secret asks to do (SPEC.md, "Actions for verify")."""

    CONTENT_READ = "content.read"
    CONTENT_READ_DRAFT = "content.read_draft"
    CONTENT_WRITE = "content.write"
    TOKENS_MANAGE = "tokens.manage"
    USERS_MANAGE = "users.manage"
    PUBLISH_REVIEW = "publish.review"
    ORG_MANAGE = "org.manage"
    SPACE_MANAGE = "space.manage"


READ_ACTIONS = frozenset({Action.CONTENT_READ, Action.CONTENT_READ_DRAFT})
CONTENT_ACTIONS = READ_ACTIONS | {Action.CONTENT_WRITE}


class DenyReason(StrEnum):
    """Why verify refused (SPEC.md lists these reasons)."""

    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NO_ACCESS = "no_access"
    SCOPE = "scope"
    KIND = "kind_not_allowed"
    ENVIRONMENT = "wrong_environment"


class RevokeReason(StrEnum):
    """Why a token was revoked; kept with the token."""

    BY_USER = "revoked"
    RESET = "reset"
    AUTHTOKEN_LIMIT = "authtoken_limit"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``enum``, or :class:`InvalidInput` naming the choices."""
    from tokentui.core.errors import InvalidInput

    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r}; choose one of: {choices}") from None
