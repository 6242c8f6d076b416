"""The audit's questions read as pages in the creation order (the token list's own) on a big store.

On a million tokens the first page of a question must come off an index, not a sort
of every match (the benchmark times it; these check the plans SQLite makes, which do
not depend on the store's size, and that the pages are right).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col

from tests.conftest import Clock, Org
from tests.plans import page_plans, plans_of
from tokentui.core.listing import pages
from tokentui.core.listing.api_filters import TokenFilter, list_page
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.models import Token
from tokentui.core.vocabulary import Status, TokenKind
from tokentui.settings import LIMITS

STATUS_AND_KIND = {
    "expired": TokenQuery(statuses=frozenset({Status.EXPIRED})),
    "active authtokens": TokenQuery(
        statuses=frozenset({Status.ACTIVE}), kinds=frozenset({TokenKind.SESSION})
    ),
    "expiring within 7 days": TokenQuery(expiring_within=timedelta(days=7)),
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("asked", STATUS_AND_KIND, ids=str)
def test_a_status_or_kind_filter_walks_the_creation_index_alone(org: Org, asked: str) -> None:
    plan = page_plans(org.service, org.owner, STATUS_AND_KIND[asked])
    assert "SCAN token USING COVERING INDEX ix_token_created_order" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.sqlite_only
def test_unused_for_seeks_to_its_creation_bound(org: Org) -> None:
    plan = page_plans(org.service, org.owner, TokenQuery(unused_for=timedelta(days=90)))
    assert "ix_token_created_order (created_at<?)" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.sqlite_only
def test_authtokens_at_their_limit_come_off_the_live_authtokens_index(org: Org) -> None:
    plan = page_plans(org.service, org.owner, TokenQuery(authors_at_limit=True))
    assert "ix_token_live_authtokens" in plan, plan
    assert "SCAN token" not in plan, plan  # neither the page nor the grouping reads the whole table


@pytest.mark.both_databases
def test_authtokens_at_their_limit_newest_first(org: Org, clock: Clock) -> None:
    svc = org.service
    made = []
    for i in range(LIMITS.active_authtokens_per_user):
        made.append(svc.create_token(org.developer, "session", name=f"authtoken {i}").token.id)
        clock.advance(minutes=1)
    svc.create_token(org.admin, "session", name="below the limit")
    rows = svc.list_tokens(org.owner, TokenQuery(authors_at_limit=True))
    assert [t.id for t in rows] == made[::-1]


@pytest.mark.both_databases
def test_a_use_recorded_before_creation_does_not_make_a_token_unused(org: Org, clock: Clock) -> None:
    """A use stamped by a server whose clock is behind can precede the token's creation: the token is
    still only as old as its creation says."""
    svc = org.service
    token = svc.create_token(org.developer, "personal", scopes=["content_management_manage"], name="skewed")
    with svc.store.write() as session:
        stamp = clock.now - timedelta(hours=1)
        session.execute(update(Token).where(col(Token.id) == token.token.id).values(last_used_at=stamp))
    clock.advance(days=90, minutes=-30)  # 90 days since the use, not yet since the creation
    unused = svc.list_tokens(org.owner, TokenQuery(unused_for=timedelta(days=90)))
    assert "skewed" not in {t.name for t in unused}
    clock.advance(minutes=31)
    unused = svc.list_tokens(org.owner, TokenQuery(unused_for=timedelta(days=90)))
    assert "skewed" in {t.name for t in unused}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("skip", [0, 2])
def test_an_api_listing_of_one_kind_walks_the_creation_index_alone(
    org: Org, clock: Clock, skip: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The organization listing filtered to authtokens (as the Contentful CLI asks it) once sorted
    every one; now its pages, deep ones too, are walked off the creation index."""
    svc = org.service
    made = []
    for i in range(5):
        made.append(svc.create_token(org.developer, "session", name=f"authtoken {i}").token.id)
        clock.advance(minutes=1)
    monkeypatch.setattr(pages, "FEW", 0)  # as on a big store: more than a few match
    authtokens = TokenFilter(kinds=frozenset({TokenKind.SESSION}))

    def read() -> object:
        return list_page(svc, org.owner, authtokens, org_wide=True, skip=skip, limit=2)

    plan = plans_of(svc, read)
    assert "SCAN token USING COVERING INDEX ix_token_created_order" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
    page = list_page(svc, org.owner, authtokens, org_wide=True, skip=skip, limit=2)
    assert page.total == 5
    assert [t.id for t in page.items] == made[::-1][skip : skip + 2]
