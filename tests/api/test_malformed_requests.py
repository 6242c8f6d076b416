"""Malformed requests get one 4xx Contentful error, never a 500, and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org

CREATE = "/users/me/access_tokens"
VND = {"Content-Type": "application/vnd.contentful.management.v1+json"}


@pytest.fixture
def manager(api: RunningApi, org: Org) -> str:
    """A manage-scope secret of the developer, used once so lastUsedAt is already set."""
    secret = pat(org, org.developer)
    assert api.request("GET", "/users/me", secret=secret).status_code == 200
    return secret


def assert_refused(response: Any, status: int, error_id: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/vnd.contentful.management.v1+json")
    body: dict[str, Any] = response.json()
    assert body["sys"] == {"type": "Error", "id": error_id}
    assert body["message"]
    assert body["requestId"] == response.headers["x-contentful-request-id"]
    return body


@pytest.mark.parametrize(
    ("raw", "status", "error_id"),
    [
        pytest.param(b"{", 400, "BadRequest", id="truncated-json"),
        pytest.param(b"", 400, "BadRequest", id="empty"),
        pytest.param(b"name=x&scopes=y", 400, "BadRequest", id="form-encoded"),
        pytest.param(b"\xff\xfe{}", 400, "BadRequest", id="not-utf8"),
        pytest.param(b'["content_management_manage"]', 400, "BadRequest", id="array"),
        pytest.param(b'"just a string"', 400, "BadRequest", id="string"),
        pytest.param(
            b'{"name": "a", "name": "b", "scopes": ["content_management_read"]}',
            400,
            "BadRequest",
            id="duplicate-key",
        ),
        pytest.param(
            b'{"name": "x", "scopes": ["content_management_read"], "expiresIn": NaN}',
            400,
            "BadRequest",
            id="nan",
        ),
        pytest.param(b'{"a":' * 5000 + b"1" + b"}" * 5000, 400, "BadRequest", id="deeply-nested"),
        pytest.param(
            b'{"name": "x", "scopes": ["content_management_read"], "expiresIn": 1' + b"0" * 5000 + b"}",
            400,
            "BadRequest",
            id="number-too-long",
        ),
    ],
)
def test_unreadable_bodies_are_bad_request(
    api: RunningApi, manager: str, raw: bytes, status: int, error_id: str
) -> None:
    before = store_state(api.service)

    response = api.request("POST", CREATE, secret=manager, content=raw, headers=VND)

    assert_refused(response, status, error_id)
    assert store_state(api.service) == before


@pytest.mark.parametrize(
    ("body", "path"),
    [
        pytest.param({"scopes": ["content_management_read"]}, ["name"], id="no-name"),
        pytest.param({"name": 5, "scopes": ["content_management_read"]}, ["name"], id="name-number"),
        pytest.param({"name": "   ", "scopes": ["content_management_read"]}, ["name"], id="name-blank"),
        pytest.param(
            {"name": "x" * 201, "scopes": ["content_management_read"]}, ["name"], id="name-too-long"
        ),
        pytest.param({"name": "a\x00b", "scopes": ["content_management_read"]}, ["name"], id="name-nul"),
        pytest.param({"name": "x"}, ["scopes"], id="no-scopes"),
        pytest.param({"name": "x", "scopes": "content_management_read"}, ["scopes"], id="scopes-string"),
        pytest.param({"name": "x", "scopes": [1]}, ["scopes", 0], id="scopes-number"),
        pytest.param({"name": "x", "scopes": []}, ["scopes"], id="scopes-empty"),
        pytest.param({"name": "x", "scopes": ["root"]}, ["scopes"], id="unknown-scope"),
        pytest.param({"name": "x", "scopes": ["read"]}, ["scopes"], id="management-token-scope"),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": -60},
            ["expiresIn"],
            id="negative-expires-in",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": 0},
            ["expiresIn"],
            id="zero-expires-in",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": "3600"},
            ["expiresIn"],
            id="expires-in-string",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": True},
            ["expiresIn"],
            id="expires-in-bool",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": 1.5},
            ["expiresIn"],
            id="expires-in-fraction",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": 1e300},
            ["expiresIn"],
            id="expires-in-past-the-calendar",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": 10**12},
            ["expiresIn"],
            id="expires-in-thirty-thousand-years",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresIn": 400 * 365 * 86400},
            ["expiresIn"],
            id="expires-in-beyond-the-maximum",
        ),
        pytest.param(
            {"name": "x", "scopes": ["content_management_read"], "expiresin": 60},
            ["expiresin"],
            id="misspelt-field",
        ),
    ],
)
def test_invalid_fields_are_validation_failed(
    api: RunningApi, manager: str, body: dict[str, Any], path: list[Any]
) -> None:
    before = store_state(api.service)

    response = api.request("POST", CREATE, secret=manager, content=json.dumps(body).encode(), headers=VND)

    refused = assert_refused(response, 422, "ValidationFailed")
    assert refused["details"]["errors"][0]["path"] == path
    assert store_state(api.service) == before


def test_the_sdk_sees_validation_failed_as_its_unprocessable_entity_error(
    api: RunningApi, manager: str
) -> None:
    from contentful_management.errors import UnprocessableEntityError

    with pytest.raises(UnprocessableEntityError) as refused:
        api.sdk(manager).personal_access_tokens().create(
            {"name": "x", "scopes": ["content_management_manage"], "expiresIn": -1}
        )

    assert "expiresIn" in str(refused.value)


def test_a_body_announced_over_the_limit_is_refused_unread(api: RunningApi, manager: str) -> None:
    before = store_state(api.service)
    body = json.dumps({"name": "x" * (70 * 1024), "scopes": ["content_management_read"]}).encode()

    response = api.request("POST", CREATE, secret=manager, content=body, headers=VND)

    assert_refused(response, 413, "PayloadTooLarge")
    assert store_state(api.service) == before


def test_a_chunked_body_is_cut_off_at_the_limit(api: RunningApi, manager: str) -> None:
    before = store_state(api.service)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 8192
        yield b'", "scopes": ["content_management_read"]}'

    response = api.request("POST", CREATE, secret=manager, content=chunks(), headers=VND)

    assert_refused(response, 413, "PayloadTooLarge")
    assert store_state(api.service) == before


def test_a_body_that_is_not_json_by_media_type_is_refused(api: RunningApi, manager: str) -> None:
    before = store_state(api.service)
    body = json.dumps({"name": "x", "scopes": ["content_management_read"]}).encode()

    response = api.request(
        "POST", CREATE, secret=manager, content=body, headers={"Content-Type": "text/plain"}
    )

    assert_refused(response, 415, "UnsupportedMediaType")
    assert store_state(api.service) == before


def test_plain_application_json_is_accepted(api: RunningApi, manager: str) -> None:
    response = api.request(
        "POST", CREATE, secret=manager, json={"name": "curl", "scopes": ["content_management_read"]}
    )

    assert response.status_code == 201
    assert response.json()["name"] == "curl"


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-authorization"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
        pytest.param({"Authorization": "Bearer"}, id="empty-bearer"),
        pytest.param({"Authorization": "Bearer " + "x" * 10_000}, id="huge"),
    ],
)
def test_missing_or_foreign_credentials_are_access_token_invalid(
    api: RunningApi, org: Org, headers: dict[str, str]
) -> None:
    before = store_state(api.service)
    body = json.dumps({"name": "x", "scopes": ["content_management_read"]}).encode()

    response = api.request("POST", CREATE, content=body, headers={**VND, **headers})

    assert_refused(response, 401, "AccessTokenInvalid")
    assert store_state(api.service) == before


def test_unauthenticated_requests_learn_nothing_about_validation(api: RunningApi, org: Org) -> None:
    response = api.request("POST", CREATE, content=b"{", headers=VND)

    assert_refused(response, 401, "AccessTokenInvalid")


def test_a_secret_in_the_query_string_is_refused(api: RunningApi, manager: str) -> None:
    before = store_state(api.service)

    response = api.request("GET", f"/users/me/access_tokens?access_token={manager}")

    assert_refused(response, 400, "BadRequest")
    assert manager not in response.text
    assert store_state(api.service) == before


def test_unknown_endpoints_and_methods_are_contentful_errors(api: RunningApi, manager: str) -> None:
    assert_refused(api.request("GET", "/spaces", secret=manager), 404, "NotFound")
    assert_refused(
        api.request("DELETE", "/users/me/access_tokens/abc", secret=manager), 405, "MethodNotAllowed"
    )
    assert_refused(api.request("GET", "/users/me/access_tokens/a-b-c", secret=manager), 404, "NotFound")
    assert_refused(api.request("GET", "/organizations/1/access_tokens/x", secret=manager), 404, "NotFound")


def test_verify_refuses_malformed_questions(api: RunningApi, manager: str) -> None:
    before = store_state(api.service)

    unknown_action = api.request("POST", "/verify", secret=manager, json={"action": "everything"})
    missing_action = api.request("POST", "/verify", secret=manager, json={"space": "Website"})
    wrong_type = api.request("POST", "/verify", secret=manager, json={"action": "content.read", "space": 7})

    assert_refused(unknown_action, 422, "ValidationFailed")
    assert_refused(missing_action, 422, "ValidationFailed")
    assert_refused(wrong_type, 422, "ValidationFailed")
    assert store_state(api.service) == before


def raw_http(api: RunningApi, request: bytes) -> bytes:
    """Bytes exactly as written (httpx folds repeated headers into one), and the server's whole answer."""
    import socket

    with socket.create_connection(("127.0.0.1", api.port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "second",
    [
        pytest.param("Bearer {other}", id="another-secret"),
        pytest.param("Bearer {same}", id="the-same-secret"),
        pytest.param("Basic dXNlcjpwYXNz", id="another-scheme"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/users/me", b"", id="me"),
        pytest.param("POST", CREATE, b'{"name": "x", "scopes": ["content_management_read"]}', id="create"),
        pytest.param("POST", "/verify", b'{"action": "content.read"}', id="verify"),
    ],
)
def test_two_authorization_headers_are_refused(
    api: RunningApi, org: Org, manager: str, second: str, method: str, path: str, body: bytes
) -> None:
    other = pat(org, org.owner)
    before = store_state(api.service)

    answer = raw_http(
        api,
        (
            f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
            f"Authorization: Bearer {manager}\r\nAuthorization: {second.format(other=other, same=manager)}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body,
    )

    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    refused = json.loads(payload)
    assert refused["sys"] == {"type": "Error", "id": "BadRequest"}
    assert "one Authorization header" in refused["message"]
    assert store_state(api.service) == before


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        pytest.param("DELETE", CREATE, "GET, HEAD, POST", id="tokens"),
        pytest.param("PUT", CREATE, "GET, HEAD, POST", id="tokens-put"),
        pytest.param("POST", "/users/me", "GET, HEAD", id="me"),
        pytest.param("DELETE", "/users/me/access_tokens/abc", "GET, HEAD", id="one-token"),
        pytest.param("GET", "/users/me/access_tokens/abc/revoked", "PUT", id="revoked"),
        pytest.param("GET", "/verify", "POST", id="verify"),
        pytest.param("POST", "/organizations/1/access_tokens", "GET, HEAD", id="organization-tokens"),
    ],
)
def test_a_wrong_method_names_every_method_the_path_takes(
    api: RunningApi, manager: str, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path, secret=manager)

    assert_refused(response, 405, "MethodNotAllowed")
    assert response.headers["allow"] == allowed
