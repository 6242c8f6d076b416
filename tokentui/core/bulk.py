"""Bulk demo tokens for scale: up to millions of believable tokens, loaded in one transaction.

The rows are made in plain Python (for a large load, by a worker process while
this one writes the batch before) and written with one ``executemany`` per batch
of SQLAlchemy Core inserts, in a single transaction. On SQLite the token
table's secondary indexes are dropped for the load and rebuilt at its end (a
sorted build beats as many random B-tree inserts), in
that same transaction, so a failed load leaves the store as it was; where the
store is this process's alone, that transaction is written with a rollback journal
rather than through the WAL (:meth:`Store.bulk_write`).

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
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from tokentui.core.audit import record
from tokentui.core.errors import NotFound
from tokentui.core.models import Environment, Membership, Organization, Space, Token
from tokentui.core.tokens.secret_format import ALPHABET
from tokentui.core.vocabulary import KINDS, RevokeReason, TokenKind
from tokentui.settings import LIMITS

if TYPE_CHECKING:
    from tokentui.core.service import Service

_KIND_WEIGHTS = [
    (TokenKind.PERSONAL, 55),
    (TokenKind.OAUTH, 10),
    (TokenKind.SESSION, 15),
    (TokenKind.DELIVERY, 15),
    (TokenKind.MANAGEMENT, 5),
]
_NAMES = {
    TokenKind.PERSONAL: ("CI deploy", "local dev", "migration script", "backup job", "release bot", "QA run"),
    TokenKind.OAUTH: ("Contentful CLI", "Slack app", "Netlify", "Vercel", "Zapier", "Smartling"),
    TokenKind.SESSION: ("login",),
    TokenKind.DELIVERY: ("website", "mobile app", "preview", "search indexer"),
    TokenKind.MANAGEMENT: ("import pipeline", "translation vendor", "migration"),
}
# The kinds whose active tokens are limited, per space or per user (KindSpec), and the limit.
_LIMITS = {
    kind: limit
    for kind, spec in KINDS.items()
    if (limit := spec.max_per_space or spec.max_per_user) is not None
}
_USER_SCOPES = ("content_management_manage", "content_management_read", "content_management_read")
_SPAN = timedelta(days=900)
# Maps every byte to a base62 character (a slight bias is harmless in demo ids).
_BASE62 = bytes(ord(ALPHABET[b % 62]) for b in range(256))
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
# Above this many rows they are made in a worker process (:func:`_batches`).
_PARALLEL_THRESHOLD = 100_000


# Told the rows written so far and the rows asked for.
Progress = Callable[[int, int], None]


def bulk_tokens(
    service: Service, org_name: str, count: int, *, seed: int = 7, progress: Progress | None = None
) -> int:
    """Insert ``count`` tokens spread over the organization's members, spaces, kinds and dates.

    ``progress(done, count)`` is called after each batch written (a face shows it; the core
    prints nothing).

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
    space_ids = [s.id for s in spaces if s.id is not None]
    raw = service.store.is_sqlite
    rebuild = raw and count >= _REBUILD_THRESHOLD
    batches = _batches((seed, now, org.id, members, space_ids, envs, active), count, raw)
    columns = _COLUMNS
    with service.store.bulk_write() if rebuild else service.store.write() as session:
        conn = session.connection()
        indexes = [i for i in Token.__table__.indexes if not i.unique]  # type: ignore[attr-defined]
        trigger = _name_index_trigger(conn) if rebuild else None
        if rebuild:
            saved = _set_pragmas(conn, _INSERTING)
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
        for batch in batches:
            if raw:
                conn.exec_driver_sql(sql, batch)
            else:
                conn.execute(insert(Token), [dict(zip(columns, row, strict=True)) for row in batch])
            done += len(batch)
            if progress is not None:
                progress(done, count)
        if rebuild:
            _set_pragmas(conn, _INDEXING)
            for index in indexes:
                index.create(conn)
            if trigger:
                _fill_name_index(conn, after=before)
                conn.exec_driver_sql(trigger)
            _set_pragmas(conn, saved)
        record(
            session,
            at=now,
            org_id=org.id,
            actor_id=None,
            action="token.bulk_create",
            target_type="organization",
            target_id=str(org.id),
            summary=f"bulk-loaded {count:,} demo tokens into {org_name!r} (secrets discarded)",
        )
    return count


