"""Listing filters and the organization-wide admin view, through the SDK and raw HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from contentful_management.errors import AccessDeniedError, BadRequestError, NotFoundError

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org


def iso(api: RunningApi, **delta: float) -> str:
    return (api.clock.now + timedelta(**delta)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def dev_tokens(api: RunningApi, org: Org) -> str:
    """The developer's tokens: active (7d, 60d, never), one revoked, one expired; returns a manage secret."""
    secret = pat(org, org.developer, name="bearer", expires="never")
    pat(org, org.developer, name="week", expires="7d")
    pat(org, org.developer, name="two months", expires="60d")
    revoked = org.service.create_token(
        org.developer, "personal", name="revoked", scopes=["content_management_read"]
    )
    org.service.revoke(org.developer, revoked.token.id)
    pat(org, org.developer, name="expired", expires="1d")
    org.service.create_token(
        org.developer, "oauth", name="app token", app="Deploy bot", scopes=["content_management_read"]
    )
    api.clock.advance(days=2)
    return secret


def names(items: object) -> set[str]:
    return {t.name for t in items}  # type: ignore[attr-defined]


def test_type_filter_picks_kinds_by_contentful_type_name(api: RunningApi, dev_tokens: str) -> None:
    proxy = api.sdk(dev_tokens).personal_access_tokens()

    pats = proxy.all({"sys.type[in]": "PersonalAccessToken"})
    # The Python SDK only builds PersonalAccessToken objects, so other types are read raw.
    raw = api.request(
        "GET", "/users/me/access_tokens?sys.type[in]=OAuthApplication", secret=dev_tokens
    ).json()
    nothing = proxy.all({"sys.type[in]": "CLIToken"})

    assert names(pats) == {"bearer", "week", "two months", "revoked", "expired"}
    assert [i["name"] for i in raw["items"]] == ["app token"]
    assert raw["items"][0]["sys"]["type"] == "OAuthApplication"
    assert raw["items"][0]["sys"]["application"]["name"] == "Deploy bot"
    assert (nothing.total, len(nothing)) == (0, 0)


def test_revoked_at_filters(api: RunningApi, dev_tokens: str) -> None:
    proxy = api.sdk(dev_tokens).personal_access_tokens()
    only = {"sys.type[in]": "PersonalAccessToken"}

    not_revoked = proxy.all({**only, "revokedAt": "null"})
    revoked = proxy.all({**only, "revokedAt[exists]": "true"})
    revoked_before_now = proxy.all({**only, "revokedAt[lt]": iso(api)})
    revoked_later = proxy.all({**only, "revokedAt[gt]": iso(api)})

    assert names(not_revoked) == {"bearer", "week", "two months", "expired"}
    assert names(revoked) == names(revoked_before_now) == {"revoked"}
    assert revoked_later.total == 0


def test_expiry_filters_give_contentfuls_active_and_expired_lists(api: RunningApi, dev_tokens: str) -> None:
    proxy = api.sdk(dev_tokens).personal_access_tokens()
    only = {"sys.type[in]": "PersonalAccessToken"}

    # Contentful's own recipes: "all active tokens" and "all expired tokens".
    active = proxy.all({**only, "sys.expiresAt[gt]": iso(api), "revokedAt": "null"})
    expired = proxy.all({**only, "sys.expiresAt[lt]": iso(api), "revokedAt": "null"})
    within_ten_days = proxy.all(
        {**only, "sys.expiresAt[gt]": iso(api), "sys.expiresAt[lt]": iso(api, days=10)}
    )

    # A token that never expires is active: it expires later than any instant.
    assert names(active) == {"bearer", "week", "two months"}
    assert names(expired) == {"expired"}
    assert names(within_ten_days) == {"week"}


def test_order_and_paging_agree_with_total(api: RunningApi, dev_tokens: str) -> None:
    proxy = api.sdk(dev_tokens).personal_access_tokens()
    query = {"sys.type[in]": "PersonalAccessToken", "order": "name"}

    pages = [proxy.all({**query, "skip": skip, "limit": 2}) for skip in (0, 2, 4)]

    assert [p.total for p in pages] == [5, 5, 5]
    assert [t.name for p in pages for t in p] == ["bearer", "expired", "revoked", "two months", "week"]


@pytest.mark.parametrize(
    "query",
    [
        {"skip": "-1"},
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "ten"},
        {"sys.type[in]": "Bogus"},
        {"sys.expiresAt[lt]": "next tuesday"},
        {"sys.name[lt]": "2027-01-01"},
        {"revokedAt": "yesterday"},
        {"order": "secret"},
        {"color": "blue"},
    ],
    ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()),
)
def test_unusable_query_parameters_are_invalid_query(
    api: RunningApi, dev_tokens: str, query: dict[str, str]
) -> None:
    with pytest.raises(BadRequestError) as refused:
        api.sdk(dev_tokens).personal_access_tokens().all(query)

    body = refused.value.response.json()  # type: ignore[attr-defined]
    assert body["sys"]["id"] == "InvalidQuery"
    assert body["details"]["errors"][0]["path"] == [next(iter(query))]


