"""`tokentui findings`: the hygiene report as a user runs it (SPEC.md, "Audit")."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.conftest import DEVELOPER, OUTSIDER, OWNER, Clock, Org, run_cli
from tokentui.core.dates import utc_now
from tokentui.core.findings import FINDINGS
from tokentui.settings import LIMITS

MANAGE = ["content_management_manage"]
READ = ["content_management_read"]


@pytest.fixture
def report_org(org: Org, clock: Clock) -> Org:
    """One token (or set) per finding, and near misses: revoked, fresh, recently used.

    The CLI reads the wall clock, so the store's clock is set relative to it."""
    svc = org.service
    # Authtokens never expire and may write: made first and used lately, they trail the
    # newest-first lists and stay out of the unused findings.
    clock.now = utc_now() - timedelta(days=130)
    sessions = [
        svc.create_token(org.content_manager, "session", name=f"session {i}").token.id
        for i in range(LIMITS.active_authtokens_per_user)
    ]
    svc.mark_used(sessions, utc_now() - timedelta(hours=2))
    clock.now = utc_now() - timedelta(days=120)
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="old writer", expires="never")
    old_reader = svc.create_token(org.developer, "personal", scopes=READ, name="old reader", expires="never")
    svc.mark_used([old_reader.token.id], clock.now)
    gone = svc.create_token(org.developer, "personal", scopes=MANAGE, name="revoked writer", expires="never")
    svc.revoke(org.developer, gone.token.id)
    clock.now = utc_now() - timedelta(hours=1)
    svc.create_token(org.developer, "personal", scopes=READ, name="soon", expires="3d")
    svc.create_token(org.actor(OUTSIDER), "personal", scopes=READ, name="outsider's", expires="30d")
    return org


def _report(db: str, actor: str = OWNER) -> dict[str, dict[str, object]]:
    result = run_cli("findings", "--json", db=db, actor=actor)
    assert result.code == 0, result.err
    return {row["key"]: row for row in json.loads(result.out)}


def _names(row: dict[str, object]) -> set[str]:
    tokens = row["tokens"]
    assert isinstance(tokens, list)
    return {t["name"] for t in tokens}


def test_findings_json_counts_and_names_each_findings_tokens(report_org: Org, db_url: str) -> None:
    db = db_url
    report = _report(db)
    assert list(report) == [f.key for f in FINDINGS]
    sessions = {f"session {i}" for i in range(LIMITS.active_authtokens_per_user)}
    legacy = "Legacy access token"  # the standard org's Legacy space comes with one; it never expires
    # Each count is what `tokens list` with the same options finds.
    listed = run_cli(
        "tokens", "list", "--status", "active", "--can-write", "--never-expires", "--json", db=db, actor=OWNER
    )
    writers = {t["name"] for t in json.loads(listed.out)}
    assert report["write_never_expires"]["count"] == len(writers)
    assert writers - {legacy} == {"old writer"} | sessions
    assert "old writer" in _names(report["write_never_expires"])
    assert {"old writer", "old reader"} <= _names(report["never_expires"])
    assert "revoked writer" not in _names(report["never_expires"])
    assert _names(report["never_used"]) >= {"old writer"}
    assert not _names(report["never_used"]) & ({"soon", "outsider's"} | sessions)
    assert {"old writer", "old reader"} <= _names(report["unused_90_days"])
    assert not _names(report["unused_90_days"]) & ({"soon", "revoked writer"} | sessions)
    assert _names(report["expiring_7_days"]) == {"soon"}
    assert report["authors_at_limit"]["count"] == LIMITS.active_authtokens_per_user
    assert len(_names(report["authors_at_limit"])) == min(20, LIMITS.active_authtokens_per_user)
    assert _names(report["authors_at_limit"]) <= sessions
    assert _names(report["no_space_role"]) == {"outsider's"}
    for row in report.values():
        tokens = row["tokens"]
        assert isinstance(tokens, list) and isinstance(row["count"], int)
        assert len(tokens) == min(row["count"], 20) and isinstance(row["label"], str)


def test_findings_table_lists_labels_counts_and_tokens(report_org: Org, db_url: str) -> None:
    result = run_cli("findings", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["FINDING", "COUNT"]
    assert any(line.startswith("Expiring within 7 days") and line.split()[-1] == "1" for line in lines[1:8])
    section = result.out.split("\nExpiring within 7 days: 1\n")[1].split("\n\n")[0].splitlines()
    assert section[0].split() == ["ID", "NAME", "AUTHOR"]
    assert len(section) == 2 and "soon" in section[1] and DEVELOPER in section[1]
    assert f"Authtokens of authors at their limit: {LIMITS.active_authtokens_per_user}" in result.out


def test_a_member_sees_only_their_own_tokens_in_the_report(report_org: Org, db_url: str) -> None:
    report = _report(db_url, actor=OUTSIDER)
    assert _names(report["no_space_role"]) == {"outsider's"}
    assert all(_names(row) <= {"outsider's"} for row in report.values())


def test_findings_without_an_actor_is_one_line_and_exit_2(org: Org, db_url: str) -> None:
    result = run_cli("findings", db=db_url)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1
    assert "say who you are with --as" in result.err
    assert "Traceback" not in result.err and result.out == ""
