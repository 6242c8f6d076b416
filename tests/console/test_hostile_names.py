"""Hostile names through every screen and dialog of the console: shown literally, never obeyed.

Every name the console shows comes from users: organizations, spaces, environments,
branches, aliases, teams, applications, tokens, members' names and e-mails. Here each
one is an attack (an OSC 52 that writes the clipboard, CSI colours and queries, an
OSC 8 link, Rich markup that is malformed or styles, bidi overrides), and the console
is walked through every screen and dialog as a user drives it. Nothing may crash,
every name must be on screen as :func:`tokentui.text.printable` shows it, markup and
all, and the bytes the console writes to the terminal must hold no escape sequence
but Textual's own.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from tests.conftest import Clock
from tests.console.conftest import choose, said, screen_text, settle, table_text
from tokentui.console.app import TokentuiApp
from tokentui.console.screens.audit import AuditScreen
from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.create import CreateScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.filters import FiltersScreen
from tokentui.console.screens.help import HelpScreen
from tokentui.console.screens.orgs import OrgsScreen
from tokentui.console.screens.reveal import RevealScreen
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.core.vocabulary import TokenKind
from tokentui.text import printable

# The organization of the attack: OSC 52 writing "Hacked" to the clipboard, ended by ST, then a CSI colour.
ORG = "Pwn\x1b]52;c;SGFja2Vk\x1b\\\x1b[41mRED"
OTHER_ORG = "[red]prod[/red] \u202egro"
# E-mails may not hold ESC or other C0 controls, but may hold markup, C1 controls (0x9b is CSI) and bidi.
OWNER = "[red]own[/red]\u202e\x9b6n@pwn.test"
MEMBER = "[b]dev[/b]\x7f@pwn.test"
MEMBER_NAME = "Mal \x1b]52;c;SGFja2Vk\x07 [blink]x[/]"
TEAM = "\x1b]8;;http://evil.test\x1b\\team [/]"
SPACE = "Docs [beta]"
PROD_SPACE = "[red]prod[/red]\x1b[2J"
LEGACY_SPACE = "Old \x1b[41m[i]sp[/i]"
ENVIRONMENTS = ["prices [/]", "[red]stage[/red]", "env\x1b]52;c;SGFja2Vk\x07"]
BRANCHES = ["[bold]main[/bold]", "\u202eniam", "br\x1b[6n"]
ALIAS = ("[/]live", "[bold]main[/bold]")
PAT = "[red]x[/red]\x1b[41mpat"
OAUTH = "[link=https://evil.test]app[/link]"
APP = "App\x1b]52;c;SGFja2Vk\x1b\\[/]"
DELIVERY = "prices [/] tok"
MANAGEMENT = "\u202egnp.exe"
MEMBER_PAT = "[/]\x9b2Jmine"

SIZE = (160, 50)

# What Textual itself writes: SGR and cursor positions, and the pointer shape (OSC 22, ended by BEL).
TEXTUAL_SEQUENCE = re.compile(r"\x1b\[[0-9;]*[Hm]|\x1b\]22;[a-z-]*\x07")
# The names' own sequences, raw: none may reach the terminal.
PAYLOADS = ("\x1b]52", "\x1b[41m", "\x1b[2J", "\x1b[6n", "\x1b]8;", "\x9b", "\x7f", "\u202e")
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class RecordingDriver(HeadlessDriver):
    """A headless driver that lets the app paint, and keeps every byte it writes."""

    written: list[str]

    @property
    def is_headless(self) -> bool:
        return False  # the app renders its frames to this driver as to a terminal

    def write(self, data: str) -> None:
        self.written.append(data)


def assert_nothing_obeyed(written: list[str]) -> None:
    """Only Textual's own sequences in what was written; every payload was shown escaped."""
    out = "".join(written)
    for payload in PAYLOADS:
        assert payload not in out, (payload, out[max(0, out.find(payload) - 80) : out.find(payload) + 40])
    rest = TEXTUAL_SEQUENCE.sub("", out)
    found = RAW_CONTROL.search(rest)
    assert found is None, repr(rest[max(0, found.start() - 80) : found.end() + 40])
    assert "\\x1b]52;c;SGFja2Vk" in rest  # the attack is on screen, as text


