"""Contentful's JSON shapes: token objects, links, arrays, users and organizations.

Instants are ISO 8601 in UTC with milliseconds, as Contentful writes them. A
token that never expires has no ``sys.expiresAt`` at all: Contentful's Python
SDK parses every ``expiresAt`` it is given as a date and fails on ``null``,
and its JavaScript SDK types the field as optional.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tokentui.core.results import OrgView, TokenView
from tokentui.core.vocabulary import TokenKind

MEDIA_TYPE = "application/vnd.contentful.management.v1+json"

# ``sys.type`` of each kind. Contentful's names where Contentful has the thing;
# tokentui's own (the console's labels) for the kinds only Contentstack has.
TYPE_NAMES: dict[TokenKind, str] = {
    TokenKind.PERSONAL: "PersonalAccessToken",
    TokenKind.OAUTH: "OAuthApplication",
    TokenKind.SESSION: "Authtoken",
    TokenKind.DELIVERY: "DeliveryToken",
    TokenKind.MANAGEMENT: "ManagementToken",
    TokenKind.LEGACY_ACCESS: "LegacyAccessToken",
}
KIND_BY_TYPE: dict[str, TokenKind] = {name: kind for kind, name in TYPE_NAMES.items()}
# Types Contentful lists that tokentui never has: a filter naming them matches nothing.
FOREIGN_TYPES = frozenset({"CLIToken"})


def timestamp(instant: datetime | None) -> str | None:
    """``2026-11-22T12:00:00.000Z``, or None."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def link(link_type: str, target_id: str) -> dict[str, Any]:
    """A Contentful link: ``{"sys": {"type": "Link", "linkType": ..., "id": ...}}``."""
    return {"sys": {"type": "Link", "linkType": link_type, "id": target_id}}


def user_id(user: int) -> str:
    """The public id of a user (the store's integer id, as Contentful ids are strings)."""
    return str(user)


def token_json(view: TokenView, *, secret: str | None = None, with_user: bool = False) -> dict[str, Any]:
    """A token object; ``token`` (the secret) only when ``secret`` is given, i.e. in the answer to create."""
    sys: dict[str, Any] = {
        "type": TYPE_NAMES[view.kind],
        "id": view.id,
        "redactedValue": view.last4,
        "createdAt": timestamp(view.created_at),
        "updatedAt": timestamp(view.updated_at),
        "lastUsedAt": timestamp(view.last_used_at),
    }
    if view.expires_at is not None:
        sys["expiresAt"] = timestamp(view.expires_at)
    if view.app_name is not None:
        sys["application"] = {**link("Application", view.app_name), "name": view.app_name}
    if with_user:
        sys["user"] = link("User", user_id(view.author_id))
    body: dict[str, Any] = {
        "name": view.name,
        "scopes": list(view.scopes),
        "revokedAt": timestamp(view.revoked_at),
        "sys": sys,
    }
    if view.space is not None:
        # Space tokens only appear in the organization listing; these say where they reach.
        body["space"] = view.space
        body["environment"] = view.environment
    if secret is not None:
        body["token"] = secret
    return body


def user_json(user: int, email: str) -> dict[str, Any]:
    """A User resource."""
    return {"sys": {"type": "User", "id": user_id(user)}, "email": email}


def organization_json(org: OrgView) -> dict[str, Any]:
    """An Organization resource; its id is the store's integer id as a string."""
    return {"sys": {"type": "Organization", "id": str(org.id)}, "name": org.name}


def array_json(
    items: list[dict[str, Any]],
    *,
    total: int,
    skip: int,
    limit: int,
    includes: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """A collection: ``{"sys": {"type": "Array"}, "items", "total", "skip", "limit"}``."""
    body: dict[str, Any] = {
        "sys": {"type": "Array"},
        "total": total,
        "skip": skip,
        "limit": limit,
        "items": items,
    }
    if includes:
        body["includes"] = includes
    return body
