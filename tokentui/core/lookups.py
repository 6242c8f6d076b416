"""Facts every operation loads inside its transaction: memberships, roles, spaces, standings, users.

Each is a plain function of an open session. The role is read afresh from the
store rather than taken from the :class:`~tokentui.core.people.actors.Actor`,
since it may have changed since the Actor was made.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from tokentui.core.errors import NotAllowed, NotFound
from tokentui.core.models import Membership, Organization, Space, SpaceMembership, User
from tokentui.core.people.actors import Actor, normalise_email
from tokentui.core.rules import SpaceStanding, normalise_name
from tokentui.core.vocabulary import OrgRole, SpaceRole


def membership(session: Session, org_id: int | None, user_id: int) -> Membership | None:
    """The user's membership of the organization, if any."""
    if org_id is None:
        return None
    return session.exec(
        select(Membership).where(col(Membership.org_id) == org_id, col(Membership.user_id) == user_id)
    ).first()


def current_role(session: Session, actor: Actor) -> OrgRole:
    """The actor's role in their organization now, or NotAllowed when they are no longer a member."""
    found = membership(session, actor.org_id, actor.user_id)
    if found is None:
        raise NotAllowed(f"{actor.email} is not a member of this organization")
    return OrgRole(found.role)


def require_admin(session: Session, actor: Actor) -> OrgRole:
    """The actor's role now, or NotAllowed unless they are an owner or admin."""
    role = current_role(session, actor)
    if not role.is_admin:
        raise NotAllowed("only organization owners and admins can do this")
    return role


def space(session: Session, org_id: int | None, name: str, *, lock: bool = False) -> Space:
    """The organization's space called ``name`` (locked for update with ``lock``), or NotFound."""
    name = normalise_name(name)
    if org_id is None:
        raise NotFound(f"no space {name!r}: you are not in an organization")
    stmt = select(Space).where(col(Space.org_id) == org_id, col(Space.name) == name)
    if lock:
        stmt = stmt.with_for_update()
    found = session.exec(stmt).first()
    if found is None:
        raise NotFound(f"no space {name!r} in this organization")
    return found


def standing(session: Session, space: Space, user_id: int, org_role: OrgRole) -> SpaceStanding:
    """How the user stands towards ``space``, given their role in its organization."""
    row = session.exec(
        select(SpaceMembership).where(
            col(SpaceMembership.space_id) == space.id, col(SpaceMembership.user_id) == user_id
        )
    ).first()
    return SpaceStanding(
        org_role=org_role,
        space_role=SpaceRole(row.role) if row else None,
        is_owner=space.owner_id == user_id,
    )


def user(session: Session, email: str) -> User:
    """The user with this e-mail, or NotFound."""
    address = normalise_email(email)
    found = session.exec(select(User).where(col(User.email) == address)).first()
    if found is None:
        raise NotFound(f"no user {address}")
    return found


def lock_org(session: Session, org_id: int | None) -> None:
    """Queue this transaction behind others changing the organization's members and spaces.

    Each of these writes checks, then inserts or deletes. On PostgreSQL (READ
    COMMITTED) two of them at once would both pass the check: two removals of
    one member would both be recorded, owners removing each other could both
    pass the last-owner check, and two additions of one member (or space, team
    or space role) would fail on the unique constraint instead of the rule. Every
    read after this lock sees the earlier transactions' commits. SQLite's
    ``BEGIN IMMEDIATE`` already serializes writers, so there it changes nothing.
    """
    if org_id is not None:
        session.exec(select(Organization.id).where(col(Organization.id) == org_id).with_for_update()).first()
