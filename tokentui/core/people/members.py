"""Members and teams of an organization: adding, removing, listing, the author drill-down."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.audit import record
from tokentui.core.dates import Clock, iso
from tokentui.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tokentui.core.listing.queries import status_condition
from tokentui.core.models import Membership, Space, SpaceMembership, Team, TeamMember, Token, User
from tokentui.core.people.actors import Actor, normalise_email
from tokentui.core.people.organizations import user_or_new
from tokentui.core.results import MemberView, RemovedMember, SpaceAccess
from tokentui.core.rules import check_name, check_no_secret
from tokentui.core.store import Store
from tokentui.core.vocabulary import USER_KINDS, OrgRole, Status, parse_org_role
from tokentui.settings import LIMITS


def add_member(
    store: Store,
    clock: Clock,
    actor: Actor,
    email: str,
    role: str,
    *,
    sso_bypass: bool = False,
    name: str = "",
) -> MemberView:
    """Add a user (created if new) to the actor's organization."""
    new_role = parse_org_role(role)
    address = normalise_email(email)
    display = name.strip()
    if len(display) > LIMITS.max_name_length:
        raise InvalidInput("the user's name is too long")
    if "\x00" in display:
        raise InvalidInput("the user's name must not contain NUL characters")
    check_no_secret(display, "user's name")
    now = clock()
    with store.write() as session:
        lookups.lock_org(session, actor.org_id)
        actor_role = lookups.require_admin(session, actor)
        if new_role is OrgRole.OWNER and actor_role is not OrgRole.OWNER:
            raise NotAllowed("only owners can add owners")
        user = user_or_new(session, address, now, display)
        assert user.id is not None and actor.org_id is not None
        if lookups.membership(session, actor.org_id, user.id) is not None:
            raise Conflict(f"{address} is already a member of {actor.org_name}")
        session.add(
            Membership(
                org_id=actor.org_id, user_id=user.id, role=new_role, sso_bypass=sso_bypass, created_at=now
            )
        )
        record(
            session,
            at=clock(),
            org_id=actor.org_id,
            actor_id=actor.user_id,
            action="member.add",
            target_type="user",
            target_id=address,
            summary=f"added {address} as {new_role.value}" + (" with SSO bypass" if sso_bypass else ""),
        )
        session.flush()
        return member_view(session, actor.org_id, user)


def remove_member(store: Store, clock: Clock, actor: Actor, email: str) -> RemovedMember:
    """Remove a member: their personal, OAuth and session tokens lose access to the organization."""
    with store.write() as session:
        lookups.lock_org(session, actor.org_id)
        user, membership = _check_removable(session, actor, email)
        now = clock()
        cut_off = session.exec(
            select(func.count())
            .select_from(Token)
            .where(
                col(Token.author_id) == user.id,
                col(Token.kind).in_([k.value for k in USER_KINDS]),
                status_condition(Status.ACTIVE, now),
            )
        ).one()
        org_spaces = select(col(Space.id)).where(col(Space.org_id) == actor.org_id)
        org_teams = select(col(Team.id)).where(col(Team.org_id) == actor.org_id)
        session.exec(
            delete(SpaceMembership).where(
                col(SpaceMembership.user_id) == user.id,
                col(SpaceMembership.space_id).in_(org_spaces),
            )
        )
        session.exec(
            delete(TeamMember).where(
                col(TeamMember.user_id) == user.id,
                col(TeamMember.team_id).in_(org_teams),
            )
        )
        session.delete(membership)
        record(
            session,
            at=clock(),
            org_id=actor.org_id,
            actor_id=actor.user_id,
            action="member.remove",
            target_type="user",
            target_id=user.email,
            summary=(
                f"removed {user.email} from {actor.org_name}; "
                f"{cut_off} active personal/OAuth/session token(s) lost access"
            ),
        )
        return RemovedMember(user.email, cut_off)


def removal_refusal(store: Store, actor: Actor, email: str) -> str | None:
    """Why ``actor`` may not remove ``email`` (the rules remove_member applies), or None: the
    console says no before it lists what a removal would do."""
    with store.read() as session:
        try:
            _check_removable(session, actor, email)
        except (NotAllowed, NotFound) as refusal:
            return str(refusal)
    return None


