"""Pages of the token list at any depth without sorting the table: the console's table reads these.

Every sort of :class:`~tokentui.core.listing.queries.SortKey` is read as a list of
*segments*, each a condition whose rows come in (value, id) order straight from
one of the token indexes (migration 0002):

- name, created and last4: one segment ordered by (value, id);
- kind: one segment per kind in the order of their labels (what the table shows),
  each by id (the kind index);
- expires: tokens without an expiry (id order), then the others by (expiry, id),
  which is SQLite's own order (NULL is smallest);
- status: active, expired, revoked (alphabetical, as the table sorts); active
  tokens without an expiry first (by id), then by (expiry, id); expired ones by
  (expiry, id); revoked ones by (revocation, expiry, id): the status index's own
  order, so no segment is sorted (by id alone, every page sorted a whole status);
- author: one segment per user in e-mail order, each by id;
- space: tokens without a space, then one segment per space in name order;
- last used: tokens never used (id order), then the others by (last use, id), as
  expires (migration 0008's index);
- access: one segment per (kind, stored scopes) in the access order of
  :func:`~tokentui.core.listing.queries.access_order`, each by id, then any other
  scopes by (kind, scopes, id) (migration 0008's kind-and-scopes index).

A page's ids come from the indexes alone, segment by segment; whole segments
before the offset are skipped by counting them, so a deep page never joins or
sorts the rows it skips. The page's rows are then read by id in one query. A
caller reading many pages of one query (the console's table) passes its total
and a dict in which segment sizes are kept once counted: a one-segment sort then
counts nothing, and a scrollbar drag through the authors counts each once.
Descending walks the segments backwards with every order flipped, so a page
read from the far end is exactly the reverse of the same page read forwards.

A deep page still steps over the rows before it within its segment: half a
million index entries for the middle of a million tokens. :class:`Positions`
is a sparse index of one query's order (as a log viewer indexes its lines): the
sort keys (values, id) of every :data:`EVERY`-th row and of each segment's
first row, found by one pass over the sort's index (:func:`index`). A page at
any depth (:func:`page_at`) then starts at the nearest of them at or before its
offset, with a condition on the keys the index seeks to, and steps over fewer
than :data:`EVERY` rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlmodel import col

from tokentui.core.listing import visibility
from tokentui.core.listing.queries import SortKey, TokenQuery, access_order, created_range, kind_order
from tokentui.core.models import Space, Token, User
from tokentui.core.results import TokenView, to_view

if TYPE_CHECKING:
    from tokentui.core.people.actors import Actor
    from tokentui.core.service import Service

# Rows between two checkpoints of a query's :class:`Positions`: a deep page steps over fewer
# than this many index entries, and the pass that finds them runs one query per this many rows.
EVERY = 4096


@dataclass(frozen=True)
class Segment:
    """A slice of the sort order: rows matching ``where``, in (``*values``, id) order."""

    where: ColumnElement[bool] | None
    values: tuple[Any, ...] = ()  # column expressions; none when the segment is ordered by id alone
    nullable: Any | None = None  # the one of ``values`` that may be NULL, if any
    # Names the segment among its sort's for remembering its size; None: its rows change with
    # the clock (the statuses), so it is counted afresh each time.
    key: Hashable | None = None


_VALUES: dict[SortKey, Callable[[], Any]] = {
    SortKey.NAME: lambda: func.lower(col(Token.name)),
    SortKey.CREATED: lambda: col(Token.created_at),
    SortKey.LAST4: lambda: col(Token.last4),
}


def page(
    service: Service,
    actor: Actor,
    query: TokenQuery,
    *,
    offset: int,
    limit: int,
    total: int | None = None,
    sizes: dict[Hashable, int] | None = None,
) -> list[TokenView]:
    """Rows ``offset`` to ``offset + limit`` of the tokens ``actor`` sees for ``query``, in its order.

    ``total`` (how many match, if known) and ``sizes`` are as for :func:`walk`.
    """
    now = service.now()
    with service.store.read() as session:
        where = visibility.where(session, actor, query, now)
        ids = walk(session, where, query, now, limit=limit, offset=offset, total=total, sizes=sizes)
        rows = rows_by_id(session, ids)
    return [
        to_view(row, row.author_email, row.space_name, now)
        for row in (rows.get(token_id) for token_id in ids)
        if row is not None
    ]


@dataclass(frozen=True)
class Checkpoint:
    """The row ``position`` rows into a query's order: its segment's number (in the walk's order) and sort keys."""

    position: int
    segment: int
    key: tuple[Any, ...]  # the segment's values, then the id


@dataclass(eq=False)
class Positions:
    """A sparse index of one query's order, as of ``now``: where every ``every``-th row is.

    Filled by :func:`index` (in a thread of its own, while pages are read): each
    checkpoint is appended once found, so a page before the pass's frontier can
    use them at once; ``total`` is set when the pass has reached the end.
    """

    query: TokenQuery
    now: datetime
    every: int = field(default_factory=lambda: EVERY)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    segments: int = 0  # how many segments the pass cut the order into
    total: int | None = None
    # Not to be used (the pass stops at its next step): the query was replaced, the pass failed,
    # or the clock has moved a token from one status segment to another since ``now`` (the
    # status sort's positions are then off; the walk, counting them afresh, still answers).
    stale: bool = False

    def start(self, offset: int) -> Checkpoint | None:
        """The checkpoint a page at ``offset`` starts from, if the pass has got that far."""
        known = len(self.checkpoints)  # the pass may append while this reads: what it has so far
        at = bisect_right(self.checkpoints, offset, hi=known, key=lambda c: c.position) - 1
        if at < 0 or self.stale or (at == known - 1 and self.total is None):
            # Past the last checkpoint found while the pass is still running, the next one (or
            # the next segment's first row) may come before the offset.
            return None
        return self.checkpoints[at]


def indexable(query: TokenQuery) -> bool:
    """Whether :class:`Positions` may serve ``query``: rows that stay put as the clock moves, found off an index.

    A search reads names a row at a time (a pass over it would cost a count many
    times over) and the clock's filters (a status, expiring, unused) move rows in
    and out of the list as time passes. The status sort moves rows between its
    segments too; :func:`page_at` checks that none did.
    """
    return not (
        query.search.strip()
        or query.statuses
        or query.expiring_within is not None
        or query.unused_for is not None
        or query.authors_at_limit
    )


def index(
    service: Service, actor: Actor, positions: Positions, pause: Callable[[], object] | None = None
) -> None:
    """Fill ``positions``: one pass over the query's sort index, a query per :attr:`Positions.every` rows.

    Each step seeks to the last checkpoint's keys and takes the row ``every``
    rows on; a segment's last step counts its remaining rows instead. Only the
    index is read (the keys and what the visibility test needs), in the
    database: each step is one statement made once and run again with the new
    keys, so the pass spends little of the interpreter the console paints with.
    ``pause`` is called before each step (the console lets a page being read go
    first).
    """
    query, every = positions.query, positions.every
    with service.store.read() as session:
        where = visibility.where(session, actor, query, positions.now)
        order = _in_walk_order(segments(session, query, positions.now), query.descending)
        positions.segments = len(order)
        position = 0
        for number, segment in enumerate(order):
            if positions.stale:
                return
            keys = [*segment.values, col(Token.id)]
            first = _ids(where, segment, query.descending).with_only_columns(*keys).limit(1)
            row = session.execute(first).first()
            # The step's statement for each pattern of NULL keys (a NULL is compared otherwise).
            steps: dict[tuple[bool, ...], Select[Any]] = {}
            while row is not None and not positions.stale:
                if pause is not None:
                    pause()
                key = tuple(row)
                positions.checkpoints.append(Checkpoint(position, number, key))
                nulls = tuple(value is None for value in key)
                if nulls not in steps:
                    at = _at_or_after(segment, _bound(keys, key), query.descending, strict=True)
                    after = _ids(where, segment, query.descending, at).with_only_columns(*keys)
                    steps[nulls] = after.offset(every - 1).limit(1)
                params = {f"at{i}": value for i, value in enumerate(key) if value is not None}
                row = session.execute(steps[nulls], params).first()
                if row is not None:
                    position += every
                else:
                    at = _at_or_after(segment, key, query.descending, strict=True)
                    after = _ids(where, segment, query.descending, at).limit(every)
                    rest = select(func.count()).select_from(after.subquery())
                    position += 1 + int(session.execute(rest).scalar_one())
        if not positions.stale:
            positions.total = position


def _bound(columns: list[Any], key: tuple[Any, ...]) -> tuple[Any, ...]:
    """``key`` as parameters ``at0``, ``at1``... of the columns' types; a NULL stays None (it is compared otherwise)."""
    return tuple(
        None if value is None else bindparam(f"at{i}", type_=column.type)
        for i, (column, value) in enumerate(zip(columns, key, strict=True))
    )


def page_at(
    service: Service, actor: Actor, positions: Positions, *, offset: int, limit: int
) -> list[TokenView] | None:
    """:func:`page` for ``positions``' query, from its nearest checkpoint; None if ``positions`` cannot tell yet.

    Exactly the rows :func:`page` reads. The status sort's segments are cut at
    ``positions.now``: they hold the same rows now as long as no token has expired
    since, which one look at the status index tells (if one has, these positions
    are stale and the caller reads the plain way).
    """
    start = positions.start(offset)
    if positions.total is not None and offset >= positions.total:
        return []
    if start is None:
        return None
    query = positions.query
    now = service.now()
    with service.store.read() as session:
        where = visibility.where(session, actor, query, positions.now)
        if (
            query.sort is SortKey.STATUS
            and now > positions.now
            and _expired_since(session, where, positions.now, now)
        ):
            positions.stale = True
            return None
        order = _in_walk_order(segments(session, query, positions.now), query.descending)
        if len(order) != positions.segments:
            return None  # a user or space came or went: the segments are not the pass's
        ids: list[str] = []
        for number in range(start.segment, len(order)):
            segment = order[number]
            if number == start.segment:
                at = _at_or_after(segment, start.key, query.descending)
                stmt = _ids(where, segment, query.descending, at).offset(offset - start.position)
            else:
                stmt = _ids(where, segment, query.descending)
            ids.extend(session.execute(stmt.limit(limit - len(ids))).scalars())
            if len(ids) >= limit:
                break
        rows = rows_by_id(session, ids)
    return [
        to_view(row, row.author_email, row.space_name, now)
        for row in (rows.get(token_id) for token_id in ids)
        if row is not None
    ]


def _expired_since(session: Session, where: list[ColumnElement[bool]], then: datetime, now: datetime) -> bool:
    """Whether a token of ``where`` not revoked expired after ``then`` and by ``now`` (off the status index)."""
    expires = col(Token.expires_at)
    crossed = and_(col(Token.revoked_at).is_(None), expires > then, expires <= now)
    return bool(session.execute(select(exists().where(*where, crossed))).scalar())


def _at_or_after(
    segment: Segment, key: tuple[Any, ...], descending: bool, *, strict: bool = False
) -> ColumnElement[bool]:
    """The rows of ``segment`` at or (``strict``) after the one whose sort keys are ``key``, in the walk's order.

    (values, id) compared in order, as the walk orders them: a NULL (a revoked
    token's expiry) before any value ascending, after any descending. The first
    value is also bounded on its own (not when it may be NULL): that is the range
    the index seeks to; the rest of the condition only tells apart rows of equal
    first values, which lie at the start of that range.
    """
    token_id = col(Token.id)
    if descending:
        condition = token_id < key[-1] if strict else token_id <= key[-1]
    else:
        condition = token_id > key[-1] if strict else token_id >= key[-1]
    for value, at in reversed(list(zip(segment.values, key[:-1], strict=True))):
        nullable = value is segment.nullable
        if at is None:
            after: ColumnElement[bool] = false() if descending else value.is_not(None)
            same = value.is_(None)
        elif descending:
            after = or_(value < at, value.is_(None)) if nullable else value < at
            same = value == at
        else:
            after, same = value > at, value == at
        condition = or_(after, and_(same, condition))
    if segment.values and key[0] is not None and segment.values[0] is not segment.nullable:
        first = segment.values[0]
        condition = and_(first <= key[0] if descending else first >= key[0], condition)
    return condition


def _in_walk_order(ascending: list[Segment], descending: bool) -> list[Segment]:
    return ascending[::-1] if descending else ascending


def segments(session: Session, query: TokenQuery, now: datetime) -> list[Segment]:
    """The segments of ``query``'s sort, in ascending order."""
    if query.sort in _VALUES:
        return [Segment(None, (_VALUES[query.sort](),), key="all")]
    expires, revoked = col(Token.expires_at), col(Token.revoked_at)
    if query.sort is SortKey.EXPIRES:
        return [
            Segment(expires.is_(None), key="never"),
            Segment(expires.is_not(None), (expires,), key="expires"),
        ]
    if query.sort is SortKey.STATUS:
        live = revoked.is_(None)
        return [
            Segment(and_(live, expires.is_(None))),
            Segment(and_(live, expires > now), (expires,)),
            Segment(and_(live, expires <= now), (expires,)),
            Segment(revoked.is_not(None), (revoked, expires), nullable=expires),
        ]
    if query.sort is SortKey.KIND:
        return [Segment(col(Token.kind) == kind.value, key=("kind", kind.value)) for kind in kind_order()]
    if query.sort is SortKey.LAST_USED:
        used = col(Token.last_used_at)
        return [
            Segment(used.is_(None), key="never used"),
            Segment(used.is_not(None), (used,), key="used"),
        ]
    if query.sort is SortKey.ACCESS:
        kind, scopes = col(Token.kind), col(Token.scopes)
        known = [and_(kind == k.value, scopes == s) for k, s in access_order()]
        return [
            *(Segment(condition, key=("access", i)) for i, condition in enumerate(known)),
            Segment(not_(or_(*known)), (kind, scopes), key=("access", "other")),
        ]
    if query.sort is SortKey.AUTHOR:
        users = session.execute(select(col(User.id)).order_by(col(User.email))).scalars()
        return [Segment(col(Token.author_id) == user_id, key=user_id) for user_id in users]
    spaces = session.execute(select(col(Space.id)).order_by(col(Space.name), col(Space.id))).scalars()
    return [
        Segment(col(Token.space_id).is_(None), key="no space"),
        *(Segment(col(Token.space_id) == space_id, key=space_id) for space_id in spaces),
    ]


def _ids(
    where: list[ColumnElement[bool]],
    segment: Segment,
    descending: bool,
    at: ColumnElement[bool] | None = None,
) -> Select[Any]:
    """SELECT of the ids of one segment in the walk's order (from the sort's index alone), from ``at`` on.

    The value that may be NULL (a revoked token's expiry) sorts first ascending and
    last descending, as in :func:`tokentui.core.listing.queries.token_rows`: SQLite's own
    order, so its index still serves; PostgreSQL needs telling. It is said of that
    value only: said of a column that is never NULL, it would keep PostgreSQL off
    the index.

    ``at`` (:func:`_at_or_after`) comes first: given two bounds on one side of the
    index's first column (the checkpoint's and an expired segment's ``expires <=
    now``), SQLite seeks to the first one written, and the checkpoint's is the
    nearer one.
    """
    stmt = select(col(Token.id))
    if at is not None:
        stmt = stmt.where(at)
    stmt = stmt.where(*where)
    if segment.where is not None:
        stmt = stmt.where(segment.where)
    order = []
    for value in segment.values:
        by = value.desc() if descending else value.asc()
        if value is segment.nullable:
            by = by.nulls_last() if descending else by.nulls_first()
        order.append(by)
    return stmt.order_by(*order, col(Token.id).desc() if descending else col(Token.id).asc())


def walk(
    session: Session,
    where: list[ColumnElement[bool]],
    query: TokenQuery,
    now: datetime,
    *,
    limit: int,
    offset: int = 0,
    total: int | None = None,
    sizes: dict[Hashable, int] | None = None,
) -> list[str]:
    """Up to ``limit`` token ids in ``query``'s order, ``offset`` rows in.

    Whole segments before the offset are skipped by counting them; only the
    offset within one segment is stepped over, and only in an index. Given the
    ``total`` of ``where``, a sort of one segment counts nothing; given ``sizes``,
    a segment's count is looked up there first and kept there after.
    """
    ascending = segments(session, query, now)
    order = _in_walk_order(ascending, query.descending)
    if total is not None and len(ascending) == 1:
        sizes = {ascending[0].key: total}
    found: list[str] = []
    # A query known to match few rows is left to the planner, which reads them off the filter's
    # index and sorts them, rather than walked for (a walk that finds too few is wasted). The
    # authtokens of authors at their limit are few by nature (the limit times those authors),
    # and have their own index (migration 0009).
    probing = (
        len(where) > 1
        and not query.search
        and not query.authors_at_limit
        and (total is None or total > FEW)
        and session.get_bind().dialect.name == "sqlite"
    )
    seek = created_range(query, now) if query.sort is SortKey.CREATED else []
    for segment in order:
        if len(found) >= limit:
            break
        skip = 0
        if offset:
            size = _size(session, where, segment, sizes)
            if offset >= size:
                offset -= size
                continue
            skip, offset = offset, 0
        wanted = limit - len(found)
        near = (
            _near_the_start(session, where, seek, segment, query.descending, skip, wanted)
            if probing
            else None
        )
        if near is not None:
            found.extend(near)
            continue
        stmt = _ids(where, segment, query.descending)
        found.extend(session.execute(stmt.offset(skip or None).limit(wanted)).scalars())
    return found


# How far down the sort's index a filtered page looks before asking SQLite's planner: given a
# filter with an index of its own (no expiry, expired, never used), the planner reads every match
# by that index and sorts them all (hundreds of thousands on a big store) where a walk down the
# sort's index finds a page's worth among its first few thousand rows.
PROBES = (4096, 65536)
# At most this many matches in all: the planner sorts them sooner than a walk could fail to find them.
FEW = 10_000


def _near_the_start(
    session: Session,
    where: list[ColumnElement[bool]],
    seek: list[ColumnElement[bool]],
    segment: Segment,
    descending: bool,
    skip: int,
    limit: int,
) -> list[str] | None:
    """Rows ``skip`` to ``skip + limit`` of a filtered segment, when they lie among its first rows
    in the sort's index (None: they do not; the caller asks the planner).

    The walk goes down the sort's index and stops at the page's last match, or at
    the row a probe's size in (its keys found first, from the index alone), so a
    filter that matches rarely costs a bounded walk. The filter is tested inside a
    CASE, which no index can serve, so the planner cannot go back to the filter's
    index and sort; ``seek`` (bounds on the sort's first value that every match
    meets) stays outside it, so the walk starts where they do. Exact: the order is
    total, so the first matches among the first rows are the first matches of all.
    """
    keys = [*segment.values, col(Token.id)]
    matching = case((and_(*where), 1), else_=0) == 1
    for size in PROBES:
        if skip + limit > size // 4:
            continue  # a page this deep is unlikely among so few rows: a longer walk, or the planner
        edge = session.execute(
            _ids(seek, segment, descending).with_only_columns(*keys).offset(size - 1).limit(1)
        ).first()
        # The rows at or before the edge in the walk's order are those at or after it walked the other way.
        within = None if edge is None else _at_or_after(segment, tuple(edge), not descending)
        stmt = _ids([*seek, matching], segment, descending, within)
        ids = list(session.execute(stmt.offset(skip or None).limit(limit)).scalars())
        if len(ids) == limit or edge is None:
            return ids  # a full page, or the whole segment was walked: these are all there are
    return None


def _size(
    session: Session, where: list[ColumnElement[bool]], segment: Segment, sizes: dict[Hashable, int] | None
) -> int:
    """How many rows of ``where`` the segment holds: from ``sizes`` if there, else counted (and kept)."""
    key = segment.key
    if sizes is not None and key is not None and key in sizes:
        return sizes[key]
    stmt = select(func.count()).select_from(Token).where(*where)
    if segment.where is not None:
        stmt = stmt.where(segment.where)
    size = int(session.execute(stmt).scalar_one())
    if sizes is not None and key is not None:
        sizes[key] = size
    return size


def rows_by_id(session: Session, ids: list[str]) -> dict[str, Row[Any]]:
    """Each id's token columns with ``author_email`` and ``space_name``: the one fetch of a page's rows.

    Plain columns, not ORM objects: a page's rows are shown, never changed, so the
    ORM's identity map and objects are work for nothing. The users and spaces are
    joined as they are: no filter's subquery is in this statement to tell apart from
    them, so no alias (whose making would cost more than the fetch) is needed.
    """
    stmt: Select[Any] = (
        select(
            *Token.__table__.c,  # type: ignore[attr-defined]
            col(User.email).label("author_email"),
            col(Space.name).label("space_name"),
        )
        .join(User, col(User.id) == col(Token.author_id))
        .outerjoin(Space, col(Space.id) == col(Token.space_id))
        .where(col(Token.id).in_(ids))
    )
    return {row.id: row for row in session.execute(stmt)}
