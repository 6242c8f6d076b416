"""The acting user: who an operation is done as, in which organization, with which role.

Every way of becoming an Actor is here: by e-mail (the console and the CLI), and
by a bearer token's user (the API), either in their one organization or in a
named one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from tokentui.core.errors import InvalidInput, NotAllowed, NotFound
from tokentui.core.models import Membership, Organization, User
from tokentui.core.rules import normalise_name
from tokentui.core.vocabulary import OrgRole


@dataclass(frozen=True)
class Actor:
    """The user an operation is done as, in the organization it is done in."""

    user_id: int
    email: str
    org_id: int | None
    org_name: str | None
    role: OrgRole | None

    @property
    def is_admin(self) -> bool:
        """Owner or admin of the current organization."""
        return self.role is not None and self.role.is_admin


def normalise_email(email: str) -> str:
    """An e-mail address, trimmed and lower-cased, or InvalidInput."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() or ord(c) < 32 for c in value):
        raise InvalidInput(f"not an e-mail address: {email!r}")
    if len(value) > 254:
        raise InvalidInput("the e-mail address is longer than 254 characters")
    return value


def _memberships(
    session: Session, user_id: int, org_id: int | None = None
) -> list[tuple[Organization, Membership]]:
    """The user's organizations (only ``org_id``, if given) with their memberships, by name."""
    stmt = (
        select(Organization, Membership)
        .join(Membership, col(Membership.org_id) == col(Organization.id))
        .where(col(Membership.user_id) == user_id)
        .order_by(col(Organization.name))
    )
    if org_id is not None:
        stmt = stmt.where(col(Organization.id) == org_id)
    return [(org, membership) for org, membership in session.exec(stmt).all()]


def _acting_in(user_id: int, email: str, org: Organization | None, membership: Membership | None) -> Actor:
    if org is None or membership is None:
        return Actor(user_id, email, None, None, None)
    return Actor(user_id, email, org.id, org.name, OrgRole(membership.role))


def by_email(session: Session, email: str, org: str | None = None) -> Actor:
    """The user with ``email``, in ``org`` (needed when they belong to several)."""
    address = normalise_email(email)
    user = session.exec(select(User).where(col(User.email) == address)).first()
    if user is None or user.id is None:
        raise NotFound(f"no user {address}")
    rows = _memberships(session, user.id)
    if org is not None:
        org = normalise_name(org)
        for organization, membership in rows:
            if organization.name == org:
                return _acting_in(user.id, address, organization, membership)
        raise NotFound(f"{address} is not a member of an organization named {org!r}")
    if len(rows) == 1:
        return _acting_in(user.id, address, *rows[0])
    if not rows:
        return _acting_in(user.id, address, None, None)
    names = ", ".join(o.name for o, _ in rows)
    raise InvalidInput(f"{address} belongs to several organizations ({names}); choose one with --org")


def for_own_tokens(session: Session, user_id: int, email: str) -> Actor:
    """The user acting on their own tokens: in their organization if they have exactly one, else in none.

    In their one organization, their changes reach its audit log, as with the CLI.
    """
    rows = _memberships(session, user_id)
    return _acting_in(user_id, email, *rows[0]) if len(rows) == 1 else _acting_in(user_id, email, None, None)


def in_organization(session: Session, user_id: int, email: str, org_id: int, *, admin: bool = False) -> Actor:
    """The user acting in organization ``org_id``.

    NotFound when there is no such organization or the user is not a member (an
    outsider learns nothing of it); NotAllowed when ``admin`` is asked for and the
    member is neither an owner nor an admin.
    """
    rows = _memberships(session, user_id, org_id)
    if not rows:
        raise NotFound(f"no organization {org_id}")
    actor = _acting_in(user_id, email, *rows[0])
    if admin and not actor.is_admin:
        raise NotAllowed("only the organization's owners and admins can list every token with access to it")
    return actor
