"""Plain, immutable results the service hands to the faces. No ORM object leaves the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tokentui.core.dates import iso
from tokentui.core.models import Token
from tokentui.core.rules import token_status
from tokentui.core.vocabulary import OrgRole, Status, TokenKind, access_label

if TYPE_CHECKING:
    from sqlalchemy import Row


REASON_LABELS = {"reset": "reset", "authtoken_limit": "21st authtoken", "rotated": "rotated"}


@dataclass(frozen=True)
class TokenView:
    """A token as any face shows it. It never carries the secret."""

    id: str
    kind: TokenKind
    name: str
    scopes: tuple[str, ...]
    author: str
    author_id: int
    space: str | None
    environment: str | None
    branches: tuple[str, ...]
    app_name: str | None
    status: Status
    revoked_reason: str | None
    last4: str
    notify: bool
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def status_label(self) -> str:
        """The status as a word, with the reason where a revocation was not by hand."""
        if self.status is Status.REVOKED and self.revoked_reason and self.revoked_reason != "revoked":
            return f"revoked ({REASON_LABELS.get(self.revoked_reason, self.revoked_reason)})"
        return self.status.value

    @property
    def access(self) -> str:
        """What the token may do, short: "read", "manage", "read+write", "delivery" ... (vocabulary.access_label)."""
        return access_label(self.kind, self.scopes)

    def to_json(self) -> dict[str, Any]:
        """The JSON object of SPEC.md's automation surface."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "name": self.name,
            "scopes": list(self.scopes),
            "author": self.author,
            "space": self.space,
            "environment": self.environment,
            "branches": list(self.branches),
            "app": self.app_name,
            "status": self.status.value,
            "revokedReason": self.revoked_reason,
            "last4": self.last4,
            "emailNotification": self.notify,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
            "expiresAt": iso(self.expires_at),
            "revokedAt": iso(self.revoked_at),
            "lastUsedAt": iso(self.last_used_at),
            "access": self.access,
        }


@dataclass(frozen=True)
class CreatedToken:
    """The answer to create or reset: the only place a secret ever appears."""

    token: TokenView
    secret: str = field(repr=False)
    # The tokens this one made way for (a per-user limit revokes the oldest), as
    # "'name' (…last4)": the result says so.
    retired: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The token's JSON with the one-time ``token`` field."""
        return {**self.token.to_json(), "token": self.secret}


@dataclass(frozen=True)
class RotatedToken:
    """The answer to rotate: the new token with its secret (shown once) and the one it replaces."""

    created: CreatedToken
    # The replaced token as it is now: revoked, or active until the end of its grace period.
    old: TokenView
    # When the old secret stops working: the rotation's instant, or the end of the grace period.
    old_stops_at: datetime

    @property
    def at_once(self) -> bool:
        """Whether the old secret stopped when the new one was made."""
        return self.old.revoked_at is not None

    def to_json(self) -> dict[str, Any]:
        """The new token's JSON with its one-time ``token`` field, as create's, and what it replaces."""
        return {**self.created.to_json(), "replaces": {"id": self.old.id, "stopsAt": iso(self.old_stops_at)}}


@dataclass(frozen=True)
class Decision:
    """verify's answer: allowed, or denied with one reason."""

    allowed: bool
    reason: str | None = None
    token_id: str | None = None
    user: str | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"allowed": bool, "reason": str | null, ...}``."""
        return {"allowed": self.allowed, "reason": self.reason, "tokenId": self.token_id, "user": self.user}


@dataclass(frozen=True)
class OrgView:
    """An organization as seen by one of its members."""

    id: int
    name: str
    sso_enabled: bool
    role: OrgRole


@dataclass(frozen=True)
class SpaceAccess:
    """One space a user can reach, and how."""

    space: str
    role: str


@dataclass(frozen=True)
class MemberView:
    """A member of an organization, as the author drill-down shows them."""

    user_id: int
    email: str
    name: str
    role: OrgRole
    sso_bypass: bool
    spaces: tuple[SpaceAccess, ...]
    teams: tuple[str, ...]
    joined_at: datetime

    def to_json(self) -> dict[str, Any]:
        """JSON for ``users list --json``."""
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role.value,
            "ssoBypass": self.sso_bypass,
            "spaces": [{"space": s.space, "role": s.role} for s in self.spaces],
            "teams": list(self.teams),
            "joinedAt": iso(self.joined_at),
        }


@dataclass(frozen=True)
class SpaceView:
    """A space with its environments and branches."""

    id: int
    name: str
    api_key: str
    owner: str
    created_at: datetime
    environments: tuple[str, ...]
    branches: tuple[str, ...]
    aliases: tuple[tuple[str, str], ...]

    def to_json(self) -> dict[str, Any]:
        """JSON for ``spaces list --json``."""
        return {
            "id": self.id,
            "name": self.name,
            "apiKey": self.api_key,
            "owner": self.owner,
            "createdAt": iso(self.created_at),
            "environments": list(self.environments),
            "branches": list(self.branches),
            "aliases": {alias: target for alias, target in self.aliases},
        }


@dataclass(frozen=True)
class RemovedMember:
    """What removing a member did."""

    email: str
    tokens_cut_off: int


@dataclass(frozen=True)
class AuditView:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str | None
    action: str
    target_type: str
    target_id: str
    summary: str

    def to_json(self) -> dict[str, Any]:
        """JSON for ``audit --json``."""
        return {
            "id": self.id,
            "at": iso(self.at),
            "actor": self.actor,
            "action": self.action,
            "targetType": self.target_type,
            "targetId": self.target_id,
            "summary": self.summary,
        }


def to_view(token: Token | Row[Any], author_email: str, space_name: str | None, now: datetime) -> TokenView:
    """A TokenView of a token (an ORM object or a row of its columns), its status derived at ``now``."""
    return TokenView(
        id=token.id,
        kind=TokenKind(token.kind),
        name=token.name,
        scopes=tuple(token.scopes.split()),
        author=author_email,
        author_id=token.author_id,
        space=space_name,
        environment=token.environment,
        branches=tuple(token.branches.split()),
        app_name=token.app_name,
        status=token_status(token.revoked_at, token.expires_at, now),
        revoked_reason=token.revoked_reason,
        last4=token.last4,
        notify=token.notify,
        created_at=token.created_at,
        updated_at=token.updated_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )
