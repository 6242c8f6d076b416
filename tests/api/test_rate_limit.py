"""Rate limits per token over real HTTP: Contentful's headers on every answer, 429 RateLimitExceeded past it."""

from __future__ import annotations

from tests.api.conftest import RunningApi, pat, running_api
from tests.conftest import Clock, Org


def test_every_answer_carries_the_rate_limit_headers(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer)
    for answer in (
        api.request("GET", "/users/me", secret=secret),
        api.request("GET", "/users/me", secret="x"),
        api.request("POST", "/verify", secret=secret, json={"action": "content.read"}),
    ):
        assert int(answer.headers["x-contentful-ratelimit-second-limit"]) > 0
        # Each once, beside the request envelope's own.
        for name in (
            "x-contentful-ratelimit-second-limit",
            "x-contentful-ratelimit-second-remaining",
            "x-contentful-ratelimit-reset",
            "x-contentful-request-id",
            "cache-control",
        ):
            assert len(answer.headers.get_list(name)) == 1, (name, answer.headers)


def test_past_the_limit_a_token_gets_429_with_retry_after_and_others_do_not(clock: Clock, org: Org) -> None:
    busy, quiet = pat(org, org.developer, name="busy"), pat(org, org.developer, name="quiet")
    with running_api(org.service, clock, rate_limit=3) as api:
        # Eight calls cross at most one second's boundary, so one second sees more than three.
        answers = [api.request("GET", "/users/me", secret=busy) for _ in range(8)]
        other = api.request("GET", "/users/me", secret=quiet)
    refused = [a for a in answers if a.status_code == 429]
    assert refused, [a.status_code for a in answers]
    first = refused[0]
    assert first.json()["sys"] == {"type": "Error", "id": "RateLimitExceeded"}
    assert first.json()["requestId"] == first.headers["x-contentful-request-id"]
    assert int(first.headers["retry-after"]) >= 1
    assert first.headers["x-contentful-ratelimit-second-remaining"] == "0"
    assert other.status_code == 200


def test_a_limit_of_zero_means_none(clock: Clock, org: Org) -> None:
    secret = pat(org, org.developer)
    with running_api(org.service, clock, rate_limit=0) as api:
        answers = [api.request("GET", "/users/me", secret=secret).status_code for _ in range(12)]
    assert answers == [200] * 12
