"""Listing totals over HTTP: shared between identical requests, right again after a create or a revoke."""

from __future__ import annotations

from sqlalchemy import event, func, select

from tests.api.conftest import RunningApi, pat
from tests.conftest import Org
from tokentui.core.models import Token

CMA = {"Content-Type": "application/vnd.contentful.management.v1+json"}


def _stored(api: RunningApi, *, author_id: int, revoked: bool | None = None) -> int:
    """The developer's personal tokens as the store holds them."""
    stmt = (
        select(func.count()).select_from(Token).where(Token.author_id == author_id, Token.kind == "personal")
    )
    if revoked is not None:
        stmt = stmt.where(Token.revoked_at.is_not(None) if revoked else Token.revoked_at.is_(None))  # type: ignore[union-attr]
    with api.service.store.read() as session:
        return int(session.execute(stmt).scalar_one())


def test_totals_are_shared_and_stay_right_after_a_create_and_a_revoke(api: RunningApi, org: Org) -> None:
    developer = org.developer
    secret = pat(org, developer, name="bearer")
    admin = pat(org, org.admin, name="admin's")
    mine = "/users/me/access_tokens"
    listing = f"/organizations/{developer.org_id}/access_tokens"
    counts: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT COUNT("):
            counts.append(statement)

    event.listen(api.service.store.engine, "before_cursor_execute", keep)
    try:
        first = [api.request("GET", mine, params={"limit": 1}, secret=secret).json() for _ in range(4)]
        org_first = [api.request("GET", listing, params={"limit": 1}, secret=admin).json() for _ in range(4)]
        assert len(counts) == 2  # four identical requests, one count each
        assert {page["total"] for page in first} == {1} == {_stored(api, author_id=developer.user_id)}
        org_total = org_first[0]["total"]
        assert {page["total"] for page in org_first} == {org_total}

        created = api.request(
            "POST",
            mine,
            secret=secret,
            headers=CMA,
            json={"name": "made", "scopes": ["content_management_read"]},
        )
        assert created.status_code == 201
        made = created.json()["sys"]["id"]
        after_create = api.request("GET", mine, params={"limit": 1}, secret=secret).json()
        assert after_create["total"] == 2 == _stored(api, author_id=developer.user_id)
        org_after = api.request("GET", listing, params={"limit": 1}, secret=admin).json()
        assert org_after["total"] == org_total + 1

        revoked = api.request("PUT", f"{mine}/{made}/revoked", secret=secret)
        assert revoked.status_code == 200
        active = api.request("GET", mine, params={"revokedAt[exists]": "false"}, secret=secret).json()
        gone = api.request("GET", mine, params={"revokedAt[exists]": "true"}, secret=secret).json()
    finally:
        event.remove(api.service.store.engine, "before_cursor_execute", keep)
    assert active["total"] == 1 == _stored(api, author_id=developer.user_id, revoked=False)
    assert [item["name"] for item in active["items"]] == ["bearer"]
    assert gone["total"] == 1 == _stored(api, author_id=developer.user_id, revoked=True)
    assert [item["sys"]["id"] for item in gone["items"]] == [made]
