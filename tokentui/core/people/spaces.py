"""Spaces: creating one (with its environments, branches and aliases), granting roles in it, listing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.audit import record
from tokentui.core.dates import Clock
from tokentui.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from tokentui.core.models import Environment, Space, SpaceMembership, User
from tokentui.core.people.actors import Actor
from tokentui.core.results import CreatedToken, SpaceView
from tokentui.core.rules import check_name, normalise_name
from tokentui.core.store import Store
from tokentui.core.tokens.create import insert_token
from tokentui.core.tokens.secret_format import new_id
from tokentui.core.vocabulary import KINDS, TokenKind, parse_space_role
from tokentui.settings import LIMITS


def add_space(
    store: Store,
    clock: Clock,
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
    now = clock()
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
        raise InvalidInput(f"{sorted(clash)[0]!r} is named twice among environments, branches and aliases")
    for alias, target in alias_pairs:
        if target not in branch_names:
            raise InvalidInput(f"alias {alias!r} points at {target!r}, which is not a branch of the space")
    with store.write() as session:
        lookups.lock_org(session, actor.org_id)
        lookups.require_admin(session, actor)
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
        record(
            session,
            at=clock(),
            org_id=actor.org_id,
            actor_id=actor.user_id,
            action="space.create",
            target_type="space",
            target_id=space.id,
            summary=f"created space {space_name!r}",
        )
        legacy = None
        if created_at.date() < LIMITS.legacy_access_cutoff:
            legacy = insert_token(
                session,
                clock,
                kind=TokenKind.LEGACY_ACCESS,
                name=f"{space_name} access token",
                author_id=actor.user_id,
                org_id=actor.org_id,
                space=space,
                environment=None,
                branches=(),
                scopes=tuple(s.value for s in KINDS[TokenKind.LEGACY_ACCESS].fixed_scopes),
                app_name=None,
                expires_at=None,
                notify=False,
                author_email=actor.email,
            )
        session.flush()
        return space_view(session, space), legacy


def grant(store: Store, clock: Clock, actor: Actor, space_name: str, email: str, role: str) -> None:
    """Give a member a role in a space (replacing any role they had there)."""
    space_role = parse_space_role(role)
    with store.write() as session:
        lookups.lock_org(session, actor.org_id)
        org_role = lookups.current_role(session, actor)
        space = lookups.space(session, actor.org_id, space_name)
        if not lookups.standing(session, space, actor.user_id, org_role).is_space_admin:
            raise NotAllowed(
                "only organization admins and the space's owner and admins can grant space roles"
            )
        user = lookups.user(session, email)
        assert user.id is not None and space.id is not None
        if lookups.membership(session, actor.org_id, user.id) is None:
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
        record(
            session,
            at=clock(),
            org_id=actor.org_id,
            actor_id=actor.user_id,
            action="space.grant",
            target_type="space",
            target_id=space.id,
            summary=f"granted {user.email} the {space_role.value} role in {space.name!r}",
        )


def spaces(store: Store, actor: Actor) -> list[SpaceView]:
    """The spaces of the actor's organization."""
    with store.read() as session:
        lookups.current_role(session, actor)
        rows = session.exec(
            select(Space).where(col(Space.org_id) == actor.org_id).order_by(col(Space.name))
        ).all()
        return [space_view(session, s) for s in rows]


def space_view(session: Session, space: Space) -> SpaceView:
    """The space with its environments, branches and aliases."""
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
