"""GET /organizations/{id}/organization_memberships and /users/me over real HTTP."""

from __future__ import annotations

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org


def test_memberships_page_with_role_and_user_link(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.owner)
    org_id = api.request("GET", "/organizations", secret=secret).json()["items"][0]["sys"]["id"]
    path = f"/organizations/{org_id}/organization_memberships"
    everything = api.request("GET", path, params={"include": "sys.user"}, secret=secret).json()
    assert everything["total"] == 6
    emails = {u["sys"]["id"]: u["email"] for u in everything["includes"]["User"]}
    roles = {emails[m["sys"]["user"]["sys"]["id"]]: m["role"] for m in everything["items"]}
    assert roles[org.owner.email] == "owner" and roles[org.admin.email] == "admin"
    assert roles[org.developer.email] == "member"
    paged = [
        m["sys"]["id"]
        for skip in range(0, 6, 4)
        for m in api.request("GET", path, params={"skip": skip, "limit": 4}, secret=secret).json()["items"]
    ]
    assert paged == [m["sys"]["id"] for m in everything["items"]]


def test_memberships_are_for_admins_and_refuse_unknown_parameters(api: RunningApi, org: Org) -> None:
    owner, member = pat(org, org.owner), pat(org, org.developer)
    org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
    path = f"/organizations/{org_id}/organization_memberships"
    assert api.request("GET", path, secret=member).status_code == 403
    assert api.request("GET", path, params={"colour": "red"}, secret=owner).status_code == 400


def test_users_me_sends_what_the_store_knows(api: RunningApi, org: Org) -> None:
    me = api.request("GET", "/users/me", secret=pat(org, org.developer)).json()
    assert me["email"] == org.developer.email
    assert me["activated"] is True and "createdAt" in me["sys"]
    assert {"firstName", "lastName"} <= set(me)
    # Nothing made up: the store has no sign-in count, avatar or second factor.
    assert not {"signInCount", "avatarUrl", "2faEnabled"} & set(me)


def test_the_org_listing_takes_contentful_clis_include_and_empty_revoked_at(
    api: RunningApi, org: Org
) -> None:
    owner = pat(org, org.owner)
    revoked = org.service.create_token(
        org.developer, "personal", name="gone", scopes=["content_management_read"]
    )
    org.service.revoke(org.developer, revoked.token.id)
    org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
    answer = api.request(
        "GET", f"/organizations/{org_id}/access_tokens?include=sys.user&revokedAt=&limit=100", secret=owner
    )
    assert answer.status_code == 200, answer.text
    names = {t["name"] for t in answer.json()["items"]}
    assert "gone" not in names and "fixture token" in names
    assert answer.json()["includes"]["User"]


def test_memberships_query_finds_a_member_by_user_id_or_email(api: RunningApi, org: Org) -> None:
    owner = pat(org, org.owner)
    org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
    path = f"/organizations/{org_id}/organization_memberships"
    me = api.request("GET", "/users/me", secret=owner).json()["sys"]["id"]
    by_id = api.request("GET", path, params={"query": me}, secret=owner).json()
    assert [m["role"] for m in by_id["items"]] == ["owner"]
    by_mail = api.request("GET", path, params={"query": "EDITOR@"}, secret=owner).json()
    assert by_mail["total"] == 1 and by_mail["includes"]["User"][0]["email"] == org.content_manager.email
