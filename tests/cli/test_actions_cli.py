"""``tokens find`` and ``tokens revoke ID... | -`` as a user runs them, refusals included."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, CONTENT_MANAGER, DEVELOPER, Org, run_cli
from tests.store_state import store_state
from tokentui.core.vocabulary import Status

MANAGE = ["content_management_manage"]


def test_find_names_the_token_and_never_echoes_the_secret(org: Org, db_url: str) -> None:
    made = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    found = run_cli("tokens", "find", "--json", db=db_url, actor=ADMIN, stdin=made.secret + "\n")
    assert found.code == 0, found.err
    assert json.loads(found.out)["id"] == made.token.id
    assert made.secret not in found.out + found.err


def test_find_tells_an_outsider_nothing_and_refuses_a_bad_checksum(org: Org, db_url: str) -> None:
    made = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    other = run_cli("tokens", "find", db=db_url, actor=CONTENT_MANAGER, stdin=made.secret)
    assert other.code == 4 and made.token.id not in other.out + other.err
    broken = made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B")
    bad = run_cli("tokens", "find", db=db_url, actor=DEVELOPER, stdin=broken)
    assert bad.code == 2 and broken not in bad.err


def test_revoke_from_stdin_revokes_each_and_reports_each_refusal(org: Org, db_url: str) -> None:
    mine = org.service.create_token(org.admin, "personal", name="a", scopes=MANAGE)
    theirs = org.service.create_token(org.developer, "personal", name="b", scopes=MANAGE)
    result = run_cli(
        "tokens", "revoke", "-", db=db_url, actor=ADMIN, stdin=f"{mine.token.id}\n{theirs.token.id}\nnope\n"
    )
    assert result.code == 3
    lines = result.err.strip().splitlines()
    assert len(lines) == 2 and theirs.token.id in lines[0] and "nope" in lines[1]
    assert org.service.get_token(org.admin, mine.token.id).status is Status.REVOKED
    before = store_state(db_url)
    again = run_cli("tokens", "revoke", theirs.token.id, "nope", db=db_url, actor=ADMIN)
    assert again.code == 3 and store_state(db_url) == before
