"""Organization memberships a page at a time, and a user's profile, as the HTTP API serves them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from tokentui.core.models import Membership, User
from tokentui.core.store import Store


@dataclass(frozen=True)
class MembershipView:
    """One member of an organization: the membership's id and role, and the user's id and e-mail."""

    id: int
    role: str
    user_id: int
    email: str
    created_at: datetime


@dataclass(frozen=True)
class MembershipPage:
    """A page of an organization's memberships, oldest first."""

    total: int
    items: tuple[MembershipView, ...]


@dataclass(frozen=True)
class Profile:
    """What the store knows of a user."""

    id: int
    email: str
    name: str
    created_at: datetime


def membership_page(
    store: Store, org_id: int, *, skip: int, limit: int, query: str | None = None
) -> MembershipPage:
    """The organization's memberships from ``skip``, at most ``limit``, in the order they were made.

    ``query`` (Contentful's full-text search) keeps the members whose user id is it or whose
    e-mail contains it, case-insensitively.
    """
    where = [col(Membership.org_id) == org_id]
    if query:
        matches = col(User.email).contains(query.lower(), autoescape=True)
        if query.isdigit() and len(query) <= 12:
            matches = matches | (col(User.id) == int(query))
        where.append(matches)
    with store.read() as session:
        total = session.exec(
            select(func.count())
            .select_from(Membership)
            .join(User, col(User.id) == col(Membership.user_id))
            .where(*where)
        ).one()
        rows = session.exec(
            select(Membership, User)
            .join(User, col(User.id) == col(Membership.user_id))
            .where(*where)
            .order_by(col(Membership.created_at), col(Membership.id))
            .offset(skip)
            .limit(limit)
        ).all()
        items = tuple(MembershipView(m.id or 0, m.role, u.id or 0, u.email, m.created_at) for m, u in rows)
        return MembershipPage(int(total), items)


def profile(store: Store, user_id: int) -> Profile | None:
    """The user with ``user_id``, or None."""
    with store.read() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return Profile(user.id or 0, user.email, user.name, user.created_at)
