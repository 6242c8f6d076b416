"""The vocabulary of the domain: token kinds (one :class:`KindSpec` row each), scopes, roles, statuses,
verify actions and the reasons for refusals and revocations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from tokentui.settings import LIMITS


class TokenKind(StrEnum):
    """The six kinds of token (SPEC.md, "Token kinds"); what each is lies in its :data:`KINDS` row."""

    PERSONAL = "personal"
    OAUTH = "oauth"
    DELIVERY = "delivery"
    MANAGEMENT = "management"
    SESSION = "session"
    LEGACY_ACCESS = "legacy_access"

    @property
    def spec(self) -> KindSpec:
        """The kind's row of :data:`KINDS`."""
        return KINDS[self]

    @property
    def label(self) -> str:
        """The name the UI shows."""
        return KINDS[self].label

    @property
    def is_user_token(self) -> bool:
        """Tied to a user and acting with the user's role, rather than tied to a space."""
        return KINDS[self].is_user_token

    @property
    def may_expire(self) -> bool:
        """Whether an expiry can be chosen at creation."""
        return KINDS[self].may_expire


class Scope(StrEnum):
    """Scopes a token may carry; which ones apply depends on the kind."""

    CM_READ = "content_management_read"
    CM_MANAGE = "content_management_manage"
    READ = "read"
    WRITE = "write"
    DELIVERY = "content_delivery"
    LEGACY = "content_delivery_preview"
    SESSION = "user_session"


class TokenField(StrEnum):
    """What a new token of a kind is given besides its name, scopes and expiry."""

    SPACE = "space"
    ENVIRONMENT = "environment"
    BRANCHES = "branches"
    APP = "app"
    NOTIFY = "notify"  # the e-mail switch: reminders may be turned off


class CreatedBy(StrEnum):
    """Who may create a kind (the rules in :mod:`tokentui.core.rules` say it in full)."""

    USER = "user"  # any user, for themselves
    USER_WHERE_SSO_ALLOWS = "user_where_sso_allows"  # a user the organization's SSO lets log in
    SPACE_DEVELOPER = "space_developer"  # the space's owner, admins and developers
    SPACE_ADMIN = "space_admin"  # the space's owner and admins
    SPACE_CREATION = "space_creation"  # nobody: it comes with a space made before the cut-off


@dataclass(frozen=True)
class KindSpec:
    """Everything tokentui knows of one kind, as one row: the rules, the faces and the API read it.

    Scopes are either chosen (``choosable_scopes``, ``default_scopes`` when none is
    chosen) or ``fixed``. The limits name a field of :data:`tokentui.settings.LIMITS`,
    which holds the number.
    """

    kind: TokenKind
    label: str
    short_label: str  # where the table's kind column is too narrow for the label
    prefix: str  # of its secrets, so secret scanners recognise a leaked one
    type_name: str  # the API's ``sys.type``: Contentful's name where Contentful has the kind
    is_user_token: bool
    created_by: CreatedBy
    fields: frozenset[TokenField] = frozenset()
    choosable_scopes: tuple[Scope, ...] = ()
    default_scopes: tuple[Scope, ...] = ()
    fixed_scopes: tuple[Scope, ...] = ()
    may_expire: bool = False
    expires_by_default: bool = False  # LIMITS.default_expiry_days when none is chosen
    space_limit: str | None = None  # active tokens of the kind a space may hold
    user_limit: str | None = None  # active tokens of the kind a user may hold; the oldest make way
    resets: bool = False  # given a new secret by a reset, never revoked

    def __post_init__(self) -> None:
        if bool(self.choosable_scopes) == bool(self.fixed_scopes):
            raise ValueError(f"{self.kind}: scopes are either choosable or fixed")
        if self.expires_by_default and not self.may_expire:
            raise ValueError(f"{self.kind}: a kind that never expires has no default expiry")

    def takes(self, field: TokenField) -> bool:
        """Whether a new token of the kind is given ``field``."""
        return field in self.fields

    @property
    def default_expiry(self) -> str:
        """The expiry a new token gets when none is chosen: ``30d`` or ``never``."""
        return f"{LIMITS.default_expiry_days}d" if self.expires_by_default else "never"

    @property
    def max_per_space(self) -> int | None:
        """How many active tokens of the kind a space may hold, if limited."""
        return getattr(LIMITS, self.space_limit) if self.space_limit else None

    @property
    def max_per_user(self) -> int | None:
        """How many active tokens of the kind a user may hold, if limited."""
        return getattr(LIMITS, self.user_limit) if self.user_limit else None


