"""CORS over real HTTP: preflights answered with Contentful's Access-Control-* headers, origins configurable."""

from __future__ import annotations

from tests.api.conftest import RunningApi, pat, running_api
from tests.conftest import Clock, Org

PAGE = "http://localhost:5173"
PREFLIGHT = {
    "Origin": PAGE,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,x-contentful-user-agent",
}


def test_a_preflight_is_answered_with_contentfuls_cors_headers(api: RunningApi) -> None:
    answer = api.request("OPTIONS", "/users/me/access_tokens", headers=PREFLIGHT)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    allowed = answer.headers["access-control-allow-headers"].lower().split(",")
    assert {"authorization", "content-type", "x-contentful-user-agent"} <= set(allowed)
    assert "POST" in answer.headers["access-control-allow-methods"].split(",")
    assert "PUT" in answer.headers["access-control-allow-methods"].split(",")
    assert "access-control-allow-credentials" not in answer.headers


def test_every_answer_carries_the_origin_header_errors_too(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer)
    ok = api.request("GET", "/users/me", secret=secret, headers={"Origin": PAGE})
    refused = api.request("GET", "/users/me", secret="nope", headers={"Origin": PAGE})
    assert ok.status_code == 200 and refused.status_code == 401
    for answer in (ok, refused):
        assert answer.headers["access-control-allow-origin"] == "*"
        assert "x-contentful-request-id" in answer.headers["access-control-expose-headers"].lower()


def test_configured_origins_allow_only_those(service: object, clock: Clock, org: Org) -> None:
    with running_api(org.service, clock, cors_origins=[PAGE]) as api:
        allowed = api.request("OPTIONS", "/organizations", headers=PREFLIGHT)
        other = api.request("OPTIONS", "/organizations", headers={**PREFLIGHT, "Origin": "http://evil.test"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PAGE
    assert allowed.headers["vary"] == "Origin"
    assert "access-control-allow-origin" not in other.headers


def test_serve_takes_cors_origin_and_rate_limit_options() -> None:
    from click.testing import CliRunner

    from tokentui.cli.serve import serve

    shown = CliRunner().invoke(serve, ["--help"]).output
    assert "--cors-origin ORIGIN" in shown and "--rate-limit" in shown
