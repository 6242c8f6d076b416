"""What every part of the service shares: the store, the clock, the acting user, the audit log."""

from __future__ import annotations

import secrets as _random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, or_, update
from sqlmodel import Session, col, select

from tokentui.core import audit_chain, secrets  # noqa: F401  (audit_chain chains every audit event as it is inserted)
from tokentui.core.errors import InvalidInput, NotAllowed, NotFound
from tokentui.core.kinds import OrgRole, SpaceRole, TokenKind, parse_enum
from tokentui.core.models import AuditEvent, Membership, Organization, Space, SpaceMembership, Token, User
from tokentui.core.rules import SpaceStanding, is_org_admin, normalise_name
from tokentui.core.secrets import ALPHABET
from tokentui.core.store import Prepared, Store
from tokentui.core.views import CreatedToken, to_view

Clock = Callable[[], datetime]
# lastUsedAt is kept to this resolution: a success within it of the recorded use writes nothing.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_TOKENS = Token.__table__  # type: ignore[attr-defined]
# One token's lastUsedAt, moved forward only when the recorded use is older than the resolution.
_MARK_USED = Prepared(
    update(_TOKENS)
    .where(
        _TOKENS.c.id == bindparam("token_id"),
        or_(_TOKENS.c.last_used_at.is_(None), _TOKENS.c.last_used_at < bindparam("stale")),
    )
    .values(last_used_at=bindparam("at"))
)


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def new_id(length: int = 22) -> str:
    """A random public identifier in base62, like Contentful's resource ids."""
    return "".join(_random.choice(ALPHABET) for _ in range(length))


def normalise_email(email: str) -> str:
    """An e-mail address, trimmed and lower-cased, or InvalidInput."""
    value = email.strip().lower()
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() or ord(c) < 32 for c in value):
        raise InvalidInput(f"not an e-mail address: {email!r}")
    if len(value) > 254:
        raise InvalidInput("the e-mail address is longer than 254 characters")
    return value


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
        return self.role is not None and is_org_admin(self.role)


