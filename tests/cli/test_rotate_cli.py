"""``tokens rotate ID [--grace DURATION] [--json]`` as a user runs it, refusals included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ADMIN, DEVELOPER, Org, run_cli
from tests.store_state import store_state
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import Status, TokenKind

MANAGE = ["content_management_manage"]


def _active(org: Org, name: str) -> list[str]:
    """The ids of the developer's active tokens called ``name``."""
    query = TokenQuery(mine=True, statuses=frozenset({Status.ACTIVE}), search=name)
    return [t.id for t in org.service.list_tokens(org.developer, query) if t.name == name]


def test_rotate_prints_the_new_secret_once_and_stops_the_old_one(org: Org, db_url: str) -> None:
    old = org.service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="staging", branches=["next"]
    )
    result = run_cli("tokens", "rotate", old.token.id, db=db_url, actor=DEVELOPER)
    assert result.code == 0, result.err
    [new_id] = _active(org, "site")
    new = org.service.get_token(org.developer, new_id)
    assert f"Rotated site; the old secret (…{old.token.last4}) stops working at once." in result.out
    assert new_id in result.out and "staging" in result.out and "next" in result.out
    lines = [line.strip() for line in result.out.splitlines()]
    secret = lines[lines.index("Secret (shown once; copy it now, it cannot be shown again):") + 2]
    assert secret.endswith(new.last4) and result.out.count(secret) == 1
    assert org.service.verify(secret, "content.read", space="Website", environment="staging").allowed
    assert org.service.get_token(org.developer, old.token.id).status_label == "revoked (rotated)"
    assert result.err == ""


def test_rotate_json_with_a_grace_period(org: Org, db_url: str) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="never")
    # The CLI runs on the real clock.
    started = datetime.now(UTC).replace(microsecond=0)
    result = run_cli("tokens", "rotate", old.token.id, "--grace", "3d", "--json", db=db_url, actor=DEVELOPER)
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    stops = datetime.fromisoformat(answer["replaces"]["stopsAt"])
    assert answer["replaces"]["id"] == old.token.id
    assert started + timedelta(days=3) <= stops <= datetime.now(UTC) + timedelta(days=3)
    assert answer["name"] == "ci" and answer["scopes"] == MANAGE and answer["status"] == "active"
    assert answer["token"].endswith(answer["last4"])
    assert org.service.verify(answer["token"], "content.write", space="Website").allowed
    stored = org.service.get_token(org.developer, old.token.id)
    assert stored.status is Status.ACTIVE and stored.expires_at is not None
    assert stored.expires_at.replace(microsecond=0) == stops
    assert sorted(_active(org, "ci")) == sorted([old.token.id, answer["id"]])


@pytest.mark.parametrize(
    "grace, says",
    [
        ("8d", "is too long (at most 7 days)"),
        ("0h", "must be longer than nothing"),
        ("-1d", "is not a duration"),
        ("tomorrow", "is not a duration"),
    ],
)
def test_a_bad_grace_period_is_one_line_exit_2_and_changes_nothing(
    org: Org, db_url: str, grace: str, says: str
) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    before = store_state(db_url)
    result = run_cli("tokens", "rotate", old.token.id, f"--grace={grace}", db=db_url, actor=DEVELOPER)
    assert result.code == 2
    assert result.err.startswith("tokentui: error: grace period") and says in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert result.out == "" and store_state(db_url) == before


def test_rotate_refusals_are_one_line_with_the_readmes_exit_codes(org: Org, db_url: str) -> None:
    theirs = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    gone = org.service.create_token(org.developer, "personal", name="gone", scopes=MANAGE)
    org.service.revoke(org.developer, gone.token.id)
    legacy_only = TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS}))
    legacy = org.service.list_tokens(org.owner, legacy_only)[0]
    before = store_state(db_url)
    for args, actor, code, says in (
        ((theirs.token.id,), ADMIN, 3, "only its author can revoke"),
        ((gone.token.id,), DEVELOPER, 6, "was revoked at"),
        (("nope",), DEVELOPER, 4, "no token 'nope'"),
        ((legacy.id, "--grace", "1d"), DEVELOPER, 3, "omit the grace period"),
    ):
        result = run_cli("tokens", "rotate", *args, db=db_url, actor=actor)
        assert result.code == code, (args, result.err)
        assert result.err.startswith("tokentui: error: ") and says in result.err
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert store_state(db_url) == before


def test_rotating_a_legacy_access_token_resets_it(org: Org, db_url: str) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    result = run_cli("tokens", "rotate", legacy.id, "--json", db=db_url, actor=DEVELOPER)
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer["kind"] == "legacy_access" and answer["replaces"]["id"] == legacy.id
    assert org.service.get_token(org.owner, legacy.id).revoked_reason == "reset"
