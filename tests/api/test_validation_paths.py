"""Every 422 names its field in details.errors[].path, as Contentful's do (the Python SDK prints it)."""

from __future__ import annotations

import pytest
from contentful_management.errors import UnprocessableEntityError

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "scopes": ["content_management_manage"]}, "name"),
        ({"name": "   ", "scopes": ["content_management_manage"]}, "name"),
        ({"name": "ok", "scopes": ["no_such_scope"]}, "scopes"),
        ({"name": "ok", "scopes": []}, "scopes"),
    ],
)
def test_a_refused_field_is_named(api: RunningApi, org: Org, body: dict[str, object], field: str) -> None:
    secret = pat(org, org.developer)
    answer = api.request("POST", "/users/me/access_tokens", secret=secret, json=body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["details"]["errors"]
    assert errors and all(e["path"] == [field] for e in errors)


def test_the_python_sdk_shows_the_path(api: RunningApi, org: Org) -> None:
    client = api.sdk(pat(org, org.developer))
    with pytest.raises(UnprocessableEntityError) as raised:
        client.personal_access_tokens().create({"name": "", "scopes": ["content_management_manage"]})
    assert "Path: '[]'" not in str(raised.value)
    assert "name" in str(raised.value)
