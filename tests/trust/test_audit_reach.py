"""Every event about a token reaches the audit log of each organization the token reaches.

A personal, OAuth or session token reaches every organization its author is a
member of; a space token its space's organization. An event recorded with no
organization would be in no organization's log: activity nobody can audit.
"""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import pat, running_api
from tests.conftest import DEVELOPER, OWNER, Clock, Org, run_cli

pytestmark = pytest.mark.both_databases


def _token_events(db_url: str, org: str, admin: str, token_id: str) -> list[str]:
    result = run_cli("audit", "--json", "--action", "token.", "--org", org, db=db_url, actor=admin)
    assert result.code == 0, result.err
    return sorted(e["action"] for e in json.loads(result.out) if e["targetId"] == token_id)


def test_a_token_made_and_revoked_over_http_shows_in_each_of_its_authors_organizations(
    org: Org, clock: Clock, db_url: str
) -> None:
    # `init --owner` makes any existing user the owner of a second organization.
    made = run_cli("init", "--org", "Globex", "--owner", DEVELOPER, db=db_url)
    assert made.code == 0, made.err
    secret = pat(org, org.developer, "content_management_manage")
    with running_api(org.service, clock) as api:
        created = api.request(
            "POST",
            "/users/me/access_tokens",
            secret=secret,
            json={"name": "made over http", "scopes": ["content_management_read"]},
        )
        assert created.status_code == 201, created.text
        token_id = created.json()["sys"]["id"]
        revoked = api.request("PUT", f"/users/me/access_tokens/{token_id}/revoked", secret=secret)
        assert revoked.status_code == 200, revoked.text
    for name, admin in [("Acme", OWNER), ("Globex", DEVELOPER)]:
        assert _token_events(db_url, name, admin, token_id) == ["token.create", "token.revoke"], name


def test_a_space_token_shows_in_its_spaces_organization_only(org: Org, db_url: str) -> None:
    assert run_cli("init", "--org", "Globex", "--owner", DEVELOPER, db=db_url).code == 0
    made = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    org.service.revoke(org.developer, made.token.id)
    assert _token_events(db_url, "Acme", OWNER, made.token.id) == ["token.create", "token.revoke"]
    assert _token_events(db_url, "Globex", DEVELOPER, made.token.id) == []
