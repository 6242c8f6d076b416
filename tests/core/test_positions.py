"""A query's positions (core/listing/pages.py, ``Positions``): pages from a checkpoint are the plain pages.

The console reads a deep page from the nearest checkpoint of a sparse index of
the query's order instead of stepping over every row before it. Those pages must
be exactly the ones the plain walk reads, for every sort, both ways, across ties
(equal names, instants, last fours), NULLs (no expiry, never used) and segment
boundaries, on both databases. A checkpoint every few rows here, so that ties
straddle them and every segment holds several.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from tests.conftest import Clock
from tokentui.core.demo import DEMO_OWNER, fill_demo
from tokentui.core.listing.pages import Positions, index, indexable, page, page_at
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.models import Token
from tokentui.core.service import Actor, Service
from tokentui.core.vocabulary import Status

pytestmark = pytest.mark.both_databases

EVERY = 16
LIMIT = 30
STEP = 97  # offsets this far apart, besides those at and around each segment's first row


@pytest.fixture
def ties(service: Service, clock: Clock) -> Actor:
    """The demo organization with 1,500 bulk tokens, a third of them alike in name, instant and last four.

    Some of the alike expire at one instant and were used at one instant, others
    never expire (revoked ones among them: a NULL in the status sort's revoked
    segment); the owner looks a while later, so every status has rows.
    """
    fill_demo(service, tokens=1500)
    instant = clock.now - timedelta(days=3)
    with service.store.write() as session:
        ids = list(session.execute(select(col(Token.id)).order_by(col(Token.id))).scalars())

        def alike(every: int, **values: object) -> None:
            chosen = ids[::every]
            for at in range(0, len(chosen), 500):
                session.execute(
                    update(Token).where(col(Token.id).in_(chosen[at : at + 500])).values(**values)
                )

        alike(3, name="Same name", last4="same", created_at=instant)
        alike(6, name="SAME NAME")  # equal in the name sort, which ignores case
        alike(5, expires_at=clock.now + timedelta(days=30), last_used_at=instant)
        alike(7, expires_at=None)
        alike(11, revoked_at=instant)
    clock.advance(days=20)
    return service.actor(DEMO_OWNER)


def _offsets(positions: Positions) -> list[int]:
    assert positions.total is not None
    firsts = {
        c.position
        for i, c in enumerate(positions.checkpoints)
        if i == 0 or c.segment != positions.checkpoints[i - 1].segment
    }
    around = {p + d for p in firsts for d in (-1, 0, 1)} | {
        EVERY - 1,
        EVERY,
        positions.total - 1,
        positions.total,
    }
    return sorted({*range(0, positions.total, STEP), *(p for p in around if p >= 0)})


def _ids(rows: list[object] | None) -> list[str] | None:
    return None if rows is None else [row.id for row in rows]  # type: ignore[attr-defined]


def test_pages_from_checkpoints_are_the_plain_pages_for_every_sort_both_ways(
    service: Service, ties: Actor
) -> None:
    for sort in SortKey:
        for descending in (False, True):
            query = TokenQuery(sort=sort, descending=descending)
            positions = Positions(query, service.now(), every=EVERY)
            index(service, ties, positions)
            total = service.count_tokens(ties, query)
            assert positions.total == total, (sort, descending)
            assert len(positions.checkpoints) > total // EVERY
            if sort not in (SortKey.NAME, SortKey.CREATED, SortKey.LAST4):
                assert len({c.segment for c in positions.checkpoints}) > 1  # boundaries to cross
            for offset in _offsets(positions):
                plain = page(service, ties, query, offset=offset, limit=LIMIT, total=total)
                from_checkpoint = page_at(service, ties, positions, offset=offset, limit=LIMIT)
                assert _ids(from_checkpoint) == _ids(plain), (sort, descending, offset)


def test_ties_straddle_checkpoints(service: Service, ties: Actor) -> None:
    """The fixture does what it says: runs of equal keys longer than the checkpoints' spacing."""
    with service.store.read() as session:
        same = session.execute(
            select(func.count()).where(func.lower(col(Token.name)) == "same name")
        ).scalar()
    assert same is not None and same > 10 * EVERY