@pytest.fixture
def hostile(db_url: str, clock: Clock) -> Service:
    """A store whose every name is an attack."""
    service = Service(Store(db_url), clock)
    service.init_org(ORG, OWNER)
    owner = service.actor(OWNER, ORG)
    service.add_member(owner, MEMBER, "member", name=MEMBER_NAME)
    service.add_space(owner, SPACE, environments=ENVIRONMENTS, branches=BRANCHES, aliases=[ALIAS])
    service.add_space(owner, PROD_SPACE, environments=ENVIRONMENTS[:1])
    service.add_space(owner, LEGACY_SPACE, created=date(2019, 5, 1), environments=["master"])
    service.grant(owner, SPACE, MEMBER, "developer")
    service.add_team(owner, TEAM, [MEMBER])
    service.create_token(owner, "personal", name=PAT, scopes=["content_management_read"])
    service.create_token(owner, "oauth", name=OAUTH, app=APP, scopes=["content_management_read"])
    service.create_token(owner, "management", name=MANAGEMENT, space=SPACE, scopes=["read"])
    member = service.actor(MEMBER, ORG)
    service.create_token(member, "personal", name=MEMBER_PAT, scopes=["content_management_read"])
    service.create_token(
        member, "delivery", name=DELIVERY, space=SPACE, environment=ENVIRONMENTS[0], branches=BRANCHES[:1]
    )
    service.init_org(OTHER_ORG, OWNER)
    service.store.dispose()
    return service


def shown(app: TokentuiApp, *texts: str) -> str:
    """Assert each of ``texts`` is on screen exactly as printable() writes it; the screen's words."""
    words = said(app)
    for text in texts:
        assert printable(text) in words, (printable(text), words)
    assert not RAW_CONTROL.search(screen_text(app))
    return words


def toasts(app: TokentuiApp) -> str:
    return " ".join(f"{n.title} {n.message}" for n in app._notifications)


async def select_token(pilot: Pilot[int], service: Service, name: str) -> None:
    """Put the cursor on the token called ``name``: searched for by its last four characters."""
    owner = service.actor(OWNER, ORG)
    token = next(t for t in service.list_tokens(owner, limit=100) if t.name == name)
    await pilot.press("escape", "c", "slash", *token.last4, "enter")
    await settle(pilot)
    assert pilot.app.home.table.current is not None and pilot.app.home.table.current.name == name


async def read_dropdown(pilot: Pilot[int], selector: str) -> str:
    """Open a dropdown, read the screen with its options shown, and close it again."""
    select = pilot.app.screen.query_one(selector, Select)
    await pilot.click(selector)
    await pilot.pause()
    assert select.query_one(SelectOverlay).display
    words = said(pilot.app)
    await pilot.press("escape")
    await pilot.pause()
    return words


async def walk_create(pilot: Pilot[int]) -> None:
    """The create dialog with each kind, the hostile spaces, environments and branches; one creation."""
    app = pilot.app
    await pilot.press("escape", "n")
    await settle(pilot)
    assert isinstance(app.screen, CreateScreen)
    for kind in (TokenKind.PERSONAL, TokenKind.OAUTH, TokenKind.SESSION, TokenKind.MANAGEMENT):
        await choose(pilot, "#kind", kind.value)
        await settle(pilot)
        if kind is TokenKind.MANAGEMENT:
            words = await read_dropdown(pilot, "#space")
            for space in (SPACE, PROD_SPACE, LEGACY_SPACE):
                assert printable(space) in words
            await choose(pilot, "#space", SPACE)
            shown(app, *BRANCHES, f"{ALIAS[0]} → {ALIAS[1]}")
        shown(app, "New token")
    await choose(pilot, "#kind", TokenKind.DELIVERY.value)  # where "prices [/]" crashed the console
    await choose(pilot, "#space", SPACE)
    words = await read_dropdown(pilot, "#environment")
    assert all(printable(environment) in words for environment in ENVIRONMENTS)
    await choose(pilot, "#environment", ENVIRONMENTS[2])
    shown(app, SPACE, ENVIRONMENTS[2], *BRANCHES)
    await pilot.click("#name")
    await pilot.press(*"[red]made[/red] [/]")
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, RevealScreen), said(app)
    shown(app, "[red]made[/red] [/]", "Delivery token")
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)