class ServiceBase:
    """The store and the clock; helpers that load facts inside a transaction."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock

    def now(self) -> datetime:
        """The service's current instant (injectable for tests)."""
        return self.clock()

    # -- the acting user ------------------------------------------------------

    def actor(self, email: str, org: str | None = None) -> Actor:
        """Resolve ``email`` (and ``org``, needed when the user belongs to several) to an Actor."""
        address = normalise_email(email)
        with self.store.read() as session:
            user = session.exec(select(User).where(col(User.email) == address)).first()
            if user is None or user.id is None:
                raise NotFound(f"no user {address}")
            rows = session.exec(
                select(Organization, Membership)
                .join(Membership, col(Membership.org_id) == col(Organization.id))
                .where(col(Membership.user_id) == user.id)
                .order_by(col(Organization.name))
            ).all()
        if org is not None:
            org = normalise_name(org)
            for organization, membership in rows:
                if organization.name == org:
                    return Actor(
                        user.id, address, organization.id, organization.name, OrgRole(membership.role)
                    )
            raise NotFound(f"{address} is not a member of an organization named {org!r}")
        if len(rows) == 1:
            organization, membership = rows[0]
            return Actor(user.id, address, organization.id, organization.name, OrgRole(membership.role))
        if not rows:
            return Actor(user.id, address, None, None, None)
        names = ", ".join(o.name for o, _ in rows)
        raise InvalidInput(f"{address} belongs to several organizations ({names}); choose one with --org")

    # -- facts loaded inside a transaction ------------------------------------

    @staticmethod
    def _membership(session: Session, org_id: int | None, user_id: int) -> Membership | None:
        if org_id is None:
            return None
        return session.exec(
            select(Membership).where(col(Membership.org_id) == org_id, col(Membership.user_id) == user_id)
        ).first()

    def _current_role(self, session: Session, actor: Actor) -> OrgRole:
        """The actor's role now (it may have changed since the Actor was made)."""
        membership = self._membership(session, actor.org_id, actor.user_id)
        if membership is None:
            raise NotAllowed(f"{actor.email} is not a member of this organization")
        return OrgRole(membership.role)

    def _require_admin(self, session: Session, actor: Actor) -> OrgRole:
        role = self._current_role(session, actor)
        if not is_org_admin(role):
            raise NotAllowed("only organization owners and admins can do this")
        return role

    @staticmethod
    def _space(session: Session, org_id: int | None, name: str, *, lock: bool = False) -> Space:
        name = normalise_name(name)
        if org_id is None:
            raise NotFound(f"no space {name!r}: you are not in an organization")
        stmt = select(Space).where(col(Space.org_id) == org_id, col(Space.name) == name)
        if lock:
            stmt = stmt.with_for_update()
        space = session.exec(stmt).first()
        if space is None:
            raise NotFound(f"no space {name!r} in this organization")
        return space

    @staticmethod
    def _standing(session: Session, space: Space, user_id: int, org_role: OrgRole) -> SpaceStanding:
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

    @staticmethod
    def _user(session: Session, email: str) -> User:
        address = normalise_email(email)
        user = session.exec(select(User).where(col(User.email) == address)).first()
        if user is None:
            raise NotFound(f"no user {address}")
        return user

    def _insert_token(
        self,
        session: Session,
        *,
        kind: TokenKind,
        name: str,
        author_id: int,
        org_id: int | None,
        space: Space | None,
        environment: str | None,
        branches: tuple[str, ...],
        scopes: tuple[str, ...],
        app_name: str | None,
        expires_at: datetime | None,
        notify: bool,
        author_email: str,
        replaces: str | None = None,
    ) -> CreatedToken:
        """Insert a token with a fresh secret and its audit event; the answer carries the secret."""
        now = self.now()
        secret = secrets.generate(kind)
        token = Token(
            id=new_id(),
            kind=kind.value,
            name=name,
            author_id=author_id,
            org_id=org_id,
            space_id=space.id if space else None,
            environment=environment,
            branches=" ".join(branches),
            scopes=" ".join(scopes),
            app_name=app_name,
            secret_hash=secrets.hash_secret(secret),
            last4=secrets.last_four(secret),
            notify=notify,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
        session.add(token)
        where = f" in {space.name!r}" if space else ""
        summary = f"{'reset' if replaces else 'created'} {kind.label.lower()} {name!r} …{token.last4}{where}"
        for audit_org_id in self._audit_orgs(session, token):
            self._record(
                session,
                org_id=audit_org_id,
                actor_id=author_id,
                action="token.reset" if replaces else "token.create",
                target_type="token",
                target_id=token.id,
                summary=summary + (f" (replaces {replaces})" if replaces else ""),
            )
        session.flush()
        return CreatedToken(to_view(token, author_email, space.name if space else None, now), secret)

    def mark_used(self, token_ids: Iterable[str], at: datetime) -> None:
        """Record ``lastUsedAt`` for tokens that verified successfully.

        Kept to :data:`LAST_USED_RESOLUTION`: a token whose recorded use is more
        recent than that before ``at`` is left alone (and a use is never moved
        backwards), so a busy token costs one write a minute, not one per request.
        """
        ids = list(token_ids)
        if not ids:
            return
        with self.store.hot(write=True) as conn:
            conn.execute(
                _MARK_USED,
                [{"token_id": token_id, "at": at, "stale": at - LAST_USED_RESOLUTION} for token_id in ids],
            )

    # -- audit ----------------------------------------------------------------

    @staticmethod
    def _audit_orgs(session: Session, token: Token) -> list[int | None]:
        """The audit logs an event about ``token`` belongs in, one event row each.

        A space token reaches its space's organization; a user's token (personal,
        OAuth, authtoken) reaches every organization its author is a member of, so
        each of those logs shows it. One row per organization keeps each log a plain
        indexed query. A token whose author is in no organization gets one row with none.
        """
        if token.org_id is not None:
            return [token.org_id]
        orgs = session.exec(
            select(Membership.org_id)
            .where(col(Membership.user_id) == token.author_id)
            .order_by(col(Membership.org_id))
        ).all()
        return list(orgs) or [None]

    def _record(
        self,
        session: Session,
        *,
        org_id: int | None,
        actor_id: int | None,
        action: str,
        target_type: str,
        target_id: object,
        summary: str,
        at: datetime | None = None,
    ) -> None:
        """Append one audit event in the same transaction as the change it describes."""
        session.add(
            AuditEvent(
                at=at or self.now(),
                org_id=org_id,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=str(target_id),
                summary=summary,
            )
        )


def parse_org_role(value: str) -> OrgRole:
    """An organization role from user input."""
    return parse_enum(OrgRole, value, "organization role")


def parse_space_role(value: str) -> SpaceRole:
    """A space role from user input."""
    return parse_enum(SpaceRole, value, "space role")