def test_a_repeated_parameter_is_invalid_query(api: RunningApi, dev_tokens: str) -> None:
    response = api.request("GET", "/users/me/access_tokens?skip=1&skip=2", secret=dev_tokens)

    assert response.status_code == 400
    assert response.json()["sys"]["id"] == "InvalidQuery"


# -- the organization's admin view ------------------------------------------------------


def org_tokens(api: RunningApi, secret: str, org_id: object, query: dict[str, str] | None = None) -> object:
    # The Python SDK has no proxy for this endpoint; its generic request path builds the
    # objects and raises its exceptions exactly as its proxies do.
    return api.sdk(secret)._get(f"organizations/{org_id}/access_tokens", query or {})


def test_admin_lists_every_token_with_access_to_the_organization(api: RunningApi, org: Org) -> None:
    admin = pat(org, org.admin, name="admin's")
    pat(org, org.developer, name="developer's")
    org.service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="production"
    )
    org.service.init_org("Elsewhere", "stranger@else.test")
    pat(org, org.service.actor("stranger@else.test"), name="stranger's")

    pats = org_tokens(api, admin, org.owner.org_id, {"sys.type[in]": "PersonalAccessToken"})
    everything = api.request("GET", f"/organizations/{org.owner.org_id}/access_tokens", secret=admin).json()

    assert names(pats) == {"admin's", "developer's"}
    authors = {t.name: t.sys["user"]["sys"]["id"] for t in pats}  # type: ignore[attr-defined]
    assert authors["developer's"] == str(org.developer.user_id)
    emails = {u["sys"]["id"]: u["email"] for u in everything["includes"]["User"]}
    assert emails[str(org.developer.user_id)] == "dev@acme.test"
    by_name = {i["name"]: i for i in everything["items"]}
    assert by_name["site"]["sys"]["type"] == "DeliveryToken"
    assert (by_name["site"]["space"], by_name["site"]["environment"]) == ("Website", "production")
    assert "stranger's" not in by_name
    assert all("token" not in i for i in everything["items"])
    assert everything["total"] == len(everything["items"])


def test_a_removed_members_tokens_leave_the_organization_listing(api: RunningApi, org: Org) -> None:
    admin = pat(org, org.admin)
    pat(org, org.content_manager, name="editor's")
    only = {"sys.type[in]": "PersonalAccessToken"}
    assert "editor's" in names(org_tokens(api, admin, org.owner.org_id, only))

    org.service.remove_member(org.owner, "editor@acme.test")

    assert "editor's" not in names(org_tokens(api, admin, org.owner.org_id, only))


def test_a_member_who_is_not_an_admin_gets_access_denied(api: RunningApi, org: Org) -> None:
    member = pat(org, org.developer)
    before = store_state(api.service)

    with pytest.raises(AccessDeniedError) as refused:
        org_tokens(api, member, org.owner.org_id)

    assert refused.value.response.json()["sys"]["id"] == "AccessDenied"  # type: ignore[attr-defined]
    assert store_state(api.service) == before


def test_an_organization_the_user_is_not_in_is_not_found(api: RunningApi, org: Org) -> None:
    other = org.service.init_org("Elsewhere", "stranger@else.test")
    admin = pat(org, org.admin)

    for org_id in (other.id, 999, "not-an-id"):
        with pytest.raises(NotFoundError):
            org_tokens(api, admin, org_id)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("sys.expiresAt[lt]", "9999-12-31T23:59:59-14:00"),
        ("sys.expiresAt[gt]", "0001-01-01T00:00:00+14:00"),
        ("sys.createdAt[lte]", "9999-12-31T23:00:00-01:00"),
        ("sys.lastUsedAt[gte]", "0001-01-01T00:30:00+00:31"),
        ("revokedAt[lt]", "9999-12-31T23:59:59.999999-00:00:01"),
        ("sys.revokedAt[gt]", "0001-01-01T00:00:00+23:59"),
    ],
)
def test_an_instant_past_the_calendar_in_utc_is_invalid_query(
    api: RunningApi, dev_tokens: str, parameter: str, value: str
) -> None:
    before = store_state(api.service)

    for path in ("/users/me/access_tokens", "/organizations/1/access_tokens"):
        response = api.request("GET", path, params={parameter: value}, secret=dev_tokens)

        assert response.status_code == 400, response.text
        body = response.json()
        assert body["sys"]["id"] == "InvalidQuery"
        assert body["details"]["errors"][0]["path"] == [parameter]
        assert "outside the calendar" in body["message"]
    assert store_state(api.service) == before
    assert "store error" not in api.logs()


@pytest.mark.both_databases
def test_the_calendars_own_ends_are_usable_bounds(api: RunningApi, dev_tokens: str) -> None:
    late = api.request(
        "GET",
        "/users/me/access_tokens",
        params={"sys.createdAt[lt]": "9999-12-31T23:59:59Z"},
        secret=dev_tokens,
    )
    early = api.request(
        "GET",
        "/users/me/access_tokens",
        params={"sys.createdAt[gt]": "0001-01-01T00:00:00+00:00"},
        secret=dev_tokens,
    )

    assert late.status_code == early.status_code == 200
    assert late.json()["total"] == early.json()["total"] == 6
