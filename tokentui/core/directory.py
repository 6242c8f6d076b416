"""Organizations, members, teams and spaces: the people and places tokens belong to."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from tokentui.core.base import Actor, ServiceBase, new_id, normalise_email, parse_org_role, parse_space_role
from tokentui.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tokentui.core.kinds import USER_KINDS, OrgRole, TokenKind
from tokentui.core.models import (
    Environment,
    Membership,
    Organization,
    Space,
    SpaceMembership,
    Team,
    TeamMember,
    Token,
    User,
)
from tokentui.core.rules import check_name, check_no_secret, is_org_admin, normalise_name
from tokentui.core.views import CreatedToken, MemberView, OrgView, RemovedMember, SpaceAccess, SpaceView
from tokentui.settings import LIMITS


class Directory(ServiceBase):
    """Operations on organizations, members and spaces."""

    # -- organizations --------------------------------------------------------

    def init_org(self, name: str, owner_email: str, *, sso: bool = False) -> OrgView:
        """Create an organization and its owner (the user is created if new)."""
        org_name = check_name(name, 100, "organization name")
        email = normalise_email(owner_email)
        now = self.now()
        with self.store.write() as session:
            if session.exec(select(Organization).where(col(Organization.name) == org_name)).first():
                raise Conflict(f"an organization named {org_name!r} already exists")
            user = self._get_or_create_user(session, email, now)
            org = Organization(name=org_name, sso_enabled=sso, created_at=now)
            session.add(org)
            session.flush()
            assert org.id is not None and user.id is not None
            session.add(Membership(org_id=org.id, user_id=user.id, role=OrgRole.OWNER, created_at=now))
            self._record(
                session,
                org_id=org.id,
                actor_id=user.id,
                action="org.create",
                target_type="organization",
                target_id=org.id,
                summary=f"created organization {org_name!r} owned by {email}" + (" with SSO" if sso else ""),
            )
            return OrgView(org.id, org.name, org.sso_enabled, OrgRole.OWNER)

    def organizations(self, email: str) -> list[OrgView]:
        """Every organization the user belongs to, with their role (for the org switcher)."""
        address = normalise_email(email)
        with self.store.read() as session:
            rows = session.exec(
                select(Organization, Membership)
                .join(Membership, col(Membership.org_id) == col(Organization.id))
                .join(User, col(User.id) == col(Membership.user_id))
                .where(col(User.email) == address)
                .order_by(col(Organization.name))
            ).all()
            return [OrgView(o.id or 0, o.name, o.sso_enabled, OrgRole(m.role)) for o, m in rows]

    def is_empty(self) -> bool:
        """Whether the store holds no organization at all (the console then offers demo data)."""
        with self.store.read() as session:
            return session.exec(select(col(Organization.id)).limit(1)).first() is None

    def any_admin(self) -> tuple[str, str] | None:
        """(e-mail, organization) of some owner, to open the console as when no user is named."""
        with self.store.read() as session:
            row = session.exec(
                select(col(User.email), col(Organization.name))
                .join(Membership, col(Membership.user_id) == col(User.id))
                .join(Organization, col(Organization.id) == col(Membership.org_id))
                .where(col(Membership.role) == OrgRole.OWNER.value)
                .order_by(col(Organization.id), col(Membership.id))
                .limit(1)
            ).first()
            return (row[0], row[1]) if row else None

    # -- members --------------------------------------------------------------

    def add_member(
        self, actor: Actor, email: str, role: str, *, sso_bypass: bool = False, name: str = ""
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
        now = self.now()
        with self.store.write() as session:
            self._lock_org(session, actor.org_id)
            actor_role = self._require_admin(session, actor)
            if new_role is OrgRole.OWNER and actor_role is not OrgRole.OWNER:
                raise NotAllowed("only owners can add owners")
            user = self._get_or_create_user(session, address, now, display)
            assert user.id is not None and actor.org_id is not None
            if self._membership(session, actor.org_id, user.id) is not None:
                raise Conflict(f"{address} is already a member of {actor.org_name}")
            session.add(
                Membership(
                    org_id=actor.org_id, user_id=user.id, role=new_role, sso_bypass=sso_bypass, created_at=now
                )
            )
            self._record(
                session,
                org_id=actor.org_id,
                actor_id=actor.user_id,
                action="member.add",
                target_type="user",
                target_id=address,
                summary=f"added {address} as {new_role.value}" + (" with SSO bypass" if sso_bypass else ""),
            )
            session.flush()
            return self._member_view(session, actor.org_id, user)

    def remove_member(self, actor: Actor, email: str) -> RemovedMember:
        """Remove a member: their personal, OAuth and session tokens lose access to the organization."""
        with self.store.write() as session:
            self._lock_org(session, actor.org_id)
            actor_role = self._require_admin(session, actor)
            user = self._user(session, email)
            assert user.id is not None and actor.org_id is not None
            membership = self._membership(session, actor.org_id, user.id)
            if membership is None:
                raise NotFound(f"{user.email} is not a member of {actor.org_name}")
            if membership.role == OrgRole.OWNER:
                if actor_role is not OrgRole.OWNER:
                    raise NotAllowed("only owners can remove an owner")
                owners = session.exec(
                    select(func.count())
                    .select_from(Membership)
                    .where(
                        col(Membership.org_id) == actor.org_id, col(Membership.role) == OrgRole.OWNER.value
                    )
                ).one()
                if owners <= 1:
                    raise NotAllowed("the last owner cannot be removed from the organization")
            now = self.now()
            cut_off = session.exec(
                select(func.count())
                .select_from(Token)
                .where(
                    col(Token.author_id) == user.id,
                    col(Token.kind).in_([k.value for k in USER_KINDS]),
                    col(Token.revoked_at).is_(None),
                    (col(Token.expires_at).is_(None)) | (col(Token.expires_at) > now),
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
            self._record(
                session,
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

    def member(self, actor: Actor, email: str) -> MemberView:
        """One member with their spaces and teams (the author drill-down).

        Owners and admins see any member; a member sees only themselves, and is
        refused the same way whether or not the other address belongs to anyone.
        """
        address = normalise_email(email)
        with self.store.read() as session:
            role = self._current_role(session, actor)
            if not is_org_admin(role) and address != actor.email:
                raise NotAllowed("only organization owners and admins can see other members")
            user = self._user(session, address)
            if actor.org_id is None or self._membership(session, actor.org_id, user.id or 0) is None:
                raise NotFound(f"{user.email} is not a member of {actor.org_name}")
            return self._member_view(session, actor.org_id, user)

    def members(self, actor: Actor) -> list[MemberView]:
        """Every member of the actor's organization (owners and admins, as Contentful's members page)."""
        with self.store.read() as session:
            if not is_org_admin(self._current_role(session, actor)):
                raise NotAllowed("only organization owners and admins can list the organization's members")
            users = session.exec(
                select(User)
                .join(Membership, col(Membership.user_id) == col(User.id))
                .where(col(Membership.org_id) == actor.org_id)
                .order_by(col(User.email))
            ).all()
            assert actor.org_id is not None
            return [self._member_view(session, actor.org_id, u) for u in users]

    def add_team(self, actor: Actor, name: str, emails: Iterable[str] = ()) -> str:
        """Create a team of members."""
        team_name = check_name(name, 100, "team name")
        with self.store.write() as session:
            self._lock_org(session, actor.org_id)
            self._require_admin(session, actor)
            assert actor.org_id is not None
            if session.exec(
                select(Team).where(col(Team.org_id) == actor.org_id, col(Team.name) == team_name)
            ).first():
                raise Conflict(f"a team named {team_name!r} already exists")
            team = Team(org_id=actor.org_id, name=team_name)
            session.add(team)
            session.flush()
            for email in emails:
                user = self._user(session, email)
                if self._membership(session, actor.org_id, user.id or 0) is None:
                    raise NotFound(f"{user.email} is not a member of {actor.org_name}")
                session.add(TeamMember(team_id=team.id or 0, user_id=user.id or 0))
            self._record(
                session,
                org_id=actor.org_id,
                actor_id=actor.user_id,
                action="team.create",
                target_type="team",
                target_id=team.id,
                summary=f"created team {team_name!r}",
            )
            return team_name

    # -- spaces ---------------------------------------------------------------

    def add_space(
        self,
        actor: Actor,
        name: str,
        *,
        created: date | None = None,
        environments: Iterable[str] = (),
        branches: Iterable[str] = (),
        aliases: Iterable[tuple[str, str]] = (),
    ) -> tuple[SpaceView, CreatedToken | None]:
        """Create a space; one created before 2020-12-16 comes with its legacy access token."""
        space_name = check_name(name, 100, "space name")
        now = self.now()
        created_at = now if created is None else datetime.combine(created, time(12), tzinfo=UTC)
        if created_at > now:
            raise InvalidInput("a space cannot be created in the future")
        env_names = _unique_names(environments or ["master"], "environment")
        branch_names = _unique_names(branches or ["main"], "branch")
        alias_pairs = [(check_name(a, 64, "alias"), normalise_name(b)) for a, b in aliases]
        clash = set(env_names) & set(branch_names) | {a for a, _ in alias_pairs} & (
            set(env_names) | set(branch_names)
        )
        if clash:
            raise InvalidInput(
                f"{sorted(clash)[0]!r} is named twice among environments, branches and aliases"
            )
        for alias, target in alias_pairs:
            if target not in branch_names:
                raise InvalidInput(
                    f"alias {alias!r} points at {target!r}, which is not a branch of the space"
                )
        with self.store.write() as session:
            self._lock_org(session, actor.org_id)
            self._require_admin(session, actor)
            assert actor.org_id is not None
            if session.exec(
                select(Space).where(col(Space.org_id) == actor.org_id, col(Space.name) == space_name)
            ).first():
                raise Conflict(f"a space named {space_name!r} already exists")
            space = Space(
                org_id=actor.org_id,
                name=space_name,
                api_key=new_id(24),
                owner_id=actor.user_id,
                created_at=created_at,
            )
            session.add(space)
            session.flush()
            assert space.id is not None
            for env in env_names:
                session.add(Environment(space_id=space.id, name=env))
            for branch in branch_names:
                session.add(Environment(space_id=space.id, name=branch, is_branch=True))
            for alias, target in alias_pairs:
                session.add(Environment(space_id=space.id, name=alias, is_branch=True, alias_of=target))
            self._record(
                session,
                org_id=actor.org_id,
                actor_id=actor.user_id,
                action="space.create",
                target_type="space",
                target_id=space.id,
                summary=f"created space {space_name!r}",
            )
            legacy = None
            if created_at.date() < LIMITS.legacy_access_cutoff:
                legacy = self._insert_token(
                    session,
                    kind=TokenKind.LEGACY_ACCESS,
                    name=f"{space_name} access token",
                    author_id=actor.user_id,
                    org_id=actor.org_id,
                    space=space,
                    environment=None,
                    branches=(),
                    scopes=("content_delivery_preview",),
                    app_name=None,
                    expires_at=None,
                    notify=False,
                    author_email=actor.email,
                )
            session.flush()
            return self._space_view(session, space), legacy

    def grant(self, actor: Actor, space_name: str, email: str, role: str) -> None:
        """Give a member a role in a space (replacing any role they had there)."""
        space_role = parse_space_role(role)
        with self.store.write() as session:
            self._lock_org(session, actor.org_id)
            org_role = self._current_role(session, actor)
            space = self._space(session, actor.org_id, space_name)
            if not self._standing(session, space, actor.user_id, org_role).is_space_admin:
                raise NotAllowed(
                    "only organization admins and the space's owner and admins can grant space roles"
                )
            user = self._user(session, email)
            assert user.id is not None and space.id is not None
            if self._membership(session, actor.org_id, user.id) is None:
                raise NotFound(f"{user.email} is not a member of {actor.org_name}; add them first")
            existing = session.exec(
                select(SpaceMembership).where(
                    col(SpaceMembership.space_id) == space.id, col(SpaceMembership.user_id) == user.id
                )
            ).first()
            if existing is None:
                session.add(SpaceMembership(space_id=space.id, user_id=user.id, role=space_role))
            else:
                existing.role = space_role
                session.add(existing)
            self._record(
                session,
                org_id=actor.org_id,
                actor_id=actor.user_id,
                action="space.grant",
                target_type="space",
                target_id=space.id,
                summary=f"granted {user.email} the {space_role.value} role in {space.name!r}",
            )

    def spaces(self, actor: Actor) -> list[SpaceView]:
        """The spaces of the actor's organization."""
        with self.store.read() as session:
            self._current_role(session, actor)
            rows = session.exec(
                select(Space).where(col(Space.org_id) == actor.org_id).order_by(col(Space.name))
            ).all()
            return [self._space_view(session, s) for s in rows]

    # -- helpers --------------------------------------------------------------

    @staticmethod
    def _lock_org(session: Session, org_id: int | None) -> None:
        """Queue this transaction behind others changing the organization's members and spaces.

        Each of these writes checks, then inserts or deletes. On PostgreSQL (READ
        COMMITTED) two of them at once would both pass the check: two removals of
        one member both recorded a removal, owners removing each other could both
        pass the last-owner check, and two additions of one member (or space, team
        or space role) failed on the unique constraint instead of the rule. Every
        read after this lock sees the earlier transactions' commits. SQLite's
        ``BEGIN IMMEDIATE`` already serializes writers, so there it changes nothing.
        """
        if org_id is not None:
            session.exec(
                select(Organization.id).where(col(Organization.id) == org_id).with_for_update()
            ).first()

    @staticmethod
    def _get_or_create_user(session: Session, email: str, now: datetime, name: str = "") -> User:
        user = session.exec(select(User).where(col(User.email) == email)).first()
        if user is None:
            user = User(email=email, name=name, created_at=now)
            session.add(user)
            session.flush()
        return user

    @staticmethod
    def _member_view(session: Session, org_id: int, user: User) -> MemberView:
        membership = session.exec(
            select(Membership).where(col(Membership.org_id) == org_id, col(Membership.user_id) == user.id)
        ).one()
        role = OrgRole(membership.role)
        if role in (OrgRole.OWNER, OrgRole.ADMIN):
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

    @staticmethod
    def _space_view(session: Session, space: Space) -> SpaceView:
        envs = session.exec(
            select(Environment).where(col(Environment.space_id) == space.id).order_by(col(Environment.id))
        ).all()
        owner = session.get(User, space.owner_id)
        return SpaceView(
            id=space.id or 0,
            name=space.name,
            api_key=space.api_key,
            owner=owner.email if owner else "",
            created_at=space.created_at,
            environments=tuple(e.name for e in envs if not e.is_branch),
            branches=tuple(e.name for e in envs if e.is_branch and e.alias_of is None),
            aliases=tuple((e.name, e.alias_of) for e in envs if e.alias_of is not None),
        )


def _unique_names(names: Iterable[str], what: str) -> list[str]:
    result: list[str] = []
    for raw in names:
        name = check_name(raw, 64, what)
        if name in result:
            raise InvalidInput(f"the {what} {name!r} is named twice")
        result.append(name)
    return result
