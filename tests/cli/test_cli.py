"""The CLI against a temporary store, run in process as a user runs it: answers, JSON, and every refusal."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import (
    ADMIN,
    CONTENT_MANAGER,
    DEVELOPER,
    OUTSIDER,
    OWNER,
    SPACE_ADMIN,
    CliResult,
    Org,
    run_cli,
)
from tests.store_state import store_state
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import TokenKind

pytestmark = pytest.mark.both_databases

TOKEN_FIELDS = {
    "id",
    "kind",
    "name",
    "scopes",
    "author",
    "space",
    "environment",
    "status",
    "last4",
    "createdAt",
    "expiresAt",
    "revokedAt",
}


def assert_refused(result: CliResult, code: int, fragment: str) -> None:
    """One clear line on stderr, the expected exit code, nothing on stdout, no traceback."""
    assert result.code == code, (result.code, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("tokentui: error: ")
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.err and result.out == ""


def test_a_script_sets_up_an_organization_and_creates_a_token(db_url: str) -> None:
    assert run_cli("init", "--org", "Acme", "--owner", OWNER, db=db_url).code == 0
    steps = [
        ("users", "add", DEVELOPER, "--role", "member"),
        ("spaces", "add", "Website", "--env", "production", "--env", "staging"),
        ("spaces", "grant", "Website", DEVELOPER, "--role", "developer"),
    ]
    for step in steps:
        result = run_cli(*step, db=db_url, actor=OWNER)
        assert result.code == 0, result.err
    result = run_cli(
        "tokens",
        "create",
        "--kind",
        "delivery",
        "--name",
        "site",
        "--space",
        "Website",
        "--env",
        "production",
        "--json",
        db=db_url,
        actor=DEVELOPER,
    )
    assert result.code == 0, result.err
    token = json.loads(result.out)
    assert TOKEN_FIELDS | {"token"} <= set(token)
    assert token["token"].startswith("ttd_") and token["token"].endswith(token["last4"])
    assert (token["kind"], token["space"], token["environment"], token["status"]) == (
        "delivery",
        "Website",
        "production",
        "active",
    )
    verify = run_cli(
        "verify",
        "--action",
        "content.read",
        "--space",
        "Website",
        "--env",
        "production",
        db=db_url,
        stdin=token["token"] + "\n",
    )
    assert verify.code == 0 and json.loads(verify.out) == {"allowed": True, "reason": None}


def test_init_on_a_new_store_adds_nothing_else(db_url: str) -> None:
    run_cli("init", "--org", "Solo", "--owner", OWNER, db=db_url)
    listed = run_cli("tokens", "list", "--json", db=db_url, actor=OWNER)
    assert listed.code == 0 and json.loads(listed.out) == []
    users = json.loads(run_cli("users", "list", "--json", db=db_url, actor=OWNER).out)
    assert [u["email"] for u in users] == [OWNER]


def test_create_prints_the_secret_once_and_show_and_list_never(org: Org, db_url: str) -> None:
    created = run_cli(
        "tokens",
        "create",
        "--kind",
        "personal",
        "--name",
        "ci",
        "--scope",
        "content_management_read",
        "--expires",
        "30d",
        db=db_url,
        actor=DEVELOPER,
    )
    assert created.code == 0, created.err
    secret = next(line.strip() for line in created.out.splitlines() if line.strip().startswith("ttp_"))
    assert "shown once" in created.out
    token_id = created.out.split()[1]
    outputs = [
        run_cli("tokens", "show", token_id, db=db_url, actor=DEVELOPER),
        run_cli("tokens", "show", token_id, "--json", db=db_url, actor=DEVELOPER),
        run_cli("tokens", "list", db=db_url, actor=OWNER),
        run_cli("tokens", "list", "--json", db=db_url, actor=OWNER),
        run_cli("audit", "--json", db=db_url, actor=OWNER),
    ]
    for result in outputs:
        assert result.code == 0, result.err
        assert secret not in result.out and secret[4:20] not in result.out
    shown = json.loads(outputs[1].out)
    assert "token" not in shown and shown["last4"] == secret[-4:] and shown["name"] == "ci"


def test_tokens_list_filters_and_json_fields(org: Org, db_url: str) -> None:
    service = org.service
    # Tokens the fixture's clock makes and the CLI (on the real clock) reads never expire: the test
    # must not change its answer as real days pass.
    read = service.create_token(
        org.developer, "personal", name="reader", scopes=["content_management_read"], expires="never"
    )
    service.create_token(org.developer, "oauth", name="zap", scopes=["content_management_read"], app="Zapier")
    revoked = service.create_token(org.developer, "personal", name="old", scopes=["content_management_read"])
    service.revoke(org.developer, revoked.token.id)
    result = run_cli(
        "tokens", "list", "--kind", "personal", "--status", "active", "--json", db=db_url, actor=OWNER
    )
    rows = json.loads(result.out)
    assert [r["name"] for r in rows] == ["reader"]
    assert set(rows[0]) >= TOKEN_FIELDS and "token" not in rows[0]
    by_last4 = json.loads(
        run_cli("tokens", "list", "--last4", read.token.last4, "--json", db=db_url, actor=OWNER).out
    )
    assert read.token.id in [r["id"] for r in by_last4]
    by_author = json.loads(
        run_cli("tokens", "list", "--author", DEVELOPER, "--json", db=db_url, actor=OWNER).out
    )
    assert {r["author"] for r in by_author} == {DEVELOPER} and len(by_author) == 3
    table = run_cli("tokens", "list", "--status", "revoked", db=db_url, actor=OWNER)
    assert "old" in table.out and "reader" not in table.out and "LAST4" in table.out
    dated = json.loads(
        run_cli(
            "tokens",
            "list",
            "--created-after",
            "2026-11-22",
            "--created-before",
            "2026-11-22",
            "--kind",
            "oauth",
            "--json",
            db=db_url,
            actor=OWNER,
        ).out
    )
    assert [r["name"] for r in dated] == ["zap"]  # created at the fixture clock's instant, 2026-11-22 12:00
    earlier = json.loads(
        run_cli("tokens", "list", "--created-before", "2026-11-21", "--json", db=db_url, actor=OWNER).out
    )
    assert earlier == []


def test_the_widest_day_range_lists_every_token(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", name="far", scopes=["content_management_read"])
    widest = ("--created-after", "0001-01-01", "--created-before", "9999-12-30")
    expiring = ("--expires-after", "0001-01-01", "--expires-before", "9999-12-30")
    result = run_cli("tokens", "list", *widest, *expiring, "--mine", "--json", db=db_url, actor=DEVELOPER)
    assert result.code == 0, result.err
    assert [r["name"] for r in json.loads(result.out)] == ["far"]


def test_member_lists_their_own_tokens_and_admin_narrows_with_mine(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", name="devs", scopes=["content_management_read"])
    org.service.create_token(org.owner, "personal", name="owners", scopes=["content_management_read"])
    member = json.loads(run_cli("tokens", "list", "--json", db=db_url, actor=DEVELOPER).out)
    assert [r["name"] for r in member] == ["devs"]
    mine = json.loads(run_cli("tokens", "list", "--mine", "--json", db=db_url, actor=OWNER).out)
    assert "owners" in [r["name"] for r in mine] and "devs" not in [r["name"] for r in mine]


def test_revoke_and_reset(org: Org, db_url: str) -> None:
    created = org.service.create_token(
        org.developer, "personal", name="temp", scopes=["content_management_read"]
    )
    revoked = run_cli("tokens", "revoke", created.token.id, "--json", db=db_url, actor=DEVELOPER)
    assert revoked.code == 0 and json.loads(revoked.out)["status"] == "revoked"
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    reset = run_cli("tokens", "reset", legacy.id, "--json", db=db_url, actor=DEVELOPER)
    assert reset.code == 0, reset.err
    answer = json.loads(reset.out)
    assert answer["token"].startswith("ttl_") and answer["id"] != legacy.id
    assert org.service.get_token(org.owner, legacy.id).revoked_reason == "reset"


def test_verify_denies_with_a_reason_and_exit_one(org: Org, db_url: str) -> None:
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires="never"
    )
    denied = run_cli(
        "verify", "--action", "content.write", "--space", "Website", db=db_url, stdin=created.secret + "\n"
    )
    assert denied.code == 1 and json.loads(denied.out) == {"allowed": False, "reason": "scope"}
    unknown = run_cli("verify", "--action", "content.read", db=db_url, stdin="ttp_nonsense\n")
    assert unknown.code == 1 and json.loads(unknown.out)["reason"] == "unknown"


def test_users_remove_reports_the_tokens_cut_off(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", scopes=["content_management_read"], expires="never")
    result = run_cli("users", "remove", DEVELOPER, "--json", db=db_url, actor=OWNER)
    assert result.code == 0 and json.loads(result.out) == {"email": DEVELOPER, "tokensCutOff": 1}


def test_spaces_before_the_cutoff_print_their_legacy_secret_once(org: Org, db_url: str) -> None:
    result = run_cli("spaces", "add", "Vintage", "--created", "2018-06-01", db=db_url, actor=OWNER)
    assert result.code == 0 and "ttl_" in result.out and "shown once" in result.out
    listed = json.loads(run_cli("spaces", "list", "--json", db=db_url, actor=OWNER).out)
    assert "Vintage" in [s["name"] for s in listed]


def test_audit_lists_changes_newest_first(org: Org, db_url: str) -> None:
    org.service.create_token(org.developer, "personal", name="x", scopes=["content_management_read"])
    events = json.loads(run_cli("audit", "--json", "--action", "token.", db=db_url, actor=OWNER).out)
    assert events[0]["action"] == "token.create" and "'x'" in events[0]["summary"]


def test_flags_are_accepted_before_and_after_the_command(org: Org, db_url: str) -> None:
    before = run_cli("--as", OWNER, "--db", db_url, "tokens", "list", "--json", db="sqlite:///unused")
    after = run_cli("tokens", "list", "--json", "--as", OWNER, "--db", db_url, db="sqlite:///unused")
    assert before.code == after.code == 0 and before.out == after.out


def test_every_command_has_help(db_url: str) -> None:
    for command in (
        ["init"],
        ["demo"],
        ["users", "add"],
        ["users", "remove"],
        ["users", "list"],
        ["spaces", "add"],
        ["spaces", "grant"],
        ["tokens", "create"],
        ["tokens", "list"],
        ["tokens", "show"],
        ["tokens", "revoke"],
        ["tokens", "reset"],
        ["verify"],
        ["audit"],
        ["expire"],
    ):
        result = run_cli(*command, "--help", db=db_url)
        assert result.code == 0 and "Usage: tokentui" in result.out, command


def test_output_of_hostile_names_is_made_safe(org: Org, db_url: str) -> None:
    name = "evil\x1b]52;c;aGFjaw==\x07[bold]x[/bold]"
    created = org.service.create_token(
        org.developer, "personal", name=name, scopes=["content_management_read"]
    )
    table = run_cli("tokens", "list", db=db_url, actor=DEVELOPER)
    assert "\x1b" not in table.out and "\x07" not in table.out and "\\x1b]52" in table.out
    shown = json.loads(run_cli("tokens", "show", created.token.id, "--json", db=db_url, actor=DEVELOPER).out)
    assert shown["name"] == name  # stored faithfully; JSON escapes it
    raw = run_cli("tokens", "show", created.token.id, "--json", db=db_url, actor=DEVELOPER).out
    assert "\x1b" not in raw


def test_every_lookup_by_name_trims_it_as_creation_does(org: Org, db_url: str) -> None:
    def ok(*args: str, actor: str | None = OWNER, stdin: str | None = None) -> str:
        result = run_cli(*args, db=db_url, actor=actor, stdin=stdin)
        assert result.code == 0, (args, result.err)
        return result.out

    granted = ok("spaces", "grant", " Website ", f" {OUTSIDER} ", "--role", "developer", "--org", " Acme ")
    assert granted.strip() == f"{OUTSIDER} is now developer in Website."
    created = json.loads(
        ok(
            *("tokens", "create", "--kind", "delivery", "--space", "\tWebsite ", "--env", " production"),
            *("--branch", " live ", "--json"),
            actor=OUTSIDER,
        )
    )
    assert (created["space"], created["environment"]) == ("Website", "production")
    listed = json.loads(ok("tokens", "list", "--space", " Website ", "--kind", "delivery", "--json"))
    assert [t["id"] for t in listed] == [created["id"]]
    decision = ok(
        *("verify", "--action", "content.read", "--space", " Website ", "--env", "production "),
        *("--branch", " main", "--org", " Acme"),
        actor=None,
        stdin=created["token"] + "\n",
    )
    assert json.loads(decision) == {"allowed": True, "reason": None}
    space = json.loads(ok("spaces", "add", "Shop", "--branch", "main", "--alias", "live= main ", "--json"))
    assert space["aliases"] == {"live": "main"}


def test_a_name_holding_a_secret_is_refused_without_echoing_it(org: Org, db_url: str) -> None:
    secret = org.service.create_token(org.developer, "personal", scopes=["content_management_read"]).secret
    attempts = [
        (
            ("tokens", "create", "--kind", "personal", "--name", f"ci X{secret}9 deploy"),
            DEVELOPER,
            "the name",
        ),
        (("tokens", "create", "--kind", "personal", "--name", secret), DEVELOPER, "the name"),
        (("tokens", "create", "--kind", "oauth", "--app", f"Zap{secret}"), DEVELOPER, "application name"),
        (("spaces", "add", f"{secret}x"), OWNER, "space name"),
        (("teams", "add", f"team {secret}"), OWNER, "team name"),
        (
            ("users", "add", "new@acme.test", "--role", "member", "--name", f"Ann{secret}"),
            OWNER,
            "user's name",
        ),
    ]
    for args, actor, what in attempts:
        before = store_state(db_url)
        result = run_cli(*args, db=db_url, actor=actor)
        assert_refused(result, 2, f"{what} looks like it contains a tokentui secret")
        assert secret[4:20] not in result.err and secret[-10:] not in result.err
        assert store_state(db_url) == before, args


def test_a_member_sees_themselves_and_an_admin_sees_everyone(org: Org, db_url: str) -> None:
    own = run_cli("users", "show", f" {DEVELOPER.upper()} ", "--json", db=db_url, actor=DEVELOPER)
    assert own.code == 0, own.err
    assert json.loads(own.out)["email"] == DEVELOPER
    listed = run_cli("users", "list", "--json", db=db_url, actor=ADMIN)
    assert listed.code == 0 and DEVELOPER in [m["email"] for m in json.loads(listed.out)]
    other = run_cli("users", "show", DEVELOPER, db=db_url, actor=ADMIN)
    assert other.code == 0 and other.out.startswith(f"{DEVELOPER}  member")


def test_an_error_line_never_echoes_a_secret_typed_where_an_id_or_a_name_goes(org: Org, db_url: str) -> None:
    secret = org.service.create_token(org.developer, "personal", scopes=["content_management_read"]).secret
    attempts = [
        ("tokens", "show", secret),
        ("tokens", "revoke", secret),
        ("tokens", "create", "--kind", "delivery", "--space", secret, "--env", "production"),
        ("tokens", "list", "--created-after", secret),
        ("tokens", "create", "--kind", secret),
        ("spaces", "grant", secret, DEVELOPER, "--role", "admin"),
    ]
    for args in attempts:
        result = run_cli(*args, db=db_url, actor=OWNER)
        assert result.code in (2, 4), (args, result.err)
        assert result.err.startswith("tokentui: error: ") and secret[4:] not in result.err, args
        assert "ttp_[REDACTED]" in result.err, args


# -- every refusal: exit code, one stderr line, nothing changed ---------------------------------

REFUSALS: list[tuple[str, tuple[str, ...], str | None, int, str]] = [
    ("no actor", ("tokens", "list"), None, 2, "say who you are"),
    ("unknown actor", ("tokens", "list"), "ghost@acme.test", 4, "no user ghost@acme.test"),
    ("org exists", ("init", "--org", "Acme", "--owner", "x@y.test"), None, 6, "already exists"),
    ("bad owner email", ("init", "--org", "New", "--owner", "not-an-email"), None, 2, "not an e-mail"),
    (
        "member adds user",
        ("users", "add", "new@acme.test", "--role", "member"),
        DEVELOPER,
        3,
        "owners and admins",
    ),
    ("duplicate member", ("users", "add", DEVELOPER, "--role", "member"), OWNER, 6, "already a member"),
    ("bad role", ("users", "add", "new@acme.test", "--role", "king"), OWNER, 2, "'king' is not one of"),
    ("remove last owner", ("users", "remove", OWNER), OWNER, 3, "last owner"),
    ("remove stranger", ("users", "remove", "nobody@acme.test"), OWNER, 4, "no user"),
    ("member adds space", ("spaces", "add", "Mine"), DEVELOPER, 3, "owners and admins"),
    ("duplicate space", ("spaces", "add", "Website"), OWNER, 6, "already exists"),
    ("space in the future", ("spaces", "add", "Later", "--created", "2999-01-01"), OWNER, 2, "future"),
    ("bad space date", ("spaces", "add", "Later", "--created", "yesterday"), OWNER, 2, "not a date"),
    ("bad alias", ("spaces", "add", "A", "--alias", "live"), OWNER, 2, "ALIAS=BRANCH"),
    ("alias to nowhere", ("spaces", "add", "A", "--alias", "live=ghost"), OWNER, 2, "not a branch"),
    ("grant unknown space", ("spaces", "grant", "Nope", DEVELOPER, "--role", "admin"), OWNER, 4, "no space"),
    (
        "grant non-member",
        ("spaces", "grant", "Website", "x@else.test", "--role", "admin"),
        OWNER,
        4,
        "no user",
    ),
    (
        "grant by developer",
        ("spaces", "grant", "Website", OUTSIDER, "--role", "admin"),
        DEVELOPER,
        3,
        "grant",
    ),
    ("unknown kind", ("tokens", "create", "--kind", "master"), OWNER, 2, "'master' is not one of"),
    (
        "personal with space",
        ("tokens", "create", "--kind", "personal", "--space", "Website"),
        DEVELOPER,
        2,
        "not to a space",
    ),
    (
        "delivery without env",
        ("tokens", "create", "--kind", "delivery", "--space", "Website"),
        DEVELOPER,
        2,
        "exactly one environment",
    ),
    (
        "delivery unknown space",
        ("tokens", "create", "--kind", "delivery", "--space", "Nope", "--env", "x"),
        DEVELOPER,
        4,
        "no space",
    ),
    (
        "management by developer",
        ("tokens", "create", "--kind", "management", "--space", "Website"),
        DEVELOPER,
        3,
        "management tokens",
    ),
    (
        "expiry in the past",
        ("tokens", "create", "--kind", "personal", "--expires", "2001-01-01"),
        DEVELOPER,
        2,
        "in the past",
    ),
    (
        "expiry on delivery",
        (
            "tokens",
            "create",
            "--kind",
            "delivery",
            "--space",
            "Website",
            "--env",
            "production",
            "--expires",
            "30d",
        ),
        DEVELOPER,
        2,
        "do not expire",
    ),
    ("oauth without app", ("tokens", "create", "--kind", "oauth"), DEVELOPER, 2, "--app"),
    (
        "legacy on request",
        ("tokens", "create", "--kind", "legacy_access", "--space", "Legacy"),
        OWNER,
        3,
        "exactly one",
    ),
    (
        "bad scope",
        ("tokens", "create", "--kind", "personal", "--scope", "root"),
        DEVELOPER,
        2,
        "unknown scope",
    ),
    (
        "empty name",
        ("tokens", "create", "--kind", "personal", "--name", "  "),
        DEVELOPER,
        2,
        "must not be empty",
    ),
    ("short last4", ("tokens", "list", "--last4", "abc"), OWNER, 2, "exactly four"),
    ("bad list date", ("tokens", "list", "--created-after", "last week"), OWNER, 2, "not a date"),
    *[
        (
            f"{option} past the last day",
            ("tokens", "list", option, "9999-12-31"),
            OWNER,
            2,
            f"{option} '9999-12-31'",
        )
        for option in ("--created-after", "--created-before", "--expires-after", "--expires-before")
    ],
    (
        "space past the last day",
        ("spaces", "add", "Z", "--created", "9999-12-31"),
        OWNER,
        2,
        "--created '9999",
    ),
    (
        "expiry past the last day",
        ("tokens", "create", "--kind", "personal", "--expires", "9999-12-31"),
        DEVELOPER,
        2,
        "too far away",
    ),
    *[
        (
            f"expiry of {len(amount)} digits",
            ("tokens", "create", "--kind", "personal", "--expires", f"{amount}d"),
            DEVELOPER,
            2,
            "too far away",
        )
        for amount in ("99999999999", "9" * 5000)
    ],
    ("huge limit", ("tokens", "list", "--limit", "9" * 30), OWNER, 2, "--limit"),
    ("show unknown", ("tokens", "show", "nope"), OWNER, 4, "no token 'nope'"),
    ("revoke unknown", ("tokens", "revoke", "nope"), OWNER, 4, "no token"),
    ("reset unknown", ("tokens", "reset", "nope"), OWNER, 4, "no token"),
    ("bad action", ("verify", "--action", "content.delete"), None, 2, "'content.delete' is not one of"),
    ("audit by member", ("audit",), DEVELOPER, 3, "owners and admins"),
    ("members by member", ("users", "list"), DEVELOPER, 3, "only organization owners and admins can list"),
    ("other member by member", ("users", "show", OWNER), DEVELOPER, 3, "can see other members"),
    ("stranger by member", ("users", "show", "nobody@acme.test"), DEVELOPER, 3, "can see other members"),
    ("unknown command", ("tokens", "frobnicate"), OWNER, 2, "No such command"),
    ("no expiry change", ("tokens", "update"), OWNER, 2, "No such command"),
]


@pytest.mark.parametrize(
    ("args", "actor", "code", "fragment"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refusal_prints_one_line_and_changes_nothing(
    org: Org, db_url: str, args: tuple[str, ...], actor: str | None, code: int, fragment: str
) -> None:
    before = store_state(db_url)
    assert_refused(run_cli(*args, db=db_url, actor=actor), code, fragment)
    assert store_state(db_url) == before


def test_refusals_of_rules_on_existing_tokens_change_nothing(org: Org, db_url: str) -> None:
    service = org.service
    personal = service.create_token(org.developer, "personal", scopes=["content_management_read"])
    delivery = service.create_token(org.developer, "delivery", space="Website", environment="production")
    gone = service.create_token(org.developer, "personal", scopes=["content_management_read"])
    service.revoke(org.developer, gone.token.id)
    for _ in range(19):
        service.create_token(org.developer, "delivery", space="Website", environment="staging")
    cases = [
        (("tokens", "revoke", personal.token.id), OWNER, 3, "remove the author"),
        (("tokens", "revoke", gone.token.id), DEVELOPER, 6, "already revoked"),
        (("tokens", "reset", delivery.token.id), DEVELOPER, 3, "cannot be reset"),
        (("tokens", "revoke", delivery.token.id), CONTENT_MANAGER, 3, "author, the space owner"),
        (
            ("tokens", "create", "--kind", "delivery", "--space", "Website", "--env", "production"),
            SPACE_ADMIN,
            5,
            "already has 20 delivery tokens",
        ),
        (("tokens", "show", personal.token.id), OUTSIDER, 4, "no token"),
    ]
    for args, actor, code, fragment in cases:
        before = store_state(db_url)
        assert_refused(run_cli(*args, db=db_url, actor=actor), code, fragment)
        assert store_state(db_url) == before, args


def test_authtoken_in_an_sso_organization_is_refused_for_idp_members(db_url: str) -> None:
    run_cli("init", "--org", "Secure", "--owner", OWNER, "--sso", db=db_url)
    run_cli("users", "add", DEVELOPER, "--role", "member", db=db_url, actor=OWNER)
    before = store_state(db_url)
    assert_refused(
        run_cli("tokens", "create", "--kind", "session", db=db_url, actor=DEVELOPER), 3, "uses SSO"
    )
    assert store_state(db_url) == before


def test_store_faults_are_one_line(tmp_path: Path) -> None:
    missing = run_cli("tokens", "list", db=f"sqlite:///{tmp_path / 'no' / 'x.db'}", actor=OWNER)
    assert_refused(missing, 7, "does not exist")
    assert_refused(run_cli("tokens", "list", db="nonsense://", actor=OWNER), 7, "")


def test_expire_records_newly_expired_tokens(org: Org, db_url: str) -> None:
    # Made at the fixture clock's instant (2026-11-22 12:00); the CLI runs on the real clock, which
    # is past 2026-11-23 for good (a date relative to the real day would make this test a time bomb).
    lapsed = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires=str(date(2026, 11, 23))
    )
    org.service.create_token(
        org.developer, "personal", name="forever", scopes=["content_management_read"], expires="never"
    )
    first = run_cli("expire", "--json", db=db_url)
    assert first.code == 0, first.err
    assert [t["id"] for t in json.loads(first.out)] == [lapsed.token.id]
    again = run_cli("expire", "--json", db=db_url)
    assert again.code == 0 and json.loads(again.out) == []  # recorded once, however often cron runs it
    events = json.loads(run_cli("audit", "--json", "--action", "token.expire", db=db_url, actor=OWNER).out)
    assert [(e["targetId"], e["at"]) for e in events] == [(lapsed.token.id, "2026-11-23T23:59:59Z")]
