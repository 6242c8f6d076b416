"""The API's listing filters: tokens as Contentful's API filters them, with date comparisons, paging, totals.

:class:`~tokentui.core.listing.queries.TokenQuery` covers the console's filters; the
API's ``sys.expiresAt[gt]``, ``revokedAt[lt]`` and friends compare instants
strictly or not, and treat "never expires" as later than any instant. Those
comparisons are added here as SQL conditions beside TokenQuery's, so filtering,
counting and paging stay in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, or_

from tokentui.core.errors import NotFound
from tokentui.core.listing import pages, totals, visibility
from tokentui.core.listing.queries import SortKey, TokenQuery, token_count
from tokentui.core.models import Token
from tokentui.core.people.actors import Actor
from tokentui.core.results import TokenView, to_view
from tokentui.core.vocabulary import Status, TokenKind

if TYPE_CHECKING:
    from tokentui.core.service import Service


class Instant(StrEnum):
    """The instants of a token a listing can compare."""

    CREATED = "created_at"
    EXPIRES = "expires_at"
    REVOKED = "revoked_at"
    LAST_USED = "last_used_at"


class Comparison(StrEnum):
    """How an instant compares with the bound."""

    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"


@dataclass(frozen=True)
class Bound:
    """One comparison, e.g. ``expires_at > 2027-01-01T00:00Z``."""

    instant: Instant
    comparison: Comparison
    at: datetime

    def condition(self) -> ColumnElement[bool]:
        """The SQL condition; a token without the instant matches only "expires later than"."""
        column: Any = getattr(Token, self.instant.value)
        compared: ColumnElement[bool] = {
            Comparison.LT: column < self.at,
            Comparison.LTE: column <= self.at,
            Comparison.GT: column > self.at,
            Comparison.GTE: column >= self.at,
        }[self.comparison]
        if self.instant is Instant.EXPIRES and self.comparison in (Comparison.GT, Comparison.GTE):
            # A token that never expires expires later than any instant.
            return or_(column.is_(None), compared)
        return compared


@dataclass(frozen=True)
class TokenFilter:
    """What an API listing asks for: kinds, revoked or not, instant bounds, order."""

    kinds: frozenset[TokenKind] = frozenset()
    revoked: bool | None = None
    bounds: tuple[Bound, ...] = ()
    sort: SortKey = SortKey.CREATED
    descending: bool = True

    def __post_init__(self) -> None:
        if self.kinds >= frozenset(TokenKind):
            # Every kind is no filter; as a condition it would lead SQLite to the kind
            # index and a sort of every row before the first page (the org listing's).
            object.__setattr__(self, "kinds", frozenset())

    def query(self, *, mine: bool) -> TokenQuery:
        """The TokenQuery part of the filter."""
        statuses: frozenset[Status] = frozenset()
        if self.revoked is True:
            statuses = frozenset({Status.REVOKED})
        elif self.revoked is False:
            statuses = frozenset({Status.ACTIVE, Status.EXPIRED})
        return TokenQuery(
            mine=mine, kinds=self.kinds, statuses=statuses, sort=self.sort, descending=self.descending
        )


@dataclass(frozen=True)
class Page:
    """One page of a listing and the number of tokens matching in all."""

    total: int
    skip: int
    limit: int
    items: tuple[TokenView, ...]


def list_page(
    service: Service, actor: Actor, token_filter: TokenFilter, *, org_wide: bool, skip: int, limit: int
) -> Page:
    """A page of the actor's own tokens, or (``org_wide``, admins) every token with access to the organization.

    The page walks the sort's index and stops after ``limit`` rows. The total is
    shared with every listing asking the same question of the same store
    (:mod:`tokentui.core.listing.totals`): the store's change stamp is read first, in
    the page's transaction, so a total counted afresh and the page agree, and a
    shared total is at most a few seconds older than the page.
    """
    if skip < 0 or limit < 0:
        raise ValueError("skip and limit must not be negative")
    now = service.now()
    everyone = org_wide and actor.is_admin
    query = token_filter.query(mine=not everyone)
    with service.store.read() as session:

        def where(*, rows: bool) -> list[ColumnElement[bool]]:
            bounds = (bound.condition() for bound in token_filter.bounds)
            return [*visibility.where(session, actor, query, now, rows=rows), *bounds]

        def count() -> int:
            return int(session.execute(token_count(where(rows=False))).scalar_one())

        with_last_use = any(bound.instant is Instant.LAST_USED for bound in token_filter.bounds)
        key = (
            _sees(actor, everyone),
            token_filter.kinds,
            token_filter.revoked,
            token_filter.bounds,
            totals.stamp(session, with_last_use=with_last_use),
        )
        total = service.totals.total(key, now, count)
        # Read as the console's pages are (pages.walk): a filtered page walks the sort's index
        # instead of sorting every match, and a deep one skips whole segments by counting.
        ids = pages.walk(session, where(rows=True), query, now, limit=limit, offset=skip, total=total)
        rows = pages.rows_by_id(session, ids)
        items = tuple(
            to_view(row, row.author_email, row.space_name, now) for row in map(rows.get, ids) if row
        )
    return Page(total, skip, limit, items)


def _sees(actor: Actor, everyone: bool) -> tuple[str, int | None, int | None]:
    """Whose tokens a listing counts, as :func:`tokentui.core.listing.visibility.visible` decides it."""
    if everyone and actor.org_id is not None:
        return ("organization", None, actor.org_id)
    return ("own", actor.user_id, actor.org_id)


def own_user_token(service: Service, actor: Actor, token_id: str) -> TokenView:
    """One of the actor's own personal, OAuth or session tokens, or NotFound.

    Under ``/users/me`` an admin sees only their own tokens, as anyone does; the
    organization listing is where they see others'.
    """
    view = service.get_token(actor, token_id)
    if view.author_id != actor.user_id or not view.kind.is_user_token:
        raise NotFound(f"no token {token_id!r}")
    return view
