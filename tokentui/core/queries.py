"""Token filters, sorting and paging, done in SQL and shared by the console, the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from tokentui.core.kinds import Status, TokenKind
from tokentui.core.models import Membership, Space, Token, User


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
    sort: SortKey = SortKey.CREATED
    descending: bool = True

    def with_(self, **changes: Any) -> TokenQuery:
        """A copy with ``changes``."""
        return replace(self, **changes)

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list (sorting aside)."""
        return self != TokenQuery(mine=self.mine, sort=self.sort, descending=self.descending)


def org_access(org_id: int) -> ColumnElement[bool]:
    """Tokens with access to the organization: its spaces' tokens and its members' user tokens.

    Written as one CASE rather than ``org_id = ? OR (org_id IS NULL AND author_id IN
    ...)``: given an OR, SQLite answers with a multi-index union and then sorts the
    whole result, whereas one opaque condition lets it walk the sort's index in order
    and stop after a page (each sort index carries org_id and author_id for this test).
    """
    members = select(col(Membership.user_id)).where(col(Membership.org_id) == org_id)
    return case(
        (col(Token.org_id).is_(None), col(Token.author_id).in_(members)),
        else_=col(Token.org_id) == org_id,
    )


def own_tokens(user_id: int, org_id: int | None) -> ColumnElement[bool]:
    """The user's own tokens: their user tokens, and their space tokens in this organization."""
    in_org = (
        col(Token.org_id).is_(None)
        if org_id is None
        else or_(col(Token.org_id).is_(None), col(Token.org_id) == org_id)
    )
    return and_(col(Token.author_id) == user_id, in_org)


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


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(query: TokenQuery, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``query`` (apart from who may see what)."""
    where: list[ColumnElement[bool]] = []
    if query.kinds:
        where.append(col(Token.kind).in_(sorted(k.value for k in query.kinds)))
    if query.statuses:
        where.append(or_(*(status_condition(s, now) for s in sorted(query.statuses))))
    if query.last4:
        where.append(col(Token.last4) == query.last4)
    if query.search:
        text = query.search.strip()
        pattern = f"%{_escape_like(text.lower())}%"
        matches: list[ColumnElement[bool]] = [func.lower(col(Token.name)).like(pattern, escape="\\")]
        if len(text) <= 4:
            matches.append(col(Token.last4) == text)
        where.append(or_(*matches))
    if query.author:
        authors = select(col(User.id)).where(col(User.email) == query.author.strip().lower())
        where.append(col(Token.author_id).in_(authors))
    if query.space:
        spaces = select(col(Space.id)).where(col(Space.name) == query.space)
        where.append(col(Token.space_id).in_(spaces))
    if query.created_after is not None:
        where.append(col(Token.created_at) >= query.created_after)
    if query.created_before is not None:
        where.append(col(Token.created_at) < query.created_before)
    if query.expires_after is not None:
        where.append(col(Token.expires_at) >= query.expires_after)
    if query.expires_before is not None:
        where.append(col(Token.expires_at) < query.expires_before)
    if query.no_expiry:
        where.append(col(Token.expires_at).is_(None))
    return where


def visible(scope_user_id: int, org_id: int | None, org_wide: bool) -> ColumnElement[bool]:
    """Who sees what: an admin's organization view, or one user's own tokens."""
    if org_wide and org_id is not None:
        return org_access(org_id)
    if scope_user_id < 0:
        return false()
    return own_tokens(scope_user_id, org_id)


def token_rows(where: list[ColumnElement[bool]], query: TokenQuery, now: datetime) -> Select[Token, str, str]:
    """SELECT of (Token, author e-mail, space name) rows in the query's order."""
    author = aliased(User)
    space = aliased(Space)
    stmt = (
        select(Token, col(author.email), col(space.name))
        .join(author, col(author.id) == col(Token.author_id))
        .outerjoin(space, col(space.id) == col(Token.space_id))
        .where(*where)
    )
    sort_column: Any = {
        SortKey.NAME: func.lower(col(Token.name)),
        SortKey.KIND: col(Token.kind),
        SortKey.AUTHOR: author.email,
        SortKey.CREATED: col(Token.created_at),
        SortKey.EXPIRES: col(Token.expires_at),
        SortKey.STATUS: status_expression(now),
        SortKey.LAST4: col(Token.last4),
        SortKey.SPACE: space.name,
    }[query.sort]
    if query.descending:
        return stmt.order_by(sort_column.desc(), col(Token.id).desc())
    return stmt.order_by(sort_column.asc(), col(Token.id).asc())


def token_count(where: list[ColumnElement[bool]]) -> Select[int]:
    """SELECT COUNT(*) of the tokens matching ``where``."""
    return select(func.count()).select_from(Token).where(*where)