def _check_removable(session: Session, actor: Actor, email: str) -> tuple[User, Membership]:
    """The user and membership ``actor`` may remove, or the refusal."""
    actor_role = lookups.require_admin(session, actor)
    user = lookups.user(session, email)
    assert user.id is not None and actor.org_id is not None
    membership = lookups.membership(session, actor.org_id, user.id)
    if membership is None:
        raise NotFound(f"{user.email} is not a member of {actor.org_name}")
    if membership.role == OrgRole.OWNER:
        if actor_role is not OrgRole.OWNER:
            raise NotAllowed("only owners can remove an owner")
        owners = session.exec(
            select(func.count())
            .select_from(Membership)
            .where(col(Membership.org_id) == actor.org_id, col(Membership.role) == OrgRole.OWNER.value)
        ).one()
        if owners <= 1:
            raise NotAllowed("the last owner cannot be removed from the organization")
    return user, membership


def member(store: Store, actor: Actor, email: str) -> MemberView:
    """One member with their spaces and teams (the author drill-down).

    Owners and admins see any member; a member sees only themselves, and is
    refused the same way whether or not the other address belongs to anyone.
    """
    address = normalise_email(email)
    with store.read() as session:
        role = lookups.current_role(session, actor)
        if not role.is_admin and address != actor.email:
            raise NotAllowed("only organization owners and admins can see other members")
        user = lookups.user(session, address)
        if actor.org_id is None or lookups.membership(session, actor.org_id, user.id or 0) is None:
            raise NotFound(f"{user.email} is not a member of {actor.org_name}")
        return member_view(session, actor.org_id, user)


def members(store: Store, actor: Actor) -> list[MemberView]:
    """Every member of the actor's organization (owners and admins, as Contentful's members page)."""
    with store.read() as session:
        if not lookups.current_role(session, actor).is_admin:
            raise NotAllowed("only organization owners and admins can list the organization's members")
        users = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(col(Membership.org_id) == actor.org_id)
            .order_by(col(User.email))
        ).all()
        assert actor.org_id is not None
        return [member_view(session, actor.org_id, u) for u in users]


def add_team(store: Store, clock: Clock, actor: Actor, name: str, emails: Iterable[str] = ()) -> str:
    """Create a team of members."""
    team_name = check_name(name, 100, "team name")
    with store.write() as session:
        lookups.lock_org(session, actor.org_id)
        lookups.require_admin(session, actor)
        assert actor.org_id is not None
        if session.exec(
            select(Team).where(col(Team.org_id) == actor.org_id, col(Team.name) == team_name)
        ).first():
            raise Conflict(f"a team named {team_name!r} already exists")
        team = Team(org_id=actor.org_id, name=team_name)
        session.add(team)
        session.flush()
        for email in emails:
            user = lookups.user(session, email)
            if lookups.membership(session, actor.org_id, user.id or 0) is None:
                raise NotFound(f"{user.email} is not a member of {actor.org_name}")
            session.add(TeamMember(team_id=team.id or 0, user_id=user.id or 0))
        record(
            session,
            at=clock(),
            org_id=actor.org_id,
            actor_id=actor.user_id,
            action="team.create",
            target_type="team",
            target_id=team.id,
            summary=f"created team {team_name!r}",
        )
        return team_name


def member_view(session: Session, org_id: int, user: User) -> MemberView:
    """The member with their spaces (all of them, for owners and admins) and teams."""
    membership = session.exec(
        select(Membership).where(col(Membership.org_id) == org_id, col(Membership.user_id) == user.id)
    ).one()
    role = OrgRole(membership.role)
    if role.is_admin:
        names = session.exec(
            select(col(Space.name)).where(col(Space.org_id) == org_id).order_by(col(Space.name))
        ).all()
        spaces = tuple(SpaceAccess(n, "admin (via organization role)") for n in names)
    else:
        rows = session.exec(
            select(col(Space.name), col(SpaceMembership.role))
            .join(SpaceMembership, col(SpaceMembership.space_id) == col(Space.id))
            .where(col(Space.org_id) == org_id, col(SpaceMembership.user_id) == user.id)
            .order_by(col(Space.name))
        ).all()
        spaces = tuple(SpaceAccess(n, r) for n, r in rows)
    teams = session.exec(
        select(col(Team.name))
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .where(col(Team.org_id) == org_id, col(TeamMember.user_id) == user.id)
        .order_by(col(Team.name))
    ).all()
    return MemberView(
        user_id=user.id or 0,
        email=user.email,
        name=user.name,
        role=role,
        sso_bypass=membership.sso_bypass,
        spaces=spaces,
        teams=tuple(teams),
        joined_at=membership.created_at,
    )


