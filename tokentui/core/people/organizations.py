"""Organizations: creating one with its owner, and which ones a user belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from tokentui.core.audit import record
from tokentui.core.dates import Clock
from tokentui.core.errors import Conflict
from tokentui.core.models import Membership, Organization, User
from tokentui.core.people.actors import normalise_email
from tokentui.core.results import OrgView
from tokentui.core.rules import check_name
from tokentui.core.store import Store
from tokentui.core.vocabulary import OrgRole


def init_org(store: Store, clock: Clock, name: str, owner_email: str, *, sso: bool = False) -> OrgView:
    """Create an organization and its owner (the user is created if new)."""
    org_name = check_name(name, 100, "organization name")
    email = normalise_email(owner_email)
    now = clock()
    with store.write() as session:
        if session.exec(select(Organization).where(col(Organization.name) == org_name)).first():
            raise Conflict(f"an organization named {org_name!r} already exists")
        user = user_or_new(session, email, now)
        org = Organization(name=org_name, sso_enabled=sso, created_at=now)
        session.add(org)
        session.flush()
        assert org.id is not None and user.id is not None
        session.add(Membership(org_id=org.id, user_id=user.id, role=OrgRole.OWNER, created_at=now))
        record(
            session,
            at=clock(),
            org_id=org.id,
            actor_id=user.id,
            action="org.create",
            target_type="organization",
            target_id=org.id,
            summary=f"created organization {org_name!r} owned by {email}" + (" with SSO" if sso else ""),
        )
        return OrgView(org.id, org.name, org.sso_enabled, OrgRole.OWNER)


def organizations(store: Store, email: str) -> list[OrgView]:
    """Every organization the user belongs to, with their role (for the org switcher)."""
    address = normalise_email(email)
    with store.read() as session:
        rows = session.exec(
            select(Organization, Membership)
            .join(Membership, col(Membership.org_id) == col(Organization.id))
            .join(User, col(User.id) == col(Membership.user_id))
            .where(col(User.email) == address)
            .order_by(col(Organization.name))
        ).all()
        return [OrgView(o.id or 0, o.name, o.sso_enabled, OrgRole(m.role)) for o, m in rows]


def is_empty(store: Store) -> bool:
    """Whether the store holds no organization at all (the console then offers demo data)."""
    with store.read() as session:
        return session.exec(select(col(Organization.id)).limit(1)).first() is None


def any_admin(store: Store) -> tuple[str, str] | None:
    """(e-mail, organization) of some owner, to open the console as when no user is named."""
    with store.read() as session:
        row = session.exec(
            select(col(User.email), col(Organization.name))
            .join(Membership, col(Membership.user_id) == col(User.id))
            .join(Organization, col(Organization.id) == col(Membership.org_id))
            .where(col(Membership.role) == OrgRole.OWNER.value)
            .order_by(col(Organization.id), col(Membership.id))
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else None


def user_exists(store: Store, email: str) -> bool:
    """Whether a user with this e-mail is known."""
    with store.read() as session:
        return session.exec(select(User.id).where(User.email == email.strip().lower())).first() is not None


def user_or_new(session: Session, email: str, now: datetime, name: str = "") -> User:
    """The user with this (normalised) e-mail, created with ``name`` if new."""
    user = session.exec(select(User).where(col(User.email) == email)).first()
    if user is None:
        user = User(email=email, name=name, created_at=now)
        session.add(user)
        session.flush()
    return user
