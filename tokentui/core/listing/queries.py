"""Token filters, statuses, search and sorting as SQL, shared by the console, the CLI and the API.

Who may see which tokens is :mod:`tokentui.core.listing.visibility`'s."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, aliased
from sqlmodel import col

from tokentui.core.models import Membership, Space, SpaceMembership, Token, User
from tokentui.core.rules import normalise_name
from tokentui.core.vocabulary import (
    ACCESS_LABELS,
    OrgRole,
    Status,
    TokenKind,
    access_label,
    stored_scope_sets,
)
from tokentui.settings import LIMITS


class SortKey(StrEnum):
    """Columns the token table sorts by."""

    NAME = "name"
    KIND = "kind"
    AUTHOR = "author"
    CREATED = "created"
    EXPIRES = "expires"
    STATUS = "status"
    LAST4 = "last4"
    SPACE = "space"
    LAST_USED = "last_used"
    ACCESS = "access"


@dataclass(frozen=True)
class TokenQuery:
    """Which tokens to list: every field narrows; the defaults list everything visible."""

    mine: bool = False
    kinds: frozenset[TokenKind] = frozenset()
    statuses: frozenset[Status] = frozenset()
    search: str = ""
    last4: str = ""
    author: str = ""
    space: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None
    expires_after: datetime | None = None
    expires_before: datetime | None = None
    no_expiry: bool = False
    # The audit's questions (SPEC.md, "Audit"); each narrows when set.
    never_used: bool = False
    unused_for: timedelta | None = None  # last use (or creation, if never used) before now - D
    can_write: bool = False
    author_without_space_role: bool = False
    authors_at_limit: bool = False
    expiring_within: timedelta | None = None  # active, and expiring by now + D
    sort: SortKey = SortKey.CREATED
    descending: bool = True

    def with_(self, **changes: Any) -> TokenQuery:
        """A copy with ``changes``."""
        return replace(self, **changes)

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list (sorting aside)."""
        return self != TokenQuery(mine=self.mine, sort=self.sort, descending=self.descending)


def status_expression(now: datetime) -> ColumnElement[str]:
    """The status of each row as SQL, matching :func:`tokentui.core.rules.token_status`."""
    return case(
        (col(Token.revoked_at).is_not(None), literal(Status.REVOKED.value)),
        (
            and_(col(Token.expires_at).is_not(None), col(Token.expires_at) <= now),
            literal(Status.EXPIRED.value),
        ),
        else_=literal(Status.ACTIVE.value),
    )


def status_condition(status: Status, now: datetime) -> ColumnElement[bool]:
    """An index-friendly condition for one status."""
    if status is Status.REVOKED:
        return col(Token.revoked_at).is_not(None)
    not_revoked = col(Token.revoked_at).is_(None)
    if status is Status.EXPIRED:
        return and_(not_revoked, col(Token.expires_at).is_not(None), col(Token.expires_at) <= now)
    return and_(not_revoked, or_(col(Token.expires_at).is_(None), col(Token.expires_at) > now))


# The trigram index answers searches of at least this many characters.
INDEXED_SEARCH_LENGTH = 3


def search_condition(text: str, *, name_index: bool = False) -> ColumnElement[bool]:
    """Tokens whose name holds ``text`` (ASCII letters in any case), or whose last four are ``text``.

    Three characters or more match anywhere in the name; one or two match the
    start of it (a substring that short is in most names, and a million-row scan
    for a rare one could not keep up with typing). SQLite's lower() folds ASCII
    only, so "À" would miss "À" through the lowered pattern: the text as typed
    matches too.

    With ``name_index`` (SQLite only, see :func:`use_name_index`) the candidates
    come from an index first: the trigram index of migration 0003 for a
    substring, the ``lower(name)`` index for a start. The same LIKE tests then
    keep exactly the rows a scan would find.
    """
    short = len(text) < INDEXED_SEARCH_LENGTH
    lowered, typed = _escape_like(text.lower()), _escape_like(text)
    lead = "" if short else "%"
    named: ColumnElement[bool] = or_(
        func.lower(col(Token.name)).like(f"{lead}{lowered}%", escape="\\"),
        col(Token.name).like(f"{lead}{typed}%", escape="\\"),
    )
    if name_index:
        if short:
            named = and_(or_(*_starts(text)), named)
        else:
            named = and_(literal_column("token.rowid").in_(name_index_matches(text)), named)
    if len(text) <= 4:
        return or_(named, col(Token.last4) == text)
    return named


