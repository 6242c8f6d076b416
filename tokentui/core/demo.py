"""Demo data: a believable organization, so the console is worth opening at once.

The secrets of demo tokens are generated like real ones and thrown away: only
their hashes and last four characters are stored, as for every token.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from tokentui.core.audit import record
from tokentui.core.errors import Conflict
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
from tokentui.core.tokens import secret_format
from tokentui.core.tokens.secret_format import new_id
from tokentui.core.vocabulary import OrgRole, RevokeReason, Scope, SpaceRole, TokenKind

if TYPE_CHECKING:
    from tokentui.core.service import Service

DEMO_ORG = "Northwind Media"
DEMO_OWNER = "ada.lovelace@northwind.example"
FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Guido",
    "Hedy",
    "Donald",
    "Sophie",
    "Tim",
    "Annie",
    "John",
    "Mary",
    "Niklaus",
    "Joan",
    "Bjarne",
    "Evelyn",
    "James",
    "Lynn",
    "Vint",
    "Adele",
    "Yukihiro",
    "Shafi",
    "Leslie",
    "Ellen",
    "Brian",
    "Carol",
    "Rob",
    "Karen",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "van Rossum",
    "Lamarr",
    "Knuth",
    "Wilson",
    "Berners-Lee",
    "Easley",
    "McCarthy",
    "Keller",
    "Wirth",
    "Clarke",
    "Stroustrup",
    "Berezin",
    "Gosling",
    "Conway",
    "Cerf",
    "Goldberg",
    "Matsumoto",
    "Goldwasser",
    "Lamport",
    "Spertus",
    "Kernighan",
    "Shaw",
    "Pike",
    "Spärck Jones",
]
TEAMS = {"Web": 8, "Mobile": 6, "Editorial": 9, "Platform": 5, "Growth": 5}
SPACES = [
    ("Marketing site", date(2019, 3, 4), ["master", "staging", "qa"]),
    ("Mobile app", date(2020, 6, 10), ["master", "staging"]),
    ("Docs portal", date(2021, 2, 18), ["master", "preview"]),
    ("Brand hub", date(2022, 9, 1), ["master"]),
    ("Partner portal", date(2023, 5, 23), ["master", "staging"]),
    ("Newsroom", date(2024, 1, 15), ["master", "staging", "sandbox"]),
]
PAT_NAMES = [
    "CI deploy",
    "local dev",
    "migration script",
    "content import",
    "backup job",
    "Netlify build",
    "Gatsby preview",
    "contentful-cli",
    "release bot",
    "schema sync",
    "webhook relay",
    "Zapier",
    "data export",
    "search indexer",
    "translation sync",
    "QA automation",
    "staging seed",
]
APPS = ["Contentful CLI", "Slack app", "Netlify", "Vercel", "Zapier", "Smartling", "Bynder"]


def fill_demo(
    service: Service,
    *,
    tokens: int | None = None,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """Fill the store with the demo organization; ``tokens`` adds that many more in bulk
    (``progress(done, tokens)`` is told after each batch)."""
    rng = random.Random(seed)
    now = service.now()
    with service.store.read() as session:
        exists = session.exec(select(Organization).where(Organization.name == DEMO_ORG)).first() is not None
    if exists:
        if not tokens:
            raise Conflict(f"the demo organization {DEMO_ORG!r} is already in this store")
        from tokentui.core.bulk import bulk_tokens

        bulk_tokens(service, DEMO_ORG, tokens, seed=seed, progress=progress)
        return f"Added {tokens:,} bulk tokens to the demo organization {DEMO_ORG!r}."
    with service.store.write() as session:
        org, users, spaces = _people_and_places(session, rng, now)
        count = _tokens(session, rng, now, org, users, spaces)
        record(
            session,
            at=now,
            org_id=org.id,
            actor_id=users[0].id,
            action="demo.fill",
            target_type="organization",
            target_id=str(org.id),
            summary=f"filled demo organization {DEMO_ORG!r} with {count} tokens",
        )
    extra = ""
    if tokens:
        from tokentui.core.bulk import bulk_tokens

        bulk_tokens(service, DEMO_ORG, tokens, seed=seed, progress=progress)
        extra = f" and {tokens:,} bulk tokens"
    return (
        f"Filled demo organization {DEMO_ORG!r}: {len(users)} members, {len(spaces)} spaces, "
        f"{count} tokens{extra}. Owner: {DEMO_OWNER}"
    )


def _people_and_places(
    session: Session, rng: random.Random, now: datetime
) -> tuple[Organization, list[User], list[Space]]:
    org = Organization(name=DEMO_ORG, sso_enabled=True, created_at=datetime(2019, 1, 7, 9, tzinfo=UTC))
    session.add(org)
    existing = {u.email: u for u in session.exec(select(User)).all()}
    users: list[User] = []
    for first, last in zip(FIRST, LAST, strict=True):
        email = f"{first}.{last.split()[-1]}@northwind.example".lower().replace("ä", "a")
        user = existing.get(email) or User(
            email=email, name=f"{first} {last}", created_at=now - timedelta(days=rng.randint(60, 2400))
        )
        session.add(user)
        users.append(user)
    session.flush()
    assert org.id is not None
    for index, user in enumerate(users):
        role = OrgRole.OWNER if index == 0 else OrgRole.ADMIN if index < 4 else OrgRole.MEMBER
        session.add(
            Membership(
                org_id=org.id,
                user_id=user.id or 0,
                role=role,
                sso_bypass=index % 5 == 0,
                created_at=max(user.created_at, org.created_at),
            )
        )
    pool = users[4:]
    for name, size in TEAMS.items():
        team = Team(org_id=org.id, name=name)
        session.add(team)
        session.flush()
        for member in rng.sample(pool, size):
            session.add(TeamMember(team_id=team.id or 0, user_id=member.id or 0))
    spaces: list[Space] = []
    for index, (name, created, envs) in enumerate(SPACES):
        space = Space(
            org_id=org.id,
            name=name,
            api_key=new_id(24),
            owner_id=users[index % 4].id or 0,
            created_at=datetime(created.year, created.month, created.day, 10, tzinfo=UTC),
        )
        session.add(space)
        session.flush()
        for env in envs:
            session.add(Environment(space_id=space.id or 0, name=env))
        session.add(Environment(space_id=space.id or 0, name="main", is_branch=True))
        session.add(Environment(space_id=space.id or 0, name="develop", is_branch=True))
        session.add(Environment(space_id=space.id or 0, name="live", is_branch=True, alias_of="main"))
        roles = [
            SpaceRole.ADMIN,
            SpaceRole.DEVELOPER,
            SpaceRole.DEVELOPER,
            SpaceRole.CONTENT_MANAGER,
            SpaceRole.CONTENT_MANAGER,
            SpaceRole.CONTENT_MANAGER,
        ]
        for member in rng.sample(pool, 9):
            session.add(
                SpaceMembership(space_id=space.id or 0, user_id=member.id or 0, role=rng.choice(roles))
            )
        spaces.append(space)
    return org, users, spaces


def _tokens(
    session: Session,
    rng: random.Random,
    now: datetime,
    org: Organization,
    users: list[User],
    spaces: list[Space],
) -> int:
    rows: list[Token] = []

    def add(
        kind: TokenKind,
        name: str,
        author: User,
        created: datetime,
        *,
        space: Space | None = None,
        environment: str | None = None,
        scopes: tuple[str, ...] = (),
        app: str | None = None,
        expires: datetime | None = None,
        revoked: datetime | None = None,
        reason: RevokeReason | None = None,
    ) -> None:
        secret = secret_format.generate(kind)
        rows.append(
            Token(
                id=new_id(),
                kind=kind.value,
                name=name,
                author_id=author.id or 0,
                org_id=org.id if space else None,
                space_id=space.id if space else None,
                environment=environment,
                scopes=" ".join(
                    scopes or [s.value for s in kind.spec.fixed_scopes or kind.spec.default_scopes]
                ),
                app_name=app,
                secret_hash=secret_format.hash_secret(secret),
                last4=secret_format.last_four(secret),
                created_at=created,
                updated_at=revoked or created,
                expires_at=expires,
                revoked_at=revoked,
                revoked_reason=reason.value if reason else None,
                last_used_at=min(now, created + timedelta(hours=rng.randint(1, 900)))
                if rng.random() < 0.7
                else None,
            )
        )

    def created_at() -> datetime:
        return now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))

    def lifecycle(created: datetime) -> tuple[datetime | None, datetime | None, RevokeReason | None]:
        expires = None
        choice = rng.random()
        if choice < 0.75:
            days = rng.choice([7, 30, 30, 30, 60, 90, 180, 365])
            expires = created + timedelta(days=days)
        roll = rng.random()
        if roll < 0.15:
            return (
                expires,
                created + (min(expires, now) - created if expires else now - created) * rng.random(),
                RevokeReason.BY_USER,
            )
        return expires, None, None

    for _ in range(150):
        author = rng.choice(users)
        created = created_at()
        expires, revoked, reason = lifecycle(created)
        scope = rng.choice(
            [(Scope.CM_MANAGE.value,), (Scope.CM_READ.value,), (Scope.CM_READ.value, Scope.CM_MANAGE.value)]
        )
        add(
            TokenKind.PERSONAL,
            rng.choice(PAT_NAMES),
            author,
            created,
            scopes=scope,
            expires=expires,
            revoked=revoked,
            reason=reason,
        )
    # A few that expire within the week, so the reminder view has something to show.
    for days in (1, 2, 3, 5, 6):
        created = now - timedelta(days=30 - days)
        add(
            TokenKind.PERSONAL,
            rng.choice(PAT_NAMES),
            rng.choice(users),
            created,
            expires=created + timedelta(days=30),
        )
    for _ in range(35):
        created = created_at()
        expires, revoked, reason = lifecycle(created)
        app = rng.choice(APPS)
        add(
            TokenKind.OAUTH,
            f"{app} on behalf of user",
            rng.choice(users),
            created,
            app=app,
            expires=expires,
            revoked=revoked,
            reason=reason,
        )
    for author in rng.sample(users, 12):
        for index in range(rng.randint(2, 8)):
            created = created_at()
            revoked = created + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.3 else None
            add(
                TokenKind.SESSION,
                f"login {index + 1}",
                author,
                created,
                revoked=revoked if revoked and revoked < now else None,
                reason=RevokeReason.BY_USER if revoked and revoked < now else None,
            )
    for space, (_, created_day, envs) in zip(spaces, SPACES, strict=True):
        for _ in range(rng.randint(5, 14)):
            created = max(created_at(), space.created_at)
            env = rng.choice(envs)
            revoked = created + timedelta(days=rng.randint(1, 60)) if rng.random() < 0.15 else None
            add(
                TokenKind.DELIVERY,
                f"{env} website",
                rng.choice(users[:12]),
                created,
                space=space,
                environment=env,
                revoked=revoked if revoked and revoked < now else None,
                reason=RevokeReason.BY_USER if revoked and revoked < now else None,
            )
        for _ in range(rng.randint(2, 6)):
            created = max(created_at(), space.created_at)
            expires = created + timedelta(days=rng.choice([90, 180, 365])) if rng.random() < 0.5 else None
            add(
                TokenKind.MANAGEMENT,
                rng.choice(["import pipeline", "translation vendor", "migration"]),
                rng.choice(users[:4]),
                created,
                space=space,
                scopes=rng.choice([("read",), ("read", "write")]),
                expires=expires,
            )
        if created_day < date(2020, 12, 16):
            old = space.created_at + timedelta(days=3)
            add(
                TokenKind.LEGACY_ACCESS,
                f"{space.name} access token",
                users[0],
                old,
                space=space,
                revoked=old + timedelta(days=400),
                reason=RevokeReason.RESET,
            )
            add(
                TokenKind.LEGACY_ACCESS,
                f"{space.name} access token",
                users[0],
                old + timedelta(days=400),
                space=space,
            )
    session.add_all(rows)
    return len(rows)
