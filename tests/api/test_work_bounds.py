"""One client cannot starve the others: paging depth is capped, and a listing's statements are time-limited."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org
from tokentui.api import routes
from tokentui.api.limits import LISTING_SLOTS
from tokentui.api.params import MAX_DEPTH

LISTING = "/users/me/access_tokens"
# Runs for many seconds on either database unless something stops it.
SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) SELECT count(*) FROM c"


@pytest.mark.parametrize(
    ("skip", "limit"),
    [(MAX_DEPTH, None), (MAX_DEPTH - 99, None), (MAX_DEPTH - 999, 1000), (10**9, None), (10**10, 1)],
)
def test_a_page_past_the_depth_cap_is_invalid_query(
    api: RunningApi, org: Org, skip: int, limit: int | None
) -> None:
    bearer = pat(org, org.developer)
    params = {"skip": str(skip), **({"limit": str(limit)} if limit else {})}

    for path in (LISTING, "/organizations/1/access_tokens"):
        response = api.request(
            "GET", path, params=params, secret=pat(org, org.admin) if "org" in path else bearer
        )

        assert response.status_code == 400, response.text
        body = response.json()
        assert body["sys"]["id"] == "InvalidQuery"
        assert body["details"]["errors"][0]["path"] == ["skip"]
        assert str(MAX_DEPTH) in body["message"]


def test_the_deepest_page_allowed_is_answered(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.developer)

    deepest = api.request(
        "GET", LISTING, params={"skip": str(MAX_DEPTH - 1000), "limit": "1000"}, secret=bearer
    )

    assert deepest.status_code == 200
    assert deepest.json()["items"] == []


@pytest.fixture
def slow_listings(api: RunningApi, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every listing runs a statement that would take many seconds; returns how many have started."""
    started: list[int] = []
    lock = threading.Lock()

    def slow_page(service: Any, actor: Any, listing: Any, org_wide: bool) -> Any:
        with lock:
            started.append(1)
        with service.store.read() as session:
            session.execute(text(SLOW)).scalar_one()
        raise AssertionError("the slow statement was not stopped")

    monkeypatch.setattr(routes, "_page", slow_page)
    return started


@pytest.mark.both_databases
def test_a_listing_past_the_time_limit_is_stopped_and_answered(
    api: RunningApi, org: Org, slow_listings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    api.app.state.statement_seconds = 0.5
    bearer = pat(org, org.developer)
    before = store_state(api.service)

    stopped = api.request("GET", LISTING, secret=bearer)

    assert stopped.status_code == 503, stopped.text
    body = stopped.json()
    assert body["sys"]["id"] == "ServiceUnavailable"
    assert "took longer than 0.5 seconds and was stopped" in body["message"]
    assert stopped.headers["retry-after"] == "1"
    assert store_state(api.service) == before  # no lastUsedAt for a request that was not answered
    monkeypatch.undo()
    # The connection the statement ran on serves the next requests, with no limit left behind.
    assert api.request("GET", LISTING, secret=bearer).status_code == 200
    with api.service.store.read() as session:
        assert session.execute(text("SELECT count(*) FROM token")).scalar_one() >= 1
    assert "store error" not in api.logs()


def test_an_ordinary_request_answers_while_eight_listings_run(
    api: RunningApi, org: Org, slow_listings: list[int]
) -> None:
    api.app.state.statement_seconds = 1.5
    reader = pat(org, org.developer, "content_management_read")
    other = pat(org, org.owner)

    with ThreadPoolExecutor(8) as pool, httpx.Client(base_url=api.url, timeout=30) as client:
        heavy = [
            pool.submit(client.get, LISTING, headers={"Authorization": f"Bearer {reader}"}) for _ in range(8)
        ]
        deadline = time.monotonic() + 10
        while len(slow_listings) < LISTING_SLOTS and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(slow_listings) == LISTING_SLOTS  # the others wait for a slot, holding nothing

        me = api.request("GET", "/users/me", secret=other)
        created = api.request(
            "POST",
            LISTING,
            secret=other,
            json={"name": "still served", "scopes": ["content_management_read"]},
        )
        # Answered while every heavy request is still held by the statement limit.
        still_running = [not f.done() for f in heavy]
        answers = [f.result() for f in heavy]

    assert me.status_code == 200 and created.status_code == 201
    assert all(still_running)
    assert {a.status_code for a in answers} == {503}
    assert len(slow_listings) <= 8
