"""`tokentui audit --since --actor`: what changed lately, and who did it (SPEC, "Audit")."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, DEVELOPER, OUTSIDER, OWNER, Clock, Org, run_cli
from tokentui.core.dates import utc_now


def _summaries(*args: str, db: str) -> list[str]:
    result = run_cli("audit", *args, "--json", db=db, actor=OWNER)
    assert result.code == 0, result.err
    return [e["summary"] for e in json.loads(result.out)]


def test_audit_since_keeps_only_recent_events_by_duration_and_by_day(
    org: Org, clock: Clock, db_url: str
) -> None:
    org.service.create_token(org.developer, "personal", name="old one", scopes=["content_management_read"])
    clock.now = utc_now()
    org.service.create_token(org.developer, "personal", name="fresh one", scopes=["content_management_read"])
    recent = _summaries("--since", "24h", db=db_url)
    assert any("fresh one" in s for s in recent) and not any("old one" in s for s in recent)
    by_day = _summaries("--since", clock.now.date().isoformat(), db=db_url)
    assert any("fresh one" in s for s in by_day) and not any("old one" in s for s in by_day)
    everything = _summaries("--since", "2026-01-01", db=db_url)
    assert any("old one" in s for s in everything) and any("fresh one" in s for s in everything)


def test_audit_actor_keeps_one_persons_events_case_insensitively(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", name="devs", scopes=["content_management_read"])
    result = run_cli("audit", "--actor", DEVELOPER.upper(), "--json", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    events = json.loads(result.out)
    assert events and {e["actor"] for e in events} == {DEVELOPER}
    assert any("devs" in e["summary"] for e in events)


def test_audit_since_refuses_what_is_neither_a_duration_nor_a_day(org: Org, db_url: str) -> None:
    result = run_cli("audit", "--since", "yesterday", db=db_url, actor=OWNER)
    assert result.code != 0 and "since 'yesterday'" in result.err
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert "verify" in run_cli("audit", "--help", db=db_url).out


def test_users_list_no_space_role_names_the_members_with_none_and_counts_their_tokens(
    org: Org, clock: Clock, db_url: str
) -> None:
    outsider = org.service.actor(OUTSIDER)
    org.service.create_token(outsider, "personal", name="a", scopes=["content_management_read"])
    revoked = org.service.create_token(outsider, "personal", name="b", scopes=["content_management_read"])
    org.service.revoke(outsider, revoked.token.id)
    result = run_cli("users", "list", "--no-space-role", "--json", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["email"] for r in rows] == [OUTSIDER]
    assert rows[0]["tokens"] == 1 and rows[0]["lastUsedAt"] is None
    everyone = json.loads(run_cli("users", "list", "--json", db=db_url, actor=OWNER).out)
    assert {r["email"] for r in everyone} >= {OWNER, ADMIN, DEVELOPER, OUTSIDER}
    table = run_cli("users", "list", "--no-space-role", db=db_url, actor=OWNER).out
    assert OUTSIDER in table and DEVELOPER not in table and "never" in table
    refused = run_cli("users", "list", "--no-space-role", db=db_url, actor=DEVELOPER)
    assert refused.code != 0 and len(refused.err.strip().splitlines()) == 1