def test_a_status_sort_after_an_expiry_is_read_the_plain_way(
    service: Service, ties: Actor, clock: Clock
) -> None:
    """Tokens move from active to expired as the clock passes: the status sort's checkpoints are then off."""
    query = TokenQuery(sort=SortKey.STATUS, descending=False)
    positions = Positions(query, service.now(), every=EVERY)
    index(service, ties, positions)
    assert positions.total is not None
    middle = positions.total // 2
    clock.advance(seconds=1)  # nothing expires in a second here: the checkpoints still hold
    assert _ids(page_at(service, ties, positions, offset=middle, limit=LIMIT)) == _ids(
        page(service, ties, query, offset=middle, limit=LIMIT)
    )
    clock.advance(days=30)  # the alike tokens' expiry passes
    assert page_at(service, ties, positions, offset=middle, limit=LIMIT) is None
    assert positions.stale
    assert page(service, ties, query, offset=0, limit=1)  # the plain walk still answers


def test_a_search_or_a_filter_by_the_clock_has_no_positions() -> None:
    assert indexable(TokenQuery(sort=SortKey.NAME, mine=True))
    for query in (
        TokenQuery(search="deploy"),
        TokenQuery(statuses=frozenset({Status.ACTIVE})),
        TokenQuery(expiring_within=timedelta(days=7)),
        TokenQuery(unused_for=timedelta(days=90)),
        TokenQuery(authors_at_limit=True),
    ):
        assert not indexable(query)


def test_a_page_past_the_passs_frontier_waits_for_it(service: Service, ties: Actor) -> None:
    query = TokenQuery(sort=SortKey.CREATED)
    positions = Positions(query, service.now(), every=EVERY)
    index(service, ties, positions)
    assert positions.total is not None
    half = len(positions.checkpoints) // 2
    running = Positions(query, positions.now, every=EVERY, segments=positions.segments)
    running.checkpoints = positions.checkpoints[:half]  # the pass is still running: total unknown
    before = running.checkpoints[-2].position + 3
    assert _ids(page_at(service, ties, running, offset=before, limit=LIMIT)) == _ids(
        page(service, ties, query, offset=before, limit=LIMIT)
    )
    assert page_at(service, ties, running, offset=running.checkpoints[-1].position + 1, limit=LIMIT) is None


FILTERS = {
    "no expiry": TokenQuery(no_expiry=True),
    "expired": TokenQuery(statuses=frozenset({Status.EXPIRED})),
    "never used": TokenQuery(never_used=True),
    "can write, active": TokenQuery(can_write=True, statuses=frozenset({Status.ACTIVE})),
    "one author": TokenQuery(author="grace"),
    "unused for 10 days": TokenQuery(unused_for=timedelta(days=10)),  # the creation order seeks to its bound
}


@pytest.mark.parametrize("sort", list(SortKey))
def test_a_filtered_page_read_near_the_start_is_the_planners_page(
    ties: Actor, service: Service, monkeypatch, sort: SortKey, answered: list[int]
) -> None:
    """A filtered page looks among the sort index's first rows before asking the planner (SQLite):
    with probes this small every way out is taken (filled, the segment ended, gave up), and
    every page is the one the planner's query gives."""
    from tokentui.core.listing import pages

    for name, asked in FILTERS.items():
        for descending in (False, True):
            query = asked.with_(sort=sort, descending=descending)
            total = service.count_tokens(ties, query)
            offsets = sorted({0, 1, 7, 20, total // 2, max(0, total - 5)})
            monkeypatch.setattr(pages, "PROBES", ())
            planned = {o: _ids(page(service, ties, query, offset=o, limit=10)) for o in offsets}
            monkeypatch.setattr(pages, "PROBES", (64, 512))
            probed = {o: _ids(page(service, ties, query, offset=o, limit=10)) for o in offsets}
            assert probed == planned, (name, sort, descending)
            assert sum(len(ids or []) for ids in planned.values()) > 0, name
    if service.store.engine.dialect.name == "sqlite":
        assert answered, "no page was read near the start"


@pytest.fixture
def answered(monkeypatch) -> list[int]:
    """How many segment reads the probe answered (it runs on SQLite only)."""
    from tokentui.core.listing import pages

    seen: list[int] = []
    probe = pages._near_the_start

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = probe(*args, **kwargs)
        if found is not None:
            seen.append(len(found))
        return found

    monkeypatch.setattr(pages, "_near_the_start", counting)
    return seen