def _batches(rows_args: tuple[Any, ...], count: int, as_text: bool) -> Iterator[list[tuple[Any, ...]]]:
    """The rows in batches of at most :data:`BATCH`; made in another process for a large load.

    Making a row is pure Python and costs about as much as SQLite's insert of it, so
    above :data:`_PARALLEL_THRESHOLD` rows one worker process makes the next batch
    while this one writes the last (at most two batches wait, to bound memory).
    """
    sizes = [min(BATCH, count - done) for done in range(0, count, BATCH)]
    if count < _PARALLEL_THRESHOLD or not sys.platform.startswith("linux"):
        rows = _Rows(*rows_args)
        for size in sizes:
            yield rows.take(size, as_text=as_text)
        return
    # fork, not spawn: spawn would import the caller's main module again in the worker.
    # The worker inherits this process's open database connection but never touches it:
    # it only makes rows, and leaves through os._exit without closing anything. (Linux
    # only: on macOS, where system libraries may hold threads, Python no longer forks.)
    pool = ProcessPoolExecutor(
        1, mp_context=get_context("fork"), initializer=_start_worker, initargs=rows_args
    )
    try:
        pending: deque[Future[list[tuple[Any, ...]]]] = deque()
        for size in sizes:
            pending.append(pool.submit(_worker_take, size, as_text))
            if len(pending) > 1:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


_worker_rows: _Rows | None = None


def _start_worker(*rows_args: Any) -> None:
    global _worker_rows
    _worker_rows = _Rows(*rows_args)


def _worker_take(size: int, as_text: bool) -> list[tuple[Any, ...]]:
    assert _worker_rows is not None, "the worker was started without its rows"
    return _worker_rows.take(size, as_text=as_text)


def _name_index_trigger(conn: Connection) -> str | None:
    """The CREATE TRIGGER that feeds the trigram name index (migration 0003), where the store has one."""
    found = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'token_search_insert'"
    ).scalar()
    return str(found) if found else None


# Per-connection settings for the two halves of a large SQLite load. Inserting: a 256 MiB
# page cache keeps the random inserts into the id and secret-hash indexes in memory.
# Building the indexes: SQLite's sorter sorts in one thread while an index's keys fit in
# the page cache, so a small cache is chosen on purpose: it makes SQLite write sorted runs,
# sort them in helper threads and merge them, which uses every core (and changes nothing
# where SQLite was built without threads).
_INSERTING = {"cache_size": -262_144, "threads": 0}
_INDEXING = {"cache_size": -2_000, "threads": 2}
# Terms FTS5 gathers in memory before writing them out as a segment to be merged (its
# default is 1 MiB): a larger buffer means fewer segments to merge, so the fill of a
# large load's name index writes far less.
_NAME_INDEX_BUFFER = 32 << 20
_NAME_INDEX_BUFFER_DEFAULT = 1 << 20


def _set_pragmas(conn: Connection, settings: dict[str, int]) -> dict[str, int]:
    """Apply per-connection pragmas; returns their values before, to put back (the connection is pooled)."""
    before = {name: int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()) for name in settings}
    for name, value in settings.items():
        conn.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    return before


def _fill_name_index(conn: Connection, *, after: int) -> None:
    """Index the names of the tokens past rowid ``after`` in the trigram name index, in one statement."""
    command = "INSERT INTO token_search (token_search, rank) VALUES ('hashsize', ?)"
    try:
        conn.exec_driver_sql(command, (_NAME_INDEX_BUFFER,))
        buffered = True
    except DBAPIError:
        buffered = False  # an FTS5 without the option: the fill takes longer, nothing else changes
    conn.exec_driver_sql(
        "INSERT INTO token_search (rowid, name) SELECT rowid, name FROM token WHERE rowid > ?", (after,)
    )
    if buffered:
        # The setting is stored with the index: later writes go back to the default.
        conn.exec_driver_sql(command, (_NAME_INDEX_BUFFER_DEFAULT,))


