"""Contentful's official Python SDK against the running server: create, list, find, revoke, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from contentful_management.errors import AccessDeniedError, NotFoundError, UnauthorizedError

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org
from tokentui.core.errors import StoreError
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import TokenKind


def error_id(exc: pytest.ExceptionInfo[Exception]) -> str:
    """The Contentful error id of the SDK exception's response."""
    return str(exc.value.response.json()["sys"]["id"])  # type: ignore[attr-defined]


def test_create_with_expires_in_answers_the_secret_once_and_expires_then(api: RunningApi, org: Org) -> None:
    client = api.sdk(pat(org, org.developer))

    token = client.personal_access_tokens().create(
        {"name": "CI deploy", "scopes": ["content_management_manage"], "expiresIn": 3600}
    )

    assert token.name == "CI deploy"
    assert token.scopes == ["content_management_manage"]
    assert secret_format.parse(token.token) is TokenKind.PERSONAL
    assert token.sys["type"] == "PersonalAccessToken"
    assert token.sys["redacted_value"] == token.token[-4:]
    assert token.sys["expires_at"] == api.clock.now + timedelta(hours=1)
    assert token.sys["created_at"] == api.clock.now
    assert not token.is_revoked
    # The store keeps a hash: the secret itself is nowhere in it.
    view = org.service.get_token(org.developer, token.id)
    assert view.author == "dev@acme.test" and view.expires_at == api.clock.now + timedelta(hours=1)

    found = client.personal_access_tokens().find(token.id)
    assert found.token == ""
    assert "token" not in found.raw

    new_client = api.sdk(token.token)
    assert new_client.personal_access_tokens().find(token.id).name == "CI deploy"
    api.clock.advance(seconds=3600)
    with pytest.raises(UnauthorizedError) as refused:
        new_client.personal_access_tokens().all()
    assert error_id(refused) == "AccessTokenInvalid"


def test_create_without_expires_in_never_expires(api: RunningApi, org: Org) -> None:
    client = api.sdk(pat(org, org.developer))

    token = client.personal_access_tokens().create({"name": "forever", "scopes": ["content_management_read"]})

    assert "expires_at" not in token.sys
    assert "expiresAt" not in token.raw["sys"]
    assert org.service.get_token(org.developer, token.id).expires_at is None
    api.clock.advance(days=3650)
    assert api.sdk(token.token).personal_access_tokens().find(token.id).name == "forever"


def test_list_shows_the_users_own_user_tokens_with_paging(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer, name="mine 0")
    for n in range(1, 5):
        api.clock.advance(minutes=1)
        pat(org, org.developer, name=f"mine {n}")
    pat(org, org.owner, name="the owner's")
    org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    client = api.sdk(secret)

    first = client.personal_access_tokens().all({"limit": 2})
    second = client.personal_access_tokens().all({"limit": 2, "skip": 2})
    rest = client.personal_access_tokens().all({"limit": 2, "skip": 4})

    assert (first.total, first.skip, first.limit) == (5, 0, 2)
    assert [t.name for t in first] == ["mine 4", "mine 3"]
    assert [t.name for t in second] == ["mine 2", "mine 1"]
    assert [t.name for t in rest] == ["mine 0"]
    assert all(t.token == "" for t in [*first, *second, *rest])


def test_find_another_users_token_is_not_found(api: RunningApi, org: Org) -> None:
    theirs = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    # Even an organization owner sees only their own tokens under /users/me.
    client = api.sdk(pat(org, org.owner))

    with pytest.raises(NotFoundError) as missing:
        client.personal_access_tokens().find(theirs.token.id)

    assert error_id(missing) == "NotFound"
    assert missing.value.response.json()["details"]["type"] == "PersonalAccessToken"  # type: ignore[attr-defined]


def test_revoke_answers_the_revoked_token_and_it_stops_working(api: RunningApi, org: Org) -> None:
    client = api.sdk(pat(org, org.developer))
    token = client.personal_access_tokens().create(
        {"name": "short-lived", "scopes": ["content_management_manage"]}
    )
    api.clock.advance(minutes=5)

    revoked = client.personal_access_tokens().revoke(token.id)

    assert revoked.is_revoked
    assert revoked.revoked_at == api.clock.now
    assert client.personal_access_tokens().find(token.id).is_revoked
    with pytest.raises(UnauthorizedError) as refused:
        api.sdk(token.token).personal_access_tokens().all()
    assert error_id(refused) == "AccessTokenInvalid"
    # PUT is idempotent: revoking again answers the same revoked token and records nothing new.
    before = store_state(api.service)
    again = client.personal_access_tokens().revoke(token.id)
    assert again.revoked_at == revoked.revoked_at
    assert store_state(api.service).audit_events == before.audit_events


def test_a_token_can_revoke_itself(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer)
    client = api.sdk(secret)
    own_id = client.personal_access_tokens().all()[0].id

    assert client.personal_access_tokens().revoke(own_id).is_revoked
    with pytest.raises(UnauthorizedError):
        client.personal_access_tokens().all()


