"""The API's listing totals are counted once and shared (core/listing/totals.py), never stale past a change.

Sixteen clients asking for the same listing used to count the same rows sixteen
times; now identical listings share one COUNT until the store changes (a token
created or revoked records an audit event) or the clock moves on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from tests.conftest import Clock, Org
from tokentui.core.listing.api_filters import TokenFilter, list_page
from tokentui.core.listing.totals import FRESH_SECONDS
from tokentui.core.people.actors import Actor
from tokentui.core.service import Service
from tokentui.core.vocabulary import TokenKind

USER_KINDS = frozenset({TokenKind.PERSONAL})


@contextmanager
def counting(service: Service) -> Iterator[list[str]]:
    """The COUNT statements the store runs in the block."""
    counts: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            counts.append(statement)

    event.listen(service.store.engine, "before_cursor_execute", keep)
    try:
        yield counts
    finally:
        event.remove(service.store.engine, "before_cursor_execute", keep)


def _tokens(service: Service, owner: Actor, n: int) -> list[str]:
    return [
        service.create_token(
            owner, TokenKind.PERSONAL, name=f"ci {i}", scopes=["content_management_read"]
        ).token.id
        for i in range(n)
    ]


def test_identical_listings_share_one_count_until_a_token_is_created_or_revoked(
    org: Org, clock: Clock
) -> None:
    service, owner = org.service, org.owner
    ids = _tokens(service, owner, 7)
    not_revoked = TokenFilter(kinds=USER_KINDS, revoked=False)
    with counting(service) as counts:
        pages = [list_page(service, owner, not_revoked, org_wide=False, skip=0, limit=3) for _ in range(5)]
        org_pages = [
            list_page(service, owner, TokenFilter(), org_wide=True, skip=2, limit=3) for _ in range(5)
        ]
    assert len(counts) == 2  # one for the five own listings, one for the five organization ones
    assert {p.total for p in pages} == {7}
    walked = [
        v.id
        for skip in (0, 3, 6)
        for v in list_page(service, owner, not_revoked, org_wide=False, skip=skip, limit=3).items
    ]
    assert sorted(walked) == sorted(ids)  # the pages, put together: each token once
    org_total = org_pages[0].total
    assert {p.total for p in org_pages} == {org_total} and org_total >= 7

    clock.advance(seconds=1)  # well within a total's freshness: only the create moves the stamp
    created = service.create_token(owner, TokenKind.PERSONAL, name="new", scopes=["content_management_read"])
    with counting(service) as counts:
        after_create = [
            list_page(service, owner, not_revoked, org_wide=False, skip=0, limit=3) for _ in range(3)
        ]
        org_after = list_page(service, owner, TokenFilter(), org_wide=True, skip=0, limit=3)
    assert len(counts) == 2
    assert {p.total for p in after_create} == {8}
    assert after_create[0].items[0].id == created.token.id  # the newest first
    assert org_after.total == org_total + 1

    service.revoke(owner, ids[0])
    with counting(service) as counts:
        after_revoke = list_page(service, owner, not_revoked, org_wide=False, skip=0, limit=3)
        revoked = list_page(
            service, owner, TokenFilter(kinds=USER_KINDS, revoked=True), org_wide=False, skip=0, limit=3
        )
    assert len(counts) == 2
    assert after_revoke.total == 7
    assert revoked.total == 1 and [v.id for v in revoked.items] == [ids[0]]


def test_a_total_is_counted_again_once_the_clock_moves_past_an_expiry(org: Org, clock: Clock) -> None:
    service, owner = org.service, org.owner
    _tokens(service, owner, 3)
    service.create_token(
        owner,
        TokenKind.PERSONAL,
        name="short",
        scopes=["content_management_read"],
        expires=clock.now + timedelta(hours=1),
    )
    active = TokenFilter(kinds=USER_KINDS, revoked=False)
    with counting(service) as counts:
        first = list_page(service, owner, active, org_wide=False, skip=0, limit=10)
        clock.advance(seconds=FRESH_SECONDS / 2)
        again = list_page(service, owner, active, org_wide=False, skip=0, limit=10)
    assert len(counts) == 1 and first.total == again.total == 4

    clock.advance(hours=2)  # past the token's expiry: statuses follow the clock, the total is counted afresh
    with counting(service) as counts:
        later = list_page(service, owner, active, org_wide=False, skip=0, limit=10)
    assert len(counts) == 1
    assert later.total == 4  # expired, not revoked: still listed
    assert [v.status.value for v in later.items].count("expired") == 1


def test_concurrent_identical_listings_wait_for_one_count(org: Org) -> None:
    service, owner = org.service, org.owner
    _tokens(service, owner, 5)
    start = threading.Barrier(8)
    totals: list[int] = []

    def listing() -> None:
        start.wait()
        totals.append(list_page(service, owner, TokenFilter(), org_wide=True, skip=0, limit=2).total)

    with counting(service) as counts:
        threads = [threading.Thread(target=listing) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(totals) == 8 and len(set(totals)) == 1
    assert len(counts) == 1