def _active_counts(conn: Connection, now: datetime) -> Counter[tuple[str, int]]:
    """Active tokens already in the store, per (kind, space) and per (session, author)."""
    counts: Counter[tuple[str, int]] = Counter()
    limited = ", ".join(f"'{kind.value}'" for kind in _LIMITS)
    rows = conn.exec_driver_sql(
        "SELECT kind, space_id, author_id, expires_at FROM token "
        f"WHERE revoked_at IS NULL AND kind IN ({limited})"
    )
    for kind, space_id, author_id, expires_at in rows:
        if KINDS[TokenKind(kind)].user_limit:
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
        seed: int,
        now: datetime,
        org_id: int,
        members: list[int],
        spaces: list[int],
        envs: dict[int, list[str]],
        active: Counter[tuple[str, int]],
    ) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.org_id = org_id
        # Zipf-like weights: the first authors and spaces are much busier than the last.
        self.members = members
        self.member_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(members))]
        self.spaces = spaces
        self.space_weights = [1 / (rank + 1) for rank in range(len(self.spaces))]
        self.envs = {space_id: names or ["master"] for space_id, names in envs.items()}
        self.active = active
        self.limits = {kind.value: limit for kind, limit in _LIMITS.items()}
        self.serial = 0

    def take(self, count: int, *, as_text: bool) -> list[tuple[Any, ...]]:
        """``count`` new rows as tuples in the table's column order.

        With ``as_text`` instants are written as SQLite text in SQLAlchemy's own
        format (``YYYY-MM-DD HH:MM:SS.ffffff``, naive UTC), so they compare and sort
        exactly like rows written through the ORM.
        """
        rng = self.rng
        random_ = rng.random
        authors = rng.choices(self.members, self.member_weights, k=count)
        picked = rng.choices(_KINDS, _WEIGHTS, k=count)
        spaces = rng.choices(self.spaces, self.space_weights, k=count) if self.spaces else [None] * count
        # Ids and last fours from one block of unseeded random bytes: a second load with
        # the same seed must not collide with the first (ids and hashes are unique).
        noise = os.urandom(26 * count).translate(_BASE62).decode("ascii")
        hash_noise = os.urandom(32 * count)
        sha256 = hashlib.sha256
        presets = [timedelta(days=days) for days in LIMITS.expiry_presets_days]
        # Naive UTC for SQLite's text (one isoformat per instant), aware instants for the rest.
        now = self.now.astimezone(UTC).replace(tzinfo=None) if as_text else self.now
        envs, active, limits, org_id = self.envs, self.active, self.limits, self.org_id
        by_user, user_limit = RevokeReason.BY_USER.value, RevokeReason.AUTHTOKEN_LIMIT.value
        out: list[tuple[Any, ...]] = []
        for i, (kind, author, space_id) in enumerate(zip(picked, authors, spaces, strict=True)):
            if space_id is None and not kind.user:
                kind = _PROFILES[TokenKind.PERSONAL]
            if kind.user:
                space_id = None
            self.serial += 1
            created = now - _SPAN * random_()
            expires = None
            if kind.may_expire and random_() < 0.8:
                expires = created + presets[int(random_() * len(presets))]
            revoked = created + (now - created) * random_() if random_() < 0.12 else None
            reason = by_user if revoked else None
            limit = limits.get(kind.value)
            if limit is not None and revoked is None and (expires is None or expires > now):
                key = (kind.value, author if kind.session else space_id or 0)
                if active[key] >= limit:
                    revoked = created + (now - created) * random_()
                    reason = user_limit if kind.session else by_user
                else:
                    active[key] += 1
            used = created + ((revoked or now) - created) * random_() if random_() < 0.6 else None
            label = kind.labels[int(random_() * len(kind.labels))]
            if kind.delivery:
                names = envs.get(space_id or 0, _MASTER)
                environment: str | None = names[int(random_() * len(names))]
            else:
                environment = None
            scopes = (
                kind.scopes[int(random_() * len(kind.scopes))] if len(kind.scopes) > 1 else kind.scopes[0]
            )
            stamps: tuple[Any, ...] = (created, revoked or created, expires, revoked, used)
            if as_text:
                stamps = tuple(t.isoformat(" ", "microseconds") if t else None for t in stamps)
            created_at, updated_at, expires_at, revoked_at, used_at = stamps
            out.append(
                (
                    noise[26 * i : 26 * i + 22],  # id
                    kind.value,
                    f"{label} {self.serial}",  # name
                    author,
                    org_id if space_id else None,
                    space_id,
                    environment,
                    "",  # branches
                    scopes,
                    label if kind.oauth else None,  # app_name
                    sha256(hash_noise[32 * i : 32 * i + 32]).hexdigest(),
                    noise[26 * i + 22 : 26 * i + 26],  # last4
                    True,  # notify
                    created_at,
                    updated_at,
                    expires_at,
                    revoked_at,
                    reason,
                    author if reason == by_user else None,  # revoked_by_id
                    used_at,  # last_used_at
                    None,  # expiry_recorded_at
                )
            )
        return out


class _Profile:
    """What generating a row of one kind needs, looked up once instead of per row."""

    def __init__(self, kind: TokenKind) -> None:
        self.value = kind.value
        self.user = kind.is_user_token
        self.may_expire = kind.may_expire
        self.session = kind is TokenKind.SESSION
        self.delivery = kind is TokenKind.DELIVERY
        self.oauth = kind is TokenKind.OAUTH
        self.labels = _NAMES[kind]
        fixed = kind.spec.fixed_scopes
        if fixed:
            self.scopes: tuple[str, ...] = (" ".join(s.value for s in fixed),)
        elif kind.is_user_token:
            self.scopes = _USER_SCOPES
        else:
            self.scopes = (" ".join(s.value for s in kind.spec.default_scopes),)


_PROFILES = {kind: _Profile(kind) for kind, _ in _KIND_WEIGHTS}
_KINDS = [_PROFILES[kind] for kind, _ in _KIND_WEIGHTS]
_WEIGHTS = [weight for _, weight in _KIND_WEIGHTS]
_MASTER = ["master"]
