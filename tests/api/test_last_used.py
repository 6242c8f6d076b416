"""``lastUsedAt`` records a request that was answered, never one that was refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlmodel import select

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org
from tokentui.core.models import Token
from tokentui.core.tokens.secret_format import hash_secret

CREATE = "/users/me/access_tokens"


def last_used(api: RunningApi, secret: str) -> datetime | None:
    with api.service.store.read() as session:
        return session.exec(select(Token.last_used_at).where(Token.secret_hash == hash_secret(secret))).one()


@pytest.fixture
def others_token_id(org: Org) -> str:
    return org.service.create_token(org.admin, "personal", scopes=["content_management_manage"]).token.id


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        pytest.param("GET", "/users/me/access_tokens/{other}", {}, 404, id="another-users-token"),
        pytest.param(
            "PUT", "/users/me/access_tokens/{other}/revoked", {}, 404, id="revoke-another-users-token"
        ),
        pytest.param("GET", "/users/me/access_tokens/0000000000", {}, 404, id="no-such-token"),
        pytest.param("POST", CREATE, {"json": {"name": "x", "scopes": []}}, 422, id="bad-body"),
        pytest.param("POST", CREATE, {"json": {"name": "x", "scopes": ["root"]}}, 422, id="unknown-scope"),
        pytest.param("POST", CREATE, {"content": b"{"}, 400, id="unreadable-body"),
        pytest.param("GET", CREATE, {"params": {"limit": "0"}}, 400, id="bad-query"),
        pytest.param("GET", CREATE, {"params": {"sys.expiresAt[lt]": "soon"}}, 400, id="bad-date"),
        pytest.param("DELETE", CREATE, {}, 405, id="wrong-method"),
        pytest.param("GET", "/organizations/1/access_tokens", {}, 403, id="not-an-admin"),
        pytest.param("GET", "/organizations/99/access_tokens", {}, 404, id="not-a-member"),
        pytest.param(
            "GET", "/organizations/1/access_tokens", {"params": {"skip": "x"}}, 400, id="org-bad-query"
        ),
    ],
)
def test_a_refused_request_records_no_use(
    api: RunningApi,
    org: Org,
    others_token_id: str,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    bearer = pat(org, org.developer)
    before = store_state(api.service)

    response = api.request(method, path.format(other=others_token_id), secret=bearer, **kwargs)

    assert response.status_code == status, response.text
    assert store_state(api.service) == before
    assert last_used(api, bearer) is None


def test_a_read_only_token_refused_creation_records_no_use(api: RunningApi, org: Org) -> None:
    reader = pat(org, org.developer, "content_management_read")
    before = store_state(api.service)

    response = api.request(
        "POST", CREATE, secret=reader, json={"name": "x", "scopes": ["content_management_read"]}
    )

    assert response.status_code == 403
    assert store_state(api.service) == before
    assert last_used(api, reader) is None


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        pytest.param("GET", "/users/me", {}, id="me"),
        pytest.param("GET", CREATE, {}, id="list"),
        pytest.param("GET", "/organizations", {}, id="organizations"),
        pytest.param(
            "POST", CREATE, {"json": {"name": "x", "scopes": ["content_management_read"]}}, id="create"
        ),
    ],
)
def test_an_answered_request_records_its_use(
    api: RunningApi, org: Org, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    bearer = pat(org, org.developer)
    api.clock.advance(minutes=5)

    response = api.request(method, path, secret=bearer, **kwargs)

    assert response.status_code in (200, 201)
    assert last_used(api, bearer) == api.clock.now


def test_looking_up_ones_own_token_records_its_use(api: RunningApi, org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    api.clock.advance(minutes=5)

    response = api.request("GET", f"/users/me/access_tokens/{created.token.id}", secret=created.secret)

    assert response.status_code == 200
    assert last_used(api, created.secret) == api.clock.now


def test_an_organization_listing_by_an_admin_records_its_use(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.admin)
    api.clock.advance(minutes=5)

    response = api.request("GET", "/organizations/1/access_tokens", secret=bearer)

    assert response.status_code == 200
    assert last_used(api, bearer) == api.clock.now


def test_the_answer_shows_the_use_it_recorded(api: RunningApi, org: Org) -> None:
    created = org.service.create_token(org.admin, "personal", scopes=["content_management_manage"])
    api.clock.advance(minutes=5)
    now = api.clock.now.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    one = api.request("GET", f"/users/me/access_tokens/{created.token.id}", secret=created.secret).json()
    mine = api.request("GET", CREATE, secret=created.secret).json()
    everyone = api.request("GET", "/organizations/1/access_tokens", secret=created.secret).json()

    assert one["sys"]["lastUsedAt"] == now
    for listing in (mine, everyone):
        (own,) = [item for item in listing["items"] if item["sys"]["id"] == created.token.id]
        assert own["sys"]["lastUsedAt"] == now