def test_revoking_someone_elses_token_is_not_found_and_changes_nothing(api: RunningApi, org: Org) -> None:
    theirs = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    client = api.sdk(pat(org, org.admin))
    before = store_state(api.service)

    with pytest.raises(NotFoundError):
        client.personal_access_tokens().revoke(theirs.token.id)

    after = store_state(api.service)
    assert after.audit_events == before.audit_events
    assert org.service.get_token(org.developer, theirs.token.id).revoked_at is None


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param("ttp_" + "A" * 49, id="bad-checksum"),
        pytest.param("not a token", id="malformed"),
        pytest.param(secret_format.generate(TokenKind.PERSONAL), id="unknown"),
    ],
)
def test_malformed_and_unknown_secrets_get_access_token_invalid(
    api: RunningApi, org: Org, secret: str
) -> None:
    with pytest.raises(UnauthorizedError) as refused:
        api.sdk(secret).personal_access_tokens().all()

    assert error_id(refused) == "AccessTokenInvalid"
    assert refused.value.response.headers["www-authenticate"].startswith("Bearer")  # type: ignore[attr-defined]


def test_revoked_and_expired_secrets_get_access_token_invalid(api: RunningApi, org: Org) -> None:
    revoked = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    org.service.revoke(org.developer, revoked.token.id)
    expiring = pat(org, org.developer, expires="1d")
    api.clock.advance(days=1)

    for secret in (revoked.secret, expiring):
        with pytest.raises(UnauthorizedError) as refused:
            api.sdk(secret).personal_access_tokens().all()
        assert error_id(refused) == "AccessTokenInvalid"


def test_space_token_secrets_do_not_authenticate_the_management_api(api: RunningApi, org: Org) -> None:
    delivery = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    management = org.service.create_token(org.owner, "management", space="Website", scopes=["read", "write"])

    for created in (delivery, management):
        with pytest.raises(UnauthorizedError):
            api.sdk(created.secret).personal_access_tokens().all()


def test_oauth_and_session_tokens_act_as_their_user(api: RunningApi, org: Org) -> None:
    oauth = org.service.create_token(
        org.developer, "oauth", app="Deploy bot", scopes=["content_management_manage"], expires="never"
    )
    session = org.service.create_token(org.developer, "session")

    made = (
        api.sdk(oauth.secret)
        .personal_access_tokens()
        .create({"name": "via oauth", "scopes": ["content_management_read"]})
    )
    listed = api.sdk(session.secret).personal_access_tokens().all({"sys.type[in]": "PersonalAccessToken"})

    assert [t.name for t in listed] == ["via oauth"]
    assert org.service.get_token(org.developer, made.id).author == "dev@acme.test"


def test_a_read_scope_token_cannot_create_or_revoke(api: RunningApi, org: Org) -> None:
    target = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    client = api.sdk(pat(org, org.developer, "content_management_read"))
    before = store_state(api.service)

    with pytest.raises(AccessDeniedError) as create_refused:
        client.personal_access_tokens().create({"name": "nope", "scopes": ["content_management_manage"]})
    with pytest.raises(AccessDeniedError) as revoke_refused:
        client.personal_access_tokens().revoke(target.token.id)

    assert error_id(create_refused) == error_id(revoke_refused) == "AccessDenied"
    assert "content_management_manage" in str(create_refused.value)
    assert store_state(api.service) == before
    # Reading is what the scope is for.
    assert client.personal_access_tokens().find(target.token.id).name == target.token.name


def test_every_successful_use_records_last_used_at(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer)
    client = api.sdk(secret)
    own_id = client.personal_access_tokens().all()[0].id
    assert org.service.get_token(org.developer, own_id).last_used_at == api.clock.now

    api.clock.advance(hours=2)
    found = client.personal_access_tokens().find(own_id)

    assert found.sys["last_used_at"] == "2026-11-22T14:00:00.000Z"
    assert org.service.get_token(org.developer, own_id).last_used_at == api.clock.now


def test_refused_requests_do_not_count_as_use(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.developer, "content_management_read")
    before = store_state(api.service)

    with pytest.raises(AccessDeniedError):
        api.sdk(secret).personal_access_tokens().create({"name": "x", "scopes": ["content_management_read"]})

    assert store_state(api.service) == before


def test_me_and_organizations_let_a_client_find_its_ids(api: RunningApi, org: Org) -> None:
    client = api.sdk(pat(org, org.admin))

    me = client.users().me()
    orgs = client.organizations().all()

    assert me.email == "admin@acme.test"
    assert [o.name for o in orgs] == ["Acme"]
    assert orgs[0].id == str(org.owner.org_id)


def test_created_at_uses_the_server_clock(api: RunningApi, org: Org) -> None:
    api.clock.now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    token = (
        api.sdk(pat(org, org.developer))
        .personal_access_tokens()
        .create({"name": "dated", "scopes": ["content_management_manage"], "expiresIn": 60})
    )

    assert token.raw["sys"]["createdAt"] == "2030-01-02T03:04:05.000Z"
    assert token.raw["sys"]["expiresAt"] == "2030-01-02T03:05:05.000Z"


def test_create_still_answers_the_secret_when_last_used_at_cannot_be_written(
    api: RunningApi, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.sdk(pat(org, org.developer))

    def store_down(*_args: object) -> None:
        raise StoreError("the database is busy")

    monkeypatch.setattr(api.service, "mark_used", store_down)

    token = client.personal_access_tokens().create({"name": "kept", "scopes": ["content_management_read"]})

    assert secret_format.parse(token.token) is TokenKind.PERSONAL
    assert org.service.get_token(org.developer, token.id).name == "kept"
    assert "could not record the use of token" in api.logs()