_SPACE_TOKEN = frozenset({TokenField.SPACE, TokenField.BRANCHES})
KINDS: dict[TokenKind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            TokenKind.PERSONAL,
            label="Personal access token",
            short_label="Personal",
            prefix="ttp",
            type_name="PersonalAccessToken",
            is_user_token=True,
            created_by=CreatedBy.USER,
            choosable_scopes=(Scope.CM_READ, Scope.CM_MANAGE),
            default_scopes=(Scope.CM_MANAGE,),  # Contentful's PATs default to manage
            may_expire=True,
            expires_by_default=True,
        ),
        KindSpec(
            TokenKind.OAUTH,
            label="OAuth application token",
            short_label="OAuth app",
            prefix="tto",
            type_name="OAuthApplication",
            is_user_token=True,
            created_by=CreatedBy.USER,
            fields=frozenset({TokenField.APP}),
            choosable_scopes=(Scope.CM_READ, Scope.CM_MANAGE),
            default_scopes=(Scope.CM_MANAGE,),
            may_expire=True,
            expires_by_default=True,
        ),
        KindSpec(
            TokenKind.DELIVERY,
            label="Delivery token",
            short_label="Delivery",
            prefix="ttd",
            type_name="DeliveryToken",
            is_user_token=False,
            created_by=CreatedBy.SPACE_DEVELOPER,
            fields=_SPACE_TOKEN | {TokenField.ENVIRONMENT},
            fixed_scopes=(Scope.DELIVERY,),
            space_limit="delivery_tokens_per_space",
        ),
        KindSpec(
            TokenKind.MANAGEMENT,
            label="Management token",
            short_label="Management",
            prefix="ttm",
            type_name="ManagementToken",
            is_user_token=False,
            created_by=CreatedBy.SPACE_ADMIN,
            fields=_SPACE_TOKEN | {TokenField.NOTIFY},
            choosable_scopes=(Scope.READ, Scope.WRITE),
            default_scopes=(Scope.READ, Scope.WRITE),
            may_expire=True,
            space_limit="management_tokens_per_space",
        ),
        KindSpec(
            TokenKind.SESSION,
            label="Authtoken",
            short_label="Authtoken",
            prefix="tts",
            type_name="Authtoken",  # Contentstack's; Contentful has none
            is_user_token=True,
            created_by=CreatedBy.USER_WHERE_SSO_ALLOWS,
            fixed_scopes=(Scope.SESSION,),
            user_limit="active_authtokens_per_user",
        ),
        KindSpec(
            TokenKind.LEGACY_ACCESS,
            label="Access token (legacy)",
            short_label="Legacy",
            prefix="ttl",
            type_name="LegacyAccessToken",  # Contentstack's; Contentful has none
            is_user_token=False,
            created_by=CreatedBy.SPACE_CREATION,
            fields=frozenset({TokenField.SPACE}),
            fixed_scopes=(Scope.LEGACY,),
            resets=True,
        ),
    )
}
assert set(KINDS) == set(TokenKind), "every kind has its row"

# Derived from the table, for queries that name a group of kinds.
USER_KINDS = frozenset(kind for kind, spec in KINDS.items() if spec.is_user_token)
SPACE_KINDS = frozenset(kind for kind, spec in KINDS.items() if not spec.is_user_token)
# Kinds created on request in a space (the legacy access token comes with its space).
SPACE_CREATED_KINDS = tuple(
    kind
    for kind, spec in KINDS.items()
    if spec.created_by in (CreatedBy.SPACE_DEVELOPER, CreatedBy.SPACE_ADMIN)
)


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

    @property
    def is_admin(self) -> bool:
        """Owners and admins administer the organization (and reach every space as its admin)."""
        return self in (OrgRole.OWNER, OrgRole.ADMIN)


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
    # Replaced by a new token of the same settings (tokens rotate), the old secret stopped at once.
    ROTATED = "rotated"


E = TypeVar("E", bound=StrEnum)


def parse_enum(enum: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``enum``, or :class:`InvalidInput` naming the choices."""
    from tokentui.core.errors import InvalidInput

    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise InvalidInput(f"unknown {what} {value!r}; choose one of: {choices}") from None


def parse_org_role(value: str) -> OrgRole:
    """An organization role from user input."""
    return parse_enum(OrgRole, value, "organization role")


def parse_space_role(value: str) -> SpaceRole:
    """A space role from user input."""
    return parse_enum(SpaceRole, value, "space role")


def parse_kind(value: TokenKind | str) -> TokenKind:
    """A token kind from user input."""
    return value if isinstance(value, TokenKind) else parse_enum(TokenKind, value, "token kind")


def default_scopes(kind: TokenKind) -> tuple[str, ...]:
    """The scopes a new token of ``kind`` gets when none is chosen; none for a kind of fixed scope."""
    return tuple(scope.value for scope in kind.spec.default_scopes)


# What a token may do, in one short word, weakest first: the token table's access column and
# its sort (core/listing/queries.py orders by this list's position). "full" is an authtoken,
# which acts with everything its user may do.
ACCESS_LABELS = ("none", "delivery", "preview", "read", "write", "read+write", "manage", "full")


def access_label(kind: TokenKind, scopes: tuple[str, ...] | frozenset[str] | list[str]) -> str:
    """What a token of ``kind`` with ``scopes`` may do, short: one of :data:`ACCESS_LABELS`.

    Management of content implies reading it, so a PAT with both says "manage".
    """
    held = set(scopes)
    if kind is TokenKind.SESSION:
        return "full"
    if kind is TokenKind.DELIVERY:
        return "delivery"
    if kind is TokenKind.LEGACY_ACCESS:
        return "preview"
    if kind is TokenKind.MANAGEMENT:
        read, write = Scope.READ.value in held, Scope.WRITE.value in held
        return "read+write" if read and write else "write" if write else "read" if read else "none"
    if Scope.CM_MANAGE.value in held:
        return "manage"
    return "read" if Scope.CM_READ.value in held else "none"


def can_write(kind: TokenKind, scopes: tuple[str, ...] | frozenset[str] | list[str]) -> bool:
    """Whether the token may change content (SPEC.md, "Audit"): PAT/OAuth with manage, authtokens,
    management tokens with write."""
    return access_label(kind, scopes) in ("write", "read+write", "manage", "full")


def stored_scope_sets(kind: TokenKind) -> tuple[str, ...]:
    """Every scopes value a token of ``kind`` is stored with (space-separated, in the kind's order).

    A fixed scope, or each non-empty choice of the choosable ones in their order, as
    :func:`tokentui.core.rules.normalise_scopes` stores them.
    """
    spec = kind.spec
    if spec.fixed_scopes:
        return (" ".join(s.value for s in spec.fixed_scopes),)
    choosable = [s.value for s in spec.choosable_scopes]
    sets = []
    for mask in range(1, 1 << len(choosable)):
        sets.append(" ".join(s for i, s in enumerate(choosable) if mask >> i & 1))
    return tuple(sets)
