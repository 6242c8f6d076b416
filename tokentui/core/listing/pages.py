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
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tokentui.core.listing import visibility
from tokentui.core.listing.queries import SortKey, TokenQuery, access_order, kind_order
from tokentui.core.models import Space, Token, User
from tokentui.core.results import TokenView, to_view

if TYPE_CHECKING:
    from tokentui.core.people.actors import Actor
    from tokentui.core.service import Service


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


def _ids(where: list[ColumnElement[bool]], segment: Segment, descending: bool) -> Select[Any]:
    """SELECT of the ids of one segment in the walk's order (from the sort's index alone).

    The value that may be NULL (a revoked token's expiry) sorts first ascending and
    last descending, as in :func:`tokentui.core.listing.queries.token_rows`: SQLite's own
    order, so its index still serves; PostgreSQL needs telling. It is said of that
    value only: said of a column that is never NULL, it would keep PostgreSQL off
    the index.
    """
    stmt = select(col(Token.id)).where(*where)
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
    order = ascending[::-1] if query.descending else ascending
    if total is not None and len(ascending) == 1:
        sizes = {ascending[0].key: total}
    found: list[str] = []
    for segment in order:
        if len(found) >= limit:
            break
        stmt = _ids(where, segment, query.descending)
        if offset:
            size = _size(session, where, segment, sizes)
            if offset >= size:
                offset -= size
                continue
            stmt = stmt.offset(offset)
            offset = 0
        found.extend(session.execute(stmt.limit(limit - len(found))).scalars())
    return found


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
