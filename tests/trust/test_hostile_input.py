"""Hostile input: refused with a domain error and nothing changed, or accepted and kept faithfully.

Whatever a user types (markup, escape sequences, control characters, bytes
that are not UTF-8, absurd dates and durations, invented IDs and secrets), the
core answers with a :mod:`tokentui.core.errors` refusal that changes nothing,
or does the right thing. Text it keeps comes back byte for byte from the core,
and is made safe wherever it is shown: the CLI's tables and JSON, its error
lines, and the console's screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import ADMIN, DEVELOPER, OWNER, SPACE_ADMIN, CliResult, Clock, Org, run_cli
from tests.store_state import store_state
from tokentui.core.errors import StoreError, TokentuiError
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.tokens.secret_format import generate
from tokentui.core.vocabulary import TokenKind
from tokentui.text import printable

pytestmark = pytest.mark.both_databases

READ = "content_management_read"

# Text that has hurt terminals and tables before: Rich markup, CSI/OSC sequences (OSC 52 writes
# the clipboard, OSC 8 makes a link), the 8-bit CSI, bidi overrides, line tricks, SQL and format
# strings, and a byte that is not UTF-8 as Python receives it from argv (a lone surrogate).
HOSTILE = [
    "[bold red]x[/]",
    "[link=https://evil.example]click me[/link]",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;SGVsbG8=\x07",
    "csi \x9b31m eight-bit",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "car\rriage",
    "back\bspace",
    "\u202eexe.txt",
    "bell\x07",
    "del\x7f",
    "tab\tand\nnewline",
    "nul\x00byte",
    "'; DROP TABLE token; --",
    "100%_\\",
    "{name} %s %n",
    "Ünïcödé ÀÉ 名前 😀",
    "\u2028line separator",
    "not utf-8 \udcff",
    "",
    "   ",
    "x" * 201,
]
# What must never reach a terminal: ESC, BEL, the C1 controls (0x80-0x9f, CSI and OSC among them).
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.builds(lambda a, b: a + b, st.sampled_from(HOSTILE), st.text(max_size=8)),
)

FAST = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every example of these starts a real process.
SUBPROCESS = settings(FAST, max_examples=6)


def assert_one_line_refusal(result: CliResult) -> None:
    """A non-zero exit with one ``tokentui: error:`` line and no traceback."""
    lines = result.err.strip().splitlines()
    assert result.code != 0
    assert len(lines) == 1 and lines[0].startswith("tokentui: error: "), result.err
    assert "Traceback" not in result.err


def assert_terminal_safe(*outputs: str) -> None:
    for output in outputs:
        assert not RAW_CONTROL.search(output), repr(output)
        assert "\u202e" not in output and "\u2028" not in output


# -- the core ------------------------------------------------------------------------------------


@FAST
@given(name=hostile_text)
def test_a_token_name_is_kept_byte_for_byte_or_refused(org: Org, db_url: str, name: str) -> None:
    service = org.service
    before = store_state(db_url)
    try:
        created = service.create_token(org.developer, "personal", name=name, scopes=[READ])
    except TokentuiError as refusal:
        assert not isinstance(refusal, StoreError), refusal  # the store is fine; the input is not
        assert store_state(db_url) == before
        return
    kept = service.get_token(org.developer, created.token.id).name
    assert kept == name.strip()
    found = service.list_tokens(org.developer, TokenQuery(search=kept), limit=500)
    assert created.token.id in {t.id for t in found}


def _operations(org: Org) -> dict[str, Callable[[str], Any]]:
    """Every operation of the service with one argument left to the attacker."""
    s, owner, dev, space_admin = org.service, org.owner, org.developer, org.space_admin
    return {
        "actor": lambda t: s.actor(t),
        "actor in org": lambda t: s.actor(OWNER, t),
        "init org": lambda t: s.init_org(t, "new-owner@else.test"),
        "init owner": lambda t: s.init_org("Else", t),
        "add member": lambda t: s.add_member(owner, t, "member"),
        "add member role": lambda t: s.add_member(owner, "new@acme.test", t),
        "add member name": lambda t: s.add_member(owner, "named@acme.test", "member", name=t),
        "remove member": lambda t: s.remove_member(owner, t),
        "member": lambda t: s.member(owner, t),
        "add space": lambda t: s.add_space(owner, t),
        "add space env": lambda t: s.add_space(owner, "Fresh", environments=[t]),
        "add space alias": lambda t: s.add_space(owner, "Fresh", branches=["main"], aliases=[(t, "main")]),
        "add team": lambda t: s.add_team(owner, t, [DEVELOPER]),
        "add team member": lambda t: s.add_team(owner, "Team", [t]),
        "grant space": lambda t: s.grant(owner, t, DEVELOPER, "developer"),
        "grant email": lambda t: s.grant(owner, "Website", t, "developer"),
        "grant role": lambda t: s.grant(owner, "Website", DEVELOPER, t),
        "create kind": lambda t: s.create_token(dev, t),
        "create scope": lambda t: s.create_token(dev, "personal", scopes=[t]),
        "create expires": lambda t: s.create_token(dev, "personal", scopes=[READ], expires=t),
        "create management expires": lambda t: s.create_token(
            space_admin, "management", space="Website", scopes=["read"], expires=t
        ),
        "create app": lambda t: s.create_token(dev, "oauth", scopes=[READ], app=t),
        "create space": lambda t: s.create_token(dev, "delivery", space=t, environment="production"),
        "create env": lambda t: s.create_token(dev, "delivery", space="Website", environment=t),
        "create branch": lambda t: s.create_token(
            dev, "delivery", space="Website", environment="staging", branches=[t]
        ),
        "show": lambda t: s.get_token(owner, t),
        "revoke": lambda t: s.revoke(dev, t),
        "reset": lambda t: s.reset(owner, t),
        "verify secret": lambda t: s.verify(t, "content.read", space="Website", environment="production"),
        "verify action": lambda t: s.verify(generate(TokenKind.PERSONAL), t),
        "verify target": lambda t: s.verify(
            generate(TokenKind.DELIVERY), "content.read", space=t, environment=t, branch=t
        ),
        "search": lambda t: s.list_tokens(owner, TokenQuery(search=t)),
        "last4": lambda t: s.list_tokens(owner, TokenQuery(last4=t)),
        "author": lambda t: s.list_tokens(owner, TokenQuery(author=t)),
        "space": lambda t: s.list_tokens(owner, TokenQuery(space=t)),
        "count": lambda t: s.count_tokens(owner, TokenQuery(search=t, mine=True)),
        "audit": lambda t: s.audit(owner, action=t, search=t),
    }


OPERATIONS = (
    "actor", "actor in org", "init org", "init owner", "add member", "add member role", "add member name",
    "remove member", "member", "add space", "add space env", "add space alias", "add team",
    "add team member", "grant space", "grant email", "grant role", "create kind", "create scope",
    "create expires", "create management expires", "create app", "create space", "create env",
    "create branch", "show", "revoke", "reset", "verify secret", "verify action", "verify target",
    "search", "last4", "author", "space", "count", "audit",
)  # fmt: skip


# NUL reaches PostgreSQL only where no rule refused it first; lone surrogates reach every driver.
@settings(FAST, max_examples=20)
@example(which="show", text="id\x00")
@example(which="search", text="a\x00b")
@example(which="audit", text="\x00")
@example(which="add member name", text="Ada\x00")
@example(which="create env", text="prod\x00")
@example(which="create app", text="not utf-8 \udcff")
@example(which="grant space", text="\udcff")
@given(which=st.sampled_from(OPERATIONS), text=hostile_text)
def test_any_text_in_any_operation_is_a_domain_refusal_that_changes_nothing(
    org: Org, db_url: str, which: str, text: str
) -> None:
    operations = _operations(org)
    assert tuple(operations) == OPERATIONS
    before = store_state(db_url)
    try:
        operations[which](text)
    except TokentuiError as refusal:
        assert not isinstance(refusal, StoreError), refusal  # the store is fine; the input is not
        assert str(refusal).strip(), "a refusal says why"
        assert store_state(db_url) == before
    # Anything else (a ValueError, a driver's error, an OverflowError) fails the test as it is.


@FAST
@given(
    expires=st.one_of(
        st.sampled_from(["0d", "999999d", "1h", "12h", "30d", "never", "NEVER ", "2026-11-22", "9999-12-31"]),
        st.from_regex(r"\A-?[0-9]{1,12}[hdwymsHD]?\Z"),
        st.dates().map(str),
        hostile_text,
    )
)
def test_an_expiry_is_refused_or_lies_in_the_future_within_the_maximum(
    org: Org, clock: Clock, expires: str
) -> None:
    from tokentui.settings import LIMITS

    try:
        created = org.service.create_token(org.developer, "personal", scopes=[READ], expires=expires)
    except TokentuiError:
        return
    expires_at = created.token.expires_at
    if expires.strip().lower() == "never":
        assert expires_at is None
    else:
        assert expires_at is not None and clock.now < expires_at <= clock.now + LIMITS.max_expiry


@FAST
@given(
    secret=st.one_of(hostile_text, st.text(alphabet="0123456789ABCXYZabcxyz_tpdl", min_size=49, max_size=49))
)
def test_an_invented_secret_is_denied_as_unknown(org: Org, secret: str) -> None:
    for action in ("content.read", "tokens.manage"):
        decision = org.service.verify(secret, action, space="Website", environment="production")
        assert not decision.allowed and decision.reason == "unknown"


# -- the CLI ----------------------------------------------------------------------------------------

argv_text = hostile_text.map(lambda t: t.replace("\x00", ""))  # argv cannot carry NUL

# A command line with one argument left to the attacker ({} stands for it), and who runs it.
COMMAND_LINES: list[tuple[tuple[str, ...], str | None]] = [
    (("--as", "{}", "tokens", "list"), None),
    (("--org", "{}", "tokens", "list"), DEVELOPER),
    (("init", "--org", "{}", "--owner", "{}"), None),
    (("users", "add", "{}", "--role", "member"), OWNER),
    (("users", "add", "named@acme.test", "--role", "member", "--name", "{}"), ADMIN),
    (("users", "remove", "{}"), OWNER),
    (("users", "show", "{}"), OWNER),
    (("spaces", "add", "{}", "--env", "{}"), OWNER),
    (("spaces", "add", "Fresh", "--created", "{}"), OWNER),
    (("spaces", "grant", "{}", DEVELOPER, "--role", "admin"), OWNER),
    (("teams", "add", "{}", "--member", "{}"), OWNER),
    (("tokens", "create", "--kind", "personal", "--name", "{}"), DEVELOPER),
    (("tokens", "create", "--kind", "personal", "--name", "{}", "--json"), DEVELOPER),
    (("tokens", "create", "--kind", "personal", "--expires", "{}"), DEVELOPER),
    (("tokens", "create", "--kind", "personal", "--scope", "{}"), DEVELOPER),
    (("tokens", "create", "--kind", "{}"), DEVELOPER),
    (("tokens", "create", "--kind", "oauth", "--app", "{}"), DEVELOPER),
    (("tokens", "create", "--kind", "delivery", "--space", "Website", "--env", "{}"), SPACE_ADMIN),
    (("tokens", "list", "--search", "{}"), OWNER),
    (("tokens", "list", "--last4", "{}", "--json"), OWNER),
    (("tokens", "list", "--author", "{}", "--created-after", "{}"), OWNER),
    (("tokens", "show", "{}"), OWNER),
    (("tokens", "revoke", "{}", "--json"), DEVELOPER),
    (("tokens", "reset", "{}"), OWNER),
    (("audit", "--action", "{}", "--search", "{}"), OWNER),
    (("verify", "--action", "content.read", "--space", "{}", "--env", "{}"), None),
]


@SUBPROCESS
@example(which=11, text="not utf-8 \udcff")  # a name in bytes that are not UTF-8
@example(which=21, text="\x1b]52;c;SGVsbG8=\x07")  # an OSC 52 quoted back in "no token ..."
@given(which=st.integers(0, len(COMMAND_LINES) - 1), text=argv_text)
def test_the_cli_answers_hostile_arguments_with_one_safe_line_or_a_safe_success(
    org: Org, db_url: str, which: int, text: str
) -> None:
    template, actor = COMMAND_LINES[which]
    args = [text if part == "{}" else part for part in template]
    before = store_state(db_url)
    result = run_cli(*args, db=db_url, actor=actor, stdin="ttp_invented\n")
    assert_terminal_safe(result.out, result.err)
    assert "Traceback" not in result.err
    if args[0] == "verify":
        assert result.code == 1 and json.loads(result.out)["reason"] == "unknown"
    elif result.code != 0:
        assert_one_line_refusal(result)
        assert result.code != 7, result.err  # a store error: the store is fine, the input is not
        assert store_state(db_url) == before
    if "--json" in args and result.code == 0:
        json.loads(result.out)


def test_hostile_text_stored_by_the_core_is_shown_escaped_by_every_command(org: Org, db_url: str) -> None:
    service = org.service
    names = [n for n in HOSTILE if n.strip() and "\x00" not in n and "\udcff" not in n and len(n) <= 200]
    created = [service.create_token(org.developer, "personal", name=n, scopes=[READ]) for n in names]
    email = "\u202e[bold]x\x9b\x7f@acme.test"  # an e-mail may hold C1 controls, bidi and markup
    service.add_member(org.owner, email, "member", name="\x1b]52;c;SGVsbG8=\x07")
    service.add_team(org.owner, "\x1b]8;;http://evil\x1b\\team", [email.lower()])
    revoked = service.revoke(org.developer, created[0].token.id)

    def cli(*args: str, actor: str = OWNER) -> str:
        result = run_cli(*args, db=db_url, actor=actor)
        assert result.code == 0, result.err
        assert_terminal_safe(result.out, result.err)
        return result.out

    table = cli("tokens", "list", "--limit", "100")
    listed = {row["id"]: row["name"] for row in json.loads(cli("tokens", "list", "--json"))}
    for token, name in zip(created, names, strict=True):
        assert listed[token.token.id] == name.strip()  # JSON escapes it and gives it back whole
        assert printable(name.strip()) in table or token.token.id in table
    assert "[bold red]x[/]" in table and "\\x1b]52;c;SGVsbG8=\\x07" in table  # shown, not obeyed
    shown = cli("tokens", "show", created[3].token.id)
    assert "\\x1b]52;c;SGVsbG8=\\x07" in shown
    # The audit log quotes names (repr); shown escaped, and whole in JSON.
    audit = cli("audit", "--limit", "500")
    assert printable(repr(revoked.name)) in audit
    summaries = [e["summary"] for e in json.loads(cli("audit", "--json", "--limit", "500"))]
    assert any(repr(names[3]) in summary for summary in summaries)
    members = cli("users", "list")
    assert printable(email) in members and "\\u202e" in members
    assert json.loads(cli("users", "show", email, "--json"))["email"] == email

    # The CLI's own answers to a hostile name, and its error lines quoting one.
    made = run_cli(
        "tokens", "create", "--kind", "personal", "--name", "\x1b]52;c;aGk=\x07", db=db_url, actor=DEVELOPER
    )
    assert made.code == 0 and "\\x1b]52;c;aGk=\\x07" in made.out
    assert_terminal_safe(made.out, made.err)
    refused = run_cli("users", "remove", "\x9b2J@acme.test", db=db_url, actor=OWNER)
    assert_one_line_refusal(refused)
    assert_terminal_safe(refused.out, refused.err)


# -- the console --------------------------------------------------------------------------------


async def test_the_console_shows_a_hostile_name_literally(org: Org, db_url: str, clock: Clock) -> None:
    from tests.console.conftest import SIZE, screen_text, settle, table_text
    from tokentui.console.app import TokentuiApp

    # Short enough for the name column (20 cells) once escaped.
    names = ["\x1b]52;c;SGk=\x07", "[b]x[/b]\u202e\x9b", "\x1b[2J\rwipe"]
    for name in names:
        org.service.create_token(org.developer, "personal", name=name, scopes=[READ])
    app = TokentuiApp(db=db_url, actor=DEVELOPER, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_text(app)
        screen = screen_text(app)
    assert "\\x1b]52;c;SGk=\\x07" in table and "[b]x[/b]\\u202e\\x9b" in table  # markup not obeyed
    assert all(printable(name) in table for name in names)
    assert not RAW_CONTROL.search(screen) and "\u202e" not in screen
