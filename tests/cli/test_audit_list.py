"""`tokentui tokens list` answering the audit's questions (SPEC.md, "Audit"): each option as a user runs it."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.conftest import OWNER, Clock, Org, run_cli
from tokentui.core.dates import utc_now

MANAGE = ["content_management_manage"]
READ = ["content_management_read"]
# The standard org's Legacy space brings a legacy access token; the lists below leave it out.
KINDS = ("--kind", "personal", "--kind", "session", "--kind", "management")


@pytest.fixture
def audited(org: Org, clock: Clock) -> Org:
    """Tokens that tell each audit option's right answer from its near misses.

    The CLI reads the wall clock, so the store's clock is set relative to it."""
    svc = org.service
    clock.now = utc_now() - timedelta(days=200)
    stale = svc.create_token(org.developer, "personal", scopes=MANAGE, name="stale writer", expires="never")
    svc.create_token(org.developer, "personal", scopes=READ, name="old unused reader", expires="never")
    svc.mark_used([stale.token.id], clock.now)
    clock.now = utc_now() - timedelta(days=2)
    recent = svc.create_token(org.developer, "personal", scopes=READ, name="busy reader", expires="30d")
    svc.mark_used([recent.token.id], clock.now)
    svc.create_token(org.owner, "management", name="cma writer", space="Website", scopes=["write"])
    svc.create_token(org.owner, "management", name="cma reader", space="Website", scopes=["read"])
    return org


def _names(*args: str, db: str) -> set[str]:
    result = run_cli("tokens", "list", *KINDS, *args, "--json", db=db, actor=OWNER)
    assert result.code == 0, result.err
    return {t["name"] for t in json.loads(result.out)}


def test_never_expires_never_used_unused_for_and_can_write_select_their_tokens(
    audited: Org, db_url: str
) -> None:
    everyone = {"stale writer", "old unused reader", "busy reader", "cma writer", "cma reader"}
    assert _names(db=db_url) == everyone
    assert _names("--never-expires", db=db_url) == everyone - {"busy reader"}
    assert _names("--never-used", db=db_url) == {"old unused reader", "cma writer", "cma reader"}
    assert _names("--unused-for", "90d", db=db_url) == {"stale writer", "old unused reader"}
    assert _names("--unused-for", "1d", db=db_url) == everyone
    assert _names("--can-write", db=db_url) == {"stale writer", "cma writer"}
    assert _names("--can-write", "--never-used", db=db_url) == {"cma writer"}


def test_table_shows_last_used_and_access(audited: Org, db_url: str) -> None:
    result = run_cli("tokens", "list", *KINDS, "--search", "reader", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    header, *rows = result.out.splitlines()
    assert "LAST USED" in header and "ACCESS" in header
    by_name = {next(n for n in ("busy reader", "old unused reader", "cma reader") if n in r): r for r in rows}
    assert "2 days ago" in by_name["busy reader"] and by_name["busy reader"].rstrip().endswith("read")
    assert "never" in by_name["old unused reader"].split("active")[1]
    assert by_name["cma reader"].rstrip().endswith("read")


def test_format_json_is_the_json_flag_and_csv_parses_back(audited: Org, db_url: str) -> None:
    svc = audited.service
    hostile = 'evil, "quoted"\nname;=cmd|x'
    svc.create_token(audited.developer, "personal", scopes=MANAGE + READ, name=hostile, expires="never")
    as_json = run_cli("tokens", "list", *KINDS, "--json", db=db_url, actor=OWNER)
    as_format = run_cli("tokens", "list", *KINDS, "--format", "json", db=db_url, actor=OWNER)
    assert as_json.code == 0 and as_json.out == as_format.out
    expected = json.loads(as_json.out)

    result = run_cli("tokens", "list", *KINDS, "--format", "csv", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert len(rows) == len(expected) == 6
    assert list(rows[0]) == list(expected[0])
    for row, token in zip(rows, expected, strict=True):
        assert row["id"] == token["id"] and row["name"] == token["name"]
        assert row["scopes"] == " ".join(token["scopes"])
        assert row["expiresAt"] == (token["expiresAt"] or "")
        assert row["access"] == token["access"]
    assert hostile in {r["name"] for r in rows}

    empty = run_cli("tokens", "list", "--search", "no such token", "--format", "csv", db=db_url, actor=OWNER)
    assert empty.code == 0 and empty.out.strip() == result.out.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--unused-for", "soon"), "--unused-for 'soon' is not a duration"),
        (("--unused-for", "0d"), "--unused-for '0d'"),
        (("--unused-for", "99999999999999999999999d"), "too long"),
        (("--unused-for", "-5d"), "--unused-for '-5d' is not a duration"),
        (("--format", "xml"), "'xml' is not one of"),
        (("--json", "--format", "csv"), "--json and --format csv"),
    ],
)
def test_bad_audit_options_are_one_line_and_exit_2(
    org: Org, db_url: str, args: tuple[str, ...], fragment: str
) -> None:
    result = run_cli("tokens", "list", *args, db=db_url, actor=OWNER)
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tokentui: error: ") and fragment in lines[0], result.err
    assert "Traceback" not in result.err and result.out == ""


def test_csv_keeps_a_name_a_spreadsheet_would_run_as_text(audited: Org, db_url: str) -> None:
    """CSV injection: a cell starting with = + - @ opens in a spreadsheet as a formula."""
    svc = audited.service
    names = ['=HYPERLINK("https://evil.test","open")', "+1+cmd", "-2+3", "@SUM(A1)", "plain = name"]
    for name in names:
        svc.create_token(audited.developer, "personal", scopes=READ, name=name, expires="never")
    result = run_cli("tokens", "list", *KINDS, "--format", "csv", db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    cells = {r["name"] for r in csv.DictReader(io.StringIO(result.out))}
    assert {"'" + n for n in names[:4]} <= cells and "plain = name" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    # The JSON keeps them exact.
    listed = json.loads(run_cli("tokens", "list", *KINDS, "--json", db=db_url, actor=OWNER).out)
    assert set(names) <= {t["name"] for t in listed}
