"""A secret appears in the answer to create and nowhere else: not in other answers, error bodies or logs."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org
from tokentui.core.errors import StoreError

VND = {"Content-Type": "application/vnd.contentful.management.v1+json"}


def test_secrets_never_reach_logs_or_any_answer_but_create(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.developer)
    created = api.request(
        "POST",
        "/users/me/access_tokens",
        secret=bearer,
        json={"name": "new", "scopes": ["content_management_read"]},
    )
    new_secret = created.json()["token"]
    revoked = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.developer, revoked.token.id)
    secrets_in_play = [bearer, new_secret, revoked.secret]

    answers = [
        api.request("GET", "/users/me/access_tokens", secret=bearer),
        api.request("GET", f"/users/me/access_tokens/{created.json()['sys']['id']}", secret=bearer),
        api.request("GET", f"/users/me/access_tokens/{new_secret}", secret=bearer),
        api.request("PUT", f"/users/me/access_tokens/{new_secret}/revoked", secret=bearer),
        api.request("GET", f"/users/me/access_tokens?access_token={new_secret}"),
        api.request("GET", f"/users/me/access_tokens/?access_token={new_secret}"),
        api.request("GET", f"/users/me/access_tokens?sys.type[in]={new_secret}", secret=bearer),
        api.request("GET", f"/users/me/access_tokens?{new_secret}[lt]=1", secret=bearer),
        api.request("GET", f"/organizations/{new_secret}/access_tokens", secret=bearer),
        api.request("GET", "/users/me/access_tokens", secret=revoked.secret),
        api.request(
            "POST", "/users/me/access_tokens", secret=bearer, json={"name": "x", "scopes": [new_secret]}
        ),
        api.request("POST", "/users/me/access_tokens", secret=bearer, json={new_secret: 1}),
        api.request(
            "POST",
            "/users/me/access_tokens",
            secret=bearer,
            content=f'{{"{new_secret}": 1, "{new_secret}": 2}}',
            headers=VND,
        ),
        api.request(
            "POST", "/verify", secret=new_secret, json={"action": "content.read", "space": new_secret}
        ),
        api.request("POST", "/verify", secret=revoked.secret, json={"action": new_secret}),
    ]

    assert created.status_code == 201 and created.text.count(new_secret) == 1
    assert [a.status_code for a in answers] == [
        200,
        200,
        404,
        404,
        400,
        404,
        400,
        400,
        404,
        401,
        422,
        422,
        400,
        403,
        422,
    ]
    for answer in answers:
        for secret in secrets_in_play:
            assert secret[4:] not in answer.text
            assert secret[4:] not in str(answer.headers)
    logs = api.logs()
    assert '"GET /users/me/access_tokens/ttp_[REDACTED]" 404' in logs
    assert "refused an access token: revoked (token " + revoked.token.id in logs
    for secret in secrets_in_play:
        assert secret[4:] not in logs


def test_an_unexpected_error_is_a_server_error_object_and_its_log_is_redacted(
    api: RunningApi, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    bearer = pat(org, org.owner)

    def broken(email: str) -> None:
        raise RuntimeError(f"something broke near {bearer}")

    monkeypatch.setattr(api.service, "organizations", broken)

    response = api.request("GET", "/organizations", secret=bearer)

    assert response.status_code == 500
    body = response.json()
    assert body["sys"] == {"type": "Error", "id": "ServerError"}
    assert bearer not in response.text
    logs = api.logs()
    assert "RuntimeError: something broke near ttp_[REDACTED]" in logs
    assert bearer[4:] not in logs


def test_a_store_failure_is_service_unavailable(
    api: RunningApi, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    bearer = pat(org, org.owner)

    def down(email: str) -> None:
        raise StoreError("database error at postgresql://tokentui:***@db/tokentui: connection refused")

    monkeypatch.setattr(api.service, "organizations", down)

    response = api.request("GET", "/organizations", secret=bearer)

    assert response.status_code == 503
    assert response.json()["sys"]["id"] == "ServiceUnavailable"
    assert "postgresql" not in response.text


def test_answers_are_never_cached(api: RunningApi, org: Org) -> None:
    bearer = pat(org, org.owner)

    created = api.request(
        "POST",
        "/users/me/access_tokens",
        secret=bearer,
        json={"name": "n", "scopes": ["content_management_read"]},
    )
    refused = api.request("GET", "/users/me/access_tokens", secret="nope")

    assert created.headers["cache-control"] == refused.headers["cache-control"] == "no-store"
    assert json.loads(created.text)["token"]


@pytest.mark.parametrize("glue", ["X", "7", "x_", "ttp"])
def test_a_secret_glued_to_other_text_is_redacted_from_logs_and_errors(
    api: RunningApi, org: Org, glue: str
) -> None:
    bearer = pat(org, org.developer)
    live = pat(org, org.developer, name="the live one")
    mistyped = live[:-1] + ("A" if live[-1] != "A" else "B")
    padding = "p" * 50  # a value cut to 64 characters for the message must not keep part of one

    answers = [
        api.request("GET", f"/users/me/access_tokens/{glue}{live}", secret=bearer),
        api.request("GET", f"/users/me/access_tokens/{glue}{live}/revoked", secret=bearer),
        api.request("PUT", f"/users/me/access_tokens/{glue}{live}/revoked", secret=bearer),
        api.request(
            "POST", "/users/me/access_tokens", secret=bearer, json={"name": "x", "scopes": [glue + live]}
        ),
        api.request(
            "POST", "/users/me/access_tokens", secret=bearer, json={"name": "x", "scopes": [glue + mistyped]}
        ),
        api.request("POST", "/users/me/access_tokens", secret=bearer, json={padding + glue + live: 1}),
        api.request("POST", "/verify", secret=bearer, json={"action": glue + live}),
        api.request("POST", "/verify", secret=bearer, json={"action": glue + mistyped}),
        api.request("GET", f"/users/me/access_tokens?{padding}{glue}{live}=1", secret=bearer),
        api.request("GET", f"/users/me/access_tokens?order={glue}{live}", secret=bearer),
    ]

    assert [a.status_code for a in answers] == [404, 405, 404, 422, 422, 422, 422, 422, 400, 400]
    logs = api.logs()
    for secret in (live, mistyped):
        # Twelve characters of the body are already more than any other text shares with it.
        for shown in [*(a.text for a in answers), logs]:
            assert secret[4:16] not in shown
    assert f'"GET /users/me/access_tokens/{glue}ttp_[REDACTED]" 404' in logs
