"""`tokentui audit verify`: one line and exit 0 while the chain holds, exit 1 at the first break."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import OWNER, Org, run_cli

pytestmark = pytest.mark.both_databases


def test_audit_keeps_its_options_beside_the_new_verify(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", name="x", scopes=["content_management_read"])
    events = json.loads(run_cli("audit", "--action", "token.", "--json", db=db_url, actor=OWNER).out)
    assert [e["action"] for e in events if "'x'" in e["summary"]] == ["token.create"]
    assert all(e["action"].startswith("token.") for e in events)
    assert "verify" in run_cli("audit", "--help", db=db_url).out


def test_audit_verify_says_intact_then_names_the_event_an_owner_of_the_database_changed(
    org: Org, db_url: str
) -> None:
    intact = run_cli("audit", "verify", db=db_url)
    assert intact.code == 0, intact.err
    assert intact.out.startswith("Audit chain intact: ") and len(intact.out.splitlines()) == 1
    as_json = json.loads(run_cli("audit", "verify", "--json", db=db_url).out)
    assert as_json["intact"] is True and len(as_json["headHash"]) == 64 and as_json["events"] > 5
    engine = create_engine(db_url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        conn.execute(text("UPDATE audit_event SET summary = 'nothing to see' WHERE id = 3"))
    engine.dispose()
    broken = run_cli("audit", "verify", db=db_url)
    assert broken.code == 1
    assert broken.out.strip() == "Audit chain broken at event 3: it was changed: it does not match its hash"
    report = json.loads(run_cli("audit", "verify", "--json", db=db_url).out)
    assert report["intact"] is False and report["brokenAt"] == 3
