"""Contentful's JSON shapes: token objects, links, arrays, users and organizations.

Instants are ISO 8601 in UTC with milliseconds, as Contentful writes them. A
token that never expires has no ``sys.expiresAt`` at all: Contentful's Python
SDK parses every ``expiresAt`` it is given as a date and fails on ``null``,
and its JavaScript SDK types the field as optional.
"""

from __future__ import annotations

from typing import Any

from tokentui.core.dates import iso_millis
from tokentui.core.people.memberships import MembershipView
from tokentui.core.results import OrgView, TokenView
from tokentui.core.vocabulary import KINDS, TokenKind

MEDIA_TYPE = "application/vnd.contentful.management.v1+json"

# ``sys.type`` of each kind is its KindSpec's ``type_name``.
KIND_BY_TYPE: dict[str, TokenKind] = {spec.type_name: kind for kind, spec in KINDS.items()}
# Types Contentful lists that tokentui never has: a filter naming them matches nothing.
FOREIGN_TYPES = frozenset({"CLIToken"})


def link(link_type: str, target_id: str) -> dict[str, Any]:
    """A Contentful link: ``{"sys": {"type": "Link", "linkType": ..., "id": ...}}``."""
    return {"sys": {"type": "Link", "linkType": link_type, "id": target_id}}


def user_id(user: int) -> str:
    """The public id of a user (the store's integer id, as Contentful ids are strings)."""
    return str(user)


def token_json(view: TokenView, *, secret: str | None = None, with_user: bool = False) -> dict[str, Any]:
    """A token object; ``token`` (the secret) only when ``secret`` is given, i.e. in the answer to create."""
    sys: dict[str, Any] = {
        "type": view.kind.spec.type_name,
        "id": view.id,
        "redactedValue": view.last4,
        "createdAt": iso_millis(view.created_at),
        "updatedAt": iso_millis(view.updated_at),
        "lastUsedAt": iso_millis(view.last_used_at),
    }
    if view.expires_at is not None:
        sys["expiresAt"] = iso_millis(view.expires_at)
    if view.app_name is not None:
        sys["application"] = {**link("Application", view.app_name), "name": view.app_name}
    if with_user:
        sys["user"] = link("User", user_id(view.author_id))
    body: dict[str, Any] = {
        "name": view.name,
        "scopes": list(view.scopes),
        "revokedAt": iso_millis(view.revoked_at),
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


def membership_json(org_id: str, membership: MembershipView) -> dict[str, Any]:
    """An OrganizationMembership: the role and a link to the user, as Contentful shapes it."""
    return {
        "role": membership.role,
        "sys": {
            "type": "OrganizationMembership",
            "id": str(membership.id),
            "createdAt": iso_millis(membership.created_at),
            "user": link("User", user_id(membership.user_id)),
            "organization": link("Organization", org_id),
        },
    }


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
