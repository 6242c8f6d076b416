"""Contentful's Python SDK, unchanged: its retry past 429, and the org listing and memberships raw."""

from __future__ import annotations

import contentful_management
import pytest
from contentful_management.errors import RateLimitExceededError

from tests.api.conftest import pat, running_api
from tests.conftest import Clock, Org


def test_the_sdk_waits_out_a_429_and_every_call_succeeds(clock: Clock, org: Org) -> None:
    secret = pat(org, org.developer)
    with running_api(org.service, clock, rate_limit=2) as api:
        # The SDK's own defaults but for the host: it retries on 429 after X-Contentful-RateLimit-Reset.
        client = contentful_management.Client(
            secret, api_url=f"127.0.0.1:{api.port}", https=False, max_rate_limit_retries=3
        )
        names = [client.personal_access_tokens().all({"limit": 1})[0].name for _ in range(6)]
        refused = [line for line in api.logs().splitlines() if '" 429 ' in line]
    assert names == ["fixture token"] * 6
    assert refused, "the limit was never reached, so the retry was not tested"


def test_without_retries_the_sdk_raises_rate_limit_exceeded(clock: Clock, org: Org) -> None:
    secret = pat(org, org.developer)
    with (
        running_api(org.service, clock, rate_limit=1) as api,
        pytest.raises(RateLimitExceededError) as refused,
    ):
        for _ in range(6):
            api.sdk(secret).personal_access_tokens().all()
    assert refused.value.response.json()["sys"]["id"] == "RateLimitExceeded"  # type: ignore[attr-defined]
    assert 0 < refused.value.reset_time() <= 1


def test_the_org_listing_and_memberships_through_the_sdks_raw_get(clock: Clock, org: Org) -> None:
    secret = pat(org, org.owner)
    with running_api(org.service, clock) as api:
        raw = contentful_management.Client(
            secret, api_url=f"127.0.0.1:{api.port}", https=False, raw_mode=True
        )
        org_id = raw._get("organizations").json()["items"][0]["sys"]["id"]
        tokens = raw._get(
            f"organizations/{org_id}/access_tokens", {"limit": 2, "order": "-sys.createdAt"}
        ).json()
        members = raw._get(f"organizations/{org_id}/organization_memberships", {"limit": 100}).json()
    assert tokens["limit"] == 2 and len(tokens["items"]) <= 2 and tokens["total"] >= 1
    assert {"owner", "admin", "member"} <= {m["role"] for m in members["items"]}
    assert all(m["sys"]["user"]["sys"]["linkType"] == "User" for m in members["items"])
    assert members["total"] == len(members["items"]) == len({m["sys"]["id"] for m in members["items"]})