async def test_every_screen_shows_hostile_names_literally_and_writes_none_of_their_sequences(
    hostile: Service, db_url: str, clock: Clock
) -> None:
    service = hostile
    # No --as: the console says whom it acts as, naming the organization, in a toast.
    app = TokentuiApp(db=db_url, clock=clock)
    app.driver_class = RecordingDriver
    RecordingDriver.written = written = []
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # Home: the header, the table and the toasts.
        shown(app, ORG, OWNER, PAT, MANAGEMENT, MEMBER_PAT, DELIVERY, LEGACY_SPACE)
        # Ten columns at 120 cut the Author cell: its markup still shows literally (whole on details).
        assert printable(MEMBER)[:9] in table_text(app)
        assert printable(f"{SPACE}/{ENVIRONMENTS[0]}")[:8] in table_text(app)
        assert printable(ORG) in toasts(app) and printable(OWNER) in toasts(app)
        await pilot.press("slash", *"[/x")
        await settle(pilot)
        shown(app, "search '[/x'")
        await pilot.press("escape", "c")
        await settle(pilot)

        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FiltersScreen)
        await pilot.press("escape")
        await settle(pilot)

        # The create dialog lists the hostile spaces, environments and branches literally.
        await walk_create(pilot)
        assert app.screen is app.home
        shown(app, "[red]made[/red] [/]")
        made = next(
            t for t in service.list_tokens(service.actor(OWNER, ORG)) if t.name == "[red]made[/red] [/]"
        )
        assert (made.kind, made.space, made.environment) == (TokenKind.DELIVERY, SPACE, ENVIRONMENTS[2])

        # Details, then the author from there, with the removal's confirmation declined.
        await select_token(pilot, service, DELIVERY)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        shown(app, DELIVERY, MEMBER, SPACE, ENVIRONMENTS[0], BRANCHES[0])
        await pilot.press("escape")
        await select_token(pilot, service, OAUTH)
        await pilot.press("enter")
        await settle(pilot)
        shown(app, OAUTH, APP, OWNER)
        await pilot.press("escape")
        await select_token(pilot, service, MEMBER_PAT)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        shown(app, MEMBER, MEMBER_NAME, SPACE, TEAM, MEMBER_PAT, DELIVERY, f"member of {ORG}")
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        shown(app, f"Remove {MEMBER} from {ORG}?")
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)

        # The removal itself: its toast names the member and the organization.
        await pilot.press("x", "y")
        await settle(pilot)
        assert app.screen is app.home
        assert f"Removed {printable(MEMBER)};" in toasts(app) and printable(ORG) in toasts(app)
        # Their delivery token stays with its space; its author is no member any more.
        await select_token(pilot, service, DELIVERY)
        await pilot.press("a")
        await settle(pilot)
        shown(app, f"{MEMBER} is not a member of {ORG}.")
        await pilot.press("escape")
        await settle(pilot)

        # Revoke, and reset of the legacy space's access token.
        await select_token(pilot, service, PAT)
        await pilot.press("r")
        await settle(pilot)
        shown(app, repr(PAT))
        await pilot.press("y")
        await settle(pilot)
        assert f"Revoked {printable(repr(PAT))}" in toasts(app)
        await select_token(pilot, service, f"{LEGACY_SPACE} access token")
        await pilot.press("R")
        await settle(pilot)
        shown(app, repr(f"{LEGACY_SPACE} access token"), repr(LEGACY_SPACE))
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        shown(app, f"{LEGACY_SPACE} access token")
        await pilot.press("escape", "y")
        await settle(pilot)

        # The audit log quotes every name.
        await pilot.press("escape", "l")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        shown(app, f"removed {MEMBER} from {ORG}", repr(TEAM), repr(SPACE), MEMBER)
        words = await read_dropdown(pilot, "#audit-action")
        assert "token revoked" in words
        await pilot.press("escape")
        await settle(pilot)

        # The organization switcher, and the other organization's header.
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OrgsScreen)
        shown(app, f"{ORG} (owner)", f"{OTHER_ORG} (owner)")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.actor is not None and app.actor.org_name == OTHER_ORG
        shown(app, OTHER_ORG, OWNER)

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"org")
        await settle(pilot)
        assert "Switch organization" in said(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not RAW_CONTROL.search(toasts(app))
    assert app.return_code in (None, 0)
    assert_nothing_obeyed(written)