@dataclass(frozen=True)
class MemberOverview:
    """A member on the users screen: who they are, what they reach, and their tokens."""

    member: MemberView
    tokens: int
    last_used_at: datetime | None

    @property
    def has_space_role(self) -> bool:
        """Owners and admins reach every space; anyone else needs a role in one."""
        return self.member.role.is_admin or bool(self.member.spaces)

    def to_json(self) -> dict[str, Any]:
        """JSON for ``users list --json``: the member's fields and their tokens."""
        return {**self.member.to_json(), "tokens": self.tokens, "lastUsedAt": iso(self.last_used_at)}


def members_overview(store: Store, actor: Actor, *, no_space_role: bool = False) -> list[MemberOverview]:
    """Every member with role, SSO bypass, spaces, teams and tokens, in five queries whatever their number.

    A member's tokens are those they wrote that have not been revoked and reach this
    organization (their own user tokens, and space tokens of this organization).
    ``no_space_role`` keeps members who are neither owner/admin nor hold a role in any space.
    """
    with store.read() as session:
        if not lookups.current_role(session, actor).is_admin:
            raise NotAllowed("only organization owners and admins can list the organization's members")
        org_id = actor.org_id
        assert org_id is not None
        rows = session.exec(
            select(User, Membership)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(col(Membership.org_id) == org_id)
            .order_by(col(User.email))
        ).all()
        all_spaces = session.exec(
            select(col(Space.name)).where(col(Space.org_id) == org_id).order_by(col(Space.name))
        ).all()
        granted: dict[int, list[SpaceAccess]] = defaultdict(list)
        for user_id, space, role in session.exec(
            select(col(SpaceMembership.user_id), col(Space.name), col(SpaceMembership.role))
            .join(Space, col(Space.id) == col(SpaceMembership.space_id))
            .where(col(Space.org_id) == org_id)
            .order_by(col(Space.name))
        ).all():
            granted[user_id].append(SpaceAccess(space, role))
        teams: dict[int, list[str]] = defaultdict(list)
        for user_id, team in session.exec(
            select(col(TeamMember.user_id), col(Team.name))
            .join(Team, col(Team.id) == col(TeamMember.team_id))
            .where(col(Team.org_id) == org_id)
            .order_by(col(Team.name))
        ).all():
            teams[user_id].append(team)
        usage: dict[int, tuple[int, datetime | None]] = {
            author: (count, last)
            for author, count, last in session.exec(
                select(col(Token.author_id), func.count(), func.max(col(Token.last_used_at)))
                .join(Membership, col(Membership.user_id) == col(Token.author_id))
                .where(
                    col(Membership.org_id) == org_id,
                    col(Token.revoked_at).is_(None),
                    (col(Token.org_id).is_(None)) | (col(Token.org_id) == org_id),
                )
                .group_by(col(Token.author_id))
            ).all()
        }
        result = []
        for user, membership in rows:
            uid = user.id or 0
            role = OrgRole(membership.role)
            spaces = (
                tuple(SpaceAccess(n, "admin (via organization role)") for n in all_spaces)
                if role.is_admin
                else tuple(granted.get(uid, ()))
            )
            view = MemberView(
                user_id=uid,
                email=user.email,
                name=user.name,
                role=role,
                sso_bypass=membership.sso_bypass,
                spaces=spaces,
                teams=tuple(teams.get(uid, ())),
                joined_at=membership.created_at,
            )
            count, last = usage.get(uid, (0, None))
            overview = MemberOverview(view, count, last)
            if not no_space_role or not overview.has_space_role:
                result.append(overview)
        return result
