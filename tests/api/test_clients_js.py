"""Contentful's JS SDK (contentful-management 12.x, plain API), unchanged, against tokentui serve."""

from __future__ import annotations

import json
import subprocess

from tests.api.clients import CLIENTS, need_node_clients
from tests.api.conftest import pat, running_api
from tests.conftest import Clock, Org


def test_the_plain_api_creates_lists_filters_gets_revokes_refuses_and_retries(clock: Clock, org: Org) -> None:
    node = need_node_clients()
    owner = pat(org, org.owner)
    reader = pat(org, org.developer, "content_management_read", name="reader")
    org.service.create_token(
        org.owner, "oauth", name="app token", app="Deploy bot", scopes=["content_management_read"]
    )
    with running_api(org.service, clock, rate_limit=5) as api:
        org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
        done = subprocess.run(
            [node, str(CLIENTS / "plain.cjs"), f"127.0.0.1:{api.port}", owner, org_id, reader],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=CLIENTS,
        )
        statuses = [line for line in api.logs().splitlines() if '" 429 ' in line]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert done.returncode == 0, done.stdout + done.stderr
    assert result["created"]["name"] == "js sdk" and result["created"]["hasSecret"]
    assert result["page"]["items"] == 1 and result["page"]["total"] >= 2
    assert result["got"] == "js sdk" and result["revoked"] is True
    assert result["org"] >= 2 and result["notFound"] == "NotFound"
    assert result["filtered"] == ["OAuthApplication"]
    assert result["memberRoles"] == ["admin", "member", "owner"]
    assert result["unauthorized"] == "AccessTokenInvalid 401"
    assert result["forbidden"] == "AccessDenied 403"
    assert result["invalid"] == "ValidationFailed 422"
    assert result["invalidPath"] == [["scopes"]] or result["invalidPath"] == [["scopes", 0]]
    assert result["afterRetry"] == 12
    assert statuses, "the rate limit was never reached, so the retry was not tested"
