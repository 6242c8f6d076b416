"""Bulk demo tokens for scale: a million believable tokens in well under a minute.

The rows are made in plain Python and written with one ``executemany`` per batch
of SQLAlchemy Core inserts, in a single transaction. On SQLite the token
table's secondary indexes are dropped for the load and rebuilt at its end (a
sorted build is several times faster than a million random B-tree inserts), in
that same transaction, so a failed load leaves the store as it was.

The spread is meant to look like a real organization's: a few heavy authors and
many light ones, busy and quiet spaces, every kind, expiry preset and status.
The store's limits hold for what is *active*: at most 20 active delivery and 10
active management tokens per space and 20 active authtokens per user; tokens
beyond those were revoked (authtokens with the authtoken-limit reason), as the
service itself would have done. The load writes one audit event, not a million.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import col, select

from tokentui.core.base import ServiceBase
from tokentui.core.errors import NotFound
from tokentui.core.kinds import DEFAULT_SCOPES, FIXED_SCOPES, RevokeReason, TokenKind
from tokentui.core.models import AuditEvent, Environment, Membership, Organization, Space, Token
from tokentui.settings import LIMITS

_KIND_WEIGHTS = [
    (TokenKind.PERSONAL, 55),
    (TokenKind.OAUTH, 10),
    (TokenKind.SESSION, 15),
    (TokenKind.DELIVERY, 15),
    (TokenKind.MANAGEMENT, 5),
]
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NAMES = {
    TokenKind.PERSONAL: ("CI deploy", "local dev", "migration script", "backup job", "release bot", "QA run"),
    TokenKind.OAUTH: ("Contentful CLI", "Slack app", "Netlify", "Vercel", "Zapier", "Smartling"),
    TokenKind.SESSION: ("login",),
    TokenKind.DELIVERY: ("website", "mobile app", "preview", "search indexer"),
    TokenKind.MANAGEMENT: ("import pipeline", "translation vendor", "migration"),
}
_USER_SCOPES = ("content_management_manage", "content_management_read", "content_management_read")
_SPAN = timedelta(days=900)
# Maps every byte to a base62 character (a slight bias is harmless in demo ids).
_BASE62 = bytes(ord(_ALPHABET[b % 62]) for b in range(256))
BATCH = 50_000
# The order of the tuples _Rows.take makes.
_COLUMNS = (
    "id",
    "kind",
    "name",
    "author_id",
    "org_id",
    "space_id",
    "environment",
    "branches",
    "scopes",
    "app_name",
    "secret_hash",
    "last4",
    "notify",
    "created_at",
    "updated_at",
    "expires_at",
    "revoked_at",
    "revoked_reason",
    "revoked_by_id",
    "last_used_at",
    "expiry_recorded_at",
)
# Above this many rows the SQLite indexes are rebuilt rather than maintained row by row.
_REBUILD_THRESHOLD = 20_000


def bulk_tokens(service: ServiceBase, org_name: str, count: int, *, seed: int = 7) -> int:
    """Insert ``count`` tokens spread over the organization's members, spaces, kinds and dates.

    The secrets are random bytes hashed and thrown away: nobody can ever use these
    tokens, but they look, sort and filter like real ones. Returns ``count``.
    """
    now = service.now()
    with service.store.read() as session:
        org = session.exec(select(Organization).where(col(Organization.name) == org_name)).first()
        if org is None or org.id is None:
            raise NotFound(f"no organization {org_name!r}")
        members = sorted(
            session.exec(select(col(Membership.user_id)).where(col(Membership.org_id) == org.id)).all()
        )
        spaces = list(session.exec(select(Space).where(col(Space.org_id) == org.id)).all())
        envs: dict[int, list[str]] = {}
        for env in session.exec(select(Environment).where(col(Environment.is_branch).is_(False))).all():
            envs.setdefault(env.space_id, []).append(env.name)
        active = _active_counts(session.connection(), now)
    if not members:
        raise NotFound(f"organization {org_name!r} has no members to author tokens")
    rows = _Rows(random.Random(seed), now, org.id, members, spaces, envs, active)
    columns = _COLUMNS
    with service.store.write() as session:
        conn = session.connection()
        raw = service.store.is_sqlite
        rebuild = raw and count >= _REBUILD_THRESHOLD
        indexes = [i for i in Token.__table__.indexes if not i.unique]  # type: ignore[attr-defined]
        trigger = _name_index_trigger(conn) if rebuild else None
        if rebuild:
            _tune_sqlite(conn, loading=True)
            for index in indexes:
                index.drop(conn)
            if trigger:
                # The name index is filled once at the end, not a row at a time by its trigger.
                before = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM token").scalar_one()
                conn.exec_driver_sql("DROP TRIGGER token_search_insert")
        # SQLite gets the rows as plain tuples through the driver: SQLAlchemy's per-value
        # processing would cost more than the insert itself. Other databases get Core inserts.
        sql = f"INSERT INTO token ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        done = 0
        while done < count:
            batch = rows.take(min(BATCH, count - done), as_text=raw)
            if raw:
                conn.exec_driver_sql(sql, batch)
            else:
                conn.execute(insert(Token), [dict(zip(columns, row, strict=True)) for row in batch])
            done += len(batch)
        if rebuild:
            for index in indexes:
                index.create(conn)
            if trigger:
                conn.exec_driver_sql(
                    "INSERT INTO token_search (rowid, name) SELECT rowid, name FROM token WHERE rowid > ?",
                    (before,),
                )
                conn.exec_driver_sql(trigger)
            _tune_sqlite(conn, loading=False)
        session.add(
            AuditEvent(
                at=now,
                org_id=org.id,
                actor_id=None,
                action="token.bulk_create",
                target_type="organization",
                target_id=str(org.id),
                summary=f"bulk-loaded {count:,} demo tokens into {org_name!r} (secrets discarded)",
            )
        )
    return count


def _name_index_trigger(conn: Connection) -> str | None:
    """The CREATE TRIGGER that feeds the trigram name index (migration 0003), where the store has one."""
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'token_search_insert'"
    ).scalar()
    return str(found) if found else None


def _tune_sqlite(conn: Connection, *, loading: bool) -> None:
    # A large page cache (256 MiB) keeps the random inserts into the id and hash indexes
    # in memory; it is a per-connection setting, put back afterwards because the
    # connection is pooled.
    conn.exec_driver_sql(f"PRAGMA cache_size = {-262_144 if loading else -2000}")
    # Index builds sort with a helper thread (a no-op where SQLite was built without them).
    conn.exec_driver_sql(f"PRAGMA threads = {2 if loading else 0}")


def _active_counts(conn: Connection, now: datetime) -> Counter[tuple[str, int]]:
    """Active tokens already in the store, per (kind, space) and per (session, author)."""
    counts: Counter[tuple[str, int]] = Counter()
    rows = conn.exec_driver_sql(
        "SELECT kind, space_id, author_id, expires_at FROM token "
        "WHERE revoked_at IS NULL AND kind IN ('delivery', 'management', 'session')"
    )
    for kind, space_id, author_id, expires_at in rows:
        if kind == TokenKind.SESSION.value:
            counts[(kind, author_id)] += 1
        elif expires_at is None or _aware(expires_at) > now:
            counts[(kind, space_id)] += 1
    return counts


def _aware(value: Any) -> datetime:
    # Raw driver rows: SQLite hands back text, PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Rows:
    """Generates token rows, keeping the per-space and per-user active limits."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        org_id: int,
        members: list[int],
        spaces: list[Space],
        envs: dict[int, list[str]],
        active: Counter[tuple[str, int]],
    ) -> None:
        self.rng = rng
        self.now = now
        self.org_id = org_id
        # Zipf-like weights: the first authors and spaces are much busier than the last.
        self.members = members
        self.member_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(members))]
        self.spaces = [s.id for s in spaces if s.id is not None]
        self.space_weights = [1 / (rank + 1) for rank in range(len(self.spaces))]
        self.envs = {space_id: names or ["master"] for space_id, names in envs.items()}
        self.active = active
        self.limits = {
            TokenKind.DELIVERY.value: LIMITS.delivery_tokens_per_space,
            TokenKind.MANAGEMENT.value: LIMITS.management_tokens_per_space,
            TokenKind.SESSION.value: LIMITS.active_authtokens_per_user,
        }
        self.serial = 0

    def take(self, count: int, *, as_text: bool) -> list[tuple[Any, ...]]:
        """``count`` new rows as tuples in the table's column order.

        With ``as_text`` instants are written as SQLite text in SQLAlchemy's own
        format (``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC), so they compare and sort
        exactly like rows written through the ORM.
        """
        rng = self.rng
        kinds = [k for k, _ in _KIND_WEIGHTS]
        weights = [w for _, w in _KIND_WEIGHTS]
        authors = rng.choices(self.members, self.member_weights, k=count)
        picked = rng.choices(kinds, weights, k=count)
        spaces = rng.choices(self.spaces, self.space_weights, k=count) if self.spaces else [None] * count
        # Ids and last fours from one block of unseeded random bytes: a second load with
        # the same seed must not collide with the first (ids and hashes are unique).
        noise = os.urandom(26 * count).translate(_BASE62).decode("ascii")
        hash_noise = os.urandom(32 * count)
        presets = LIMITS.expiry_presets_days
        span = _SPAN.total_seconds()
        now = self.now
        stamp = _text_instant if as_text else _same
        out: list[tuple[Any, ...]] = []
        for i, (kind, author, space_id) in enumerate(zip(picked, authors, spaces, strict=True)):
            if not kind.is_user_token and space_id is None:
                kind = TokenKind.PERSONAL
            if kind.is_user_token:
                space_id = None
            self.serial += 1
            created = now - timedelta(seconds=rng.random() * span)
            expires = None
            if kind.may_expire and rng.random() < 0.8:
                expires = created + timedelta(days=rng.choice(presets))
            revoked = created + (now - created) * rng.random() if rng.random() < 0.12 else None
            reason = RevokeReason.BY_USER.value if revoked else None
            if revoked is None and (expires is None or expires > now) and kind.value in self.limits:
                key = (kind.value, author if kind is TokenKind.SESSION else space_id or 0)
                if self.active[key] >= self.limits[kind.value]:
                    revoked = created + (now - created) * rng.random()
                    reason = (
                        RevokeReason.AUTHTOKEN_LIMIT.value
                        if kind is TokenKind.SESSION
                        else RevokeReason.BY_USER.value
                    )
                else:
                    self.active[key] += 1
            used = created + ((revoked or now) - created) * rng.random() if rng.random() < 0.6 else None
            label = rng.choice(_NAMES[kind])
            out.append(
                (
                    noise[26 * i : 26 * i + 22],  # id
                    kind.value,
                    f"{label} {self.serial}",  # name
                    author,
                    self.org_id if space_id else None,
                    space_id,
                    rng.choice(self.envs.get(space_id or 0, ["master"]))
                    if kind is TokenKind.DELIVERY
                    else None,
                    "",  # branches
                    _scopes(rng, kind),
                    label if kind is TokenKind.OAUTH else None,  # app_name
                    hashlib.sha256(hash_noise[32 * i : 32 * i + 32]).hexdigest(),
                    noise[26 * i + 22 : 26 * i + 26],  # last4
                    True,  # notify
                    stamp(created),
                    stamp(revoked or created),  # updated_at
                    stamp(expires),
                    stamp(revoked),
                    reason,
                    author if reason == RevokeReason.BY_USER.value else None,  # revoked_by_id
                    stamp(used),  # last_used_at
                    None,  # expiry_recorded_at
                )
            )
        return out


def _text_instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _same(value: datetime | None) -> datetime | None:
    return value


def _scopes(rng: random.Random, kind: TokenKind) -> str:
    fixed = FIXED_SCOPES.get(kind)
    if fixed:
        return " ".join(s.value for s in fixed)
    if kind.is_user_token:
        return rng.choice(_USER_SCOPES)
    return " ".join(s.value for s in DEFAULT_SCOPES[kind])
