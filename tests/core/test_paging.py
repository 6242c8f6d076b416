"""The console's pages (core/listing/pages.py) against the one-query listing, on both databases.

Pages read segment by segment from the sort indexes must put together, page after
page, exactly the list ``list_tokens`` answers in one query; read from the far end
in the opposite order, exactly its reverse. Tokens without an expiry or a space come
first in ascending order in both, on every database (PostgreSQL on its own would put
NULL last).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from tests.conftest import Clock
from tokentui.core.demo import DEMO_OWNER, fill_demo
from tokentui.core.listing.pages import page
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.results import TokenView
from tokentui.core.service import Actor, Service
from tokentui.core.vocabulary import Status, TokenKind

pytestmark = pytest.mark.both_databases

PAGE = 37  # not a divisor of anything here, so pages straddle segment boundaries

QUERIES = {
    "everything": TokenQuery(),
    "two kinds": TokenQuery(kinds=frozenset({TokenKind.PERSONAL, TokenKind.DELIVERY})),
    "expired or revoked": TokenQuery(statuses=frozenset({Status.EXPIRED, Status.REVOKED})),
    "search": TokenQuery(search="deploy"),
    "mine": TokenQuery(mine=True),
}


@pytest.fixture
def demo(service: Service, clock: Clock) -> Actor:
    """The demo organization with some hundreds of bulk tokens, seen by its owner a while later."""
    fill_demo(service, tokens=400)
    clock.advance(days=20)  # some expiries pass: the status segments all have rows
    return service.actor(DEMO_OWNER)


def _expected(service: Service, actor: Actor, query: TokenQuery) -> list[str]:
    """``list_tokens``' order (the CLI's and the API's)."""
    return [t.id for t in service.list_tokens(actor, query, limit=100_000)]


def _paged(service: Service, actor: Actor, query: TokenQuery, total: int) -> list[str]:
    ids: list[str] = []
    for offset in range(0, total + PAGE, PAGE):
        ids.extend(t.id for t in page(service, actor, query, offset=offset, limit=PAGE))
    return ids


@pytest.mark.parametrize("sort", list(SortKey))
def test_pages_put_together_are_the_whole_sorted_list(service: Service, demo: Actor, sort: SortKey) -> None:
    for name, filters in QUERIES.items():
        for descending in (False, True):
            query = filters.with_(sort=sort, descending=descending)
            expected = _expected(service, demo, query)
            assert expected, f"{name}: the query should match something"
            assert _paged(service, demo, query, len(expected)) == expected, (name, descending)


@pytest.mark.parametrize("sort", list(SortKey))
def test_a_page_read_from_the_far_end_is_the_same_page_reversed(
    service: Service, demo: Actor, sort: SortKey
) -> None:
    query = TokenQuery(sort=sort, descending=False)
    total = service.count_tokens(demo, query)
    backwards = query.with_(descending=True)
    for offset in (0, 1, PAGE, total // 2, total - PAGE - 1, total - PAGE):
        forwards = [t.id for t in page(service, demo, query, offset=offset, limit=PAGE)]
        from_end = [t.id for t in page(service, demo, backwards, offset=total - offset - PAGE, limit=PAGE)]
        assert forwards == from_end[::-1]


def test_a_member_pages_through_their_own_tokens_only(service: Service, demo: Actor) -> None:
    author = service.list_tokens(demo, TokenQuery(sort=SortKey.AUTHOR), limit=1)[0].author
    member = service.actor(author)
    query = TokenQuery(mine=True, sort=SortKey.SPACE)
    rows: list[TokenView] = []
    for offset in range(0, 1000, PAGE):
        rows.extend(page(service, member, query, offset=offset, limit=PAGE))
    assert rows and {t.author for t in rows} == {author}
    assert len(rows) == service.count_tokens(member, query)


def test_pages_beyond_the_end_are_empty_and_statuses_follow_the_clock(
    service: Service, demo: Actor, clock: Clock
) -> None:
    query = TokenQuery(sort=SortKey.STATUS, descending=False)
    total = service.count_tokens(demo, query)
    assert page(service, demo, query, offset=total, limit=PAGE) == []
    active_before = service.count_tokens(demo, query.with_(statuses=frozenset({Status.ACTIVE})))
    clock.advance(days=400)  # every token that expires has expired
    first = page(service, demo, query, offset=0, limit=total)
    active_after = [t for t in first if t.status is Status.ACTIVE]
    assert len(active_after) < active_before
    assert all(t.expires_at is None or t.expires_at > clock.now for t in active_after)
    statuses = [t.status for t in first]
    assert statuses == sorted(statuses)  # active, then expired, then revoked


def test_within_a_status_tokens_come_by_the_instant_that_decided_it(service: Service, demo: Actor) -> None:
    """Active: no expiry first, then soonest to expire; expired: by expiry; revoked: by revocation."""
    query = TokenQuery(sort=SortKey.STATUS, descending=False)
    listed = service.list_tokens(demo, query, limit=100_000)
    paged = page(service, demo, query, offset=0, limit=len(listed))
    assert [t.id for t in paged] == [t.id for t in listed]
    never = datetime.min.replace(tzinfo=UTC)

    def key(token: TokenView) -> tuple[Status, datetime, datetime, str]:
        return (token.status, token.revoked_at or never, token.expires_at or never, token.id)

    assert [key(t) for t in listed] == sorted(key(t) for t in listed)
    by_status = {status: [t for t in listed if t.status is status] for status in Status}
    assert all(by_status.values()), "the demo should hold every status"
    assert by_status[Status.ACTIVE][0].expires_at is None and by_status[Status.ACTIVE][-1].expires_at
    descending = service.list_tokens(demo, query.with_(descending=True), limit=100_000)
    assert [t.id for t in descending] == [t.id for t in listed][::-1]


@pytest.mark.parametrize("sort", list(SortKey))
def test_the_tables_pages_count_each_segment_once_and_still_put_together_the_list(
    service: Service, demo: Actor, sort: SortKey
) -> None:
    """The console's pages pass the total and keep segment sizes: same rows, fewer counts."""
    from tokentui.console.pages import TokenPages

    counts: list[str] = []

    def counted(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            counts.append(statement)

    event.listen(service.store.engine, "before_cursor_execute", counted)
    try:
        for descending in (False, True):
            query = TokenQuery(sort=sort, descending=descending)
            expected = _expected(service, demo, query)
            pages = TokenPages(service, demo, query)
            total = len(expected)
            for attempt in ("first", "again"):
                counts.clear()
                ids = [t.id for offset in range(0, total, PAGE) for t in pages.page(offset, PAGE, total)]
                assert ids == expected, (descending, attempt)
                if sort in (SortKey.NAME, SortKey.CREATED, SortKey.LAST4):
                    assert counts == []  # one segment: its size is the total
                elif attempt == "again" and sort is not SortKey.STATUS:
                    assert counts == []  # every size was kept; only the statuses follow the clock
                else:
                    assert counts  # the segments before a deep page were counted
    finally:
        event.remove(service.store.engine, "before_cursor_execute", counted)
