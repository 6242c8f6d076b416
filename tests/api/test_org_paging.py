"""GET /organizations pages with skip/limit/order like the token listings and refuses unknown parameters."""

from __future__ import annotations

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org


def test_organizations_page_without_duplicates(api: RunningApi, org: Org) -> None:
    for name in ("Zeta", "Alpha", "Mid"):
        org.service.init_org(name, org.owner.email)
    secret = pat(org, org.owner)
    everything = api.request("GET", "/organizations", params={"order": "name"}, secret=secret).json()
    total = everything["total"]
    assert total == 4
    seen: list[str] = []
    for skip in range(0, total, 1):
        page = api.request(
            "GET", "/organizations", params={"skip": skip, "limit": 1, "order": "name"}, secret=secret
        ).json()
        assert (page["skip"], page["limit"], page["total"]) == (skip, 1, total)
        seen += [o["sys"]["id"] for o in page["items"]]
    assert seen == [o["sys"]["id"] for o in everything["items"]]
    names = [o["name"] for o in everything["items"]]
    assert names == sorted(names, key=str.casefold)
    backwards = api.request("GET", "/organizations", params={"order": "-name"}, secret=secret).json()
    assert [o["name"] for o in backwards["items"]] == names[::-1]


def test_organizations_refuse_unknown_and_bad_parameters(api: RunningApi, org: Org) -> None:
    secret = pat(org, org.owner)
    for params, parameter in (
        ({"colour": "red"}, "colour"),
        ({"limit": "0"}, "limit"),
        ({"order": "x"}, "order"),
    ):
        answer = api.request("GET", "/organizations", params=params, secret=secret)
        assert answer.status_code == 400, params
        assert answer.json()["sys"]["id"] == "InvalidQuery"
        assert answer.json()["details"]["errors"][0]["path"] == [parameter]