def _starts(text: str) -> list[ColumnElement[bool]]:
    """Ranges of ``lower(name)`` (its index) holding every name that starts with ``text`` as matched.

    SQLite's lower() and LIKE fold ASCII letters only, so a name matches when its
    lowered form starts with ``text`` lowered either fully or in ASCII only.
    """
    ascii_only = "".join(c.lower() if c.isascii() else c for c in text)
    ranges = []
    for start in sorted({text.lower(), ascii_only}):
        end = _successor(start)
        lowered = func.lower(col(Token.name))
        ranges.append(and_(lowered >= start, lowered < end) if end else lowered >= start)
    return ranges


def _successor(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix`` (code point order), if any."""
    while prefix:
        last = ord(prefix[-1]) + 1
        if last == 0xD800:
            last = 0xE000  # surrogates are not text
        if last <= 0x10FFFF:
            return prefix[:-1] + chr(last)
        prefix = prefix[:-1]
    return None


def name_index_matches(text: str, limit: int | None = None) -> Select[Any]:
    """SELECT of the rowids of tokens whose name contains ``text``, from the trigram index."""
    phrase = '"' + text.replace('"', '""') + '"'
    stmt: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(table("token_search"))
        .where(literal_column("token_search").op("MATCH")(literal(phrase)))
    )
    return stmt if limit is None else stmt.limit(limit)


# Above this many candidate names, a page of results is found sooner by walking the
# sort's index and testing names than by sorting every candidate an index lists. The
# creation order's index carries the names (migration 0005), so walking it tests them
# without reading rows, and that order switches to the walk at fewer candidates.
COMMON_SEARCH = 10_000
COMMON_SEARCH_BY_CREATION = 3_000


def use_name_index(session: Session, text: str, *, rows: bool, sort: SortKey | None = None) -> bool:
    """Whether a search for ``text`` should take its candidates from an index (SQLite).

    Counting always gains from it. For ``rows`` (a page in the order ``sort``) it
    pays while the text is rare; a common one (``deploy`` in a million bot-made
    tokens) fills a page within the first few hundred rows of any order.
    """
    if not text or session.get_bind().dialect.name != "sqlite":
        return False
    if "\x00" in text:
        return False  # FTS5 reads a query as a C string; no stored name holds NUL anyway
    if len(text) < INDEXED_SEARCH_LENGTH:
        candidates = select(literal(1)).select_from(Token).where(or_(*_starts(text)))
    else:
        found = session.execute(
            sql_text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'token_search'")
        ).first()
        if found is None:
            return False
        candidates = name_index_matches(text)
    if not rows:
        return True
    common = COMMON_SEARCH_BY_CREATION if sort is SortKey.CREATED else COMMON_SEARCH
    counted = select(func.count()).select_from(candidates.limit(common + 1).subquery())
    return int(session.execute(counted).scalar_one()) <= common


def searches_name_index(session: Session, query: TokenQuery, *, rows: bool) -> bool:
    """Whether ``query``'s search takes its candidates from an index: :func:`use_name_index` in its order."""
    return bool(query.search) and use_name_index(session, query.search.strip(), rows=rows, sort=query.sort)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(
    query: TokenQuery, now: datetime, *, name_index: bool = False, org_id: int | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``query`` (apart from who may see what).

    With ``name_index`` the search narrows the names through the trigram index
    first (:func:`search_condition`); the rows found are the same either way.
    ``org_id`` is the organization the audit's member questions are asked in.
    """
    where: list[ColumnElement[bool]] = []
    if query.kinds:
        where.append(col(Token.kind).in_(sorted(k.value for k in query.kinds)))
    if query.statuses:
        where.append(or_(*(status_condition(s, now) for s in sorted(query.statuses))))
    if query.last4:
        where.append(col(Token.last4) == query.last4)
    if query.search:
        where.append(search_condition(query.search.strip(), name_index=name_index))
    if query.author.strip():
        where.append(col(Token.author_id).in_(authors_matching(query.author)))
    if query.space:
        spaces = select(col(Space.id)).where(col(Space.name) == normalise_name(query.space))
        where.append(col(Token.space_id).in_(spaces))
    where.extend(created_range(query, now))
    if query.expires_after is not None:
        # A token that never expires expires after any instant, as the API's filters say
        # (core/listing/api_filters.py).
        expires = col(Token.expires_at)
        where.append(or_(expires.is_(None), expires >= query.expires_after))
    if query.expires_before is not None:
        where.append(col(Token.expires_at) < query.expires_before)
    if query.no_expiry:
        where.append(col(Token.expires_at).is_(None))
    if query.expiring_within is not None:
        where.append(expiring_condition(now, query.expiring_within))
    if query.never_used:
        where.append(col(Token.last_used_at).is_(None))
    if query.unused_for is not None:
        where.append(unused_condition(now - query.unused_for))
    if query.can_write:
        where.append(can_write_condition())
    if query.author_without_space_role:
        where.append(col(Token.author_id).in_(members_without_space_role(org_id)))
    if query.authors_at_limit:
        where.append(authtokens_at_limit(now))
    return where


def authors_matching(text: str) -> Select[Any]:
    """SELECT of the ids of users whose e-mail or name holds ``text``, in any case."""
    pattern = f"%{_escape_like(text.strip().lower())}%"
    return select(col(User.id)).where(
        or_(
            func.lower(col(User.email)).like(pattern, escape="\\"),
            func.lower(col(User.name)).like(pattern, escape="\\"),
        )
    )


def expiring_condition(now: datetime, within: timedelta) -> ColumnElement[bool]:
    """Active tokens that expire by ``now + within``: the one meaning of "expiring within N days"."""
    expires = col(Token.expires_at)
    return and_(col(Token.revoked_at).is_(None), expires > now, expires <= now + within)


def created_range(query: TokenQuery, now: datetime) -> list[ColumnElement[bool]]:
    """The bounds ``query`` puts on when a token was created: its own, and the one "unused for" implies.

    Kept apart from the other conditions so that a page in the creation order can
    seek to them in that order's index (:mod:`tokentui.core.listing.pages`).
    """
    created = col(Token.created_at)
    bounds = []
    if query.created_after is not None:
        bounds.append(created >= query.created_after)
    if query.created_before is not None:
        bounds.append(created < query.created_before)
    if query.unused_for is not None:
        bounds.append(created < now - query.unused_for)
    return bounds


def unused_condition(cutoff: datetime) -> ColumnElement[bool]:
    """Tokens created before ``cutoff`` and not used since (last used before it, or never).

    A token is used only after it is made, so this says what "last used before the
    cutoff, or never used and created before it" does; said this way, the creation
    bound holds for every match, and the creation order's index seeks to it
    (:func:`created_range` carries it for that). It also keeps out a token whose
    recorded last use precedes its creation by a server's clock skew.
    """
    used = col(Token.last_used_at)
    return and_(col(Token.created_at) < cutoff, or_(used.is_(None), used < cutoff))


def can_write_condition() -> ColumnElement[bool]:
    """Tokens able to change content, as :func:`tokentui.core.vocabulary.can_write` decides.

    Scope words are tested by LIKE, so a token whose scopes were stored in another
    order answers the same as in Python; the kind and scopes index (migration 0008)
    holds both.
    """
    kind, scopes = col(Token.kind), col(Token.scopes)
    return or_(
        kind == TokenKind.SESSION.value,
        and_(
            kind.in_([TokenKind.PERSONAL.value, TokenKind.OAUTH.value]),
            scopes.like("%content_management_manage%"),
        ),
        and_(kind == TokenKind.MANAGEMENT.value, scopes.like("%write%")),
    )


def members_without_space_role(org_id: int | None) -> Select[Any]:
    """SELECT of the ids of the organization's members (not owners or admins, who reach every space)
    with no role in any of its spaces and owning none of them."""
    if org_id is None:
        return select(col(Membership.user_id)).where(literal(False))
    org_spaces = select(col(Space.id)).where(col(Space.org_id) == org_id)
    with_role = select(col(SpaceMembership.user_id)).where(col(SpaceMembership.space_id).in_(org_spaces))
    owning = select(col(Space.owner_id)).where(col(Space.org_id) == org_id)
    return select(col(Membership.user_id)).where(
        col(Membership.org_id) == org_id,
        col(Membership.role) == OrgRole.MEMBER.value,
        col(Membership.user_id).not_in(with_role),
        col(Membership.user_id).not_in(owning),
    )


_OTHER_TOKEN = aliased(Token, name="other_token")


def authtokens_at_limit(now: datetime) -> ColumnElement[bool]:
    """Active authtokens of authors holding as many active authtokens as they may."""
    other = _OTHER_TOKEN
    session_kind = TokenKind.SESSION.value
    at_limit = (
        select(col(other.author_id))
        .where(
            col(other.kind) == session_kind,
            col(other.revoked_at).is_(None),
            or_(col(other.expires_at).is_(None), col(other.expires_at) > now),
        )
        .group_by(col(other.author_id))
        .having(func.count() >= LIMITS.active_authtokens_per_user)
    )
    return and_(
        col(Token.kind) == session_kind,
        status_condition(Status.ACTIVE, now),
        col(Token.author_id).in_(at_limit),
    )


def kind_order() -> list[TokenKind]:
    """The kinds in the kind sort's order: by their short labels (the console's table shows those),
    not the stored values: Authtoken, Delivery, Legacy, Management, OAuth app, Personal."""
    return sorted(TokenKind, key=lambda kind: (kind.spec.short_label.lower(), kind.value))


def kind_rank() -> ColumnElement[int]:
    """Each row's place in :func:`kind_order` as SQL."""
    return case(
        *((col(Token.kind) == kind.value, literal(i)) for i, kind in enumerate(kind_order())),
        else_=literal(len(TokenKind)),
    )


def access_order() -> list[tuple[TokenKind, str]]:
    """Each (kind, stored scopes) in the access sort's order: by :data:`ACCESS_LABELS`, then kind, then scopes.

    Tokens whose scopes are none of these (stored in another order) come after them all.
    """
    combos = [(kind, scopes) for kind in TokenKind for scopes in stored_scope_sets(kind)]
    return sorted(
        combos,
        key=lambda c: (ACCESS_LABELS.index(access_label(c[0], tuple(c[1].split()))), c[0].value, c[1]),
    )


def access_rank() -> ColumnElement[int]:
    """Each row's place in :func:`access_order` as SQL; other scopes rank after them all."""
    order = access_order()
    return case(
        *(
            (and_(col(Token.kind) == kind.value, col(Token.scopes) == scopes), literal(i))
            for i, (kind, scopes) in enumerate(order)
        ),
        else_=literal(len(order)),
    )


# The author and space a listed token is joined to, aliased apart from the users and spaces
# the filters' subqueries select from (an author filter's subquery would otherwise correlate
# with the join). Made once, at import: a fresh alias per query would adapt its columns each time.
_AUTHOR = aliased(User, name="token_author")
_SPACE = aliased(Space, name="token_space")


def token_rows(where: list[ColumnElement[bool]], query: TokenQuery, now: datetime) -> Select[Token, str, str]:
    """SELECT of (Token, author e-mail, space name) rows in the query's order."""
    return _in_order(select(Token, col(_AUTHOR.email), col(_SPACE.name)), where, query, now)


def token_records(where: list[ColumnElement[bool]], query: TokenQuery, now: datetime) -> Select[Any]:
    """:func:`token_rows` as plain columns (no ORM objects), for streaming many rows.

    Each row has the token's columns by name, ``author_email`` and ``space_name``.
    """
    columns = select(
        *Token.__table__.c,  # type: ignore[attr-defined]
        col(_AUTHOR.email).label("author_email"),
        col(_SPACE.name).label("space_name"),
    )
    return _in_order(columns, where, query, now)


def _in_order(
    stmt: Any,
    where: list[ColumnElement[bool]],
    query: TokenQuery,
    now: datetime,
) -> Any:
    """The SELECT ``stmt`` joined to the author and space, filtered by ``where``, in the query's order."""
    stmt = (
        stmt.join(_AUTHOR, col(_AUTHOR.id) == col(Token.author_id))
        .outerjoin(_SPACE, col(_SPACE.id) == col(Token.space_id))
        .where(*where)
    )
    expires, revoked = col(Token.expires_at), col(Token.revoked_at)
    # What each sort orders by before the id, and whether it may be NULL. Within a status
    # tokens come by when they were revoked, then by expiry (none first): the status
    # index's own order, which the console's pages walk (core/listing/pages.py).
    by_sort: dict[SortKey, list[tuple[Any, bool]]] = {
        SortKey.NAME: [(func.lower(col(Token.name)), False)],
        SortKey.KIND: [(kind_rank(), False)],
        SortKey.AUTHOR: [(_AUTHOR.email, False)],
        SortKey.CREATED: [(col(Token.created_at), False)],
        SortKey.EXPIRES: [(expires, True)],
        SortKey.STATUS: [(status_expression(now), False), (revoked, True), (expires, True)],
        SortKey.LAST4: [(col(Token.last4), False)],
        SortKey.SPACE: [(_SPACE.name, True)],
        SortKey.LAST_USED: [(col(Token.last_used_at), True)],
        # Its place among the known (kind, scopes); other scopes after, by kind and scopes.
        SortKey.ACCESS: [(access_rank(), False), (col(Token.kind), False), (col(Token.scopes), False)],
    }
    # NULL (no expiry, no space, not revoked, never used) sorts first when ascending, last when descending,
    # on every database: SQLite's own order (NULL is smallest), and the console's pages';
    # PostgreSQL would put NULL last ascending.
    order = []
    for column, nullable in by_sort[query.sort]:
        if query.descending:
            order.append(column.desc().nulls_last() if nullable else column.desc())
        else:
            order.append(column.asc().nulls_first() if nullable else column.asc())
    return stmt.order_by(*order, col(Token.id).desc() if query.descending else col(Token.id).asc())


def token_count(where: list[ColumnElement[bool]]) -> Select[int]:
    """SELECT COUNT(*) of the tokens matching ``where``."""
    return select(func.count()).select_from(Token).where(*where)
